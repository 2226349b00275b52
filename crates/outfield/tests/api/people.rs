//! People and teams: visibility by role and reporting line, invitations, edits, role rules.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{fields, problem, TestApp};

async fn names(session: &crate::helpers::Session) -> Vec<String> {
    let people: Vec<Value> = session.get("/api/v1/people").await.json().await.unwrap();
    let mut names: Vec<String> = people
        .iter()
        .map(|p| p["email"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

async fn each_role_sees_what_it_may(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    assert_eq!(names(&admin).await.len(), 5);
    let manager = app.session(&app.a, &app.a.manager).await;
    assert_eq!(
        names(&manager).await,
        vec![app.a.field.email.clone(), app.a.manager.email.clone()]
    );
    let field = app.session(&app.a, &app.a.field).await;
    assert_eq!(names(&field).await, vec![app.a.field.email.clone()]);
    let outside = manager
        .get(&format!("/api/v1/people/{}", app.a.other_field.id))
        .await;
    assert_eq!(outside.status(), 404);
    let own_team = manager
        .get(&format!("/api/v1/people/{}", app.a.field.id))
        .await;
    assert_eq!(own_team.status(), 200);
}

async fn managers_see_their_team_at_any_depth(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let lead = admin
        .post(
            "/api/v1/people",
            json!({ "name": "Team Lead", "email": "lead@alpha-traders.example",
            "role": "manager", "manager_id": app.a.manager.id }),
        )
        .await;
    let lead: Value = lead.json().await.unwrap();
    let deep = admin
        .post(
            "/api/v1/people",
            json!({ "name": "Deep Field", "email": "deep@alpha-traders.example",
            "role": "field_employee", "manager_id": lead["person"]["id"] }),
        )
        .await;
    assert_eq!(deep.status(), 201);
    let manager = app.session(&app.a, &app.a.manager).await;
    let seen = names(&manager).await;
    assert!(
        seen.contains(&"deep@alpha-traders.example".to_string()),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 4);
}

async fn search_and_status_filters(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let found: Vec<Value> = admin
        .get("/api/v1/people?q=MANAGER")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let by_mobile: Vec<Value> = admin
        .get("/api/v1/people?q=%2B919800000003")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_mobile[0]["email"], app.a.field.email);
    admin
        .post(
            &format!("/api/v1/people/{}/deactivate", app.a.other_field.id),
            json!({}),
        )
        .await;
    let active: Vec<Value> = admin.get("/api/v1/people").await.json().await.unwrap();
    assert_eq!(active.len(), 4);
    let gone: Vec<Value> = admin
        .get("/api/v1/people?status=deactivated")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(gone.len(), 1);
    let bad = admin.get("/api/v1/people?status=sleeping").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(fields(&problem(bad).await), vec!["status"]);
}

async fn invitation_rules(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let owner_by_admin = admin
        .post("/api/v1/people", json!({ "name": "New Owner", "email": "new.owner@alpha-traders.example", "role": "owner" }))
        .await;
    assert_eq!(owner_by_admin.status(), 422);
    assert_eq!(fields(&problem(owner_by_admin).await), vec!["role"]);
    let duplicate = admin
        .post("/api/v1/people", json!({ "name": "Copy", "email": app.a.field.email.to_uppercase(), "role": "field_employee" }))
        .await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(fields(&problem(duplicate).await), vec!["email"]);
    let same_mobile = admin
        .post(
            "/api/v1/people",
            json!({ "name": "Copy", "email": "copy@alpha-traders.example",
            "mobile": "+91 98000 00003", "role": "field_employee" }),
        )
        .await;
    assert_eq!(same_mobile.status(), 409);
    assert_eq!(fields(&problem(same_mobile).await), vec!["mobile"]);
    let other_company_email = admin
        .post(
            "/api/v1/people",
            json!({ "name": "Shared", "email": app.b.field.email, "role": "field_employee" }),
        )
        .await;
    assert_eq!(
        other_company_email.status(),
        201,
        "e-mails are unique per company only"
    );
    let foreign_manager = admin
        .post(
            "/api/v1/people",
            json!({ "name": "X", "email": "x@alpha-traders.example", "role": "field_employee",
            "manager_id": app.b.manager.id }),
        )
        .await;
    assert_eq!(foreign_manager.status(), 422);
    assert_eq!(fields(&problem(foreign_manager).await), vec!["manager_id"]);
    let manager = app.session(&app.a, &app.a.manager).await;
    let by_manager = manager
        .post(
            "/api/v1/people",
            json!({ "name": "Y", "email": "y@alpha-traders.example", "role": "field_employee" }),
        )
        .await;
    assert_eq!(by_manager.status(), 403);
}

async fn reporting_loops_are_refused(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    let self_loop = admin
        .patch(
            &format!("/api/v1/people/{}", app.a.manager.id),
            json!({ "manager_id": app.a.manager.id }),
        )
        .await;
    assert_eq!(self_loop.status(), 409);
    let cycle = admin
        .patch(
            &format!("/api/v1/people/{}", app.a.manager.id),
            json!({ "manager_id": app.a.field.id }),
        )
        .await;
    assert_eq!(cycle.status(), 409);
    let body = problem(cycle).await;
    assert_eq!(fields(&body), vec!["manager_id"]);
    assert_eq!(
        body["errors"][0]["message"],
        "would create a loop in the reporting line"
    );
    assert_eq!(app.snapshot().await, before);
    let fine = admin
        .patch(
            &format!("/api/v1/people/{}", app.a.field.id),
            json!({ "manager_id": null }),
        )
        .await;
    assert_eq!(fine.status(), 200);
    assert!(fine.json::<Value>().await.unwrap()["manager_id"].is_null());
}

async fn role_changes_follow_the_rules(app: TestApp) {
    let owner = app.session(&app.a, &app.a.owner).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let own = owner
        .patch(
            &format!("/api/v1/people/{}", app.a.owner.id),
            json!({ "role": "admin" }),
        )
        .await;
    assert_eq!(own.status(), 422, "nobody changes their own role");
    let admin_on_owner = admin
        .patch(
            &format!("/api/v1/people/{}", app.a.owner.id),
            json!({ "name": "Renamed" }),
        )
        .await;
    assert_eq!(admin_on_owner.status(), 403, "admins cannot edit owners");
    let promote = owner
        .patch(
            &format!("/api/v1/people/{}", app.a.admin.id),
            json!({ "role": "owner" }),
        )
        .await;
    assert_eq!(promote.status(), 200);
    let demote = owner
        .patch(
            &format!("/api/v1/people/{}", app.a.admin.id),
            json!({ "role": "manager", "mobile": null }),
        )
        .await;
    assert_eq!(demote.status(), 200);
    let body: Value = demote.json().await.unwrap();
    assert_eq!(body["role"], "manager");
    assert!(body["mobile"].is_null());
    let audit = app.audit_count("person.updated").await;
    assert_eq!(audit, 2);
}

async fn nobody_deactivates_themselves_or_an_owner_above_them(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let own = admin
        .post(
            &format!("/api/v1/people/{}/deactivate", app.a.admin.id),
            json!({}),
        )
        .await;
    assert_eq!(own.status(), 409);
    let owner = admin
        .post(
            &format!("/api/v1/people/{}/deactivate", app.a.owner.id),
            json!({}),
        )
        .await;
    assert_eq!(owner.status(), 403);
    let manager = app.session(&app.a, &app.a.manager).await;
    let by_manager = manager
        .post(
            &format!("/api/v1/people/{}/deactivate", app.a.field.id),
            json!({}),
        )
        .await;
    assert_eq!(by_manager.status(), 403);
}

both_backends!(
    each_role_sees_what_it_may,
    managers_see_their_team_at_any_depth,
    search_and_status_filters,
    invitation_rules,
    reporting_loops_are_refused,
    role_changes_follow_the_rules,
    nobody_deactivates_themselves_or_an_owner_above_them,
);
