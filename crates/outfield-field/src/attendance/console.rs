//! Console pages for attendance: the register of a day, leave marking, CSV/XLSX downloads, and the
//! company's field-activity settings.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, Timelike};
use outfield_core::ids::PersonId;

use crate::attendance::register::{self, DayRange, RegisterRow};
use crate::settings::{self, ActivitySettings, ActivitySettingsChanges};
use outfield_core::companies::labels;
use outfield_core::console::pager::Pager;
use outfield_core::console::{
    day_param, framed_error_page, local_clock, ConsoleUser, FormErrors, Frame, Submission,
};
use outfield_core::error::{AppError, FieldError};
use outfield_core::people::domain::{Language, Role};
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/attendance", get(register_page))
        .route("/console/attendance/leave", post(leave))
        .route(
            "/console/settings/field-activity",
            get(settings_page).post(save_settings),
        )
}

#[derive(Template)]
#[template(path = "field_settings.html")]
struct SettingsPage {
    frame: Frame,
    settings: ActivitySettings,
    /// The outcomes' Hindi wordings, one line per outcome.
    outcomes_hindi: String,
    errors: FormErrors,
    saved: bool,
}

impl SettingsPage {
    /// The ISO weekdays with their names in the page's language.
    fn weekdays(&self) -> Vec<(u32, &'static str)> {
        (1..=7).map(|n| (n, self.frame.lang.weekday(n))).collect()
    }

    fn clock(minute: i64) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    fn start(&self) -> String {
        Self::clock(self.settings.work_start_minute)
    }

    fn end(&self) -> String {
        Self::clock(self.settings.work_end_minute)
    }

    fn auto_end(&self) -> String {
        self.settings
            .auto_end_minute
            .map(Self::clock)
            .unwrap_or_default()
    }
}

/// The settings page: the stored settings, with the Hindi wordings as typed when a save failed.
async fn settings_view(
    state: &AppState,
    user: &outfield_core::auth::Principal,
    errors: FormErrors,
    saved: bool,
    typed_hindi: Option<String>,
) -> Response {
    if let Err(error) = user.scope.require_admin() {
        return framed_error_page(user, &error);
    }
    match settings::get(&state.db, &user.scope).await {
        Ok(settings) => {
            let frame =
                Frame::labelled(&state.db, user, "Field activity settings", "settings").await;
            let outcomes_hindi = typed_hindi.unwrap_or_else(|| {
                frame
                    .labels
                    .lines(Language::Hindi, &settings.visit_outcomes)
            });
            let page = SettingsPage {
                frame,
                settings,
                outcomes_hindi,
                errors,
                saved,
            };
            (page.errors.status(), outfield_core::console::render(&page)).into_response()
        }
        Err(error) => framed_error_page(user, &error),
    }
}

async fn settings_page(State(state): State<AppState>, ConsoleUser(user): ConsoleUser) -> Response {
    settings_view(&state, &user, FormErrors::default(), false, None).await
}

/// Reads the settings form into changes; fields that cannot even be read become field errors.
fn changes_from(
    form: &outfield_core::console::ConsoleForm,
) -> Result<ActivitySettingsChanges, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut number = |name: &'static str| -> Option<i64> {
        match form.text(name).trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(name, "must be a whole number"));
                None
            }
        }
    };
    let late_after_minutes = number("late_after_minutes");
    let fix_interval_seconds = number("fix_interval_seconds");
    let visit_radius_m = number("visit_radius_m");
    let fix_retention_days = number("fix_retention_days");
    let silence_alert_minutes = number("silence_alert_minutes");
    let still_alert_minutes = number("still_alert_minutes");
    let mut minute = |name: &'static str| -> Option<i64> {
        let raw = form.text(name).trim();
        let parsed = chrono::NaiveTime::parse_from_str(raw, "%H:%M").ok();
        if parsed.is_none() {
            errors.push(FieldError::new(name, "must be a time such as 09:30"));
        }
        parsed.map(|t| i64::from(t.hour() * 60 + t.minute()))
    };
    let work_start_minute = minute("work_start_minute");
    let work_end_minute = minute("work_end_minute");
    let auto_end_minute = match form.text("auto_end_minute").trim() {
        "" => Some(None),
        _ => minute("auto_end_minute").map(Some),
    };
    let work_days = (1..=7)
        .filter(|n| form.0.contains_key(&format!("day_{n}")))
        .collect();
    let lines = |name: &str| -> Vec<String> {
        form.text(name)
            .lines()
            .map(str::to_string)
            .filter(|l| !l.trim().is_empty())
            .collect()
    };
    let visit_outcomes = lines("visit_outcomes");
    let productive_outcomes = lines("productive_outcomes");
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ActivitySettingsChanges {
        work_days: Some(work_days),
        work_start_minute,
        work_end_minute,
        late_after_minutes,
        auto_end_minute,
        fix_interval_seconds,
        visit_radius_m,
        fix_retention_days,
        silence_alert_minutes,
        still_alert_minutes,
        visit_outcomes: Some(visit_outcomes),
        productive_outcomes: Some(productive_outcomes),
        selfie_required: Some(form.0.contains_key("selfie_required")),
    })
}

async fn save_settings(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let hindi = form.text("visit_outcomes_hi").to_string();
    let saved = async {
        let changes = changes_from(&form).map_err(AppError::Validation)?;
        let outcomes = changes.visit_outcomes.clone().unwrap_or_default();
        let wordings = labels::typed("visit_outcomes_hi", &outcomes, &hindi)
            .map_err(|e| AppError::Validation(vec![e]))?;
        let saved = settings::update(&state.db, &user.scope, &actor, changes).await?;
        let outcomes = &saved.visit_outcomes;
        labels::save(
            &state.db,
            &user.scope,
            &actor,
            Language::Hindi,
            outcomes,
            &wordings,
        )
        .await
    };
    match saved.await {
        Ok(()) => settings_view(&state, &user, FormErrors::default(), true, None).await,
        Err(error) => {
            let errors = FormErrors::from_error(&error);
            settings_view(&state, &user, errors, false, Some(hindi)).await
        }
    }
}

/// The company's rules and the day a page asks for (`?day=YYYY-MM-DD`, today in the company's zone by
/// default): what every page about a day starts from.
pub(crate) async fn settings_and_day(
    state: &AppState,
    user: &outfield_core::auth::Principal,
    raw: Option<&str>,
) -> Result<(ActivitySettings, chrono::NaiveDate), outfield_core::error::AppError> {
    let settings = settings::get(&state.db, &user.scope).await?;
    let day = day_param(raw, settings.today())?;
    Ok((settings, day))
}

#[derive(Template)]
#[template(path = "attendance.html")]
struct RegisterPage {
    frame: Frame,
    day: String,
    previous: String,
    next: String,
    month_start: String,
    month_end: String,
    date: String,
    rows: Vec<RegisterRow>,
    pager: Pager,
    pager_query: String,
    zone: String,
    marks_leave: bool,
    /// The status listed, "" for all.
    status: String,
    /// The day's month, `YYYY-MM`, for the month's grid.
    month: String,
}

impl RegisterPage {
    /// The statuses the register can be narrowed to, with their words.
    fn statuses(&self) -> Vec<(&'static str, &'static str)> {
        register::AttendanceStatus::ALL
            .iter()
            .map(|status| (status.as_str(), self.frame.tr(status.label())))
            .collect()
    }
}

/// The register's day, page and the one status to list (the overview's tiles link to them).
#[derive(serde::Deserialize)]
struct RegisterQuery {
    day: Option<String>,
    page: Option<usize>,
    status: Option<String>,
}

async fn register_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<RegisterQuery>,
) -> Response {
    let (settings, day) = match settings_and_day(&state, &user, query.day.as_deref()).await {
        Ok(found) => found,
        Err(error) => return framed_error_page(&user, &error),
    };
    let range = DayRange {
        from: Some(day),
        to: Some(day),
    };
    let mut rows = match register::register(&state.db, &user.scope, &range).await {
        Ok(rows) => rows,
        Err(error) => return framed_error_page(&user, &error),
    };
    let status = query.status.unwrap_or_default();
    if !status.is_empty() {
        rows.retain(|row| row.status.as_str() == status);
    }
    let pager = Pager::new(query.page, rows.len());
    let month_start = day.with_day(1).unwrap_or(day);
    let month_end = month_start
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day);
    let page = RegisterPage {
        frame: Frame::new(&user, "Attendance", "attendance"),
        day: day.to_string(),
        date: user.language.date(day),
        previous: day.pred_opt().unwrap_or(day).to_string(),
        next: day.succ_opt().unwrap_or(day).to_string(),
        month_start: month_start.to_string(),
        month: day.format("%Y-%m").to_string(),
        month_end: month_end.to_string(),
        pager,
        pager_query: format!("day={day}&status={status}&"),
        status,
        rows: pager.take(rows),
        zone: settings.time_zone,
        marks_leave: user.scope.role() != Role::FieldEmployee,
    };
    outfield_core::console::render(&page)
}

async fn leave(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let Ok(person_id) = form.text("person_id").parse::<PersonId>() else {
        return framed_error_page(&user, &outfield_core::error::AppError::NotFound);
    };
    let day = match form.text("day").parse::<chrono::NaiveDate>() {
        Ok(day) => day,
        Err(_) => {
            return framed_error_page(
                &user,
                &outfield_core::error::AppError::field("day", "is not a date"),
            )
        }
    };
    let note = match form.text("action") {
        "clear" => None,
        _ => match outfield_core::text::clean_line(form.text("note"), 200) {
            Ok(note) => Some(note),
            Err(message) => {
                return framed_error_page(
                    &user,
                    &outfield_core::error::AppError::field(
                        "note",
                        format!("The leave note {message}"),
                    ),
                )
            }
        },
    };
    match register::set_leave(
        &state.db,
        &user.scope,
        &actor,
        person_id,
        day,
        note.as_deref(),
    )
    .await
    {
        Ok(()) => Redirect::to(&format!("/console/attendance?day={day}")).into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

/// Times of a register row for the page.
impl RegisterRow {
    /// Start as local clock time, with the phone's time when it was started offline.
    pub(crate) fn start_text(&self, zone: &str, lang: &Language) -> String {
        let Some(at) = self.started_at else {
            return String::new();
        };
        let mut text = local_clock(&at, zone);
        if let Some(device) = self.start_device_time {
            if (at - device).num_minutes().abs() >= 5 {
                let phone = local_clock(&device, zone);
                text.push(' ');
                text.push_str(&lang.tr1("(phone: {}, sent later)", phone));
            }
        }
        text
    }

    /// End as local clock time, with how it ended when not by the employee.
    pub(crate) fn end_text(&self, zone: &str, lang: &Language) -> String {
        let Some(at) = self.ended_at else {
            return if self.started_at.is_some() {
                lang.tr("on duty").into()
            } else {
                String::new()
            };
        };
        let how = match self.end_reason.as_deref() {
            Some("automatic") => lang.tr(" (ended automatically)"),
            Some("not_ended") => lang.tr(" (not ended; closed next day)"),
            _ => "",
        };
        format!("{}{how}", local_clock(&at, zone))
    }
}
