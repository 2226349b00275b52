//! Group commit on SQLite. SQLite has one writer, and a transaction costs more than the few rows a
//! request writes (a phone's batch of 100 fixes, one client); so writes that arrive together are run by
//! one writer task in one transaction, and each caller is answered once that transaction has committed —
//! nothing is acknowledged before it is durable. If the shared transaction fails, each write is retried
//! alone, so one write's failure never fails another's.
//!
//! PostgreSQL commits concurrent transactions in groups itself, and its row-level security needs one
//! company per transaction, so there each write runs in its own transaction.

use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::auth::Scope;
use crate::db::{Backend, Db, Tx};
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

/// Runs writes of a company, grouping concurrent ones into one transaction on SQLite. Cheap to clone;
/// the writer task ends when the last clone is dropped.
#[derive(Clone)]
pub struct GroupCommit {
    db: Db,
    jobs: Option<mpsc::Sender<Job>>,
}

impl GroupCommit {
    /// A group commit for the database; on SQLite this starts the writer task (inside a Tokio runtime).
    pub fn start(db: Db) -> GroupCommit {
        let jobs = (db.backend() == Backend::Sqlite).then(|| {
            let (sender, receiver) = mpsc::channel(1024);
            tokio::spawn(run(db.clone(), receiver));
            sender
        });
        GroupCommit { db, jobs }
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
