//! The attendance register: for each person and day, present / late / absent / on leave / off day, with
//! start and end times, time on duty and distance. Read by the console page, the API and the exports.

use outfield_core::ids::{CompanyId, PersonId};
use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};

use crate::settings::{self, ActivitySettings};
use outfield_core::auth::Scope;
use outfield_core::clock::{local_minute, now_ms, to_datetime};
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::export::{Cell, Table};
use outfield_core::people::store::{bind_scope, VISIBLE_CTE};

/// Longest range one register covers.
pub(crate) const MAX_DAYS: i64 = 92;

/// How a person's day counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// Started the day on time.
    Present,
    /// Started the day later than the start plus the grace minutes.
    Late,
    /// A working day that passed without a start.
    Absent,
    /// Marked as leave by a manager.
    OnLeave,
    /// Not a working day and not worked.
    OffDay,
    /// A working day that is not over and not started yet.
    NotStarted,
}

impl AttendanceStatus {
    /// Every status, in the order a register narrows by them.
    pub const ALL: [AttendanceStatus; 6] = [
        AttendanceStatus::Present,
        AttendanceStatus::Late,
        AttendanceStatus::NotStarted,
        AttendanceStatus::Absent,
        AttendanceStatus::OnLeave,
        AttendanceStatus::OffDay,
    ];

    /// The name in the API (and in the console's style classes).
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Late => "late",
            AttendanceStatus::Absent => "absent",
            AttendanceStatus::OnLeave => "on_leave",
            AttendanceStatus::OffDay => "off_day",
            AttendanceStatus::NotStarted => "not_started",
        }
    }

    /// The word the console shows.
    pub fn label(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "Present",
            AttendanceStatus::Late => "Late",
            AttendanceStatus::Absent => "Absent",
            AttendanceStatus::OnLeave => "On leave",
            AttendanceStatus::OffDay => "Off day",
            AttendanceStatus::NotStarted => "Not started",
        }
    }
}

/// One person on one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterRow {
    /// The person.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their employee code.
    pub employee_code: Option<String>,
    /// The local date.
    pub day: String,
    /// How the day counts.
    pub status: AttendanceStatus,
    /// When the server received the start of the day.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the phone says the day was started (differs when it was started offline).
    pub start_device_time: Option<chrono::DateTime<chrono::Utc>>,
    /// When the day was ended.
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `employee`, `automatic` or `not_ended` (ended by the next day's start).
    pub end_reason: Option<String>,
    /// Minutes on duty, private pauses excluded.
    pub duty_minutes: i64,
    /// Kilometres travelled on duty.
    pub distance_km: f64,
    /// Visits checked in that day.
    pub visits: i64,
    /// The leave note, when on leave.
    pub leave_note: Option<String>,
}

/// The days a register covers.
#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayRange {
    /// First day (default today).
    pub from: Option<NaiveDate>,
    /// Last day (default `from`); at most 92 days after `from`.
    pub to: Option<NaiveDate>,
}

impl DayRange {
    /// The first and last day, checked.
    pub(crate) fn resolve(&self, settings: &ActivitySettings) -> AppResult<(NaiveDate, NaiveDate)> {
        self.resolve_within(settings, MAX_DAYS)
    }

    /// The range, which may span at most `max_days` days (summaries such as the activity report take
    /// years; the register, a row per person and day, a quarter).
    pub(crate) fn resolve_within(
        &self,
        settings: &ActivitySettings,
        max_days: i64,
    ) -> AppResult<(NaiveDate, NaiveDate)> {
        let from = self.from.unwrap_or_else(|| settings.today());
        let to = self.to.unwrap_or(from);
        if to < from {
            return Err(AppError::field(
                "to",
                "The last day must not be before the first day",
            ));
        }
        if (to - from).num_days() >= max_days {
            return Err(AppError::field(
                "to",
                format!("The last day must be at most {max_days} days after the first day"),
            ));
        }
        Ok((from, to))
    }
}

#[derive(sqlx::FromRow)]
struct Duty {
    started_at: i64,
    start_device_time: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
}

/// The duty days of the company's people in a range, by person and day.
async fn duties(
    tx: &mut Tx,
    range: (CompanyId, &str, &str),
) -> sqlx::Result<HashMap<DayKey, Duty>> {
    by_person_day(
        tx,
        "SELECT person_id, day, started_at, start_device_time, ended_at, end_reason FROM duty_days \
         WHERE company_id = $1 AND day >= $2 AND day <= $3",
        range,
    )
    .await
}

/// The register of the people the scope may see (managers and field employees) for a range of days.
pub async fn register(db: &Db, scope: &Scope, range: &DayRange) -> AppResult<Vec<RegisterRow>> {
    let mut tx = db.tenant_read(scope).await?;
    let settings = settings::load(&mut tx, scope.company_id()).await?;
    let (from, to) = range.resolve(&settings)?;
    let people = field_people(&mut tx, scope).await?;
    let (first, last) = (from.to_string(), to.to_string());
    let company = scope.company_id();
    let range = (company, first.as_str(), last.as_str());
    let duties = duties(&mut tx, range).await?;
    let leaves: HashMap<DayKey, Leave> = by_person_day(
        &mut tx,
        "SELECT person_id, day, note FROM leaves WHERE company_id = $1 AND day >= $2 AND day <= $3",
        range,
    )
    .await?;
    let summaries: HashMap<DayKey, Totals> = by_person_day(
        &mut tx,
        "SELECT person_id, day, distance_m, duty_ms FROM day_summaries \
         WHERE company_id = $1 AND day >= $2 AND day <= $3",
        range,
    )
    .await?;
    let visits: HashMap<DayKey, VisitCount> = by_person_day(
        &mut tx,
        "SELECT person_id, day, COUNT(*) AS visits FROM visits \
         WHERE company_id = $1 AND day >= $2 AND day <= $3 GROUP BY person_id, day",
        range,
    )
    .await?;
    tx.commit().await?;
    let now = now_ms();
    let mut rows = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        let key_day = day.to_string();
        for (person_id, name, code) in &people {
            let key = (*person_id, key_day.clone());
            let duty = duties.get(&key);
            let leave_note = leaves.get(&key).map(|leave| leave.note.clone());
            let Totals {
                distance_m,
                duty_ms,
            } = summaries.get(&key).copied().unwrap_or(Totals {
                distance_m: 0.0,
                duty_ms: 0,
            });
            let status = status_of(&settings, day, duty, leave_note.is_some(), now);
            rows.push(RegisterRow {
                person_id: *person_id,
                name: name.clone(),
                employee_code: code.clone(),
                day: key_day.clone(),
                status,
                started_at: duty.map(|d| to_datetime(d.started_at)),
                start_device_time: duty.map(|d| to_datetime(d.start_device_time)),
                ended_at: duty.and_then(|d| d.ended_at).map(to_datetime),
                end_reason: duty.and_then(|d| d.end_reason.clone()),
                duty_minutes: duty_ms / 60_000,
                distance_km: (distance_m / 10.0).round() / 100.0,
                visits: visits.get(&key).map_or(0, |count| count.visits),
                leave_note,
            });
        }
    }
    Ok(rows)
}

fn status_of(
    settings: &ActivitySettings,
    day: NaiveDate,
    duty: Option<&Duty>,
    on_leave: bool,
    now: i64,
) -> AttendanceStatus {
    let zone = settings.zone();
    if let Some(duty) = duty {
        let late_minute = settings.work_start_minute + settings.late_after_minutes;
        return if settings.is_working_day(day) && local_minute(duty.started_at, zone) > late_minute
        {
            AttendanceStatus::Late
        } else {
            AttendanceStatus::Present
        };
    }
    if on_leave {
        return AttendanceStatus::OnLeave;
    }
    if !settings.is_working_day(day) {
        return AttendanceStatus::OffDay;
    }
    let day_over = outfield_core::clock::instant_of(day, settings.work_end_minute, zone);
    if now < day_over {
        AttendanceStatus::NotStarted
    } else {
        AttendanceStatus::Absent
    }
}

/// Active managers and field employees the scope may see: `(id, name, employee code)` by name.
pub(crate) async fn field_people(
    tx: &mut Tx,
    scope: &Scope,
) -> sqlx::Result<Vec<(PersonId, String, Option<String>)>> {
    let sql = format!(
        "{VISIBLE_CTE} SELECT p.id, p.name, p.employee_code FROM people p JOIN visible v ON v.id = p.id \
         WHERE p.company_id = $1 AND p.deactivated_at IS NULL AND p.role IN ('manager', 'field_employee') \
         ORDER BY p.name, p.id"
    );
    let rows = bind_scope(sqlx::query(&sql), scope)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(<(PersonId, String, Option<String>)>::from_row)
        .collect()
}

type DayKey = (PersonId, String);

/// A leave's note.
#[derive(sqlx::FromRow)]
struct Leave {
    note: String,
}

/// A day's distance and time on duty, from its summary.
#[derive(Clone, Copy, sqlx::FromRow)]
struct Totals {
    distance_m: f64,
    duty_ms: i64,
}

/// The number of visits on a day.
#[derive(sqlx::FromRow)]
struct VisitCount {
    visits: i64,
}

/// A row of a person's day: the key and what the query read for it.
#[derive(sqlx::FromRow)]
struct PersonDay<T> {
    person_id: PersonId,
    day: String,
    #[sqlx(flatten)]
    value: T,
}

/// Runs a query over one company's rows of a range of days (`$1` company, `$2`/`$3` first and last day)
/// with `person_id` and `day` columns, keeping one value per person and day.
async fn by_person_day<T>(
    tx: &mut Tx,
    sql: &str,
    (company, from, to): (CompanyId, &str, &str),
) -> sqlx::Result<HashMap<DayKey, T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let rows: Vec<PersonDay<T>> = sqlx::query_as(sql)
        .bind(company)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ((row.person_id, row.day), row.value))
        .collect())
}

/// The register as a spreadsheet, times in the company's zone.
pub fn table(rows: &[RegisterRow], zone: &str) -> Table {
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| -> Cell {
        at.map(|at| {
            at.with_timezone(&outfield_core::clock::zone(zone))
                .format("%H:%M")
                .to_string()
        })
        .into()
    };
    Table {
        headers: vec![
            "Day",
            "Name",
            "Employee code",
            "Status",
            "Start",
            "End",
            "End reason",
            "Minutes on duty",
            "Km",
            "Visits",
            "Leave note",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.day.clone().into(),
                    r.name.clone().into(),
                    r.employee_code.clone().into(),
                    r.status.label().into(),
                    time(r.started_at),
                    time(r.ended_at),
                    r.end_reason.clone().into(),
                    r.duty_minutes.into(),
                    r.distance_km.into(),
                    r.visits.into(),
                    r.leave_note.clone().into(),
                ]
            })
            .collect(),
    }
}

/// Marks (or with `note = None` clears) a day of leave for a person (their managers and admins).
pub(crate) async fn set_leave(
    db: &Db,
    scope: &Scope,
    actor: &outfield_core::audit::Actor,
    person_id: PersonId,
    day: NaiveDate,
    note: Option<&str>,
) -> AppResult<()> {
    use outfield_core::people::domain::Role;
    let mut tx = db.tenant(scope).await?;
    if outfield_core::people::store::find(&mut tx, scope, person_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let manages = scope.role() != Role::FieldEmployee && person_id != scope.person_id();
    if !(manages || scope.role().administers()) {
        return Err(AppError::Forbidden);
    }
    let (company, person, day) = (
        scope.company_id().to_string(),
        person_id.to_string(),
        day.to_string(),
    );
    sqlx::query("DELETE FROM leaves WHERE company_id = $1 AND person_id = $2 AND day = $3")
        .bind(&company)
        .bind(&person)
        .bind(&day)
        .execute(&mut *tx)
        .await?;
    if let Some(note) = note {
        sqlx::query(
            "INSERT INTO leaves (company_id, person_id, day, note, marked_by, marked_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&company)
        .bind(&person)
        .bind(&day)
        .bind(note)
        .bind(scope.person_id())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    let action = if note.is_some() {
        crate::actions::ATTENDANCE_LEAVE_MARKED
    } else {
        crate::actions::ATTENDANCE_LEAVE_CLEARED
    };
    let event = outfield_core::audit::AuditEvent::new(action, person_id)
        .with(serde_json::json!({ "day": day, "note": note }));
    outfield_core::audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}
