//! Client figures on 100,000 clients and 300,000 contacts: import with duplicate detection, export,
//! search latency, and the nearest 20 clients for a field employee.
//!
//! Run with `cargo bench --bench clients` (SQLite) or `-- --postgres postgres://…/<empty database>`.

// A test or benchmark stops at the first surprise: unwrapping is its failure report, and a scenario
// reads best as one long function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use serde_json::Value;
use sqlx::{Connection, Row};

mod support;
use support::{percentile, session, start};

const CLIENTS: usize = 100_000;
const NAMES: [&str; 20] = [
    "Shree Krishna",
    "Balaji",
    "Ganesh",
    "Laxmi",
    "Sai",
    "Mahalaxmi",
    "Jai Bhavani",
    "Om",
    "Siddhivinayak",
    "Annapurna",
    "Gurukrupa",
    "Shivshakti",
    "Maruti",
    "Vitthal",
    "Durga",
    "Renuka",
    "Khandoba",
    "Sahyadri",
    "Kaveri",
    "Godavari",
];
const KINDS: [&str; 6] = [
    "Traders",
    "Kirana Stores",
    "Agro Centre",
    "Provision Store",
    "Agencies",
    "Krishi Seva Kendra",
];
const PEOPLE: [&str; 16] = [
    "Ramesh Patil",
    "Suresh Jadhav",
    "Mahesh Deshpande",
    "Anita Kulkarni",
    "Sunil Pawar",
    "Vijay Shinde",
    "Kavita More",
    "Prakash Gaikwad",
    "Rajendra Bhosale",
    "Meena Joshi",
    "Santosh Chavan",
    "Deepak Salunkhe",
    "Asha Kale",
    "Nitin Mane",
    "Rohit Wagh",
    "Pooja Kadam",
];

fn csv(rng: &mut rand::rngs::StdRng) -> String {
    let mut csv = String::from("Shop Name,Code,Mobile No.,Area,Owner,Latitude,Longitude\n");
    for i in 0..CLIENTS {
        // One row in twenty repeats an earlier phone number: duplicate detection has work to do.
        let phone = if i % 20 == 19 {
            9_800_000_000u64 + i as u64 - 7
        } else {
            9_800_000_000u64 + i as u64
        };
        let owner = if i % 5 == 0 {
            "vikram.singh@sharma-agro.in"
        } else {
            "deepa.iyer@sharma-agro.in"
        };
        let (lat, lon) = (
            18.40 + rng.gen::<f64>() * 0.35,
            73.70 + rng.gen::<f64>() * 0.35,
        );
        csv.push_str(&format!(
            "{} {} {},C{:06},{},Zone {},{},{:.6},{:.6}\n",
            NAMES[i % 20],
            KINDS[i % 6],
            i,
            i,
            phone,
            i % 40,
            owner,
            lat,
            lon
        ));
    }
    csv
}

async fn add_contacts(database_url: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(database_url).await.unwrap();
    // Read before the transaction: on SQLite a transaction that reads first cannot take the write lock
    // once the server (its sealer, its summary jobs) has written in between.
    let clients: Vec<(String, String)> = sqlx::query("SELECT company_id, id FROM clients")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut tx = conn.begin().await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    for (index, chunk) in clients.chunks(100).enumerate() {
        let mut sql = String::from("INSERT INTO contacts (company_id, id, client_id, name, phone, created_at, updated_at) VALUES ");
        let mut values = Vec::new();
        for (c, (company, client)) in chunk.iter().enumerate() {
            for k in 0..3 {
                let n = (index * 100 + c) * 3 + k;
                values.push((
                    company.clone(),
                    uuid::Uuid::now_v7().to_string(),
                    client.clone(),
                    PEOPLE[n % 16].to_string(),
                    format!("+9197{:08}", n),
                ));
            }
        }
        let rows: Vec<String> = (0..values.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    i * 7 + 1,
                    i * 7 + 2,
                    i * 7 + 3,
                    i * 7 + 4,
                    i * 7 + 5,
                    i * 7 + 6,
                    i * 7 + 7
                )
            })
            .collect();
        sql.push_str(&rows.join(", "));
        let mut query = sqlx::query(&sql);
        for v in &values {
            query = query
                .bind(&v.0)
                .bind(&v.1)
                .bind(&v.2)
                .bind(&v.3)
                .bind(&v.4)
                .bind(now)
                .bind(now);
        }
        query.execute(&mut *tx).await.unwrap();
    }
    // Contacts written past the server are not in its search index yet: mark the index outdated, so that
    // the next start rebuilds it as after an upgrade.
    sqlx::query("UPDATE search_index SET version = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn timed_get(client: &reqwest::Client, url: &str, cookie: &str) -> (Duration, Value) {
    let (took, body) = timed_page(client, url, cookie).await;
    (took, serde_json::from_str(&body).unwrap())
}

fn report(label: &str, mut latencies: Vec<u32>, target_ms: f64) {
    latencies.sort_unstable();
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    println!(
        "{label}: p50 {p50:.2} ms, p99 {p99:.2} ms  (target p99 < {target_ms} ms, ratio {:.2})",
        p99 / target_ms
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    support::print_machine_baseline();
    let args: Vec<String> = std::env::args().collect();
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .map(|i| args[i + 1].clone());
    println!(
        "Outfield clients benchmark ({})",
        if postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let (server, _) = start(postgres.as_deref(), true).await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let (admin, csrf) = session(server.port, "priya.nair@sharma-agro.in", "admin-demo-2026").await;
    let (field, _) = session(
        server.port,
        "vikram.singh@sharma-agro.in",
        "field-employee-demo-2026",
    )
    .await;
    let client = reqwest::Client::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);

    let file = csv(&mut rng);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.into_bytes()).file_name("clients.csv"),
        )
        .text("options", r#"{"commit": true, "commit_valid_rows": true}"#);
    let started = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/clients/import"))
        .header("cookie", &admin)
        .header("x-csrf-token", &csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let took = started.elapsed().as_secs_f64();
    let imported: Value = response.json().await.unwrap();
    let created = imported["created"].as_u64().unwrap_or(0);
    println!(
        "import of {CLIENTS} rows with duplicate detection: {took:.2} s, {created} created, {} skipped as duplicates  (target < 20 s, ratio {:.2})",
        CLIENTS as u64 - created, took / 20.0
    );

    let generating = Instant::now();
    add_contacts(&server.database_url).await;
    println!(
        "(generated 300,000 contacts directly in the database in {:.1} s)",
        generating.elapsed().as_secs_f64()
    );
    let mut server = server;
    let rebuilt = server.restart().await;
    println!(
        "restart with a rebuild of the search index over 100,000 clients and 300,000 contacts: {:.1} s",
        rebuilt.as_secs_f64()
    );
    if let Some(url) = &postgres {
        // Steady state: autovacuum would have vacuumed and analysed the tables after such a load.
        let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
        sqlx::query("VACUUM ANALYZE")
            .execute(&mut conn)
            .await
            .unwrap();
    }

    let (took, exported) = {
        let started = Instant::now();
        let text = client
            .get(format!("{base}/api/v1/clients/export.csv"))
            .header("cookie", &admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (started.elapsed().as_secs_f64(), text.lines().count() - 1)
    };
    println!(
        "export of {exported} clients as CSV: {took:.2} s  (target < 5 s, ratio {:.2})",
        took / 5.0
    );

    let terms = [
        "krishna",
        "kirana 4242",
        "9800012345",
        "mahesh deshpande",
        "c004711",
        "zone 17",
        "agro centre 9",
        "pooja kadam",
        "9700031337",
        "godavari",
    ];
    for (who, cookie) in [
        ("an admin (all 100,000 clients)", &admin),
        ("a field employee (20,000 own clients)", &field),
    ] {
        let mut latencies = Vec::new();
        for round in 0..30 {
            for term in terms {
                let q = if round % 2 == 0 {
                    term.to_string()
                } else {
                    term.split(' ').next().unwrap().to_string()
                };
                let (took, _) = timed_get(
                    &client,
                    &format!("{base}/api/v1/clients?q={}&limit=20", q.replace(' ', "%20")),
                    cookie,
                )
                .await;
                latencies.push(took.as_micros() as u32);
            }
        }
        report(&format!("search as {who}, 300 queries"), latencies, 30.0);
    }

    let mut latencies = Vec::new();
    for _ in 0..300 {
        let (lat, lon) = (
            18.45 + rng.gen::<f64>() * 0.25,
            73.75 + rng.gen::<f64>() * 0.25,
        );
        let (took, body) = timed_get(
            &client,
            &format!("{base}/api/v1/clients?latitude={lat}&longitude={lon}&limit=20"),
            &field,
        )
        .await;
        assert_eq!(body.as_array().unwrap().len(), 20);
        latencies.push(took.as_micros() as u32);
    }
    report(
        "nearest 20 clients for a field employee (of their 20,000), 300 queries",
        latencies,
        20.0,
    );

    console_pages(&client, &base, (&admin, &field), &server.database_url).await;
}

/// Adds people until the company has 500, as field employees of the demo's first manager, so that the
/// overview adds up a national team's day.
async fn add_people(database_url: &str) -> usize {
    let mut conn = sqlx::AnyConnection::connect(database_url).await.unwrap();
    let (company, manager): (String, String) = sqlx::query_as(
        "SELECT company_id, id FROM people WHERE role = 'manager' ORDER BY email LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let mut tx = conn.begin().await.unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    for n in existing..500 {
        sqlx::query(
            "INSERT INTO people (company_id, id, name, email, role, manager_id, language, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'field_employee', $5, 'en', $6, $6)",
        )
        .bind(&company)
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(format!("{} {n}", PEOPLE[n as usize % PEOPLE.len()]))
        .bind(format!("employee{n}@sharma-agro.in"))
        .bind(&manager)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    500
}

/// A console page's time to the full HTML.
async fn timed_page(client: &reqwest::Client, url: &str, cookie: &str) -> (Duration, String) {
    let started = Instant::now();
    let response = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let body = response.text().await.unwrap();
    (started.elapsed(), body)
}

/// The pages a manager opens every morning: the overview of a 500-person company and the client list
/// at any page, in either order.
async fn console_pages(
    client: &reqwest::Client,
    base: &str,
    (admin, field): (&str, &str),
    database_url: &str,
) {
    let people = add_people(database_url).await;
    let mut latencies = Vec::new();
    for _ in 0..100 {
        let (took, body) = timed_page(client, &format!("{base}/console"), admin).await;
        assert!(body.contains("on duty now"));
        latencies.push(took.as_micros() as u32);
    }
    report(
        &format!("overview for an admin of {people} people and {CLIENTS} clients, 100 loads"),
        latencies,
        100.0,
    );
    let mut conn = sqlx::AnyConnection::connect(database_url).await.unwrap();
    for (who, cookie, owner) in [
        ("an admin", admin, "%"),
        ("a field employee", field, "vikram.singh@sharma-agro.in"),
    ] {
        // Clients the person may see, spread over the whole list.
        let anchors: Vec<String> = sqlx::query_scalar(
            "SELECT c.id FROM clients c JOIN client_owners o ON o.company_id = c.company_id AND o.client_id = c.id \
             JOIN people p ON p.company_id = o.company_id AND p.id = o.person_id \
             WHERE p.email LIKE $1 ORDER BY c.search_text LIMIT 5000",
        )
        .bind(owner)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut latencies = Vec::new();
        for (k, anchor) in anchors.iter().step_by(50).enumerate() {
            let sort = if k % 2 == 0 { "name" } else { "newest" };
            let (took, body) = timed_page(
                client,
                &format!(
                    "{base}/console/clients?sort={sort}&after={}.{anchor}",
                    1 + k * 50
                ),
                cookie,
            )
            .await;
            assert!(body.contains(" of "), "the page gives the true count");
            latencies.push(took.as_micros() as u32);
        }
        let (took, body) = timed_page(client, &format!("{base}/console/clients"), cookie).await;
        assert!(body.contains("Clients 1–50 of"));
        latencies.push(took.as_micros() as u32);
        report(
            &format!(
                "client list page (any page, by name or newest) as {who}, {} loads",
                latencies.len()
            ),
            latencies,
            50.0,
        );
        map_views(client, base, (who, cookie)).await;
    }
}

/// The client map as it is moved: the whole area of the clients (clusters), then views ever closer
/// in over it, down to a few hundred metres (pins).
async fn map_views(client: &reqwest::Client, base: &str, (who, cookie): (&str, &str)) {
    let mut latencies = Vec::new();
    for k in 0..100 {
        let size = 0.4 / f64::from(1 << (k % 8));
        let (south, west) = (
            18.40 + f64::from(k % 7) * 0.03,
            73.70 + f64::from(k % 5) * 0.04,
        );
        let (took, body) = timed_page(
            client,
            &format!(
                "{base}/console/clients/map/points?south={south}&west={west}&north={}&east={}",
                south + size,
                west + size
            ),
            cookie,
        )
        .await;
        assert!(body.contains("\"total\""), "{body}");
        latencies.push(took.as_micros() as u32);
    }
    report(
        &format!("client map view (clusters to pins) as {who}, 100 views"),
        latencies,
        100.0,
    );
}
