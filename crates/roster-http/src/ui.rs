//! The admin web UI: a dependency-free single-page app (plain HTML, CSS and ES modules under
//! `crates/roster-http/ui/`) embedded in the binary and served at `/` and `/assets/{file}`.
//!
//! The app is the JSON API's first client: it signs in with `POST /api/v2/users/login` (which
//! sets the session cookie) and uses same-origin `fetch` for everything else. Routing is
//! client-side through the URL hash, so deep links need no server routes. Every response carries
//! a strict Content-Security-Policy (no inline script or style, nothing from other origins but
//! avatar images) and an `ETag`, so browsers revalidate cheaply after an upgrade.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// The policy of every UI response: scripts, styles and API calls from this origin only.
/// Avatars may be remote images (GitHub and the like); nothing else may be.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; \
     connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!("../ui/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the app. `index.html` is served at `/`, the others under `/assets/`.
static ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("list.js", JS),
    asset!("auth.js", JS),
    asset!("users.js", JS),
    asset!("members.js", JS),
    asset!("roles.js", JS),
    asset!("permissions.js", JS),
    asset!("audit.js", JS),
];

/// The strong validator of each asset, computed once.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.body);
                let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    })
}

fn serve(name: &str, request: &HeaderMap) -> Response {
    let Some((i, asset)) = ASSETS.iter().enumerate().find(|(_, a)| a.name == name) else {
        return ApiError::RouteNotFound.into_response();
    };
    let etag = etags().get(i).cloned().unwrap_or_default();
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    // Asset names are not fingerprinted: always revalidate (a 304 costs one round trip).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, headers, asset.body).into_response()
}

async fn index(request: HeaderMap) -> Response {
    serve("index.html", &request)
}

async fn asset(Path(file): Path<String>, request: HeaderMap) -> Response {
    if file == "index.html" {
        return ApiError::RouteNotFound.into_response();
    }
    serve(&file, &request)
}

/// The UI's routes: `GET /` and `GET /assets/{file}`. Public: the app signs in by itself.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_referenced_and_named_once() {
        let mut names: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ASSETS.len());
        let index = std::str::from_utf8(ASSETS[0].body).unwrap();
        assert!(index.contains("/assets/app.js"));
        assert!(!index.contains("<script>"), "no inline scripts");
    }

    /// The permission grid's table is a copy of the catalogue's: it must never drift.
    #[test]
    fn the_grid_offers_exactly_the_catalogues_valid_actions() {
        use roster_domain::permission::ResourceType;
        let js = include_str!("../ui/permissions.js");
        let list = |s: &str| -> Vec<String> {
            s.trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|a| a.trim().trim_matches('"').to_owned())
                .filter(|a| !a.is_empty())
                .collect()
        };
        let constant = |name: &str| -> Vec<String> {
            let line = js
                .lines()
                .find(|l| l.starts_with(&format!("const {name} =")))
                .unwrap();
            list(line.split_once('=').unwrap().1.trim_end_matches(';'))
        };
        let start = js.find("export const VALID_ACTIONS = {").unwrap();
        let body = &js[start..js[start..].find("};").unwrap() + start];
        let mut seen = 0;
        for line in body.lines().skip(1) {
            let Some((name, actions)) = line.trim().trim_end_matches(',').split_once(':') else {
                continue;
            };
            let actions = actions.trim();
            let mut got = if actions.starts_with('[') {
                list(actions)
            } else {
                constant(actions)
            };
            got.sort();
            let rt: ResourceType = name.trim().parse().unwrap();
            let mut want: Vec<String> = rt
                .valid_actions()
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect();
            want.sort();
            assert_eq!(got, want, "{name}");
            seen += 1;
        }
        assert_eq!(seen, ResourceType::concrete().count());
    }

    #[test]
    fn conditional_requests_get_304() {
        let r = serve("style.css", &HeaderMap::new());
        assert_eq!(r.status(), StatusCode::OK);
        let etag = r.headers().get(header::ETAG).unwrap().clone();
        assert!(
            r.headers()
                .get(header::CONTENT_SECURITY_POLICY)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("script-src 'self'")
        );
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(serve("style.css", &h).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(serve("nope.js", &h).status(), StatusCode::NOT_FOUND);
    }
}
