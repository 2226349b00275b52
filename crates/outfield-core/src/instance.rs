//! Settings of the installation rather than of a company, stored in the database so that every command
//! run against it agrees with the server: the public URL that links in invitations are made with.

use crate::clock::now_ms;
use crate::db::Db;

/// The setting's name for the public URL.
const PUBLIC_URL: &str = "public_url";

/// Records the public URL `serve` was configured with.
pub async fn record_public_url(db: &Db, url: &str) -> sqlx::Result<()> {
    let mut tx = db.system().await?;
    sqlx::query(
        "INSERT INTO instance_settings (name, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(PUBLIC_URL)
    .bind(url)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The public URL a server recorded, if one was configured.
pub async fn public_url(db: &Db) -> sqlx::Result<Option<String>> {
    let mut tx = db.system_read().await?;
    let url = sqlx::query_scalar("SELECT value FROM instance_settings WHERE name = $1")
        .bind(PUBLIC_URL)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(url)
}
