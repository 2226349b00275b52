//! Console pages for people and teams: list, invite, edit, deactivate, reset links, devices.

use crate::ids::PersonId;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

use crate::auth::devices::Device;
use crate::auth::{ClientInfo, Principal};
use crate::console::pager::Pager;
use crate::console::{
    error_page, framed_error_page, grantable_roles, local_time, remember_view, render, ConsoleForm,
    ConsoleUser, FormErrors, Frame, Submission,
};
use crate::http::extract::ApiPath;
use crate::people::{self, Invitation, Person, PersonChanges, StatusFilter};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/people", get(list_page))
        .route("/console/people/new", get(invite_page).post(invite))
        .route("/console/people/{id}", get(person_page).post(update))
        .route("/console/people/{id}/deactivate", post(deactivate))
        .route("/console/people/{id}/reset-link", post(reset_link))
        .route(
            "/console/people/{id}/devices/{device_id}/revoke",
            post(revoke_device),
        )
}

#[derive(Template)]
#[template(path = "people.html")]
struct ListPage {
    frame: Frame,
    people: Vec<Person>,
    pager: Pager,
    /// The filters as a query string ending in `&`, for the pager's links.
    pager_query: String,
    q: String,
    status: &'static str,
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    status: Option<StatusFilter>,
    page: Option<usize>,
}

async fn list_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    client: ClientInfo,
    Query(query): Query<ListQuery>,
) -> Response {
    remember_view(&state, &user, &client, "/console/people").await;
    let status = query.status.unwrap_or_default();
    let list = match people::list(&state.db, &user.scope, status, query.q.as_deref()).await {
        Ok(list) => list,
        Err(error) => return framed_error_page(&user, &error),
    };
    let pager = Pager::new(query.page, list.len());
    let status = match status {
        StatusFilter::Active => "active",
        StatusFilter::Deactivated => "deactivated",
        StatusFilter::All => "all",
    };
    let q = query.q.unwrap_or_default();
    let filters = [("q", q.as_str()), ("status", status)];
    render(&ListPage {
        frame: Frame::new(&user, "People", "people"),
        people: pager.take(list),
        pager,
        pager_query: format!(
            "{}&",
            serde_urlencoded::to_string(filters).unwrap_or_default()
        ),
        q,
        status,
    })
}

/// The values shown in the person form (as typed, so a rejected submission keeps them).
#[derive(Default)]
struct FormValues {
    name: String,
    email: String,
    mobile: String,
    employee_code: String,
    role: String,
    manager_id: String,
}

impl FormValues {
    fn of(person: &Person) -> Self {
        FormValues {
            name: person.name.clone(),
            email: person.email.clone(),
            mobile: person.mobile.clone().unwrap_or_default(),
            employee_code: person.employee_code.clone().unwrap_or_default(),
            role: person.role.as_str().to_string(),
            manager_id: person
                .manager_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }
    }

    fn from_form(form: &ConsoleForm) -> Self {
        FormValues {
            name: form.text("name").to_string(),
            email: form.text("email").to_string(),
            mobile: form.text("mobile").to_string(),
            employee_code: form.text("employee_code").to_string(),
            role: form.text("role").to_string(),
            manager_id: form.text("manager_id").to_string(),
        }
    }
}

const PERSON_FIELDS: [&str; 6] = [
    "name",
    "email",
    "mobile",
    "employee_code",
    "role",
    "manager_id",
];
const NULLABLE_FIELDS: [&str; 3] = ["mobile", "employee_code", "manager_id"];

/// Active people who can be chosen as someone's manager (excluding that someone).
async fn manager_options(
    state: &AppState,
    user: &Principal,
    except: Option<PersonId>,
) -> Vec<(String, String)> {
    people::list(&state.db, &user.scope, StatusFilter::Active, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|p| Some(p.id) != except)
        .map(|p| {
            let role = user.language.tr(p.role.label());
            (p.id.to_string(), format!("{} ({role})", p.name))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    frame: Frame,
    values: FormValues,
    errors: FormErrors,
    roles: Vec<(&'static str, &'static str)>,
    managers: Vec<(String, String)>,
}

async fn invite_form(
    state: &AppState,
    user: &Principal,
    values: FormValues,
    errors: FormErrors,
) -> Response {
    let page = InvitePage {
        frame: Frame::new(user, "Invite a person", "people"),
        values,
        errors,
        roles: grantable_roles(user.scope.role()),
        managers: manager_options(state, user, None).await,
    };
    let status = page.errors.status();
    (status, render(&page)).into_response()
}

async fn invite_page(State(state): State<AppState>, ConsoleUser(user): ConsoleUser) -> Response {
    if let Err(error) = user.scope.require_admin() {
        return error_page(&error);
    }
    let values = FormValues {
        role: "field_employee".into(),
        manager_id: user.scope.person_id().to_string(),
        ..Default::default()
    };
    invite_form(&state, &user, values, FormErrors::default()).await
}

#[derive(Template)]
#[template(path = "link.html")]
struct LinkPage {
    frame: Frame,
    intro: String,
    link: String,
    person_id: PersonId,
}

async fn invite(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let values = FormValues::from_form(&form);
    let invitation: Invitation = match form.parse(&PERSON_FIELDS, &NULLABLE_FIELDS) {
        Ok(invitation) => invitation,
        Err(errors) => return invite_form(&state, &user, values, FormErrors::of(errors)).await,
    };
    match people::invite(
        &state.db,
        &user.scope,
        &actor,
        invitation,
        &state.config.public_url(),
    )
    .await
    {
        Ok(invited) => render(&LinkPage {
            frame: Frame::new(&user, "Invitation ready", "people"),
            intro: user.language.tr1(
                "{} can now set a password with this link (valid 7 days).",
                &invited.person.name,
            ),
            link: invited.link,
            person_id: invited.person.id,
        }),
        Err(error) => invite_form(&state, &user, values, FormErrors::from_error(&error)).await,
    }
}

/// A device as the person page lists it.
struct DeviceRow {
    id: Uuid,
    label: String,
    ip: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    frame: Frame,
    person: Person,
    created_when: String,
    deactivated_when: String,
    can_edit: bool,
    values: FormValues,
    errors: FormErrors,
    roles: Vec<(&'static str, &'static str)>,
    managers: Vec<(String, String)>,
    show_devices: bool,
    devices: Vec<DeviceRow>,
    consents: Vec<ConsentRow>,
}

/// One entry of the person's consent ledger as the page lists it.
struct ConsentRow {
    permission: &'static str,
    granted: bool,
    policy_version: i64,
    device_time: String,
    recorded: String,
}

async fn person_view(
    state: &AppState,
    user: &Principal,
    id: PersonId,
    values: Option<FormValues>,
    errors: FormErrors,
) -> Response {
    let person = match people::get(&state.db, &user.scope, id).await {
        Ok(person) => person,
        Err(error) => return error_page(&error),
    };
    let zone = crate::companies::get(&state.db, &user.scope)
        .await
        .map(|c| c.time_zone)
        .unwrap_or_default();
    let role = user.scope.role();
    let can_edit =
        role.administers() && role.may_grant(person.role) && person.deactivated_at.is_none();
    let show_devices = role.administers() || user.scope.person_id() == id;
    let devices: Vec<Device> = if show_devices {
        people::devices_of(&state.db, &user.scope, id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let status = errors.status();
    let consents = crate::privacy::ledger_of(&state.db, &user.scope, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|entry| ConsentRow {
            permission: entry.permission.as_str(),
            granted: entry.decision == crate::privacy::Decision::Granted,
            policy_version: entry.policy_version,
            device_time: local_time(entry.device_time, &zone, user.language),
            recorded: local_time(entry.recorded_at, &zone, user.language),
        })
        .collect();
    let page = PersonPage {
        consents,
        frame: Frame::new(user, person.name.clone(), "people"),
        created_when: local_time(person.created_at, &zone, user.language),
        deactivated_when: person
            .deactivated_at
            .map(|at| local_time(at, &zone, user.language))
            .unwrap_or_default(),
        can_edit,
        values: values.unwrap_or_else(|| FormValues::of(&person)),
        errors,
        roles: grantable_roles(role),
        managers: manager_options(state, user, Some(id)).await,
        show_devices,
        devices: devices
            .into_iter()
            .map(|d| DeviceRow {
                id: d.id,
                label: d.label,
                ip: d.ip,
                created: local_time(d.created_at, &zone, user.language),
                last_used: local_time(d.last_used_at, &zone, user.language),
                revoked: d.revoked_at.is_some(),
            })
            .collect(),
        person,
    };
    (status, render(&page)).into_response()
}

async fn person_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<PersonId>,
) -> Response {
    person_view(&state, &user, id, None, FormErrors::default()).await
}

async fn update(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PersonId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let values = FormValues::from_form(&form);
    let changes: PersonChanges = match form.parse(&PERSON_FIELDS, &NULLABLE_FIELDS) {
        Ok(changes) => changes,
        Err(errors) => {
            return person_view(&state, &user, id, Some(values), FormErrors::of(errors)).await
        }
    };
    match people::update(&state.db, &user.scope, &actor, id, changes).await {
        Ok(_) => Redirect::to(&format!("/console/people/{id}")).into_response(),
        Err(error) => {
            person_view(
                &state,
                &user,
                id,
                Some(values),
                FormErrors::from_error(&error),
            )
            .await
        }
    }
}

async fn deactivate(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PersonId>,
    Submission { user, actor, .. }: Submission,
) -> Response {
    match people::deactivate(&state.db, &user.scope, &actor, id).await {
        Ok(_) => Redirect::to(&format!("/console/people/{id}")).into_response(),
        Err(error) => person_view(&state, &user, id, None, FormErrors::from_error(&error)).await,
    }
}

async fn reset_link(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PersonId>,
    Submission { user, actor, .. }: Submission,
) -> Response {
    match people::reset_link(&state.db, &user.scope, &actor, id, &state.config.public_url()).await {
        Ok(link) => render(&LinkPage {
            frame: Frame::new(&user, "Password-reset link", "people"),
            intro: user
                .language
                .tr("The person can set a new password with this link (valid 1 day). Setting it signs them out everywhere.")
                .into(),
            link,
            person_id: id,
        }),
        Err(error) => error_page(&error),
    }
}

async fn revoke_device(
    State(state): State<AppState>,
    ApiPath((id, device_id)): ApiPath<(PersonId, Uuid)>,
    Submission { user, actor, .. }: Submission,
) -> Response {
    match people::revoke_device(&state.db, &user.scope, &actor, id, device_id).await {
        Ok(()) => Redirect::to(&format!("/console/people/{id}")).into_response(),
        Err(error) => error_page(&error),
    }
}
