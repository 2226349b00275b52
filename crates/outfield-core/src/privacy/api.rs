//! JSON endpoints of the privacy notice and the consent ledger.

use crate::audit::Acting;
use crate::ids::PersonId;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use crate::privacy::{self, ConsentEntry, Notice};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_notice, publish_notice))
        .routes(routes!(consent_ledger))
}

/// The company's current privacy notice.
#[utoipa::path(get, path = "/api/v1/privacy/notice", tag = "privacy",
    responses((status = 200, body = Notice), (status = 401, body = Problem)))]
async fn get_notice(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Notice>> {
    let mut tx = state.db.tenant_read(&principal.scope).await?;
    let notice = privacy::current_notice(&mut tx, principal.scope.company_id()).await?;
    tx.commit().await?;
    Ok(Json(notice))
}

/// A new notice text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoticeText {
    /// The full text (20–20,000 characters).
    #[schema(schema_with = notice_rule)]
    pub body: String,
    /// The same notice in other interface languages, by language code (`hi`), 20–20,000 characters
    /// each; a language left out (or left blank) shows `body`.
    #[serde(default)]
    #[schema(schema_with = translations_rule)]
    pub translations: BTreeMap<String, String>,
}

/// Publishes a new version of the privacy notice (owners and admins); every employee is asked again.
#[utoipa::path(put, path = "/api/v1/privacy/notice", tag = "privacy", request_body = NoticeText,
    responses((status = 200, body = Notice), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn publish_notice(
    State(state): State<AppState>,
    Acting { principal, actor }: Acting,
    ApiJson(text): ApiJson<NoticeText>,
) -> AppResult<Json<Notice>> {
    Ok(Json(
        privacy::publish_notice(
            &state.db,
            &principal,
            &actor,
            &text.body,
            &text.translations,
        )
        .await?,
    ))
}

/// A person's consent ledger, newest first (the person, their managers, admins).
#[utoipa::path(get, path = "/api/v1/people/{id}/consents", tag = "privacy", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ConsentEntry>), (status = 404, body = Problem)))]
async fn consent_ledger(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<PersonId>,
) -> AppResult<Json<Vec<ConsentEntry>>> {
    Ok(Json(
        privacy::ledger_of(&state.db, &principal.scope, id).await?,
    ))
}

fn notice_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    crate::text::schema_of(crate::text::text_schema(20, 20_000))
}

/// An object with one optional text per other language: blank, or a notice's text.
fn translations_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
    let blank = crate::text::trimmed_pattern_schema("");
    let hindi = OneOfBuilder::new()
        .item(crate::text::schema_of(blank))
        .item(notice_rule());
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("hi", hindi)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}
