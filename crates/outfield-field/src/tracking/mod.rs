//! Location while on duty: fixes pushed through the sync protocol, daily trail summaries kept up to date
//! in the background, the live position of everyone on duty, a person's day, and retention of raw fixes.
//!
//! Fixes are the one record type that arrives by the thousand, so they skip the per-record ledger of
//! `sync_records`: the `fixes` table is its own ledger (primary key = the device's id), a batch is stored
//! with multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING id`, and ids that were already there are
//! compared with the stored fix to answer "duplicate" or "rejected".

pub mod api;
pub mod console;
mod day;
pub mod summary;
pub mod trail;

pub(crate) use day::{day_detail, round_km, DayDetail};

use outfield_core::db::columns::{NullableUnixMs, UnixMs};
use outfield_core::ids::{CompanyId, PersonId};
use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::attendance::{self, DutyWindow};
use crate::tracking::summary::StoredFlags;
use outfield_core::auth::Scope;
use outfield_core::db::dialect::Dialect;
use outfield_core::db::group_commit::GroupCommit;
use outfield_core::db::statement::{Statement, Value};
use outfield_core::db::{get_uuid, Db, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::geo::Reading;
use outfield_core::people::store::{bind_scope, VISIBLE_CTE};
use outfield_core::privacy::{has_consent, Permission};
use outfield_core::sync::{Incoming, Rejection, Status, ID_USED_BEFORE, UNUSABLE_ID};
use trail::{Flag, TrailFix};

/// What a `fix` record carries.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixPayload {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// Accuracy radius in metres (0–10,000].
    pub accuracy_m: f64,
    /// Speed over ground in m/s, when the phone gives it.
    pub speed_mps: Option<f64>,
    /// Heading in degrees from north, when the phone gives it.
    pub heading: Option<f64>,
    /// Battery level 0–1, when the browser gives it.
    pub battery: Option<f64>,
    /// The OS's mock-location flag, when it gives one.
    pub mocked: Option<bool>,
}

#[derive(Clone)]
struct Fix {
    id: Uuid,
    device_time: i64,
    reading: Reading,
    speed_mps: Option<f64>,
    heading: Option<f64>,
    battery: Option<f64>,
    mocked: Option<bool>,
}

fn check_payload(record: &Incoming) -> Result<Fix, Rejection> {
    let p: FixPayload = record.payload_as()?;
    let reading = Reading::new(p.latitude, p.longitude, p.accuracy_m).map_err(Rejection::new)?;
    let within =
        |value: Option<f64>, low: f64, high: f64| value.is_none_or(|v| (low..=high).contains(&v));
    if !within(p.speed_mps, 0.0, 1000.0) {
        return Err(Rejection::new("speed_mps must be between 0 and 1000"));
    }
    if !within(p.heading, 0.0, 360.0) {
        return Err(Rejection::new("heading must be between 0 and 360"));
    }
    if !within(p.battery, 0.0, 1.0) {
        return Err(Rejection::new("battery must be between 0 and 1"));
    }
    Ok(Fix {
        id: record.id,
        device_time: record.device_time,
        reading,
        speed_mps: p.speed_mps,
        heading: p.heading,
        battery: p.battery,
        mocked: p.mocked,
    })
}

/// The answer for each fix of a batch: batch index, id, outcome.
pub type Answers = Vec<(usize, Uuid, Result<Status, Rejection>)>;

/// Fixes of a batch after the checks that need only reading: each either refused with its reason or on
/// duty on a day.
#[derive(Clone)]
pub struct CheckedFixes {
    answers: Vec<(usize, Uuid, Result<Status, Rejection>)>,
    on_duty: Vec<(usize, String, Fix)>,
    received_at: i64,
}

/// Checks a batch of `fix` records of the scope's person: well-formed, location consent, inside duty and
/// outside a private pause. Reads only, so it may run on a read transaction before the write.
pub async fn check(
    tx: &mut Tx,
    scope: &Scope,
    records: &[(usize, Incoming)],
) -> AppResult<CheckedFixes> {
    let received_at = records.first().map_or(0, |(_, r)| r.received_at);
    let mut answers = Vec::with_capacity(records.len());
    let mut checked = Vec::with_capacity(records.len());
    for (index, record) in records {
        match check_payload(record) {
            Ok(fix) => checked.push((*index, fix)),
            Err(rejection) => answers.push((*index, record.id, Err(rejection))),
        }
    }
    let (company, person) = (scope.company_id(), scope.person_id());
    if checked.is_empty() {
        return Ok(CheckedFixes {
            answers,
            on_duty: Vec::new(),
            received_at,
        });
    }
    if !has_consent(tx, company, person, Permission::Location).await? {
        let refusal = "location is not allowed for this employee, so no position is kept";
        answers.extend(
            checked
                .into_iter()
                .map(|(i, f)| (i, f.id, Err(Rejection::new(refusal)))),
        );
        return Ok(CheckedFixes {
            answers,
            on_duty: Vec::new(),
            received_at,
        });
    }
    let from = checked
        .iter()
        .map(|(_, f)| f.device_time)
        .min()
        .unwrap_or_default();
    let to = checked
        .iter()
        .map(|(_, f)| f.device_time)
        .max()
        .unwrap_or_default();
    let windows = attendance::windows(tx, company, person, from, to).await?;
    let mut on_duty = Vec::with_capacity(checked.len());
    for (index, fix) in checked {
        match attendance::day_at(&windows, fix.device_time) {
            Some(day) => on_duty.push((index, day.to_string(), fix)),
            None => answers.push((
                index,
                fix.id,
                Err(Rejection::new(
                    "not on duty at that time: the day was not started, was already ended, or a private pause was running",
                )),
            )),
        }
    }
    Ok(CheckedFixes {
        answers,
        on_duty,
        received_at,
    })
}

/// Stores a batch of checked fixes and answers each record once it is durable. On SQLite the batch is a
/// write of statements (one prepared insert per fix, which tells by its count whether the fix was new,
/// and the days to summarise) that the writer thread commits together with the batches waiting at that
/// moment; on PostgreSQL, which groups commits itself, it is one transaction of its own.
pub async fn store_grouped(
    db: &Db,
    writes: &GroupCommit,
    scope: &Scope,
    checked: CheckedFixes,
) -> AppResult<Answers> {
    if db.dialect().groups_commits_itself() {
        let mut tx = db.tenant(scope).await?;
        let answers = store(&mut tx, scope, &checked).await?;
        tx.commit().await?;
        return Ok(answers);
    }
    let (company, person) = (scope.company_id(), scope.person_id());
    let (firsts, repeats) = split_repeated_ids(&checked.on_duty);
    let mut statements: Vec<Statement> = firsts
        .iter()
        .map(|(_, _, fix)| fix_statement(company, person, checked.received_at, fix))
        .collect();
    let days: BTreeSet<&str> = firsts.iter().map(|(_, day, _)| *day).collect();
    statements.extend(
        days.iter()
            .map(|day| summary_statement(company, person, day, checked.received_at)),
    );
    let changed = writes.run(scope, statements).await?;
    let inserted: BTreeSet<Uuid> = firsts
        .iter()
        .zip(&changed)
        .filter(|(_, rows)| **rows == 1)
        .map(|((_, _, fix), _)| fix.id)
        .collect();
    let already_stored = not_inserted(&firsts, &inserted);
    let stored = if already_stored.is_empty() {
        HashMap::new()
    } else {
        let mut read = db.tenant_read(scope).await?;
        let stored = stored_matches(&mut read, (company, person), &already_stored).await?;
        read.commit().await?;
        stored
    };
    Ok(answer_batch(&checked, (firsts, repeats), &inserted, &stored).0)
}

/// The insert of one fix, skipped (0 rows) when its id is already stored.
fn fix_statement(company: CompanyId, person: PersonId, received_at: i64, fix: &Fix) -> Statement {
    Statement::new(FIX_INSERT)
        .bind(company)
        .bind(fix.id.to_string())
        .bind(person)
        .bind(fix.device_time)
        .bind(received_at)
        .bind(Some(fix.reading.latitude))
        .bind(Some(fix.reading.longitude))
        .bind(Some(fix.reading.accuracy_m))
        .bind(fix.speed_mps)
        .bind(fix.heading)
        .bind(fix.battery)
        .bind(Value::Integer(fix.mocked.map(i64::from)))
}

const FIX_INSERT: &str = "INSERT INTO fixes (company_id, id, person_id, device_time, received_at, latitude, \
     longitude, accuracy_m, speed_mps, heading, battery, mocked) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (company_id, id) DO NOTHING";

/// Stores checked fixes and answers each record of the batch (batch index, id, outcome): an id already
/// stored with the same position and time is a duplicate, with another one it is refused.
pub async fn store(tx: &mut Tx, scope: &Scope, checked: &CheckedFixes) -> AppResult<Answers> {
    let (company, person) = (scope.company_id(), scope.person_id());
    let (firsts, repeats) = split_repeated_ids(&checked.on_duty);
    let rows: Vec<FixRow> = firsts
        .iter()
        .map(|(_, _, fix)| FixRow::from(*fix))
        .collect();
    let inserted: BTreeSet<Uuid> = insert_fixes(tx, company, person, checked.received_at, &rows)
        .await?
        .into_iter()
        .collect();
    let already_stored = not_inserted(&firsts, &inserted);
    let stored = stored_matches(tx, (company, person), &already_stored).await?;
    let (answers, days) = answer_batch(checked, (firsts, repeats), &inserted, &stored);
    for day in days {
        queue_summary(tx, company, person, day, checked.received_at).await?;
    }
    Ok(answers)
}

/// The first fixes of their ids that were not inserted: their ids were already stored.
fn not_inserted<'f>(firsts: &[(usize, &str, &'f Fix)], inserted: &BTreeSet<Uuid>) -> Vec<&'f Fix> {
    firsts
        .iter()
        .filter(|(_, _, f)| !inserted.contains(&f.id))
        .map(|(_, _, f)| *f)
        .collect()
}

/// The answers to a batch once its new fixes are in, and the days that received new fixes.
#[allow(clippy::type_complexity)]
fn answer_batch<'c>(
    checked: &CheckedFixes,
    (firsts, repeats): (Vec<(usize, &'c str, &'c Fix)>, Vec<((usize, &Fix), &Fix)>),
    inserted: &BTreeSet<Uuid>,
    stored: &HashMap<Uuid, StoredCopy>,
) -> (Answers, BTreeSet<&'c str>) {
    let mut answers = checked.answers.clone();
    let mut days = BTreeSet::new();
    for (index, day, fix) in firsts {
        let answer = if inserted.contains(&fix.id) {
            days.insert(day);
            Ok(Status::Accepted)
        } else {
            stored_answer(stored.get(&fix.id).copied())
        };
        answers.push((index, fix.id, answer));
    }
    for ((index, fix), first) in repeats {
        let first = (first.device_time, first.reading);
        let copy = match first == (fix.device_time, fix.reading) {
            true => StoredCopy::Same,
            false => StoredCopy::Different,
        };
        answers.push((index, fix.id, stored_answer(Some(copy))));
    }
    (answers, days)
}

/// A batch's fixes split into the first of each id (with its day) and the later ones that repeat an id,
/// each with the first fix of its id: only the first is stored, a repeat is answered against it.
#[allow(clippy::type_complexity)]
fn split_repeated_ids(
    on_duty: &[(usize, String, Fix)],
) -> (Vec<(usize, &str, &Fix)>, Vec<((usize, &Fix), &Fix)>) {
    let mut first_of: HashMap<Uuid, &Fix> = HashMap::with_capacity(on_duty.len());
    let (mut firsts, mut repeats) = (Vec::with_capacity(on_duty.len()), Vec::new());
    for (index, day, fix) in on_duty {
        match first_of.get(&fix.id) {
            Some(first) => repeats.push(((*index, fix), *first)),
            None => {
                first_of.insert(fix.id, fix);
                firsts.push((*index, day.as_str(), fix));
            }
        }
    }
    (firsts, repeats)
}

/// What is stored under the id of a fix that was not inserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StoredCopy {
    /// The person's own fix with the same time and position.
    Same,
    /// The person's own fix, another time or position.
    Different,
    /// Someone else's fix: the id is answered as unusable, as any id this person cannot use, never as
    /// a duplicate (which would confirm another person's position).
    OtherPersons,
}

/// The answer for a fix whose id is already taken: the same fix again is a duplicate, another one under
/// that id is refused.
fn stored_answer(copy: Option<StoredCopy>) -> Result<Status, Rejection> {
    match copy {
        Some(StoredCopy::Same) => Ok(Status::Duplicate),
        Some(StoredCopy::OtherPersons) => Err(Rejection::new(UNUSABLE_ID)),
        Some(StoredCopy::Different) | None => Err(Rejection::new(ID_USED_BEFORE)),
    }
}

/// Stores fixes with one statement whatever their number and returns the ids inserted (those already
/// present are skipped). Binding a dozen parameters per row costs more than the insert itself, so where
/// the dialect inlines rows of numbers (SQLite) the values are written into the statement as literals —
/// numbers and UUIDs formatted by Rust, never text from the request — and elsewhere (PostgreSQL) the
/// rows travel as one JSON parameter.
pub async fn insert_fixes(
    tx: &mut Tx,
    company: CompanyId,
    person: PersonId,
    received_at: i64,
    fixes: &[FixRow],
) -> sqlx::Result<Vec<Uuid>> {
    if fixes.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = Dialect::of(tx);
    let (sql, rows) = if dialect.inlines_number_rows() {
        (literal_insert(fixes), None)
    } else {
        let rows = serde_json::to_string(fixes).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        (json_insert(dialect), Some(rows))
    };
    let mut query = sqlx::query(&sql)
        .persistent(rows.is_some())
        .bind(company)
        .bind(person)
        .bind(received_at);
    if let Some(rows) = rows {
        query = query.bind(rows);
    }
    query
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| get_uuid(row, "id"))
        .collect()
}

const INSERT_COLUMNS: &str =
    "INSERT INTO fixes (company_id, id, person_id, device_time, received_at, latitude, \
     longitude, accuracy_m, speed_mps, heading, battery, mocked) ";

/// The statement with the rows as one JSON parameter ($1 company, $2 person, $3 receive time, $4 the
/// rows).
fn json_insert(dialect: Dialect) -> String {
    let real = "REAL";
    let rows = dialect.json_records(
        4,
        "x",
        &[
            ("i", "TEXT"),
            ("t", "BIGINT"),
            ("a", real),
            ("o", real),
            ("c", real),
            ("s", real),
            ("h", real),
            ("b", real),
            ("m", "BIGINT"),
        ],
    );
    format!(
        "{INSERT_COLUMNS} SELECT $1, x.i, $2, x.t, $3, x.a, x.o, x.c, x.s, x.h, x.b, x.m FROM {rows} \
         ON CONFLICT (company_id, id) DO NOTHING RETURNING id"
    )
}

/// The statement with the rows as literals ($1 company, $2 person, $3 receive time).
fn literal_insert(fixes: &[FixRow]) -> String {
    use std::fmt::Write;
    let number = |v: Option<f64>| v.map_or("NULL".to_string(), |v| v.to_string());
    let mut sql = String::with_capacity(INSERT_COLUMNS.len() + fixes.len() * 120);
    sql.push_str(INSERT_COLUMNS);
    sql.push_str("VALUES ");
    for (n, f) in fixes.iter().enumerate() {
        let _ = write!(
            sql,
            "{}($1, '{}', $2, {}, $3, {}, {}, {}, {}, {}, {}, {})",
            if n == 0 { "" } else { "," },
            f.i,
            f.t,
            f.a,
            f.o,
            f.c,
            number(f.s),
            number(f.h),
            number(f.b),
            f.m.map_or("NULL".to_string(), |m| m.to_string()),
        );
    }
    sql.push_str(" ON CONFLICT (company_id, id) DO NOTHING RETURNING id");
    sql
}

/// One fix as [`insert_fixes`] sends it to the database (short keys keep PostgreSQL's JSON small).
#[derive(Debug, Clone, Serialize)]
pub struct FixRow {
    /// Id.
    pub i: Uuid,
    /// Device time (Unix ms).
    pub t: i64,
    /// Latitude.
    pub a: f64,
    /// Longitude.
    pub o: f64,
    /// Accuracy (m).
    pub c: f64,
    /// Speed (m/s).
    pub s: Option<f64>,
    /// Heading (degrees).
    pub h: Option<f64>,
    /// Battery (0–1).
    pub b: Option<f64>,
    /// Mock-location flag (1 or 0).
    pub m: Option<i64>,
}

impl From<&Fix> for FixRow {
    fn from(fix: &Fix) -> Self {
        FixRow {
            i: fix.id,
            t: fix.device_time,
            a: fix.reading.latitude,
            o: fix.reading.longitude,
            c: fix.reading.accuracy_m,
            s: fix.speed_mps,
            h: fix.heading,
            b: fix.battery,
            m: fix.mocked.map(i64::from),
        }
    }
}

/// Whether each fix whose id was already stored matches the stored one in time and position. Positions
/// compare within a hair (10⁻⁹ degrees, about 0.1 mm; 10⁻⁶ m of accuracy): a batch stored as SQL text
/// (mixed batches, on SQLite) is read back with SQLite's own decimal rounding, one unit in the last place
/// off at times, and a replay of the very same fix must always compare equal.
async fn stored_matches(
    tx: &mut Tx,
    (company, person): (CompanyId, PersonId),
    fixes: &[&Fix],
) -> sqlx::Result<HashMap<Uuid, StoredCopy>> {
    let mut stored = HashMap::new();
    for fix in fixes {
        let Reading {
            latitude,
            longitude,
            accuracy_m,
        } = fix.reading;
        let same: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(CASE WHEN person_id <> $7 THEN 2 WHEN device_time = $3 AND ABS(latitude - $4) <= 1e-9 \
             AND ABS(longitude - $5) <= 1e-9 AND ABS(accuracy_m - $6) <= 1e-6 THEN 1 ELSE 0 END AS BIGINT) \
             FROM fixes WHERE company_id = $1 AND id = $2",
        )
        .bind(company)
        .bind(fix.id.to_string())
        .bind(fix.device_time)
        .bind(latitude)
        .bind(longitude)
        .bind(accuracy_m)
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?;
        let copy = match same {
            Some(2) => StoredCopy::OtherPersons,
            Some(1) => StoredCopy::Same,
            Some(_) => StoredCopy::Different,
            None => continue,
        };
        stored.insert(fix.id, copy);
    }
    Ok(stored)
}

/// Marks a person's day for (re)computing its summary; the background job picks it up once `due_at` has
/// passed. Each marking moves `queued_at` forward, so the job can tell whether the day was queued again
/// while it computed; `due_at` stays, so a day under a steady stream of batches is still computed.
pub async fn queue_summary(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
    now: i64,
) -> sqlx::Result<()> {
    summary_statement(company_id, person_id, day, now)
        .execute(tx)
        .await?;
    Ok(())
}

/// The statement of [`queue_summary`].
fn summary_statement(company_id: CompanyId, person_id: PersonId, day: &str, now: i64) -> Statement {
    Statement::new(
        "INSERT INTO summary_queue (company_id, person_id, day, queued_at, due_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (company_id, person_id, day) DO UPDATE SET queued_at = CASE \
         WHEN excluded.queued_at > summary_queue.queued_at THEN excluded.queued_at ELSE summary_queue.queued_at + 1 END",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(day)
    .bind(now)
}

/// The fixes of one duty window, sorted by device time (id breaks ties, so the order is always the same).
pub(crate) async fn fixes_of(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    window: &DutyWindow,
) -> sqlx::Result<Vec<TrailFix>> {
    sqlx::query_as(
        "SELECT device_time, received_at, latitude, longitude, accuracy_m, battery, COALESCE(mocked, 0) AS mocked \
         FROM fixes \
         WHERE company_id = $1 AND person_id = $2 AND device_time >= $3 AND device_time <= $4 \
         ORDER BY device_time, id",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(window.start)
    .bind(window.end.unwrap_or(i64::MAX))
    .fetch_all(&mut **tx)
    .await
}

/// Where someone on duty was last seen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LivePosition {
    /// The person.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// The day they are on.
    pub day: String,
    /// When they started it (server time).
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// The latest fix, if any arrived yet.
    pub last_fix: Option<LiveFix>,
    /// Signals on the day so far (from its latest summary).
    pub flags: Vec<Flag>,
    /// Kilometres so far (from its latest summary).
    pub distance_km: f64,
}

/// The latest fix of someone on duty.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveFix {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// Accuracy radius (m).
    pub accuracy_m: f64,
    /// Battery 0–1.
    pub battery: Option<f64>,
    /// Device time of the fix.
    pub at: chrono::DateTime<chrono::Utc>,
    /// When the server received it.
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// Everyone the scope may see who is on duty now, with their latest fix.
pub async fn live(db: &Db, scope: &Scope) -> AppResult<Vec<LivePosition>> {
    let sql = format!(
        "{VISIBLE_CTE} SELECT p.id, p.name, d.day, d.started_at, f.device_time, f.received_at, f.latitude, \
         f.longitude, f.accuracy_m, f.battery, COALESCE(s.flags, '') AS flags, \
         COALESCE(s.distance_m, 0.0) AS distance_m \
         FROM people p JOIN visible v ON v.id = p.id \
         JOIN duty_days d ON d.company_id = p.company_id AND d.person_id = p.id AND d.ended_at IS NULL \
         LEFT JOIN fixes f ON f.company_id = p.company_id AND f.id = ( \
             SELECT l.id FROM fixes l WHERE l.company_id = p.company_id AND l.person_id = p.id \
             AND l.device_time >= d.start_device_time ORDER BY l.device_time DESC LIMIT 1) \
         LEFT JOIN day_summaries s ON s.company_id = p.company_id AND s.person_id = p.id AND s.day = d.day \
         WHERE p.company_id = $1 AND p.deactivated_at IS NULL ORDER BY p.name, p.id"
    );
    let mut tx = db.tenant_read(scope).await?;
    let rows = bind_scope(sqlx::query(&sql), scope)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    rows.iter()
        .map(|row| LiveRow::from_row(row).map(LivePosition::from))
        .collect::<sqlx::Result<Vec<_>>>()
        .map_err(AppError::from)
}

/// A row of [`live`]: the person's open day with its latest fix, when one arrived.
#[derive(sqlx::FromRow)]
struct LiveRow {
    #[sqlx(rename = "id")]
    person_id: PersonId,
    name: String,
    day: String,
    #[sqlx(try_from = "UnixMs")]
    started_at: chrono::DateTime<chrono::Utc>,
    #[sqlx(try_from = "NullableUnixMs")]
    device_time: Option<chrono::DateTime<chrono::Utc>>,
    #[sqlx(try_from = "NullableUnixMs")]
    received_at: Option<chrono::DateTime<chrono::Utc>>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    accuracy_m: Option<f64>,
    battery: Option<f64>,
    #[sqlx(try_from = "StoredFlags")]
    flags: Vec<Flag>,
    distance_m: f64,
}

impl From<LiveRow> for LivePosition {
    fn from(row: LiveRow) -> Self {
        let last_fix = match (
            row.device_time,
            row.received_at,
            row.latitude,
            row.longitude,
        ) {
            (Some(at), Some(received_at), Some(latitude), Some(longitude)) => Some(LiveFix {
                latitude,
                longitude,
                accuracy_m: row.accuracy_m.unwrap_or_default(),
                battery: row.battery,
                at,
                received_at,
            }),
            _ => None,
        };
        LivePosition {
            person_id: row.person_id,
            name: row.name,
            day: row.day,
            started_at: row.started_at,
            last_fix,
            flags: row.flags,
            distance_km: round_km(row.distance_m),
        }
    }
}

/// Deletes raw fixes older than each company's retention period (a background job). Summaries and visits
/// stay. Works person by person so that each delete walks the (company, person, time) index.
pub async fn purge_expired_fixes(tx: &mut Tx, now: i64) -> sqlx::Result<u64> {
    let people = sqlx::query(
        "SELECT p.company_id, p.id, c.fix_retention_days FROM people p JOIN companies c ON c.id = p.company_id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut deleted = 0;
    for row in people {
        let days: i64 = row.try_get("fix_retention_days")?;
        let cutoff = now - days * outfield_core::clock::DAY_MS;
        deleted += sqlx::query(
            "DELETE FROM fixes WHERE company_id = $1 AND person_id = $2 AND device_time < $3",
        )
        .bind(row.try_get::<String, _>("company_id")?)
        .bind(row.try_get::<String, _>("id")?)
        .bind(cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(deleted)
}
