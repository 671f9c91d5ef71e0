//! The one error body every 4xx and 5xx answer carries.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of error, stable for programs to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 422: a field's value breaks a rule, or a field is unknown.
    Validation,
    /// 404: no such route or object — or one the caller may not know exists.
    NotFound,
    /// 409: a duplicate, or a state that forbids the change.
    Conflict,
    /// 409: the incident kept changing under the request; reload and retry.
    Stale,
    /// 409: a stored evidence blob no longer matches the digest taken on
    /// intake (or is gone); it is not served and the commander is alerted.
    IntegrityFailure,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403: signed in but not allowed (or a missing CSRF token).
    Forbidden,
    /// 429: too many failed sign-ins; see `Retry-After`.
    RateLimited,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 400: the body is not JSON or is otherwise unreadable.
    BadRequest,
    /// 500: the server failed; details are in its log, not here.
    Internal,
}

impl ErrorCode {
    /// The HTTP status code that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Validation => 422,
            Self::NotFound => 404,
            Self::Conflict | Self::Stale | Self::IntegrityFailure => 409,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::RateLimited => 429,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::BadRequest => 400,
            Self::Internal => 500,
        }
    }

    /// The serialized name (`not_found`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Stale => "stale",
            Self::IntegrityFailure => "integrity_failure",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BadRequest => "bad_request",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{"error": {...}}`: the body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Machine-readable kind.
    pub code: ErrorCode,
    /// One sentence for a person.
    pub message: String,
    /// The request field at fault (`title`, `record.due`), for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    /// An error body without a field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                field: None,
            },
        }
    }

    /// An error body naming the field at fault.
    pub fn with_field(
        code: ErrorCode,
        message: impl Into<String>,
        field: impl Into<String>,
    ) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                field: Some(field.into()),
            },
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error.code, self.error.message)
    }
}
