//! Field notes: free text an employee writes in the app, offline too. The first record type of the sync
//! protocol; visits and clients attach to it later.

pub mod api;

use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Scope;
use crate::clock::to_datetime;
use crate::db::{get_uuid, Db, Tx};
use crate::error::AppResult;
use crate::sync::{Incoming, Rejection};

/// What a `note` record carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotePayload {
    /// The note, 1–4000 characters.
    pub text: String,
}

/// Stores a pushed note.
pub async fn apply(
    tx: &mut Tx,
    scope: &Scope,
    record: &Incoming,
) -> AppResult<Result<(), Rejection>> {
    let payload: NotePayload = match record.payload_as() {
        Ok(payload) => payload,
        Err(rejection) => return Ok(Err(rejection)),
    };
    let text = payload.text.trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return Ok(Err(Rejection::new("text must be 1–4000 characters")));
    }
    sqlx::query(
        "INSERT INTO notes (company_id, id, person_id, body, device_time, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(scope.company_id().to_string())
    .bind(record.id.to_string())
    .bind(scope.person_id().to_string())
    .bind(text)
    .bind(record.device_time)
    .bind(record.received_at)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// A stored note.
#[derive(Debug, Serialize, ToSchema)]
pub struct Note {
    /// The id the device gave it.
    pub id: Uuid,
    /// The text.
    pub text: String,
    /// When it was written, by the device's clock.
    pub device_time: chrono::DateTime<chrono::Utc>,
    /// When the server received it.
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// The notes of a person the scope may see, newest first.
pub async fn of_person(db: &Db, scope: &Scope, person_id: Uuid) -> AppResult<Vec<Note>> {
    crate::people::get(db, scope, person_id).await?;
    let mut tx = db.tenant_read(scope).await?;
    let rows = sqlx::query(
        "SELECT id, body, device_time, received_at FROM notes WHERE company_id = $1 AND person_id = $2 \
         ORDER BY device_time DESC LIMIT 500",
    )
    .bind(scope.company_id().to_string())
    .bind(person_id.to_string())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let notes = rows
        .iter()
        .map(|row| {
            Ok(Note {
                id: get_uuid(row, "id")?,
                text: row.try_get("body")?,
                device_time: to_datetime(row.try_get("device_time")?),
                received_at: to_datetime(row.try_get("received_at")?),
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok(notes)
}
