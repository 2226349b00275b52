//! Limits under concurrency: sign-in attempts sent at the same moment are counted one after the other, so
//! no more of them reach the password check than the limits allow; known devices keep their allowance
//! when an address is capped; and on SQLite, writes wait for another process that holds the write lock.

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, PASSWORD};

/// One sign-in attempt from a browser no one signed in from before, from `address`.
async fn stranger_attempt(app: &TestApp, address: &str, login: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .header("x-forwarded-for", address)
        .json(&json!({ "company": app.a.slug, "login": login, "password": "wrong password!" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// (answers 401, answers 429) of a set of statuses; anything else fails the test.
fn checked_and_refused(statuses: &[u16]) -> (usize, usize) {
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, statuses.len(), "{statuses:?}");
    (checked, refused)
}

async fn simultaneous_wrong_passwords_for_one_person_reach_the_check_five_times(app: TestApp) {
    let attempts = (0..300).map(|i| {
        let address = format!("49.36.{}.{}", i / 250, i % 250 + 1);
        let login = app.a.manager.email.clone();
        let app = &app;
        async move { stranger_attempt(app, &address, &login).await }
    });
    let started = std::time::Instant::now();
    let statuses = join_all(attempts).await;
    // After the five free failures each attempt waits 1, 2, 4 … s after the previous one: in a burst
    // that took t seconds to answer, at most log2(t + 1) more could have been checked.
    let later = (started.elapsed().as_secs_f64() + 1.0).log2().floor() as usize;
    let (checked, refused) = checked_and_refused(&statuses);
    assert!(
        (5..=5 + later).contains(&checked),
        "{checked} checked: the five free failures, however many arrive at once (+{later} by time)"
    );
    assert_eq!(refused, 300 - checked);
    assert_eq!(
        app.audit_count("auth.sign_in_failed").await,
        checked as i64,
        "one audit entry per password checked"
    );
    let counted = app
        .count(&format!(
            "SELECT COUNT(*) FROM rate_events WHERE limit_key = 'person:{}:{}'",
            app.a.company_id, app.a.manager.id
        ))
        .await;
    assert_eq!(counted, checked as i64);
}

async fn simultaneous_attempts_from_one_address_stop_at_its_cap(app: TestApp) {
    let address = "49.36.77.7";
    app.record_failures(&format!("address:{address}"), 295, 600_000)
        .await;
    let attempts = (0..40).map(|i| {
        let login = format!("guess{i}@alpha-traders.example");
        let app = &app;
        async move { stranger_attempt(app, address, &login).await }
    });
    let statuses = join_all(attempts).await;
    let (checked, refused) = checked_and_refused(&statuses);
    assert_eq!(checked, 5, "300 an hour from one address, not one more");
    assert_eq!(refused, 35);
}

async fn a_capped_address_does_not_lock_out_known_devices(app: TestApp) {
    // The owner's browser and a field employee's phone signed in before, from the office's address.
    let office = "49.36.50.1";
    let sign_in = |client: &reqwest::Client, route: &str, login: &str, password: &str| {
        let mut body = json!({ "company": app.a.slug, "login": login, "password": password });
        if route == "/api/v1/device-tokens" {
            body["device_label"] = json!("Redmi Note 12");
        }
        client
            .post(app.url(route))
            .header("x-forwarded-for", office)
            .json(&body)
            .send()
    };
    let owners_browser = app.browser();
    let phone = app.browser();
    let first = sign_in(
        &owners_browser,
        "/api/v1/sessions",
        &app.a.owner.email,
        PASSWORD,
    );
    assert_eq!(first.await.unwrap().status(), 201);
    let first = sign_in(
        &phone,
        "/api/v1/device-tokens",
        &app.a.field.email,
        PASSWORD,
    );
    assert_eq!(first.await.unwrap().status(), 201);

    // Someone behind the same address guesses until the address is capped.
    app.record_failures(&format!("address:{office}"), 300, 60_000)
        .await;
    assert_eq!(
        stranger_attempt(&app, office, &app.a.admin.email).await,
        429,
        "strangers at the address are refused"
    );
    let stranger_right = sign_in(
        &app.browser(),
        "/api/v1/sessions",
        &app.a.admin.email,
        PASSWORD,
    );
    assert_eq!(stranger_right.await.unwrap().status(), 429);

    let owner = sign_in(
        &owners_browser,
        "/api/v1/sessions",
        &app.a.owner.email,
        PASSWORD,
    );
    assert_eq!(owner.await.unwrap().status(), 201, "the owner's browser");
    let field = sign_in(
        &phone,
        "/api/v1/device-tokens",
        &app.a.field.email,
        PASSWORD,
    );
    assert_eq!(field.await.unwrap().status(), 201, "the employee's phone");
    // A typo on a known device is its own failure, checked and counted against the device only.
    let typo = sign_in(&phone, "/api/v1/device-tokens", &app.a.field.email, "typo");
    assert_eq!(typo.await.unwrap().status(), 401);
    let address_count = app
        .count(&format!(
            "SELECT COUNT(*) FROM rate_events WHERE limit_key = 'address:{office}'"
        ))
        .await;
    assert_eq!(
        address_count, 300,
        "known devices add nothing to the address"
    );
}

async fn a_correct_password_takes_back_its_count_against_the_address(app: TestApp) {
    let address = "49.36.60.1";
    for member in [&app.a.owner, &app.a.admin, &app.a.manager] {
        let response = reqwest::Client::new()
            .post(app.url("/api/v1/sessions"))
            .header("x-forwarded-for", address)
            .json(&json!({ "company": app.a.slug, "login": member.email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    assert_eq!(
        stranger_attempt(&app, address, &app.a.owner.email).await,
        401
    );
    let counted = app
        .count(&format!(
            "SELECT COUNT(*) FROM rate_events WHERE limit_key = 'address:{address}'"
        ))
        .await;
    assert_eq!(counted, 1, "only the failure counts against the address");
}

both_backends!(
    simultaneous_wrong_passwords_for_one_person_reach_the_check_five_times,
    simultaneous_attempts_from_one_address_stop_at_its_cap,
    a_capped_address_does_not_lock_out_known_devices,
    a_correct_password_takes_back_its_count_against_the_address,
);

/// Takes SQLite's write lock from a connection of its own, as another process would.
async fn take_write_lock(database_url: &str) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(database_url).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE; INSERT INTO rate_events (limit_key, at) VALUES ('held', 0)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// Releases the lock after `hold`.
async fn release_write_lock(mut conn: sqlx::SqliteConnection, hold: Duration) {
    tokio::time::sleep(hold).await;
    sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
}

/// On SQLite, every write waits for another process that holds the write lock (within the busy
/// timeout) and then succeeds: none fails at once with "database is locked".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_wait_for_another_process_holding_the_write_lock_sqlite() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let client = admin.add_client("Shree Traders", app.a.field.id).await;
    let id = client["id"].as_str().unwrap().to_string();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();

    let field = app.a.field.id;
    let paths = [
        format!("/api/v1/clients/{id}/tasks"),
        format!("/api/v1/clients/{id}/interactions"),
        format!("/api/v1/clients/{id}/contacts"),
        format!("/api/v1/people/{field}"),
        format!("/api/v1/people/{field}/reset-link"),
        format!("/api/v1/people/{field}/leave/{tomorrow}"),
    ];
    let lock = take_write_lock(&app.database_url).await;
    let (_, task, interaction, contact, renamed, invited, reset, leave, company) = tokio::join!(
        release_write_lock(lock, Duration::from_secs(3)),
        admin.post(
            &paths[0],
            json!({ "title": "Collect payment", "due_on": "2099-01-01" }),
        ),
        admin.post(
            &paths[1],
            json!({ "kind": "call", "body": "Asked for the new price list" }),
        ),
        admin.post(
            &paths[2],
            json!({ "name": "Mahesh Deshpande", "phone": "9890011122" }),
        ),
        admin.patch(&paths[3], json!({ "name": "Field Employee Renamed" }),),
        admin.post(
            "/api/v1/people",
            json!({ "name": "Ravi Kumar", "email": "ravi@alpha-traders.example",
                    "role": "field_employee" }),
        ),
        admin.post(&paths[4], json!({})),
        manager.send(
            reqwest::Method::PUT,
            &paths[5],
            Some(json!({ "note": "Sick leave" })),
        ),
        // What `outfield company create` does beside a running server.
        crate::helpers::create_company(&app.db, "gupta-pharma", "Gupta Pharma Agencies"),
    );
    let writes = [task, interaction, contact, renamed, invited, reset, leave].map(|r| r.status());
    for (n, status) in writes.iter().enumerate() {
        assert!(status.is_success(), "write {n} answered {status}");
    }
    assert!(company.is_ok(), "company create: {:?}", company.err());
    let tasks = app
        .count("SELECT COUNT(*) FROM tasks WHERE title = 'Collect payment'")
        .await;
    assert_eq!(tasks, 1);
}
