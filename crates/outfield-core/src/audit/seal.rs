//! Sealing: pending entries join their company's hash chain, in order, in short transactions.
//!
//! A change writes its entry to `audit_pending` in its own transaction ([`crate::audit::record`]). The
//! sealer takes a company's pending entries oldest first, gives each the next sequence number and the hash
//! over the previous hash and its fields, moves it to `audit_log` and advances the company's head — all in
//! one transaction that holds the company row for the few milliseconds this takes, instead of every
//! writer holding it until its own commit. Every instance runs the sealer; two sealers of one company take
//! turns on its row, and the second finds only what the first left. docs/DECISIONS.md has the reasoning.

use crate::clock::now_ms;
use crate::db::dialect::Dialect;
use crate::db::{Db, Tx};
use crate::ids::CompanyId;
use crate::kernel::scope::Scope;

use super::store::{entry_hash, PersonalPart, StoredEntry};

/// Entries sealed per transaction: enough to keep up with any burst, few enough that the company row
/// is held for milliseconds.
const ENTRIES_PER_SEAL: usize = 500;

/// Seals every company's pending entries; returns how many joined a chain. Run by the background loop.
pub async fn seal_all(db: &Db) -> sqlx::Result<u64> {
    let mut tx = db.system_read().await?;
    let companies: Vec<CompanyId> =
        sqlx::query_scalar("SELECT DISTINCT company_id FROM audit_pending")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    let mut sealed = 0;
    for company in companies {
        loop {
            let mut tx = db.system().await?;
            let count = seal_company(&mut tx, company).await?;
            tx.commit().await?;
            sealed += count as u64;
            if count < ENTRIES_PER_SEAL {
                break;
            }
        }
    }
    Ok(sealed)
}

/// Seals what the scope's company has pending, so that a reader of the trail sees their own changes.
pub async fn catch_up(db: &Db, scope: &Scope) -> sqlx::Result<()> {
    let mut tx = db.tenant_read(scope).await?;
    let pending: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM audit_pending WHERE company_id = $1 LIMIT 1")
            .bind(scope.company_id())
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    if pending.is_none() {
        return Ok(());
    }
    loop {
        let mut tx = db.tenant(scope).await?;
        let count = seal_company(&mut tx, scope.company_id()).await?;
        tx.commit().await?;
        if count < ENTRIES_PER_SEAL {
            return Ok(());
        }
    }
}

/// Seals up to [`ENTRIES_PER_SEAL`] of the company's oldest pending entries inside `tx`.
async fn seal_company(tx: &mut Tx, company: CompanyId) -> sqlx::Result<usize> {
    // Taking the head updates the company row: the lock that lets one sealer at a time extend the chain.
    let (mut seq, mut prev_hash): (i64, String) = sqlx::query_as(
        "UPDATE companies SET audit_seq = audit_seq WHERE id = $1 RETURNING audit_seq, audit_head",
    )
    .bind(company)
    .fetch_one(&mut **tx)
    .await?;
    let pending: Vec<PendingEntry> = sqlx::query_as(
        "SELECT id, company_id, at, actor_id, action, target_type, target_id, ip, user_agent, details \
         FROM audit_pending WHERE company_id = $1 ORDER BY at, id LIMIT $2",
    )
    .bind(company)
    .bind(ENTRIES_PER_SEAL as i64)
    .fetch_all(&mut **tx)
    .await?;
    let sealed_at = now_ms();
    let sealed = pending.len();
    let mut ids = Vec::with_capacity(sealed);
    for PendingEntry { id, mut entry } in pending {
        seq += 1;
        entry.seq = seq;
        let personal = PersonalPart::salted(
            std::mem::take(&mut entry.ip),
            std::mem::take(&mut entry.user_agent),
            std::mem::take(&mut entry.details),
        );
        entry.personal_digest = Some(personal.digest());
        let hash = entry_hash(&prev_hash, &entry);
        append(tx, &entry, (&prev_hash, &hash), sealed_at).await?;
        append_personal(tx, &entry, &personal).await?;
        ids.push(id);
        prev_hash = hash;
    }
    if sealed > 0 {
        remove_pending(tx, company, &ids).await?;
        sqlx::query("UPDATE companies SET audit_seq = $1, audit_head = $2 WHERE id = $3")
            .bind(seq)
            .bind(&prev_hash)
            .bind(company)
            .execute(&mut **tx)
            .await?;
    }
    Ok(sealed)
}

/// Removes the sealed entries from the pending table, in one statement.
async fn remove_pending(tx: &mut Tx, company: CompanyId, ids: &[String]) -> sqlx::Result<()> {
    let listed = Dialect::of(tx).json_texts(2);
    sqlx::query(&format!(
        "DELETE FROM audit_pending WHERE company_id = $1 AND id IN ({listed})"
    ))
    .bind(company)
    .bind(serde_json::to_string(ids).unwrap_or_default())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An entry waiting for its place in the chain, under the id that removes it once sealed.
#[derive(sqlx::FromRow)]
struct PendingEntry {
    id: String,
    #[sqlx(flatten)]
    entry: StoredEntry,
}

async fn append(
    tx: &mut Tx,
    entry: &StoredEntry,
    (prev_hash, hash): (&str, &str),
    sealed_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (company_id, seq, at, actor_id, action, target_type, target_id, ip, \
         user_agent, details, prev_hash, hash, sealed_at, personal_digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(entry.company_id)
    .bind(entry.seq)
    .bind(entry.at)
    .bind(entry.actor_id)
    .bind(&entry.action)
    .bind(&entry.target_type)
    .bind(&entry.target_id)
    .bind(&entry.ip)
    .bind(&entry.user_agent)
    .bind(&entry.details)
    .bind(prev_hash)
    .bind(hash)
    .bind(sealed_at)
    .bind(&entry.personal_digest)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores an entry's personal part beside its place in the chain.
async fn append_personal(
    tx: &mut Tx,
    entry: &StoredEntry,
    personal: &PersonalPart,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_personal (company_id, seq, salt, ip, user_agent, details) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.company_id)
    .bind(entry.seq)
    .bind(&personal.salt)
    .bind(&personal.ip)
    .bind(&personal.user_agent)
    .bind(&personal.details)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
