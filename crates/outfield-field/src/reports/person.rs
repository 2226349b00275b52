//! A person's performance over a range (the last 30 days by default): days worked, time on duty,
//! distance, visits against the plan, beat compliance, productive and verified visits, flagged days and
//! exceptions, and the same trends as the overview drawn for this person alone.

use crate::settings;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use outfield_core::console::{day_param, framed_error_page, ConsoleUser, Frame};
use outfield_core::error::{AppError, AppResult};
use outfield_core::http::extract::ApiPath;
use outfield_core::ids::PersonId;
use outfield_core::state::AppState;

use crate::attendance::register::DayRange;
use crate::overview::periods::{self, Grouping};
use crate::reports::{self, ActivityRow};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/people/{id}/performance", get(performance_page))
}

/// The range shown.
#[derive(serde::Deserialize)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

/// Days shown without a range.
const DEFAULT_DAYS: u64 = 30;

#[derive(Template)]
#[template(path = "performance.html")]
struct PerformancePage {
    frame: Frame,
    person_id: PersonId,
    from: String,
    to: String,
    row: ActivityRow,
    /// Exceptions recorded in the range.
    exceptions: i64,
    charts: Vec<String>,
}

async fn performance_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<PersonId>,
    Query(query): Query<RangeQuery>,
) -> Response {
    match page(&state, &user, id, &query).await {
        Ok(page) => outfield_core::console::render(&page),
        Err(error) => framed_error_page(&user, &error),
    }
}

async fn page(
    state: &AppState,
    user: &outfield_core::auth::Principal,
    id: PersonId,
    query: &RangeQuery,
) -> AppResult<PerformancePage> {
    let today = settings::get(&state.db, &user.scope).await?.today();
    let from = day_param(
        query.from.as_deref(),
        today - chrono::Days::new(DEFAULT_DAYS - 1),
    )?;
    let to = day_param(query.to.as_deref(), today)?;
    let range = DayRange {
        from: Some(from),
        to: Some(to),
    };
    let (from, to, rows) = reports::activity(&state.db, &user.scope, &range).await?;
    let row = rows
        .into_iter()
        .find(|row| row.person_id == id)
        .ok_or(AppError::NotFound)?;
    let days = crate::overview::trend(&state.db, &user.scope, (from, to), Some(id)).await?;
    let grouping = Grouping::for_range(from, to);
    let exceptions = crate::exceptions::count_between(
        &state.db,
        &user.scope,
        id,
        (&from.to_string(), &to.to_string()),
    )
    .await?;
    Ok(PerformancePage {
        frame: Frame::new(user, row.name.clone(), "people"),
        person_id: id,
        from: from.to_string(),
        to: to.to_string(),
        // One person is on duty or not: the people-on-duty chart says nothing the others do not.
        charts: periods::charts(&periods::group(&days, grouping), grouping, user.language)
            .iter()
            .enumerate()
            .filter(|(index, _)| *index != 1)
            .map(|(_, chart)| chart.html())
            .collect(),
        row,
        exceptions,
    })
}
