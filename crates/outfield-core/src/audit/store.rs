//! Writing and reading audit entries.

use crate::ids::{CompanyId, PersonId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::audit::{Action, Actor};
use crate::clock::now_ms;
use crate::db::columns::{JsonValue, UnixMs};
use crate::db::statement::Statement;
use crate::db::Tx;

/// What happened, to what: an [`Action`] and the id of what it acted on.
#[derive(Debug)]
pub struct AuditEvent {
    /// Stable dotted name of the action.
    pub action: &'static str,
    /// Kind of the thing acted on (`person`, `company`, `session`, `device`).
    pub target_type: &'static str,
    /// Its id, or a login name for sign-in attempts.
    pub target_id: String,
    /// Further facts (changed fields, reasons); never secrets.
    pub details: serde_json::Value,
}

impl AuditEvent {
    /// An event without details.
    pub fn new(action: Action, target_id: impl ToString) -> Self {
        AuditEvent {
            action: action.name,
            target_type: action.target,
            target_id: target_id.to_string(),
            details: serde_json::json!({}),
        }
    }

    /// Adds details.
    pub fn with(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// Hash of an entry: SHA-256 over the previous hash and every field of the chain's row, each prefixed
/// with its length, and, for an entry whose personal part is kept apart, that part's digest. An entry
/// sealed before the split hashes its address, user agent and details themselves; a later one keeps
/// them empty in the chain's row (so filling them in breaks the hash) and hashes the digest instead.
pub(crate) fn entry_hash(prev_hash: &str, entry: &StoredEntry) -> String {
    let company_id = entry.company_id.to_string();
    let actor_id = entry.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let (seq, at) = (entry.seq.to_string(), entry.at.to_string());
    let fields: [&str; 11] = [
        prev_hash,
        &company_id,
        &seq,
        &at,
        &actor_id,
        &entry.action,
        &entry.target_type,
        &entry.target_id,
        &entry.ip,
        &entry.user_agent,
        &entry.details,
    ];
    let digest = entry.personal_digest.as_deref();
    length_prefixed_sha256(fields.into_iter().chain(digest))
}

/// SHA-256 over fields, each prefixed with its length in bytes, so that no two lists of fields hash
/// alike by moving text from one field to the next.
fn length_prefixed_sha256<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The personal part of an entry: who acted from where, and the details, which name people. Sealed
/// beside the chain in `audit_personal`, so that it can be erased while the chain still verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PersonalPart {
    /// Random per entry, so that the digest in the chain cannot be matched against guessed addresses
    /// once the part is erased (erasing removes the salt too).
    pub salt: String,
    /// Client address.
    pub ip: String,
    /// Client user agent.
    pub user_agent: String,
    /// Details as JSON text.
    pub details: String,
}

impl PersonalPart {
    /// A new part with a fresh salt.
    pub fn salted(ip: String, user_agent: String, details: String) -> PersonalPart {
        let salt: [u8; 16] = rand::random();
        PersonalPart {
            salt: hex::encode(salt),
            ip,
            user_agent,
            details,
        }
    }

    /// The digest the chain keeps in its place.
    pub fn digest(&self) -> String {
        personal_digest(&self.salt, &self.ip, &self.user_agent, &self.details)
    }
}

/// The digest of a personal part's salt, address, user agent and details, computed where they are read
/// (verify hashes each stored part without copying it).
fn personal_digest(salt: &str, ip: &str, user_agent: &str, details: &str) -> String {
    length_prefixed_sha256([salt, ip, user_agent, details])
}

/// What an erased personal part holds: nothing that names anyone.
pub(crate) const ERASED_DETAILS: &str = "{}";

/// The genesis value of every company's chain.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Writes an entry inside the caller's transaction, so that it exists exactly when the change does. The
/// entry waits in `audit_pending` until [`crate::audit::seal`] chains it: writing touches no row shared by
/// the company's other writers, so one company's changes do not queue behind each other.
pub async fn record(tx: &mut Tx, actor: &Actor, event: AuditEvent) -> sqlx::Result<()> {
    entry(actor, event).execute(tx).await?;
    Ok(())
}

/// The statement [`record`] runs, for a write made of statements (`GroupCommit::run`).
pub fn entry(actor: &Actor, event: AuditEvent) -> Statement {
    Statement::new(
        "INSERT INTO audit_pending (company_id, id, at, actor_id, action, target_type, target_id, ip, \
         user_agent, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(actor.company_id)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now_ms())
    .bind(actor.person_id)
    .bind(event.action)
    .bind(event.target_type)
    .bind(event.target_id)
    .bind(actor.ip.to_string())
    .bind(actor.user_agent.as_str())
    .bind(event.details.to_string())
}

/// An entry as stored (the hashed fields). A pending entry has no place in the chain yet: it reads with
/// `seq` 0 until the sealer gives it one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StoredEntry {
    /// Company of the chain.
    pub company_id: CompanyId,
    /// Position in the chain, from 1.
    #[sqlx(default)]
    pub seq: i64,
    /// Server time (Unix ms).
    pub at: i64,
    /// Acting person, if known.
    pub actor_id: Option<PersonId>,
    /// Action name.
    pub action: String,
    /// Target kind.
    pub target_type: String,
    /// Target id.
    pub target_id: String,
    /// Client address.
    pub ip: String,
    /// Client user agent.
    pub user_agent: String,
    /// Details as JSON text.
    pub details: String,
    /// The digest of the entry's personal part, for entries sealed with one (see [`PersonalPart`]).
    #[sqlx(default)]
    pub personal_digest: Option<String>,
}

/// Columns of [`ChainedEntry`] in `audit_log` (aliased `a`) and `audit_personal` (aliased `p`).
pub const ENTRY_COLUMNS: &str =
    "a.company_id, a.seq, a.at, a.actor_id, a.action, a.target_type, a.target_id, a.ip, a.user_agent, \
     a.details, a.personal_digest, a.prev_hash, a.hash, p.salt, p.ip AS personal_ip, \
     p.user_agent AS personal_user_agent, p.details AS personal_details";

/// `audit_log a` with each entry's personal part, where it has one.
pub const ENTRIES_WITH_PERSONAL_PARTS: &str = "audit_log a LEFT JOIN audit_personal p \
     ON p.company_id = a.company_id AND p.seq = a.seq";

/// A sealed entry with its links in the chain.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ChainedEntry {
    /// The hashed fields.
    #[sqlx(flatten)]
    pub entry: StoredEntry,
    /// The hash of the entry before it (the genesis value for the first).
    pub prev_hash: String,
    /// Its own hash, over `prev_hash` and its fields.
    pub hash: String,
    /// Its personal part's salt (none once erased, or for an entry without a part).
    pub salt: Option<String>,
    /// Its personal part's address, user agent and details.
    pub personal_ip: Option<String>,
    /// See `personal_ip`.
    pub personal_user_agent: Option<String>,
    /// See `personal_ip`.
    pub personal_details: Option<String>,
}

impl ChainedEntry {
    /// What is wrong with the entry's personal part, if anything: a part present with its salt must
    /// hash to the digest the chain keeps; an erased one must hold nothing.
    pub(crate) fn personal_fault(&self) -> Option<&'static str> {
        let digest = self.entry.personal_digest.as_deref()?;
        let (Some(ip), Some(user_agent), Some(details)) = (
            &self.personal_ip,
            &self.personal_user_agent,
            &self.personal_details,
        ) else {
            return Some("its personal part is missing");
        };
        match &self.salt {
            Some(salt) => (personal_digest(salt, ip, user_agent, details) != digest)
                .then_some("its personal part was altered after it was written"),
            None => (!ip.is_empty() || !user_agent.is_empty() || details != ERASED_DETAILS)
                .then_some("its erased personal part holds data"),
        }
    }
}

/// An audit entry as the API and console show it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    /// Position in the company's chain.
    pub seq: i64,
    /// When it happened (server time).
    #[sqlx(try_from = "UnixMs")]
    pub at: chrono::DateTime<chrono::Utc>,
    /// Acting person, if known.
    pub actor_id: Option<PersonId>,
    /// Acting person's name, if known.
    pub actor_name: Option<String>,
    /// Action name, e.g. `auth.sign_in_failed`.
    pub action: String,
    /// Target kind.
    pub target_type: String,
    /// Target id or login.
    pub target_id: String,
    /// The target person's name, when the target is a person of the company.
    pub target_name: Option<String>,
    /// Client address ("" once erased).
    pub ip: String,
    /// Client user agent ("" once erased).
    pub user_agent: String,
    /// Further facts (`{}` once erased).
    #[schema(value_type = Object)]
    #[sqlx(try_from = "JsonValue")]
    pub details: serde_json::Value,
    /// Whether the entry's personal part (address, user agent, details) was erased; the entry itself
    /// stays in the chain.
    #[sqlx(try_from = "crate::db::columns::StoredBool")]
    pub personal_erased: bool,
}

/// Filters for browsing the trail; all optional, combined with AND.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditFilter {
    /// Action name prefix, e.g. `auth.` or `person.deactivated`.
    pub action: Option<String>,
    /// Exact client address.
    pub ip: Option<String>,
    /// Acting person.
    pub actor_id: Option<PersonId>,
    /// Only entries before this sequence number (for paging backwards).
    pub before_seq: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// One page of the company's trail, newest first.
pub async fn list(
    tx: &mut Tx,
    company_id: CompanyId,
    filter: &AuditFilter,
) -> sqlx::Result<Vec<AuditEntry>> {
    let limit = filter.limit.unwrap_or(50).clamp(1, 200);
    let sql = format!(
        "SELECT a.seq, a.at, a.actor_id, p.name AS actor_name, a.action, a.target_type, a.target_id, \
         t.name AS target_name, {PERSONAL} FROM audit_log a \
         LEFT JOIN audit_personal ap ON ap.company_id = a.company_id AND ap.seq = a.seq \
         LEFT JOIN people p ON p.company_id = a.company_id AND p.id = a.actor_id \
         LEFT JOIN people t ON a.target_type = 'person' AND t.company_id = a.company_id \
           AND t.id = a.target_id \
         WHERE a.company_id = $1 AND ($5 IS NULL OR a.seq < $5) AND {FILTERED} \
         ORDER BY a.seq DESC LIMIT $6"
    );
    let rows = sqlx::query(&sql)
        .bind(company_id)
        .bind(filter.action.clone().filter(|s| !s.is_empty()))
        .bind(filter.ip.clone().filter(|s| !s.is_empty()))
        .bind(filter.actor_id)
        .bind(filter.before_seq)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(AuditEntry::from_row).collect()
}

/// An entry's personal values as the trail shows them: from its personal part (`ap`) when it was
/// sealed with one, from the chain's row for an entry sealed before.
const PERSONAL: &str = "CASE WHEN a.personal_digest IS NULL THEN a.ip ELSE COALESCE(ap.ip, '') END AS ip, \
     CASE WHEN a.personal_digest IS NULL THEN a.user_agent ELSE COALESCE(ap.user_agent, '') END AS user_agent, \
     CASE WHEN a.personal_digest IS NULL THEN a.details ELSE COALESCE(ap.details, '{}') END AS details, \
     CASE WHEN ap.erased_at IS NULL THEN 0 ELSE 1 END AS personal_erased";

/// The conditions of a filter other than its page position ($2 action prefix, $3 address, $4 actor).
const FILTERED: &str = "($2 IS NULL OR a.action LIKE $2 || '%') \
     AND ($3 IS NULL OR a.ip = $3 OR ap.ip = $3) AND ($4 IS NULL OR a.actor_id = $4)";

/// How many entries the filter matches in all, and how many of them are newer than `before_seq` (the
/// entries on earlier pages), so a page can say "entries 101–200 of 5,400".
pub async fn count(
    tx: &mut Tx,
    company_id: CompanyId,
    filter: &AuditFilter,
) -> sqlx::Result<(i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN $5 IS NOT NULL AND a.seq >= $5 THEN 1 ELSE 0 END), 0) \
         FROM audit_log a LEFT JOIN audit_personal ap ON ap.company_id = a.company_id AND ap.seq = a.seq \
         WHERE a.company_id = $1 AND {FILTERED}"
    );
    let (total, newer): (i64, i64) = sqlx::query_as(&sql)
        .bind(company_id)
        .bind(filter.action.clone().filter(|s| !s.is_empty()))
        .bind(filter.ip.clone().filter(|s| !s.is_empty()))
        .bind(filter.actor_id)
        .bind(filter.before_seq)
        .fetch_one(&mut **tx)
        .await?;
    Ok((total, newer))
}
