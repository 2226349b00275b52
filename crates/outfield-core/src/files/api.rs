//! Upload and download of files. The body of an upload is the file itself (no multipart), so a phone
//! can send a queued blob as it is and retry it under the same id.

use crate::audit::Acting;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::files::{self, StoredFile};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, download))
        .routes(routes!(preview))
}

/// What the upload is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadQuery {
    /// `visit_photo`, `voice_note`, `selfie` or `shop_photo`.
    #[param(value_type = crate::files::Purpose)]
    pub purpose: String,
}

/// Uploads a file under an id chosen by the app. 201 when stored, 200 when the same bytes were already
/// stored under this id; 409 for other bytes under a used id or a permission not granted; 413 past the
/// purpose's limit (12 MiB for pictures, 16 MiB for voice notes); 422 when the bytes are not of an
/// accepted type.
#[utoipa::path(put, path = "/api/v1/files/{id}", tag = "files", params(("id" = Uuid, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = StoredFile), (status = 200, body = StoredFile), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn upload(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    body: Body,
) -> AppResult<(StatusCode, Json<StoredFile>)> {
    let purpose = files::purpose_of(&query.purpose)?;
    let scope = &principal.scope;
    let uploaded =
        files::upload(&state.db, &state.files, scope, &actor, (id, purpose), body).await?;
    let status = if uploaded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(uploaded.file)))
}

/// A file's bytes, for the person who uploaded it, their managers and admins. Served only with the
/// image or audio type found at upload, never sniffed, in a sandbox.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = Problem)))]
async fn download(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let (file, body) = files::open(&state.db, &state.files, &principal.scope, id).await?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    let typed = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, typed);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size_bytes));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", file.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// A picture's preview for pages: a JPEG of at most 1280 pixels a side, made from the original the first
/// time. Same access as the file itself; 422 when the picture cannot be shown.
#[utoipa::path(get, path = "/api/v1/files/{id}/preview", tag = "files", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn preview(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let bytes = files::open_preview(&state.db, &state.files, &principal.scope, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=86400"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        bytes,
    )
        .into_response())
}
