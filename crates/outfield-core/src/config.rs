//! Settings of a running server, from flags or `OUTFIELD_…` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ipnet::IpNet;

use crate::db::{Db, Migrations};

/// Everything `outfield serve` (and the admin commands that share its database) can be told.
#[derive(Debug, Clone, Args)]
pub struct ServerConfig {
    /// Address and port to listen on.
    #[arg(long, env = "OUTFIELD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the embedded SQLite database and local uploads.
    #[arg(long, env = "OUTFIELD_DATA_DIR", default_value = "./outfield-data")]
    pub data_dir: PathBuf,

    /// PostgreSQL URL (postgres://user@host/db); when absent, SQLite in the data directory is used.
    #[arg(long, env = "OUTFIELD_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Public base URL used in links sent to people (invites, password resets).
    /// Defaults to http://<listen address>.
    #[arg(long, env = "OUTFIELD_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Reverse proxies whose X-Forwarded-For header is believed (comma-separated addresses or CIDRs).
    /// Client addresses in the audit trail and rate limits come from the connection otherwise.
    #[arg(long, env = "OUTFIELD_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,

    /// PostgreSQL URL of the role that owns the schema, used only at start to bring the schema up to date
    /// (and to let the role of --database-url act as the server). With it, the server itself can connect
    /// as a login role that owns nothing and holds no privilege beyond that. Without it, the server's own
    /// connection migrates.
    #[arg(long, env = "OUTFIELD_MIGRATE_DATABASE_URL")]
    pub migrate_database_url: Option<String>,

    /// Most connections one instance opens to PostgreSQL (instances × this must stay below the
    /// server's `max_connections`).
    #[arg(long, env = "OUTFIELD_DATABASE_CONNECTIONS", default_value_t = crate::db::DEFAULT_POSTGRES_CONNECTIONS)]
    pub database_connections: u32,

    /// Mark cookies Secure. Turn on whenever the server is reached over HTTPS (directly or via a proxy).
    #[arg(long, env = "OUTFIELD_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Map tiles for the console's maps ({z}/{x}/{y} URL template); empty for no tiles, e.g. offline.
    #[arg(
        long,
        env = "OUTFIELD_MAP_TILES",
        default_value = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )]
    pub map_tiles: String,

    /// Attribution shown on the maps, as the tile server's terms require.
    #[arg(
        long,
        env = "OUTFIELD_MAP_ATTRIBUTION",
        default_value = "© OpenStreetMap contributors"
    )]
    pub map_attribution: String,
}

impl ServerConfig {
    /// The base of links in invitations and resets, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Connects to the configured database once its schema is up to date: migrated through the schema
    /// owner's URL when one is configured, else through the server's own connection.
    pub async fn connect_migrated(&self, migrations: &Migrations) -> anyhow::Result<Db> {
        let url = self.database_url()?;
        if let Some(owner_url) = &self.migrate_database_url {
            let owner = Db::connect(owner_url, 1).await?;
            owner.migrate(migrations).await?;
            let login = url::Url::parse(&url)
                .context("invalid database URL")?
                .username()
                .to_string();
            if !login.is_empty() {
                owner.grant_server_role(&login).await?;
            }
            owner.close().await;
            let db = Db::connect(&url, self.database_connections).await?;
            db.check_server_role().await?;
            return Ok(db);
        }
        let db = Db::connect(&url, self.database_connections).await?;
        db.migrate(migrations).await?;
        db.check_server_role().await?;
        Ok(db)
    }

    /// For commands that read an existing installation (`audit verify`): refuses a data directory that
    /// holds no database, instead of creating an empty one and reporting on nothing.
    pub fn require_existing_database(&self) -> anyhow::Result<()> {
        let file = self.data_dir.join("outfield.db");
        if self.database_url.is_none() && !file.exists() {
            anyhow::bail!(
                "there is no Outfield database at {}: give the server's --data-dir (or --database-url)",
                file.display()
            );
        }
        Ok(())
    }

    /// The database URL to connect to: the configured PostgreSQL or SQLite in the data directory.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => crate::db::Db::sqlite_url_for(&self.data_dir),
        }
    }
}
