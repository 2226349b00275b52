//! JSON endpoints for the signed-in person and for people and teams.

use crate::audit::Acting;
use crate::ids::{CompanyId, PersonId};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::devices::Device;
use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::people::domain::{ConsolePath, Language, Role};
use crate::people::{self, Invitation, Invited, Person, PersonChanges, Preferences, StatusFilter};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(save_preferences))
        .routes(routes!(list_people, invite_person))
        .routes(routes!(get_person, update_person))
        .routes(routes!(deactivate_person))
        .routes(routes!(create_reset_link))
        .routes(routes!(list_devices))
        .routes(routes!(revoke_device))
}

/// The signed-in person.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Me {
    /// Their id.
    pub id: PersonId,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// Their company's id.
    pub company_id: CompanyId,
    /// Their company's name.
    pub company_name: String,
    /// Interface language.
    pub language: Language,
    /// Last console view.
    pub last_view: Option<ConsolePath>,
}

/// Who am I? Answered from the credential lookup alone, with no further queries.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(principal: Principal) -> Json<Me> {
    Json(Me {
        id: principal.scope.person_id(),
        name: principal.name,
        email: principal.email,
        role: principal.scope.role(),
        company_id: principal.scope.company_id(),
        company_name: principal.company_name,
        language: principal.language,
        last_view: principal.last_view,
    })
}

/// Saves remembered preferences (language, last console view).
#[utoipa::path(patch, path = "/api/v1/me/preferences", tag = "people", request_body = Preferences,
    responses((status = 204), (status = 422, body = Problem)))]
async fn save_preferences(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(preferences): ApiJson<Preferences>,
) -> AppResult<StatusCode> {
    people::save_preferences(&state.db, &principal.scope, &actor, preferences).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters for the people list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeopleQuery {
    /// Active (default), deactivated or all.
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Part of a name, e-mail, mobile number or employee code.
    pub q: Option<String>,
}

/// People the caller may see: everyone for owners and admins, their reporting tree for managers,
/// themselves for field employees.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = Vec<Person>), (status = 401, body = Problem)))]
async fn list_people(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<PeopleQuery>,
) -> AppResult<Json<Vec<Person>>> {
    let status = query.status.unwrap_or_default();
    Ok(Json(
        people::list(&state.db, &principal.scope, status, query.q.as_deref()).await?,
    ))
}

/// Invites a person (owners and admins); the answer carries the one-time link to pass on.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = Invitation,
    responses((status = 201, body = Invited), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn invite_person(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(invitation): ApiJson<Invitation>,
) -> AppResult<(StatusCode, Json<Invited>)> {
    let invited = people::invite(
        &state.db,
        &principal.scope,
        &actor,
        invitation,
        &state.config.public_url(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invited)))
}

/// One person, if the caller may see them.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 200, body = Person), (status = 404, body = Problem)))]
async fn get_person(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<PersonId>,
) -> AppResult<Json<Person>> {
    Ok(Json(people::get(&state.db, &principal.scope, id).await?))
}

/// Changes a person's details, role or manager (owners and admins).
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", params(("id" = Uuid, Path)),
    request_body = PersonChanges,
    responses((status = 200, body = Person), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_person(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<PersonId>,
    ApiJson(changes): ApiJson<PersonChanges>,
) -> AppResult<Json<Person>> {
    Ok(Json(
        people::update(&state.db, &principal.scope, &actor, id, changes).await?,
    ))
}

/// Deactivates a person: their sessions and device tokens end at once; their history stays.
#[utoipa::path(post, path = "/api/v1/people/{id}/deactivate", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 200, body = Person), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn deactivate_person(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<PersonId>,
) -> AppResult<Json<Person>> {
    Ok(Json(
        people::deactivate(&state.db, &principal.scope, &actor, id).await?,
    ))
}

/// A password-reset link for a person.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResetLink {
    /// The link to pass on (valid 1 day, once).
    pub link: String,
}

/// Creates a password-reset link for a person (owners and admins).
#[utoipa::path(post, path = "/api/v1/people/{id}/reset-link", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 201, body = ResetLink), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn create_reset_link(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<PersonId>,
) -> AppResult<(StatusCode, Json<ResetLink>)> {
    let link = people::reset_link(
        &state.db,
        &principal.scope,
        &actor,
        id,
        &state.config.public_url(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ResetLink { link })))
}

/// A person's field-app devices (admins, or the person themselves).
#[utoipa::path(get, path = "/api/v1/people/{id}/devices", tag = "people", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Device>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_devices(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<PersonId>,
) -> AppResult<Json<Vec<Device>>> {
    Ok(Json(
        people::devices_of(&state.db, &principal.scope, id).await?,
    ))
}

/// Revokes one device token of a person (admins, or the person themselves).
#[utoipa::path(delete, path = "/api/v1/people/{id}/devices/{device_id}", tag = "people",
    params(("id" = Uuid, Path), ("device_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_device(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath((id, device_id)): ApiPath<(PersonId, Uuid)>,
) -> AppResult<StatusCode> {
    people::revoke_device(&state.db, &principal.scope, &actor, id, device_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
