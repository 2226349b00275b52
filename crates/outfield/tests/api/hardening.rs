//! Hostile and careless input: spreadsheets built to exhaust memory, NUL and other control characters,
//! stored values that must never break a page, sign-in limits that cannot be dodged by spelling a login
//! differently nor turned against the person, "exactly once" state changes raced by concurrent requests,
//! repeated ids inside one batch, exact replays of positions, nullable values bound both ways on one
//! PostgreSQL connection, loud failures on corrupt stored data, and cookie and header rules.

use std::io::Write;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{fields, postgres_skipped, problem, Backend, Session, TestApp, PASSWORD};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn record(kind: &str, device_time: i64, payload: Value) -> Value {
    json!({ "id": Uuid::now_v7(), "kind": kind, "device_time": device_time, "payload": payload })
}

async fn push(session: &Session, records: &[Value]) -> Vec<Value> {
    let response = session
        .post("/api/v1/sync/push", json!({ "records": records }))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

/// An XLSX file with the given worksheet XML (and shared strings) as its first sheet.
fn xlsx(sheet: impl FnOnce(&mut dyn Write), shared_strings: Option<&str>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let part = |zip: &mut zip::ZipWriter<_>, name: &str, text: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    part(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        &mut zip,
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    let mut relations = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    );
    if let Some(strings) = shared_strings {
        relations.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#);
        part(&mut zip, "xl/sharedStrings.xml", strings);
    }
    relations.push_str("</Relationships>");
    part(&mut zip, "xl/_rels/workbook.xml.rels", &relations);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    sheet(&mut zip);
    zip.finish().unwrap().into_inner()
}

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn inline(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The spreadsheets of the attack: a sheet whose two cells span the whole grid, a part that expands to
/// gigabytes, a million empty rows, deeply nested elements, and more filled rows than an import takes.
fn hostile_spreadsheets() -> Vec<(&'static str, Vec<u8>)> {
    let corners = xlsx(
        |w| {
            write!(w, r#"{SHEET_START}<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
                inline("A1", "Name"), inline("XFD1048576", "x")).unwrap();
        },
        None,
    );
    let bomb = xlsx(
        |w| {
            write!(w, "{SHEET_START}<sheetData>").unwrap();
            let spaces = vec![b' '; 1024 * 1024];
            for _ in 0..300 {
                w.write_all(&spaces).unwrap();
            }
            write!(w, "</sheetData></worksheet>").unwrap();
        },
        None,
    );
    let empty_rows = xlsx(
        |w| {
            write!(
                w,
                "{SHEET_START}<sheetData><row r=\"1\">{}</row>",
                inline("A1", "Name")
            )
            .unwrap();
            for r in 2..=1_000_000 {
                write!(w, r#"<row r="{r}"/>"#).unwrap();
            }
            write!(
                w,
                "<row r=\"1000001\">{}</row></sheetData></worksheet>",
                inline("A1000001", "Last Row Traders")
            )
            .unwrap();
        },
        None,
    );
    let nested = xlsx(
        |w| {
            write!(
                w,
                "{SHEET_START}<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is>"
            )
            .unwrap();
            for _ in 0..200_000 {
                w.write_all(b"<r>").unwrap();
            }
            for _ in 0..200_000 {
                w.write_all(b"</r>").unwrap();
            }
            write!(w, "</is></c></row></sheetData></worksheet>").unwrap();
        },
        None,
    );
    let too_many_rows = xlsx(
        |w| {
            write!(w, "{SHEET_START}<sheetData>").unwrap();
            for r in 1..=100_002 {
                write!(w, r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#).unwrap();
            }
            write!(w, "</sheetData></worksheet>").unwrap();
        },
        Some(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>Name</t></si></sst>"#,
        ),
    );
    vec![
        ("corners", corners),
        ("bomb", bomb),
        ("empty rows", empty_rows),
        ("nested", nested),
        ("too many rows", too_many_rows),
    ]
}

fn import_form(name: &str, content: &[u8]) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(content.to_vec()).file_name(name.to_string()),
    )
}

/// An import through the API as `admin`: its status and body.
async fn api_import(admin: &Session, name: &str, content: &[u8]) -> (u16, Value) {
    let response = admin
        .client
        .post(format!("{}/api/v1/clients/import", admin.base()))
        .header("x-csrf-token", &admin.csrf)
        .multipart(import_form(name, content))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn hostile_spreadsheets_are_refused_within_bounds(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.count("SELECT COUNT(*) FROM clients").await;
    for (label, file) in hostile_spreadsheets() {
        let (status, body) = api_import(&admin, "clients.xlsx", &file).await;
        match label {
            // A million empty rows are no rows: the two filled ones are the table.
            "empty rows" => {
                assert_eq!(status, 200, "{label}: {body}");
                assert_eq!(body["rows"], 1, "{label}: {body}");
                assert_eq!(body["preview"][0]["name"], "Last Row Traders");
            }
            // Read without recursion: one cell of text, and so no column holds a name.
            "nested" => assert_eq!(fields(&body), ["mapping.name"], "{label}: {body}"),
            _ => {
                assert!(status == 400 || status == 422, "{label}: {status} {body}");
                assert!(
                    body["errors"][0]["field"] == "file" || body["detail"].is_string(),
                    "{label}: {body}"
                );
            }
        }
        assert_eq!(app.health().await, 200, "the server survives {label}");

        // Through the console the file is read at upload: one that cannot be read is never kept, so no
        // later page view can parse it again.
        let page = admin
            .client
            .post(format!("{}/console/clients/import", admin.base()))
            .multipart(import_form("clients.xlsx", &file).text("_csrf", admin.csrf.clone()))
            .send()
            .await
            .unwrap();
        assert!(
            page.status().is_success() || page.status().is_redirection(),
            "{label}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM clients").await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM imports").await,
        2,
        "only the uploads that could be read (empty rows, nested) are kept"
    );
}

async fn hostile_csv_files_are_refused_within_bounds(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let wide = format!(
        "name,phone\nShree Traders,9820012345\n{}\n",
        ",".repeat(100_000)
    );
    let long = format!("name\n{}", "Row\n".repeat(100_001));
    let blank = format!(
        "name\nFirst Traders\n{}Last Traders\n",
        "\n".repeat(1_000_000)
    );
    for (label, file) in [("wide", wide), ("long", long), ("blank", blank)] {
        let (status, body) = api_import(&admin, "clients.csv", file.as_bytes()).await;
        match label {
            "wide" => {
                assert_eq!(status, 200, "{body}");
                assert_eq!(body["valid"], 1);
                assert_eq!(body["errors"][0]["row"], 3, "{body}");
            }
            "long" => assert_eq!(fields(&body), ["file"], "{body}"),
            _ => {
                assert_eq!(status, 200, "{body}");
                assert_eq!(body["valid"], 2, "{body}");
            }
        }
    }
    assert_eq!(app.health().await, 200);
}

async fn control_characters_are_refused_naming_the_field(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let before = app.snapshot().await;
    let clients_before = app.count("SELECT COUNT(*) FROM clients").await;
    let preferences_before = app
        .count("SELECT COUNT(*) FROM people WHERE last_view IS NOT NULL")
        .await;
    for (path, field) in [
        ("/api/v1/clients?tag=a%00", "tag"),
        ("/api/v1/clients/export.csv?tag=%00", "tag"),
        ("/api/v1/people?q=%00", "q"),
        ("/api/v1/audit?action=a%00b", "action"),
        ("/api/v1/audit?ip=%00", "ip"),
        ("/api/v1/clients?q=%1B%5B31m", "q"),
    ] {
        let response = admin.get(path).await;
        assert_eq!(response.status(), 422, "{path}");
        assert_eq!(fields(&problem(response).await), [field], "{path}");
    }
    let in_path = admin.get("/api/v1/clients/%00").await;
    assert_eq!(in_path.status(), 404);
    let console = admin.get("/console/people?q=%00").await;
    assert_eq!(console.status(), 422);
    assert!(console.text().await.unwrap().contains("control characters"));

    for (body, field) in [
        (
            json!({ "name": "X", "address": "12 MG Road\u{0}Pune" }),
            "address",
        ),
        (json!({ "name": "Shree\u{7}Traders" }), "name"),
        (json!({ "name": "X", "tags": ["ok", "b\u{0}"] }), "tags[1]"),
    ] {
        let response = admin.post("/api/v1/clients", body).await;
        assert_eq!(response.status(), 422);
        assert_eq!(fields(&problem(response).await), [field]);
    }
    let preference = admin
        .patch(
            "/api/v1/me/preferences",
            json!({ "last_view": "/console\u{0}" }),
        )
        .await;
    assert_eq!(preference.status(), 422);
    let form = admin
        .form("/console/clients", &[("name", "Form\u{0}Traders")])
        .await;
    assert_eq!(form.status(), 422);
    assert_eq!(
        app.snapshot().await,
        before,
        "refused requests change nothing"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM people WHERE last_view IS NOT NULL")
            .await,
        preferences_before
    );
    // Line breaks are text, not control characters, where text may span lines.
    let multiline = admin
        .post(
            "/api/v1/clients",
            json!({ "name": "Multi Line", "address": "12 MG Road\r\nPune\t411001" }),
        )
        .await;
    assert_eq!(multiline.status(), 201);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM clients").await,
        clients_before + 1
    );

    // In a push, the record with one is rejected on its own; the rest of the batch goes in.
    let device = app.device(&app.a, &app.a.field).await;
    let t = now_ms();
    let good = record("note", t, json!({ "text": "Shop opens at 10" }));
    let bad = record("note", t, json!({ "text": "bad\u{0}note" }));
    let odd_kind =
        json!({ "id": Uuid::now_v7(), "kind": "note\u{0}", "device_time": t, "payload": {} });
    let results = push(&device, &[good.clone(), bad, odd_kind]).await;
    assert_eq!(statuses(&results), ["accepted", "rejected", "rejected"]);
    assert!(results[1]["reason"]
        .as_str()
        .unwrap()
        .contains("payload.text"));
    assert_eq!(statuses(&push(&device, &[good]).await), ["duplicate"]);
}

async fn a_stored_view_never_breaks_a_page(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for view in [
        "/console\n",
        "https://evil.example/console",
        "/console//evil.example",
        "/consoleevil",
    ] {
        let response = admin
            .patch("/api/v1/me/preferences", json!({ "last_view": view }))
            .await;
        assert_eq!(response.status(), 422, "{view:?}");
        assert_eq!(fields(&problem(response).await), ["last_view"]);
    }
    let fine = admin
        .patch(
            "/api/v1/me/preferences",
            json!({ "last_view": "/console/clients?q=shree" }),
        )
        .await;
    assert_eq!(fine.status(), 204);
    // A value that got into the database some other way is ignored, never used as a header.
    app.admin_sql(&format!(
        "UPDATE people SET last_view = '/console
x' WHERE id = '{}'",
        app.a.admin.id
    ))
    .await;
    let home = admin.get("/").await;
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/console");
    let me: Value = admin.get("/api/v1/me").await.json().await.unwrap();
    assert!(me["last_view"].is_null());
    let again = app
        .sign_in_attempt(&app.browser(), &app.a.slug, &app.a.admin.email, PASSWORD)
        .await;
    assert_eq!(again.status(), 201);
}

async fn sign_in_limits_hold_the_person_not_the_spelling(app: TestApp) {
    let mobile_person = &app.a.field;
    let spellings = [
        "9800000003",
        "98000 00003",
        "+91 98000-00003",
        "+919800000003",
        "+91 9800000003",
        "98000-00003",
        "+91-98000-00003",
        "980 000 0003",
    ];
    // The person signs in on their own phone first: that phone is known from now on.
    let own_phone = app.browser();
    let first = app
        .sign_in_attempt(&own_phone, &app.a.slug, spellings[0], PASSWORD)
        .await;
    assert_eq!(first.status(), 201);

    let stranger = app.browser();
    let mut refused_at = None;
    for (n, spelling) in spellings.iter().cycle().take(20).enumerate() {
        let response = app
            .sign_in_attempt(&stranger, &app.a.slug, spelling, "guess-guess-guess")
            .await;
        if response.status() == 429 {
            refused_at = Some(n);
            break;
        }
        assert_eq!(response.status(), 401, "{spelling}");
    }
    assert_eq!(
        refused_at,
        Some(5),
        "five free failures for the person, however the number is spelt"
    );
    // The stranger's device waits; the right password does not help it.
    let stranger_right = app
        .sign_in_attempt(&stranger, &app.a.slug, spellings[3], PASSWORD)
        .await;
    assert_eq!(stranger_right.status(), 429);
    // The person's own phone is not locked out by the stranger.
    let own = app
        .sign_in_attempt(&own_phone, &app.a.slug, &mobile_person.email, PASSWORD)
        .await;
    assert_eq!(
        own.status(),
        201,
        "the known device keeps its own allowance"
    );
    let cookie = own
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("outfield_device="))
        .expect("the device cookie is renewed");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    // A device cookie of someone else is no key to this person's allowance.
    let other_person_phone = app.browser();
    let other = app
        .sign_in_attempt(
            &other_person_phone,
            &app.a.slug,
            &app.a.manager.email,
            PASSWORD,
        )
        .await;
    assert_eq!(other.status(), 201);
    let borrowed = app
        .sign_in_attempt(&other_person_phone, &app.a.slug, spellings[1], PASSWORD)
        .await;
    assert_eq!(borrowed.status(), 429);
}

async fn a_one_time_link_works_exactly_once_under_concurrency(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for round in 0..5 {
        let response = admin
            .post(
                "/api/v1/people",
                json!({ "name": format!("Ravi Kumar {round}"),
                "email": format!("ravi{round}@alpha-traders.example"), "role": "field_employee" }),
            )
            .await;
        assert_eq!(response.status(), 201);
        let invited: Value = response.json().await.unwrap();
        let token = invited["link"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let attempts = (0..16).map(|n| {
            let url = app.url(&format!("/api/v1/links/{token}"));
            async move {
                reqwest::Client::new()
                    .post(url)
                    .json(&json!({ "password": format!("a new password {n}") }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        });
        let outcomes = futures_util::future::join_all(attempts).await;
        assert_eq!(
            outcomes.iter().filter(|s| **s < 300).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        assert!(
            outcomes.iter().all(|s| *s < 300 || *s == 404),
            "{outcomes:?}"
        );
    }
}

async fn concurrent_merges_of_one_pair_merge_once(app: TestApp) {
    let manager = app.session(&app.a, &app.a.manager).await;
    for round in 0..3 {
        let mut ids = Vec::new();
        for name in ["Keep Traders", "Copy Traders"] {
            let response = manager
                .post(
                    "/api/v1/clients",
                    json!({ "name": format!("{name} {round}"), "owner_ids": [app.a.field.id] }),
                )
                .await;
            assert_eq!(response.status(), 201);
            let client: Value = response.json().await.unwrap();
            ids.push(client["id"].as_str().unwrap().to_string());
        }
        let merges = (0..8).map(|n| {
            let (keep, duplicate) = if n % 2 == 0 {
                (&ids[0], &ids[1])
            } else {
                (&ids[1], &ids[0])
            };
            let path = format!("/api/v1/clients/{keep}/merge");
            let manager = &manager;
            async move {
                manager
                    .post(&path, json!({ "duplicate_id": duplicate }))
                    .await
                    .status()
                    .as_u16()
            }
        });
        let outcomes = futures_util::future::join_all(merges).await;
        assert_eq!(
            outcomes.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        assert!(
            outcomes.iter().all(|s| [200, 404, 422].contains(s)),
            "{outcomes:?}"
        );
        let left = app
            .count(&format!(
                "SELECT COUNT(*) FROM clients WHERE id IN ('{}', '{}')",
                ids[0], ids[1]
            ))
            .await;
        assert_eq!(left, 1, "one of the pair is kept");
    }
}

async fn location_setup(app: &TestApp) -> (Session, i64) {
    let device = app.device(&app.a, &app.a.field).await;
    let t0 = now_ms() - 30 * 60_000;
    let consent = record(
        "consent",
        t0 - 1000,
        json!({ "permission": "location", "decision": "granted", "policy_version": 1 }),
    );
    let start = record("day_start", t0, json!({}));
    assert_eq!(
        statuses(&push(&device, &[consent, start]).await),
        ["accepted", "accepted"]
    );
    (device, t0)
}

async fn fix_ids_repeated_in_one_batch_are_answered_against_the_first(app: TestApp) {
    let (device, t0) = location_setup(&app).await;
    let id = Uuid::now_v7();
    let fix = |latitude: f64| {
        json!({ "id": id, "kind": "fix", "device_time": t0 + 60_000,
                "payload": { "latitude": latitude, "longitude": 73.8567, "accuracy_m": 10.0 } })
    };
    let results = push(&device, &[fix(18.5204), fix(18.6), fix(18.5204)]).await;
    assert_eq!(statuses(&results), ["accepted", "rejected", "duplicate"]);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM fixes WHERE id = '{id}'"))
            .await,
        1
    );
}

async fn an_exact_replay_of_a_fix_is_a_duplicate(app: TestApp) {
    let (device, t0) = location_setup(&app).await;
    let mut batch = Vec::new();
    for (n, (latitude, longitude)) in [
        (18.540139, 73.804786),
        (18.522681, 85.195411),
        (-33.868820, -173.021293),
        (18.5, 73.8),
    ]
    .into_iter()
    .enumerate()
    {
        batch.push(record(
            "fix",
            t0 + 60_000 * (n as i64 + 1),
            json!({ "latitude": latitude, "longitude": longitude, "accuracy_m": 7.3,
                    "speed_mps": 1.1, "heading": 271.9, "battery": 0.57 }),
        ));
    }
    assert!(statuses(&push(&device, &batch).await)
        .iter()
        .all(|s| *s == "accepted"));
    assert!(statuses(&push(&device, &batch).await)
        .iter()
        .all(|s| *s == "duplicate"));
    let stored = app
        .admin_sql(&format!(
            "SELECT longitude FROM fixes WHERE id = '{}'",
            batch[0]["id"].as_str().unwrap()
        ))
        .await;
    let longitude: f64 = sqlx::Row::try_get(&stored[0], "longitude").unwrap();
    assert!(
        (longitude - 73.804786).abs() < 1e-12,
        "stored as sent, to SQLite's rounding of decimals: {longitude}"
    );
}

async fn stored_corrupt_json_fails_loudly(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let response = admin
        .post(
            "/api/v1/clients",
            json!({ "name": "Corrupt Traders", "other_phones": ["9820011111"] }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let client: Value = response.json().await.unwrap();
    let id = client["id"].as_str().unwrap();
    app.admin_sql(&format!(
        "UPDATE clients SET other_phones = 'not json' WHERE id = '{id}'"
    ))
    .await;
    let read = admin.get(&format!("/api/v1/clients/{id}")).await;
    assert_eq!(
        read.status(),
        500,
        "never an empty list as if it were stored"
    );
    let body = problem(read).await;
    assert!(body["request_id"].is_string());
    assert!(
        !body.to_string().contains("not json"),
        "no internals: {body}"
    );
}

async fn cookies_and_sign_in_form_resist_cross_site_use(app: TestApp) {
    // A page elsewhere posting the sign-in form has neither the form's token nor its cookie.
    let browser = app.browser();
    let forged = browser
        .post(app.url("/sign-in"))
        .form(&[
            ("_csrf", "guessed"),
            ("company", app.a.slug.as_str()),
            ("login", app.a.admin.email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged
        .headers()
        .get_all("set-cookie")
        .iter()
        .all(|c| !c.to_str().unwrap().starts_with("outfield_session=")));
    let page = browser.get(app.url("/sign-in")).send().await.unwrap();
    let csrf_cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(csrf_cookie.contains("SameSite=Strict") && csrf_cookie.contains("HttpOnly"));
    let signed_in = app
        .console_sign_in(&browser, &app.a.admin.email, PASSWORD)
        .await;
    assert_eq!(signed_in.status(), 303);
    let cookies: Vec<String> = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .collect();
    let company = cookies
        .iter()
        .find(|c| c.starts_with("outfield_company="))
        .unwrap();
    assert!(company.contains("SameSite=Lax") && company.contains("HttpOnly"));
    assert!(
        !company.contains("Secure"),
        "not Secure unless served over HTTPS"
    );
    assert!(page_has_no_hsts(&app).await);
}

async fn page_has_no_hsts(app: &TestApp) -> bool {
    let response = reqwest::get(app.url("/sign-in")).await.unwrap();
    !response.headers().contains_key("strict-transport-security")
}

async fn over_https_cookies_are_secure_and_hsts_is_sent(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.secure_cookies = true).await;
    let response = reqwest::get(app.url("/sign-in")).await.unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

/// Every write that binds a nullable number, first with NULLs and then with values, on a pool of one
/// PostgreSQL connection, so that the second runs the statement the first prepared.
async fn nullable_values_then_values_on_one_connection(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.database_connections = 1).await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let mut ids = Vec::new();
    for location in [
        Value::Null,
        json!({ "latitude": 18.52, "longitude": 73.85 }),
    ] {
        let response = admin
            .post(
                "/api/v1/clients",
                json!({ "name": "Null First Traders", "location": location,
                "owner_ids": [app.a.field.id, app.a.other_field.id] }),
            )
            .await;
        assert_eq!(response.status(), 201, "{location}");
        let client: Value = response.json().await.unwrap();
        ids.push(client["id"].as_str().unwrap().to_string());
    }
    for location in [
        Value::Null,
        json!({ "latitude": 18.53, "longitude": 73.86 }),
    ] {
        let response = admin
            .patch(
                &format!("/api/v1/clients/{}", ids[0]),
                json!({ "location": location }),
            )
            .await;
        assert_eq!(response.status(), 200, "{location}");
    }
    // The same statements with and without positions: one person's day without, another's with.
    let position = json!({ "latitude": 18.52, "longitude": 73.85, "accuracy_m": 9.0 });
    let t0 = now_ms() - 60 * 60_000;
    for (member, with_position) in [(&app.a.field, false), (&app.a.other_field, true)] {
        let device = app.device(&app.a, member).await;
        let placed = |mut payload: Value| {
            if with_position {
                payload["position"] = position.clone();
            }
            payload
        };
        let consent = record(
            "consent",
            t0,
            json!({ "permission": "location", "decision": "granted", "policy_version": 1 }),
        );
        let start = record("day_start", t0 + 60_000, placed(json!({})));
        let check_in = record(
            "check_in",
            t0 + 120_000,
            placed(json!({ "client_id": ids[1] })),
        );
        let check_out = record(
            "check_out",
            t0 + 180_000,
            placed(json!({ "visit_id": check_in["id"], "outcome": "Order taken" })),
        );
        let end = record("day_end", t0 + 240_000, placed(json!({})));
        let results = push(&device, &[consent, start, check_in, check_out, end]).await;
        assert!(
            results.iter().all(|r| r["status"] == "accepted"),
            "with position {with_position}: {results:?}"
        );
    }
    assert_eq!(app.health().await, 200);
}

/// A write is answered only once it would survive a power cut: SQLite syncs the WAL at every commit
/// (synchronous=FULL); PostgreSQL waits for its WAL flush (synchronous_commit, fsync).
async fn acknowledged_writes_are_synced_to_disk(app: TestApp) {
    let mut tx = app.db.system().await.unwrap();
    match app.backend {
        Backend::Sqlite => {
            let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            assert_eq!(level, 2, "synchronous=FULL on the connection that writes");
        }
        Backend::Postgres => {
            for setting in ["synchronous_commit", "fsync"] {
                let value: String =
                    sqlx::query_scalar(&format!("SELECT current_setting('{setting}')"))
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                assert_eq!(value, "on", "{setting}");
            }
        }
    }
    tx.commit().await.unwrap();
}

/// The server as it runs in production on PostgreSQL: connected as a login role that owns nothing and
/// is no superuser, the schema migrated through the owner's URL.
async fn the_server_runs_as_a_role_without_privileges() {
    let admin_url = std::env::var("OUTFIELD_TEST_POSTGRES")
        .expect("OUTFIELD_TEST_POSTGRES names the PostgreSQL server of the suite");
    let login = format!("outfield_test_login_{}", Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!(
        "CREATE ROLE {login} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
    ))
    .execute(&admin)
    .await
    .unwrap();
    admin.close().await;
    let app = TestApp::spawn_with(Backend::Postgres, |config| {
        let owner_url = config.database_url.clone().unwrap();
        let mut server_url = url::Url::parse(&owner_url).unwrap();
        server_url.set_username(&login).unwrap();
        config.migrate_database_url = Some(owner_url);
        config.database_url = Some(server_url.to_string());
    })
    .await;
    let admin = app.session(&app.a, &app.a.admin).await;
    let created = admin
        .post(
            "/api/v1/clients",
            json!({ "name": "Least Privilege Traders" }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let listed: Vec<Value> = admin
        .get("/api/v1/clients?q=least")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);

    // What a request's SQL could attempt as that role, were it ever injected.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&app.database_url)
        .await
        .unwrap();
    let (superuser, bypasses): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = session_user")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(!superuser && !bypasses);
    for attempt in [
        "SET ROLE postgres",
        "ALTER TABLE clients DISABLE ROW LEVEL SECURITY",
        "DROP TABLE audit_log",
        "CREATE TABLE stolen (x TEXT)",
        "UPDATE audit_log SET action = 'x'",
    ] {
        assert!(
            sqlx::raw_sql(attempt).execute(&mut conn).await.is_err(),
            "{attempt} must fail"
        );
    }
    let visible: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clients")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(visible, 0, "no company set, no rows");
}

/// Creates a login role (no superuser) with `extra` attributes; returns its name.
async fn login_role(admin: &sqlx::PgPool, kind: &str, extra: &str) -> String {
    let name = format!("outfield_test_{kind}_{}", Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOBYPASSRLS {extra}"
    ))
    .execute(admin)
    .await
    .unwrap();
    name
}

fn url_as(url: &str, role: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_username(role).unwrap();
    url.to_string()
}

/// A second installation on a cluster where `outfield_app` already exists (roles are cluster-wide),
/// with a schema owner that is no member of it and no superuser: the server starts; the commands run
/// with only the server's login role; an owner who may not grant the role is told what to grant.
async fn a_second_installation_starts_where_the_server_role_exists() {
    let admin_url = std::env::var("OUTFIELD_TEST_POSTGRES")
        .expect("OUTFIELD_TEST_POSTGRES names the PostgreSQL server of the suite");
    let database_url = crate::helpers::fresh_postgres_url().await;
    let database = url::Url::parse(&database_url).unwrap().path()[1..].to_string();
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    sqlx::raw_sql("DO $$ BEGIN CREATE ROLE outfield_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        .execute(&admin)
        .await
        .unwrap();
    let owner = login_role(&admin, "owner", "CREATEROLE").await;
    let server = login_role(&admin, "login", "NOCREATEROLE").await;
    sqlx::query(&format!("ALTER DATABASE {database} OWNER TO {owner}"))
        .execute(&admin)
        .await
        .unwrap();
    let member: bool = sqlx::query_scalar(&format!(
        "SELECT pg_has_role('{owner}', 'outfield_app', 'MEMBER')"
    ))
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(
        !member,
        "the owner starts as no member of the existing role"
    );

    let app = TestApp::spawn_with(Backend::Postgres, |config| {
        config.migrate_database_url = Some(url_as(&database_url, &owner));
        config.database_url = Some(url_as(&database_url, &server));
    })
    .await;
    let session = app.session(&app.a, &app.a.admin).await;
    assert_eq!(session.get("/api/v1/me").await.status(), 200);

    // `company create` and `audit verify` with only the server's login role.
    let data = crate::helpers::temp_dir();
    let mut config = crate::helpers::config(Some(url_as(&database_url, &server)), data.0.clone());
    config.migrate_database_url = None;
    let db = config
        .connect_migrated(&outfield::MIGRATIONS)
        .await
        .expect("the login role starts on a schema that is up to date");
    crate::helpers::create_company(&db, "gupta-pharma", "Gupta Pharma Agencies")
        .await
        .expect("a company is created as the login role");
    let chains = outfield_core::audit::verify::verify_all(&db, None)
        .await
        .expect("the audit trail is verified as the login role");
    assert_eq!(chains.len(), 3);
    db.close().await;

    // A schema owner that may not grant the role is told what a superuser must run.
    let refused_owner = login_role(&admin, "owner", "NOCREATEROLE").await;
    let other_database = crate::helpers::fresh_postgres_url().await;
    let name = url::Url::parse(&other_database).unwrap().path()[1..].to_string();
    sqlx::query(&format!("ALTER DATABASE {name} OWNER TO {refused_owner}"))
        .execute(&admin)
        .await
        .unwrap();
    let config = crate::helpers::config(
        Some(url_as(&other_database, &refused_owner)),
        data.0.clone(),
    );
    let error = match config.connect_migrated(&outfield::MIGRATIONS).await {
        Ok(_) => panic!("an owner outside the role cannot start"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains(&format!(
            "GRANT outfield_app TO \"{refused_owner}\" WITH ADMIN OPTION"
        )),
        "{error}"
    );
    admin.close().await;
}

both_backends!(
    hostile_spreadsheets_are_refused_within_bounds,
    hostile_csv_files_are_refused_within_bounds,
    control_characters_are_refused_naming_the_field,
    a_stored_view_never_breaks_a_page,
    sign_in_limits_hold_the_person_not_the_spelling,
    a_one_time_link_works_exactly_once_under_concurrency,
    concurrent_merges_of_one_pair_merge_once,
    fix_ids_repeated_in_one_batch_are_answered_against_the_first,
    an_exact_replay_of_a_fix_is_a_duplicate,
    stored_corrupt_json_fails_loudly,
    cookies_and_sign_in_form_resist_cross_site_use,
    acknowledged_writes_are_synced_to_disk,
);

mod configured {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nullable_values_then_values_on_one_connection_sqlite() {
        nullable_values_then_values_on_one_connection(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nullable_values_then_values_on_one_connection_postgres() {
        if postgres_skipped("nullable_values_then_values_on_one_connection_postgres") {
            return;
        }
        nullable_values_then_values_on_one_connection(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_server_runs_as_a_role_without_privileges_postgres() {
        if postgres_skipped("the_server_runs_as_a_role_without_privileges_postgres") {
            return;
        }
        the_server_runs_as_a_role_without_privileges().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_second_installation_starts_where_the_server_role_exists_postgres() {
        if postgres_skipped("a_second_installation_starts_where_the_server_role_exists_postgres") {
            return;
        }
        a_second_installation_starts_where_the_server_role_exists().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn over_https_cookies_are_secure_and_hsts_is_sent_sqlite() {
        over_https_cookies_are_secure_and_hsts_is_sent(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn over_https_cookies_are_secure_and_hsts_is_sent_postgres() {
        if postgres_skipped("over_https_cookies_are_secure_and_hsts_is_sent_postgres") {
            return;
        }
        over_https_cookies_are_secure_and_hsts_is_sent(Backend::Postgres).await;
    }
}
