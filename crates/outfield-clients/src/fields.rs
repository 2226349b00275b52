//! What a company records about its clients beyond the built-in fields: the client types it deals with
//! (retailer, stockist, hospital …) and a small set of typed custom fields (text, number, date, choice).
//!
//! Custom values live on the client as one JSON object keyed by the field's key; they are checked
//! against the company's definitions whenever they are written, so a stored value always has its type.

use outfield_core::ids::CompanyId;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sqlx::Row;
use utoipa::ToSchema;

use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::clock::now_ms;
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult, FieldError};
use outfield_core::text;
use outfield_core::text::clean_line;

/// Most custom fields a company defines: enough for a licence number or a shop size, few enough that a
/// field employee still fills in a client on a phone.
pub(crate) const MAX_FIELDS: usize = 20;
/// Longest text value.
const MAX_TEXT: usize = 500;

/// The type of a custom field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Up to 500 characters.
    Text,
    /// A number (stored as a JSON number).
    Number,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One of the field's choices.
    Choice,
}

impl FieldKind {
    /// Every kind, in the order the settings page offers them.
    pub const ALL: [FieldKind; 4] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Date,
        FieldKind::Choice,
    ];

    /// Stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Choice => "choice",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// One custom field of a company.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    /// Stable key in the client's `custom` object: 1–40 lower-case letters, digits or `_`.
    #[schema(schema_with = key_rule)]
    pub key: String,
    /// What the console and the app call it (1–60 characters).
    #[schema(schema_with = label_rule)]
    pub label: String,
    /// Type of its values.
    pub kind: FieldKind,
    /// The values a `choice` field offers (1–50 of 1–60 characters); empty for other kinds.
    #[serde(default)]
    #[schema(schema_with = choices_rule)]
    pub choices: Vec<String>,
    /// Whether a new client must have it.
    #[serde(default)]
    pub required: bool,
}

/// A company's client types and custom fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientFieldSettings {
    /// The client types offered, in order (1–30 of 1–80 characters); the first is the default.
    #[schema(schema_with = client_types_rule)]
    pub client_types: Vec<String>,
    /// Custom fields, in the order they are shown (at most 20).
    #[schema(max_items = 20)]
    pub custom_fields: Vec<CustomField>,
}

impl ClientFieldSettings {
    /// The company's spelling of a type, matched without regard to case; `None` when it is not one.
    pub fn client_type(&self, raw: &str) -> Option<&str> {
        let wanted = raw.trim().to_lowercase();
        self.client_types
            .iter()
            .find(|t| t.to_lowercase() == wanted)
            .map(String::as_str)
    }

    /// Checks a type given for a client; `None` means the default (the first type).
    pub(crate) fn checked_type(&self, raw: Option<&str>) -> Result<String, FieldError> {
        match raw {
            None => Ok(self.client_types.first().cloned().unwrap_or_default()),
            Some(raw) => self.client_type(raw).map(str::to_string).ok_or_else(|| {
                FieldError::new(
                    "client_type",
                    format!("must be one of: {}", self.client_types.join(", ")),
                )
            }),
        }
    }

    /// Checks custom values and merges them into `current`: a value replaces, `null` removes. With
    /// `new_client`, required fields must end up present.
    pub(crate) fn merge_values(
        &self,
        current: &Map<String, Value>,
        changes: &Map<String, Value>,
        new_client: bool,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut merged = current.clone();
        let mut errors = Vec::new();
        for (key, value) in changes {
            let name = format!("custom.{key}");
            let Some(field) = self.custom_fields.iter().find(|f| &f.key == key) else {
                errors.push(FieldError::new(
                    name,
                    "is not a custom field of this company",
                ));
                continue;
            };
            if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
                merged.remove(key);
                continue;
            }
            match checked_value(field, value) {
                Ok(value) => {
                    merged.insert(key.clone(), value);
                }
                Err(message) => errors.push(FieldError::new(name, message)),
            }
        }
        if new_client {
            for field in self.custom_fields.iter().filter(|f| f.required) {
                if !merged.contains_key(&field.key) && !changes.contains_key(&field.key) {
                    errors.push(FieldError::new(
                        format!("custom.{}", field.key),
                        "is required",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(merged)
        } else {
            Err(errors)
        }
    }

    /// Custom values as the pages show them: `(label, value)` in the fields' order.
    pub fn shown(&self, values: &Map<String, Value>) -> Vec<(String, String)> {
        self.custom_fields
            .iter()
            .filter_map(|field| {
                let value = values.get(&field.key)?;
                let text = value
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| value.to_string());
                Some((field.label.clone(), text))
            })
            .collect()
    }
}

/// A value of a field, checked and normalised (numbers written as text become numbers).
fn checked_value(field: &CustomField, value: &Value) -> Result<Value, String> {
    let text = value.as_str().map(str::trim);
    match field.kind {
        FieldKind::Text => match text {
            Some(t) if t.chars().count() <= MAX_TEXT => Ok(json!(t)),
            Some(_) => Err(format!("must be at most {MAX_TEXT} characters")),
            None => Err("must be text".into()),
        },
        FieldKind::Number => {
            let number = match (value.as_f64(), text) {
                (Some(n), _) => Some(n),
                (None, Some(t)) => t.replace(',', "").parse::<f64>().ok(),
                _ => None,
            };
            match number.filter(|n| n.is_finite()) {
                Some(n) => Ok(json!(n)),
                None => Err("must be a number".into()),
            }
        }
        FieldKind::Date => {
            match text.and_then(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()) {
                Some(date) => Ok(json!(date.to_string())),
                None => Err("must be a date (YYYY-MM-DD)".into()),
            }
        }
        FieldKind::Choice => {
            let wanted = text.map(str::to_lowercase);
            match field
                .choices
                .iter()
                .find(|c| Some(c.to_lowercase()) == wanted)
            {
                Some(choice) => Ok(json!(choice)),
                None => Err(format!("must be one of: {}", field.choices.join(", "))),
            }
        }
    }
}

/// Reads a company's client types and custom fields.
pub async fn load(tx: &mut Tx, company_id: CompanyId) -> sqlx::Result<ClientFieldSettings> {
    let row = sqlx::query("SELECT client_types, client_fields FROM companies WHERE id = $1")
        .bind(company_id)
        .fetch_one(&mut **tx)
        .await?;
    let types: String = row.try_get("client_types")?;
    let fields: String = row.try_get("client_fields")?;
    Ok(ClientFieldSettings {
        client_types: types.lines().map(str::to_string).collect(),
        custom_fields: outfield_core::db::json_text_as(&fields, "client_fields")?,
    })
}

/// The scope's company's client types and custom fields.
pub async fn get(db: &Db, scope: &Scope) -> AppResult<ClientFieldSettings> {
    let mut tx = db.tenant_read(scope).await?;
    let settings = load(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(settings)
}

/// Replaces the client types and custom fields (owners and admins). Values already stored under a
/// removed field stay on the clients, hidden, and come back if a field with the same key is added.
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    settings: ClientFieldSettings,
) -> AppResult<ClientFieldSettings> {
    scope.require_admin()?;
    let settings = checked_settings(settings)?;
    let mut tx = db.tenant(scope).await?;
    sqlx::query(
        "UPDATE companies SET client_types = $1, client_fields = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(settings.client_types.join("\n"))
    .bind(serde_json::to_string(&settings.custom_fields).map_err(anyhow::Error::from)?)
    .bind(now_ms())
    .bind(scope.company_id())
    .execute(&mut *tx)
    .await?;
    let keys: Vec<&str> = settings
        .custom_fields
        .iter()
        .map(|f| f.key.as_str())
        .collect();
    let event = AuditEvent::new(
        crate::actions::COMPANY_CLIENT_FIELDS_UPDATED,
        scope.company_id(),
    )
    .with(json!({ "client_types": settings.client_types, "custom_fields": keys }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(settings)
}

/// Checks every type and field, collecting all the errors.
fn checked_settings(settings: ClientFieldSettings) -> AppResult<ClientFieldSettings> {
    let mut errors = Vec::new();
    let mut types: Vec<String> = Vec::new();
    for raw in &settings.client_types {
        match clean_line(raw, 80) {
            Ok(t) if types.iter().any(|known| known.eq_ignore_ascii_case(&t)) => errors.push(
                FieldError::new("client_types", format!("{t} is listed twice")),
            ),
            Ok(t) => types.push(t),
            Err(message) => errors.push(FieldError::new(
                "client_types",
                format!("each type {message}"),
            )),
        }
    }
    if !(1..=30).contains(&types.len()) {
        errors.push(FieldError::new("client_types", "must list 1–30 types"));
    }
    if settings.custom_fields.len() > MAX_FIELDS {
        errors.push(FieldError::new(
            "custom_fields",
            format!("at most {MAX_FIELDS} fields"),
        ));
    }
    let mut fields: Vec<CustomField> = Vec::new();
    for (index, field) in settings.custom_fields.into_iter().enumerate() {
        match checked_field(field, &fields) {
            Ok(field) => fields.push(field),
            Err(message) => {
                errors.push(FieldError::new(format!("custom_fields[{index}]"), message))
            }
        }
    }
    if errors.is_empty() {
        Ok(ClientFieldSettings {
            client_types: types,
            custom_fields: fields,
        })
    } else {
        Err(AppError::Validation(errors))
    }
}

fn checked_field(field: CustomField, earlier: &[CustomField]) -> Result<CustomField, String> {
    let key = field.key.trim().to_string();
    let key_ok = (1..=40).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !key_ok {
        return Err("key must be 1–40 lower-case letters, digits or '_'".into());
    }
    if earlier.iter().any(|f| f.key == key) {
        return Err(format!("key {key} is used twice"));
    }
    let label = clean_line(&field.label, 60).map_err(|m| format!("label {m}"))?;
    let choices: Vec<String> = field
        .choices
        .iter()
        .map(|c| clean_line(c, 60))
        .collect::<Result<_, _>>()
        .map_err(|m| format!("each choice {m}"))?;
    match field.kind {
        FieldKind::Choice if !(1..=50).contains(&choices.len()) => {
            return Err("a choice field needs 1–50 choices".into())
        }
        FieldKind::Choice => {}
        _ if !choices.is_empty() => return Err("only a choice field has choices".into()),
        _ => {}
    }
    Ok(CustomField {
        key,
        label,
        kind: field.kind,
        choices,
        required: field.required,
    })
}

fn key_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    text::schema_of(text::trimmed_pattern_schema("[a-z0-9_]{1,40}"))
}

fn label_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    text::schema_of(text::line_schema(60))
}

fn choices_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    text::list_of(text::line_schema(60), (0, 50))
}

fn client_types_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    text::list_of(text::line_schema(80), (1, 30))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ClientFieldSettings {
        let field = |key: &str, kind, choices: &[&str], required| CustomField {
            key: key.into(),
            label: key.into(),
            kind,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            required,
        };
        ClientFieldSettings {
            client_types: vec!["Retailer".into(), "Stockist".into()],
            custom_fields: vec![
                field("drug_licence", FieldKind::Text, &[], true),
                field("shop_area_sqft", FieldKind::Number, &[], false),
                field("licence_expiry", FieldKind::Date, &[], false),
                field("credit_class", FieldKind::Choice, &["A", "B", "C"], false),
            ],
        }
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn values_are_checked_and_normalised() {
        let given = object(
            json!({ "drug_licence": " MH-PUN-2024/123 ", "shop_area_sqft": "1,250",
            "licence_expiry": "2027-03-31", "credit_class": "b" }),
        );
        let merged = settings().merge_values(&Map::new(), &given, true).unwrap();
        assert_eq!(
            Value::Object(merged),
            json!({ "drug_licence": "MH-PUN-2024/123", "shop_area_sqft": 1250.0,
                    "licence_expiry": "2027-03-31", "credit_class": "B" })
        );
    }

    #[test]
    fn wrong_values_name_their_field() {
        let given = object(
            json!({ "shop_area_sqft": "large", "licence_expiry": "31/03/2027",
            "credit_class": "Z", "colour": "red" }),
        );
        let errors = settings()
            .merge_values(&Map::new(), &given, true)
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "custom.colour",
                "custom.credit_class",
                "custom.licence_expiry",
                "custom.shop_area_sqft",
                "custom.drug_licence"
            ]
        );
    }

    #[test]
    fn null_removes_and_required_applies_to_new_clients_only() {
        let current = object(json!({ "drug_licence": "X-1", "credit_class": "A" }));
        let merged = settings()
            .merge_values(&current, &object(json!({ "credit_class": null })), false)
            .unwrap();
        assert_eq!(Value::Object(merged), json!({ "drug_licence": "X-1" }));
    }

    #[test]
    fn types_match_without_case() {
        let settings = settings();
        assert_eq!(settings.checked_type(Some("stockist")).unwrap(), "Stockist");
        assert_eq!(settings.checked_type(None).unwrap(), "Retailer");
        assert!(settings.checked_type(Some("Hospital")).is_err());
    }

    #[test]
    fn bad_definitions_are_refused() {
        let mut bad = settings();
        bad.custom_fields[1].key = "Shop Area".into();
        bad.custom_fields[2].choices = vec!["x".into()];
        bad.custom_fields[3].choices.clear();
        bad.client_types.push("retailer".into());
        let AppError::Validation(errors) = checked_settings(bad).unwrap_err() else {
            panic!("validation expected")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "client_types",
                "custom_fields[1]",
                "custom_fields[2]",
                "custom_fields[3]"
            ]
        );
    }
}
