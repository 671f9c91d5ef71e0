//! Administration: users and their global roles (admin), and the queue of
//! break-glass requests awaiting a second approver (security role). Every
//! page and form goes through the API's own functions, which decide who
//! may: a page never checks a role itself.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rampart_api::{CreateUserRequest, DecisionRequest, UpdateUserRequest};
use rampart_incident::GlobalRole;
use serde::Deserialize;

use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::routes::access::{break_glass_pending, decide_break_glass_request};
use crate::routes::account::{add_user, change_user, users};

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/update", post(update_user))
        .route("/admin/break-glass", get(break_glass_page))
        .route("/admin/break-glass/{request_id}", post(decide_break_glass))
}

/// A user's row.
pub(crate) struct UserLine {
    pub name: String,
    pub role: &'static str,
    pub disabled: bool,
    pub has_password: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    users: Vec<UserLine>,
    roles: Vec<&'static str>,
}

/// `GET /admin/users` (admin; others get the API's 403 as a page).
async fn users_page(State(state): State<AppState>, user: WebUser) -> Response {
    match users(&state, &user.caller).await {
        Ok(list) => html(
            StatusCode::OK,
            &UsersPage {
                chrome: user.chrome(),
                stylesheet: stylesheet_path(),
                users: list
                    .iter()
                    .map(|u| UserLine {
                        name: u.name.to_string(),
                        role: u.role.as_str(),
                        disabled: u.disabled,
                        has_password: u.has_password,
                        created: minute(u.created_at),
                    })
                    .collect(),
                roles: GlobalRole::ALL.iter().map(|r| r.as_str()).collect(),
            },
        ),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// The create form: the API's request; an empty password makes a
/// token-only account, as omitting it does in the API.
#[derive(Deserialize)]
struct CreateUserForm {
    name: String,
    role: GlobalRole,
    #[serde(default)]
    password: String,
}

/// `POST /admin/users`.
async fn create_user(State(state): State<AppState>, posted: PostForm<CreateUserForm>) -> Response {
    let PostForm { user, form } = posted;
    let request = CreateUserRequest {
        name: form.name,
        role: form.role,
        password: Some(form.password).filter(|p| !p.is_empty()),
    };
    match add_user(&state, &user.caller, request).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// One row's forms: a new role, or disable/enable. The user travels in a
/// field rather than the path, so any login name works without encoding.
#[derive(Deserialize)]
struct UpdateUserForm {
    name: String,
    role: Option<GlobalRole>,
    disabled: Option<bool>,
}

/// `POST /admin/users/update`.
async fn update_user(State(state): State<AppState>, posted: PostForm<UpdateUserForm>) -> Response {
    let PostForm { user, form } = posted;
    let request = UpdateUserRequest {
        role: form.role,
        disabled: form.disabled,
    };
    match change_user(&state, &user.caller, &form.name, request).await {
        Ok(_) => Redirect::to("/admin/users").into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// A break-glass request in the queue: codename and reason, never the
/// incident's title (the approver is not a member).
pub(crate) struct GlassLine {
    pub id: i64,
    pub incident: String,
    pub codename: String,
    pub requester: String,
    pub reason: String,
    pub requested: String,
}

#[derive(Template)]
#[template(path = "admin_break_glass.html")]
struct BreakGlassPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    requests: Vec<GlassLine>,
}

/// `GET /admin/break-glass` (security role).
async fn break_glass_page(State(state): State<AppState>, user: WebUser) -> Response {
    match break_glass_pending(&state, &user.caller).await {
        Ok(list) => html(
            StatusCode::OK,
            &BreakGlassPage {
                chrome: user.chrome(),
                stylesheet: stylesheet_path(),
                requests: list
                    .iter()
                    .map(|r| GlassLine {
                        id: r.id,
                        incident: r.incident.to_string(),
                        codename: r.codename.to_string(),
                        requester: r.requester.to_string(),
                        reason: r.reason.clone(),
                        requested: minute(r.requested_at),
                    })
                    .collect(),
            },
        ),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// Approve or reject; break-glass decisions carry no reason in the API.
#[derive(Deserialize)]
struct GlassDecisionForm {
    approve: bool,
}

/// `POST /admin/break-glass/{request_id}`.
async fn decide_break_glass(
    State(state): State<AppState>,
    Path(request_id): Path<String>,
    posted: PostForm<GlassDecisionForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let decision = DecisionRequest {
        approve: form.approve,
        reason: None,
    };
    match decide_break_glass_request(&state, &user.caller, &request_id, decision).await {
        Ok(_) => Redirect::to("/admin/break-glass").into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}
