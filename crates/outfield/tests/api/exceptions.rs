//! Exceptions: what needs a manager now, recorded once as events of a person's day and listed on the
//! overview of the people who may see that day.

use serde_json::json;

use crate::activity::{
    add_client, fix, grant_location, ist_day, now_ms, position, push, push_one, record, MINUTE,
};
use crate::both_backends;
use crate::helpers::TestApp;

/// The exceptions of company A's `day`, as (kind, amount) in time order, read straight from the table.
async fn stored(app: &TestApp, day: &str) -> Vec<(String, Option<i64>)> {
    app.admin_sql(&format!(
        "SELECT kind, amount FROM exceptions WHERE company_id = '{}' AND day = '{day}' ORDER BY at, kind",
        app.a.company_id
    ))
    .await
    .iter()
    .map(|row| {
        (
            sqlx::Row::try_get(row, 0).unwrap(),
            sqlx::Row::try_get(row, 1).unwrap(),
        )
    })
    .collect()
}

fn kinds(rows: &[(String, Option<i64>)]) -> Vec<&str> {
    rows.iter().map(|(kind, _)| kind.as_str()).collect()
}

async fn the_day_s_exceptions_are_recorded_once_and_listed_for_the_manager(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let far = add_client(&admin, "Om Sai Agro Centre", 9000.0, field_id).await;
    let now = now_ms();
    let t0 = now - 90 * MINUTE;
    let day = ist_day(t0);
    let low_battery = record(
        "fix",
        t0 + 50 * MINUTE,
        json!({ "latitude": 18.5204, "longitude": 73.8567, "accuracy_m": 10.0, "battery": 0.1 }),
    );
    let results = push(
        &device,
        &[
            grant_location(t0 - 1000),
            record("day_start", t0, json!({ "position": position(0.0, 12.0) })),
            fix(t0 + MINUTE, 0.0),
            low_battery,
            record(
                "check_in",
                t0 + 52 * MINUTE,
                json!({ "client_id": far, "position": position(0.0, 12.0) }),
            ),
            fix(t0 + 53 * MINUTE, 0.0),
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
    let recorded = stored(&app, &day).await;
    assert_eq!(
        recorded,
        [
            ("tracking_silent".to_string(), Some(49)),
            ("battery_low".to_string(), Some(10)),
            ("out_of_range_check_in".to_string(), Some(9000)),
        ],
        "a 49-minute silence, the low battery and the far check-in"
    );
    // A later batch recomputes the day: nothing is recorded twice.
    assert_eq!(
        push_one(&device, fix(t0 + 54 * MINUTE, 0.0)).await["status"],
        "accepted"
    );
    outfield_field::tracking::summary::drain(&app.db, 100)
        .await
        .unwrap();
    assert_eq!(stored(&app, &day).await, recorded);

    if day != ist_day(now) {
        return; // the day began before midnight: the overview lists today's exceptions only
    }
    let overview = manager.get("/console").await.text().await.unwrap();
    for line in [
        "Needs you now (3)",
        "Checked in 9.0 km from Om Sai Agro Centre",
        "No position for 49 min on duty",
        "Battery at 10%",
        &format!("/console/people/{field_id}/day?day={day}#at-"),
    ] {
        assert!(overview.contains(line), "{line} in {overview}");
    }
    let outsider = app.session(&app.b, &app.b.manager).await;
    let theirs = outsider.get("/console").await.text().await.unwrap();
    assert!(theirs.contains("Nothing needs you now") && !theirs.contains("Om Sai Agro Centre"));

    // Tracking silent since the last fix, seen by the clock; then location withdrawn on duty.
    outfield_field::exceptions::sweep(&app.db, now_ms())
        .await
        .unwrap();
    let silent = stored(&app, &day).await;
    assert_eq!(silent.len(), 4, "{silent:?}");
    assert_eq!(silent[3].0, "tracking_silent");
    assert!(
        silent[3].1.unwrap() >= 36,
        "silent since the fix 36 minutes ago"
    );
    let revoke = record(
        "consent",
        now_ms() - 1000,
        json!({ "permission": "location", "decision": "revoked", "policy_version": 1 }),
    );
    assert_eq!(push_one(&device, revoke).await["status"], "accepted");
    outfield_field::exceptions::sweep(&app.db, now_ms())
        .await
        .unwrap();
    assert!(kinds(&stored(&app, &day).await).contains(&"location_withdrawn"));
    let overview = manager.get("/console").await.text().await.unwrap();
    assert!(overview.contains("Location permission withdrawn on duty"));
}

async fn a_working_day_not_started_is_an_exception_once(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let every_day = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "work_days": [1, 2, 3, 4, 5, 6, 7] }),
        )
        .await;
    assert_eq!(every_day.status(), 200);
    // Tomorrow at noon in India: well past the start and the grace minutes.
    let tomorrow = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive()
        .succ_opt()
        .unwrap();
    let noon = tomorrow
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(chrono_tz::Asia::Kolkata)
        .unwrap()
        .timestamp_millis();
    let day = tomorrow.to_string();
    assert!(
        outfield_field::exceptions::sweep(&app.db, noon)
            .await
            .unwrap()
            > 0
    );
    assert_eq!(
        kinds(&stored(&app, &day).await),
        ["not_started", "not_started"],
        "both field employees of the company, not its manager or admins"
    );
    assert_eq!(
        outfield_field::exceptions::sweep(&app.db, noon + MINUTE)
            .await
            .unwrap(),
        0,
        "a second look records nothing new"
    );
    // Before the start and its grace minutes, nobody is late yet.
    let early = noon - 5 * 60 * MINUTE;
    let other_day = tomorrow.succ_opt().unwrap();
    let early_next = early + 24 * 60 * MINUTE;
    outfield_field::exceptions::sweep(&app.db, early_next)
        .await
        .unwrap();
    assert!(stored(&app, &other_day.to_string()).await.is_empty());
}

both_backends!(
    the_day_s_exceptions_are_recorded_once_and_listed_for_the_manager,
    a_working_day_not_started_is_an_exception_once,
);
