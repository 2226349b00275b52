//! Bad input: each gets a clear problem+json naming the field, and nothing changes.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{fields, problem, TestApp};

async fn malformed_and_mistyped_bodies_change_nothing(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    let raw = |body: &'static str| {
        admin
            .client
            .post(app.url("/api/v1/people"))
            .header("x-csrf-token", &admin.csrf)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let malformed = raw(r#"{"name": "Ravi", "email": "#).await.unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(problem(malformed).await["type"], "/problems/bad-request");

    let cases = [
        (
            json!({ "name": 42, "email": "a@b.in", "role": "admin" }),
            "name",
        ),
        (
            json!({ "name": "Ravi", "email": "not-an-email", "role": "admin" }),
            "email",
        ),
        (
            json!({ "name": "Ravi", "email": "a@b.in", "role": "emperor" }),
            "role",
        ),
        (
            json!({ "name": "Ravi", "email": "a@b.in", "role": "admin", "is_superuser": true }),
            "is_superuser",
        ),
        (
            json!({ "name": "Ravi", "email": "a@b.in", "role": "admin", "mobile": "12" }),
            "mobile",
        ),
        (
            json!({ "name": "x".repeat(121), "email": "a@b.in", "role": "admin" }),
            "name",
        ),
        (
            json!({ "name": "Ravi\u{0007}", "email": "a@b.in", "role": "admin" }),
            "name",
        ),
        (
            json!({ "name": "Ravi", "email": "a@b.in", "role": "admin", "employee_code": "E1'; DROP TABLE people;--" }),
            "employee_code",
        ),
        (
            json!({ "name": "Ravi", "email": "a@b.in", "role": "admin", "manager_id": "nope" }),
            "manager_id",
        ),
        (json!({ "email": "a@b.in", "role": "admin" }), "name"),
    ];
    for (body, field) in cases {
        let response = admin.post("/api/v1/people", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let problem = problem(response).await;
        assert_eq!(problem["type"], "/problems/validation");
        assert_eq!(fields(&problem), vec![field.to_string()], "{body}");
    }
    let wrong_type = admin
        .client
        .post(app.url("/api/v1/people"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 400);
    assert_eq!(app.snapshot().await, before);
}

async fn sql_meta_characters_are_plain_text(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let name = "Robert'); DROP TABLE people; -- \"O'Brien\" %_";
    let response = admin
        .post("/api/v1/people", json!({ "name": name, "email": "bobby@alpha-traders.example", "role": "field_employee" }))
        .await;
    assert_eq!(response.status(), 201);
    let found: Vec<serde_json::Value> = admin
        .get("/api/v1/people?q=%27%29%3B%20DROP")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], name);
    let all: Vec<serde_json::Value> = admin
        .get("/api/v1/people?q=%25")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        6,
        "a % in the search is dropped, never a wildcard of its own"
    );
}

async fn oversized_bodies_are_refused(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    let huge = json!({ "name": "x".repeat(100_000), "email": "a@b.in", "role": "admin" });
    let response = admin.post("/api/v1/people", huge).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        problem(response).await["type"],
        "/problems/payload-too-large"
    );
    assert_eq!(app.snapshot().await, before);
}

async fn company_settings_are_validated(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    for (body, field) in [
        (json!({ "time_zone": "Asia/Bombay Beach" }), "time_zone"),
        (json!({ "currency": "RUPEES" }), "currency"),
        (json!({ "gstin": "27AAPFU0939F1ZX" }), "gstin"),
        (json!({ "name": "" }), "name"),
        (json!({ "slug": "taken-over" }), "slug"),
    ] {
        let response = admin.patch("/api/v1/company", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), vec![field], "{body}");
    }
    assert_eq!(app.snapshot().await, before);
    let ok = admin
        .patch(
            "/api/v1/company",
            json!({ "gstin": "27aapfu0939f1zv", "legal_name": null }),
        )
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<serde_json::Value>().await.unwrap()["gstin"],
        "27AAPFU0939F1ZV"
    );
}

async fn unknown_api_routes_are_problems(app: TestApp) {
    let response = reqwest::get(app.url("/api/v1/nothing-here")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(problem(response).await["type"], "/problems/unknown-route");
    let anonymous = reqwest::get(app.url("/api/v1/people")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(problem(anonymous).await["type"], "/problems/unauthorized");
}

/// A body is read as the document describes it: an object where one is documented (never an array of
/// its fields, at the top or inside), and a whole number written `10.0` as the integer it is.
async fn bodies_are_read_as_documented(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    let arrays = [
        ("/api/v1/me/preferences", json!([null, null]), "body"),
        (
            "/api/v1/clients",
            json!({ "name": "Shree Traders", "location": [18.52, 73.85] }),
            "location",
        ),
        (
            "/api/v1/people",
            json!(["Ravi", "ravi@alpha-traders.example", "field_employee"]),
            "body",
        ),
    ];
    for (path, body, field) in arrays {
        let response = match path {
            "/api/v1/me/preferences" => admin.patch(path, body).await,
            _ => admin.post(path, body).await,
        };
        assert_eq!(response.status(), 422, "{path}");
        assert_eq!(fields(&problem(response).await), [field], "{path}");
    }
    let token = reqwest::Client::new()
        .post(app.url("/api/v1/device-tokens"))
        .json(&json!([
            app.a.slug,
            app.a.field.email,
            crate::helpers::PASSWORD,
            "Redmi"
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 422, "no token for an array of credentials");
    let twice = admin
        .client
        .post(app.url("/api/v1/people"))
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "application/json")
        .body(r#"{"name": "Ravi", "email": "ravi@alpha-traders.example", "role": "field_employee", "role": "owner"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        twice.status(),
        400,
        "a key named twice is refused, not read as its last value"
    );
    assert_eq!(app.snapshot().await, before, "nothing changed");

    let whole = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "late_after_minutes": 10.0, "work_days": [1.0, 2, 3, 4, 5, 6] }),
        )
        .await;
    assert_eq!(whole.status(), 200);
    let settings: serde_json::Value = whole.json().await.unwrap();
    assert_eq!(settings["late_after_minutes"], 10);
    let fraction = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "late_after_minutes": 10.5 }),
        )
        .await;
    assert_eq!(fraction.status(), 422);
}

both_backends!(
    malformed_and_mistyped_bodies_change_nothing,
    sql_meta_characters_are_plain_text,
    oversized_bodies_are_refused,
    company_settings_are_validated,
    unknown_api_routes_are_problems,
    bodies_are_read_as_documented,
);
