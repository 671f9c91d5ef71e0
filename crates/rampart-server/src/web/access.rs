//! Members and access requests of an incident; requesting access;
//! break-glass.
//!
//! The incident's access page reads through `load_incident` (as the API's
//! member list does) and its forms call the API's own member and
//! access-request functions, so leadership rules, the one-commander rule,
//! audit events and response-log entries are the API's. The
//! request-access page is for incidents the user cannot see: its answer is
//! the same whether or not the incident exists.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rampart_api::{
    AccessRequestView, AddMemberRequest, ChangeMemberRoleRequest, CreateAccessRequest,
    CreateBreakGlassRequest, DecisionRequest, RequestState,
};
use rampart_incident::{IncidentAction, IncidentId, MemberRole};
use serde::Deserialize;

use super::incident::IncidentHead;
use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::routes::access::{
    accepted_message, access_requests, decide_access, submit_access_request, submit_break_glass,
};
use crate::routes::incidents::{add_member, change_member_role, remove_member};
use crate::routes::{load_incident, member_views, parse_incident_id};

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/access", get(access_page))
        .route("/incidents/{id}/members", post(add))
        .route("/incidents/{id}/members/role", post(change_role))
        .route("/incidents/{id}/members/remove", post(remove))
        .route(
            "/incidents/{id}/access-requests/{request_id}",
            post(decide_request),
        )
        .route("/access-requests/new", get(request_page))
        .route("/access-requests", post(request_access))
        .route("/break-glass", post(break_glass))
}

/// A member's row.
pub(crate) struct MemberLine {
    pub user: String,
    pub role: &'static str,
    pub joined: String,
}

/// An access request's row.
pub(crate) struct RequestLine {
    pub id: i64,
    pub requester: String,
    pub role: &'static str,
    pub reason: String,
    pub requested: String,
    pub state: &'static str,
    pub decided_by: String,
    pub decided: String,
    pub decision_reason: String,
}

/// A break-glass grant in force.
pub(crate) struct GrantLine {
    pub user: String,
    pub reason: String,
    pub approved_by: String,
    pub approved: String,
}

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    codename: String,
    head: IncidentHead,
    members: Vec<MemberLine>,
    manage: bool,
    /// `None` when the caller's role may not decide requests.
    pending: Option<Vec<RequestLine>>,
    decided: Vec<RequestLine>,
    grants: Vec<GrantLine>,
    roles: Vec<&'static str>,
}

fn request_line(r: &AccessRequestView) -> RequestLine {
    RequestLine {
        id: r.id,
        requester: r.requester.to_string(),
        role: r.role.as_str(),
        reason: r.reason.clone(),
        requested: minute(r.requested_at),
        state: match r.state {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Denied => "denied",
        },
        decided_by: r
            .decided_by
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        decided: r.decided_at.map(minute).unwrap_or_default(),
        decision_reason: r.decision_reason.clone().unwrap_or_default(),
    }
}

async fn load(state: &AppState, user: &WebUser, id: &str) -> ApiResult<AccessPage> {
    let id: IncidentId = parse_incident_id(id)?;
    // The API's member list: the same access decision, 404 and audit event.
    let (incident, access) = load_incident(
        state,
        &user.caller,
        id,
        IncidentAction::View,
        Some("members.read"),
    )
    .await?;
    let (pending, decided) = if access.may(IncidentAction::DecideAccessRequest) {
        let (pending, decided): (Vec<_>, Vec<_>) = access_requests(state, &user.caller, id)
            .await?
            .into_iter()
            .partition(|r| r.state == RequestState::Pending);
        (
            Some(pending.iter().map(request_line).collect()),
            decided.iter().map(request_line).collect(),
        )
    } else {
        (None, Vec::new())
    };
    let summary = &incident.summary;
    Ok(AccessPage {
        chrome: user.chrome(),
        stylesheet: stylesheet_path(),
        nav: "access",
        id: summary.id.to_string(),
        codename: summary.codename.to_string(),
        head: IncidentHead::of(&incident),
        members: member_views(&incident)
            .into_iter()
            .map(|m| MemberLine {
                user: m.user.to_string(),
                role: m.role.as_str(),
                joined: minute(m.joined_at),
            })
            .collect(),
        manage: access.may(IncidentAction::ManageMembers),
        pending,
        decided,
        grants: incident
            .access
            .break_glass
            .iter()
            .map(|grant| GrantLine {
                user: grant.user.to_string(),
                reason: grant.reason.to_string(),
                approved_by: grant.approved_by.to_string(),
                approved: minute(grant.approved_at),
            })
            .collect(),
        roles: MemberRole::ALL.iter().map(|r| r.as_str()).collect(),
    })
}

/// `GET /incidents/{id}/access`.
async fn access_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match load(&state, &user, &id).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// Back to the access page after a change, or the error as a page.
fn back(result: ApiResult<IncidentId>, user: &WebUser, anchor: &str) -> Response {
    match result {
        Ok(id) => Redirect::to(&format!("/incidents/{id}/access#{anchor}")).into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// The add-member form: the API's request.
#[derive(Deserialize)]
struct AddForm {
    user: String,
    role: MemberRole,
}

/// `POST /incidents/{id}/members`: the API's add-member handler.
async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<AddForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let request = AddMemberRequest {
            user: form.user.trim().to_owned(),
            role: form.role,
        };
        // The member list it answers with is read again on the page.
        let _ = add_member(
            State(state.clone()),
            user.caller.clone(),
            Path(id.to_string()),
            ApiJson(request),
        )
        .await?;
        Ok(id)
    }
    .await;
    back(result, &user, "members")
}

/// A member's row form. The member travels in a field rather than the
/// path, so any login name works without encoding.
#[derive(Deserialize)]
struct RoleForm {
    user: String,
    role: MemberRole,
}

/// `POST /incidents/{id}/members/role`: the API's role-change handler.
async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<RoleForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        // The member list it answers with is read again on the page.
        let _ = change_member_role(
            State(state.clone()),
            user.caller.clone(),
            Path((id.to_string(), form.user)),
            ApiJson(ChangeMemberRoleRequest { role: form.role }),
        )
        .await?;
        Ok(id)
    }
    .await;
    back(result, &user, "members")
}

#[derive(Deserialize)]
struct RemoveForm {
    user: String,
}

/// `POST /incidents/{id}/members/remove`: the API's remove-member handler.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<RemoveForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        // The member list it answers with is read again on the page.
        let _ = remove_member(
            State(state.clone()),
            user.caller.clone(),
            Path((id.to_string(), form.user)),
        )
        .await?;
        Ok(id)
    }
    .await;
    back(result, &user, "members")
}

/// Approve or deny, with an optional reason the requester is shown.
#[derive(Deserialize)]
struct DecisionForm {
    approve: bool,
    #[serde(default)]
    reason: String,
}

/// `POST /incidents/{id}/access-requests/{request_id}`.
async fn decide_request(
    State(state): State<AppState>,
    Path((id, request_id)): Path<(String, String)>,
    posted: PostForm<DecisionForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let decision = DecisionRequest {
            approve: form.approve,
            reason: Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty()),
        };
        decide_access(&state, &user.caller, &id, &request_id, decision).await?;
        parse_incident_id(&id)
    }
    .await;
    back(result, &user, "requests")
}

/// Which confirmation to show: `access-request` or `break-glass`.
#[derive(Deserialize)]
struct Sent {
    sent: Option<String>,
}

#[derive(Template)]
#[template(path = "access_request.html")]
struct RequestPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    confirmation: Option<String>,
    roles: Vec<&'static str>,
}

/// The API's answer as a sentence.
fn sentence(what: &str) -> String {
    let message = accepted_message(what);
    let mut chars = message.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect::<String>() + ".")
        .unwrap_or_default()
}

/// `GET /access-requests/new`: ask for access to an incident one cannot
/// see, or break the glass; after either, the one confirmation.
async fn request_page(user: WebUser, Query(sent): Query<Sent>) -> Response {
    let confirmation = match sent.sent.as_deref() {
        Some("access-request") => Some(sentence("access request")),
        Some("break-glass") => Some(sentence("break-glass request")),
        _ => None,
    };
    html(
        StatusCode::OK,
        &RequestPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            confirmation,
            // The commander is appointed, never requested.
            roles: MemberRole::ALL
                .iter()
                .filter(|r| **r != MemberRole::Commander)
                .map(|r| r.as_str())
                .collect(),
        },
    )
}

#[derive(Deserialize)]
struct AccessForm {
    incident: String,
    role: MemberRole,
    reason: String,
}

/// `POST /access-requests`: the API's request; the same redirect whether
/// or not the incident exists (or the user already sees it).
async fn request_access(State(state): State<AppState>, posted: PostForm<AccessForm>) -> Response {
    let PostForm { user, form } = posted;
    let request = CreateAccessRequest {
        role: form.role,
        reason: form.reason,
    };
    sent(
        submit_access_request(
            &state,
            &user.caller,
            &form.incident.trim().to_uppercase(),
            request,
        )
        .await,
        &user,
        "access-request",
    )
}

#[derive(Deserialize)]
struct BreakGlassForm {
    incident: String,
    reason: String,
}

/// `POST /break-glass`: the API's break-glass request, answered like an
/// access request.
async fn break_glass(State(state): State<AppState>, posted: PostForm<BreakGlassForm>) -> Response {
    let PostForm { user, form } = posted;
    let request = CreateBreakGlassRequest {
        reason: form.reason,
    };
    sent(
        submit_break_glass(
            &state,
            &user.caller,
            &form.incident.trim().to_uppercase(),
            request,
        )
        .await,
        &user,
        "break-glass",
    )
}

fn sent(result: Result<(), ApiError>, user: &WebUser, what: &str) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/access-requests/new?sent={what}")).into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}
