//! The sync protocol between devices and the server (documented in `docs/SYNC.md`).
//!
//! Push: a device sends a batch of records, each with the UUID it gave it. Each record is answered on its
//! own — accepted, duplicate (already stored with the same content) or rejected with a reason — so one
//! bad record never blocks the rest, and a retried batch stores nothing twice. The batch is applied in
//! one transaction: if the server dies before answering, either all accepted records are stored (the
//! retry answers "duplicate") or none are (the retry stores them).
//!
//! Pull: a device asks for what is new for its person since a cursor it holds.

pub mod api;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use outfield_core::audit::Actor;
use outfield_core::auth::{Credential, Principal};
use outfield_core::clock::{now_ms, DAY_MS};
use outfield_core::db::group_commit::GroupCommit;
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::http::extract::CONTROL_CHARACTER_MESSAGE;
use outfield_core::sync::{
    reject, Applied, ApplyError, Incoming, RecordKind, Rejection, Status, ID_USED_BEFORE,
    UNUSABLE_ID,
};
use outfield_core::text::{control_character_path, json_may_hold_control_characters};
use serde_json::value::RawValue;

/// Most records in one push.
pub const MAX_BATCH: usize = 1000;
/// Largest push body.
pub const MAX_PUSH_BYTES: usize = 2 * 1024 * 1024;
/// Earliest device time accepted (2020-01-01): older means a broken clock, not an old record.
const EARLIEST_DEVICE_TIME: i64 = 1_577_836_800_000;
/// How far ahead of the server a device clock may be.
const MAX_CLOCK_LEAD: i64 = 2 * DAY_MS;

/// One record of a push as a device sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordEnvelope {
    /// The id the device gave the record (UUID, preferably v7).
    pub id: Uuid,
    /// The record type: `note`, `consent`, `interaction`, `day_start`, `day_end`, `pause_start`,
    /// `pause_end`, `fix`, `check_in`, `check_out`, `location_correction` or `client` (an outlet
    /// onboarded in the field).
    pub kind: String,
    /// When the record was made, by the device clock (Unix ms).
    pub device_time: i64,
    /// The record's content; its shape depends on `kind`.
    #[schema(value_type = Object)]
    pub payload: Box<RawValue>,
}

/// The answer for one pushed record.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordResult {
    /// The record's id, or `null` if the record was too broken to have one.
    pub id: Option<Uuid>,
    /// Position of the record in the batch.
    pub index: usize,
    /// What happened to it.
    pub status: Status,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Applies a pushed batch for the principal and answers each record.
pub async fn push(
    db: &Db,
    writes: &GroupCommit,
    principal: &Principal,
    actor: &Actor,
    raw: Vec<Box<RawValue>>,
) -> AppResult<Vec<RecordResult>> {
    if raw.len() > MAX_BATCH {
        return Err(AppError::PayloadTooLarge);
    }
    let received_at = now_ms();
    let mut results: Vec<Option<RecordResult>> = Vec::with_capacity(raw.len());
    let mut incoming = Vec::new();
    for (index, text) in raw.iter().enumerate() {
        match read_envelope(text, received_at) {
            Ok(record) => {
                results.push(None);
                incoming.push((index, record));
            }
            Err(rejection) => results.push(Some(rejected(record_id(text), index, rejection))),
        }
    }
    let scope = &principal.scope;
    let device_id = match &principal.credential {
        Credential::Device { device_id } => Some(device_id.to_string()),
        Credential::Session { .. } => None,
    };
    let (fixes, others): (Vec<_>, Vec<_>) =
        incoming.into_iter().partition(|(_, r)| r.kind == "fix");
    // A batch of nothing but positions (the steady stream while on duty) is checked on a read
    // transaction and stored by the position writer, which commits concurrent batches together. A batch
    // that also starts or ends a day, or pauses, is handled in one transaction so that its fixes see
    // those changes.
    if others.is_empty() && !fixes.is_empty() {
        let mut read = db.tenant_read(scope).await?;
        let checked = outfield_field::tracking::check(&mut read, scope, &fixes).await?;
        read.commit().await?;
        let answers = outfield_field::tracking::store_grouped(db, writes, scope, checked).await?;
        fill_fix_results(&mut results, answers);
        return Ok(results.into_iter().flatten().collect());
    }
    let mut tx = db.tenant(scope).await?;
    for (index, record) in others {
        let who = (principal, actor, device_id.as_deref());
        results[index] = Some(store_record(&mut tx, who, index, &record).await?);
    }
    // Fixes go last and in bulk: whether each falls inside duty depends on device times only, so a day
    // started or ended in the same batch is already in place.
    let checked = outfield_field::tracking::check(&mut tx, scope, &fixes).await?;
    let answers = outfield_field::tracking::store(&mut tx, scope, &checked).await?;
    fill_fix_results(&mut results, answers);
    tx.commit().await?;
    Ok(results.into_iter().flatten().collect())
}

/// Stores one record (not a fix) inside a savepoint of the push's transaction and answers it: a
/// rejection found halfway (after some of its rows were written) takes back everything the record did,
/// its claim on the id included.
async fn store_record(
    tx: &mut Tx,
    (principal, actor, device_id): (&Principal, &Actor, Option<&str>),
    index: usize,
    record: &Incoming,
) -> AppResult<RecordResult> {
    sqlx::query("SAVEPOINT record").execute(&mut **tx).await?;
    let hash = record.content_hash();
    let answer = |status, reason: Option<Rejection>| RecordResult {
        id: Some(record.id),
        index,
        status,
        reason: reason.map(|r| r.0),
    };
    let result = match claim(tx, principal, device_id, record, &hash).await? {
        Some(Claimed::Own(stored)) if stored == hash => answer(Status::Duplicate, None),
        Some(Claimed::Own(_)) => answer(Status::Rejected, Some(Rejection::new(ID_USED_BEFORE))),
        Some(Claimed::OtherPersons) => answer(Status::Rejected, Some(Rejection::new(UNUSABLE_ID))),
        None => match apply(tx, principal, actor, record).await {
            Ok(()) => answer(Status::Accepted, None),
            Err(ApplyError::Rejected(rejection)) => {
                sqlx::query("ROLLBACK TO SAVEPOINT record")
                    .execute(&mut **tx)
                    .await?;
                answer(Status::Rejected, Some(rejection))
            }
            // The id is new to the ledger but taken in the kind's own table (an interaction made in
            // the console, say): like any id this person cannot use, and the rest goes on.
            Err(ApplyError::Fault(error)) if takes_a_used_key(&error) => {
                sqlx::query("ROLLBACK TO SAVEPOINT record")
                    .execute(&mut **tx)
                    .await?;
                answer(Status::Rejected, Some(Rejection::new(UNUSABLE_ID)))
            }
            Err(ApplyError::Fault(error)) => return Err(error),
        },
    };
    sqlx::query("RELEASE SAVEPOINT record")
        .execute(&mut **tx)
        .await?;
    Ok(result)
}

/// Whether a record failed on a key already taken: a unique or primary key violation.
fn takes_a_used_key(error: &AppError) -> bool {
    let AppError::Internal(cause) = error else {
        return false;
    };
    cause
        .downcast_ref::<sqlx::Error>()
        .and_then(sqlx::Error::as_database_error)
        .is_some_and(|database| database.is_unique_violation())
}

fn fill_fix_results(
    results: &mut [Option<RecordResult>],
    answers: outfield_field::tracking::Answers,
) {
    for (index, id, answer) in answers {
        results[index] = Some(match answer {
            Ok(status) => RecordResult {
                id: Some(id),
                index,
                status,
                reason: None,
            },
            Err(rejection) => rejected(Some(id), index, rejection),
        });
    }
}

fn rejected(id: Option<Uuid>, index: usize, rejection: Rejection) -> RecordResult {
    RecordResult {
        id,
        index,
        status: Status::Rejected,
        reason: Some(rejection.0),
    }
}

/// One pushed record as the features see it, or why it cannot be one: not of the envelope's shape, a
/// control character in any of its text, or a device time that cannot be right. The record is parsed
/// once, from its text; only text that may hold an escaped control character is also read as a tree, to
/// name the field that holds one.
fn read_envelope(text: &RawValue, received_at: i64) -> Result<Incoming, Rejection> {
    if json_may_hold_control_characters(text.get().as_bytes()) {
        let value = serde_json::from_str::<serde_json::Value>(text.get())
            .map_err(|error| Rejection::of_json("malformed record", &error))?;
        if let Some(path) = control_character_path(&value) {
            return Err(Rejection::new(format!(
                "{path} {CONTROL_CHARACTER_MESSAGE}"
            )));
        }
    }
    let envelope = serde_json::from_str::<RecordEnvelope>(text.get())
        .map_err(|error| Rejection::of_json("malformed record", &error))?;
    if envelope.id.is_nil() || envelope.id.is_max() {
        return Err(Rejection::new(UNUSABLE_ID));
    }
    check_time(envelope.device_time, received_at)?;
    Ok(Incoming {
        id: envelope.id,
        kind: envelope.kind,
        device_time: envelope.device_time,
        received_at,
        payload: envelope.payload,
    })
}

/// The id of a record refused before it was read, when it names one.
fn record_id(text: &RawValue) -> Option<Uuid> {
    let value = serde_json::from_str::<serde_json::Value>(text.get()).ok()?;
    value.get("id")?.as_str()?.parse().ok()
}

fn check_time(device_time: i64, now: i64) -> Result<(), Rejection> {
    if device_time < EARLIEST_DEVICE_TIME {
        return Err(Rejection::new(
            "device_time is before 2020: the phone's clock is wrong",
        ));
    }
    if device_time > now + MAX_CLOCK_LEAD {
        return Err(Rejection::new(
            "device_time is more than two days ahead of the server: the phone's clock is wrong",
        ));
    }
    Ok(())
}

/// Every record kind a device may push except `fix`, as the features declare them.
fn record_kinds() -> impl Iterator<Item = &'static RecordKind> {
    crate::FEATURES
        .iter()
        .flat_map(|feature| feature.record_kinds)
}

/// Hands a record to the feature that owns its type.
async fn apply(tx: &mut Tx, principal: &Principal, actor: &Actor, record: &Incoming) -> Applied {
    let Some(kind) = record_kinds().find(|kind| kind.name == record.kind) else {
        return Err(reject(format!(
            "unknown record type '{}'",
            record.kind.chars().take(40).collect::<String>()
        )));
    };
    (kind.apply)(tx, &principal.scope, actor, record).await
}

/// Who holds a record id that was claimed before.
enum Claimed {
    /// This person, with the content hash stored under it.
    Own(String),
    /// Another person of the company.
    OtherPersons,
}

/// Claims a record id in the ledger. Returns `None` when the id is new (now claimed by this transaction),
/// or who holds it. `ON CONFLICT DO NOTHING` makes a concurrent push of the same id wait for the first to
/// commit, so two retries racing each other still store the record once.
async fn claim(
    tx: &mut Tx,
    principal: &Principal,
    device_id: Option<&str>,
    record: &Incoming,
    hash: &str,
) -> sqlx::Result<Option<Claimed>> {
    let company = principal.scope.company_id().to_string();
    let person = principal.scope.person_id();
    let inserted = sqlx::query(
        "INSERT INTO sync_records (company_id, id, person_id, device_id, kind, content_hash, device_time, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (company_id, id) DO NOTHING",
    )
    .bind(&company)
    .bind(record.id.to_string())
    .bind(person)
    .bind(device_id)
    .bind(&record.kind)
    .bind(hash)
    .bind(record.device_time)
    .bind(record.received_at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let (holder, stored): (String, String) = sqlx::query_as(
        "SELECT person_id, content_hash FROM sync_records WHERE company_id = $1 AND id = $2",
    )
    .bind(&company)
    .bind(record.id.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(match holder == person.to_string() {
        true => Claimed::Own(stored),
        false => Claimed::OtherPersons,
    }))
}
