//! Notifications: messages for one person's devices, delivered by the sync pull in feed order.

use crate::db::columns::UnixMs;
use crate::ids::{CompanyId, PersonId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::clock::now_ms;
use crate::db::Tx;

/// A notification as the field app receives it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notification {
    /// Id.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// Position in the company's feed; the pull cursor.
    pub seq: i64,
    /// Stable kind, e.g. `privacy_notice_changed`.
    pub kind: String,
    /// Short title.
    pub title: String,
    /// Text.
    pub body: String,
    /// When it was created (server time).
    #[sqlx(try_from = "UnixMs")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Queues a notification for a person inside the caller's transaction. The feed number comes from the
/// company row, whose lock (until commit) keeps numbers in commit order, so a cursor never skips one.
pub async fn notify(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    kind: &str,
    title: &str,
    body: &str,
) -> sqlx::Result<()> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE companies SET feed_seq = feed_seq + 1 WHERE id = $1 RETURNING feed_seq",
    )
    .bind(company_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO notifications (company_id, id, person_id, seq, kind, title, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(company_id)
    .bind(Uuid::now_v7().to_string())
    .bind(person_id)
    .bind(seq)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A person's notifications after `cursor`, oldest first, at most `limit`.
pub async fn since(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    cursor: i64,
    limit: i64,
) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as(
        "SELECT id, seq, kind, title, body, created_at FROM notifications \
         WHERE company_id = $1 AND person_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(cursor)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}
