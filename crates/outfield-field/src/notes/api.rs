//! JSON endpoint for reading field notes.

use axum::extract::State;
use axum::Json;
use outfield_core::ids::PersonId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::notes::{self, Note};
use outfield_core::auth::Principal;
use outfield_core::error::{AppResult, Problem};
use outfield_core::http::extract::ApiPath;
use outfield_core::state::AppState;

/// Routes of this module.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notes))
}

/// A person's field notes, newest first (the person, their managers, admins).
#[utoipa::path(get, path = "/api/v1/people/{id}/notes", tag = "field", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Note>), (status = 404, body = Problem)))]
async fn list_notes(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<PersonId>,
) -> AppResult<Json<Vec<Note>>> {
    Ok(Json(
        notes::of_person(&state.db, &principal.scope, id).await?,
    ))
}
