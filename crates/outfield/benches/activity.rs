//! Field-activity figures: location fixes ingested through the real HTTP API by authenticated devices in
//! batches of 100, against the physical limit (the same rows put straight into the same tables the fastest
//! honest way: a prepared, bound insert on SQLite, COPY on PostgreSQL); the update of a day
//! summary of 600 fixes when a late batch arrives; and the daily activity report for 500 people over a
//! day and a month, on 500 people × 90 days of generated data (≈ 24 million fixes by default).
//!
//! Run with `cargo bench --bench activity` (SQLite) or `-- --postgres postgres://…/<empty database>`.
//! `--fixes-per-day N` (default 533) and `--days N` (default 90) shrink the generated data set.

// A test or benchmark stops at the first surprise: unwrapping is its failure report, and a scenario
// reads best as one long function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use outfield_core::ids::{CompanyId, PersonId};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use uuid::Uuid;

use outfield_core::db::Db;
use outfield_core::people::domain::Role;
use outfield_core::people::store::NewPerson;
use outfield_field::tracking::{insert_fixes as insert, FixRow};

mod support;
use support::{percentile, session, start};

const DEVICES: usize = 64;
const BATCHES_PER_DEVICE: usize = 400;
const BATCH: usize = 100;
const INGEST_FOR: Duration = Duration::from_secs(15);
const REPORT_PEOPLE: usize = 500;
const MINUTE: i64 = 60_000;
const PUNE: (f64, f64) = (18.5204, 73.8567);

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .map(|i| args[i + 1].clone())
}

/// Adds field employees to the demo company, each with the demo field password; returns their ids.
async fn add_people(db: &Db, company: CompanyId, count: usize, tag: &str) -> Vec<PersonId> {
    let mut tx = db.system().await.unwrap();
    // Write first, so that SQLite takes the write lock (waiting for the server's own start-up writes)
    // before anything is read: a transaction that reads and then writes fails when another writer
    // committed in between.
    sqlx::query("UPDATE companies SET updated_at = updated_at WHERE id = $1")
        .bind(company)
        .execute(&mut *tx)
        .await
        .unwrap();
    let hash: String = sqlx::query_scalar(
        "SELECT password_hash FROM people WHERE email = 'vikram.singh@sharma-agro.in'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let email = format!("{tag}{i}@sharma-agro.in");
        let person = NewPerson {
            name: &format!("Bench {tag} {i}"),
            email: &email,
            mobile: None,
            employee_code: None,
            role: Role::FieldEmployee,
            manager_id: None,
            password_hash: Some(&hash),
        };
        ids.push(
            outfield_core::people::store::insert(&mut tx, company, &person)
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids
}

/// A device token for a person, through the sign-in API.
async fn device_token(client: &reqwest::Client, base: &str, email: &str) -> String {
    let body: Value = client
        .post(format!("{base}/api/v1/device-tokens"))
        .json(&json!({ "company": "sharma-agro", "login": email,
                       "password": "field-employee-demo-2026", "device_label": "Bench phone" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().expect("device token").to_string()
}

async fn push(client: &reqwest::Client, base: &str, token: &str, records: &[Value]) -> Vec<Value> {
    let body: Value = client
        .post(format!("{base}/api/v1/sync/push"))
        .bearer_auth(token)
        .json(&json!({ "records": records }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["results"].as_array().cloned().unwrap_or_default()
}

fn fix_record(device_time: i64, step: u64) -> Value {
    let metres = step as f64 * 8.0;
    json!({ "id": Uuid::now_v7(), "kind": "fix", "device_time": device_time,
            "payload": { "latitude": PUNE.0 + metres / 111_195.0, "longitude": PUNE.1,
                         "accuracy_m": 12.0, "speed_mps": 8.0, "battery": 0.7 } })
}

/// Request bodies of `BATCHES_PER_DEVICE` batches for each device, made before the clock starts so that
/// the figure measures the server, not the benchmark building JSON on the same two cores.
fn bodies(devices: usize, first_time: i64) -> Vec<Vec<String>> {
    (0..devices)
        .map(|_| {
            (0..BATCHES_PER_DEVICE)
                .map(|batch| {
                    let records: Vec<Value> = (0..BATCH)
                        .map(|i| {
                            let step = (batch * BATCH + i + 1) as u64;
                            fix_record(first_time + step as i64 * 1000, step)
                        })
                        .collect();
                    json!({ "records": records }).to_string()
                })
                .collect()
        })
        .collect()
}

/// Sustained fixes per second through `POST /api/v1/sync/push`, one request in flight per device.
async fn ingest(base: &str, tokens: Vec<String>, bodies: Vec<Vec<String>>) -> (u64, f64) {
    let client = reqwest::Client::new();
    let accepted = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut workers = Vec::new();
    for (token, bodies) in tokens.into_iter().zip(bodies) {
        let (client, url) = (client.clone(), format!("{base}/api/v1/sync/push"));
        let (accepted, stop) = (accepted.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            for body in bodies {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let answer: Value = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let results = answer["results"].as_array().cloned().unwrap_or_default();
                let ok = results.iter().filter(|r| r["status"] == "accepted").count();
                assert_eq!(ok, BATCH, "every fix accepted: {:?}", results.first());
                accepted.fetch_add(ok as u64, Ordering::Relaxed);
            }
            // A device out of batches ends the measurement: the rate is of all devices sending.
            stop.store(true, Ordering::Relaxed);
        }));
    }
    while started.elapsed() < INGEST_FOR && !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let total = accepted.load(Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    (total, total as f64 / elapsed)
}

/// Inserts fixes with the statement ingest uses, `per_statement` rows (of one person) a statement and
/// `per_transaction` rows a transaction. Rows must be grouped by person.
async fn insert_fixes(
    db: &Db,
    company: CompanyId,
    rows: &[(PersonId, i64, f64)],
    per_statement: usize,
    per_transaction: usize,
) {
    for transaction in rows.chunks(per_transaction) {
        let mut tx = db.system().await.unwrap();
        for statement in transaction.chunk_by(|a, b| a.0 == b.0) {
            for part in statement.chunks(per_statement) {
                let fixes: Vec<FixRow> = part
                    .iter()
                    .map(|(_, at, lat)| FixRow {
                        i: Uuid::now_v7(),
                        t: *at,
                        a: *lat,
                        o: PUNE.1,
                        c: 12.0,
                        s: Some(8.0),
                        h: None,
                        b: Some(0.7),
                        m: None,
                    })
                    .collect();
                let inserted = insert(&mut tx, company, part[0].0, part[0].1, &fixes)
                    .await
                    .unwrap();
                assert_eq!(inserted.len(), fixes.len());
            }
        }
        tx.commit().await.unwrap();
    }
}

/// Waits until the background job has computed every queued day summary.
async fn settle(db: &Db) {
    loop {
        let mut tx = db.system_read().await.unwrap();
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM summary_queue")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if queued == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// As many rows as the API stored, written straight into the database in bulk with the same statement:
/// 1,000 rows a statement, 10,000 a transaction, no HTTP, no checks.
async fn raw_insert(
    db: &Db,
    company: CompanyId,
    people: &[PersonId],
    count: u64,
    first_time: i64,
) -> f64 {
    let per_person = count as usize / people.len();
    let rows: Vec<(PersonId, i64, f64)> = people
        .iter()
        .flat_map(|person| {
            (0..per_person).map(move |i| {
                (
                    *person,
                    first_time - 1000 - i as i64 * 1000,
                    PUNE.0 + i as f64 * 1e-6,
                )
            })
        })
        .collect();
    let started = Instant::now();
    insert_fixes(db, company, &rows, 1000, 10_000).await;
    rows.len() as f64 / started.elapsed().as_secs_f64()
}

/// Rows for a baseline: fixes of `people` spread over the time before the ingest, each with a new id.
fn baseline_rows(
    people: &[PersonId],
    count: u64,
    first_time: i64,
) -> Vec<(Uuid, PersonId, i64, f64)> {
    let per_person = count as usize / people.len();
    people
        .iter()
        .flat_map(|person| {
            (0..per_person).map(move |i| {
                (
                    Uuid::now_v7(),
                    *person,
                    first_time - 500 - i as i64 * 1000,
                    PUNE.0 + i as f64 * 1e-6,
                )
            })
        })
        .collect()
}

/// Rows of the physical limit in one transaction (SQLite) or one COPY (PostgreSQL).
const LIMIT_CHUNK: usize = 100_000;
/// Connections the PostgreSQL limit copies over side by side, as ingest's requests arrive side by side.
const LIMIT_CONNECTIONS: usize = 4;

/// The fastest honest way to put these fixes into the same tables of the same database, with the same
/// durability, bypassing the server: on SQLite one prepared statement with bound parameters, stepped
/// on this thread (`synchronous = FULL`, 100,000 rows a transaction); on PostgreSQL `COPY` over four
/// connections side by side, 100,000 rows each. Returns rows per second.
async fn physical_limit(
    db: &Db,
    database_url: &str,
    company: CompanyId,
    rows: Vec<(Uuid, PersonId, i64, f64)>,
) -> f64 {
    let count = rows.len() as f64;
    let took = match db.sqlite_file() {
        Some(file) => {
            let file = file.to_path_buf();
            tokio::task::spawn_blocking(move || sqlite_limit(&file, company, &rows))
                .await
                .unwrap()
        }
        None => postgres_limit(database_url, company, &rows).await,
    };
    count / took.as_secs_f64()
}

fn sqlite_limit(
    file: &std::path::Path,
    company: CompanyId,
    rows: &[(Uuid, PersonId, i64, f64)],
) -> Duration {
    let mut conn = rusqlite::Connection::open(file).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    conn.execute_batch("PRAGMA synchronous = FULL").unwrap();
    let company = company.to_string();
    let rows: Vec<(String, String, i64, f64)> = rows
        .iter()
        .map(|(id, person, at, lat)| (id.to_string(), person.to_string(), *at, *lat))
        .collect();
    let started = Instant::now();
    for chunk in rows.chunks(LIMIT_CHUNK) {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO fixes (company_id, id, person_id, device_time, received_at, \
                     latitude, longitude, accuracy_m, speed_mps, heading, battery, mocked) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .unwrap();
            for (id, person, at, lat) in chunk {
                insert
                    .execute(rusqlite::params![
                        company,
                        id,
                        person,
                        at,
                        at,
                        lat,
                        PUNE.1,
                        12.0,
                        8.0,
                        None::<f64>,
                        0.7,
                        None::<i64>
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    started.elapsed()
}

async fn postgres_limit(
    url: &str,
    company: CompanyId,
    rows: &[(Uuid, PersonId, i64, f64)],
) -> Duration {
    use sqlx::Connection;
    let lines: Vec<Vec<u8>> = rows
        .chunks(LIMIT_CHUNK)
        .map(|chunk| {
            let mut text = String::with_capacity(chunk.len() * 160);
            for (id, person, at, lat) in chunk {
                text.push_str(&format!(
                    "{company}\t{id}\t{person}\t{at}\t{at}\t{lat}\t{}\t12\t8\t\\N\t0.7\t\\N\n",
                    PUNE.1
                ));
            }
            text.into_bytes()
        })
        .collect();
    let mut connections = Vec::new();
    for _ in 0..LIMIT_CONNECTIONS {
        connections.push(sqlx::PgConnection::connect(url).await.unwrap());
    }
    let started = Instant::now();
    let copies = connections.iter_mut().enumerate().map(|(n, conn)| {
        let mine: Vec<&Vec<u8>> = lines.iter().skip(n).step_by(LIMIT_CONNECTIONS).collect();
        async move {
            for chunk in mine {
                let mut copy = conn
                    .copy_in_raw(
                        "COPY fixes (company_id, id, person_id, device_time, received_at, latitude, \
                         longitude, accuracy_m, speed_mps, heading, battery, mocked) FROM STDIN",
                    )
                    .await
                    .unwrap();
                copy.send(chunk.as_slice()).await.unwrap();
                copy.finish().await.unwrap();
            }
        }
    });
    futures_util::future::join_all(copies).await;
    started.elapsed()
}

/// Time to recompute and store the summary of a day of 600 fixes (what a late batch triggers).
async fn late_batch_update(db: &Db, company: CompanyId, person: PersonId) -> Vec<u32> {
    let start = chrono::Utc::now().timestamp_millis() - 30 * 60 * MINUTE;
    let day = outfield_core::clock::local_day(start, chrono_tz::Asia::Kolkata).to_string();
    let mut tx = db.system().await.unwrap();
    sqlx::query(
        "INSERT INTO duty_days (company_id, person_id, day, start_id, started_at, start_device_time) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(company)
    .bind(person)
    .bind(&day)
    .bind(Uuid::now_v7().to_string())
    .bind(start)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(PersonId, i64, f64)> = (0..600)
        .map(|i| (person, start + i * 30_000, PUNE.0 + i as f64 * 0.0002))
        .collect();
    insert_fixes(db, company, &rows, 600, 600).await;
    let mut latencies = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let mut tx = db.system().await.unwrap();
        let now = chrono::Utc::now().timestamp_millis();
        outfield_field::tracking::summary::refresh(&mut tx, company, person, &day, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        latencies.push(started.elapsed().as_micros() as u32);
    }
    latencies
}

/// 500 people × `days` days: duty days, summaries, eight visits a day, plans, and `fixes_per_day` fixes
/// per person-day.
async fn generate(
    db: &Db,
    company: CompanyId,
    people: &[PersonId],
    days: i64,
    fixes_per_day: usize,
) -> u64 {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let today = outfield_core::clock::local_day(
        chrono::Utc::now().timestamp_millis(),
        chrono_tz::Asia::Kolkata,
    );
    let clients: Vec<String> = {
        let mut tx = db.system().await.unwrap();
        let mut ids = Vec::new();
        for i in 0..2000 {
            let id = Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO clients (company_id, id, name, client_type, status, tags, search_text, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'Retailer', 'active', ',', $3, 0, 0)",
            )
            .bind(company)
            .bind(&id)
            .bind(format!("Bench outlet {i}"))
            .execute(&mut *tx)
            .await
            .unwrap();
            ids.push(id);
        }
        tx.commit().await.unwrap();
        ids
    };
    let mut fixes = 0u64;
    for back in (1..=days).rev() {
        let day = today - chrono::Duration::days(back);
        let day_text = day.to_string();
        let start = outfield_core::clock::instant_of(day, 570, chrono_tz::Asia::Kolkata);
        let mut tx = db.system().await.unwrap();
        let mut duty = Vec::new();
        let mut summaries = Vec::new();
        let mut visits = Vec::new();
        for person in people {
            let begin = start + rng.gen_range(0..40) * MINUTE;
            let end = begin + 9 * 60 * MINUTE;
            duty.push(format!(
                "('{company}','{person}','{day_text}','{}',{begin},{begin},{end},{end},'employee')",
                Uuid::now_v7()
            ));
            summaries.push(format!(
                "('{company}','{person}','{day_text}',{fixes_per_day},{},{begin},{end},{},'[]','[]','',{end})",
                rng.gen_range(20_000.0..60_000.0),
                9 * 60 * MINUTE
            ));
            for v in 0..8 {
                let at = begin + (v * 60 + 30) * MINUTE;
                let verdict = [
                    "verified",
                    "verified",
                    "verified",
                    "out_of_range",
                    "unverified",
                ][rng.gen_range(0..5)];
                visits.push(format!(
                    "('{company}','{}','{person}','{}','{day_text}',{},{at},{at},{},'{verdict}',{},{},'Order taken','')",
                    Uuid::now_v7(),
                    clients[rng.gen_range(0..clients.len())],
                    i64::from(v < 6),
                    rng.gen_range(5.0..400.0),
                    at + 20 * MINUTE,
                    at + 20 * MINUTE,
                ));
            }
        }
        for chunk in duty.chunks(500) {
            sqlx::query(&format!(
                "INSERT INTO duty_days (company_id, person_id, day, start_id, started_at, start_device_time, \
                 ended_at, end_device_time, end_reason) VALUES {} ON CONFLICT DO NOTHING",
                chunk.join(",")
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for chunk in summaries.chunks(500) {
            sqlx::query(&format!(
                "INSERT INTO day_summaries (company_id, person_id, day, fix_count, distance_m, first_fix_at, \
                 last_fix_at, duty_ms, stops, gaps, flags, computed_at) VALUES {} ON CONFLICT DO NOTHING",
                chunk.join(",")
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        for chunk in visits.chunks(500) {
            sqlx::query(&format!(
                "INSERT INTO visits (company_id, id, person_id, client_id, day, planned, checked_in_at, \
                 in_device_time, in_distance_m, in_verdict, checked_out_at, out_device_time, outcome, flags) VALUES {}",
                chunk.join(",")
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let rows: Vec<(PersonId, i64, f64)> = people
            .iter()
            .flat_map(|person| {
                (0..fixes_per_day).map(move |i| {
                    (
                        *person,
                        start + i as i64 * 60_000,
                        PUNE.0 + i as f64 * 0.0001,
                    )
                })
            })
            .collect();
        insert_fixes(db, company, &rows, 1000, 50_000).await;
        fixes += rows.len() as u64;
        if back % 10 == 0 {
            println!("  … generated up to {day_text}: {fixes} fixes");
        }
    }
    let mut tx = db.system().await.unwrap();
    for person in people.iter().take(REPORT_PEOPLE) {
        for weekday in 1..=6 {
            sqlx::query(
                "INSERT INTO visit_plans (company_id, id, person_id, client_id, weekday, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $3, 0)",
            )
            .bind(company)
            .bind(Uuid::now_v7().to_string())
            .bind(person)
            .bind(&clients[rng.gen_range(0..clients.len())])
            .bind(weekday)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    fixes
}

async fn timed_report(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    runs: usize,
) -> (Vec<u32>, usize) {
    let mut latencies = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let body: Value = client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        latencies.push(started.elapsed().as_micros() as u32);
        rows = body.as_array().map_or(0, Vec::len);
    }
    latencies.sort_unstable();
    (latencies, rows)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    support::print_machine_baseline();
    let args: Vec<String> = std::env::args().collect();
    let postgres = arg(&args, "--postgres");
    let days: i64 = arg(&args, "--days").map_or(90, |d| d.parse().unwrap());
    let fixes_per_day: usize = arg(&args, "--fixes-per-day").map_or(533, |d| d.parse().unwrap());
    println!(
        "Outfield field-activity benchmark ({})",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let (server, _) = start(postgres.as_deref(), true).await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let db = Db::connect(
        &server.database_url,
        outfield_core::db::DEFAULT_POSTGRES_CONNECTIONS,
    )
    .await
    .unwrap();
    let company: CompanyId = {
        let mut tx = db.system().await.unwrap();
        let id: String = sqlx::query_scalar("SELECT id FROM companies WHERE slug = 'sharma-agro'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id.parse().unwrap()
    };

    // The devices' days begin 20 hours back, often yesterday in India: the demo company's automatic end
    // of day would end them before their positions arrive.
    let mut tx = db.system().await.unwrap();
    sqlx::query("UPDATE companies SET auto_end_minute = NULL WHERE id = $1")
        .bind(company)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let devices = add_people(&db, company, DEVICES, "device").await;
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    let first_time = chrono::Utc::now().timestamp_millis() - 20 * 60 * MINUTE;
    for i in 0..DEVICES {
        let token = device_token(&client, &base, &format!("device{i}@sharma-agro.in")).await;
        let opening = [
            json!({ "id": Uuid::now_v7(), "kind": "consent", "device_time": first_time - 2000,
                    "payload": { "permission": "location", "decision": "granted", "policy_version": 1 } }),
            json!({ "id": Uuid::now_v7(), "kind": "day_start", "device_time": first_time - 1000, "payload": {} }),
        ];
        let results = push(&client, &base, &token, &opening).await;
        assert!(
            results.iter().all(|r| r["status"] == "accepted"),
            "{results:?}"
        );
        tokens.push(token);
    }
    let (stored, api_rate) = ingest(&base, tokens, bodies(DEVICES, first_time)).await;
    println!(
        "ingest through POST /api/v1/sync/push, {DEVICES} devices each with one request in flight, {BATCH} fixes a batch: \
         {stored} fixes in {:.1} s, {api_rate:.0} fixes/s  (target ≥ 50,000/s with SQLite, ratio {:.2})",
        stored as f64 / api_rate,
        api_rate / 50_000.0
    );
    settle(&db).await;
    let raw_rate = raw_insert(&db, company, &devices, stored.min(1_000_000), first_time).await;
    println!(
        "bulk insert of as many rows with the statement ingest uses (1,000 rows each, 10,000 a transaction, no HTTP): \
         {raw_rate:.0} rows/s"
    );
    let rows = baseline_rows(&devices, stored.min(1_000_000), first_time);
    let limit = physical_limit(&db, &server.database_url, company, rows).await;
    let how = if postgres.is_some() {
        "COPY over 4 connections, 100,000 rows each"
    } else {
        "one prepared statement with bound parameters, 100,000 rows a transaction, synchronous=FULL"
    };
    println!(
        "physical limit, the same rows straight into the same tables ({how}): {limit:.0} rows/s; \
         API ingest is {:.0}% of it, the statement {:.0}%  (target ≥ 60% on SQLite)",
        100.0 * api_rate / limit,
        100.0 * raw_rate / limit
    );

    let late = add_people(&db, company, 1, "late").await[0];
    let mut latencies = late_batch_update(&db, company, late).await;
    latencies.sort_unstable();
    println!(
        "day summary of 600 fixes recomputed after a late batch: p50 {:.2} ms, p99 {:.2} ms  (target < 5 ms, ratio {:.2})",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.99) / 5.0
    );

    let mut report_people = devices.clone();
    report_people.extend(add_people(&db, company, REPORT_PEOPLE - DEVICES, "field").await);
    let generating = Instant::now();
    let fixes = generate(&db, company, &report_people, days, fixes_per_day).await;
    if postgres.is_some() {
        let mut tx = db.system().await.unwrap();
        sqlx::query("ANALYZE").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    println!(
        "(generated {REPORT_PEOPLE} people × {days} days: {fixes} fixes, {} visits, in {:.0} s)",
        REPORT_PEOPLE as i64 * days * 8,
        generating.elapsed().as_secs_f64()
    );
    let (admin, _) = session(server.port, "priya.nair@sharma-agro.in", "admin-demo-2026").await;
    let today = outfield_core::clock::local_day(
        chrono::Utc::now().timestamp_millis(),
        chrono_tz::Asia::Kolkata,
    );
    let yesterday = today - chrono::Duration::days(1);
    let month_start = today - chrono::Duration::days(30);
    let day_url = format!("{base}/api/v1/reports/activity?from={yesterday}");
    let (day, rows) = timed_report(&client, &day_url, &admin, 30).await;
    println!(
        "activity report, one day, {rows} people: p50 {:.1} ms, p99 {:.1} ms  (target < 200 ms, ratio {:.2})",
        percentile(&day, 0.5),
        percentile(&day, 0.99),
        percentile(&day, 0.99) / 200.0
    );
    let month_url = format!("{base}/api/v1/reports/activity?from={month_start}&to={yesterday}");
    let (month, rows) = timed_report(&client, &month_url, &admin, 10).await;
    println!(
        "activity report, 30 days, {rows} people: p50 {:.1} ms, p99 {:.1} ms  (target < 1 s, ratio {:.2})",
        percentile(&month, 0.5),
        percentile(&month, 0.99),
        percentile(&month, 0.99) / 1000.0
    );
    db.close().await;
}
