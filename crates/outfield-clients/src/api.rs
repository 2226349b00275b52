//! JSON endpoints for clients, contacts, timelines and reassignment, the CSV export, and the website
//! enquiry form (its settings and its public endpoint).

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use outfield_core::audit::Acting;
use outfield_core::ids::{ClientId, PersonId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::domain::InteractionKind;
use crate::fields::{self, ClientFieldSettings};
use crate::import::{self, ImportOptions, ImportReport};
use crate::leads::{self, Enquiry, LeadForm, LeadFormChanges};
use crate::store;
use crate::tasks::{self, NewTask, Task};
use crate::vcard::{self, VcardReport};
use crate::{
    Client, ClientChanges, ClientFilter, Contact, Interaction, NewClient, NewContact,
    NewInteraction,
};
use outfield_core::auth::{ClientInfo, Principal};
use outfield_core::console::{message_page, titled_error_page};
use outfield_core::error::{AppError, AppResult, Problem};
use outfield_core::export::{Cell, Format, Table};
use outfield_core::http::extract::{parse_json, ApiJson, ApiPath, ApiQuery};
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clients, create_client))
        .routes(routes!(export_clients))
        .routes(routes!(export_clients_xlsx))
        .routes(routes!(reassign_clients))
        .routes(routes!(get_client, update_client))
        .routes(routes!(list_contacts, add_contact))
        .routes(routes!(import_vcard))
        .routes(routes!(timeline))
        .routes(routes!(log_interaction))
        .routes(routes!(merge_clients))
        .routes(routes!(client_tasks, add_task))
        .routes(routes!(complete_task))
        .routes(routes!(my_tasks))
        .routes(routes!(client_fields, configure_client_fields))
        .routes(routes!(lead_form, configure_lead_form))
        .routes(routes!(submit_enquiry))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_clients))
                .layer(DefaultBodyLimit::max(import::MAX_BYTES + 64 * 1024)),
        )
}

/// The company's client types and custom fields (everyone: forms in the console and the app need them).
#[utoipa::path(get, path = "/api/v1/company/client-fields", tag = "clients",
    responses((status = 200, body = ClientFieldSettings)))]
async fn client_fields(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<ClientFieldSettings>> {
    Ok(Json(fields::get(&state.db, &principal.scope).await?))
}

/// Replaces the client types and custom fields (owners and admins). Values of a removed field stay on
/// the clients, hidden, and return if a field with the same key is added again.
#[utoipa::path(put, path = "/api/v1/company/client-fields", tag = "clients",
    request_body = ClientFieldSettings,
    responses((status = 200, body = ClientFieldSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn configure_client_fields(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(settings): ApiJson<ClientFieldSettings>,
) -> AppResult<Json<ClientFieldSettings>> {
    Ok(Json(
        fields::update(&state.db, &principal.scope, &actor, settings).await?,
    ))
}

/// Imports clients from a CSV or XLSX file (owners and admins). Multipart parts: `file` (the file) and
/// optionally `options` (JSON: `mapping`, `commit`, `commit_valid_rows`). Without `commit` nothing is
/// stored: the answer is the preview. With it, rows with errors make the whole import fail with 422,
/// unless `commit_valid_rows` confirms that the valid rows alone should be stored.
#[utoipa::path(post, path = "/api/v1/clients/import", tag = "clients",
    request_body(content_type = "multipart/form-data", content = ImportUpload),
    responses((status = 200, body = ImportReport), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
async fn import_clients(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<ImportReport>> {
    principal.scope.require_admin()?;
    let multipart = multipart
        .map_err(|e| AppError::BadRequest(format!("send the file as multipart/form-data: {e}")))?;
    let ImportUpload { file, options } = read_import(multipart).await?;
    Ok(Json(
        import::run(
            &state.db,
            &principal.scope,
            &actor,
            &import::decode(&file)?,
            &options,
        )
        .await?,
    ))
}

/// The parts of an import's multipart body: the file and, optionally, how to read it.
pub(crate) struct ImportUpload {
    /// The CSV or XLSX file.
    pub file: Vec<u8>,
    /// How to read it (the `options` part, JSON).
    pub options: ImportOptions,
}

impl utoipa::PartialSchema for ImportUpload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let file = outfield_core::text::string_schema()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("file", file)
            .required("file")
            .property(
                "options",
                utoipa::openapi::Ref::from_schema_name("ImportOptions"),
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for ImportUpload {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("ImportOptions".to_string(), ImportOptions::schema()));
        <ImportOptions as utoipa::ToSchema>::schemas(schemas);
    }
}

/// Reads the `file` and `options` parts of an import request.
pub(crate) async fn read_import(mut multipart: Multipart) -> AppResult<ImportUpload> {
    let mut file = None;
    let mut options = ImportOptions::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
    {
        match field.name() {
            Some("file") => {
                file = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| multipart_error(&e))?
                        .to_vec(),
                )
            }
            Some("options") => {
                options = parse_json(&field.bytes().await.map_err(|e| multipart_error(&e))?)?
            }
            _ => {}
        }
    }
    let file = file.ok_or_else(|| AppError::field("file", "is required"))?;
    Ok(ImportUpload { file, options })
}

fn multipart_error(error: &axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("the upload could not be read: {error}"))
    }
}

/// The website enquiry form's settings and snippet (owners and admins).
#[utoipa::path(get, path = "/api/v1/company/lead-form", tag = "clients",
    responses((status = 200, body = LeadForm), (status = 403, body = Problem)))]
async fn lead_form(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<LeadForm>> {
    Ok(Json(
        leads::settings(&state.db, &principal, &state.config.public_url()).await?,
    ))
}

/// Turns the website enquiry form on or off and sets the origins allowed to post (owners and admins).
#[utoipa::path(put, path = "/api/v1/company/lead-form", tag = "clients", request_body = LeadFormChanges,
    responses((status = 200, body = LeadForm), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn configure_lead_form(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(changes): ApiJson<LeadFormChanges>,
) -> AppResult<Json<LeadForm>> {
    Ok(Json(
        leads::configure(
            &state.db,
            &principal,
            &actor,
            changes,
            &state.config.public_url(),
        )
        .await?,
    ))
}

/// Receives an enquiry from a company's website (public; no sign-in). An HTML form post
/// (`application/x-www-form-urlencoded`) is answered with a page, JSON with JSON.
#[utoipa::path(post, path = "/api/v1/public/leads/{key}", tag = "clients", security(()),
    params(("key" = String, Path, description = "The company's form key")), request_body = Enquiry,
    responses((status = 201), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
async fn submit_enquiry(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiPath(key): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let parsed: AppResult<Enquiry> = if is_form {
        let fields: serde_json::Map<String, serde_json::Value> = url::form_urlencoded::parse(&body)
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| {
                (
                    name.into_owned(),
                    serde_json::Value::String(value.into_owned()),
                )
            })
            .collect();
        parse_json(&serde_json::to_vec(&fields).unwrap_or_default())
    } else {
        parse_json(&body)
    };
    let outcome = match leads::admit(&state.db, &key, origin, &client).await {
        Ok(company_id) => match parsed {
            Ok(enquiry) => leads::submit(&state.db, company_id, &client, enquiry).await,
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    match (outcome, is_form) {
        (Ok(_), true) => message_page(
            StatusCode::CREATED,
            "Thank you",
            "Your enquiry has reached us. We will call you back soon.",
        ),
        (Ok(_), false) => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "received": true })),
        )
            .into_response(),
        (Err(error), true) => titled_error_page("The enquiry could not be sent", &error),
        (Err(error), false) => error.into_response(),
    }
}

/// Clients the caller may see: search by words, status, owner, tag; nearest first around a point.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientFilter),
    responses((status = 200, body = Vec<Client>), (status = 401, body = Problem)))]
async fn list_clients(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(mut filter): ApiQuery<ClientFilter>,
) -> AppResult<Json<Vec<Client>>> {
    filter.limit = filter.limit.map(|limit| limit.min(1000));
    Ok(Json(
        crate::list(&state.db, &principal.scope, &filter).await?,
    ))
}

/// Adds a client.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = NewClient,
    responses((status = 201, body = Client), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_client(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(new): ApiJson<NewClient>,
) -> AppResult<(StatusCode, Json<Client>)> {
    Ok((
        StatusCode::CREATED,
        Json(crate::create(&state.writes, &principal.scope, &actor, new).await?),
    ))
}

/// One client.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path)),
    responses((status = 200, body = Client), (status = 404, body = Problem)))]
async fn get_client(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<ClientId>,
) -> AppResult<Json<Client>> {
    Ok(Json(crate::get(&state.db, &principal.scope, id).await?))
}

/// Changes a client.
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = Uuid, Path)),
    request_body = ClientChanges,
    responses((status = 200, body = Client), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn update_client(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(changes): ApiJson<ClientChanges>,
) -> AppResult<Json<Client>> {
    Ok(Json(
        crate::update(&state.db, &principal.scope, &actor, id, changes).await?,
    ))
}

/// A client's contacts.
#[utoipa::path(get, path = "/api/v1/clients/{id}/contacts", tag = "clients", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Contact>), (status = 404, body = Problem)))]
async fn list_contacts(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<ClientId>,
) -> AppResult<Json<Vec<Contact>>> {
    Ok(Json(
        crate::contacts(&state.db, &principal.scope, id).await?,
    ))
}

/// Whether a vCard import stores what it found.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct VcardQuery {
    /// `true` adds the valid cards that are not contacts yet; otherwise nothing is stored (a preview).
    #[serde(default)]
    pub commit: bool,
}

/// Reads contacts from a vCard file (the body, `text/vcard`; 2.1, 3.0 or 4.0; up to 1 MiB and 1000
/// cards): per card new, duplicate (same phone or e-mail as a contact of the client) or invalid with
/// its errors. With `commit=true` the new valid cards become contacts.
#[utoipa::path(post, path = "/api/v1/clients/{id}/contacts/vcard", tag = "clients",
    params(("id" = Uuid, Path), VcardQuery), request_body(content = String, content_type = "text/vcard"),
    responses((status = 200, body = VcardReport), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
async fn import_vcard(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<ClientId>,
    ApiQuery(query): ApiQuery<VcardQuery>,
    body: axum::body::Body,
) -> AppResult<Json<VcardReport>> {
    let body = axum::body::to_bytes(body, vcard::MAX_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let report = vcard::import(
        &state.db,
        &principal.scope,
        &actor,
        id,
        (&body, query.commit),
    )
    .await?;
    Ok(Json(report))
}

/// Adds a contact to a client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/contacts", tag = "clients", params(("id" = Uuid, Path)),
    request_body = NewContact,
    responses((status = 201, body = Contact), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_contact(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(new): ApiJson<NewContact>,
) -> AppResult<(StatusCode, Json<Contact>)> {
    Ok((
        StatusCode::CREATED,
        Json(crate::add_contact(&state.db, &principal.scope, &actor, id, new).await?),
    ))
}

/// Timeline filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TimelineQuery {
    /// Only this kind.
    pub kind: Option<InteractionKind>,
}

/// A client's timeline of interactions, newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/timeline", tag = "clients", params(("id" = Uuid, Path), TimelineQuery),
    responses((status = 200, body = Vec<Interaction>), (status = 404, body = Problem)))]
async fn timeline(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<ClientId>,
    ApiQuery(query): ApiQuery<TimelineQuery>,
) -> AppResult<Json<Vec<Interaction>>> {
    Ok(Json(
        crate::timeline(&state.db, &principal.scope, id, query.kind).await?,
    ))
}

/// Logs an interaction with a client now (the field app sends `interaction` records through sync instead).
#[utoipa::path(post, path = "/api/v1/clients/{id}/interactions", tag = "clients", params(("id" = Uuid, Path)),
    request_body = NewInteraction,
    responses((status = 201, body = Interaction), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn log_interaction(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(new): ApiJson<NewInteraction>,
) -> AppResult<(StatusCode, Json<Interaction>)> {
    crate::get(&state.db, &principal.scope, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(crate::log_interaction(&state.db, &principal.scope, id, new).await?),
    ))
}

/// Which duplicate to merge into a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Merge {
    /// The duplicate; it is removed after its contacts, interactions and owners move over.
    pub duplicate_id: ClientId,
}

/// Merges a duplicate into this client, keeping every contact and interaction (managers and admins).
#[utoipa::path(post, path = "/api/v1/clients/{id}/merge", tag = "clients", params(("id" = Uuid, Path)),
    request_body = Merge,
    responses((status = 200, body = Client), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn merge_clients(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(merge): ApiJson<Merge>,
) -> AppResult<Json<Client>> {
    Ok(Json(
        crate::merge(&state.db, &principal.scope, &actor, id, merge.duplicate_id).await?,
    ))
}

/// Moving clients from one person to another.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reassignment {
    /// Who owns them now (for example someone leaving).
    pub from_person_id: PersonId,
    /// Who takes them over.
    pub to_person_id: PersonId,
}

/// How many clients moved.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Reassigned {
    /// Clients moved.
    pub clients: u64,
}

/// Moves every client of one person to another in one action (owners and admins).
#[utoipa::path(post, path = "/api/v1/clients/reassign", tag = "clients", request_body = Reassignment,
    responses((status = 200, body = Reassigned), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn reassign_clients(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(request): ApiJson<Reassignment>,
) -> AppResult<Json<Reassigned>> {
    let moved = crate::reassign(
        &state.db,
        &principal.scope,
        &actor,
        request.from_person_id,
        request.to_person_id,
    )
    .await?;
    Ok(Json(Reassigned { clients: moved }))
}

/// The filtered client list as CSV (UTF-8 with BOM, for spreadsheets); formula-like cells are neutralised.
#[utoipa::path(get, path = "/api/v1/clients/export.csv", tag = "clients", params(ClientFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem)))]
async fn export_clients(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(filter): ApiQuery<ClientFilter>,
) -> AppResult<Response> {
    export(&state, &principal, filter, Format::Csv).await
}

/// The filtered client list as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/clients/export.xlsx", tag = "clients", params(ClientFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = String),
        (status = 401, body = Problem)))]
async fn export_clients_xlsx(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(filter): ApiQuery<ClientFilter>,
) -> AppResult<Response> {
    export(&state, &principal, filter, Format::Xlsx).await
}

async fn export(
    state: &AppState,
    principal: &Principal,
    mut filter: ClientFilter,
    format: Format,
) -> AppResult<Response> {
    filter.limit = Some(filter.limit.unwrap_or(store::MAX_LIST));
    let list = crate::list(&state.db, &principal.scope, &filter).await?;
    clients_table(&list).download(format, "clients")
}

/// Clients as a spreadsheet table, in the columns the import reads back.
pub(crate) fn clients_table(list: &[Client]) -> Table {
    let joined = |parts: Vec<&str>| parts.join(";");
    Table {
        headers: vec![
            "code",
            "name",
            "type",
            "status",
            "phone",
            "email",
            "gstin",
            "category",
            "territory",
            "tags",
            "address",
            "latitude",
            "longitude",
            "owners",
        ],
        rows: list
            .iter()
            .map(|c| {
                vec![
                    c.code.clone().into(),
                    c.name.clone().into(),
                    c.client_type.clone().into(),
                    c.status.as_str().into(),
                    c.phone.clone().into(),
                    c.email.clone().into(),
                    c.gstin.clone().into(),
                    c.category.clone().into(),
                    c.territory.clone().into(),
                    c.tags.join(";").into(),
                    c.address.clone().into(),
                    c.location.map_or(Cell::Empty, |p| p.latitude.into()),
                    c.location.map_or(Cell::Empty, |p| p.longitude.into()),
                    joined(c.owners.iter().map(|o| o.name.as_str()).collect()).into(),
                ]
            })
            .collect(),
    }
}

/// A client's follow-up tasks, open ones first by due date.
#[utoipa::path(get, path = "/api/v1/clients/{id}/tasks", tag = "clients", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Task>), (status = 404, body = Problem)))]
async fn client_tasks(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<ClientId>,
) -> AppResult<Json<Vec<Task>>> {
    Ok(Json(
        tasks::of_client(&state.db, &principal.scope, id).await?,
    ))
}

/// Adds a follow-up task on a client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/tasks", tag = "clients", params(("id" = Uuid, Path)),
    request_body = NewTask,
    responses((status = 201, body = Task), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_task(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<ClientId>,
    ApiJson(new): ApiJson<NewTask>,
) -> AppResult<(StatusCode, Json<Task>)> {
    let task = tasks::add(&state.db, &principal.scope, &actor, id, new).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

/// Marks a task done (its assignee, or a manager or admin).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/done", tag = "clients", params(("id" = Uuid, Path)),
    responses((status = 200, body = Task), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn complete_task(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Task>> {
    Ok(Json(
        tasks::complete(&state.db, &principal.scope, &actor, id).await?,
    ))
}

/// Up to which day.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct DueQuery {
    /// Tasks due on or before this date (default today in the company's zone).
    pub until: Option<chrono::NaiveDate>,
}

/// The caller's open follow-up tasks due by a date, overdue ones included.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "clients", params(DueQuery),
    responses((status = 200, body = Vec<Task>)))]
async fn my_tasks(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<DueQuery>,
) -> AppResult<Json<Vec<Task>>> {
    let until = match query.until {
        Some(until) => until,
        None => outfield_core::companies::today(&state.db, &principal.scope).await?,
    };
    Ok(Json(tasks::mine(&state.db, &principal.scope, until).await?))
}
