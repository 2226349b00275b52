//! Background work that any instance may do, as each feature declares it (`Feature::jobs`): sealing
//! audit entries into their chains, daily summaries queued by ingest, exceptions only the clock shows,
//! automatic end of day, and deletion of raw positions past each company's retention period. Every
//! piece of work is claimed from the database and is safe to repeat, so several instances can run the
//! jobs and a crash loses nothing.

use outfield_core::clock::now_ms;
use outfield_core::db::Db;
use outfield_core::feature::Job;
use tokio::task::JoinSet;

use crate::FEATURES;

/// Every feature's jobs, each on its own timer: failures are logged and retried on the next tick. The
/// set stops them all when aborted or dropped.
pub fn spawn(db: &Db) -> JoinSet<()> {
    let mut set = JoinSet::new();
    for job in all() {
        set.spawn(repeat(job, db.clone()));
    }
    set
}

/// Runs every feature's jobs once, now (tests use it to settle what the timers would).
pub async fn run_all_once(db: &Db) -> anyhow::Result<()> {
    for job in all() {
        (job.run)(db, now_ms()).await?;
    }
    Ok(())
}

fn all() -> impl Iterator<Item = &'static Job> {
    FEATURES.iter().flat_map(|feature| feature.jobs)
}

async fn repeat(job: &'static Job, db: Db) {
    let mut tick = tokio::time::interval(job.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = (job.run)(&db, now_ms()).await {
            tracing::warn!(%error, job = job.name, "a background job failed; retrying");
        }
    }
}
