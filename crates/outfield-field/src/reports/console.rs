//! Console page for the activity report.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::attendance::register::DayRange;
use crate::chart::BarChart;
use crate::overview::{
    self,
    periods::{self, Grouping},
};
use crate::reports::{self, ActivityRow};
use crate::settings;
use outfield_core::console::{day_param, framed_error_page, ConsoleUser, Frame};
use outfield_core::ids::PersonId;
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
    /// Draw the charts for this person alone (the table always lists everyone).
    person_id: Option<String>,
    /// List only the people with flagged days (the overview's flag tile links here).
    flagged: Option<String>,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    frame: Frame,
    from: String,
    to: String,
    rows: Vec<ActivityRow>,
    totals: ActivityRow,
    /// Whose trend the charts show ("" for everyone the scope sees), and the charts.
    person_id: String,
    charts: Vec<String>,
    /// "by day", "by week" or "by month", as the charts group the range.
    grouping: &'static str,
    /// Whether only people with flagged days are listed.
    flagged: bool,
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
    // Without a range the report shows the last 7 days, so that its trends have more than one bar.
    let from = match day_param(query.from.as_deref(), today - chrono::Days::new(6)) {
        Ok(day) => day,
        Err(error) => return framed_error_page(&user, &error),
    };
    let default_to = if query.from.is_some() { from } else { today };
    let to = match day_param(query.to.as_deref(), default_to) {
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
    let flagged = query.flagged.is_some_and(|f| !f.is_empty());
    let mut rows = rows;
    if flagged {
        rows.retain(|row| row.flagged_days > 0);
    }
    let totals = reports::totals(&rows);
    let person: Option<PersonId> = query
        .person_id
        .as_deref()
        .and_then(|id| id.parse().ok())
        .filter(|id| rows.iter().any(|row| row.person_id == *id));
    let days = match overview::trend(&state.db, &user.scope, (from, to), person).await {
        Ok(days) => days,
        Err(error) => return framed_error_page(&user, &error),
    };
    let grouping = Grouping::for_range(from, to);
    let charts = periods::charts(&periods::group(&days, grouping), grouping, user.language)
        .iter()
        .map(BarChart::html)
        .collect();
    let page = ActivityPage {
        frame: Frame::new(&user, "Activity report", "reports"),
        from: from.to_string(),
        to: to.to_string(),
        rows,
        totals,
        person_id: person.map(|id| id.to_string()).unwrap_or_default(),
        charts,
        flagged,
        grouping: match grouping {
            Grouping::Day => "by day",
            Grouping::Week => "by week",
            Grouping::Month => "by month",
        },
    };
    outfield_core::console::render(&page)
}
