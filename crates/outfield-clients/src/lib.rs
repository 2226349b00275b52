//! The clients feature crate (`outfield-clients`): clients, contacts, the timeline, leads, imports,
//! search and tasks, with their API routes, console pages and the `interaction` sync record.
//!
//! Clients and relationships: accounts with their owners among the staff, contacts, and one timeline of
//! every interaction (calls, texts, e-mails, notes, visits, orders, documents).
//!
//! Visibility follows ownership: a field employee sees the clients they own, a manager those owned by
//! anyone in their team, owners and admins every client of the company.

pub mod actions;
pub mod api;
pub mod console;
pub mod domain;
pub mod fields;
pub mod import;
pub mod leads;
mod outlets;
pub use outlets::shop_photos;
pub mod search;
pub mod store;
pub mod tasks;
pub mod vcard;

/// The Hindi wordings of the client pages (see `outfield_core::i18n`).
pub const HINDI: &str = include_str!("../i18n/hi.json");

use outfield_core::ids::{ClientId, PersonId};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use domain::{
    ClientCode, ClientName, ClientStatus, InteractionKind, Label, LongText, OtherAddress, Tag,
    MAX_OTHERS,
};
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::db::group_commit::{GroupCommit, WriteFailure};
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult, FieldError};
use outfield_core::feature::{ClientHolders, Erasure, Feature, Table};
use outfield_core::geo::GeoPoint;
use outfield_core::people::domain::{Email, Language, PhoneNumber};
use outfield_core::sync::{reject, Applied, ApplyError, Incoming, RecordKind};
pub use store::{Client, ClientFilter, Contact, Interaction, Owner};

/// A new client.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Name.
    pub name: ClientName,
    /// The company's code for it (unique in the company).
    pub code: Option<ClientCode>,
    /// Type, e.g. Retailer, Distributor, Dealer, Institution.
    pub client_type: Option<Label>,
    /// Lead (default), active, dormant or lost.
    #[serde(default)]
    pub status: ClientStatus,
    /// Main phone number.
    pub phone: Option<PhoneNumber>,
    /// E-mail.
    pub email: Option<Email>,
    /// GSTIN, checked.
    pub gstin: Option<outfield_core::companies::domain::Gstin>,
    /// Category.
    pub category: Option<Label>,
    /// Territory.
    pub territory: Option<Label>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Address.
    pub address: Option<LongText>,
    /// Position of the address.
    pub location: Option<GeoPoint>,
    /// Owners among the staff (default: the person creating it). Field employees always own what they add.
    #[serde(default)]
    pub owner_ids: Vec<PersonId>,
    /// Further phone numbers (at most 10).
    #[serde(default)]
    pub other_phones: Vec<PhoneNumber>,
    /// Further addresses (at most 10).
    #[serde(default)]
    pub other_addresses: Vec<OtherAddress>,
    /// Values of the company's custom fields, by key (`GET /api/v1/company/client-fields`).
    #[serde(default)]
    #[schema(schema_with = custom_rule)]
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Changes to a client; absent fields stay, `null` clears optional ones.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientChanges {
    /// Name.
    pub name: Option<ClientName>,
    /// Code, or `null`.
    #[serde(default, deserialize_with = "outfield_core::text::present")]
    #[schema(value_type = Option<ClientCode>)]
    pub code: Option<Option<ClientCode>>,
    /// Type.
    pub client_type: Option<Label>,
    /// Status.
    pub status: Option<ClientStatus>,
    /// Phone, or `null`.
    #[serde(default, deserialize_with = "outfield_core::text::present")]
    #[schema(value_type = Option<PhoneNumber>)]
    pub phone: Option<Option<PhoneNumber>>,
    /// E-mail, or `null`.
    #[serde(default, deserialize_with = "outfield_core::text::present")]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Option<Email>>,
    /// Tags (replaces the list).
    pub tags: Option<Vec<Tag>>,
    /// Address, or `null`.
    #[serde(default, deserialize_with = "outfield_core::text::present")]
    #[schema(value_type = Option<LongText>)]
    pub address: Option<Option<LongText>>,
    /// Position, or `null`.
    #[serde(default, deserialize_with = "outfield_core::text::present")]
    #[schema(value_type = Option<GeoPoint>)]
    pub location: Option<Option<GeoPoint>>,
    /// Owners (replaces the list; managers and admins only).
    pub owner_ids: Option<Vec<PersonId>>,
    /// Further phone numbers (replaces the list).
    pub other_phones: Option<Vec<PhoneNumber>>,
    /// Further addresses (replaces the list).
    pub other_addresses: Option<Vec<OtherAddress>>,
    /// Custom values to set; `null` removes one, absent keys stay.
    #[schema(schema_with = custom_changes_rule)]
    pub custom: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A new contact at a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewContact {
    /// Name.
    pub name: ClientName,
    /// Role at the client (owner, buyer, accountant …).
    pub role: Option<Label>,
    /// Phone.
    pub phone: Option<PhoneNumber>,
    /// E-mail.
    pub email: Option<Email>,
    /// Preferred language.
    pub language: Option<Language>,
    /// Whether the contact agreed to be messaged (SMS, WhatsApp, e-mail).
    #[serde(default)]
    pub consents_to_messages: bool,
}

/// A touch with a client, logged from the console or the field app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInteraction {
    /// Call, SMS, e-mail, note, visit, order or document.
    pub kind: InteractionKind,
    /// The contact it was with, if any.
    pub contact_id: Option<Uuid>,
    /// The outcome (e.g. "ordered", "call back", "not reachable").
    pub outcome: Option<Label>,
    /// What happened.
    pub body: LongText,
}

/// Clients the scope may see, filtered.
pub async fn list(db: &Db, scope: &Scope, filter: &ClientFilter) -> AppResult<Vec<Client>> {
    let mut tx = db.tenant_read(scope).await?;
    let clients = store::list(&mut tx, scope, filter).await?;
    tx.commit().await?;
    Ok(clients)
}

/// A page of the clients the scope may see, in a stable order, with the true number matching.
pub async fn page(
    db: &Db,
    scope: &Scope,
    filter: &ClientFilter,
    request: (store::ListOrder, Option<store::Cursor>, i64),
) -> AppResult<store::ClientPage> {
    let mut tx = db.tenant_read(scope).await?;
    let page = store::page(&mut tx, scope, filter, request).await?;
    tx.commit().await?;
    Ok(page)
}

/// The clients of a filter the scope may see inside a part of the map (all of them when `None`), as
/// single clients or, when too many to show, as clusters.
pub async fn map_view(
    db: &Db,
    scope: &Scope,
    filter: &ClientFilter,
    area: Option<store::MapArea>,
) -> AppResult<store::MapView> {
    let mut tx = db.tenant_read(scope).await?;
    let view = store::map_view(&mut tx, scope, filter, area).await?;
    tx.commit().await?;
    Ok(view)
}

/// One client the scope may see; 404 otherwise.
pub async fn get(db: &Db, scope: &Scope, id: ClientId) -> AppResult<Client> {
    let mut tx = db.tenant_read(scope).await?;
    let client = visible(&mut tx, scope, id).await?;
    tx.commit().await?;
    Ok(client)
}

async fn visible(tx: &mut Tx, scope: &Scope, id: ClientId) -> AppResult<Client> {
    store::find(tx, scope, id).await?.ok_or(AppError::NotFound)
}

/// Owners a scope may give a client, with their names: themselves for field employees (and by default);
/// active people they can see otherwise.
async fn check_owners(tx: &mut Tx, scope: &Scope, owner_ids: &[PersonId]) -> AppResult<Vec<Owner>> {
    if owner_ids.is_empty() {
        let me = sqlx::query_as("SELECT id, name FROM people WHERE company_id = $1 AND id = $2")
            .bind(scope.company_id())
            .bind(scope.person_id())
            .fetch_one(&mut **tx)
            .await?;
        return Ok(vec![me]);
    }
    if scope.role() == outfield_core::people::domain::Role::FieldEmployee
        && owner_ids != [scope.person_id()]
    {
        return Err(AppError::field(
            "owner_ids",
            "field employees own the clients they add",
        ));
    }
    let mut ids = owner_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut owners = Vec::with_capacity(ids.len());
    for owner in ids {
        match outfield_core::people::store::find(tx, scope, owner).await? {
            Some(person) if person.deactivated_at.is_none() => owners.push(Owner {
                id: person.id,
                name: person.name.to_string(),
            }),
            _ => {
                return Err(AppError::field(
                    "owner_ids",
                    "must be active people you can see",
                ))
            }
        }
    }
    Ok(owners)
}

/// Adds a client. Its checks (type, custom values, code, owners) read first; the write is the client,
/// its owners, its search words and its audit entry, four statements that need nothing read between
/// them. On SQLite the checks read on a read transaction and creates that arrive together run as one
/// transaction (and one sync to disk) on the writer's thread; on PostgreSQL checks and write are one
/// transaction. Each is answered once it is durable.
pub async fn create(
    writes: &GroupCommit,
    scope: &Scope,
    actor: &Actor,
    new: NewClient,
) -> AppResult<Client> {
    let (id, created_at) = (ClientId::generate(), outfield_core::clock::now_ms());
    let (checking, actor) = (scope.clone(), actor.clone());
    let statements = |(new, owners): &(NewClient, Vec<Owner>)| {
        let owner_ids: Vec<PersonId> = owners.iter().map(|o| o.id).collect();
        let added = (Some(scope.person_id()), owner_ids.as_slice());
        let mut statements = store::insert_statements(
            writes.dialect(),
            (scope.company_id(), id, created_at),
            added,
            new,
        );
        let event = AuditEvent::new(crate::actions::CLIENT_CREATED, id)
            .with(json!({ "name": new.name, "owners": owner_ids }));
        statements.push(audit::entry(&actor, event));
        statements
    };
    // A code taken since the check (by a create that committed in between) is refused by the unique
    // index: a conflict, as the check would have answered.
    let ((new, owners), _) = writes
        .checked(
            scope,
            move |tx| Box::pin(async move { checked_new(tx, &checking, new).await }),
            statements,
        )
        .await
        .map_err(|failure| match failure {
            WriteFailure::Unique => code_conflict(),
            failure => failure.into(),
        })?;
    Ok(store::created(id, &new, owners, created_at))
}

/// A new client checked against the company's definitions and the rules for codes and owners.
async fn checked_new(
    tx: &mut Tx,
    scope: &Scope,
    mut new: NewClient,
) -> AppResult<(NewClient, Vec<Owner>)> {
    let settings = fields::load(tx, scope.company_id()).await?;
    let checked = settings
        .checked_type(new.client_type.as_ref().map(Label::as_str))
        .map_err(|e| vec![e])
        .and_then(|kind| {
            let custom = settings.merge_values(&Default::default(), &new.custom, true)?;
            Ok((kind, custom))
        })
        .and_then(|checked| {
            check_others(new.other_phones.len(), new.other_addresses.len())?;
            Ok(checked)
        });
    let (kind, custom) = checked.map_err(AppError::Validation)?;
    new.client_type = Label::parse(&kind).ok();
    new.custom = custom;
    if let Some(code) = &new.code {
        if store::code_taken(tx, scope.company_id(), code.as_str(), None).await? {
            return Err(code_conflict());
        }
    }
    let owners = check_owners(tx, scope, &new.owner_ids).await?;
    Ok((new, owners))
}

/// The answer to a code another client of the company already has.
fn code_conflict() -> AppError {
    AppError::Conflict(FieldError::new("code", "is already used by another client"))
}

/// Changes a client the scope may see. Only managers and admins change owners.
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: ClientId,
    changes: ClientChanges,
) -> AppResult<Client> {
    let mut tx = db.tenant(scope).await?;
    let current = visible(&mut tx, scope, id).await?;
    let changes = checked_changes(&mut tx, scope, &current, changes).await?;
    if let Some(Some(code)) = &changes.code {
        if store::code_taken(&mut tx, scope.company_id(), code.as_str(), Some(id)).await? {
            return Err(code_conflict());
        }
    }
    let owners = match &changes.owner_ids {
        Some(_) if scope.role() == outfield_core::people::domain::Role::FieldEmployee => {
            return Err(AppError::field(
                "owner_ids",
                "only managers and admins reassign clients",
            ))
        }
        Some(ids) if ids.is_empty() => {
            return Err(AppError::field(
                "owner_ids",
                "a client needs at least one owner",
            ))
        }
        Some(ids) => Some(check_owners(&mut tx, scope, ids).await?),
        None => None,
    };
    let mut changed = store::apply_changes(&mut tx, scope.company_id(), id, &changes).await?;
    if let Some(owners) = owners {
        let ids: Vec<PersonId> = owners.iter().map(|o| o.id).collect();
        store::set_owners(&mut tx, scope.company_id(), id, &ids).await?;
        changed.push("owners");
    }
    if !changed.is_empty() {
        let event =
            AuditEvent::new(crate::actions::CLIENT_UPDATED, id).with(json!({ "changed": changed }));
        audit::record(&mut tx, actor, event).await?;
    }
    let client = visible(&mut tx, scope, id).await?;
    tx.commit().await?;
    Ok(client)
}

/// Refuses more further phones or addresses than a client holds.
fn check_others(phones: usize, addresses: usize) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if phones > MAX_OTHERS {
        errors.push(FieldError::new(
            "other_phones",
            format!("at most {MAX_OTHERS}"),
        ));
    }
    if addresses > MAX_OTHERS {
        errors.push(FieldError::new(
            "other_addresses",
            format!("at most {MAX_OTHERS}"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks a change's type and custom values against the company's definitions; the custom values
/// become the client's whole new set.
async fn checked_changes(
    tx: &mut Tx,
    scope: &Scope,
    current: &Client,
    mut changes: ClientChanges,
) -> AppResult<ClientChanges> {
    let settings = fields::load(tx, scope.company_id()).await?;
    let mut errors = Vec::new();
    if let Some(kind) = &changes.client_type {
        match settings.checked_type(Some(kind.as_str())) {
            Ok(kind) => changes.client_type = Label::parse(&kind).ok(),
            Err(error) => errors.push(error),
        }
    }
    if let Some(custom) = &changes.custom {
        match settings.merge_values(&current.custom, custom, false) {
            Ok(merged) => changes.custom = Some(merged),
            Err(more) => errors.extend(more),
        }
    }
    let phones = changes.other_phones.as_ref().map_or(0, Vec::len);
    let addresses = changes.other_addresses.as_ref().map_or(0, Vec::len);
    if let Err(more) = check_others(phones, addresses) {
        errors.extend(more);
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Contacts of a client the scope may see.
pub async fn contacts(db: &Db, scope: &Scope, client_id: ClientId) -> AppResult<Vec<Contact>> {
    let mut tx = db.tenant_read(scope).await?;
    visible(&mut tx, scope, client_id).await?;
    let contacts = store::contacts(&mut tx, scope.company_id(), client_id).await?;
    tx.commit().await?;
    Ok(contacts)
}

/// Adds a contact to a client the scope may see.
pub(crate) async fn add_contact(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    client_id: ClientId,
    new: NewContact,
) -> AppResult<Contact> {
    let mut tx = db.tenant(scope).await?;
    visible(&mut tx, scope, client_id).await?;
    let id = Uuid::now_v7();
    store::insert_contact(&mut tx, scope.company_id(), client_id, id, &new).await?;
    let event = AuditEvent::new(crate::actions::CLIENT_CONTACT_ADDED, client_id)
        .with(json!({ "contact_id": id }));
    audit::record(&mut tx, actor, event).await?;
    let contact = store::contacts(&mut tx, scope.company_id(), client_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(contact)
}

/// The timeline of a client the scope may see, newest first.
pub async fn timeline(
    db: &Db,
    scope: &Scope,
    client_id: ClientId,
    kind: Option<InteractionKind>,
) -> AppResult<Vec<Interaction>> {
    let mut tx = db.tenant_read(scope).await?;
    visible(&mut tx, scope, client_id).await?;
    let items = store::timeline(&mut tx, scope.company_id(), client_id, kind).await?;
    tx.commit().await?;
    Ok(items)
}

/// Logs an interaction from the console or API (server time is when it happened).
pub(crate) async fn log_interaction(
    db: &Db,
    scope: &Scope,
    client_id: ClientId,
    new: NewInteraction,
) -> AppResult<Interaction> {
    let mut tx = db.tenant(scope).await?;
    let now = outfield_core::clock::now_ms();
    let id = Uuid::now_v7();
    match record_interaction(&mut tx, scope, id, client_id, &new, (now, now)).await {
        Ok(()) => {}
        Err(ApplyError::Rejected(rejection)) => {
            return Err(AppError::field("contact_id", rejection.0))
        }
        Err(ApplyError::Fault(error)) => return Err(error),
    }
    let item = store::timeline(&mut tx, scope.company_id(), client_id, None)
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(item)
}

/// Puts an interaction on a client's timeline, if the scope may see the client (and the contact is
/// theirs); visits land here at check-out.
pub async fn record_interaction(
    tx: &mut Tx,
    scope: &Scope,
    id: Uuid,
    client_id: ClientId,
    new: &NewInteraction,
    (occurred_at, received_at): (i64, i64),
) -> Applied {
    if store::find(tx, scope, client_id).await?.is_none() {
        return Err(reject("the client is not one of yours"));
    }
    if let Some(contact) = new.contact_id {
        let known = store::contacts(tx, scope.company_id(), client_id)
            .await?
            .iter()
            .any(|c| c.id == contact);
        if !known {
            return Err(reject("the contact does not belong to this client"));
        }
    }
    let author = (scope.company_id(), scope.person_id());
    store::insert_interaction(tx, author, id, client_id, new, occurred_at, received_at).await?;
    Ok(())
}

/// What an `interaction` record from the field app carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InteractionPayload {
    /// The client.
    pub client_id: ClientId,
    /// Call, SMS, e-mail, note, visit, order or document.
    pub kind: InteractionKind,
    /// The contact it was with, if any.
    pub contact_id: Option<Uuid>,
    /// The outcome.
    pub outcome: Option<Label>,
    /// What happened.
    pub body: LongText,
}

/// Stores an interaction pushed by the field app (e.g. the outcome of a call made offline).
pub(crate) async fn apply_interaction(tx: &mut Tx, scope: &Scope, record: &Incoming) -> Applied {
    let payload: InteractionPayload = record.payload_as()?;
    let interaction = NewInteraction {
        kind: payload.kind,
        contact_id: payload.contact_id,
        outcome: payload.outcome,
        body: payload.body,
    };
    let times = (record.device_time, record.received_at);
    record_interaction(tx, scope, record.id, payload.client_id, &interaction, times).await
}

/// Moves every client owned by one person to another (someone leaving): one action, audited.
pub async fn reassign(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    from: PersonId,
    to: PersonId,
) -> AppResult<u64> {
    scope.require_admin()?;
    let mut tx = db.tenant(scope).await?;
    if outfield_core::people::store::find(&mut tx, scope, from)
        .await?
        .is_none()
    {
        return Err(AppError::field(
            "from_person_id",
            "is not a person of this company",
        ));
    }
    match outfield_core::people::store::find(&mut tx, scope, to).await? {
        Some(person) if person.deactivated_at.is_none() && from != to => {}
        _ => {
            return Err(AppError::field(
                "to_person_id",
                "must be another active person of this company",
            ))
        }
    }
    let moved = store::reassign(&mut tx, scope.company_id(), from, to).await?;
    let event = AuditEvent::new(crate::actions::CLIENT_REASSIGNED, from)
        .with(json!({ "to": to, "clients": moved }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(moved)
}

/// Merges a duplicate into the client to keep: contacts, interactions and owners move over, empty fields
/// of the kept client are filled from the duplicate, and the duplicate is removed. Managers and admins.
pub async fn merge(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    keep: ClientId,
    duplicate: ClientId,
) -> AppResult<Client> {
    if scope.role() == outfield_core::people::domain::Role::FieldEmployee {
        return Err(AppError::Forbidden);
    }
    if keep == duplicate {
        return Err(AppError::field("duplicate_id", "must be another client"));
    }
    let mut tx = db.tenant(scope).await?;
    store::lock_for_merge(&mut tx, scope.company_id(), keep, duplicate).await?;
    visible(&mut tx, scope, keep).await?;
    if store::find(&mut tx, scope, duplicate).await?.is_none() {
        return Err(AppError::field(
            "duplicate_id",
            "is not a client you can see",
        ));
    }
    let moved = store::merge(&mut tx, scope.company_id(), keep, duplicate).await?;
    let event = AuditEvent::new(crate::actions::CLIENT_MERGED, keep)
        .with(json!({ "duplicate_id": duplicate, "interactions_moved": moved }));
    audit::record(&mut tx, actor, event).await?;
    let client = visible(&mut tx, scope, keep).await?;
    tx.commit().await?;
    Ok(client)
}

/// The sync records this crate applies: interactions logged in the field app, and outlets onboarded
/// there.
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        name: "interaction",
        apply: |tx, scope, _, record| Box::pin(apply_interaction(tx, scope, record)),
    },
    RecordKind {
        name: "client",
        apply: |tx, scope, actor, record| Box::pin(outlets::apply_outlet(tx, scope, actor, record)),
    },
];

/// The clients feature as the binary composes it.
pub static FEATURE: Feature = Feature {
    name: "outfield-clients",
    api: api::routes,
    console: console::routes,
    hindi: HINDI,
    actions: actions::ALL,
    record_kinds: RECORD_KINDS,
    pull: &[],
    jobs: &[],
    on_start: Some(|db| Box::pin(search::rebuild_if_outdated(db))),
    tables: &[
        Table::owned("clients").naming_people(&[("created_by", Erasure::Unlink)]),
        Table::owned("client_owners")
            .naming_clients(&["client_id"])
            .naming_people(&[("person_id", Erasure::Delete)]),
        Table::owned("client_search_words")
            .naming_clients(&["client_id"])
            .naming_people(&[("holder_id", Erasure::Rebuilt)]),
        Table::owned("contacts").naming_clients(&["client_id"]),
        Table::owned("interactions")
            .naming_clients(&["client_id"])
            .naming_people(&[("person_id", Erasure::Unlink)]),
        Table::owned("tasks")
            .naming_clients(&["client_id"])
            .naming_people(&[
                ("assignee_id", Erasure::Unlink),
                ("created_by", Erasure::Unlink),
                ("done_by", Erasure::Unlink),
            ]),
        Table::owned("imports").naming_people(&[("person_id", Erasure::Delete)]),
    ],
    client_holders: &[ClientHolders {
        table: "client_owners",
        client_column: "client_id",
        person_column: "person_id",
    }],
};

/// Custom values by key: keys of custom fields, values text, numbers or `null`.
fn custom_values(nullable: bool) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let value = ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Null,
        ]))
        .pattern(Some(outfield_core::text::BODY_TEXT));
    let key = outfield_core::text::string_schema().pattern(Some("^[a-z0-9_]{1,40}$"));
    let kinds = match nullable {
        true => SchemaType::from_iter([Type::Object, Type::Null]),
        false => SchemaType::new(Type::Object),
    };
    ObjectBuilder::new()
        .schema_type(kinds)
        .property_names(Some(key))
        .additional_properties(Some(value))
        .into()
}

fn custom_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    custom_values(false)
}

fn custom_changes_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    custom_values(true)
}
