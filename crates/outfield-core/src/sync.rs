//! The records devices push, as the features that apply them see them (the dispatcher that claims and
//! routes them is the binary's `sync` module; the protocol is in `docs/SYNC.md`).
//!
//! A feature applies a record kind with an [`Apply`] function that either stores it or rejects it with
//! a reason the employee can act on ([`ApplyError::Rejected`]); any other failure is a fault
//! ([`ApplyError::Fault`]) that fails the whole push, so nothing is half-stored.

use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::Actor;
use crate::db::Tx;
use crate::error::AppError;
use crate::kernel::scope::Scope;

/// A record being applied, with the server's receive time.
pub struct Incoming {
    /// Device-given id.
    pub id: Uuid,
    /// Record type.
    pub kind: String,
    /// Device time (Unix ms).
    pub device_time: i64,
    /// Server receive time (Unix ms): the authority for anything that matters.
    pub received_at: i64,
    /// Content, as the device sent it: parsed once, straight into the shape of its kind.
    pub payload: Box<serde_json::value::RawValue>,
}

impl Incoming {
    /// Parses the payload into a record type's shape, or rejects the record with serde's reason.
    pub fn payload_as<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        serde_json::from_str(self.payload.get()).map_err(|e| Rejection::of_json("payload", &e))
    }

    /// The hash the exactly-once ledger keeps, to tell a replay from a different record under a used id.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.kind.as_bytes());
        hasher.update([0]);
        hasher.update(self.device_time.to_be_bytes());
        // The canonical form (keys sorted, no spaces), so a replay hashes alike however it is spaced.
        let canonical = serde_json::from_str::<serde_json::Value>(self.payload.get()).map_or_else(
            |_| self.payload.get().to_string(),
            |value| value.to_string(),
        );
        hasher.update(canonical.as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// The answer for a record id this person cannot use: one another person's record already has (answered
/// as any unusable id, never as "duplicate" or "already used", which would tell that the record exists
/// and, for a duplicate, what it holds), or one no device makes (the nil and the all-ones UUID).
pub const UNUSABLE_ID: &str = "id cannot be used for a record: give the record a new id";

/// The answer for a second, different record under an id this person already used.
pub const ID_USED_BEFORE: &str = "this id was already used for a different record";

/// Why a record was not stored, in words the employee can act on.
#[derive(Debug, Clone)]
pub struct Rejection(pub String);

impl Rejection {
    /// A rejection with a reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Rejection(reason.into())
    }

    /// A rejection with serde's reason for JSON that is not of the expected shape, under `what`,
    /// without the line and column serde adds (they count within the record, not in anything the
    /// employee sees).
    pub fn of_json(what: &str, error: &serde_json::Error) -> Self {
        let text = error.to_string();
        let reason = match text.rfind(" at line ") {
            Some(at) if error.line() > 0 => &text[..at],
            _ => text.as_str(),
        };
        Rejection(format!("{what}: {reason}"))
    }
}

/// The answer for one pushed record.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Stored now.
    Accepted,
    /// Already stored with the same content; nothing changed.
    Duplicate,
    /// Not stored; `reason` says why. Sending it again will not help unless it is changed.
    Rejected,
}

/// Why applying a record did not store it: the record was refused (answered to the device, the rest of
/// the batch goes on) or the server failed (the push fails and is retried).
#[derive(Debug)]
pub enum ApplyError {
    /// The record cannot be stored as it is.
    Rejected(Rejection),
    /// A failure of the server or the database.
    Fault(AppError),
}

/// What applying one record gives.
pub type Applied = Result<(), ApplyError>;

impl From<Rejection> for ApplyError {
    fn from(rejection: Rejection) -> Self {
        ApplyError::Rejected(rejection)
    }
}

impl From<AppError> for ApplyError {
    fn from(error: AppError) -> Self {
        ApplyError::Fault(error)
    }
}

impl From<sqlx::Error> for ApplyError {
    fn from(error: sqlx::Error) -> Self {
        ApplyError::Fault(error.into())
    }
}

impl From<anyhow::Error> for ApplyError {
    fn from(error: anyhow::Error) -> Self {
        ApplyError::Fault(AppError::Internal(error))
    }
}

/// Rejects a record with a reason: `return reject("…")` or `Err(reject("…"))?`.
pub fn reject(reason: impl Into<String>) -> ApplyError {
    ApplyError::Rejected(Rejection::new(reason))
}

/// The function that applies one record kind inside the push's transaction.
pub(crate) type Apply =
    for<'a> fn(&'a mut Tx, &'a Scope, &'a Actor, &'a Incoming) -> BoxFuture<'a, Applied>;

/// A record kind a feature applies: the binary's dispatcher routes each pushed record by its `kind`.
#[derive(Clone, Copy)]
pub struct RecordKind {
    /// The `kind` devices send.
    pub name: &'static str,
    /// Stores or rejects one record.
    pub apply: Apply,
}
