//! Attendance: the employee starts and ends the working day in the app (with a position when location is
//! allowed), may take private pauses, and managers mark leave. The server's receive time is the authority
//! for the register; the device time is kept beside it and decides which records fall inside duty.
//!
//! Duty also gates tracking: fixes are accepted only inside a started, not yet ended day and outside a
//! private pause ([`windows`] is what tracking asks).

pub mod api;
pub mod console;
pub mod month;
pub mod register;

use outfield_core::ids::{CompanyId, PersonId};
use serde::Deserialize;
use serde_json::json;
use sqlx::Row;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::settings;
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::clock::local_day;
use outfield_core::db::{NullableFloat, Tx};
use outfield_core::files::{Attach, Purpose};
use outfield_core::geo::Reading;
use outfield_core::privacy::check_position_consent;
use outfield_core::sync::{reject, Applied, Incoming};

/// What a `day_end` record carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DayMarkPayload {
    /// Where the employee was, when location is allowed.
    pub position: Option<Reading>,
}

/// What a `day_start` record carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DayStartPayload {
    /// Where the employee was, when location is allowed.
    pub position: Option<Reading>,
    /// The id of the selfie taken at the start (uploaded as a `selfie` file; needs camera consent).
    pub selfie: Option<Uuid>,
}

/// What `pause_start` and `pause_end` records carry: nothing but their time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PausePayload {}

/// One started day of one person, as tracking and visits need it.
#[derive(Debug, Clone)]
pub struct DutyWindow {
    /// The local date.
    pub day: String,
    /// Device time the day was started.
    pub start: i64,
    /// Device time it was ended, while not open.
    pub end: Option<i64>,
    /// Private pauses (device times; an open pause has no end).
    pub pauses: Vec<(i64, Option<i64>)>,
}

impl DutyWindow {
    /// Whether the person was on duty and not on a private pause at a device time.
    pub(crate) fn covers(&self, at: i64) -> bool {
        let inside = at >= self.start && self.end.is_none_or(|end| at <= end);
        inside
            && !self
                .pauses
                .iter()
                .any(|(from, until)| at >= *from && until.is_none_or(|until| at <= until))
    }
}

/// The day a device time belongs to among windows, if the person was on duty then.
pub(crate) fn day_at(windows: &[DutyWindow], at: i64) -> Option<&str> {
    windows
        .iter()
        .find(|w| w.covers(at))
        .map(|w| w.day.as_str())
}

/// The duty windows of a person that overlap device times `from..=to`, with their private pauses (one
/// query: ingest asks this for every batch of positions).
pub async fn windows(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<DutyWindow>> {
    let rows = sqlx::query(
        "SELECT d.day, d.start_device_time, d.end_device_time, p.start_device_time AS pause_from, \
         p.end_device_time AS pause_until FROM duty_days d LEFT JOIN duty_pauses p \
         ON p.company_id = d.company_id AND p.person_id = d.person_id AND p.day = d.day \
         WHERE d.company_id = $1 AND d.person_id = $2 AND d.start_device_time <= $4 \
         AND (d.end_device_time IS NULL OR d.end_device_time >= $3) ORDER BY d.start_device_time",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await?;
    let mut windows: Vec<DutyWindow> = Vec::new();
    for row in rows {
        let day: String = row.try_get("day")?;
        if windows.last().is_none_or(|w| w.day != day) {
            windows.push(DutyWindow {
                day,
                start: row.try_get("start_device_time")?,
                end: row.try_get("end_device_time")?,
                pauses: Vec::new(),
            });
        }
        if let (Some(window), Some(from)) = (
            windows.last_mut(),
            row.try_get::<Option<i64>, _>("pause_from")?,
        ) {
            window.pauses.push((from, row.try_get("pause_until")?));
        }
    }
    Ok(windows)
}

/// A person's day as the server has it, for the app to follow when it was started on another phone or
/// ended by the server.
#[derive(Debug, Clone, serde::Serialize, ToSchema)]
pub struct OpenDuty {
    /// The local date.
    pub day: String,
    /// When it was started, by the phone's clock (Unix ms).
    pub start_device_time: i64,
    /// Whether a private pause is running.
    pub paused: bool,
}

/// The person's open day, if any, with whether a private pause is running.
pub async fn open_duty(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<Option<OpenDuty>> {
    let Some((day, start_device_time)) = open_day(tx, company_id, person_id).await? else {
        return Ok(None);
    };
    let paused: Option<String> = sqlx::query_scalar(
        "SELECT id FROM duty_pauses WHERE company_id = $1 AND person_id = $2 AND day = $3 \
         AND end_device_time IS NULL",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(&day)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(Some(OpenDuty {
        day,
        start_device_time,
        paused: paused.is_some(),
    }))
}

/// The open (started, not ended) day of a person, if any: `(day, start device time)`.
pub(crate) async fn open_day(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
) -> sqlx::Result<Option<(String, i64)>> {
    let row = sqlx::query(
        "SELECT day, start_device_time FROM duty_days WHERE company_id = $1 AND person_id = $2 \
         AND ended_at IS NULL ORDER BY start_device_time DESC LIMIT 1",
    )
    .bind(company_id)
    .bind(person_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .transpose()
}

/// Starts the working day (`day_start` record). A second start of the same day is refused; a day left
/// open before it is ended at its last known activity.
pub(crate) async fn apply_day_start(
    tx: &mut Tx,
    scope: &Scope,
    actor: &Actor,
    record: &Incoming,
) -> Applied {
    let payload: DayStartPayload = record.payload_as()?;
    check_position_consent(tx, scope, payload.position.is_some()).await?;
    let settings = settings::load(tx, scope.company_id()).await?;
    if settings.selfie_required && payload.selfie.is_none() {
        return Err(reject(
            "the company asks for a selfie at the start of the day: allow the camera and take one",
        ));
    }
    let selfie = Attach {
        subject_kind: "duty_day",
        subject_id: &record.id.to_string(),
        purpose: Purpose::Selfie,
        file_ids: payload.selfie.as_slice(),
    };
    outfield_core::files::attach(tx, scope, selfie).await?;
    let day = local_day(record.device_time, settings.zone()).to_string();
    let (company, person) = (
        scope.company_id().to_string(),
        scope.person_id().to_string(),
    );
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT started_at FROM duty_days WHERE company_id = $1 AND person_id = $2 AND day = $3",
    )
    .bind(&company)
    .bind(&person)
    .bind(&day)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(started_at) = existing {
        let at = outfield_core::console::local_time(
            outfield_core::clock::to_datetime(started_at),
            &settings.time_zone,
            outfield_core::people::domain::Language::English,
        );
        return Err(reject(format!("the day {day} was already started ({at})")));
    }
    if let Some((open, _)) = open_day(tx, scope.company_id(), scope.person_id()).await? {
        let at = (record.device_time - 1, record.received_at);
        close_day(
            tx,
            scope.company_id(),
            scope.person_id(),
            &open,
            at,
            None,
            "not_ended",
        )
        .await?;
    }
    let position = payload.position;
    sqlx::query(
        "INSERT INTO duty_days (company_id, person_id, day, start_id, started_at, start_device_time, \
         start_latitude, start_longitude, start_accuracy_m) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&company)
    .bind(&person)
    .bind(&day)
    .bind(record.id.to_string())
    .bind(record.received_at)
    .bind(record.device_time)
    .bind(NullableFloat(position.map(|p| p.latitude)))
    .bind(NullableFloat(position.map(|p| p.longitude)))
    .bind(NullableFloat(position.map(|p| p.accuracy_m)))
    .execute(&mut **tx)
    .await?;
    crate::tracking::queue_summary(
        tx,
        scope.company_id(),
        scope.person_id(),
        &day,
        record.received_at,
    )
    .await?;
    let event = AuditEvent::new(crate::actions::ATTENDANCE_DAY_STARTED, scope.person_id())
        .with(json!({ "day": day, "device_time": record.device_time }));
    audit::record(tx, actor, event).await?;
    Ok(())
}

/// The selfie taken at the start of a person's day, if one was sent.
pub(crate) async fn selfie_of(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
) -> sqlx::Result<Option<outfield_core::files::Attachment>> {
    let start_id: Option<String> = sqlx::query_scalar(
        "SELECT start_id FROM duty_days WHERE company_id = $1 AND person_id = $2 AND day = $3",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(day)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(start_id) = start_id else {
        return Ok(None);
    };
    let mut files =
        outfield_core::files::attached(tx, company_id, "duty_day", std::slice::from_ref(&start_id))
            .await?;
    Ok(files
        .remove(&start_id)
        .and_then(|list| list.into_iter().next()))
}

/// Ends the working day (`day_end` record).
pub(crate) async fn apply_day_end(
    tx: &mut Tx,
    scope: &Scope,
    actor: &Actor,
    record: &Incoming,
) -> Applied {
    let payload: DayMarkPayload = record.payload_as()?;
    check_position_consent(tx, scope, payload.position.is_some()).await?;
    let Some((day, start)) = open_day(tx, scope.company_id(), scope.person_id()).await? else {
        return Err(reject(
            "no day is open: it was not started or has already been ended",
        ));
    };
    if record.device_time < start {
        return Err(reject("the day cannot end before it started"));
    }
    let at = (record.device_time, record.received_at);
    close_day(
        tx,
        scope.company_id(),
        scope.person_id(),
        &day,
        at,
        payload.position,
        "employee",
    )
    .await?;
    let event = AuditEvent::new(crate::actions::ATTENDANCE_DAY_ENDED, scope.person_id())
        .with(json!({ "day": day, "device_time": record.device_time }));
    audit::record(tx, actor, event).await?;
    Ok(())
}

/// Closes a person's open day (and any open pause in it) and queues its summary.
async fn close_day(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
    (device_time, received_at): (i64, i64),
    position: Option<Reading>,
    reason: &str,
) -> sqlx::Result<()> {
    let (company, person) = (company_id.to_string(), person_id.to_string());
    sqlx::query(
        "UPDATE duty_days SET ended_at = $4, end_device_time = $5, end_latitude = $6, end_longitude = $7, \
         end_accuracy_m = $8, end_reason = $9 WHERE company_id = $1 AND person_id = $2 AND day = $3 \
         AND ended_at IS NULL",
    )
    .bind(&company)
    .bind(&person)
    .bind(day)
    .bind(received_at)
    .bind(device_time)
    .bind(NullableFloat(position.map(|p| p.latitude)))
    .bind(NullableFloat(position.map(|p| p.longitude)))
    .bind(NullableFloat(position.map(|p| p.accuracy_m)))
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE duty_pauses SET end_device_time = $4 WHERE company_id = $1 AND person_id = $2 AND day = $3 \
         AND end_device_time IS NULL",
    )
    .bind(&company)
    .bind(&person)
    .bind(day)
    .bind(device_time)
    .execute(&mut **tx)
    .await?;
    crate::tracking::queue_summary(tx, company_id, person_id, day, received_at).await
}

/// Starts or ends a private pause (`pause_start` / `pause_end` records): no location is recorded inside.
pub(crate) async fn apply_pause(
    tx: &mut Tx,
    scope: &Scope,
    record: &Incoming,
    starting: bool,
) -> Applied {
    record.payload_as::<PausePayload>()?;
    let Some((day, start)) = open_day(tx, scope.company_id(), scope.person_id()).await? else {
        return Err(reject("a pause needs a started day"));
    };
    let (company, person) = (
        scope.company_id().to_string(),
        scope.person_id().to_string(),
    );
    let open: Option<String> = sqlx::query_scalar(
        "SELECT id FROM duty_pauses WHERE company_id = $1 AND person_id = $2 AND day = $3 \
         AND end_device_time IS NULL",
    )
    .bind(&company)
    .bind(&person)
    .bind(&day)
    .fetch_optional(&mut **tx)
    .await?;
    match (starting, open) {
        (true, Some(_)) => Err(reject("a pause is already running")),
        (false, None) => Err(reject("no pause is running")),
        (true, None) if record.device_time < start => {
            Err(reject("the pause starts before the day did"))
        }
        (true, None) => {
            sqlx::query(
                "INSERT INTO duty_pauses (company_id, id, person_id, day, start_device_time) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&company)
            .bind(record.id.to_string())
            .bind(&person)
            .bind(&day)
            .bind(record.device_time)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
        (false, Some(id)) => {
            sqlx::query(
                "UPDATE duty_pauses SET end_device_time = $3 WHERE company_id = $1 AND id = $2",
            )
            .bind(&company)
            .bind(id)
            .bind(record.device_time)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
    }
}

/// Ends days still open past the company's automatic end-of-day minute (a background job, every
/// company). The end is the day's last fix, or its start when there is none. Returns how many ended.
pub async fn auto_end_open_days(tx: &mut Tx, now: i64) -> sqlx::Result<usize> {
    let rows = sqlx::query(
        "SELECT d.company_id, d.person_id, d.day, d.start_device_time, c.time_zone, c.auto_end_minute \
         FROM duty_days d JOIN companies c ON c.id = d.company_id \
         WHERE d.ended_at IS NULL AND c.auto_end_minute IS NOT NULL",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut ended = 0;
    for row in rows {
        let day: String = row.try_get("day")?;
        let zone = outfield_core::clock::zone(&row.try_get::<String, _>("time_zone")?);
        let minute: i64 = row.try_get("auto_end_minute")?;
        let Ok(date) = day.parse::<chrono::NaiveDate>() else {
            continue;
        };
        let deadline = outfield_core::clock::instant_of(date, minute, zone);
        if now < deadline {
            continue;
        }
        let company_id = row.try_get("company_id")?;
        let person_id = row.try_get("person_id")?;
        let start: i64 = row.try_get("start_device_time")?;
        let last_fix: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(device_time) FROM fixes WHERE company_id = $1 AND person_id = $2 \
             AND device_time >= $3 AND device_time <= $4",
        )
        .bind(company_id)
        .bind(person_id)
        .bind(start)
        .bind(deadline)
        .fetch_one(&mut **tx)
        .await?;
        let end = last_fix.unwrap_or(start).max(start);
        close_day(
            tx,
            company_id,
            person_id,
            &day,
            (end, now),
            None,
            "automatic",
        )
        .await?;
        ended += 1;
    }
    Ok(ended)
}
