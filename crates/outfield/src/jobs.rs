//! Background work that any instance may do: sealing audit entries into their chains, daily summaries
//! queued by ingest, exceptions only the clock shows, automatic end of day, and deletion of raw fixes past each company's retention period. Every piece of work is claimed from the
//! database and is safe to repeat, so several instances can run the loop and a crash loses nothing.

use std::time::Duration;

use outfield_core::clock::now_ms;
use outfield_core::db::Db;

/// How often pending audit entries are sealed: well inside the second an entry may wait.
const SEAL_TICK: Duration = Duration::from_millis(200);
/// How often queued summaries are computed.
const SUMMARY_TICK: Duration = Duration::from_secs(1);
/// Queued days computed per tick.
const SUMMARIES_PER_TICK: i64 = 500;
/// How often open days and old fixes are looked at.
const HOUSEKEEPING_EVERY: u32 = 300;
/// How often the clock is asked what it shows: days not started, tracking silent now (every minute).
const EXCEPTIONS_EVERY: u32 = 60;

/// Runs the loop until the task is dropped; failures are logged and retried on the next tick.
pub async fn run(db: Db) {
    let mut tick = tokio::time::interval(SUMMARY_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut count: u32 = 0;
    loop {
        tick.tick().await;
        if let Err(error) = outfield_field::tracking::summary::drain(&db, SUMMARIES_PER_TICK).await
        {
            tracing::warn!(%error, "computing daily summaries failed; retrying");
        }
        if count.is_multiple_of(EXCEPTIONS_EVERY) {
            if let Err(error) = outfield_field::exceptions::sweep(&db, now_ms()).await {
                tracing::warn!(%error, "looking for exceptions failed; retrying");
            }
        }
        if count.is_multiple_of(HOUSEKEEPING_EVERY) {
            if let Err(error) = housekeeping(&db).await {
                tracing::warn!(%error, "housekeeping failed; retrying later");
            }
        }
        count = count.wrapping_add(1);
    }
}

/// Seals pending audit entries into their companies' chains until the task is dropped.
pub async fn seal_audit(db: Db) {
    let mut tick = tokio::time::interval(SEAL_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = outfield_core::audit::seal::seal_all(&db).await {
            tracing::warn!(%error, "sealing the audit trail failed; retrying");
        }
    }
}

/// Ends days left open past the company's end-of-day minute and deletes expired fixes.
pub async fn housekeeping(db: &Db) -> sqlx::Result<()> {
    let now = now_ms();
    let mut tx = db.system().await?;
    let ended = outfield_field::attendance::auto_end_open_days(&mut tx, now).await?;
    tx.commit().await?;
    let mut tx = db.system().await?;
    let deleted = outfield_field::tracking::purge_expired_fixes(&mut tx, now).await?;
    tx.commit().await?;
    if ended > 0 || deleted > 0 {
        tracing::info!(
            ended,
            deleted,
            "housekeeping: days ended automatically, expired fixes deleted"
        );
    }
    Ok(())
}
