//! JSON endpoints of sign-in, sign-out, device tokens, password change and one-time links.

use crate::audit::Acting;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::links::{self, LinkInfo};
use crate::auth::principal::presented_session;
use crate::auth::sign_in::{self, Attempt, Credentials};
use crate::auth::{sessions, sign_in_devices, ClientInfo};
use crate::error::{AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use crate::people::domain::NewPassword;
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_session))
        .routes(routes!(delete_current_session))
        .routes(routes!(sign_out_everywhere))
        .routes(routes!(create_device_token))
        .routes(routes!(change_password))
        .routes(routes!(inspect_link, redeem_link))
}

/// Console sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionRequest {
    /// Company code.
    pub company: String,
    /// E-mail or mobile number.
    pub login: String,
    /// Password.
    pub password: String,
    /// Keep me signed in (30 days instead of 12 hours).
    #[serde(default)]
    pub remember: bool,
}

/// A new session; the token itself is in the HttpOnly cookie.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionCreated {
    /// Send this in `X-CSRF-Token` with every state-changing request of the session.
    pub csrf_token: String,
    /// Absolute expiry.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Signs in and sets the session cookie. A session cookie the browser already had is ended (rotation).
#[utoipa::path(post, path = "/api/v1/sessions", tag = "auth", security(()), request_body = SessionRequest,
    responses((status = 201, body = SessionCreated), (status = 401, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem)))]
async fn create_session(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    ApiJson(request): ApiJson<SessionRequest>,
) -> AppResult<impl IntoResponse> {
    let credentials = Credentials {
        company: request.company,
        login: request.login,
        password: request.password,
    };
    let attempt = Attempt {
        client: &client,
        device: sign_in_devices::presented(&jar),
    };
    let verified = sign_in::verify(&state.db, credentials, attempt).await?;
    let (session, device) = sign_in::start_session(
        &state.db,
        verified,
        (request.remember, None),
        presented_session(&jar),
        &client,
    )
    .await?;
    let secure = state.config.secure_cookies;
    let jar = jar
        .add(sessions::cookie(session.token, request.remember, secure))
        .add(sign_in_devices::cookie(device, secure));
    let body = SessionCreated {
        csrf_token: session.csrf_token,
        expires_at: crate::clock::to_datetime(session.expires_at),
    };
    Ok((StatusCode::CREATED, jar, Json(body)))
}

/// Signs out: ends the session (or revokes the device token) that made the request.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "auth",
    responses((status = 204), (status = 401, body = Problem)))]
async fn delete_current_session(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    jar: CookieJar,
) -> AppResult<impl IntoResponse> {
    crate::auth::sign_out(&state.db, &principal, &actor).await?;
    Ok((StatusCode::NO_CONTENT, jar.add(sessions::removal_cookie())))
}

/// Ends every other session and device token of the signed-in person.
#[utoipa::path(post, path = "/api/v1/sessions/sign-out-everywhere", tag = "auth",
    responses((status = 204), (status = 401, body = Problem)))]
async fn sign_out_everywhere(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
) -> AppResult<StatusCode> {
    crate::auth::sign_out_everywhere(&state.db, &principal, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Field-app sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeviceTokenRequest {
    /// Company code.
    pub company: String,
    /// E-mail or mobile number.
    pub login: String,
    /// Password.
    pub password: String,
    /// A name for the device, shown in the console (e.g. "Redmi Note 12").
    #[schema(schema_with = device_label_rule)]
    pub device_label: String,
}

/// A device token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeviceTokenIssued {
    /// Id of the token (for listing and revoking).
    pub device_id: Uuid,
    /// The bearer token: send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// Signs in from the field app and issues a device token.
#[utoipa::path(post, path = "/api/v1/device-tokens", tag = "auth", security(()), request_body = DeviceTokenRequest,
    responses((status = 201, body = DeviceTokenIssued), (status = 401, body = Problem), (status = 429, body = Problem),
        (status = 503, body = Problem)))]
async fn create_device_token(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    ApiJson(request): ApiJson<DeviceTokenRequest>,
) -> AppResult<(StatusCode, CookieJar, Json<DeviceTokenIssued>)> {
    let label = crate::text::clean_line(&request.device_label, 80)
        .map_err(|message| crate::error::AppError::field("device_label", message))?;
    let credentials = Credentials {
        company: request.company,
        login: request.login,
        password: request.password,
    };
    let attempt = Attempt {
        client: &client,
        device: sign_in_devices::presented(&jar),
    };
    let verified = sign_in::verify(&state.db, credentials, attempt).await?;
    let issued = sign_in::issue_device_token(&state.db, verified, &label, &client).await?;
    let jar = jar.add(sign_in_devices::cookie(
        issued.sign_in_device,
        state.config.secure_cookies,
    ));
    let body = DeviceTokenIssued {
        device_id: issued.device_id,
        token: issued.token,
    };
    Ok((StatusCode::CREATED, jar, Json(body)))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 10 characters).
    pub new_password: NewPassword,
}

/// Changes the signed-in person's password; every other session and device token ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(change): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    crate::auth::change_password(
        &state.db,
        &principal,
        &actor,
        change.current_password,
        change.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Describes a one-time link (invitation or reset) that is still valid.
#[utoipa::path(get, path = "/api/v1/links/{token}", tag = "auth", security(()),
    params(("token" = String, Path, description = "The token from the link")),
    responses((status = 200, body = LinkInfo), (status = 404, body = Problem)))]
async fn inspect_link(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> AppResult<Json<LinkInfo>> {
    Ok(Json(links::inspect(&state.db, &token).await?))
}

/// Setting a password through a link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkRedemption {
    /// The new password (at least 10 characters).
    pub password: NewPassword,
}

/// Sets a password through a one-time link; the link is then used up.
#[utoipa::path(post, path = "/api/v1/links/{token}", tag = "auth", security(()), request_body = LinkRedemption,
    params(("token" = String, Path, description = "The token from the link")),
    responses((status = 200, body = LinkInfo), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 503, body = Problem)))]
async fn redeem_link(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiPath(token): ApiPath<String>,
    ApiJson(redemption): ApiJson<LinkRedemption>,
) -> AppResult<Json<LinkInfo>> {
    Ok(Json(
        links::redeem(&state.db, &token, redemption.password, &client).await?,
    ))
}

fn device_label_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::text::schema_of(crate::text::line_schema(80))
}
