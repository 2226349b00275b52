//! Console pages for clients, by family: the list (`list_pages.rs`), a client's page with contacts, timeline,
//! tasks and merges (here), the map of clients (`map_page.rs`), imports (`import_pages.rs`), types and custom fields (`field_pages.rs`) and the website
//! enquiry form (`leads.rs`).

mod field_pages;
mod import_pages;
mod leads;
mod list_pages;
mod map_page;

use field_pages::{field_settings_page, save_field_settings};
use import_pages::{confirm, import_page, import_template, preview, upload, uploaded_file};
use list_pages::{create, list_page, list_view, reassign, ListQuery};
use map_page::{map_page, map_points};
use outfield_core::ids::{ClientId, PersonId};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use uuid::Uuid;

use crate::domain::{ClientStatus, InteractionKind};
use crate::fields::{self, ClientFieldSettings, CustomField, FieldKind};
use crate::import::{self, ImportOptions, ImportReport};
use crate::tasks::{NewTask, Task};
use crate::{
    Client, ClientChanges, ClientFilter, Contact, Interaction, NewClient, NewContact,
    NewInteraction,
};
use outfield_core::auth::Principal;
use outfield_core::console::map::{map_json, render_map_page, Tiles};
use outfield_core::console::{
    framed_error_page, local_time, render, ConsoleActing, ConsoleForm, ConsoleUser, FormErrors,
    Frame, Submission,
};
use outfield_core::error::FieldError;
use outfield_core::http::extract::parse_fields;
use outfield_core::http::extract::ApiPath;
use outfield_core::people::domain::Role;
use outfield_core::people::{self, StatusFilter};
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(leads::routes())
        .route("/console/clients", get(list_page).post(create))
        .route("/console/clients/reassign", post(reassign))
        .route("/console/clients/map", get(map_page))
        .route("/console/clients/map/points", get(map_points))
        .route("/console/clients/{id}", get(client_page).post(edit))
        .route(
            "/console/settings/clients",
            get(field_settings_page).post(save_field_settings),
        )
        .route("/console/clients/{id}/contacts", post(add_contact))
        .route(
            "/console/clients/{id}/contacts/vcard",
            post(import_vcard).layer(axum::extract::DefaultBodyLimit::max(
                crate::vcard::MAX_BYTES + 64 * 1024,
            )),
        )
        .route("/console/clients/{id}/merge", post(merge))
        .route("/console/clients/{id}/tasks", post(add_task))
        .route("/console/tasks/{id}/done", post(complete_task))
        .route("/console/clients/{id}/interactions", post(log_interaction))
        .route(
            "/console/clients/import",
            get(import_page)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    import::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/console/clients/import/template.csv", get(import_template))
        .route("/console/clients/import/{id}", get(preview).post(confirm))
}

/// A timeline entry as the page shows it.
struct TimelineRow {
    when: String,
    kind: &'static str,
    who: String,
    contact: String,
    outcome: String,
    body: String,
}

#[derive(Template)]
#[template(path = "client.html")]
struct ClientPage {
    frame: Frame,
    client: Client,
    contacts: Vec<Contact>,
    timeline: Vec<TimelineRow>,
    kinds: Vec<&'static str>,
    errors: FormErrors,
    merges: bool,
    duplicates: Vec<Client>,
    map: Option<String>,
    tasks: Vec<Task>,
    people: Vec<(PersonId, String)>,
    inputs: FieldInputs,
    custom: Vec<(String, String)>,
    notice: Vec<String>,
    edit: ClientEdit,
    error_lines: Vec<String>,
    /// Shop-front photos taken when the outlet was onboarded in the field.
    photos: Vec<outfield_core::files::Attachment>,
}

/// Errors as sentences naming the form's labels rather than the API's field names.
fn error_lines(errors: &FormErrors, settings: Option<&ClientFieldSettings>) -> Vec<String> {
    errors
        .all()
        .iter()
        .map(|e| {
            let line = |field: &str, label: &str| {
                let index = e.field.strip_prefix(field)?.strip_prefix('[')?;
                let n: usize = index.split(']').next()?.parse().ok()?;
                Some(format!("{label}, line {}", n + 1))
            };
            let custom = e.field.strip_prefix("custom.").and_then(|key| {
                settings?
                    .custom_fields
                    .iter()
                    .find(|f| f.key == key)
                    .map(|f| f.label.clone())
            });
            let label = line("other_phones", "More phone numbers")
                .or_else(|| line("other_addresses", "More addresses"))
                .or(custom)
                .unwrap_or_else(|| match e.field.as_str() {
                    "client_type" => "Type".to_string(),
                    "gstin" => "GSTIN".to_string(),
                    other => other.replace('_', " "),
                });
            format!("{label}: {}.", e.message)
        })
        .collect()
}

impl ClientPage {
    /// The statuses the edit form offers, with whether each is the client's.
    fn statuses(&self) -> Vec<(&'static str, bool)> {
        ClientStatus::ALL
            .iter()
            .map(|s| (s.as_str(), *s == self.client.status))
            .collect()
    }
}

async fn client_view(
    state: &AppState,
    user: &Principal,
    id: ClientId,
    errors: FormErrors,
) -> Response {
    client_view_with(state, user, id, errors, Feedback::default()).await
}

/// What the client page says back after a submission: lines about what was done (a vCard import's
/// outcome), and the edit form as submitted when it was refused, so nothing typed is lost.
#[derive(Default)]
struct Feedback {
    notice: Vec<String>,
    submitted: Option<ConsoleForm>,
}

/// The built-in fields of the edit form, as stored or as submitted.
struct ClientEdit {
    name: String,
    code: String,
    phone: String,
    email: String,
    address: String,
}

impl ClientEdit {
    fn of(client: &Client, submitted: Option<&ConsoleForm>) -> ClientEdit {
        let pick = |name: &str, stored: Option<&str>| match submitted {
            Some(form) => form.text(name).to_string(),
            None => stored.unwrap_or_default().to_string(),
        };
        ClientEdit {
            name: pick("name", Some(&client.name)),
            code: pick("code", client.code.as_deref()),
            phone: pick("phone", client.phone.as_deref()),
            email: pick("email", client.email.as_deref()),
            address: pick("address", client.address.as_deref()),
        }
    }
}

/// The client's timeline as the page shows it, in the company's time zone.
async fn timeline_rows(state: &AppState, user: &Principal, id: ClientId) -> Vec<TimelineRow> {
    let items: Vec<Interaction> = crate::timeline(&state.db, &user.scope, id, None)
        .await
        .unwrap_or_default();
    let zone = outfield_core::companies::get(&state.db, &user.scope)
        .await
        .map(|c| c.time_zone)
        .unwrap_or_default();
    items
        .into_iter()
        .map(|i| TimelineRow {
            when: local_time(i.occurred_at, &zone, user.language),
            kind: i.kind.as_str(),
            who: i.person_name,
            contact: i.contact_name.unwrap_or_default(),
            outcome: i.outcome.unwrap_or_default(),
            body: i.body,
        })
        .collect()
}

/// The map data of the client's pin with the check-in radius around it, when the client has a location.
async fn client_map(
    state: &AppState,
    user: &Principal,
    client: &Client,
    tiles: &Tiles,
) -> Option<String> {
    let radius_m = outfield_core::companies::check_in_radius_m(&state.db, &user.scope)
        .await
        .unwrap_or(150);
    client.location.map(|at| {
        map_json(&serde_json::json!({
            "kind": "client", "tiles": tiles, "radius_m": radius_m,
            "words": outfield_core::console::map::script_words(user.language),
            "clients": [{ "name": client.name, "latitude": at.latitude, "longitude": at.longitude }],
        }))
    })
}

/// The client page with feedback on what was just submitted.
async fn client_view_with(
    state: &AppState,
    user: &Principal,
    id: ClientId,
    errors: FormErrors,
    feedback: Feedback,
) -> Response {
    let client = match crate::get(&state.db, &user.scope, id).await {
        Ok(client) => client,
        Err(error) => return framed_error_page(user, &error),
    };
    let contacts = crate::contacts(&state.db, &user.scope, id)
        .await
        .unwrap_or_default();
    let timeline = timeline_rows(state, user, id).await;
    let photos = crate::shop_photos(&state.db, &user.scope, id)
        .await
        .unwrap_or_default();
    let status = errors.status();
    let merges = user.scope.role() != Role::FieldEmployee;
    let duplicates = if merges {
        possible_duplicates(state, user, &client).await
    } else {
        Vec::new()
    };
    let tiles = Tiles::from_state(state);
    let map = client_map(state, user, &client, &tiles).await;
    let tasks = crate::tasks::of_client(&state.db, &user.scope, id)
        .await
        .unwrap_or_default();
    let people = people::list(&state.db, &user.scope, StatusFilter::Active, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let settings = fields::get(&state.db, &user.scope).await.ok();
    let mut inputs = FieldInputs::new(settings.as_ref(), Some(&client));
    if let Some(form) = &feedback.submitted {
        inputs.overlay(form);
    }
    let page = ClientPage {
        edit: ClientEdit::of(&client, feedback.submitted.as_ref()),
        notice: feedback.notice,
        error_lines: error_lines(&errors, settings.as_ref()),
        inputs,
        custom: settings
            .map(|s| s.shown(&client.custom))
            .unwrap_or_default(),
        frame: Frame::labelled(&state.db, user, client.name.clone(), "clients").await,
        tasks,
        people,
        client,
        contacts,
        timeline,
        kinds: InteractionKind::ALL.iter().map(|k| k.as_str()).collect(),
        errors,
        merges,
        duplicates,
        map,
        photos,
    };
    let mut response = render_map_page(&page, &tiles);
    *response.status_mut() = status;
    response
}

/// Other clients that share this one's phone, GSTIN or name: the candidates a manager may merge in.
async fn possible_duplicates(state: &AppState, user: &Principal, client: &Client) -> Vec<Client> {
    let mut found: Vec<Client> = Vec::new();
    let keys = [
        client.phone.clone(),
        client.gstin.clone(),
        Some(client.name.clone()),
    ];
    for q in keys.into_iter().flatten() {
        let filter = ClientFilter {
            q: Some(q),
            limit: Some(10),
            ..ClientFilter::default()
        };
        for candidate in crate::list(&state.db, &user.scope, &filter)
            .await
            .unwrap_or_default()
        {
            if candidate.id != client.id && !found.iter().any(|f| f.id == candidate.id) {
                found.push(candidate);
            }
        }
    }
    found.truncate(10);
    found
}

async fn merge(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ClientId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let Ok(duplicate) = form.text("duplicate_id").parse::<ClientId>() else {
        return client_view(
            &state,
            &user,
            id,
            FormErrors::of(vec![FieldError::new("duplicate_id", "is not a client")]),
        )
        .await;
    };
    match crate::merge(&state.db, &user.scope, &actor, id, duplicate).await {
        Ok(_) => Redirect::to(&format!("/console/clients/{id}")).into_response(),
        Err(error) if error.field_errors().is_empty() => framed_error_page(&user, &error),
        Err(error) => client_view(&state, &user, id, FormErrors::from_error(&error)).await,
    }
}

async fn client_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<ClientId>,
) -> Response {
    client_view(&state, &user, id, FormErrors::default()).await
}

async fn add_contact(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ClientId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let parsed: Result<NewContact, _> = form.parse(
        &["name", "role", "phone", "email"],
        &["role", "phone", "email"],
    );
    let outcome = match parsed {
        Ok(mut new) => {
            new.consents_to_messages = form.text("consents_to_messages") == "on";
            crate::add_contact(&state.db, &user.scope, &actor, id, new)
                .await
                .map(|_| ())
        }
        Err(errors) => Err(outfield_core::error::AppError::Validation(errors)),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/console/clients/{id}")).into_response(),
        Err(error) => client_view(&state, &user, id, FormErrors::from_error(&error)).await,
    }
}

async fn log_interaction(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ClientId>,
    Submission { user, form, .. }: Submission,
) -> Response {
    let parsed: Result<NewInteraction, _> = form.parse(
        &["kind", "contact_id", "outcome", "body"],
        &["contact_id", "outcome"],
    );
    let outcome = match parsed {
        Ok(new) => match crate::get(&state.db, &user.scope, id).await {
            Ok(_) => crate::log_interaction(&state.db, &user.scope, id, new)
                .await
                .map(|_| ()),
            Err(error) => Err(error),
        },
        Err(errors) => Err(outfield_core::error::AppError::Validation(errors)),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/console/clients/{id}")).into_response(),
        Err(error) => client_view(&state, &user, id, FormErrors::from_error(&error)).await,
    }
}

async fn add_task(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ClientId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let parsed: Result<NewTask, _> =
        form.parse(&["title", "due_on", "assignee_id"], &["assignee_id"]);
    let outcome = match parsed {
        Ok(new) => crate::tasks::add(&state.db, &user.scope, &actor, id, new)
            .await
            .map(|_| ()),
        Err(errors) => Err(outfield_core::error::AppError::Validation(errors)),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/console/clients/{id}")).into_response(),
        Err(error) if error.field_errors().is_empty() => framed_error_page(&user, &error),
        Err(error) => client_view(&state, &user, id, FormErrors::from_error(&error)).await,
    }
}

async fn complete_task(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    Submission { user, actor, .. }: Submission,
) -> Response {
    match crate::tasks::complete(&state.db, &user.scope, &actor, id).await {
        Ok(task) => Redirect::to(&format!("/console/clients/{}", task.client_id)).into_response(),
        Err(error) => framed_error_page(&user, &error),
    }
}

/// One custom field as a form shows it.
pub(crate) struct CustomInput {
    /// The form field's name (`custom.<key>`).
    pub name: String,
    /// Its label.
    pub label: String,
    /// `text`, `number`, `date` or `choice`.
    pub kind: &'static str,
    /// The choices of a choice field.
    pub choices: Vec<String>,
    /// The current value as text.
    pub value: String,
    /// Whether a new client needs it.
    pub required: bool,
}

/// The company-defined parts of the client forms: the type list and the custom fields.
pub(crate) struct FieldInputs {
    /// Types offered, the current one first for an edit.
    pub types: Vec<String>,
    /// The client's type ("" for a new client: the first type is preselected).
    pub chosen_type: String,
    /// Custom fields with the client's values.
    pub custom: Vec<CustomInput>,
    /// Further phones, one per line.
    pub other_phones: String,
    /// Further addresses, `label: address` per line.
    pub other_addresses: String,
}

impl FieldInputs {
    /// Shows the values of a refused submission instead of the stored ones.
    fn overlay(&mut self, form: &ConsoleForm) {
        self.chosen_type = form.text("client_type").to_string();
        for input in &mut self.custom {
            input.value = form.text(&input.name).to_string();
        }
        self.other_phones = form.text("other_phones").to_string();
        self.other_addresses = form.text("other_addresses").to_string();
    }

    fn new(settings: Option<&ClientFieldSettings>, client: Option<&Client>) -> FieldInputs {
        let value_of = |key: &str| {
            client
                .and_then(|c| c.custom.get(key))
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_default()
        };
        FieldInputs {
            types: settings.map(|s| s.client_types.clone()).unwrap_or_default(),
            chosen_type: client.map(|c| c.client_type.clone()).unwrap_or_default(),
            custom: settings
                .map(|s| s.custom_fields.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|f| CustomInput {
                    name: format!("custom.{}", f.key),
                    label: f.label.clone(),
                    kind: f.kind.as_str(),
                    choices: f.choices.clone(),
                    value: value_of(&f.key),
                    required: f.required && client.is_none(),
                })
                .collect(),
            other_phones: client
                .map(|c| c.other_phones.join("\n"))
                .unwrap_or_default(),
            other_addresses: client
                .map(|c| {
                    c.other_addresses
                        .iter()
                        .map(|a| format!("{}: {}", a.label, a.address))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
        }
    }
}

/// Built-in fields of the client forms; those in `NULLABLE_FIELDS` are cleared by an empty edit.
const CLIENT_FIELDS: [&str; 8] = [
    "name",
    "code",
    "client_type",
    "status",
    "phone",
    "email",
    "gstin",
    "address",
];
const NULLABLE_FIELDS: [&str; 4] = ["code", "phone", "email", "address"];

/// The client form as the API's JSON body, so that pages and the API share one validation. An edit
/// sends every field, empty ones as `null` (cleared); a new client leaves empty ones out.
fn client_body(
    form: &ConsoleForm,
    settings: Option<&ClientFieldSettings>,
    editing: bool,
) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    for name in CLIENT_FIELDS {
        let value = form.text(name).trim();
        if !value.is_empty() {
            body.insert(name.into(), value.into());
        } else if editing && NULLABLE_FIELDS.contains(&name) {
            body.insert(name.into(), serde_json::Value::Null);
        }
    }
    let lines = |name: &str| -> Vec<String> {
        form.text(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    if form.0.contains_key("other_phones") {
        body.insert("other_phones".into(), lines("other_phones").into());
    }
    if form.0.contains_key("other_addresses") {
        let addresses: Vec<serde_json::Value> = lines("other_addresses")
            .iter()
            .map(|line| {
                let (label, address) = line.split_once(':').unwrap_or(("Other", line));
                serde_json::json!({ "label": label.trim(), "address": address.trim() })
            })
            .collect();
        body.insert("other_addresses".into(), addresses.into());
    }
    let mut custom = serde_json::Map::new();
    for field in settings
        .map(|s| s.custom_fields.as_slice())
        .unwrap_or_default()
    {
        let value = form.text(&format!("custom.{}", field.key)).trim();
        if !value.is_empty() {
            custom.insert(field.key.clone(), value.into());
        } else if editing {
            custom.insert(field.key.clone(), serde_json::Value::Null);
        }
    }
    body.insert("custom".into(), custom.into());
    body.into()
}

/// Saves the edit form of the client page.
async fn edit(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ClientId>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let settings = fields::get(&state.db, &user.scope).await.ok();
    let outcome = match parse_fields::<ClientChanges>(&client_body(&form, settings.as_ref(), true))
    {
        Ok(changes) => crate::update(&state.db, &user.scope, &actor, id, changes).await,
        Err(errors) => Err(outfield_core::error::AppError::Validation(errors)),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/console/clients/{id}")).into_response(),
        Err(error) => {
            let feedback = Feedback {
                notice: Vec::new(),
                submitted: Some(form),
            };
            client_view_with(&state, &user, id, FormErrors::from_error(&error), feedback).await
        }
    }
}

/// Adds the contacts of an uploaded vCard file and tells, card by card, what could not be added.
async fn import_vcard(
    State(state): State<AppState>,
    ConsoleActing { user, actor }: ConsoleActing,
    ApiPath(id): ApiPath<ClientId>,
    multipart: axum::extract::Multipart,
) -> Response {
    let bytes = match uploaded_file(&user, multipart).await {
        Ok(file) => file.map(|(_, bytes)| bytes).unwrap_or_default(),
        Err(page) => return page,
    };
    let report = crate::vcard::import(&state.db, &user.scope, &actor, id, (&bytes, true));
    match report.await {
        Ok(report) => {
            let duplicates = report
                .cards
                .iter()
                .filter(|c| c.status == "duplicate")
                .count();
            let mut notice = vec![format!(
                "Added {} contacts from the vCard file; {duplicates} were already contacts of this client.",
                report.added
            )];
            for card in report.cards.iter().filter(|c| c.status == "invalid") {
                let problems: Vec<String> = card
                    .errors
                    .iter()
                    .map(|e| format!("{} {}", e.field, e.message))
                    .collect();
                notice.push(format!(
                    "Card {} ({}) was not added: {}.",
                    card.card,
                    card.name.as_deref().unwrap_or("no name"),
                    problems.join("; ")
                ));
            }
            let feedback = Feedback {
                notice,
                submitted: None,
            };
            client_view_with(&state, &user, id, FormErrors::default(), feedback).await
        }
        Err(error) => client_view(&state, &user, id, FormErrors::from_error(&error)).await,
    }
}
