//! The core every Outfield feature stands on (`docs/ARCHITECTURE.md`): the store and its tenancy, errors,
//! configuration, identity and access (`auth` is the only place a `Scope` is made), people, companies
//! and their settings, the audit trail, privacy consent, notifications, the file service, the sync
//! record types, and the small HTTP and console kit. It knows no feature crate: features depend on it,
//! never the other way.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod companies;
pub mod config;
pub mod console;
pub mod db;
pub mod error;
pub mod export;
pub mod files;
pub mod geo;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod instance;
pub mod notifications;
pub mod people;
pub mod privacy;
pub mod state;
pub mod sync;
pub mod text;
