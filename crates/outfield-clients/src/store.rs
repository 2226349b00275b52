//! SQL for clients, contacts and interactions. Reads are limited to the clients the scope may see.

use outfield_core::db::columns::{NullableUnixMs, NullableUuid, UnixMs};
use outfield_core::ids::{ClientId, CompanyId, PersonId};

use serde::Serialize;
use sqlx::{FromRow, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::InteractionKind;
use crate::search;
use crate::{ClientChanges, NewClient, NewContact, NewInteraction};
use outfield_core::auth::Scope;
use outfield_core::clock::now_ms;
use outfield_core::db::{NullableFloat, Tx};
use outfield_core::geo::GeoPoint;
use outfield_core::people::store::bind_scope;

mod insert;
mod map;
mod merge;
mod page;
pub(crate) mod reach;
pub(crate) mod select;
pub use insert::{created, insert, insert_statements};
pub use map::{view as map_view, MapArea, MapPoint, MapView, MAX_POINTS as MAP_MAX_POINTS};
pub(crate) use merge::{lock_for_merge, merge};
pub use page::{page, ClientPage, Cursor, ListOrder};
pub(crate) use reach::{
    clients_in_reach_sql, reachable_clients, visible_clients_sql, within_reach,
};
pub(crate) use select::{attach_owners, filter_conditions, SqlParams, MAX_LIST};
pub use select::{Client, ClientFilter, Owner};

/// Clients the scope may see, filtered; nearest first when a point is given, else search order when
/// words are given, else by name.
pub async fn list(tx: &mut Tx, scope: &Scope, filter: &ClientFilter) -> sqlx::Result<Vec<Client>> {
    let near = match (filter.latitude, filter.longitude) {
        (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
        _ => None,
    };
    let limit = filter
        .limit
        .unwrap_or(if near.is_some() { 20 } else { 100 })
        .clamp(1, MAX_LIST);
    let terms = filter.q.as_deref().map(search::terms).unwrap_or_default();
    let Some(center) = near else {
        if !terms.is_empty() {
            return search::find(tx, scope, filter, &terms, limit).await;
        }
        return query(tx, scope, filter, &terms, None, limit).await;
    };
    // Widen a box around the point until it holds enough clients, then keep those inside the circle.
    let mut radius_m = 1_000.0;
    loop {
        let mut found = query(tx, scope, filter, &terms, Some((center, radius_m)), 5_000).await?;
        for client in &mut found {
            client.distance_m = client.location.map(|p| center.distance_m(&p));
        }
        found.retain(|c| c.distance_m.is_some_and(|d| d <= radius_m));
        if found.len() as i64 >= limit || radius_m > 20_000_000.0 {
            found.sort_by(|a, b| {
                a.distance_m
                    .partial_cmp(&b.distance_m)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            found.truncate(limit as usize);
            return Ok(found);
        }
        radius_m *= 4.0;
    }
}

async fn query(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    terms: &[search::Term],
    area: Option<(GeoPoint, f64)>,
    limit: i64,
) -> sqlx::Result<Vec<Client>> {
    let mut params = SqlParams::after_scope();
    let mut conditions: Vec<String> = terms.iter().map(|t| t.condition(&mut params)).collect();
    conditions.extend(filter_conditions(filter, &mut params));
    if let Some((center, radius_m)) = area {
        let d_lat = radius_m / 111_320.0;
        let d_lon = radius_m / (111_320.0 * center.latitude.to_radians().cos().max(0.01));
        let bounds = [
            center.latitude - d_lat,
            center.latitude + d_lat,
            center.longitude - d_lon,
            center.longitude + d_lon,
        ];
        let [a, b, c, d] = bounds.map(|value| params.number(value));
        conditions.push(format!(
            "c.latitude BETWEEN {a} AND {b} AND c.longitude BETWEEN {c} AND {d}"
        ));
    }
    // Around a point the caller sorts by distance: an ORDER BY here would lead the planner to walk the
    // name index past every client instead of using the position index.
    let order = if area.is_some() {
        ""
    } else {
        "ORDER BY c.name, c.id"
    };
    let limit_param = params.integer(limit);
    let tail = format!(
        "{} {order} LIMIT {limit_param}",
        conditions
            .iter()
            .map(|c| format!("AND {c}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let sql = if area.is_some() {
        visible_clients_sql(&tail)
    } else {
        clients_in_reach_sql(scope, &tail)
    };
    let mut clients = fetch_clients(tx, scope, &sql, params).await?;
    attach_owners(tx, scope.company_id(), &mut clients).await?;
    Ok(clients)
}

/// Runs a client query (its scope's three parameters first, then `params`) and reads each row as a
/// client, without owners.
pub(crate) async fn fetch_clients(
    tx: &mut Tx,
    scope: &Scope,
    sql: &str,
    params: SqlParams,
) -> sqlx::Result<Vec<Client>> {
    let rows = params
        .bind(bind_scope(sqlx::query(sql), scope))
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(Client::from_row).collect()
}

/// One client, if the scope may see it.
pub async fn find(tx: &mut Tx, scope: &Scope, id: ClientId) -> sqlx::Result<Option<Client>> {
    let sql = visible_clients_sql("AND c.id = $4");
    let row = bind_scope(sqlx::query(&sql), scope)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut clients = vec![Client::from_row(&row)?];
    attach_owners(tx, scope.company_id(), &mut clients).await?;
    Ok(clients.pop())
}

/// The JSON text stored for a value.
fn json_text(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Whether another client of the company has this code.
pub(crate) async fn code_taken(
    tx: &mut Tx,
    company_id: CompanyId,
    code: &str,
    except: Option<ClientId>,
) -> sqlx::Result<bool> {
    let row = sqlx::query(
        "SELECT id FROM clients WHERE company_id = $1 AND code = $2 AND ($3 IS NULL OR id <> $3)",
    )
    .bind(company_id)
    .bind(code)
    .bind(except)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// Tags as the clients table stores them: sorted, without repeats, comma-separated.
pub(crate) fn tags_text(tags: &[crate::domain::Tag]) -> String {
    let mut tags: Vec<&str> = tags.iter().map(|t| t.as_str()).collect();
    tags.sort_unstable();
    tags.dedup();
    tags.join(",")
}

/// The text columns a change sets (`Some(None)` clears one), in the order they are written.
fn column_updates(changes: &ClientChanges) -> [(&'static str, Option<Option<String>>); 11] {
    let text = |value: Option<&str>| value.map(String::from);
    let updates: [(&'static str, Option<Option<String>>); 11] = [
        (
            "other_phones",
            changes.other_phones.as_ref().map(|v| Some(json_text(v))),
        ),
        (
            "other_addresses",
            changes.other_addresses.as_ref().map(|v| Some(json_text(v))),
        ),
        (
            "custom_fields",
            changes.custom.as_ref().map(|v| Some(json_text(v))),
        ),
        ("name", changes.name.as_ref().map(|v| Some(v.to_string()))),
        (
            "code",
            changes
                .code
                .as_ref()
                .map(|v| text(v.as_ref().map(|c| c.as_str()))),
        ),
        (
            "client_type",
            changes.client_type.as_ref().map(|v| Some(v.to_string())),
        ),
        (
            "status",
            changes.status.map(|s| Some(s.as_str().to_string())),
        ),
        (
            "phone",
            changes
                .phone
                .as_ref()
                .map(|v| text(v.as_ref().map(|p| p.as_str()))),
        ),
        (
            "email",
            changes
                .email
                .as_ref()
                .map(|v| text(v.as_ref().map(|e| e.as_str()))),
        ),
        (
            "address",
            changes
                .address
                .as_ref()
                .map(|v| text(v.as_ref().map(|a| a.as_str()))),
        ),
        ("tags", changes.tags.as_ref().map(|t| Some(tags_text(t)))),
    ];
    updates
}

/// Applies changes column by column and names the changed fields.
pub async fn apply_changes(
    tx: &mut Tx,
    company_id: CompanyId,
    id: ClientId,
    changes: &ClientChanges,
) -> sqlx::Result<Vec<&'static str>> {
    let mut changed = Vec::new();
    for (column, value) in column_updates(changes) {
        let Some(value) = value else { continue };
        sqlx::query(&format!(
            "UPDATE clients SET {column} = $1, updated_at = $2 WHERE company_id = $3 AND id = $4"
        ))
        .bind(value)
        .bind(now_ms())
        .bind(company_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        changed.push(column);
    }
    if let Some(location) = &changes.location {
        sqlx::query("UPDATE clients SET latitude = $1, longitude = $2, updated_at = $3 WHERE company_id = $4 AND id = $5")
            .bind(NullableFloat(location.map(|p| p.latitude)))
            .bind(NullableFloat(location.map(|p| p.longitude)))
            .bind(now_ms())
            .bind(company_id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        changed.push("location");
    }
    if !changed.is_empty() {
        search::reindex(tx, company_id, &[id]).await?;
    }
    Ok(changed)
}

/// Replaces the owners of a client.
pub async fn set_owners(
    tx: &mut Tx,
    company_id: CompanyId,
    client_id: ClientId,
    owners: &[PersonId],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM client_owners WHERE company_id = $1 AND client_id = $2")
        .bind(company_id)
        .bind(client_id)
        .execute(&mut **tx)
        .await?;
    insert_owners(tx, company_id, client_id, owners).await?;
    search::reindex(tx, company_id, &[client_id]).await
}

async fn insert_owners(
    tx: &mut Tx,
    company_id: CompanyId,
    client_id: ClientId,
    owners: &[PersonId],
) -> sqlx::Result<()> {
    if let Some(statement) = owners_statement(company_id, client_id, owners) {
        statement.execute(tx).await?;
    }
    Ok(())
}

/// One statement inserting a client's owners; none when it has none.
fn owners_statement(
    company_id: CompanyId,
    client_id: ClientId,
    owners: &[PersonId],
) -> Option<outfield_core::db::statement::Statement> {
    if owners.is_empty() {
        return None;
    }
    let rows: Vec<String> = (0..owners.len())
        .map(|i| format!("($1, $2, ${})", i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO client_owners (company_id, client_id, person_id) VALUES {}",
        rows.join(", ")
    );
    let statement = outfield_core::db::statement::Statement::new(sql)
        .bind(company_id)
        .bind(client_id);
    Some(owners.iter().fold(statement, |s, owner| s.bind(*owner)))
}

/// Moves every ownership of `from` to `to`; returns how many clients moved.
pub async fn reassign(
    tx: &mut Tx,
    company_id: CompanyId,
    from: PersonId,
    to: PersonId,
) -> sqlx::Result<u64> {
    let company = company_id.to_string();
    let moving: Vec<String> = sqlx::query_scalar(
        "SELECT client_id FROM client_owners WHERE company_id = $1 AND person_id = $2",
    )
    .bind(&company)
    .bind(from)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO client_owners (company_id, client_id, person_id) \
         SELECT company_id, client_id, $3 FROM client_owners WHERE company_id = $1 AND person_id = $2 \
         ON CONFLICT (company_id, client_id, person_id) DO NOTHING",
    )
    .bind(&company)
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    let moved = sqlx::query("DELETE FROM client_owners WHERE company_id = $1 AND person_id = $2")
        .bind(&company)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    let moving: Vec<ClientId> = moving.iter().filter_map(|id| id.parse().ok()).collect();
    search::reindex(tx, company_id, &moving).await?;
    Ok(moved.rows_affected())
}

/// A contact at a client.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Contact {
    /// Id.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Role at the client.
    pub role: Option<String>,
    /// Phone (E.164).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
    /// When the contact agreed to be messaged, if they did.
    #[sqlx(try_from = "NullableUnixMs")]
    pub messaging_consent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The contacts of a client (the caller has checked visibility).
pub async fn contacts(
    tx: &mut Tx,
    company_id: CompanyId,
    client_id: ClientId,
) -> sqlx::Result<Vec<Contact>> {
    sqlx::query_as(
        "SELECT id, name, role, phone, email, language, messaging_consent_at FROM contacts \
         WHERE company_id = $1 AND client_id = $2 ORDER BY name, id",
    )
    .bind(company_id)
    .bind(client_id)
    .fetch_all(&mut **tx)
    .await
}

/// Inserts a validated contact.
pub(crate) async fn insert_contact(
    tx: &mut Tx,
    company_id: CompanyId,
    client_id: ClientId,
    id: Uuid,
    new: &NewContact,
) -> sqlx::Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO contacts (company_id, id, client_id, name, role, phone, email, language, messaging_consent_at, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(company_id)
    .bind(id.to_string())
    .bind(client_id)
    .bind(new.name.as_str())
    .bind(new.role.as_ref().map(|r| r.as_str()))
    .bind(new.phone.as_ref().map(|p| p.as_str()))
    .bind(new.email.as_ref().map(|e| e.as_str()))
    .bind(new.language.map(|l| l.as_str()))
    .bind(new.consents_to_messages.then_some(now))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    search::reindex(tx, company_id, &[client_id]).await
}

/// One entry of a client's timeline.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Interaction {
    /// Id.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// Kind.
    #[sqlx(try_from = "String")]
    pub kind: InteractionKind,
    /// Contact, if any.
    #[sqlx(try_from = "NullableUuid")]
    pub contact_id: Option<Uuid>,
    /// Contact's name.
    pub contact_name: Option<String>,
    /// Who logged it.
    pub person_id: PersonId,
    /// Their name.
    pub person_name: String,
    /// Outcome.
    pub outcome: Option<String>,
    /// What happened.
    pub body: String,
    /// When it happened (device time for records from the field app).
    #[sqlx(try_from = "UnixMs")]
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    /// When the server received it.
    #[sqlx(try_from = "UnixMs")]
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// A client's interactions, newest first.
pub async fn timeline(
    tx: &mut Tx,
    company_id: CompanyId,
    client_id: ClientId,
    kind: Option<InteractionKind>,
) -> sqlx::Result<Vec<Interaction>> {
    sqlx::query_as(
        "SELECT i.id, i.kind, i.contact_id, k.name AS contact_name, i.person_id, p.name AS person_name, i.outcome, \
         i.body, i.occurred_at, i.received_at FROM interactions i \
         JOIN people p ON p.company_id = i.company_id AND p.id = i.person_id \
         LEFT JOIN contacts k ON k.company_id = i.company_id AND k.id = i.contact_id \
         WHERE i.company_id = $1 AND i.client_id = $2 AND ($3 IS NULL OR i.kind = $3) \
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT 500",
    )
    .bind(company_id)
    .bind(client_id)
    .bind(kind.map(InteractionKind::as_str))
    .fetch_all(&mut **tx)
    .await
}

/// Inserts a validated interaction logged by `person_id`.
pub async fn insert_interaction(
    tx: &mut Tx,
    (company_id, person_id): (CompanyId, PersonId),
    id: Uuid,
    client_id: ClientId,
    new: &NewInteraction,
    occurred_at: i64,
    received_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO interactions (company_id, id, client_id, contact_id, person_id, kind, outcome, body, occurred_at, \
         received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(company_id)
    .bind(id.to_string())
    .bind(client_id)
    .bind(new.contact_id.map(|id| id.to_string()))
    .bind(person_id)
    .bind(new.kind.as_str())
    .bind(new.outcome.as_ref().map(|o| o.as_str()))
    .bind(new.body.as_str())
    .bind(occurred_at)
    .bind(received_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The middle of the company's located clients (`[latitude, longitude]`), where a map for placing a new
/// one opens; `None` before any client has a location.
pub(crate) async fn centre_of_clients(
    db: &outfield_core::db::Db,
    scope: &Scope,
) -> outfield_core::error::AppResult<Option<[f64; 2]>> {
    let mut tx = db.tenant_read(scope).await?;
    let centre: (Option<f64>, Option<f64>) = sqlx::query_as(
        "SELECT AVG(latitude), AVG(longitude) FROM clients WHERE company_id = $1 AND latitude IS NOT NULL",
    )
    .bind(scope.company_id())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(match centre {
        (Some(latitude), Some(longitude)) => Some([latitude, longitude]),
        _ => None,
    })
}
