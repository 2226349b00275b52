//! The OpenAPI document as clients read it: valid OpenAPI 3.1 by a standard validator, parameters where
//! the router reads them, every reference resolved, errors documented as they are served; and an API fuzz
//! run generated from it (schemathesis), as an administrator and as a field employee, that fails on any
//! 5xx, on any answer the document does not describe, on a request the document calls invalid that is
//! accepted and on one it calls valid that is refused (the few rules no schema can state are listed in
//! `schemathesis.toml`).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{temp_dir, TestApp};

/// The Python with openapi-spec-validator and schemathesis that `scripts/test` installs.
fn test_python() -> PathBuf {
    std::env::var_os("OUTFIELD_TEST_PYTHON")
        .map(PathBuf::from)
        .filter(|path| path.exists())
        .expect(
            "OUTFIELD_TEST_PYTHON must name a Python with openapi-spec-validator and schemathesis; \
             scripts/test installs one under target/test-python",
        )
}

async fn document(app: &TestApp) -> Value {
    let response = reqwest::get(app.url("/api/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(item, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// The operations of the document: (method, path template, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut list = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation.get("responses").is_some() {
                list.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    list
}

async fn the_document_is_valid_and_describes_what_is_served(app: TestApp) {
    let doc = document(&app).await;
    let dir = temp_dir();
    let file = dir.0.join("openapi.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let validated = Command::new(test_python())
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("the validator runs");
    assert!(
        validated.status.success(),
        "{}{}",
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );

    let mut targets = Vec::new();
    references(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{target} points at nothing"
        );
    }

    let all = operations(&doc);
    assert!(all.len() > 60, "{} operations", all.len());
    for (method, path, operation) in all {
        let template: Vec<&str> = path
            .split('/')
            .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for parameter in &parameters {
            let (name, place) = (
                parameter["name"].as_str().unwrap(),
                parameter["in"].as_str().unwrap(),
            );
            assert_eq!(
                place == "path",
                template.contains(&name),
                "{method} {path}: '{name}' is documented in {place}"
            );
        }
        for name in &template {
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == *name && p["in"] == "path"),
                "{method} {path}: path parameter '{name}' is not documented"
            );
        }
        let responses = operation["responses"].as_object().unwrap();
        for status in ["400", "500"] {
            assert!(
                responses.contains_key(status),
                "{method} {path} lacks {status}"
            );
        }
        if !template.is_empty() {
            assert!(responses.contains_key("404"), "{method} {path} lacks 404");
        }
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let content = response["content"].as_object().unwrap();
                assert_eq!(
                    content.keys().collect::<Vec<_>>(),
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
            }
        }
    }
}

/// Seconds each role fuzzes the API for; bounded so that the whole suite stays within its time.
const FUZZ_SECONDS: &str = "40";

/// Operations a fuzz run must not call, because they end the credential the run uses (revoking a
/// person's devices included: the run's own token is one of them).
const CREDENTIAL_ENDINGS: &str =
    "^/api/v1/(sessions/current|sessions/sign-out-everywhere|me/password\
     |device-tokens/.*|people/[^/]+/devices/.*)$";

async fn fuzzing_the_api_finds_no_server_error_and_nothing_undocumented(app: TestApp) {
    for member in [&app.a.field, &app.a.admin] {
        let token = app.device_token(&app.a, member).await.1;
        let dir = temp_dir();
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
        let run = tokio::process::Command::new(test_python())
            .args(["-m", "schemathesis.cli", "--config-file"])
            .arg(here.join("schemathesis.toml"))
            .arg("run")
            .env("SCHEMATHESIS_HOOKS", here.join("schemathesis_hooks.py"))
            .arg(app.url("/api/openapi.json"))
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,\
                 negative_data_rejection,positive_data_acceptance",
            ])
            .args(["--phases", "examples,fuzzing,stateful"])
            .args(["--max-time", FUZZ_SECONDS, "--workers", "2", "--seed", "20261201"])
            .args(["--exclude-path-regex", CREDENTIAL_ENDINGS])
            .args(["--continue-on-failure", "--no-color", "--request-timeout", "20"])
            .arg("--generation-database")
            .arg("none")
            .current_dir(&dir.0)
            .output()
            .await
            .expect("schemathesis runs");
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            run.status.success(),
            "fuzzing as {} found problems:\n{output}",
            member.email
        );
        assert!(
            output.contains("generated"),
            "the fuzz run reports what it generated:\n{output}"
        );
        // A run whose token was revoked halfway would have fuzzed only the sign-in wall from then on.
        let still = crate::helpers::Session::bearer(&app.base, &token);
        assert_eq!(
            still.get("/api/v1/me").await.status(),
            200,
            "the fuzz run kept its credential to the end"
        );
    }
    assert_eq!(app.health().await, 200);
}

both_backends!(
    the_document_is_valid_and_describes_what_is_served,
    fuzzing_the_api_finds_no_server_error_and_nothing_undocumented,
);
