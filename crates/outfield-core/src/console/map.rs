//! Maps in the console: the vendored Leaflet (BSD-2-Clause, `assets/vendor/leaflet/LICENSE`), the script
//! that draws Outfield's data on it, and the tile server from the settings. Map data travels in a JSON
//! block of the page (the CSP allows no inline script), and every map page also shows its data as a
//! table, so a page is still useful when tiles cannot be loaded.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::people::domain::Language;

use crate::state::AppState;

/// Routes of the map assets.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/vendor/leaflet/leaflet.js",
            get(|| asset("text/javascript; charset=utf-8", LEAFLET_JS)),
        )
        .route(
            "/assets/vendor/leaflet/leaflet.css",
            get(|| asset("text/css; charset=utf-8", LEAFLET_CSS)),
        )
        .route(
            "/assets/vendor/leaflet/LICENSE",
            get(|| asset("text/plain; charset=utf-8", LEAFLET_LICENSE)),
        )
        .route(
            "/assets/console-map.js",
            get(|| asset("text/javascript; charset=utf-8", MAP_JS)),
        )
        .route(
            "/assets/console-forms.js",
            get(|| asset("text/javascript; charset=utf-8", FORMS_JS)),
        )
        .route(
            "/assets/console-tables.js",
            get(|| asset("text/javascript; charset=utf-8", TABLES_JS)),
        )
}

const LEAFLET_JS: &str = include_str!("../../assets/vendor/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../assets/vendor/leaflet/leaflet.css");
const LEAFLET_LICENSE: &str = include_str!("../../assets/vendor/leaflet/LICENSE");
const MAP_JS: &str = include_str!("../../assets/console-map.js");
/// The console's form helpers (type-ahead on the visit plan, progress on long imports); served with the
/// map script, the console's other small script under the same CSP.
const FORMS_JS: &str = include_str!("../../assets/console-forms.js");

/// Names each table cell after its column, so that on a phone a row becomes a card whose values carry
/// their headings (the stylesheet shows them); every console page loads it.
const TABLES_JS: &str = include_str!("../../assets/console-tables.js");

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The wordings the map script shows (popups, status line), in English as the script names them.
const SCRIPT_WORDINGS: [&str; 10] = [
    "last seen",
    "Client's position",
    "Zoom in",
    "Zoom out",
    "battery",
    "flags",
    "Stop",
    "tracking gap",
    "Updated at {}; the map updates by itself every 30 seconds.",
    "Could not update at {}; trying again in 30 seconds.",
];

/// The map script's wordings in `lang`, for the page's map data: the script looks each up by its
/// English wording.
pub fn script_words(lang: Language) -> BTreeMap<&'static str, &'static str> {
    SCRIPT_WORDINGS
        .iter()
        .map(|english| (*english, lang.tr(english)))
        .collect()
}

/// The tile server a page's map uses.
#[derive(Debug, Clone, Serialize)]
pub struct Tiles {
    /// `{z}/{x}/{y}` URL template, or "" for none.
    pub url: String,
    /// Attribution text.
    pub attribution: String,
}

impl Tiles {
    /// From the server settings.
    pub fn from_state(state: &AppState) -> Tiles {
        Tiles {
            url: state.config.map_tiles.clone(),
            attribution: state.config.map_attribution.clone(),
        }
    }

    /// The content security policy of a map page: the console's, with images from the tile server.
    pub(crate) fn content_security_policy(&self) -> String {
        let origin = url::Url::parse(&self.url.replace(['{', '}'], ""))
            .ok()
            .map(|u| u.origin().ascii_serialization())
            .filter(|o| o != "null")
            .unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {origin}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    }
}

/// Renders a map page: the template's HTML with the tile server allowed for images.
pub fn render_map_page(template: &impl askama::Template, tiles: &Tiles) -> Response {
    let mut response = super::render(template);
    if let Ok(value) = tiles.content_security_policy().parse() {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Serialises map data for the page's JSON block, escaped so that it cannot close the script element.
pub fn map_json(data: &impl Serialize) -> String {
    serde_json::to_string(data)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}
