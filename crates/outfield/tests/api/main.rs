//! Black-box tests of the Outfield server over HTTP, each run against SQLite and PostgreSQL.

// A test or benchmark stops at the first surprise: unwrapping is its failure report, and a scenario
// reads best as one long function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod activity;
mod audit;
mod auth;
mod bad_input;
mod clients;
mod console;
mod console_tenancy;
mod exceptions;
mod files;
mod hardening;
mod helpers;
mod limits;
mod openapi;
mod people;
mod performance;
mod platform;
mod schema;
mod sync;
mod tenancy;
