//! The daily activity report per team: for each person over a range of days — days on duty, time on
//! duty, distance, visits planned and done, the share of verified check-ins, and days with flags — and
//! how the beat went: planned clients visited, visits off the plan, productive visits by outcome, and days
//! whose planned visits followed the plan's order. Read from daily summaries, duty days, plans and visits
//! with one grouped query each, so a month for 500 people stays a handful of index scans.

pub mod api;
mod beats;
pub mod console;
pub mod person;

use outfield_core::ids::PersonId;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

use crate::attendance::register::{field_people, DayRange};
use crate::settings;
use crate::tracking::round_km;
use outfield_core::auth::Scope;
use outfield_core::db::{Db, Tx};
use outfield_core::error::AppResult;
use outfield_core::export::Table;

/// One person's activity over the range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityRow {
    /// The person.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// Their employee code.
    pub employee_code: Option<String>,
    /// Days started.
    pub days_on_duty: i64,
    /// Minutes on duty, private pauses excluded.
    pub duty_minutes: i64,
    /// Kilometres travelled on duty.
    pub distance_km: f64,
    /// Client visits planned (dated entries plus weekly beats on their weekdays).
    pub visits_planned: i64,
    /// Visits made.
    pub visits_done: i64,
    /// Visits made at planned clients.
    pub planned_done: i64,
    /// Visits whose check-in was verified.
    pub verified: i64,
    /// Visits whose check-in was out of range.
    pub out_of_range: i64,
    /// Verified share of visits made, 0–1 (`null` without visits).
    pub verified_share: Option<f64>,
    /// Days with tamper or tracking-health flags.
    pub flagged_days: i64,
    /// Visits made at clients not on the plan.
    pub unplanned: i64,
    /// Visits whose outcome the company counts as productive (an order, a payment).
    pub productive: i64,
    /// Days with at least two planned visits.
    pub route_days: i64,
    /// Of those, days whose planned visits were made in the plan's order.
    pub route_followed_days: i64,
}

/// The longest range an activity report covers: ten years of day summaries, grouped by person.
pub(crate) const REPORT_MAX_DAYS: i64 = 3653;

/// Whether a report measures beats (the plan's order, productive outcomes): the overview's tiles do
/// not show them, and they are its costliest part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beats {
    /// Read the visits' order and outcomes against the plan (the report, a person's page).
    Measured,
    /// Leave the beat columns empty (the overview's tiles).
    Skipped,
}

/// The activity report of the people the scope sees.
pub async fn activity(
    db: &Db,
    scope: &Scope,
    range: &DayRange,
) -> AppResult<(NaiveDate, NaiveDate, Vec<ActivityRow>)> {
    activity_with(db, scope, range, Beats::Measured).await
}

/// The activity report, with or without its beat measures.
pub(crate) async fn activity_with(
    db: &Db,
    scope: &Scope,
    range: &DayRange,
    measure: Beats,
) -> AppResult<(NaiveDate, NaiveDate, Vec<ActivityRow>)> {
    let mut tx = db.tenant_read(scope).await?;
    let settings = settings::load(&mut tx, scope.company_id()).await?;
    let (from, to) = range.resolve_within(&settings, REPORT_MAX_DAYS)?;
    let people = field_people(&mut tx, scope).await?;
    let company = scope.company_id().to_string();
    let (first, last) = (from.to_string(), to.to_string());
    let bounds = [company.as_str(), first.as_str(), last.as_str()];
    let duty = grouped(
        &mut tx,
        "SELECT person_id, CAST(COUNT(*) AS DOUBLE PRECISION), CAST(SUM(duty_ms) AS DOUBLE PRECISION), CAST(SUM(distance_m) AS DOUBLE PRECISION), \
         CAST(SUM(CASE WHEN flags = '' THEN 0 ELSE 1 END) AS DOUBLE PRECISION) FROM day_summaries \
         WHERE company_id = $1 AND day >= $2 AND day <= $3 GROUP BY person_id",
        &bounds,
    )
    .await?;
    let visits = grouped(
        &mut tx,
        "SELECT person_id, CAST(COUNT(*) AS DOUBLE PRECISION), CAST(SUM(planned) AS DOUBLE PRECISION), \
         CAST(SUM(CASE WHEN in_verdict = 'verified' THEN 1 ELSE 0 END) AS DOUBLE PRECISION), \
         CAST(SUM(CASE WHEN in_verdict = 'out_of_range' THEN 1 ELSE 0 END) AS DOUBLE PRECISION) FROM visits \
         WHERE company_id = $1 AND day >= $2 AND day <= $3 GROUP BY person_id",
        &bounds,
    )
    .await?;
    let started = grouped(
        &mut tx,
        "SELECT person_id, CAST(COUNT(*) AS DOUBLE PRECISION), CAST(0 AS DOUBLE PRECISION), CAST(0 AS DOUBLE PRECISION), CAST(0 AS DOUBLE PRECISION) FROM duty_days \
         WHERE company_id = $1 AND day >= $2 AND day <= $3 \
         GROUP BY person_id",
        &bounds,
    )
    .await?;
    let planned = planned_counts(&mut tx, &company, from, to).await?;
    let beats = match measure {
        Beats::Measured => {
            beats::of_range(&mut tx, &company, (from, to), &settings.productive_outcomes).await?
        }
        Beats::Skipped => HashMap::new(),
    };
    tx.commit().await?;
    let rows = people
        .into_iter()
        .map(|(person_id, name, employee_code)| {
            let d = duty.get(&person_id).copied().unwrap_or_default();
            let v = visits.get(&person_id).copied().unwrap_or_default();
            let s = started.get(&person_id).copied().unwrap_or_default();
            let done = v[0] as i64;
            let beat = beats.get(&person_id).copied().unwrap_or_default();
            ActivityRow {
                person_id,
                name,
                employee_code,
                days_on_duty: s[0] as i64,
                duty_minutes: (d[1] / 60_000.0) as i64,
                distance_km: round_km(d[2]),
                visits_planned: planned.get(&person_id).copied().unwrap_or(0),
                visits_done: done,
                planned_done: v[1] as i64,
                verified: v[2] as i64,
                out_of_range: v[3] as i64,
                verified_share: (done > 0).then(|| v[2] / v[0]),
                flagged_days: d[3] as i64,
                unplanned: done - v[1] as i64,
                productive: beat.productive,
                route_days: beat.route_days,
                route_followed_days: beat.route_followed_days,
            }
        })
        .collect();
    Ok((from, to, rows))
}

/// Runs a query grouped by person whose four other columns are numbers.
async fn grouped(
    tx: &mut Tx,
    sql: &str,
    bounds: &[&str; 3],
) -> sqlx::Result<HashMap<PersonId, [f64; 4]>> {
    let rows = sqlx::query(sql)
        .bind(bounds[0])
        .bind(bounds[1])
        .bind(bounds[2])
        .fetch_all(&mut **tx)
        .await?;
    let number = |row: &sqlx::any::AnyRow, i: usize| -> sqlx::Result<f64> {
        Ok(row.try_get::<Option<f64>, _>(i)?.unwrap_or(0.0))
    };
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("person_id")?,
                [
                    number(row, 1)?,
                    number(row, 2)?,
                    number(row, 3)?,
                    number(row, 4)?,
                ],
            ))
        })
        .collect()
}

/// Planned visits per person: dated entries in the range plus weekly entries times their weekday's
/// occurrences in the range.
async fn planned_counts(
    tx: &mut Tx,
    company: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<HashMap<PersonId, i64>> {
    let mut per_weekday = [0i64; 8];
    for day in from.iter_days().take_while(|d| *d <= to) {
        per_weekday[day.weekday().number_from_monday() as usize] += 1;
    }
    let rows = sqlx::query(
        "SELECT person_id, weekday, COUNT(*) AS n FROM visit_plans WHERE company_id = $1 \
         AND (weekday IS NOT NULL OR (day >= $2 AND day <= $3)) GROUP BY person_id, weekday",
    )
    .bind(company)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut counts = HashMap::new();
    for row in rows {
        let weekday: Option<i64> = row.try_get("weekday")?;
        let n: i64 = row.try_get("n")?;
        let times = weekday.map_or(1, |w| per_weekday.get(w as usize).copied().unwrap_or(0));
        *counts.entry(row.try_get("person_id")?).or_insert(0) += n * times;
    }
    Ok(counts)
}

/// The team's totals, as one more row of the report.
pub(crate) fn totals(rows: &[ActivityRow]) -> ActivityRow {
    let sum = |f: fn(&ActivityRow) -> i64| rows.iter().map(f).sum::<i64>();
    let done = sum(|r| r.visits_done);
    let verified = sum(|r| r.verified);
    ActivityRow {
        // The team row names no one; pages show it apart from the people's rows.
        person_id: PersonId::from_uuid(uuid::Uuid::nil()),
        name: "Team total".into(),
        employee_code: None,
        days_on_duty: sum(|r| r.days_on_duty),
        duty_minutes: sum(|r| r.duty_minutes),
        distance_km: round_km(rows.iter().map(|r| r.distance_km * 1000.0).sum()),
        visits_planned: sum(|r| r.visits_planned),
        visits_done: done,
        planned_done: sum(|r| r.planned_done),
        verified,
        out_of_range: sum(|r| r.out_of_range),
        verified_share: (done > 0).then(|| verified as f64 / done as f64),
        flagged_days: sum(|r| r.flagged_days),
        unplanned: sum(|r| r.unplanned),
        productive: sum(|r| r.productive),
        route_days: sum(|r| r.route_days),
        route_followed_days: sum(|r| r.route_followed_days),
    }
}

impl ActivityRow {
    /// The verified share as a percentage for pages ("" without visits).
    pub(crate) fn verified_percent(&self) -> String {
        self.verified_share
            .map_or(String::new(), |s| format!("{:.0}%", s * 100.0))
    }

    /// Planned clients visited as a share of visits planned, 0–100 (`None` without a plan).
    pub(crate) fn beat_compliance(&self) -> Option<i64> {
        percent(self.planned_done, self.visits_planned)
    }

    /// Productive visits as a share of visits made, 0–100.
    pub(crate) fn productive_percent(&self) -> Option<i64> {
        percent(self.productive, self.visits_done)
    }

    /// Days in the plan's order as a share of days with a route, 0–100.
    pub(crate) fn route_percent(&self) -> Option<i64> {
        percent(self.route_followed_days, self.route_days)
    }
}

/// `part` of `whole` in whole percent, rounded half up; `None` of nothing.
fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 100 + whole / 2) / whole)
}

/// The report as a spreadsheet.
pub fn table(rows: &[ActivityRow]) -> Table {
    Table {
        headers: vec![
            "Name",
            "Employee code",
            "Days on duty",
            "Hours on duty",
            "Km",
            "Visits planned",
            "Visits done",
            "Planned visited",
            "Verified",
            "Out of range",
            "Verified %",
            "Flagged days",
            "Unplanned visits",
            "Productive visits",
            "Days with a route",
            "Days in the plan's order",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone().into(),
                    r.employee_code.clone().into(),
                    r.days_on_duty.into(),
                    ((r.duty_minutes as f64 / 6.0).round() / 10.0).into(),
                    r.distance_km.into(),
                    r.visits_planned.into(),
                    r.visits_done.into(),
                    r.planned_done.into(),
                    r.verified.into(),
                    r.out_of_range.into(),
                    r.verified_share
                        .map(|s| (s * 1000.0).round() / 10.0)
                        .map(Into::into)
                        .unwrap_or(outfield_core::export::Cell::Empty),
                    r.flagged_days.into(),
                    r.unplanned.into(),
                    r.productive.into(),
                    r.route_days.into(),
                    r.route_followed_days.into(),
                ]
            })
            .collect(),
    }
}
