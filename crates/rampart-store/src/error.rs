//! The one error type every backend returns.

/// What went wrong in the store. Backends map their driver's errors onto
/// these variants so the server can answer with the right status without
/// knowing which database is underneath.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key is taken: a user name, a token name, a member.
    #[error("{what} already exists")]
    Conflict {
        /// What collided, for the message ("user alice").
        what: String,
    },
    /// The row to change does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The incident changed after the caller read it; nothing was written.
    #[error(
        "the incident changed since it was read (read version {expected}, now {actual}); \
         reload it and try again"
    )]
    StaleVersion {
        /// The version the caller read.
        expected: i64,
        /// The version in the database.
        actual: i64,
    },
    /// A stored row cannot be read back into its domain type: the database
    /// was edited outside Rampart or by a newer version.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The database schema is newer than this binary, or a migration failed.
    #[error("database schema: {0}")]
    Schema(String),
    /// The database itself failed (connection, I/O, lock timeout).
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a driver error.
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(error))
    }

    /// A row that does not parse back.
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;
