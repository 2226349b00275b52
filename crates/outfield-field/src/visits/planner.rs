//! The team's beat planner: a week of every person's beats on one page, people down the side and the
//! company's working days across. A planned client is dragged to another person or day; without a mouse,
//! each one's "Move" page does the same with two choices.

use std::collections::HashMap;

use crate::settings;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use outfield_core::auth::{Principal, Scope};
use outfield_core::console::{day_param, framed_error_page, ConsoleUser, Frame, Submission};
use outfield_core::db::Db;
use outfield_core::error::{AppError, AppResult};
use outfield_core::http::extract::ApiPath;
use outfield_core::ids::{ClientId, PersonId};
use outfield_core::people::domain::Language;
use outfield_core::state::AppState;
use sqlx::Row;
use uuid::Uuid;

use crate::attendance::register::field_people;
use crate::visits::plans::{self, Destination};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/beats", get(planner_page))
        .route("/console/beats/move", post(move_planned))
        .route("/console/beats/move/{id}", get(move_page))
}

/// A planned client in a day's cell.
#[derive(Debug, Clone)]
pub(crate) struct Chip {
    /// The plan entry.
    pub plan_id: Uuid,
    /// The client.
    pub client_id: ClientId,
    /// Its name.
    pub client_name: String,
    /// Whether it repeats every week.
    pub weekly: bool,
}

/// One person's week: a cell of chips per column, in the order of the route.
#[derive(Debug, Clone)]
pub(crate) struct PersonWeek {
    /// The person.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// One cell per column of the week.
    pub cells: Vec<Vec<Chip>>,
}

/// A week of beats: its working days and everyone's cells.
#[derive(Debug, Clone)]
pub(crate) struct Week {
    /// The working days shown, Monday first.
    pub days: Vec<NaiveDate>,
    /// The people the planner plans for, by name.
    pub people: Vec<PersonWeek>,
}

/// The week starting `monday` for the people the scope sees: dated entries on their dates, weekly ones
/// on their weekdays, each cell in the order of the route. One query for the plans of everyone.
pub(crate) async fn week(db: &Db, scope: &Scope, monday: NaiveDate) -> AppResult<Week> {
    let mut tx = db.tenant_read(scope).await?;
    let rules = settings::load(&mut tx, scope.company_id()).await?;
    let days: Vec<NaiveDate> = monday
        .iter_days()
        .take(7)
        .filter(|day| rules.is_working_day(*day))
        .collect();
    let people = field_people(&mut tx, scope).await?;
    let sunday = monday + chrono::Days::new(6);
    let rows = sqlx::query(
        "SELECT vp.id, vp.person_id, vp.client_id, vp.weekday, vp.day, c.name FROM visit_plans vp \
         JOIN clients c ON c.company_id = vp.company_id AND c.id = vp.client_id \
         WHERE vp.company_id = $1 AND (vp.weekday IS NOT NULL OR (vp.day >= $2 AND vp.day <= $3)) \
         ORDER BY vp.position, c.name, vp.id",
    )
    .bind(scope.company_id())
    .bind(monday.to_string())
    .bind(sunday.to_string())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let index: HashMap<PersonId, usize> = people
        .iter()
        .enumerate()
        .map(|(at, (id, _, _))| (*id, at))
        .collect();
    let mut weeks: Vec<PersonWeek> = people
        .into_iter()
        .map(|(person_id, name, _)| PersonWeek {
            person_id,
            name,
            cells: vec![Vec::new(); days.len()],
        })
        .collect();
    for row in rows {
        let Some(&at) = index.get(&row.try_get::<PersonId, _>("person_id")?) else {
            continue;
        };
        let weekday: Option<i64> = row.try_get("weekday")?;
        let day: Option<String> = row.try_get("day")?;
        let column = days.iter().position(|date| match weekday {
            Some(weekday) => i64::from(date.weekday().number_from_monday()) == weekday,
            None => day.as_deref() == Some(date.to_string().as_str()),
        });
        let Some(column) = column else { continue };
        let cell = &mut weeks[at].cells[column];
        let client_id: ClientId = row.try_get("client_id")?;
        if cell.iter().any(|chip| chip.client_id == client_id) {
            continue;
        }
        cell.push(Chip {
            plan_id: row.try_get::<String, _>("id")?.parse().unwrap_or_default(),
            client_id,
            client_name: row.try_get("name")?,
            weekly: weekday.is_some(),
        });
    }
    Ok(Week {
        days,
        people: weeks,
    })
}

/// The Monday of the week of `day`.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The week a page asks for (`?week=` any date in it; this week by default).
#[derive(serde::Deserialize)]
struct WeekQuery {
    week: Option<String>,
}

#[derive(Template)]
#[template(path = "beats.html")]
struct PlannerPage {
    frame: Frame,
    /// The Monday shown, and those of the weeks before and after.
    monday: String,
    /// The Monday in words.
    monday_words: String,
    previous: String,
    next: String,
    /// The columns: date and heading.
    columns: Vec<(String, String)>,
    people: Vec<PersonWeek>,
}

async fn planner_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<WeekQuery>,
) -> Response {
    match planner(&state, &user, query.week.as_deref()).await {
        Ok(page) => outfield_core::console::render(&page),
        Err(error) => framed_error_page(&user, &error),
    }
}

async fn asked_monday(
    state: &AppState,
    user: &Principal,
    raw: Option<&str>,
) -> AppResult<NaiveDate> {
    let today = settings::get(&state.db, &user.scope).await?.today();
    Ok(monday_of(day_param(raw, today)?))
}

async fn planner(state: &AppState, user: &Principal, raw: Option<&str>) -> AppResult<PlannerPage> {
    let monday = asked_monday(state, user, raw).await?;
    let week = week(&state.db, &user.scope, monday).await?;
    Ok(PlannerPage {
        frame: Frame::new(user, "Beat planner", "people"),
        monday: monday.to_string(),
        monday_words: user.language.day_month_year(monday),
        previous: (monday - chrono::Days::new(7)).to_string(),
        next: (monday + chrono::Days::new(7)).to_string(),
        columns: columns(&week.days, user.language),
        people: week.people,
    })
}

/// Each day's date and its heading ("Mon 7 Dec").
fn columns(days: &[NaiveDate], lang: Language) -> Vec<(String, String)> {
    days.iter()
        .map(|day| {
            let weekday = lang.weekday(day.weekday().number_from_monday());
            let short: String = weekday.chars().take(3).collect();
            (
                day.to_string(),
                format!("{short} {}", lang.short_date(*day)),
            )
        })
        .collect()
}

/// Moves a planned client to the person and day it was dropped on (or chosen on its "Move" page).
async fn move_planned(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let moved = async {
        let id: Uuid = form
            .text("plan_id")
            .parse()
            .map_err(|_| AppError::NotFound)?;
        let person_id: PersonId = form
            .text("person_id")
            .parse()
            .map_err(|_| AppError::field("person_id", "is not a person you plan for"))?;
        let day: NaiveDate = form
            .text("day")
            .parse()
            .map_err(|_| AppError::field("day", "is not a date"))?;
        let to = Destination { person_id, day };
        plans::move_entry(&state.db, &user.scope, &actor, id, to).await?;
        Ok::<_, AppError>(day)
    };
    match moved.await {
        Ok(day) => Redirect::to(&format!("/console/beats?week={}", monday_of(day))).into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

#[derive(Template)]
#[template(path = "beat_move.html")]
struct MovePage {
    frame: Frame,
    plan_id: Uuid,
    client_name: String,
    /// Who has it now, and when.
    person_id: PersonId,
    day: String,
    monday: String,
    people: Vec<(PersonId, String)>,
    columns: Vec<(String, String)>,
}

async fn move_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<Uuid>,
    Query(query): Query<WeekQuery>,
) -> Response {
    let page = async {
        let monday = asked_monday(&state, &user, query.week.as_deref()).await?;
        let week = week(&state.db, &user.scope, monday).await?;
        let found = week.people.iter().find_map(|person| {
            person.cells.iter().enumerate().find_map(|(column, cell)| {
                cell.iter()
                    .find(|chip| chip.plan_id == id)
                    .map(|chip| (person, column, chip))
            })
        });
        let (person, column, chip) = found.ok_or(AppError::NotFound)?;
        Ok::<_, AppError>(MovePage {
            frame: Frame::new(&user, "Move a planned visit", "people"),
            plan_id: id,
            client_name: chip.client_name.clone(),
            person_id: person.person_id,
            day: week.days[column].to_string(),
            monday: monday.to_string(),
            people: week
                .people
                .iter()
                .map(|p| (p.person_id, p.name.clone()))
                .collect(),
            columns: columns(&week.days, user.language),
        })
    };
    match page.await {
        Ok(page) => outfield_core::console::render(&page),
        Err(error) => framed_error_page(&user, &error),
    }
}
