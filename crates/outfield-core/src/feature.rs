//! What a feature crate hands the binary, in one value: its routes, words, audit actions, sync records,
//! pull sections, background jobs and the tables it owns with the columns naming a person or a client.
//! The binary lists every [`Feature`] once (`outfield::FEATURES`) and composes the router, the OpenAPI
//! document, the sync dispatcher, the job loop, the merge of duplicate clients and the catalogue and
//! schema tests from that list, so a new crate is one line there plus its migration.
//!
//! The core declares the platform as a feature of its own ([`crate::PLATFORM`]), so that every table
//! with company data is claimed by exactly one feature and the schema test can say which one forgot.

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use futures_util::future::BoxFuture;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa_axum::router::OpenApiRouter;

use crate::audit::actions::Action;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::kernel::scope::Scope;
use crate::state::AppState;
use crate::sync::RecordKind;

/// Work a feature does once when an instance starts.
pub type StartUp = for<'a> fn(&'a Db) -> BoxFuture<'a, anyhow::Result<()>>;

/// Schemas by name, as an OpenAPI document's components hold them.
pub type NamedSchemas = Vec<(String, RefOr<Schema>)>;

/// One feature crate as the binary composes it.
pub struct Feature {
    /// The crate's package name (`outfield-clients`): where its pages and catalogue live.
    pub name: &'static str,
    /// Its API routes with their OpenAPI documentation.
    pub api: fn() -> OpenApiRouter<AppState>,
    /// Its console pages.
    pub console: fn() -> Router<AppState>,
    /// Its Hindi catalogue (a JSON object from English wording to Hindi).
    pub hindi: &'static str,
    /// The changes it records on the audit trail.
    pub actions: &'static [Action],
    /// The sync records devices push that it applies.
    pub record_kinds: &'static [RecordKind],
    /// What it adds to every pull, under its own key of the pull's answer.
    pub pull: &'static [PullSection],
    /// Work it does in the background, on every instance, claimed from the database.
    pub jobs: &'static [Job],
    /// Work done once when an instance starts, after the migrations (e.g. rebuilding an index whose
    /// rules changed).
    pub on_start: Option<StartUp>,
    /// Every table with company data it creates and answers for (another feature may write its rows
    /// through its functions, e.g. field activity stores its rules on the `companies` row).
    pub tables: &'static [Table],
    /// Its tables whose rows put a client within a person's reach (an owner, a visit plan): the
    /// clients feature's visibility rule is the union of them all.
    pub client_holders: &'static [ClientHolders],
}

/// A table whose rows hold a client for a person: whoever sees that person sees the client. The
/// clients feature owns the rule and asks every feature for its holders, so it reads no other feature's
/// table by name.
#[derive(Debug, Clone, Copy)]
pub struct ClientHolders {
    /// The table.
    pub table: &'static str,
    /// Its column holding the client id.
    pub client_column: &'static str,
    /// Its column holding the person's id.
    pub person_column: &'static str,
}

/// A table a feature owns, with the columns that tie its rows to a client or a person.
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Columns holding a client id: when duplicate clients are merged, rows naming the duplicate are
    /// moved to the kept client.
    pub client_columns: &'static [&'static str],
    /// Columns holding a person id, with what erasing that person does to the row. A person's export
    /// holds every row that names them in any of these columns.
    pub person_columns: &'static [(&'static str, Erasure)],
}

impl Table {
    /// A table a feature owns, naming no client or person.
    pub const fn owned(name: &'static str) -> Table {
        Table {
            name,
            client_columns: &[],
            person_columns: &[],
        }
    }

    /// The same table with its columns holding a client id.
    pub const fn naming_clients(self, client_columns: &'static [&'static str]) -> Table {
        Table {
            client_columns,
            ..self
        }
    }

    /// The same table with its columns holding a person id, each with what erasure does.
    pub const fn naming_people(self, person_columns: &'static [(&'static str, Erasure)]) -> Table {
        Table {
            person_columns,
            ..self
        }
    }
}

/// What erasing a person's data does with a row that names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erasure {
    /// The row is the person's own data (their positions, notes, sessions): it is deleted.
    Delete,
    /// The row is the company's record that the person only took part in (a task they created, a
    /// visit they made): it stays, and the column goes on naming the person's row, which erasure
    /// anonymises, so the record no longer says who it was.
    Unlink,
    /// The row is the person themself: it stays, so that what they did still names someone, with their
    /// name, contact details and password wiped.
    Anonymise,
    /// The row is derived from others (a search index): rebuilt from them, never erased on its own.
    Rebuilt,
    /// The row must be kept as it is for the reason given (a statutory or accounting record); the
    /// export says so.
    Keep(&'static str),
}

/// A part of the pull's answer that a feature fills: the device's view of something it owns.
pub struct PullSection {
    /// The key in the pull's answer (`duty`).
    pub name: &'static str,
    /// What it holds, for the API's documentation.
    pub description: &'static str,
    /// Its OpenAPI schema; schemas it refers to are added to the list.
    pub schema: fn(&mut NamedSchemas) -> RefOr<Schema>,
    /// Reads it for the device's person, inside the pull's read transaction.
    pub read: for<'a> fn(&'a mut Tx, &'a Scope) -> BoxFuture<'a, AppResult<serde_json::Value>>,
}

/// Background work a feature does every so often; safe to repeat and to run on several instances.
pub struct Job {
    /// What it does, for the log when it fails.
    pub name: &'static str,
    /// How often it runs.
    pub every: Duration,
    /// One run, at the given time (Unix ms).
    pub run: for<'a> fn(&'a Db, i64) -> BoxFuture<'a, anyhow::Result<()>>,
}

static INSTALLED: OnceLock<&'static [&'static Feature]> = OnceLock::new();

/// Installs the binary's list of features, for the lower layers that consult every feature (the
/// console's words, the trail's actions, the merge of duplicate clients). Only the first call counts:
/// the list is compiled in.
pub fn install(features: &'static [&'static Feature]) {
    INSTALLED.get_or_init(|| features);
    crate::i18n::install(&features.iter().map(|f| f.hindi).collect::<Vec<_>>());
    crate::audit::actions::install(&features.iter().map(|f| f.actions).collect::<Vec<_>>());
}

/// The installed features (none before [`install`]).
pub fn installed() -> &'static [&'static Feature] {
    INSTALLED.get().copied().unwrap_or_default()
}

/// Every table of the installed features.
pub fn tables() -> impl Iterator<Item = &'static Table> {
    installed().iter().flat_map(|feature| feature.tables)
}

/// Every (table, column) of the installed features whose rows follow a client into a merge.
pub fn client_columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    tables().flat_map(|table| table.client_columns.iter().map(|c| (table.name, *c)))
}

/// Every table of the installed features that holds clients for people, in the order of the feature
/// list (the clients feature's owners first).
pub fn client_holders() -> impl Iterator<Item = &'static ClientHolders> {
    installed()
        .iter()
        .flat_map(|feature| feature.client_holders)
}

/// The schema of an optional value of `T`, `T` added to the document's schemas: for pull sections
/// that may be `null`.
pub fn nullable<T: utoipa::ToSchema>(schemas: &mut NamedSchemas) -> RefOr<Schema> {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .item(Ref::from_schema_name(T::name()))
        .into()
}
