//! Importing clients from CSV or XLSX: encodings (UTF-8 with or without BOM, Windows-1252), delimiters,
//! broken rows, column mapping, per-row and per-field errors, duplicates against the company's clients
//! and within the file, a dry run, and a commit of the valid rows only when the user confirms them.

mod table;

use outfield_core::ids::{ClientId, CompanyId, PersonId};
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sqlx::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::Label;
use crate::fields::ClientFieldSettings;
use crate::search;
use crate::NewClient;
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::clock::now_ms;
use outfield_core::db::dialect::Dialect;
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult, FieldError};
use outfield_core::geo::GeoPoint;
pub use table::{decode, Table, MAX_BYTES, MAX_ROWS};

/// The fields a column can fill, with the header names recognised for each.
const TARGETS: [(&str, &[&str]); 14] = [
    (
        "name",
        &[
            "name",
            "clientname",
            "shopname",
            "outletname",
            "customername",
            "firm",
            "firmname",
        ],
    ),
    (
        "code",
        &["code", "clientcode", "customercode", "outletcode"],
    ),
    ("client_type", &["type", "clienttype", "customertype"]),
    ("status", &["status"]),
    (
        "phone",
        &[
            "phone",
            "mobile",
            "phonenumber",
            "mobilenumber",
            "contactno",
            "contactnumber",
            "mobileno",
        ],
    ),
    ("email", &["email", "emailaddress", "mail"]),
    ("gstin", &["gstin", "gst", "gstno", "gstnumber"]),
    ("category", &["category", "class", "segment"]),
    (
        "territory",
        &["territory", "area", "city", "region", "beat", "route"],
    ),
    ("tags", &["tags", "labels"]),
    ("address", &["address", "fulladdress", "location"]),
    ("latitude", &["latitude", "lat"]),
    ("longitude", &["longitude", "lon", "lng", "long"]),
    (
        "owner_email",
        &["owner", "owneremail", "salesperson", "assignedto"],
    ),
];

/// How to read an upload.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    /// Target field → column header, overriding the automatic mapping (e.g. `{"phone": "Mobile No."}`).
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
    /// Store the valid rows (false: only report).
    #[serde(default)]
    pub commit: bool,
    /// With `commit`: store the valid rows even though some rows are invalid.
    #[serde(default)]
    pub commit_valid_rows: bool,
    /// Who owns the rows that name no owner (an active person of the company); the importing person
    /// when absent.
    #[serde(default)]
    pub default_owner: Option<PersonId>,
}

/// A problem with one field of one row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The target field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A row that matches a client that already exists (or an earlier row).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateRow {
    /// Row number.
    pub row: usize,
    /// Matched on: code, phone, email, gstin, or name and position.
    pub on: String,
    /// The existing client's name (or "row N" for a duplicate inside the file).
    pub matches: String,
}

/// What an import found (and did).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// How the file was decoded.
    pub encoding: String,
    /// The file's column headers.
    pub columns: Vec<String>,
    /// Target field → column used.
    pub mapping: BTreeMap<String, String>,
    /// Data rows read.
    pub rows: usize,
    /// Rows that would be (or were) stored.
    pub valid: usize,
    /// Rows with errors (never stored).
    pub invalid: usize,
    /// Errors, at most 1000.
    pub errors: Vec<RowError>,
    /// Rows skipped as duplicates, at most 1000.
    pub duplicates: Vec<DuplicateRow>,
    /// The first valid rows as they would be stored.
    #[schema(value_type = Vec<Object>)]
    pub preview: Vec<Value>,
    /// Whether rows were stored.
    pub committed: bool,
    /// Clients created.
    pub created: usize,
}

fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

/// Target field → column index, from the user's mapping or the recognised header names.
fn map_columns(
    headers: &[String],
    chosen: &BTreeMap<String, String>,
) -> AppResult<BTreeMap<String, usize>> {
    let mut mapping = BTreeMap::new();
    for (target, aliases) in TARGETS {
        let index = match chosen.get(target) {
            Some(header) if header.is_empty() => None,
            Some(header) => Some(headers.iter().position(|h| h == header).ok_or_else(|| {
                AppError::field(
                    format!("mapping.{target}"),
                    format!("the file has no column '{header}'"),
                )
            })?),
            None => headers
                .iter()
                .position(|h| aliases.contains(&normalise(h).as_str())),
        };
        if let Some(index) = index {
            mapping.insert(target.to_string(), index);
        }
    }
    if let Some(unknown) = chosen.keys().find(|k| !TARGETS.iter().any(|(t, _)| t == k)) {
        return Err(AppError::field(
            format!("mapping.{unknown}"),
            "is not a field clients have",
        ));
    }
    if !mapping.contains_key("name") {
        return Err(AppError::field(
            "mapping.name",
            "no column holds the client's name; choose one",
        ));
    }
    Ok(mapping)
}

/// One valid row, ready to store.
struct ValidRow {
    row: usize,
    client: NewClient,
    owner: Option<PersonId>,
}

/// A row's position from its latitude and longitude cells: none, both valid, or an error.
fn row_location(
    latitude: Option<&str>,
    longitude: Option<&str>,
) -> Result<Option<GeoPoint>, FieldError> {
    match (latitude, longitude) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
            (Ok(lat), Ok(lon)) => GeoPoint::new(lat, lon)
                .map(Some)
                .map_err(|message| FieldError::new("latitude", message)),
            _ => Err(FieldError::new(
                "latitude",
                "latitude and longitude must be numbers",
            )),
        },
        _ => Err(FieldError::new(
            "latitude",
            "needs both latitude and longitude",
        )),
    }
}

fn parse_row(
    cells: &[String],
    mapping: &BTreeMap<String, usize>,
    (owners, fields): (&HashMap<String, PersonId>, &ClientFieldSettings),
) -> Result<(NewClient, Option<PersonId>), Vec<FieldError>> {
    let cell = |field: &str| {
        mapping
            .get(field)
            .and_then(|i| cells.get(*i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let mut object = Map::new();
    for field in [
        "name",
        "code",
        "client_type",
        "phone",
        "email",
        "gstin",
        "category",
        "territory",
        "address",
    ] {
        if let Some(value) = cell(field) {
            object.insert(field.into(), json!(value));
        } else if field == "name" {
            object.insert(field.into(), json!(""));
        }
    }
    if let Some(status) = cell("status") {
        object.insert("status".into(), json!(status.to_lowercase()));
    }
    if let Some(tags) = cell("tags") {
        let tags: Vec<&str> = tags
            .split([';', ',', '|'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        object.insert("tags".into(), json!(tags));
    }
    let mut errors = Vec::new();
    let mut client: Option<NewClient> =
        match outfield_core::http::extract::parse_fields(&Value::Object(object)) {
            Ok(client) => Some(client),
            Err(more) => {
                errors.extend(more);
                None
            }
        };
    match row_location(cell("latitude"), cell("longitude")) {
        Ok(location) => {
            if let Some(client) = &mut client {
                client.location = location;
            }
        }
        Err(error) => errors.push(error),
    }
    let owner = match cell("owner_email") {
        Some(email) => match owners.get(&email.to_lowercase()) {
            Some(id) => Some(*id),
            None => {
                errors.push(FieldError::new(
                    "owner_email",
                    format!("'{email}' is not an active person of the company"),
                ));
                None
            }
        },
        None => None,
    };
    if let Some(client) = &mut client {
        match fields.checked_type(client.client_type.as_ref().map(Label::as_str)) {
            Ok(kind) => client.client_type = Label::parse(&kind).ok(),
            Err(error) => errors.push(error),
        }
    }
    match client {
        Some(client) if errors.is_empty() => Ok((client, owner)),
        _ => Err(errors),
    }
}

/// Text compared for duplicates: lower case, words separated by single spaces, punctuation dropped.
fn folded(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a client is recognised by, whether a row of the file or a stored client.
struct Recognised<'a> {
    name: &'a str,
    code: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    gstin: Option<&'a str>,
    territory: Option<&'a str>,
    address: Option<&'a str>,
    location: Option<GeoPoint>,
}

impl<'a> Recognised<'a> {
    fn of(client: &'a NewClient) -> Recognised<'a> {
        Recognised {
            name: client.name.as_str(),
            code: client.code.as_ref().map(|v| v.as_str()),
            phone: client.phone.as_ref().map(|v| v.as_str()),
            email: client.email.as_ref().map(|v| v.as_str()),
            gstin: client.gstin.as_ref().map(|v| v.as_str()),
            territory: client.territory.as_ref().map(|v| v.as_str()),
            address: client.address.as_ref().map(|v| v.as_str()),
            location: client.location,
        }
    }

    /// The keys a client is recognised by: code (case-insensitive), phone, e-mail, GSTIN, and its name
    /// together with its area or its address (two shops of one name in one area are one shop).
    fn keys(&self) -> [(&'static str, Option<String>); 6] {
        let name = folded(self.name);
        let with_name =
            |place: Option<&str>| place.map(|place| format!("{name}|{}", folded(place)));
        [
            ("code", self.code.map(str::to_lowercase)),
            ("phone", self.phone.map(String::from)),
            ("email", self.email.map(String::from)),
            ("gstin", self.gstin.map(String::from)),
            ("name and area", with_name(self.territory)),
            ("name and address", with_name(self.address)),
        ]
    }
}

/// Existing clients by the keys duplicates are detected on.
#[derive(Default)]
struct Known {
    by_key: HashMap<(String, String), String>,
    positions: HashMap<String, Vec<(GeoPoint, String)>>,
}

impl Known {
    fn add(&mut self, client: &Recognised, label: &str) {
        for (kind, value) in client.keys() {
            if let Some(value) = value {
                self.by_key
                    .entry((kind.to_string(), value))
                    .or_insert_with(|| label.to_string());
            }
        }
        if let Some(point) = client.location {
            self.positions
                .entry(client.name.to_lowercase())
                .or_default()
                .push((point, label.to_string()));
        }
    }

    /// The first key on which `client` matches something known.
    fn matches(&self, client: &NewClient) -> Option<(String, String)> {
        for (kind, value) in Recognised::of(client).keys() {
            if let Some(found) = value.and_then(|v| self.by_key.get(&(kind.to_string(), v))) {
                return Some((kind.to_string(), found.clone()));
            }
        }
        let point = client.location?;
        self.positions
            .get(&client.name.as_str().to_lowercase())?
            .iter()
            .find(|(other, _)| other.distance_m(&point) < 100.0)
            .map(|(_, label)| ("name and position".to_string(), label.clone()))
    }
}

async fn known_clients(tx: &mut Tx, company_id: CompanyId) -> sqlx::Result<Known> {
    let rows = sqlx::query("SELECT name, code, phone, email, gstin, territory, address, latitude, longitude FROM clients WHERE company_id = $1")
        .bind(company_id)
        .fetch_all(&mut **tx)
        .await?;
    let mut known = Known::default();
    for row in rows {
        let name: String = row.try_get("name")?;
        let text = |column: &str| row.try_get::<Option<String>, _>(column);
        let (code, phone, email) = (text("code")?, text("phone")?, text("email")?);
        let (gstin, territory, address) = (text("gstin")?, text("territory")?, text("address")?);
        let position: (Option<f64>, Option<f64>) =
            (row.try_get("latitude")?, row.try_get("longitude")?);
        let location = match position {
            (Some(lat), Some(lon)) => GeoPoint::new(lat, lon).ok(),
            _ => None,
        };
        let stored = Recognised {
            name: &name,
            code: code.as_deref(),
            phone: phone.as_deref(),
            email: email.as_deref(),
            gstin: gstin.as_deref(),
            territory: territory.as_deref(),
            address: address.as_deref(),
            location,
        };
        known.add(&stored, &name);
    }
    Ok(known)
}

async fn active_people(
    tx: &mut Tx,
    company_id: CompanyId,
) -> sqlx::Result<HashMap<String, PersonId>> {
    let rows = sqlx::query(
        "SELECT id, email FROM people WHERE company_id = $1 AND deactivated_at IS NULL",
    )
    .bind(company_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get::<String, _>("email")?, row.try_get("id")?)))
        .collect()
}

/// Reads, checks and (when asked and allowed) stores an import. Owners and admins only.
pub async fn run(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    table: &Table,
    options: &ImportOptions,
) -> AppResult<ImportReport> {
    scope.require_admin()?;
    let mapping = map_columns(&table.headers, &options.mapping)?;
    let mut tx = db.tenant(scope).await?;
    let owners = active_people(&mut tx, scope.company_id()).await?;
    let default_owner = match options.default_owner {
        Some(chosen) if !owners.values().any(|id| *id == chosen) => {
            return Err(AppError::field(
                "default_owner",
                "must be an active person of this company",
            ));
        }
        Some(chosen) => chosen,
        None => scope.person_id(),
    };
    let fields = crate::fields::load(&mut tx, scope.company_id()).await?;
    let mut known = known_clients(&mut tx, scope.company_id()).await?;
    let mut report = ImportReport {
        encoding: table.encoding.to_string(),
        mapping: mapping
            .iter()
            .map(|(field, index)| (field.clone(), table.headers[*index].clone()))
            .collect(),
        columns: table.headers.clone(),
        rows: table.rows.len(),
        valid: 0,
        invalid: 0,
        errors: Vec::new(),
        duplicates: Vec::new(),
        preview: Vec::new(),
        committed: false,
        created: 0,
    };
    let mut valid = Vec::new();
    for (index, row) in table.rows.iter().enumerate() {
        let number = index + 2;
        let parsed = match row {
            Ok(cells) => parse_row(cells, &mapping, (&owners, &fields)),
            Err(message) => Err(vec![FieldError::new("row", message.clone())]),
        };
        if let Some(row) = report.sort_row(number, parsed, &mut known) {
            valid.push(row);
        }
    }
    report.valid = valid.len();
    if options.commit {
        if report.invalid > 0 && !options.commit_valid_rows {
            let errors = report
                .errors
                .iter()
                .take(200)
                .map(|e| FieldError::new(format!("row {}.{}", e.row, e.field), e.message.clone()))
                .collect();
            return Err(AppError::Validation(errors));
        }
        store_rows(&mut tx, scope, &valid, default_owner).await?;
        let event = AuditEvent::new(crate::actions::CLIENT_IMPORTED, scope.company_id())
            .with(json!({ "created": valid.len(), "invalid": report.invalid, "duplicates": report.duplicates.len(), "first_row": valid.first().map(|r| r.row) }));
        audit::record(&mut tx, actor, event).await?;
        tx.commit().await?;
        report.committed = true;
        report.created = valid.len();
    }
    Ok(report)
}

impl ImportReport {
    /// Counts a parsed row as invalid (keeping its first errors), a duplicate, or valid (returned, and
    /// remembered so a later row repeating it is a duplicate).
    fn sort_row(
        &mut self,
        number: usize,
        parsed: Result<(NewClient, Option<PersonId>), Vec<FieldError>>,
        known: &mut Known,
    ) -> Option<ValidRow> {
        match parsed {
            Err(errors) => {
                self.invalid += 1;
                for error in errors {
                    if self.errors.len() < 1000 {
                        self.errors.push(RowError {
                            row: number,
                            field: error.field,
                            message: error.message,
                        });
                    }
                }
                None
            }
            Ok((client, owner)) => match known.matches(&client) {
                Some((on, matches)) => {
                    if self.duplicates.len() < 1000 {
                        self.duplicates.push(DuplicateRow {
                            row: number,
                            on,
                            matches,
                        });
                    }
                    None
                }
                None => {
                    known.add(&Recognised::of(&client), &format!("row {number}"));
                    if self.preview.len() < 20 {
                        self.preview.push(json!({ "row": number, "name": client.name, "code": client.code, "phone": client.phone,
                            "status": client.status, "territory": client.territory, "location": client.location }));
                    }
                    Some(ValidRow {
                        row: number,
                        client,
                        owner,
                    })
                }
            },
        }
    }
}

/// Clients (and owners) inserted per statement of an import.
const ROWS_PER_STATEMENT: usize = 5_000;

/// Inserts the valid rows, then their owners, [`ROWS_PER_STATEMENT`] at a time from a JSON array bound
/// as one parameter, and indexes them for search.
async fn store_rows(
    tx: &mut Tx,
    scope: &Scope,
    rows: &[ValidRow],
    default_owner: PersonId,
) -> sqlx::Result<()> {
    let dialect = Dialect::of(tx);
    let company = scope.company_id().to_string();
    let mut created = Vec::with_capacity(rows.len());
    let mut clients = Vec::with_capacity(rows.len());
    for row in rows {
        let id = ClientId::generate();
        let tags = crate::store::tags_text(&row.client.tags);
        let indexed = search::entry_of(&row.client, &tags);
        clients.push(client_values(id, &row.client, &tags, &indexed));
        created.push((indexed, id, [row.owner.unwrap_or(default_owner)]));
    }
    let insert_clients = format!(
        "INSERT INTO clients (company_id, id, code, name, search_text, search_name, client_type, status, \
         phone, email, gstin, category, territory, tags, address, latitude, longitude, created_by, \
         created_at, updated_at) \
         SELECT $1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
           value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, \
           value ->> 13, CAST(value ->> 14 AS DOUBLE PRECISION), CAST(value ->> 15 AS DOUBLE PRECISION), \
           $2, $3, $3 FROM (SELECT value FROM {}) r",
        dialect.json_values(4)
    );
    let now = now_ms();
    for chunk in clients.chunks(ROWS_PER_STATEMENT) {
        sqlx::query(&insert_clients)
            .bind(&company)
            .bind(scope.person_id())
            .bind(now)
            .bind(Value::Array(chunk.to_vec()).to_string())
            .execute(&mut **tx)
            .await?;
    }
    // Each owner row's foreign-key check runs a cached plan. One cached on this connection while the
    // company had few clients may scan the table; planned afresh, it finds each client by key.
    dialect.forget_cached_plans(tx).await?;
    let insert_owners = format!(
        "INSERT INTO client_owners (company_id, client_id, person_id) \
         SELECT $1, value ->> 0, value ->> 1 FROM (SELECT value FROM {}) r",
        dialect.json_values(2)
    );
    for chunk in created.chunks(ROWS_PER_STATEMENT) {
        let owners: Vec<[String; 2]> = chunk
            .iter()
            .map(|(_, id, owner)| [id.to_string(), owner[0].to_string()])
            .collect();
        sqlx::query(&insert_owners)
            .bind(&company)
            .bind(serde_json::to_string(&owners).unwrap_or_default())
            .execute(&mut **tx)
            .await?;
    }
    let entries: Vec<_> = created
        .iter()
        .map(|(indexed, id, owner)| (indexed, *id, owner.as_slice()))
        .collect();
    search::add_new(tx, scope.company_id(), &entries).await
}

/// One client row of the insert statement, in its column order after the company.
fn client_values(id: ClientId, client: &NewClient, tags: &str, indexed: &search::Indexed) -> Value {
    json!([
        id.to_string(),
        client.code.as_ref().map(|v| v.as_str()),
        client.name.as_str(),
        indexed.search_text(),
        indexed.sort_name(),
        client
            .client_type
            .as_ref()
            .map(|v| v.as_str())
            .unwrap_or("Retailer"),
        client.status.as_str(),
        client.phone.as_ref().map(|v| v.as_str()),
        client.email.as_ref().map(|v| v.as_str()),
        client.gstin.as_ref().map(|v| v.as_str()),
        client.category.as_ref().map(|v| v.as_str()),
        client.territory.as_ref().map(|v| v.as_str()),
        tags,
        client.address.as_ref().map(|v| v.as_str()),
        client.location.map(|p| p.latitude),
        client.location.map(|p| p.longitude),
    ])
}

/// Reads an uploaded file and keeps its table (not the file) for the preview and the confirmation, so
/// that a file is parsed once, at upload, and a file that cannot be read within bounds is never kept.
pub(crate) async fn save_upload(
    db: &Db,
    scope: &Scope,
    filename: &str,
    bytes: &[u8],
) -> AppResult<Uuid> {
    scope.require_admin()?;
    let table = decode(bytes)?;
    let content = serde_json::to_vec(&table).map_err(|e| AppError::Internal(e.into()))?;
    let id = Uuid::now_v7();
    let mut tx = db.tenant(scope).await?;
    sqlx::query("DELETE FROM imports WHERE company_id = $1 AND created_at < $2")
        .bind(scope.company_id())
        .bind(now_ms() - outfield_core::clock::DAY_MS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO imports (company_id, id, person_id, filename, content, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(scope.company_id())
        .bind(id.to_string())
        .bind(scope.person_id())
        .bind(filename)
        .bind(content)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The table of an upload of the scope's company, as read at upload.
pub(crate) async fn load_upload(db: &Db, scope: &Scope, id: Uuid) -> AppResult<Table> {
    scope.require_admin()?;
    let mut tx = db.tenant_read(scope).await?;
    let content: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT content FROM imports WHERE company_id = $1 AND id = $2")
            .bind(scope.company_id())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    let content = content.ok_or(AppError::NotFound)?;
    serde_json::from_slice(&content).map_err(|error| {
        tracing::error!(%error, upload = %id, "a stored import table cannot be read");
        AppError::Internal(anyhow::anyhow!(
            "stored import {id} is not a readable table"
        ))
    })
}

/// Forgets an uploaded file once it was imported.
pub(crate) async fn delete_upload(db: &Db, scope: &Scope, id: Uuid) -> AppResult<()> {
    let mut tx = db.tenant(scope).await?;
    sqlx::query("DELETE FROM imports WHERE company_id = $1 AND id = $2")
        .bind(scope.company_id())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_mapped_by_common_names() {
        let headers: Vec<String> = ["Shop Name", "Mobile No.", "GST No", "Area"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mapping = map_columns(&headers, &BTreeMap::new()).unwrap();
        assert_eq!(mapping["name"], 0);
        assert_eq!(mapping["phone"], 1);
        assert_eq!(mapping["gstin"], 2);
        assert_eq!(mapping["territory"], 3);
    }
}
