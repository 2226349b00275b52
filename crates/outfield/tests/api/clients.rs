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

async fn search_folds_spellings_and_matches_word_starts(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    for name in [
        "Shri Laxmi Kirana",
        "Mahalakshmi Agencies",
        "Sri Vitthal Traders",
        "Kiranwala Stores",
    ] {
        add(&field, json!({ "name": name })).await;
    }
    let mut lakshmi = names(&field, "?q=lakshmi").await;
    lakshmi.sort();
    assert_eq!(
        lakshmi,
        ["Mahalakshmi Agencies", "Shri Laxmi Kirana"],
        "Lakshmi finds Laxmi, and Mahalakshmi by its second part"
    );
    assert_eq!(
        names(&field, "?q=mahalaxmi").await,
        ["Mahalakshmi Agencies"]
    );
    assert_eq!(names(&field, "?q=withal").await, ["Sri Vitthal Traders"]);
    assert_eq!(
        names(&field, "?q=shree%20vithal").await,
        ["Sri Vitthal Traders"],
        "every word must match"
    );
    assert_eq!(
        names(&field, "?q=kiran").await,
        ["Shri Laxmi Kirana", "Kiranwala Stores"],
        "a whole-word match comes before a longer word"
    );
    assert!(
        names(&field, "?q=rana").await.is_empty(),
        "words match from their start"
    );
    assert_eq!(names(&field, "?q=kir&limit=1").await.len(), 1);
}

async fn search_shows_each_role_only_what_it_sees(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let other = app.session(&app.a, &app.a.other_field).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let outsider = app.session(&app.b, &app.b.admin).await;
    let krishna = add(&field, json!({ "name": "Shree Krishna Traders" })).await;
    let balaji = add(&other, json!({ "name": "Shree Balaji Stores" })).await;
    add(&other, json!({ "name": "Shree Ganesh Agencies" })).await;
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(names(&field, "?q=shree").await, ["Shree Krishna Traders"]);
    assert_eq!(names(&other, "?q=shree").await.len(), 2);
    assert_eq!(names(&manager, "?q=shree").await, ["Shree Krishna Traders"]);
    assert_eq!(names(&admin, "?q=shree").await.len(), 3);
    assert!(names(&outsider, "?q=shree").await.is_empty());

    // A beat makes another person's client visible to the employee who visits it, and only while it lasts.
    let plan: Vec<String> = admin
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": app.a.field.id, "client_ids": [balaji["id"]], "weekday": 2 }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        sorted(names(&field, "?q=shree").await),
        ["Shree Balaji Stores", "Shree Krishna Traders"]
    );
    assert_eq!(names(&other, "?q=balaji").await, ["Shree Balaji Stores"]);
    let removed = admin
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/visit-plans/{}", plan[0]),
            None,
        )
        .await;
    assert_eq!(removed.status(), 204);
    assert_eq!(names(&field, "?q=shree").await, ["Shree Krishna Traders"]);

    // Reassignment, renaming and merging are searched as they now are.
    admin
        .post(
            "/api/v1/clients/reassign",
            json!({ "from_person_id": app.a.other_field.id, "to_person_id": app.a.field.id }),
        )
        .await;
    assert_eq!(names(&field, "?q=shree").await.len(), 3);
    assert!(names(&other, "?q=shree").await.is_empty());
    let id = krishna["id"].as_str().unwrap();
    let renamed = admin
        .patch(
            &format!("/api/v1/clients/{id}"),
            json!({ "name": "Sri Krishna Agro" }),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(names(&field, "?q=agro").await, ["Sri Krishna Agro"]);
    assert!(names(&field, "?q=traders").await.is_empty());
    // The duplicate's shop-front photos follow it; one attached to both is kept once.
    let (company, duplicate) = (app.a.company_id, balaji["id"].as_str().unwrap());
    let (own, shared) = (Uuid::now_v7(), Uuid::now_v7());
    app.admin_sql(&format!(
        "INSERT INTO attachments (company_id, subject_kind, subject_id, file_id, purpose, position) VALUES \
         ('{company}', 'client', '{duplicate}', '{own}', 'shop_photo', 0), \
         ('{company}', 'client', '{duplicate}', '{shared}', 'shop_photo', 1), \
         ('{company}', 'client', '{id}', '{shared}', 'shop_photo', 0)"
    ))
    .await;
    let merged = admin
        .post(
            &format!("/api/v1/clients/{id}/merge"),
            json!({ "duplicate_id": balaji["id"] }),
        )
        .await;
    assert_eq!(merged.status(), 200);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM attachments WHERE subject_kind = 'client' AND subject_id = '{id}'"
        ))
        .await,
        2,
        "the kept client has its own photo and the duplicate's, each once"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM attachments WHERE subject_id = '{duplicate}'"
        ))
        .await,
        0
    );
    assert!(names(&admin, "?q=balaji").await.is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM client_search_words WHERE word = 'balaji'")
            .await,
        0,
        "a merged duplicate leaves no word behind"
    );
}

async fn the_search_index_is_rebuilt_when_its_rules_change(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    add(
        &field,
        json!({ "name": "Shree Krishna Traders", "phone": "9822012345" }),
    )
    .await;
    let words = app.count("SELECT COUNT(*) FROM client_search_words").await;
    assert!(words > 0);
    let mut tx = app.db.system().await.unwrap();
    for sql in [
        "UPDATE search_index SET version = 0",
        "DELETE FROM client_search_words",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert!(names(&field, "?q=krishna").await.is_empty());
    outfield_clients::search::rebuild_if_outdated(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM client_search_words").await,
        words
    );
    assert_eq!(
        names(&field, "?q=9822012345").await,
        ["Shree Krishna Traders"]
    );
    outfield_clients::search::rebuild_if_outdated(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM client_search_words").await,
        words,
        "a second start finds the index current"
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
    assert_eq!(app.audit_count("client.reassigned").await, 1);
}

async fn export_neutralises_formulas(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    add(
        &field,
        json!({ "name": "=cmd|' /C calc'!A0", "address": "Shop 4; =HYPERLINK(\"http://x.example\")",
                "tags": ["+danger"], "territory": " @SUM(1+1)" }),
    )
    .await;
    let response = field.get("/api/v1/clients/export.csv").await;
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains(r#","'=cmd|' /C calc'!A0","#), "{csv}");
    assert!(
        csv.contains(r#","'Shop 4; =HYPERLINK(""http://x.example"")","#),
        "a formula after a separator a spreadsheet may split at: {csv}"
    );
    assert!(csv.contains(r#","'+danger","#), "{csv}");
    assert!(
        csv.contains("'@SUM(1+1)") || csv.contains("' @SUM(1+1)"),
        "{csv}"
    );
    assert!(
        !csv.contains(",\"=") && !csv.contains("\n\"="),
        "no cell starts a formula: {csv}"
    );
    let xlsx = field.get("/api/v1/clients/export.xlsx").await;
    assert_eq!(xlsx.status(), 200);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
}

async fn console_merges_a_duplicate_and_shows_the_map(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let field = app.session(&app.a, &app.a.field).await;
    let owner = app.a.field.id;
    let keep = add(
        &admin,
        json!({ "name": "Ganesh Kirana", "phone": "+91 98201 22222", "owner_ids": [owner],
                "location": { "latitude": 18.52, "longitude": 73.85 } }),
    )
    .await;
    let duplicate = add(
        &admin,
        json!({ "name": "Ganesh Kirana Stores", "phone": "+91 98201 22222", "owner_ids": [owner] }),
    )
    .await;
    let (keep, duplicate) = (
        keep["id"].as_str().unwrap(),
        duplicate["id"].as_str().unwrap(),
    );
    let page = admin
        .get(&format!("/console/clients/{keep}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Possible duplicates") && page.contains("Ganesh Kirana Stores"),
        "{page}"
    );
    assert!(page.contains(r#"id="map-data""#) && page.contains(r#""kind":"client""#));
    let own = field
        .get(&format!("/console/clients/{keep}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!own.contains("Possible duplicates"));
    let refused = field
        .form(
            &format!("/console/clients/{keep}/merge"),
            &[("duplicate_id", duplicate)],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let merged = admin
        .form(
            &format!("/console/clients/{keep}/merge"),
            &[("duplicate_id", duplicate)],
        )
        .await;
    assert_eq!(merged.status(), 303);
    assert_eq!(
        admin
            .get(&format!("/api/v1/clients/{duplicate}"))
            .await
            .status(),
        404
    );
}

async fn follow_up_tasks_on_clients(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let field = app.session(&app.a, &app.a.field).await;
    let other = app.session(&app.a, &app.a.other_field).await;
    let client = add(
        &admin,
        json!({ "name": "Follow Up Traders", "owner_ids": [app.a.field.id] }),
    )
    .await;
    let id = client["id"].as_str().unwrap();
    let path = format!("/api/v1/clients/{id}/tasks");
    let task = manager
        .post(&path, json!({ "title": "Collect the October payment", "due_on": "2026-11-20", "assignee_id": app.a.field.id }))
        .await;
    assert_eq!(task.status(), 201);
    let task: Value = task.json().await.unwrap();
    let later = field
        .post(
            &path,
            json!({ "title": "Demo of the new seed", "due_on": "2099-01-01" }),
        )
        .await;
    assert_eq!(later.status(), 201);
    let for_someone_else = field
        .post(
            &path,
            json!({ "title": "x", "due_on": "2026-11-20", "assignee_id": app.a.manager.id }),
        )
        .await;
    assert_eq!(fields(&problem(for_someone_else).await), ["assignee_id"]);
    let bad = field
        .post(&path, json!({ "title": "Call", "due_on": "2026-13-40" }))
        .await;
    assert_eq!(fields(&problem(bad).await), ["due_on"]);
    let blank = field
        .post(&path, json!({ "title": " ", "due_on": "2026-11-20" }))
        .await;
    assert_eq!(fields(&problem(blank).await), ["title"]);
    assert_eq!(other.get(&path).await.status(), 404, "not their client");

    let mine: Vec<Value> = field
        .get("/api/v1/me/tasks?until=2026-12-31")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.len(), 1, "only tasks due by the date: {mine:?}");
    assert_eq!(mine[0]["title"], "Collect the October payment");
    let task_id = task["id"].as_str().unwrap();
    assert_eq!(
        other
            .post(&format!("/api/v1/tasks/{task_id}/done"), json!({}))
            .await
            .status(),
        404
    );
    let done = field
        .post(&format!("/api/v1/tasks/{task_id}/done"), json!({}))
        .await;
    assert_eq!(done.status(), 200);
    let mine: Vec<Value> = field
        .get("/api/v1/me/tasks?until=2026-12-31")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.is_empty());
    let all: Vec<Value> = manager.get(&path).await.json().await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[1]["done_at"].is_string(), "done ones last: {all:?}");
}

async fn a_new_client_reads_back_as_it_was_answered(app: TestApp) {
    let manager = app.session(&app.a, &app.a.manager).await;
    let body = json!({
        "name": "Shree Ganesh Agro Kendra", "code": "NSK-042", "client_type": "Distributor",
        "status": "active", "phone": "+91 98220 11111", "email": "ganesh@agro.example",
        "gstin": "27AAPFU0939F1ZV", "category": "Seeds", "territory": "Nashik",
        "tags": ["wholesale", "seeds", "wholesale"], "address": "Market Yard, Nashik",
        "location": { "latitude": 19.9975, "longitude": 73.7898 },
        "owner_ids": [app.a.field.id, app.a.manager.id],
        "other_phones": ["+91 98220 22222"],
        "other_addresses": [{ "label": "Godown", "address": "MIDC Satpur" }]
    });
    let answered = add(&manager, body).await;
    assert_eq!(answered["tags"], json!(["seeds", "wholesale"]));
    assert_eq!(answered["owners"].as_array().map(Vec::len), Some(2));
    let read: Value = manager
        .get(&format!(
            "/api/v1/clients/{}",
            answered["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        read, answered,
        "the answer to a create is what a read returns"
    );
    let field = app.session(&app.a, &app.a.field).await;
    assert_eq!(
        names(&field, "?q=ganesh").await,
        ["Shree Ganesh Agro Kendra"]
    );
    assert_eq!(
        names(&manager, "?q=9822022222").await,
        ["Shree Ganesh Agro Kendra"],
        "a further phone finds the client from its first moment"
    );
    let other = app.session(&app.a, &app.a.other_field).await;
    assert!(names(&other, "?q=ganesh").await.is_empty());
}

async fn a_code_taken_by_a_concurrent_create_is_a_conflict(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.count("SELECT COUNT(*) FROM clients").await;
    let recorded = app.audit_count("client.created").await;
    let creates = (0..8).map(|i| {
        admin.post(
            "/api/v1/clients",
            json!({ "name": format!("Racing outlet {i}"), "code": "RACE-1" }),
        )
    });
    let mut statuses: Vec<u16> = futures_util::future::join_all(creates)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert_eq!(app.count("SELECT COUNT(*) FROM clients").await, before + 1);
    assert_eq!(app.audit_count("client.created").await, recorded + 1);
}

async fn grouped_creates_and_other_writes_run_side_by_side(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let edited = add(&admin, json!({ "name": "Edited all along" })).await;
    let path = format!("/api/v1/clients/{}", edited["id"].as_str().unwrap());
    let creates = (0..24).map(|i| {
        admin.post(
            "/api/v1/clients",
            json!({ "name": format!("Side by side {i}"), "phone": format!("+9198700{i:05}") }),
        )
    });
    let edits = (0..24).map(|i| {
        admin.send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({ "address": format!("Shop {i}, Station Road") })),
        )
    });
    let (created, edited) = tokio::join!(
        futures_util::future::join_all(creates),
        futures_util::future::join_all(edits)
    );
    assert!(
        created.iter().all(|r| r.status() == 201),
        "every create is answered 201"
    );
    let statuses: Vec<u16> = edited.iter().map(|r| r.status().as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 200),
        "every edit is answered 200: {statuses:?}"
    );
    assert_eq!(names(&admin, "?q=side").await.len(), 24);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM clients WHERE name LIKE 'Side by side %'")
            .await,
        24
    );
}

async fn types_custom_fields_and_further_phones(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let field = app.session(&app.a, &app.a.field).await;
    let settings = json!({
        "client_types": ["Chemist", "Stockist", "Hospital"],
        "custom_fields": [
            { "key": "drug_licence", "label": "Drug licence no.", "kind": "text", "required": true },
            { "key": "shop_area_sqft", "label": "Shop area (sq ft)", "kind": "number" },
            { "key": "licence_expiry", "label": "Licence expiry", "kind": "date" },
            { "key": "credit_class", "label": "Credit class", "kind": "choice", "choices": ["A", "B", "C"] }
        ]
    });
    let refused = field
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/client-fields",
            Some(settings.clone()),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let mut bad = settings.clone();
    bad["custom_fields"][1]["key"] = json!("drug_licence");
    bad["custom_fields"][3]["choices"] = json!([]);
    let response = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/client-fields",
            Some(bad),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        fields(&problem(response).await),
        ["custom_fields[1]", "custom_fields[3]"]
    );
    let saved = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/client-fields",
            Some(settings.clone()),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let read: Value = field
        .get("/api/v1/company/client-fields")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        read,
        settings
            .as_object()
            .map(|s| {
                let mut s = Value::Object(s.clone());
                for f in s["custom_fields"].as_array_mut().unwrap() {
                    f["choices"] = f.get("choices").cloned().unwrap_or(json!([]));
                    f["required"] = f.get("required").cloned().unwrap_or(json!(false));
                }
                s
            })
            .unwrap()
    );

    let before = app.count("SELECT COUNT(*) FROM clients").await;
    let wrong = [
        (
            json!({ "name": "Sai Medical", "client_type": "Chemist" }),
            vec!["custom.drug_licence"],
        ),
        (
            json!({ "name": "Sai Medical", "client_type": "Retailer", "custom": { "drug_licence": "MH-1" } }),
            vec!["client_type"],
        ),
        (
            json!({ "name": "Sai Medical", "custom": { "drug_licence": "MH-1", "shop_area_sqft": "big",
                    "credit_class": "D", "colour": "red" } }),
            vec![
                "custom.colour",
                "custom.credit_class",
                "custom.shop_area_sqft",
            ],
        ),
        (
            json!({ "name": "Sai Medical", "custom": { "drug_licence": "MH-1" }, "other_phones": ["12"] }),
            vec!["other_phones[0]"],
        ),
    ];
    for (body, expected) in wrong {
        let response = field.post("/api/v1/clients", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(fields(&problem(response).await), expected, "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM clients").await, before);

    let created = add(
        &field,
        json!({ "name": "Sai Medical", "client_type": "chemist", "phone": "+91 98200 00001",
                "other_phones": ["020 2612 3456", "+91 97300 55555"],
                "other_addresses": [{ "label": "Godown", "address": "Plot 4, MIDC Bhosari",
                                       "location": { "latitude": 18.63, "longitude": 73.84 } }],
                "custom": { "drug_licence": "MH-PUN-2024/123", "shop_area_sqft": "1,250", "credit_class": "b" } }),
    )
    .await;
    assert_eq!(created["client_type"], "Chemist");
    assert_eq!(
        created["other_phones"],
        json!(["+912026123456", "+919730055555"])
    );
    assert_eq!(created["other_addresses"][0]["label"], "Godown");
    assert_eq!(
        created["custom"],
        json!({ "drug_licence": "MH-PUN-2024/123", "shop_area_sqft": 1250.0, "credit_class": "B" })
    );
    let id = created["id"].as_str().unwrap();
    let changed = field
        .patch(
            &format!("/api/v1/clients/{id}"),
            json!({ "custom": { "credit_class": null, "licence_expiry": "2028-01-31" }, "client_type": "Stockist" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(
        changed["custom"],
        json!({ "drug_licence": "MH-PUN-2024/123", "shop_area_sqft": 1250.0, "licence_expiry": "2028-01-31" })
    );
    assert_eq!(changed["client_type"], "Stockist");
    assert_eq!(names(&field, "?q=9730055555").await, ["Sai Medical"]);
    let page = admin
        .get(&format!("/console/clients/{id}"))
        .await
        .text()
        .await
        .unwrap();
    for shown in [
        "Drug licence no.",
        "MH-PUN-2024/123",
        "Godown",
        "Plot 4, MIDC Bhosari",
        "+919730055555",
    ] {
        assert!(page.contains(shown), "{shown} on the client page");
    }

    // The console: a new field through the settings page, then the client's edit form.
    let mut settings_form = vec![
        ("client_types", "Chemist\nStockist\nHospital"),
        ("key_0", "drug_licence"),
        ("label_0", "Drug licence no."),
        ("kind_0", "text"),
        ("required_0", "on"),
        ("key_1", "beds"),
        ("label_1", "Beds"),
        ("kind_1", "number"),
    ];
    let saved = admin
        .form("/console/settings/clients", &settings_form)
        .await;
    assert_eq!(saved.status(), 200);
    assert!(saved.text().await.unwrap().contains("Saved."));
    settings_form.push(("key_2", "Bad Key"));
    let refused = admin
        .form("/console/settings/clients", &settings_form)
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("lower-case letters"));

    let edit = |beds: &'static str| {
        vec![
            ("name", "Sai Medical and Nursing Home"),
            ("client_type", "Hospital"),
            ("status", "active"),
            ("phone", "+91 98200 00001"),
            ("custom.drug_licence", "MH-PUN-2024/123"),
            ("custom.beds", beds),
            ("other_phones", "+91 97300 55555\n020 2612 3456"),
            (
                "other_addresses",
                "Godown: Plot 4, MIDC Bhosari\nBilling: Office 12, FC Road",
            ),
        ]
    };
    let path = format!("/console/clients/{id}");
    let wrong = admin.form(&path, &edit("twenty")).await;
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Beds: must be a number."), "{html}");
    assert!(
        html.contains("value=\"Sai Medical and Nursing Home\""),
        "what was typed stays in the form"
    );
    let api_path = format!("/api/v1/clients/{id}");
    let unchanged: Value = admin.get(&api_path).await.json().await.unwrap();
    assert_eq!(unchanged["name"], "Sai Medical");
    let saved = admin.form(&path, &edit("24")).await;
    assert_eq!(saved.status(), 303, "the edit redirects back to the client");
    let edited: Value = admin.get(&api_path).await.json().await.unwrap();
    assert_eq!(edited["name"], "Sai Medical and Nursing Home");
    assert_eq!(edited["client_type"], "Hospital");
    assert_eq!(edited["custom"]["beds"], 24.0);
    assert_eq!(
        edited["custom"]["shop_area_sqft"], 1250.0,
        "a hidden field's value stays"
    );
    assert_eq!(
        edited["other_addresses"][1],
        json!({ "label": "Billing", "address": "Office 12, FC Road", "location": null })
    );
}

async fn contacts_come_from_vcard_files(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let client = add(&field, json!({ "name": "Patil Agro Centre" })).await;
    let id = client["id"].as_str().unwrap();
    let existing = field
        .post(
            &format!("/api/v1/clients/{id}/contacts"),
            json!({ "name": "Suresh Patil", "phone": "+91 97654 32109" }),
        )
        .await;
    assert_eq!(existing.status(), 201);
    let file = "BEGIN:VCARD\r\nVERSION:2.1\r\n\
        FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E0=A4=B0=E0=A4=BE=E0=A4=AE =E0=A4=AA=E0=A4=BE=E0=A4=9F=E0=A5=80=E0=A4=B2\r\n\
        TEL;CELL:098220 12345\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nN:Patil;Suresh;;;\r\nTEL;TYPE=CELL:+91-97654-32109\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Anita Kulkarni\r\nTITLE:Accountant\r\nEMAIL:anita@patil-agro.in\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:12\r\nEND:VCARD\r\n";
    let send = |commit: bool| {
        field
            .client
            .post(format!(
                "{}/api/v1/clients/{id}/contacts/vcard?commit={commit}",
                field.base()
            ))
            .header("x-csrf-token", &field.csrf)
            .header("content-type", "text/vcard")
            .body(file)
            .send()
    };
    let preview: Value = send(false).await.unwrap().json().await.unwrap();
    let statuses: Vec<&str> = preview["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["new", "duplicate", "new", "invalid"]);
    assert_eq!(preview["cards"][0]["name"], "राम पाटील");
    assert_eq!(preview["cards"][3]["errors"][0]["field"], "name");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM contacts").await,
        1,
        "a preview stores nothing"
    );

    let done: Value = send(true).await.unwrap().json().await.unwrap();
    assert_eq!(done["added"], 2);
    let contacts: Vec<Value> = field
        .get(&format!("/api/v1/clients/{id}/contacts"))
        .await
        .json()
        .await
        .unwrap();
    let mut added: Vec<(&str, &str)> = contacts
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["phone"].as_str().or(c["role"].as_str()).unwrap_or(""),
            )
        })
        .collect();
    added.sort();
    assert_eq!(
        added,
        [
            ("Anita Kulkarni", "Accountant"),
            ("Suresh Patil", "+919765432109"),
            ("राम पाटील", "+919822012345")
        ]
    );
    let again: Value = send(true).await.unwrap().json().await.unwrap();
    assert_eq!(again["added"], 0, "a second import adds nothing");
    assert_eq!(
        names(&field, "?q=9822012345").await,
        ["Patil Agro Centre"],
        "imported contacts are searchable"
    );

    let not_vcard = field
        .client
        .post(format!(
            "{}/api/v1/clients/{id}/contacts/vcard",
            field.base()
        ))
        .header("x-csrf-token", &field.csrf)
        .body("name,phone\nRam,9822012345\n")
        .send()
        .await
        .unwrap();
    assert_eq!(not_vcard.status(), 422);
    let huge = field
        .client
        .post(format!(
            "{}/api/v1/clients/{id}/contacts/vcard",
            field.base()
        ))
        .header("x-csrf-token", &field.csrf)
        .body(vec![b'x'; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(huge.headers()["content-type"], "application/problem+json");

    let manager = app.session(&app.a, &app.a.admin).await;
    let form = reqwest::multipart::Form::new()
        .text("_csrf", manager.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                b"BEGIN:VCARD\nFN:Mahesh Jadhav\nTEL:+91 90110 22334\nEND:VCARD\nBEGIN:VCARD\nEMAIL:x\nEND:VCARD\n".to_vec(),
            )
            .file_name("contacts.vcf"),
        );
    let page = manager
        .client
        .post(format!(
            "{}/console/clients/{id}/contacts/vcard",
            manager.base()
        ))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Added 1 contacts"), "{html}");
    assert!(html.contains("Card 2 (no name) was not added"), "{html}");
    assert!(html.contains("Mahesh Jadhav"));
}

/// The caption and the pager links of the console's client list.
fn caption_and_links(page: &str) -> (String, Option<String>, Option<String>) {
    let caption = page
        .split("<caption>")
        .nth(1)
        .and_then(|rest| rest.split("</caption>").next())
        .unwrap_or_default()
        .to_string();
    let link = |rel: &str| {
        page.split(&format!("rel=\"{rel}\" href=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|href| href.replace("&amp;", "&"))
    };
    (caption, link("prev"), link("next"))
}

async fn the_console_list_pages_through_every_client_with_the_true_count(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for n in 0..120 {
        add(
            &admin,
            json!({ "name": format!("Kisan Seva Kendra {n:03}") }),
        )
        .await;
    }
    let hidden = add(&admin, json!({ "name": "Aarti Krushi Kendra" })).await;
    let field = app.session(&app.a, &app.a.field).await;
    add(&field, json!({ "name": "Zenith Agro" })).await;
    let text = |path: String| {
        let admin = &admin;
        async move {
            let response = admin.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let first = text("/console/clients".into()).await;
    let (caption, previous, next) = caption_and_links(&first);
    assert_eq!(caption, "Clients 1–50 of 122");
    assert!(previous.is_none(), "the first page has no previous page");
    assert!(first.contains("Kisan Seva Kendra 000") && !first.contains("Kisan Seva Kendra 049"));
    let second = text(next.expect("a next page")).await;
    let (caption, previous, next) = caption_and_links(&second);
    assert_eq!(caption, "Clients 51–100 of 122");
    assert!(second.contains("Kisan Seva Kendra 049") && !second.contains("Kisan Seva Kendra 048"));
    let third = text(next.expect("a third page")).await;
    let (caption, _, next) = caption_and_links(&third);
    assert_eq!(caption, "Clients 101–122 of 122");
    assert!(next.is_none(), "the last page has no next page");
    assert!(third.contains("Zenith Agro"));
    let back = text(previous.expect("a previous page")).await;
    assert_eq!(caption_and_links(&back).0, "Clients 1–50 of 122");
    assert!(back.contains("Kisan Seva Kendra 000") && !back.contains("Kisan Seva Kendra 049"));

    let newest = text("/console/clients?sort=newest".into()).await;
    let rows: Vec<&str> = newest
        .split("<tr><td><a href=\"/console/clients/")
        .skip(1)
        .collect();
    assert!(rows[0].contains("Zenith Agro"), "newest first");
    assert!(rows[1].contains("Aarti Krushi Kendra") && rows[2].contains("Kisan Seva Kendra 119"));
    let (_, _, next) = caption_and_links(&newest);
    assert!(
        next.as_deref().is_some_and(|n| n.contains("sort=newest")),
        "the order stays"
    );

    let active = text("/console/clients?status=lead".into()).await;
    assert_eq!(
        caption_and_links(&active).0,
        "Clients 1–50 of 122",
        "all are leads"
    );
    let none = text("/console/clients?status=lost".into()).await;
    assert_eq!(caption_and_links(&none).0, "No clients");
    let manager = app.session(&app.a, &app.a.manager).await;
    let team = manager.get("/console/clients").await.text().await.unwrap();
    assert_eq!(
        caption_and_links(&team).0,
        "Clients 1–1 of 1",
        "the manager counts the team's only"
    );
    let own = field
        .get(&format!(
            "/console/clients?after=60.{}",
            hidden["id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        caption_and_links(&own).0,
        "Clients 1–1 of 1",
        "a cursor naming a client the person may not see starts from the top"
    );
    assert!(own.contains("Zenith Agro"));
    let outsider = app.session(&app.b, &app.b.admin).await;
    let other = outsider.get("/console/clients").await.text().await.unwrap();
    assert_eq!(caption_and_links(&other).0, "No clients");
}

async fn map_points(session: &Session, query: &str) -> Value {
    let response = session
        .get(&format!("/console/clients/map/points?{query}"))
        .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

async fn the_client_map_shows_pins_and_clusters_of_what_each_person_sees(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    // 1,200 outlets on a grid around Pune, two far away in Nagpur and one alone in Chennai.
    let mut csv = String::from("name,latitude,longitude\n");
    for i in 0..1_200u32 {
        let (row, column) = (f64::from(i / 40), f64::from(i % 40));
        csv.push_str(&format!(
            "Pune Outlet {i},{:.5},{:.5}\n",
            18.40 + row * 0.01,
            73.70 + column * 0.01
        ));
    }
    csv.push_str("Nagpur Agro,21.1458,79.0882\nNagpur Beej Bhandar,21.1500,79.0900\n");
    csv.push_str("Chennai Seeds,13.0827,80.2707\n");
    let report: Value = import(&admin, csv.as_bytes(), json!({ "commit": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 1_203);
    let field = app.session(&app.a, &app.a.field).await;
    add(
        &field,
        json!({ "name": "Vikas Krishi Seva", "location": { "latitude": 18.45, "longitude": 73.80 } }),
    )
    .await;
    add(&field, json!({ "name": "No Position Traders" })).await;

    let everything = map_points(&admin, "south=8&west=68&north=30&east=90").await;
    assert_eq!(everything["view"]["total"], 1_204);
    assert_eq!(everything["view"]["clustered"], true);
    let clusters = everything["view"]["points"].as_array().unwrap();
    let counted: i64 = clusters.iter().map(|p| p["count"].as_i64().unwrap()).sum();
    assert_eq!(counted, 1_204, "every client is in one cluster");
    assert!(
        clusters.len() >= 2 && clusters.len() < 300,
        "{}",
        clusters.len()
    );
    assert!(
        clusters
            .iter()
            .filter(|p| p["count"] != 1)
            .all(|p| p["id"].is_null()),
        "clusters name no client"
    );
    let alone: Vec<&Value> = clusters.iter().filter(|p| p["count"] == 1).collect();
    assert_eq!(alone.len(), 1, "{alone:?}");
    assert_eq!(
        alone[0]["name"], "Chennai Seeds",
        "a lone client shows as itself"
    );
    assert!(alone[0]["id"].is_string());
    assert!(everything["status"]
        .as_str()
        .unwrap()
        .contains("1204 clients in this view, in"));

    let nagpur = map_points(&admin, "south=21&west=79&north=21.3&east=79.2").await;
    assert_eq!(nagpur["view"]["clustered"], false);
    let pins: Vec<&str> = nagpur["view"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(pins, ["Nagpur Agro", "Nagpur Beej Bhandar"]);
    assert_eq!(nagpur["status"], "2 clients in this view.");
    let searched = map_points(&admin, "q=beej&south=8&west=68&north=30&east=90").await;
    assert_eq!(searched["view"]["total"], 1, "the search filters the map");
    let lost = map_points(&admin, "status=lost&south=8&west=68&north=30&east=90").await;
    assert_eq!(lost["view"]["total"], 0);
    assert_eq!(
        lost["status"],
        "No client in this view: zoom out or move the map."
    );
    let none = admin.get("/console/clients/map?status=lost").await;
    assert!(none
        .text()
        .await
        .unwrap()
        .contains("No client with a position matches."));

    let own = map_points(&field, "south=8&west=68&north=30&east=90").await;
    assert_eq!(
        own["view"]["total"], 1,
        "a field employee maps their own clients"
    );
    assert_eq!(own["view"]["points"][0]["name"], "Vikas Krishi Seva");
    let outsider = app.session(&app.b, &app.b.admin).await;
    let other = map_points(&outsider, "south=8&west=68&north=30&east=90").await;
    assert_eq!(
        other["view"]["total"], 0,
        "another company's clients never show"
    );

    for bad in [
        "south=20&west=70&north=10&east=80",
        "south=10&west=70",
        "south=x&west=1&north=2&east=3",
    ] {
        let response = admin
            .get(&format!("/console/clients/map/points?{bad}"))
            .await;
        assert!(
            [400, 422].contains(&response.status().as_u16()),
            "{bad}: {}",
            response.status()
        );
    }

    let page = admin.get("/console/clients/map?q=nagpur").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("2 clients in this view."), "{html}");
    assert!(html.contains(">Nagpur Agro</a>") && !html.contains("Pune Outlet"));
    let page = field
        .get("/console/clients/map")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(">Vikas Krishi Seva</a>") && !page.contains("Nagpur"));
    let list = admin.get("/console/clients").await.text().await.unwrap();
    assert!(
        list.contains("href=\"/console/clients/map\""),
        "the list links to the map"
    );
}

both_backends!(
    the_client_map_shows_pins_and_clusters_of_what_each_person_sees,
    contacts_come_from_vcard_files,
    types_custom_fields_and_further_phones,
    each_role_sees_the_clients_it_should,
    clients_are_validated,
    a_new_client_reads_back_as_it_was_answered,
    a_code_taken_by_a_concurrent_create_is_a_conflict,
    grouped_creates_and_other_writes_run_side_by_side,
    search_finds_names_codes_phones_contacts_and_tags,
    search_folds_spellings_and_matches_word_starts,
    search_shows_each_role_only_what_it_sees,
    the_search_index_is_rebuilt_when_its_rules_change,
    nearest_clients_come_first_with_their_distance,
    the_timeline_gathers_every_touch_including_offline_ones,
    reassignment_moves_every_client_at_once,
    export_neutralises_formulas,
    console_merges_a_duplicate_and_shows_the_map,
    follow_up_tasks_on_clients,
    website_enquiries_become_assigned_leads,
    enquiry_spam_is_stopped,
    the_html_form_gets_a_page,
    imports_preview_then_commit_only_what_is_confirmed,
    imports_start_from_a_template_and_choose_an_owner,
    merging_keeps_every_contact_and_interaction,
    a_hundred_thousand_rows_are_one_import,
    the_console_list_pages_through_every_client_with_the_true_count,
);

async fn enable_form(app: &TestApp, origins: Value) -> String {
    let admin = app.session(&app.a, &app.a.admin).await;
    let response = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/lead-form",
            Some(json!({ "enabled": true, "allowed_origins": origins })),
        )
        .await;
    assert_eq!(response.status(), 200);
    let form: Value = response.json().await.unwrap();
    assert!(
        form["snippet"]
            .as_str()
            .unwrap()
            .contains("name=\"website\""),
        "the snippet carries the honeypot"
    );
    form["key"].as_str().unwrap().to_string()
}

async fn enquire(app: &TestApp, key: &str, from: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(&format!("/api/v1/public/leads/{key}")))
        .header("x-forwarded-for", from)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn website_enquiries_become_assigned_leads(app: TestApp) {
    let key = enable_form(&app, json!([])).await;
    let first = enquire(
        &app,
        &key,
        "49.36.1.1",
        json!({ "name": "Gupta Seeds", "phone": "98200 11111", "message": "Need 50 bags of DAP" }),
    )
    .await;
    assert_eq!(first.status(), 201);
    enquire(
        &app,
        &key,
        "49.36.1.2",
        json!({ "name": "Patel Agro", "email": "patel@agro.example" }),
    )
    .await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let leads: Vec<Value> = admin
        .get("/api/v1/clients?status=lead")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(leads.len(), 2);
    let owners: Vec<&str> = leads
        .iter()
        .map(|l| l["owners"][0]["id"].as_str().unwrap())
        .collect();
    assert_ne!(owners[0], owners[1], "round robin among field employees");
    let gupta = leads.iter().find(|l| l["name"] == "Gupta Seeds").unwrap();
    let timeline: Vec<Value> = admin
        .get(&format!(
            "/api/v1/clients/{}/timeline",
            gupta["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(timeline[0]["body"], "Need 50 bags of DAP");
    let assignee = if gupta["owners"][0]["id"] == app.a.field.id.to_string() {
        &app.a.field
    } else {
        &app.a.other_field
    };
    let device = app.device(&app.a, assignee).await;
    let pull: Value = device
        .get("/api/v1/sync/pull?cursor=0")
        .await
        .json()
        .await
        .unwrap();
    assert!(pull["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["title"] == "New lead: Gupta Seeds"));

    let field = app.session(&app.a, &app.a.field).await;
    add(
        &field,
        json!({ "name": "Existing Nashik Client", "territory": "Nashik" }),
    )
    .await;
    enquire(
        &app,
        &key,
        "49.36.1.3",
        json!({ "name": "Nashik Newcomer", "phone": "9820022222", "city": "nashik" }),
    )
    .await;
    let nashik: Vec<Value> = admin
        .get("/api/v1/clients?q=newcomer")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        nashik[0]["owners"][0]["id"],
        app.a.field.id.to_string(),
        "the territory's owner gets the lead"
    );
}

async fn enquiry_spam_is_stopped(app: TestApp) {
    let key = enable_form(&app, json!(["https://www.alpha-traders.example"])).await;
    let good = json!({ "name": "Real Shop", "phone": "9820033333" });
    let no_origin = enquire(&app, &key, "49.36.2.1", good.clone()).await;
    assert_eq!(no_origin.status(), 403);
    assert_eq!(
        problem(no_origin).await["type"],
        "/problems/origin-not-allowed"
    );
    let post = |origin: &'static str, from: &'static str, body: Value| {
        reqwest::Client::new()
            .post(app.url(&format!("/api/v1/public/leads/{key}")))
            .header("origin", origin)
            .header("x-forwarded-for", from)
            .json(&body)
            .send()
    };
    assert_eq!(
        post("https://evil.example", "49.36.2.2", good.clone())
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(
            "https://www.alpha-traders.example",
            "49.36.2.3",
            good.clone()
        )
        .await
        .unwrap()
        .status(),
        201
    );
    let bot =
        json!({ "name": "Cheap Pills", "phone": "9820044444", "website": "http://spam.example" });
    assert_eq!(
        post("https://www.alpha-traders.example", "49.36.2.4", bot)
            .await
            .unwrap()
            .status(),
        201
    );
    let invalid = post(
        "https://www.alpha-traders.example",
        "49.36.2.5",
        json!({ "name": "No Way To Reply" }),
    )
    .await
    .unwrap();
    assert_eq!(invalid.status(), 422);
    assert_eq!(fields(&problem(invalid).await), vec!["phone"]);
    let mut last = 0;
    for _ in 0..11 {
        last = post(
            "https://www.alpha-traders.example",
            "49.36.2.6",
            json!({ "name": "Flood", "phone": "x" }),
        )
        .await
        .unwrap()
        .status()
        .as_u16();
    }
    assert_eq!(last, 429, "ten enquiries an hour per address");
    let stored = app.count("SELECT COUNT(*) FROM clients").await;
    assert_eq!(stored, 1, "only the real enquiry became a lead");
    assert_eq!(
        enquire(&app, "not-a-key", "49.36.2.7", good).await.status(),
        404
    );
}

async fn the_html_form_gets_a_page(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let page = admin
        .form(
            "/console/settings/lead-form",
            &[("enabled", "on"), ("allowed_origins", "")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/api/v1/public/leads/") && page.contains("Paste this into your website"),
        "{page}"
    );
    let key = enable_form(&app, json!([])).await;
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/public/leads/{key}")))
        .header("x-forwarded-for", "49.36.3.1")
        .form(&[
            ("name", "Form Shop"),
            ("phone", "9820055555"),
            ("email", ""),
            ("website", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("Your enquiry has reached us"));
    let broken = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/public/leads/{key}")))
        .header("x-forwarded-for", "49.36.3.2")
        .form(&[("name", "Form Shop"), ("phone", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 422);
    assert!(broken
        .text()
        .await
        .unwrap()
        .contains("phone is not a valid phone number"));
    let in_hindi = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/public/leads/{key}")))
        .header("x-forwarded-for", "49.36.3.4")
        .header("accept-language", "hi-IN,hi;q=0.9")
        .form(&[("name", "Form Shop"), ("phone", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(in_hindi.status(), 422);
    let page = in_hindi.text().await.unwrap();
    assert!(
        page.contains(r#"<html lang="hi">"#) && page.contains("पूछताछ भेजी नहीं जा सकी"),
        "a visitor whose browser asks for Hindi reads the failure in Hindi: {page}"
    );
    let admin = app.session(&app.a, &app.a.admin).await;
    admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/company/lead-form",
            Some(json!({ "enabled": false })),
        )
        .await;
    let closed = enquire(
        &app,
        &key,
        "49.36.3.3",
        json!({ "name": "Late", "phone": "9820066666" }),
    )
    .await;
    assert_eq!(closed.status(), 404);
}

fn csv_part(content: &[u8], options: Value) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(content.to_vec()).file_name("clients.csv"),
        )
        .text("options", options.to_string())
}

async fn import(session: &Session, content: &[u8], options: Value) -> reqwest::Response {
    session
        .client
        .post(format!("{}/api/v1/clients/import", session.base()))
        .header("x-csrf-token", &session.csrf)
        .multipart(csv_part(content, options))
        .send()
        .await
        .unwrap()
}

async fn imports_preview_then_commit_only_what_is_confirmed(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    add(
        &admin,
        json!({ "name": "Already Here", "phone": "+91 98200 77777" }),
    )
    .await;
    let mut csv = b"Shop Name;Mobile No.;GST No;Area;Owner;Latitude;Longitude\n".to_vec();
    csv.extend_from_slice(b"Caf\xe9 Sharma;98200 11111;27AAPFU0939F1ZV;Pune;field@alpha-traders.example;18.52;73.85\n");
    csv.extend_from_slice(b"Bad Phone Traders;12345;;Pune;;;\n");
    csv.extend_from_slice(b"Copy Of Existing;9820077777;;Pune;;;\n");
    csv.extend_from_slice(b"\"Broken \"quote\" Stores\";9820088888;;Nashik;;;\n");
    csv.extend_from_slice(
        b"=HYPERLINK(\"http://evil\");9820099999;;Pune;nobody@nowhere.example;;\n",
    );
    let before = app.snapshot().await;
    let preview = import(&admin, &csv, json!({})).await;
    assert_eq!(preview.status(), 200);
    let report: Value = preview.json().await.unwrap();
    assert_eq!(report["encoding"], "windows-1252");
    assert_eq!(report["rows"], 5);
    assert_eq!(report["mapping"]["phone"], "Mobile No.");
    assert_eq!(report["duplicates"][0]["row"], 4);
    assert_eq!(report["duplicates"][0]["on"], "phone");
    assert_eq!(report["duplicates"][0]["matches"], "Already Here");
    let error_rows: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(error_rows, [(3, "phone"), (6, "owner_email")]);
    assert_eq!(report["valid"], 2);
    assert_eq!(report["preview"][0]["name"], "Café Sharma");
    assert_eq!(app.snapshot().await, before, "a preview stores nothing");

    let refused = import(&admin, &csv, json!({ "commit": true })).await;
    assert_eq!(refused.status(), 422);
    assert!(fields(&problem(refused).await).contains(&"row 3.phone".to_string()));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM clients").await,
        1,
        "nothing partial without confirmation"
    );

    let committed: Value = import(
        &admin,
        &csv,
        json!({ "commit": true, "commit_valid_rows": true }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(committed["created"], 2);
    let field = app.session(&app.a, &app.a.field).await;
    assert_eq!(
        names(&field, "?q=sharma").await,
        ["Café Sharma"],
        "the owner column assigns the client"
    );
    assert_eq!(names(&admin, "?q=nashik").await.len(), 1);
    let again: Value = import(&admin, &csv, json!({})).await.json().await.unwrap();
    assert_eq!(
        again["valid"], 0,
        "a second import finds everything already there"
    );
    let not_admin = import(&field, &csv, json!({})).await;
    assert_eq!(not_admin.status(), 403);
}

/// The import page offers a template whose headings Outfield recognises; rows without an owner go to
/// the person chosen (one of the company's, never another's); a client already known by its name and
/// area is a duplicate, however its name is spaced or cased.
async fn imports_start_from_a_template_and_choose_an_owner(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let page = admin
        .get("/console/clients/import")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"href="/console/clients/import/template.csv""#));
    let template = admin.get("/console/clients/import/template.csv").await;
    assert_eq!(template.status(), 200);
    assert!(template.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("outfield-clients-template.csv"));
    let csv = template.bytes().await.unwrap();
    assert!(csv.starts_with(b"\"Name\",\"Code\",\"Type\""));
    let preview: Value = import(&admin, &csv, json!({})).await.json().await.unwrap();
    assert_eq!(
        (preview["valid"].as_i64(), preview["invalid"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        preview["mapping"].as_object().unwrap().len(),
        14,
        "every heading maps"
    );

    let foreign = import(
        &admin,
        &csv,
        json!({ "commit": true, "default_owner": app.b.field.id }),
    )
    .await;
    assert_eq!(foreign.status(), 422);
    assert!(fields(&problem(foreign).await).contains(&"default_owner".to_string()));
    let committed: Value = import(
        &admin,
        &csv,
        json!({ "commit": true, "default_owner": app.a.field.id }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(committed["created"], 1);
    let field = app.session(&app.a, &app.a.field).await;
    assert_eq!(
        names(&field, "?q=ganesh").await,
        ["Shree Ganesh Kirana"],
        "the chosen owner has it"
    );

    let again = b"Name,Area\n  shree GANESH   kirana ,hadapsar\nShree Ganesh Kirana,Kothrud\n";
    let report: Value = import(&admin, again, json!({})).await.json().await.unwrap();
    assert_eq!(report["duplicates"][0]["row"], 2);
    assert_eq!(report["duplicates"][0]["on"], "name and area");
    assert_eq!(report["duplicates"][0]["matches"], "Shree Ganesh Kirana");
    assert_eq!(
        report["valid"], 1,
        "the same name in another area is another shop"
    );
}

async fn a_hundred_thousand_rows_are_one_import(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let mut csv = String::from("name,code,phone,territory\n");
    for i in 0..100_000u32 {
        csv.push_str(&format!(
            "Outlet {i},C{i:06},+9198{:08},Zone {}\n",
            10_000_000 + i,
            i % 50
        ));
    }
    let report: Value = import(&admin, csv.as_bytes(), json!({ "commit": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["created"], 100_000);
    assert_eq!(app.count("SELECT COUNT(*) FROM clients").await, 100_000);
    csv.push_str("One Too Many,X,,\n");
    let too_many = import(&admin, csv.as_bytes(), json!({})).await;
    assert_eq!(too_many.status(), 422);
}

async fn merging_keeps_every_contact_and_interaction(app: TestApp) {
    let field = app.session(&app.a, &app.a.field).await;
    let keep = add(
        &field,
        json!({ "name": "Shree Krishna Traders", "phone": "+91 98220 12345" }),
    )
    .await;
    let copy = add(&field, json!({ "name": "Sri Krishna Traders", "email": "krishna@traders.example", "address": "Market Yard, Pune" })).await;
    let (keep_id, copy_id) = (
        keep["id"].as_str().unwrap().to_string(),
        copy["id"].as_str().unwrap().to_string(),
    );
    field
        .post(
            &format!("/api/v1/clients/{copy_id}/contacts"),
            json!({ "name": "Mahesh Deshpande" }),
        )
        .await;
    field
        .post(
            &format!("/api/v1/clients/{copy_id}/interactions"),
            json!({ "kind": "visit", "body": "Visited the copy" }),
        )
        .await;
    field
        .post(
            &format!("/api/v1/clients/{keep_id}/interactions"),
            json!({ "kind": "call", "body": "Called the original" }),
        )
        .await;
    let by_field = field
        .post(
            &format!("/api/v1/clients/{keep_id}/merge"),
            json!({ "duplicate_id": copy_id }),
        )
        .await;
    assert_eq!(by_field.status(), 403, "field employees do not merge");
    let manager = app.session(&app.a, &app.a.manager).await;
    let itself = manager
        .post(
            &format!("/api/v1/clients/{keep_id}/merge"),
            json!({ "duplicate_id": keep_id }),
        )
        .await;
    assert_eq!(itself.status(), 422);
    let merged = manager
        .post(
            &format!("/api/v1/clients/{keep_id}/merge"),
            json!({ "duplicate_id": copy_id }),
        )
        .await;
    assert_eq!(merged.status(), 200);
    let merged: Value = merged.json().await.unwrap();
    assert_eq!(
        merged["email"], "krishna@traders.example",
        "empty fields are filled from the duplicate"
    );
    assert_eq!(merged["phone"], "+919822012345", "filled fields are kept");
    assert_eq!(
        manager
            .get(&format!("/api/v1/clients/{copy_id}"))
            .await
            .status(),
        404
    );
    let timeline: Vec<Value> = manager
        .get(&format!("/api/v1/clients/{keep_id}/timeline"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(timeline.len(), 2);
    let contacts: Vec<Value> = manager
        .get(&format!("/api/v1/clients/{keep_id}/contacts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts[0]["name"], "Mahesh Deshpande");
    assert_eq!(
        names(&field, "?q=deshpande").await,
        ["Shree Krishna Traders"]
    );
    assert_eq!(app.audit_count("client.merged").await, 1);
}
