//! How PostgreSQL runs the shared queries of `rampart-store-sql`: binding its
//! values (timestamps as `timestamptz`), reading rows by column
//! name, and sorting constraint violations out of sqlx's errors.

use std::borrow::Cow;

use async_trait::async_trait;
use jiff::Timestamp;
use rampart_store_sql::{Connection, DbError, Statement, Value};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{PgConnection, Postgres, Row as _};

use crate::codec::PgTime;

/// A PostgreSQL connection (or transaction) as the shared queries see it.
pub(crate) struct Db<'c>(pub(crate) &'c mut PgConnection);

/// A PostgreSQL row as the shared queries read it.
pub(crate) struct DbRow(PgRow);

fn prepare(statement: Statement) -> sqlx::query::Query<'static, Postgres, PgArguments> {
    let query = match statement.sql {
        Cow::Borrowed(sql) => sqlx::query(sql),
        // Built by the shared queries from constant column lists, never
        // from input.
        Cow::Owned(sql) => sqlx::query(sqlx::AssertSqlSafe(sql)),
    };
    statement
        .params
        .into_iter()
        .fold(query, |query, value| match value {
            Value::Text(text) => query.bind(text),
            Value::Int(number) => query.bind(number),
            Value::Bool(flag) => query.bind(flag),
            Value::Time(at) => query.bind(at.map(PgTime)),
        })
}

fn db_error(error: sqlx::Error) -> DbError {
    if let Some(database) = error.as_database_error() {
        if database.is_unique_violation() {
            return DbError::UniqueViolation(Box::new(error));
        }
        if database.is_foreign_key_violation() {
            return DbError::ForeignKeyViolation(Box::new(error));
        }
    }
    DbError::Other(Box::new(error))
}

#[async_trait]
impl Connection for Db<'_> {
    type Row = DbRow;

    async fn execute(&mut self, statement: Statement) -> Result<u64, DbError> {
        prepare(statement)
            .execute(&mut *self.0)
            .await
            .map(|done| done.rows_affected())
            .map_err(db_error)
    }

    async fn fetch_all(&mut self, statement: Statement) -> Result<Vec<DbRow>, DbError> {
        let rows = prepare(statement)
            .fetch_all(&mut *self.0)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(DbRow).collect())
    }

    async fn fetch_optional(&mut self, statement: Statement) -> Result<Option<DbRow>, DbError> {
        let row = prepare(statement)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(db_error)?;
        Ok(row.map(DbRow))
    }
}

impl rampart_store_sql::Row for DbRow {
    fn text(&self, column: &str) -> Result<Option<String>, String> {
        self.0.try_get(column).map_err(|error| error.to_string())
    }

    fn int(&self, column: &str) -> Result<Option<i64>, String> {
        self.0.try_get(column).map_err(|error| error.to_string())
    }

    fn int_at(&self, index: usize) -> Result<Option<i64>, String> {
        self.0.try_get(index).map_err(|error| error.to_string())
    }

    fn flag(&self, column: &str) -> Result<bool, String> {
        self.0.try_get(column).map_err(|error| error.to_string())
    }

    fn time(&self, column: &str) -> Result<Option<Timestamp>, String> {
        self.0
            .try_get::<Option<PgTime>, _>(column)
            .map(|time| time.map(|time| time.0))
            .map_err(|error| error.to_string())
    }
}
