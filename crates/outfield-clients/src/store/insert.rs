//! A new client: its one insert with its owners and search words, and the client as it was stored.

use super::*;
use outfield_core::clock::to_datetime;
use outfield_core::db::dialect::Dialect;
use outfield_core::db::statement::Statement;

/// Inserts a validated new client with its owners, recording who added it (nobody for a website
/// enquiry), with its search words computed here and written with it. Returns when it was added (Unix
/// ms).
pub async fn insert(
    tx: &mut Tx,
    company_id: CompanyId,
    added: (Option<PersonId>, &[PersonId]),
    id: ClientId,
    new: &NewClient,
) -> sqlx::Result<i64> {
    let created_at = now_ms();
    let statements = insert_statements(Dialect::of(tx), (company_id, id, created_at), added, new);
    for statement in &statements {
        statement.execute(tx).await?;
    }
    Ok(created_at)
}

/// The statements of [`insert`] (the client, its owners, its search words: three, whatever the client
/// holds) for a client `id` added at `now` (Unix ms), for a write made of statements.
pub fn insert_statements(
    dialect: Dialect,
    (company_id, id, now): (CompanyId, ClientId, i64),
    (created_by, owners): (Option<PersonId>, &[PersonId]),
    new: &NewClient,
) -> Vec<Statement> {
    let tags = tags_text(&new.tags);
    let indexed = search::entry_of(new, &tags);
    let client = Statement::new(
        "INSERT INTO clients (company_id, id, code, name, search_text, search_name, client_type, status, phone, \
         email, gstin, category, territory, tags, address, latitude, longitude, created_by, created_at, \
         updated_at, other_phones, other_addresses, custom_fields) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, \
         $20, $21, $22)",
    )
    .bind(company_id)
    .bind(id)
    .bind(new.code.as_ref().map(|c| c.as_str()))
    .bind(new.name.as_str())
    .bind(indexed.search_text())
    .bind(indexed.sort_name())
    .bind(new.client_type.as_ref().map_or("Retailer", |t| t.as_str()))
    .bind(new.status.as_str())
    .bind(new.phone.as_ref().map(|p| p.as_str()))
    .bind(new.email.as_ref().map(|e| e.as_str()))
    .bind(new.gstin.as_ref().map(|g| g.as_str()))
    .bind(new.category.as_ref().map(|c| c.as_str()))
    .bind(new.territory.as_ref().map(|t| t.as_str()))
    .bind(tags.as_str())
    .bind(new.address.as_ref().map(|a| a.as_str()))
    .bind(new.location.map(|p| p.latitude))
    .bind(new.location.map(|p| p.longitude))
    .bind(created_by)
    .bind(now)
    .bind(json_text(&new.other_phones))
    .bind(json_text(&new.other_addresses))
    .bind(json_text(&new.custom));
    let mut statements = vec![client];
    statements.extend(owners_statement(company_id, id, owners));
    statements.extend(search::new_entries(
        dialect,
        company_id,
        &[(&indexed, id, owners)],
    ));
    statements
}

/// The client as [`insert`] stored it, with its owners (ordered by name, as a read orders them): what a
/// read of it would return, without reading it back.
pub fn created(id: ClientId, new: &NewClient, mut owners: Vec<Owner>, created_at: i64) -> Client {
    owners.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let text = |value: Option<&str>| value.map(String::from);
    Client {
        id,
        code: text(new.code.as_ref().map(|c| c.as_str())),
        name: new.name.to_string(),
        client_type: new
            .client_type
            .as_ref()
            .map_or("Retailer", |t| t.as_str())
            .to_string(),
        status: new.status,
        phone: text(new.phone.as_ref().map(|p| p.as_str())),
        email: text(new.email.as_ref().map(|e| e.as_str())),
        gstin: text(new.gstin.as_ref().map(|g| g.as_str())),
        category: text(new.category.as_ref().map(|c| c.as_str())),
        territory: text(new.territory.as_ref().map(|t| t.as_str())),
        tags: tags_text(&new.tags)
            .split(',')
            .filter(|tag| !tag.is_empty())
            .map(String::from)
            .collect(),
        address: text(new.address.as_ref().map(|a| a.as_str())),
        location: new.location,
        other_phones: new.other_phones.iter().map(|p| p.to_string()).collect(),
        other_addresses: new.other_addresses.clone(),
        custom: new.custom.clone(),
        owners,
        distance_m: None,
        created_at: to_datetime(created_at),
    }
}
