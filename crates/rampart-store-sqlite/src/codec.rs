//! Turning domain values into column values and rows back into domain
//! values. Every failure to read a row names its table and column, and is
//! `StoreError::Corrupt`, never a panic.

use std::fmt::Display;
use std::str::FromStr;

use jiff::Timestamp;
use rampart_incident::UserName;
use rampart_store::StoreError;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// Wraps a driver error, turning a busy database into the same error as
/// any other failure: the server answers 503-ish either way.
pub(crate) fn backend(error: sqlx::Error) -> StoreError {
    StoreError::backend(error)
}

/// Maps an insert's error: a unique violation is `Conflict { what }`, a
/// foreign-key violation means the referenced row is missing.
pub(crate) fn insert_error(error: sqlx::Error, what: &str, parent: &str) -> StoreError {
    if let Some(db) = error.as_database_error() {
        if db.is_unique_violation() {
            return StoreError::Conflict {
                what: what.to_owned(),
            };
        }
        if db.is_foreign_key_violation() {
            return StoreError::NotFound {
                what: parent.to_owned(),
            };
        }
    }
    backend(error)
}

/// The stored form of a timestamp: RFC 3339, UTC, exactly six fractional
/// digits. Fixed width, so text order is time order. Anything finer than a
/// microsecond is dropped, as PostgreSQL does.
pub(crate) fn encode_time(at: Timestamp) -> String {
    format!("{at:.6}")
}

/// [`encode_time`] for an optional timestamp.
pub(crate) fn encode_opt_time(at: Option<Timestamp>) -> Option<String> {
    at.map(encode_time)
}

/// Reads typed columns of one row, naming the table in every error.
pub(crate) struct Reader<'r> {
    row: &'r SqliteRow,
    table: &'static str,
}

impl<'r> Reader<'r> {
    /// A reader for a row of `table`.
    pub(crate) fn new(row: &'r SqliteRow, table: &'static str) -> Self {
        Self { row, table }
    }

    fn corrupt(&self, column: &str, error: impl Display) -> StoreError {
        StoreError::corrupt(format!("table {} column {column}: {error}", self.table))
    }

    /// A NOT NULL text column.
    pub(crate) fn text(&self, column: &str) -> Result<String, StoreError> {
        self.row
            .try_get(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A nullable text column.
    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.row
            .try_get(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// An integer column.
    pub(crate) fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.row
            .try_get(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A boolean column.
    pub(crate) fn flag(&self, column: &str) -> Result<bool, StoreError> {
        self.row
            .try_get(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A column holding a value with a `FromStr` (ids, names).
    pub(crate) fn parsed<T>(&self, column: &str) -> Result<T, StoreError>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.text(column)?
            .parse()
            .map_err(|error| self.corrupt(column, error))
    }

    /// A nullable column holding a value with a `FromStr`.
    pub(crate) fn opt_parsed<T>(&self, column: &str) -> Result<Option<T>, StoreError>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.opt_text(column)?
            .map(|text| text.parse().map_err(|error| self.corrupt(column, error)))
            .transpose()
    }

    /// A column holding a login name.
    pub(crate) fn user_name(&self, column: &str) -> Result<UserName, StoreError> {
        UserName::parse(&self.text(column)?).map_err(|error| self.corrupt(column, error))
    }

    /// A NOT NULL timestamp column.
    pub(crate) fn time(&self, column: &str) -> Result<Timestamp, StoreError> {
        self.parsed(column)
    }

    /// A nullable timestamp column.
    pub(crate) fn opt_time(&self, column: &str) -> Result<Option<Timestamp>, StoreError> {
        self.opt_parsed(column)
    }
}
