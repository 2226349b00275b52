//! Field notes: free text an employee writes in the app, offline too. The first record type of the sync
//! protocol; visits and clients attach to it later.

pub mod api;

use outfield_core::db::columns::UnixMs;
use outfield_core::ids::{CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use outfield_core::auth::Scope;
use outfield_core::db::{Db, Tx};
use outfield_core::error::AppResult;
use outfield_core::sync::{reject, Applied, Incoming};

/// What a `note` record carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NotePayload {
    /// The note, 1–4000 characters.
    pub text: String,
}

/// Stores a pushed note.
pub async fn apply(tx: &mut Tx, scope: &Scope, record: &Incoming) -> Applied {
    let payload: NotePayload = record.payload_as()?;
    let text = payload.text.trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return Err(reject("text must be 1–4000 characters"));
    }
    sqlx::query(
        "INSERT INTO notes (company_id, id, person_id, body, device_time, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(scope.company_id())
    .bind(record.id.to_string())
    .bind(scope.person_id())
    .bind(text)
    .bind(record.device_time)
    .bind(record.received_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored note.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Note {
    /// The id the device gave it.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// The text.
    #[sqlx(rename = "body")]
    pub text: String,
    /// When it was written, by the device's clock.
    #[sqlx(try_from = "UnixMs")]
    pub device_time: chrono::DateTime<chrono::Utc>,
    /// When the server received it.
    #[sqlx(try_from = "UnixMs")]
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// The notes a person wrote between two instants (a day of the company's calendar, by the phone's
/// clock), oldest first: the day page shows them among the day's events.
pub(crate) async fn written_between(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    (from, until): (i64, i64),
) -> sqlx::Result<Vec<Note>> {
    sqlx::query_as(
        "SELECT id, body, device_time, received_at FROM notes WHERE company_id = $1 AND person_id = $2 \
         AND device_time >= $3 AND device_time < $4 ORDER BY device_time LIMIT 500",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(from)
    .bind(until)
    .fetch_all(&mut **tx)
    .await
}

/// The notes of a person the scope may see, newest first.
pub(crate) async fn of_person(db: &Db, scope: &Scope, person_id: PersonId) -> AppResult<Vec<Note>> {
    outfield_core::people::get(db, scope, person_id).await?;
    let mut tx = db.tenant_read(scope).await?;
    let notes: Vec<Note> = sqlx::query_as(
        "SELECT id, body, device_time, received_at FROM notes WHERE company_id = $1 AND person_id = $2 \
         ORDER BY device_time DESC LIMIT 500",
    )
    .bind(scope.company_id())
    .bind(person_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(notes)
}

/// A note with its author, as the overview lists the team's latest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct TeamNote {
    /// Who wrote it.
    pub person_id: PersonId,
    /// Their name.
    pub person_name: String,
    /// The text.
    #[sqlx(rename = "body")]
    pub text: String,
    /// When it was written, by the phone's clock (Unix ms).
    pub device_time: i64,
}

/// The latest notes written since `since` (Unix ms) by the people the scope sees, newest first.
pub(crate) async fn latest_of_team(
    db: &Db,
    scope: &Scope,
    since: i64,
    limit: i64,
) -> AppResult<Vec<TeamNote>> {
    use outfield_core::people::store::{bind_scope, VISIBLE_CTE};
    let mut tx = db.tenant_read(scope).await?;
    let sql = format!(
        "{VISIBLE_CTE} SELECT n.person_id, p.name AS person_name, n.body, n.device_time FROM notes n \
         JOIN visible v ON v.id = n.person_id JOIN people p ON p.company_id = n.company_id AND p.id = n.person_id \
         WHERE n.company_id = $1 AND n.device_time >= $4 ORDER BY n.device_time DESC LIMIT $5"
    );
    let notes = bind_scope(sqlx::query(&sql), scope)
        .bind(since)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(sqlx::FromRow::from_row)
        .collect::<Result<_, _>>()?;
    tx.commit().await?;
    Ok(notes)
}
