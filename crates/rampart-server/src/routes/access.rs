//! Access requests, break-glass and notifications.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_api::{
    Accepted, AccessRequestList, AccessRequestView, BreakGlassQueue, BreakGlassView,
    CreateAccessRequest, CreateBreakGlassRequest, DecisionRequest, ErrorBody, ErrorCode,
    NotificationKindView, NotificationList, NotificationView, RequestState,
};
use rampart_audit::Target;
use rampart_incident::{
    Access, AccessRequest, AccessRequestState, AccessRoute, BreakGlassRequest, BreakGlassState,
    IncidentAction, IncidentId, IncidentMember, MemberRole, ResponseLogEntry,
};
use rampart_store::{AccessRequestRow, BreakGlassRow, IncidentChange, NotificationKind};
use serde_json::json;

use super::{
    Plan, audit, incident_target, load_incident, parse_incident_id, parse_number, write_incident,
};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};

/// What the requester of `what` ("access request") is told, whatever
/// happened: the API's answer and the confirmation page say the same.
pub(crate) fn accepted_message(what: &str) -> String {
    format!(
        "if the incident exists, your {what} has been passed on; you will be notified of the decision"
    )
}

/// The one answer to an access or break-glass request, whatever happened.
fn accepted(what: &str) -> (StatusCode, Json<Accepted>) {
    (
        StatusCode::ACCEPTED,
        Json(Accepted {
            status: "accepted".into(),
            message: accepted_message(what),
        }),
    )
}

/// Whether the caller already sees the incident, or it does not exist.
async fn needs_no_request(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
) -> ApiResult<Option<rampart_store::IncidentState>> {
    Ok(state.store().incident(id).await?.filter(|incident| {
        rampart_incident::incident_access(&caller.viewer(), &incident.access) == Access::Denied
    }))
}

/// Applies changes that do not depend on the incident's state (a new
/// request is worth storing whatever else changed), retrying on a
/// concurrent change with the version the store reports.
async fn apply_retrying(
    state: &AppState,
    id: IncidentId,
    mut version: i64,
    changes: Vec<IncidentChange>,
    log: Vec<ResponseLogEntry>,
    draft: rampart_store::AuditDraft,
) -> ApiResult<rampart_store::AppliedChanges> {
    let mut last = None;
    for _ in 0..4 {
        match state
            .store()
            .apply_incident_changes(id, version, changes.clone(), log.clone(), draft.clone())
            .await
        {
            Ok(applied) => return Ok(applied),
            Err(error @ rampart_store::StoreError::StaleVersion { actual, .. }) => {
                version = actual;
                last = Some(error);
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(last
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::internal("no attempt made")))
}

/// Asks the incident's commander to join it. Answers 202 with the same
/// body whether or not the incident exists.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/access-requests", tag = "access",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = CreateAccessRequest,
    responses((status = 202, body = Accepted), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn request_access(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateAccessRequest>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    submit_access_request(&state, &caller, &id, request).await?;
    Ok(accepted("access request"))
}

/// Files an access request to incident `id` (as typed: malformed, missing
/// and visible incidents all end in `Ok` alike): what the API's
/// `POST …/access-requests` and the request-access page do. Only a
/// validation error of the request itself is an error.
pub(crate) async fn submit_access_request(
    state: &AppState,
    caller: &Caller,
    id: &str,
    request: CreateAccessRequest,
) -> ApiResult<()> {
    // Validated against any well-formed id before looking anything up, so
    // a validation error says nothing about the incident either.
    let parsed = id.parse::<IncidentId>().ok();
    let draft = AccessRequest::new(
        parsed.unwrap_or_else(|| IncidentId::new(1000, 1).expect("a valid constant id")),
        caller.user.name.clone(),
        request.role,
        &request.reason,
        now(),
    )
    .map_err(ApiError::domain)?;
    let Some(id) = parsed else {
        return Ok(());
    };
    let Some(incident) = needs_no_request(state, caller, id).await? else {
        state
            .store()
            .append_audit(audit(
                caller,
                "access_request.ignored",
                incident_target(id),
                json!({}),
            ))
            .await?;
        return Ok(());
    };
    let at = now();
    let request = AccessRequest {
        incident: id,
        requested_at: at,
        ..draft
    };
    let leaders: Vec<_> = incident
        .access
        .members
        .iter()
        .filter(|m| matches!(m.role, MemberRole::Commander | MemberRole::Deputy))
        .map(|m| m.user.clone())
        .collect();
    let applied = apply_retrying(
        state,
        id,
        incident.summary.version,
        vec![IncidentChange::AddAccessRequest(request.clone())],
        vec![ResponseLogEntry::access_requested(
            &request.requester,
            request.role,
            &request.reason,
            request.requested_at,
        )],
        audit(
            caller,
            "access_request.create",
            incident_target(id),
            json!({ "role": request.role, "reason": request.reason }),
        ),
    )
    .await?;
    // The notification names the request, whose id the store assigned
    // above; hence a second change.
    if let Some(&request_id) = applied.created_ids.first()
        && !leaders.is_empty()
    {
        let changes = leaders
            .iter()
            .map(|leader| IncidentChange::Notify {
                user: leader.clone(),
                kind: NotificationKind::AccessRequested {
                    request_id,
                    requester: caller.user.name.clone(),
                },
                at,
            })
            .collect();
        apply_retrying(
            state,
            id,
            applied.version,
            changes,
            vec![],
            audit(
                caller,
                "access_request.notify",
                Target::new("access_request", format!("{id}/{request_id}")),
                json!({ "notified": leaders }),
            ),
        )
        .await?;
    }
    Ok(())
}

fn access_request_view(row: &AccessRequestRow) -> AccessRequestView {
    let r = &row.request;
    let (state, decided_by, decided_at, decision_reason) = match &r.state {
        AccessRequestState::Requested => (RequestState::Pending, None, None, None),
        AccessRequestState::Approved { by, at } => {
            (RequestState::Approved, Some(by.clone()), Some(*at), None)
        }
        AccessRequestState::Denied { by, at, reason } => (
            RequestState::Denied,
            Some(by.clone()),
            Some(*at),
            reason.as_ref().map(|r| r.to_string()),
        ),
    };
    AccessRequestView {
        id: row.id,
        requester: r.requester.clone(),
        role: r.role,
        reason: r.reason.to_string(),
        requested_at: r.requested_at,
        state,
        decided_by,
        decided_at,
        decision_reason,
    }
}

/// The incident's access requests (commander, deputy).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/access-requests", tag = "access",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = AccessRequestList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_access_requests(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessRequestList>> {
    let id = parse_incident_id(&id)?;
    Ok(Json(AccessRequestList {
        requests: access_requests(&state, &caller, id).await?,
    }))
}

/// The incident's access requests for its commander or deputy (audited as
/// a read): what the API's list and the incident's access page show.
pub(crate) async fn access_requests(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
) -> ApiResult<Vec<AccessRequestView>> {
    load_incident(
        state,
        caller,
        id,
        IncidentAction::DecideAccessRequest,
        Some("access_requests.read"),
    )
    .await?;
    let rows = state.store().access_requests(id).await?;
    Ok(rows.iter().map(access_request_view).collect())
}

/// Approves (the requester becomes a member) or denies an access request
/// (commander, deputy).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/access-requests/{request_id}/decision", tag = "access",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("request_id" = i64, Path, description = "Request id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = AccessRequestView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn decide_access_request(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, request_id)): Path<(String, String)>,
    ApiJson(decision): ApiJson<DecisionRequest>,
) -> ApiResult<Json<AccessRequestView>> {
    Ok(Json(
        decide_access(&state, &caller, &id, &request_id, decision).await?,
    ))
}

/// Approves or denies access request `request_id` of incident `id` (both
/// as typed in the path): what the API's decision route and the
/// incident's access page do.
pub(crate) async fn decide_access(
    state: &AppState,
    caller: &Caller,
    id: &str,
    request_id: &str,
    decision: DecisionRequest,
) -> ApiResult<AccessRequestView> {
    let id = parse_incident_id(id)?;
    let request_id = parse_number(request_id, "access request")?;
    load_incident(state, caller, id, IncidentAction::DecideAccessRequest, None).await?;
    let find = |rows: Vec<AccessRequestRow>| rows.into_iter().find(|r| r.id == request_id);
    let row = find(state.store().access_requests(id).await?)
        .ok_or_else(|| ApiError::not_found("access request"))?;
    let map_error = |e: rampart_incident::AccessRequestError| match e {
        rampart_incident::AccessRequestError::AlreadyDecided => {
            ApiError::domain_code(ErrorCode::Conflict, e)
        }
        rampart_incident::AccessRequestError::NotPermitted { .. }
        | rampart_incident::AccessRequestError::OwnRequest { .. } => {
            ApiError::forbidden(e.to_string())
        }
        other => ApiError::domain(other),
    };
    write_incident(
        state,
        caller,
        id,
        IncidentAction::DecideAccessRequest,
        |incident, access, at| {
            let role = access
                .acting_role()
                .ok_or_else(ApiError::incident_not_found)?;
            let decider = IncidentMember {
                user: caller.user.name.clone(),
                role,
            };
            let requester = row.request.requester.clone();
            if decision.approve {
                let (decided, member) = row.request.approve(&decider, at).map_err(map_error)?;
                let mut changes = vec![IncidentChange::UpdateAccessRequest {
                    id: request_id,
                    request: decided,
                }];
                let mut log = vec![];
                if !incident.access.members.iter().any(|m| m.user == requester) {
                    log.push(ResponseLogEntry::access_granted(
                        &caller.user.name,
                        &requester,
                        &AccessRoute::Membership { role: member.role },
                        &row.request.reason,
                        at,
                    ));
                    changes.push(IncidentChange::AddMember {
                        member: member.clone(),
                        at,
                    });
                }
                changes.push(IncidentChange::Notify {
                    user: requester.clone(),
                    kind: NotificationKind::AccessDecided {
                        request_id,
                        approved: true,
                    },
                    at,
                });
                Ok((
                    Plan {
                        changes,
                        log,
                        action: "access_request.approve",
                        target: Target::new("access_request", format!("{id}/{request_id}")),
                        payload: json!({ "requester": requester, "role": member.role }),
                    },
                    (),
                ))
            } else {
                let decided = row
                    .request
                    .deny(&decider, decision.reason.as_deref(), at)
                    .map_err(map_error)?;
                let row_reason = match &decided.state {
                    rampart_incident::AccessRequestState::Denied { reason, .. } => reason.clone(),
                    _ => None,
                };
                Ok((
                    Plan {
                        changes: vec![
                            IncidentChange::UpdateAccessRequest {
                                id: request_id,
                                request: decided,
                            },
                            IncidentChange::Notify {
                                user: requester.clone(),
                                kind: NotificationKind::AccessDecided {
                                    request_id,
                                    approved: false,
                                },
                                at,
                            },
                        ],
                        log: vec![ResponseLogEntry::access_denied(
                            &caller.user.name,
                            &requester,
                            row_reason.as_ref(),
                            at,
                        )],
                        action: "access_request.deny",
                        target: Target::new("access_request", format!("{id}/{request_id}")),
                        payload: json!({ "requester": requester, "reason": decision.reason }),
                    },
                    (),
                ))
            }
        },
    )
    .await?;
    let row = find(state.store().access_requests(id).await?)
        .ok_or_else(|| ApiError::not_found("access request"))?;
    Ok(access_request_view(&row))
}

/// Breaks the glass: asks for emergency access with a written reason; a
/// second person with the security role must approve. Answers 202 with the
/// same body whether or not the incident exists.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/break-glass", tag = "break-glass",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = CreateBreakGlassRequest,
    responses((status = 202, body = Accepted), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn break_glass(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateBreakGlassRequest>,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    submit_break_glass(&state, &caller, &id, request).await?;
    Ok(accepted("break-glass request"))
}

/// Files a break-glass request for incident `id` (as typed; `Ok` alike
/// whether or not it exists): what the API's `POST …/break-glass` and the
/// request-access page do.
pub(crate) async fn submit_break_glass(
    state: &AppState,
    caller: &Caller,
    id: &str,
    request: CreateBreakGlassRequest,
) -> ApiResult<()> {
    let parsed = id.parse::<IncidentId>().ok();
    let draft = BreakGlassRequest::new(
        parsed.unwrap_or_else(|| IncidentId::new(1000, 1).expect("a valid constant id")),
        caller.user.name.clone(),
        &request.reason,
        now(),
    )
    .map_err(ApiError::domain)?;
    let Some(id) = parsed else {
        return Ok(());
    };
    let Some(incident) = needs_no_request(state, caller, id).await? else {
        state
            .store()
            .append_audit(audit(
                caller,
                "break_glass.ignored",
                incident_target(id),
                json!({}),
            ))
            .await?;
        return Ok(());
    };
    let request = BreakGlassRequest {
        incident: id,
        ..draft
    };
    apply_retrying(
        state,
        id,
        incident.summary.version,
        vec![IncidentChange::AddBreakGlassRequest(request.clone())],
        vec![ResponseLogEntry::break_glass_requested(
            &request.requester,
            &request.reason,
            request.requested_at,
        )],
        audit(
            caller,
            "break_glass.request",
            incident_target(id),
            json!({ "reason": request.reason }),
        ),
    )
    .await?;
    Ok(())
}

fn break_glass_view(row: &BreakGlassRow) -> BreakGlassView {
    let r = &row.request;
    let (state, decided_by, decided_at) = match &r.state {
        BreakGlassState::AwaitingApproval => (RequestState::Pending, None, None),
        BreakGlassState::Approved { by, at } => {
            (RequestState::Approved, Some(by.clone()), Some(*at))
        }
        BreakGlassState::Rejected { by, at } => (RequestState::Denied, Some(by.clone()), Some(*at)),
    };
    BreakGlassView {
        id: row.id,
        incident: r.incident,
        codename: row.codename.clone(),
        requester: r.requester.clone(),
        reason: r.reason.to_string(),
        requested_at: r.requested_at,
        state,
        decided_by,
        decided_at,
    }
}

fn require_security(caller: &Caller) -> ApiResult<()> {
    if caller.user.role.may_approve_break_glass() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the security role decides break-glass requests",
        ))
    }
}

/// Break-glass requests awaiting a second approver (security role). Shows
/// codenames and reasons, never titles; the caller's own requests are left out.
#[utoipa::path(
    get, path = "/api/v1/break-glass", tag = "break-glass",
    responses((status = 200, body = BreakGlassQueue), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn break_glass_queue(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<BreakGlassQueue>> {
    Ok(Json(BreakGlassQueue {
        requests: break_glass_pending(&state, &caller).await?,
    }))
}

/// The break-glass requests a security-role caller may decide: what the
/// API's queue and the review page show.
pub(crate) async fn break_glass_pending(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Vec<BreakGlassView>> {
    require_security(caller)?;
    let rows = state.store().break_glass_requests(None).await?;
    Ok(rows
        .iter()
        .filter(|row| row.request.requester != caller.user.name)
        .map(break_glass_view)
        .collect())
}

/// Approves or rejects a break-glass request (security role, not the
/// requester). Approval puts the grant in force and notifies the
/// commander and deputies at once.
#[utoipa::path(
    post, path = "/api/v1/break-glass/{request_id}/decision", tag = "break-glass",
    params(("request_id" = i64, Path, description = "Request id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = BreakGlassView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    )
)]
pub async fn decide_break_glass(
    State(state): State<AppState>,
    caller: Caller,
    Path(request_id): Path<String>,
    ApiJson(decision): ApiJson<DecisionRequest>,
) -> ApiResult<Json<BreakGlassView>> {
    Ok(Json(
        decide_break_glass_request(&state, &caller, &request_id, decision).await?,
    ))
}

/// Approves or rejects break-glass request `request_id` (as typed in the
/// path): what the API's decision route and the review page do.
pub(crate) async fn decide_break_glass_request(
    state: &AppState,
    caller: &Caller,
    request_id: &str,
    decision: DecisionRequest,
) -> ApiResult<BreakGlassView> {
    require_security(caller)?;
    let request_id = parse_number(request_id, "break-glass request")?;
    let store = state.store();
    let map_error = |e: rampart_incident::BreakGlassError| match e {
        rampart_incident::BreakGlassError::AlreadyDecided => {
            ApiError::domain_code(ErrorCode::Conflict, e)
        }
        rampart_incident::BreakGlassError::Reason(_) => ApiError::domain(e),
        other => ApiError::forbidden(other.to_string()),
    };
    let viewer = caller.viewer();
    for _ in 0..4 {
        let row = store
            .break_glass_request(request_id)
            .await?
            .ok_or_else(|| ApiError::not_found("break-glass request"))?;
        let id = row.request.incident;
        // The approver decides without becoming a member: the store's
        // state is read directly, not through the access rules.
        let incident = store
            .incident(id)
            .await?
            .ok_or_else(|| ApiError::not_found("break-glass request"))?;
        let at = now();
        let target = Target::new("break_glass", format!("{id}/{request_id}"));
        let (changes, log, action, payload) = if decision.approve {
            let approval = row.request.approve(&viewer, at).map_err(map_error)?;
            let mut changes = vec![
                IncidentChange::UpdateBreakGlassRequest {
                    id: request_id,
                    request: approval.request.clone(),
                },
                IncidentChange::AddBreakGlassGrant(approval.grant.clone()),
            ];
            for leader in incident
                .access
                .members
                .iter()
                .filter(|m| matches!(m.role, MemberRole::Commander | MemberRole::Deputy))
            {
                changes.push(IncidentChange::Notify {
                    user: leader.user.clone(),
                    kind: NotificationKind::BreakGlass(approval.notification.clone()),
                    at,
                });
            }
            let log = vec![ResponseLogEntry::access_granted(
                &caller.user.name,
                &row.request.requester,
                &AccessRoute::BreakGlass {
                    approved_by: caller.user.name.clone(),
                    approved_at: at,
                },
                &row.request.reason,
                at,
            )];
            (
                changes,
                log,
                "break_glass.approve",
                json!({ "requester": row.request.requester, "reason": row.request.reason }),
            )
        } else {
            let rejected = row.request.reject(&viewer, at).map_err(map_error)?;
            (
                vec![IncidentChange::UpdateBreakGlassRequest {
                    id: request_id,
                    request: rejected,
                }],
                vec![ResponseLogEntry::break_glass_rejected(
                    &caller.user.name,
                    &row.request.requester,
                    at,
                )],
                "break_glass.reject",
                json!({ "requester": row.request.requester }),
            )
        };
        let draft = rampart_store::AuditDraft::new(at, caller.actor(), action, target, payload);
        match store
            .apply_incident_changes(id, incident.summary.version, changes, log, draft)
            .await
        {
            Ok(_) => {
                let row = store
                    .break_glass_request(request_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("break-glass request"))?;
                return Ok(break_glass_view(&row));
            }
            Err(rampart_store::StoreError::StaleVersion { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::new(
        ErrorCode::Stale,
        "the incident kept changing; try again",
    ))
}

fn notification_view(n: &rampart_store::Notification) -> NotificationView {
    NotificationView {
        id: n.id,
        incident: n.incident,
        codename: n.codename.clone(),
        link: format!("/incidents/{}", n.incident),
        kind: match &n.kind {
            NotificationKind::BreakGlass(b) => NotificationKindView::BreakGlass {
                user: b.user.clone(),
                reason: b.reason.to_string(),
                approved_by: b.approved_by.clone(),
            },
            NotificationKind::AccessRequested {
                request_id,
                requester,
            } => NotificationKindView::AccessRequested {
                request_id: *request_id,
                requester: requester.clone(),
            },
            NotificationKind::AccessDecided {
                request_id,
                approved,
            } => NotificationKindView::AccessDecided {
                request_id: *request_id,
                approved: *approved,
            },
            NotificationKind::AddedAsMember { role } => {
                NotificationKindView::AddedAsMember { role: *role }
            }
            NotificationKind::EvidenceIntegrityFailure { record_id } => {
                NotificationKindView::EvidenceIntegrityFailure {
                    evidence_id: *record_id,
                }
            }
        },
        created_at: n.created_at,
        read_at: n.read_at,
    }
}

/// The caller's notifications, newest first.
#[utoipa::path(
    get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody))
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<NotificationList>> {
    let rows = state.store().notifications(&caller.user.name).await?;
    Ok(Json(NotificationList {
        notifications: rows.iter().map(notification_view).collect(),
    }))
}

/// Marks one of the caller's notifications read.
#[utoipa::path(
    post, path = "/api/v1/notifications/{notification_id}/read", tag = "notifications",
    params(("notification_id" = i64, Path, description = "Notification id")),
    responses((status = 204, description = "Marked read"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn mark_notification_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(notification_id): Path<String>,
) -> ApiResult<StatusCode> {
    let notification_id = parse_number(&notification_id, "notification")?;
    state
        .store()
        .mark_notification_read(
            &caller.user.name,
            notification_id,
            now(),
            audit(
                &caller,
                "notification.read",
                Target::new("notification", notification_id.to_string()),
                json!({}),
            ),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
