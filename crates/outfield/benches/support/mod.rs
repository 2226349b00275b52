//! What the benchmarks share: starting the real `outfield` binary on a fresh database and signing in.

// Each benchmark binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed on drop.
pub struct Running {
    /// The process.
    pub child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its database, for generating data directly.
    pub database_url: String,
    postgres: Option<String>,
    demo: bool,
    _dir: tempdir::Dir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod tempdir {
    /// A scratch directory removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let dir = std::env::temp_dir()
                .join(format!("outfield-bench-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A free local port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `outfield serve` and returns it with the time until `/healthz` first answered 200.
pub async fn start(database_url: Option<&str>, demo: bool) -> (Running, Duration) {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let postgres = database_url.map(String::from);
    let started = Instant::now();
    let child = spawn(&dir.0, port, postgres.as_deref(), demo);
    let running = Running {
        database_url: postgres
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/outfield.db", dir.0.display())),
        postgres,
        child,
        port,
        demo,
        _dir: dir,
    };
    wait_until_healthy(port, started).await;
    (running, started.elapsed())
}

impl Running {
    /// Stops the server and starts it again on the same database and port; returns the time until it
    /// answered (what a server does at start, such as rebuilding an index, is in it).
    pub async fn restart(&mut self) -> Duration {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let started = Instant::now();
        self.child = spawn(&self._dir.0, self.port, self.postgres.as_deref(), self.demo);
        wait_until_healthy(self.port, started).await;
        started.elapsed()
    }
}

impl Running {
    /// Stops the server, keeping its database for [`Running::restart`] or [`Running::command`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// An `outfield` command (such as `audit verify`) on the server's database.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_outfield"));
        command.args(args).arg("--data-dir").arg(&self._dir.0);
        if let Some(url) = &self.postgres {
            command.args(["--database-url", url]);
        }
        command.env("OUTFIELD_LOG", "error");
        command
    }
}

fn spawn(dir: &std::path::Path, port: u16, postgres: Option<&str>, demo: bool) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_outfield"));
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .env("OUTFIELD_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = postgres {
        command.args(["--database-url", url]);
    }
    if demo {
        command.arg("--demo");
    }
    command.spawn().expect("outfield binary")
}

async fn wait_until_healthy(port: u16, started: Instant) {
    let client = reqwest::Client::new();
    loop {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            if response.status() == 200 {
                return;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Signs in as `login` of the demo company and returns the session cookie and CSRF token.
pub async fn session(port: u16, login: &str, password: &str) -> (String, String) {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/sessions"))
        .json(
            &serde_json::json!({ "company": "sharma-agro", "login": login, "password": password }),
        )
        .send()
        .await
        .unwrap();
    // Every cookie the sign-in sets (the session and the device cookie), as a browser would send them.
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next())
        .collect::<Vec<_>>()
        .join("; ");
    let body: serde_json::Value = response.json().await.unwrap();
    (cookie, body["csrf_token"].as_str().unwrap().to_string())
}

/// The value at fraction `p` of sorted latencies (µs), in milliseconds.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p) as usize] as f64 / 1000.0
}

/// A PostgreSQL database made for one run and dropped after it.
pub struct FreshDatabase {
    server: String,
    name: String,
}

impl FreshDatabase {
    /// Creates the database on `server` (a PostgreSQL URL with a database the user may connect to).
    pub async fn create(server: &str) -> FreshDatabase {
        let name = format!("outfield_bench_{}", uuid::Uuid::new_v4().simple());
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(server)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        FreshDatabase {
            server: server.to_string(),
            name,
        }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        let base = self
            .server
            .rsplit_once('/')
            .map_or(self.server.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }

    /// Drops it, closing what is still connected.
    pub async fn drop_now(self) {
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&self.server)
            .await
            .unwrap();
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await
        .unwrap();
    }
}

/// The `--postgres <server url>` argument, if given.
pub fn postgres_arg() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--postgres")
        .map(|i| args[i + 1].clone())
}

/// A fresh database on the server `--postgres` names, or `None` to run on SQLite.
pub async fn fresh_postgres() -> Option<FreshDatabase> {
    match postgres_arg() {
        Some(server) => Some(FreshDatabase::create(&server).await),
        None => None,
    }
}

/// What this machine does with no Outfield code in the way, printed first by every benchmark so that
/// figures from different machines compare as ratios: one core hashing, the disk's durable commits,
/// and SQLite's prepared inserts into a scratch file.
pub fn print_machine_baseline() {
    use sha2::Digest;
    let block = vec![7u8; 1 << 20];
    let started = Instant::now();
    let mut hasher = sha2::Sha256::new();
    for _ in 0..64 {
        hasher.update(&block);
    }
    std::hint::black_box(hasher.finalize());
    let hashing = 64.0 / started.elapsed().as_secs_f64();
    let dir = tempdir::Dir::new();
    let conn = rusqlite::Connection::open(dir.0.join("baseline.db")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
         CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b REAL, c INTEGER)",
    )
    .unwrap();
    let started = Instant::now();
    let commits = 200;
    for i in 0..commits {
        conn.execute(
            "INSERT INTO t (id, a, b, c) VALUES (?1, 'commit', 1.5, 1)",
            [i],
        )
        .unwrap();
    }
    let commit_rate = f64::from(commits) / started.elapsed().as_secs_f64();
    let rows = 1_000_000i64;
    let started = Instant::now();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut insert = conn
            .prepare("INSERT INTO t (id, a, b, c) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for i in commits.into()..rows {
            insert
                .execute(rusqlite::params![i, "a row of text", i as f64 * 0.5, i % 7])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    let insert_rate = (rows - i64::from(commits)) as f64 / started.elapsed().as_secs_f64();
    println!(
        "machine baseline: SHA-256 {hashing:.0} MiB/s on one core; {commit_rate:.0} durable SQLite \
         commits/s (WAL, synchronous = FULL); {insert_rate:.0} rows/s of one prepared SQLite insert \
         in one transaction"
    );
}
