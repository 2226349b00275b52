//! Client visits: beats planned by a manager (a day's clients, or every week on a weekday) or by the
//! employee, check-in and check-out at the client with a verdict on the position, the visit report
//! (outcome, notes, next follow-up), and corrections of a wrong client location proposed from the field.
//!
//! The verdict compares the distance between the fix and the client with the company radius *and* the
//! fix's accuracy (see [`verdict`]); a doubtful fix is never turned into a verified or a failed visit.

pub mod api;
pub mod console;
pub(crate) mod planner;
pub mod plans;

use crate::tracking::summary::StoredFlags;
use chrono::NaiveDate;
use outfield_core::db::columns::{NullableDay, NullableText, NullableUnixMs, StoredBool, UnixMs};
use outfield_core::ids::{ClientId, CompanyId, PersonId, VisitId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::attendance;
use crate::settings::ActivitySettings;
use crate::tracking::trail::{Flag, CLOCK_SKEW_MS};
use outfield_clients::domain::{InteractionKind, Label, LongText};
use outfield_clients::NewInteraction;
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::db::{Db, NullableFloat, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::files::{Attach, Attachment, Purpose};
use outfield_core::geo::{GeoPoint, Reading};
use outfield_core::privacy::check_position_consent;
use outfield_core::sync::{reject, Applied, ApplyError, Incoming};

/// How far the check-in position supports the claim of being at the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the company radius of the client.
    Verified,
    /// Certainly outside the radius, even allowing for the fix's accuracy.
    OutOfRange,
    /// No usable fix, no client location, or a fix too coarse to tell.
    Unverified,
}

impl Verdict {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::OutOfRange => "out_of_range",
            Verdict::Unverified => "unverified",
        }
    }

    /// Reads a stored name; one this build does not know reads as unverified.
    pub fn parse(raw: &str) -> Verdict {
        match raw {
            "verified" => Verdict::Verified,
            "out_of_range" => Verdict::OutOfRange,
            _ => Verdict::Unverified,
        }
    }

    /// Words for the console and the app.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Verified => "Verified",
            Verdict::OutOfRange => "Out of range",
            Verdict::Unverified => "Unverified",
        }
    }
}

/// A stored verdict, read from its column.
impl From<String> for Verdict {
    fn from(stored: String) -> Self {
        Verdict::parse(&stored)
    }
}

/// The verdict on a position at a client, and the distance when both places are known.
///
/// - no fix, no client location, or accuracy worse than twice the radius → unverified;
/// - distance ≤ radius → verified;
/// - distance > radius + accuracy (outside even at the most favourable reading) → out of range;
/// - otherwise the edge of the radius lies inside the fix's uncertainty → unverified.
pub fn verdict(
    client: Option<GeoPoint>,
    reading: Option<Reading>,
    radius_m: f64,
) -> (Verdict, Option<f64>) {
    let (Some(client), Some(reading)) = (client, reading) else {
        return (Verdict::Unverified, None);
    };
    let distance = client.distance_m(&reading.point());
    let verdict = if reading.accuracy_m > 2.0 * radius_m {
        Verdict::Unverified
    } else if distance <= radius_m {
        Verdict::Verified
    } else if distance > radius_m + reading.accuracy_m {
        Verdict::OutOfRange
    } else {
        Verdict::Unverified
    };
    (verdict, Some(distance))
}

/// A visit as the console and the app show it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Visit {
    /// Id (the check-in record's id).
    pub id: VisitId,
    /// Who visited.
    pub person_id: PersonId,
    /// The client.
    pub client_id: ClientId,
    /// The client's name.
    pub client_name: String,
    /// The local date.
    pub day: String,
    /// Whether it was on the person's plan for the day.
    #[sqlx(try_from = "StoredBool")]
    pub planned: bool,
    /// Check-in, by the server's clock.
    #[sqlx(try_from = "UnixMs")]
    pub checked_in_at: chrono::DateTime<chrono::Utc>,
    /// Check-in, by the phone's clock.
    #[sqlx(try_from = "UnixMs")]
    pub in_device_time: chrono::DateTime<chrono::Utc>,
    /// Verdict at check-in.
    #[sqlx(try_from = "String")]
    pub in_verdict: Verdict,
    /// Metres from the client at check-in.
    pub in_distance_m: Option<f64>,
    /// Accuracy of the check-in fix.
    pub in_accuracy_m: Option<f64>,
    /// Check-out, by the server's clock.
    #[sqlx(try_from = "NullableUnixMs")]
    pub checked_out_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Check-out, by the phone's clock.
    #[sqlx(try_from = "NullableUnixMs")]
    pub out_device_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Verdict at check-out.
    #[sqlx(try_from = "NullableText")]
    pub out_verdict: Option<Verdict>,
    /// Metres from the client at check-out.
    pub out_distance_m: Option<f64>,
    /// The outcome chosen in the report.
    pub outcome: Option<String>,
    /// Notes of the report.
    pub notes: Option<String>,
    /// Next follow-up date.
    #[sqlx(try_from = "NullableDay")]
    pub follow_up_on: Option<NaiveDate>,
    /// Signals for the manager.
    #[sqlx(try_from = "StoredFlags")]
    pub flags: Vec<Flag>,
    /// Photos and voice note of the report.
    #[sqlx(skip)]
    pub attachments: Vec<Attachment>,
}

const VISIT_SELECT: &str = "SELECT v.id, v.person_id, v.client_id, c.name AS client_name, v.day, v.planned, \
     v.checked_in_at, v.in_device_time, v.in_verdict, v.in_distance_m, v.in_accuracy_m, v.checked_out_at, v.out_device_time, \
     v.out_verdict, v.out_distance_m, v.outcome, v.notes, v.follow_up_on, v.flags \
     FROM visits v JOIN clients c ON c.company_id = v.company_id AND c.id = v.client_id ";

/// The stored state of a visit a check-out closes.
#[derive(sqlx::FromRow)]
struct OpenVisit {
    client_id: ClientId,
    day: String,
    in_device_time: i64,
    checked_out_at: Option<i64>,
    #[sqlx(try_from = "StoredFlags")]
    flags: Vec<Flag>,
}

/// The visits of a person on a day, in check-in order.
pub(crate) async fn of_day(
    tx: &mut Tx,
    company_id: CompanyId,
    person_id: PersonId,
    day: &str,
) -> sqlx::Result<Vec<Visit>> {
    let sql = format!(
        "{VISIT_SELECT} WHERE v.company_id = $1 AND v.person_id = $2 AND v.day = $3 ORDER BY v.in_device_time, v.id"
    );
    let mut visits: Vec<Visit> = sqlx::query_as(&sql)
        .bind(company_id)
        .bind(person_id)
        .bind(day)
        .fetch_all(&mut **tx)
        .await?;
    let ids: Vec<String> = visits.iter().map(|v| v.id.to_string()).collect();
    let mut files = outfield_core::files::attached(tx, company_id, "visit", &ids).await?;
    for visit in &mut visits {
        visit.attachments = files.remove(&visit.id.to_string()).unwrap_or_default();
    }
    Ok(visits)
}

/// What a `check_in` record carries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckInPayload {
    /// The client visited.
    pub client_id: ClientId,
    /// The fix at check-in (needs location consent); without one the visit is unverified.
    pub position: Option<Reading>,
    /// The OS's mock-location flag for that fix.
    pub mocked: Option<bool>,
}

/// What a `check_out` record carries: the check-out position and the visit report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckOutPayload {
    /// The visit (the id of its `check_in` record).
    pub visit_id: VisitId,
    /// The fix at check-out.
    pub position: Option<Reading>,
    /// The OS's mock-location flag for that fix.
    pub mocked: Option<bool>,
    /// One of the company's visit outcomes.
    pub outcome: Option<String>,
    /// Notes (up to 4000 characters).
    pub notes: Option<String>,
    /// Next follow-up date.
    pub follow_up_on: Option<NaiveDate>,
    /// Photos taken at the client (ids of `visit_photo` files; needs camera consent), at most 10.
    #[serde(default)]
    pub photos: Vec<Uuid>,
    /// A voice note (id of a `voice_note` file; needs microphone consent).
    pub voice_note: Option<Uuid>,
}

impl Visit {
    /// The check-in's verdict as the day page explains it: how far from the client, and why one could
    /// not be verified (a fix too coarse to tell, no position, a client without a location).
    pub fn verdict_explained(&self, lang: &outfield_core::people::domain::Language) -> String {
        let lang = *lang;
        let metres = |m: f64| lang.tr1("{} m", format!("{m:.0}"));
        match (self.in_verdict, self.in_distance_m, self.in_accuracy_m) {
            (Verdict::Verified, Some(d), _) => {
                lang.tr1("Verified — {} from the client", distance_words(lang, d))
            }
            (Verdict::OutOfRange, Some(d), Some(a)) => lang.tr2(
                "Out of range — {1} from the client (±{2})",
                distance_words(lang, d),
                metres(a),
            ),
            (Verdict::Unverified, Some(d), Some(a)) => lang.tr2(
                "Not verified — the position was too inaccurate (±{1}) to tell; {2} from the client",
                metres(a),
                distance_words(lang, d),
            ),
            (_, None, Some(_)) => lang.tr("Not verified — the client has no location").into(),
            (_, _, None) => lang.tr("Not verified — the phone gave no position").into(),
        }
    }
}

/// A distance as the field app says it too: metres below a kilometre, kilometres with one decimal above.
pub(crate) fn distance_words(lang: outfield_core::people::domain::Language, metres: f64) -> String {
    if metres < 1000.0 {
        lang.tr1("{} m", format!("{metres:.0}"))
    } else {
        lang.tr1("{} km", format!("{:.1}", metres / 1000.0))
    }
}

/// Most photos one visit report carries.
const MAX_PHOTOS: usize = 10;

/// What a `location_correction` record carries: the client's real position, measured on the spot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CorrectionPayload {
    /// The client whose stored location is wrong.
    pub client_id: ClientId,
    /// The visit it was noticed on, if any.
    pub visit_id: Option<VisitId>,
    /// The position at the client.
    pub position: Reading,
}

fn flags_of(mocked: Option<bool>, record: &Incoming) -> Vec<Flag> {
    let mut flags = Vec::new();
    if mocked == Some(true) {
        flags.push(Flag::MockLocation);
    }
    if record.device_time > record.received_at + CLOCK_SKEW_MS {
        flags.push(Flag::ClockSkew);
    }
    flags
}

/// Checks in at a client (`check_in` record): the client must be one the employee may see, the employee on
/// duty and not inside another visit.
pub(crate) async fn apply_check_in(
    tx: &mut Tx,
    scope: &Scope,
    actor: &Actor,
    record: &Incoming,
) -> Applied {
    let payload: CheckInPayload = record.payload_as()?;
    let Some(client) = outfield_clients::store::find(tx, scope, payload.client_id).await? else {
        return Err(reject("the client is not one of yours"));
    };
    check_position_consent(tx, scope, payload.position.is_some()).await?;
    let (company, person) = (scope.company_id(), scope.person_id());
    let windows =
        attendance::windows(tx, company, person, record.device_time, record.device_time).await?;
    let Some(day) = attendance::day_at(&windows, record.device_time).map(str::to_string) else {
        return Err(reject(
            "not on duty at that time: start the day (and end any private pause) before checking in",
        ));
    };
    if let Some(open) = open_visit(tx, company, person).await? {
        return Err(reject(format!("check out of {} first", open.1)));
    }
    let settings = crate::settings::load(tx, company).await?;
    let (verdict, distance) = verdict(
        client.location,
        payload.position,
        settings.visit_radius_m as f64,
    );
    let planned = plans::is_planned(tx, company, person, client.id, &day).await?;
    let position = payload.position;
    sqlx::query(
        "INSERT INTO visits (company_id, id, person_id, client_id, day, planned, checked_in_at, in_device_time, \
         in_latitude, in_longitude, in_accuracy_m, in_distance_m, in_verdict, flags) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(company)
    .bind(record.id.to_string())
    .bind(person)
    .bind(client.id)
    .bind(&day)
    .bind(i64::from(planned))
    .bind(record.received_at)
    .bind(record.device_time)
    .bind(NullableFloat(position.map(|p| p.latitude)))
    .bind(NullableFloat(position.map(|p| p.longitude)))
    .bind(NullableFloat(position.map(|p| p.accuracy_m)))
    .bind(NullableFloat(distance))
    .bind(verdict.as_str())
    .bind(crate::tracking::summary::format_flags(&flags_of(payload.mocked, record)))
    .execute(&mut **tx)
    .await?;
    let event = AuditEvent::new(crate::actions::VISIT_CHECKED_IN, client.id).with(
        json!({ "visit_id": record.id, "verdict": verdict.as_str(), "distance_m": distance }),
    );
    audit::record(tx, actor, event).await?;
    // The day's flags count its check-ins' verdicts.
    crate::tracking::queue_summary(tx, company, person, &day, record.received_at).await?;
    Ok(())
}

/// The person's visit that is checked in and not out: `(id, client name)`.
async fn open_visit(
    tx: &mut Tx,
    company: CompanyId,
    person: PersonId,
) -> sqlx::Result<Option<(VisitId, String)>> {
    sqlx::query_as(
        "SELECT v.id, c.name FROM visits v JOIN clients c ON c.company_id = v.company_id AND c.id = v.client_id \
         WHERE v.company_id = $1 AND v.person_id = $2 AND v.checked_out_at IS NULL LIMIT 1",
    )
    .bind(company)
    .bind(person)
    .fetch_optional(&mut **tx)
    .await
}

/// What a visit report says, checked: an outcome the company lists, notes within bounds.
struct Report {
    outcome: Option<String>,
    notes: Option<LongText>,
}

fn checked_report(
    payload: &CheckOutPayload,
    settings: &ActivitySettings,
) -> Result<Report, ApplyError> {
    let outcome = match payload.outcome.as_deref().map(str::trim) {
        Some(o) if !settings.visit_outcomes.iter().any(|known| known == o) => {
            return Err(reject(format!(
                "outcome must be one of: {}",
                settings.visit_outcomes.join(", ")
            )))
        }
        other => other.map(str::to_string),
    };
    let notes = match payload
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => match LongText::parse(n) {
            Ok(text) => Some(text),
            Err(message) => return Err(reject(format!("notes {message}"))),
        },
        None => None,
    };
    Ok(Report { outcome, notes })
}

/// Puts the visit on the client's timeline, and a follow-up task when the report asks for one.
async fn put_on_timeline(
    tx: &mut Tx,
    scope: &Scope,
    record: &Incoming,
    payload: &CheckOutPayload,
    client_id: ClientId,
    report: &Report,
    settings: &ActivitySettings,
) -> Applied {
    let body = report
        .notes
        .clone()
        .unwrap_or_else(|| LongText::parse("Visit").unwrap_or_else(|_| unreachable!()));
    let interaction = NewInteraction {
        kind: InteractionKind::Visit,
        contact_id: None,
        outcome: report.outcome.as_deref().and_then(|o| Label::parse(o).ok()),
        body,
    };
    let times = (record.device_time, record.received_at);
    outfield_clients::record_interaction(
        tx,
        scope,
        payload.visit_id.uuid(),
        client_id,
        &interaction,
        times,
    )
    .await?;
    if let Some(due_on) = payload.follow_up_on {
        let who = (client_id, scope.person_id(), scope.person_id());
        let visited = outfield_core::clock::local_day(record.device_time, settings.zone());
        let title = format!("Follow up on the visit of {}", visited.format("%d %b %Y"));
        outfield_clients::tasks::insert(tx, scope.company_id(), who, &title, due_on).await?;
    }
    Ok(())
}

/// Checks out of a visit with its report (`check_out` record); the visit lands on the client's timeline.
pub(crate) async fn apply_check_out(
    tx: &mut Tx,
    scope: &Scope,
    actor: &Actor,
    record: &Incoming,
) -> Applied {
    let payload: CheckOutPayload = record.payload_as()?;
    let (company, person) = (scope.company_id(), scope.person_id());
    let open: Option<OpenVisit> = sqlx::query_as(
        "SELECT client_id, day, in_device_time, checked_out_at, flags FROM visits \
         WHERE company_id = $1 AND id = $2 AND person_id = $3",
    )
    .bind(company)
    .bind(payload.visit_id)
    .bind(person)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(open) = open else {
        return Err(reject(
            "check-out without a check-in: no such visit of yours",
        ));
    };
    if open.checked_out_at.is_some() {
        return Err(reject("this visit was already checked out"));
    }
    if record.device_time < open.in_device_time {
        return Err(reject("the check-out is before the check-in"));
    }
    check_position_consent(tx, scope, payload.position.is_some()).await?;
    let settings = crate::settings::load(tx, company).await?;
    let report = checked_report(&payload, &settings)?;
    attach_report_files(tx, scope, &payload).await?;
    let client_id = open.client_id;
    let client = outfield_clients::store::find(tx, scope, client_id).await?;
    let location = client.as_ref().and_then(|c| c.location);
    let (out_verdict, distance) =
        verdict(location, payload.position, settings.visit_radius_m as f64);
    let mut flags = open.flags;
    flags.extend(flags_of(payload.mocked, record));
    flags.sort();
    flags.dedup();
    let position = payload.position;
    sqlx::query(
        "UPDATE visits SET checked_out_at = $3, out_device_time = $4, out_latitude = $5, out_longitude = $6, \
         out_accuracy_m = $7, out_distance_m = $8, out_verdict = $9, outcome = $10, notes = $11, \
         follow_up_on = $12, flags = $13 WHERE company_id = $1 AND id = $2",
    )
    .bind(company)
    .bind(payload.visit_id)
    .bind(record.received_at)
    .bind(record.device_time)
    .bind(NullableFloat(position.map(|p| p.latitude)))
    .bind(NullableFloat(position.map(|p| p.longitude)))
    .bind(NullableFloat(position.map(|p| p.accuracy_m)))
    .bind(NullableFloat(distance))
    .bind(out_verdict.as_str())
    .bind(report.outcome.clone())
    .bind(report.notes.as_ref().map(|n| n.as_str().to_string()))
    .bind(payload.follow_up_on.map(|d| d.to_string()))
    .bind(crate::tracking::summary::format_flags(&flags))
    .execute(&mut **tx)
    .await?;
    put_on_timeline(tx, scope, record, &payload, client_id, &report, &settings).await?;
    let event = AuditEvent::new(crate::actions::VISIT_CHECKED_OUT, client_id)
        .with(json!({ "visit_id": payload.visit_id, "verdict": out_verdict.as_str(), "outcome": report.outcome }));
    audit::record(tx, actor, event).await?;
    crate::tracking::queue_summary(tx, company, person, &open.day, record.received_at).await?;
    Ok(())
}

/// Links the report's photos and voice note to the visit.
async fn attach_report_files(tx: &mut Tx, scope: &Scope, payload: &CheckOutPayload) -> Applied {
    if payload.photos.len() > MAX_PHOTOS {
        return Err(reject(format!(
            "a visit report takes at most {MAX_PHOTOS} photos"
        )));
    }
    let subject_id = payload.visit_id.to_string();
    let lists = [
        (Purpose::VisitPhoto, payload.photos.as_slice()),
        (Purpose::VoiceNote, payload.voice_note.as_slice()),
    ];
    for (purpose, file_ids) in lists {
        let attach = Attach {
            subject_kind: "visit",
            subject_id: &subject_id,
            purpose,
            file_ids,
        };
        outfield_core::files::attach(tx, scope, attach).await?;
    }
    Ok(())
}

/// Proposes a corrected client location from the field (`location_correction` record); a manager or
/// admin approves it before the client moves. The client must be in the person's reach and the visit,
/// when one is named, the person's own at that client: another person's is answered as an unknown one.
pub(crate) async fn apply_correction(tx: &mut Tx, scope: &Scope, record: &Incoming) -> Applied {
    let payload: CorrectionPayload = record.payload_as()?;
    if outfield_clients::store::find(tx, scope, payload.client_id)
        .await?
        .is_none()
    {
        return Err(reject("the client is not one of yours"));
    }
    if let Some(visit_id) = payload.visit_id {
        let own_visit: Option<ClientId> = sqlx::query_scalar(
            "SELECT client_id FROM visits WHERE company_id = $1 AND id = $2 AND person_id = $3",
        )
        .bind(scope.company_id())
        .bind(visit_id)
        .bind(scope.person_id())
        .fetch_optional(&mut **tx)
        .await?;
        if own_visit != Some(payload.client_id) {
            return Err(reject("the visit is not one of yours at this client"));
        }
    }
    check_position_consent(tx, scope, true).await?;
    sqlx::query(
        "INSERT INTO location_corrections (company_id, id, client_id, visit_id, proposed_by, latitude, longitude, \
         accuracy_m, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(scope.company_id())
    .bind(record.id.to_string())
    .bind(payload.client_id)
    .bind(payload.visit_id)
    .bind(scope.person_id())
    .bind(payload.position.latitude)
    .bind(payload.position.longitude)
    .bind(payload.position.accuracy_m)
    .bind(record.received_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A proposed client location awaiting a decision.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub(crate) struct Correction {
    /// Id.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// The client.
    pub client_id: ClientId,
    /// Its name.
    #[sqlx(skip)]
    pub client_name: String,
    /// Who proposed it.
    pub proposed_by: String,
    /// The proposed position.
    pub latitude: f64,
    /// See `latitude`.
    pub longitude: f64,
    /// Accuracy of the fix it was measured with.
    pub accuracy_m: f64,
    /// Metres from the stored location, when there is one.
    #[sqlx(skip)]
    pub moves_m: Option<f64>,
    /// When it arrived.
    #[sqlx(try_from = "UnixMs")]
    pub proposed_at: chrono::DateTime<chrono::Utc>,
}

/// Pending corrections of clients the scope may see (managers and admins).
pub(crate) async fn pending_corrections(db: &Db, scope: &Scope) -> AppResult<Vec<Correction>> {
    if scope.role() == outfield_core::people::domain::Role::FieldEmployee {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.tenant_read(scope).await?;
    let proposed: Vec<Correction> = sqlx::query_as(
        "SELECT k.id, k.client_id, p.name AS proposed_by, k.latitude, k.longitude, k.accuracy_m, k.proposed_at \
         FROM location_corrections k JOIN people p ON p.company_id = k.company_id AND p.id = k.proposed_by \
         WHERE k.company_id = $1 AND k.decided_at IS NULL ORDER BY k.proposed_at",
    )
    .bind(scope.company_id())
    .fetch_all(&mut *tx)
    .await?;
    let mut list = Vec::new();
    for mut correction in proposed {
        let Some(client) =
            outfield_clients::store::find(&mut tx, scope, correction.client_id).await?
        else {
            continue;
        };
        let point = GeoPoint {
            latitude: correction.latitude,
            longitude: correction.longitude,
        };
        correction.client_name = client.name;
        correction.moves_m = client.location.map(|l| l.distance_m(&point));
        list.push(correction);
    }
    tx.commit().await?;
    Ok(list)
}

/// Approves (the client moves to the proposed position) or rejects a correction.
pub(crate) async fn decide_correction(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    approve: bool,
) -> AppResult<()> {
    let pending = pending_corrections(db, scope).await?;
    let Some(correction) = pending.into_iter().find(|c| c.id == id) else {
        return Err(AppError::NotFound);
    };
    let mut tx = db.tenant(scope).await?;
    let now = outfield_core::clock::now_ms();
    let decided = sqlx::query(
        "UPDATE location_corrections SET decision = $3, decided_by = $4, decided_at = $5 \
         WHERE company_id = $1 AND id = $2 AND decided_at IS NULL",
    )
    .bind(scope.company_id())
    .bind(id.to_string())
    .bind(if approve { "approved" } else { "rejected" })
    .bind(scope.person_id())
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if decided == 0 {
        return Err(AppError::NotFound);
    }
    if approve {
        sqlx::query("UPDATE clients SET latitude = $3, longitude = $4, updated_at = $5 WHERE company_id = $1 AND id = $2")
            .bind(scope.company_id())
            .bind(correction.client_id)
            .bind(correction.latitude)
            .bind(correction.longitude)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    let action = if approve {
        crate::actions::CLIENT_LOCATION_CORRECTED
    } else {
        crate::actions::CLIENT_LOCATION_CORRECTION_REJECTED
    };
    let event = AuditEvent::new(action, correction.client_id).with(json!({
        "correction_id": id, "latitude": correction.latitude, "longitude": correction.longitude
    }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Where the check-in of a visit was made.
pub(crate) async fn check_in_position(
    tx: &mut Tx,
    company_id: CompanyId,
    visit_id: VisitId,
) -> sqlx::Result<Option<(f64, f64)>> {
    let row: Option<(Option<f64>, Option<f64>)> = sqlx::query_as(
        "SELECT in_latitude, in_longitude FROM visits WHERE company_id = $1 AND id = $2",
    )
    .bind(company_id)
    .bind(visit_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.and_then(|(lat, lon)| lat.zip(lon)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(metres_north: f64, accuracy_m: f64) -> Reading {
        Reading::new(18.5204 + metres_north / 111_195.0, 73.8567, accuracy_m).unwrap()
    }

    #[test]
    fn verdicts_weigh_distance_against_radius_and_accuracy() {
        let client = Some(GeoPoint::new(18.5204, 73.8567).unwrap());
        assert_eq!(
            verdict(client, Some(at(100.0, 20.0)), 150.0).0,
            Verdict::Verified
        );
        assert_eq!(
            verdict(client, Some(at(400.0, 20.0)), 150.0).0,
            Verdict::OutOfRange
        );
        assert_eq!(
            verdict(client, Some(at(160.0, 30.0)), 150.0).0,
            Verdict::Unverified
        );
        assert_eq!(
            verdict(client, Some(at(10.0, 400.0)), 150.0).0,
            Verdict::Unverified
        );
        assert_eq!(verdict(client, None, 150.0), (Verdict::Unverified, None));
        assert_eq!(
            verdict(None, Some(at(0.0, 5.0)), 150.0),
            (Verdict::Unverified, None)
        );
    }
}
