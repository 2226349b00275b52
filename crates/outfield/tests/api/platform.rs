//! Health, metrics, request ids, the OpenAPI document, and the command line.

use std::process::Command;

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{temp_dir, TestApp};

async fn health_and_metrics(app: TestApp) {
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    let session = app.session(&app.a, &app.a.field).await;
    session.get("/api/v1/me").await;
    let metrics = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("outfield_http_requests_total"),
        "{metrics}"
    );
    assert!(metrics.contains(r#"route="/api/v1/me""#), "{metrics}");
}

async fn openapi_document_describes_the_api(app: TestApp) {
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.contains_key("/api/v1/people/{id}"));
    assert!(doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .contains_key("Problem"));
    assert!(doc["components"]["securitySchemes"]
        .as_object()
        .unwrap()
        .contains_key("device_token"));
    // Every documented operation is served: none falls through to the unknown-route answer.
    let admin = app.session(&app.a, &app.a.admin).await;
    let fallback = admin
        .get("/api/v1/definitely-not-a-route")
        .await
        .text()
        .await
        .unwrap();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{id}", &app.a.field.id.to_string())
                .replace("{device_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{token}", "unknown")
                .replace("{key}", "unknown");
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = admin.send(method.clone(), &concrete, None).await;
            assert_ne!(response.status(), 405, "{method} {path}");
            if response.status() == 404 {
                assert_ne!(
                    response.text().await.unwrap(),
                    fallback,
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

both_backends!(health_and_metrics, openapi_document_describes_the_api);

fn outfield(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_outfield"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn company_create_and_audit_verify_from_the_command_line() {
    let dir = temp_dir();
    let data = dir.0.to_str().unwrap();
    let (ok, text) = outfield(&[
        "company",
        "create",
        "--name",
        "Gupta Pharma Agencies",
        "--owner-email",
        "amit@gupta-pharma.in",
        "--data-dir",
        data,
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("sign-in code gupta-pharma-agencies") && text.contains("/welcome/"),
        "{text}"
    );
    let (ok, text) = outfield(&[
        "company",
        "create",
        "--name",
        "Gupta Pharma Agencies",
        "--owner-email",
        "x@y.in",
        "--data-dir",
        data,
    ]);
    assert!(!ok && text.contains("already used"), "{text}");
    let (ok, text) = outfield(&[
        "company",
        "create",
        "--name",
        "Bad",
        "--owner-email",
        "not-an-email",
        "--data-dir",
        data,
    ]);
    assert!(
        !ok && text.contains("--owner-email is not a valid e-mail address"),
        "{text}"
    );
    let (ok, text) = outfield(&["audit", "verify", "--data-dir", data]);
    assert!(
        ok && text.contains("gupta-pharma-agencies: intact (1 entries)"),
        "{text}"
    );
    // A data request: the owner's personal data leaves the trail, and the chain still verifies.
    let (ok, text) = outfield(&[
        "audit",
        "erase",
        "--company",
        "gupta-pharma-agencies",
        "--person",
        "Amit@Gupta-Pharma.in",
        "--data-dir",
        data,
    ]);
    assert!(
        ok && text.contains("gupta-pharma-agencies: erased the personal data of 1 entries"),
        "{text}"
    );
    let (ok, text) = outfield(&["audit", "verify", "--data-dir", data]);
    assert!(
        ok && text.contains("gupta-pharma-agencies: intact (2 entries)"),
        "{text}"
    );
    let db = dir.0.join("outfield.db");
    let status = Command::new("python3")
        .args(["-c", &format!(
            "import sqlite3; c = sqlite3.connect('{}'); c.execute('DROP TRIGGER audit_log_no_update'); \
             c.execute(\"UPDATE audit_log SET details = '{{}}' WHERE seq = 1\"); c.commit()",
            db.display()
        )])
        .status()
        .unwrap();
    assert!(status.success());
    let (ok, text) = outfield(&["audit", "verify", "--data-dir", data]);
    assert!(!ok && text.contains("BROKEN at entry 1"), "{text}");
}

#[test]
fn company_create_links_to_the_public_url_the_server_was_given() {
    use std::io::BufRead;
    let dir = temp_dir();
    let data = dir.0.to_str().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_outfield"))
        .args(["serve", "--data-dir", data, "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--public-url", "https://field.gupta-pharma.in/"])
        .env("OUTFIELD_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let listening = std::io::BufReader::new(server.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("is listening"));
    let _ = server.kill();
    let _ = server.wait();
    assert!(listening, "the server started");
    let (ok, text) = outfield(&[
        "company",
        "create",
        "--name",
        "Gupta Pharma Agencies",
        "--owner-email",
        "amit@gupta-pharma.in",
        "--data-dir",
        data,
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("  https://field.gupta-pharma.in/welcome/"),
        "the link opens where people reach the server: {text}"
    );
    let (ok, text) = outfield(&[
        "company",
        "create",
        "--name",
        "Mehta Seeds",
        "--owner-email",
        "ravi@mehta-seeds.in",
        "--public-url",
        "https://crm.mehta-seeds.in",
        "--data-dir",
        data,
    ]);
    assert!(
        ok && text.contains("  https://crm.mehta-seeds.in/welcome/"),
        "{text}"
    );
}

#[test]
fn help_explains_the_environment_variables() {
    let (ok, text) = outfield(&["serve", "--help"]);
    assert!(ok);
    for variable in [
        "OUTFIELD_LISTEN",
        "OUTFIELD_DATA_DIR",
        "OUTFIELD_DATABASE_URL",
        "OUTFIELD_TRUSTED_PROXIES",
    ] {
        assert!(text.contains(variable), "{variable} missing from:\n{text}");
    }
}
