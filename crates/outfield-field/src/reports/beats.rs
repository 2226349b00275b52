//! How a beat went, per person over a range: productive visits by outcome, and days whose planned visits
//! were made in the order of the plan (a manager drags the plan into the order of the route).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use outfield_core::db::Tx;
use outfield_core::ids::{ClientId, PersonId};
use sqlx::Row;

/// One person's beat figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Beat {
    /// Visits with a productive outcome.
    pub productive: i64,
    /// Days with at least two planned visits.
    pub route_days: i64,
    /// Of those, days visited in the plan's order.
    pub route_followed_days: i64,
}

/// The beat figures of everyone in `company` from `first` to `last`.
pub(crate) async fn of_range(
    tx: &mut Tx,
    company: &str,
    (first, last): (NaiveDate, NaiveDate),
    productive_outcomes: &[String],
) -> sqlx::Result<HashMap<PersonId, Beat>> {
    let mut beats: HashMap<PersonId, Beat> = HashMap::new();
    let outcomes = sqlx::query(
        "SELECT person_id, outcome, COUNT(*) AS n FROM visits WHERE company_id = $1 AND day >= $2 \
         AND day <= $3 AND outcome IS NOT NULL GROUP BY person_id, outcome",
    )
    .bind(company)
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&mut **tx)
    .await?;
    for row in outcomes {
        let outcome: String = row.try_get("outcome")?;
        if productive_outcomes.contains(&outcome) {
            let n: i64 = row.try_get("n")?;
            beats
                .entry(row.try_get("person_id")?)
                .or_default()
                .productive += n;
        }
    }
    let plans = plan_positions(tx, company, (first, last)).await?;
    let visits = sqlx::query(
        "SELECT person_id, day, client_id FROM visits WHERE company_id = $1 AND day >= $2 AND day <= $3 \
         AND planned = 1 ORDER BY person_id, day, in_device_time",
    )
    .bind(company)
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut days: Vec<((PersonId, String), Vec<ClientId>)> = Vec::new();
    for row in visits {
        let key: (PersonId, String) = (row.try_get("person_id")?, row.try_get("day")?);
        let client: ClientId = row.try_get("client_id")?;
        match days.last_mut() {
            Some((last, clients)) if *last == key => clients.push(client),
            _ => days.push((key, vec![client])),
        }
    }
    for ((person, day), clients) in days.into_iter().filter(|(_, c)| c.len() >= 2) {
        let Ok(date) = day.parse::<NaiveDate>() else {
            continue;
        };
        let position = |client: &ClientId| plans.position(person, date, *client);
        let in_order = clients
            .windows(2)
            .all(|pair| position(&pair[0]) <= position(&pair[1]));
        let beat = beats.entry(person).or_default();
        beat.route_days += 1;
        beat.route_followed_days += i64::from(in_order);
    }
    Ok(beats)
}

/// Where each client stands in each person's plans: weekly beats by weekday, dated entries by date.
#[derive(Default)]
struct PlanPositions {
    weekly: HashMap<(PersonId, u32, ClientId), i64>,
    dated: HashMap<(PersonId, NaiveDate, ClientId), i64>,
}

impl PlanPositions {
    /// The client's place in the person's plan of that day (a dated entry first); last when unplanned.
    fn position(&self, person: PersonId, day: NaiveDate, client: ClientId) -> i64 {
        self.dated
            .get(&(person, day, client))
            .or_else(|| {
                self.weekly
                    .get(&(person, day.weekday().number_from_monday(), client))
            })
            .copied()
            .unwrap_or(i64::MAX)
    }
}

async fn plan_positions(
    tx: &mut Tx,
    company: &str,
    (first, last): (NaiveDate, NaiveDate),
) -> sqlx::Result<PlanPositions> {
    let rows = sqlx::query(
        "SELECT person_id, client_id, weekday, day, position FROM visit_plans WHERE company_id = $1 \
         AND (weekday IS NOT NULL OR (day >= $2 AND day <= $3))",
    )
    .bind(company)
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(&mut **tx)
    .await?;
    let mut plans = PlanPositions::default();
    for row in rows {
        let person: PersonId = row.try_get("person_id")?;
        let client: ClientId = row.try_get("client_id")?;
        let position: i64 = row.try_get("position")?;
        let weekday: Option<i64> = row.try_get("weekday")?;
        let day: Option<String> = row.try_get("day")?;
        match (weekday, day.and_then(|d| d.parse::<NaiveDate>().ok())) {
            (Some(weekday), _) => {
                plans
                    .weekly
                    .insert((person, weekday as u32, client), position);
            }
            (None, Some(day)) => {
                plans.dated.insert((person, day, client), position);
            }
            (None, None) => {}
        }
    }
    Ok(plans)
}
