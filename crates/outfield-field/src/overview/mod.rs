//! The overview a manager opens every morning: what the team they see is doing today, what needs a look,
//! and the last 30 days as charts; for a company that has just begun, its first steps instead of zeros.

pub(crate) mod console;
pub(crate) mod periods;

use std::collections::{BTreeMap, HashSet};

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
    let (_, _, activity) = reports::activity(db, scope, &today).await?;
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

/// A person's day in one of the trend's tables.
#[derive(sqlx::FromRow)]
struct PersonDayFigures {
    person_id: PersonId,
    day: String,
    visits: i64,
    verified: i64,
    distance_m: f64,
}

/// Each day from `first` to `last`, over the people the scope sees (or only `person`).
pub(crate) async fn trend(
    db: &Db,
    scope: &Scope,
    (first, last): (NaiveDate, NaiveDate),
    person: Option<PersonId>,
) -> AppResult<Vec<TrendDay>> {
    let mut tx = db.tenant_read(scope).await?;
    let visible: HashSet<PersonId> = register::field_people(&mut tx, scope)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .filter(|id| person.is_none_or(|only| only == *id))
        .collect();
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
    // One row per person and day that has a start, a summary or a visit.
    let rows: Vec<PersonDayFigures> = sqlx::query_as(
        "SELECT d.person_id, d.day, \
           (SELECT COUNT(*) FROM visits v WHERE v.company_id = d.company_id AND v.person_id = d.person_id \
              AND v.day = d.day) AS visits, \
           (SELECT COUNT(*) FROM visits v WHERE v.company_id = d.company_id AND v.person_id = d.person_id \
              AND v.day = d.day AND v.in_verdict = 'verified') AS verified, \
           COALESCE((SELECT s.distance_m FROM day_summaries s WHERE s.company_id = d.company_id \
              AND s.person_id = d.person_id AND s.day = d.day), 0.0) AS distance_m \
         FROM duty_days d WHERE d.company_id = $1 AND d.day >= $2 AND d.day <= $3",
    )
    .bind(scope.company_id())
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    for row in rows.iter().filter(|row| visible.contains(&row.person_id)) {
        let Some(day) = row
            .day
            .parse()
            .ok()
            .and_then(|day: NaiveDate| by_day.get_mut(&day))
        else {
            continue;
        };
        day.on_duty += 1;
        day.visits += row.visits;
        day.verified += row.verified;
        day.km += row.distance_m / 1000.0;
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
