//! Privacy by design: the company's versioned privacy notice and each person's consent ledger.
//!
//! The field app asks in its own words before the browser ever prompts, and records every grant and
//! revocation through the sync protocol with the notice version it was given under. The server keeps the
//! ledger append-only and uses the latest entry per permission: features that need a permission (location
//! fixes, photos, voice notes) call [`has_consent`] and refuse records without it.

pub mod api;
pub mod console;

use crate::ids::{CompanyId, PersonId};
use crate::people::domain::Language;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEvent};
use crate::auth::{Principal, Scope};
use crate::clock::now_ms;
use crate::db::columns::{NullableUnixMs, UnixMs};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::sync::{reject, Applied, Incoming, RecordKind};

/// What the app may touch, each only after the employee grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Location while on duty.
    Location,
    /// Camera for visit photos, receipts and selfies.
    Camera,
    /// Microphone for voice notes.
    Microphone,
    /// The phone's contacts, to fill in a client contact.
    Contacts,
    /// Files, to attach documents.
    Files,
}

impl Permission {
    /// Every permission, in the order the app presents them.
    pub const ALL: [Permission; 5] = [
        Permission::Location,
        Permission::Camera,
        Permission::Microphone,
        Permission::Contacts,
        Permission::Files,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Location => "location",
            Permission::Camera => "camera",
            Permission::Microphone => "microphone",
            Permission::Contacts => "contacts",
            Permission::Files => "files",
        }
    }

    fn parse(raw: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

/// A stored permission, read from its column; an unknown name is a database fault.
impl TryFrom<String> for Permission {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Permission::parse(&stored).ok_or_else(|| format!("unknown permission {stored}"))
    }
}

/// A stored consent state: `granted`, anything else is a withdrawal.
impl From<String> for Decision {
    fn from(stored: String) -> Self {
        if stored == "granted" {
            Decision::Granted
        } else {
            Decision::Revoked
        }
    }
}

/// Granted or revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The employee allowed it.
    Granted,
    /// The employee withdrew it (or never allowed it).
    Revoked,
}

/// The privacy notice employees consent under.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notice {
    /// Version, from 1; a new version asks every employee again.
    pub version: i64,
    /// The text.
    pub body: String,
    /// When it was published (absent for the built-in first version).
    #[sqlx(try_from = "NullableUnixMs")]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The same notice in other interface languages, by language code (`hi`); a person reading a
    /// language it has no text in reads `body`.
    #[sqlx(try_from = "NoticeTranslations")]
    pub translations: BTreeMap<String, String>,
}

crate::json_column!(
    /// A notice's texts in other languages.
    NoticeTranslations,
    BTreeMap<String, String>
);

/// The notice every company starts with, as version 1.
pub(crate) const DEFAULT_NOTICE: &str = "Your company uses Outfield to record your field work. \
Location: recorded only while you are on duty and not on a private pause, to show your manager where you \
are and to verify visits; kept for the period your company has set. Camera: only when you take a visit \
photo, a receipt or a selfie. Microphone: only while you record a voice note. Contacts: only the contact \
you pick, to fill in a client contact. Files: only the file you choose to attach. Your manager and your \
company's administrators see what you record; no other company ever does. You can withdraw any \
permission in the app's settings at any time.";

/// The built-in notice in Hindi.
const DEFAULT_NOTICE_HINDI: &str = "आपकी कंपनी आपके फ़ील्ड काम को दर्ज करने के लिए Outfield का उपयोग करती है। \
स्थान: केवल तब दर्ज होता है जब आप ड्यूटी पर हों और निजी विराम पर न हों, ताकि आपके मैनेजर देख सकें कि आप कहाँ हैं \
और विज़िट की पुष्टि हो सके; आपकी कंपनी द्वारा तय अवधि तक रखा जाता है। कैमरा: केवल जब आप विज़िट की फ़ोटो, रसीद या \
सेल्फ़ी लेते हैं। माइक्रोफ़ोन: केवल जब आप वॉइस नोट रिकॉर्ड करते हैं। संपर्क: केवल वह संपर्क जिसे आप ग्राहक संपर्क भरने \
के लिए चुनते हैं। फ़ाइलें: केवल वह फ़ाइल जिसे आप जोड़ना चुनते हैं। आप जो दर्ज करते हैं उसे आपके मैनेजर और आपकी कंपनी के \
एडमिन देखते हैं; कोई दूसरी कंपनी कभी नहीं देखती। आप ऐप की सेटिंग में कभी भी कोई भी अनुमति वापस ले सकते हैं।";

/// The company's current notice.
pub async fn current_notice(tx: &mut Tx, company_id: CompanyId) -> sqlx::Result<Notice> {
    let notice = sqlx::query_as(
        "SELECT version, body, published_at, translations FROM privacy_notices \
         WHERE company_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(company_id)
    .fetch_optional(&mut **tx)
    .await?;
    match notice {
        Some(notice) => Ok(notice),
        None => Ok(Notice {
            version: 1,
            body: DEFAULT_NOTICE.to_string(),
            published_at: None,
            translations: [(
                Language::Hindi.as_str().to_string(),
                DEFAULT_NOTICE_HINDI.to_string(),
            )]
            .into(),
        }),
    }
}

/// Publishes a new version of the notice (owners and admins) and tells every active person.
pub(crate) async fn publish_notice(
    db: &Db,
    principal: &Principal,
    actor: &Actor,
    body: &str,
    translations: &BTreeMap<String, String>,
) -> AppResult<Notice> {
    let scope = &principal.scope;
    scope.require_admin()?;
    let body = checked_text("body", body)?;
    let translations = checked_translations(translations)?;
    let mut tx = db.tenant(scope).await?;
    let version = current_notice(&mut tx, scope.company_id()).await?.version + 1;
    sqlx::query(
        "INSERT INTO privacy_notices (company_id, version, body, published_at, published_by, translations) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(scope.company_id())
    .bind(version)
    .bind(body)
    .bind(now_ms())
    .bind(scope.person_id())
    .bind(serde_json::to_string(&translations).map_err(anyhow::Error::from)?)
    .execute(&mut *tx)
    .await?;
    let people: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM people WHERE company_id = $1 AND deactivated_at IS NULL",
    )
    .bind(scope.company_id())
    .fetch_all(&mut *tx)
    .await?;
    for person in people {
        let person: PersonId = person
            .parse()
            .map_err(|e| anyhow::anyhow!("stored person id {person}: {e}"))?;
        crate::notifications::notify(
            &mut tx,
            scope.company_id(),
            person,
            "privacy_notice_changed",
            "The privacy notice has changed",
            "Please read it and review your permissions in the app.",
        )
        .await?;
    }
    let event = AuditEvent::new(crate::audit::actions::PRIVACY_NOTICE_PUBLISHED, version);
    audit::record(&mut tx, actor, event).await?;
    let notice = current_notice(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(notice)
}

/// A notice text, trimmed, of a length a person can read and the notice needs.
fn checked_text<'a>(field: &str, text: &'a str) -> AppResult<&'a str> {
    let text = text.trim();
    if text.chars().count() < 20 || text.chars().count() > 20_000 {
        return Err(AppError::field(field, "must be 20–20,000 characters"));
    }
    Ok(text)
}

/// The texts in other languages: each for a language Outfield speaks other than English (the body is
/// the English-or-company text), blank ones left out.
fn checked_translations(
    translations: &BTreeMap<String, String>,
) -> AppResult<BTreeMap<String, String>> {
    let mut checked = BTreeMap::new();
    for (code, text) in translations {
        let field = format!("translations.{code}");
        if Language::parse(code) == Language::English {
            return Err(AppError::field(
                field,
                "is not a language the app speaks besides English (hi)",
            ));
        }
        if !text.trim().is_empty() {
            checked.insert(code.clone(), checked_text(&field, text)?.to_string());
        }
    }
    Ok(checked)
}

/// What a `consent` record carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentPayload {
    /// Which permission.
    pub permission: Permission,
    /// Granted or revoked.
    pub decision: Decision,
    /// The notice version the employee saw.
    pub policy_version: i64,
}

/// The sync records privacy applies: the employee's grants and revocations.
pub const RECORD_KINDS: &[RecordKind] = &[RecordKind {
    name: "consent",
    apply: |tx, scope, actor, record| Box::pin(apply_consent(tx, scope, actor, record)),
}];

/// Records a grant or revocation pushed by the app.
pub(crate) async fn apply_consent(
    tx: &mut Tx,
    scope: &Scope,
    actor: &Actor,
    record: &Incoming,
) -> Applied {
    let payload: ConsentPayload = record.payload_as()?;
    let current = current_notice(tx, scope.company_id()).await?.version;
    if payload.policy_version < 1 || payload.policy_version > current {
        return Err(reject(format!(
            "policy_version must be between 1 and {current}"
        )));
    }
    sqlx::query(
        "INSERT INTO consents (company_id, id, person_id, permission, state, policy_version, device_time, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(scope.company_id())
    .bind(record.id.to_string())
    .bind(scope.person_id())
    .bind(payload.permission.as_str())
    .bind(decision_str(payload.decision))
    .bind(payload.policy_version)
    .bind(record.device_time)
    .bind(record.received_at)
    .execute(&mut **tx)
    .await?;
    let action = match payload.decision {
        Decision::Granted => crate::audit::actions::PRIVACY_CONSENT_GRANTED,
        Decision::Revoked => crate::audit::actions::PRIVACY_CONSENT_REVOKED,
    };
    let event = AuditEvent::new(action, scope.person_id()).with(
        json!({ "permission": payload.permission, "policy_version": payload.policy_version }),
    );
    audit::record(tx, actor, event).await?;
    Ok(())
}

fn decision_str(decision: Decision) -> &'static str {
    match decision {
        Decision::Granted => "granted",
        Decision::Revoked => "revoked",
    }
}

/// One permission's current state for a person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentState {
    /// Which permission.
    pub permission: Permission,
    /// Its latest decision (revoked when never granted).
    pub decision: Decision,
    /// Notice version of that decision (0 when never decided).
    pub policy_version: i64,
    /// When the server recorded it.
    pub recorded_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A person's current decision per permission.
pub async fn current_consents(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<Vec<ConsentState>> {
    let ledger = ledger(tx, company_id, person_id).await?;
    Ok(Permission::ALL
        .into_iter()
        .map(|permission| {
            ledger
                .iter()
                .find(|e| e.permission == permission)
                .map(|e| e.state())
                .unwrap_or(ConsentState {
                    permission,
                    decision: Decision::Revoked,
                    policy_version: 0,
                    recorded_at: None,
                })
        })
        .collect())
}

/// Whether a person's latest decision on `permission` is a grant.
pub async fn has_consent(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    permission: Permission,
) -> sqlx::Result<bool> {
    let latest: Option<String> = sqlx::query_scalar(
        "SELECT state FROM consents WHERE company_id = $1 AND person_id = $2 AND permission = $3 \
         ORDER BY recorded_at DESC, id DESC LIMIT 1",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(permission.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(latest.as_deref() == Some("granted"))
}

/// Refuses a record that carries a position when the person has not allowed location: shared by every
/// record type with an optional position (day start and end, check-in and out, location corrections).
pub async fn check_position_consent(tx: &mut Tx, scope: &Scope, has_position: bool) -> Applied {
    if has_position
        && !has_consent(
            tx,
            scope.company_id(),
            scope.person_id(),
            Permission::Location,
        )
        .await?
    {
        return Err(reject(
            "a position was sent but location is not allowed: allow location or send none",
        ));
    }
    Ok(())
}

/// One entry of the consent ledger.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub(crate) struct ConsentEntry {
    /// The record's id (given by the device).
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// Which permission.
    #[sqlx(try_from = "String")]
    pub permission: Permission,
    /// Granted or revoked.
    #[sqlx(rename = "state", try_from = "String")]
    pub decision: Decision,
    /// Notice version it was given under.
    pub policy_version: i64,
    /// Device time of the decision.
    #[sqlx(try_from = "UnixMs")]
    pub device_time: chrono::DateTime<chrono::Utc>,
    /// Server time it was recorded: the authority.
    #[sqlx(try_from = "UnixMs")]
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    /// Who recorded it (always the person themselves).
    pub person_id: Option<PersonId>,
}

impl ConsentEntry {
    fn state(&self) -> ConsentState {
        ConsentState {
            permission: self.permission,
            decision: self.decision,
            policy_version: self.policy_version,
            recorded_at: Some(self.recorded_at),
        }
    }
}

async fn ledger(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<Vec<ConsentEntry>> {
    sqlx::query_as(
        "SELECT id, person_id, permission, state, policy_version, device_time, recorded_at FROM consents \
         WHERE company_id = $1 AND person_id = $2 ORDER BY recorded_at DESC, id DESC",
    )
    .bind(company_id)
    .bind(person_id)
    .fetch_all(&mut **tx)
    .await
}

/// The consent ledger of a person the scope may see, newest first.
pub(crate) async fn ledger_of(
    db: &Db,
    scope: &Scope,
    person_id: PersonId,
) -> AppResult<Vec<ConsentEntry>> {
    crate::people::get(db, scope, person_id).await?;
    let mut tx = db.tenant_read(scope).await?;
    let entries = ledger(&mut tx, scope.company_id(), person_id).await?;
    tx.commit().await?;
    Ok(entries)
}

/// Current consent of every person the scope may see (the console's overview).
pub(crate) async fn overview(
    db: &Db,
    scope: &Scope,
) -> AppResult<Vec<(crate::people::Person, Vec<ConsentState>)>> {
    let people = crate::people::list(db, scope, crate::people::StatusFilter::Active, None).await?;
    let mut tx = db.tenant_read(scope).await?;
    let mut rows = Vec::with_capacity(people.len());
    for person in people {
        let states = current_consents(&mut tx, scope.company_id(), person.id).await?;
        rows.push((person, states));
    }
    tx.commit().await?;
    Ok(rows)
}
