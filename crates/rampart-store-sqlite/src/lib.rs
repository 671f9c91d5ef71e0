//! Rampart's embedded storage backend: one SQLite file in the data
//! directory (DESIGN.md §1, "embedded by default").
//!
//! [`SqliteStore`] implements [`rampart_store::Store`] with runtime queries
//! (the project builds with no database around). The file runs in WAL mode
//! with foreign keys on; migrations from `migrations/` are applied when it
//! opens.
//!
//! **Every write transaction starts with `BEGIN IMMEDIATE`**, which takes
//! SQLite's single write lock before the transaction reads anything. Reading
//! the audit chain's head and inserting the next link, or finding the
//! year's highest incident number and using the next, therefore cannot
//! interleave with another writer — in this process or another one opened
//! on the same file. There is no in-process mutex to keep in step with it.

mod codec;
mod driver;
mod migrate;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rampart_store::{StoreError, StoreResult};
use rampart_store_sql::{Connection, Database, Transaction};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::codec::backend;
use crate::driver::{Db, WriteTx};

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "rampart.db";

/// How long a connection waits for another writer's lock before failing.
/// Write transactions are short; five seconds covers a burst of them
/// without hanging a request forever.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in the pool. SQLite runs one writer at a time anyway; the
/// rest serve concurrent readers, which WAL lets run beside the writer.
const MAX_CONNECTIONS: u32 = 8;

/// A [`Store`] in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
    /// This process's writers take turns here before `BEGIN IMMEDIATE`.
    /// SQLite serialises writers anyway (and still does across processes);
    /// queueing in-process first spares them its busy handler's sleeps,
    /// which under load turn into a long latency tail.
    write_turn: Arc<tokio::sync::Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating it and its parent directory if needed) the database
    /// at `path` and brings its schema up to date. `StoreError::Schema` if
    /// a newer Rampart has migrated it further than this one knows.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(StoreError::backend)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // WAL with NORMAL loses no committed transaction on a process
            // crash; only a power failure can undo the last few commits.
            .synchronous(SqliteSynchronous::Normal);
        let pool = connect(options).await?;
        migrate::run(&pool).await?;
        Ok(Self {
            pool,
            path: path.to_owned(),
            write_turn: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Opens `dir/rampart.db`, creating `dir` if needed.
    pub async fn open_in_data_dir(dir: &Path) -> StoreResult<Self> {
        Self::open(&dir.join(DATABASE_FILE)).await
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, checkpointing the WAL. Dropping the store
    /// also closes them, without waiting.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Connects, waiting out a process that is creating the same file. Turning
/// a new file to WAL needs a lock SQLite's busy timeout does not wait for,
/// so two processes opening a fresh data directory at once (a server and
/// `rampart user create`) would otherwise see "database is locked".
async fn connect(options: SqliteConnectOptions) -> StoreResult<SqlitePool> {
    let started = std::time::Instant::now();
    loop {
        let attempt = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options.clone())
            .await;
        match attempt {
            Err(sqlx::Error::Database(error))
                if error.code().as_deref() == Some(SQLITE_BUSY)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => return other.map_err(backend),
        }
    }
}

/// SQLite's result code for a database locked by another connection.
const SQLITE_BUSY: &str = "5";

#[async_trait]
impl Database for SqliteStore {
    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    /// Takes this process's write turn, then SQLite's write lock with
    /// `BEGIN IMMEDIATE` before the transaction reads anything (see the
    /// crate documentation).
    async fn write(&self) -> StoreResult<Box<dyn Transaction>> {
        let turn = Arc::clone(&self.write_turn).lock_owned().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        Ok(Box::new(Db(WriteTx { tx, _turn: turn })))
    }

    async fn read(&self) -> StoreResult<Box<dyn Transaction>> {
        let tx = self.pool.begin().await.map_err(backend)?;
        Ok(Box::new(Db(tx)))
    }

    async fn connection(&self) -> StoreResult<Box<dyn Connection>> {
        let conn = self.pool.acquire().await.map_err(backend)?;
        Ok(Box::new(Db(conn)))
    }
}

rampart_store_sql::impl_store!(SqliteStore);
