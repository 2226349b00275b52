//! Serves the field app (`/app`): a progressive web app embedded in the binary, with no build step.
//!
//! The service worker's cache name is derived from a hash of every asset, so a new binary with changed
//! assets replaces the cached shell on the phones, and an unchanged one never re-downloads it.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use outfield_core::state::AppState;

/// The embedded files: path under `/app/`, content type, bytes.
const ASSETS: [(&str, &str, &[u8]); 14] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../../app/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../app/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../app/app.js"),
    ),
    (
        "store.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../app/store.js"),
    ),
    (
        "sync.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../app/sync.js"),
    ),
    (
        "duty.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../app/duty.js"),
    ),
    (
        "media.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../app/media.js"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../app/i18n.js"),
    ),
    (
        "i18n/en.json",
        "application/json",
        include_bytes!("../../app/i18n/en.json"),
    ),
    (
        "i18n/hi.json",
        "application/json",
        include_bytes!("../../app/i18n/hi.json"),
    ),
    (
        "manifest.webmanifest",
        "application/manifest+json",
        include_bytes!("../../app/manifest.webmanifest"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../app/icon.svg"),
    ),
    (
        "icon-192.png",
        "image/png",
        include_bytes!("../../app/icon-192.png"),
    ),
    (
        "icon-512.png",
        "image/png",
        include_bytes!("../../app/icon-512.png"),
    ),
];

const SERVICE_WORKER: &str = include_str!("../../app/sw.js");

/// Routes of the field app.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", get(|| async { asset("index.html") }))
        .route("/app/sw.js", get(service_worker))
        .route(
            "/app/{*path}",
            get(|Path(path): Path<String>| async move { asset(&path) }),
        )
        .route("/favicon.ico", get(|| async { asset("icon.svg") }))
}

/// The field app may use location, camera and microphone (after the employee's consent); the console may not.
const APP_PERMISSIONS: &str = "geolocation=(self), camera=(self), microphone=(self)";

/// The console's policy, plus the `blob:` addresses the app shows photos and voice notes from before
/// they are uploaded.
const APP_CONTENT_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

fn asset(path: &str) -> Response {
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut response = (*bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{}\"", version())).expect("hex"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(APP_PERMISSIONS),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(APP_CONTENT_POLICY),
    );
    response
}

async fn service_worker() -> Response {
    let body = SERVICE_WORKER.replace("__VERSION__", version());
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("service-worker-allowed", HeaderValue::from_static("/app/"));
    response
}

/// A short hash of every asset and the service worker.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        for (name, _, bytes) in ASSETS {
            hasher.update(name.as_bytes());
            hasher.update(bytes);
        }
        hasher.update(SERVICE_WORKER.as_bytes());
        hex::encode(hasher.finalize())[..16].to_string()
    })
}
