//! The co-op database: a PostgreSQL server the stations of a co-op (合作社)
//! share orders and stock through, and the county's service centre reads.
//! Owns the connection (its pool, and every error worded so a farmer can
//! act on it) and the schema with its migrations.
//!
//! Each station keeps its own SQLite store (`crate::store`) as its store
//! and outbox: confirming never waits for the co-op. What the co-op adds is
//! shared: the stock pool, each station's allocation of it (escrow: sold
//! from even while the co-op cannot be reached), every station's orders
//! and audit rows, and the decisions of a station's desks.

pub mod error;
pub mod escrow;
pub mod hub;
pub mod inbox;
pub mod link;
pub mod push;
pub mod schema;

pub use error::{CoopError, Reach};

use crate::config::CoopConfig;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::time::Duration;
use tokio_postgres::NoTls;

/// How long one connection attempt may take before the co-op counts as
/// unreachable (the station goes on alone meanwhile).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections a station keeps to the co-op: the push, the allocator, the
/// shared inbox and the hub's reads each take one.
const POOL_SIZE: usize = 4;

/// An open co-op database, migrated.
#[derive(Clone)]
pub struct Coop {
    pool: Pool,
    station: String,
    address: String,
}

/// The driver's config for `coop`: its url, the password from the
/// environment when given, a connect timeout and the station's name as the
/// application name (so the server's `pg_stat_activity` tells stations
/// apart).
pub fn pg_config(coop: &CoopConfig) -> Result<tokio_postgres::Config, CoopError> {
    let mut config: tokio_postgres::Config = coop
        .url
        .parse()
        .map_err(|e: tokio_postgres::Error| CoopError::Refused(e.to_string()))?;
    if let Some(password) = &coop.password {
        config.password(password.as_bytes());
    }
    config.connect_timeout(CONNECT_TIMEOUT);
    // A desk cut off in the middle of a transaction (a push) must not keep
    // its locks and its connection slot until TCP notices, hours later:
    // the server ends such a session after a while idle in it.
    config.options("-c idle_in_transaction_session_timeout=15000");
    config.keepalives(true);
    config.keepalives_idle(std::time::Duration::from_secs(30));
    config.application_name(format!("livestall {}", coop.station));
    Ok(config)
}

/// `host:port` of a driver config, for messages.
pub fn address(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

impl Coop {
    /// Connects and brings the schema to this build's version (refusing a
    /// newer one). Every failure is a
    /// [`CoopError`] naming what was tried.
    pub async fn open(coop: &CoopConfig) -> Result<Coop, CoopError> {
        let config = pg_config(coop)?;
        let address = address(&config);
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| CoopError::Refused(e.to_string()))?;
        let opened = Coop {
            pool,
            station: coop.station.clone(),
            address,
        };
        let mut client = opened
            .client()
            .await
            .map_err(|e| e.at(&config, &opened.address))?;
        schema::migrate(&mut client)
            .await
            .map_err(|e| e.at(&config, &opened.address))?;
        // Opening registers nothing: the hub opens it too. A station's
        // link registers its desk (`escrow::register_desk`).
        Ok(opened)
    }

    /// [`Coop::open`] of a config it owns (for spawning).
    pub async fn open_owned(coop: CoopConfig) -> Result<Coop, CoopError> {
        Coop::open(&coop).await
    }

    /// A connection from the pool (a new one when the pool has none free).
    pub async fn client(&self) -> Result<deadpool_postgres::Object, CoopError> {
        self.pool.get().await.map_err(|error| match error {
            deadpool_postgres::PoolError::Backend(db) => CoopError::from_db(db),
            deadpool_postgres::PoolError::Timeout(_) => CoopError::Unreachable {
                address: self.address.clone(),
                why: Reach::Timeout,
            },
            other => CoopError::Refused(other.to_string()),
        })
    }

    pub fn station(&self) -> &str {
        &self.station
    }

    /// `host:port` of the co-op database.
    pub fn address(&self) -> &str {
        &self.address
    }
}
