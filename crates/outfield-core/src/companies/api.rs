//! JSON endpoints for the company profile.

use crate::audit::Acting;
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::companies::{self, Company, CompanyChanges};
use crate::error::{AppResult, Problem};
use crate::http::extract::ApiJson;
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_company, update_company))
}

/// The caller's company.
#[utoipa::path(get, path = "/api/v1/company", tag = "company",
    responses((status = 200, body = Company), (status = 401, body = Problem)))]
async fn get_company(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Company>> {
    Ok(Json(companies::get(&state.db, &principal.scope).await?))
}

/// Changes the company profile and settings (owners and admins).
#[utoipa::path(patch, path = "/api/v1/company", tag = "company", request_body = CompanyChanges,
    responses((status = 200, body = Company), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn update_company(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(changes): ApiJson<CompanyChanges>,
) -> AppResult<Json<Company>> {
    Ok(Json(
        companies::update(&state.db, &principal.scope, &actor, changes).await?,
    ))
}
