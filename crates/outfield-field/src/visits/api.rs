//! JSON endpoints for visit plans (beats) and client location corrections. Check-ins and check-outs
//! arrive through the sync protocol (`check_in`, `check_out`, `location_correction` records).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use outfield_core::audit::Acting;
use outfield_core::ids::PersonId;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::visits::plans::{self, NewPlan, PlannedVisit};
use crate::visits::{self, Correction};
use outfield_core::auth::Principal;
use outfield_core::error::{AppResult, Problem};
use outfield_core::http::extract::{ApiJson, ApiPath, ApiQuery};
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_plan))
        .routes(routes!(delete_plan))
        .routes(routes!(plan_of_day))
        .routes(routes!(list_corrections))
        .routes(routes!(decide_correction))
}

/// Plans clients for a person on a date or weekly (managers for their team, admins, or oneself).
#[utoipa::path(post, path = "/api/v1/visit-plans", tag = "visits", request_body = NewPlan,
    responses((status = 201, body = Vec<Uuid>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_plan(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(new): ApiJson<NewPlan>,
) -> AppResult<(StatusCode, Json<Vec<Uuid>>)> {
    let ids = plans::create(&state.db, &principal.scope, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(ids)))
}

/// Removes a plan entry.
#[utoipa::path(delete, path = "/api/v1/visit-plans/{id}", tag = "visits", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_plan(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    plans::remove(&state.db, &principal.scope, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which day's plan.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanQuery {
    /// The local date (default today in the company's zone).
    pub day: Option<NaiveDate>,
}

/// A person's plan for a day, with the visit made at each client.
#[utoipa::path(get, path = "/api/v1/people/{id}/plan", tag = "visits", params(("id" = Uuid, Path), PlanQuery),
    responses((status = 200, body = Vec<PlannedVisit>), (status = 404, body = Problem)))]
async fn plan_of_day(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<PersonId>,
    ApiQuery(query): ApiQuery<PlanQuery>,
) -> AppResult<Json<Vec<PlannedVisit>>> {
    let day = match query.day {
        Some(day) => day,
        None => crate::settings::get(&state.db, &principal.scope)
            .await?
            .today(),
    };
    Ok(Json(
        plans::for_day(&state.db, &principal.scope, id, day).await?,
    ))
}

/// Client locations proposed from the field, awaiting a decision (managers and admins).
#[utoipa::path(get, path = "/api/v1/location-corrections", tag = "visits",
    responses((status = 200, body = Vec<Correction>), (status = 403, body = Problem)))]
async fn list_corrections(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Correction>>> {
    Ok(Json(
        visits::pending_corrections(&state.db, &principal.scope).await?,
    ))
}

/// A decision on a proposed location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CorrectionDecision {
    /// `true` moves the client to the proposed position; `false` rejects it.
    pub approve: bool,
}

/// Approves or rejects a proposed client location.
#[utoipa::path(post, path = "/api/v1/location-corrections/{id}/decision", tag = "visits",
    params(("id" = Uuid, Path)), request_body = CorrectionDecision,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn decide_correction(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(decision): ApiJson<CorrectionDecision>,
) -> AppResult<StatusCode> {
    visits::decide_correction(&state.db, &principal.scope, &actor, id, decision.approve).await?;
    Ok(StatusCode::NO_CONTENT)
}
