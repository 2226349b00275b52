//! Password hashing with argon2id (m = 19 MiB, t = 2, p = 1, the OWASP minimum) off the async runtime.
//!
//! Each hash takes 19 MiB and a core for tens of milliseconds, so at most one runs per core: more at once
//! would make each slower and the server's memory grow with the crowd of sign-ins (300 at once would
//! need 5.7 GiB). The rest wait their turn, for at most [`QUEUE_WAIT`], and are then answered 503 with a
//! `Retry-After`.

use std::sync::{Arc, LazyLock, OnceLock};
use std::time::Duration;

use anyhow::anyhow;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// Longest a password check waits for a free core before the request is answered 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);
/// What a request refused for lack of a free core is told to wait, in seconds.
const RETRY_AFTER_S: u64 = 5;

/// One permit per core for the hashes running at once.
static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores))
});

/// Runs `work` on a blocking thread once one of `permits` is free, waiting at most `wait`. The permit
/// goes with the work, so a request that gives up while its hash runs does not free the core early.
async fn bounded<T: Send + 'static>(
    permits: &Arc<Semaphore>,
    wait: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let permit = tokio::time::timeout(wait, permits.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Busy(RETRY_AFTER_S))?
        .map_err(|e| AppError::Internal(e.into()))?;
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(permit);
        result
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// The parameters every new hash is made with. Verification reads them from the stored hash, so raising
/// them later keeps old hashes valid.
pub fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a new password (≈ 20–50 ms of one core).
pub async fn hash(password: String) -> AppResult<String> {
    let hashed = bounded(&HASHING, QUEUE_WAIT, move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await?;
    Ok(hashed.map_err(|e| anyhow!("hashing failed: {e}"))?)
}

/// Checks a password against a stored hash. Without a stored hash (unknown person, invite not yet
/// accepted) a dummy hash is checked instead, so the answer takes as long either way.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    let matches = bounded(&HASHING, QUEUE_WAIT, move || {
        let parsed =
            PasswordHash::new(&stored).map_err(|e| anyhow!("stored hash unreadable: {e}"))?;
        Ok::<bool, anyhow::Error>(
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await??;
    Ok(known && matches)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        hasher()
            .hash_password(b"outfield-dummy", &salt)
            .expect("hash")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_waits_for_a_free_core_and_then_is_refused_as_busy() {
        let permits = Arc::new(Semaphore::new(1));
        let held = permits.clone().acquire_owned().await.unwrap();
        let refused = bounded(&permits, Duration::from_millis(50), || 1).await;
        assert!(matches!(refused, Err(AppError::Busy(RETRY_AFTER_S))));
        let waiting = tokio::spawn({
            let permits = permits.clone();
            async move { bounded(&permits, Duration::from_secs(5), || 2).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(held);
        assert_eq!(waiting.await.unwrap().unwrap(), 2);
        assert_eq!(permits.available_permits(), 1, "the permit came back");
    }

    #[tokio::test]
    async fn a_busy_answer_is_503_with_retry_after() {
        use axum::response::IntoResponse;
        let response = AppError::Busy(RETRY_AFTER_S).into_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "5");
    }
}
