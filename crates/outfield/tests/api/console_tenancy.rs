//! Structural tenancy of the console, proven route by route: every `/console` route the crates declare
//! is called (GET, and POST with a valid CSRF token and a form that would change something) with
//! company A's real ids by every role of company B, and by lower roles inside company A. No call may
//! show A's data or change it. The routes are read from the crates' sources, so a new page fails this
//! test until its access rule is listed here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::both_backends;
use crate::helpers::{Member, Session, TestApp};
use crate::tenancy::{assert_unchanged, fingerprint, markers, seed_targets, Target};

/// The HTTP methods a route declaration can name.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every `.route("/console…", get(…).post(…))` in the crates' sources, as (METHOD, path).
fn declared_console_routes() -> BTreeSet<(String, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut routes = BTreeSet::new();
    for file in rust_files(&crates) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices(".route(") {
            let rest = text[at + ".route(".len()..].trim_start();
            let Some(literal) = rest.strip_prefix('"') else {
                continue;
            };
            let path = &literal[..literal.find('"').unwrap()];
            if !path.starts_with("/console") {
                continue;
            }
            for method in handler_methods(&literal[path.len() + 1..]) {
                routes.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    routes
}

/// The method routers named in the rest of one `.route(` call, up to its closing parenthesis.
fn handler_methods(call: &str) -> Vec<&'static str> {
    let mut depth = 1;
    let mut found = Vec::new();
    let bytes = call.as_bytes();
    for (i, byte) in bytes.iter().enumerate() {
        match byte {
            b'(' => {
                let before = &call[..i];
                let word_start = before
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |p| p + 1);
                if let Some(method) = METHODS.iter().find(|m| **m == &before[word_start..]) {
                    found.push(*method);
                }
                depth += 1;
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    found
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() && !["target", "tests", "benches", "node_modules"].contains(&name.as_ref())
        {
            files.extend(rust_files(&path));
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
    files
}

/// Who may use a console route inside their own company.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Access {
    /// Any signed-in member, over what their scope sees (or their own account).
    Member,
    /// Any member, for a person or client the caller's scope sees (`{id}`): another field employee is
    /// refused.
    Visible,
    /// Managers, owners and admins.
    Manager,
    /// Owners, admins and the person named by the route (their own devices).
    AdminOrSelf,
    /// Owners and admins.
    Admin,
}

/// One console route to walk: method, path, who may use it, and the form a POST sends.
type Walked = (
    &'static str,
    &'static str,
    Access,
    &'static [(&'static str, &'static str)],
);

/// Every console route, its access rule and a form that would change something if it were let
/// through (`{client}`, `{person}`, `{plan}` and `{day}` are company A's). Keep in step with the routes.
fn expectations() -> Vec<Walked> {
    use Access::*;
    vec![
        ("GET", "/console", Member, &[]),
        ("GET", "/console/account", Member, &[]),
        (
            "POST",
            "/console/account/password",
            Member,
            &[
                ("current_password", "not-the-password"),
                ("new_password", "a new long password 2026"),
            ],
        ),
        (
            "POST",
            "/console/account/preferences",
            Member,
            &[("language", "hi")],
        ),
        ("POST", "/console/account/sign-out-everywhere", Member, &[]),
        ("GET", "/console/attendance", Member, &[]),
        (
            "POST",
            "/console/attendance/leave",
            Manager,
            &[
                ("person_id", "{person}"),
                ("day", "{day}"),
                ("action", "add"),
                ("note", "Family function"),
            ],
        ),
        ("GET", "/console/attendance/month", Member, &[]),
        ("GET", "/console/audit", Admin, &[]),
        ("GET", "/console/beats", Member, &[]),
        (
            "POST",
            "/console/beats/move",
            Visible,
            &[
                ("plan_id", "{plan}"),
                ("person_id", "{person}"),
                ("day", "{day}"),
            ],
        ),
        ("GET", "/console/beats/move/{plan}", Visible, &[]),
        ("GET", "/console/clients", Member, &[]),
        (
            "POST",
            "/console/clients",
            Member,
            &[
                ("name", "Walk-in Traders"),
                ("client_type", "Retailer"),
                ("status", "active"),
            ],
        ),
        ("GET", "/console/clients/import", Admin, &[]),
        (
            "POST",
            "/console/clients/import",
            Admin,
            &[("file", "name,phone\r\nPlanted Client,+919820000001\r\n")],
        ),
        ("GET", "/console/clients/import/template.csv", Admin, &[]),
        ("GET", "/console/clients/import/{client}", Admin, &[]),
        ("POST", "/console/clients/import/{client}", Admin, &[]),
        ("GET", "/console/clients/map", Member, &[]),
        ("GET", "/console/clients/map/points", Member, &[]),
        (
            "POST",
            "/console/clients/reassign",
            Admin,
            &[("from_person_id", "{person}"), ("to_person_id", "{manager}")],
        ),
        ("GET", "/console/clients/{client}", Visible, &[]),
        (
            "POST",
            "/console/clients/{client}",
            Visible,
            &[
                ("name", "Renamed by an outsider"),
                ("client_type", "Retailer"),
                ("status", "dormant"),
            ],
        ),
        (
            "POST",
            "/console/clients/{client}/contacts",
            Visible,
            &[("name", "Planted Contact"), ("phone", "+91 98200 00000")],
        ),
        (
            "POST",
            "/console/clients/{client}/contacts/vcard",
            Visible,
            &[(
                "file",
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Planted Contact\r\nTEL:+919820000000\r\nEND:VCARD\r\n",
            )],
        ),
        (
            "POST",
            "/console/clients/{client}/interactions",
            Visible,
            &[("kind", "call"), ("body", "Planted call")],
        ),
        (
            "POST",
            "/console/clients/{client}/merge",
            Manager,
            &[("duplicate_id", "{duplicate}")],
        ),
        (
            "POST",
            "/console/clients/{client}/tasks",
            Visible,
            &[
                ("title", "Planted task"),
                ("due_on", "{day}"),
                ("assignee_id", "{person}"),
            ],
        ),
        ("GET", "/console/live", Member, &[]),
        ("GET", "/console/location-corrections", Manager, &[]),
        (
            "POST",
            "/console/location-corrections/{correction}",
            Manager,
            &[("decision", "accept")],
        ),
        ("GET", "/console/people", Member, &[]),
        ("GET", "/console/people/new", Admin, &[]),
        (
            "POST",
            "/console/people/new",
            Admin,
            &[
                ("name", "Planted Person"),
                ("email", "planted@example.com"),
                ("role", "admin"),
            ],
        ),
        ("GET", "/console/people/{person}", Visible, &[]),
        (
            "POST",
            "/console/people/{person}",
            Admin,
            &[
                ("name", "Renamed Person"),
                ("email", "renamed@example.com"),
                ("role", "field_employee"),
            ],
        ),
        ("GET", "/console/people/{person}/day", Visible, &[]),
        // Before the deactivation: a deactivated person gets no link.
        ("POST", "/console/people/{person}/reset-link", Admin, &[]),
        ("POST", "/console/people/{person}/deactivate", Admin, &[]),
        (
            "POST",
            "/console/people/{person}/devices/{device}/revoke",
            AdminOrSelf,
            &[],
        ),
        ("GET", "/console/people/{person}/performance", Visible, &[]),
        ("GET", "/console/people/{person}/plan", Visible, &[]),
        (
            "POST",
            "/console/people/{person}/plan",
            Visible,
            &[
                ("client_ids", "{client}"),
                ("day", "{day}"),
                ("repeat", "weekly"),
            ],
        ),
        (
            "POST",
            "/console/people/{person}/plan/order",
            Visible,
            &[("day", "{day}"), ("move", "{plan}:1")],
        ),
        ("GET", "/console/privacy", Member, &[]),
        (
            "POST",
            "/console/privacy",
            Admin,
            &[("body", "A planted notice that no outsider may publish for company A."), ("body_hi", "")],
        ),
        ("GET", "/console/reports/activity", Member, &[]),
        ("GET", "/console/settings", Admin, &[]),
        (
            "POST",
            "/console/settings",
            Admin,
            &[
                ("name", "Planted Name"),
                ("time_zone", "Asia/Kolkata"),
                ("currency", "INR"),
            ],
        ),
        ("GET", "/console/settings/clients", Member, &[]),
        (
            "POST",
            "/console/settings/clients",
            Admin,
            &[("client_types", "Planted type")],
        ),
        ("GET", "/console/settings/field-activity", Admin, &[]),
        (
            "POST",
            "/console/settings/field-activity",
            Admin,
            &[
                ("day_1", "on"),
                ("work_start_minute", "09:00"),
                ("work_end_minute", "18:00"),
                ("late_after_minutes", "10"),
                ("auto_end_minute", ""),
                ("fix_interval_seconds", "60"),
                ("visit_radius_m", "999"),
                ("fix_retention_days", "30"),
                ("silence_alert_minutes", "30"),
                ("still_alert_minutes", "60"),
                ("visit_outcomes", "Planted"),
            ],
        ),
        ("GET", "/console/settings/lead-form", Admin, &[]),
        (
            "POST",
            "/console/settings/lead-form",
            Admin,
            &[("enabled", "on")],
        ),
        ("POST", "/console/tasks/{task}/done", Visible, &[]),
        ("POST", "/console/visit-plans/{plan}/remove", Visible, &[]),
    ]
}

/// A route's path with company A's ids, and its form with them.
fn filled(path: &str, target: &Target) -> String {
    path.replace("{client}", &target.client)
        .replace("{person}", &target.person)
        .replace("{plan}", &target.plan)
        .replace("{correction}", &target.correction)
        .replace("{task}", &target.task)
        .replace("{device}", &target.device)
        .replace("{manager}", &target.manager)
        .replace("{duplicate}", &target.duplicate)
        .replace("{day}", &chrono::Utc::now().date_naive().to_string())
}

/// The route as the crates declare it (`{id}` and `{device_id}`).
fn declared(path: &str) -> String {
    let mut declared = path.to_string();
    for name in ["{client}", "{person}", "{plan}", "{correction}", "{task}"] {
        declared = declared.replace(name, "{id}");
    }
    declared.replace("{device}", "{device_id}")
}

/// Calls a route as `caller` and answers its status and body; an account route that ends the caller's
/// sessions is followed by a fresh sign-in, so that the walk goes on.
async fn call(
    app: &TestApp,
    sessions: &mut [(Member, Session)],
    at: usize,
    (method, path, form): (&str, &str, &[(&str, &str)]),
    target: &Target,
) -> (u16, String) {
    let url = filled(path, target);
    let caller = &sessions[at].1;
    let response = if method == "GET" {
        caller.get(&url).await
    } else if let Some((_, file)) = form.iter().find(|(name, _)| *name == "file") {
        upload(caller, &url, file).await
    } else {
        let values: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), filled(v, target)))
            .collect();
        let borrowed: Vec<(&str, &str)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        caller.form(&url, &borrowed).await
    };
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    if path.starts_with("/console/account/") {
        let (member, _) = &sessions[at];
        let world = if app.a.members().iter().any(|m| m.id == member.id) {
            &app.a
        } else {
            &app.b
        };
        sessions[at].1 = app.session(world, member).await;
    }
    (status, body)
}

/// Posts a file as the console's upload forms do: the CSRF token and one `file` part.
async fn upload(caller: &Session, url: &str, file: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", caller.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::text(file.to_string()).file_name("walk.csv"),
        );
    caller
        .client
        .post(format!("{}{url}", caller.base()))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The walk below reaches every console route the crates declare: a new page fails here until its
/// access rule is listed.
#[test]
fn every_console_route_is_walked() {
    let listed: BTreeSet<(String, String)> = expectations()
        .iter()
        .map(|(method, path, _, _)| (method.to_string(), declared(path)))
        .collect();
    let declared_routes = declared_console_routes();
    assert!(
        declared_routes.len() > 50,
        "only {} console routes found",
        declared_routes.len()
    );
    assert_eq!(
        declared_routes, listed,
        "every console route needs an access expectation here (left: declared, right: listed)"
    );
}

async fn every_console_route_refuses_other_companies(app: TestApp) {
    let target = seed_targets(&app).await;
    let before = fingerprint(&app, &app.a).await;
    let markers = markers(&app.a);
    let mut sessions = Vec::new();
    for member in app.b.members() {
        sessions.push((member.clone(), app.session(&app.b, member).await));
    }
    for (method, path, _, form) in expectations() {
        for at in 0..sessions.len() {
            let (status, text) = call(&app, &mut sessions, at, (method, path, form), &target).await;
            let what = format!(
                "{method} {path} as {:?} of company B → {status}",
                sessions[at].0.role
            );
            assert!(status < 500, "{what}: {text}");
            for marker in &markers {
                assert!(
                    !text.contains(marker.as_str()),
                    "{what} leaked {marker}: {text}"
                );
            }
            if declared(path) != path {
                assert!(matches!(status, 403 | 404), "{what}: {text}");
            }
        }
    }
    assert_unchanged(
        &app,
        &before,
        "company B changed company A's data through the console",
    )
    .await;
}

async fn every_console_route_refuses_lower_roles(app: TestApp) {
    let target = seed_targets(&app).await;
    let before = fingerprint(&app, &app.a).await;
    let lower = [&app.a.manager, &app.a.field, &app.a.other_field];
    let mut sessions = Vec::new();
    for member in lower {
        sessions.push((member.clone(), app.session(&app.a, member).await));
    }
    for (method, path, access, form) in expectations() {
        let refused: &[usize] = match access {
            Access::Admin => &[0, 1, 2],
            Access::Manager => &[1, 2],
            Access::AdminOrSelf => &[0, 2],
            Access::Visible => &[2],
            Access::Member => &[],
        };
        for &at in refused {
            let (status, text) = call(&app, &mut sessions, at, (method, path, form), &target).await;
            let what = format!(
                "{method} {path} as {:?} ({}) → {status}",
                sessions[at].0.role, sessions[at].0.email
            );
            assert!(matches!(status, 403 | 404), "{what}: {text}");
        }
    }
    assert_unchanged(
        &app,
        &before,
        "a lower role changed what it may not through the console",
    )
    .await;
}

/// The walk's forms would change something where they are allowed: as company A's owner each one is
/// accepted (the proof that the refusals above are refusals, not rejected forms), except the two that
/// must not be (a wrong current password; an import id that names no upload).
async fn the_walks_forms_are_accepted_where_allowed(app: TestApp) {
    let target = seed_targets(&app).await;
    let before = fingerprint(&app, &app.a).await;
    let mut sessions = vec![(app.a.owner.clone(), app.session(&app.a, &app.a.owner).await)];
    let (mut accepted, mut refused) = (0, Vec::new());
    for (method, path, _, form) in expectations() {
        if method != "POST"
            || [
                "/console/account/password",
                "/console/clients/import/{client}",
            ]
            .contains(&path)
        {
            continue;
        }
        let (status, text) = call(&app, &mut sessions, 0, (method, path, form), &target).await;
        if (200..400).contains(&status) {
            accepted += 1;
        } else {
            let alert = text
                .split("role=\"alert\">")
                .nth(1)
                .map_or(text.as_str(), |rest| {
                    rest.split("</p>").next().unwrap_or(rest)
                });
            refused.push(format!("POST {path} → {status}: {alert}"));
        }
    }
    assert!(
        refused.is_empty(),
        "forms the owner could not use: {refused:#?}"
    );
    assert!(accepted > 25, "only {accepted} forms accepted");
    assert_ne!(
        fingerprint(&app, &app.a).await,
        before,
        "the owner's forms changed nothing"
    );
}

both_backends!(
    the_walks_forms_are_accepted_where_allowed,
    every_console_route_refuses_other_companies,
    every_console_route_refuses_lower_roles,
);
