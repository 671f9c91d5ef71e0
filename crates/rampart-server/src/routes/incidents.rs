//! Incidents: list, declare, detail, details, the 14 steps, records, the
//! response log, members, close and reopen.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use rampart_api::{
    AddMemberRequest, ChangeMemberRoleRequest, DeclareIncidentRequest, ErrorBody, IncidentChanged,
    IncidentDetail, IncidentList, LogEntryView, MemberList, RecordChanged, RecordInput, RecordList,
    ResponseLog, StepList, StepUpdateResponse, UpdateIncidentRequest, UpdateStepRequest,
    WarningView,
};
use rampart_audit::Target;
use rampart_incident::{
    GlobalRole, IncidentAction, IncidentId, IncidentMember, LogAction, LogTarget, MemberRole,
    NonEmptyText, ResponseLogEntry, Step, StepRecord, UserName,
};
use rampart_store::{
    IncidentChange, IncidentDetails, IncidentState, NewIncident, NotificationKind,
};
use serde_json::json;

use super::{
    Plan, audit, detail_view, incident_target, load_incident, member_views, parse_incident_id,
    parse_number, record_view, reload, require_open, route_of, step_view, summary_view,
    write_incident,
};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};

fn step_target(id: rampart_incident::IncidentId, step: Step) -> Target {
    Target::new("step", format!("{id}/{}", step.number()))
}

pub(crate) fn parse_step(text: &str) -> ApiResult<Step> {
    text.parse::<u8>()
        .ok()
        .and_then(Step::from_number)
        .ok_or_else(|| ApiError::not_found("step (steps are numbered 1–14)"))
}

fn text_field(field: &'static str, value: &str) -> ApiResult<NonEmptyText> {
    NonEmptyText::parse(field, value).map_err(ApiError::domain)
}

fn optional_text(field: &'static str, value: Option<&str>) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text_field(field, v).map(|t| Some(t.to_string())),
    }
}

/// Incidents the caller is a member of or holds break-glass access to.
#[utoipa::path(
    get, path = "/api/v1/incidents", tag = "incidents",
    responses((status = 200, body = IncidentList), (status = 401, body = ErrorBody))
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<IncidentList>> {
    let incidents = visible_incidents(&state, &caller).await?;
    Ok(Json(IncidentList {
        incidents: incidents.iter().map(summary_view).collect(),
    }))
}

/// The incidents `caller` may see (member or break-glass holder), with the
/// listing audited: the one path for the API's list and the dashboard.
pub(crate) async fn visible_incidents(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Vec<rampart_store::IncidentSummary>> {
    let store = state.store();
    let incidents = store.incidents_visible_to(&caller.user.name).await?;
    store
        .append_audit(audit(
            caller,
            "incident.list",
            Target::new("incidents", "visible"),
            json!({ "ids": incidents.iter().map(|i| i.id.to_string()).collect::<Vec<_>>() }),
        ))
        .await?;
    Ok(incidents)
}

/// Declares an incident; the caller becomes its commander. Any role but
/// viewer may ("not sure? declare it anyway").
#[utoipa::path(
    post, path = "/api/v1/incidents", tag = "incidents",
    request_body = DeclareIncidentRequest,
    responses(
        (status = 201, body = IncidentDetail),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn declare_incident(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<DeclareIncidentRequest>,
) -> ApiResult<(StatusCode, Json<IncidentDetail>)> {
    let incident = declare(&state, &caller, request).await?;
    let route = rampart_incident::AccessRoute::Membership {
        role: MemberRole::Commander,
    };
    Ok((StatusCode::CREATED, Json(detail_view(&incident, route))))
}

/// Declares an incident for `caller` (who becomes its commander): the one
/// path for the API and the web page. Viewers may not (403).
pub(crate) async fn declare(
    state: &AppState,
    caller: &Caller,
    request: DeclareIncidentRequest,
) -> ApiResult<IncidentState> {
    if caller.user.role == GlobalRole::Viewer {
        return Err(ApiError::forbidden("viewers cannot declare incidents"));
    }
    let title = text_field("title", &request.title)?;
    if title.as_str().chars().count() > 200 {
        return Err(ApiError::validation(
            "title",
            "field `title` is longer than 200 characters",
        ));
    }
    let summary = optional_text("summary", request.summary.as_deref())?;
    let details = IncidentDetails {
        title: title.to_string(),
        summary,
        severity: request.severity,
        tlp: request.tlp,
        detected_by: request.detected_by.unwrap_or_default(),
    };
    let payload = serde_json::to_value(&details).map_err(ApiError::internal)?;
    let incident = state
        .store()
        .declare_incident(
            NewIncident {
                details,
                declared_by: caller.user.name.clone(),
                declared_at: now(),
            },
            caller.actor(),
            payload,
        )
        .await?;
    Ok(incident)
}

/// One incident: summary, members, the 14 steps, the caller's access, grants.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = IncidentDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentDetail>> {
    let id = parse_incident_id(&id)?;
    let (incident, access) = load_incident(
        &state,
        &caller,
        id,
        IncidentAction::View,
        Some("incident.read"),
    )
    .await?;
    Ok(Json(detail_view(&incident, route_of(&access)?)))
}

/// Edits title, summary, severity, marking or detection source (commander, deputy).
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = UpdateIncidentRequest,
    responses(
        (status = 200, body = IncidentDetail), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateIncidentRequest>,
) -> ApiResult<Json<IncidentDetail>> {
    let id = parse_incident_id(&id)?;
    if request == UpdateIncidentRequest::default() {
        return Err(ApiError::validation("title", "nothing to change"));
    }
    let title = request
        .title
        .as_deref()
        .map(|t| text_field("title", t))
        .transpose()?;
    let summary = match &request.summary {
        None => None,
        Some(value) => Some(optional_text("summary", value.as_deref())?),
    };
    let (_, _) = write_incident(
        &state,
        &caller,
        id,
        IncidentAction::EditDetails,
        |incident, _, at| {
            require_open(incident)?;
            let old = &incident.summary.details;
            let details = IncidentDetails {
                title: title
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| old.title.clone()),
                summary: summary.clone().unwrap_or_else(|| old.summary.clone()),
                severity: request.severity.unwrap_or(old.severity),
                tlp: request.tlp.unwrap_or(old.tlp),
                detected_by: request.detected_by.unwrap_or(old.detected_by),
            };
            if &details == old {
                return Err(ApiError::conflict("the incident already has these details"));
            }
            let payload = json!({ "from": old, "to": details });
            let mut fields = Vec::new();
            if details.title != old.title {
                fields.push("title");
            }
            if details.summary != old.summary {
                fields.push("summary");
            }
            if details.severity != old.severity {
                fields.push("severity");
            }
            if details.tlp != old.tlp {
                fields.push("tlp");
            }
            if details.detected_by != old.detected_by {
                fields.push("detected_by");
            }
            let log =
                ResponseLogEntry::details_edited(&caller.user.name, &fields, payload.clone(), at);
            Ok((
                Plan {
                    changes: vec![IncidentChange::EditDetails(details)],
                    log: vec![log],
                    action: "incident.edit",
                    target: incident_target(id),
                    payload,
                },
                (),
            ))
        },
    )
    .await?;
    let (incident, access) = load_incident(&state, &caller, id, IncidentAction::View, None).await?;
    Ok(Json(detail_view(&incident, route_of(&access)?)))
}

/// The 14 steps.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/steps", tag = "steps",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = StepList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_steps(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<StepList>> {
    let id = parse_incident_id(&id)?;
    let (incident, _) = load_incident(
        &state,
        &caller,
        id,
        IncidentAction::View,
        Some("steps.read"),
    )
    .await?;
    Ok(Json(StepList {
        steps: incident.steps.iter().map(step_view).collect(),
    }))
}

/// Changes a step's state, owner or notes. The order of the steps is
/// guidance: the change happens, with warnings in the answer and the log.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}/steps/{n}", tag = "steps",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("n" = u8, Path, description = "Step 1–14")),
    request_body = UpdateStepRequest,
    responses(
        (status = 200, body = StepUpdateResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Unchanged, closed, or stale", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, n)): Path<(String, String)>,
    ApiJson(request): ApiJson<UpdateStepRequest>,
) -> ApiResult<Json<StepUpdateResponse>> {
    let id = parse_incident_id(&id)?;
    let step = parse_step(&n)?;
    let (warnings, applied) = change_step_fields(&state, &caller, id, step, request).await?;
    let incident = reload(&state, id).await?;
    let row = incident
        .step(step)
        .ok_or_else(|| ApiError::internal("step vanished"))?;
    Ok(Json(StepUpdateResponse {
        step: step_view(row),
        warnings: warnings.iter().map(WarningView::from).collect(),
        version: applied.version,
    }))
}

/// Changes a step's state, owner or notes under the step rules, in one
/// write: the one path for the API's PATCH and the web form. Returns the
/// warnings the change raised.
pub(crate) async fn change_step_fields(
    state: &AppState,
    caller: &Caller,
    id: rampart_incident::IncidentId,
    step: Step,
    request: UpdateStepRequest,
) -> ApiResult<(
    Vec<rampart_incident::StepWarning>,
    rampart_store::AppliedChanges,
)> {
    if request == UpdateStepRequest::default() {
        return Err(ApiError::validation(
            "state",
            "nothing to change: give state, rationale, owner or notes",
        ));
    }
    if request.state.is_none() && request.rationale.is_some() {
        return Err(ApiError::validation(
            "rationale",
            "field `rationale`: a rationale goes with a `state`",
        ));
    }
    let owner = match &request.owner {
        None => None,
        Some(None) => Some(None),
        Some(Some(name)) => Some(Some(
            UserName::parse(name).map_err(|e| ApiError::validation("owner", e.to_string()))?,
        )),
    };
    let notes = match &request.notes {
        None => None,
        Some(value) => Some(optional_text("notes", value.as_deref())?),
    };
    write_incident(
        state,
        caller,
        id,
        IncidentAction::WorkOnStep(step),
        |incident, _, at| {
            require_open(incident)?;
            let row = incident
                .step(step)
                .ok_or_else(|| ApiError::internal(format!("{id} has no {step}")))?;
            let mut changes = Vec::new();
            let mut log = Vec::new();
            let mut warnings = Vec::new();
            let mut payload = serde_json::Map::new();
            if let Some(new_state) = request.state {
                let change = rampart_incident::change_step(
                    &incident.board(),
                    step,
                    new_state,
                    request.rationale.as_deref(),
                    &caller.user.name,
                    at,
                    &incident.facts,
                )
                .map_err(|e| match e {
                    rampart_incident::StepError::Unchanged { .. } => {
                        ApiError::domain_code(rampart_api::ErrorCode::Conflict, e)
                    }
                    other => ApiError::domain(other),
                })?;
                log.push(ResponseLogEntry::step_changed(&change));
                payload.insert(
                    "state".into(),
                    json!({ "from": change.from, "to": change.entry.state }),
                );
                if !change.reasons.is_empty() {
                    payload.insert("reasons".into(), json!(change.reasons));
                }
                if !change.warnings.is_empty() {
                    payload.insert("warnings".into(), json!(change.warnings));
                }
                warnings = change.warnings.clone();
                changes.push(IncidentChange::SetStep(change.entry));
            }
            if let Some(owner) = &owner {
                if let Some(name) = owner
                    && !incident.access.members.iter().any(|m| &m.user == name)
                {
                    return Err(ApiError::validation(
                        "owner",
                        format!("field `owner`: {name} is not a member of this incident"),
                    ));
                }
                if owner != &row.owner {
                    let text = owner.as_ref().map(|o| o.to_string());
                    log.push(ResponseLogEntry {
                        at,
                        actor: caller.user.name.clone(),
                        action: LogAction::StepChanged,
                        target: LogTarget::Step { step },
                        summary: match &text {
                            Some(name) => format!("{step}: owner set to {name}"),
                            None => format!("{step}: owner cleared"),
                        },
                        detail: json!({ "owner": text }),
                    });
                    payload.insert("owner".into(), json!(text));
                    changes.push(IncidentChange::SetStepOwner {
                        step,
                        owner: owner.clone(),
                    });
                }
            }
            if let Some(notes) = &notes
                && notes != &row.notes
            {
                log.push(ResponseLogEntry {
                    at,
                    actor: caller.user.name.clone(),
                    action: LogAction::StepChanged,
                    target: LogTarget::Step { step },
                    summary: match notes {
                        Some(_) => format!("{step}: notes updated"),
                        None => format!("{step}: notes cleared"),
                    },
                    detail: json!({ "notes": notes }),
                });
                payload.insert("notes".into(), json!(notes));
                changes.push(IncidentChange::SetStepNotes {
                    step,
                    notes: notes.clone(),
                });
            }
            if changes.is_empty() {
                return Err(ApiError::conflict(format!(
                    "{step} already has these values"
                )));
            }
            Ok((
                Plan {
                    changes,
                    log,
                    action: "step.change",
                    target: step_target(id, step),
                    payload: payload.into(),
                },
                warnings,
            ))
        },
    )
    .await
}

fn parse_step_query(query: Option<&str>) -> ApiResult<Option<Step>> {
    let mut step = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "step" {
            return Err(ApiError::validation(
                key.to_owned(),
                format!("unknown query parameter `{key}`"),
            ));
        }
        step = Some(
            value
                .parse::<u8>()
                .ok()
                .and_then(Step::from_number)
                .ok_or_else(|| {
                    ApiError::validation("step", "field `step`: give a step number 1–14")
                })?,
        );
    }
    Ok(step)
}

/// Structured records, optionally of one step.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/records", tag = "records",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), rampart_api::RecordQuery),
    responses((status = 200, body = RecordList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<RecordList>> {
    let id = parse_incident_id(&id)?;
    let step = parse_step_query(query.as_deref())?;
    load_incident(
        &state,
        &caller,
        id,
        IncidentAction::View,
        Some("records.read"),
    )
    .await?;
    let records = state.store().records(id, step).await?;
    Ok(Json(RecordList {
        records: records.iter().map(record_view).collect(),
    }))
}

/// Adds a record to its step (anyone who may work on that step).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/records", tag = "records",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = RecordInput,
    responses(
        (status = 201, body = RecordChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecordInput>,
) -> ApiResult<(StatusCode, Json<RecordChanged>)> {
    let id = parse_incident_id(&id)?;
    let changed = add_record_as(&state, &caller, id, input).await?;
    Ok((StatusCode::CREATED, Json(changed)))
}

/// Adds `input` to its step as `caller`: the API's route and the web
/// UI's record forms both come here.
pub(crate) async fn add_record_as(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    input: RecordInput,
) -> ApiResult<RecordChanged> {
    let step = input.kind().step();
    if input.has_links() {
        // Only members learn which record ids exist.
        load_incident(state, caller, id, IncidentAction::View, None).await?;
        super::indicators::check_links(state, id, &input.clone().into_record(now())).await?;
    }
    let (_, applied) = write_incident(
        state,
        caller,
        id,
        IncidentAction::WorkOnStep(step),
        |incident, _, at| {
            require_open(incident)?;
            let record = input.clone().into_record(at);
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
                    action: "record.add",
                    target: step_target(id, step),
                },
                (),
            ))
        },
    )
    .await?;
    let record_id = *applied
        .created_ids
        .first()
        .ok_or_else(|| ApiError::internal("the store returned no record id"))?;
    let row = state
        .store()
        .record(id, record_id)
        .await?
        .ok_or_else(|| ApiError::internal("the new record is missing"))?;
    Ok(RecordChanged {
        record: record_view(&row),
        version: applied.version,
    })
}

/// Replaces a record (its kind cannot change), e.g. an action item's status.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}/records/{record_id}", tag = "records",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Record id")),
    request_body = RecordInput,
    responses(
        (status = 200, body = RecordChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_record(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RecordInput>,
) -> ApiResult<Json<RecordChanged>> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "record")?;
    update_record_as(&state, &caller, id, record_id, input)
        .await
        .map(Json)
}

/// Replaces record `record_id` with `input` as `caller` (the API's route
/// and the web UI's forms).
pub(crate) async fn update_record_as(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    input: RecordInput,
) -> ApiResult<RecordChanged> {
    let step = input.kind().step();
    // Only the incident's members learn whether a record id exists.
    load_incident(state, caller, id, IncidentAction::View, None).await?;
    let existing = state
        .store()
        .record(id, record_id)
        .await?
        .ok_or_else(|| ApiError::not_found("record"))?;
    if existing.record.kind() != input.kind() {
        return Err(ApiError::validation(
            "kind",
            format!(
                "field `kind`: record {record_id} is a {}, not a {}",
                existing.record.kind(),
                input.kind()
            ),
        ));
    }
    // An attack-timeline entry keeps the time it was first recorded.
    let recorded_at = match &existing.record {
        StepRecord::AttackTimelineEntry(entry) => entry.recorded_at,
        _ => existing.created_at,
    };
    let record = input.into_record(recorded_at);
    super::indicators::check_links(state, id, &record).await?;
    if record == existing.record {
        return Err(ApiError::conflict(format!(
            "record {record_id} already has these values"
        )));
    }
    let (_, applied) = write_incident(
        state,
        caller,
        id,
        IncidentAction::WorkOnStep(step),
        |incident, _, at| {
            require_open(incident)?;
            Ok((
                Plan {
                    log: vec![ResponseLogEntry::record_updated(
                        &caller.user.name,
                        record_id,
                        &record,
                        at,
                    )],
                    payload: json!({ "id": record_id, "from": existing.record, "to": record }),
                    changes: vec![IncidentChange::UpdateRecord {
                        id: record_id,
                        record: record.clone(),
                        at,
                    }],
                    action: "record.update",
                    target: Target::new("record", format!("{id}/{record_id}")),
                },
                (),
            ))
        },
    )
    .await?;
    let row = state
        .store()
        .record(id, record_id)
        .await?
        .ok_or_else(|| ApiError::not_found("record"))?;
    Ok(RecordChanged {
        record: record_view(&row),
        version: applied.version,
    })
}

/// The response log: what the responders did, oldest first.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/log", tag = "incidents",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = ResponseLog), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn response_log(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ResponseLog>> {
    let id = parse_incident_id(&id)?;
    load_incident(&state, &caller, id, IncidentAction::View, Some("log.read")).await?;
    let rows = state.store().response_log(id).await?;
    Ok(Json(ResponseLog {
        entries: rows
            .into_iter()
            .map(|row| LogEntryView {
                seq: row.seq,
                at: row.entry.at,
                actor: row.entry.actor,
                action: row.entry.action,
                target: row.entry.target,
                summary: row.entry.summary,
                detail: row.entry.detail,
            })
            .collect(),
    }))
}

/// Members and their roles.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/members", tag = "members",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = MemberList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<MemberList>> {
    let id = parse_incident_id(&id)?;
    let (incident, _) = load_incident(
        &state,
        &caller,
        id,
        IncidentAction::View,
        Some("members.read"),
    )
    .await?;
    Ok(Json(MemberList {
        members: member_views(&incident),
        version: incident.summary.version,
    }))
}

fn commanders_after(
    incident: &IncidentState,
    user: &UserName,
    new_role: Option<MemberRole>,
) -> usize {
    incident
        .access
        .members
        .iter()
        .map(|m| {
            if &m.user == user {
                new_role
            } else {
                Some(m.role)
            }
        })
        .filter(|r| *r == Some(MemberRole::Commander))
        .count()
}

async fn members_answer(
    state: &AppState,
    id: rampart_incident::IncidentId,
) -> ApiResult<Json<MemberList>> {
    let incident = reload(state, id).await?;
    Ok(Json(MemberList {
        members: member_views(&incident),
        version: incident.summary.version,
    }))
}

/// Adds a member (commander, deputy); they are notified.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/members", tag = "members",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = AddMemberRequest,
    responses(
        (status = 201, body = MemberList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AddMemberRequest>,
) -> ApiResult<(StatusCode, Json<MemberList>)> {
    let id = parse_incident_id(&id)?;
    let user =
        UserName::parse(&request.user).map_err(|e| ApiError::validation("user", e.to_string()))?;
    // Checked after access, so only leadership learns whether a user exists.
    load_incident(&state, &caller, id, IncidentAction::ManageMembers, None).await?;
    match state.store().user_by_name(&user).await? {
        Some(found) if !found.disabled => {}
        _ => {
            return Err(ApiError::validation(
                "user",
                format!("field `user`: no active user {user}"),
            ));
        }
    }
    let member = IncidentMember {
        user: user.clone(),
        role: request.role,
    };
    write_incident(
        &state,
        &caller,
        id,
        IncidentAction::ManageMembers,
        |incident, _, at| {
            if incident.access.members.iter().any(|m| m.user == user) {
                return Err(ApiError::conflict(format!("{user} is already a member")));
            }
            Ok((
                Plan {
                    changes: vec![
                        IncidentChange::AddMember {
                            member: member.clone(),
                            at,
                        },
                        IncidentChange::Notify {
                            user: user.clone(),
                            kind: NotificationKind::AddedAsMember { role: member.role },
                            at,
                        },
                    ],
                    log: vec![ResponseLogEntry::member_added(
                        &caller.user.name,
                        &member,
                        at,
                    )],
                    action: "member.add",
                    target: Target::new("member", format!("{id}/{user}")),
                    payload: json!({ "user": user, "role": member.role }),
                },
                (),
            ))
        },
    )
    .await?;
    Ok((StatusCode::CREATED, members_answer(&state, id).await?))
}

/// Changes a member's role (commander, deputy); one commander always remains.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}/members/{user}", tag = "members",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("user" = String, Path, description = "Member")),
    request_body = ChangeMemberRoleRequest,
    responses(
        (status = 200, body = MemberList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn change_member_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(String, String)>,
    ApiJson(request): ApiJson<ChangeMemberRoleRequest>,
) -> ApiResult<Json<MemberList>> {
    let id = parse_incident_id(&id)?;
    let user = UserName::parse(&user).ok();
    write_incident(&state, &caller, id, IncidentAction::ManageMembers, |incident, _, at| {
        let member = user
            .as_ref()
            .and_then(|u| incident.access.members.iter().find(|m| &m.user == u))
            .ok_or_else(|| ApiError::not_found("member"))?;
        if member.role == request.role {
            return Err(ApiError::conflict(format!("{} is already {}", member.user, request.role)));
        }
        if commanders_after(incident, &member.user, Some(request.role)) == 0 {
            return Err(ApiError::conflict(
                "the incident needs a commander: make someone else commander first",
            ));
        }
        Ok((
            Plan {
                changes: vec![IncidentChange::SetMemberRole(IncidentMember {
                    user: member.user.clone(),
                    role: request.role,
                })],
                log: vec![ResponseLogEntry::member_role_changed(
                    &caller.user.name,
                    &IncidentMember {
                        user: member.user.clone(),
                        role: request.role,
                    },
                    member.role,
                    at,
                )],
                action: "member.role",
                target: Target::new("member", format!("{id}/{}", member.user)),
                payload: json!({ "user": member.user, "from": member.role, "to": request.role }),
            },
            (),
        ))
    })
    .await?;
    members_answer(&state, id).await
}

/// Removes a member (commander, deputy); one commander always remains.
#[utoipa::path(
    delete, path = "/api/v1/incidents/{id}/members/{user}", tag = "members",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("user" = String, Path, description = "Member")),
    responses(
        (status = 200, body = MemberList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user)): Path<(String, String)>,
) -> ApiResult<Json<MemberList>> {
    let id = parse_incident_id(&id)?;
    let user = UserName::parse(&user).ok();
    write_incident(
        &state,
        &caller,
        id,
        IncidentAction::ManageMembers,
        |incident, _, at| {
            let member = user
                .as_ref()
                .and_then(|u| incident.access.members.iter().find(|m| &m.user == u))
                .ok_or_else(|| ApiError::not_found("member"))?;
            if commanders_after(incident, &member.user, None) == 0 {
                return Err(ApiError::conflict(
                    "the incident needs a commander: make someone else commander first",
                ));
            }
            Ok((
                Plan {
                    changes: vec![IncidentChange::RemoveMember(member.user.clone())],
                    log: vec![ResponseLogEntry::member_removed(
                        &caller.user.name,
                        member,
                        at,
                    )],
                    action: "member.remove",
                    target: Target::new("member", format!("{id}/{}", member.user)),
                    payload: json!({ "user": member.user, "role": member.role }),
                },
                (),
            ))
        },
    )
    .await?;
    members_answer(&state, id).await
}

/// Closes the incident (commander): every step must be done or not_needed.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/close", tag = "incidents",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses(
        (status = 200, body = IncidentChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already closed, or steps still open (named)", body = ErrorBody),
    )
)]
pub async fn close_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentChanged>> {
    let id = parse_incident_id(&id)?;
    // For the log line only; the write below checks access before anything
    // is written, so a non-member learns nothing from this read.
    let open_action_items = state
        .store()
        .records(id, Some(rampart_incident::Step::MitigationsAndMonitoring))
        .await?
        .iter()
        .filter(|row| {
            matches!(&row.record, rampart_incident::StepRecord::ActionItem(item) if item.is_open())
        })
        .count();
    write_incident(
        &state,
        &caller,
        id,
        IncidentAction::Close,
        |incident, _, at| {
            require_open(incident)?;
            rampart_incident::can_close(&incident.board())
                .map_err(|e| ApiError::domain_code(rampart_api::ErrorCode::Conflict, e))?;
            Ok((
                Plan {
                    changes: vec![IncidentChange::Close { at }],
                    log: vec![ResponseLogEntry::closed(
                        &caller.user.name,
                        open_action_items,
                        at,
                    )],
                    action: "incident.close",
                    target: incident_target(id),
                    payload: json!({}),
                },
                (),
            ))
        },
    )
    .await?;
    Ok(Json(IncidentChanged {
        incident: summary_view(&reload(&state, id).await?.summary),
    }))
}

/// Reopens a closed incident (commander).
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/reopen", tag = "incidents",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses(
        (status = 200, body = IncidentChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not closed", body = ErrorBody),
    )
)]
pub async fn reopen_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentChanged>> {
    let id = parse_incident_id(&id)?;
    write_incident(
        &state,
        &caller,
        id,
        IncidentAction::Close,
        |incident, _, at| {
            if incident.summary.status != rampart_store::IncidentStatus::Closed {
                return Err(ApiError::conflict("the incident is not closed"));
            }
            Ok((
                Plan {
                    changes: vec![IncidentChange::Reopen],
                    log: vec![ResponseLogEntry::reopened(&caller.user.name, at)],
                    action: "incident.reopen",
                    target: incident_target(id),
                    payload: json!({}),
                },
                (),
            ))
        },
    )
    .await?;
    Ok(Json(IncidentChanged {
        incident: summary_view(&reload(&state, id).await?.summary),
    }))
}
