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
use crate::tracking::console::DayQuery;
use crate::visits::plans::{self, NewPlan, PlannedVisit};
use crate::visits::{self, Correction};
use outfield_clients::{Client, ClientFilter};
use outfield_core::audit::Actor;
use outfield_core::auth::ClientInfo;
use outfield_core::companies::settings;
use outfield_core::console::{framed_error_page, ConsoleUser, FormErrors, Frame, Submission};
use outfield_core::error::AppError;
use outfield_core::http::extract::ApiPath;
use outfield_core::people::domain::Role;
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/people/{id}/plan",
            get(plan_page).post(add_to_plan),
        )
        .route("/console/visit-plans/{id}/remove", post(remove_from_plan))
        .route("/console/location-corrections", get(corrections_page))
        .route("/console/location-corrections/{id}", post(decide))
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    frame: Frame,
    person_id: PersonId,
    day: String,
    weekday: u32,
    plan: Vec<PlannedVisit>,
    clients: Vec<Client>,
    errors: FormErrors,
}

async fn plan_view(
    state: &AppState,
    user: &outfield_core::auth::Principal,
    id: PersonId,
    day: chrono::NaiveDate,
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
    let filter = ClientFilter {
        limit: Some(1000),
        ..ClientFilter::default()
    };
    let clients = match outfield_clients::list(&state.db, &user.scope, &filter).await {
        Ok(clients) => clients,
        Err(error) => return framed_error_page(user, &error),
    };
    use chrono::Datelike;
    let page = PlanPage {
        frame: Frame::new(
            user,
            format!(
                "Visit plan of {} — {}",
                person.name,
                day.format("%a %d %b %Y")
            ),
            "people",
        ),
        person_id: id,
        day: day.to_string(),
        weekday: day.weekday().number_from_monday(),
        plan,
        clients,
        errors,
    };
    let status = page.errors.status();
    (status, outfield_core::console::render(&page)).into_response()
}

async fn plan_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<PersonId>,
    Query(query): Query<DayQuery>,
) -> Response {
    match settings_and_day(&state, &user, query.day.as_deref()).await {
        Ok((_, day)) => plan_view(&state, &user, id, day, FormErrors::default()).await,
        Err(error) => framed_error_page(&user, &error),
    }
}

async fn add_to_plan(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiPath(id): ApiPath<PersonId>,
    Submission { user, form }: Submission,
) -> Response {
    let Ok(day) = form.text("day").parse::<chrono::NaiveDate>() else {
        return framed_error_page(&user, &AppError::field("day", "is not a date"));
    };
    let client_ids: Vec<ClientId> = form
        .text("client_ids")
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let weekly = form.text("repeat") == "weekly";
    use chrono::Datelike;
    let new = NewPlan {
        person_id: id,
        client_ids,
        day: (!weekly).then_some(day),
        weekday: weekly.then(|| day.weekday().number_from_monday()),
    };
    match plans::create(&state.db, &user.scope, &Actor::of(&user, &client), new).await {
        Ok(_) => Redirect::to(&format!("/console/people/{id}/plan?day={day}")).into_response(),
        Err(error) => plan_view(&state, &user, id, day, FormErrors::from_error(&error)).await,
    }
}

async fn remove_from_plan(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, form }: Submission,
) -> Response {
    match plans::remove(&state.db, &user.scope, &Actor::of(&user, &client), id).await {
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
    client: ClientInfo,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, form }: Submission,
) -> Response {
    let approve = form.text("decision") == "approve";
    match visits::decide_correction(
        &state.db,
        &user.scope,
        &Actor::of(&user, &client),
        id,
        approve,
    )
    .await
    {
        Ok(()) => Redirect::to("/console/location-corrections").into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

impl Correction {
    /// When it arrived, in the company's zone.
    pub(crate) fn proposed_at_text(&self, zone: &str) -> String {
        outfield_core::console::local_time(self.proposed_at, zone)
    }
}
