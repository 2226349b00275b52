//! Uploaded files — visit photos, voice notes, start-of-day selfies — through one service.
//!
//! Every upload is streamed (never held whole in memory) into the object store under a key the server
//! builds inside the company's prefix, its type is decided from its first bytes (never from the name or
//! the header), it is refused past the size limit of its purpose, and its SHA-256 is recorded so the
//! same picture sent twice is recognised. Files are only ever served with the image or audio type found
//! at upload, with `nosniff` and a sandbox policy, so nothing uploaded can run in a browser.
//!
//! Records made offline name their files by id (`photos`, `voice_note`, `selfie`); the app sends the
//! records first and the bytes after, so an attachment may name a file that is still on its way.

pub mod api;
pub mod picture;
pub mod sniff;

use crate::ids::{CompanyId, PersonId};
use std::path::Path as FsPath;
use std::sync::Arc;

use axum::body::Body;
use futures_util::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEvent};
use crate::db::columns::UnixMs;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, FieldError};
use crate::kernel::scope::Scope;
use crate::privacy::{has_consent, Permission};
use crate::sync::{reject, Applied};
pub(crate) use sniff::MediaType;

/// What a file is for; decides the types accepted, the size limit and the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A photo taken at a client during a visit.
    VisitPhoto,
    /// A voice note recorded for a visit report.
    VoiceNote,
    /// The selfie some companies ask for at the start of the day.
    Selfie,
    /// The front of a shop onboarded from the field.
    ShopPhoto,
}

/// A stored purpose; one this build does not know reads as a visit photo, shown as a picture.
impl From<String> for Purpose {
    fn from(stored: String) -> Self {
        Purpose::parse(&stored).unwrap_or(Purpose::VisitPhoto)
    }
}

impl Purpose {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VisitPhoto => "visit_photo",
            Purpose::VoiceNote => "voice_note",
            Purpose::Selfie => "selfie",
            Purpose::ShopPhoto => "shop_photo",
        }
    }

    fn parse(raw: &str) -> Option<Purpose> {
        [
            Purpose::VisitPhoto,
            Purpose::VoiceNote,
            Purpose::Selfie,
            Purpose::ShopPhoto,
        ]
        .into_iter()
        .find(|p| p.as_str() == raw)
    }

    /// Words for messages.
    fn label(self) -> &'static str {
        match self {
            Purpose::VisitPhoto => "a visit photo",
            Purpose::VoiceNote => "a voice note",
            Purpose::Selfie => "a selfie",
            Purpose::ShopPhoto => "a shop-front photo",
        }
    }

    /// The permission the employee must have granted for the app to make such a file.
    pub fn permission(self) -> Permission {
        match self {
            Purpose::VisitPhoto | Purpose::Selfie | Purpose::ShopPhoto => Permission::Camera,
            Purpose::VoiceNote => Permission::Microphone,
        }
    }

    /// Largest accepted size: a full-resolution phone photo, or ten minutes of speech.
    pub(crate) fn max_bytes(self) -> u64 {
        match self {
            Purpose::VisitPhoto | Purpose::Selfie | Purpose::ShopPhoto => 12 * 1024 * 1024,
            Purpose::VoiceNote => 16 * 1024 * 1024,
        }
    }

    fn accepts(self, media: MediaType) -> bool {
        match self {
            Purpose::VisitPhoto | Purpose::Selfie | Purpose::ShopPhoto => media.is_image(),
            Purpose::VoiceNote => media.is_audio(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Purpose::VisitPhoto | Purpose::Selfie | Purpose::ShopPhoto => {
                "a JPEG, PNG or WebP image"
            }
            Purpose::VoiceNote => "a WebM, Ogg, MP4, MP3 or WAV recording",
        }
    }
}

/// Where the bytes live: local disk under the data directory by default.
#[derive(Clone, Debug)]
pub struct FileStore(Arc<dyn ObjectStore>);

impl FileStore {
    /// A store in a local directory (created if missing).
    pub fn local(root: &FsPath) -> anyhow::Result<FileStore> {
        std::fs::create_dir_all(root)?;
        Ok(FileStore(Arc::new(LocalFileSystem::new_with_prefix(root)?)))
    }
}

/// A stored file as the API describes it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct StoredFile {
    /// Id chosen by the app (a UUID), so a retried upload is recognised.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// What it is for.
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    /// The type found in its bytes.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub person_id: PersonId,
    /// When the server stored it.
    #[sqlx(try_from = "UnixMs")]
    pub uploaded_at: chrono::DateTime<chrono::Utc>,
}

/// A file named by a record, as the console shows it: `content_type` is empty until the bytes arrive.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Attachment {
    /// The file's id (`/api/v1/files/{id}`).
    #[sqlx(try_from = "String")]
    pub file_id: Uuid,
    /// What it is for.
    #[sqlx(try_from = "String")]
    pub purpose: Purpose,
    /// The type found in its bytes, or `None` while the phone has not sent them yet.
    pub content_type: Option<String>,
}

impl Attachment {
    /// Whether the bytes have arrived.
    pub fn arrived(&self) -> bool {
        self.content_type.is_some()
    }

    /// Whether it is shown as a picture (otherwise as a player).
    pub fn is_image(&self) -> bool {
        self.purpose != Purpose::VoiceNote
    }
}

/// What the upload route answers: the file and whether this request stored it (`false` for a replay).
pub struct Uploaded {
    /// The stored file.
    pub file: StoredFile,
    /// `true` when this request stored it.
    pub created: bool,
}

/// Parses the `purpose` query parameter.
pub(crate) fn purpose_of(raw: &str) -> AppResult<Purpose> {
    Purpose::parse(raw).ok_or_else(|| {
        AppError::field(
            "purpose",
            "must be one of: visit_photo, voice_note, selfie, shop_photo",
        )
    })
}

/// Stores an upload: consent, type, size and hash checked; a replay of the same bytes answers the stored
/// file, other bytes under a used id are refused.
pub async fn upload(
    db: &Db,
    files: &FileStore,
    scope: &Scope,
    actor: &Actor,
    (id, purpose): (Uuid, Purpose),
    body: Body,
) -> AppResult<Uploaded> {
    require_consent(db, scope, purpose).await?;
    let staging = Path::from(format!(
        "companies/{}/incoming/{}",
        scope.company_id(),
        Uuid::new_v4()
    ));
    let received = match receive(files, &staging, purpose, body).await {
        Ok(received) => received,
        Err(error) => {
            let _ = files.0.delete(&staging).await;
            return Err(error);
        }
    };
    let outcome = keep(db, files, scope, actor, (id, purpose), &staging, received).await;
    let _ = files.0.delete(&staging).await;
    outcome
}

async fn require_consent(db: &Db, scope: &Scope, purpose: Purpose) -> AppResult<()> {
    let mut tx = db.tenant_read(scope).await?;
    let permission = purpose.permission();
    let allowed = has_consent(&mut tx, scope.company_id(), scope.person_id(), permission).await?;
    tx.commit().await?;
    if allowed {
        return Ok(());
    }
    Err(AppError::Conflict(FieldError::new(
        "purpose",
        format!(
            "{} needs the {} permission, which is not allowed",
            purpose.label(),
            permission.as_str()
        ),
    )))
}

/// What streaming the body established.
struct Received {
    media: MediaType,
    size: u64,
    sha256: String,
}

async fn receive(
    files: &FileStore,
    staging: &Path,
    purpose: Purpose,
    body: Body,
) -> AppResult<Received> {
    let upload = files
        .0
        .put_multipart(staging)
        .await
        .map_err(anyhow::Error::from)?;
    let mut writer = WriteMultipart::new(upload);
    let mut stream = body.into_data_stream();
    let mut head = Vec::with_capacity(sniff::HEAD_BYTES);
    let takes_pictures = purpose.accepts(MediaType::Jpeg);
    let mut picture_header = Vec::new();
    let mut media = None;
    let (mut size, mut hasher) = (0u64, Sha256::new());
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
        size += chunk.len() as u64;
        if size > purpose.max_bytes() {
            let _ = writer.abort().await;
            return Err(AppError::PayloadTooLarge);
        }
        if media.is_none() {
            head.extend_from_slice(&chunk[..chunk.len().min(sniff::HEAD_BYTES - head.len())]);
            if head.len() == sniff::HEAD_BYTES {
                media = Some(check_type(purpose, &head)?);
            }
        }
        if takes_pictures && picture_header.len() < picture::HEADER_BYTES {
            let room = picture::HEADER_BYTES - picture_header.len();
            picture_header.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        hasher.update(&chunk);
        writer
            .wait_for_capacity(4)
            .await
            .map_err(anyhow::Error::from)?;
        writer.write(&chunk);
    }
    let media = match media {
        Some(media) => media,
        None => check_type(purpose, &head)?,
    };
    if media.is_image() {
        if let Err(message) = picture::check_dimensions(media, &picture_header) {
            let _ = writer.abort().await;
            return Err(AppError::field("file", format!("the picture {message}")));
        }
    }
    writer.finish().await.map_err(anyhow::Error::from)?;
    Ok(Received {
        media,
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

fn check_type(purpose: Purpose, head: &[u8]) -> AppResult<MediaType> {
    match MediaType::sniff(head) {
        Some(media) if purpose.accepts(media) => Ok(media),
        found => Err(AppError::field(
            "file",
            format!(
                "{} must be {}; this file is {}",
                purpose.label(),
                purpose.expected(),
                found.map_or("of an unknown type", MediaType::description)
            ),
        )),
    }
}

fn key_of(company_id: CompanyId, purpose: Purpose, id: Uuid) -> Path {
    Path::from(format!("companies/{company_id}/{}/{id}", purpose.as_str()))
}

/// Moves the staged bytes to their key and records them — or recognises a replay.
async fn keep(
    db: &Db,
    files: &FileStore,
    scope: &Scope,
    actor: &Actor,
    (id, purpose): (Uuid, Purpose),
    staging: &Path,
    received: Received,
) -> AppResult<Uploaded> {
    if id.is_nil() || id.is_max() {
        return Err(unusable_id());
    }
    let mut tx = db.tenant(scope).await?;
    if let Some(existing) = find(&mut tx, scope.company_id(), id).await? {
        tx.commit().await?;
        return replay(existing, scope, received);
    }
    let key = key_of(scope.company_id(), purpose, id);
    let now = crate::clock::now_ms();
    let inserted = sqlx::query(
        "INSERT INTO files (company_id, id, person_id, purpose, content_type, size_bytes, sha256, storage_key, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(scope.company_id())
    .bind(id.to_string())
    .bind(scope.person_id())
    .bind(purpose.as_str())
    .bind(received.media.content_type())
    .bind(received.size as i64)
    .bind(&received.sha256)
    .bind(key.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(sqlx::Error::Database(error)) = &inserted {
        if error.is_unique_violation() {
            // The same id stored by a concurrent request (a retry racing the original): answer as a
            // replay once it is committed.
            drop(tx);
            let mut read = db.tenant_read(scope).await?;
            let existing = find(&mut read, scope.company_id(), id).await?;
            read.commit().await?;
            return replay(existing.ok_or(AppError::NotFound)?, scope, received);
        }
    }
    inserted?;
    // The bytes move under their key only once the row is in: a request that loses a race never
    // overwrites the winner's bytes.
    files
        .0
        .rename(staging, &key)
        .await
        .map_err(anyhow::Error::from)?;
    let event = AuditEvent::new(crate::audit::actions::FILE_UPLOADED, id).with(json!({
        "purpose": purpose.as_str(), "content_type": received.media.content_type(),
        "size_bytes": received.size, "sha256": received.sha256,
    }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(Uploaded {
        file: StoredFile {
            id,
            purpose,
            content_type: received.media.content_type().to_string(),
            size_bytes: received.size as i64,
            sha256: received.sha256,
            person_id: scope.person_id(),
            uploaded_at: crate::clock::to_datetime(now),
        },
        created: true,
    })
}

/// The answer to an upload under an id already stored: the stored file for the same bytes from the same
/// person, a conflict for other bytes. Another person's id is answered as any id no one may use, so that
/// an upload never tells that someone else's file exists.
fn replay(existing: StoredFile, scope: &Scope, received: Received) -> AppResult<Uploaded> {
    if existing.person_id != scope.person_id() {
        return Err(unusable_id());
    }
    if existing.sha256 == received.sha256 {
        return Ok(Uploaded {
            file: existing,
            created: false,
        });
    }
    Err(AppError::Conflict(FieldError::new(
        "id",
        "this file id is already used for other content",
    )))
}

/// The conflict for a file id this person cannot use (another's, the nil or the all-ones UUID).
fn unusable_id() -> AppError {
    AppError::Conflict(FieldError::new(
        "id",
        "cannot be used for a file: give the file a new id",
    ))
}

const FILE_COLUMNS: &str =
    "id, person_id, purpose, content_type, size_bytes, sha256, storage_key, uploaded_at";

async fn find(tx: &mut Tx, company_id: CompanyId, id: Uuid) -> sqlx::Result<Option<StoredFile>> {
    let sql = format!("SELECT {FILE_COLUMNS} FROM files WHERE company_id = $1 AND id = $2");
    sqlx::query_as(&sql)
        .bind(company_id)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await
}

/// A file's description and bytes, for the uploader, their managers and admins.
pub async fn open(
    db: &Db,
    files: &FileStore,
    scope: &Scope,
    id: Uuid,
) -> AppResult<(StoredFile, Body)> {
    let file = visible(db, scope, id).await?;
    let key = key_of(scope.company_id(), file.purpose, id);
    let bytes = files.0.get(&key).await.map_err(anyhow::Error::from)?;
    Ok((file, Body::from_stream(bytes.into_stream())))
}

/// A file the scope may see: one uploaded by someone it sees.
async fn visible(db: &Db, scope: &Scope, id: Uuid) -> AppResult<StoredFile> {
    let mut tx = db.tenant_read(scope).await?;
    let file = find(&mut tx, scope.company_id(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::people::store::find(&mut tx, scope, file.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(file)
}

/// Previews made at the same time, each decoding one picture under its memory limit.
static PREVIEWS_AT_ONCE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The preview of a picture (JPEG, at most [`picture::PREVIEW_SIDE`] pixels a side), made from the
/// original the first time it is asked for and kept beside it.
pub(crate) async fn open_preview(
    db: &Db,
    files: &FileStore,
    scope: &Scope,
    id: Uuid,
) -> AppResult<Vec<u8>> {
    let file = visible(db, scope, id).await?;
    let media = MediaType::of_content_type(&file.content_type)
        .filter(|m| m.is_image())
        .ok_or(AppError::NotFound)?;
    let key = key_of(scope.company_id(), file.purpose, id);
    let preview_key = Path::from(format!("{key}.preview"));
    match files.0.get(&preview_key).await {
        Ok(kept) => return Ok(kept.bytes().await.map_err(anyhow::Error::from)?.to_vec()),
        Err(object_store::Error::NotFound { .. }) => {}
        Err(error) => return Err(anyhow::Error::from(error).into()),
    }
    let original = files
        .0
        .get(&key)
        .await
        .map_err(anyhow::Error::from)?
        .bytes()
        .await
        .map_err(anyhow::Error::from)?;
    let _permit = PREVIEWS_AT_ONCE
        .acquire()
        .await
        .map_err(anyhow::Error::from)?;
    let made = tokio::task::spawn_blocking(move || picture::preview(media, &original))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|message| AppError::field("file", format!("the picture {message}")))?;
    files
        .0
        .put(&preview_key, made.clone().into())
        .await
        .map_err(anyhow::Error::from)?;
    Ok(made)
}

/// What a record may name: a subject (a visit, a working day) and its files of one purpose.
pub struct Attach<'a> {
    /// `visit` or `duty_day`.
    pub subject_kind: &'static str,
    /// The visit's or day's id.
    pub subject_id: &'a str,
    /// What the files are.
    pub purpose: Purpose,
    /// Their ids, as the record names them.
    pub file_ids: &'a [Uuid],
}

/// Links files named by a record to its subject. Files already here must be the person's own and of the
/// right purpose; files still on the phone are linked now and shown once their bytes arrive.
pub async fn attach(tx: &mut Tx, scope: &Scope, attach: Attach<'_>) -> Applied {
    if attach.file_ids.is_empty() {
        return Ok(());
    }
    let permission = attach.purpose.permission();
    if !has_consent(tx, scope.company_id(), scope.person_id(), permission).await? {
        return Err(reject(format!(
            "{} was sent but the {} permission is not allowed",
            attach.purpose.label(),
            permission.as_str()
        )));
    }
    for (position, file_id) in attach.file_ids.iter().enumerate() {
        if let Some(file) = find(tx, scope.company_id(), *file_id).await? {
            if file.person_id != scope.person_id() || file.purpose != attach.purpose {
                return Err(reject(format!(
                    "file {file_id} is not {} of yours",
                    attach.purpose.label()
                )));
            }
        }
        sqlx::query(
            "INSERT INTO attachments (company_id, subject_kind, subject_id, file_id, purpose, position) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(scope.company_id())
        .bind(attach.subject_kind)
        .bind(attach.subject_id)
        .bind(file_id.to_string())
        .bind(attach.purpose.as_str())
        .bind(position as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The files linked to some subjects of one kind, per subject id, in the order the record named them.
pub async fn attached(
    tx: &mut Tx,
    company_id: CompanyId,
    subject_kind: &str,
    subject_ids: &[String],
) -> sqlx::Result<std::collections::HashMap<String, Vec<Attachment>>> {
    let mut by_subject: std::collections::HashMap<String, Vec<Attachment>> = Default::default();
    if subject_ids.is_empty() {
        return Ok(by_subject);
    }
    let placeholders: Vec<String> = (0..subject_ids.len())
        .map(|i| format!("${}", i + 3))
        .collect();
    let sql = format!(
        "SELECT a.subject_id, a.file_id, a.purpose, f.content_type FROM attachments a \
         LEFT JOIN files f ON f.company_id = a.company_id AND f.id = a.file_id \
         WHERE a.company_id = $1 AND a.subject_kind = $2 AND a.subject_id IN ({}) \
         ORDER BY a.subject_id, a.purpose, a.position",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(company_id).bind(subject_kind);
    for id in subject_ids {
        query = query.bind(id.clone());
    }
    let rows = query.fetch_all(&mut **tx).await?;
    for row in rows {
        by_subject
            .entry(row.try_get("subject_id")?)
            .or_default()
            .push(Attachment::from_row(&row)?);
    }
    Ok(by_subject)
}
