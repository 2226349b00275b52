//! The console page of the website enquiry form: whether it accepts enquiries, from which websites, and
//! the snippet to paste into the company's website.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use outfield_core::auth::Principal;
use outfield_core::console::{error_page, render, ConsoleUser, FormErrors, Frame, Submission};
use outfield_core::state::AppState;

use crate::leads::{self, LeadForm, LeadFormChanges};

/// Routes of this page.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/settings/lead-form", get(show).post(save))
}

#[derive(Template)]
#[template(path = "lead_form.html")]
struct LeadFormPage {
    frame: Frame,
    lead_form: LeadForm,
    errors: FormErrors,
    saved: bool,
}

fn page(user: &Principal, lead_form: LeadForm, errors: FormErrors, saved: bool) -> Response {
    let status = errors.status();
    let page = LeadFormPage {
        frame: Frame::new(user, "Website enquiry form", "settings"),
        lead_form,
        errors,
        saved,
    };
    (status, render(&page)).into_response()
}

async fn show(State(state): State<AppState>, ConsoleUser(user): ConsoleUser) -> Response {
    match leads::settings(&state.db, &user, &state.config.public_url()).await {
        Ok(lead_form) => page(&user, lead_form, FormErrors::default(), false),
        Err(error) => error_page(&error),
    }
}

async fn save(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let changes = LeadFormChanges {
        enabled: form.text("enabled") == "on",
        allowed_origins: form
            .text("allowed_origins")
            .split_whitespace()
            .map(String::from)
            .collect(),
    };
    let base_url = state.config.public_url();
    match leads::configure(&state.db, &user, &actor, changes, &base_url).await {
        Ok(lead_form) => page(&user, lead_form, FormErrors::default(), true),
        Err(error) => match leads::settings(&state.db, &user, &base_url).await {
            Ok(lead_form) => page(&user, lead_form, FormErrors::from_error(&error), false),
            Err(error) => error_page(&error),
        },
    }
}
