//! JSON endpoints for tracking: who is on duty where, and a person's day.

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use outfield_core::ids::PersonId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::tracking::{self, DayDetail, LivePosition};
use outfield_core::auth::Principal;
use outfield_core::error::{AppResult, Problem};
use outfield_core::http::extract::ApiPath;
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(day))
}

/// Everyone on duty the caller sees, with their latest fix, battery and flags.
#[utoipa::path(get, path = "/api/v1/live", tag = "tracking",
    responses((status = 200, body = Vec<LivePosition>), (status = 401, body = Problem)))]
async fn live(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<LivePosition>>> {
    Ok(Json(tracking::live(&state.db, &principal.scope).await?))
}

/// A person's day: duty, trail, stops, gaps, flags and visits (the person, their managers, admins).
#[utoipa::path(get, path = "/api/v1/people/{id}/days/{day}", tag = "tracking",
    params(("id" = Uuid, Path), ("day" = NaiveDate, Path)),
    responses((status = 200, body = DayDetail), (status = 404, body = Problem)))]
async fn day(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((id, day)): ApiPath<(PersonId, NaiveDate)>,
) -> AppResult<Json<DayDetail>> {
    Ok(Json(
        tracking::day_detail(&state.db, &principal.scope, id, day).await?,
    ))
}
