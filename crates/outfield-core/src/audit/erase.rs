//! Erasing a person's personal data from the trail while the chain still proves that no entry was
//! altered, removed or reordered: the personal part of each entry they acted in, were the subject of or
//! are named in is blanked and its salt removed; the chain keeps the part's digest, which can no longer be matched
//! against anything. docs/DECISIONS.md has the design.

use crate::audit::store::ERASED_DETAILS;
use crate::audit::{record, Actor, AuditEvent};
use crate::clock::now_ms;
use crate::db::Tx;
use crate::ids::{CompanyId, PersonId};

/// Erases, inside `tx`, the personal parts of the company's sealed entries that `person` acted in, was
/// the subject of, or is named in (their id or e-mail address in the details), records the erasure in
/// the trail, and returns how many parts were erased. Seal the company's pending entries first, or
/// those are not reached.
pub async fn erase_person(
    tx: &mut Tx,
    (company, person): (CompanyId, PersonId),
    actor: &Actor,
) -> sqlx::Result<u64> {
    let email: String =
        sqlx::query_scalar("SELECT email FROM people WHERE company_id = $1 AND id = $2")
            .bind(company)
            .bind(person)
            .fetch_one(&mut **tx)
            .await?;
    let erased = sqlx::query(
        "UPDATE audit_personal SET salt = NULL, ip = '', user_agent = '', details = $4, erased_at = $5 \
         WHERE company_id = $1 AND erased_at IS NULL AND (seq IN (SELECT seq FROM audit_log \
           WHERE company_id = $1 AND (actor_id = $2 OR (target_type = 'person' AND target_id = $2))) \
           OR details LIKE '%' || $2 || '%' OR LOWER(details) LIKE '%' || LOWER($3) || '%')",
    )
    .bind(company)
    .bind(person)
    .bind(email)
    .bind(ERASED_DETAILS)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let event = AuditEvent::new(crate::audit::actions::AUDIT_PERSONAL_DATA_ERASED, person)
        .with(serde_json::json!({ "entries": erased }));
    record(tx, actor, event).await?;
    Ok(erased)
}
