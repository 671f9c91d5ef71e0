//! What can go wrong talking to the server.

/// A failed API call. `Api` carries the server's own error: status, code,
/// message and, for validation errors, the offending field.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL is unusable.
    #[error("server URL `{url}` is not usable: {reason}")]
    InvalidUrl {
        /// As given.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// The server could not be reached, or the connection broke.
    #[error("cannot reach {url}: {detail}")]
    Transport {
        /// The URL requested.
        url: String,
        /// The transport's message.
        detail: String,
    },
    /// The server answered with an error.
    #[error("{message}{}", field.as_ref().map(|f| format!(" (field `{f}`)")).filter(|_| !message.contains("field `")).unwrap_or_default())]
    Api {
        /// HTTP status.
        status: u16,
        /// The error code (`validation`, `not_found`, …).
        code: String,
        /// The server's message.
        message: String,
        /// The field at fault, for validation errors.
        field: Option<String>,
    },
    /// The answer was not the JSON expected: client and server versions differ?
    #[error("unexpected answer from the server (HTTP {status}): {detail}")]
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// What did not parse.
        detail: String,
    },
    /// A request body could not be encoded.
    #[error("cannot encode the request: {0}")]
    Encode(String),
    /// The bytes to upload could not be read, or changed while being read.
    #[error("cannot upload: {detail}")]
    Input {
        /// What went wrong.
        detail: String,
    },
    /// Downloaded bytes could not be written where they were to go.
    #[error("cannot write the download: {source}")]
    Output {
        /// The writer's error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes received do not hash to the digest the server announced:
    /// the transfer broke off or the content changed on the way.
    #[error(
        "the {received} bytes received have SHA-256 {actual}, but the server announced {expected}: \
         the download is incomplete or altered"
    )]
    DigestMismatch {
        /// The server's `X-Rampart-Sha256`.
        expected: String,
        /// What the received bytes hash to.
        actual: String,
        /// How many bytes arrived.
        received: u64,
    },
}

impl ClientError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::InvalidResponse { status, .. } => Some(*status),
            _ => None,
        }
    }
}
