//! Console page for the company profile and settings.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::Principal;
use crate::companies::{self, Company, CompanyChanges};
use crate::console::{error_page, render, ConsoleForm, ConsoleUser, FormErrors, Frame, Submission};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/settings", get(settings_page).post(save))
}

/// One editable field of the settings form.
struct SettingField {
    name: &'static str,
    label: &'static str,
    value: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    frame: Frame,
    company: Company,
    fields: Vec<SettingField>,
    errors: FormErrors,
    saved: bool,
}

const FIELDS: [(&str, &str, bool); 6] = [
    ("name", "Display name", true),
    ("legal_name", "Registered name", false),
    ("address", "Registered address", false),
    ("gstin", "GSTIN", false),
    ("time_zone", "Time zone (e.g. Asia/Kolkata)", true),
    ("currency", "Currency (e.g. INR)", true),
];

fn value_of(company: &Company, name: &str) -> String {
    match name {
        "name" => company.name.clone(),
        "legal_name" => company.legal_name.clone().unwrap_or_default(),
        "address" => company.address.clone().unwrap_or_default(),
        "gstin" => company.gstin.clone().unwrap_or_default(),
        "time_zone" => company.time_zone.clone(),
        _ => company.currency.clone(),
    }
}

async fn page(
    user: &Principal,
    company: Company,
    form: Option<&ConsoleForm>,
    errors: FormErrors,
    saved: bool,
) -> Response {
    let fields = FIELDS
        .iter()
        .map(|(name, label, required)| SettingField {
            name,
            label,
            value: form
                .map(|f| f.text(name).to_string())
                .unwrap_or_else(|| value_of(&company, name)),
            required: *required,
        })
        .collect();
    let status = errors.status();
    let page = SettingsPage {
        frame: Frame::new(user, "Company settings", "settings"),
        company,
        fields,
        errors,
        saved,
    };
    (status, render(&page)).into_response()
}

async fn settings_page(State(state): State<AppState>, ConsoleUser(user): ConsoleUser) -> Response {
    if let Err(error) = user.scope.require_admin() {
        return error_page(&error);
    }
    match companies::get(&state.db, &user.scope).await {
        Ok(company) => page(&user, company, None, FormErrors::default(), false).await,
        Err(error) => error_page(&error),
    }
}

async fn save(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let names: Vec<&str> = FIELDS.iter().map(|f| f.0).collect();
    let parsed: Result<CompanyChanges, _> = form.parse(&names, &["legal_name", "address", "gstin"]);
    let outcome = match parsed {
        Ok(changes) => companies::update(&state.db, &user.scope, &actor, changes).await,
        Err(errors) => Err(crate::error::AppError::Validation(errors)),
    };
    match outcome {
        Ok(company) => page(&user, company, None, FormErrors::default(), true).await,
        Err(error) => match companies::get(&state.db, &user.scope).await {
            Ok(company) => {
                page(
                    &user,
                    company,
                    Some(&form),
                    FormErrors::from_error(&error),
                    false,
                )
                .await
            }
            Err(error) => error_page(&error),
        },
    }
}
