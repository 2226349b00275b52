//! Brute-force limits on sign-in, kept in the database so that every instance enforces the same counts.
//!
//! Per account: the first 5 failures in an hour are free; after that each attempt must wait 2^(n−5) s
//! after the previous failure (capped at 60 s), and at 100 failures in an hour the account refuses
//! attempts until the oldest of them is an hour old. The account is the person the login names, however
//! it is spelt (every spelling of a mobile number or e-mail address is one person), or the login in its
//! canonical form when it names no one. A browser or phone the person signed in from before has an
//! account of its own (`sign_in_devices`), so a stranger's failures never delay or lock out the person
//! on their own device; a correct password clears the count of the account it was typed under.
//! Per client address: at most 300 failures an hour from devices not known for the person, which stops
//! spraying across many accounts without locking out the known devices behind the same address.
//!
//! Every attempt is counted before its password is checked, in the same step as the check.

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
    known_device: bool,
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
        let known_device = matches!(account, Account::KnownDevice(_));
        let account = match account {
            Account::KnownDevice(key) => Some(key),
            Account::Person(company, person) => Some(format!("person:{company}:{person}")),
            Account::Login(company, login) => Some(format!("login:{company}:{login}")),
            Account::None => None,
        };
        LimitKeys {
            account,
            address: format!("address:{ip}"),
            known_device,
        }
    }
}

/// An attempt counted against its keys before the password is checked.
pub struct Reservation {
    keys: LimitKeys,
    attempt: String,
}

/// Counts the attempt against its keys, or refuses it with 429 and a Retry-After when a counter is over
/// its limit. Checking and counting are one step under a lock of each key, so attempts sent at the same
/// moment are counted one after the other and at most the allowance of them reach the password check. The
/// count stands as a failure unless [`Reservation::succeeded`] takes it back.
///
/// A device the person signed in from before is held to its own allowance only: neither refused nor
/// counted by the address, so a stranger's guessing from the same address (an office or carrier NAT)
/// never locks the person out on their own phone or browser.
pub async fn reserve(tx: &mut Tx, keys: LimitKeys, now: i64) -> AppResult<Reservation> {
    let counted: Vec<&String> = match &keys.account {
        Some(account) if keys.known_device => vec![account],
        Some(account) => vec![account, &keys.address],
        None => vec![&keys.address],
    };
    lock_keys(tx, &counted).await?;
    if !keys.known_device {
        let (count, _, oldest) = window(tx, &keys.address, now).await?;
        if count >= ADDRESS_HOURLY_CAP {
            return Err(AppError::TooManyRequests(seconds_until(
                oldest + HOUR_MS,
                now,
            )));
        }
    }
    if let Some(account) = &keys.account {
        check_account(tx, account, now).await?;
    }
    let attempt = uuid::Uuid::new_v4().to_string();
    for key in counted {
        count_event(tx, key, Some(&attempt), now).await?;
    }
    Ok(Reservation { keys, attempt })
}

async fn check_account(tx: &mut Tx, account: &str, now: i64) -> AppResult<()> {
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

impl Reservation {
    /// The password was never checked (the server was busy or failed): the attempt counts against
    /// nothing.
    pub(crate) async fn withdraw(&self, tx: &mut Tx) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM rate_events WHERE attempt = $1")
            .bind(&self.attempt)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A correct password: the account's failures are cleared and this attempt no longer counts against
    /// the address.
    pub(crate) async fn succeeded(&self, tx: &mut Tx) -> sqlx::Result<()> {
        if let Some(account) = &self.keys.account {
            sqlx::query("DELETE FROM rate_events WHERE limit_key = $1")
                .bind(account)
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("DELETE FROM rate_events WHERE limit_key = $1 AND attempt = $2")
            .bind(&self.keys.address)
            .bind(&self.attempt)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// Serialises the transactions that count against the same keys, in one order so that two of them never
/// wait for each other. SQLite needs nothing: a write transaction holds the database's one write lock.
async fn lock_keys(tx: &mut Tx, keys: &[&String]) -> sqlx::Result<()> {
    let mut sorted = keys.to_vec();
    sorted.sort();
    for key in sorted {
        crate::db::dialect::Dialect::of(tx)
            .lock_name(tx, key)
            .await?;
    }
    Ok(())
}

/// Records one event against `key` and forgets its events older than an hour.
async fn count_event(tx: &mut Tx, key: &str, attempt: Option<&str>, now: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM rate_events WHERE limit_key = $1 AND at < $2")
        .bind(key)
        .bind(now - HOUR_MS)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO rate_events (limit_key, at, attempt) VALUES ($1, $2, $3)")
        .bind(key)
        .bind(now)
        .bind(attempt)
        .execute(&mut **tx)
        .await?;
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
/// last hour. For public endpoints (website enquiry forms) limited per address and per form. The check
/// and the count are one step under the key's lock, like sign-in's.
pub async fn hit(tx: &mut Tx, key: &str, cap: i64, now: i64) -> AppResult<()> {
    crate::db::dialect::Dialect::of(tx)
        .lock_name(tx, key)
        .await?;
    let (count, _, oldest) = window(tx, key, now).await?;
    if count >= cap {
        return Err(AppError::TooManyRequests(seconds_until(
            oldest + HOUR_MS,
            now,
        )));
    }
    count_event(tx, key, None, now).await?;
    Ok(())
}
