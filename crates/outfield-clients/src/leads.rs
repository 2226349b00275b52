//! Leads from the company's website: an embeddable enquiry form posting to a public endpoint keyed by the
//! company's form key. Bots meet a honeypot field, rate limits per address and per form, a size limit and
//! an optional allow-list of origins; real enquiries become clients with status `lead`, assigned to the
//! person who owns most clients of the enquiry's territory, or round robin among field employees.

use outfield_core::ids::{ClientId, CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{ClientName, ClientStatus, InteractionKind, Label, LongText};
use crate::{store, NewClient, NewInteraction};
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::limits;
use outfield_core::auth::tokens::new_token;
use outfield_core::auth::{ClientInfo, Principal};
use outfield_core::clock::now_ms;
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::people::domain::{Email, PhoneNumber};

/// Enquiries per client address per hour.
pub(crate) const PER_ADDRESS_HOURLY: i64 = 10;
/// Enquiries per form per hour.
pub(crate) const PER_FORM_HOURLY: i64 = 300;

/// What a visitor submits.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Enquiry {
    /// Their name or their shop's.
    pub name: ClientName,
    /// Mobile number (this or `email` is needed).
    pub phone: Option<PhoneNumber>,
    /// E-mail.
    pub email: Option<Email>,
    /// City or area; matched against client territories for assignment.
    pub city: Option<Label>,
    /// What they need.
    pub message: Option<LongText>,
    /// The honeypot: hidden from people, so anything in it means a bot.
    #[serde(default)]
    pub website: Option<String>,
}

/// The company's enquiry form settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadForm {
    /// Whether the form accepts enquiries.
    pub enabled: bool,
    /// The public key in the form's address (not a secret: it is on the website).
    pub key: Option<String>,
    /// Origins allowed to post (empty: any).
    pub allowed_origins: Vec<String>,
    /// HTML to paste into the website.
    pub snippet: Option<String>,
}

/// Changes to the form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadFormChanges {
    /// Turn the form on (a key is made) or off (the key stops working).
    pub enabled: bool,
    /// Origins allowed to post, e.g. `https://www.sharma-agro.in` (empty: any).
    #[serde(default)]
    #[schema(schema_with = origins_rule)]
    pub allowed_origins: Vec<String>,
}

/// The form settings of the scope's company.
pub async fn settings(db: &Db, principal: &Principal, base_url: &str) -> AppResult<LeadForm> {
    principal.scope.require_admin()?;
    let mut tx = db.tenant_read(&principal.scope).await?;
    let form = load(&mut tx, principal.scope.company_id(), base_url).await?;
    tx.commit().await?;
    Ok(form)
}

async fn load(tx: &mut Tx, company_id: CompanyId, base_url: &str) -> sqlx::Result<LeadForm> {
    let row = sqlx::query("SELECT lead_form_key, lead_form_origins FROM companies WHERE id = $1")
        .bind(company_id)
        .fetch_one(&mut **tx)
        .await?;
    let key: Option<String> = row.try_get("lead_form_key")?;
    let origins: String = row.try_get("lead_form_origins")?;
    Ok(LeadForm {
        enabled: key.is_some(),
        snippet: key.as_deref().map(|key| snippet(base_url, key)),
        key,
        allowed_origins: origins.split_whitespace().map(String::from).collect(),
    })
}

/// Turns the form on or off and sets the allowed origins (owners and admins).
pub async fn configure(
    db: &Db,
    principal: &Principal,
    actor: &Actor,
    changes: LeadFormChanges,
    base_url: &str,
) -> AppResult<LeadForm> {
    let scope = &principal.scope;
    scope.require_admin()?;
    if changes.allowed_origins.len() > MAX_ORIGINS {
        return Err(AppError::field(
            "allowed_origins",
            format!("at most {MAX_ORIGINS} websites"),
        ));
    }
    let mut origins = Vec::new();
    for origin in &changes.allowed_origins {
        match url::Url::parse(origin.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                origins.push(url.origin().ascii_serialization())
            }
            _ => {
                return Err(AppError::field(
                    "allowed_origins",
                    format!("'{origin}' is not an origin such as https://www.example.in"),
                ))
            }
        }
    }
    let mut tx = db.tenant(scope).await?;
    let current = load(&mut tx, scope.company_id(), base_url).await?;
    let key = match (changes.enabled, current.key) {
        (true, Some(key)) => Some(key),
        (true, None) => Some(new_token()[..24].to_string()),
        (false, _) => None,
    };
    sqlx::query("UPDATE companies SET lead_form_key = $1, lead_form_origins = $2 WHERE id = $3")
        .bind(&key)
        .bind(origins.join(" "))
        .bind(scope.company_id())
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent::new(
        crate::actions::COMPANY_LEAD_FORM_CHANGED,
        scope.company_id(),
    )
    .with(json!({ "enabled": key.is_some(), "allowed_origins": origins }));
    audit::record(&mut tx, actor, event).await?;
    let form = load(&mut tx, scope.company_id(), base_url).await?;
    tx.commit().await?;
    Ok(form)
}

/// The HTML a company pastes into its website.
pub fn snippet(base_url: &str, key: &str) -> String {
    format!(
        r#"<form action="{base_url}/api/v1/public/leads/{key}" method="post" accept-charset="utf-8">
  <label>Your name or shop <input name="name" required maxlength="200"></label>
  <label>Mobile number <input name="phone" type="tel" required></label>
  <label>E-mail <input name="email" type="email"></label>
  <label>City or area <input name="city" maxlength="80"></label>
  <label>What do you need? <textarea name="message" maxlength="4000"></textarea></label>
  <div style="position:absolute;left:-10000px" aria-hidden="true"><input name="website" tabindex="-1" autocomplete="off"></div>
  <button type="submit">Send enquiry</button>
</form>"#
    )
}

/// What became of a submission.
pub(crate) enum Outcome {
    /// A lead was created.
    Created,
    /// The honeypot was filled: answered like a success, nothing stored.
    Ignored,
}

/// Lets a submission to the form with `key` from `origin` in, before its content is even read: counts it
/// against the address and the form, and checks that the form is on and the origin allowed. Returns the
/// form's company.
pub(crate) async fn admit(
    db: &Db,
    key: &str,
    origin: Option<&str>,
    client: &ClientInfo,
) -> AppResult<CompanyId> {
    let now = now_ms();
    let mut tx = db.system().await?;
    limits::hit(
        &mut tx,
        &format!("lead-address:{}", client.ip),
        PER_ADDRESS_HOURLY,
        now,
    )
    .await?;
    let row = sqlx::query("SELECT id, lead_form_origins FROM companies WHERE lead_form_key = $1")
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        tx.commit().await?;
        return Err(AppError::NotFound);
    };
    let company_id: CompanyId = row.try_get("id")?;
    let allowed: String = row.try_get("lead_form_origins")?;
    if !allowed.is_empty() && !origin.is_some_and(|o| allowed.split_whitespace().any(|a| a == o)) {
        tx.commit().await?;
        return Err(AppError::OriginNotAllowed);
    }
    limits::hit(
        &mut tx,
        &format!("lead-form:{company_id}"),
        PER_FORM_HOURLY,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(company_id)
}

/// Turns an admitted enquiry into a lead (or quietly drops it when the honeypot was filled).
pub(crate) async fn submit(
    db: &Db,
    company_id: CompanyId,
    client: &ClientInfo,
    enquiry: Enquiry,
) -> AppResult<Outcome> {
    if enquiry
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Ok(Outcome::Ignored);
    }
    if enquiry.phone.is_none() && enquiry.email.is_none() {
        return Err(AppError::field(
            "phone",
            "or an e-mail address is needed so that we can reply",
        ));
    }
    let now = now_ms();
    let mut tx = db.system().await?;
    let assignee = assignee(&mut tx, company_id, enquiry.city.as_ref()).await?;
    let id = ClientId::generate();
    let default_type = crate::fields::load(&mut tx, company_id)
        .await?
        .checked_type(None)
        .ok()
        .and_then(|t| Label::parse(&t).ok());
    let new = NewClient {
        name: enquiry.name.clone(),
        code: None,
        client_type: default_type,
        status: ClientStatus::Lead,
        phone: enquiry.phone.clone(),
        email: enquiry.email.clone(),
        gstin: None,
        category: None,
        territory: enquiry.city.clone(),
        tags: vec![crate::domain::Tag::parse("website").map_err(anyhow::Error::msg)?],
        address: None,
        location: None,
        owner_ids: vec![assignee],
        other_phones: Vec::new(),
        other_addresses: Vec::new(),
        custom: Default::default(),
    };
    store::insert(&mut tx, company_id, (None, &[assignee]), id, &new).await?;
    let body = enquiry
        .message
        .clone()
        .unwrap_or(LongText::parse("Enquiry from the website").map_err(anyhow::Error::msg)?);
    let note = NewInteraction {
        kind: InteractionKind::Note,
        contact_id: None,
        outcome: Some(Label::parse("website enquiry").map_err(anyhow::Error::msg)?),
        body,
    };
    store::insert_interaction(
        &mut tx,
        (company_id, assignee),
        Uuid::now_v7(),
        id,
        &note,
        now,
        now,
    )
    .await?;
    outfield_core::notifications::notify(
        &mut tx,
        company_id,
        assignee,
        "new_lead",
        &format!("New lead: {}", enquiry.name),
        "An enquiry came in from the website. Call them back soon.",
    )
    .await?;
    let event = AuditEvent::new(crate::actions::CLIENT_LEAD_RECEIVED, id)
        .with(json!({ "assigned_to": assignee }));
    audit::record(&mut tx, &Actor::anonymous(company_id, None, client), event).await?;
    tx.commit().await?;
    Ok(Outcome::Created)
}

/// The person who owns most clients in the territory; otherwise the next field employee round robin;
/// otherwise an owner of the company.
async fn assignee(tx: &mut Tx, company_id: CompanyId, city: Option<&Label>) -> AppResult<PersonId> {
    let company = company_id.to_string();
    if let Some(city) = city {
        let row = sqlx::query(
            "SELECT o.person_id, COUNT(*) AS n FROM clients c \
             JOIN client_owners o ON o.company_id = c.company_id AND o.client_id = c.id \
             JOIN people p ON p.company_id = o.company_id AND p.id = o.person_id AND p.deactivated_at IS NULL \
             WHERE c.company_id = $1 AND LOWER(c.territory) = $2 GROUP BY o.person_id ORDER BY n DESC, o.person_id LIMIT 1",
        )
        .bind(&company)
        .bind(city.as_str().to_lowercase())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            return Ok(row.try_get("person_id")?);
        }
    }
    let field: Vec<PersonId> = sqlx::query_scalar(
        "SELECT id FROM people WHERE company_id = $1 AND role = 'field_employee' AND deactivated_at IS NULL ORDER BY id",
    )
    .bind(&company)
    .fetch_all(&mut **tx)
    .await?;
    let chosen = if field.is_empty() {
        sqlx::query_scalar("SELECT id FROM people WHERE company_id = $1 AND role = 'owner' AND deactivated_at IS NULL ORDER BY id LIMIT 1")
            .bind(&company)
            .fetch_one(&mut **tx)
            .await?
    } else {
        let turn: i64 = sqlx::query_scalar("UPDATE companies SET lead_round_robin = lead_round_robin + 1 WHERE id = $1 RETURNING lead_round_robin")
            .bind(&company)
            .fetch_one(&mut **tx)
            .await?;
        field[(turn as usize - 1) % field.len()]
    };
    Ok(chosen)
}

/// Most websites one form is posted from.
const MAX_ORIGINS: usize = 20;

fn origins_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::SchemaFormat;
    let origin = outfield_core::text::string_schema()
        .format(Some(SchemaFormat::Custom("uri".into())))
        .pattern(Some(r"^[\t\n\r ]*https?://"));
    outfield_core::text::list_of(origin, (0, MAX_ORIGINS))
}
