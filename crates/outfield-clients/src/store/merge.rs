//! Merging a duplicate client into the one kept: locks, what moves over, what fills the gaps.

use super::*;
use outfield_core::ids::{ClientId, CompanyId};

/// Takes the row locks of both clients of a merge before anything is read, so that concurrent merges of
/// the same clients run one after the other and the later one finds the duplicate gone. One statement
/// locks both rows in index order, so two merges of the same pair cannot deadlock.
pub(crate) async fn lock_for_merge(
    tx: &mut Tx,
    company_id: CompanyId,
    keep: ClientId,
    duplicate: ClientId,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE clients SET updated_at = $2 WHERE company_id = $1 AND id IN ($3, $4)")
        .bind(company_id)
        .bind(now_ms())
        .bind(keep)
        .bind(duplicate)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves what belongs to the duplicate client to the kept one: owners are united first, then the rows
/// of every table any feature declares as naming a client (contacts, tasks, interactions, visits, beats,
/// proposed locations…) are moved.
async fn move_belongings(
    tx: &mut Tx,
    company: &str,
    keep: &str,
    duplicate: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO client_owners (company_id, client_id, person_id) \
         SELECT company_id, $1, person_id FROM client_owners WHERE company_id = $2 AND client_id = $3 \
         ON CONFLICT (company_id, client_id, person_id) DO NOTHING",
    )
    .bind(keep)
    .bind(company)
    .bind(duplicate)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM client_owners WHERE company_id = $1 AND client_id = $2")
        .bind(company)
        .bind(duplicate)
        .execute(&mut **tx)
        .await?;
    // Files attached to the client itself (shop-front photos) name it as their subject; a file already
    // attached to the kept client stays once.
    sqlx::query(
        "UPDATE attachments SET subject_id = $1 \
         WHERE company_id = $2 AND subject_kind = 'client' AND subject_id = $3 \
         AND NOT EXISTS (SELECT 1 FROM attachments k WHERE k.company_id = $2 \
           AND k.subject_kind = 'client' AND k.subject_id = $1 AND k.file_id = attachments.file_id)",
    )
    .bind(keep)
    .bind(company)
    .bind(duplicate)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM attachments WHERE company_id = $1 AND subject_kind = 'client' AND subject_id = $2",
    )
    .bind(company)
    .bind(duplicate)
    .execute(&mut **tx)
    .await?;
    for (table, column) in outfield_core::feature::client_columns() {
        sqlx::query(&format!(
            "UPDATE {table} SET {column} = $1 WHERE company_id = $2 AND {column} = $3"
        ))
        .bind(keep)
        .bind(company)
        .bind(duplicate)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Fills the kept client's empty details (phone, e-mail, GSTIN, category, territory, address, position)
/// from the duplicate's.
async fn fill_gaps(
    tx: &mut Tx,
    company: &str,
    keep: &str,
    duplicate_row: &sqlx::any::AnyRow,
) -> sqlx::Result<()> {
    for column in [
        "phone",
        "email",
        "gstin",
        "category",
        "territory",
        "address",
    ] {
        let value: Option<String> = duplicate_row.try_get(column)?;
        sqlx::query(&format!("UPDATE clients SET {column} = COALESCE({column}, $1) WHERE company_id = $2 AND id = $3"))
            .bind(value)
            .bind(company)
            .bind(keep)
            .execute(&mut **tx)
            .await?;
    }
    let position: (Option<f64>, Option<f64>) = (
        duplicate_row.try_get("latitude")?,
        duplicate_row.try_get("longitude")?,
    );
    sqlx::query(
        "UPDATE clients SET latitude = COALESCE(latitude, $1), longitude = COALESCE(longitude, $2), updated_at = $3 \
         WHERE company_id = $4 AND id = $5",
    )
    .bind(NullableFloat(position.0))
    .bind(NullableFloat(position.1))
    .bind(now_ms())
    .bind(company)
    .bind(keep)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves everything of `duplicate` to `keep`, fills `keep`'s empty fields, and deletes `duplicate`.
/// Returns how many interactions moved.
pub async fn merge(
    tx: &mut Tx,
    company_id: CompanyId,
    keep: ClientId,
    duplicate: ClientId,
) -> sqlx::Result<u64> {
    search::forget(tx, company_id, &[duplicate]).await?;
    let (keep_id, company, keep, duplicate) = (
        keep,
        company_id.to_string(),
        keep.to_string(),
        duplicate.to_string(),
    );
    let moved: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM interactions WHERE company_id = $1 AND client_id = $2",
    )
    .bind(&company)
    .bind(&duplicate)
    .fetch_one(&mut **tx)
    .await?;
    move_belongings(tx, &company, &keep, &duplicate).await?;
    let duplicate_row = sqlx::query(
        "SELECT phone, email, gstin, category, territory, address, latitude, longitude FROM clients \
         WHERE company_id = $1 AND id = $2",
    )
    .bind(&company)
    .bind(&duplicate)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM clients WHERE company_id = $1 AND id = $2")
        .bind(&company)
        .bind(&duplicate)
        .execute(&mut **tx)
        .await?;
    fill_gaps(tx, &company, &keep, &duplicate_row).await?;
    search::reindex(tx, company_id, &[keep_id]).await?;
    Ok(u64::try_from(moved).unwrap_or_default())
}
