//! Turning domain values into column values and rows back into domain
//! values. Every failure to read a row names its table and column and is
//! `StoreError::Corrupt`, never a panic.

use std::fmt::Display;
use std::str::FromStr;

use jiff::Timestamp;
use rampart_incident::UserName;
use rampart_store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Row;

/// The text a string-like serde enum (roles, states, markings) serializes
/// to, which is also its stored form.
pub fn enum_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        Ok(other) => Err(StoreError::corrupt(format!(
            "expected a string-like value to store, found {other}"
        ))),
        Err(error) => Err(StoreError::corrupt(error)),
    }
}

/// JSON text of a nested domain value.
pub fn json_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::corrupt)
}

/// Checked conversion of a count or id to the databases' signed 64 bits.
pub fn to_i64(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::corrupt(format!("{what} {value} is out of range")))
}

/// Reads typed columns of one row, naming the table in every error.
pub struct Reader<'r, R: Row + ?Sized> {
    row: &'r R,
    table: &'static str,
}

impl<'r, R: Row + ?Sized> Reader<'r, R> {
    /// A reader for a row of `table`.
    pub fn new(row: &'r R, table: &'static str) -> Self {
        Self { row, table }
    }

    fn corrupt(&self, column: &str, error: impl Display) -> StoreError {
        StoreError::corrupt(format!("table {} column {column}: {error}", self.table))
    }

    fn required<T>(&self, column: &str, value: Option<T>) -> Result<T, StoreError> {
        value.ok_or_else(|| self.corrupt(column, "unexpected NULL"))
    }

    /// A NOT NULL text column.
    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        let value = self.opt_text(column)?;
        self.required(column, value)
    }

    /// A nullable text column.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.row
            .text(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A NOT NULL integer column.
    pub fn int(&self, column: &str) -> Result<i64, StoreError> {
        let value = self
            .row
            .int(column)
            .map_err(|error| self.corrupt(column, error))?;
        self.required(column, value)
    }

    /// A nullable integer column.
    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.row
            .int(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A boolean column.
    pub fn flag(&self, column: &str) -> Result<bool, StoreError> {
        self.row
            .flag(column)
            .map_err(|error| self.corrupt(column, error))
    }

    /// A column holding a value with a `FromStr` (ids, names).
    pub fn parsed<T>(&self, column: &str) -> Result<T, StoreError>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.text(column)?
            .parse()
            .map_err(|error| self.corrupt(column, error))
    }

    /// A nullable column holding a value with a `FromStr`.
    pub fn opt_parsed<T>(&self, column: &str) -> Result<Option<T>, StoreError>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.opt_text(column)?
            .map(|text| text.parse().map_err(|error| self.corrupt(column, error)))
            .transpose()
    }

    /// A nullable column whose value `parse` checks (names and values of
    /// other crates without a `FromStr`).
    pub fn opt_checked<T, E: Display>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        self.opt_text(column)?
            .map(|text| parse(&text).map_err(|error| self.corrupt(column, error)))
            .transpose()
    }

    /// A NOT NULL column whose value `parse` checks.
    pub fn checked<T, E: Display>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        parse(&self.text(column)?).map_err(|error| self.corrupt(column, error))
    }

    /// A column holding a login name.
    pub fn user_name(&self, column: &str) -> Result<UserName, StoreError> {
        UserName::parse(&self.text(column)?).map_err(|error| self.corrupt(column, error))
    }

    /// A nullable column holding a login name.
    pub fn opt_user_name(&self, column: &str) -> Result<Option<UserName>, StoreError> {
        self.opt_text(column)?
            .map(|text| UserName::parse(&text).map_err(|error| self.corrupt(column, error)))
            .transpose()
    }

    /// A column holding a string-like serde enum (see [`enum_text`]).
    pub fn enumeration<T: DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        serde_json::from_value(serde_json::Value::String(self.text(column)?))
            .map_err(|error| self.corrupt(column, error))
    }

    /// A column of JSON text.
    pub fn json<T: DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        serde_json::from_str(&self.text(column)?).map_err(|error| self.corrupt(column, error))
    }

    /// A NOT NULL timestamp column.
    pub fn time(&self, column: &str) -> Result<Timestamp, StoreError> {
        let value = self.opt_time(column)?;
        self.required(column, value)
    }

    /// A nullable timestamp column.
    pub fn opt_time(&self, column: &str) -> Result<Option<Timestamp>, StoreError> {
        self.row
            .time(column)
            .map_err(|error| self.corrupt(column, error))
    }
}
