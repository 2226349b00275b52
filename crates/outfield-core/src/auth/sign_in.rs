//! Sign-in: checking a company code, login and password under the brute-force limits, then opening a
//! console session or issuing a field-app device token. Every attempt lands in the company's audit trail.

use crate::db::columns::StoredBool;
use crate::ids::{CompanyId, PersonId};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::client::ClientInfo;
use crate::auth::limits::{self, Account, LimitKeys, Reservation};
use crate::auth::{devices, passwords, sessions, sign_in_devices, Scope};
use crate::clock::now_ms;
use crate::companies::domain::CompanySlug;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::people::domain::{Email, Language, PhoneNumber, Role};

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
    reservation: Reservation,
    /// The device cookie the attempt came with, when it was the person's.
    device: Option<String>,
}

/// What a sign-in attempt brings besides the credentials.
pub struct Attempt<'a> {
    /// Where it comes from.
    pub client: &'a ClientInfo,
    /// The sign-in device cookie the browser or phone presented.
    pub device: Option<String>,
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

    /// The canonical spelling of a login for the limits: the parsed value, or the text as typed in
    /// lower case when it is neither an e-mail address nor a phone number.
    fn canonical(raw: &str) -> String {
        match Login::parse(raw) {
            Some(login) => login.column_and_value().1.to_string(),
            None => raw.trim().to_lowercase(),
        }
    }

    fn column_and_value(&self) -> (&'static str, &str) {
        match self {
            Login::Email(email) => ("email", email.as_str()),
            Login::Mobile(mobile) => ("mobile", mobile.as_str()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Candidate {
    #[sqlx(rename = "id")]
    person_id: PersonId,
    #[sqlx(try_from = "String")]
    role: Role,
    password_hash: Option<String>,
    #[sqlx(try_from = "StoredBool")]
    active: bool,
}

/// Checks credentials. Unknown company, unknown login, wrong password, deactivated person and a person
/// who has not set a password yet all get the same answer after the same work.
pub async fn verify(
    db: &Db,
    credentials: Credentials,
    attempt: Attempt<'_>,
) -> AppResult<Verified> {
    if credentials.password.len() > 1024 || credentials.login.len() > 254 {
        return Err(AppError::BadCredentials);
    }
    let now = now_ms();
    let client = attempt.client;
    let mut tx = db.system().await?;
    let company_id = company_by_code(&mut tx, &credentials.company).await?;
    let candidate = match (company_id, Login::parse(&credentials.login)) {
        (Some(company_id), Some(login)) => find_candidate(&mut tx, company_id, &login).await?,
        _ => None,
    };
    let device = match (company_id, &candidate) {
        (Some(company_id), Some(c)) => {
            let presented = attempt.device.as_deref();
            sign_in_devices::known_for(&mut tx, company_id, c.person_id, presented, now).await?
        }
        _ => None,
    };
    let canonical = Login::canonical(&credentials.login);
    let account = match (company_id, &candidate, device) {
        (Some(_), Some(_), Some(device_key)) => Account::KnownDevice(device_key),
        (Some(company_id), Some(c), None) => Account::Person(company_id, c.person_id),
        (Some(company_id), None, _) => Account::Login(company_id, &canonical),
        (None, _, _) => Account::None,
    };
    let known_device = matches!(account, Account::KnownDevice(_));
    let keys = LimitKeys::new(account, client.ip);
    let reservation = limits::reserve(&mut tx, keys, now).await?;
    tx.commit().await?;

    let stored_hash = candidate.as_ref().and_then(|c| c.password_hash.clone());
    let password_ok = match passwords::verify(credentials.password, stored_hash).await {
        Ok(matches) => matches,
        Err(error) => {
            // The password was never checked (the server was busy): the attempt does not count.
            let mut tx = db.system().await?;
            reservation.withdraw(&mut tx).await?;
            tx.commit().await?;
            return Err(error);
        }
    };
    match (company_id, candidate) {
        (Some(company_id), Some(candidate)) if password_ok && candidate.active => Ok(Verified {
            scope: Scope::verified(company_id, candidate.person_id, candidate.role),
            reservation,
            device: attempt.device.filter(|_| known_device),
        }),
        (company_id, candidate) => {
            let reason = match &candidate {
                None => "unknown login",
                Some(c) if !c.active => "person deactivated",
                Some(c) if c.password_hash.is_none() => "no password set yet",
                Some(_) => "wrong password",
            };
            if company_id.is_none() {
                // No company's trail can hold it; the server log does, for the operator.
                tracing::warn!(ip = %client.ip, "sign-in attempt with an unknown company code");
            }
            if let Some(company_id) = company_id {
                let mut tx = db.system().await?;
                let actor = Actor::anonymous(company_id, candidate.map(|c| c.person_id), client);
                let event = AuditEvent::new(
                    crate::audit::actions::AUTH_SIGN_IN_FAILED,
                    credentials.login.trim(),
                )
                .with(json!({ "reason": reason }));
                audit::record(&mut tx, &actor, event).await?;
                tx.commit().await?;
            }
            Err(AppError::BadCredentials)
        }
    }
}

async fn company_by_code(tx: &mut crate::db::Tx, code: &str) -> AppResult<Option<CompanyId>> {
    let Ok(slug) = CompanySlug::parse(code) else {
        return Ok(None);
    };
    Ok(
        sqlx::query_scalar("SELECT id FROM companies WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Takes back the successful attempt's count (and the account's failures) and returns the device cookie the browser or
/// phone keeps from now on (the one it showed, renewed, or a new one).
async fn after_success(tx: &mut crate::db::Tx, verified: &Verified) -> AppResult<String> {
    verified.reservation.succeeded(tx).await?;
    let scope = &verified.scope;
    let device = sign_in_devices::remember(
        tx,
        scope.company_id(),
        scope.person_id(),
        verified.device.as_deref(),
        now_ms(),
    )
    .await?;
    Ok(device)
}

async fn find_candidate(
    tx: &mut crate::db::Tx,
    company_id: CompanyId,
    login: &Login,
) -> AppResult<Option<Candidate>> {
    let (column, value) = login.column_and_value();
    let sql = format!(
        "SELECT id, role, password_hash, CASE WHEN deactivated_at IS NULL THEN 1 ELSE 0 END AS active \
         FROM people WHERE company_id = $1 AND {column} = $2"
    );
    Ok(sqlx::query_as(&sql)
        .bind(company_id)
        .bind(value)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Opens a console session for a verified person, ending the session the browser presented (rotation);
/// returns it with the sign-in device cookie's value. A language the visitor chose on the sign-in page
/// becomes the account's: the console then speaks it, not the one saved before.
pub(crate) async fn start_session(
    db: &Db,
    verified: Verified,
    (remember, language): (bool, Option<Language>),
    presented: Option<String>,
    client: &ClientInfo,
) -> AppResult<(sessions::NewSession, String)> {
    let scope = &verified.scope;
    let mut tx = db.system().await?;
    let device = after_success(&mut tx, &verified).await?;
    if let Some(old) = presented {
        sessions::delete(&mut tx, &old).await?;
    }
    let mut changed_language = None;
    if let Some(language) = language {
        let changed = sqlx::query(
            "UPDATE people SET language = $1 WHERE company_id = $2 AND id = $3 AND language <> $1",
        )
        .bind(language.as_str())
        .bind(scope.company_id())
        .bind(scope.person_id())
        .execute(&mut *tx)
        .await?;
        changed_language = (changed.rows_affected() == 1).then_some(language);
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
    let mut details = json!({ "via": "session", "remember": remember });
    if let Some(language) = changed_language {
        details["language"] = json!(language.as_str());
    }
    let event =
        AuditEvent::new(crate::audit::actions::AUTH_SIGNED_IN, scope.person_id()).with(details);
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok((session, device))
}

/// Issues a device token for the field app to a verified person.
pub(crate) async fn issue_device_token(
    db: &Db,
    verified: Verified,
    label: &str,
    client: &ClientInfo,
) -> AppResult<IssuedToken> {
    let scope = &verified.scope;
    let mut tx = db.system().await?;
    let device = after_success(&mut tx, &verified).await?;
    let (device_id, token) = devices::issue(
        &mut tx,
        scope.company_id(),
        scope.person_id(),
        label,
        client,
    )
    .await?;
    let actor = Actor::anonymous(scope.company_id(), Some(scope.person_id()), client);
    let event = AuditEvent::new(crate::audit::actions::AUTH_DEVICE_TOKEN_ISSUED, device_id)
        .with(json!({ "label": label }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(IssuedToken {
        device_id,
        token,
        sign_in_device: device,
    })
}

/// A device token just issued, with the sign-in device cookie to set.
pub(crate) struct IssuedToken {
    /// The token's id.
    pub device_id: Uuid,
    /// The bearer token.
    pub token: String,
    /// The sign-in device cookie's value.
    pub sign_in_device: String,
}
