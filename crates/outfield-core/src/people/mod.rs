//! People and teams: invitations, roles, reporting lines, deactivation, and each person's devices.
//!
//! The rules live here; `store` holds the SQL, `api` and `console` the two faces. Every change is
//! audited in the transaction that makes it.

pub mod api;
pub mod console;
pub mod domain;
pub mod store;

use crate::ids::{CompanyId, PersonId};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::links::{self, LinkPurpose};
use crate::auth::{devices, sessions, Scope};
use crate::clock::now_ms;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, FieldError};
use domain::{ConsolePath, Email, EmployeeCode, Language, PersonName, PhoneNumber, Role};
pub use store::{Person, StatusFilter};

/// An invitation: who the new person is and where they sit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// Display name.
    pub name: PersonName,
    /// E-mail; the invitation link goes to this person.
    pub email: Email,
    /// Mobile number (they may sign in with it too).
    pub mobile: Option<PhoneNumber>,
    /// The company's employee code.
    pub employee_code: Option<EmployeeCode>,
    /// Role.
    pub role: Role,
    /// Whom they report to.
    pub manager_id: Option<PersonId>,
}

/// Changes to a person; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonChanges {
    /// New display name.
    pub name: Option<PersonName>,
    /// New e-mail.
    pub email: Option<Email>,
    /// New mobile number, or `null` to clear.
    #[serde(default, deserialize_with = "crate::text::present")]
    #[schema(value_type = Option<PhoneNumber>)]
    pub mobile: Option<Option<PhoneNumber>>,
    /// New employee code, or `null` to clear.
    #[serde(default, deserialize_with = "crate::text::present")]
    #[schema(value_type = Option<EmployeeCode>)]
    pub employee_code: Option<Option<EmployeeCode>>,
    /// New role.
    pub role: Option<Role>,
    /// New manager, or `null` for none.
    #[serde(default, deserialize_with = "crate::text::present")]
    #[schema(value_type = Option<PersonId>)]
    pub manager_id: Option<Option<PersonId>>,
}

/// A person just invited, with the one-time link to pass on to them.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Invited {
    /// The new person.
    pub person: Person,
    /// Link for setting a first password (valid 7 days, once).
    pub link: String,
}

/// People the scope may see.
pub async fn list(
    db: &Db,
    scope: &Scope,
    status: StatusFilter,
    search: Option<&str>,
) -> AppResult<Vec<Person>> {
    let mut tx = db.tenant_read(scope).await?;
    let people = store::list(&mut tx, scope, status, search).await?;
    tx.commit().await?;
    Ok(people)
}

/// One person the scope may see; 404 for anyone else, whatever company they are in.
pub async fn get(db: &Db, scope: &Scope, id: PersonId) -> AppResult<Person> {
    let mut tx = db.tenant_read(scope).await?;
    let person = store::find(&mut tx, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(person)
}

async fn visible(tx: &mut Tx, scope: &Scope, id: PersonId) -> AppResult<Person> {
    store::find(tx, scope, id).await?.ok_or(AppError::NotFound)
}

/// Adds a person without a password and returns the link with which they set one.
pub async fn invite(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    invitation: Invitation,
    base_url: &str,
) -> AppResult<Invited> {
    scope.require_admin()?;
    if !scope.role().may_grant(invitation.role) {
        return Err(AppError::field(
            "role",
            "your role cannot appoint this role",
        ));
    }
    let mut tx = db.tenant(scope).await?;
    let company_id = scope.company_id();
    check_unique(
        &mut tx,
        company_id,
        None,
        Some(&invitation.email),
        invitation.mobile.as_ref(),
        invitation.employee_code.as_ref(),
    )
    .await?;
    if let Some(manager_id) = invitation.manager_id {
        check_manager(&mut tx, scope, None, manager_id).await?;
    }
    let id = store::insert(
        &mut tx,
        company_id,
        &store::NewPerson {
            name: invitation.name.as_str(),
            email: invitation.email.as_str(),
            mobile: invitation.mobile.as_ref().map(PhoneNumber::as_str),
            employee_code: invitation.employee_code.as_ref().map(EmployeeCode::as_str),
            role: invitation.role,
            manager_id: invitation.manager_id,
            password_hash: None,
        },
    )
    .await?;
    let link = links::create(&mut tx, company_id, id, LinkPurpose::Invite).await?;
    let event = AuditEvent::new(crate::audit::actions::PERSON_INVITED, id)
        .with(json!({ "email": invitation.email, "role": invitation.role }));
    audit::record(&mut tx, actor, event).await?;
    let person = visible(&mut tx, scope, id).await?;
    tx.commit().await?;
    Ok(Invited {
        person,
        link: format!("{base_url}{link}"),
    })
}

/// Changes a person's details, role or manager.
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: PersonId,
    changes: PersonChanges,
) -> AppResult<Person> {
    scope.require_admin()?;
    let mut tx = db.tenant(scope).await?;
    let company_id = scope.company_id();
    let current = visible(&mut tx, scope, id).await?;
    if !scope.role().may_grant(current.role) {
        return Err(AppError::Forbidden);
    }
    check_unique(
        &mut tx,
        company_id,
        Some(id),
        changes.email.as_ref(),
        changes.mobile.as_ref().and_then(Option::as_ref),
        changes.employee_code.as_ref().and_then(Option::as_ref),
    )
    .await?;
    if let Some(role) = changes.role.filter(|role| *role != current.role) {
        check_role_change(&mut tx, scope, &current, role).await?;
    }
    if let Some(Some(manager_id)) = changes.manager_id {
        check_manager(&mut tx, scope, Some(id), manager_id).await?;
    }
    let changed = apply_changes(&mut tx, company_id, id, &changes).await?;
    if !changed.is_empty() {
        let event = AuditEvent::new(crate::audit::actions::PERSON_UPDATED, id)
            .with(json!({ "changed": changed }));
        audit::record(&mut tx, actor, event).await?;
    }
    let person = visible(&mut tx, scope, id).await?;
    tx.commit().await?;
    Ok(person)
}

async fn apply_changes(
    tx: &mut Tx,
    company_id: CompanyId,
    id: PersonId,
    changes: &PersonChanges,
) -> AppResult<Vec<&'static str>> {
    let mut changed = Vec::new();
    let text = |value: Option<&str>| value.map(str::to_string);
    let updates: [(&'static str, Option<Option<String>>); 6] = [
        ("name", changes.name.as_ref().map(|v| Some(v.to_string()))),
        ("email", changes.email.as_ref().map(|v| Some(v.to_string()))),
        (
            "mobile",
            changes
                .mobile
                .as_ref()
                .map(|v| text(v.as_ref().map(PhoneNumber::as_str))),
        ),
        (
            "employee_code",
            changes
                .employee_code
                .as_ref()
                .map(|v| text(v.as_ref().map(EmployeeCode::as_str))),
        ),
        (
            "role",
            changes.role.map(|role| Some(role.as_str().to_string())),
        ),
        (
            "manager_id",
            changes.manager_id.map(|v| v.map(|id| id.to_string())),
        ),
    ];
    for (column, value) in updates {
        let Some(value) = value else { continue };
        sqlx::query(&format!(
            "UPDATE people SET {column} = $1, updated_at = $2 WHERE company_id = $3 AND id = $4"
        ))
        .bind(value)
        .bind(now_ms())
        .bind(company_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        changed.push(column);
    }
    Ok(changed)
}

async fn check_unique(
    tx: &mut Tx,
    company_id: CompanyId,
    except: Option<PersonId>,
    email: Option<&Email>,
    mobile: Option<&PhoneNumber>,
    employee_code: Option<&EmployeeCode>,
) -> AppResult<()> {
    let candidates = [
        (
            "email",
            email.map(Email::as_str),
            "is already used by someone in the company",
        ),
        (
            "mobile",
            mobile.map(PhoneNumber::as_str),
            "is already used by someone in the company",
        ),
        (
            "employee_code",
            employee_code.map(EmployeeCode::as_str),
            "is already given to someone in the company",
        ),
    ];
    for (column, value, message) in candidates {
        if let Some(value) = value {
            if store::taken(tx, company_id, column, value, except).await? {
                return Err(AppError::Conflict(FieldError::new(column, message)));
            }
        }
    }
    Ok(())
}

async fn check_manager(
    tx: &mut Tx,
    scope: &Scope,
    person: Option<PersonId>,
    manager_id: PersonId,
) -> AppResult<()> {
    let manager = store::find(tx, scope, manager_id).await?;
    match manager {
        None => {
            return Err(AppError::field(
                "manager_id",
                "is not a person of this company",
            ))
        }
        Some(manager) if manager.deactivated_at.is_some() => {
            return Err(AppError::field("manager_id", "is deactivated"))
        }
        Some(_) => {}
    }
    if let Some(person) = person {
        let above = store::managers_above(tx, scope.company_id(), manager_id).await?;
        if manager_id == person || above.contains(&person) {
            return Err(AppError::Conflict(FieldError::new(
                "manager_id",
                "would create a loop in the reporting line",
            )));
        }
    }
    Ok(())
}

async fn check_role_change(
    tx: &mut Tx,
    scope: &Scope,
    current: &Person,
    role: Role,
) -> AppResult<()> {
    if current.id == scope.person_id() {
        return Err(AppError::field("role", "you cannot change your own role"));
    }
    if !scope.role().may_grant(role) {
        return Err(AppError::field(
            "role",
            "your role cannot appoint this role",
        ));
    }
    if current.role == Role::Owner && store::active_owner_count(tx, scope.company_id()).await? <= 1
    {
        return Err(AppError::Conflict(FieldError::new(
            "role",
            "the company must keep at least one owner",
        )));
    }
    Ok(())
}

/// Deactivates a person: every session and device token ends at once, unused links are voided, and
/// everything they did stays in the company's records.
pub async fn deactivate(db: &Db, scope: &Scope, actor: &Actor, id: PersonId) -> AppResult<Person> {
    scope.require_admin()?;
    let mut tx = db.tenant(scope).await?;
    let company_id = scope.company_id();
    let current = visible(&mut tx, scope, id).await?;
    if id == scope.person_id() {
        return Err(AppError::Conflict(FieldError::new(
            "id",
            "you cannot deactivate yourself",
        )));
    }
    if !scope.role().may_grant(current.role) {
        return Err(AppError::Forbidden);
    }
    if current.deactivated_at.is_some() {
        return Ok(current);
    }
    sqlx::query(
        "UPDATE people SET deactivated_at = $1, updated_at = $1 WHERE company_id = $2 AND id = $3",
    )
    .bind(now_ms())
    .bind(company_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let ended_sessions = sessions::delete_all_for(&mut tx, company_id, id).await?;
    let revoked_devices = devices::revoke_all_for(&mut tx, company_id, id).await?;
    links::void_all_for(&mut tx, company_id, id).await?;
    let event = AuditEvent::new(crate::audit::actions::PERSON_DEACTIVATED, id)
        .with(json!({ "ended_sessions": ended_sessions, "revoked_devices": revoked_devices }));
    audit::record(&mut tx, actor, event).await?;
    let person = visible(&mut tx, scope, id).await?;
    tx.commit().await?;
    Ok(person)
}

/// Makes a password-reset link for a person (shown to the admin to pass on).
pub(crate) async fn reset_link(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: PersonId,
    base_url: &str,
) -> AppResult<String> {
    scope.require_admin()?;
    let mut tx = db.tenant(scope).await?;
    let current = visible(&mut tx, scope, id).await?;
    if !scope.role().may_grant(current.role) || current.deactivated_at.is_some() {
        return Err(AppError::Forbidden);
    }
    let link = links::create(&mut tx, scope.company_id(), id, LinkPurpose::Reset).await?;
    audit::record(
        &mut tx,
        actor,
        AuditEvent::new(crate::audit::actions::PERSON_RESET_LINK_CREATED, id),
    )
    .await?;
    tx.commit().await?;
    Ok(format!("{base_url}{link}"))
}

/// A person's device tokens: visible to admins and to the person themselves.
pub(crate) async fn devices_of(
    db: &Db,
    scope: &Scope,
    id: PersonId,
) -> AppResult<Vec<devices::Device>> {
    let mut tx = db.tenant_read(scope).await?;
    visible(&mut tx, scope, id).await?;
    if !(scope.role().administers() || scope.person_id() == id) {
        return Err(AppError::Forbidden);
    }
    let list = devices::list_for(&mut tx, scope.company_id(), id).await?;
    tx.commit().await?;
    Ok(list)
}

/// Revokes one device token of a person (admins, or the person themselves).
pub(crate) async fn revoke_device(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: PersonId,
    device_id: Uuid,
) -> AppResult<()> {
    let mut tx = db.tenant(scope).await?;
    visible(&mut tx, scope, id).await?;
    if !(scope.role().administers() || scope.person_id() == id) {
        return Err(AppError::Forbidden);
    }
    devices::revoke(&mut tx, scope.company_id(), id, device_id).await?;
    audit::record(
        &mut tx,
        actor,
        AuditEvent::new(crate::audit::actions::AUTH_DEVICE_TOKEN_REVOKED, device_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Remembered preferences of the signed-in person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Preferences {
    /// Interface language.
    pub language: Option<Language>,
    /// The console view to return to (a path under `/console`).
    pub last_view: Option<ConsolePath>,
}

/// Saves the signed-in person's preferences.
pub(crate) async fn save_preferences(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    preferences: Preferences,
) -> AppResult<()> {
    let mut tx = db.tenant(scope).await?;
    sqlx::query(
        "UPDATE people SET language = COALESCE($1, language), last_view = COALESCE($2, last_view) \
         WHERE company_id = $3 AND id = $4",
    )
    .bind(preferences.language.map(Language::as_str))
    .bind(preferences.last_view.as_ref().map(ConsolePath::as_str))
    .bind(scope.company_id())
    .bind(scope.person_id())
    .execute(&mut *tx)
    .await?;
    if preferences.language.is_some() {
        let event = AuditEvent::new(
            crate::audit::actions::PERSON_PREFERENCES_CHANGED,
            scope.person_id(),
        )
        .with(json!({ "language": preferences.language }));
        audit::record(&mut tx, actor, event).await?;
    }
    tx.commit().await?;
    Ok(())
}
