//! Outfield: self-hosted sales force automation. See `docs/ARCHITECTURE.md` for the map of this crate.

pub mod attendance;
pub mod audit;
pub mod auth;
pub mod clients;
pub mod clock;
pub mod companies;
pub mod config;
pub mod console;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod field_app;
pub mod files;
pub mod geo;
pub mod jobs;
pub mod notes;
pub mod notifications;
pub mod people;
pub mod privacy;
pub mod reports;
pub mod state;
pub mod sync;
pub mod text;
pub mod tracking;
pub mod visits;
pub mod web;

use std::net::SocketAddr;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use config::ServerConfig;
use state::AppState;

/// A server bound to its port and ready to accept connections.
pub struct Server {
    /// The address it listens on (useful when the configured port was 0).
    pub addr: SocketAddr,
    /// The state it serves with (tests and the demo reach the database through it).
    pub state: AppState,
    listener: TcpListener,
}

impl Server {
    /// Connects to the database, runs migrations, rebuilds the client search index if its rules changed,
    /// and binds the listener.
    pub async fn bind(config: ServerConfig) -> anyhow::Result<Server> {
        let db = config.connect_migrated().await?;
        clients::search::rebuild_if_outdated(&db).await?;
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let mut config = config;
        config.listen = addr;
        let state = AppState::new(db, config, metrics_handle())?;
        Ok(Server {
            addr,
            state,
            listener,
        })
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = web::router(self.state.clone());
        let jobs = tokio::spawn(jobs::run(self.state.db.clone()));
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        jobs.abort();
        self.state.db.close().await;
        Ok(served?)
    }
}

/// The process-wide Prometheus recorder (a recorder can be installed once per process).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
