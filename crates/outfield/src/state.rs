//! The state every request handler shares.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::ServerConfig;
use crate::db::Db;
use crate::tracking::writer::FixWriter;

/// Shared, cheaply cloned handle to the database, settings and metrics registry.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The store.
    pub db: Db,
    /// The server's settings.
    pub config: ServerConfig,
    /// Renders the Prometheus exposition at `/metrics`.
    pub metrics: PrometheusHandle,
    /// Stores position batches, committing concurrent ones together on SQLite.
    pub fix_writer: FixWriter,
}

impl AppState {
    /// Bundles the parts and starts the position writer (inside a Tokio runtime).
    pub fn new(db: Db, config: ServerConfig, metrics: PrometheusHandle) -> Self {
        AppState(Arc::new(Inner {
            fix_writer: FixWriter::start(db.clone()),
            db,
            config,
            metrics,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
