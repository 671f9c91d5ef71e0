//! What can go wrong, naming the blob and the backend.

use crate::Sha256Digest;

/// Any error a backend or the staging area produced.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failure of the store itself (I/O, network, configuration).
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// An operation on one blob failed.
    #[error("evidence store {backend}: cannot {action} blob {blob}: {source}")]
    Blob {
        /// The store's description (`local:/…`, `s3://…`).
        backend: String,
        /// What was attempted (`read`, `store`, …).
        action: &'static str,
        /// The blob.
        blob: Sha256Digest,
        /// The cause.
        source: BoxError,
    },
    /// An operation not tied to one blob failed (listing, staging).
    #[error("evidence store {backend}: cannot {action}: {source}")]
    Store {
        /// The store's description.
        backend: String,
        /// What was attempted.
        action: String,
        /// The cause.
        source: BoxError,
    },
    /// The bytes of a blob changed between the verifying pass and the
    /// pass that served them: someone is writing to a write-once store.
    #[error(
        "evidence store {backend}: blob {blob} changed while it was being served: \
         the bytes read hash to {actual} ({size} bytes)"
    )]
    ChangedDuringRead {
        /// The store's description.
        backend: String,
        /// The blob requested.
        blob: Sha256Digest,
        /// What the served bytes hash to.
        actual: Sha256Digest,
        /// How many bytes were read.
        size: u64,
    },
    /// The configuration cannot work.
    #[error("evidence store configuration: {0}")]
    Config(String),
}

/// Why an upload was not stored. In every case nothing was stored and the
/// staging file is gone.
#[derive(Debug, thiserror::Error)]
pub enum IngestError<E> {
    /// The body passed the size limit.
    #[error("the evidence upload is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The body stream failed (a truncated or aborted upload).
    #[error("the evidence upload failed before it was complete: {0}")]
    Body(E),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] EvidenceError),
}

/// Why a blob cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// No blob with that digest is stored.
    #[error("evidence store {backend}: blob {blob} is missing")]
    Missing {
        /// The store's description.
        backend: String,
        /// The blob requested.
        blob: Sha256Digest,
    },
    /// The stored bytes no longer hash to the blob's address: tampering or
    /// corruption. The blob is not served.
    #[error(
        "evidence store {backend}: blob {blob} failed verification: \
         its stored bytes hash to {actual} ({size} bytes)"
    )]
    Mismatch {
        /// The store's description.
        backend: String,
        /// The blob requested.
        blob: Sha256Digest,
        /// What the stored bytes hash to.
        actual: Sha256Digest,
        /// How many bytes are stored.
        size: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] EvidenceError),
}
