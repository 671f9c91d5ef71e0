//! Communications (steps 11 and 14): drafts, approvals, the insider
//! sign-off and sending. The rules are `rampart_incident::CommsDraft`'s;
//! this module reads, decides under the write lock and stores.
//!
//! A draft changes through its own routes only (the generic record routes
//! cannot create or edit one), so approvals cannot be written by hand.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rampart_api::{
    CommsChanged, CommsWarningView, DraftRequest, ErrorBody, ErrorCode, SentRequest, SignoffRequest,
};
use rampart_audit::Target;
use rampart_incident::{
    CommsDraft, CommsDraftInput, CommsError, IncidentAction, IncidentId, NonEmptyText,
    ResponseLogEntry, SentRecord, Step, StepRecord, StepState,
};
use rampart_store::{IncidentChange, IncidentState, RecordRow};
use serde_json::json;

use super::{Plan, parse_incident_id, parse_number, record_view, require_open, write_incident};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};

fn comms_error(error: CommsError) -> ApiError {
    match error {
        CommsError::NotAnApprover { .. } => ApiError::forbidden(error.to_string()),
        CommsError::AlreadySent
        | CommsError::AlreadyApproved { .. }
        | CommsError::AlreadySignedOff { .. }
        | CommsError::Unchanged => ApiError::domain_code(ErrorCode::Conflict, error),
        other => ApiError::domain(other),
    }
}

fn draft_record(draft: CommsDraft) -> StepRecord {
    match draft.scope() {
        rampart_incident::CommsScope::Internal => StepRecord::InternalCommsDraft(draft),
        rampart_incident::CommsScope::External => StepRecord::ExternalCommsDraft(draft),
    }
}

/// The draft a record holds, if it is one.
pub(crate) fn as_draft(record: &StepRecord) -> Option<&CommsDraft> {
    match record {
        StepRecord::InternalCommsDraft(d) | StepRecord::ExternalCommsDraft(d) => Some(d),
        _ => None,
    }
}

/// What the writer of `draft` should know, given the incident's state.
pub(crate) fn warnings(incident: &IncidentState, draft: &CommsDraft) -> Vec<CommsWarningView> {
    let not_needed: Vec<Step> = incident
        .steps
        .iter()
        .filter(|row| row.entry.state == StepState::NotNeeded)
        .map(|row| row.entry.step)
        .collect();
    draft
        .warnings(&incident.facts, &not_needed)
        .iter()
        .map(CommsWarningView::from)
        .collect()
}

fn comms_target(id: IncidentId, record_id: Option<i64>) -> Target {
    match record_id {
        Some(record_id) => Target::new("communication", format!("{id}/{record_id}")),
        None => Target::new("communication", id.to_string()),
    }
}

/// Reads a draft (members only learn whether it exists: the caller's
/// access is checked first by `write_incident`, and a missing draft is a
/// 404 after that check).
async fn read_draft(state: &AppState, id: IncidentId, record_id: i64) -> ApiResult<RecordRow> {
    let row = state
        .store()
        .record(id, record_id)
        .await?
        .filter(|row| as_draft(&row.record).is_some())
        .ok_or_else(|| ApiError::not_found("communication draft"))?;
    Ok(row)
}

/// Applies `change` to the draft `record_id` under the write lock. The
/// draft is read before the lock; the incident's version, which every write
/// bumps, proves nobody changed it in between (else 409 `stale`: reload and
/// retry), so two approvals cannot overwrite each other. With `seen`, the
/// version the caller read the draft at (a page's form) is the one
/// checked, so a decision taken on an outdated page is refused alike.
#[allow(clippy::too_many_arguments)]
async fn change_draft(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    seen: Option<i64>,
    action: IncidentAction,
    audit_action: &'static str,
    change: impl FnOnce(
        &CommsDraft,
        &rampart_incident::Access,
        jiff::Timestamp,
    ) -> ApiResult<CommsDraft>
    + Send,
) -> ApiResult<CommsChanged> {
    // Access first, so that a non-member learns nothing about record ids.
    let (incident, _) = super::load_incident(state, caller, id, IncidentAction::View, None).await?;
    let row = read_draft(state, id, record_id).await?;
    let read_version = seen.unwrap_or(incident.summary.version);
    let step = row.step;
    let action = match action {
        IncidentAction::WorkOnStep(_) => IncidentAction::WorkOnStep(step),
        other => other,
    };
    let (view_warnings, applied) =
        write_incident(state, caller, id, action, |incident, access, at| {
            require_open(incident)?;
            if incident.summary.version != read_version {
                return Err(ApiError::new(
                    ErrorCode::Stale,
                    "the incident changed while the draft was being updated; reload and retry",
                ));
            }
            let current =
                as_draft(&row.record).ok_or_else(|| ApiError::not_found("communication draft"))?;
            let next = change(current, access, at)?;
            let record = draft_record(next.clone());
            let view_warnings = warnings(incident, &next);
            Ok((
                Plan {
                    log: vec![ResponseLogEntry::record_updated(
                        &caller.user.name,
                        record_id,
                        &record,
                        at,
                    )],
                    payload: json!({ "id": record_id, "from": row.record, "to": record }),
                    changes: vec![IncidentChange::UpdateRecord {
                        id: record_id,
                        record,
                        at,
                    }],
                    action: audit_action,
                    target: comms_target(id, Some(record_id)),
                },
                view_warnings,
            ))
        })
        .await?;
    let row = read_draft(state, id, record_id).await?;
    Ok(CommsChanged {
        record: record_view(&row),
        warnings: view_warnings,
        version: applied.version,
    })
}

/// Writes a communication draft. The audience decides the step:
/// `internal` is step 11, every other audience step 14.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/communications", tag = "communications",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = DraftRequest,
    responses(
        (status = 201, body = CommsChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<DraftRequest>,
) -> ApiResult<(StatusCode, Json<CommsChanged>)> {
    let id = parse_incident_id(&id)?;
    let changed = new_draft(&state, &caller, id, request).await?;
    Ok((StatusCode::CREATED, Json(changed)))
}

/// Writes a new draft into the step its audience belongs to.
pub(crate) async fn new_draft(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    request: DraftRequest,
) -> ApiResult<CommsChanged> {
    let input = CommsDraftInput::from(request);
    let step = input.audience.scope().step();
    let (view_warnings, applied) = write_incident(
        state,
        caller,
        id,
        IncidentAction::WorkOnStep(step),
        |incident, _, at| {
            require_open(incident)?;
            let draft = CommsDraft::new(input.clone(), step).map_err(comms_error)?;
            let view_warnings = warnings(incident, &draft);
            let record = draft_record(draft);
            Ok((
                Plan {
                    log: vec![ResponseLogEntry::record_added(
                        &caller.user.name,
                        &record,
                        at,
                    )],
                    payload: json!({ "record": record }),
                    changes: vec![IncidentChange::AddRecord {
                        record,
                        by: caller.user.name.clone(),
                        at,
                    }],
                    action: "communication.draft",
                    target: comms_target(id, None),
                },
                view_warnings,
            ))
        },
    )
    .await?;
    let record_id = *applied
        .created_ids
        .first()
        .ok_or_else(|| ApiError::internal("the store returned no record id"))?;
    let row = read_draft(state, id, record_id).await?;
    Ok(CommsChanged {
        record: record_view(&row),
        warnings: view_warnings,
        version: applied.version,
    })
}

/// Rewrites a draft that has not been sent. Changed text needs approving again.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}/communications/{record_id}", tag = "communications",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Draft id")),
    request_body = DraftRequest,
    responses(
        (status = 200, body = CommsChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn edit_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<DraftRequest>,
) -> ApiResult<Json<CommsChanged>> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "communication draft")?;
    let input = CommsDraftInput::from(request);
    change_draft(
        &state,
        &caller,
        id,
        record_id,
        None,
        IncidentAction::WorkOnStep(Step::InternalCommunication),
        "communication.edit",
        |draft, _, _| {
            let step = draft.scope().step();
            draft.edit(input, step).map_err(comms_error)
        },
    )
    .await
    .map(Json)
}

/// Approves the draft's current text in the caller's capacity: the
/// commander (internal and external) or the legal member (external).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/communications/{record_id}/approve", tag = "communications",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Draft id")),
    request_body(content = Object, description = "`{}`"),
    responses(
        (status = 200, body = CommsChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn approve_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
    ApiJson(_empty): ApiJson<EmptyRequest>,
) -> ApiResult<Json<CommsChanged>> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "communication draft")?;
    approve(&state, &caller, id, record_id, None)
        .await
        .map(Json)
}

/// Approves a draft in the caller's capacity; `seen` as in `change_draft`.
pub(crate) async fn approve(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    seen: Option<i64>,
) -> ApiResult<CommsChanged> {
    change_draft(
        state,
        caller,
        id,
        record_id,
        seen,
        IncidentAction::View,
        "communication.approve",
        |draft, access, at| {
            let role = access
                .acting_role()
                .ok_or_else(ApiError::incident_not_found)?;
            draft
                .approve(&caller.user.name, role, at)
                .map_err(comms_error)
        },
    )
    .await
}

/// Signs off that the attack is not believed to come from inside, which
/// internal communication needs before it goes out. Leadership only
/// (commander, deputy): it is a judgement about the investigation.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/communications/{record_id}/signoff", tag = "communications",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Draft id")),
    request_body = SignoffRequest,
    responses(
        (status = 200, body = CommsChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn sign_off_draft(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<SignoffRequest>,
) -> ApiResult<Json<CommsChanged>> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "communication draft")?;
    sign_off(&state, &caller, id, record_id, &request.rationale, None)
        .await
        .map(Json)
}

/// Signs off a draft as not going to an insider; `seen` as in `change_draft`.
pub(crate) async fn sign_off(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    rationale: &str,
    seen: Option<i64>,
) -> ApiResult<CommsChanged> {
    let rationale = NonEmptyText::parse("rationale", rationale).map_err(ApiError::domain)?;
    change_draft(
        state,
        caller,
        id,
        record_id,
        seen,
        IncidentAction::EditDetails,
        "communication.signoff",
        |draft, _, at| {
            draft
                .sign_off_not_insider(&caller.user.name, rationale, at)
                .map_err(comms_error)
        },
    )
    .await
}

/// Records that the draft was sent. Refused until the required approvals
/// (and, for internal communication, the insider sign-off) are in.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/communications/{record_id}/sent", tag = "communications",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Draft id")),
    request_body = SentRequest,
    responses(
        (status = 200, body = CommsChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn mark_draft_sent(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<SentRequest>,
) -> ApiResult<Json<CommsChanged>> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "communication draft")?;
    mark_sent(&state, &caller, id, record_id, request, None)
        .await
        .map(Json)
}

/// Records that a draft went out; `seen` as in `change_draft`.
pub(crate) async fn mark_sent(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    request: SentRequest,
    seen: Option<i64>,
) -> ApiResult<CommsChanged> {
    let channel = NonEmptyText::parse("channel", &request.channel).map_err(ApiError::domain)?;
    change_draft(
        state,
        caller,
        id,
        record_id,
        seen,
        IncidentAction::WorkOnStep(Step::InternalCommunication),
        "communication.sent",
        |draft, _, at| {
            draft
                .mark_sent(SentRecord {
                    channel,
                    at: request.sent_at.unwrap_or(at),
                    by: caller.user.name.clone(),
                })
                .map_err(comms_error)
        },
    )
    .await
}

/// A request that carries nothing (`{}`); unknown fields are refused like
/// everywhere else.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyRequest {}
