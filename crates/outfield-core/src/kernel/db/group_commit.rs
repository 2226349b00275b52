//! Group commit on SQLite. SQLite has one writer, and a transaction costs more than the few rows a
//! request writes (a phone's batch of 100 fixes, one client); so writes that arrive together are run by
//! one writer task in one transaction, and each caller is answered once that transaction has committed —
//! nothing is acknowledged before it is durable.
//!
//! A write is a list of statements that need nothing read between them ([`GroupCommit::run`]: position
//! batches, client creates). On SQLite they run on the writer's own rusqlite connection, on a thread of
//! its own: a whole group goes to that thread at once and runs statement after statement through its
//! prepared-statement cache, each write in a savepoint of the shared transaction, so one write's
//! failure rolls back that write alone — instead of a hand-off between threads for every statement, as
//! sqlx's SQLite driver does. The writer holds the one connection of sqlx's write pool while it runs,
//! which is the process's right to write, so it never writes at the same time as the rest of the
//! server.
//!
//! PostgreSQL commits concurrent transactions in groups itself, and its row-level security needs one
//! company per transaction, so there each write runs in its own transaction.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::db::dialect::Dialect;
use crate::db::statement::Statement;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::kernel::scope::Scope;

/// Most writes one shared transaction takes.
const MAX_GROUP: usize = 64;

/// A write of statements, with where its answer goes.
struct StatementJob {
    statements: Vec<Statement>,
    done: oneshot::Sender<Written>,
}

/// The rows each statement of a write changed, or why the write was refused.
type Written = Result<Vec<u64>, WriteFailure>;

/// Why a write of statements did not happen.
#[derive(Debug)]
pub enum WriteFailure {
    /// A unique index refused a row (a value another row took first); the caller says which.
    Unique,
    /// Anything else: a fault, answered as one.
    Fault(AppError),
}

impl From<WriteFailure> for AppError {
    fn from(failure: WriteFailure) -> AppError {
        match failure {
            WriteFailure::Unique => {
                AppError::Internal(anyhow::anyhow!("a unique index refused the write"))
            }
            WriteFailure::Fault(error) => error,
        }
    }
}

impl From<sqlx::Error> for WriteFailure {
    fn from(error: sqlx::Error) -> WriteFailure {
        match &error {
            sqlx::Error::Database(e) if e.is_unique_violation() => WriteFailure::Unique,
            _ => WriteFailure::Fault(error.into()),
        }
    }
}

impl From<rusqlite::Error> for WriteFailure {
    fn from(error: rusqlite::Error) -> WriteFailure {
        match &error {
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                WriteFailure::Unique
            }
            _ => WriteFailure::Fault(AppError::Internal(error.into())),
        }
    }
}

/// Runs writes of a company, grouping concurrent ones into one transaction on SQLite. Cheap to clone;
/// the writer tasks end when the last clone is dropped.
#[derive(Clone)]
pub struct GroupCommit {
    db: Db,
    statement_jobs: Option<mpsc::Sender<StatementJob>>,
}

impl GroupCommit {
    /// A group commit for the database; on SQLite this opens the statement writer's connection and
    /// starts the writer tasks (inside a Tokio runtime).
    pub fn start(db: Db) -> anyhow::Result<GroupCommit> {
        let mut statement_jobs = None;
        if let Some(file) = db.sqlite_file() {
            let connection = Arc::new(Mutex::new(open_writer(file)?));
            let (sender, receiver) = mpsc::channel(1024);
            tokio::spawn(run_statement_groups(db.clone(), connection, receiver));
            statement_jobs = Some(sender);
        }
        Ok(GroupCommit { db, statement_jobs })
    }

    /// The dialect of the engine the writes go to, for the few statements written differently on each.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Runs a write of statements in a transaction limited to the scope's company and answers, once it
    /// is committed, with the rows each statement changed.
    pub async fn run(&self, scope: &Scope, statements: Vec<Statement>) -> Written {
        let Some(jobs) = &self.statement_jobs else {
            let mut tx = self.db.tenant(scope).await?;
            let changed = execute_all(&mut tx, &statements).await?;
            tx.commit().await?;
            return Ok(changed);
        };
        let gone = || {
            WriteFailure::Fault(AppError::Internal(anyhow::anyhow!(
                "the SQLite writer has stopped"
            )))
        };
        let (done, answer) = oneshot::channel();
        jobs.send(StatementJob { statements, done })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Reads what a write depends on (`check`), then runs the statements that reading decided, and
    /// answers with both once committed. On SQLite the reading is a read transaction of its own and the
    /// write joins the writer's group; on PostgreSQL both are one transaction, which saves the round
    /// trips of a second one. Whatever `check` refuses (a validation error) is answered as it is.
    pub async fn checked<C, F, S>(
        &self,
        scope: &Scope,
        check: F,
        statements: S,
    ) -> Result<(C, Vec<u64>), WriteFailure>
    where
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, AppResult<C>>,
        S: FnOnce(&C) -> Vec<Statement>,
    {
        if self.statement_jobs.is_some() {
            let mut read = self.db.tenant_read(scope).await?;
            let checked = check(&mut read).await.map_err(WriteFailure::Fault)?;
            read.commit().await?;
            let changed = self.run(scope, statements(&checked)).await?;
            return Ok((checked, changed));
        }
        let mut tx = self.db.tenant(scope).await?;
        let checked = check(&mut tx).await.map_err(WriteFailure::Fault)?;
        let changed = execute_all(&mut tx, &statements(&checked)).await?;
        tx.commit().await?;
        Ok((checked, changed))
    }
}

/// Runs statements one after the other in a sqlx transaction; the rows each changed.
async fn execute_all(tx: &mut Tx, statements: &[Statement]) -> Result<Vec<u64>, WriteFailure> {
    let mut changed = Vec::with_capacity(statements.len());
    for statement in statements {
        changed.push(statement.execute(tx).await?);
    }
    Ok(changed)
}

/// The statement writer's connection, set up as the pool's connections are (`db.rs`).
fn open_writer(file: &Path) -> anyhow::Result<rusqlite::Connection> {
    let connection = rusqlite::Connection::open(file)
        .with_context(|| format!("cannot open {} for writing", file.display()))?;
    connection.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; \
         PRAGMA wal_autocheckpoint = 4000;",
    )?;
    connection.busy_timeout(std::time::Duration::from_secs(10))?;
    connection.set_prepared_statement_cache_capacity(128);
    Ok(connection)
}

/// Takes the writes of statements waiting at each moment and runs them as one transaction on the
/// writer's thread, holding the process's right to write meanwhile.
async fn run_statement_groups(
    db: Db,
    connection: Arc<Mutex<rusqlite::Connection>>,
    mut receiver: mpsc::Receiver<StatementJob>,
) {
    while let Some(first) = receiver.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let (writes, answers): (Vec<_>, Vec<_>) =
            group.into_iter().map(|j| (j.statements, j.done)).unzip();
        let results = match db.writes.acquire().await {
            Ok(right) => {
                let connection = Arc::clone(&connection);
                let ran = tokio::task::spawn_blocking(move || {
                    let connection = connection.lock().unwrap_or_else(|e| e.into_inner());
                    write_group(&connection, &writes)
                })
                .await;
                drop(right);
                ran.unwrap_or_else(|e| failed_group(answers.len(), &e.to_string()))
            }
            Err(error) => failed_group(answers.len(), &error.to_string()),
        };
        for (answer, result) in answers.into_iter().zip(results) {
            let _ = answer.send(result);
        }
    }
}

/// The same failure for every write of a group.
fn failed_group(writes: usize, why: &str) -> Vec<Written> {
    (0..writes)
        .map(|_| {
            Err(WriteFailure::Fault(AppError::Internal(anyhow::anyhow!(
                "grouped write failed: {why}"
            ))))
        })
        .collect()
}

/// Runs a transaction-control statement through the statement cache (parsed once, not per write).
fn control(connection: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    connection.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Runs a group of writes in one transaction, each in a savepoint; if the commit fails, every write
/// of the group fails with it.
fn write_group(connection: &rusqlite::Connection, writes: &[Vec<Statement>]) -> Vec<Written> {
    let ran = (|| -> rusqlite::Result<Vec<Written>> {
        control(connection, "BEGIN IMMEDIATE")?;
        let mut results = Vec::with_capacity(writes.len());
        for statements in writes {
            control(connection, "SAVEPOINT write")?;
            let changed: rusqlite::Result<Vec<u64>> = statements
                .iter()
                .map(|s| s.execute_sqlite(connection).map(|n| n as u64))
                .collect();
            if changed.is_err() {
                control(connection, "ROLLBACK TO write")?;
            }
            control(connection, "RELEASE write")?;
            results.push(changed.map_err(WriteFailure::from));
        }
        control(connection, "COMMIT")?;
        Ok(results)
    })();
    ran.unwrap_or_else(|error| {
        if !connection.is_autocommit() {
            let _ = connection.execute_batch("ROLLBACK");
        }
        failed_group(writes.len(), &error.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(codes: [&str; 2]) -> Vec<Statement> {
        codes
            .iter()
            .map(|code| Statement::new("INSERT INTO t (code) VALUES ($1)").bind(*code))
            .collect()
    }

    fn stored(connection: &rusqlite::Connection) -> Vec<String> {
        connection
            .prepare("SELECT code FROM t ORDER BY code")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_failing_write_rolls_back_alone_and_the_rest_of_its_group_commits() {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        connection
            .execute_batch("CREATE TABLE t (code TEXT NOT NULL UNIQUE)")
            .unwrap();
        let writes = [write(["a", "a2"]), write(["b", "a"]), write(["c", "c2"])];
        let results = write_group(&connection, &writes);
        assert!(matches!(&results[0], Ok(changed) if changed == &[1, 1]));
        assert!(matches!(&results[1], Err(WriteFailure::Unique)));
        assert!(matches!(&results[2], Ok(changed) if changed == &[1, 1]));
        assert_eq!(
            stored(&connection),
            ["a", "a2", "c", "c2"],
            "b went with its write"
        );
        assert!(
            connection.is_autocommit(),
            "the group's transaction is closed"
        );
    }

    #[test]
    fn a_group_that_cannot_commit_fails_every_write_and_keeps_nothing() {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        connection
            .execute_batch(
                "PRAGMA foreign_keys = ON; CREATE TABLE p (id TEXT PRIMARY KEY); \
                 CREATE TABLE t (code TEXT NOT NULL UNIQUE REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)",
            )
            .unwrap();
        let results = write_group(&connection, &[write(["a", "b"]), write(["c", "d"])]);
        assert!(results
            .iter()
            .all(|r| matches!(r, Err(WriteFailure::Fault(_)))));
        assert!(stored(&connection).is_empty());
        assert!(connection.is_autocommit());
    }
}
