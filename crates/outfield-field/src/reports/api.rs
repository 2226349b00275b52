//! JSON endpoints for reports.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::attendance::api::ExportQuery;
use crate::attendance::register::DayRange;
use crate::reports::{self, ActivityRow};
use outfield_core::auth::Principal;
use outfield_core::error::{AppResult, Problem};
use outfield_core::http::extract::ApiQuery;
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activity))
        .routes(routes!(export_activity))
}

/// The activity report of the people the caller sees, over a range of days.
#[utoipa::path(get, path = "/api/v1/reports/activity", tag = "reports", params(DayRange),
    responses((status = 200, body = Vec<ActivityRow>), (status = 422, body = Problem)))]
async fn activity(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(range): ApiQuery<DayRange>,
) -> AppResult<Json<Vec<ActivityRow>>> {
    Ok(Json(
        reports::activity(&state.db, &principal.scope, &range)
            .await?
            .2,
    ))
}

/// The activity report as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/reports/activity/export", tag = "reports", params(ExportQuery),
    responses((status = 200, description = "The file, as `format` asks.", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = Problem)))]
async fn export_activity(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    let (_, _, rows) = reports::activity(&state.db, &principal.scope, &query.range()).await?;
    reports::table(&rows).download(query.format.unwrap_or_default(), "activity")
}
