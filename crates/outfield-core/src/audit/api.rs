//! JSON endpoint for browsing the audit trail.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::store::{AuditEntry, AuditFilter};
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::http::extract::ApiQuery;
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// The company's audit trail, newest first (owners and admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = Problem)))]
async fn list_audit(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> AppResult<Json<Vec<AuditEntry>>> {
    Ok(Json(
        crate::audit::browse(&state.db, &principal.scope, &filter).await?,
    ))
}
