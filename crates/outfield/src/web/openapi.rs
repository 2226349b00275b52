//! The finishing pass over the generated OpenAPI document: what every operation answers besides what its
//! handler declares. Applied once to the whole document, so that a new route is documented the same way
//! without anyone remembering to.
//!
//! - Error answers are served as `application/problem+json`; the document says so for every 4xx and 5xx.
//! - Every operation may answer 400 (a body or query that cannot be read), 500 (with a request id);
//!   one with a body or parameters 422 (a field error); one with a body 413; one with path parameters 404
//!   (unknown, foreign and malformed ids alike); one that needs a credential 401.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Applies the rules above to every operation of `doc`.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_common_answers(operation);
            serve_errors_as_problems(operation);
        }
    }
    doc
}

fn add_common_answers(operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path_parameter = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let has_body = operation.request_body.is_some();
    let public = operation.security.as_ref().is_some_and(|requirements| {
        requirements
            .iter()
            .all(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
    });
    let answers = [
        ("400", true, "The body or query cannot be read."),
        ("401", !public, "No valid session or device token."),
        ("404", has_path_parameter, "No such item that you may see."),
        ("413", has_body, "The body is too large."),
        (
            "422",
            has_body || !parameters.is_empty(),
            "A field is not valid; `errors` names it.",
        ),
        (
            "500",
            true,
            "Something failed; `request_id` names it in the log.",
        ),
    ];
    for (status, applies, description) in answers {
        if applies {
            operation
                .responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| RefOr::T(problem_response(description)));
        }
    }
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

fn serve_errors_as_problems(operation: &mut Operation) {
    for (status, response) in operation.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        let RefOr::T(response) = response else {
            continue;
        };
        if is_error {
            if let Some(content) = response.content.shift_remove("application/json") {
                response.content.insert(PROBLEM_JSON.to_string(), content);
            }
        }
    }
}
