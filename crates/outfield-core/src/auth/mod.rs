//! Identity and access: who is making a request, and the only place a tenant [`Scope`] is created.
//!
//! Sessions (console cookie), device tokens (field app bearer), one-time links (invite, reset), password
//! hashing, brute-force limits and the client address all live here.

pub mod api;
pub mod client;
pub mod console;
pub mod devices;
pub mod limits;
pub mod links;
pub mod passwords;
pub mod principal;
pub mod sessions;
pub mod sign_in;
pub mod sign_in_devices;
pub mod tokens;

pub use crate::kernel::scope::Scope;
pub use client::ClientInfo;
pub use principal::{Credential, Principal};

use serde_json::json;

use crate::audit::{self, Actor, AuditEvent};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::people::domain::NewPassword;

/// Changes the signed-in person's password after checking the current one, and ends every other session
/// and every device token (a changed password usually means the old one may be known).
pub(crate) async fn change_password(
    db: &Db,
    principal: &Principal,
    actor: &Actor,
    current: String,
    new: NewPassword,
) -> AppResult<()> {
    let scope = &principal.scope;
    let mut tx = db.tenant_read(scope).await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM people WHERE company_id = $1 AND id = $2")
            .bind(scope.company_id())
            .bind(scope.person_id())
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    if current.len() > 1024 || !passwords::verify(current, stored).await? {
        return Err(AppError::field(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = passwords::hash(new.into()).await?;
    let mut tx = db.tenant(scope).await?;
    links::set_password(&mut tx, scope.company_id(), scope.person_id(), &hash).await?;
    end_other_credentials(&mut tx, principal).await?;
    audit::record(
        &mut tx,
        actor,
        AuditEvent::new(
            crate::audit::actions::AUTH_PASSWORD_CHANGED,
            scope.person_id(),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session and device token of the signed-in person except the one making the request.
pub(crate) async fn sign_out_everywhere(
    db: &Db,
    principal: &Principal,
    actor: &Actor,
) -> AppResult<()> {
    let scope = &principal.scope;
    let mut tx = db.tenant(scope).await?;
    let (sessions_ended, devices_revoked) = end_other_credentials(&mut tx, principal).await?;
    let event = AuditEvent::new(
        crate::audit::actions::AUTH_SIGNED_OUT_EVERYWHERE,
        scope.person_id(),
    )
    .with(json!({ "ended_sessions": sessions_ended, "revoked_devices": devices_revoked }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

async fn end_other_credentials(
    tx: &mut crate::db::Tx,
    principal: &Principal,
) -> sqlx::Result<(u64, u64)> {
    let (company, person) = (
        principal.scope.company_id().to_string(),
        principal.scope.person_id().to_string(),
    );
    let keep_session = match &principal.credential {
        Credential::Session { token_hash, .. } => token_hash.clone(),
        Credential::Device { .. } => String::new(),
    };
    let keep_device = match &principal.credential {
        Credential::Device { device_id } => device_id.to_string(),
        Credential::Session { .. } => String::new(),
    };
    let sessions = sqlx::query(
        "DELETE FROM sessions WHERE company_id = $1 AND person_id = $2 AND token_hash <> $3",
    )
    .bind(&company)
    .bind(&person)
    .bind(keep_session)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let devices = sqlx::query(
        "UPDATE device_tokens SET revoked_at = $1 WHERE company_id = $2 AND person_id = $3 \
         AND revoked_at IS NULL AND id <> $4",
    )
    .bind(crate::clock::now_ms())
    .bind(&company)
    .bind(&person)
    .bind(keep_device)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((sessions, devices))
}

/// Ends the request's own credential (sign-out), auditing it.
pub(crate) async fn sign_out(db: &Db, principal: &Principal, actor: &Actor) -> AppResult<()> {
    let scope = &principal.scope;
    let mut tx = db.tenant(scope).await?;
    match &principal.credential {
        Credential::Session { token_hash, .. } => sessions::delete(&mut tx, token_hash).await?,
        Credential::Device { device_id } => {
            devices::revoke(&mut tx, scope.company_id(), scope.person_id(), *device_id).await?
        }
    }
    audit::record(
        &mut tx,
        actor,
        AuditEvent::new(crate::audit::actions::AUTH_SIGNED_OUT, scope.person_id()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::kernel::tests::rust_sources;

    /// Whether a line of code (not a comment) names the constructor `verified`, called or not.
    fn names_the_constructor(line: &str) -> bool {
        let code = line.split("//").next().unwrap_or_default();
        code.match_indices("verified").any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + "verified".len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    }

    /// A `Scope` is made only here, from a verified credential: no module of the core outside `auth/`
    /// (and the type's own file) names its constructor; other crates cannot, it is private to the core.
    #[test]
    fn only_authentication_makes_a_scope() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files = rust_sources(&src);
        let naming = |file: &PathBuf| {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .any(names_the_constructor)
        };
        let makers: Vec<String> = files
            .iter()
            .filter(|file| naming(file))
            .map(|file| file.strip_prefix(&src).unwrap().display().to_string())
            .collect();
        assert!(
            makers.iter().any(|file| file.starts_with("auth/")),
            "the scan finds authentication's calls: {makers:?}"
        );
        assert!(
            makers
                .iter()
                .all(|file| file.starts_with("auth/") || file == "kernel/scope.rs"),
            "a Scope is made outside auth: {makers:?}"
        );
        assert!(names_the_constructor("let make = Scope::verified;"));
        assert!(!names_the_constructor("// a verified person"));
    }
}
