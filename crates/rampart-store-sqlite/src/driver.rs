//! How SQLite runs the shared queries of `rampart-store-sql`: binding their
//! values (timestamps as fixed-width RFC 3339 text), reading rows by column
//! name, sorting constraint violations out of sqlx's errors, and the
//! transactions and pooled connections the shared `Store` asks for.

use std::borrow::Cow;
use std::ops::DerefMut;

use async_trait::async_trait;
use jiff::Timestamp;
use rampart_store::StoreResult;
use rampart_store_sql::{BoxedRow, Connection, DbError, Statement, Transaction, Value};

use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row as _, Sqlite, SqliteConnection};

use crate::codec::{backend, encode_time};

/// Anything that is a SQLite connection underneath — a pooled connection,
/// a transaction, a write transaction — as the shared queries see it.
pub(crate) struct Db<T>(pub(crate) T);

/// A write transaction and this process's write turn, released together.
pub(crate) struct WriteTx {
    pub(crate) tx: sqlx::Transaction<'static, Sqlite>,
    pub(crate) _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// A SQLite row as the shared queries read it.
struct DbRow(SqliteRow);

fn prepare(statement: Statement) -> sqlx::query::Query<'static, Sqlite, SqliteArguments> {
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
            Value::Time(at) => query.bind(at.map(encode_time)),
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
impl<T> Connection for Db<T>
where
    T: DerefMut<Target = SqliteConnection> + Send,
{
    async fn execute(&mut self, statement: Statement) -> Result<u64, DbError> {
        prepare(statement)
            .execute(&mut *self.0)
            .await
            .map(|done| done.rows_affected())
            .map_err(db_error)
    }

    async fn fetch_all(&mut self, statement: Statement) -> Result<Vec<BoxedRow>, DbError> {
        let rows = prepare(statement)
            .fetch_all(&mut *self.0)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|row| Box::new(DbRow(row)) as BoxedRow)
            .collect())
    }

    async fn fetch_optional(&mut self, statement: Statement) -> Result<Option<BoxedRow>, DbError> {
        let row = prepare(statement)
            .fetch_optional(&mut *self.0)
            .await
            .map_err(db_error)?;
        Ok(row.map(|row| Box::new(DbRow(row)) as BoxedRow))
    }
}

#[async_trait]
impl Transaction for Db<sqlx::Transaction<'static, Sqlite>> {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.0.commit().await.map_err(backend)
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.0.rollback().await.map_err(backend)
    }
}

#[async_trait]
impl Transaction for Db<WriteTx> {
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        self.0.tx.commit().await.map_err(backend)
    }

    async fn rollback(self: Box<Self>) -> StoreResult<()> {
        self.0.tx.rollback().await.map_err(backend)
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
        let text: Option<String> = self.0.try_get(column).map_err(|error| error.to_string())?;
        text.map(|text| text.parse::<Timestamp>().map_err(|error| error.to_string()))
            .transpose()
    }
}
