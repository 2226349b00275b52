//! Sign-in: checking a company code, login and password under the brute-force limits, then opening a
//! console session or issuing a field-app device token. Every attempt lands in the company's audit trail.

use serde::Deserialize;
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::client::ClientInfo;
use crate::auth::limits::{self, LimitKeys};
use crate::auth::{devices, passwords, sessions, Scope};
use crate::clock::now_ms;
use crate::companies::domain::CompanySlug;
use crate::db::{get_uuid, Db};
use crate::error::{AppError, AppResult};
use crate::people::domain::{Email, PhoneNumber, Role};

/// What a person types to sign in.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The company code (shown to every member, e.g. `sharma-distributors`).
    pub company: String,
    /// E-mail address or mobile number.
    pub login: String,
    /// Password.
    pub password: String,
}

/// A person whose password has just been checked.
pub struct Verified {
    /// Their scope from now on.
    pub scope: Scope,
    keys: LimitKeys,
}

/// How a person identifies themselves: by e-mail or by mobile number.
enum Login {
    Email(Email),
    Mobile(PhoneNumber),
}

impl Login {
    fn parse(raw: &str) -> Option<Login> {
        if raw.contains('@') {
            Email::parse(raw).ok().map(Login::Email)
        } else {
            PhoneNumber::parse(raw).ok().map(Login::Mobile)
        }
    }

    fn column_and_value(&self) -> (&'static str, &str) {
        match self {
            Login::Email(email) => ("email", email.as_str()),
            Login::Mobile(mobile) => ("mobile", mobile.as_str()),
        }
    }
}

struct Candidate {
    person_id: Uuid,
    role: Role,
    password_hash: Option<String>,
    active: bool,
}

/// Checks credentials. Unknown company, unknown login, wrong password, deactivated person and a person
/// who has not set a password yet all get the same answer after the same work.
pub async fn verify(db: &Db, credentials: Credentials, client: &ClientInfo) -> AppResult<Verified> {
    if credentials.password.len() > 1024 || credentials.login.len() > 254 {
        return Err(AppError::BadCredentials);
    }
    let now = now_ms();
    let login = Login::parse(&credentials.login);
    let mut tx = db.system().await?;
    let company_id = match CompanySlug::parse(&credentials.company) {
        Ok(slug) => sqlx::query("SELECT id FROM companies WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| get_uuid(&row, "id"))
            .transpose()?,
        Err(_) => None,
    };
    let keys = LimitKeys::new(company_id, &credentials.login, client.ip);
    limits::check(&mut tx, &keys, now).await?;
    let candidate = match (company_id, &login) {
        (Some(company_id), Some(login)) => find_candidate(&mut tx, company_id, login).await?,
        _ => None,
    };
    tx.commit().await?;

    let stored_hash = candidate.as_ref().and_then(|c| c.password_hash.clone());
    let password_ok = passwords::verify(credentials.password, stored_hash).await?;
    match (company_id, candidate) {
        (Some(company_id), Some(candidate)) if password_ok && candidate.active => Ok(Verified {
            scope: Scope::verified(company_id, candidate.person_id, candidate.role),
            keys,
        }),
        (company_id, candidate) => {
            let reason = match &candidate {
                None => "unknown login",
                Some(c) if !c.active => "person deactivated",
                Some(c) if c.password_hash.is_none() => "no password set yet",
                Some(_) => "wrong password",
            };
            let mut tx = db.system().await?;
            limits::record_failure(&mut tx, &keys, now).await?;
            if company_id.is_none() {
                // No company's trail can hold it; the server log does, for the operator.
                tracing::warn!(ip = %client.ip, "sign-in attempt with an unknown company code");
            }
            if let Some(company_id) = company_id {
                let actor = Actor::anonymous(company_id, candidate.map(|c| c.person_id), client);
                let event =
                    AuditEvent::new("auth.sign_in_failed", "login", credentials.login.trim())
                        .with(json!({ "reason": reason }));
                audit::record(&mut tx, &actor, event).await?;
            }
            tx.commit().await?;
            Err(AppError::BadCredentials)
        }
    }
}

async fn find_candidate(
    tx: &mut crate::db::Tx,
    company_id: Uuid,
    login: &Login,
) -> AppResult<Option<Candidate>> {
    let (column, value) = login.column_and_value();
    let row = sqlx::query(&format!(
        "SELECT id, role, password_hash, deactivated_at FROM people WHERE company_id = $1 AND {column} = $2"
    ))
    .bind(company_id.to_string())
    .bind(value)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    Ok(Some(Candidate {
        person_id: get_uuid(&row, "id")?,
        role: Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown stored role {role}"))?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get::<Option<i64>, _>("deactivated_at")?.is_none(),
    }))
}

/// Opens a console session for a verified person, ending the session the browser presented (rotation).
pub async fn start_session(
    db: &Db,
    verified: Verified,
    remember: bool,
    presented: Option<String>,
    client: &ClientInfo,
) -> AppResult<sessions::NewSession> {
    let scope = &verified.scope;
    let mut tx = db.system().await?;
    limits::clear_account(&mut tx, &verified.keys).await?;
    if let Some(old) = presented {
        sessions::delete(&mut tx, &old).await?;
    }
    let session = sessions::create(
        &mut tx,
        scope.company_id(),
        scope.person_id(),
        remember,
        client,
    )
    .await?;
    let actor = Actor::anonymous(scope.company_id(), Some(scope.person_id()), client);
    let event = AuditEvent::new("auth.signed_in", "person", scope.person_id())
        .with(json!({ "via": "session", "remember": remember }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(session)
}

/// Issues a device token for the field app to a verified person.
pub async fn issue_device_token(
    db: &Db,
    verified: Verified,
    label: &str,
    client: &ClientInfo,
) -> AppResult<(Uuid, String)> {
    let scope = &verified.scope;
    let mut tx = db.system().await?;
    limits::clear_account(&mut tx, &verified.keys).await?;
    let (device_id, token) = devices::issue(
        &mut tx,
        scope.company_id(),
        scope.person_id(),
        label,
        client,
    )
    .await?;
    let actor = Actor::anonymous(scope.company_id(), Some(scope.person_id()), client);
    let event = AuditEvent::new("auth.device_token_issued", "device", device_id)
        .with(json!({ "label": label }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok((device_id, token))
}
