//! Write-path benchmark: client creates over the API from one and from eight concurrent clients, the
//! server CPU each create costs, and how long an audit entry waits before the sealer chains it.
//!
//! Run with `cargo bench --bench writes` (SQLite) or `cargo bench --bench writes -- --postgres
//! postgres://postgres@127.0.0.1:5432/postgres` (a database server: the benchmark creates a fresh
//! database there and drops it afterwards).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use outfield_core::db::Db;
use serde_json::json;
use support::{fresh_postgres, percentile, session, start, FreshDatabase};

/// How long each concurrency level creates clients.
const CREATE_FOR: Duration = Duration::from_secs(5);

/// CPU time (user + system) the process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

/// Creates clients from `concurrency` connections for [`CREATE_FOR`]; returns how many were created.
async fn create_clients(
    base: &str,
    (cookie, csrf): (&str, &str),
    concurrency: usize,
    tag: &str,
) -> u64 {
    let created = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + CREATE_FOR;
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let (base, cookie, csrf) = (base.to_string(), cookie.to_string(), csrf.to_string());
            let (created, tag) = (created.clone(), tag.to_string());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let response = client
                        .post(format!("{base}/api/v1/clients"))
                        .header("cookie", &cookie)
                        .header("x-csrf-token", &csrf)
                        .json(&json!({
                            "name": format!("Bench {tag} Traders {worker}-{n}"),
                            "client_type": "Retailer",
                            "phone": format!("+9198{:08}", (worker as u64) * 1_000_000 + n),
                            "territory": "Indore",
                            "location": { "latitude": 22.7196, "longitude": 75.8577 },
                        }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
                    created.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    created.load(Ordering::Relaxed)
}

/// Waits until no audit entry is pending, then returns every client-creation entry's wait (µs) sorted.
async fn sealing_delays(db: &Db) -> Vec<u32> {
    let started = Instant::now();
    loop {
        let mut tx = db.system_read().await.unwrap();
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the sealer fell behind"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut tx = db.system_read().await.unwrap();
    let waits: Vec<i64> = sqlx::query_scalar(
        "SELECT sealed_at - at FROM audit_log WHERE action = 'client.created' ORDER BY 1",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    waits.into_iter().map(|ms| (ms * 1000) as u32).collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    support::print_machine_baseline();
    let fresh = fresh_postgres().await;
    let url = fresh.as_ref().map(FreshDatabase::url);
    println!(
        "Outfield write-path benchmark ({})",
        if fresh.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let (server, _) = start(url.as_deref(), true).await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let (cookie, csrf) = session(server.port, "priya.nair@sharma-agro.in", "admin-demo-2026").await;
    let pid = server.child.id();
    let mut rates = Vec::new();
    for concurrency in [1, 8] {
        let cpu = cpu_time(pid);
        let started = Instant::now();
        let created = create_clients(
            &base,
            (&cookie, &csrf),
            concurrency,
            &format!("c{concurrency}"),
        )
        .await;
        let rate = created as f64 / started.elapsed().as_secs_f64();
        let cpu_per_create = (cpu_time(pid) - cpu).as_secs_f64() * 1000.0 / created as f64;
        println!(
            "client create over the API, {concurrency} client(s): {created} in {} s, {rate:.0}/s, \
             {cpu_per_create:.2} ms of server CPU each",
            CREATE_FOR.as_secs()
        );
        rates.push(rate);
    }
    let target = if fresh.is_some() { 2_000.0 } else { 3_400.0 };
    println!(
        "8 clients against 1: {:.2}×; 8 clients against the target of {target:.0}/s: ratio {:.2}",
        rates[1] / rates[0],
        rates[1] / target
    );
    let db = Db::connect(&server.database_url, 2).await.unwrap();
    let delays = sealing_delays(&db).await;
    println!(
        "delay from a create to its sealed audit entry, {} entries: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms  \
         (target p99 < 1,000 ms, ratio {:.2})",
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        percentile(&delays, 1.0),
        percentile(&delays, 0.99) / 1000.0
    );
    db.close().await;
    drop(server);
    if let Some(fresh) = fresh {
        fresh.drop_now().await;
    }
}
