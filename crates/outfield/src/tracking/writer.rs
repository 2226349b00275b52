//! Group commit of positions on SQLite. A phone's batch of fixes is small (typically 100), and on SQLite
//! a transaction per batch costs more than the rows in it; so batches that arrive together are stored
//! by one writer task in one transaction, and each request is answered once that transaction has
//! committed — nothing is acknowledged before it is durable. If the shared transaction fails, each batch
//! is retried alone, so one batch's failure never fails another's.
//!
//! PostgreSQL commits concurrent transactions in groups itself, and its row-level security needs one
//! company per transaction, so there each batch is stored in its own transaction.

use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::auth::Scope;
use crate::db::{Backend, Db};
use crate::error::{AppError, AppResult};
use crate::sync::{Rejection, Status};
use crate::tracking::{store, CheckedFixes};

/// The answer for each fix of a batch: batch index, id, outcome.
pub type Answers = Vec<(usize, Uuid, Result<Status, Rejection>)>;

/// Most batches one shared transaction takes.
const MAX_GROUP: usize = 64;

struct Job {
    scope: Scope,
    checked: CheckedFixes,
    reply: oneshot::Sender<AppResult<Answers>>,
}

/// Stores checked fixes, grouping concurrent batches into one transaction on SQLite. Cheap to clone.
#[derive(Clone)]
pub struct FixWriter {
    db: Db,
    jobs: Option<mpsc::Sender<Job>>,
}

impl FixWriter {
    /// A writer for the database; on SQLite this starts the writer task (inside a Tokio runtime).
    pub fn start(db: Db) -> FixWriter {
        let jobs = (db.backend() == Backend::Sqlite).then(|| {
            let (sender, receiver) = mpsc::channel(1024);
            tokio::spawn(run(db.clone(), receiver));
            sender
        });
        FixWriter { db, jobs }
    }

    /// Stores a batch and answers for each fix once it is committed.
    pub async fn store(&self, scope: &Scope, checked: CheckedFixes) -> AppResult<Answers> {
        let Some(jobs) = &self.jobs else {
            return store_alone(&self.db, scope, &checked).await;
        };
        let (reply, answer) = oneshot::channel();
        let job = Job {
            scope: scope.clone(),
            checked,
            reply,
        };
        let gone = || AppError::Internal(anyhow::anyhow!("the position writer has stopped"));
        jobs.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn store_alone(db: &Db, scope: &Scope, checked: &CheckedFixes) -> AppResult<Answers> {
    let mut tx = db.tenant(scope).await?;
    let answers = store(&mut tx, db.backend(), scope, checked).await?;
    tx.commit().await?;
    Ok(answers)
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
        match store_group(&db, &group).await {
            Ok(answers) => {
                for (job, answers) in group.into_iter().zip(answers) {
                    let _ = job.reply.send(Ok(answers));
                }
            }
            Err(error) => {
                tracing::warn!(%error, batches = group.len(), "grouped position write failed; storing batches one by one");
                for job in group {
                    let result = store_alone(&db, &job.scope, &job.checked).await;
                    let _ = job.reply.send(result);
                }
            }
        }
    }
}

async fn store_group(db: &Db, group: &[Job]) -> AppResult<Vec<Answers>> {
    let mut tx = db.tenant(&group[0].scope).await?;
    let mut answers = Vec::with_capacity(group.len());
    for job in group {
        answers.push(store(&mut tx, db.backend(), &job.scope, &job.checked).await?);
    }
    tx.commit().await?;
    Ok(answers)
}
