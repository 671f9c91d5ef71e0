//! The SQL both storage backends share.
//!
//! Both databases accept the same SQL for everything Rampart stores
//! (`$N` placeholders, `RETURNING`, the same table and column names), so the
//! queries and the mapping between rows and domain values live here, once.
//! A backend supplies a [`Connection`]: it binds [`Value`]s (choosing how a
//! timestamp is stored), runs a [`Statement`] and hands back [`Row`]s read
//! by column name, and it maps its driver's errors onto [`DbError`].
//!
//! This crate knows no driver. Like the backends, it is one of the only
//! places that know SQL (ARCHITECTURE.md).

mod incidents;
mod reader;

use std::borrow::Cow;

use async_trait::async_trait;
use jiff::Timestamp;
use rampart_audit::ChainSummary;
use rampart_store::{AuditDraft, StoreError, StoreResult};

pub use incidents::*;
pub use reader::{Reader, enum_text, json_text, to_i64};

/// One bound parameter. A backend decides the column type: SQLite keeps
/// timestamps as fixed-width RFC 3339 text, PostgreSQL as `timestamptz`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text, or NULL.
    Text(Option<String>),
    /// A 64-bit integer, or NULL.
    Int(Option<i64>),
    /// A boolean.
    Bool(bool),
    /// A timestamp, or NULL.
    Time(Option<Timestamp>),
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(Some(value))
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Value::Text(Some(value.clone()))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(Some(value.to_owned()))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        Value::Text(value)
    }
}

impl From<&Option<String>> for Value {
    fn from(value: &Option<String>) -> Self {
        Value::Text(value.clone())
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Self {
        Value::Text(value.map(str::to_owned))
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<Timestamp> for Value {
    fn from(value: Timestamp) -> Self {
        Value::Time(Some(value))
    }
}

impl From<Option<Timestamp>> for Value {
    fn from(value: Option<Timestamp>) -> Self {
        Value::Time(value)
    }
}

/// SQL text and its parameters, built like sqlx's `query(…).bind(…)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL, with `$1 … $N` placeholders.
    pub sql: Cow<'static, str>,
    /// The parameters, in placeholder order.
    pub params: Vec<Value>,
}

/// Starts a statement.
pub fn query(sql: impl Into<Cow<'static, str>>) -> Statement {
    Statement {
        sql: sql.into(),
        params: Vec::new(),
    }
}

impl Statement {
    /// Binds the next parameter.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Runs it; returns the rows affected.
    pub async fn execute<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<u64> {
        conn.execute(self).await.map_err(DbError::into_store)
    }

    /// Runs it; every row.
    pub async fn fetch_all<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<Vec<C::Row>> {
        conn.fetch_all(self).await.map_err(DbError::into_store)
    }

    /// Runs it; the first row, if any.
    pub async fn fetch_optional<C: Connection + ?Sized>(
        self,
        conn: &mut C,
    ) -> StoreResult<Option<C::Row>> {
        conn.fetch_optional(self).await.map_err(DbError::into_store)
    }

    /// Runs it; the first row, which must exist.
    pub async fn fetch_one<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<C::Row> {
        let sql = self.sql.clone();
        self.fetch_optional(conn).await?.ok_or_else(|| {
            StoreError::corrupt(format!("query returned no row: {}", first_line(&sql)))
        })
    }

    /// Runs it; the integer in the first column of the first row (`NULL`,
    /// or no row, is `None`).
    pub async fn fetch_int<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<Option<i64>> {
        match self.fetch_optional(conn).await? {
            Some(row) => row
                .int_at(0)
                .map_err(|error| StoreError::corrupt(format!("first column: {error}"))),
            None => Ok(None),
        }
    }

    /// Runs an insert and maps a unique violation to `Conflict { what }` and
    /// a foreign-key violation to `NotFound { parent }`.
    pub async fn insert<C: Connection + ?Sized>(
        self,
        conn: &mut C,
        what: &str,
        parent: &str,
    ) -> StoreResult<u64> {
        conn.execute(self)
            .await
            .map_err(|error| error.into_insert(what, parent))
    }

    /// An insert with `RETURNING id`: the new row's id, with the mapping of
    /// [`insert`](Self::insert).
    pub async fn insert_returning_id<C: Connection + ?Sized>(
        self,
        conn: &mut C,
        what: &str,
        parent: &str,
    ) -> StoreResult<i64> {
        let row = conn
            .fetch_optional(self)
            .await
            .map_err(|error| error.into_insert(what, parent))?
            .ok_or_else(|| StoreError::corrupt(format!("insert of {what} returned no id")))?;
        row.int_at(0)
            .map_err(|error| StoreError::corrupt(format!("returned id of {what}: {error}")))?
            .ok_or_else(|| StoreError::corrupt(format!("insert of {what} returned a NULL id")))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

/// A driver's error, sorted into what the store reports differently.
#[derive(Debug)]
pub enum DbError {
    /// A unique constraint refused the row.
    UniqueViolation(Box<dyn std::error::Error + Send + Sync>),
    /// A foreign key refused the row.
    ForeignKeyViolation(Box<dyn std::error::Error + Send + Sync>),
    /// Anything else.
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl DbError {
    /// As a store error: constraint violations outside inserts are bugs or
    /// races the caller cannot fix, so they are backend errors too.
    pub fn into_store(self) -> StoreError {
        match self {
            DbError::UniqueViolation(error)
            | DbError::ForeignKeyViolation(error)
            | DbError::Other(error) => StoreError::Backend(error),
        }
    }

    /// As a store error for an insert of `what` under `parent`.
    pub fn into_insert(self, what: &str, parent: &str) -> StoreError {
        match self {
            DbError::UniqueViolation(_) => StoreError::Conflict {
                what: what.to_owned(),
            },
            DbError::ForeignKeyViolation(_) => StoreError::NotFound {
                what: parent.to_owned(),
            },
            DbError::Other(error) => StoreError::Backend(error),
        }
    }
}

/// One result row, read by column name (or, for scalars, by position).
/// Errors are the driver's message; [`Reader`] adds table and column.
pub trait Row: Send {
    /// A text column (NULL is `None`).
    fn text(&self, column: &str) -> Result<Option<String>, String>;
    /// An integer column (NULL is `None`).
    fn int(&self, column: &str) -> Result<Option<i64>, String>;
    /// The integer at `index` (NULL is `None`).
    fn int_at(&self, index: usize) -> Result<Option<i64>, String>;
    /// A boolean column.
    fn flag(&self, column: &str) -> Result<bool, String>;
    /// A timestamp column, in the backend's stored form (NULL is `None`).
    fn time(&self, column: &str) -> Result<Option<Timestamp>, String>;
}

/// A connection (or transaction) of one backend.
#[async_trait]
pub trait Connection: Send {
    /// The backend's row.
    type Row: Row;
    /// Runs a statement; the rows affected.
    async fn execute(&mut self, statement: Statement) -> Result<u64, DbError>;
    /// Runs a query; every row.
    async fn fetch_all(&mut self, statement: Statement) -> Result<Vec<Self::Row>, DbError>;
    /// Runs a query; the first row, if any.
    async fn fetch_optional(&mut self, statement: Statement) -> Result<Option<Self::Row>, DbError>;
}

// ---- Audit chain -------------------------------------------------------------

/// The chain's stored head: the row with the highest sequence.
pub async fn audit_head<C: Connection + ?Sized>(conn: &mut C) -> StoreResult<ChainSummary> {
    let row = query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else {
        return Ok(ChainSummary::EMPTY);
    };
    let read = Reader::new(&row, "audit_log");
    let seq = read.int("seq")?;
    let length = u64::try_from(seq).map_err(|_| {
        StoreError::corrupt(format!("table audit_log column seq: {seq} is negative"))
    })?;
    let head = rampart_audit::Hash::from_hex(&read.text("hash")?).map_err(|error| {
        StoreError::corrupt(format!("table audit_log column hash at seq {seq}: {error}"))
    })?;
    Ok(ChainSummary { length, head })
}

/// Links `draft` after the head and inserts it. Must run inside a write
/// transaction (which holds the lock that serialises appends).
pub async fn append_audit<C: Connection + ?Sized>(
    conn: &mut C,
    draft: AuditDraft,
) -> StoreResult<ChainSummary> {
    let head = audit_head(conn).await?;
    let link = draft.link_after(&head)?;
    let stored = link.to_stored();
    query("INSERT INTO audit_log (seq, prev_hash, hash, event) VALUES ($1, $2, $3, $4)")
        .bind(to_i64(stored.sequence, "audit sequence")?)
        .bind(stored.prev_hash)
        .bind(stored.hash)
        .bind(stored.event)
        .execute(conn)
        .await?;
    Ok(link.summary())
}
