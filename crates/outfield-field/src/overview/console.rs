//! The overview page (`/console`): today's tiles, each a link to the page behind it, and 30-day charts.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::tracking::console::live_map_data;
use outfield_core::auth::ClientInfo;
use outfield_core::console::chart::{Bar, BarChart};
use outfield_core::console::map::{render_map_page, Tiles};
use outfield_core::console::{framed_error_page, remember_view, render, ConsoleUser, Frame};
use outfield_core::error::AppResult;
use outfield_core::people::domain::{Language, Role};
use outfield_core::state::AppState;

use super::{FirstSteps, Today, TrendDay};

/// Days the charts cover.
const TREND_DAYS: i64 = 30;

/// Routes of this module.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/console", get(overview))
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    frame: Frame,
    today: Today,
    /// Whether the figures are the person's own (field employees) or their team's.
    own: bool,
    first_steps: Option<FirstSteps>,
    charts: Vec<String>,
    /// The small live map's data, for a manager or admin while someone is on duty.
    live_map: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    client: ClientInfo,
) -> Response {
    remember_view(&state, &user, &client, "/console").await;
    let tiles = Tiles::from_state(&state);
    match page(&state, &user, &tiles).await {
        Ok(page) if page.live_map.is_some() => render_map_page(&page, &tiles),
        Ok(page) => render(&page),
        Err(error) => framed_error_page(&user, &error),
    }
}

async fn page(
    state: &AppState,
    user: &outfield_core::auth::Principal,
    tiles: &Tiles,
) -> AppResult<OverviewPage> {
    let today = super::today(&state.db, &user.scope).await?;
    let own = user.scope.role() == Role::FieldEmployee;
    let live_map = if !own && today.on_duty > 0 {
        let people = crate::tracking::live(&state.db, &user.scope).await?;
        Some(live_map_data(tiles, &people, user.language))
    } else {
        None
    };
    let trend = super::trend(&state.db, &user.scope, TREND_DAYS).await?;
    let first_steps = super::first_steps(&state.db, &user.scope).await?;
    Ok(OverviewPage {
        frame: Frame::new(user, "Overview", "home"),
        today,
        own,
        first_steps,
        live_map,
        charts: charts(&trend, user.language)
            .iter()
            .map(BarChart::html)
            .collect(),
    })
}

/// The 30-day charts: visits (verified ones highlighted), people on duty, kilometres.
fn charts(trend: &[TrendDay], lang: Language) -> [BarChart; 3] {
    let label = |day: &TrendDay| lang.short_date(day.day);
    let chart = |title: &str,
                 unit: &str,
                 part_name: Option<&str>,
                 value: fn(&TrendDay) -> (f64, Option<f64>)| {
        BarChart {
            title: lang.tr(title).to_string(),
            unit: lang.tr(unit).to_string(),
            part_name: part_name.map(|name| lang.tr(name).to_string()),
            lang,
            bars: trend
                .iter()
                .map(|day| {
                    let (value, part) = value(day);
                    Bar {
                        label: label(day),
                        value,
                        part,
                    }
                })
                .collect(),
        }
    };
    [
        chart(
            "Visits per day, last 30 days",
            "visits",
            Some("verified"),
            |d| (d.visits as f64, Some(d.verified as f64)),
        ),
        chart("People on duty per day", "people", None, |d| {
            (d.on_duty as f64, None)
        }),
        chart("Kilometres travelled per day", "km", None, |d| {
            ((d.km * 10.0).round() / 10.0, None)
        }),
    ]
}
