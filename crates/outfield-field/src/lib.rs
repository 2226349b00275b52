//! The field activity feature crate (`outfield-field`): duty days and leave (`attendance`), positions
//! and trails (`tracking`), beats and visits (`visits`), field notes (`notes`) and the activity report
//! (`reports`), and the exceptions that need a manager now (`exceptions`). A person's day is assembled here, in `tracking::day`. Each module exposes its API
//! routes; [`console_routes`] gathers the pages and [`RECORD_KINDS`] the sync records applied here; [`FEATURE`] hands it all to the binary.

pub mod actions;
pub mod attendance;
pub(crate) mod chart;
pub mod exceptions;
pub mod notes;
mod overview;
pub mod reports;
pub mod settings;
pub mod tracking;
pub mod visits;

/// The Hindi wordings of the field-activity pages (see `outfield_core::i18n`).
pub const HINDI: &str = include_str!("../i18n/hi.json");

use std::time::Duration;

use axum::Router;
use outfield_core::db::Db;
use outfield_core::feature::{nullable, ClientHolders, Erasure, Feature, Job, PullSection, Table};
use outfield_core::state::AppState;
use outfield_core::sync::RecordKind;
use utoipa_axum::router::OpenApiRouter;

/// Field activity as the binary composes it.
pub static FEATURE: Feature = Feature {
    name: "outfield-field",
    api: api_routes,
    console: console_routes,
    hindi: HINDI,
    actions: actions::ALL,
    record_kinds: RECORD_KINDS,
    pull: &[PullSection {
        name: "duty",
        description:
            "The person's open working day, or `null` when none is open (never started, ended, \
            or ended by the server at the company's end-of-day).",
        schema: nullable::<attendance::OpenDuty>,
        read: |tx, scope| {
            Box::pin(async move {
                let duty = attendance::open_duty(tx, scope.company_id(), scope.person_id()).await?;
                Ok(serde_json::to_value(duty).map_err(anyhow::Error::from)?)
            })
        },
    }],
    jobs: JOBS,
    on_start: None,
    tables: TABLES,
    // A client on a person's visit plan is within reach of whoever sees that person.
    client_holders: &[ClientHolders {
        table: "visit_plans",
        client_column: "client_id",
        person_column: "person_id",
    }],
};

/// The API routes of field activity.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(notes::api::routes())
        .merge(attendance::api::routes())
        .merge(tracking::api::routes())
        .merge(visits::api::routes())
        .merge(reports::api::routes())
}

/// Queued days whose summaries are computed per run.
const SUMMARIES_PER_RUN: i64 = 500;

const JOBS: &[Job] = &[
    Job {
        name: "computing daily summaries",
        every: Duration::from_secs(1),
        run: |db, _| {
            Box::pin(async move {
                Ok(tracking::summary::drain(db, SUMMARIES_PER_RUN)
                    .await
                    .map(drop)?)
            })
        },
    },
    Job {
        name: "looking for exceptions only the clock shows",
        every: Duration::from_secs(60),
        run: |db, now| Box::pin(async move { Ok(exceptions::sweep(db, now).await.map(drop)?) }),
    },
    Job {
        name: "ending days left open",
        every: Duration::from_secs(300),
        run: |db, now| Box::pin(end_open_days(db, now)),
    },
    Job {
        name: "deleting positions past retention",
        every: Duration::from_secs(300),
        run: |db, now| Box::pin(purge_expired_fixes(db, now)),
    },
];

/// Ends days left open past each company's end-of-day minute.
async fn end_open_days(db: &Db, now: i64) -> anyhow::Result<()> {
    let mut tx = db.system().await?;
    let ended = attendance::auto_end_open_days(&mut tx, now).await?;
    tx.commit().await?;
    if ended > 0 {
        tracing::info!(
            ended,
            "days ended automatically at the company's end of day"
        );
    }
    Ok(())
}

/// Deletes raw positions older than each company's retention period.
async fn purge_expired_fixes(db: &Db, now: i64) -> anyhow::Result<()> {
    let mut tx = db.system().await?;
    let deleted = tracking::purge_expired_fixes(&mut tx, now).await?;
    tx.commit().await?;
    if deleted > 0 {
        tracing::info!(deleted, "positions past retention deleted");
    }
    Ok(())
}

/// An attendance register is a wage record the company must keep.
const ATTENDANCE: Erasure = Erasure::Keep("attendance is a wage record the company must keep");

const TABLES: &[Table] = &[
    Table::owned("duty_days").naming_people(&[("person_id", ATTENDANCE)]),
    Table::owned("duty_pauses").naming_people(&[("person_id", ATTENDANCE)]),
    Table::owned("leaves")
        .naming_people(&[("person_id", ATTENDANCE), ("marked_by", Erasure::Unlink)]),
    Table::owned("fixes").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("day_summaries").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("summary_queue").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("exceptions").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("notes").naming_people(&[("person_id", Erasure::Delete)]),
    Table::owned("visit_plans")
        .naming_clients(&["client_id"])
        .naming_people(&[
            ("person_id", Erasure::Delete),
            ("created_by", Erasure::Unlink),
        ]),
    Table::owned("visits")
        .naming_clients(&["client_id"])
        .naming_people(&[("person_id", Erasure::Unlink)]),
    Table::owned("location_corrections")
        .naming_clients(&["client_id"])
        .naming_people(&[
            ("proposed_by", Erasure::Unlink),
            ("decided_by", Erasure::Unlink),
        ]),
];

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
