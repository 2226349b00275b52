//! The HTTP face: the router that joins every feature's routes, the OpenAPI document generated from
//! them, and the middleware every request passes (request id, tracing, metrics, limits, headers).

pub mod middleware;
pub mod openapi;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use outfield_core::error::AppError;
use outfield_core::state::AppState;

/// Longest a request may take; a 100,000-row import is the slowest legitimate one.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

pub use outfield_core::http::BODY_LIMIT;

#[derive(OpenApi)]
#[openapi(
    info(title = "Outfield API", description = "Sales force automation: people, field work, clients.\n\n\
        Authenticate with the session cookie (console; send `X-CSRF-Token` on state changes) or with \
        `Authorization: Bearer <device token>` (field app). Errors are `application/problem+json`."),
    modifiers(&SecuritySchemes),
    security(("device_token" = []), ("session" = []))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "device_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                outfield_core::auth::sessions::COOKIE,
            ))),
        );
    }
}

/// Every API route with its documentation: each feature's and the sync protocol's, so the document
/// cannot drift from the router.
fn api() -> OpenApiRouter<AppState> {
    crate::FEATURES.iter().fold(
        OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(crate::sync::api::routes()),
        |router, feature| router.merge((feature.api)()),
    )
}

/// The OpenAPI 3.1 document of the API, as served at `/api/openapi.json`.
pub fn openapi() -> OpenApiDoc {
    document(api().split_for_parts().1)
}

/// The generated document, finished: the features' pull sections added to the pull's answer, and the
/// rules every operation shares.
fn document(generated: OpenApiDoc) -> OpenApiDoc {
    openapi::finish(crate::sync::api::document_pull_sections(generated))
}

/// The whole application: API, console, field app, health and metrics, with middleware.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api().split_for_parts();
    let doc = std::sync::Arc::new(document(doc));
    let request_id = HeaderName::from_static("x-request-id");
    // Served over HTTPS (which Secure cookies declare), browsers are told to come back only that way.
    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    Router::new()
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(crate::console::routes())
        .merge(crate::field_app::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(middleware::trace_layer())
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(axum::middleware::from_fn(
                    middleware::request_id_in_server_errors,
                ))
                .layer(axum::middleware::from_fn(middleware::record_metrics))
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    REQUEST_TIMEOUT,
                ))
                .layer(CompressionLayer::new())
                .layer(axum::middleware::from_fn(middleware::security_headers))
                .layer(axum::middleware::from_fn(
                    outfield_core::console::in_visitor_language,
                ))
                .layer(tower::util::option_layer(hsts))
                .layer(axum::middleware::from_fn(
                    middleware::refuse_control_characters_in_uri,
                )),
        )
        .with_state(state)
}

/// Liveness and readiness: answers 200 when the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    let mut tx = match state.db.system_read().await {
        Ok(tx) => tx,
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    };
    match sqlx::query("SELECT 1").execute(&mut *tx).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Prometheus exposition: request counts and latencies by route and status. No tenant data.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// Unknown paths: problem+json under `/api`, a page elsewhere.
async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::UnknownRoute.into_response()
    } else {
        outfield_core::console::not_found_page()
    }
}
