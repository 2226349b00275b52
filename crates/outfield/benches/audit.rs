//! Audit-trail benchmark: how fast the background sealer chains a backlog of entries, and how long
//! `outfield audit verify` takes to recompute a chain of millions of entries.
//!
//! Run with `cargo bench --bench audit [-- --entries 10000000] [--postgres <server url>]` (with a
//! server URL the benchmark creates a fresh database there and drops it afterwards). The entries are
//! written straight into the pending table, as a burst of changes would leave them, and sealed by the
//! real server; verification runs the real command.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use outfield_core::db::Db;
use support::{fresh_postgres, start, FreshDatabase};

/// Pending entries written per statement.
const ROWS_PER_INSERT: i64 = 100_000;

/// Writes `count` pending entries for `company`, each a distinct change by the same actor.
async fn write_pending(db: &Db, company: &str, count: i64) {
    let mut written = 0;
    while written < count {
        let rows = ROWS_PER_INSERT.min(count - written);
        let mut tx = db.system().await.unwrap();
        let numbers =
            "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n \
             WHERE i < CAST($3 AS BIGINT)) SELECT i FROM n";
        let sql = format!(
            "INSERT INTO audit_pending (company_id, id, at, actor_id, action, target_type, target_id, ip, \
             user_agent, details) \
             SELECT $1, 'bench-' || ($2 + i), 1700000000000 + $2 + i, NULL, 'client.updated', 'client', \
             'client-' || ($2 + i), '203.0.113.7', 'Outfield benchmark', '{{\"field\":\"phone\"}}' \
             FROM ({numbers}) AS numbers"
        );
        sqlx::query(&sql)
            .bind(company)
            .bind(written)
            .bind(rows)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        written += rows;
    }
}

async fn pending(db: &Db) -> i64 {
    let mut tx = db.system_read().await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    count
}

/// Runs a command to its end, returning its output and its peak resident memory (MiB) as the kernel
/// reported it while it ran.
fn run_measured(mut command: std::process::Command) -> (std::process::Output, f64) {
    let child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let watcher = std::thread::spawn(move || {
        let mut peak_kib = 0u64;
        while let Ok(status) = std::fs::read_to_string(&status_file) {
            let hwm = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok());
            match hwm {
                Some(kib) => peak_kib = peak_kib.max(kib),
                None => break,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        peak_kib
    });
    let output = child.wait_with_output().unwrap();
    let peak_kib = watcher.join().unwrap();
    (output, peak_kib as f64 / 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    support::print_machine_baseline();
    let args: Vec<String> = std::env::args().collect();
    let entries: i64 = args
        .iter()
        .position(|a| a == "--entries")
        .map_or(10_000_000, |i| args[i + 1].parse().unwrap());
    let fresh = fresh_postgres().await;
    let url = fresh.as_ref().map(FreshDatabase::url);
    println!(
        "Outfield audit benchmark ({}), {entries} entries",
        if fresh.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    let (mut server, _) = start(url.as_deref(), true).await;
    server.stop();
    let db = Db::connect(&server.database_url, 4).await.unwrap();
    let mut tx = db.system_read().await.unwrap();
    let company: String = sqlx::query_scalar("SELECT id FROM companies WHERE slug = 'sharma-agro'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let started = Instant::now();
    write_pending(&db, &company, entries).await;
    println!(
        "wrote {entries} pending entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    server.restart().await;
    while pending(&db).await > 0 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let sealing = started.elapsed().as_secs_f64();
    println!(
        "sealed by the server's background sealer in {sealing:.1} s: {:.0} entries/s",
        entries as f64 / sealing
    );
    server.stop();
    db.close().await;

    let started = Instant::now();
    let (output, peak_mib) = run_measured(server.command(&["audit", "verify"]));
    let verifying = started.elapsed().as_secs_f64();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "verify failed: {said}");
    assert!(said.contains("intact"), "verify said: {said}");
    println!(
        "outfield audit verify: {verifying:.1} s, {:.0} entries/s, peak memory {peak_mib:.0} MiB \
         (target 10 million in < 60 s, ratio {:.2}); it said: {}",
        entries as f64 / verifying,
        verifying / (60.0 * entries as f64 / 10_000_000.0),
        said.trim()
    );
    drop(server);
    if let Some(fresh) = fresh {
        fresh.drop_now().await;
    }
}
