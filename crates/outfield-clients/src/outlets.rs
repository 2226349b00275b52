//! Outlets onboarded from the field: the app records a new shop — its name, owner, phone, type, address,
//! position and shop-front photos — offline if need be, and the `client` record creates the client with
//! the employee as its owner, the owner as its first contact and the photos attached.

use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::db::Tx;
use outfield_core::files::{self, Attach, Purpose};
use outfield_core::geo::{GeoPoint, Reading};
use outfield_core::ids::ClientId;
use outfield_core::people::domain::PhoneNumber;
use outfield_core::sync::{reject, Applied, Incoming};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::{ClientName, ClientStatus, Label, LongText};
use crate::{store, NewClient, NewContact};

/// Shop-front photos one outlet may carry.
const MAX_PHOTOS: usize = 5;

/// What a `client` record carries: a new outlet found on the beat.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutletPayload {
    /// The shop's name.
    pub name: ClientName,
    /// Its owner (its first contact).
    pub owner_name: Option<ClientName>,
    /// The counter's phone.
    pub phone: Option<PhoneNumber>,
    /// One of the company's client types (its first when absent).
    pub client_type: Option<Label>,
    /// Its address.
    pub address: Option<LongText>,
    /// Where the phone was: the outlet's location when accurate enough.
    pub position: Option<Reading>,
    /// Shop-front photos, by file id (their bytes follow).
    #[serde(default)]
    pub photos: Vec<Uuid>,
}

/// A position coarser than this does not become the outlet's location (it would mislead every later
/// check-in); the manager can place it on the map.
const USABLE_ACCURACY_M: f64 = 100.0;

/// Creates the outlet a `client` record describes, owned by its sender.
pub(crate) async fn apply_outlet(
    tx: &mut Tx,
    scope: &Scope,
    actor: &Actor,
    record: &Incoming,
) -> Applied {
    let payload: OutletPayload = record.payload_as()?;
    if payload.photos.len() > MAX_PHOTOS {
        return Err(reject(format!("at most {MAX_PHOTOS} shop-front photos")));
    }
    let settings = crate::fields::load(tx, scope.company_id()).await?;
    let client_type = settings
        .checked_type(payload.client_type.as_ref().map(Label::as_str))
        .map_err(|error| reject(format!("client_type {}", error.message)))?;
    let location = match &payload.position {
        Some(p) if p.accuracy_m <= USABLE_ACCURACY_M => Some(
            GeoPoint::new(p.latitude, p.longitude)
                .map_err(|message| reject(format!("position {message}")))?,
        ),
        _ => None,
    };
    let id = ClientId::from_uuid(record.id);
    let new = NewClient {
        name: payload.name.clone(),
        code: None,
        client_type: Label::parse(&client_type).ok(),
        status: ClientStatus::Active,
        phone: payload.phone.clone(),
        email: None,
        gstin: None,
        category: None,
        territory: None,
        tags: Vec::new(),
        address: payload.address.clone(),
        location,
        owner_ids: vec![scope.person_id()],
        other_phones: Vec::new(),
        other_addresses: Vec::new(),
        custom: Default::default(),
    };
    let owners = [scope.person_id()];
    store::insert(
        tx,
        scope.company_id(),
        (Some(scope.person_id()), &owners),
        id,
        &new,
    )
    .await?;
    if let Some(owner) = &payload.owner_name {
        let contact = NewContact {
            name: owner.clone(),
            role: Label::parse("Owner").ok(),
            phone: payload.phone.clone(),
            email: None,
            language: None,
            consents_to_messages: false,
        };
        store::insert_contact(tx, scope.company_id(), id, Uuid::now_v7(), &contact).await?;
    }
    let subject = id.to_string();
    let photos = Attach {
        subject_kind: "client",
        subject_id: &subject,
        purpose: Purpose::ShopPhoto,
        file_ids: &payload.photos,
    };
    files::attach(tx, scope, photos).await?;
    crate::search::reindex(tx, scope.company_id(), &[id]).await?;
    let event = AuditEvent::new(crate::actions::CLIENT_CREATED, id)
        .with(json!({ "name": new.name, "owners": owners, "via": "field_app" }));
    audit::record(tx, actor, event).await?;
    Ok(())
}

/// The shop-front photos of a client the scope sees (none for one it does not).
pub async fn shop_photos(
    db: &outfield_core::db::Db,
    scope: &Scope,
    id: ClientId,
) -> outfield_core::error::AppResult<Vec<files::Attachment>> {
    let mut tx = db.tenant_read(scope).await?;
    if store::find(&mut tx, scope, id).await?.is_none() {
        return Ok(Vec::new());
    }
    let subject = id.to_string();
    let mut photos = files::attached(
        &mut tx,
        scope.company_id(),
        "client",
        std::slice::from_ref(&subject),
    )
    .await?;
    tx.commit().await?;
    Ok(photos.remove(&subject).unwrap_or_default())
}
