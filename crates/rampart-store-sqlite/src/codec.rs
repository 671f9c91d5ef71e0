//! SQLite's stored forms: timestamps as text, and sqlx errors as store errors.

use jiff::Timestamp;
use rampart_store::StoreError;

/// Wraps a driver error, turning a busy database into the same error as
/// any other failure: the server answers 503-ish either way.
pub(crate) fn backend(error: sqlx::Error) -> StoreError {
    StoreError::backend(error)
}

/// The stored form of a timestamp: RFC 3339, UTC, exactly six fractional
/// digits. Fixed width, so text order is time order. Anything finer than a
/// microsecond is dropped, as PostgreSQL does.
pub(crate) fn encode_time(at: Timestamp) -> String {
    format!("{at:.6}")
}
