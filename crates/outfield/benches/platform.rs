//! Platform figures: start-up time and idle memory of `outfield serve`, the cost of a sign-in, memory
//! and password checks under 300 simultaneous sign-in attempts, and the throughput and latency of an
//! authenticated read (`GET /api/v1/me`) at 64 connections.
//!
//! Run with `cargo bench --bench platform` (SQLite) or add `-- --postgres postgres://…` for PostgreSQL.
//! The server is the real binary in its own process; the load comes from this process over loopback,
//! so both share the machine's cores.

// A test or benchmark stops at the first surprise: unwrapping is its failure report, and a scenario
// reads best as one long function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

mod support;
use support::{percentile, start};

const CONNECTIONS: usize = 64;
const LOAD_SECONDS: u64 = 10;

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024.0
}

async fn device_token(port: u16) -> String {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/device-tokens"))
        .json(
            &serde_json::json!({ "company": "sharma-agro", "login": "vikram.singh@sharma-agro.in",
            "password": "field-employee-demo-2026", "device_label": "bench" }),
        )
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

/// One connection sending requests back to back until `stop`; returns per-request latencies in µs.
async fn hammer(port: u16, token: Arc<String>, stop: Arc<AtomicBool>) -> Vec<u32> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut latencies = Vec::with_capacity(100_000);
    while !stop.load(Ordering::Relaxed) {
        let request = Request::get("/api/v1/me")
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {token}"))
            .body(Empty::<Bytes>::new())
            .unwrap();
        let started = Instant::now();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        response.into_body().collect().await.unwrap();
        latencies.push(started.elapsed().as_micros() as u32);
    }
    latencies
}

async fn load(port: u16, token: String) -> (f64, Vec<u32>) {
    let token = Arc::new(token);
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| tokio::spawn(hammer(port, token.clone(), stop.clone())))
        .collect();
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(LOAD_SECONDS)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    (all.len() as f64 / elapsed, all)
}

async fn sign_in_ms(port: u16) -> f64 {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let response = client
            .post(format!("http://127.0.0.1:{port}/api/v1/sessions"))
            .json(
                &serde_json::json!({ "company": "sharma-agro", "login": "priya.nair@sharma-agro.in",
                "password": "admin-demo-2026" }),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Sends 300 sign-in attempts with wrong passwords at once (to 300 logins, or all to one person) while
/// sampling the server's RSS; returns the peak RSS in MiB, the seconds until all were answered and the
/// count of each status.
async fn simultaneous_wrong_passwords(
    port: u16,
    pid: u32,
    one_person: bool,
) -> (f64, f64, std::collections::BTreeMap<u16, usize>) {
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let done = done.clone();
        async move {
            let mut peak = 0.0f64;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(rss_mib(pid));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            peak
        }
    });
    let started = Instant::now();
    let attempts = (0..300).map(|i| async move {
        let login = match one_person {
            true => "vikram.singh@sharma-agro.in".to_string(),
            false => format!("guess{i}@sharma-agro.in"),
        };
        reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/api/v1/sessions"))
            .json(
                &serde_json::json!({ "company": "sharma-agro", "login": login,
                                       "password": "not the password" }),
            )
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let took = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let peak = sampler.await.unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for status in statuses {
        *counts.entry(status).or_insert(0) += 1;
    }
    (peak, took, counts)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    support::print_machine_baseline();
    let args: Vec<String> = std::env::args().collect();
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .map(|i| args[i + 1].clone());
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "Outfield platform benchmark ({backend}, {} CPUs)",
        std::thread::available_parallelism().unwrap()
    );

    let mut startups = Vec::new();
    for _ in 0..5 {
        let (server, took) = start(postgres.as_deref(), false).await;
        startups.push(took.as_secs_f64() * 1000.0);
        drop(server);
    }
    startups.sort_by(f64::total_cmp);
    let startup = startups[startups.len() / 2];
    println!("start-up on an empty database (median of 5): {startup:.0} ms  (target < 500 ms, ratio {:.2})", startup / 500.0);

    let (server, _) = start(postgres.as_deref(), true).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_mib(server.child.id());
    println!("idle RSS after start-up with the demo company: {idle:.1} MiB  (target < 40 MB, ratio {:.2})", idle / 40.0);

    let hash_started = Instant::now();
    for _ in 0..5 {
        outfield_core::auth::passwords::hash("a password of some length".into())
            .await
            .unwrap();
    }
    let hash_ms = hash_started.elapsed().as_secs_f64() * 1000.0 / 5.0;
    println!("argon2id hash (m=19 MiB, t=2, p=1): {hash_ms:.1} ms of one core  (target 20–50 ms)");
    println!(
        "sign-in through POST /api/v1/sessions (median of 10): {:.1} ms",
        sign_in_ms(server.port).await
    );

    let token = device_token(server.port).await;
    let (rate, latencies) = load(server.port, token).await;
    let (p50, p99) = (percentile(&latencies, 0.50), percentile(&latencies, 0.99));
    println!(
        "GET /api/v1/me, {CONNECTIONS} connections, {LOAD_SECONDS} s: {rate:.0} requests/s  \
         (target ≥ 10,000, ratio {:.2}); p50 {p50:.2} ms, p99 {p99:.2} ms (target < 10 ms)",
        rate / 10_000.0
    );
    println!("RSS after the load: {:.1} MiB", rss_mib(server.child.id()));

    // Last: the 300 failures fill the address's hourly allowance for this server.
    for (one_person, what) in [(true, "one person"), (false, "300 logins")] {
        let (peak, took, counts) =
            simultaneous_wrong_passwords(server.port, server.child.id(), one_person).await;
        let checked = counts.get(&401).copied().unwrap_or(0);
        println!(
            "300 simultaneous wrong passwords ({what}): peak RSS {peak:.1} MiB (target < 150 MB, \
             ratio {:.2}); {checked} passwords checked; answered in {took:.2} s; statuses {counts:?}",
            peak * 1.048_576 / 150.0
        );
    }
}
