//! Middleware shared by every route.

use std::any::Any;
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, Response};
use axum::middleware::Next;
use axum::response::IntoResponse;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;

use outfield_core::error::AppError;
use outfield_core::http::extract::control_character_error;
use outfield_core::text::is_forbidden_control;

/// Tracing spans that carry the request id, so a 5xx's id finds its log lines.
pub fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, fn(&Request) -> tracing::Span> {
    TraceLayer::new_for_http().make_span_with(|request: &Request| {
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
    })
}

/// Counts requests and their latency by method, matched route and status.
pub async fn record_metrics(request: Request, next: Next) -> Response<Body> {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("outfield_http_requests_total", &labels).increment(1);
    metrics::histogram!("outfield_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Adds the request id to the body of server-error problems, so a user can quote it to support.
pub async fn request_id_in_server_errors(request: Request, next: Next) -> Response<Body> {
    let request_id = request.headers().get("x-request-id").cloned();
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/problem+json");
    if !response.status().is_server_error() || !is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let mut problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if let (Some(object), Some(id)) = (
        problem.as_object_mut(),
        request_id.and_then(|v| v.to_str().ok().map(String::from)),
    ) {
        object.insert("request_id".into(), id.into());
    }
    let mut response = Response::from_parts(parts, Body::from(problem.to_string()));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

/// A panic becomes a plain 500 problem; the panic message goes to the log only.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    AppError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}

/// Security headers on every response: a strict CSP without inline scripts, no framing, no sniffing.
pub async fn security_headers(request: Request, next: Next) -> Response<Body> {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set =
        |headers: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
            headers
                .entry(name)
                .or_insert(HeaderValue::from_static(value));
        };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    response
}

/// Refuses a request whose path or query string holds a control character, before any handler runs:
/// no route then has to remember that such text cannot be stored or shown. A query parameter is named in
/// the error (problem+json under `/api`, a page elsewhere); a path with one cannot name anything, so it
/// is not found.
pub async fn refuse_control_characters_in_uri(request: Request, next: Next) -> Response<Body> {
    match uri_control_character(request.uri()) {
        None => next.run(request).await,
        Some(error) if request.uri().path().starts_with("/api/") => error.into_response(),
        Some(error) => outfield_core::console::error_page(&error),
    }
}

fn uri_control_character(uri: &axum::http::Uri) -> Option<AppError> {
    let has_control = |text: &str| text.chars().any(|c| is_forbidden_control(c, false));
    if has_control(&percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy()) {
        return Some(AppError::NotFound);
    }
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| has_control(name) || has_control(value))
        .map(|(name, _)| {
            let name: String = name.chars().filter(|c| !c.is_control()).collect();
            control_character_error(&name)
        })
}
