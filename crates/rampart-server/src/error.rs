//! The error every handler returns, and its JSON body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rampart_api::{ErrorBody, ErrorCode};
use rampart_store::StoreError;

/// An error answer: a status, the [`ErrorBody`], and for 429 how long to wait.
#[derive(Debug)]
pub struct ApiError {
    body: ErrorBody,
    retry_after_secs: Option<u64>,
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            body: ErrorBody::new(code, message),
            retry_after_secs: None,
        }
    }

    /// The body.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }

    /// For 429: how many seconds to wait.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after_secs
    }

    /// A validation error naming a field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            body: ErrorBody::with_field(ErrorCode::Validation, message, field),
            retry_after_secs: None,
        }
    }

    /// A domain error whose message reads "field `x`: …" (the convention of
    /// `rampart-incident`): 422 with `field` = `x`, or `prefix.x` when the
    /// value sat inside a request field.
    pub fn domain(error: impl std::fmt::Display) -> Self {
        Self::domain_code(ErrorCode::Validation, error)
    }

    /// As [`domain`](Self::domain), with another code (409 for a state conflict).
    pub fn domain_code(code: ErrorCode, error: impl std::fmt::Display) -> Self {
        let message = error.to_string();
        let field = field_of(&message);
        Self {
            body: rampart_api::ErrorBody {
                error: rampart_api::ErrorDetail {
                    code,
                    message,
                    field,
                },
            },
            retry_after_secs: None,
        }
    }

    /// The 404 of every incident route. Identical for an incident that does
    /// not exist and one the caller may not see: its existence leaks nothing.
    pub fn incident_not_found() -> Self {
        Self::new(ErrorCode::NotFound, "no such incident")
    }

    /// A 404 for something else.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "sign in, or send a valid API token as `Authorization: Bearer <token>`",
        )
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            body: ErrorBody::new(
                ErrorCode::RateLimited,
                "too many failed sign-ins; wait before trying again",
            ),
            retry_after_secs: Some(retry_after_secs),
        }
    }

    /// 500. The detail goes to the server's log, never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "request failed");
        Self::new(
            ErrorCode::Internal,
            "internal server error; see the server log",
        )
    }
}

/// Extracts `x` from a message that starts "field `x`" (the domain crates'
/// convention for naming the field at fault).
pub fn field_of(message: &str) -> Option<String> {
    let rest = message.strip_prefix("field `")?;
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { what } => Self::conflict(format!("{what} already exists")),
            StoreError::NotFound { what } => Self::not_found(&what),
            error @ StoreError::StaleVersion { .. } => {
                Self::new(ErrorCode::Stale, error.to_string())
            }
            other => Self::internal(other),
        }
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(error: crate::auth::AuthError) -> Self {
        match error {
            crate::auth::AuthError::Policy(_) => Self::domain(error),
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.body.error.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"rampart\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_name_their_field() {
        assert_eq!(
            field_of("field `title` must not be empty").as_deref(),
            Some("title")
        );
        assert_eq!(
            field_of("field `rationale`: step 3 …").as_deref(),
            Some("rationale")
        );
        assert_eq!(field_of("something else"), None);
        let error = ApiError::domain("field `reason` must not be empty");
        assert_eq!(error.body().error.code, ErrorCode::Validation);
        assert_eq!(error.body().error.field.as_deref(), Some("reason"));
    }

    #[test]
    fn store_errors_map_to_statuses() {
        let stale: ApiError = StoreError::StaleVersion {
            expected: 1,
            actual: 2,
        }
        .into();
        assert_eq!(stale.body().error.code, ErrorCode::Stale);
        let conflict: ApiError = StoreError::Conflict {
            what: "user alice".into(),
        }
        .into();
        assert_eq!(conflict.body().error.code.http_status(), 409);
        let corrupt: ApiError = StoreError::Corrupt("bad row".into()).into();
        assert_eq!(corrupt.body().error.code, ErrorCode::Internal);
        assert!(!corrupt.body().error.message.contains("bad row"));
    }
}
