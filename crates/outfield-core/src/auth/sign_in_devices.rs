//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser or phone
//! that a person has signed in from gets a cookie naming that device, and failed sign-ins from it count
//! against the device's own allowance instead of the person's. A stranger guessing the password exhausts
//! only the allowance of devices nobody has signed in from, so the person, on their own phone or
//! browser, is never locked out by someone else's attempts.
//!
//! The cookie holds a random token; only its hash is stored, with the person it belongs to.

use crate::ids::{CompanyId, PersonId};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;

use crate::auth::tokens::{hash_token, new_token};
use crate::clock::DAY_MS;
use crate::db::Tx;

/// The cookie's name.
pub const COOKIE: &str = "outfield_device";
/// How long a device stays known without a new sign-in from it.
const LIFETIME_MS: i64 = 180 * DAY_MS;

/// The device cookie a request presented, if any.
pub fn presented(jar: &CookieJar) -> Option<String> {
    jar.get(COOKIE).map(|c| c.value().to_string())
}

/// The limit key of a presented device cookie when it belongs to `person_id` and has not expired.
pub(crate) async fn known_for(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    presented: Option<&str>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let Some(token) = presented else {
        return Ok(None);
    };
    let token_hash = hash_token(token);
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT expires_at FROM sign_in_devices \
         WHERE company_id = $1 AND token_hash = $2 AND person_id = $3 AND expires_at > $4",
    )
    .bind(company_id)
    .bind(&token_hash)
    .bind(person_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(known.map(|_| format!("device:{token_hash}")))
}

/// After a successful sign-in: renews the presented device cookie if it is the person's, or makes a new
/// one, and returns the token to set. Expired devices of the person are forgotten.
pub async fn remember(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    presented: Option<&str>,
    now: i64,
) -> sqlx::Result<String> {
    let (company, person) = (company_id.to_string(), person_id.to_string());
    sqlx::query(
        "DELETE FROM sign_in_devices WHERE company_id = $1 AND person_id = $2 AND expires_at <= $3",
    )
    .bind(&company)
    .bind(&person)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if let Some(token) = presented {
        let renewed = sqlx::query(
            "UPDATE sign_in_devices SET expires_at = $4 \
             WHERE company_id = $1 AND token_hash = $2 AND person_id = $3",
        )
        .bind(&company)
        .bind(hash_token(token))
        .bind(&person)
        .bind(now + LIFETIME_MS)
        .execute(&mut **tx)
        .await?;
        if renewed.rows_affected() == 1 {
            return Ok(token.to_string());
        }
    }
    let token = new_token();
    sqlx::query(
        "INSERT INTO sign_in_devices (company_id, token_hash, person_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&company)
    .bind(hash_token(&token))
    .bind(&person)
    .bind(now)
    .bind(now + LIFETIME_MS)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The device cookie: HttpOnly, SameSite=Lax, Secure when configured, kept for the device's lifetime.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::milliseconds(LIFETIME_MS))
        .build()
}
