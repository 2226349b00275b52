//! Console sessions: random tokens in an HttpOnly cookie, stored hashed, with idle and absolute expiry.

use crate::ids::{CompanyId, PersonId};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::auth::client::ClientInfo;
use crate::auth::tokens::{hash_token, new_token};
use crate::clock::{now_ms, DAY_MS, HOUR_MS, MINUTE_MS};
use crate::db::columns::StoredBool;
use crate::db::Tx;

/// Name of the session cookie.
pub const COOKIE: &str = "outfield_session";

/// How long a session lives without use, and at most, depending on "keep me signed in".
pub(crate) fn lifetimes(remember: bool) -> (i64, i64) {
    if remember {
        (14 * DAY_MS, 30 * DAY_MS)
    } else {
        (2 * HOUR_MS, 12 * HOUR_MS)
    }
}

/// Writes of `last_seen_at` are skipped when the previous one is this recent, so reads stay reads.
pub(crate) const TOUCH_INTERVAL_MS: i64 = 5 * MINUTE_MS;

/// A session just created: the raw token goes into the cookie and is never stored.
pub struct NewSession {
    /// The cookie value.
    pub token: String,
    /// The token forms and API clients must echo on state-changing requests.
    pub csrf_token: String,
    /// Absolute expiry (Unix ms).
    pub expires_at: i64,
}

/// Creates a session for a person who has just proved who they are.
pub async fn create(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    remember: bool,
    client: &ClientInfo,
) -> sqlx::Result<NewSession> {
    let token = new_token();
    let csrf_token = new_token();
    let now = now_ms();
    let expires_at = now + lifetimes(remember).1;
    sqlx::query(
        "INSERT INTO sessions (token_hash, company_id, person_id, csrf_token, remember, ip, user_agent, \
         created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
    )
    .bind(hash_token(&token))
    .bind(company_id)
    .bind(person_id)
    .bind(&csrf_token)
    .bind(remember as i64)
    .bind(client.ip.to_string())
    .bind(&client.user_agent)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(NewSession {
        token,
        csrf_token,
        expires_at,
    })
}

/// Ends one session (sign-out, or the old session at sign-in: rotation).
pub async fn delete(tx: &mut Tx, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Ends every session of a person (sign-out everywhere, password change, deactivation).
pub(crate) async fn delete_all_for(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE company_id = $1 AND person_id = $2")
        .bind(company_id)
        .bind(person_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Records use of a session, which pushes its idle expiry forward.
pub async fn touch(tx: &mut Tx, token_hash: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A session's lifetime columns, as authentication reads them with the person.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionTimes {
    #[sqlx(try_from = "StoredBool")]
    remember: bool,
    /// When the session was last used (Unix ms).
    pub last_seen_at: i64,
    expires_at: i64,
}

impl SessionTimes {
    /// Whether a stored session is still valid at `now`.
    pub(crate) fn is_live(&self, now: i64) -> bool {
        let (idle, _) = lifetimes(self.remember);
        now < self.expires_at && now < self.last_seen_at + idle
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when configured; persistent only if remembered.
pub fn cookie(token: String, remember: bool, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    if remember {
        cookie.set_max_age(Some(time_duration(lifetimes(true).1)));
    }
    cookie
}

/// A cookie that removes the session cookie from the browser.
pub(crate) fn removal_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .build();
    cookie.make_removal();
    cookie
}

fn time_duration(ms: i64) -> time::Duration {
    time::Duration::milliseconds(ms)
}
