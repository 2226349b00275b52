//! Brute-force limits on sign-in, kept in the database so that every instance enforces the same counts.
//!
//! Per account: the first 5 failures in an hour are free; after that each attempt must wait 2^(n−5) s
//! after the previous failure (capped at 60 s), and at 100 failures in an hour the account refuses
//! attempts until the oldest of them is an hour old. The account is the person the login names, however
//! it is spelt (every spelling of a mobile number or e-mail address is one person), or the login in its
//! canonical form when it names no one. A browser or phone the person signed in from before has an
//! account of its own (`sign_in_devices`), so a stranger's failures never delay or lock out the person
//! on their own device; a correct password clears the count of the account it was typed under.
//! Per client address: at most 300 failures an hour, which stops spraying across many accounts.

use crate::ids::{CompanyId, PersonId};
use std::net::IpAddr;

use sqlx::Row;

use crate::clock::HOUR_MS;
use crate::db::Tx;
use crate::error::{AppError, AppResult};

/// Failures per account per hour before attempts are refused outright.
pub(crate) const ACCOUNT_HOURLY_CAP: i64 = 100;
/// Failures per account before growing delays start.
pub(crate) const FREE_FAILURES: i64 = 5;
/// Longest delay between attempts on one account, in seconds.
pub(crate) const MAX_DELAY_S: i64 = 60;
/// Failures per client address per hour.
pub(crate) const ADDRESS_HOURLY_CAP: i64 = 300;

/// The counters one sign-in attempt is checked against.
pub struct LimitKeys {
    account: Option<String>,
    address: String,
}

/// Which account an attempt is charged to.
pub enum Account<'a> {
    /// A device the person signed in from before (its limit key).
    KnownDevice(String),
    /// The person the login names, from a device not known for them.
    Person(CompanyId, PersonId),
    /// A login that names no one in the company, in its canonical form.
    Login(CompanyId, &'a str),
    /// No company answers to the code typed: only the address counts.
    None,
}

impl LimitKeys {
    /// Keys for an attempt charged to `account` from `ip`.
    pub fn new(account: Account<'_>, ip: IpAddr) -> Self {
        let account = match account {
            Account::KnownDevice(key) => Some(key),
            Account::Person(company, person) => Some(format!("person:{company}:{person}")),
            Account::Login(company, login) => Some(format!("login:{company}:{login}")),
            Account::None => None,
        };
        LimitKeys {
            account,
            address: format!("address:{ip}"),
        }
    }

    fn all(&self) -> impl Iterator<Item = &String> {
        self.account.iter().chain(std::iter::once(&self.address))
    }
}

/// Refuses the attempt with 429 and a Retry-After if either counter is over its limit.
pub async fn check(tx: &mut Tx, keys: &LimitKeys, now: i64) -> AppResult<()> {
    let (count, _, oldest) = window(tx, &keys.address, now).await?;
    if count >= ADDRESS_HOURLY_CAP {
        return Err(AppError::TooManyRequests(seconds_until(
            oldest + HOUR_MS,
            now,
        )));
    }
    let Some(account) = &keys.account else {
        return Ok(());
    };
    let (count, latest, oldest) = window(tx, account, now).await?;
    if count >= ACCOUNT_HOURLY_CAP {
        return Err(AppError::TooManyRequests(seconds_until(
            oldest + HOUR_MS,
            now,
        )));
    }
    if count >= FREE_FAILURES {
        let delay_s = 1i64 << (count - FREE_FAILURES).min(6);
        let next_allowed = latest + delay_s.min(MAX_DELAY_S) * 1000;
        if now < next_allowed {
            return Err(AppError::TooManyRequests(seconds_until(next_allowed, now)));
        }
    }
    Ok(())
}

/// Counts a failed attempt against both keys and forgets failures older than an hour.
pub(crate) async fn record_failure(tx: &mut Tx, keys: &LimitKeys, now: i64) -> sqlx::Result<()> {
    for key in keys.all() {
        sqlx::query("DELETE FROM rate_events WHERE limit_key = $1 AND at < $2")
            .bind(key)
            .bind(now - HOUR_MS)
            .execute(&mut **tx)
            .await?;
        sqlx::query("INSERT INTO rate_events (limit_key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A correct password clears the account's failures (not the address's).
pub(crate) async fn clear_account(tx: &mut Tx, keys: &LimitKeys) -> sqlx::Result<()> {
    if let Some(account) = &keys.account {
        sqlx::query("DELETE FROM rate_events WHERE limit_key = $1")
            .bind(account)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn window(tx: &mut Tx, key: &str, now: i64) -> sqlx::Result<(i64, i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(MAX(at), 0) AS latest, COALESCE(MIN(at), 0) AS oldest \
         FROM rate_events WHERE limit_key = $1 AND at >= $2",
    )
    .bind(key)
    .bind(now - HOUR_MS)
    .fetch_one(&mut **tx)
    .await?;
    Ok((
        row.try_get("n")?,
        row.try_get("latest")?,
        row.try_get("oldest")?,
    ))
}

fn seconds_until(at: i64, now: i64) -> u64 {
    ((at - now).max(0) as u64).div_ceil(1000).max(1)
}

/// Counts one event against `key` and refuses it with 429 when `cap` events already happened in the
/// last hour. For public endpoints (website enquiry forms) limited per address and per form.
pub async fn hit(tx: &mut Tx, key: &str, cap: i64, now: i64) -> AppResult<()> {
    let (count, _, oldest) = window(tx, key, now).await?;
    if count >= cap {
        return Err(AppError::TooManyRequests(seconds_until(
            oldest + HOUR_MS,
            now,
        )));
    }
    sqlx::query("DELETE FROM rate_events WHERE limit_key = $1 AND at < $2")
        .bind(key)
        .bind(now - HOUR_MS)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO rate_events (limit_key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
