//! Rampart's PostgreSQL storage backend, for several stateless
//! `rampart serve` replicas sharing one database (DESIGN.md §1, "distributed
//! when needed").
//!
//! [`PostgresStore`] implements [`rampart_store::Store`] with runtime
//! queries (the project builds with no database around); migrations from
//! `migrations/` are applied on connect. TLS is available for
//! `sslmode=require` URLs (rustls with the webpki roots).
//!
//! **Every write transaction first takes a transaction-scoped advisory lock**
//! (`pg_advisory_xact_lock` on [`WRITE_LOCK_KEY`]). Reading the audit
//! chain's head and inserting the next link, numbering an incident or its
//! response log, therefore happen one writer at a time across every replica;
//! the lock is released by the commit or rollback, so a crashed replica
//! cannot leave it held. There is no in-process mutex another replica would
//! miss.

mod codec;
mod driver;
mod migrate;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use rampart_store::StoreResult;
use rampart_store_sql::{Connection, Database, Transaction};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::codec::backend;
use crate::driver::Db;

/// The advisory-lock key every write transaction takes (the ASCII bytes of
/// "rampart!"); any other application sharing the database must not use it.
pub const WRITE_LOCK_KEY: i64 = 0x7261_6d70_6172_7421;

/// Connections per replica.
const MAX_CONNECTIONS: u32 = 10;

/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`Store`] in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    description: String,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`,
    /// with `?sslmode=require` for TLS) and brings its schema up to date.
    /// `StoreError::Schema` if a newer Rampart has migrated it further than
    /// this one knows.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let description = describe_options(&options);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(backend)?;
        migrate::run(&pool).await?;
        Ok(Self { pool, description })
    }

    /// Closes every connection. Dropping the store also closes them, without
    /// waiting.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `postgres://user@host:port/db`: the connection without its password.
fn describe_options(options: &PgConnectOptions) -> String {
    let host = options.get_host();
    // A socket directory is a path; brackets keep the URL readable.
    let host = if host.starts_with('/') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    format!(
        "postgres://{}@{host}:{}/{}",
        options.get_username(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    )
}

#[async_trait]
impl Database for PostgresStore {
    fn describe(&self) -> String {
        self.description.clone()
    }

    /// A transaction that first takes the advisory lock every writer takes
    /// (see the crate documentation); commit or rollback releases it.
    async fn write(&self) -> StoreResult<Box<dyn Transaction>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(Box::new(Db(tx)))
    }

    /// One snapshot for reads that span several tables.
    async fn read(&self) -> StoreResult<Box<dyn Transaction>> {
        let tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(backend)?;
        Ok(Box::new(Db(tx)))
    }

    async fn connection(&self) -> StoreResult<Box<dyn Connection>> {
        let conn = self.pool.acquire().await.map_err(backend)?;
        Ok(Box::new(Db(conn)))
    }
}

rampart_store_sql::impl_store!(PostgresStore);
