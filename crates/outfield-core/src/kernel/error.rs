//! One error type for every handler, rendered as RFC 9457 `application/problem+json`.
//!
//! Handlers return `Result<_, AppError>`; the variants carry exactly what a client may learn. Internal
//! failures are logged with the request id and shown only as that id, never with their details.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem with one field of the request, so that a form or client can point at it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the request body, e.g. `email` or `manager_id`.
    pub field: String,
    /// What is wrong with it, in words a person can act on.
    pub message: String,
}

impl FieldError {
    /// A field error from any displayable message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Everything a request can fail with. Each variant maps to one stable problem `type`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body or query could not be understood at all (malformed JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// The request was understood but some fields are invalid.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// The request conflicts with stored state (duplicate e-mail, reporting loop, last owner …).
    #[error("{}", .0.message)]
    Conflict(FieldError),
    /// No valid session or device token.
    #[error("sign-in required")]
    Unauthorized,
    /// Sign-in failed; deliberately silent about which part was wrong.
    #[error("the company, sign-in name or password is wrong")]
    BadCredentials,
    /// Signed in, but the role does not allow this action.
    #[error("your role does not allow this")]
    Forbidden,
    /// A public form posted from a website the company has not allowed.
    #[error("this form does not take enquiries from this website")]
    OriginNotAllowed,
    /// Nothing with this id exists *for this caller*; other companies' ids land here too.
    #[error("not found")]
    NotFound,
    /// No API route has this path and method.
    #[error("there is no such API route")]
    UnknownRoute,
    /// A state-changing request without a valid CSRF token.
    #[error("the form has expired; reload the page and try again")]
    Csrf,
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many attempts; try again in {0} s")]
    TooManyRequests(u64),
    /// The body exceeds the size limit of the route.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// The server is at its bound for this kind of work (password checks); retry after the given
    /// number of seconds.
    #[error("the server is busy; try again in {0} s")]
    Busy(u64),
    /// Anything unexpected: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl AppError {
    /// A single-field validation error, the common case for domain parsing.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::OriginNotAllowed | AppError::Csrf => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound | AppError::UnknownRoute => StatusCode::NOT_FOUND,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, documented problem type (a relative URI clients may match on).
    pub(crate) fn problem_type(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "/problems/bad-request",
            AppError::Validation(_) => "/problems/validation",
            AppError::Conflict(_) => "/problems/conflict",
            AppError::Unauthorized => "/problems/unauthorized",
            AppError::BadCredentials => "/problems/bad-credentials",
            AppError::Forbidden => "/problems/forbidden",
            AppError::OriginNotAllowed => "/problems/origin-not-allowed",
            AppError::NotFound => "/problems/not-found",
            AppError::UnknownRoute => "/problems/unknown-route",
            AppError::Csrf => "/problems/csrf",
            AppError::TooManyRequests(_) => "/problems/too-many-requests",
            AppError::PayloadTooLarge => "/problems/payload-too-large",
            AppError::Busy(_) => "/problems/busy",
            AppError::Internal(_) => "/problems/internal",
        }
    }

    /// The per-field details, for validation and conflicts.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Validation(errors) => errors.clone(),
            AppError::Conflict(error) => vec![error.clone()],
            _ => Vec::new(),
        }
    }

    /// The message shown to people; internal errors say only that something failed.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => "something went wrong on the server".to_string(),
            other => other.to_string(),
        }
    }
}

/// The `application/problem+json` body (RFC 9457) plus Outfield's `errors` and `request_id` members.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Human summary.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Per-field details, empty unless the problem is about specific fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Set on server errors: the id under which the failure is logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        let body = Problem {
            problem_type: self.problem_type().to_string(),
            title: self.public_message(),
            status: status.as_u16(),
            errors: self.field_errors(),
            request_id: None,
        };
        let mut response = (status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let AppError::TooManyRequests(seconds) | AppError::Busy(seconds) = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ProblemMarker);
        response
    }
}

/// Marks responses built from an `AppError`, so the request-id layer can add the id to 5xx bodies.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProblemMarker;

/// Shorthand used by every handler and store function.
pub type AppResult<T> = Result<T, AppError>;
