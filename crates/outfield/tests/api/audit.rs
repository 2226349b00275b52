//! The audit trail: what is recorded, from which address, and that tampering is detected.

use outfield_core::audit::verify::{verify_all, verify_in_parts, ChainStatus};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn state_changes_are_recorded_with_address_and_agent(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    admin
        .patch(
            "/api/v1/company",
            json!({ "time_zone": "Asia/Dubai", "currency": "AED" }),
        )
        .await;
    let entries: Vec<Value> = admin
        .get("/api/v1/audit?action=company.")
        .await
        .json()
        .await
        .unwrap();
    let updated = entries
        .iter()
        .find(|e| e["action"] == "company.updated")
        .unwrap();
    assert_eq!(updated["actor_id"], app.a.admin.id.to_string());
    assert_eq!(updated["ip"], "127.0.0.1");
    assert_eq!(
        updated["details"]["changed"],
        json!(["time_zone", "currency"])
    );
    let by_ip: Vec<Value> = admin
        .get("/api/v1/audit?ip=127.0.0.1&limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(by_ip.len() >= 2 && by_ip.len() <= 200);
    let by_actor: Vec<Value> = admin
        .get(&format!("/api/v1/audit?actor_id={}", app.a.admin.id))
        .await
        .json()
        .await
        .unwrap();
    assert!(by_actor
        .iter()
        .all(|e| e["actor_id"] == app.a.admin.id.to_string()));
}

async fn forwarded_addresses_are_trusted_only_from_proxies(app: TestApp) {
    // The test server trusts 127.0.0.1 as a proxy, so the client behind it is recorded.
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/sessions"))
        .header("x-forwarded-for", "203.0.113.50, 49.36.12.7")
        .header("user-agent", "Mozilla/5.0 (Linux; Android 14) Outfield-Test")
        .json(&json!({ "company": app.a.slug, "login": app.a.owner.email, "password": "wrong password!" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    app.seal_audit().await;
    let rows = app
        .admin_sql(
            "SELECT p.ip, p.user_agent FROM audit_log a JOIN audit_personal p \
             ON p.company_id = a.company_id AND p.seq = a.seq WHERE a.action = 'auth.sign_in_failed'",
        )
        .await;
    let ip: String = sqlx::Row::try_get(&rows[0], 0).unwrap();
    let agent: String = sqlx::Row::try_get(&rows[0], 1).unwrap();
    assert_eq!(ip, "49.36.12.7");
    assert!(agent.contains("Outfield-Test"));
}

async fn the_trail_is_append_only(app: TestApp) {
    app.seal_audit().await;
    assert!(app.count("SELECT COUNT(*) FROM audit_log").await > 0);
    let mut tx = app.db.system().await.unwrap();
    let update = sqlx::query("UPDATE audit_log SET action = 'nothing'")
        .execute(&mut *tx)
        .await;
    assert!(update.is_err(), "UPDATE must be refused");
    drop(tx);
    let mut tx = app.db.system().await.unwrap();
    let delete = sqlx::query("DELETE FROM audit_log").execute(&mut *tx).await;
    assert!(delete.is_err(), "DELETE must be refused");
}

async fn tampering_is_detected_at_the_first_broken_entry(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for name in ["One", "Two", "Three"] {
        admin
            .patch(
                "/api/v1/company",
                json!({ "name": format!("Alpha {name}") }),
            )
            .await;
    }
    app.seal_audit().await;
    let chains = verify_all(&app.db, None).await.unwrap();
    assert!(
        chains
            .iter()
            .all(|c| matches!(c.status, ChainStatus::Intact { .. })),
        "{chains:?}"
    );

    let disable = match app.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    app.admin_sql(disable).await;
    let company = app.a.company_id;
    app.admin_sql(&format!(
        "UPDATE audit_log SET ip = '10.9.9.9' WHERE company_id = '{company}' AND seq = 3"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert_eq!(
        chains[0].status,
        ChainStatus::Broken {
            seq: 3,
            reason: "its content was altered after it was written".into()
        }
    );
    let other = verify_all(&app.db, Some(&app.b.slug)).await.unwrap();
    assert!(
        matches!(other[0].status, ChainStatus::Intact { .. }),
        "other companies are unaffected"
    );
}

async fn removed_entries_are_detected(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    admin
        .patch("/api/v1/company", json!({ "name": "Alpha Renamed" }))
        .await;
    app.seal_audit().await;
    let disable = match app.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    app.admin_sql(disable).await;
    let company = app.a.company_id;
    let last = app
        .count(&format!(
            "SELECT MAX(seq) FROM audit_log WHERE company_id = '{company}'"
        ))
        .await;
    app.admin_sql(&format!(
        "DELETE FROM audit_log WHERE company_id = '{company}' AND seq = {last}"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert!(
        matches!(chains[0].status, ChainStatus::Broken { seq, .. } if seq == last),
        "{chains:?}"
    );
    app.admin_sql(&format!(
        "DELETE FROM audit_log WHERE company_id = '{company}' AND seq = 2"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert!(
        matches!(chains[0].status, ChainStatus::Broken { seq: 2, .. }),
        "{chains:?}"
    );
}

async fn disable_append_only(app: &TestApp) {
    let disable = match app.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    app.admin_sql(disable).await;
}

async fn rename_company(app: &TestApp, times: usize) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for n in 0..times {
        let response = admin
            .patch("/api/v1/company", json!({ "name": format!("Alpha {n}") }))
            .await;
        assert_eq!(response.status(), 200);
    }
}

async fn entries_wait_unchained_then_join_the_chain_in_order(app: TestApp) {
    app.seal_audit().await;
    let company = app.a.company_id;
    let before = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE company_id = '{company}'"
        ))
        .await;
    rename_company(&app, 5).await;
    // The background sealer chains them within a second of their commit, with nobody asking.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while app.count("SELECT COUNT(*) FROM audit_pending").await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "entries still pending after 3 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let rows = app
        .admin_sql(&format!(
            "SELECT seq, at, sealed_at, details FROM audit_log WHERE company_id = '{company}' \
             AND seq > {before} ORDER BY seq"
        ))
        .await;
    assert_eq!(rows.len(), 6, "the sign-in and five renames");
    let mut last_at = 0;
    for (index, row) in rows.iter().enumerate() {
        let seq: i64 = sqlx::Row::try_get(row, 0).unwrap();
        let at: i64 = sqlx::Row::try_get(row, 1).unwrap();
        let sealed_at: i64 = sqlx::Row::try_get(row, 2).unwrap();
        assert_eq!(seq, before + 1 + index as i64);
        assert!(
            at >= last_at && sealed_at >= at,
            "in order of writing, sealed after"
        );
        last_at = at;
    }
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert_eq!(
        chains[0].status,
        ChainStatus::Intact {
            entries: before + 6
        }
    );
    assert_eq!(chains[0].pending, 0);
}

async fn concurrent_changes_of_one_company_all_join_one_chain(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let creates = (0..24).map(|n| {
        admin.post(
            "/api/v1/clients",
            json!({ "name": format!("Concurrent Traders {n}"), "client_type": "Retailer" }),
        )
    });
    for response in futures_util::future::join_all(creates).await {
        assert_eq!(response.status(), 201);
    }
    assert_eq!(app.audit_count("client.created").await, 24);
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert!(
        matches!(chains[0].status, ChainStatus::Intact { .. }),
        "{chains:?}"
    );
}

async fn edited_removed_and_reordered_sealed_entries_are_detected(app: TestApp) {
    rename_company(&app, 6).await;
    app.seal_audit().await;
    disable_append_only(&app).await;
    let company = app.a.company_id;
    let last = app
        .count(&format!(
            "SELECT MAX(seq) FROM audit_log WHERE company_id = '{company}'"
        ))
        .await;
    assert!(last >= 6);
    // Verification names the first broken entry, so each tampering lands before the previous one.
    let tamper = |sql: String| {
        let app = &app;
        async move {
            app.admin_sql(&sql).await;
            verify_all(&app.db, Some(&app.a.slug))
                .await
                .unwrap()
                .remove(0)
                .status
        }
    };
    let reordered = tamper(format!(
        "UPDATE audit_log SET seq = -seq WHERE company_id = '{company}' AND seq IN ({}, {last}); \
         UPDATE audit_log SET seq = CASE seq WHEN -{last} THEN {} ELSE {last} END \
         WHERE company_id = '{company}' AND seq < 0",
        last - 1,
        last - 1
    ))
    .await;
    assert!(
        matches!(reordered, ChainStatus::Broken { seq, .. } if seq == last - 1),
        "{reordered:?}"
    );
    let edited = tamper(format!(
        "UPDATE audit_log SET details = '{{}}' WHERE company_id = '{company}' AND seq = {}",
        last - 3
    ))
    .await;
    assert_eq!(
        edited,
        ChainStatus::Broken {
            seq: last - 3,
            reason: "its content was altered after it was written".into()
        }
    );
    let removed = tamper(format!(
        "DELETE FROM audit_log WHERE company_id = '{company}' AND seq = 1"
    ))
    .await;
    assert_eq!(
        removed,
        ChainStatus::Broken {
            seq: 1,
            reason: "entry 1 is missing (next present is 2)".into()
        }
    );
}

/// The console's trail reads as sentences: what happened in words, the person acted on by name with a
/// link, the details as fields, the raw data behind a disclosure, and where the page stands in the whole.
async fn the_console_trail_says_what_happened_in_words(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    let invited = admin
        .post(
            "/api/v1/people",
            json!({ "name": "Ravi Kumar", "email": "ravi.kumar@alpha.example", "role": "field_employee" }),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let ravi: serde_json::Value = invited.json().await.unwrap();
    let ravi_id = ravi["person"]["id"].as_str().unwrap().to_string();
    let page = admin.get("/console/audit?action=person.").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let invites = app.audit_count("person.invited").await;
    assert!(invites >= 1);
    let person_entries = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE company_id = '{}' AND action LIKE 'person.%'",
            app.a.company_id
        ))
        .await;
    assert!(
        html.contains(&format!(
            "Entries 1–{person_entries} of {person_entries}, newest first"
        )),
        "the caption counts what the filter matches: {html}"
    );
    assert!(html.contains("<td>Invited a person</td>"), "{html}");
    assert!(
        html.contains(&format!(
            r#"<a href="/console/people/{ravi_id}">Ravi Kumar</a>"#
        )),
        "the target is named and linked"
    );
    assert!(
        html.contains("<dt>email</dt><dd>ravi.kumar@alpha.example</dd>"),
        "{html}"
    );
    assert!(html.contains("<summary>Recorded data</summary><p><code>person.invited</code></p>"));
    assert!(
        html.contains("<dt>role</dt><dd>field employee</dd>"),
        "codes read as words: {html}"
    );
    assert!(!html.contains("auth.signed_in"), "the filter holds");
    let sign_ins = admin
        .get("/console/audit?action=auth.signed_in")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        sign_ins.contains("<dt>via</dt><dd>session</dd>") && !sign_ins.contains("field_employee"),
        "{sign_ins}"
    );
    let created = admin
        .get("/console/audit?action=company.created")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        created.contains("<dt>owner</dt><dd>Alpha Traders Owner</dd>"),
        "the owner of a new company by name, not by id: {created}"
    );
    let other = app.session(&app.b, &app.b.admin).await;
    let theirs = other.get("/console/audit").await.text().await.unwrap();
    assert!(
        !theirs.contains("Ravi Kumar"),
        "another company's trail shows none of it"
    );
}

/// A chain read in parts side by side (as `audit verify` reads long chains, one reader per core) is
/// intact when nothing was touched, and names the exact entry when one at a seam between two parts,
/// or inside one, was edited or removed.
async fn chains_read_in_parts_find_tampering_at_the_seams(app: TestApp) {
    rename_company(&app, 14).await;
    app.seal_audit().await;
    let slug = app.a.slug.clone();
    let in_fours = || verify_in_parts(&app.db, Some(&slug), |_| 4);
    let intact = in_fours().await.unwrap().remove(0).status;
    assert!(
        matches!(intact, ChainStatus::Intact { entries } if entries >= 14),
        "{intact:?}"
    );
    disable_append_only(&app).await;
    let company = app.a.company_id;
    app.admin_sql(&format!(
        "DELETE FROM audit_log WHERE company_id = '{company}' AND seq = 12"
    ))
    .await;
    assert_eq!(
        in_fours().await.unwrap().remove(0).status,
        ChainStatus::Broken {
            seq: 12,
            reason: "entry 12 is missing (next present is 13)".into()
        },
        "the last entry of the third part is gone; the fourth part starts after the gap"
    );
    app.admin_sql(&format!(
        "UPDATE audit_log SET ip = '10.9.9.9' WHERE company_id = '{company}' AND seq = 9"
    ))
    .await;
    assert_eq!(
        in_fours().await.unwrap().remove(0).status,
        ChainStatus::Broken {
            seq: 9,
            reason: "its content was altered after it was written".into()
        },
        "the first entry of the third part"
    );
    app.admin_sql(&format!(
        "DELETE FROM audit_log WHERE company_id = '{company}' AND seq = 5"
    ))
    .await;
    assert_eq!(
        in_fours().await.unwrap().remove(0).status,
        ChainStatus::Broken {
            seq: 5,
            reason: "entry 5 is missing (next present is 6)".into()
        }
    );
    app.admin_sql(&format!(
        "UPDATE audit_log SET ip = '10.8.8.8' WHERE company_id = '{company}' AND seq = 2"
    ))
    .await;
    assert_eq!(
        verify_all(&app.db, Some(&slug))
            .await
            .unwrap()
            .remove(0)
            .status,
        ChainStatus::Broken {
            seq: 2,
            reason: "its content was altered after it was written".into()
        },
        "one reader finds the same first break"
    );
}

/// The entries a person acted in or was the subject of, in company A's trail.
async fn entries_about(app: &TestApp, person: outfield_core::ids::PersonId) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE company_id = '{}' \
         AND (actor_id = '{person}' OR (target_type = 'person' AND target_id = '{person}'))",
        app.a.company_id
    ))
    .await
}

/// Erases the personal parts of `person`'s entries as the `audit erase` command does.
async fn erase(app: &TestApp, person: outfield_core::ids::PersonId) -> u64 {
    use outfield_core::audit::{erase::erase_person, Actor};
    app.seal_audit().await;
    let client = outfield_core::auth::ClientInfo::local("audit test");
    let actor = Actor::anonymous(app.a.company_id, None, &client);
    let mut tx = app.db.system().await.unwrap();
    let erased = erase_person(&mut tx, (app.a.company_id, person), &actor)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.seal_audit().await;
    erased
}

/// A person's address, browser and details leave the trail while the chain still verifies: the trail
/// shows their entries as erased, everyone else's as they were, and the erasure is itself an entry.
/// An edit of a kept personal part, and data planted into an erased one, are both found.
async fn erasing_a_persons_personal_data_keeps_the_chain_verifiable(app: TestApp) {
    let admin = app.session(&app.a, &app.a.admin).await;
    for name in ["Field One", "Field Two"] {
        let path = format!("/api/v1/people/{}", app.a.field.id);
        let renamed = admin.patch(&path, json!({ "name": name })).await;
        assert_eq!(renamed.status(), 200);
    }
    rename_company(&app, 1).await;
    let field = app.a.field.id;
    app.seal_audit().await;
    let about_before = entries_about(&app, field).await;
    let erased = erase(&app, field).await;
    assert_eq!(erased as i64, about_before);
    assert!(erased >= 2, "{erased} entries erased");
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert!(
        matches!(chains[0].status, ChainStatus::Intact { .. }),
        "{chains:?}"
    );

    let entries: Vec<Value> = admin
        .get("/api/v1/audit?limit=200")
        .await
        .json()
        .await
        .unwrap();
    let (about, others): (Vec<&Value>, Vec<&Value>) = entries.iter().partition(|e| {
        e["action"] != "audit.personal_data_erased"
            && (e["target_id"] == field.to_string() || e["actor_id"] == field.to_string())
    });
    assert_eq!(about.len() as u64, erased);
    for entry in about {
        assert_eq!(
            (&entry["personal_erased"], &entry["ip"], &entry["details"]),
            (&json!(true), &json!(""), &json!({})),
            "{entry}"
        );
    }
    let page = admin.get("/console/audit").await.text().await.unwrap();
    assert_eq!(page.matches("Personal data erased").count() as u64, erased);
    let recorded = others
        .iter()
        .find(|e| e["action"] == "audit.personal_data_erased")
        .expect("the erasure is in the trail");
    assert_eq!(recorded["details"]["entries"], json!(erased));
    let renamed = others
        .iter()
        .find(|e| e["action"] == "company.updated")
        .unwrap();
    assert_eq!(
        (&renamed["personal_erased"], &renamed["ip"]),
        (&json!(false), &json!("127.0.0.1"))
    );

    let company = app.a.company_id;
    let kept = app
        .count(&format!(
            "SELECT MAX(seq) FROM audit_personal WHERE company_id = '{company}' AND erased_at IS NULL"
        ))
        .await;
    app.admin_sql(&format!(
        "UPDATE audit_personal SET ip = '10.7.7.7' WHERE company_id = '{company}' AND seq = {kept}"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert_eq!(
        chains[0].status,
        ChainStatus::Broken {
            seq: kept,
            reason: "its personal part was altered after it was written".into()
        }
    );
    let blank = app
        .count(&format!(
            "SELECT MIN(seq) FROM audit_personal WHERE company_id = '{company}' AND erased_at IS NOT NULL"
        ))
        .await;
    app.admin_sql(&format!(
        "UPDATE audit_personal SET ip = '10.6.6.6' WHERE company_id = '{company}' AND seq = {blank}"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert_eq!(
        chains[0].status,
        ChainStatus::Broken {
            seq: blank,
            reason: "its erased personal part holds data".into()
        }
    );
}

/// SHA-256 over length-prefixed fields, written here apart from the server's own code: the hash of an
/// entry sealed before personal parts were kept apart.
fn legacy_hash(fields: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// An entry sealed before personal parts were kept apart (its address, browser and details in the
/// chain's row, hashed there) still verifies, still shows, and an edit of it is still found.
async fn entries_sealed_before_personal_parts_still_verify(app: TestApp) {
    use sqlx::Row;
    rename_company(&app, 2).await;
    app.seal_audit().await;
    let company = app.a.company_id;
    let head = app
        .admin_sql(&format!(
            "SELECT audit_seq, audit_head FROM companies WHERE id = '{company}'"
        ))
        .await;
    let (seq, prev): (i64, String) = (head[0].try_get(0).unwrap(), head[0].try_get(1).unwrap());
    let (next, at, details) = (seq + 1, 1_764_000_000_000_i64, r#"{"changed":["name"]}"#);
    let hash = legacy_hash(&[
        &prev,
        &company.to_string(),
        &next.to_string(),
        &at.to_string(),
        "",
        "company.updated",
        "company",
        &company.to_string(),
        "10.1.2.3",
        "Legacy-Agent",
        details,
    ]);
    app.admin_sql(&format!(
        "INSERT INTO audit_log (company_id, seq, at, actor_id, action, target_type, target_id, ip, \
         user_agent, details, prev_hash, hash) VALUES ('{company}', {next}, {at}, NULL, \
         'company.updated', 'company', '{company}', '10.1.2.3', 'Legacy-Agent', '{details}', '{prev}', \
         '{hash}'); UPDATE companies SET audit_seq = {next}, audit_head = '{hash}' WHERE id = '{company}'"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert_eq!(chains[0].status, ChainStatus::Intact { entries: next });
    let admin = app.session(&app.a, &app.a.admin).await;
    let entries: Vec<Value> = admin
        .get(&format!("/api/v1/audit?before_seq={}&limit=1", next + 1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&entries[0]["ip"], &entries[0]["details"]["changed"]),
        (&json!("10.1.2.3"), &json!(["name"]))
    );

    disable_append_only(&app).await;
    app.admin_sql(&format!(
        "UPDATE audit_log SET ip = '10.1.2.4' WHERE company_id = '{company}' AND seq = {next}"
    ))
    .await;
    let chains = verify_all(&app.db, Some(&app.a.slug)).await.unwrap();
    assert_eq!(
        chains[0].status,
        ChainStatus::Broken {
            seq: next,
            reason: "its content was altered after it was written".into()
        }
    );
}

both_backends!(
    erasing_a_persons_personal_data_keeps_the_chain_verifiable,
    entries_sealed_before_personal_parts_still_verify,
    the_console_trail_says_what_happened_in_words,
    chains_read_in_parts_find_tampering_at_the_seams,
    entries_wait_unchained_then_join_the_chain_in_order,
    concurrent_changes_of_one_company_all_join_one_chain,
    edited_removed_and_reordered_sealed_entries_are_detected,
    state_changes_are_recorded_with_address_and_agent,
    forwarded_addresses_are_trusted_only_from_proxies,
    the_trail_is_append_only,
    tampering_is_detected_at_the_first_broken_entry,
    removed_entries_are_detected,
);

/// `audit verify` pointed at a directory without a database refuses, naming what is missing, instead of
/// creating an empty database and reporting that all is well.
#[test]
fn verify_refuses_a_data_directory_without_a_database() {
    let dir = crate::helpers::temp_dir();
    let missing = dir.0.join("not-the-server-data");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_outfield"))
        .args(["audit", "verify", "--data-dir"])
        .arg(&missing)
        .env_remove("OUTFIELD_DATABASE_URL")
        .output()
        .expect("the binary runs");
    assert_eq!(run.status.code(), Some(1));
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(said.contains("there is no Outfield database at"), "{said}");
    assert!(!missing.exists(), "nothing was created");
}
