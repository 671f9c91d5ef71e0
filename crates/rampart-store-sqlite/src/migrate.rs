//! The schema migration runner.
//!
//! Migrations are SQL files embedded in the binary, applied in version order
//! inside one `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock
//! before anything is read: two processes opening the same fresh file at
//! once run the migrations one after the other, and the second finds them
//! applied.

use jiff::Timestamp;
use rampart_store::{StoreError, StoreResult};
use sqlx::{Row, SqlitePool};

use crate::codec::{backend, encode_time};

/// One embedded migration.
pub(crate) struct Migration {
    /// Its number; the file is `migrations/NNNN_<name>.sql`.
    pub(crate) version: i64,
    /// The file name's descriptive part.
    pub(crate) name: &'static str,
    /// The statements.
    pub(crate) sql: &'static str,
}

/// Every migration this binary knows, in order. The PostgreSQL backend has
/// files of the same names.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "evidence_custody",
        sql: include_str!("../migrations/0002_evidence_custody.sql"),
    },
    Migration {
        version: 3,
        name: "catalog",
        sql: include_str!("../migrations/0003_catalog.sql"),
    },
    Migration {
        version: 4,
        name: "findings",
        sql: include_str!("../migrations/0004_findings.sql"),
    },
];

/// Brings the database up to [`MIGRATIONS`], or refuses a database a newer
/// binary has migrated further than this one knows.
pub(crate) async fn run(pool: &SqlitePool) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    let applied: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *tx)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(backend)?;
    let applied = applied.unwrap_or(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if applied > known {
        return Err(StoreError::Schema(format!(
            "the database is at schema version {applied}, but this binary knows versions up to \
             {known}; use a newer rampart"
        )));
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > applied) {
        sqlx::raw_sql(migration.sql)
            .execute(&mut *tx)
            .await
            .map_err(|error| {
                StoreError::Schema(format!(
                    "migration {:04}_{} failed: {error}",
                    migration.version, migration.name
                ))
            })?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(encode_time(Timestamp::now()))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}
