//! Console pages for visits: a person's plan for a day (adding clients for the day or every week, removing
//! them) and the client locations proposed from the field, for approval.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use outfield_core::ids::{ClientId, PersonId};
use uuid::Uuid;

use crate::attendance::console::settings_and_day;
use crate::settings;
use crate::visits::plans::{self, NewPlan, PlannedVisit};
use crate::visits::{self, Correction};
use outfield_clients::{Client, ClientFilter};
use outfield_core::console::{
    framed_error_page, ConsoleForm, ConsoleUser, FormErrors, Frame, Submission,
};
use outfield_core::error::AppError;
use outfield_core::http::extract::ApiPath;
use outfield_core::people::domain::{Language, Role};
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/people/{id}/plan",
            get(plan_page).post(add_to_plan),
        )
        .route("/console/people/{id}/plan/order", post(reorder_plan))
        .route("/console/visit-plans/{id}/remove", post(remove_from_plan))
        .route("/console/location-corrections", get(corrections_page))
        .route("/console/location-corrections/{id}", post(decide))
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    frame: Frame,
    person_id: PersonId,
    person_name: String,
    day: String,
    date: String,
    weekday: &'static str,
    plan: Vec<PlannedVisit>,
    q: String,
    candidates: Vec<Client>,
    may_have_more: bool,
    errors: FormErrors,
}

/// Clients offered for the plan at once: the person's own, or the best matches of a search over every
/// client the planner sees.
const CANDIDATES: i64 = 30;

/// What the plan page is asked for: a day and a search for clients to add.
#[derive(serde::Deserialize)]
struct PlanQuery {
    day: Option<String>,
    q: Option<String>,
}

async fn plan_view(
    state: &AppState,
    user: &outfield_core::auth::Principal,
    (id, day): (PersonId, chrono::NaiveDate),
    q: &str,
    errors: FormErrors,
) -> Response {
    let person = match outfield_core::people::get(&state.db, &user.scope, id).await {
        Ok(person) => person,
        Err(error) => return framed_error_page(user, &error),
    };
    let plan = match plans::for_day(&state.db, &user.scope, id, day).await {
        Ok(plan) => plan,
        Err(error) => return framed_error_page(user, &error),
    };
    let q = q.trim();
    let filter = ClientFilter {
        q: (!q.is_empty()).then(|| q.to_string()),
        owner_id: q.is_empty().then_some(id),
        limit: Some(CANDIDATES),
        ..ClientFilter::default()
    };
    let candidates = match outfield_clients::list(&state.db, &user.scope, &filter).await {
        Ok(clients) => clients,
        Err(error) => return framed_error_page(user, &error),
    };
    use chrono::Datelike;
    let lang = user.language;
    let page = PlanPage {
        frame: Frame::labelled(
            &state.db,
            user,
            lang.tr2("Visit plan of {1} — {2}", &person.name, lang.date(day)),
            "people",
        )
        .await,
        person_id: id,
        person_name: person.name,
        day: day.to_string(),
        date: lang.date(day),
        weekday: lang.weekday(day.weekday().number_from_monday()),
        plan,
        q: q.to_string(),
        may_have_more: candidates.len() as i64 >= CANDIDATES,
        candidates,
        errors,
    };
    let status = page.errors.status();
    (status, outfield_core::console::render(&page)).into_response()
}

async fn plan_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<PersonId>,
    Query(query): Query<PlanQuery>,
) -> Response {
    let q = query.q.unwrap_or_default();
    match settings_and_day(&state, &user, query.day.as_deref()).await {
        Ok((_, day)) => plan_view(&state, &user, (id, day), &q, FormErrors::default()).await,
        Err(error) => framed_error_page(&user, &error),
    }
}

/// The plan's day a plan form names.
fn submitted_day(form: &ConsoleForm) -> Result<chrono::NaiveDate, AppError> {
    form.text("day")
        .parse()
        .map_err(|_| AppError::field("day", "is not a date"))
}

async fn add_to_plan(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PersonId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let day = match submitted_day(&form) {
        Ok(day) => day,
        Err(error) => return framed_error_page(&user, &error),
    };
    let client_ids: Vec<ClientId> = form
        .text("client_ids")
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    if client_ids.is_empty() {
        let errors = FormErrors::from_error(&AppError::field(
            "client_ids",
            "Choose at least one client to add",
        ));
        return plan_view(&state, &user, (id, day), form.text("q"), errors).await;
    }
    let weekly = form.text("repeat") == "weekly";
    use chrono::Datelike;
    let new = NewPlan {
        person_id: id,
        client_ids,
        day: (!weekly).then_some(day),
        weekday: weekly.then(|| day.weekday().number_from_monday()),
    };
    match plans::create(&state.db, &user.scope, &actor, new).await {
        Ok(_) => Redirect::to(&format!("/console/people/{id}/plan?day={day}")).into_response(),
        Err(error) => {
            let errors = FormErrors::from_error(&error);
            plan_view(&state, &user, (id, day), form.text("q"), errors).await
        }
    }
}

/// A new order of the day's plan: the whole order (`plan_ids`, as dragging leaves it) or one entry moved
/// a place (`move` = `<entry>:up` or `<entry>:down`, the buttons that work without a mouse).
async fn reorder_plan(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PersonId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let day = match submitted_day(&form) {
        Ok(day) => day,
        Err(error) => return framed_error_page(&user, &error),
    };
    let order = match form.text("move").split_once(':') {
        Some((entry, direction)) => {
            let plan = match plans::for_day(&state.db, &user.scope, id, day).await {
                Ok(plan) => plan,
                Err(error) => return framed_error_page(&user, &error),
            };
            let mut order: Vec<Uuid> = plan.iter().map(|p| p.plan_id).collect();
            let at = order.iter().position(|p| p.to_string() == entry);
            match (at, direction) {
                (Some(at), "up") if at > 0 => order.swap(at, at - 1),
                (Some(at), "down") if at + 1 < order.len() => order.swap(at, at + 1),
                _ => {}
            }
            order
        }
        None => form
            .text("plan_ids")
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect(),
    };
    match plans::reorder(&state.db, &user.scope, &actor, id, &order).await {
        Ok(()) => Redirect::to(&format!("/console/people/{id}/plan?day={day}")).into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

async fn remove_from_plan(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, form, actor }: Submission,
) -> Response {
    match plans::remove(&state.db, &user.scope, &actor, id).await {
        Ok(()) => Redirect::to(&format!(
            "/console/people/{}/plan?day={}",
            form.text("person_id"),
            form.text("day")
        ))
        .into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

#[derive(Template)]
#[template(path = "corrections.html")]
struct CorrectionsPage {
    frame: Frame,
    corrections: Vec<Correction>,
    zone: String,
}

async fn corrections_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
) -> Response {
    if user.scope.role() == Role::FieldEmployee {
        return framed_error_page(&user, &AppError::Forbidden);
    }
    let (corrections, zone) = match (
        visits::pending_corrections(&state.db, &user.scope).await,
        settings::get(&state.db, &user.scope).await,
    ) {
        (Ok(list), Ok(settings)) => (list, settings.time_zone),
        (Err(error), _) | (_, Err(error)) => return framed_error_page(&user, &error),
    };
    outfield_core::console::render(&CorrectionsPage {
        frame: Frame::new(&user, "Client locations to check", "clients"),
        corrections,
        zone,
    })
}

async fn decide(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let approve = form.text("decision") == "approve";
    match visits::decide_correction(&state.db, &user.scope, &actor, id, approve).await {
        Ok(()) => Redirect::to("/console/location-corrections").into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

impl Correction {
    /// When it arrived, in the company's zone.
    pub(crate) fn proposed_at_text(&self, zone: &str, lang: Language) -> String {
        outfield_core::console::local_time(self.proposed_at, zone, lang)
    }
}
