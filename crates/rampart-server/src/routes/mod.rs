//! The handlers, one module per area, and what they share: reading an
//! incident under the access rules and writing one under optimistic
//! concurrency.

pub mod access;
pub mod account;
pub mod blast;
pub mod catalog;
pub mod comms;
pub mod evidence;
pub mod findings;
pub mod incidents;
pub mod indicators;
pub mod report;
pub mod system;
pub mod uploads;

use jiff::Timestamp;
use rampart_api::{
    GrantView, IncidentDetail, IncidentStatus, IncidentSummaryView, MemberView, StepView,
};
use rampart_audit::Target;
use rampart_incident::{Access, AccessRoute, IncidentAction, IncidentId, ResponseLogEntry};
use rampart_store::{
    AppliedChanges, AuditDraft, IncidentChange, IncidentState, IncidentUpdate, StepRow,
};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

/// An audit draft by the caller, now.
pub(crate) fn audit(caller: &Caller, action: &str, target: Target, payload: Value) -> AuditDraft {
    AuditDraft::new(now(), caller.actor(), action, target, payload)
}

/// The audit target of an incident.
pub(crate) fn incident_target(id: IncidentId) -> Target {
    Target::new("incident", id.to_string())
}

/// Parses an incident id from a path; a malformed one is the same 404 as
/// a missing incident.
pub(crate) fn parse_incident_id(text: &str) -> ApiResult<IncidentId> {
    text.parse().map_err(|_| ApiError::incident_not_found())
}

/// Parses a numeric id from a path; a malformed one is "no such `what`".
pub(crate) fn parse_number(text: &str, what: &str) -> ApiResult<i64> {
    text.parse().map_err(|_| ApiError::not_found(what))
}

/// Loads an incident and decides the caller's access. A caller who may not
/// see it gets the same 404 as for a nonexistent incident, and the attempt
/// is audited; a member who may see it but not do `action` gets 403.
/// With `read_event`, the read itself is audited.
pub(crate) async fn load_incident(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    action: IncidentAction,
    read_event: Option<&str>,
) -> ApiResult<(IncidentState, Access)> {
    let store = state.store();
    let incident = store.incident(id).await?;
    let access = match &incident {
        Some(incident) => rampart_incident::incident_access(&caller.viewer(), &incident.access),
        None => Access::Denied,
    };
    let Some(incident) = incident.filter(|_| access != Access::Denied) else {
        // Audited alike whether or not it exists, so the chain records
        // probing without the answer differing.
        store
            .append_audit(audit(
                caller,
                "incident.access_denied",
                incident_target(id),
                json!({ "action": action }),
            ))
            .await?;
        return Err(ApiError::incident_not_found());
    };
    if !access.may(action) {
        store
            .append_audit(audit(
                caller,
                "incident.action_denied",
                incident_target(id),
                json!({ "action": action, "role": access.acting_role() }),
            ))
            .await?;
        return Err(ApiError::forbidden(format!(
            "your role in this incident ({}) does not allow this",
            access.acting_role().map(|r| r.as_str()).unwrap_or("none")
        )));
    }
    if let Some(event) = read_event {
        store
            .append_audit(audit(caller, event, incident_target(id), json!({})))
            .await?;
    }
    Ok((incident, access))
}

/// What a write decides: the changes, their response-log entries and the
/// audit event.
pub(crate) struct Plan {
    /// The changes.
    pub changes: Vec<IncidentChange>,
    /// Their log entries.
    pub log: Vec<ResponseLogEntry>,
    /// Audit action (`step.change`).
    pub action: &'static str,
    /// Audit target.
    pub target: Target,
    /// Audit payload: the change.
    pub payload: Value,
}

/// Why a decision under the write lock wrote nothing.
enum Refusal {
    /// The caller may not see the incident.
    Hidden,
    /// The caller sees it but their role does not allow the action.
    Forbidden(Option<rampart_incident::MemberRole>),
    /// The decision itself refused (validation, conflict).
    Api(ApiError),
}

/// Lets `decide` plan a change from the incident's current state and
/// applies it, in one transaction under the store's write lock
/// (`Store::update_incident`): the rules always judge the state they
/// change, so concurrent writers neither overwrite each other nor need
/// retries. Access is decided on that same state — a member removed a
/// moment ago cannot slip a write in — with the same 404 and 403 (and the
/// same audit events) as [`load_incident`].
pub(crate) async fn write_incident<T: Send>(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    action: IncidentAction,
    decide: impl FnOnce(&IncidentState, &Access, Timestamp) -> ApiResult<(Plan, T)> + Send,
) -> ApiResult<(T, AppliedChanges)> {
    let at = now();
    let viewer = caller.viewer();
    let actor = caller.actor();
    let mut output: Option<T> = None;
    let mut decided = false;
    let (slot, called) = (&mut output, &mut decided);
    let outcome = state
        .store()
        .update_incident(
            id,
            Box::new(move |incident: &IncidentState| {
                *called = true;
                let refuse = |refusal: Refusal| Box::new(refusal) as rampart_store::DecisionError;
                let access = rampart_incident::incident_access(&viewer, &incident.access);
                if access == Access::Denied {
                    return Err(refuse(Refusal::Hidden));
                }
                if !access.may(action) {
                    return Err(refuse(Refusal::Forbidden(access.acting_role())));
                }
                let (plan, out) =
                    decide(incident, &access, at).map_err(|error| refuse(Refusal::Api(error)))?;
                *slot = Some(out);
                Ok(IncidentUpdate {
                    changes: plan.changes,
                    log: plan.log,
                    audit: AuditDraft::new(at, actor, plan.action, plan.target, plan.payload),
                })
            }),
        )
        .await;
    let refusal = match outcome {
        Ok(Ok(applied)) => {
            let output = output.ok_or_else(|| ApiError::internal("the write decided nothing"))?;
            return Ok((output, applied));
        }
        Ok(Err(refusal)) => match refusal.downcast::<Refusal>() {
            Ok(refusal) => *refusal,
            Err(_) => return Err(ApiError::internal("unexpected refusal from the store")),
        },
        // The incident does not exist (the decision never ran): the same
        // answer as for one the caller may not see.
        Err(rampart_store::StoreError::NotFound { .. }) if !decided => Refusal::Hidden,
        Err(other) => return Err(other.into()),
    };
    let store = state.store();
    match refusal {
        Refusal::Hidden => {
            store
                .append_audit(audit(
                    caller,
                    "incident.access_denied",
                    incident_target(id),
                    json!({ "action": action }),
                ))
                .await?;
            Err(ApiError::incident_not_found())
        }
        Refusal::Forbidden(role) => {
            store
                .append_audit(audit(
                    caller,
                    "incident.action_denied",
                    incident_target(id),
                    json!({ "action": action, "role": role }),
                ))
                .await?;
            Err(ApiError::forbidden(format!(
                "your role in this incident ({}) does not allow this",
                role.map(|r| r.as_str()).unwrap_or("none")
            )))
        }
        Refusal::Api(error) => Err(error),
    }
}

/// Refuses changes to a closed incident's work.
pub(crate) fn require_open(incident: &IncidentState) -> ApiResult<()> {
    if incident.summary.status == rampart_store::IncidentStatus::Closed {
        return Err(ApiError::conflict(
            "the incident is closed; reopen it before changing it",
        ));
    }
    Ok(())
}

/// The list row as the API shows it.
pub(crate) fn summary_view(summary: &rampart_store::IncidentSummary) -> IncidentSummaryView {
    IncidentSummaryView {
        id: summary.id,
        codename: summary.codename.clone(),
        title: summary.details.title.clone(),
        summary: summary.details.summary.clone(),
        severity: summary.details.severity,
        tlp: summary.details.tlp,
        detected_by: summary.details.detected_by,
        status: match summary.status {
            rampart_store::IncidentStatus::Open => IncidentStatus::Open,
            rampart_store::IncidentStatus::Closed => IncidentStatus::Closed,
        },
        declared_by: summary.declared_by.clone(),
        declared_at: summary.declared_at,
        closed_at: summary.closed_at,
        version: summary.version,
    }
}

/// A step as the API shows it.
pub(crate) fn step_view(row: &StepRow) -> StepView {
    StepView {
        step: row.entry.step,
        title: row.entry.step.title().to_owned(),
        state: row.entry.state,
        rationale: row.entry.rationale.as_ref().map(|r| r.to_string()),
        owner: row.owner.clone(),
        notes: row.notes.clone(),
        started_at: row.entry.started_at,
        completed_at: row.entry.completed_at,
    }
}

/// The members with when they joined.
pub(crate) fn member_views(incident: &IncidentState) -> Vec<MemberView> {
    incident
        .access
        .members
        .iter()
        .enumerate()
        .map(|(i, member)| MemberView {
            user: member.user.clone(),
            role: member.role,
            joined_at: incident
                .member_since
                .get(i)
                .copied()
                .unwrap_or(incident.summary.declared_at),
        })
        .collect()
}

/// Everything about an incident, for a caller with access `route`.
pub(crate) fn detail_view(incident: &IncidentState, route: AccessRoute) -> IncidentDetail {
    IncidentDetail {
        incident: summary_view(&incident.summary),
        members: member_views(incident),
        steps: incident.steps.iter().map(step_view).collect(),
        access: route,
        break_glass: incident
            .access
            .break_glass
            .iter()
            .map(|grant| GrantView {
                user: grant.user.clone(),
                reason: grant.reason.to_string(),
                approved_by: grant.approved_by.clone(),
                approved_at: grant.approved_at,
            })
            .collect(),
    }
}

/// A stored record as the API shows it.
pub(crate) fn record_view(row: &rampart_store::RecordRow) -> rampart_api::RecordView {
    rampart_api::RecordView {
        id: row.id,
        step: row.step,
        record: row.record.clone(),
        created_by: row.created_by.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Parses a query string into `T`, answering 422 naming the field at fault
/// (unknown parameters included: every query type denies unknown fields).
pub(crate) fn parse_query<T: serde::de::DeserializeOwned>(query: Option<&str>) -> ApiResult<T> {
    serde_urlencoded::from_str(query.unwrap_or("")).map_err(|error| {
        let message = error.to_string();
        let field = message.split('`').nth(1).unwrap_or("query").to_owned();
        ApiError::validation(field, format!("query string: {message}"))
    })
}

/// The access route of a granted access.
pub(crate) fn route_of(access: &Access) -> ApiResult<AccessRoute> {
    match access {
        Access::Granted { how } => Ok(how.clone()),
        Access::Denied => Err(ApiError::incident_not_found()),
    }
}

/// Re-reads an incident after a write, for the response.
pub(crate) async fn reload(state: &AppState, id: IncidentId) -> ApiResult<IncidentState> {
    state
        .store()
        .incident(id)
        .await?
        .ok_or_else(ApiError::incident_not_found)
}
