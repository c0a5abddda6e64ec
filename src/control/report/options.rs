//! How a report is rendered: the failing severity and where entry links point. Shared by every
//! output format.

use super::model::EntryRef;
use super::severity::Severity;

/// Where a finding's entries point.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum EntryLinks {
    /// `GET` URLs on the server (`/__admin/requests?seq=N`, under `base_url` when known): for a
    /// report read while the server runs.
    #[default]
    Server,
    /// No URL, the entry's `seq` (`links=seq`), in the named journal export when there is one
    /// (`journal=PATH`): for a report read after the server has stopped, as `exec` writes them.
    Seq(Option<String>),
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Rules failing at or above this severity are failures (JUnit) or called out
    /// (Markdown); below it they are reported but pass. Default: `error`.
    pub fail_on: Option<Severity>,
    /// Prefix for entry links (`http://127.0.0.1:8080`), so they work outside the server.
    pub base_url: Option<String>,
    pub links: EntryLinks,
}

impl Options {
    pub(super) fn threshold(&self) -> Severity {
        self.fail_on.unwrap_or(Severity::Error)
    }

    /// Where `e` is: a URL, or its `seq` (and the file that holds it).
    pub(super) fn link(&self, e: &EntryRef) -> String {
        match &self.links {
            EntryLinks::Server => format!("{}{}", self.base_url.as_deref().unwrap_or(""), e.link),
            EntryLinks::Seq(Some(file)) => format!("seq {} in {file}", e.seq),
            EntryLinks::Seq(None) => format!("seq {}", e.seq),
        }
    }

    /// Whether [`Options::link`] is a URL.
    pub(super) fn links_are_urls(&self) -> bool {
        self.links == EntryLinks::Server
    }

    /// A sentence for the top of a report whose entries are not links: where to find them.
    pub(super) fn entries_note(&self) -> Option<String> {
        match &self.links {
            EntryLinks::Server => None,
            EntryLinks::Seq(Some(file)) => Some(format!(
                "Entries (#N) are journal `seq` numbers, one JSON line each in `{file}`."
            )),
            EntryLinks::Seq(None) => Some(
                "Entries (#N) are journal `seq` numbers; the server that held them has stopped \
                 (`exec --export-on-exit DIR` keeps the journal as `DIR/requests.jsonl`)."
                    .to_owned(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> EntryRef {
        EntryRef {
            seq: 12,
            method: "POST".into(),
            target: "/api/v2/scim/v2/Groups".into(),
            status: 405,
            correlation_id: "c".into(),
            timestamp: chrono::DateTime::UNIX_EPOCH,
            link: "/__admin/requests?seq=12".into(),
        }
    }

    #[test]
    fn entries_are_urls_on_a_running_server_and_seq_numbers_after_it() {
        let server = Options {
            base_url: Some("http://127.0.0.1:8080".into()),
            ..Options::default()
        };
        assert_eq!(
            server.link(&entry()),
            "http://127.0.0.1:8080/__admin/requests?seq=12"
        );
        assert!(server.links_are_urls() && server.entries_note().is_none());
        let kept = Options {
            base_url: Some("http://127.0.0.1:8080".into()),
            links: EntryLinks::Seq(Some("mock/requests.jsonl".into())),
            ..Options::default()
        };
        assert_eq!(kept.link(&entry()), "seq 12 in mock/requests.jsonl");
        assert!(!kept.links_are_urls());
        assert!(kept.entries_note().unwrap().contains("mock/requests.jsonl"));
        let gone = Options {
            links: EntryLinks::Seq(None),
            ..Options::default()
        };
        assert_eq!(gone.link(&entry()), "seq 12");
        assert!(gone.entries_note().unwrap().contains("--export-on-exit"));
    }
}
