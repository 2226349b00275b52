//! Beats and people measured: beat compliance, visits off the plan, productive visits by the company's
//! outcomes, days in the plan's order; a person's performance page, attendance as a month grid, and the
//! overview's tiles narrowing the register and the report.

use serde_json::{json, Value};

use crate::activity::{
    add_client, grant_location, ist_day, now_ms, position, push, record, MINUTE,
};
use crate::both_backends;
use crate::helpers::{fields, TestApp};

fn visit(client: &str, at: i64, outcome: &str) -> [Value; 2] {
    let check_in = record(
        "check_in",
        at,
        json!({ "client_id": client, "position": position(0.0, 12.0) }),
    );
    let check_out = record(
        "check_out",
        at + 10 * MINUTE,
        json!({ "visit_id": check_in["id"], "position": position(0.0, 12.0), "outcome": outcome }),
    );
    [check_in, check_out]
}

async fn a_beat_is_measured_against_its_plan_and_the_company_s_productive_outcomes(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let t0 = now_ms() - 120 * MINUTE;
    let day = ist_day(t0);
    let mut planned = Vec::new();
    for name in ["Amar Traders", "Bharat Agro", "Chetan Seeds"] {
        planned.push(add_client(&admin, name, 0.0, field_id).await);
    }
    let unplanned = add_client(&admin, "Durga Krishi", 0.0, field_id).await;
    let plan = manager
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": field_id, "client_ids": planned, "day": day }),
        )
        .await;
    assert_eq!(plan.status(), 201);
    // Bharat before Amar: out of the plan's order; Durga is off the plan; Chetan is missed.
    let mut records = vec![
        grant_location(t0 - 1000),
        record("day_start", t0, json!({ "position": position(0.0, 12.0) })),
    ];
    records.extend(visit(&planned[1], t0 + 10 * MINUTE, "Order taken"));
    records.extend(visit(&planned[0], t0 + 30 * MINUTE, "No order"));
    records.extend(visit(&unplanned, t0 + 50 * MINUTE, "Payment collected"));
    let results = push(&device, &records).await;
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{results:?}"
    );
    let row = |report: Value| {
        report
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_id"] == json!(field_id))
            .unwrap()
            .clone()
    };
    let report_path = format!("/api/v1/reports/activity?from={day}&to={day}");
    let report = row(manager.get(&report_path).await.json().await.unwrap());
    assert_eq!(report["visits_planned"], 3);
    assert_eq!(report["planned_done"], 2);
    assert_eq!(report["unplanned"], 1);
    assert_eq!(report["productive"], 2, "an order and a payment");
    assert_eq!(report["route_days"], 1);
    assert_eq!(report["route_followed_days"], 0, "{report}");

    let changed = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "productive_outcomes": ["Order taken"] }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let report = row(manager.get(&report_path).await.json().await.unwrap());
    assert_eq!(report["productive"], 1, "only orders count now");
    let before = app.snapshot().await;
    let refused = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "productive_outcomes": ["Samples given"] }),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(fields(&problem), ["productive_outcomes"]);
    assert_eq!(app.snapshot().await, before);

    let page = manager
        .get(&format!("/console/reports/activity?from={day}&to={day}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Beat compliance") && page.contains("67% (2)"),
        "{page}"
    );
    assert!(page.contains("0 of 1"), "days in the plan's order");
}

async fn performance_month_grid_and_narrowed_lists(app: TestApp) {
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let field_id = app.a.field.id;
    let t0 = now_ms() - 30 * MINUTE;
    let day = ist_day(t0);
    let start = record("day_start", t0, json!({ "position": position(0.0, 12.0) }));
    let results = push(&device, &[grant_location(t0 - 1000), start]).await;
    assert!(results.iter().all(|r| r["status"] == "accepted"));

    let performance = manager
        .get(&format!("/console/people/{field_id}/performance"))
        .await;
    assert_eq!(performance.status(), 200);
    let page = performance.text().await.unwrap();
    assert!(page.contains(&format!("{} field", app.a.name)) && page.contains("beat compliance"));
    assert!(page.contains("1</span> days worked"), "{page}");
    for (who, person) in [
        (&manager, app.b.field.id),
        (
            &app.session(&app.a, &app.a.field).await,
            app.a.other_field.id,
        ),
    ] {
        let hidden = who
            .get(&format!("/console/people/{person}/performance"))
            .await;
        assert_eq!(
            hidden.status(),
            404,
            "another company's or colleague's person"
        );
    }

    let month = manager
        .get(&format!("/console/attendance/month?month={}", &day[..7]))
        .await
        .text()
        .await
        .unwrap();
    assert!(month.contains("Attendance in"));
    assert!(month.contains(&format!("/console/people/{field_id}/day?day={day}")));
    assert!(
        !month.contains(&app.b.field.id.to_string()),
        "only the company's own people"
    );
    let bad = manager.get("/console/attendance/month?month=13-2026").await;
    assert_eq!(bad.status(), 422);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("must be a month such as 2026-12"));

    let admin = app.session(&app.a, &app.a.admin).await;
    let listed = |page: &str, person: outfield_core::ids::PersonId| {
        page.contains(&format!("/console/people/{person}/day?day={day}"))
    };
    let mut started = String::new();
    for status in ["present", "late"] {
        started += &admin
            .get(&format!("/console/attendance?day={day}&status={status}"))
            .await
            .text()
            .await
            .unwrap();
    }
    assert!(
        listed(&started, field_id),
        "the started day is present or late"
    );
    assert!(
        !listed(&started, app.a.other_field.id),
        "the colleague who did not start is not listed"
    );
    let flagged = manager
        .get(&format!(
            "/console/reports/activity?from={day}&to={day}&flagged=1"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(!flagged.contains(&format!("/console/people/{field_id}/performance")));
    let overview = manager.get("/console").await.text().await.unwrap();
    if day == ist_day(now_ms()) {
        assert!(overview.contains("/console/attendance?status=not_started"));
        assert!(overview.contains("flagged=1"));
    }
}

async fn the_team_s_beats_are_planned_on_one_page_and_moved_between_people_and_days(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let field_id = app.a.field.id;
    let other_id = app.a.other_field.id;
    let client = add_client(&admin, "Ganesh Agro Kendra", 0.0, field_id).await;
    let weekly = admin
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": field_id, "client_ids": [client], "weekday": 1 }),
        )
        .await;
    assert_eq!(weekly.status(), 201);
    let plan_id = weekly.json::<Value>().await.unwrap()[0]
        .as_str()
        .unwrap()
        .to_string();
    let monday = "2026-12-07";
    let page = admin
        .get(&format!("/console/beats?week={monday}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Ganesh Agro Kendra") && page.contains(&plan_id));
    assert!(
        page.contains(&format!(
            r#"data-person="{other_id}" data-day="2026-12-08""#
        )),
        "every person has a cell for every working day"
    );
    let move_page = admin
        .get(&format!("/console/beats/move/{plan_id}?week={monday}"))
        .await;
    assert_eq!(move_page.status(), 200);
    assert!(move_page
        .text()
        .await
        .unwrap()
        .contains("Move the visit to Ganesh Agro Kendra to:"));

    // The manager does not see the colleague outside the team: no move there.
    let before = app.snapshot().await;
    let refused = manager
        .form(
            "/console/beats/move",
            &[
                ("plan_id", &plan_id),
                ("person_id", &other_id.to_string()),
                ("day", "2026-12-08"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.snapshot().await, before);
    let outsider = app.session(&app.b, &app.b.admin).await;
    let foreign = outsider
        .form(
            "/console/beats/move",
            &[
                ("plan_id", &plan_id),
                ("person_id", &app.b.field.id.to_string()),
                ("day", "2026-12-08"),
            ],
        )
        .await;
    assert_eq!(foreign.status(), 404, "another company's plan is not found");

    let moved = admin
        .form(
            "/console/beats/move",
            &[
                ("plan_id", &plan_id),
                ("person_id", &other_id.to_string()),
                ("day", "2026-12-08"),
            ],
        )
        .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(
        moved.headers()["location"],
        format!("/console/beats?week={monday}")
    );
    let plan: Value = admin
        .get(&format!("/api/v1/people/{other_id}/plan?day=2026-12-15"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        plan[0]["client_name"], "Ganesh Agro Kendra",
        "weekly on Tuesdays now: {plan}"
    );
    assert_eq!(plan[0]["weekly"], true);
    let theirs: Value = admin
        .get(&format!("/api/v1/people/{field_id}/plan?day=2026-12-14"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]), "no longer on the first person's Mondays");
    let field = app.session(&app.a, &app.a.field).await;
    let not_theirs = field
        .form(
            "/console/beats/move",
            &[
                ("plan_id", &plan_id),
                ("person_id", &field_id.to_string()),
                ("day", "2026-12-08"),
            ],
        )
        .await;
    assert_eq!(
        not_theirs.status(),
        404,
        "a field employee moves only their own plan"
    );
}

both_backends!(
    a_beat_is_measured_against_its_plan_and_the_company_s_productive_outcomes,
    performance_month_grid_and_narrowed_lists,
    the_team_s_beats_are_planned_on_one_page_and_moved_between_people_and_days,
);
