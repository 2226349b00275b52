//! The field activity feature crate (`outfield-field`): duty days and leave (`attendance`), positions
//! and trails (`tracking`), beats and visits (`visits`), field notes (`notes`) and the activity report
//! (`reports`), and the exceptions that need a manager now (`exceptions`). A person's day is assembled here, in `tracking::day`. Each module exposes its API
//! routes; [`console_routes`] gathers the pages and [`RECORD_KINDS`] the sync records applied here.

pub mod actions;
pub mod attendance;
pub(crate) mod chart;
pub mod exceptions;
pub mod notes;
mod overview;
pub mod reports;
pub mod tracking;
pub mod visits;

/// The Hindi wordings of the field-activity pages (see `outfield_core::i18n`).
pub const HINDI: &str = include_str!("../i18n/hi.json");

use axum::Router;
use outfield_core::state::AppState;
use outfield_core::sync::RecordKind;

/// The console pages of field activity.
pub fn console_routes() -> Router<AppState> {
    Router::new()
        .merge(overview::console::routes())
        .merge(tracking::console::routes())
        .merge(attendance::console::routes())
        .merge(attendance::month::routes())
        .merge(visits::console::routes())
        .merge(visits::planner::routes())
        .merge(reports::console::routes())
        .merge(reports::person::routes())
}

/// The field tables whose rows name a client, moved to the kept client when duplicates are merged.
pub const CLIENT_REFERENCES: &[outfield_clients::store::ClientReference] = &[
    outfield_clients::store::ClientReference {
        table: "visits",
        column: "client_id",
    },
    outfield_clients::store::ClientReference {
        table: "visit_plans",
        column: "client_id",
    },
    outfield_clients::store::ClientReference {
        table: "location_corrections",
        column: "client_id",
    },
];

/// The sync records field activity applies (`fix` records are stored in bulk by `tracking` and routed
/// by the dispatcher itself).
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        name: "note",
        apply: |tx, scope, _, record| Box::pin(notes::apply(tx, scope, record)),
    },
    RecordKind {
        name: "day_start",
        apply: |tx, scope, actor, record| {
            Box::pin(attendance::apply_day_start(tx, scope, actor, record))
        },
    },
    RecordKind {
        name: "day_end",
        apply: |tx, scope, actor, record| {
            Box::pin(attendance::apply_day_end(tx, scope, actor, record))
        },
    },
    RecordKind {
        name: "pause_start",
        apply: |tx, scope, _, record| Box::pin(attendance::apply_pause(tx, scope, record, true)),
    },
    RecordKind {
        name: "pause_end",
        apply: |tx, scope, _, record| Box::pin(attendance::apply_pause(tx, scope, record, false)),
    },
    RecordKind {
        name: "check_in",
        apply: |tx, scope, actor, record| {
            Box::pin(visits::apply_check_in(tx, scope, actor, record))
        },
    },
    RecordKind {
        name: "check_out",
        apply: |tx, scope, actor, record| {
            Box::pin(visits::apply_check_out(tx, scope, actor, record))
        },
    },
    RecordKind {
        name: "location_correction",
        apply: |tx, scope, _, record| Box::pin(visits::apply_correction(tx, scope, record)),
    },
];
