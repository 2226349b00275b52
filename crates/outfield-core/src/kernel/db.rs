//! The database handle: one portable store over SQLite (embedded default) or PostgreSQL (scale-out).
//!
//! Queries are written once in the SQL both engines share (`$1` placeholders, `WITH RECURSIVE`, Unix-ms
//! integers, UUID text) and run through sqlx's `Any` driver. Backend-specific code is limited to connection
//! set-up and to the per-transaction tenant setting that row-level security reads on PostgreSQL.
//!
//! Every transaction is opened for a purpose: [`Db::tenant`] for one company's data (the only way handlers
//! get at tenant rows, and it needs a [`Scope`] that only authentication creates) or [`Db::system`] for the
//! few cross-company paths (sign-in lookups, bootstrap, audit verification).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

use crate::kernel::scope::Scope;

pub mod columns;
pub mod dialect;
pub mod group_commit;
mod roles;
pub mod statement;

/// Which engine is behind the pool: private to `db`, where every difference between the two lives
/// (`dialect`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// Embedded, single-server; the default.
    Sqlite,
    /// Shared by any number of stateless `outfield serve` instances.
    Postgres,
}

/// A nullable floating-point parameter that PostgreSQL always receives as `double precision`.
///
/// sqlx's `Any` driver sends a NULL `Option<f64>` typed as `real` (float4) — its NULL kinds for the two
/// float widths are crossed (upstream issue 4284, still so in 0.8.6 and 0.9.0). A connection that
/// prepared a statement with a NULL there keeps that type in its statement cache, and the same statement
/// with a value then fails ("incorrect binary data format"). Binding every nullable float through this
/// type keeps the parameter's type the same with or without a value; `tests/api/hardening.rs` runs each
/// such write with NULLs first and values second on a one-connection pool.
#[derive(Clone, Copy, Debug)]
pub struct NullableFloat(pub Option<f64>);

impl sqlx::Type<Any> for NullableFloat {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, Any> for NullableFloat {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(value) => sqlx::Encode::<Any>::encode_by_ref(&value, buf),
            // The crossed kinds: a NULL of f32's kind is the one that reaches PostgreSQL as float8.
            None => sqlx::Encode::<Any>::encode_by_ref(&Option::<f32>::None, buf),
        }
    }
}

/// Connections a PostgreSQL pool opens unless configured otherwise.
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 16;

/// A transaction of the portable store.
pub type Tx = Transaction<'static, Any>;

/// Connection pools and the backend they talk to. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    reads: AnyPool,
    writes: AnyPool,
    sqlite_file: Option<std::path::PathBuf>,
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating an SQLite file if needed; a
    /// PostgreSQL pool opens at most `postgres_connections` connections.
    pub async fn connect(url: &str, postgres_connections: u32) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let options = AnyConnectOptions::from_str(url).context("invalid database URL")?;
        let db = match backend {
            // SQLite takes one writer at a time; a single write connection queues writers in-process
            // instead of failing them with SQLITE_BUSY, and readers run in parallel under WAL.
            Backend::Sqlite => Db {
                backend,
                reads: sqlite_pool(options.clone(), 8, READ_CACHE_KIB).await?,
                writes: sqlite_pool(options, 1, WRITE_CACHE_KIB).await?,
                sqlite_file: Some(
                    sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                        .get_filename()
                        .to_path_buf(),
                ),
            },
            Backend::Postgres => {
                let pool = postgres_pool(options, postgres_connections).await?;
                Db {
                    backend,
                    reads: pool.clone(),
                    writes: pool,
                    sqlite_file: None,
                }
            }
        };
        Ok(db)
    }

    /// The SQLite URL for a data directory, creating the directory.
    pub(crate) fn sqlite_url_for(data_dir: &Path) -> anyhow::Result<String> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("outfield.db").display()
        ))
    }

    /// The SQL dialect of the pool, for the few statements written differently on each engine.
    pub fn dialect(&self) -> dialect::Dialect {
        dialect::Dialect(self.backend)
    }

    /// The SQLite database file, for a reader of millions of rows that steps through them on a thread of
    /// its own instead of through the pool (`audit verify`); `None` on PostgreSQL.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// Lets the login role `login` act as the server (membership of `outfield_app`), from a connection
    /// of the schema's owner: a server that connects as a role without any other privilege then needs
    /// nothing else set up by hand. Nothing to do on SQLite.
    pub(crate) async fn grant_server_role(&self, login: &str) -> anyhow::Result<()> {
        if self.backend == Backend::Sqlite {
            return Ok(());
        }
        let mut conn = self.writes.acquire().await?;
        conn.execute("RESET ROLE").await?;
        let quoted = login.replace('"', "\"\"");
        conn.execute(format!("GRANT outfield_app TO \"{quoted}\"").as_str())
            .await
            .with_context(|| format!("cannot let {login} act as the server"))?;
        Ok(())
    }

    /// Brings the schema up to date; safe to run from several instances at once. On PostgreSQL a schema
    /// already up to date is left alone, so a command given only the server's login role (which may not
    /// change the schema) starts; one that is not up to date is migrated as the connecting user.
    pub async fn migrate(&self, migrations: &Migrations) -> anyhow::Result<()> {
        let mut conn = self.writes.acquire().await?;
        match self.backend {
            Backend::Sqlite => migrations.sqlite.run(&mut *conn).await?,
            Backend::Postgres => {
                if roles::up_to_date(&mut conn, &migrations.postgres).await {
                    return Ok(());
                }
                // The pool runs as outfield_app; schema changes need the connecting user.
                conn.execute("RESET ROLE").await?;
                roles::make_owner_a_member(&mut conn).await?;
                let result = migrations.postgres.run(&mut *conn).await;
                conn.execute("SET ROLE outfield_app").await?;
                result.map_err(|error| {
                    anyhow::anyhow!(
                        "cannot bring the schema up to date ({error}); if this URL names the server's \
                         login role, give the schema owner's URL as --migrate-database-url"
                    )
                })?
            }
        }
        Ok(())
    }

    /// Fails with the grant to make when the server's connections cannot act as `outfield_app`
    /// (PostgreSQL); nothing to check on SQLite.
    pub(crate) async fn check_server_role(&self) -> anyhow::Result<()> {
        if self.backend == Backend::Sqlite {
            return Ok(());
        }
        let mut conn = self.writes.acquire().await?;
        roles::check_server_role(&mut conn).await
    }

    /// A write transaction limited to the scope's company.
    pub async fn tenant(&self, scope: &Scope) -> sqlx::Result<Tx> {
        self.begin_limited(Access::Write, Limit::Company(scope.company_id()))
            .await
    }

    /// A read-only-by-convention transaction limited to the scope's company, on the read pool.
    pub async fn tenant_read(&self, scope: &Scope) -> sqlx::Result<Tx> {
        self.begin_limited(Access::Read, Limit::Company(scope.company_id()))
            .await
    }

    /// A write transaction that may touch every company: sign-in, bootstrap, background jobs.
    pub async fn system(&self) -> sqlx::Result<Tx> {
        self.begin_limited(Access::Write, Limit::System).await
    }

    /// A read transaction that may touch every company (session lookups, audit verification).
    pub async fn system_read(&self) -> sqlx::Result<Tx> {
        self.begin_limited(Access::Read, Limit::System).await
    }

    /// Runs a single-row read that may look across companies (credential lookups) with one bound text
    /// value. On SQLite it runs without an explicit transaction, which saves two round trips on the
    /// hottest path; on PostgreSQL it needs the system setting of a transaction.
    pub(crate) async fn system_lookup(
        &self,
        sql: &str,
        value: &str,
    ) -> sqlx::Result<Option<sqlx::any::AnyRow>> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(&self.reads)
                    .await
            }
            Backend::Postgres => {
                let mut tx = self.system_read().await?;
                let row = sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(row)
            }
        }
    }

    /// Opens a transaction; on PostgreSQL its limit is set in the same round trip as `BEGIN` (one simple
    /// query of two statements), so a transaction costs the database two round trips, not three. The
    /// value is a UUID formatted by Rust or a constant, never text from a request.
    ///
    /// On SQLite a transaction on the write pool starts as the writer (`BEGIN IMMEDIATE`): it takes the
    /// database's write lock at once, waiting within the busy timeout while another process holds it. A
    /// plain `BEGIN` would take it only at the first write, after reads, and could then not wait (SQLite
    /// answers "database is locked" at once to a reader that wants to become the writer).
    async fn begin_limited(&self, access: Access, limit: Limit) -> sqlx::Result<Tx> {
        let pool = match access {
            Access::Write => &self.writes,
            Access::Read => &self.reads,
        };
        if self.backend == Backend::Sqlite {
            return match access {
                Access::Write => pool.begin_with("BEGIN IMMEDIATE").await,
                Access::Read => pool.begin().await,
            };
        }
        let setting = match limit {
            Limit::Company(company_id) => format!("'outfield.company_id', '{company_id}'"),
            Limit::System => "'outfield.system', 'on'".to_string(),
        };
        pool.begin_with(format!("BEGIN; SELECT set_config({setting}, true)"))
            .await
    }

    /// Closes the pools, waiting for checked-out connections (used at shutdown and by tests).
    pub async fn close(&self) {
        self.reads.close().await;
        self.writes.close().await;
    }
}

/// Whether a transaction may write (on SQLite: the one write connection, taken as the writer).
#[derive(Clone, Copy)]
enum Access {
    Write,
    Read,
}

enum Limit {
    Company(crate::ids::CompanyId),
    System,
}

/// Page cache of each SQLite read connection (KiB): enough for lists and reports.
const READ_CACHE_KIB: u32 = 8 * 1024;
/// Page cache of the one SQLite write connection (KiB): bulk ingest touches many index pages.
const WRITE_CACHE_KIB: u32 = 64 * 1024;

async fn sqlite_pool(
    options: AnyConnectOptions,
    size: u32,
    cache_kib: u32,
) -> anyhow::Result<AnyPool> {
    let pool = AnyPoolOptions::new()
        .max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        // A file does not hang up: a connection is handed out without a check (a hand-off to its
        // thread and back).
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                // WAL: readers never block the writer. synchronous=FULL syncs the WAL at every commit,
                // so a transaction whose success was answered survives a power cut or an OS crash too
                // (NORMAL would keep it only across a process kill); group commit of positions spreads
                // that sync over every batch of the group. The cache grows only as pages are used, so idle memory stays small. Checkpoints (which
                // copy the WAL into the database and sync it) run every 16 MiB of WAL instead of 4 MiB, so a
                // steady stream of writes pays for them less often.
                conn.execute(
                    format!(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                         PRAGMA cache_size = -{cache_kib}; PRAGMA wal_autocheckpoint = 4000;"
                    )
                    .as_str(),
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("cannot open the SQLite database")?;
    Ok(pool)
}

/// How long a PostgreSQL connection may sit idle before it is checked when handed out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(10);

async fn postgres_pool(options: AnyConnectOptions, size: u32) -> anyhow::Result<AnyPool> {
    let pool = AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(30))
        // A connection in steady use is handed out as it is; one idle for a while is checked first
        // (a round trip), so a server restarted in the meantime costs no request an error. sqlx's
        // default checks every time, one round trip more per transaction.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for < IDLE_BEFORE_PING {
                    return Ok(true);
                }
                Ok(sqlx::Connection::ping(conn).await.is_ok())
            })
        })
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // Run as the unprivileged role so that row-level security applies even when the
                // configured user owns the tables or is a superuser. The role may not exist before the
                // first migration; then the connection stays as it is and `migrate` switches it.
                // Nor is the schema's owner a member yet when another installation on the cluster
                // created the role; migrating makes it one (`roles`).
                if roles::login_is_member(conn).await? {
                    conn.execute("SET ROLE outfield_app").await?;
                }
                // Every query here reads a few index entries; just-in-time compilation, triggered by
                // the planner's pessimistic estimates, would spend hundreds of milliseconds per query.
                conn.execute("SET jit = off").await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("cannot connect to PostgreSQL")?;
    Ok(pool)
}

/// Reads a UUID column; a malformed value is a database fault, not bad input.
pub fn get_uuid(row: &sqlx::any::AnyRow, column: &str) -> sqlx::Result<uuid::Uuid> {
    use sqlx::Row;
    let raw: String = row.try_get(column)?;
    uuid::Uuid::parse_str(&raw).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Reads a JSON text column. A value that does not read as `T` is a database fault, logged and answered
/// as an error: never shown as an empty value, as if that were what is stored.
pub fn json_column<T: serde::de::DeserializeOwned>(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> sqlx::Result<T> {
    use sqlx::Row;
    let text: String = row.try_get(column)?;
    json_text_as(&text, column)
}

/// Reads JSON text stored in `column` as `T`, failing loudly like [`json_column`].
pub fn json_text_as<T: serde::de::DeserializeOwned>(text: &str, column: &str) -> sqlx::Result<T> {
    serde_json::from_str(text).map_err(|error| {
        tracing::error!(column, %error, "stored JSON does not read");
        sqlx::Error::ColumnDecode {
            index: column.to_string(),
            source: Box::new(error),
        }
    })
}

/// The schema's migrations for each backend. The binary, which composes the features, owns them (one
/// ordered set per backend, kept in lock-step by the schema comparison test).
pub struct Migrations {
    /// Applied on SQLite.
    pub sqlite: sqlx::migrate::Migrator,
    /// Applied on PostgreSQL, as the schema's owner.
    pub postgres: sqlx::migrate::Migrator,
}
