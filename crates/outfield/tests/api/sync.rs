//! The sync protocol: exactly-once storage under replays, interleaved retries and a killed server;
//! per-record answers; consent ledger and privacy notice versions.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{
    fresh_postgres_url, postgres_skipped, problem, temp_dir, Backend, Session, TempDir, TestApp,
};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn note(id: Uuid, text: &str) -> Value {
    json!({ "id": id, "kind": "note", "device_time": now_ms(), "payload": { "text": text } })
}

fn notes(count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            note(
                Uuid::now_v7(),
                &format!("Visited outlet {i}, asked for 4 cartons"),
            )
        })
        .collect()
}

async fn push(session: &Session, records: &[Value]) -> Vec<Value> {
    let response = session
        .post("/api/v1/sync/push", json!({ "records": records }))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

fn statuses(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect()
}

async fn replays_are_duplicates_and_reused_ids_are_refused(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let batch = notes(3);
    assert_eq!(statuses(&push(&device, &batch).await), ["accepted"; 3]);
    assert_eq!(statuses(&push(&device, &batch).await), ["duplicate"; 3]);
    let mut changed = batch[1].clone();
    changed["payload"]["text"] = json!("something else");
    let results = push(&device, &[changed]).await;
    assert_eq!(results[0]["status"], "rejected");
    assert_eq!(
        results[0]["reason"],
        "this id was already used for a different record"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM notes").await, 3);
    let stored = app
        .count("SELECT COUNT(*) FROM notes WHERE body = 'something else'")
        .await;
    assert_eq!(stored, 0, "the stored record was not overwritten");
}

/// An id taken by a record made elsewhere (an interaction logged in the console) is answered as an
/// unusable id, and the rest of the batch is stored: never a failed push.
async fn an_id_taken_outside_the_ledger_is_unusable_not_a_failure(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let client = admin.add_client("Shree Traders", app.a.field.id).await;
    let logged: Value = admin
        .post(
            &format!(
                "/api/v1/clients/{}/interactions",
                client["id"].as_str().unwrap()
            ),
            json!({ "kind": "call", "body": "Asked for the price list" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let device = app.device(&app.a, &app.a.field).await;
    let reused = json!({ "id": logged["id"], "kind": "interaction", "device_time": now_ms(),
        "payload": { "client_id": client["id"], "kind": "call", "body": "Called back" } });
    let fine = note(Uuid::now_v7(), "Stock counted");
    let results = push(&device, &[reused, fine]).await;
    assert_eq!(statuses(&results), ["rejected", "accepted"]);
    assert_eq!(
        results[0]["reason"],
        "id cannot be used for a record: give the record a new id"
    );
}

async fn one_bad_record_never_blocks_the_others(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let good = note(Uuid::now_v7(), "Good one");
    let records = vec![
        json!({ "id": Uuid::now_v7(), "kind": "teleport", "device_time": now_ms(), "payload": {} }),
        json!({ "kind": "note", "payload": { "text": "no id" } }),
        json!("not even an object"),
        json!({ "id": Uuid::now_v7(), "kind": "note", "device_time": 1_000, "payload": { "text": "1970" } }),
        json!({ "id": Uuid::now_v7(), "kind": "note", "device_time": now_ms() + 10 * 86_400_000i64, "payload": { "text": "future" } }),
        json!({ "id": Uuid::now_v7(), "kind": "note", "device_time": now_ms(), "payload": { "text": "" } }),
        json!({ "id": Uuid::now_v7(), "kind": "note", "device_time": now_ms(), "payload": { "text": "x", "extra": 1 } }),
        good.clone(),
        good.clone(),
    ];
    let results = push(&device, &records).await;
    assert_eq!(
        statuses(&results),
        [
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "accepted",
            "duplicate"
        ]
    );
    assert!(results[0]["reason"]
        .as_str()
        .unwrap()
        .contains("unknown record type 'teleport'"));
    assert!(
        results[1]["reason"]
            .as_str()
            .unwrap()
            .contains("missing field `id`"),
        "{}",
        results[1]
    );
    assert!(results[3]["reason"].as_str().unwrap().contains("clock"));
    assert_eq!(results[7]["id"], good["id"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM notes").await, 1);
}

async fn hours_of_clock_skew_are_kept_not_refused(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let behind = json!({ "id": Uuid::now_v7(), "kind": "note", "device_time": now_ms() - 5 * 3_600_000, "payload": { "text": "slow clock" } });
    let ahead = json!({ "id": Uuid::now_v7(), "kind": "note", "device_time": now_ms() + 5 * 3_600_000, "payload": { "text": "fast clock" } });
    assert_eq!(
        statuses(&push(&device, &[behind, ahead]).await),
        ["accepted", "accepted"]
    );
    let skewed = app
        .count("SELECT COUNT(*) FROM notes WHERE ABS(device_time - received_at) > 4 * 3600000")
        .await;
    assert_eq!(skewed, 2, "device time and server time are both kept");
}

async fn interleaved_retries_store_each_record_once(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let batch = notes(200);
    let (first, second, third) = tokio::join!(
        push(&device, &batch[..150]),
        push(&device, &batch[50..]),
        push(&device, &batch)
    );
    for results in [&first, &second, &third] {
        assert!(statuses(results)
            .iter()
            .all(|s| s == "accepted" || s == "duplicate"));
    }
    let accepted = [&first, &second, &third]
        .iter()
        .flat_map(|r| statuses(r))
        .filter(|s| s == "accepted")
        .count();
    assert_eq!(
        accepted, 200,
        "each record accepted exactly once across the three pushes"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM notes").await, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM sync_records").await, 200);
}

async fn oversized_batches_are_refused_whole(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let response = device
        .post("/api/v1/sync/push", json!({ "records": notes(1001) }))
        .await;
    assert_eq!(response.status(), 413);
    let huge: Vec<Value> = (0..600)
        .map(|_| note(Uuid::now_v7(), &"x".repeat(3900)))
        .collect();
    let response = device
        .post("/api/v1/sync/push", json!({ "records": huge }))
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        problem(response).await["type"],
        "/problems/payload-too-large"
    );
    let corrupt = device
        .client
        .post(app.url("/api/v1/sync/push"))
        .header("content-type", "application/json")
        .body(r#"{"records": [{"id": "01938a4e-0000-7000-8000-00000000000"#)
        .send()
        .await
        .unwrap();
    assert_eq!(corrupt.status(), 400);
    assert_eq!(app.count("SELECT COUNT(*) FROM notes").await, 0);
}

async fn a_revoked_token_is_told_so(app: TestApp) {
    let (device_id, token) = app.device_token(&app.a, &app.a.field).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    admin
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/people/{}/devices/{device_id}", app.a.field.id),
            None,
        )
        .await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/sync/push"))
        .bearer_auth(token)
        .json(&json!({ "records": notes(1) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(problem(response).await["type"], "/problems/unauthorized");
}

async fn consent_ledger_and_notice_versions(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let consent = |permission: &str, decision: &str, version: i64| {
        json!({ "id": Uuid::now_v7(), "kind": "consent", "device_time": now_ms(),
                "payload": { "permission": permission, "decision": decision, "policy_version": version } })
    };
    let results = push(
        &device,
        &[
            consent("location", "granted", 1),
            consent("camera", "granted", 2),
            consent("camera", "maybe", 1),
        ],
    )
    .await;
    assert_eq!(statuses(&results), ["accepted", "rejected", "rejected"]);
    assert!(results[1]["reason"]
        .as_str()
        .unwrap()
        .contains("between 1 and 1"));
    let pull: Value = device
        .get("/api/v1/sync/pull?cursor=0")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pull["privacy_notice"]["version"], 1);
    let location = pull["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["permission"] == "location")
        .unwrap();
    assert_eq!(location["decision"], "granted");
    let camera = pull["consents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["permission"] == "camera")
        .unwrap();
    assert_eq!(camera["decision"], "revoked");

    let admin = app.session(&app.a, &app.a.admin).await;
    let published = admin
        .send(
            reqwest::Method::PUT,
            "/api/v1/privacy/notice",
            Some(json!({ "body": "Version two of our notice: location only on duty." })),
        )
        .await;
    assert_eq!(published.status(), 200);
    let pull: Value = device
        .get(&format!("/api/v1/sync/pull?cursor={}", pull["cursor"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pull["privacy_notice"]["version"], 2);
    assert_eq!(pull["notifications"][0]["kind"], "privacy_notice_changed");
    let again: Value = device
        .get(&format!("/api/v1/sync/pull?cursor={}", pull["cursor"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["notifications"].as_array().unwrap().len(),
        0,
        "the cursor moved past it"
    );

    push(&device, &[consent("location", "revoked", 2)]).await;
    let ledger: Vec<Value> = admin
        .get(&format!("/api/v1/people/{}/consents", app.a.field.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0]["decision"], "revoked");
    assert_eq!(ledger[0]["policy_version"], 2);
    let audit = app.audit_count("privacy.consent_%").await;
    assert_eq!(audit, 2);
    let console = admin.get("/console/privacy").await.text().await.unwrap();
    assert!(
        console.contains("Withdrawn") && console.contains("version 2"),
        "{console}"
    );
}

both_backends!(
    an_id_taken_outside_the_ledger_is_unusable_not_a_failure,
    replays_are_duplicates_and_reused_ids_are_refused,
    one_bad_record_never_blocks_the_others,
    hours_of_clock_skew_are_kept_not_refused,
    interleaved_retries_store_each_record_once,
    oversized_batches_are_refused_whole,
    a_revoked_token_is_told_so,
    consent_ledger_and_notice_versions,
);

/// A server process that can be killed with SIGKILL.
struct Process {
    child: Child,
    base: String,
}

fn spawn(data_dir: &std::path::Path, database_url: Option<&str>, port: u16) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_outfield"));
    command
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .env("OUTFIELD_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    Process {
        child: command.spawn().unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(process: &Process) {
    for _ in 0..500 {
        if let Ok(response) = reqwest::get(format!("{}/healthz", process.base)).await {
            if response.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("server did not start");
}

/// A data folder, a fresh database of the backend and a free port for a server process of its own.
struct Fresh {
    dir: TempDir,
    database_url: Option<String>,
    port: u16,
}

async fn fresh(backend: Backend) -> Fresh {
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh_postgres_url().await),
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Fresh {
        dir: temp_dir(),
        database_url,
        port,
    }
}

/// A direct connection to the database a stopped server process used.
async fn connect(dir: &TempDir, database_url: Option<String>) -> sqlx::AnyConnection {
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}/outfield.db", dir.0.display()));
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap()
}

async fn killed_server_loses_and_duplicates_nothing(backend: Backend) {
    let Fresh {
        dir,
        database_url,
        port,
    } = fresh(backend).await;
    let mut server = spawn(&dir.0, database_url.as_deref(), port);
    wait_ready(&server).await;
    let client = reqwest::Client::new();
    let issued: Value = client
        .post(format!("{}/api/v1/device-tokens", server.base))
        .json(&json!({ "company": "sharma-agro", "login": "vikram.singh@sharma-agro.in", "password": "field-employee-demo-2026", "device_label": "test" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap().to_string();
    let mut sent = Vec::new();
    for delay_ms in [0u64, 1, 3, 6, 10, 20, 40, 80] {
        let batch = notes(400);
        sent.extend(batch.iter().map(|r| r["id"].as_str().unwrap().to_string()));
        let request = client
            .post(format!("{}/api/v1/sync/push", server.base))
            .bearer_auth(&token)
            .json(&json!({ "records": batch }))
            .send();
        let in_flight = tokio::spawn(request);
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        let _ = in_flight.await;
        server = spawn(&dir.0, database_url.as_deref(), port);
        wait_ready(&server).await;
        let retry: Value = client
            .post(format!("{}/api/v1/sync/push", server.base))
            .bearer_auth(&token)
            .json(&json!({ "records": batch }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let results = retry["results"].as_array().unwrap();
        assert!(
            results
                .iter()
                .all(|r| r["status"] == "accepted" || r["status"] == "duplicate"),
            "after a kill at {delay_ms} ms"
        );
    }
    let admin = client
        .post(format!("{}/api/v1/sessions", server.base))
        .json(&json!({ "company": "sharma-agro", "login": "priya.nair@sharma-agro.in", "password": "admin-demo-2026" }));
    assert_eq!(admin.send().await.unwrap().status(), 201);
    let me: Value = client
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stored: Vec<Value> = client
        .get(format!(
            "{}/api/v1/people/{}/notes",
            server.base,
            me["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored.len(), 500, "the newest 500 notes are listed");
    let sent_ids: std::collections::HashSet<&str> = sent.iter().map(String::as_str).collect();
    let listed: std::collections::HashSet<&str> =
        stored.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), 500, "no note listed twice");
    assert!(
        listed.is_subset(&sent_ids),
        "every listed note is one that was sent"
    );
    let mut conn = connect(&dir, database_url).await;
    let (total, distinct): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT id) FROM notes")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(total, sent.len() as i64, "every record stored");
    assert_eq!(distinct, total, "no record stored twice");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_loses_and_duplicates_nothing_sqlite() {
    killed_server_loses_and_duplicates_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_loses_and_duplicates_nothing_postgres() {
    if postgres_skipped("killed_server_loses_and_duplicates_nothing_postgres") {
        return;
    }
    killed_server_loses_and_duplicates_nothing(Backend::Postgres).await;
}

/// The demo company as `serve --demo` makes it reads like a real one: days start at varied times around
/// the start of work, visit reports vary, some check-ins were far, clients have phones and addresses, and
/// the team joined before the history it shows.
async fn the_demo_company_reads_like_a_real_one(backend: Backend) {
    let Fresh {
        dir,
        database_url,
        port,
    } = fresh(backend).await;
    let mut server = spawn(&dir.0, database_url.as_deref(), port);
    wait_ready(&server).await;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let mut conn = connect(&dir, database_url).await;
    let starts: Vec<i64> = sqlx::query_scalar(
        "SELECT d.start_device_time FROM duty_days d JOIN people p ON p.company_id = d.company_id \
         AND p.id = d.person_id WHERE p.email = 'vikram.singh@sharma-agro.in' AND d.ended_at IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let minutes: std::collections::BTreeSet<u32> = starts
        .iter()
        .map(|ms| {
            use chrono::Timelike;
            let local = chrono::DateTime::from_timestamp_millis(*ms)
                .unwrap()
                .with_timezone(&chrono_tz::Asia::Kolkata);
            local.hour() * 60 + local.minute()
        })
        .collect();
    assert!(
        starts.len() >= 20,
        "a month of working days: {}",
        starts.len()
    );
    assert!(minutes.len() >= 10, "start times vary: {minutes:?}");
    assert!(
        minutes.iter().all(|m| (9 * 60..10 * 60).contains(m)),
        "every day starts between 09:00 and 10:00: {minutes:?}"
    );
    let (notes, far): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(DISTINCT notes), SUM(CASE WHEN in_verdict = 'out_of_range' THEN 1 ELSE 0 END) FROM visits",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(notes >= 6, "visit reports vary: {notes} different notes");
    assert!(far >= 1, "some check-ins were made from too far away");
    let bare: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM clients WHERE phone IS NULL OR address IS NULL")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(bare, 0, "every demo client has a phone and an address");
    let newest: i64 = sqlx::query_scalar("SELECT MAX(created_at) FROM people")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(
        newest < now_ms() - 30 * 86_400_000,
        "the team joined before the 30 days of history"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_company_reads_like_a_real_one_sqlite() {
    the_demo_company_reads_like_a_real_one(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_company_reads_like_a_real_one_postgres() {
    if postgres_skipped("the_demo_company_reads_like_a_real_one_postgres") {
        return;
    }
    the_demo_company_reads_like_a_real_one(Backend::Postgres).await;
}
