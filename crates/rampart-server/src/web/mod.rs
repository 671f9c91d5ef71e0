//! The server-rendered web UI for responders: askama templates (checked
//! at compile time, HTML-escaped by default), one stylesheet embedded in
//! the binary, and no script at all. Pages reach the store only through
//! the same helpers as the API handlers (`routes::load_incident`,
//! `routes::write_incident` and the shared `declare`, `start_session`,
//! `change_step_fields`), so a page can never decide access differently.
//!
//! * Every HTML answer carries [`CONTENT_SECURITY_POLICY`].
//! * Pages authenticate with the session cookie only ([`WebUser`]);
//!   anonymous requests are redirected to `/sign-in`.
//! * Every state-changing form arrives through [`PostForm`], which checks
//!   the session's CSRF token from the form's hidden `csrf` field in
//!   constant time before the handler runs: a handler cannot forget it.

mod access;
mod admin;
mod catalog;
mod comms;
mod dashboard;
mod evidence;
mod findings;
mod incident;
mod record_form;
mod report;
mod session;
mod step;
mod tokens;

use std::sync::OnceLock;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use rampart_api::ErrorCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::auth::{csrf_token_for, hashes_equal, hex, token_hash};
use crate::error::ApiError;
use crate::extract::{Caller, session_of};

/// The policy on every page: nothing but this server's own stylesheet,
/// images and form targets; no scripts are served at all today, and
/// `script-src 'self'` leaves room for one small file without inline code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// One stylesheet, kept in a file per area of the UI.
const CSS: &str = concat!(
    include_str!("../../assets/rampart.css"),
    include_str!("../../assets/incident-pages.css"),
    include_str!("../../assets/admin.css"),
    include_str!("../../assets/catalog.css"),
);

/// The stylesheet's URL: its content hash is in the name, so it can be
/// cached forever and a new build is fetched at once.
pub fn stylesheet_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let digest = hex(&Sha256::digest(CSS.as_bytes()));
        format!("/assets/rampart-{}.css", &digest[..16])
    })
}

async fn asset(Path(name): Path<String>) -> Response {
    if stylesheet_path().strip_prefix("/assets/") == Some(name.as_str()) {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/css; charset=utf-8"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            CSS,
        )
            .into_response()
    } else {
        PageError::not_found().into_response()
    }
}

/// The web UI's routes, with the CSP header on every answer.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::dashboard))
        .route(
            "/sign-in",
            get(session::sign_in_form).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/incidents", post(dashboard::declare))
        .route("/incidents/{id}", get(incident::incident_page))
        .route(
            "/incidents/{id}/steps/{n}",
            get(step::step_page).post(incident::change_step),
        )
        .route("/incidents/{id}/steps/{n}/records", post(step::add_record))
        .route("/incidents/{id}/steps/{n}/owner", post(step::change_owner))
        .route(
            "/incidents/{id}/steps/7/blast-radius",
            post(step::attach_blast_radius),
        )
        .route(
            "/incidents/{id}/records/{record}/done",
            post(step::finish_action_item),
        )
        .route("/assets/{name}", get(asset))
        .merge(evidence::routes())
        .merge(catalog::routes())
        .merge(findings::routes())
        .merge(comms::routes())
        .merge(report::routes())
        .merge(access::routes())
        .merge(admin::routes())
        .merge(tokens::routes())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
}

/// The HTML 404 for paths outside `/api/`, with the CSP header (the
/// fallback runs outside [`router`]'s layer).
pub(crate) fn fallback_page() -> Response {
    let mut response = PageError::not_found().into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

/// What every page's layout needs: who is signed in and their CSRF token
/// for the sign-out form. `None` on the sign-in and anonymous error pages.
#[derive(Debug, Clone)]
pub(crate) struct Chrome {
    /// The signed-in user's name.
    pub user: String,
    /// Their global role.
    pub role: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// A signed-in browser: the caller (as the API's handlers see them) and
/// the session's CSRF token for the page's forms.
pub(crate) struct WebUser {
    /// The caller.
    pub caller: Caller,
    /// The CSRF token (derived from the session id).
    pub csrf: String,
    csrf_hash: String,
}

impl WebUser {
    /// Whether `token` is this session's CSRF token, compared in constant
    /// time. Forms reach handlers through [`PostForm`], which asks this;
    /// a multipart upload, read field by field, asks it itself.
    pub fn csrf_matches(&self, token: &str) -> bool {
        !token.is_empty() && hashes_equal(&token_hash(token), &self.csrf_hash)
    }

    /// The layout's view of this user.
    pub fn chrome(&self) -> Option<Chrome> {
        Some(Chrome {
            user: self.caller.user.name.to_string(),
            role: self.caller.user.role.as_str().to_owned(),
            csrf: self.csrf.clone(),
        })
    }
}

/// Sends an anonymous browser to the sign-in page.
pub(crate) struct ToSignIn;

impl IntoResponse for ToSignIn {
    fn into_response(self) -> Response {
        Redirect::to("/sign-in").into_response()
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session_of(parts, state).await {
            Ok(Some((caller, session_id, csrf_hash))) => Ok(WebUser {
                caller,
                csrf: csrf_token_for(&session_id),
                csrf_hash,
            }),
            Ok(None) => Err(ToSignIn.into_response()),
            Err(error) => Err(PageError::from_api(error, None).into_response()),
        }
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form posted by a signed-in browser, its CSRF token already checked.
/// `T` must not deny unknown fields: the `csrf` field is in the body too.
pub(crate) struct PostForm<T> {
    /// Who posted.
    pub user: WebUser,
    /// The form.
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PostForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        let chrome = user.chrome();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| {
                PageError::new(StatusCode::BAD_REQUEST, "The form could not be read.")
                    .with(chrome.clone())
                    .into_response()
            })?;
        let csrf = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .map(|field| field.csrf)
            .unwrap_or_default();
        if !user.csrf_matches(&csrf) {
            return Err(PageError::expired_form().with(chrome).into_response());
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|error| {
            PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("The form is incomplete: {error}."),
            )
            .with(chrome.clone())
            .into_response()
        })?;
        Ok(PostForm { user, form })
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Option<Chrome>,
    title: &'a str,
    message: &'a str,
    stylesheet: &'static str,
}

/// An error shown as a page. The text depends only on the status and the
/// message given, never on the path or whether something exists.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
    chrome: Option<Chrome>,
    retry_after: Option<HeaderValue>,
}

impl PageError {
    /// A page with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            chrome: None,
            retry_after: None,
        }
    }

    /// The one "not found" page, for every missing or hidden thing alike.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "There is nothing here, or you do not have access to it. If you need access to an incident, ask its commander.",
        )
    }

    /// The answer to a form without this session's CSRF token.
    pub fn expired_form() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from Rampart. Reload the page and try again.",
        )
    }

    /// With the signed-in user's navigation.
    pub fn with(mut self, chrome: Option<Chrome>) -> Self {
        self.chrome = chrome;
        self
    }

    /// The page for an API error. A 404 is always [`PageError::not_found`]
    /// so that a hidden incident and a missing one look the same.
    pub fn from_api(error: ApiError, chrome: Option<Chrome>) -> Self {
        let body = error.body();
        let status = StatusCode::from_u16(body.error.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let page = match body.error.code {
            ErrorCode::NotFound => Self::not_found(),
            ErrorCode::Internal => Self::new(
                status,
                "Something went wrong on the server. The error has been logged; try again.",
            ),
            ErrorCode::RateLimited => {
                let mut page = Self::new(
                    status,
                    "Too many attempts. Wait a few minutes, then try again.",
                );
                page.retry_after = error.retry_after().map(HeaderValue::from);
                page
            }
            _ => Self::new(status, body.error.message.clone()),
        };
        page.with(chrome)
    }

    fn title(&self) -> &'static str {
        match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::UNAUTHORIZED => "Not signed in",
            s if s.is_server_error() => "Server error",
            _ => "That did not work",
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            chrome: self.chrome.clone(),
            title: self.title(),
            message: &self.message,
            stylesheet: stylesheet_path(),
        };
        let mut response = html(self.status, &page);
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

/// Renders `page` as an HTML answer with `status`.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )],
                "internal error",
            )
                .into_response()
        }
    }
}

/// A time as the pages print it: UTC to the minute.
pub(crate) fn minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// How long ago `then` was, coarsely ("3 d 4 h", "12 min").
pub(crate) fn age(then: Timestamp, now: Timestamp) -> String {
    let minutes = now.as_second().saturating_sub(then.as_second()).max(0) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {mins} min")
    } else {
        format!("{mins} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_coarse_and_never_negative() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let now = t("2026-03-04T10:00:00Z");
        assert_eq!(age(t("2026-03-04T09:59:30Z"), now), "0 min");
        assert_eq!(age(t("2026-03-04T08:55:00Z"), now), "1 h 5 min");
        assert_eq!(age(t("2026-03-01T07:00:00Z"), now), "3 d 3 h");
        assert_eq!(age(t("2026-03-05T00:00:00Z"), now), "0 min");
    }

    #[test]
    fn the_stylesheet_name_carries_its_hash() {
        let path = stylesheet_path();
        assert!(path.starts_with("/assets/rampart-") && path.ends_with(".css"));
        assert_eq!(path.len(), "/assets/rampart-".len() + 16 + ".css".len());
    }
}
