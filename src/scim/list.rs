//! List queries and responses: `startIndex`, `count`, and the `ListResponse` envelope.

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::scim::schema;

/// The default page size (Genesys SDK docs).
pub(crate) const DEFAULT_COUNT: usize = 25;

/// The largest page served: a larger `count` is clamped to it, as RFC 7644 §3.4.2.4 allows
/// ("the service provider MAY return fewer results than requested"; `itemsPerPage` says how
/// many came), and `ServiceProviderConfig` reports it as `filter.maxResults`. A chosen bound: Genesys documents 25 as the safe page size and no maximum
/// (the Python SDK's `SCIMApi` docs; `--compat large-count-429=true` answers 429 past 25 instead). It
/// keeps one list answer to a few MB however large the org.
pub const MAX_COUNT: usize = 1000;

/// A validated page request. `start_index` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub start_index: usize,
    pub count: usize,
}

impl Page {
    /// Parses `startIndex` and `count`. RFC 7644 §3.4.2.4 says a `startIndex` below 1 is
    /// treated as 1 and a negative `count` as 0; text that is not a number is `invalidValue`.
    /// A `count` over [`MAX_COUNT`] is served as [`MAX_COUNT`] (but still counts as over 25
    /// for `large-count-429`).
    pub(crate) fn parse(start_index: Option<&str>, count: Option<&str>) -> ApiResult<Self> {
        fn int(name: &str, text: Option<&str>) -> ApiResult<Option<i64>> {
            text.map(|t| {
                t.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid_value(format!("{name} must be an integer, got {t:?}"))
                })
            })
            .transpose()
        }
        let start = int("startIndex", start_index)?.unwrap_or(1).max(1);
        let count =
            int("count", count)?.map_or(DEFAULT_COUNT as i64, |c| c.clamp(0, MAX_COUNT as i64));
        Ok(Self {
            start_index: usize::try_from(start).unwrap_or(usize::MAX),
            count: usize::try_from(count).unwrap_or(usize::MAX),
        })
    }

    /// The slice of `items` this page covers.
    pub(crate) fn slice<T>(&self, items: &[T]) -> std::ops::Range<usize> {
        let from = (self.start_index - 1).min(items.len());
        let to = from.saturating_add(self.count).min(items.len());
        from..to
    }
}

/// The `ListResponse` envelope (`Resources` with a capital R, as Genesys sends it).
pub(crate) fn response(total: usize, page: Page, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [schema::LIST_RESPONSE],
        "totalResults": total,
        "startIndex": page.start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// The `ListResponse` envelope over resources a serializer writes as they are (the same
/// document as [`response`], without a tree of the page).
#[derive(Debug, serde::Serialize)]
pub(crate) struct Envelope<'a, T> {
    schemas: [&'static str; 1],
    #[serde(rename = "totalResults")]
    total_results: usize,
    #[serde(rename = "startIndex")]
    start_index: usize,
    #[serde(rename = "itemsPerPage")]
    items_per_page: usize,
    #[serde(rename = "Resources")]
    resources: &'a [T],
}

impl<'a, T> Envelope<'a, T> {
    /// The envelope of one page.
    pub(crate) fn new(total: usize, page: Page, resources: &'a [T]) -> Self {
        Self {
            schemas: [schema::LIST_RESPONSE],
            total_results: total,
            start_index: page.start_index,
            items_per_page: resources.len(),
            resources,
        }
    }
}

/// The `ListResponse` envelope around resources that are already JSON text (cached
/// renders): the same bytes as [`Envelope`] over the documents they were written from.
pub(crate) fn envelope_bytes(total: usize, page: Page, resources: &[bytes::Bytes]) -> Vec<u8> {
    let shell = Envelope::<()> {
        items_per_page: resources.len(),
        ..Envelope::new(total, page, &[])
    };
    // Serializing the envelope cannot fail; it ends with `"Resources":[]}`.
    let mut out = serde_json::to_vec(&shell).unwrap_or_default();
    let size: usize = resources.iter().map(|r| r.len() + 1).sum();
    out.reserve(size);
    out.truncate(out.len().saturating_sub(2));
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(r);
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_envelope_is_the_same_document() {
        let page = Page {
            start_index: 3,
            count: 2,
        };
        let items = vec![json!({"id": "a"}), json!({"id": "b"})];
        assert_eq!(
            serde_json::to_vec(&Envelope::new(7, page, &items)).unwrap(),
            serde_json::to_vec(&response(7, page, items.clone())).unwrap()
        );
    }

    #[test]
    fn the_spliced_envelope_is_the_same_document() {
        let page = Page {
            start_index: 1,
            count: 25,
        };
        let items = [json!({"id": "a", "n": [1]}), json!({"id": "b"})];
        let texts: Vec<bytes::Bytes> = items
            .iter()
            .map(|v| serde_json::to_vec(v).unwrap().into())
            .collect();
        for n in 0..=items.len() {
            assert_eq!(
                envelope_bytes(9, page, &texts[..n]),
                serde_json::to_vec(&Envelope::new(9, page, &items[..n])).unwrap()
            );
        }
    }

    #[test]
    fn defaults_and_clamps() {
        assert_eq!(
            Page::parse(None, None).unwrap(),
            Page {
                start_index: 1,
                count: 25
            }
        );
        assert_eq!(
            Page::parse(Some("0"), Some("-3")).unwrap(),
            Page {
                start_index: 1,
                count: 0
            }
        );
        assert!(Page::parse(Some("x"), None).is_err());
        assert_eq!(
            Page::parse(None, Some("5000")).unwrap().count,
            MAX_COUNT,
            "a larger count is served as the advertised maxResults"
        );
    }

    #[test]
    fn slices_past_the_end_are_empty() {
        let items = [1, 2, 3];
        assert_eq!(
            Page {
                start_index: 2,
                count: 5
            }
            .slice(&items),
            1..3
        );
        assert_eq!(
            Page {
                start_index: 9,
                count: 5
            }
            .slice(&items),
            3..3
        );
        assert_eq!(
            Page {
                start_index: 1,
                count: 0
            }
            .slice(&items),
            0..0
        );
    }
}
