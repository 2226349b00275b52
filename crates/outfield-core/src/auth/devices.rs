//! Device tokens: bearer credentials for the field app, issued at app sign-in, listed per person in the
//! console, and revocable one by one or all at once (deactivation).

use crate::db::columns::{NullableUnixMs, UnixMs};
use crate::ids::{CompanyId, PersonId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::client::ClientInfo;
use crate::auth::tokens::{hash_token, new_token};
use crate::clock::now_ms;
use crate::db::Tx;
use crate::error::{AppError, AppResult};

/// A device token as the console shows it (never the secret itself).
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Device {
    /// Id of the token.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// What the app called the device at sign-in (e.g. "Redmi Note 12").
    pub label: String,
    /// Address it was issued to.
    pub ip: String,
    /// When it was issued.
    #[sqlx(try_from = "UnixMs")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was last used (updated at most every few minutes).
    #[sqlx(try_from = "UnixMs")]
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    /// When it was revoked, if it was.
    #[sqlx(try_from = "NullableUnixMs")]
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Issues a token for a device; the raw token is returned once and stored only hashed.
pub(crate) async fn issue(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    label: &str,
    client: &ClientInfo,
) -> sqlx::Result<(Uuid, String)> {
    let id = Uuid::now_v7();
    let token = new_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO device_tokens (company_id, id, person_id, token_hash, label, ip, created_at, \
         last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(company_id)
    .bind(id.to_string())
    .bind(person_id)
    .bind(hash_token(&token))
    .bind(label)
    .bind(client.ip.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok((id, token))
}

/// The devices of one person, newest first.
pub(crate) async fn list_for(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<Vec<Device>> {
    sqlx::query_as(
        "SELECT id, label, ip, created_at, last_used_at, revoked_at FROM device_tokens \
         WHERE company_id = $1 AND person_id = $2 ORDER BY created_at DESC",
    )
    .bind(company_id)
    .bind(person_id)
    .fetch_all(&mut **tx)
    .await
}

/// Revokes one device token of a person; 404 when the person has no such token.
pub async fn revoke(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    device_id: Uuid,
) -> AppResult<()> {
    let done = sqlx::query(
        "UPDATE device_tokens SET revoked_at = COALESCE(revoked_at, $1) \
         WHERE company_id = $2 AND person_id = $3 AND id = $4",
    )
    .bind(now_ms())
    .bind(company_id)
    .bind(person_id)
    .bind(device_id.to_string())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Revokes every token of a person (deactivation, sign-out everywhere).
pub(crate) async fn revoke_all_for(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE device_tokens SET revoked_at = $1 \
         WHERE company_id = $2 AND person_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(company_id)
    .bind(person_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Records use of a device token.
pub async fn touch(tx: &mut Tx, token_hash: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE device_tokens SET last_used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
