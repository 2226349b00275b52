//! Uploads: a selfie at the start of the day, photos and a voice note on a visit report (one of them
//! arriving after the report), who may fetch them and how they are served, and every upload refused.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{fields, jpeg, problem, Session, TestApp};

const MINUTE: i64 = 60_000;

/// A PNG of only its signature and header chunk, declaring `width` × `height` (74 bytes with an empty
/// data chunk and the end chunk, as in the attack).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        let mut crc = 0xFFFF_FFFFu32;
        for byte in &body {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        out.extend_from_slice(&(!crc).to_be_bytes());
        out
    };
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// The start of a WebM recording, as Chromium's MediaRecorder writes it.
fn webm(len: usize) -> Vec<u8> {
    let mut bytes = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01".to_vec();
    bytes.resize(len, 7);
    bytes
}

fn record(kind: &str, device_time: i64, payload: Value) -> Value {
    json!({ "id": Uuid::now_v7(), "kind": kind, "device_time": device_time, "payload": payload })
}

fn grant(permission: &str, device_time: i64) -> Value {
    let payload = json!({ "permission": permission, "decision": "granted", "policy_version": 1 });
    record("consent", device_time, payload)
}

async fn push(session: &Session, records: &[Value]) -> Vec<Value> {
    let response = session
        .post("/api/v1/sync/push", json!({ "records": records }))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["results"].as_array().unwrap().clone()
}

async fn put_file(session: &Session, id: Uuid, purpose: &str, bytes: Vec<u8>) -> reqwest::Response {
    session
        .client
        .put(format!(
            "{}/api/v1/files/{id}?purpose={purpose}",
            session.base()
        ))
        .header("x-csrf-token", &session.csrf)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn accepted(results: &[Value]) -> bool {
    results.iter().all(|r| r["status"] == "accepted")
}

/// Checks in at a new client of the field employee and returns the visit's id.
async fn check_in(app: &TestApp, device: &Session, at: i64) -> Value {
    let admin = app.session(&app.a, &app.a.admin).await;
    let created = admin
        .post(
            "/api/v1/clients",
            json!({ "name": "Sai Medicals", "owner_ids": [app.a.field.id],
                    "location": { "latitude": 18.52, "longitude": 73.85 } }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let client: Value = created.json().await.unwrap();
    let check_in = record("check_in", at, json!({ "client_id": client["id"] }));
    assert!(accepted(
        &push(device, std::slice::from_ref(&check_in)).await
    ));
    check_in["id"].clone()
}

async fn photos_voice_notes_and_selfies(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let device = app.device(&app.a, &app.a.field).await;
    let t0 = chrono::Utc::now().timestamp_millis() - 60 * MINUTE;
    let asked = admin
        .patch(
            "/api/v1/company/activity-settings",
            json!({ "selfie_required": true }),
        )
        .await;
    assert_eq!(asked.status(), 200);

    let consents = [grant("camera", t0 - 2000), grant("microphone", t0 - 1000)];
    assert!(accepted(&push(&device, &consents).await));
    let without_selfie = push(&device, &[record("day_start", t0, json!({}))]).await;
    assert_eq!(without_selfie[0]["status"], "rejected");
    assert!(without_selfie[0]["reason"]
        .as_str()
        .unwrap()
        .contains("selfie"));

    let selfie = Uuid::now_v7();
    let stored = put_file(&device, selfie, "selfie", jpeg(1, 40_000)).await;
    assert_eq!(stored.status(), 201);
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["content_type"], "image/jpeg");
    assert_eq!(stored["size_bytes"], 40_000);
    assert_eq!(stored["sha256"].as_str().unwrap().len(), 64);
    let replay = put_file(&device, selfie, "selfie", jpeg(1, 40_000)).await;
    assert_eq!(replay.status(), 200, "the same bytes again are a replay");
    let other_bytes = put_file(&device, selfie, "selfie", jpeg(2, 40_000)).await;
    assert_eq!(other_bytes.status(), 409);
    let start = record("day_start", t0, json!({ "selfie": selfie }));
    assert!(accepted(&push(&device, &[start]).await));

    let visit = check_in(&app, &device, t0 + 10 * MINUTE).await;
    let (first_photo, late_photo, voice) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(
        put_file(&device, first_photo, "visit_photo", jpeg(3, 2_000_000))
            .await
            .status(),
        201
    );
    assert_eq!(
        put_file(&device, voice, "voice_note", webm(90_000))
            .await
            .status(),
        201
    );
    let report = json!({ "visit_id": visit, "outcome": "Order taken", "photos": [first_photo, late_photo],
                         "voice_note": voice });
    let check_out = record("check_out", t0 + 25 * MINUTE, report);
    let results = push(&device, &[check_out]).await;
    assert!(accepted(&results), "{results:?}");

    let day = chrono::DateTime::from_timestamp_millis(t0)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let day_path = format!("/api/v1/people/{}/days/{day}", app.a.field.id);
    let detail: Value = manager.get(&day_path).await.json().await.unwrap();
    let files = detail["visits"][0]["attachments"]
        .as_array()
        .unwrap()
        .clone();
    let kinds: Vec<(&str, &str)> = files
        .iter()
        .map(|f| {
            (
                f["purpose"].as_str().unwrap(),
                f["content_type"].as_str().unwrap_or("on its way"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("visit_photo", "image/jpeg"),
            ("visit_photo", "on its way"),
            ("voice_note", "audio/webm")
        ]
    );
    assert_eq!(detail["selfie"]["file_id"], selfie.to_string());
    assert_eq!(
        put_file(&device, late_photo, "visit_photo", jpeg(4, 5_000))
            .await
            .status(),
        201
    );
    let detail: Value = manager.get(&day_path).await.json().await.unwrap();
    assert_eq!(
        detail["visits"][0]["attachments"][1]["content_type"],
        "image/jpeg"
    );

    let served = manager.get(&format!("/api/v1/files/{first_photo}")).await;
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(served.bytes().await.unwrap().to_vec(), jpeg(3, 2_000_000));
    let own = device.get(&format!("/api/v1/files/{voice}")).await;
    assert_eq!(own.headers()["content-type"], "audio/webm");

    let outsider = app.device(&app.a, &app.a.other_field).await;
    let other_company = app.session(&app.b, &app.b.admin).await;
    for (who, session) in [
        ("another team's employee", &outsider),
        ("another company", &other_company),
    ] {
        let response = session.get(&format!("/api/v1/files/{first_photo}")).await;
        assert_eq!(response.status(), 404, "{who}");
    }
    let stranger = put_file(
        &other_company,
        first_photo,
        "visit_photo",
        jpeg(3, 2_000_000),
    )
    .await;
    assert_eq!(
        stranger.status(),
        409,
        "another company has not allowed the camera"
    );

    let page = manager
        .get(&format!("/console/people/{}/day?day={day}", app.a.field.id))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!(
        "href=\"/api/v1/files/{first_photo}\"><img class=\"thumb\" src=\"/api/v1/files/{first_photo}/preview\""
    )));
    assert!(html.contains(&format!(
        "<audio controls preload=\"none\" src=\"/api/v1/files/{voice}\""
    )));
    assert!(html.contains("Selfie at start"));
}

async fn bad_uploads_change_nothing(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let t0 = chrono::Utc::now().timestamp_millis() - 60 * MINUTE;
    let files_dir = app.data_dir.0.join("files");

    let no_consent = put_file(&device, Uuid::now_v7(), "visit_photo", jpeg(1, 1000)).await;
    assert_eq!(no_consent.status(), 409);
    assert!(problem(no_consent).await["title"]
        .as_str()
        .unwrap()
        .contains("camera"));

    assert!(accepted(
        &push(
            &device,
            &[grant("camera", t0 - 2000), grant("microphone", t0 - 1000)]
        )
        .await
    ));
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.resize(500, 0);
    let cases: [(&str, Vec<u8>, u16, &str); 6] = [
        ("visit_photo", html.clone(), 422, "file"),
        ("selfie", webm(3000), 422, "file"),
        ("voice_note", png, 422, "file"),
        ("voice_note", Vec::new(), 422, "file"),
        ("invoice", jpeg(1, 1000), 422, "purpose"),
        ("visit_photo", jpeg(1, 12 * 1024 * 1024 + 1), 413, ""),
    ];
    for (purpose, bytes, status, field) in cases {
        let response = put_file(&device, Uuid::now_v7(), purpose, bytes).await;
        assert_eq!(response.status(), status, "{purpose}");
        let body = problem(response).await;
        if !field.is_empty() {
            assert_eq!(fields(&body), [field], "{purpose}: {body}");
        }
    }
    let not_an_id = device
        .client
        .put(format!("{}/api/v1/files/abc?purpose=selfie", device.base()))
        .body(jpeg(1, 1000))
        .send()
        .await
        .unwrap();
    assert_eq!(not_an_id.status(), 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 0);
    let stored: Vec<_> = walk(&files_dir);
    assert!(
        stored.is_empty(),
        "nothing is left in the store: {stored:?}"
    );

    // A report naming someone else's photo, too many photos, or a voice note without the microphone
    // allowed is refused whole: no attachment of it is kept.
    let colleague = app.device(&app.a, &app.a.other_field).await;
    assert!(accepted(&push(&colleague, &[grant("camera", t0)]).await));
    let theirs = Uuid::now_v7();
    assert_eq!(
        put_file(&colleague, theirs, "visit_photo", jpeg(5, 1000))
            .await
            .status(),
        201
    );
    let mine = Uuid::now_v7();
    assert_eq!(
        put_file(&device, mine, "visit_photo", jpeg(6, 1000))
            .await
            .status(),
        201
    );
    assert!(accepted(
        &push(
            &device,
            &[grant("location", t0), record("day_start", t0, json!({}))]
        )
        .await
    ));
    let visit = check_in(&app, &device, t0 + MINUTE).await;
    let revoke = json!({ "permission": "microphone", "decision": "revoked", "policy_version": 1 });
    assert!(accepted(
        &push(&device, &[record("consent", t0 + 2 * MINUTE, revoke)]).await
    ));
    let eleven: Vec<Uuid> = (0..11).map(|_| Uuid::now_v7()).collect();
    let reports = [
        (
            json!({ "visit_id": visit, "photos": [mine, theirs] }),
            "not a visit photo of yours",
        ),
        (
            json!({ "visit_id": visit, "photos": eleven }),
            "at most 10 photos",
        ),
        (
            json!({ "visit_id": visit, "photos": [mine], "voice_note": Uuid::now_v7() }),
            "microphone",
        ),
    ];
    for (report, reason) in reports {
        let result = push(&device, &[record("check_out", t0 + 5 * MINUTE, report)]).await;
        assert_eq!(result[0]["status"], "rejected");
        assert!(
            result[0]["reason"].as_str().unwrap().contains(reason),
            "{result:?}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 0);
    // A retry racing the original upload of the same bytes: one stores, the other is a replay.
    let raced = Uuid::now_v7();
    let (first, second) = tokio::join!(
        put_file(&device, raced, "visit_photo", jpeg(8, 300_000)),
        put_file(&device, raced, "visit_photo", jpeg(8, 300_000))
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 201]);
    let fine = json!({ "visit_id": visit, "photos": [mine] });
    assert!(accepted(
        &push(&device, &[record("check_out", t0 + 6 * MINUTE, fine)]).await
    ));
    assert_eq!(app.count("SELECT COUNT(*) FROM attachments").await, 1);
}

/// Every file under a directory.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

async fn pictures_are_bounded_and_shown_as_previews(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let t0 = chrono::Utc::now().timestamp_millis() - 60 * MINUTE;
    assert!(accepted(&push(&device, &[grant("camera", t0)]).await));
    let claims = png_claiming(50_000, 50_000);
    assert!(claims.len() < 100);
    let refused = put_file(&device, Uuid::now_v7(), "visit_photo", claims).await;
    assert_eq!(refused.status(), 422);
    let body = problem(refused).await;
    assert_eq!(fields(&body), ["file"]);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("50000 × 50000"));
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 0);

    let photo = image::RgbImage::from_fn(3000, 2000, |x, y| {
        image::Rgb([(x / 12) as u8, (y / 8) as u8, 140])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    photo.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let id = Uuid::now_v7();
    let stored = put_file(&device, id, "visit_photo", png.into_inner()).await;
    assert_eq!(stored.status(), 201);
    let manager = app.session(&app.a, &app.a.manager).await;
    let preview = manager.get(&format!("/api/v1/files/{id}/preview")).await;
    assert_eq!(preview.status(), 200);
    assert_eq!(preview.headers()["content-type"], "image/jpeg");
    let shown = image::load_from_memory(&preview.bytes().await.unwrap()).unwrap();
    assert_eq!((shown.width(), shown.height()), (1280, 853));
    let again = manager.get(&format!("/api/v1/files/{id}/preview")).await;
    assert_eq!(again.status(), 200, "the kept preview is served");
    let original = manager.get(&format!("/api/v1/files/{id}")).await;
    assert_eq!(
        original.headers()["content-type"],
        "image/png",
        "the original is kept"
    );
    let stranger = app.session(&app.b, &app.b.admin).await;
    assert_eq!(
        stranger
            .get(&format!("/api/v1/files/{id}/preview"))
            .await
            .status(),
        404
    );
}

/// The reason of one pushed record, which must be a rejection.
async fn rejection(device: &Session, record: Value) -> String {
    let results = push(device, &[record]).await;
    assert_eq!(results[0]["status"], "rejected", "{results:?}");
    results[0]["reason"].as_str().unwrap().to_string()
}

/// Every id a pushed record names (its own id, a client, a visit, a file) must be in the pusher's reach.
/// Another employee's, in the same company, is answered exactly as an unknown one: nothing is stored
/// and the answer never says that it exists ("duplicate", "already used").
async fn every_id_a_record_names_is_checked_against_the_pushers_reach(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let own = app.device(&app.a, &app.a.field).await;
    let other = app.device(&app.a, &app.a.other_field).await;
    let t0 = chrono::Utc::now().timestamp_millis() - 60 * MINUTE;
    let at = json!({ "latitude": 18.52, "longitude": 73.85, "accuracy_m": 10.0 });
    let client_of = |owner| {
        let admin = &admin;
        async move {
            let created = admin
                .post(
                    "/api/v1/clients",
                    json!({ "name": "Sai Medicals", "owner_ids": [owner],
                            "location": { "latitude": 18.52, "longitude": 73.85 } }),
                )
                .await;
            assert_eq!(created.status(), 201);
            created.json::<Value>().await.unwrap()["id"].clone()
        }
    };
    let (own_client, others_client) = (
        client_of(app.a.field.id).await,
        client_of(app.a.other_field.id).await,
    );
    for device in [&own, &other] {
        let start = [
            grant("location", t0 - 3000),
            grant("camera", t0 - 2000),
            record("day_start", t0, json!({ "position": at })),
        ];
        assert!(accepted(&push(device, &start).await));
    }
    // The other employee's records: a visit, a note, a position and a photo.
    let others_visit = record(
        "check_in",
        t0 + MINUTE,
        json!({ "client_id": others_client }),
    );
    let others_note = record(
        "note",
        t0 + MINUTE,
        json!({ "text": "Stock low on 250 ml" }),
    );
    let others_fix = record("fix", t0 + MINUTE, at.clone());
    let pushed = [
        others_visit.clone(),
        others_note.clone(),
        others_fix.clone(),
    ];
    assert!(accepted(&push(&other, &pushed).await));
    let others_photo = Uuid::now_v7();
    let uploaded = put_file(&other, others_photo, "visit_photo", jpeg(4, 30_000)).await;
    assert_eq!(uploaded.status(), 201);
    let unknown = json!(Uuid::now_v7());

    // The record's own id: the same content again, or other content, is answered as an unusable id.
    for reused in [others_note.clone(), others_fix.clone()] {
        let same = rejection(&own, reused.clone()).await;
        let mut changed = reused;
        changed["device_time"] = json!(t0 + 2 * MINUTE);
        assert_eq!(rejection(&own, changed).await, same);
        let mut nil = record("note", t0, json!({ "text": "x" }));
        nil["id"] = json!(Uuid::nil());
        assert_eq!(rejection(&own, nil).await, same, "as any unusable id");
    }

    // Clients, visits and contacts named inside a record.
    let pairs = |kind: &str, foreign: Value, unknown_one: Value| {
        (
            record(kind, t0 + 3 * MINUTE, foreign),
            record(kind, t0 + 3 * MINUTE, unknown_one),
        )
    };
    let cases = [
        pairs(
            "check_in",
            json!({ "client_id": others_client }),
            json!({ "client_id": unknown }),
        ),
        pairs(
            "interaction",
            json!({ "client_id": others_client, "kind": "call", "body": "Called" }),
            json!({ "client_id": unknown, "kind": "call", "body": "Called" }),
        ),
        pairs(
            "check_out",
            json!({ "visit_id": others_visit["id"] }),
            json!({ "visit_id": unknown }),
        ),
        pairs(
            "location_correction",
            json!({ "client_id": own_client, "visit_id": others_visit["id"], "position": at }),
            json!({ "client_id": own_client, "visit_id": unknown, "position": at }),
        ),
        pairs(
            "location_correction",
            json!({ "client_id": others_client, "position": at }),
            json!({ "client_id": unknown, "position": at }),
        ),
    ];
    for (foreign, unknown_one) in cases {
        let kind = foreign["kind"].clone();
        assert_eq!(
            rejection(&own, foreign).await,
            rejection(&own, unknown_one).await,
            "{kind}: another employee's id is answered as an unknown one"
        );
    }
    // A file of someone else's is not attached to one's own visit.
    let own_visit = record(
        "check_in",
        t0 + 4 * MINUTE,
        json!({ "client_id": own_client }),
    );
    assert!(accepted(
        &push(&own, std::slice::from_ref(&own_visit)).await
    ));
    let report = json!({ "visit_id": own_visit["id"], "photos": [others_photo] });
    let refused = rejection(&own, record("check_out", t0 + 5 * MINUTE, report)).await;
    assert!(
        refused.contains("is not a visit photo of yours"),
        "{refused}"
    );
    // Uploading under another person's file id answers as an id no one may use, never "already used".
    let taken = put_file(&own, others_photo, "visit_photo", jpeg(4, 30_000)).await;
    assert_eq!(taken.status(), 409);
    let taken = problem(taken).await;
    let nil = put_file(&own, Uuid::nil(), "visit_photo", jpeg(4, 30_000)).await;
    assert_eq!(nil.status(), 409);
    assert_eq!(taken["errors"], problem(nil).await["errors"]);
    let attached = app
        .count(&format!(
            "SELECT COUNT(*) FROM attachments WHERE file_id = '{others_photo}' AND subject_id <> '{}'",
            others_visit["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(attached, 0);
    let corrections = app.count("SELECT COUNT(*) FROM location_corrections").await;
    assert_eq!(corrections, 0, "no correction through another's visit");
    for table in ["notes", "fixes"] {
        let stored = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(stored, 1, "{table}: only the other employee's own record");
    }
}

async fn an_outlet_onboarded_in_the_field_is_a_client_with_its_owner_and_shop_front(app: TestApp) {
    let device = app.device(&app.a, &app.a.field).await;
    let manager = app.session(&app.a, &app.a.manager).await;
    let now = chrono::Utc::now().timestamp_millis();
    let photo = Uuid::now_v7();
    let outlet = record(
        "client",
        now,
        json!({ "name": "Laxmi Kirana Stores", "owner_name": "Ramesh Patil", "phone": "+919822334455",
                "client_type": "Retailer", "address": "Near Hanuman temple, Wagholi, Pune",
                "position": { "latitude": 18.5801, "longitude": 73.9787, "accuracy_m": 15.0 },
                "photos": [photo] }),
    );
    // Without the camera allowed, photos are refused; the record changes nothing.
    let refused = push(&device, std::slice::from_ref(&outlet)).await;
    assert_eq!(refused[0]["status"], "rejected", "{refused:?}");
    assert!(refused[0]["reason"].as_str().unwrap().contains("camera"));
    let mut allowed = outlet.clone();
    allowed["id"] = json!(Uuid::now_v7());
    assert!(accepted(
        &push(&device, &[grant("camera", now - 1000), allowed.clone()]).await
    ));
    assert_eq!(
        put_file(&device, photo, "shop_photo", jpeg(9, 3_000))
            .await
            .status(),
        201
    );
    let id = allowed["id"].as_str().unwrap();
    let client: Value = manager
        .get(&format!("/api/v1/clients/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(client["name"], "Laxmi Kirana Stores");
    assert_eq!(client["owners"][0]["id"], app.a.field.id.to_string());
    assert_eq!(client["location"]["latitude"], 18.5801);
    assert_eq!(client["client_type"], "Retailer");
    let contacts: Value = manager
        .get(&format!("/api/v1/clients/{id}/contacts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts[0]["name"], "Ramesh Patil");
    assert_eq!(contacts[0]["phone"], "+919822334455");
    let page = manager
        .get(&format!("/console/clients/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Shop front") && page.contains(&format!("/api/v1/files/{photo}/preview"))
    );
    let outsider = app.session(&app.b, &app.b.admin).await;
    assert_eq!(
        outsider
            .get(&format!("/api/v1/clients/{id}"))
            .await
            .status(),
        404
    );

    // A type the company does not have is refused by name; a coarse position places nothing.
    let wrong = record(
        "client",
        now,
        json!({ "name": "Om Traders", "client_type": "Franchise kiosk" }),
    );
    let results = push(&device, &[wrong]).await;
    assert_eq!(results[0]["status"], "rejected");
    assert!(results[0]["reason"]
        .as_str()
        .unwrap()
        .contains("client_type must be one of"));
    let coarse = record(
        "client",
        now,
        json!({ "name": "Om Traders", "position": { "latitude": 18.58, "longitude": 73.97, "accuracy_m": 900.0 } }),
    );
    assert!(accepted(
        &push(&device, std::slice::from_ref(&coarse)).await
    ));
    let placed: Value = manager
        .get(&format!(
            "/api/v1/clients/{}",
            coarse["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        placed["location"].is_null(),
        "a 900 m fix does not place the outlet"
    );
}

both_backends!(
    an_outlet_onboarded_in_the_field_is_a_client_with_its_owner_and_shop_front,
    every_id_a_record_names_is_checked_against_the_pushers_reach,
    photos_voice_notes_and_selfies,
    bad_uploads_change_nothing,
    pictures_are_bounded_and_shown_as_previews
);
