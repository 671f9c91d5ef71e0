//! The schema migration runner.
//!
//! Migrations are SQL files embedded in the binary, applied in version order
//! inside one transaction that first takes the store's advisory lock: two
//! replicas starting against a fresh database at once run the migrations one
//! after the other, and the second finds them applied. (PostgreSQL's DDL is
//! transactional, so a failed migration leaves nothing behind.)

use jiff::Timestamp;
use rampart_store::{StoreError, StoreResult};
use sqlx::{PgPool, Row};

use crate::WRITE_LOCK_KEY;
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

/// Every migration this binary knows, in order. The SQLite backend has
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
pub(crate) async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK_KEY)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL
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
