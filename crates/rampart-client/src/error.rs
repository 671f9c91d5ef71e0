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
