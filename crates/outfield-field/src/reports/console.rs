//! Console page for the activity report.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::attendance::register::DayRange;
use crate::reports::{self, ActivityRow};
use outfield_core::companies::settings;
use outfield_core::console::{day_param, framed_error_page, ConsoleUser, Frame};
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/reports/activity", get(activity_page))
}

/// The range a report page shows.
#[derive(Debug, Deserialize)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    frame: Frame,
    from: String,
    to: String,
    rows: Vec<ActivityRow>,
    totals: ActivityRow,
}

async fn activity_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<RangeQuery>,
) -> Response {
    let today = match settings::get(&state.db, &user.scope).await {
        Ok(settings) => settings.today(),
        Err(error) => return framed_error_page(&user, &error),
    };
    let from = match day_param(query.from.as_deref(), today) {
        Ok(day) => day,
        Err(error) => return framed_error_page(&user, &error),
    };
    let to = match day_param(query.to.as_deref(), from) {
        Ok(day) => day,
        Err(error) => return framed_error_page(&user, &error),
    };
    let range = DayRange {
        from: Some(from),
        to: Some(to),
    };
    let (from, to, rows) = match reports::activity(&state.db, &user.scope, &range).await {
        Ok(report) => report,
        Err(error) => return framed_error_page(&user, &error),
    };
    let totals = reports::totals(&rows);
    let page = ActivityPage {
        frame: Frame::new(&user, "Activity report", "reports"),
        from: from.to_string(),
        to: to.to_string(),
        rows,
        totals,
    };
    outfield_core::console::render(&page)
}
