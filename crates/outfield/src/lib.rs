//! Outfield: self-hosted sales force automation. This crate is the binary's composition: the router
//! that joins every feature crate's routes, the middleware and OpenAPI document, the sync dispatcher,
//! the field app, background jobs, the demo and the migrations. See `docs/ARCHITECTURE.md`.

pub mod console;
pub mod demo;
pub mod field_app;
pub mod jobs;
pub mod sync;
pub mod web;

use std::net::SocketAddr;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use outfield_core::config::ServerConfig;
use outfield_core::db::Migrations;
use outfield_core::feature::Feature;
use outfield_core::state::AppState;

/// The schema of every feature, one ordered set per backend.
pub static MIGRATIONS: Migrations = Migrations {
    sqlite: sqlx::migrate!("migrations/sqlite"),
    postgres: sqlx::migrate!("migrations/postgres"),
};

/// A server bound to its port and ready to accept connections.
pub struct Server {
    /// The address it listens on (useful when the configured port was 0).
    pub addr: SocketAddr,
    /// The state it serves with (tests and the demo reach the database through it).
    pub state: AppState,
    listener: TcpListener,
}

impl Server {
    /// Connects to the database, runs migrations, runs each feature's start-up work (the client search
    /// index is rebuilt if its rules changed), and binds the listener.
    pub async fn bind(config: ServerConfig) -> anyhow::Result<Server> {
        install_features();
        let db = config.connect_migrated(&MIGRATIONS).await?;
        for start in FEATURES.iter().filter_map(|feature| feature.on_start) {
            start(&db).await?;
        }
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
        let mut jobs = jobs::spawn(&self.state.db);
        let served = axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        // Every job stops before the last sealing below, so no sealer is still at work beside it.
        jobs.shutdown().await;
        // What is still pending is sealed now rather than by the next instance to start.
        if let Err(error) = outfield_core::audit::seal::seal_all(&self.state.db).await {
            tracing::warn!(%error, "sealing the audit trail at shutdown failed; the next start seals it");
        }
        self.state.db.close().await;
        Ok(served?)
    }
}

/// Every feature of the product, the platform first. Routes, the OpenAPI document, sync, jobs, words,
/// audit actions, the merge of duplicate clients and the schema tests are composed from this list: a new
/// feature crate is one line here (see `docs/ARCHITECTURE.md`).
pub static FEATURES: &[&Feature] = &[
    &outfield_core::PLATFORM,
    &outfield_clients::FEATURE,
    &outfield_field::FEATURE,
];

/// Hands the feature list to the lower layers that consult every feature: the console's words, the
/// trail's actions and the merge of duplicate clients.
pub fn install_features() {
    outfield_core::feature::install(FEATURES);
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
