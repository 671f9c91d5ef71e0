//! Turning domain values into column values and rows back into domain
//! values. Every failure to read a row names its table and column, and is
//! `StoreError::Corrupt`, never a panic.

use std::fmt::Display;
use std::str::FromStr;

use jiff::Timestamp;
use rampart_incident::UserName;
use rampart_store::StoreError;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgRow, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Row, Type};

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

/// A `jiff::Timestamp` as a PostgreSQL `timestamptz`: sqlx knows chrono and
/// time, not jiff, and this is the whole conversion — microseconds since
/// 2000-01-01T00:00:00Z in the binary protocol, exact both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PgTime(pub(crate) Timestamp);

/// `timestamptz`'s type oid, fixed in PostgreSQL's catalogue.
const TIMESTAMPTZ_OID: u32 = 1184;

/// PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix microseconds.
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

impl Type<Postgres> for PgTime {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(TIMESTAMPTZ_OID))
    }
}

impl Encode<'_, Postgres> for PgTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // Whole microseconds: anything finer is dropped, as PostgreSQL would.
        let micros = self.0.as_microsecond() - PG_EPOCH_UNIX_MICROS;
        Encode::<Postgres>::encode(micros, buf)
    }

    fn size_hint(&self) -> usize {
        std::mem::size_of::<i64>()
    }
}

impl<'r> Decode<'r, Postgres> for PgTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let micros: i64 = Decode::<Postgres>::decode(value)?;
                let unix = micros
                    .checked_add(PG_EPOCH_UNIX_MICROS)
                    .ok_or("timestamptz out of range")?;
                Ok(PgTime(Timestamp::from_microsecond(unix)?))
            }
            // Prepared queries always return binary; text depends on the
            // session's DateStyle and is not worth guessing at.
            PgValueFormat::Text => Err("timestamptz in text format is not supported".into()),
        }
    }
}

/// The stored form of a timestamp.
pub(crate) fn encode_time(at: Timestamp) -> PgTime {
    PgTime(at)
}

/// [`encode_time`] for an optional timestamp.
pub(crate) fn encode_opt_time(at: Option<Timestamp>) -> Option<PgTime> {
    at.map(PgTime)
}

/// Reads typed columns of one row, naming the table in every error.
pub(crate) struct Reader<'r> {
    row: &'r PgRow,
    table: &'static str,
}

impl<'r> Reader<'r> {
    /// A reader for a row of `table`.
    pub(crate) fn new(row: &'r PgRow, table: &'static str) -> Self {
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

    /// A column holding a login name.
    pub(crate) fn user_name(&self, column: &str) -> Result<UserName, StoreError> {
        UserName::parse(&self.text(column)?).map_err(|error| self.corrupt(column, error))
    }

    /// A NOT NULL timestamp column.
    pub(crate) fn time(&self, column: &str) -> Result<Timestamp, StoreError> {
        self.row
            .try_get::<PgTime, _>(column)
            .map(|time| time.0)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A nullable timestamp column.
    pub(crate) fn opt_time(&self, column: &str) -> Result<Option<Timestamp>, StoreError> {
        self.row
            .try_get::<Option<PgTime>, _>(column)
            .map(|time| time.map(|t| t.0))
            .map_err(|error| self.corrupt(column, error))
    }
}
