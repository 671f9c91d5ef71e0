//! Test support shared by this crate's integration tests: a fresh database
//! on the throwaway server for every store, and raw SQL access to it.

#![allow(dead_code)] // each test binary uses its own part of it

use std::sync::Arc;

use rampart_store::Store;
use rampart_store::conformance::{Harness, RawSql};
use rampart_store_postgres::PostgresStore;
use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, PgPool};

/// A pool on `url` that bypasses the store, as an attacker with database
/// access would.
pub async fn raw_pool(url: &str) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("open the raw connection")
}

/// Raw SQL on a test database.
pub struct PostgresRaw(pub PgPool);

#[async_trait::async_trait]
impl RawSql for PostgresRaw {
    async fn execute(&self, sql: &str) -> Result<u64, String> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.0)
            .await
            .map(|done| done.rows_affected())
            .map_err(|error| error.to_string())
    }
}

/// Fresh PostgreSQL stores for the conformance suite, each in a new
/// database of the process's throwaway server.
pub struct PostgresHarness;

#[async_trait::async_trait]
impl Harness for PostgresHarness {
    async fn fresh(&self) -> (Arc<dyn Store>, Box<dyn RawSql>) {
        let url = rampart_test_postgres::server().fresh_database_url();
        let store = PostgresStore::connect(&url)
            .await
            .expect("connect a fresh store");
        let raw = raw_pool(&url).await;
        (Arc::new(store), Box::new(PostgresRaw(raw)))
    }
}
