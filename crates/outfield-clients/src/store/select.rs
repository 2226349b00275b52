//! What every read of clients shares, below both the store's operations and the search index: the
//! client row as the API shows it, the list's filters, the columns read, the parameters bound after the
//! scope's, and the owners attached to a page of clients.

use std::collections::HashMap;

use outfield_core::db::columns::{CommaList, JsonObject, JsonStrings, StoredPosition, UnixMs};
use outfield_core::db::Tx;
use outfield_core::geo::GeoPoint;
use outfield_core::ids::{ClientId, CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, Row};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{ClientStatus, OtherAddress};

/// A client as the API and console show it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Client {
    /// Id.
    pub id: ClientId,
    /// The company's code for it.
    pub code: Option<String>,
    /// Name.
    pub name: String,
    /// Type.
    pub client_type: String,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: ClientStatus,
    /// Main phone (E.164).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// GSTIN.
    pub gstin: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Territory.
    pub territory: Option<String>,
    /// Tags.
    #[sqlx(try_from = "CommaList")]
    pub tags: Vec<String>,
    /// Address.
    pub address: Option<String>,
    /// Position of the address.
    #[sqlx(flatten, try_from = "StoredPosition")]
    pub location: Option<GeoPoint>,
    /// Further phone numbers (E.164).
    #[sqlx(try_from = "JsonStrings")]
    pub other_phones: Vec<String>,
    /// Further addresses.
    #[sqlx(try_from = "StoredAddresses")]
    pub other_addresses: Vec<OtherAddress>,
    /// Values of the company's custom fields, by key.
    #[schema(value_type = Object)]
    #[sqlx(rename = "custom_fields", try_from = "JsonObject")]
    pub custom: serde_json::Map<String, serde_json::Value>,
    /// Owners among the staff.
    #[sqlx(skip)]
    pub owners: Vec<Owner>,
    /// Distance from the point asked about (for "near me" searches), in metres.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[sqlx(skip)]
    pub distance_m: Option<f64>,
    /// When it was added.
    #[sqlx(try_from = "UnixMs")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A client's owner.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Owner {
    /// Person id.
    pub id: PersonId,
    /// Name.
    pub name: String,
}

/// Filters of the client list; all optional, combined with AND.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientFilter {
    /// Words, each matching the start of a word of the name, code, phone number, e-mail, GSTIN, category,
    /// territory, tags, or a contact's name, phone or e-mail; common spellings of Indian names are
    /// matched together (Lakshmi, Laxmi). Whole-word matches come first, then by name.
    pub q: Option<String>,
    /// Status.
    pub status: Option<ClientStatus>,
    /// Owned by this person.
    pub owner_id: Option<PersonId>,
    /// Has this tag.
    pub tag: Option<String>,
    /// With `longitude`: nearest first, from this point.
    pub latitude: Option<f64>,
    /// With `latitude`.
    pub longitude: Option<f64>,
    /// At most this many (default 100, or 20 near a point; at most 1000, or 100,000 for the export).
    pub limit: Option<i64>,
}

/// Most clients one list returns: an export of the largest import.
pub(crate) const MAX_LIST: i64 = 100_000;

pub(crate) const CLIENT_COLUMNS: &str =
    "c.id, c.code, c.name, c.client_type, c.status, c.phone, c.email, c.gstin, \
     c.category, c.territory, c.tags, c.address, c.latitude, c.longitude, c.created_at, \
     c.other_phones, c.other_addresses, c.custom_fields";

/// A bound value of a client query.
enum Param {
    Text(String),
    Number(f64),
    Integer(i64),
}

/// The values a client query binds after the scope's $1–$3, each named by the placeholder it returns.
#[derive(Default)]
pub(crate) struct SqlParams(Vec<Param>);

impl SqlParams {
    /// Parameters that follow the scope's three.
    pub(crate) fn after_scope() -> SqlParams {
        SqlParams::default()
    }

    fn push(&mut self, param: Param) -> String {
        self.0.push(param);
        format!("${}", self.0.len() + 3)
    }

    /// Binds a text value.
    pub(crate) fn text(&mut self, value: String) -> String {
        self.push(Param::Text(value))
    }

    /// Binds a number.
    pub(crate) fn number(&mut self, value: f64) -> String {
        self.push(Param::Number(value))
    }

    /// Binds an integer.
    pub(crate) fn integer(&mut self, value: i64) -> String {
        self.push(Param::Integer(value))
    }

    /// Binds the values, in order, to a query whose scope is bound.
    pub(crate) fn bind<'q>(
        self,
        mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for param in self.0 {
            query = match param {
                Param::Text(text) => query.bind(text),
                Param::Number(number) => query.bind(number),
                Param::Integer(number) => query.bind(number),
            };
        }
        query
    }
}

/// The status, owner and tag conditions of a filter (its words are matched by the caller).
pub(crate) fn filter_conditions(filter: &ClientFilter, params: &mut SqlParams) -> Vec<String> {
    // Only the filters asked for become conditions: "$n IS NULL OR …" would keep PostgreSQL's generic
    // plans from using the indexes.
    let mut conditions = Vec::new();
    if let Some(status) = filter.status {
        let p = params.text(status.as_str().to_string());
        conditions.push(format!("c.status = {p}"));
    }
    if let Some(owner) = filter.owner_id {
        let p = params.text(owner.to_string());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM client_owners ow WHERE ow.company_id = c.company_id \
             AND ow.client_id = c.id AND ow.person_id = {p})"
        ));
    }
    if let Some(tag) = &filter.tag {
        let p = params.text(format!(
            "%,{},%",
            tag.trim().to_lowercase().replace(['%', '_'], "")
        ));
        conditions.push(format!("(',' || c.tags || ',') LIKE {p}"));
    }
    conditions
}

outfield_core::json_column!(
    /// A client's further addresses, stored as JSON text.
    StoredAddresses,
    Vec<OtherAddress>
);

/// Fills in each client's owners: the list and the API show who looks after a client.
pub(crate) async fn attach_owners(
    tx: &mut Tx,
    company_id: CompanyId,
    clients: &mut [Client],
) -> sqlx::Result<()> {
    if clients.is_empty() {
        return Ok(());
    }
    // A page of clients asks for its own owners; an export reads the company's ownerships in one pass
    // rather than in hundreds of IN lists.
    let (filter, ids): (String, Vec<String>) = if clients.len() <= 500 {
        let placeholders: Vec<String> = (2..clients.len() + 2).map(|i| format!("${i}")).collect();
        (
            format!("AND o.client_id IN ({})", placeholders.join(", ")),
            clients.iter().map(|c| c.id.to_string()).collect(),
        )
    } else {
        (String::new(), Vec::new())
    };
    let sql = format!(
        "SELECT o.client_id, p.id, p.name FROM client_owners o \
         JOIN people p ON p.company_id = o.company_id AND p.id = o.person_id \
         WHERE o.company_id = $1 {filter} ORDER BY p.name"
    );
    let mut query = sqlx::query(&sql).bind(company_id);
    for id in ids {
        query = query.bind(id);
    }
    let mut owners: HashMap<ClientId, Vec<Owner>> = HashMap::new();
    for row in query.fetch_all(&mut **tx).await? {
        owners
            .entry(row.try_get("client_id")?)
            .or_default()
            .push(Owner::from_row(&row)?);
    }
    for client in clients.iter_mut() {
        client.owners = owners.remove(&client.id).unwrap_or_default();
    }
    Ok(())
}
