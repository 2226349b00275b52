//! Structural tenancy, proven route by route: every operation of the OpenAPI document is called with
//! company A's real ids by every role of company B, and by lower roles inside company A. No call may
//! return A's data or change it. A route missing from the expectations below fails the test, so a new
//! route cannot ship unchecked.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{jpeg, Member, TestApp, World, PASSWORD};

/// Who may call a route inside their own company.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// No sign-in (sign-in itself, one-time links whose token is the credential).
    Public,
    /// Any signed-in member; ids are filtered by visibility.
    Member,
    /// Owners and admins.
    Admin,
    /// Owners, admins and the person named by `{id}`.
    AdminOrSelf,
    /// Any signed-in member, creating something under an id of their choosing inside their own company:
    /// the id names nothing of another company, so the proof is that A's data stays as it was.
    CreateWithId,
}

/// Every API operation, its access rule and a plausible body. Keep in step with the routes.
fn expectations(
    a: &World,
    b_member: &Member,
) -> Vec<(&'static str, &'static str, Access, Option<Value>)> {
    let b_credentials = json!({ "company": a.slug, "login": b_member.email, "password": PASSWORD });
    let mut device = b_credentials.clone();
    device["device_label"] = json!("Pixel 7");
    vec![
        (
            "POST",
            "/api/v1/sessions",
            Access::Public,
            Some(b_credentials),
        ),
        ("DELETE", "/api/v1/sessions/current", Access::Member, None),
        (
            "POST",
            "/api/v1/sessions/sign-out-everywhere",
            Access::Member,
            None,
        ),
        (
            "POST",
            "/api/v1/device-tokens",
            Access::Public,
            Some(device),
        ),
        (
            "POST",
            "/api/v1/me/password",
            Access::Member,
            Some(json!({ "current_password": PASSWORD, "new_password": PASSWORD })),
        ),
        ("GET", "/api/v1/links/{token}", Access::Public, None),
        (
            "POST",
            "/api/v1/links/{token}",
            Access::Public,
            Some(json!({ "password": "set by a stranger" })),
        ),
        ("GET", "/api/v1/me", Access::Member, None),
        (
            "PATCH",
            "/api/v1/me/preferences",
            Access::Member,
            Some(json!({ "language": "hi" })),
        ),
        ("GET", "/api/v1/people", Access::Member, None),
        (
            "POST",
            "/api/v1/people",
            Access::Admin,
            Some(json!({ "name": "Intruder", "email": "intruder@example.in",
            "role": "field_employee", "manager_id": a.manager.id })),
        ),
        ("GET", "/api/v1/people/{id}", Access::Member, None),
        (
            "PATCH",
            "/api/v1/people/{id}",
            Access::Admin,
            Some(json!({ "name": "Renamed by intruder" })),
        ),
        (
            "POST",
            "/api/v1/people/{id}/deactivate",
            Access::Admin,
            None,
        ),
        (
            "POST",
            "/api/v1/people/{id}/reset-link",
            Access::Admin,
            None,
        ),
        (
            "GET",
            "/api/v1/people/{id}/devices",
            Access::AdminOrSelf,
            None,
        ),
        (
            "DELETE",
            "/api/v1/people/{id}/devices/{device_id}",
            Access::AdminOrSelf,
            None,
        ),
        ("GET", "/api/v1/company", Access::Member, None),
        (
            "PATCH",
            "/api/v1/company",
            Access::Admin,
            Some(json!({ "name": "Renamed by intruder" })),
        ),
        ("GET", "/api/v1/audit", Access::Member, None),
        (
            "POST",
            "/api/v1/sync/push",
            Access::Member,
            Some(json!({ "records": [
            { "id": "01938a4e-0000-7000-8000-000000000001", "kind": "note", "device_time": 1_764_000_000_000i64,
              "payload": { "text": "pushed by an outsider" } }] })),
        ),
        ("GET", "/api/v1/sync/pull", Access::Member, None),
        ("GET", "/api/v1/privacy/notice", Access::Member, None),
        (
            "PUT",
            "/api/v1/privacy/notice",
            Access::Admin,
            Some(json!({ "body": "A notice written by someone without the right." })),
        ),
        ("GET", "/api/v1/people/{id}/consents", Access::Member, None),
        ("GET", "/api/v1/people/{id}/notes", Access::Member, None),
        ("GET", "/api/v1/clients", Access::Member, None),
        (
            "POST",
            "/api/v1/clients",
            Access::Member,
            Some(json!({ "name": "Intruder Store", "owner_ids": [a.field.id] })),
        ),
        ("GET", "/api/v1/clients/export.csv", Access::Member, None),
        ("GET", "/api/v1/clients/export.xlsx", Access::Member, None),
        (
            "POST",
            "/api/v1/clients/reassign",
            Access::Admin,
            Some(json!({ "from_person_id": a.field.id, "to_person_id": a.manager.id })),
        ),
        ("GET", "/api/v1/clients/{id}", Access::Member, None),
        (
            "PATCH",
            "/api/v1/clients/{id}",
            Access::Member,
            Some(json!({ "name": "Renamed by intruder" })),
        ),
        ("GET", "/api/v1/clients/{id}/contacts", Access::Member, None),
        (
            "POST",
            "/api/v1/clients/{id}/contacts",
            Access::Member,
            Some(json!({ "name": "Planted Contact" })),
        ),
        ("GET", "/api/v1/clients/{id}/timeline", Access::Member, None),
        (
            "POST",
            "/api/v1/clients/{id}/interactions",
            Access::Member,
            Some(json!({ "kind": "note", "body": "planted" })),
        ),
        ("POST", "/api/v1/clients/import", Access::Admin, None),
        (
            "POST",
            "/api/v1/clients/{id}/merge",
            Access::Member,
            Some(json!({ "duplicate_id": a.field.id })),
        ),
        ("GET", "/api/v1/company/lead-form", Access::Admin, None),
        (
            "PUT",
            "/api/v1/company/lead-form",
            Access::Admin,
            Some(json!({ "enabled": true })),
        ),
        (
            "POST",
            "/api/v1/public/leads/{key}",
            Access::Public,
            Some(json!({ "name": "Bot Traders", "phone": "+919800000009" })),
        ),
        ("GET", "/api/v1/clients/{id}/tasks", Access::Member, None),
        (
            "POST",
            "/api/v1/clients/{id}/tasks",
            Access::Member,
            Some(json!({ "title": "Planted task", "due_on": "2026-11-25" })),
        ),
        ("POST", "/api/v1/tasks/{id}/done", Access::Member, None),
        ("GET", "/api/v1/me/tasks", Access::Member, None),
        ("GET", "/api/v1/attendance", Access::Member, None),
        ("GET", "/api/v1/attendance/export", Access::Member, None),
        (
            "PUT",
            "/api/v1/people/{id}/leave/{day}",
            Access::Member,
            Some(json!({ "note": "Planted leave" })),
        ),
        (
            "DELETE",
            "/api/v1/people/{id}/leave/{day}",
            Access::Member,
            None,
        ),
        (
            "GET",
            "/api/v1/company/activity-settings",
            Access::Member,
            None,
        ),
        (
            "PATCH",
            "/api/v1/company/activity-settings",
            Access::Admin,
            Some(json!({ "visit_radius_m": 2000 })),
        ),
        ("GET", "/api/v1/live", Access::Member, None),
        (
            "GET",
            "/api/v1/people/{id}/days/{day}",
            Access::Member,
            None,
        ),
        ("GET", "/api/v1/people/{id}/plan", Access::Member, None),
        (
            "POST",
            "/api/v1/visit-plans",
            Access::Member,
            Some(json!({ "person_id": a.field.id, "client_ids": [a.field.id], "weekday": 1 })),
        ),
        ("DELETE", "/api/v1/visit-plans/{id}", Access::Member, None),
        ("GET", "/api/v1/location-corrections", Access::Member, None),
        (
            "POST",
            "/api/v1/location-corrections/{id}/decision",
            Access::Member,
            Some(json!({ "approve": true })),
        ),
        ("GET", "/api/v1/reports/activity", Access::Member, None),
        ("GET", "/api/v1/company/client-fields", Access::Member, None),
        (
            "POST",
            "/api/v1/clients/{id}/contacts/vcard",
            Access::Member,
            None,
        ),
        (
            "PUT",
            "/api/v1/company/client-fields",
            Access::Admin,
            Some(json!({ "client_types": ["Planted"], "custom_fields": [] })),
        ),
        ("PUT", "/api/v1/files/{id}", Access::CreateWithId, None),
        ("GET", "/api/v1/files/{id}", Access::Member, None),
        ("GET", "/api/v1/files/{id}/preview", Access::Member, None),
        (
            "GET",
            "/api/v1/reports/activity/export",
            Access::Member,
            None,
        ),
    ]
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// Where a walk's own calls legitimately write for company A, so the fingerprint leaves them out: the
/// sessions and device tokens its sign-ins open (and their last use), the sign-in devices and attempts
/// they count, the audit trail that records each refused attempt, the page a person last viewed, and
/// the sync ledger of pushes.
const WRITTEN_BY_THE_WALK: [&str; 6] = [
    "sessions",
    "sign_in_devices",
    "audit_log",
    "audit_pending",
    "audit_personal",
    "sync_records",
];

/// Columns a walk's sign-ins and page views update on rows it may otherwise not change (the company's
/// audit sequence and chain head follow the refused attempts the trail records).
const TOUCHED_BY_THE_WALK: [(&str, &str); 4] = [
    ("people", "last_view"),
    ("device_tokens", "last_used_at"),
    ("companies", "audit_seq"),
    ("companies", "audit_head"),
];

/// The tables holding company data (a `company_id` column, and `companies` itself), each with its
/// columns, read from the schema: a new table is in the fingerprint without editing this test.
async fn tenant_tables(app: &TestApp) -> Vec<(String, Vec<String>)> {
    use sqlx::Row;
    let sql = match app.backend {
        crate::helpers::Backend::Sqlite => {
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' ORDER BY m.name, c.cid"
        }
        crate::helpers::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        }
    };
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for row in app.admin_sql(sql).await {
        let (table, column): (String, String) = (row.try_get(0).unwrap(), row.try_get(1).unwrap());
        match tables.last_mut() {
            Some((name, columns)) if *name == table => columns.push(column),
            _ => tables.push((table, vec![column])),
        }
    }
    tables.retain(|(table, columns)| {
        (table == "companies" || columns.iter().any(|c| c == "company_id"))
            && !WRITTEN_BY_THE_WALK.contains(&table.as_str())
    });
    tables
}

/// Every row company A holds in every tenant table, as text, so that any insert, update or delete an
/// outsider or a lower role could make shows: per table, the row count and a digest of the rows.
pub(crate) async fn fingerprint(app: &TestApp, world: &World) -> Vec<(String, usize, u64)> {
    use sqlx::Row;
    use std::hash::{Hash, Hasher};
    let tables = tenant_tables(app).await;
    assert!(
        tables.len() > 25,
        "only {} tenant tables found",
        tables.len()
    );
    let mut facts = Vec::new();
    for (table, columns) in tables {
        let read: Vec<String> = columns
            .iter()
            .filter(|c| !TOUCHED_BY_THE_WALK.contains(&(table.as_str(), c.as_str())))
            .map(|c| format!("CAST({c} AS TEXT)"))
            .collect();
        let key = if table == "companies" {
            "id"
        } else {
            "company_id"
        };
        let sql = format!(
            "SELECT {} FROM {table} WHERE {key} = '{}'",
            read.join(", "),
            world.company_id
        );
        let mut rows: Vec<Vec<Option<String>>> = app
            .admin_sql(&sql)
            .await
            .iter()
            .map(|row| (0..read.len()).map(|i| row.try_get(i).unwrap()).collect())
            .collect();
        rows.sort();
        let mut digest = std::collections::hash_map::DefaultHasher::new();
        rows.hash(&mut digest);
        facts.push((table, rows.len(), digest.finish()));
    }
    facts
}

/// Fails naming each table of company A whose rows differ from `before`.
pub(crate) async fn assert_unchanged(app: &TestApp, before: &[(String, usize, u64)], what: &str) {
    let after = fingerprint(app, &app.a).await;
    let changed: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|((table, rows, _), (_, now, _))| format!("{table} ({rows} rows → {now})"))
        .collect();
    assert!(changed.is_empty(), "{what}: {changed:?}");
    assert_eq!(before.len(), after.len(), "{what}: the tables changed");
}

/// Strings that reveal company A: ids, names, e-mails, slug.
pub(crate) fn markers(world: &World) -> Vec<String> {
    let mut markers = vec![
        world.company_id.to_string(),
        world.slug.clone(),
        world.name.clone(),
    ];
    for member in world.members() {
        markers.push(member.id.to_string());
        markers.push(member.email.clone());
    }
    markers
}

pub(crate) struct Target {
    pub client: String,
    pub person: String,
    pub device: String,
    pub token: String,
    pub plan: String,
    pub correction: String,
    pub task: String,
    pub file: String,
    /// Company A's manager, a second person a form can name.
    pub manager: String,
    /// A second client of company A, a duplicate a merge can name.
    pub duplicate: String,
}

fn fill(path: &str, target: &Target) -> String {
    let id = if path.starts_with("/api/v1/clients/") {
        &target.client
    } else if path.starts_with("/api/v1/visit-plans/") {
        &target.plan
    } else if path.starts_with("/api/v1/location-corrections/") {
        &target.correction
    } else if path.starts_with("/api/v1/tasks/") {
        &target.task
    } else if path.starts_with("/api/v1/files/") {
        return format!("/api/v1/files/{}?purpose=visit_photo", target.file);
    } else {
        &target.person
    };
    path.replace("{id}", id)
        .replace("{day}", "2026-11-25")
        .replace("{device_id}", &target.device)
        .replace("{token}", &target.token)
        .replace("{key}", "not-a-form-key")
}

async fn call(
    caller: &crate::helpers::Session,
    method: &str,
    path: &str,
    body: &Option<Value>,
) -> (u16, String) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let response = caller.send(method, path, body.clone()).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Company A's field employee's client (with a contact and an interaction), a visit plan for it and a
/// proposed correction of its location.
pub(crate) async fn seed_targets(app: &TestApp) -> Target {
    let (device_id, token) = app.device_token(&app.a, &app.a.field).await;
    let client = seed_client(app).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let plan: Value = manager
        .post(
            "/api/v1/visit-plans",
            json!({ "person_id": app.a.field.id, "client_ids": [client], "weekday": 3 }),
        )
        .await
        .json()
        .await
        .unwrap();
    let task: Value = manager
        .post(
            &format!("/api/v1/clients/{client}/tasks"),
            json!({ "title": "Collect payment", "due_on": "2026-11-25", "assignee_id": app.a.field.id }),
        )
        .await
        .json()
        .await
        .unwrap();
    let device = crate::helpers::Session::bearer(&app.base, &token);
    let correction = uuid::Uuid::now_v7();
    let now = chrono::Utc::now().timestamp_millis();
    let records = json!({ "records": [
        { "id": uuid::Uuid::now_v7(), "kind": "consent", "device_time": now,
          "payload": { "permission": "location", "decision": "granted", "policy_version": 1 } },
        { "id": uuid::Uuid::now_v7(), "kind": "consent", "device_time": now,
          "payload": { "permission": "camera", "decision": "granted", "policy_version": 1 } },
        { "id": correction, "kind": "location_correction", "device_time": now,
          "payload": { "client_id": client, "position": { "latitude": 18.52, "longitude": 73.85, "accuracy_m": 8.0 } } }
    ] });
    let pushed: Value = device
        .post("/api/v1/sync/push", records)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pushed["results"][2]["status"], "accepted", "{pushed}");
    let duplicate = manager
        .add_client("Alpha Kirana Store", app.a.field.id)
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let file = uuid::Uuid::now_v7();
    let photo = device
        .client
        .put(app.url(&format!("/api/v1/files/{file}?purpose=visit_photo")))
        .body(jpeg(7, 2000))
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 201);
    Target {
        client,
        person: app.a.field.id.to_string(),
        device: device_id.to_string(),
        token: "not-a-real-token".to_string(),
        plan: plan[0].as_str().unwrap().to_string(),
        correction: correction.to_string(),
        task: task["id"].as_str().unwrap().to_string(),
        file: file.to_string(),
        manager: app.a.manager.id.to_string(),
        duplicate,
    }
}

/// A client of company A owned by its field employee, with a contact and an interaction.
async fn seed_client(app: &TestApp) -> String {
    let field = app.session(&app.a, &app.a.field).await;
    let client: Value = field
        .post(
            "/api/v1/clients",
            json!({ "name": "Alpha Kirana Stores", "code": "AK-1", "phone": "+91 98201 11111" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = client["id"].as_str().unwrap().to_string();
    field
        .post(
            &format!("/api/v1/clients/{id}/contacts"),
            json!({ "name": "Alpha Contact Person" }),
        )
        .await;
    field
        .post(
            &format!("/api/v1/clients/{id}/interactions"),
            json!({ "kind": "call", "body": "Alpha call notes" }),
        )
        .await;
    id
}

async fn every_route_refuses_other_companies(app: TestApp) {
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = documented_operations(&doc);
    let listed: BTreeSet<(String, String)> = expectations(&app.a, &app.b.owner)
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, listed,
        "every documented operation needs an access expectation here"
    );

    let target = seed_targets(&app).await;
    let before = fingerprint(&app, &app.a).await;
    let markers = markers(&app.a);

    for b_member in app.b.members() {
        for (method, path, access, body) in expectations(&app.a, b_member) {
            let caller = app.session(&app.b, b_member).await;
            let (status, text) = call(&caller, method, &fill(path, &target), &body).await;
            let what = format!(
                "{method} {path} as {:?} of company B → {status}",
                b_member.role
            );
            assert!(status != 500, "{what}: {text}");
            for marker in &markers {
                assert!(
                    !text.contains(marker.as_str()),
                    "{what} leaked {marker}: {text}"
                );
            }
            let names_a_thing = (path.contains("{id}") && access != Access::CreateWithId)
                || path.contains("{device_id}");
            if names_a_thing {
                assert!(matches!(status, 403 | 404), "{what}: {text}");
            }
            if access == Access::Public && body.as_ref().is_some_and(|b| b.get("company").is_some())
            {
                assert_eq!(status, 401, "{what}: B's password must not open A");
            }
        }
    }
    assert_unchanged(&app, &before, "company B changed company A's data").await;
}

async fn every_route_refuses_lower_roles(app: TestApp) {
    let target = seed_targets(&app).await;
    let before = fingerprint(&app, &app.a).await;
    for (method, path, access, body) in expectations(&app.a, &app.a.field) {
        let callers: Vec<&Member> = match access {
            Access::Admin => vec![&app.a.manager, &app.a.field, &app.a.other_field],
            Access::AdminOrSelf => vec![&app.a.manager, &app.a.other_field],
            Access::Member if path.contains("{id}") => vec![&app.a.other_field],
            Access::Member | Access::Public | Access::CreateWithId => vec![],
        };
        for member in callers {
            let caller = app.session(&app.a, member).await;
            let (status, text) = call(&caller, method, &fill(path, &target), &body).await;
            let what = format!("{method} {path} as {:?} ({})", member.role, member.email);
            assert!(matches!(status, 403 | 404), "{what} → {status}: {text}");
            if status == 404 {
                assert!(!text.contains(&app.a.field.email), "{what} leaked: {text}");
            }
        }
    }
    assert_unchanged(&app, &before, "a lower role changed what it may not").await;
}

async fn unknown_ids_and_foreign_ids_look_the_same(app: TestApp) {
    let admin_b = app.session(&app.b, &app.b.admin).await;
    let foreign = admin_b
        .get(&format!("/api/v1/people/{}", app.a.field.id))
        .await;
    let unknown = admin_b
        .get(&format!("/api/v1/people/{}", uuid::Uuid::now_v7()))
        .await;
    let malformed = admin_b.get("/api/v1/people/not-a-uuid").await;
    let foreign = (foreign.status(), foreign.text().await.unwrap());
    let unknown = (unknown.status(), unknown.text().await.unwrap());
    let malformed = (malformed.status(), malformed.text().await.unwrap());
    assert_eq!(foreign, unknown);
    assert_eq!(foreign, malformed);
}

async fn row_level_security_hides_rows_without_a_company(app: TestApp) {
    if app.backend != crate::helpers::Backend::Postgres {
        return;
    }
    let rows = app
        .admin_sql("SET ROLE outfield_app; SELECT COUNT(*) FROM people; RESET ROLE;")
        .await;
    let visible: i64 = sqlx::Row::try_get(&rows[0], 0).unwrap();
    assert_eq!(
        visible, 0,
        "the application role sees no rows until a company is set"
    );
    let rows = app
        .admin_sql(&format!(
            "BEGIN; SET LOCAL ROLE outfield_app; SELECT set_config('outfield.company_id', '{}', true); \
             SELECT COUNT(*) FROM people; COMMIT;",
            app.b.company_id
        ))
        .await;
    let visible: i64 = sqlx::Row::try_get(&rows[1], 0).unwrap();
    assert_eq!(visible, 5, "only company B's people");
}

both_backends!(
    every_route_refuses_other_companies,
    every_route_refuses_lower_roles,
    unknown_ids_and_foreign_ids_look_the_same,
    row_level_security_hides_rows_without_a_company,
);
