//! How a report is rendered: the failing severity and the base of entry links. Shared by every
//! output format.

use super::severity::Severity;

/// How to render.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Rules failing at or above this severity are failures (JUnit) or called out
    /// (Markdown); below it they are reported but pass. Default: `error`.
    pub fail_on: Option<Severity>,
    /// Prefix for entry links (`http://127.0.0.1:8080`), so they work outside the server.
    pub base_url: Option<String>,
}

impl Options {
    pub(super) fn threshold(&self) -> Severity {
        self.fail_on.unwrap_or(Severity::Error)
    }

    pub(super) fn link(&self, link: &str) -> String {
        format!("{}{link}", self.base_url.as_deref().unwrap_or(""))
    }
}
