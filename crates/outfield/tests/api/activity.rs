//! Field activity: a day in the field (start, fixes arriving late and out of order, two visits with
//! different verdicts, end), what the manager sees (live position, day, register, report), refusals of
//! bad records, leave, settings, exports and retention.

use outfield_core::ids::PersonId;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{fields, problem, Session, TestApp};

pub(crate) const MINUTE: i64 = 60_000;
const BASE_LAT: f64 = 18.5204;
const BASE_LON: f64 = 73.8567;

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The company's (India's) date of an instant.
pub(crate) fn ist_day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive()
        .to_string()
}

/// A latitude this many metres north of the base point.
pub(crate) fn north(metres: f64) -> f64 {
    BASE_LAT + metres / 111_195.0
}

pub(crate) fn position(metres_north: f64, accuracy_m: f64) -> Value {
    json!({ "latitude": north(metres_north), "longitude": BASE_LON, "accuracy_m": accuracy_m })
}

pub(crate) fn record(kind: &str, device_time: i64, payload: Value) -> Value {
    json!({ "id": Uuid::now_v7(), "kind": kind, "device_time": device_time, "payload": payload })
}

pub(crate) fn fix(device_time: i64, metres_north: f64) -> Value {
    record(
        "fix",
        device_time,
        json!({ "latitude": north(metres_north), "longitude": BASE_LON, "accuracy_m": 10.0, "battery": 0.8 }),
    )
}

pub(crate) async fn push(session: &Session, records: &[Value]) -> Vec<Value> {
    let response = session
        .post("/api/v1/sync/push", json!({ "records": records }))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

pub(crate) async fn push_one(session: &Session, record: Value) -> Value {
    push(session, &[record]).await.remove(0)
}

pub(crate) fn grant_location(device_time: i64) -> Value {
    record(
        "consent",
        device_time,
        json!({ "permission": "location", "decision": "granted", "policy_version": 1 }),
    )
}

pub(crate) async fn add_client(
    session: &Session,
    name: &str,
    metres_north: f64,
    owner: PersonId,
) -> String {
    let response = session
        .post(
            "/api/v1/clients",
            json!({ "name": name, "owner_ids": [owner],
                    "location": { "latitude": north(metres_north), "longitude": BASE_LON } }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let client: Value = response.json().await.unwrap();
    client["id"].as_str().unwrap().to_string()
}

pub(crate) async fn json_of(session: &Session, path: &str) -> Value {
    let response = session.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn a_day_in_the_field(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let near = add_client(&admin, "Shree Ganesh Traders", 2000.0, field_id).await;
    let far = add_client(&admin, "Laxmi Agro Kendra", 4500.0, field_id).await;
    let t0 = now_ms() - 90 * MINUTE;
    let day = ist_day(t0);
    let plan = manager
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": field_id, "client_ids": [near, far], "day": day }),
        )
        .await;
    assert_eq!(plan.status(), 201);

    let start = record("day_start", t0, json!({ "position": position(0.0, 12.0) }));
    let results = push(&device, &[grant_location(t0 - 1000), start]).await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );

    // The walk north: 2 km to the first client, a stay there, 2 km further. The second half reaches the
    // server before the first, each half in reverse order.
    let mut walk: Vec<Value> = Vec::new();
    for k in 0..=10 {
        walk.push(fix(t0 + k * 2 * MINUTE, k as f64 * 200.0));
    }
    for k in 11..=15 {
        walk.push(fix(t0 + k * 2 * MINUTE, 2000.0));
    }
    for k in 16..=25 {
        walk.push(fix(t0 + k * 2 * MINUTE, 2000.0 + (k - 15) as f64 * 200.0));
    }
    let (first_half, second_half) = walk.split_at(13);
    let mut late: Vec<Value> = second_half.to_vec();
    late.reverse();
    let results = push(&device, &late).await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );

    let check_in = record(
        "check_in",
        t0 + 22 * MINUTE,
        json!({ "client_id": near, "position": position(2040.0, 10.0) }),
    );
    let visit_near = check_in["id"].clone();
    let check_out = record(
        "check_out",
        t0 + 30 * MINUTE,
        json!({ "visit_id": visit_near, "position": position(2010.0, 10.0), "outcome": "Order taken",
                "notes": "12 cartons of Sona Masoori", "follow_up_on": "2026-12-02" }),
    );
    let check_in_far = record(
        "check_in",
        t0 + 52 * MINUTE,
        json!({ "client_id": far, "position": position(4000.0, 10.0) }),
    );
    let visit_far = check_in_far["id"].clone();
    let check_out_far = record(
        "check_out",
        t0 + 55 * MINUTE,
        json!({ "visit_id": visit_far, "position": position(4000.0, 10.0), "outcome": "Shop closed" }),
    );
    let mut early: Vec<Value> = first_half.to_vec();
    early.reverse();
    early.extend([check_in, check_out, check_in_far, check_out_far]);
    let results = push(&device, &early).await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );

    let pulled = json_of(&device, "/api/v1/sync/pull").await;
    assert_eq!(
        pulled["duty"]["day"],
        json!(day),
        "a new phone learns the open day"
    );
    let live: Vec<Value> = serde_json::from_value(json_of(&manager, "/api/v1/live").await).unwrap();
    let me = live
        .iter()
        .find(|p| p["person_id"] == json!(field_id))
        .expect("on duty on the live map");
    assert!((me["last_fix"]["latitude"].as_f64().unwrap() - north(4000.0)).abs() < 1e-6);
    assert_eq!(me["last_fix"]["battery"], 0.8);

    let end = record(
        "day_end",
        t0 + 60 * MINUTE,
        json!({ "position": position(4000.0, 10.0) }),
    );
    assert_eq!(push_one(&device, end).await["status"], "accepted");
    assert_eq!(
        json_of(&device, "/api/v1/sync/pull").await["duty"],
        Value::Null
    );
    let after = push_one(&device, fix(t0 + 61 * MINUTE, 4100.0)).await;
    assert_eq!(after["status"], "rejected");
    assert!(
        after["reason"].as_str().unwrap().contains("not on duty"),
        "{after}"
    );
    let live: Vec<Value> = serde_json::from_value(json_of(&manager, "/api/v1/live").await).unwrap();
    assert!(
        live.iter().all(|p| p["person_id"] != json!(field_id)),
        "off duty after the end of day"
    );

    outfield_field::tracking::summary::drain(&app.db, 100)
        .await
        .unwrap();
    let detail = json_of(&manager, &format!("/api/v1/people/{field_id}/days/{day}")).await;
    let km = detail["distance_km"].as_f64().unwrap();
    assert!((km - 4.0).abs() < 0.05, "distance {km}");
    assert_eq!(detail["duty_minutes"], 60);
    assert_eq!(detail["trail"].as_array().unwrap().len(), 26);
    assert!(!detail["stops"].as_array().unwrap().is_empty(), "{detail}");
    let verdicts: Vec<&str> = detail["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["in_verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["verified", "out_of_range"]);
    assert_eq!(detail["visits"][0]["outcome"], "Order taken");
    assert_eq!(detail["visits"][0]["follow_up_on"], "2026-12-02");

    let register = json_of(&manager, &format!("/api/v1/attendance?from={day}")).await;
    let row = register
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == json!(field_id))
        .unwrap();
    assert!(
        ["present", "late"].contains(&row["status"].as_str().unwrap()),
        "{row}"
    );
    assert_eq!(row["visits"], 2);
    assert!((row["distance_km"].as_f64().unwrap() - 4.0).abs() < 0.05);

    let report = json_of(&manager, &format!("/api/v1/reports/activity?from={day}")).await;
    let row = report
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == json!(field_id))
        .unwrap();
    assert_eq!(
        (
            row["visits_planned"].clone(),
            row["visits_done"].clone(),
            row["planned_done"].clone()
        ),
        (json!(2), json!(2), json!(2))
    );
    assert_eq!(
        (row["verified"].clone(), row["out_of_range"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(row["verified_share"], 0.5);
    assert_eq!(row["days_on_duty"], 1);

    let tasks = json_of(&device, "/api/v1/me/tasks?until=2026-12-31").await;
    assert_eq!(
        tasks[0]["client_id"],
        json!(near),
        "the follow-up date became a task: {tasks}"
    );
    assert_eq!(tasks[0]["due_on"], "2026-12-02");
    let timeline = json_of(&manager, &format!("/api/v1/clients/{near}/timeline")).await;
    let visit = &timeline.as_array().unwrap()[0];
    assert_eq!(
        (visit["kind"].as_str(), visit["outcome"].as_str()),
        (Some("visit"), Some("Order taken"))
    );
}

async fn bad_records_are_refused_one_by_one(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let admin_b = app.session(&app.b, &app.b.admin).await;
    let mine = add_client(&admin, "Mine Stores", 100.0, app.a.field.id).await;
    let not_mine = add_client(&admin, "Other Beat Stores", 100.0, app.a.other_field.id).await;
    let foreign = add_client(&admin_b, "Foreign Stores", 100.0, app.b.field.id).await;
    let t = now_ms() - 30 * MINUTE;

    let refused = push_one(&device, fix(t, 0.0)).await;
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("location is not allowed"),
        "{refused}"
    );
    push_one(&device, grant_location(t)).await;
    let refused = push_one(&device, fix(t + 1000, 0.0)).await;
    assert!(
        refused["reason"].as_str().unwrap().contains("not on duty"),
        "{refused}"
    );

    assert_eq!(
        push_one(&device, record("day_start", t + 2000, json!({}))).await["status"],
        "accepted"
    );
    let again = push_one(&device, record("day_start", t + 3000, json!({}))).await;
    assert!(
        again["reason"]
            .as_str()
            .unwrap()
            .contains("already started"),
        "{again}"
    );

    let good = fix(t + MINUTE, 0.0);
    let mut reused = good.clone();
    reused["payload"]["latitude"] = json!(north(500.0));
    let mut broken = vec![
        fix(t + 2 * MINUTE, 0.0),
        fix(t + 3 * MINUTE, 0.0),
        fix(now_ms() + 3 * 24 * 60 * MINUTE, 0.0),
        fix(1_500_000_000_000, 0.0),
        fix(t + 4 * MINUTE, 0.0),
    ];
    broken[0]["payload"]["latitude"] = json!(95.0);
    broken[1]["payload"]["accuracy_m"] = json!(0.0);
    broken[4]["payload"]["battery"] = json!(7);
    let mut batch = vec![good.clone()];
    batch.extend(broken);
    batch.push(record(
        "check_out",
        t + 5 * MINUTE,
        json!({ "visit_id": Uuid::now_v7() }),
    ));
    batch.push(record(
        "check_in",
        t + 5 * MINUTE,
        json!({ "client_id": foreign }),
    ));
    batch.push(record(
        "check_in",
        t + 5 * MINUTE,
        json!({ "client_id": not_mine }),
    ));
    let results = push(&device, &batch).await;
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "accepted", "rejected", "rejected", "rejected", "rejected", "rejected", "rejected",
            "rejected", "rejected"
        ]
    );
    assert!(results[6]["reason"]
        .as_str()
        .unwrap()
        .contains("without a check-in"));
    assert!(results[7]["reason"]
        .as_str()
        .unwrap()
        .contains("not one of yours"));
    assert!(results[8]["reason"]
        .as_str()
        .unwrap()
        .contains("not one of yours"));

    assert_eq!(push_one(&device, good).await["status"], "duplicate");
    let reused = push_one(&device, reused).await;
    assert_eq!(
        reused["reason"],
        "this id was already used for a different record"
    );

    assert_eq!(
        push_one(&device, record("pause_start", t + 6 * MINUTE, json!({}))).await["status"],
        "accepted"
    );
    let paused = push_one(&device, fix(t + 7 * MINUTE, 0.0)).await;
    assert!(
        paused["reason"].as_str().unwrap().contains("private pause"),
        "{paused}"
    );
    assert_eq!(
        push_one(&device, record("pause_end", t + 8 * MINUTE, json!({}))).await["status"],
        "accepted"
    );
    assert_eq!(
        push_one(&device, fix(t + 9 * MINUTE, 0.0)).await["status"],
        "accepted"
    );

    let visit = record("check_in", t + 10 * MINUTE, json!({ "client_id": mine }));
    assert_eq!(push_one(&device, visit).await["status"], "accepted");
    let second = push_one(
        &device,
        record("check_in", t + 11 * MINUTE, json!({ "client_id": mine })),
    )
    .await;
    assert!(
        second["reason"]
            .as_str()
            .unwrap()
            .contains("check out of Mine Stores first"),
        "{second}"
    );

    assert_eq!(
        push_one(&device, record("day_end", t + 20 * MINUTE, json!({}))).await["status"],
        "accepted"
    );
    let twice = push_one(&device, record("day_end", t + 21 * MINUTE, json!({}))).await;
    assert!(
        twice["reason"].as_str().unwrap().contains("no day is open"),
        "{twice}"
    );
    let company = app.a.company_id;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM fixes WHERE company_id = '{company}'"
        ))
        .await,
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM visits WHERE company_id = '{company}'"
        ))
        .await,
        1
    );
}

async fn leave_settings_exports_and_retention(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let field = app.session(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let tomorrow = ist_day(now_ms() + 24 * 60 * MINUTE);

    let leave = json!({ "note": "Sick leave" });
    let path = format!("/api/v1/people/{field_id}/leave/{tomorrow}");
    let marked = manager
        .send(reqwest::Method::PUT, &path, Some(leave.clone()))
        .await;
    assert_eq!(marked.status(), 204);
    let own = field
        .send(reqwest::Method::PUT, &path, Some(leave.clone()))
        .await;
    assert_eq!(own.status(), 403);
    let outside = format!("/api/v1/people/{}/leave/{tomorrow}", app.a.other_field.id);
    assert_eq!(
        manager
            .send(reqwest::Method::PUT, &outside, Some(leave))
            .await
            .status(),
        404
    );
    let register = json_of(&manager, &format!("/api/v1/attendance?from={tomorrow}")).await;
    let row = register
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == json!(field_id))
        .unwrap();
    assert_eq!(
        (row["status"].as_str(), row["leave_note"].as_str()),
        (Some("on_leave"), Some("Sick leave"))
    );
    let range = manager
        .get(&format!("/api/v1/attendance?from={tomorrow}&to=2020-01-01"))
        .await;
    assert_eq!(fields(&problem(range).await), ["to"]);

    let bad = admin
        .patch("/api/v1/company/activity-settings", json!({ "visit_radius_m": 5, "work_days": [0, 9], "work_start_minute": 1200, "work_end_minute": 600 }))
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        fields(&problem(bad).await),
        ["visit_radius_m", "work_end_minute", "work_days"]
    );
    let settings = json_of(&field, "/api/v1/company/activity-settings").await;
    assert_eq!(settings["visit_radius_m"], 150);
    let good = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "fix_retention_days": 7, "visit_outcomes": ["Order taken", "No order"] }),
        )
        .await;
    assert_eq!(good.status(), 200);

    let csv = manager
        .get(&format!("/api/v1/attendance/export?from={tomorrow}"))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.text().await.unwrap().contains("On leave"));
    let xlsx = manager
        .get(&format!(
            "/api/v1/reports/activity/export?from={tomorrow}&format=xlsx"
        ))
        .await;
    assert_eq!(xlsx.status(), 200);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");

    // A day ten days ago, never ended: the background jobs end it (at the company's automatic end of day)
    // and deletes its fixes, keeping the summary.
    let automatic = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "auto_end_minute": 1410 }),
        )
        .await;
    assert_eq!(automatic.status(), 200);
    let device = app.device(&app.a, &app.a.field).await;
    let old = now_ms() - 10 * 24 * 60 * MINUTE;
    let results = push(
        &device,
        &[
            grant_location(old - 1000),
            record("day_start", old, json!({})),
            fix(old + MINUTE, 0.0),
            fix(old + 3 * MINUTE, 300.0),
        ],
    )
    .await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );
    outfield_field::tracking::summary::drain(&app.db, 100)
        .await
        .unwrap();
    outfield::jobs::run_all_once(&app.db).await.unwrap();
    let company = app.a.company_id;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM fixes WHERE company_id = '{company}'"
        ))
        .await,
        0
    );
    let ended = app.count(&format!("SELECT COUNT(*) FROM duty_days WHERE company_id = '{company}' AND end_reason = 'automatic'")).await;
    assert_eq!(ended, 1);
    outfield_field::tracking::summary::drain(&app.db, 100)
        .await
        .unwrap();
    let kept = app
        .count(&format!(
            "SELECT CAST(distance_m AS BIGINT) FROM day_summaries WHERE company_id = '{company}'"
        ))
        .await;
    assert_eq!(kept, 300, "the summary outlives the raw fixes");
}

/// The activity report page for `query`, which must answer 200.
async fn report_page(session: &Session, query: String) -> String {
    let path = format!("/console/reports/activity?{query}");
    let response = session.get(&path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn console_pages_for_field_activity(app: TestApp) {
    let manager = app.session(&app.a, &app.a.manager).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let field_id = app.a.field.id;
    let client = add_client(&admin, "Console Beat Stores", 0.0, field_id).await;
    let pages = [
        "/console/live".to_string(),
        "/console/attendance".to_string(),
        "/console/reports/activity".to_string(),
        format!("/console/people/{field_id}/day"),
        format!("/console/people/{field_id}/plan"),
        "/console/location-corrections".to_string(),
    ];
    for path in &pages {
        let page = manager.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        assert!(page.text().await.unwrap().contains("Outfield"), "{path}");
    }
    let foreign = manager
        .get(&format!("/console/people/{}/day", app.b.field.id))
        .await;
    assert_eq!(foreign.status(), 404);
    let outside = manager
        .get(&format!("/console/people/{}/plan", app.a.other_field.id))
        .await;
    assert_eq!(outside.status(), 404, "another manager's employee");
    let bad_day = manager
        .get(&format!("/console/people/{field_id}/day?day=25-11-2026"))
        .await;
    assert_eq!(bad_day.status(), 422);
    assert!(bad_day.text().await.unwrap().contains("YYYY-MM-DD"));

    let day = ist_day(now_ms());
    let planned = manager
        .form(
            &format!("/console/people/{field_id}/plan"),
            &[("day", &day), ("client_ids", &client), ("repeat", "weekly")],
        )
        .await;
    assert_eq!(planned.status(), 303);
    let plan = manager
        .get(&format!("/console/people/{field_id}/plan?day={day}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        plan.contains("Console Beat Stores") && plan.contains("every week"),
        "{plan}"
    );
    let refused = manager
        .form(
            &format!("/console/people/{field_id}/plan"),
            &[("day", &day), ("client_ids", &Uuid::now_v7().to_string())],
        )
        .await;
    assert_eq!(refused.status(), 422);

    let leave = manager
        .form(
            "/console/attendance/leave",
            &[
                ("person_id", &field_id.to_string()),
                ("day", &day),
                ("note", "Wedding"),
                ("action", "mark"),
            ],
        )
        .await;
    assert_eq!(leave.status(), 303);
    let register = manager
        .get(&format!("/console/attendance?day={day}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(register.contains("On leave") && register.contains("Wedding"));

    assert_eq!(
        manager
            .get("/console/settings/field-activity")
            .await
            .status(),
        403
    );
    let settings = [
        ("day_1", "on"),
        ("day_2", "on"),
        ("work_start_minute", "09:00"),
        ("work_end_minute", "18:00"),
        ("late_after_minutes", "10"),
        ("auto_end_minute", ""),
        ("fix_interval_seconds", "60"),
        ("visit_radius_m", "abc"),
        ("fix_retention_days", "30"),
        ("silence_alert_minutes", "30"),
        ("still_alert_minutes", "60"),
        ("visit_outcomes", "Order taken\nNo order"),
    ];
    let bad = admin
        .form("/console/settings/field-activity", &settings)
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("must be a whole number"));
    let mut good = settings;
    good[7] = ("visit_radius_m", "200");
    let saved = admin.form("/console/settings/field-activity", &good).await;
    assert_eq!(saved.status(), 200);
    let now = json_of(&admin, "/api/v1/company/activity-settings").await;
    assert_eq!(
        (
            now["visit_radius_m"].clone(),
            now["auto_end_minute"].clone()
        ),
        (json!(200), Value::Null)
    );
    assert_eq!(now["work_days"], json!([1, 2]));
}

/// A check-in far from its client is a flag on the day: shown on the day, counted in the report and on
/// the overview's tile of days to look at; so is one that could not be verified.
async fn far_and_unverified_check_ins_flag_the_day(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let far = add_client(&admin, "Om Sai Agro Centre", 9000.0, field_id).await;
    let t0 = now_ms() - 30 * MINUTE;
    let day = ist_day(t0);
    let start = record("day_start", t0, json!({ "position": position(0.0, 12.0) }));
    assert!(push(&device, &[grant_location(t0 - 1000), start])
        .await
        .iter()
        .all(|r| r["status"] == "accepted"));
    let overview = manager.get("/console").await.text().await.unwrap();
    assert_eq!(tile(&overview, "days with flags to look at"), "0");

    let check_in = record(
        "check_in",
        t0 + MINUTE,
        json!({ "client_id": far, "position": position(0.0, 12.0) }),
    );
    assert_eq!(
        push_one(&device, check_in.clone()).await["status"],
        "accepted"
    );
    outfield_field::tracking::summary::drain(&app.db, 100)
        .await
        .unwrap();
    let detail = json_of(&manager, &format!("/api/v1/people/{field_id}/days/{day}")).await;
    assert_eq!(detail["visits"][0]["in_verdict"], "out_of_range");
    assert_eq!(
        detail["flags"],
        json!(["out_of_range_check_in"]),
        "{detail}"
    );
    let report = json_of(
        &manager,
        &format!("/api/v1/reports/activity?from={day}&to={day}"),
    )
    .await;
    let row = report
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == json!(field_id))
        .unwrap()
        .clone();
    assert_eq!(row["flagged_days"], 1);
    if day == ist_day(now_ms()) {
        let overview = manager.get("/console").await.text().await.unwrap();
        assert_eq!(tile(&overview, "day with flags to look at"), "1");
    }

    let page = day_page(&manager, field_id, &day).await;
    assert!(
        page.contains("Out of range — 9.0 km from the client (±12 m)"),
        "the day page says how far the check-in was"
    );
    // The check-out without a position cannot be verified: a second flag on the same day.
    let check_out = record(
        "check_out",
        t0 + 5 * MINUTE,
        json!({ "visit_id": check_in["id"] }),
    );
    assert_eq!(push_one(&device, check_out).await["status"], "accepted");
    outfield_field::tracking::summary::drain(&app.db, 100)
        .await
        .unwrap();
    let detail = json_of(&manager, &format!("/api/v1/people/{field_id}/days/{day}")).await;
    assert_eq!(
        detail["flags"],
        json!(["out_of_range_check_in", "unverified_check_in"]),
        "{detail}"
    );
    // A check-in whose fix is too coarse says so, with the distance it could not judge.
    let near = add_client(&admin, "Sai Krupa Kirana", 40.0, field_id).await;
    let coarse = record(
        "check_in",
        t0 + 6 * MINUTE,
        json!({ "client_id": near, "position": position(0.0, 400.0) }),
    );
    assert_eq!(push_one(&device, coarse).await["status"], "accepted");
    let page = day_page(&manager, field_id, &day).await;
    assert!(
        page.contains(
            "Not verified — the position was too inaccurate (±400 m) to tell; 40 m from the client"
        ),
        "the day page says why a check-in could not be verified"
    );
}

/// The console's page of a person's day, as HTML.
async fn day_page(session: &Session, person: PersonId, day: &str) -> String {
    let response = session
        .get(&format!("/console/people/{person}/day?day={day}"))
        .await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// A note written in the field reaches the manager: on the person's day, in the API and on the page.
async fn a_note_from_the_field_is_on_the_day(app: TestApp) {
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let t0 = now_ms() - 20 * MINUTE;
    let day = ist_day(t0);
    let note = record(
        "note",
        t0 + MINUTE,
        json!({ "text": "Godown stock of 250 ml low; asked for 40 cartons" }),
    );
    let results = push(&device, &[record("day_start", t0, json!({})), note]).await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );
    let detail = json_of(&manager, &format!("/api/v1/people/{field_id}/days/{day}")).await;
    let notes = detail["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(
        notes[0]["text"],
        "Godown stock of 250 ml low; asked for 40 cartons"
    );
    let page = day_page(&manager, field_id, &day).await;
    assert!(
        page.contains("Note: Godown stock of 250 ml low; asked for 40 cartons"),
        "the day page shows the note among the day's events"
    );
    let other_day = json_of(
        &manager,
        &format!("/api/v1/people/{field_id}/days/2020-01-01"),
    )
    .await;
    assert_eq!(
        other_day["notes"],
        json!([]),
        "a note belongs to its own day"
    );
}

/// Counts a tile's figure on the overview: `<span class="figure">N</span> words`.
fn tile(page: &str, words: &str) -> String {
    let at = page
        .find(&format!("</span> {words}"))
        .unwrap_or_else(|| panic!("no tile '{words}' in {page}"));
    let figure = &page[..at];
    figure[figure.rfind('>').unwrap() + 1..].to_string()
}

async fn the_overview_shows_today_and_the_last_30_days(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let overview = |session: Session| async move {
        let response = session.get("/console").await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    };
    let fresh = overview(app.session(&app.a, &app.a.admin).await).await;
    assert!(
        fresh.contains("First steps"),
        "a new company sees its first steps"
    );
    assert!(fresh.contains("Invite your managers and field employees</a> — done"));
    assert!(!fresh.contains("Import your clients from a spreadsheet</a> — done"));
    assert!(
        !fresh.contains(r#"id="map-data""#),
        "no small map while nobody is on duty"
    );
    assert_eq!(
        tile(&fresh, "km travelled"),
        "0.0",
        "no distance is 0.0, never -0.0"
    );

    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let client = add_client(&admin, "Shree Ganesh Traders", 500.0, field_id).await;
    let t0 = now_ms() - 1000;
    let plan = manager
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": field_id, "client_ids": [client], "day": ist_day(t0) }),
        )
        .await;
    assert_eq!(plan.status(), 201);
    let results = push(
        &device,
        &[
            grant_location(t0 - 1000),
            record("day_start", t0, json!({ "position": position(0.0, 12.0) })),
            record(
                "check_in",
                t0 + 500,
                json!({ "client_id": client, "position": position(505.0, 10.0) }),
            ),
        ],
    )
    .await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );

    let team = overview(manager).await;
    assert_eq!(tile(&team, "on duty now"), "1");
    let map_data = team
        .split(r#"<script type="application/json" id="map-data">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("a small live map while someone is on duty");
    let map: Value = serde_json::from_str(map_data).unwrap();
    assert_eq!(map["kind"], "live");
    assert_eq!(
        map["flag_words"]["mock_location"], "mock location",
        "the popup names flags in words"
    );
    assert_eq!(map["people"][0]["person_id"], json!(field_id));
    assert_eq!(tile(&team, "visits done of planned"), "1 / 1");
    assert!(team.contains("100% verified at the client"));
    assert!(team.contains("client location corrections waiting"));
    assert!(
        !team.contains("First steps"),
        "only owners and admins take them"
    );
    assert_eq!(
        team.matches("<th scope=\"row\">").count(),
        3 * 30,
        "three charts of 30 days, each with its table"
    );
    assert_eq!(team.matches("<svg").count(), 3);
    assert!(team.contains("aria-label=\"Visits per day: 1 visits in all"));

    let today: chrono::NaiveDate = ist_day(t0).parse().unwrap();
    let manager = app.session(&app.a, &app.a.manager).await;
    let report = |days_back: i64, person: String| {
        let from = today - chrono::Duration::days(days_back);
        report_page(
            &manager,
            format!("from={from}&to={today}&person_id={person}"),
        )
    };
    let weekly = report(200, String::new()).await;
    assert!(weekly.contains("Trend, by week"), "{weekly}");
    assert!(weekly.contains("aria-label=\"Visits per week: 1 visits in all"));
    let monthly = report(800, field_id.to_string()).await;
    assert!(monthly.contains("Trend, by month"));
    assert!(monthly.contains("aria-label=\"Visits per month: 1 visits in all"));
    let someone_else = report(800, app.a.manager.id.to_string()).await;
    assert!(
        someone_else.contains("aria-label=\"Visits per month: 0 visits in all"),
        "the manager's own trend has no visit"
    );
    let outside = report(10, app.b.field.id.to_string()).await;
    assert!(
        outside.contains("aria-label=\"Visits per day: 1 visits in all"),
        "a person the manager does not see is no filter: the charts show the team"
    );

    let underway = overview(admin).await;
    assert!(
        !underway.contains("First steps"),
        "people invited, clients in, a plan made and the app signed in to: the steps are done"
    );

    let own = overview(app.session(&app.a, &app.a.field).await).await;
    assert!(own.contains("Your day today"));
    assert!(
        !own.contains("corrections waiting"),
        "field employees decide no corrections"
    );

    let other = overview(app.session(&app.b, &app.b.manager).await).await;
    assert_eq!(
        tile(&other, "on duty now"),
        "0",
        "another company's day stays its own"
    );
    assert_eq!(tile(&other, "visits done of planned"), "0 / 0");
}

/// The client names of a person's plan for a day, in the order the field app gets them.
async fn route_of(session: &Session, person: PersonId, day: &str) -> Vec<String> {
    let plan: Vec<Value> = session
        .get(&format!("/api/v1/people/{person}/plan?day={day}"))
        .await
        .json()
        .await
        .unwrap();
    plan.iter()
        .map(|p| p["client_name"].as_str().unwrap().to_string())
        .collect()
}

async fn the_plan_is_put_in_the_order_of_the_route(app: TestApp) {
    let manager = app.session(&app.a, &app.a.manager).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let field_id = app.a.field.id;
    let mut clients = Vec::new();
    for name in ["Amar Traders", "Bharat Agro", "Chetan Seeds"] {
        clients.push(add_client(&admin, name, 100.0, field_id).await);
    }
    let day = ist_day(now_ms());
    let planned = manager
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": field_id, "client_ids": clients, "day": day }),
        )
        .await;
    assert_eq!(planned.status(), 201);
    assert_eq!(
        route_of(&manager, field_id, &day).await,
        ["Amar Traders", "Bharat Agro", "Chetan Seeds"]
    );

    let order = format!("/console/people/{field_id}/plan/order");
    let page = manager
        .get(&format!("/console/people/{field_id}/plan?day={day}"))
        .await
        .text()
        .await
        .unwrap();
    let button = page
        .find("aria-label=\"Move Chetan Seeds up\"")
        .expect("Chetan Seeds has a move-up button");
    let before = &page[..button];
    let value = &before[before.rfind("value=\"").unwrap() + 7..];
    let chetan = value.split('"').next().unwrap();
    let moved = manager
        .form(&order, &[("day", &day), ("move", chetan)])
        .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(
        route_of(&manager, field_id, &day).await,
        ["Amar Traders", "Chetan Seeds", "Bharat Agro"]
    );

    let plan: Vec<Value> = manager
        .get(&format!("/api/v1/people/{field_id}/plan?day={day}"))
        .await
        .json()
        .await
        .unwrap();
    let id_of = |name: &str| {
        plan.iter().find(|p| p["client_name"] == name).unwrap()["plan_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let dragged = [
        id_of("Bharat Agro"),
        id_of("Amar Traders"),
        id_of("Chetan Seeds"),
    ]
    .join(",");
    let saved = manager
        .form(&order, &[("day", &day), ("plan_ids", &dragged)])
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(
        route_of(&manager, field_id, &day).await,
        ["Bharat Agro", "Amar Traders", "Chetan Seeds"]
    );
    let audit = app.audit_count("visit.plan_reordered").await;
    assert_eq!(audit, 2);

    let stranger = manager
        .form(
            &order,
            &[("day", &day), ("plan_ids", &Uuid::now_v7().to_string())],
        )
        .await;
    assert_eq!(stranger.status(), 422, "an entry not on the plan");
    let field = app.session(&app.a, &app.a.other_field).await;
    let not_theirs = field
        .form(&order, &[("day", &day), ("plan_ids", &dragged)])
        .await;
    assert_eq!(
        not_theirs.status(),
        403,
        "a field employee orders only their own plan"
    );
    let outsider = app.session(&app.b, &app.b.admin).await;
    let foreign = outsider
        .form(&order, &[("day", &day), ("plan_ids", &dragged)])
        .await;
    assert_eq!(
        foreign.status(),
        404,
        "another company's person is not found"
    );
    assert_eq!(
        route_of(&manager, field_id, &day).await,
        ["Bharat Agro", "Amar Traders", "Chetan Seeds"]
    );
}

both_backends!(
    the_plan_is_put_in_the_order_of_the_route,
    a_day_in_the_field,
    bad_records_are_refused_one_by_one,
    leave_settings_exports_and_retention,
    console_pages_for_field_activity,
    the_overview_shows_today_and_the_last_30_days,
    far_and_unverified_check_ins_flag_the_day,
    a_note_from_the_field_is_on_the_day,
);
