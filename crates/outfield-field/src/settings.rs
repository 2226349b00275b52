//! The rules a company sets for field activity (stored on its `companies` row): working days and hours, tracking interval,
//! visit radius, how long raw positions are kept, and the outcomes a visit report offers.

use chrono::Datelike;
use outfield_core::ids::CompanyId;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::clock::now_ms;
use outfield_core::db::columns::{CommaList, LineList, StoredBool};
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult, FieldError};

/// A company's field-activity rules.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ActivitySettings {
    /// Working days, ISO numbers (1 = Monday … 7 = Sunday).
    #[sqlx(try_from = "CommaList")]
    pub work_days: Vec<u32>,
    /// Start of the working day, minutes after local midnight.
    pub work_start_minute: i64,
    /// End of the working day, minutes after local midnight.
    pub work_end_minute: i64,
    /// A day started more than this many minutes after the start counts as late.
    pub late_after_minutes: i64,
    /// Local minute at which a day still open is ended by the server, or `null` for never.
    pub auto_end_minute: Option<i64>,
    /// Seconds between location fixes while moving (coarser when still).
    pub fix_interval_seconds: i64,
    /// How close to a client (metres) a check-in must be to count as verified.
    pub visit_radius_m: i64,
    /// Days raw location fixes are kept; daily summaries and visits are kept longer.
    pub fix_retention_days: i64,
    /// Minutes without a position on duty before it needs a manager's look.
    pub silence_alert_minutes: i64,
    /// Minutes in one place away from any client on duty before it needs a manager's look.
    pub still_alert_minutes: i64,
    /// Outcomes a visit report offers.
    #[sqlx(try_from = "LineList")]
    pub visit_outcomes: Vec<String>,
    /// The outcomes that make a visit productive in beat reports (an order, a payment).
    #[sqlx(try_from = "LineList")]
    pub productive_outcomes: Vec<String>,
    /// The company's time zone, which decides what "a day" is.
    pub time_zone: String,
    /// Whether the start of the day needs a selfie (taken with the camera in the app).
    #[sqlx(try_from = "StoredBool")]
    pub selfie_required: bool,
    /// The outcomes as a person reading another interface language sees them: language code →
    /// outcome → wording (the company's, else the catalogue's). Filled where the field app reads the
    /// settings; a report still names the outcome itself.
    #[sqlx(skip)]
    #[serde(default, skip_deserializing)]
    pub visit_outcome_wordings: BTreeMap<String, BTreeMap<String, String>>,
}

impl ActivitySettings {
    /// Whether a local date is a working day.
    pub fn is_working_day(&self, day: chrono::NaiveDate) -> bool {
        self.work_days.contains(&day.weekday().number_from_monday())
    }

    /// The company's zone.
    pub fn zone(&self) -> chrono_tz::Tz {
        outfield_core::clock::zone(&self.time_zone)
    }

    /// Today's date in the company's zone.
    pub fn today(&self) -> chrono::NaiveDate {
        outfield_core::clock::local_day(outfield_core::clock::now_ms(), self.zone())
    }
}

/// Changes to the rules; absent fields stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivitySettingsChanges {
    /// Working days, ISO numbers 1–7, at least one.
    #[schema(schema_with = work_days_rule)]
    pub work_days: Option<Vec<u32>>,
    /// 0–1439.
    #[schema(minimum = 0, maximum = 1439)]
    pub work_start_minute: Option<i64>,
    /// 1–1440, after the start.
    #[schema(minimum = 1, maximum = 1440)]
    pub work_end_minute: Option<i64>,
    /// 0–240.
    #[schema(minimum = 0, maximum = 240)]
    pub late_after_minutes: Option<i64>,
    /// 0–1439, or `null` to switch automatic end of day off.
    #[serde(default, deserialize_with = "outfield_core::text::present")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1439)]
    pub auto_end_minute: Option<Option<i64>>,
    /// 30–3600.
    #[schema(minimum = 30, maximum = 3600)]
    pub fix_interval_seconds: Option<i64>,
    /// 25–2000.
    #[schema(minimum = 25, maximum = 2000)]
    pub visit_radius_m: Option<i64>,
    /// 7–3650.
    #[schema(minimum = 7, maximum = 3650)]
    pub fix_retention_days: Option<i64>,
    /// 10–480.
    #[schema(minimum = 10, maximum = 480)]
    pub silence_alert_minutes: Option<i64>,
    /// 15–480.
    #[schema(minimum = 15, maximum = 480)]
    pub still_alert_minutes: Option<i64>,
    /// 1–30 outcomes of 1–60 characters.
    #[schema(schema_with = visit_outcomes_rule)]
    pub visit_outcomes: Option<Vec<String>>,
    /// 0–30 of the visit outcomes (as they are after this change) that count as productive.
    #[schema(schema_with = productive_outcomes_rule)]
    pub productive_outcomes: Option<Vec<String>>,
    /// Ask for a selfie at the start of the day.
    pub selfie_required: Option<bool>,
}

/// Reads a company's rules.
pub async fn load(tx: &mut Tx, company_id: CompanyId) -> sqlx::Result<ActivitySettings> {
    sqlx::query_as(
        "SELECT work_days, work_start_minute, work_end_minute, late_after_minutes, \
         auto_end_minute, fix_interval_seconds, visit_radius_m, fix_retention_days, silence_alert_minutes, \
         still_alert_minutes, visit_outcomes, productive_outcomes, time_zone, selfie_required \
         FROM companies WHERE id = $1",
    )
    .bind(company_id)
    .fetch_one(&mut **tx)
    .await
}

/// The scope's company's rules.
pub async fn get(db: &Db, scope: &Scope) -> AppResult<ActivitySettings> {
    let mut tx = db.tenant_read(scope).await?;
    let settings = load(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(settings)
}

/// Changes the rules (owners and admins); every field is checked before anything is stored.
pub async fn update(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    changes: ActivitySettingsChanges,
) -> AppResult<ActivitySettings> {
    scope.require_admin()?;
    let mut tx = db.tenant(scope).await?;
    let current = load(&mut tx, scope.company_id()).await?;
    let updates = checked_updates(&current, &changes)?;
    let changed: Vec<&str> = updates.iter().map(|(column, _)| *column).collect();
    for (column, value) in &updates {
        let sql = format!("UPDATE companies SET {column} = $1, updated_at = $2 WHERE id = $3");
        let query = match value {
            Value::Number(n) => sqlx::query(&sql).bind(*n),
            Value::OptionalNumber(n) => sqlx::query(&sql).bind(*n),
            Value::Text(t) => sqlx::query(&sql).bind(t.clone()),
        };
        query
            .bind(now_ms())
            .bind(scope.company_id())
            .execute(&mut *tx)
            .await?;
    }
    if !changed.is_empty() {
        let event = AuditEvent::new(
            crate::actions::COMPANY_ACTIVITY_SETTINGS_UPDATED,
            scope.company_id(),
        )
        .with(json!({ "changed": changed }));
        audit::record(&mut tx, actor, event).await?;
    }
    let settings = load(&mut tx, scope.company_id()).await?;
    tx.commit().await?;
    Ok(settings)
}

enum Value {
    Number(i64),
    OptionalNumber(Option<i64>),
    Text(String),
}

fn checked_work_days(days: &[u32]) -> Result<(&'static str, Value), FieldError> {
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.is_empty() || sorted.iter().any(|d| !(1..=7).contains(d)) {
        return Err(FieldError::new(
            "work_days",
            "must list days 1 (Monday) to 7 (Sunday), at least one",
        ));
    }
    let text = sorted
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Ok(("work_days", Value::Text(text)))
}

fn checked_outcomes(outcomes: &[String]) -> Result<(&'static str, Value), FieldError> {
    let cleaned: Result<Vec<String>, String> = outcomes
        .iter()
        .map(|o| outfield_core::text::clean_line(o, 60))
        .collect();
    match cleaned {
        Ok(list) if (1..=30).contains(&list.len()) => {
            Ok(("visit_outcomes", Value::Text(list.join("\n"))))
        }
        Ok(_) => Err(FieldError::new("visit_outcomes", "must list 1–30 outcomes")),
        Err(message) => Err(FieldError::new(
            "visit_outcomes",
            format!("each outcome {message}"),
        )),
    }
}

/// The productive outcomes, each one of `outcomes` (trimmed, as outcomes are stored).
fn checked_productive(
    productive: &[String],
    outcomes: &[String],
) -> Result<(&'static str, Value), FieldError> {
    let chosen: Vec<&str> = productive.iter().map(|o| o.trim()).collect();
    if chosen.len() > 30 {
        return Err(FieldError::new(
            "productive_outcomes",
            "must list at most 30 outcomes",
        ));
    }
    match chosen
        .iter()
        .find(|o| !outcomes.iter().any(|known| known.trim() == **o))
    {
        Some(unknown) => Err(FieldError::new(
            "productive_outcomes",
            format!("must be visit outcomes; \"{unknown}\" is not one"),
        )),
        None => Ok(("productive_outcomes", Value::Text(chosen.join("\n")))),
    }
}

/// The numeric rules that change, each within its range.
fn checked_numbers(
    changes: &ActivitySettingsChanges,
) -> (Vec<(&'static str, Value)>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut updates = Vec::new();
    let mut number =
        |column: &'static str, value: Option<i64>, range: std::ops::RangeInclusive<i64>| {
            if let Some(value) = value {
                if range.contains(&value) {
                    updates.push((column, Value::Number(value)));
                } else {
                    errors.push(FieldError::new(
                        column,
                        format!("must be between {} and {}", range.start(), range.end()),
                    ));
                }
            }
        };
    number("work_start_minute", changes.work_start_minute, 0..=1439);
    number("work_end_minute", changes.work_end_minute, 1..=1440);
    number("late_after_minutes", changes.late_after_minutes, 0..=240);
    number(
        "fix_interval_seconds",
        changes.fix_interval_seconds,
        30..=3600,
    );
    number("visit_radius_m", changes.visit_radius_m, 25..=2000);
    number("fix_retention_days", changes.fix_retention_days, 7..=3650);
    number(
        "silence_alert_minutes",
        changes.silence_alert_minutes,
        10..=480,
    );
    number("still_alert_minutes", changes.still_alert_minutes, 15..=480);
    (updates, errors)
}

fn checked_updates(
    current: &ActivitySettings,
    changes: &ActivitySettingsChanges,
) -> AppResult<Vec<(&'static str, Value)>> {
    let (mut updates, mut errors) = checked_numbers(changes);
    if let Some(required) = changes.selfie_required {
        updates.push(("selfie_required", Value::Number(i64::from(required))));
    }
    let start = changes
        .work_start_minute
        .unwrap_or(current.work_start_minute);
    let end = changes.work_end_minute.unwrap_or(current.work_end_minute);
    if start >= end {
        errors.push(FieldError::new(
            "work_end_minute",
            "must be after the start of the working day",
        ));
    }
    if let Some(auto_end) = changes.auto_end_minute {
        match auto_end {
            Some(minute) if !(0..=1439).contains(&minute) => errors.push(FieldError::new(
                "auto_end_minute",
                "must be between 0 and 1439",
            )),
            _ => updates.push(("auto_end_minute", Value::OptionalNumber(auto_end))),
        }
    }
    let lists = [
        changes
            .work_days
            .as_ref()
            .map(|days| checked_work_days(days)),
        changes.visit_outcomes.as_ref().map(|o| checked_outcomes(o)),
    ];
    if let Some(productive) = &changes.productive_outcomes {
        let outcomes = changes
            .visit_outcomes
            .as_ref()
            .unwrap_or(&current.visit_outcomes);
        match checked_productive(productive, outcomes) {
            Ok(update) => updates.push(update),
            Err(error) => errors.push(error),
        }
    }
    for checked in lists.into_iter().flatten() {
        match checked {
            Ok(update) => updates.push(update),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(updates)
    } else {
        Err(AppError::Validation(errors))
    }
}

fn work_days_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let day = utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .minimum(Some(1))
        .maximum(Some(7));
    outfield_core::text::list_of(day, (1, 7))
}

fn productive_outcomes_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    outfield_core::text::list_of(outfield_core::text::line_schema(60), (0, 30))
}

fn visit_outcomes_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    outfield_core::text::list_of(outfield_core::text::line_schema(60), (1, 30))
}
