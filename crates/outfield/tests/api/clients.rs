//! Clients: visibility by ownership, validation, search, nearest clients, contacts and the timeline,
//! interactions from the field app through sync, reassignment and export.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{fields, problem, Session, TestApp};

async fn add(session: &Session, body: Value) -> Value {
    let response = session.post("/api/v1/clients", body.clone()).await;
    assert_eq!(response.status(), 201, "{body}");
    response.json().await.unwrap()
}

async fn names(session: &Session, query: &str) -> Vec<String> {
    let list: Vec<Value> = session
        .get(&format!("/api/v1/clients{query}"))
        .await
        .json()
        .await
        .unwrap();
    list.iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

async fn each_role_sees_the_clients_it_should(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let other = app.session(&app.a, &app.a.other_field).await;
    add(&field, json!({ "name": "Shree Krishna Traders" })).await;
    add(&other, json!({ "name": "Balaji Provision Store" })).await;
    assert_eq!(names(&field, "").await, ["Shree Krishna Traders"]);
    assert_eq!(names(&other, "").await, ["Balaji Provision Store"]);
    let manager = app.session(&app.a, &app.a.manager).await;
    assert_eq!(
        names(&manager, "").await,
        ["Shree Krishna Traders"],
        "the manager sees the team's clients"
    );
    let admin = app.session(&app.a, &app.a.admin).await;
    assert_eq!(names(&admin, "").await.len(), 2);
    let outsider = app.session(&app.b, &app.b.admin).await;
    assert!(names(&outsider, "").await.is_empty());
}

async fn clients_are_validated(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let before = app.snapshot().await;
    for (body, field_name) in [
        (json!({ "name": "" }), "name"),
        (json!({ "name": "X", "gstin": "27AAPFU0939F1ZX" }), "gstin"),
        (json!({ "name": "X", "phone": "12345" }), "phone"),
        (
            json!({ "name": "X", "location": { "latitude": 95.0, "longitude": 73.0 } }),
            "location",
        ),
        (json!({ "name": "X", "status": "vip" }), "status"),
        (json!({ "name": "X", "tags": ["a,b"] }), "tags[0]"),
        (
            json!({ "name": "X", "owner_ids": [app.a.other_field.id] }),
            "owner_ids",
        ),
    ] {
        let response = field.post("/api/v1/clients", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), vec![field_name], "{body}");
    }
    assert_eq!(app.snapshot().await, before);
    add(&field, json!({ "name": "Coded", "code": "PUN-001" })).await;
    let duplicate = field
        .post(
            "/api/v1/clients",
            json!({ "name": "Other", "code": "PUN-001" }),
        )
        .await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(fields(&problem(duplicate).await), vec!["code"]);
}

async fn search_finds_names_codes_phones_contacts_and_tags(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let client = add(
        &field,
        json!({ "name": "Shree Krishna Traders", "code": "PUN-042", "phone": "+91 98220 12345",
        "tags": ["Fertiliser", "key-account"] }),
    )
    .await;
    add(&field, json!({ "name": "Ganesh Agro Centre" })).await;
    let id = client["id"].as_str().unwrap();
    field
        .post(
            &format!("/api/v1/clients/{id}/contacts"),
            json!({ "name": "Mahesh Deshpande", "phone": "9890011122" }),
        )
        .await;
    assert_eq!(names(&field, "?q=krishna").await, ["Shree Krishna Traders"]);
    assert_eq!(names(&field, "?q=pun-042").await, ["Shree Krishna Traders"]);
    assert_eq!(
        names(&field, "?q=98220%2012345").await,
        ["Shree Krishna Traders"]
    );
    assert_eq!(
        names(&field, "?q=deshpande").await,
        ["Shree Krishna Traders"],
        "a contact's name finds the client"
    );
    assert_eq!(
        names(&field, "?q=9890011122").await,
        ["Shree Krishna Traders"]
    );
    assert_eq!(
        names(&field, "?tag=fertiliser").await,
        ["Shree Krishna Traders"]
    );
    assert_eq!(names(&field, "?q=agro").await, ["Ganesh Agro Centre"]);
    assert!(
        names(&field, "?q=%25").await.len() == 2,
        "a % is not a wildcard injection"
    );
}

async fn nearest_clients_come_first_with_their_distance(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    for (name, lat, lon) in [
        ("Far in Mumbai", 19.0760, 72.8777),
        ("Next door", 18.5210, 73.8570),
        ("Across town", 18.5600, 73.9100),
        ("No position", 0.0, 0.0),
    ] {
        let mut body = json!({ "name": name });
        if lat != 0.0 {
            body["location"] = json!({ "latitude": lat, "longitude": lon });
        }
        add(&field, body).await;
    }
    let near: Vec<Value> = field
        .get("/api/v1/clients?latitude=18.5204&longitude=73.8567&limit=2")
        .await
        .json()
        .await
        .unwrap();
    let order: Vec<&str> = near.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(order, ["Next door", "Across town"]);
    assert!(near[0]["distance_m"].as_f64().unwrap() < 100.0);
    let all: Vec<Value> = field
        .get("/api/v1/clients?latitude=18.5204&longitude=73.8567&limit=20")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 3, "clients without a position are not 'near'");
    assert_eq!(all[2]["name"], "Far in Mumbai");
}

async fn the_timeline_gathers_every_touch_including_offline_ones(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let client = add(
        &field,
        json!({ "name": "Sai Fertilisers", "phone": "+91 20 2612 3456" }),
    )
    .await;
    let id = client["id"].as_str().unwrap().to_string();
    let contact: Value = field
        .post(
            &format!("/api/v1/clients/{id}/contacts"),
            json!({ "name": "Ramesh Patil", "role": "Owner", "phone": "+91 98230 55555",
            "language": "hi", "consents_to_messages": true }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(contact["messaging_consent_at"].is_string());
    let logged = field
        .post(
            &format!("/api/v1/clients/{id}/interactions"),
            json!({ "kind": "visit", "body": "Checked stock", "outcome": "ordered" }),
        )
        .await;
    assert_eq!(logged.status(), 201);
    let device = app.device(&app.a, &app.a.field).await;
    let call = json!({ "id": Uuid::now_v7(), "kind": "interaction", "device_time": chrono::Utc::now().timestamp_millis() - 3_600_000,
        "payload": { "client_id": id, "kind": "call", "contact_id": contact["id"], "outcome": "call back", "body": "Asked to call on Monday" } });
    let foreign = json!({ "id": Uuid::now_v7(), "kind": "interaction", "device_time": chrono::Utc::now().timestamp_millis(),
        "payload": { "client_id": Uuid::now_v7(), "kind": "call", "body": "Not my client" } });
    let pushed: Value = device
        .post("/api/v1/sync/push", json!({ "records": [call, foreign] }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pushed["results"][0]["status"], "accepted");
    assert_eq!(pushed["results"][1]["status"], "rejected");
    assert_eq!(
        pushed["results"][1]["reason"],
        "the client is not one of yours"
    );
    let manager = app.session(&app.a, &app.a.manager).await;
    let timeline: Vec<Value> = manager
        .get(&format!("/api/v1/clients/{id}/timeline"))
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = timeline
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["visit", "call"],
        "newest first; the call happened an hour earlier on the phone"
    );
    assert_eq!(timeline[1]["contact_name"], "Ramesh Patil");
    let calls: Vec<Value> = manager
        .get(&format!("/api/v1/clients/{id}/timeline?kind=call"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(calls.len(), 1);
    let page = manager
        .get(&format!("/console/clients/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("href=\"tel:+912026123456\"") && page.contains("Asked to call on Monday"),
        "{page}"
    );
}

async fn reassignment_moves_every_client_at_once(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    for name in ["One", "Two", "Three"] {
        add(&field, json!({ "name": format!("Store {name}") })).await;
    }
    let admin = app.session(&app.a, &app.a.admin).await;
    let field_only = admin
        .post(
            "/api/v1/clients/reassign",
            json!({ "from_person_id": app.a.field.id, "to_person_id": app.a.field.id }),
        )
        .await;
    assert_eq!(field_only.status(), 422);
    let moved: Value = admin
        .post(
            "/api/v1/clients/reassign",
            json!({ "from_person_id": app.a.field.id, "to_person_id": app.a.other_field.id }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["clients"], 3);
    assert!(names(&field, "").await.is_empty());
    let other = app.session(&app.a, &app.a.other_field).await;
    assert_eq!(names(&other, "").await.len(), 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'client.reassigned'")
            .await,
        1
    );
}

async fn export_neutralises_formulas(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    add(
        &field,
        json!({ "name": "=cmd|' /C calc'!A0", "address": "@SUM(1+1)", "tags": ["+danger"] }),
    )
    .await;
    let response = field.get("/api/v1/clients/export.csv").await;
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("\"'=cmd|' /C calc'!A0\""), "{csv}");
    assert!(csv.contains("\"'@SUM(1+1)\""), "{csv}");
    assert!(csv.contains("\"'+danger\""), "{csv}");
}

both_backends!(
    each_role_sees_the_clients_it_should,
    clients_are_validated,
    search_finds_names_codes_phones_contacts_and_tags,
    nearest_clients_come_first_with_their_distance,
    the_timeline_gathers_every_touch_including_offline_ones,
    reassignment_moves_every_client_at_once,
    export_neutralises_formulas,
);
