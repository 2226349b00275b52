//! Attendance as a month grid: a row per person, a column per day, each cell the day's status, with the
//! month's counts at the end of the row. On a phone each person's row folds into a small calendar.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};

use outfield_core::console::{framed_error_page, ConsoleUser, Frame};
use outfield_core::error::AppError;
use outfield_core::ids::PersonId;
use outfield_core::state::AppState;

use crate::attendance::register::{self, AttendanceStatus, DayRange};

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/attendance/month", get(month_page))
}

/// The month asked for, `YYYY-MM` (this month by default).
#[derive(serde::Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

/// One day of a person's month.
struct Cell {
    /// Day of the month.
    day: u32,
    /// The local date, for the link to the person's day.
    date: String,
    status: AttendanceStatus,
    /// A day still to come: shown empty.
    future: bool,
}

/// One person's month.
struct PersonMonth {
    person_id: PersonId,
    name: String,
    cells: Vec<Cell>,
    present: usize,
    late: usize,
    absent: usize,
    on_leave: usize,
}

#[derive(Template)]
#[template(path = "attendance_month.html")]
struct MonthPage {
    frame: Frame,
    /// `YYYY-MM` of this, the previous and the next month.
    month: String,
    previous: String,
    next: String,
    /// The month in words, e.g. "Dec 2026".
    title: String,
    days: Vec<u32>,
    people: Vec<PersonMonth>,
}

impl MonthPage {
    /// The short mark of a status in the grid, and its words.
    fn mark(&self, status: AttendanceStatus) -> &str {
        self.frame.tr(match status {
            AttendanceStatus::Present => "P",
            AttendanceStatus::Late => "L",
            AttendanceStatus::Absent => "A",
            AttendanceStatus::OnLeave => "LV",
            AttendanceStatus::OffDay => "–",
            AttendanceStatus::NotStarted => "·",
        })
    }

    /// The statuses with their marks, for the key under the grid.
    fn key(&self) -> Vec<(AttendanceStatus, &str, &str)> {
        AttendanceStatus::ALL
            .iter()
            .map(|status| (*status, self.mark(*status), self.frame.tr(status.label())))
            .collect()
    }
}

/// The first day of the month `raw` names, or of `today`'s month.
fn first_of(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, AppError> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(today.with_day(1).unwrap_or(today)),
        Some(raw) => NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
            .map_err(|_| AppError::field("month", "must be a month such as 2026-12")),
    }
}

async fn month_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<MonthQuery>,
) -> Response {
    let today = match crate::settings::get(&state.db, &user.scope).await {
        Ok(settings) => settings.today(),
        Err(error) => return framed_error_page(&user, &error),
    };
    let first = match first_of(query.month.as_deref(), today) {
        Ok(first) => first,
        Err(error) => return framed_error_page(&user, &error),
    };
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let last = next.pred_opt().unwrap_or(first);
    let previous = first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first);
    let range = DayRange {
        from: Some(first),
        to: Some(last),
    };
    let rows = match register::register(&state.db, &user.scope, &range).await {
        Ok(rows) => rows,
        Err(error) => return framed_error_page(&user, &error),
    };
    let page = MonthPage {
        title: user.language.month_year(first),
        frame: Frame::new(&user, "Attendance by month", "attendance"),
        month: first.format("%Y-%m").to_string(),
        previous: previous.format("%Y-%m").to_string(),
        next: next.format("%Y-%m").to_string(),
        days: (1..=last.day()).collect(),
        people: by_person(rows, today),
    };
    outfield_core::console::render(&page)
}

/// The register's rows (day by day, people by name within a day) as one month per person.
fn by_person(rows: Vec<register::RegisterRow>, today: NaiveDate) -> Vec<PersonMonth> {
    let mut people: Vec<PersonMonth> = Vec::new();
    let mut index: std::collections::HashMap<PersonId, usize> = std::collections::HashMap::new();
    for row in rows {
        let date = row.day.parse::<NaiveDate>().unwrap_or(today);
        let at = *index.entry(row.person_id).or_insert_with(|| {
            people.push(PersonMonth {
                person_id: row.person_id,
                name: row.name.clone(),
                cells: Vec::new(),
                present: 0,
                late: 0,
                absent: 0,
                on_leave: 0,
            });
            people.len() - 1
        });
        let person = &mut people[at];
        match row.status {
            AttendanceStatus::Present => person.present += 1,
            AttendanceStatus::Late => person.late += 1,
            AttendanceStatus::Absent => person.absent += 1,
            AttendanceStatus::OnLeave => person.on_leave += 1,
            AttendanceStatus::OffDay | AttendanceStatus::NotStarted => {}
        }
        person.cells.push(Cell {
            day: date.day(),
            date: row.day,
            status: row.status,
            future: date > today,
        });
    }
    people
}
