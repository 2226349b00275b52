//! JSON endpoints of the sync protocol.

use axum::extract::{DefaultBodyLimit, State};
use axum::Json;
use outfield_core::audit::Acting;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::sync::{self, RecordEnvelope, RecordResult, MAX_PUSH_BYTES};
use outfield_core::auth::Principal;
use outfield_core::error::{AppResult, Problem};
use outfield_core::feature::PullSection;
use outfield_core::http::extract::{ApiQuery, BatchJson};
use outfield_core::notifications::{self, Notification};
use outfield_core::privacy::{self, ConsentState, Notice};
use outfield_core::state::AppState;
use utoipa::openapi::OpenApi as OpenApiDoc;

/// Routes of this module; pushes may be larger than other bodies.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push))
        .layer(DefaultBodyLimit::max(MAX_PUSH_BYTES))
        .routes(routes!(pull))
}

/// A batch of records made on a device.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Up to 1000 records (and 2 MiB). Each is checked on its own.
    #[schema(value_type = Vec<RecordEnvelope>)]
    pub records: Vec<Box<serde_json::value::RawValue>>,
}

/// The answer to a push: one result per record, in batch order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushResponse {
    /// Per-record results.
    pub results: Vec<RecordResult>,
    /// The server's clock (Unix ms), so the app can show how far off its own is.
    pub server_time: i64,
}

/// Pushes records. Replays are answered `duplicate`; an id reused with other content is `rejected`.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 413, body = Problem)))]
async fn push(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    BatchJson(request): BatchJson<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    let results = sync::push(
        &state.db,
        &state.writes,
        &principal,
        &actor,
        request.records,
    )
    .await?;
    Ok(Json(PushResponse {
        results,
        server_time: outfield_core::clock::now_ms(),
    }))
}

/// Where the device is in its feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor of the previous pull (0 the first time).
    pub cursor: Option<i64>,
}

/// What is new for the device's person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PullResponse {
    /// Pass this as `cursor` next time.
    pub cursor: i64,
    /// Notifications after the cursor, oldest first (at most 500; pull again while `more`).
    pub notifications: Vec<Notification>,
    /// Whether more notifications wait.
    pub more: bool,
    /// The company's current privacy notice.
    pub privacy_notice: Notice,
    /// The person's current consent per permission, as the server has recorded it.
    pub consents: Vec<ConsentState>,
    /// Each feature's pull sections, under their names (`duty`: the person's open working day, or
    /// `null` when none is open); documented by `document_pull_sections`.
    #[serde(flatten)]
    #[schema(ignore)]
    pub sections: serde_json::Map<String, serde_json::Value>,
    /// The server's clock (Unix ms).
    pub server_time: i64,
}

/// Pulls what is new since a cursor.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", params(PullQuery),
    responses((status = 200, body = PullResponse), (status = 401, body = Problem)))]
async fn pull(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> AppResult<Json<PullResponse>> {
    let scope = &principal.scope;
    let cursor = query.cursor.unwrap_or(0).max(0);
    let mut tx = state.db.tenant_read(scope).await?;
    let mut notifications =
        notifications::since(&mut tx, scope.company_id(), scope.person_id(), cursor, 501).await?;
    let more = notifications.len() > 500;
    notifications.truncate(500);
    let privacy_notice = privacy::current_notice(&mut tx, scope.company_id()).await?;
    let consents =
        privacy::current_consents(&mut tx, scope.company_id(), scope.person_id()).await?;
    let mut sections = serde_json::Map::new();
    for section in pull_sections() {
        sections.insert(
            section.name.to_string(),
            (section.read)(&mut tx, scope).await?,
        );
    }
    tx.commit().await?;
    Ok(Json(PullResponse {
        cursor: notifications.last().map(|n| n.seq).unwrap_or(cursor),
        notifications,
        more,
        privacy_notice,
        consents,
        sections,
        server_time: outfield_core::clock::now_ms(),
    }))
}

fn pull_sections() -> impl Iterator<Item = &'static PullSection> {
    crate::FEATURES.iter().flat_map(|feature| feature.pull)
}

/// Gives a section's schema its description, where the schema can hold one.
fn describe(schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>, text: &str) {
    use utoipa::openapi::schema::Schema;
    let description = Some(text.to_string());
    match schema {
        utoipa::openapi::RefOr::T(Schema::OneOf(one_of)) => one_of.description = description,
        utoipa::openapi::RefOr::T(Schema::Object(object)) => object.description = description,
        utoipa::openapi::RefOr::T(Schema::Array(array)) => array.description = description,
        utoipa::openapi::RefOr::Ref(reference) => reference.description = text.to_string(),
        _ => {}
    }
}

/// Adds each feature's pull section to the documented answer of a pull, with the schemas it names.
pub fn document_pull_sections(mut doc: OpenApiDoc) -> OpenApiDoc {
    let components = doc.components.get_or_insert_with(Default::default);
    let mut named = Vec::new();
    let properties: Vec<_> = pull_sections()
        .map(|section| {
            let mut schema = (section.schema)(&mut named);
            describe(&mut schema, section.description);
            (section.name, schema)
        })
        .collect();
    components.schemas.extend(named);
    if let Some(utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(answer))) =
        components.schemas.get_mut("PullResponse")
    {
        answer.properties.extend(
            properties
                .into_iter()
                .map(|(name, schema)| (name.to_string(), schema)),
        );
    }
    doc
}
