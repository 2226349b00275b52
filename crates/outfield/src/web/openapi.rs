//! The finishing pass over the generated OpenAPI document: what every operation answers besides what its
//! handler declares. Applied once to the whole document, so that a new route is documented the same way
//! without anyone remembering to.
//!
//! - Error answers are served as `application/problem+json`; the document says so for every 4xx and 5xx.
//! - Every operation may answer 400 (a body or query that cannot be read), 500 (with a request id);
//!   one with a body or parameters 422 (a field error); one with a body 413; one with path parameters 404
//!   (unknown, foreign and malformed ids alike); one that needs a credential 401.
//! - A text parameter of a query and a text of a JSON body that name no rule of their own say what every
//!   such text must be: free of control characters (tab and line breaks allowed in bodies), as the
//!   extractors check before any handler runs.

use outfield_core::text::{BODY_TEXT, QUERY_TEXT};
use serde_json::Value;
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
    state_text_rules(doc)
}

/// Adds the control-character rule to plain strings of queries and JSON bodies (see the module docs).
fn state_text_rules(doc: OpenApi) -> OpenApi {
    let Ok(mut value) = serde_json::to_value(&doc) else {
        return doc;
    };
    let mut body_schemas = Vec::new();
    if let Some(paths) = value["paths"].as_object_mut() {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter(|o| o.is_object()) {
                let parameters = operation
                    .pointer_mut("/parameters")
                    .and_then(Value::as_array_mut);
                for parameter in parameters.into_iter().flatten() {
                    if parameter.get("in").is_some_and(|place| place == "query") {
                        if let Some(schema) = parameter.get_mut("schema") {
                            add_pattern(schema, QUERY_TEXT);
                        }
                    }
                }
                if let Some(body) =
                    operation.pointer_mut("/requestBody/content/application~1json/schema")
                {
                    collect_references(body, &mut body_schemas);
                    add_body_patterns(body);
                }
            }
        }
    }
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = body_schemas.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let pointer = format!(
            "/components/schemas/{}",
            name.replace('~', "~0").replace('/', "~1")
        );
        if let Some(schema) = value.pointer_mut(&pointer) {
            collect_references(schema, &mut body_schemas);
            add_body_patterns(schema);
        }
    }
    serde_json::from_value(value).unwrap_or(doc)
}

/// The component names `schema` refers to, anywhere inside it.
fn collect_references(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                if let Some(name) = target.strip_prefix("#/components/schemas/") {
                    names.push(name.to_string());
                }
            }
            map.values()
                .for_each(|item| collect_references(item, names));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, names)),
        _ => {}
    }
}

/// Gives every plain string inside `schema` (not behind a reference) the body text rule.
fn add_body_patterns(schema: &mut Value) {
    add_pattern(schema, BODY_TEXT);
    match schema {
        Value::Object(map) => map
            .iter_mut()
            .filter(|(key, _)| key.as_str() != "$ref")
            .for_each(|(_, item)| add_body_patterns(item)),
        Value::Array(items) => items.iter_mut().for_each(add_body_patterns),
        _ => {}
    }
}

/// Sets `pattern` on a string schema that states no rule of its own (pattern, format or enumeration).
fn add_pattern(schema: &mut Value, pattern: &str) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let is_string = match map.get("type") {
        Some(Value::String(kind)) => kind == "string",
        Some(Value::Array(kinds)) => {
            kinds.iter().any(|k| k == "string") && !kinds.iter().any(|k| k == "number")
        }
        _ => false,
    };
    let has_rule = ["pattern", "format", "enum", "const"]
        .iter()
        .any(|key| map.contains_key(*key));
    if is_string && !has_rule {
        map.insert("pattern".to_string(), Value::String(pattern.to_string()));
    }
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
