//! The signed-in user's API tokens: list, create (the token shown once,
//! on the answer to the form), revoke. Through the API's own functions
//! (`account::tokens`, `make_token`, `revoke`), so the same rules and
//! audit events apply.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rampart_api::{CreateTokenRequest, TokenView};
use serde::Deserialize;

use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::auth::now;
use crate::error::ApiError;
use crate::routes::account::{make_token, revoke, tokens};

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(tokens_page).post(create))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// A token's row: its metadata, never the token or its hash.
pub(crate) struct TokenLine {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub expires: String,
    pub expired: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    tokens: Vec<TokenLine>,
}

#[derive(Template)]
#[template(path = "tokens_created.html")]
struct CreatedPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    name: String,
    token: String,
    expires: String,
}

fn expiry(token: &TokenView) -> String {
    token
        .expires_at
        .map(minute)
        .unwrap_or_else(|| "never".into())
}

/// `GET /account/tokens`: the tokens still in force or expired; revoked
/// ones are left out, as nothing can be done with them any more.
async fn tokens_page(State(state): State<AppState>, user: WebUser) -> Response {
    let list = match tokens(&state, &user.caller).await {
        Ok(list) => list,
        Err(error) => return PageError::from_api(error, user.chrome()).into_response(),
    };
    let at = now();
    let tokens = list
        .iter()
        .filter(|token| token.revoked_at.is_none())
        .map(|token| TokenLine {
            id: token.id,
            name: token.name.clone(),
            prefix: token.prefix.clone(),
            created: minute(token.created_at),
            expires: expiry(token),
            expired: token.expires_at.is_some_and(|end| end <= at),
        })
        .collect();
    html(
        StatusCode::OK,
        &TokensPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            tokens,
        },
    )
}

/// The create form. The lifetime is text so that an empty field means
/// "never expires", as omitting it does in the API.
#[derive(Deserialize)]
struct CreateForm {
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

/// `POST /account/tokens`: answers with the new token itself, on this
/// page only; it is not stored and never travels in a URL, and the page
/// is `no-store` like every other.
async fn create(State(state): State<AppState>, posted: PostForm<CreateForm>) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let days = form.expires_in_days.trim();
        let expires_in_days = if days.is_empty() {
            None
        } else {
            Some(days.parse::<u32>().map_err(|_| {
                ApiError::validation(
                    "expires_in_days",
                    "field `expires_in_days`: must be between 1 and 3650",
                )
            })?)
        };
        let request = CreateTokenRequest {
            name: form.name,
            expires_in_days,
        };
        make_token(&state, &user.caller, request).await
    }
    .await;
    match result {
        Ok(created) => html(
            StatusCode::CREATED,
            &CreatedPage {
                chrome: user.chrome(),
                stylesheet: stylesheet_path(),
                expires: expiry(&created.metadata),
                name: created.metadata.name,
                token: created.token,
            },
        ),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// A form whose only field is the CSRF token.
#[derive(Deserialize)]
struct NoFields {}

/// `POST /account/tokens/{id}/revoke`.
async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<NoFields>,
) -> Response {
    let PostForm { user, .. } = posted;
    match revoke(&state, &user.caller, &id).await {
        Ok(_) => Redirect::to("/account/tokens").into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}
