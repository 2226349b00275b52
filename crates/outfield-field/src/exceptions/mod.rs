//! Exceptions: what needs a manager now. Each is an event of a person's day, recorded once at the moment
//! it began — by the day's summary for what the trail and the check-ins show, by the clock sweep for what
//! only the absence of news shows (a day not started, tracking silent now). The overview lists today's;
//! the stored rows are what alerts deliver.

use outfield_core::auth::Scope;
use outfield_core::clock::{instant_of, local_day, zone, MINUTE_MS};
use outfield_core::db::{Db, Tx};
use outfield_core::error::AppResult;
use outfield_core::ids::{CompanyId, PersonId};
use outfield_core::people::domain::Language;
use outfield_core::people::store::{bind_scope, VISIBLE_CTE};
use sqlx::Row;
use uuid::Uuid;

use crate::tracking::summary::Computed;
use crate::tracking::trail::Flag;

/// A battery below this share is an exception.
const LOW_BATTERY: f64 = 0.15;

/// What kind of exception, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A working day not started by the start time plus the grace minutes.
    NotStarted,
    /// A check-in farther from its client than the company's radius.
    OutOfRangeCheckIn,
    /// A check-in that could not be verified.
    UnverifiedCheckIn,
    /// No position for longer than the company allows, on duty.
    TrackingSilent,
    /// In one place away from any client for longer than the company allows, on duty.
    NoMovement,
    /// Location permission withdrawn on duty.
    LocationWithdrawn,
    /// The phone reported a mock location, or the trail shows an impossible speed or a jump.
    Tamper,
    /// The phone's battery ran low on duty.
    BatteryLow,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::NotStarted,
        Kind::OutOfRangeCheckIn,
        Kind::UnverifiedCheckIn,
        Kind::TrackingSilent,
        Kind::NoMovement,
        Kind::LocationWithdrawn,
        Kind::Tamper,
        Kind::BatteryLow,
    ];

    /// The stored name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::NotStarted => "not_started",
            Kind::OutOfRangeCheckIn => "out_of_range_check_in",
            Kind::UnverifiedCheckIn => "unverified_check_in",
            Kind::TrackingSilent => "tracking_silent",
            Kind::NoMovement => "no_movement",
            Kind::LocationWithdrawn => "location_withdrawn",
            Kind::Tamper => "tamper",
            Kind::BatteryLow => "battery_low",
        }
    }

    fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// One exception as the overview lists it.
#[derive(Debug, Clone)]
pub(crate) struct Exception {
    /// Whose day.
    pub person_id: PersonId,
    /// Their name.
    pub person_name: String,
    /// The local date of the day.
    pub day: String,
    /// What happened.
    pub kind: Kind,
    /// When it began (Unix ms; the phone's clock where the phone reported it).
    pub at: i64,
    /// Metres from the client, minutes silent or still, battery percent; by kind.
    pub amount: Option<i64>,
    /// The client of a check-in, or the flag behind a tamper exception.
    pub subject: Option<String>,
}

impl Exception {
    /// What happened, in words, with the moment by the clock of the company's time `zone`.
    pub(crate) fn describe(&self, lang: Language, zone: &str) -> String {
        let clock = self.clock(zone);
        let amount = self.amount.unwrap_or_default();
        let subject = self.subject.as_deref().unwrap_or_default();
        let what = match self.kind {
            Kind::NotStarted => lang.tr("Day not started by the start time").to_string(),
            Kind::OutOfRangeCheckIn => lang.tr2(
                "Checked in {1} from {2}",
                crate::visits::distance_words(lang, amount as f64),
                subject,
            ),
            Kind::UnverifiedCheckIn => lang.tr2(
                "Check-in at {1} not verified: position ±{2} m",
                subject,
                amount,
            ),
            Kind::TrackingSilent => lang.tr1("No position for {} min on duty", amount),
            Kind::NoMovement => lang.tr1("In one place for {} min, away from any client", amount),
            Kind::LocationWithdrawn => lang.tr("Location permission withdrawn on duty").to_string(),
            Kind::Tamper => lang.tr1(
                "Tamper sign: {}",
                lang.tr(Flag::parse(subject).map_or(subject, |flag| flag.label())),
            ),
            Kind::BatteryLow => lang.tr1("Battery at {}%", amount),
        };
        format!("{clock} {what}")
    }

    /// The person's day at the moment of the exception (the timeline entry of that minute, if any).
    pub(crate) fn href(&self, zone: &str) -> String {
        format!(
            "/console/people/{}/day?day={}#at-{}",
            self.person_id,
            self.day,
            self.clock(zone).replace(':', "")
        )
    }

    fn clock(&self, zone: &str) -> String {
        outfield_core::console::local_clock(&outfield_core::clock::to_datetime(self.at), zone)
    }
}

/// An exception about to be recorded.
struct New<'a> {
    kind: Kind,
    at: i64,
    amount: Option<i64>,
    subject: Option<&'a str>,
}

/// Records `found` for a person's day. One already recorded (same kind, same moment) is the same
/// exception: only a larger amount is kept (a silence seen by the sweep while it lasted, then whole
/// once the trail resumed). Returns how many rows were new or changed.
async fn record(
    tx: &mut Tx,
    (company_id, person_id, day): (CompanyId, PersonId, &str),
    found: &[New<'_>],
    now: i64,
) -> sqlx::Result<u64> {
    let mut changed = 0;
    for new in found {
        changed += sqlx::query(
            "INSERT INTO exceptions (company_id, id, person_id, day, kind, at, amount, subject, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (company_id, person_id, day, kind, at) DO UPDATE SET amount = excluded.amount \
             WHERE excluded.amount > exceptions.amount",
        )
        .bind(company_id)
        .bind(Uuid::new_v4().to_string())
        .bind(person_id)
        .bind(day)
        .bind(new.kind.as_str())
        .bind(new.at)
        .bind(new.amount)
        .bind(new.subject)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(changed)
}

/// A check-in judged out of range or unverified.
#[derive(sqlx::FromRow)]
struct JudgedCheckIn {
    in_device_time: i64,
    checked_out_device_time: Option<i64>,
    in_verdict: String,
    in_distance_m: Option<f64>,
    in_accuracy_m: Option<f64>,
    client_name: String,
}

/// Records the exceptions a computed day shows: far or unverified check-ins, silences and stays still
/// longer than the company allows, tamper signs and a low battery. Called where the summary is stored,
/// so every recomputation of the day (a late batch included) finds what is new.
pub(crate) async fn record_day(
    tx: &mut Tx,
    (company_id, person_id, day): (CompanyId, PersonId, &str),
    computed: &Computed,
    now: i64,
) -> sqlx::Result<()> {
    let rules = crate::settings::load(tx, company_id).await?;
    let (silence_minutes, still_minutes) = (rules.silence_alert_minutes, rules.still_alert_minutes);
    let visits: Vec<JudgedCheckIn> = sqlx::query_as(
        "SELECT v.in_device_time, v.out_device_time AS checked_out_device_time, v.in_verdict, \
         v.in_distance_m, v.in_accuracy_m, c.name AS client_name \
         FROM visits v JOIN clients c ON c.company_id = v.company_id AND c.id = v.client_id \
         WHERE v.company_id = $1 AND v.person_id = $2 AND v.day = $3",
    )
    .bind(company_id)
    .bind(person_id)
    .bind(day)
    .fetch_all(&mut **tx)
    .await?;
    let mut found: Vec<New> = visits
        .iter()
        .filter_map(|visit| {
            let (kind, amount) = match visit.in_verdict.as_str() {
                "out_of_range" => (Kind::OutOfRangeCheckIn, visit.in_distance_m),
                "unverified" => (Kind::UnverifiedCheckIn, visit.in_accuracy_m),
                _ => return None,
            };
            Some(New {
                kind,
                at: visit.in_device_time,
                amount: amount.map(|metres| metres.round() as i64),
                subject: Some(&visit.client_name),
            })
        })
        .collect();
    found.extend(silences(computed, silence_minutes * MINUTE_MS));
    let trail = &computed.trail;
    let at_a_client = |from: i64, until: i64| {
        visits.iter().any(|visit| {
            visit.in_device_time < until && visit.checked_out_device_time.unwrap_or(i64::MAX) > from
        })
    };
    found.extend(
        trail
            .stops
            .iter()
            .filter(|stop| {
                stop.until - stop.from >= still_minutes * MINUTE_MS
                    && !at_a_client(stop.from, stop.until)
            })
            .map(|stop| New {
                kind: Kind::NoMovement,
                at: stop.from,
                amount: Some((stop.until - stop.from) / MINUTE_MS),
                subject: None,
            }),
    );
    found.extend(tamper(computed));
    if let Some(low) = computed
        .fixes
        .iter()
        .find(|fix| fix.battery.is_some_and(|level| level < LOW_BATTERY))
    {
        found.push(New {
            kind: Kind::BatteryLow,
            at: low.device_time,
            amount: low.battery.map(|level| (level * 100.0).round() as i64),
            subject: None,
        });
    }
    record(tx, (company_id, person_id, day), &found, now).await?;
    Ok(())
}

/// Silences of at least `longest_ms` between the start of the day and its first fix and between one fix
/// and the next, whether the person moved or not (a trail gap counts only a silence that moved).
fn silences(computed: &Computed, longest_ms: i64) -> Vec<New<'static>> {
    let times = std::iter::once(computed.duty.start_device_time)
        .chain(computed.fixes.iter().map(|fix| fix.device_time))
        .collect::<Vec<_>>();
    times
        .windows(2)
        .filter(|pair| pair[1] - pair[0] >= longest_ms)
        .map(|pair| New {
            kind: Kind::TrackingSilent,
            at: pair[0],
            amount: Some((pair[1] - pair[0]) / MINUTE_MS),
            subject: None,
        })
        .collect()
}

/// Tamper signs of a day, each once: a mock location at its first fix, the trail's other signs at the
/// start of the day (the trail does not keep their moment).
fn tamper(computed: &Computed) -> Vec<New<'static>> {
    computed
        .trail
        .flags
        .iter()
        .filter_map(|flag| {
            let at = match flag {
                Flag::MockLocation => computed
                    .fixes
                    .iter()
                    .find(|fix| fix.mocked)
                    .map_or(computed.duty.start_device_time, |fix| fix.device_time),
                Flag::ImpossibleSpeed | Flag::Jump | Flag::ClockSkew => {
                    computed.duty.start_device_time
                }
                Flag::Gap | Flag::OutOfRangeCheckIn | Flag::UnverifiedCheckIn => return None,
            };
            Some(New {
                kind: Kind::Tamper,
                at,
                amount: None,
                subject: Some(flag.as_str()),
            })
        })
        .collect()
}

/// A company's day as the clock sweep needs it.
#[derive(sqlx::FromRow)]
struct CompanyClock {
    id: CompanyId,
    time_zone: String,
    work_days: String,
    work_start_minute: i64,
    late_after_minutes: i64,
    silence_alert_minutes: i64,
}

/// Records what only the clock shows, for every company: working days not started by the start time plus
/// the grace minutes, days on duty whose tracking has been silent longer than allowed (or whose location
/// permission was withdrawn). Safe to repeat and to run on several instances: a recorded exception is
/// never recorded twice. Returns how many were new or grew.
pub async fn sweep(db: &Db, now: i64) -> sqlx::Result<u64> {
    let mut tx = db.system().await?;
    let companies: Vec<CompanyClock> = sqlx::query_as(
        "SELECT id, time_zone, work_days, work_start_minute, late_after_minutes, silence_alert_minutes \
         FROM companies",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut changed = 0;
    for company in &companies {
        changed += not_started(&mut tx, company, now).await?;
        changed += silent(&mut tx, company, now).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Field employees with a working day today, no start and no leave, once the grace minutes are over.
async fn not_started(tx: &mut Tx, company: &CompanyClock, now: i64) -> sqlx::Result<u64> {
    use chrono::Datelike;
    let zone = zone(&company.time_zone);
    let today = local_day(now, zone);
    let weekday = today.weekday().number_from_monday().to_string();
    if !company.work_days.split(',').any(|day| day == weekday) {
        return Ok(0);
    }
    let due = instant_of(
        today,
        company.work_start_minute + company.late_after_minutes,
        zone,
    );
    if now < due {
        return Ok(0);
    }
    let day = today.to_string();
    let missing: Vec<PersonId> = sqlx::query_scalar(
        "SELECT p.id FROM people p WHERE p.company_id = $1 AND p.role = 'field_employee' \
         AND p.deactivated_at IS NULL AND p.created_at < $3 \
         AND NOT EXISTS (SELECT 1 FROM duty_days d WHERE d.company_id = p.company_id AND d.person_id = p.id AND d.day = $2) \
         AND NOT EXISTS (SELECT 1 FROM leaves l WHERE l.company_id = p.company_id AND l.person_id = p.id AND l.day = $2)",
    )
    .bind(company.id)
    .bind(&day)
    .bind(due)
    .fetch_all(&mut **tx)
    .await?;
    let mut changed = 0;
    for person in missing {
        let found = [New {
            kind: Kind::NotStarted,
            at: due,
            amount: None,
            subject: None,
        }];
        changed += record(tx, (company.id, person, &day), &found, now).await?;
    }
    Ok(changed)
}

/// Open days of today whose last news (a position stored, or the start) is older than the company allows;
/// a day whose location permission was withdrawn is recorded as that instead. Read from the fixes
/// themselves, not the day's summary, which may not be computed yet.
async fn silent(tx: &mut Tx, company: &CompanyClock, now: i64) -> sqlx::Result<u64> {
    let day = local_day(now, zone(&company.time_zone)).to_string();
    let rows = sqlx::query(
        "SELECT d.person_id, COALESCE((SELECT MAX(f.device_time) FROM fixes f WHERE f.company_id = d.company_id \
            AND f.person_id = d.person_id AND f.device_time >= d.start_device_time), d.start_device_time) AS last_news, \
         (SELECT c.state FROM consents c WHERE c.company_id = d.company_id AND c.person_id = d.person_id \
            AND c.permission = 'location' ORDER BY c.recorded_at DESC LIMIT 1) AS location, \
         (SELECT MAX(c.device_time) FROM consents c WHERE c.company_id = d.company_id \
            AND c.person_id = d.person_id AND c.permission = 'location' AND c.state = 'revoked') AS revoked_at \
         FROM duty_days d WHERE d.company_id = $1 AND d.day = $2 AND d.ended_at IS NULL",
    )
    .bind(company.id)
    .bind(&day)
    .fetch_all(&mut **tx)
    .await?;
    let mut changed = 0;
    for row in rows {
        let person: PersonId = row.try_get("person_id")?;
        let last_news: i64 = row.try_get("last_news")?;
        let location: Option<String> = row.try_get("location")?;
        let revoked_at: Option<i64> = row.try_get("revoked_at")?;
        let silent_for = now - last_news;
        let new = match (location.as_deref(), revoked_at) {
            (Some("revoked"), Some(revoked_at)) => New {
                kind: Kind::LocationWithdrawn,
                at: revoked_at.max(last_news),
                amount: None,
                subject: None,
            },
            _ if silent_for >= company.silence_alert_minutes * MINUTE_MS => New {
                kind: Kind::TrackingSilent,
                at: last_news,
                amount: Some(silent_for / MINUTE_MS),
                subject: None,
            },
            _ => continue,
        };
        changed += record(tx, (company.id, person, &day), &[new], now).await?;
    }
    Ok(changed)
}

/// An exception row as read for a page.
#[derive(sqlx::FromRow)]
struct Stored {
    person_id: PersonId,
    person_name: String,
    day: String,
    kind: String,
    at: i64,
    amount: Option<i64>,
    subject: Option<String>,
}

/// The exceptions of `day` among the people the scope sees, newest first.
pub(crate) async fn of_day(db: &Db, scope: &Scope, day: &str) -> AppResult<Vec<Exception>> {
    let mut tx = db.tenant_read(scope).await?;
    let sql = format!(
        "{VISIBLE_CTE} SELECT e.person_id, p.name AS person_name, e.day, e.kind, e.at, e.amount, e.subject \
         FROM exceptions e JOIN visible v ON v.id = e.person_id \
         JOIN people p ON p.company_id = e.company_id AND p.id = e.person_id \
         WHERE e.company_id = $1 AND e.day = $4 ORDER BY e.at DESC, p.name"
    );
    let rows: Vec<Stored> = bind_scope(sqlx::query(&sql), scope)
        .bind(day)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(sqlx::FromRow::from_row)
        .collect::<Result<_, _>>()?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Exception {
                kind: Kind::parse(&row.kind)?,
                person_id: row.person_id,
                person_name: row.person_name,
                day: row.day,
                at: row.at,
                amount: row.amount,
                subject: row.subject,
            })
        })
        .collect())
}

/// How many exceptions a person's days from `first` to `last` recorded (0 for a person the scope does
/// not see).
pub(crate) async fn count_between(
    db: &Db,
    scope: &Scope,
    person: PersonId,
    (first, last): (&str, &str),
) -> AppResult<i64> {
    let mut tx = db.tenant_read(scope).await?;
    let sql = format!(
        "{VISIBLE_CTE} SELECT COUNT(*) FROM exceptions e JOIN visible v ON v.id = e.person_id \
         WHERE e.company_id = $1 AND e.person_id = $4 AND e.day >= $5 AND e.day <= $6"
    );
    let count: i64 = bind_scope(sqlx::query(&sql), scope)
        .bind(person)
        .bind(first)
        .bind(last)
        .fetch_one(&mut *tx)
        .await
        .and_then(|row| sqlx::Row::try_get(&row, 0))?;
    tx.commit().await?;
    Ok(count)
}
