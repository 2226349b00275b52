//! JSON endpoints for attendance: the register and its export, leave, and the company's activity rules.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use outfield_core::audit::Acting;
use outfield_core::ids::PersonId;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::attendance::register::{self, DayRange, RegisterRow};
use crate::settings::{self, ActivitySettings, ActivitySettingsChanges};
use outfield_core::auth::Principal;
use outfield_core::companies::labels;
use outfield_core::error::{AppError, AppResult, Problem};
use outfield_core::export::Format;
use outfield_core::http::extract::{ApiJson, ApiPath, ApiQuery};
use outfield_core::people::domain::Language;
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_register))
        .routes(routes!(export_register))
        .routes(routes!(mark_leave, clear_leave))
        .routes(routes!(get_settings, update_settings))
}

/// The attendance register of the people the caller sees (managers and field employees), day by day.
#[utoipa::path(get, path = "/api/v1/attendance", tag = "attendance", params(DayRange),
    responses((status = 200, body = Vec<RegisterRow>), (status = 422, body = Problem)))]
async fn get_register(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(range): ApiQuery<DayRange>,
) -> AppResult<Json<Vec<RegisterRow>>> {
    Ok(Json(
        register::register(&state.db, &principal.scope, &range).await?,
    ))
}

/// A range of days and a file type.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    /// First day (default today).
    pub from: Option<NaiveDate>,
    /// Last day (default `from`, at most 92 days later).
    pub to: Option<NaiveDate>,
    /// `csv` (default) or `xlsx`.
    #[param(inline)]
    pub format: Option<Format>,
}

impl ExportQuery {
    /// The range part.
    pub fn range(&self) -> DayRange {
        DayRange {
            from: self.from,
            to: self.to,
        }
    }
}

/// The register as CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/attendance/export", tag = "attendance", params(ExportQuery),
    responses((status = 200, description = "The file, as `format` asks.", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, body = Problem)))]
async fn export_register(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<Response> {
    let rows = register::register(&state.db, &principal.scope, &query.range()).await?;
    let zone = settings::get(&state.db, &principal.scope).await?.time_zone;
    register::table(&rows, &zone).download(query.format.unwrap_or_default(), "attendance")
}

/// A leave note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeaveRequest {
    /// Why (1–200 characters), e.g. "Sick leave".
    #[schema(schema_with = note_rule)]
    pub note: String,
}

/// Marks a day of leave for a person (their managers and admins).
#[utoipa::path(put, path = "/api/v1/people/{id}/leave/{day}", tag = "attendance",
    params(("id" = Uuid, Path), ("day" = NaiveDate, Path)), request_body = LeaveRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn mark_leave(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath((id, day)): ApiPath<(PersonId, NaiveDate)>,
    ApiJson(request): ApiJson<LeaveRequest>,
) -> AppResult<StatusCode> {
    let note = outfield_core::text::clean_line(&request.note, 200)
        .map_err(|m| AppError::field("note", m))?;
    register::set_leave(&state.db, &principal.scope, &actor, id, day, Some(&note)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Clears a day of leave.
#[utoipa::path(delete, path = "/api/v1/people/{id}/leave/{day}", tag = "attendance",
    params(("id" = Uuid, Path), ("day" = NaiveDate, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn clear_leave(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath((id, day)): ApiPath<(PersonId, NaiveDate)>,
) -> AppResult<StatusCode> {
    register::set_leave(&state.db, &principal.scope, &actor, id, day, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The company's field-activity rules (everyone: the app needs the interval and the outcomes).
#[utoipa::path(get, path = "/api/v1/company/activity-settings", tag = "attendance",
    responses((status = 200, body = ActivitySettings)))]
async fn get_settings(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<ActivitySettings>> {
    let settings = settings::get(&state.db, &principal.scope).await?;
    Ok(Json(with_wordings(&state, &principal, settings).await?))
}

/// The settings with the outcomes' wordings in the languages other than English, so that the field
/// app shows them in the language it is used in.
async fn with_wordings(
    state: &AppState,
    principal: &Principal,
    mut settings: ActivitySettings,
) -> AppResult<ActivitySettings> {
    let labels = labels::get(&state.db, &principal.scope).await?;
    let hindi = labels
        .dictionary(Language::Hindi, &settings.visit_outcomes)
        .into_iter()
        .map(|(outcome, wording)| (outcome.to_string(), wording.to_string()))
        .collect();
    settings.visit_outcome_wordings = [(Language::Hindi.as_str().to_string(), hindi)].into();
    Ok(settings)
}

/// Changes the rules (owners and admins).
#[utoipa::path(patch, path = "/api/v1/company/activity-settings", tag = "attendance",
    request_body = ActivitySettingsChanges,
    responses((status = 200, body = ActivitySettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn update_settings(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(changes): ApiJson<ActivitySettingsChanges>,
) -> AppResult<Json<ActivitySettings>> {
    let settings = settings::update(&state.db, &principal.scope, &actor, changes).await?;
    Ok(Json(with_wordings(&state, &principal, settings).await?))
}

fn note_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    outfield_core::text::schema_of(outfield_core::text::line_schema(200))
}
