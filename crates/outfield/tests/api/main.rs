//! Black-box tests of the Outfield server over HTTP, each run against SQLite and PostgreSQL.

mod activity;
mod audit;
mod auth;
mod bad_input;
mod clients;
mod console;
mod files;
mod hardening;
mod helpers;
mod openapi;
mod people;
mod platform;
mod schema;
mod sync;
mod tenancy;
