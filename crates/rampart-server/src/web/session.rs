//! Sign-in and sign-out pages over the API's session machinery.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Chrome, PageError, PostForm, WebUser, html, stylesheet_path};
use crate::AppState;
use crate::routes::account::{ClientIp, end_session, start_session};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    name: &'a str,
    error: Option<&'a str>,
}

/// `GET /sign-in`: the form (or the dashboard when already signed in).
pub(crate) async fn sign_in_form(user: Result<WebUser, Response>) -> Response {
    if user.is_ok() {
        return Redirect::to("/").into_response();
    }
    html(
        StatusCode::OK,
        &SignInPage {
            chrome: None,
            stylesheet: stylesheet_path(),
            name: "",
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// `POST /sign-in`: checks the password like `POST /api/v1/session` and
/// sets the same cookie. There is no session yet, so no CSRF token: a
/// cross-site post (browsers say so in `Sec-Fetch-Site`) is refused
/// instead, which stops sign-in CSRF into an attacker's account.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site");
    if cross_site {
        return PageError::new(StatusCode::FORBIDDEN, "Sign in from Rampart's own page.")
            .into_response();
    }
    let form: SignInForm = serde_urlencoded::from_bytes(&body).unwrap_or(SignInForm {
        name: String::new(),
        password: String::new(),
    });
    match start_session(&state, ip, &form.name, form.password).await {
        Ok(signed_in) => {
            let mut response = Redirect::to("/").into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, signed_in.cookie);
            response
        }
        Err(error) if error.body().error.code == rampart_api::ErrorCode::Unauthorized => html(
            StatusCode::UNAUTHORIZED,
            &SignInPage {
                chrome: None,
                stylesheet: stylesheet_path(),
                name: &form.name,
                error: Some("Wrong user name or password."),
            },
        ),
        Err(error) => PageError::from_api(error, None).into_response(),
    }
}

/// The sign-out form has nothing but its CSRF token.
#[derive(Deserialize)]
pub(crate) struct Empty {}

/// `POST /sign-out`: ends the session and clears the cookie.
pub(crate) async fn sign_out(State(state): State<AppState>, posted: PostForm<Empty>) -> Response {
    let chrome = posted.user.chrome();
    match end_session(&state, &posted.user.caller).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/sign-in").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(error) => PageError::from_api(error, chrome).into_response(),
    }
}
