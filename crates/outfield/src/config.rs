//! Settings of a running server, from flags or `OUTFIELD_…` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use ipnet::IpNet;

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

    /// Connects to the configured database.
    pub async fn connect_db(&self) -> anyhow::Result<crate::db::Db> {
        crate::db::Db::connect(&self.database_url()?, self.database_connections).await
    }

    /// The database URL to connect to: the configured PostgreSQL or SQLite in the data directory.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => crate::db::Db::sqlite_url_for(&self.data_dir),
        }
    }
}
