//! The handlers, one module per area, and what they share: reading an
//! incident under the access rules and writing one under optimistic
//! concurrency.

pub mod access;
pub mod account;
pub mod incidents;
pub mod system;

use jiff::Timestamp;
use rampart_api::{
    GrantView, IncidentDetail, IncidentStatus, IncidentSummaryView, MemberView, StepView,
};
use rampart_audit::Target;
use rampart_incident::{Access, AccessRoute, IncidentAction, IncidentId, ResponseLogEntry};
use rampart_store::{AppliedChanges, AuditDraft, IncidentChange, IncidentState, StepRow};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

/// How often a write re-reads and re-decides after a concurrent change.
/// Each round lets at least one writer through, so this many concurrent
/// writers to one incident always succeed.
const WRITE_ATTEMPTS: u32 = 5;

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

/// Reads the incident, lets `decide` plan the change from what it read,
/// and applies it with the version read. When someone else changed the
/// incident in between, reads and decides again (the rules may now say
/// something else), a few times, then answers 409 `stale`.
pub(crate) async fn write_incident<T>(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    action: IncidentAction,
    mut decide: impl FnMut(&IncidentState, &Access, Timestamp) -> ApiResult<(Plan, T)>,
) -> ApiResult<(T, AppliedChanges)> {
    let mut last_error = None;
    for attempt in 0..WRITE_ATTEMPTS {
        if attempt > 0 {
            // A little random wait so that writers that collided do not
            // collide again in lockstep.
            let jitter = crate::auth::random_bytes::<1>()
                .map(|b| b[0] % 8)
                .unwrap_or(0);
            tokio::time::sleep(std::time::Duration::from_millis(
                u64::from(jitter) * u64::from(attempt),
            ))
            .await;
        }
        let (incident, access) = load_incident(state, caller, id, action, None).await?;
        let at = now();
        let (plan, output) = decide(&incident, &access, at)?;
        let draft = AuditDraft::new(at, caller.actor(), plan.action, plan.target, plan.payload);
        match state
            .store()
            .apply_incident_changes(id, incident.summary.version, plan.changes, plan.log, draft)
            .await
        {
            Ok(applied) => return Ok((output, applied)),
            Err(error @ rampart_store::StoreError::StaleVersion { .. }) => {
                last_error = Some(error);
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(last_error
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::internal("write loop ended without an attempt")))
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
