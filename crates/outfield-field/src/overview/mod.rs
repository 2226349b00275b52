//! The overview a manager opens every morning: what the team they see is doing today, what needs a look,
//! and the last 30 days as charts; for a company that has just begun, its first steps instead of zeros.

pub(crate) mod console;
pub(crate) mod periods;

use std::collections::BTreeMap;

use sqlx::Row;

use chrono::NaiveDate;
use outfield_core::auth::Scope;
use outfield_core::db::Db;
use outfield_core::error::AppResult;
use outfield_core::ids::PersonId;
use outfield_core::people::domain::Role;

use crate::attendance::register::{self, AttendanceStatus, DayRange};
use crate::reports;

/// Today at a glance, over the managers and field employees the scope sees.
#[derive(Debug, Default)]
pub(crate) struct Today {
    /// People counted.
    pub people: usize,
    /// Started the day and not ended it.
    pub on_duty: usize,
    /// Started and already ended the day.
    pub ended: usize,
    /// A working day not started yet.
    pub not_started: usize,
    /// Marked as on leave.
    pub on_leave: usize,
    /// Started later than the company's rule allows.
    pub late: usize,
    /// Visits planned for today.
    pub visits_planned: i64,
    /// Visits made today.
    pub visits_done: i64,
    /// Of those, verified at check-in.
    pub verified: i64,
    /// Kilometres travelled today.
    pub km: f64,
    /// People whose day has tamper or tracking-health flags.
    pub flagged: i64,
    /// Location corrections waiting for a decision (managers and admins).
    pub corrections: Option<usize>,
}

impl Today {
    /// The verified share of today's visits, as a percentage for the page.
    pub(crate) fn verified_percent(&self) -> Option<i64> {
        (self.visits_done > 0)
            .then(|| (self.verified * 100 + self.visits_done / 2) / self.visits_done)
    }
}

/// What today looks like for the scope.
pub(crate) async fn today(db: &Db, scope: &Scope) -> AppResult<Today> {
    let today = DayRange {
        from: None,
        to: None,
    };
    // A manager looks at the team: their own day is not one of the team's.
    let mut rows = register::register(db, scope, &today).await?;
    if scope.role() != Role::FieldEmployee {
        rows.retain(|row| row.person_id != scope.person_id());
    }
    let (_, _, activity) =
        reports::activity_with(db, scope, &today, reports::Beats::Skipped).await?;
    let totals = reports::totals(&activity);
    let count =
        |wanted: fn(&register::RegisterRow) -> bool| rows.iter().filter(|r| wanted(r)).count();
    let corrections = if scope.role() == Role::FieldEmployee {
        None
    } else {
        Some(crate::visits::pending_corrections(db, scope).await?.len())
    };
    Ok(Today {
        people: rows.len(),
        on_duty: count(|r| r.started_at.is_some() && r.ended_at.is_none()),
        ended: count(|r| r.ended_at.is_some()),
        not_started: count(|r| r.status == AttendanceStatus::NotStarted),
        on_leave: count(|r| r.status == AttendanceStatus::OnLeave),
        late: count(|r| r.status == AttendanceStatus::Late),
        visits_planned: totals.visits_planned,
        visits_done: totals.visits_done,
        verified: totals.verified,
        km: totals.distance_km,
        flagged: totals.flagged_days,
        corrections,
    })
}

/// One day of the trend: people on duty, visits (and verified ones), kilometres.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TrendDay {
    /// The local date.
    pub day: NaiveDate,
    /// People who started the day.
    pub on_duty: i64,
    /// Visits made.
    pub visits: i64,
    /// Of those, verified at check-in.
    pub verified: i64,
    /// Kilometres travelled.
    pub km: f64,
}

/// The people a trend counts: the managers and field employees the scope sees (or only one of them,
/// `$6`), as a second common table after the scope's `visible`.
const COUNTED_CTE: &str = ", counted(id) AS (SELECT p.id FROM people p JOIN visible v ON v.id = p.id \
     WHERE p.company_id = $1 AND p.deactivated_at IS NULL AND p.role IN ('manager', 'field_employee') \
     AND ($6 = '' OR p.id = $6)) ";

/// One grouped figure per day of the range over the counted people: `select` names the day and up to
/// two figures of `table` (aliased `t`).
async fn per_day(
    tx: &mut outfield_core::db::Tx,
    scope: &Scope,
    (first, last, person): (&str, &str, &str),
    (table, select): (&str, &str),
) -> sqlx::Result<Vec<(String, f64, f64)>> {
    let sql = format!(
        "{}{COUNTED_CTE} SELECT t.day, {select} FROM {table} t WHERE t.company_id = $1 \
         AND t.day >= $4 AND t.day <= $5 AND t.person_id IN (SELECT id FROM counted) GROUP BY t.day",
        outfield_core::people::store::VISIBLE_CTE
    );
    let rows = outfield_core::people::store::bind_scope(sqlx::query(&sql), scope)
        .bind(first)
        .bind(last)
        .bind(person)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect()
}

/// Each day from `first` to `last`, over the people the scope sees (or only `person`): three grouped
/// queries of at most one row per day, whatever the size of the team.
pub(crate) async fn trend(
    db: &Db,
    scope: &Scope,
    (first, last): (NaiveDate, NaiveDate),
    person: Option<PersonId>,
) -> AppResult<Vec<TrendDay>> {
    let mut by_day: BTreeMap<NaiveDate, TrendDay> = first
        .iter_days()
        .take_while(|day| *day <= last)
        .map(|day| {
            (
                day,
                TrendDay {
                    day,
                    ..TrendDay::default()
                },
            )
        })
        .collect();
    let (from, to) = (first.to_string(), last.to_string());
    let only = person.map(|id| id.to_string()).unwrap_or_default();
    let range = (from.as_str(), to.as_str(), only.as_str());
    let mut tx = db.tenant_read(scope).await?;
    let started = per_day(
        &mut tx,
        scope,
        range,
        (
            "duty_days",
            "CAST(COUNT(*) AS DOUBLE PRECISION), CAST(0 AS DOUBLE PRECISION)",
        ),
    )
    .await?;
    let visits = per_day(
        &mut tx,
        scope,
        range,
        (
            "visits",
            "CAST(COUNT(*) AS DOUBLE PRECISION), \
             CAST(SUM(CASE WHEN t.in_verdict = 'verified' THEN 1 ELSE 0 END) AS DOUBLE PRECISION)",
        ),
    )
    .await?;
    let travelled = per_day(
        &mut tx,
        scope,
        range,
        (
            "day_summaries",
            "CAST(SUM(t.distance_m) AS DOUBLE PRECISION), CAST(0 AS DOUBLE PRECISION)",
        ),
    )
    .await?;
    tx.commit().await?;
    for (day, count, _) in &started {
        if let Some(day) = day.parse().ok().and_then(|d: NaiveDate| by_day.get_mut(&d)) {
            day.on_duty = *count as i64;
        }
    }
    for (day, count, verified) in &visits {
        if let Some(day) = day.parse().ok().and_then(|d: NaiveDate| by_day.get_mut(&d)) {
            day.visits = *count as i64;
            day.verified = *verified as i64;
        }
    }
    for (day, metres, _) in &travelled {
        if let Some(day) = day.parse().ok().and_then(|d: NaiveDate| by_day.get_mut(&d)) {
            day.km = metres / 1000.0;
        }
    }
    Ok(by_day.into_values().collect())
}

/// A new company's first steps, each done or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FirstSteps {
    /// Someone besides the owner was invited.
    pub invited: bool,
    /// The company has clients.
    pub clients: bool,
    /// Someone has a visit plan.
    pub planned: bool,
    /// Someone signed in to the field app.
    pub app_installed: bool,
}

impl FirstSteps {
    fn all_done(&self) -> bool {
        self.invited && self.clients && self.planned && self.app_installed
    }
}

/// The first steps still open for an owner or admin, or `None` once the company is under way (or for
/// other roles, who cannot take them).
pub(crate) async fn first_steps(db: &Db, scope: &Scope) -> AppResult<Option<FirstSteps>> {
    if !scope.role().administers() {
        return Ok(None);
    }
    let mut tx = db.tenant_read(scope).await?;
    let exists = |table: &str, condition: &str| {
        format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE company_id = $1 {condition} LIMIT 1) AS found")
    };
    let mut found = Vec::new();
    for (table, condition) in [
        ("people", "AND role <> 'owner'"),
        ("clients", ""),
        ("visit_plans", ""),
        ("device_tokens", ""),
    ] {
        let count: i64 = sqlx::query_scalar(&exists(table, condition))
            .bind(scope.company_id())
            .fetch_one(&mut *tx)
            .await?;
        found.push(count > 0);
    }
    tx.commit().await?;
    let steps = FirstSteps {
        invited: found[0],
        clients: found[1],
        planned: found[2],
        app_installed: found[3],
    };
    Ok((!steps.all_done()).then_some(steps))
}
