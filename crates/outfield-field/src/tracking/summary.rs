//! Daily summaries: a person's day recomputed from all of its fixes whenever a batch for it arrives, so
//! the stored result never depends on arrival order. Ingest only queues the day; [`drain`] (run by the
//! background job on any instance) computes and stores it.

use outfield_core::ids::{CompanyId, PersonId};
use sqlx::Row;

use crate::attendance::{self, DutyWindow};
use crate::tracking::trail::{self, Flag, Trail, TrailFix};
use outfield_core::db::{Db, NullableFloat, Tx};

/// A duty day as summaries need it.
#[derive(Debug, Clone)]
pub(crate) struct Duty {
    /// Server time the day was started.
    pub started_at: i64,
    /// Server time it was ended.
    pub ended_at: Option<i64>,
    /// Phone time it was started.
    pub start_device_time: i64,
    /// Phone time it was ended.
    pub end_device_time: Option<i64>,
    /// Time on duty so far, private pauses excluded (device clock).
    pub duty_ms: i64,
}

/// A day computed from its fixes.
pub(crate) struct Computed {
    /// The duty day.
    pub duty: Duty,
    /// Its fixes, by device time.
    pub fixes: Vec<TrailFix>,
    /// What they say.
    pub trail: Trail,
}

/// Computes a person's day from the stored fixes; `None` when the day was not started.
pub(crate) async fn compute(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
) -> sqlx::Result<Option<Computed>> {
    let row = sqlx::query(
        "SELECT started_at, ended_at, start_device_time, end_device_time FROM duty_days \
         WHERE company_id = $1 AND person_id = $2 AND day = $3",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(day)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let start: i64 = row.try_get("start_device_time")?;
    let end: Option<i64> = row.try_get("end_device_time")?;
    let windows =
        attendance::windows(tx, company_id, person_id, start, end.unwrap_or(start)).await?;
    let window = windows
        .into_iter()
        .find(|w| w.day == day)
        .unwrap_or(DutyWindow {
            day: day.to_string(),
            start,
            end,
            pauses: Vec::new(),
        });
    let fixes = crate::tracking::fixes_of(tx, company_id, person_id, &window).await?;
    let mut trail = trail::analyse(&fixes);
    trail
        .flags
        .extend(check_in_flags(tx, company_id, person_id, day).await?);
    trail.flags.sort();
    trail.flags.dedup();
    let until = end.or(trail.last_at).unwrap_or(start).max(start);
    let paused: i64 = window
        .pauses
        .iter()
        .map(|(from, to)| to.unwrap_or(until).min(until) - from)
        .filter(|ms| *ms > 0)
        .sum();
    let duty = Duty {
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        start_device_time: start,
        end_device_time: end,
        duty_ms: (until - start - paused).max(0),
    };
    Ok(Some(Computed { duty, fixes, trail }))
}

/// The flags a day's check-ins and check-outs raise: one too far from its client, one that could not be
/// verified. A manager counts them with the day's other flags.
async fn check_in_flags(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
) -> sqlx::Result<Vec<Flag>> {
    let verdicts: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT in_verdict, out_verdict FROM visits WHERE company_id = $1 AND person_id = $2 AND day = $3",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(day)
    .fetch_all(&mut **tx)
    .await?;
    let judged = verdicts.iter().flat_map(|(check_in, check_out)| {
        std::iter::once(check_in.as_str()).chain(check_out.as_deref())
    });
    Ok(judged
        .filter_map(|verdict| match verdict {
            "out_of_range" => Some(Flag::OutOfRangeCheckIn),
            "unverified" => Some(Flag::UnverifiedCheckIn),
            _ => None,
        })
        .collect())
}

/// Flags as stored: comma-separated names.
pub(crate) fn format_flags(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads stored flags, skipping names this build does not know.
pub(crate) fn parse_flags(raw: &str) -> Vec<Flag> {
    raw.split(',').filter_map(Flag::parse).collect()
}

/// A `flags` column (comma-separated names), read with `#[sqlx(try_from = "StoredFlags")]`.
pub(crate) struct StoredFlags(String);
outfield_core::column_type!(StoredFlags, String);

impl From<StoredFlags> for Vec<Flag> {
    fn from(column: StoredFlags) -> Self {
        parse_flags(&column.0)
    }
}

/// Recomputes one day and stores its summary.
pub async fn refresh(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
    now: i64,
) -> sqlx::Result<()> {
    if let Some(computed) = compute(tx, company_id, person_id, day).await? {
        store(tx, company_id, person_id, day, &computed, now).await?;
    }
    Ok(())
}

/// Stores a computed day and records the exceptions it shows. Fixes are only ever added, except by
/// retention; so a computation that saw fewer fixes than the stored summary comes after retention and is
/// not stored — the summary outlives the raw fixes.
async fn store(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
    computed: &Computed,
    now: i64,
) -> sqlx::Result<()> {
    let t = &computed.trail;
    let last = t.last;
    sqlx::query(
        "INSERT INTO day_summaries (company_id, person_id, day, fix_count, distance_m, first_fix_at, \
         last_fix_at, duty_ms, stops, gaps, flags, last_latitude, last_longitude, last_accuracy_m, \
         last_battery, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (company_id, person_id, day) DO UPDATE SET fix_count = excluded.fix_count, \
         distance_m = excluded.distance_m, first_fix_at = excluded.first_fix_at, \
         last_fix_at = excluded.last_fix_at, duty_ms = excluded.duty_ms, stops = excluded.stops, \
         gaps = excluded.gaps, flags = excluded.flags, last_latitude = excluded.last_latitude, \
         last_longitude = excluded.last_longitude, last_accuracy_m = excluded.last_accuracy_m, \
         last_battery = excluded.last_battery, computed_at = excluded.computed_at \
         WHERE excluded.fix_count >= day_summaries.fix_count",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(day)
    .bind(t.fix_count)
    .bind(t.distance_m)
    .bind(t.first_at)
    .bind(t.last_at)
    .bind(computed.duty.duty_ms)
    .bind(serde_json::to_string(&t.stops).unwrap_or_default())
    .bind(serde_json::to_string(&t.gaps).unwrap_or_default())
    .bind(format_flags(&t.flags))
    .bind(NullableFloat(last.map(|f| f.point.latitude)))
    .bind(NullableFloat(last.map(|f| f.point.longitude)))
    .bind(NullableFloat(last.map(|f| f.accuracy_m)))
    .bind(NullableFloat(last.and_then(|f| f.battery)))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    crate::exceptions::record_day(tx, (company_id, person_id, day), computed, now).await
}

/// How long a queued day waits before it is computed again while batches keep arriving for it.
pub(crate) const SETTLE_MS: i64 = 5_000;

/// Computes up to `limit` queued days that are due, oldest first. Each day is read in a read transaction
/// and stored in a short write transaction, so ingest is not held up by the computation. A day queued again
/// while it was computed stays queued, due [`SETTLE_MS`] later. Returns how many days were computed.
pub async fn drain(db: &Db, limit: i64) -> sqlx::Result<usize> {
    let now = outfield_core::clock::now_ms();
    let mut tx = db.system_read().await?;
    let queued = sqlx::query(
        "SELECT company_id, person_id, day, queued_at FROM summary_queue WHERE due_at <= $1 \
         ORDER BY due_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    for row in &queued {
        let company_id = row.try_get("company_id")?;
        let person_id = row.try_get("person_id")?;
        let day: String = row.try_get("day")?;
        let queued_at: i64 = row.try_get("queued_at")?;
        let mut read = db.system_read().await?;
        let computed = compute(&mut read, company_id, person_id, &day).await?;
        read.commit().await?;
        let mut tx = db.system().await?;
        let now = outfield_core::clock::now_ms();
        if let Some(computed) = &computed {
            store(&mut tx, company_id, person_id, &day, computed, now).await?;
        }
        let done = sqlx::query(
            "DELETE FROM summary_queue WHERE company_id = $1 AND person_id = $2 AND day = $3 AND queued_at = $4",
        )
        .bind(company_id)
        .bind(person_id)
        .bind(&day)
        .bind(queued_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            sqlx::query(
                "UPDATE summary_queue SET due_at = $4 WHERE company_id = $1 AND person_id = $2 AND day = $3",
            )
            .bind(company_id)
            .bind(person_id)
            .bind(&day)
            .bind(now + SETTLE_MS)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(queued.len())
}
