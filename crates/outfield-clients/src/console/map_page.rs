//! The clients on a map: the list's search and status filter, drawn as pins that become numbered
//! clusters when a view holds more clients than a map shows readably. The map asks for the points of
//! each new view as it is moved; the page also lists the clients of the view, for keyboards and
//! screen readers.

use super::*;
use crate::store::{MapArea, MapView};
use axum::Json;
use outfield_core::error::AppError;
use outfield_core::people::domain::Language;

#[derive(Template)]
#[template(path = "clients_map.html")]
struct MapPage {
    frame: Frame,
    q: String,
    status: String,
    statuses: Vec<&'static str>,
    /// The search and status as a query string, for the list link and the points the map asks for.
    filter_query: String,
    /// How many clients the view holds, as the script rewrites it when the map moves.
    status_line: String,
    view: MapView,
    map: String,
}

/// The filter of the map page and, for the points of a view, the view's edges.
#[derive(serde::Deserialize, Default)]
pub(super) struct MapQuery {
    q: Option<String>,
    status: Option<String>,
    south: Option<f64>,
    west: Option<f64>,
    north: Option<f64>,
    east: Option<f64>,
}

impl MapQuery {
    fn filter(&self) -> ClientFilter {
        ClientFilter {
            q: self.q.clone().filter(|q| !q.trim().is_empty()),
            status: self.status.as_deref().and_then(ClientStatus::parse),
            ..Default::default()
        }
    }

    /// The view asked for: none when no edge is given, an error naming the rule when the edges do not
    /// make an area.
    fn area(&self) -> Result<Option<MapArea>, AppError> {
        match (self.south, self.west, self.north, self.east) {
            (None, None, None, None) => Ok(None),
            (Some(s), Some(w), Some(n), Some(e)) => {
                MapArea::new(s, w, n, e).map(Some).ok_or_else(|| {
                    AppError::Validation(vec![FieldError::new(
                        "north",
                        "must be north of south, and east east of west",
                    )])
                })
            }
            _ => Err(AppError::Validation(vec![FieldError::new(
                "south",
                "needs west, north and east too",
            )])),
        }
    }

    fn filter_query(&self) -> String {
        let shown: Vec<(&str, &str)> = [("q", &self.q), ("status", &self.status)]
            .into_iter()
            .filter_map(|(key, value)| Some((key, value.as_deref().filter(|v| !v.is_empty())?)))
            .collect();
        serde_urlencoded::to_string(&shown).unwrap_or_default()
    }
}

/// The status line under the map, which the script replaces with the server's for each new view:
/// `moved` when the view is one the person moved to rather than all the filter's clients.
fn status_line(lang: Language, view: &MapView, moved: bool) -> String {
    match (view.total, view.clustered) {
        (0, _) if moved => lang
            .tr("No client in this view: zoom out or move the map.")
            .to_string(),
        (0, _) => lang.tr("No client with a position matches.").to_string(),
        (total, true) => lang.tr2(
            "{1} clients in this view, in {2} groups: zoom in to see them one by one.",
            total,
            view.points.len(),
        ),
        (total, false) => lang.tr1("{} clients in this view.", total),
    }
}

pub(super) async fn map_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<MapQuery>,
) -> Response {
    let view = match crate::map_view(&state.db, &user.scope, &query.filter(), None).await {
        Ok(view) => view,
        Err(error) => return framed_error_page(&user, &error),
    };
    let frame = Frame::labelled(&state.db, &user, "Clients on the map", "clients").await;
    let lang = frame.lang;
    let tiles = Tiles::from_state(&state);
    let types = fields::get(&state.db, &user.scope)
        .await
        .map(|s| s.client_types)
        .unwrap_or_default();
    let filter_query = query.filter_query();
    let status_line = status_line(lang, &view, false);
    let map = map_json(&serde_json::json!({
        "kind": "clients", "tiles": tiles, "view": view,
        "words": outfield_core::console::map::script_words(lang),
        "type_words": frame.labels.dictionary(lang, &types),
        "points_url": format!("/console/clients/map/points?{filter_query}"),
    }));
    let page = MapPage {
        frame,
        q: query.q.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        statuses: ClientStatus::ALL.iter().map(|s| s.as_str()).collect(),
        filter_query,
        status_line,
        view,
        map,
    };
    render_map_page(&page, &tiles)
}

/// The points of one view of the map, for the map script; JSON problems for edges that make no area.
pub(super) async fn map_points(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<MapQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    let area = query.area()?;
    let view = crate::map_view(&state.db, &user.scope, &query.filter(), area).await?;
    let status = status_line(user.language, &view, area.is_some());
    Ok(Json(serde_json::json!({ "view": view, "status": status })))
}
