//! Request extractors whose every rejection is an [`ApiError`] body:
//! [`ApiJson`] for bodies and [`Caller`] for authentication (with CSRF).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use rampart_api::{AuthMethod, ErrorCode};
use rampart_audit::Actor;
use rampart_incident::Viewer;
use rampart_store::User;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::{hashes_equal, now, token_hash};
use crate::error::ApiError;

/// A JSON request body. Unlike axum's `Json`, every failure answers with
/// the API's error body: 415 without `Content-Type: application/json`, 413
/// over the size limit, 400 for malformed JSON (naming line and column),
/// 422 for a value that does not fit (naming the field, also for unknown fields).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json") || subtype.to_ascii_lowercase().ends_with("+json"))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
            } else {
                ApiError::new(ErrorCode::BadRequest, "the request body could not be read")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body into `T`, classifying errors as [`ApiJson`] documents.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        json_error(&path, &inner)
    })?;
    deserializer
        .end()
        .map_err(|error| json_error(".", &error))?;
    Ok(value)
}

fn json_error(path: &str, error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            ErrorCode::BadRequest,
            format!(
                "malformed JSON at line {} column {}: {}",
                error.line(),
                error.column(),
                strip_position(&error.to_string())
            ),
        ),
        Category::Data => {
            let message = strip_position(&error.to_string());
            let field = data_error_field(path, &message);
            // Domain types name their field generically ("field `text`");
            // say which request field it really was.
            let message = match (&field, crate::error::field_of(&message)) {
                (Some(field), Some(generic)) if !field.ends_with(&generic) => message.replacen(
                    &format!("field `{generic}`"),
                    &format!("field `{field}`"),
                    1,
                ),
                _ => message,
            };
            match field {
                Some(field) => ApiError::validation(field, message),
                None => ApiError::new(ErrorCode::Validation, message),
            }
        }
    }
}

/// serde_json appends " at line L column C"; the message says it once.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// The request field a data error is about: the path, or for unknown and
/// missing fields the path plus the field the message names.
fn data_error_field(path: &str, message: &str) -> Option<String> {
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| {
            let rest = message.strip_prefix(prefix)?;
            Some(rest[..rest.find('`')?].to_owned())
        });
    let path = if path == "." || path.is_empty() {
        None
    } else {
        Some(path.to_owned())
    };
    match (path, named) {
        // serde_path_to_error already ends the path with an unknown key.
        (Some(path), Some(named)) if path == named || path.ends_with(&format!(".{named}")) => {
            Some(path)
        }
        (Some(path), Some(named)) => Some(format!("{path}.{named}")),
        (None, Some(named)) => Some(named),
        (Some(path), None) => Some(path),
        (None, None) => None,
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user.
    pub user: User,
    /// Session cookie or API token.
    pub via: AuthMethod,
    /// With a session: the hash of its id (for sign-out).
    pub session_hash: Option<String>,
}

impl Caller {
    /// The caller as the access rules see them.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user: self.user.name.clone(),
            global_role: self.user.role,
        }
    }

    /// The caller as the audit chain records them.
    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.user.id.to_string(),
            name: self.user.name.to_string(),
        }
    }
}

/// Whether a method changes state and so needs the CSRF token under cookie auth.
fn is_unsafe(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The value of cookie `name` in the request, if present.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let store = state.store();
        let now = now();
        if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
            // A malformed or unknown token is 401 even if a cookie is also
            // present: the caller said who they are, and it did not check out.
            let token = authorization
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(ApiError::unauthorized)?;
            let (token, user) = store
                .api_token_by_hash(&token_hash(token))
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            let expired = token.expires_at.is_some_and(|at| at <= now);
            if expired || token.revoked_at.is_some() || user.disabled {
                return Err(ApiError::unauthorized());
            }
            return Ok(Caller {
                user,
                via: AuthMethod::Token,
                session_hash: None,
            });
        }
        let (caller, _, csrf_hash) = session_of(parts, state)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if is_unsafe(&parts.method) {
            let presented = parts
                .headers
                .get(rampart_api::CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if presented.is_empty() || !hashes_equal(&token_hash(presented), &csrf_hash) {
                return Err(ApiError::forbidden(
                    "missing or wrong X-CSRF-Token header; it is returned at sign-in",
                ));
            }
        }
        Ok(caller)
    }
}

/// The caller of a request by its session cookie, with the session id and
/// the hash of its CSRF token; `None` without a cookie or with an unknown,
/// expired or disabled user's session. Checks no CSRF token: the API checks
/// the header, the web UI its forms' field.
pub(crate) async fn session_of(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(Caller, String, String)>, ApiError> {
    let Some(session_id) = cookie(parts, rampart_api::SESSION_COOKIE) else {
        return Ok(None);
    };
    let id_hash = token_hash(session_id);
    let Some((session, user)) = state.store().session_by_hash(&id_hash).await? else {
        return Ok(None);
    };
    if session.expires_at <= now() || user.disabled {
        return Ok(None);
    }
    Ok(Some((
        Caller {
            user,
            via: AuthMethod::Session,
            session_hash: Some(id_hash),
        },
        session_id.to_owned(),
        session.csrf_hash,
    )))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        step: rampart_incident::Step,
        reason: Option<rampart_incident::NonEmptyText>,
    }

    fn check(input: &str, code: ErrorCode, field: Option<&str>, message_part: &str) {
        let error = parse_json::<Body>(input.as_bytes()).unwrap_err();
        let detail = &error.body().error;
        assert_eq!(detail.code, code, "{input}: {detail:?}");
        assert_eq!(detail.field.as_deref(), field, "{input}: {detail:?}");
        assert!(detail.message.contains(message_part), "{input}: {detail:?}");
    }

    #[test]
    fn json_errors_are_classified_and_name_the_field() {
        check(
            "{\"title\": ",
            ErrorCode::BadRequest,
            None,
            "line 1 column 10",
        );
        check(
            "{\n\"title\": x}",
            ErrorCode::BadRequest,
            None,
            "line 2 column",
        );
        check("", ErrorCode::BadRequest, None, "malformed JSON");
        check(
            r#"{"title": "a"} trailing"#,
            ErrorCode::BadRequest,
            None,
            "trailing",
        );
        check(
            r#"{"title": 1}"#,
            ErrorCode::Validation,
            Some("title"),
            "invalid type",
        );
        check(
            r#"{}"#,
            ErrorCode::Validation,
            Some("title"),
            "missing field",
        );
        check(
            r#"{"title": "a", "titel": 1}"#,
            ErrorCode::Validation,
            Some("titel"),
            "unknown field",
        );
        check(
            r#"{"title": "a", "inner": {"step": 3, "extra": 1}}"#,
            ErrorCode::Validation,
            Some("inner.extra"),
            "unknown field",
        );
        check(
            r#"{"title": "a", "inner": {"step": 15}}"#,
            ErrorCode::Validation,
            Some("inner.step"),
            "15",
        );
        check(
            r#"{"title": "a", "inner": {"step": 1, "reason": " "}}"#,
            ErrorCode::Validation,
            Some("inner.reason"),
            "field `inner.reason` must not be empty",
        );
        assert!(parse_json::<Body>(br#"{"title": "ok"}"#).is_ok());
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("Application/JSON"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json(""));
    }
}
