//! One-time links: an invitation to set a first password, or a password reset. The token is in the link
//! and only its hash is stored; a link works once, expires, and is void when the person is deactivated.

use crate::ids::{CompanyId, PersonId};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::client::ClientInfo;
use crate::auth::tokens::{hash_token, new_token};
use crate::auth::{devices, passwords, sessions};
use crate::clock::{now_ms, DAY_MS};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::people::domain::NewPassword;

/// Why a link was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// A new person sets their first password (valid 7 days).
    Invite,
    /// A person who forgot their password sets a new one (valid 1 day).
    Reset,
}

/// A stored purpose: `invite`, anything else is a reset.
impl From<String> for LinkPurpose {
    fn from(stored: String) -> Self {
        if stored == "invite" {
            LinkPurpose::Invite
        } else {
            LinkPurpose::Reset
        }
    }
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
        }
    }

    fn lifetime_ms(self) -> i64 {
        match self {
            LinkPurpose::Invite => 7 * DAY_MS,
            LinkPurpose::Reset => DAY_MS,
        }
    }
}

/// Creates a link for a person, voiding their earlier unused links, and returns its URL path.
pub async fn create(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    purpose: LinkPurpose,
) -> sqlx::Result<String> {
    let now = now_ms();
    void_all_for(tx, company_id, person_id).await?;
    let token = new_token();
    sqlx::query(
        "INSERT INTO one_time_links (token_hash, company_id, person_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash_token(&token))
    .bind(company_id)
    .bind(person_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(now + purpose.lifetime_ms())
    .execute(&mut **tx)
    .await?;
    Ok(format!("/welcome/{token}"))
}

/// Voids every unused link of a person (a new link, or deactivation).
pub(crate) async fn void_all_for(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE one_time_links SET used_at = $1 WHERE company_id = $2 AND person_id = $3 AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(company_id)
    .bind(person_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the set-password page shows about a valid link.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub(crate) struct LinkInfo {
    /// Invitation or reset.
    #[sqlx(try_from = "String")]
    pub purpose: LinkPurpose,
    /// The person's name.
    pub name: String,
    /// The person's e-mail.
    pub email: String,
    /// Their company's name.
    pub company_name: String,
    /// Their company's sign-in code.
    #[sqlx(rename = "slug")]
    pub company: String,
}

#[derive(sqlx::FromRow)]
struct ValidLink {
    #[sqlx(skip)]
    token_hash: String,
    company_id: CompanyId,
    person_id: PersonId,
    #[sqlx(flatten)]
    info: LinkInfo,
}

async fn find_valid(tx: &mut Tx, token: &str) -> AppResult<ValidLink> {
    let token_hash = hash_token(token);
    let link: ValidLink = sqlx::query_as(
        "SELECT l.company_id, l.person_id, l.purpose, p.name, p.email, c.name AS company_name, c.slug \
         FROM one_time_links l \
         JOIN people p ON p.company_id = l.company_id AND p.id = l.person_id \
         JOIN companies c ON c.id = l.company_id \
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND p.deactivated_at IS NULL",
    )
    .bind(&token_hash)
    .bind(now_ms())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(ValidLink { token_hash, ..link })
}

/// Describes a valid link; 404 for an unknown, used or expired one.
pub(crate) async fn inspect(db: &Db, token: &str) -> AppResult<LinkInfo> {
    let mut tx = db.system_read().await?;
    let link = find_valid(&mut tx, token).await?;
    tx.commit().await?;
    Ok(link.info)
}

/// Sets the password through a link, uses it up, and ends every session and device of the person (a reset
/// may follow a stolen password).
pub(crate) async fn redeem(
    db: &Db,
    token: &str,
    password: NewPassword,
    client: &ClientInfo,
) -> AppResult<LinkInfo> {
    // The token first: an unknown one costs no password hash (hashes are bounded per core, and a
    // stranger's made-up links must not take their turn from real sign-ins).
    inspect(db, token).await?;
    let hash = passwords::hash(password.into()).await?;
    let mut tx = db.system().await?;
    let link = find_valid(&mut tx, token).await?;
    // Conditional, so that of concurrent redemptions exactly one uses the link: the others wait for its
    // row lock, then find it used.
    let claimed = sqlx::query(
        "UPDATE one_time_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(&link.token_hash)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    set_password(&mut tx, link.company_id, link.person_id, &hash).await?;
    sessions::delete_all_for(&mut tx, link.company_id, link.person_id).await?;
    devices::revoke_all_for(&mut tx, link.company_id, link.person_id).await?;
    let actor = Actor::anonymous(link.company_id, Some(link.person_id), client);
    let event = AuditEvent::new(crate::audit::actions::AUTH_PASSWORD_SET, link.person_id)
        .with(json!({ "through": link.info.purpose }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(link.info)
}

/// Stores a new password hash.
pub(crate) async fn set_password(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE people SET password_hash = $1, updated_at = $2 WHERE company_id = $3 AND id = $4",
    )
    .bind(hash)
    .bind(now_ms())
    .bind(company_id)
    .bind(person_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
