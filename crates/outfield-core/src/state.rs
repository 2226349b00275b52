//! The state every request handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::client::TrustedProxies;
use crate::config::ServerConfig;
use crate::db::group_commit::GroupCommit;
use crate::db::Db;
use crate::files::FileStore;

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
    /// Runs writes that arrive together in one transaction on SQLite (position batches, client creates).
    pub writes: GroupCommit,
    /// Uploaded photos, voice notes and selfies.
    pub files: FileStore,
    /// The proxies whose forwarded headers are believed (from `config`, shared with every request).
    pub trusted_proxies: TrustedProxies,
}

impl AppState {
    /// Bundles the parts, opens the file store under the data directory and starts the group-commit
    /// writer (inside a Tokio runtime).
    pub fn new(db: Db, config: ServerConfig, metrics: PrometheusHandle) -> anyhow::Result<Self> {
        Ok(AppState(Arc::new(Inner {
            writes: GroupCommit::start(db.clone())?,
            files: FileStore::local(&config.data_dir.join("files"))?,
            trusted_proxies: TrustedProxies(config.trusted_proxies.clone().into()),
            db,
            config,
            metrics,
        })))
    }
}

/// The extractors of the platform's lower layers ask for the parts they need, not for the whole state.
impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Db {
        state.db.clone()
    }
}

/// The client-address extractor's part of the state.
impl FromRef<AppState> for TrustedProxies {
    fn from_ref(state: &AppState) -> TrustedProxies {
        state.trusted_proxies.clone()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
