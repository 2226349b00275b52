//! Console page of the privacy notice and everyone's consent.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::Principal;
use crate::console::{error_page, local_time, render, ConsoleUser, FormErrors, Frame, Submission};
use crate::people::domain::Language;
use crate::privacy::{self, Decision, Notice, Permission};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/privacy", get(privacy_page).post(publish))
}

/// One person's row of the consent overview.
struct ConsentRow {
    person_id: String,
    name: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    frame: Frame,
    notice: Notice,
    published: String,
    draft: String,
    /// The Hindi text in the form.
    draft_hindi: String,
    permissions: Vec<&'static str>,
    rows: Vec<ConsentRow>,
    errors: FormErrors,
}

/// The privacy page; `draft` is what was typed (English, Hindi) when publishing failed.
async fn page(
    state: &AppState,
    user: &Principal,
    draft: Option<(String, String)>,
    errors: FormErrors,
) -> Response {
    let notice = {
        let mut tx = match state.db.tenant_read(&user.scope).await {
            Ok(tx) => tx,
            Err(error) => return error_page(&error.into()),
        };
        match privacy::current_notice(&mut tx, user.scope.company_id()).await {
            Ok(notice) => notice,
            Err(error) => return error_page(&error.into()),
        }
    };
    let overview = match privacy::overview(&state.db, &user.scope).await {
        Ok(overview) => overview,
        Err(error) => return error_page(&error),
    };
    let zone = crate::companies::get(&state.db, &user.scope)
        .await
        .map(|c| c.time_zone)
        .unwrap_or_default();
    let lang = user.language;
    let rows = overview
        .into_iter()
        .map(|(person, states)| ConsentRow {
            person_id: person.id.to_string(),
            name: person.name,
            cells: states
                .iter()
                .map(|s| match (s.decision, s.recorded_at) {
                    (Decision::Granted, Some(at)) => lang.tr2(
                        "Granted (version {1}, {2})",
                        s.policy_version,
                        local_time(at, &zone, lang),
                    ),
                    (Decision::Revoked, Some(at)) => {
                        lang.tr1("Withdrawn ({})", local_time(at, &zone, lang))
                    }
                    _ => lang.tr("Not asked yet").to_string(),
                })
                .collect(),
        })
        .collect();
    let status = errors.status();
    let page = PrivacyPage {
        frame: Frame::new(user, "Privacy and consent", "privacy"),
        published: notice
            .published_at
            .map(|at| local_time(at, &zone, lang))
            .unwrap_or_else(|| lang.tr("built in").to_string()),
        draft_hindi: draft.as_ref().map_or_else(
            || {
                notice
                    .translations
                    .get(Language::Hindi.as_str())
                    .cloned()
                    .unwrap_or_default()
            },
            |(_, hindi)| hindi.clone(),
        ),
        draft: draft.map_or_else(|| notice.body.clone(), |(body, _)| body),
        notice,
        permissions: Permission::ALL.iter().map(|p| p.as_str()).collect(),
        rows,
        errors,
    };
    (status, render(&page)).into_response()
}

async fn privacy_page(State(state): State<AppState>, ConsoleUser(user): ConsoleUser) -> Response {
    page(&state, &user, None, FormErrors::default()).await
}

async fn publish(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let body = form.text("body").to_string();
    let hindi = form.text("body_hi").to_string();
    let translations = [(Language::Hindi.as_str().to_string(), hindi.clone())].into();
    match privacy::publish_notice(&state.db, &user, &actor, &body, &translations).await {
        Ok(_) => Redirect::to("/console/privacy").into_response(),
        Err(error) => {
            let errors = FormErrors::from_error(&error);
            page(&state, &user, Some((body, hindi)), errors).await
        }
    }
}
