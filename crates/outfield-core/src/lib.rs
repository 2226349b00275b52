//! The core every Outfield feature stands on (`docs/ARCHITECTURE.md`): the store and its tenancy, errors,
//! configuration, identity and access (`auth` is the only place a `Scope` is made), people, companies
//! and their settings, the audit trail, privacy consent, notifications, the file service, the sync
//! record types, and the small HTTP and console kit. It knows no feature crate: features depend on it,
//! never the other way.

pub mod kernel;
pub use kernel::{clock, db, error, geo, http, i18n, ids, text};

pub mod audit;
pub mod auth;
pub mod companies;
pub mod config;
pub mod console;
pub mod export;
pub mod feature;
pub mod files;
pub mod instance;
pub mod notifications;
pub mod people;
pub mod privacy;
pub mod state;
pub mod sync;

use std::time::Duration;

use feature::{Erasure, Feature, Job, Table};

/// The core's own Hindi catalogue (frame, sign-in, people, companies, audit, privacy, account).
pub const HINDI: &str = include_str!("../i18n/hi.json");

/// The platform as a feature: identity and access, people, companies, the audit trail, privacy
/// consent, notifications, files and the sync ledger, with the tables they own.
pub static PLATFORM: Feature = Feature {
    name: "outfield-core",
    api: platform_api,
    console: platform_console,
    hindi: HINDI,
    actions: audit::actions::ALL,
    record_kinds: privacy::RECORD_KINDS,
    pull: &[],
    jobs: &[Job {
        name: "sealing the audit trail",
        // Well inside the second an entry may wait to be sealed.
        every: Duration::from_millis(200),
        run: |db, _| Box::pin(async move { Ok(audit::seal::seal_all(db).await.map(drop)?) }),
    }],
    on_start: None,
    tables: PLATFORM_TABLES,
    client_holders: &[],
};

fn platform_api() -> utoipa_axum::router::OpenApiRouter<state::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .merge(auth::api::routes())
        .merge(people::api::routes())
        .merge(companies::api::routes())
        .merge(audit::api::routes())
        .merge(privacy::api::routes())
        .merge(files::api::routes())
}

fn platform_console() -> axum::Router<state::AppState> {
    axum::Router::new()
        .merge(console::asset_routes())
        .merge(auth::console::routes())
        .merge(people::console::routes())
        .merge(companies::console::routes())
        .merge(audit::console::routes())
        .merge(privacy::console::routes())
}

/// Why the trail keeps who acted: it proves who changed what (its personal part is erased apart).
const TRAIL: Erasure = Erasure::Keep("the audit trail proves who changed what");

const PLATFORM_TABLES: &[Table] = &[
    Table::owned("companies"),
    Table::owned("people")
        .naming_people(&[("id", Erasure::Anonymise), ("manager_id", Erasure::Unlink)]),
    Table::owned("company_labels"),
    Table::owned("sessions").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("device_tokens").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("one_time_links").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("sign_in_devices").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("audit_log").naming_people(&[("actor_id", TRAIL)]),
    Table::owned("audit_pending").naming_people(&[("actor_id", TRAIL)]),
    Table::owned("audit_personal"),
    Table::owned("consents").naming_people(&[(
        "person_id",
        Erasure::Keep("a consent record proves what the person agreed to, and when"),
    )]),
    Table::owned("privacy_notices").naming_people(&[("published_by", Erasure::Unlink)]),
    Table::owned("notifications").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("files").naming_people(&[("person_id", Erasure::Unlink)]),
    Table::owned("attachments"),
    Table::owned("sync_records").naming_people(&[("person_id", Erasure::Delete)]),
];
