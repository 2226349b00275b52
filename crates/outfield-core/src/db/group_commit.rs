//! Group commit on SQLite. SQLite has one writer, and a transaction costs more than the few rows a
//! request writes (a phone's batch of 100 fixes, one client); so writes that arrive together are run by
//! one writer task in one transaction, and each caller is answered once that transaction has committed —
//! nothing is acknowledged before it is durable. If the shared transaction fails, each write is retried
//! alone, so one write's failure never fails another's.
//!
//! A write that is a list of statements ([`GroupCommit::run`]: client creates) runs on SQLite on the
//! writer's own rusqlite connection, on a thread of its own: a whole group goes to that thread at once
//! and runs statement after statement, each write in a savepoint of the shared transaction, so one
//! write's failure rolls back that write alone. A write that reads between its statements
//! ([`GroupCommit::write`]: position batches) runs through sqlx, a hand-off between threads per
//! statement. The two never write at the same time: the statement writer holds the one connection of
//! sqlx's write pool while it runs, which is the process's right to write.
//!
//! PostgreSQL commits concurrent transactions in groups itself, and its row-level security needs one
//! company per transaction, so there each write runs in its own transaction.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::auth::Scope;
use crate::db::statement::Statement;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// Most writes one shared transaction takes.
const MAX_GROUP: usize = 64;

/// One write: runs inside a transaction (again, alone, if the shared one failed) and keeps its result.
type Work = Box<dyn for<'t> FnMut(&'t mut Tx) -> BoxFuture<'t, AppResult<()>> + Send>;

struct Job {
    scope: Scope,
    work: Work,
    done: oneshot::Sender<AppResult<()>>,
}

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
    jobs: Option<mpsc::Sender<Job>>,
    statement_jobs: Option<mpsc::Sender<StatementJob>>,
}

impl GroupCommit {
    /// A group commit for the database; on SQLite this opens the statement writer's connection and
    /// starts the writer tasks (inside a Tokio runtime).
    pub fn start(db: Db) -> anyhow::Result<GroupCommit> {
        let (mut jobs, mut statement_jobs) = (None, None);
        if let Some(file) = db.sqlite_file() {
            let connection = Arc::new(Mutex::new(open_writer(file)?));
            let (sender, receiver) = mpsc::channel(1024);
            tokio::spawn(run_statement_groups(db.clone(), connection, receiver));
            statement_jobs = Some(sender);
            let (sender, receiver) = mpsc::channel(1024);
            tokio::spawn(run(db.clone(), receiver));
            jobs = Some(sender);
        }
        Ok(GroupCommit {
            db,
            jobs,
            statement_jobs,
        })
    }

    /// Runs a write of statements in a transaction limited to the scope's company and answers, once it
    /// is committed, with the rows each statement changed.
    pub async fn run(&self, scope: &Scope, statements: Vec<Statement>) -> Written {
        let Some(jobs) = &self.statement_jobs else {
            let mut tx = self.db.tenant(scope).await?;
            let mut changed = Vec::with_capacity(statements.len());
            for statement in &statements {
                changed.push(statement.execute(&mut tx).await?);
            }
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

    /// Runs `write` in a transaction limited to the scope's company and answers once it is committed.
    /// `write` may run twice (the second time alone, after a shared transaction failed), so it must
    /// not depend on having run before; its last run's result is returned.
    pub async fn write<T, F>(&self, scope: &Scope, mut write: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnMut(&'t mut Tx) -> BoxFuture<'t, AppResult<T>> + Send + 'static,
    {
        let Some(jobs) = &self.jobs else {
            let mut tx = self.db.tenant(scope).await?;
            let value = write(&mut tx).await?;
            tx.commit().await?;
            return Ok(value);
        };
        let slot = Arc::new(Mutex::new(None));
        let kept = Arc::clone(&slot);
        let work: Work = Box::new(move |tx| {
            let future = write(tx);
            let kept = Arc::clone(&kept);
            Box::pin(async move {
                let value = future.await?;
                *kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
                Ok(())
            })
        });
        let (done, answer) = oneshot::channel();
        let job = Job {
            scope: scope.clone(),
            work,
            done,
        };
        let gone = || AppError::Internal(anyhow::anyhow!("the group-commit writer has stopped"));
        jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())??;
        let value = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        value.ok_or_else(gone)
    }
}

async fn run(db: Db, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        match run_together(&db, &mut group).await {
            Ok(()) => {
                for job in group {
                    let _ = job.done.send(Ok(()));
                }
            }
            Err(error) => {
                tracing::warn!(%error, writes = group.len(), "grouped write failed; running the writes one by one");
                for mut job in group {
                    let result = run_alone(&db, &mut job).await;
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

async fn run_together(db: &Db, group: &mut [Job]) -> AppResult<()> {
    let mut tx = db.tenant(&group[0].scope).await?;
    for job in group.iter_mut() {
        (job.work)(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn run_alone(db: &Db, job: &mut Job) -> AppResult<()> {
    let mut tx = db.tenant(&job.scope).await?;
    (job.work)(&mut tx).await?;
    tx.commit().await?;
    Ok(())
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

/// Runs a group of writes in one transaction, each in a savepoint; if the commit fails, every write
/// of the group fails with it.
fn write_group(connection: &rusqlite::Connection, writes: &[Vec<Statement>]) -> Vec<Written> {
    let ran = (|| -> rusqlite::Result<Vec<Written>> {
        connection.execute_batch("BEGIN IMMEDIATE")?;
        let mut results = Vec::with_capacity(writes.len());
        for statements in writes {
            connection.execute_batch("SAVEPOINT write")?;
            let changed: rusqlite::Result<Vec<u64>> = statements
                .iter()
                .map(|s| s.execute_sqlite(connection).map(|n| n as u64))
                .collect();
            if changed.is_err() {
                connection.execute_batch("ROLLBACK TO write")?;
            }
            connection.execute_batch("RELEASE write")?;
            results.push(changed.map_err(WriteFailure::from));
        }
        connection.execute_batch("COMMIT")?;
        Ok(results)
    })();
    ran.unwrap_or_else(|error| {
        if !connection.is_autocommit() {
            let _ = connection.execute_batch("ROLLBACK");
        }
        failed_group(writes.len(), &error.to_string())
    })
}
