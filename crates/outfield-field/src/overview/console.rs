//! The overview page (`/console`): today's tiles, each a link to the page behind it, and 30-day charts.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::chart::BarChart;
use crate::settings;
use crate::tracking::console::live_map_data;
use outfield_core::auth::ClientInfo;
use outfield_core::console::map::{render_map_page, Tiles};
use outfield_core::console::{framed_error_page, remember_view, render, ConsoleUser, Frame};
use outfield_core::error::AppResult;
use outfield_core::people::domain::Role;
use outfield_core::state::AppState;

use super::periods::{self, Grouping};
use super::{FirstSteps, Today};

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
    /// Today's exceptions, newest first (at most [`EXCEPTIONS_SHOWN`]), and how many there are.
    exceptions: Vec<ExceptionItem>,
    exception_count: usize,
    /// Today in the company's zone, for the tiles' links to today's lists.
    day: String,
    /// Today's latest notes from the field.
    notes: Vec<NoteItem>,
}

/// Notes from the field listed on the overview.
const NOTES_SHOWN: i64 = 10;

/// One note of the overview's list.
struct NoteItem {
    /// The writer's day at that moment.
    href: String,
    person_name: String,
    clock: String,
    text: String,
}

/// Exceptions listed on the overview; the rest are on the people's days.
const EXCEPTIONS_SHOWN: usize = 50;

/// One line of the exceptions list.
struct ExceptionItem {
    /// The person's day at that moment.
    href: String,
    person_name: String,
    /// The moment and what happened, in the reader's language.
    text: String,
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
    let activity = settings::get(&state.db, &user.scope).await?;
    let last = activity.today();
    let first = last - chrono::Duration::days(TREND_DAYS - 1);
    let trend = super::trend(&state.db, &user.scope, (first, last), None).await?;
    let first_steps = super::first_steps(&state.db, &user.scope).await?;
    let zone = activity.time_zone.as_str();
    let exceptions = crate::exceptions::of_day(&state.db, &user.scope, &last.to_string()).await?;
    let midnight = outfield_core::clock::instant_of(last, 0, activity.zone());
    let notes = crate::notes::latest_of_team(&state.db, &user.scope, midnight, NOTES_SHOWN)
        .await?
        .into_iter()
        .map(|note| {
            let at = outfield_core::clock::to_datetime(note.device_time);
            let clock = outfield_core::console::local_clock(&at, zone);
            NoteItem {
                href: format!(
                    "/console/people/{}/day?day={last}#at-{}",
                    note.person_id,
                    clock.replace(':', "")
                ),
                person_name: note.person_name,
                clock,
                text: note.text,
            }
        })
        .collect();
    Ok(OverviewPage {
        notes,
        day: last.to_string(),
        exception_count: exceptions.len(),
        exceptions: exceptions
            .iter()
            .take(EXCEPTIONS_SHOWN)
            .map(|exception| ExceptionItem {
                href: exception.href(zone),
                person_name: exception.person_name.clone(),
                text: exception.describe(user.language, zone),
            })
            .collect(),
        frame: Frame::new(user, "Overview", "home"),
        today,
        own,
        first_steps,
        live_map,
        charts: periods::charts(&trend, Grouping::Day, user.language)
            .iter()
            .map(BarChart::html)
            .collect(),
    })
}
