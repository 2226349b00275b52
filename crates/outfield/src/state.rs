//! The state every request handler shares.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::ServerConfig;
use crate::db::Db;

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
}

impl AppState {
    /// Bundles the parts.
    pub fn new(db: Db, config: ServerConfig, metrics: PrometheusHandle) -> Self {
        AppState(Arc::new(Inner {
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
