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

/// A table of another feature whose rows name a client in a column: a merge moves them to the kept
/// client. Each feature crate lists its own; the binary installs them (see [`install_references`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientReference {
    /// The table.
    pub table: &'static str,
    /// Its column holding a client id.
    pub column: &'static str,
}

/// The clients feature's own tables whose rows follow their client in a merge (interactions move
/// separately, counted; owners are united).
pub const OWN_REFERENCES: &[ClientReference] = &[
    ClientReference {
        table: "contacts",
        column: "client_id",
    },
    ClientReference {
        table: "tasks",
        column: "client_id",
    },
];

static INSTALLED: std::sync::OnceLock<Vec<ClientReference>> = std::sync::OnceLock::new();

/// Installs the other features' client references, so that a merge moves their rows too. Only the first
/// call counts: the lists are compiled in.
pub fn install_references(features: &[&'static [ClientReference]]) {
    INSTALLED.get_or_init(|| {
        features
            .iter()
            .flat_map(|list| list.iter().copied())
            .collect()
    });
}

/// Every reference a merge moves: the feature's own and the installed ones.
pub fn references() -> impl Iterator<Item = ClientReference> {
    OWN_REFERENCES
        .iter()
        .copied()
        .chain(INSTALLED.get().into_iter().flatten().copied())
}

/// Moves what belongs to the duplicate client to the kept one: contacts, follow-up tasks and every
/// other feature's rows that name it (visits, beats, proposed locations), and owners.
async fn move_belongings(
    tx: &mut Tx,
    company: &str,
    keep: &str,
    duplicate: &str,
) -> sqlx::Result<()> {
    for ClientReference { table, column } in references() {
        sqlx::query(&format!(
            "UPDATE {table} SET {column} = $1 WHERE company_id = $2 AND {column} = $3"
        ))
        .bind(keep)
        .bind(company)
        .bind(duplicate)
        .execute(&mut **tx)
        .await?;
    }
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
    let moved = sqlx::query(
        "UPDATE interactions SET client_id = $1 WHERE company_id = $2 AND client_id = $3",
    )
    .bind(&keep)
    .bind(&company)
    .bind(&duplicate)
    .execute(&mut **tx)
    .await?
    .rows_affected();
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
    Ok(moved)
}
