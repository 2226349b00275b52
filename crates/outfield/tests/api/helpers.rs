//! The test harness: each test gets its own database (SQLite file or PostgreSQL database) and a server on
//! a random port, with two companies seeded with one person per role.

use outfield_core::ids::{CompanyId, PersonId};
use std::path::PathBuf;

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use outfield::Server;
use outfield_core::auth::ClientInfo;
use outfield_core::companies::domain::{CompanyName, CompanySlug, CurrencyCode, TimeZoneName};
use outfield_core::companies::{self, NewCompany};
use outfield_core::config::ServerConfig;
use outfield_core::db::Db;
use outfield_core::people::domain::{Email, PersonName, Role};
use outfield_core::people::store::{self, NewPerson};
use reqwest::header::HeaderMap;
use serde_json::Value;
use uuid::Uuid;

/// Which database a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Every seeded person's password.
pub const PASSWORD: &str = "correct horse battery";

/// One seeded person.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: PersonId,
    pub email: String,
    pub role: Role,
}

/// A seeded company: owner, admin, manager, a field employee in the manager's team (`field`) and one
/// outside it (`other_field`, reporting to the owner).
#[derive(Clone, Debug)]
pub struct World {
    pub company_id: CompanyId,
    pub slug: String,
    pub name: String,
    pub owner: Member,
    pub admin: Member,
    pub manager: Member,
    pub field: Member,
    pub other_field: Member,
}

impl World {
    pub fn members(&self) -> [&Member; 5] {
        [
            &self.owner,
            &self.admin,
            &self.manager,
            &self.field,
            &self.other_field,
        ]
    }
}

pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub db: Db,
    pub database_url: String,
    pub a: World,
    pub b: World,
    /// The server's data directory (uploads live under `files/`).
    pub data_dir: TempDir,
}

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir() -> TempDir {
    let dir = std::env::temp_dir().join(format!("outfield-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// True when the run opted out of PostgreSQL (`OUTFIELD_TEST_SKIP_POSTGRES=1`); says so in the output so a
/// skipped half is never mistaken for a passing one. Without the opt-out a PostgreSQL test needs
/// `OUTFIELD_TEST_POSTGRES` and fails when it is missing.
pub fn postgres_skipped(test: &str) -> bool {
    let skipped = std::env::var("OUTFIELD_TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1");
    if skipped {
        eprintln!("SKIPPED (OUTFIELD_TEST_SKIP_POSTGRES=1): PostgreSQL half of {test}");
    }
    skipped
}

/// A fresh PostgreSQL database on the server named by OUTFIELD_TEST_POSTGRES; panics when it is unset.
pub async fn fresh_postgres_url() -> String {
    let admin_url = std::env::var("OUTFIELD_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
        .expect(
            "OUTFIELD_TEST_POSTGRES must name a PostgreSQL server (postgres://postgres@127.0.0.1:5432/postgres); \
             set OUTFIELD_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL half knowingly",
        );
    let name = format!("outfield_test_{}", Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect to OUTFIELD_TEST_POSTGRES");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&name);
    url.to_string()
}

pub fn config(database_url: Option<String>, data_dir: PathBuf) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir,
        database_url,
        public_url: None,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        secure_cookies: false,
        database_connections: outfield_core::db::DEFAULT_POSTGRES_CONNECTIONS,
        migrate_database_url: None,
        map_tiles: String::new(),
        map_attribution: String::new(),
    }
}

impl TestApp {
    /// Spawns a server on a fresh database of the backend.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns a server whose configuration `configure` adjusts first.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut ServerConfig),
    ) -> TestApp {
        let dir = temp_dir();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres_url().await),
        };
        let mut config = config(database_url, dir.0.clone());
        configure(&mut config);
        let database_url = config.database_url().unwrap();
        let server = Server::bind(config).await.expect("server starts");
        let base = format!("http://{}", server.addr);
        let db = server.state.db.clone();
        tokio::spawn(server.run(std::future::pending()));
        let a = seed(&db, "alpha-traders", "Alpha Traders").await;
        let b = seed(&db, "beta-pharma", "Beta Pharma").await;
        TestApp {
            base,
            backend,
            db,
            database_url,
            a,
            b,
            data_dir: dir,
        }
    }

    /// The status of the health check: 200 while the server and its database answer.
    pub async fn health(&self) -> u16 {
        reqwest::get(self.url("/healthz"))
            .await
            .map_or(0, |r| r.status().as_u16())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with its own cookie jar.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// One sign-in attempt through the API from `client` (which keeps any cookie it receives).
    pub async fn sign_in_attempt(
        &self,
        client: &reqwest::Client,
        company: &str,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/api/v1/sessions"))
            .json(&serde_json::json!({ "company": company, "login": login, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the console's form from `browser` (fetching the form for its token first) to
    /// company A.
    pub async fn console_sign_in(
        &self,
        browser: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        let form = browser
            .get(self.url("/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = form_token(&form);
        browser
            .post(self.url("/sign-in"))
            .form(&[
                ("_csrf", token.as_str()),
                ("company", self.a.slug.as_str()),
                ("login", login),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Signs in through the API and returns a session-authenticated client.
    pub async fn session(&self, world: &World, member: &Member) -> Session {
        let client = self.browser();
        let response = client
            .post(self.url("/api/v1/sessions"))
            .json(&serde_json::json!({ "company": world.slug, "login": member.email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "sign-in of {} failed", member.email);
        let body: Value = response.json().await.unwrap();
        Session {
            client,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
            base: self.base.clone(),
        }
    }

    /// Signs in from the "field app" and returns a bearer-authenticated client.
    pub async fn device(&self, world: &World, member: &Member) -> Session {
        let token = self.device_token(world, member).await.1;
        Session::bearer(&self.base, &token)
    }

    pub async fn device_token(&self, world: &World, member: &Member) -> (Uuid, String) {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/device-tokens"))
            .json(&serde_json::json!({ "company": world.slug, "login": member.email, "password": PASSWORD,
                                      "device_label": "Redmi Note 12" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        (
            body["device_id"].as_str().unwrap().parse().unwrap(),
            body["token"].as_str().unwrap().to_string(),
        )
    }

    /// Runs a query as the connecting (privileged) user, bypassing the server's role and row-level
    /// security: for inspecting and tampering in tests.
    pub async fn admin_sql(&self, sql: &str) -> Vec<sqlx::any::AnyRow> {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.database_url)
            .await
            .unwrap();
        sqlx::raw_sql(sql).fetch_all(&mut conn).await.unwrap()
    }

    /// Records `count` earlier failures against a limit key (`address:…`, `person:…`), the first
    /// `ago_ms` ago and one a millisecond apart, as if attempts had been made.
    pub async fn record_failures(&self, key: &str, count: usize, ago_ms: i64) {
        let now = chrono::Utc::now().timestamp_millis();
        let values: Vec<String> = (0..count)
            .map(|i| format!("('{key}', {})", now - ago_ms + i as i64))
            .collect();
        self.admin_sql(&format!(
            "INSERT INTO rate_events (limit_key, at) VALUES {}",
            values.join(", ")
        ))
        .await;
    }

    /// The text of a page as `client` (with its cookies) reads it.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> String {
        let response = client.get(self.url(path)).send().await.unwrap();
        response.text().await.unwrap()
    }

    /// A count from a query, as the privileged user.
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Row;
        let rows = self.admin_sql(sql).await;
        rows[0].try_get::<i64, _>(0).unwrap()
    }

    /// Seals every pending audit entry now, as the background sealer would within a moment, so that a
    /// test reads the chain its requests produced.
    pub async fn seal_audit(&self) {
        outfield_core::audit::seal::seal_all(&self.db)
            .await
            .expect("sealing succeeds");
    }

    /// The number of sealed audit entries (of all companies) whose action matches the SQL `LIKE` pattern.
    pub async fn audit_count(&self, action: &str) -> i64 {
        self.seal_audit().await;
        self.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE '{action}'"
        ))
        .await
    }

    /// A fingerprint of everything stored, to prove that rejected requests changed nothing.
    pub async fn snapshot(&self) -> Vec<i64> {
        // Entries move from pending to the chain in the background; sealing first keeps counts still.
        self.seal_audit().await;
        let mut counts = Vec::new();
        for table in [
            "companies",
            "people",
            "sessions",
            "device_tokens",
            "one_time_links",
            "audit_log",
            "audit_pending",
        ] {
            counts.push(self.count(&format!("SELECT COUNT(*) FROM {table}")).await);
        }
        counts.push(
            self.count("SELECT CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) FROM people")
                .await,
        );
        counts.push(
            self.count("SELECT CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) FROM companies")
                .await,
        );
        counts.push(
            self.count("SELECT COUNT(*) FROM device_tokens WHERE revoked_at IS NOT NULL")
                .await,
        );
        counts
    }
}

/// A signed-in HTTP client.
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
    base: String,
}

impl Session {
    /// A device session: the bearer token on every request.
    pub fn bearer(base: &str, token: &str) -> Session {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap();
        Session {
            client,
            csrf: String::new(),
            base: base.to_string(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Adds a client owned by `owner` and returns it as answered (201).
    pub async fn add_client(&self, name: &str, owner: PersonId) -> Value {
        let response = self
            .post(
                "/api/v1/clients",
                serde_json::json!({ "name": name, "owner_ids": [owner] }),
            )
            .await;
        assert_eq!(response.status(), 201, "adding {name}");
        response.json().await.unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> reqwest::Response {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    /// Posts a console form with the session's CSRF token.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .unwrap()
    }
}

/// A cheap argon2id hash for seeded people, so that tests spend no time hashing. Verification reads the
/// parameters from the hash, so sign-in works unchanged; the product's own hashes use full strength.
fn cheap_hash(password: &str) -> String {
    let argon = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(256, 1, 1, None).unwrap(),
    );
    argon
        .hash_password(
            password.as_bytes(),
            &SaltString::generate(&mut rand::rngs::OsRng),
        )
        .unwrap()
        .to_string()
}

/// Creates a company with an owner who has `PASSWORD`, as `outfield company create` would.
pub async fn create_company(
    db: &Db,
    slug: &str,
    name: &str,
) -> Result<companies::CreatedCompany, outfield_core::error::AppError> {
    companies::create(
        db,
        NewCompany {
            name: CompanyName::parse(name).unwrap(),
            slug: CompanySlug::parse(slug).unwrap(),
            time_zone: TimeZoneName::parse("Asia/Kolkata").unwrap(),
            currency: CurrencyCode::parse("INR").unwrap(),
            owner_name: PersonName::parse(&format!("{name} Owner")).unwrap(),
            owner_email: Email::parse(&format!("owner@{slug}.example")).unwrap(),
            owner_password_hash: Some(cheap_hash(PASSWORD)),
        },
        &ClientInfo::local("test"),
    )
    .await
}

async fn seed(db: &Db, slug: &str, name: &str) -> World {
    let hash = cheap_hash(PASSWORD);
    let owner_email = format!("owner@{slug}.example");
    let created = create_company(db, slug, name).await.unwrap();
    let owner = Member {
        id: created.owner_id,
        email: owner_email,
        role: Role::Owner,
    };
    let mut tx = db.system().await.unwrap();
    let company = (created.company_id, slug, name, hash.as_str());
    let admin = add_member(
        &mut tx,
        company,
        "admin",
        Role::Admin,
        owner.id,
        "+919800000001",
    )
    .await;
    let manager = add_member(
        &mut tx,
        company,
        "manager",
        Role::Manager,
        owner.id,
        "+919800000002",
    )
    .await;
    let field = add_member(
        &mut tx,
        company,
        "field",
        Role::FieldEmployee,
        manager.id,
        "+919800000003",
    )
    .await;
    let other_field = add_member(
        &mut tx,
        company,
        "other-field",
        Role::FieldEmployee,
        owner.id,
        "+919800000004",
    )
    .await;
    // No automatic end of day: a test that opens a day "half an hour ago" late in the company's
    // evening would otherwise see the background job end it (at 23:30 by default) under its feet. The
    // test of the automatic end sets the minute itself.
    sqlx::query("UPDATE companies SET auto_end_minute = NULL WHERE id = $1")
        .bind(created.company_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    World {
        company_id: created.company_id,
        slug: slug.to_string(),
        name: name.to_string(),
        owner,
        admin,
        manager,
        field,
        other_field,
    }
}

async fn add_member(
    tx: &mut outfield_core::db::Tx,
    (company_id, slug, company_name, hash): (CompanyId, &str, &str, &str),
    label: &str,
    role: Role,
    manager: PersonId,
    mobile: &str,
) -> Member {
    let email = format!("{label}@{slug}.example");
    let name = format!("{company_name} {label}");
    let person = NewPerson {
        name: &name,
        email: &email,
        mobile: Some(mobile),
        employee_code: None,
        role,
        manager_id: Some(manager),
        password_hash: Some(hash),
    };
    let id = store::insert(tx, company_id, &person).await.unwrap();
    Member { id, email, role }
}

/// Declares each listed `async fn(TestApp)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::helpers::postgres_skipped(stringify!($name)) {
                        return;
                    }
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await;
                    super::$name(app).await;
                }
            )*
        }
    };
}

/// Reads a problem+json answer, checking its content type.
pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    response.json().await.unwrap()
}

/// The field names of a problem's `errors`.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The value of a form's hidden `_csrf` field in a page.
pub fn form_token(html: &str) -> String {
    let start = html
        .find(r#"name="_csrf" value=""#)
        .expect("the page has a form token")
        + r#"name="_csrf" value=""#.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// A real 16 × 12 JPEG of one colour, padded with filler bytes after its end to `len` bytes (decoders
/// stop at the end marker), so that sizes and contents can be chosen.
pub fn jpeg(filler: u8, len: usize) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(16, 12, image::Rgb([filler, 120, 200]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    let mut bytes = bytes.into_inner();
    assert!(
        bytes.len() <= len,
        "{} bytes asked, the picture needs {}",
        len,
        bytes.len()
    );
    bytes.resize(len, filler);
    bytes
}
