//! Test support shared by this crate's integration tests: fresh databases
//! under Cargo's per-target temporary directory, and raw SQL access to them.

#![allow(dead_code)] // each test binary uses its own part of it

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rampart_store::Store;
use rampart_store::conformance::{Harness, RawSql};
use rampart_store_sqlite::SqliteStore;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, SqlitePool};

/// This process's folder of test databases. Databases stay until the next
/// run (a store keeps opening connections to its file for as long as any
/// test holds it, so no test can safely delete it); each run removes the
/// folders of runs whose process is gone.
fn run_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rampart-store-sqlite");
        if let Ok(entries) = std::fs::read_dir(&root) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let pid = name.to_str().and_then(|n| n.strip_prefix("run-"));
                if let Some(pid) = pid
                    && !Path::new("/proc").join(pid).exists()
                {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = root.join(format!("run-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the test database folder");
        dir
    })
}

/// A new, not yet existing database path.
pub fn fresh_path() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    run_dir()
        .join(NEXT.fetch_add(1, Ordering::Relaxed).to_string())
        .join("rampart.db")
}

/// A pool on `path` that bypasses the store, as an attacker with file access
/// would.
pub async fn raw_pool(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open the raw connection")
}

/// Raw SQL on a test database.
pub struct SqliteRaw(pub SqlitePool);

#[async_trait::async_trait]
impl RawSql for SqliteRaw {
    async fn execute(&self, sql: &str) -> Result<u64, String> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.0)
            .await
            .map(|done| done.rows_affected())
            .map_err(|error| error.to_string())
    }
}

/// Fresh SQLite stores for the conformance suite.
pub struct SqliteHarness;

#[async_trait::async_trait]
impl Harness for SqliteHarness {
    async fn fresh(&self) -> (Arc<dyn Store>, Box<dyn RawSql>) {
        let path = fresh_path();
        let store = SqliteStore::open(&path).await.expect("open a fresh store");
        let raw = raw_pool(&path).await;
        (Arc::new(store), Box::new(SqliteRaw(raw)))
    }
}
