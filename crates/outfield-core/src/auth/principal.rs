//! Authentication of each request: a bearer device token or the session cookie becomes a [`Principal`].
//!
//! This is the only place a [`Scope`] is made from a request. A deactivated person, a revoked device
//! token or an expired session all end here, on the very next request.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::CookieJar;
use sqlx::FromRow;
use uuid::Uuid;

use crate::auth::tokens::{constant_time_eq, hash_token};
use crate::auth::{devices, sessions};
use crate::clock::now_ms;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::{CompanyId, PersonId};
use crate::kernel::scope::Scope;
use crate::people::domain::{ConsolePath, Language, Role};

/// Header carrying the CSRF token on cookie-authenticated API calls that change state.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// A verified person acting in a request.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The tenant scope every store call of this request uses.
    pub scope: Scope,
    /// The person's name, for greetings and the audit trail.
    pub name: String,
    /// The person's e-mail.
    pub email: String,
    /// Remembered interface language.
    pub language: Language,
    /// Remembered last console view, restored after sign-in.
    pub last_view: Option<ConsolePath>,
    /// The company's display name.
    pub company_name: String,
    /// How the request proved who it is.
    pub credential: Credential,
}

/// The credential behind a [`Principal`].
#[derive(Debug, Clone)]
pub enum Credential {
    /// A console session (cookie).
    Session {
        /// Hash of the cookie token: identifies the session for sign-out.
        token_hash: String,
        /// The session's CSRF token.
        csrf_token: String,
    },
    /// A field-app device token (bearer).
    Device {
        /// Id of the device token.
        device_id: Uuid,
    },
}

impl Principal {
    /// The session's CSRF token (empty for device tokens, which are not sent by browsers on their own).
    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::Device { .. } => "",
        }
    }

    /// Fails unless `offered` is this session's CSRF token. Bearer requests need none.
    pub fn check_csrf(&self, offered: Option<&str>) -> AppResult<()> {
        match &self.credential {
            Credential::Device { .. } => Ok(()),
            Credential::Session { csrf_token, .. } => match offered {
                Some(offered) if constant_time_eq(offered, csrf_token) => Ok(()),
                _ => Err(AppError::Csrf),
            },
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal
where
    Db: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(principal.clone());
        }
        let principal = authenticate(parts, &Db::from_ref(state))
            .await?
            .ok_or(AppError::Unauthorized)?;
        let changes_state = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state && parts.uri.path().starts_with("/api/") {
            let offered = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            principal.check_csrf(offered)?;
        }
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

/// Finds the principal of a request, if it carries a valid credential.
pub(crate) async fn authenticate(parts: &Parts, db: &Db) -> AppResult<Option<Principal>> {
    if let Some(token) = bearer_token(parts) {
        return by_device_token(db, &hash_token(token)).await;
    }
    let jar = CookieJar::from_headers(&parts.headers);
    match jar.get(sessions::COOKIE) {
        Some(cookie) => by_session(db, &hash_token(cookie.value())).await,
        None => Ok(None),
    }
}

/// The hash of the session token the request presents, if any (to end it at sign-in: rotation).
pub(crate) fn presented_session(jar: &CookieJar) -> Option<String> {
    jar.get(sessions::COOKIE)
        .map(|cookie| hash_token(cookie.value()))
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::trim)
}

const PERSON_COLUMNS: &str =
    "p.company_id, p.id AS person_id, p.role, p.name, p.email, p.language, \
     p.last_view, c.name AS company_name";

/// The person and company columns of a credential's row ([`PERSON_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct PersonColumns {
    company_id: CompanyId,
    person_id: PersonId,
    #[sqlx(try_from = "String")]
    role: Role,
    name: String,
    email: String,
    #[sqlx(try_from = "String")]
    language: Language,
    last_view: Option<String>,
    company_name: String,
}

/// A session with its person.
#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    person: PersonColumns,
    #[sqlx(flatten)]
    times: sessions::SessionTimes,
    csrf_token: String,
}

/// A device token with its person.
#[derive(sqlx::FromRow)]
struct DeviceRow {
    #[sqlx(flatten)]
    person: PersonColumns,
    #[sqlx(try_from = "String")]
    device_id: Uuid,
    last_used_at: i64,
}

async fn by_session(db: &Db, token_hash: &str) -> AppResult<Option<Principal>> {
    let sql = format!(
        "SELECT {PERSON_COLUMNS}, s.csrf_token, s.remember, s.last_seen_at, s.expires_at \
         FROM sessions s \
         JOIN people p ON p.company_id = s.company_id AND p.id = s.person_id \
         JOIN companies c ON c.id = s.company_id \
         WHERE s.token_hash = $1 AND p.deactivated_at IS NULL"
    );
    let Some(row) = db.system_lookup(&sql, token_hash).await? else {
        return Ok(None);
    };
    let session = SessionRow::from_row(&row)?;
    let now = now_ms();
    if !session.times.is_live(now) {
        return Ok(None);
    }
    if now - session.times.last_seen_at > sessions::TOUCH_INTERVAL_MS {
        let mut tx = db.system().await?;
        sessions::touch(&mut tx, token_hash, now).await?;
        tx.commit().await?;
    }
    let credential = Credential::Session {
        token_hash: token_hash.to_string(),
        csrf_token: session.csrf_token,
    };
    Ok(Some(principal_of(session.person, credential)))
}

async fn by_device_token(db: &Db, token_hash: &str) -> AppResult<Option<Principal>> {
    let sql = format!(
        "SELECT {PERSON_COLUMNS}, d.id AS device_id, d.last_used_at \
         FROM device_tokens d \
         JOIN people p ON p.company_id = d.company_id AND p.id = d.person_id \
         JOIN companies c ON c.id = d.company_id \
         WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND p.deactivated_at IS NULL"
    );
    let Some(row) = db.system_lookup(&sql, token_hash).await? else {
        return Ok(None);
    };
    let device = DeviceRow::from_row(&row)?;
    let now = now_ms();
    if now - device.last_used_at > sessions::TOUCH_INTERVAL_MS {
        let mut tx = db.system().await?;
        devices::touch(&mut tx, token_hash, now).await?;
        tx.commit().await?;
    }
    let credential = Credential::Device {
        device_id: device.device_id,
    };
    Ok(Some(principal_of(device.person, credential)))
}

fn principal_of(person: PersonColumns, credential: Credential) -> Principal {
    Principal {
        scope: Scope::verified(person.company_id, person.person_id, person.role),
        name: person.name,
        email: person.email,
        language: person.language,
        last_view: stored_view(person.last_view),
        company_name: person.company_name,
        credential,
    }
}

/// The remembered console view, if it is still a valid one: a value stored under older rules (or altered
/// in the database) is ignored, so that it can never make a page fail.
fn stored_view(raw: Option<String>) -> Option<ConsolePath> {
    let raw = raw?;
    ConsolePath::parse(&raw)
        .inspect_err(
            |_| tracing::warn!(value = %raw.escape_debug(), "ignoring an invalid remembered view"),
        )
        .ok()
}
