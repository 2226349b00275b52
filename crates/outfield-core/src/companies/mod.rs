//! Companies (tenants): the profile and settings each company keeps, and bootstrap of new companies.

pub mod api;
pub mod console;
pub mod domain;
pub mod labels;

use crate::clock::now_ms;
use crate::db::columns::UnixMs;
use crate::ids::{CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::links::{self, LinkPurpose};
use crate::auth::{ClientInfo, Scope};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, FieldError};
use crate::people::domain::{Email, PersonName, Role};
use crate::people::store::{self as people_store, NewPerson};
use domain::{CompanyName, CompanySlug, CurrencyCode, Gstin, ProfileText, TimeZoneName};

/// A company's profile as members see it.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct Company {
    /// Id.
    pub id: CompanyId,
    /// Code people type at sign-in.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Registered name.
    pub legal_name: Option<String>,
    /// Registered address.
    pub address: Option<String>,
    /// GST identification number.
    pub gstin: Option<String>,
    /// IANA time zone for days, shifts and reports.
    pub time_zone: String,
    /// ISO 4217 currency of claims and orders.
    pub currency: String,
    /// When the company was created.
    #[sqlx(try_from = "UnixMs")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Changes to the profile; absent fields stay, `null` clears optional ones.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyChanges {
    /// Display name.
    pub name: Option<CompanyName>,
    /// Registered name, or `null`.
    #[serde(default, deserialize_with = "crate::text::present")]
    #[schema(value_type = Option<ProfileText>)]
    pub legal_name: Option<Option<ProfileText>>,
    /// Registered address, or `null`.
    #[serde(default, deserialize_with = "crate::text::present")]
    #[schema(value_type = Option<ProfileText>)]
    pub address: Option<Option<ProfileText>>,
    /// GSTIN, or `null`.
    #[serde(default, deserialize_with = "crate::text::present")]
    #[schema(value_type = Option<Gstin>)]
    pub gstin: Option<Option<Gstin>>,
    /// IANA time zone.
    pub time_zone: Option<TimeZoneName>,
    /// ISO 4217 currency.
    pub currency: Option<CurrencyCode>,
}

/// The scope's own company.
pub async fn get(db: &Db, scope: &Scope) -> AppResult<Company> {
    let mut tx = db.tenant_read(scope).await?;
    let company = load(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(company)
}

async fn load(tx: &mut Tx, company_id: CompanyId) -> AppResult<Company> {
    sqlx::query_as(
        "SELECT id, slug, name, legal_name, address, gstin, time_zone, currency, created_at \
         FROM companies WHERE id = $1",
    )
    .bind(company_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Changes the profile (owners and admins).
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    changes: CompanyChanges,
) -> AppResult<Company> {
    scope.require_admin()?;
    let text = |value: &Option<ProfileText>| value.as_ref().map(ToString::to_string);
    let updates: [(&'static str, Option<Option<String>>); 6] = [
        ("name", changes.name.as_ref().map(|v| Some(v.to_string()))),
        ("legal_name", changes.legal_name.as_ref().map(text)),
        ("address", changes.address.as_ref().map(text)),
        (
            "gstin",
            changes
                .gstin
                .as_ref()
                .map(|v| v.as_ref().map(ToString::to_string)),
        ),
        (
            "time_zone",
            changes.time_zone.as_ref().map(|v| Some(v.to_string())),
        ),
        (
            "currency",
            changes.currency.as_ref().map(|v| Some(v.to_string())),
        ),
    ];
    let mut tx = db.tenant(scope).await?;
    let mut changed = Vec::new();
    for (column, value) in updates {
        let Some(value) = value else { continue };
        sqlx::query(&format!(
            "UPDATE companies SET {column} = $1, updated_at = $2 WHERE id = $3"
        ))
        .bind(value)
        .bind(now_ms())
        .bind(scope.company_id())
        .execute(&mut *tx)
        .await?;
        changed.push(column);
    }
    if !changed.is_empty() {
        let event = AuditEvent::new(crate::audit::actions::COMPANY_UPDATED, scope.company_id())
            .with(json!({ "changed": changed }));
        audit::record(&mut tx, actor, event).await?;
    }
    let company = load(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(company)
}

/// What a new company starts with.
pub struct NewCompany {
    /// Display name.
    pub name: CompanyName,
    /// Sign-in code.
    pub slug: CompanySlug,
    /// Time zone (default Asia/Kolkata).
    pub time_zone: TimeZoneName,
    /// Currency (default INR).
    pub currency: CurrencyCode,
    /// The first owner's name.
    pub owner_name: PersonName,
    /// The first owner's e-mail.
    pub owner_email: Email,
    /// The first owner's password hash; without one, an invitation link is made.
    pub owner_password_hash: Option<String>,
}

/// A company just created, with its owner and (without a password) the owner's invitation link path.
pub struct CreatedCompany {
    /// The company.
    pub company_id: CompanyId,
    /// Its first owner.
    pub owner_id: PersonId,
    /// `/welcome/…` path for the owner to set a password, when none was given.
    pub owner_link: Option<String>,
}

/// Creates a company and its first owner (bootstrap from the command line or the demo).
pub async fn create(db: &Db, new: NewCompany, client: &ClientInfo) -> AppResult<CreatedCompany> {
    let mut tx = db.system().await?;
    let taken = sqlx::query("SELECT id FROM companies WHERE slug = $1")
        .bind(new.slug.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(FieldError::new(
            "slug",
            "is already used by another company",
        )));
    }
    let company_id = CompanyId::generate();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO companies (id, slug, name, time_zone, currency, created_at, updated_at, audit_seq, \
         audit_head) VALUES ($1, $2, $3, $4, $5, $6, $6, 0, $7)",
    )
    .bind(company_id)
    .bind(new.slug.as_str())
    .bind(new.name.as_str())
    .bind(new.time_zone.as_str())
    .bind(new.currency.as_str())
    .bind(now)
    .bind(audit::store::GENESIS)
    .execute(&mut *tx)
    .await?;
    let owner = NewPerson {
        name: new.owner_name.as_str(),
        email: new.owner_email.as_str(),
        mobile: None,
        employee_code: None,
        role: Role::Owner,
        manager_id: None,
        password_hash: new.owner_password_hash.as_deref(),
    };
    let owner_id = people_store::insert(&mut tx, company_id, &owner).await?;
    let owner_link = match new.owner_password_hash {
        Some(_) => None,
        None => Some(links::create(&mut tx, company_id, owner_id, LinkPurpose::Invite).await?),
    };
    let actor = Actor::anonymous(company_id, None, client);
    let event = AuditEvent::new(crate::audit::actions::COMPANY_CREATED, company_id)
        .with(json!({ "slug": new.slug, "owner_id": owner_id, "owner_email": new.owner_email }));
    audit::record(&mut tx, &actor, event).await?;
    tx.commit().await?;
    Ok(CreatedCompany {
        company_id,
        owner_id,
        owner_link,
    })
}

/// Today's date where the scope's company is (its time zone decides what "a day" is).
pub async fn today(db: &Db, scope: &Scope) -> AppResult<chrono::NaiveDate> {
    let mut tx = db.tenant_read(scope).await?;
    let zone: String = sqlx::query_scalar("SELECT time_zone FROM companies WHERE id = $1")
        .bind(scope.company_id())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(crate::clock::local_day(now_ms(), crate::clock::zone(&zone)))
}

/// How close to a client (metres) a check-in must be to count as verified: a company rule that field
/// activity checks visits against and the client page draws around the client on its map.
pub async fn check_in_radius_m(db: &Db, scope: &Scope) -> AppResult<i64> {
    let mut tx = db.tenant_read(scope).await?;
    let radius = sqlx::query_scalar("SELECT visit_radius_m FROM companies WHERE id = $1")
        .bind(scope.company_id())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(radius)
}
