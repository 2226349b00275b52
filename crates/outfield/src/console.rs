//! The console's route composition: the kit's assets and every feature's pages, and `/`, which sends a
//! signed-in person to the page they last viewed.

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use outfield_core::console::ConsoleUser;
use outfield_core::people::domain::ConsolePath;
use outfield_core::state::AppState;

/// Console routes of every feature.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(outfield_core::console::asset_routes())
        .merge(outfield_core::auth::console::routes())
        .merge(outfield_core::people::console::routes())
        .merge(outfield_core::companies::console::routes())
        .merge(outfield_core::audit::console::routes())
        .merge(outfield_core::privacy::console::routes())
        .merge(outfield_clients::console::routes())
        .merge(outfield_field::console_routes())
}

async fn home(user: Option<ConsoleUser>) -> Redirect {
    match user {
        Some(user) => Redirect::to(
            user.0
                .last_view
                .as_ref()
                .map_or("/console", ConsolePath::as_str),
        ),
        None => Redirect::to("/sign-in"),
    }
}
