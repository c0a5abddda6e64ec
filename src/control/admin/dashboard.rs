//! `GET /__admin/ui`: the dashboard, one HTML page with its stylesheet and script, compiled
//! into the binary (no external assets, no CDN), so it works offline and in the scratch image.
//!
//! The page holds no data: it is served without the admin token (a browser cannot send a
//! header when it navigates), and it asks for the token when an API call answers 401, keeps it
//! in the tab's `sessionStorage`, and sends it as `Authorization: Bearer` — never in a URL.
//! `--admin off` turns the page off with the rest of the admin API. Everything it shows comes
//! from the documented admin endpoints, so the page adds no private API.

use http::{HeaderValue, Response, header};

use crate::edge::response::{Body, full};

const INDEX: &str = include_str!("dashboard/index.html");
const SCRIPT: &str = include_str!("dashboard/dashboard.js");
const STYLE: &str = include_str!("dashboard/dashboard.css");

/// Scripts and styles only from the page's own origin, API calls only to it, nothing framed.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The asset at `/__admin/ui[/NAME]`, or `None` for any other name.
pub(crate) fn asset(name: Option<&str>) -> Option<Response<Body>> {
    let (body, content_type) = match name {
        None | Some("" | "index.html") => (INDEX, "text/html; charset=utf-8"),
        Some("dashboard.js") => (SCRIPT, "text/javascript; charset=utf-8"),
        Some("dashboard.css") => (STYLE, "text/css; charset=utf-8"),
        Some(_) => return None,
    };
    let mut resp = Response::new(full(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_its_own_assets() {
        for needle in ["http://", "https://", "//cdn", "<script>", "style=\""] {
            assert!(!INDEX.contains(needle), "index.html contains {needle:?}");
        }
        assert!(INDEX.contains("src=\"/__admin/ui/dashboard.js\""));
        assert!(INDEX.contains("href=\"/__admin/ui/dashboard.css\""));
        for needle in ["http://", "https://", "innerHTML", "eval(", "localStorage"] {
            assert!(!SCRIPT.contains(needle), "dashboard.js contains {needle:?}");
        }
        assert!(asset(Some("secrets")).is_none());
        let page = asset(None).unwrap();
        assert!(
            page.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("script-src 'self'")
        );
    }
}
