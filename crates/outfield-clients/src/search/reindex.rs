//! Reindexing clients: reading what finds them (their own columns, their contacts, who holds them) and
//! replacing their entries in the word index.

use super::*;
use outfield_core::ids::{ClientId, CompanyId, PersonId};

/// What a reindex does with a client's entries.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Mode {
    /// Replaces them with the client's current words.
    Update,
    /// Takes them out (the client is about to be deleted).
    Forget,
    /// Writes the current words into [`REBUILD_TABLE`]; the old entries are already gone.
    Rebuild,
}

/// The texts of the clients' contacts that find them: name, phone (folded as a phone), e-mail.
async fn contact_sources(
    tx: &mut Tx,
    company: &str,
    in_ids: &str,
    ids_json: &str,
) -> sqlx::Result<HashMap<ClientId, Vec<(bool, String)>>> {
    let mut sources: HashMap<ClientId, Vec<(bool, String)>> = HashMap::new();
    for row in sqlx::query(&format!(
        "SELECT client_id, name, phone, email FROM contacts WHERE company_id = $1 AND client_id {in_ids}"
    ))
    .bind(company)
    .bind(ids_json)
    .fetch_all(&mut **tx)
    .await?
    {
        let texts = sources.entry(row.try_get("client_id")?).or_default();
        for (column, phone) in [("name", false), ("phone", true), ("email", false)] {
            if let Some(text) = row.try_get::<Option<String>, _>(column)? {
                texts.push((phone, text));
            }
        }
    }
    Ok(sources)
}

/// Deletes index entries `(word, sort name, client id)`, in key order.
async fn remove_entries(
    tx: &mut Tx,
    dialect: Dialect,
    company: &str,
    removed: &mut [(&str, &str, &str)],
) -> sqlx::Result<()> {
    if removed.is_empty() {
        return Ok(());
    }
    removed.sort_unstable();
    sqlx::query(&format!(
        "DELETE FROM {INDEX_TABLE} WHERE company_id = $1 AND (word, sort_name, client_id) IN \
         (SELECT value ->> 0, value ->> 1, value ->> 2 FROM (SELECT value FROM {}) r)",
        dialect.json_values(2)
    ))
    .bind(company)
    .bind(serde_json::to_string(&removed).unwrap_or_default())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn reindex_chunk(
    tx: &mut Tx,
    company_id: CompanyId,
    ids: &[ClientId],
    mode: Mode,
) -> sqlx::Result<()> {
    let forgetting = mode == Mode::Forget;
    let dialect = Dialect::of(tx);
    let company = company_id.to_string();
    let ids_json = serde_json::to_string(&ids.iter().map(ClientId::to_string).collect::<Vec<_>>())
        .unwrap_or_default();
    let in_ids = dialect.in_json_texts(2);
    let rows = sqlx::query(&format!(
        "SELECT id, name, code, phone, email, gstin, category, territory, tags, other_phones, \
         search_text, search_name FROM clients WHERE company_id = $1 AND id {in_ids}"
    ))
    .bind(&company)
    .bind(&ids_json)
    .fetch_all(&mut **tx)
    .await?;
    let mut sources = if forgetting {
        HashMap::new()
    } else {
        contact_sources(tx, &company, &in_ids, &ids_json).await?
    };
    let holders = holders(tx, &company, &in_ids, &ids_json).await?;
    let mut changes = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: ClientId = row.try_get("id")?;
        let new = if forgetting {
            Indexed::new("", &[])
        } else {
            client_index(row, sources.remove(&id).unwrap_or_default())?
        };
        let holder = holder_of(holders.get(&id).map_or(&[][..], Vec::as_slice));
        changes.push((id.to_string(), Indexed::stored(row)?, new, holder));
    }
    let mut removed: Vec<(&str, &str, &str)> = if mode == Mode::Rebuild {
        Vec::new()
    } else {
        changes
            .iter()
            .flat_map(|(id, old, _, _)| {
                old.words
                    .iter()
                    .map(move |w| (w.as_str(), old.sort_name.as_str(), id.as_str()))
            })
            .collect()
    };
    remove_entries(tx, dialect, &company, &mut removed).await?;
    let added: Vec<(&Indexed, &str, &Option<String>)> = changes
        .iter()
        .map(|(id, _, new, holder)| (new, id.as_str(), holder))
        .collect();
    let table = if mode == Mode::Rebuild {
        REBUILD_TABLE
    } else {
        INDEX_TABLE
    };
    insert_entries(tx, dialect, table, company_id, &added).await?;
    let stored: Vec<(&str, String, &str)> = changes
        .iter()
        .map(|(id, _, new, _)| (id.as_str(), new.search_text(), new.sort_name()))
        .collect();
    if !stored.is_empty() {
        // Materialised first, so that each row finds its client by key (SQLite would otherwise scan the
        // company's clients for every row).
        sqlx::query(&format!(
            "WITH r AS MATERIALIZED (SELECT value ->> 0 AS id, value ->> 1 AS words, value ->> 2 AS name \
             FROM (SELECT value FROM {}) j) \
             UPDATE clients SET search_text = r.words, search_name = r.name \
             FROM r WHERE clients.company_id = $1 AND clients.id = r.id",
            dialect.json_values(2)
        ))
        .bind(&company)
        .bind(serde_json::to_string(&stored).unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The index entry of a client row, with its contacts' texts (`true` for a phone number).
fn client_index(row: &sqlx::any::AnyRow, contacts: Vec<(bool, String)>) -> sqlx::Result<Indexed> {
    let mut texts: Vec<(bool, String)> = Vec::new();
    for (column, phone) in CLIENT_TEXT {
        if let Some(text) = row.try_get::<Option<String>, _>(column)? {
            texts.push((phone, text));
        }
    }
    let other_phones: Vec<String> = outfield_core::db::json_column(row, "other_phones")?;
    texts.extend(other_phones.into_iter().map(|p| (true, p)));
    texts.extend(contacts);
    let texts: Vec<(bool, &str)> = texts.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let name: String = row.try_get("name")?;
    Ok(Indexed::new(&name, &texts))
}

/// The columns of a client that it is found by, `true` for phone numbers; tags are stored comma-separated.
pub(crate) const CLIENT_TEXT: [(&str, bool); 8] = [
    ("name", false),
    ("code", false),
    ("phone", true),
    ("email", false),
    ("gstin", false),
    ("category", false),
    ("territory", false),
    ("tags", false),
];

/// The people holding each of these clients (owners, and people any feature says hold it: with it
/// on a visit plan); clients nobody holds are absent. `holder_of` turns them into the entry's holder.
async fn holders(
    tx: &mut Tx,
    company: &str,
    in_ids: &str,
    ids_json: &str,
) -> sqlx::Result<HashMap<ClientId, Vec<PersonId>>> {
    let held: Vec<String> = outfield_core::feature::client_holders()
        .map(|h| {
            format!(
                "SELECT {client} AS client_id, {person} AS person_id FROM {table} \
                 WHERE company_id = $1 AND {client} {in_ids}",
                table = h.table,
                person = h.person_column,
                client = h.client_column,
            )
        })
        .collect();
    let rows = sqlx::query(&held.join(" UNION "))
        .bind(company)
        .bind(ids_json)
        .fetch_all(&mut **tx)
        .await?;
    let mut holders: HashMap<ClientId, Vec<PersonId>> = HashMap::new();
    for row in rows {
        holders
            .entry(row.try_get("client_id")?)
            .or_default()
            .push(row.try_get("person_id")?);
    }
    Ok(holders)
}
