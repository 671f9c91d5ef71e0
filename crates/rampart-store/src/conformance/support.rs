//! Helpers shared by the cases: fixed times, valid domain values, and
//! snapshots for "nothing was written" checks. Nothing here is a case.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use rampart_audit::{Actor, AuditEvent, ChainSummary, StoredLink, Target};
use rampart_incident::{
    DetectionSource, GlobalRole, IncidentId, IncidentMember, IncidentSeverity, LogAction,
    LogTarget, MemberRole, NonEmptyText, ResponseLogEntry, Step, Tlp, UserName,
};
use serde_json::json;

use crate::{
    AccessRequestRow, AppliedChanges, AuditDraft, BreakGlassRow, IncidentChange, IncidentDetails,
    IncidentState, LogRow, NewIncident, NewUser, RecordRow, Store, StoreError, User,
};

/// The suite's reference instant; microsecond digits on purpose, so any
/// backend that drops or rounds them fails.
pub(super) const BASE: &str = "2026-03-01T09:30:00.123456Z";

/// Parses an RFC 3339 timestamp written in a case.
pub(super) fn ts(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("bad timestamp {text:?} in the suite: {e}"))
}

/// [`BASE`] plus `minutes`.
pub(super) fn t(minutes: i64) -> Timestamp {
    ts(BASE) + SignedDuration::from_mins(minutes)
}

/// A valid user name.
pub(super) fn user(name: &str) -> UserName {
    UserName::parse(name).unwrap_or_else(|e| panic!("bad user name {name:?}: {e}"))
}

/// Valid required text.
pub(super) fn text(value: &str) -> NonEmptyText {
    NonEmptyText::parse("text", value).unwrap_or_else(|e| panic!("bad text {value:?}: {e}"))
}

/// The audit actor for a user name.
pub(super) fn actor(name: &str) -> Actor {
    Actor::User {
        id: format!("user:{name}"),
        name: name.to_owned(),
    }
}

/// A valid audit draft by alice at [`BASE`].
pub(super) fn draft(action: &str, kind: &str, id: &str) -> AuditDraft {
    AuditDraft::new(
        t(0),
        actor("alice"),
        action,
        Target::new(kind, id),
        json!({ "case": action }),
    )
}

/// The stored chain length.
pub(super) async fn audit_len(store: &dyn Store) -> u64 {
    store.audit_head().await.expect("audit_head").length
}

/// Every stored audit row, in order.
pub(super) async fn audit_rows(store: &dyn Store) -> Vec<StoredLink> {
    store.audit_links(0, u32::MAX).await.expect("audit_links")
}

/// The event of the last stored audit row.
pub(super) async fn last_event(store: &dyn Store) -> AuditEvent {
    let rows = audit_rows(store).await;
    let last = rows.last().expect("the chain has rows");
    AuditEvent::from_canonical(&last.event).expect("a stored event parses")
}

/// Asserts the chain grew by exactly `by` rows since `before`, that its last
/// event is `action` on `target_id`, and that the whole chain verifies.
pub(super) async fn assert_audited(store: &dyn Store, before: u64, action: &str, target_id: &str) {
    assert_eq!(
        audit_len(store).await,
        before + 1,
        "one audit row for {action}"
    );
    let event = last_event(store).await;
    assert_eq!(event.action(), action);
    assert_eq!(event.target().id, target_id);
    let verified = crate::verify_audit_chain(store, None)
        .await
        .expect("the chain verifies");
    assert_eq!(verified, store.audit_head().await.unwrap());
}

/// Creates a user with `role` at [`BASE`].
pub(super) async fn add_user(store: &dyn Store, name: &str, role: GlobalRole) -> User {
    add_user_at(store, name, role, t(0)).await
}

/// Creates a user with `role` at `at`.
pub(super) async fn add_user_at(
    store: &dyn Store,
    name: &str,
    role: GlobalRole,
    at: Timestamp,
) -> User {
    let new = NewUser {
        name: user(name),
        role,
        password_hash: None,
        created_at: at,
    };
    store
        .create_user(new, draft("user.create", "user", name))
        .await
        .unwrap_or_else(|e| panic!("create_user {name}: {e}"))
}

/// Details for a SEV2, TLP:AMBER incident detected by a monitor.
pub(super) fn details(title: &str) -> IncidentDetails {
    IncidentDetails {
        title: title.to_owned(),
        summary: None,
        severity: IncidentSeverity::Sev2,
        tlp: Tlp::Amber,
        detected_by: DetectionSource::Monitor,
    }
}

/// Declares an incident titled `title` by `by` at `at`.
pub(super) async fn declare_at(
    store: &dyn Store,
    by: &str,
    title: &str,
    at: Timestamp,
) -> IncidentState {
    store
        .declare_incident(
            NewIncident {
                details: details(title),
                declared_by: user(by),
                declared_at: at,
            },
            actor(by),
            json!({ "severity": "SEV2", "title": title }),
        )
        .await
        .unwrap_or_else(|e| panic!("declare_incident {title:?}: {e}"))
}

/// Declares an incident by alice at [`BASE`].
pub(super) async fn declare(store: &dyn Store, title: &str) -> IncidentState {
    declare_at(store, "alice", title, t(0)).await
}

/// A response-log entry by `by` at `at` (its content is the caller's
/// business; the store must keep it verbatim).
pub(super) fn log_entry(by: &str, summary: &str, at: Timestamp) -> ResponseLogEntry {
    ResponseLogEntry {
        at,
        actor: user(by),
        action: LogAction::StepChanged,
        target: LogTarget::Step {
            step: Step::StopAttack,
        },
        summary: summary.to_owned(),
        detail: json!({ "summary": summary }),
    }
}

/// The audit draft of a change to incident `id`.
pub(super) fn change_draft(id: IncidentId) -> AuditDraft {
    draft("incident.change", "incident", &id.to_string())
}

/// Applies `changes` to `id` at `version` with one log entry; panics on error.
pub(super) async fn apply(
    store: &dyn Store,
    id: IncidentId,
    version: i64,
    changes: Vec<IncidentChange>,
) -> AppliedChanges {
    try_apply(store, id, version, changes)
        .await
        .unwrap_or_else(|e| panic!("apply_incident_changes on {id}: {e}"))
}

/// Applies `changes` to `id` at `version` with one log entry.
pub(super) async fn try_apply(
    store: &dyn Store,
    id: IncidentId,
    version: i64,
    changes: Vec<IncidentChange>,
) -> Result<AppliedChanges, StoreError> {
    store
        .apply_incident_changes(
            id,
            version,
            changes,
            vec![log_entry("alice", "change", t(1))],
            change_draft(id),
        )
        .await
}

/// The stored state of `id`, which must exist.
pub(super) async fn state(store: &dyn Store, id: IncidentId) -> IncidentState {
    store
        .incident(id)
        .await
        .expect("incident")
        .unwrap_or_else(|| panic!("{id} exists"))
}

/// A member value.
pub(super) fn member(name: &str, role: MemberRole) -> IncidentMember {
    IncidentMember {
        user: user(name),
        role,
    }
}

/// The members with their join times, sorted by name: the store promises
/// no order for members, only that `member_since` follows it.
pub(super) fn members_with_since(state: &IncidentState) -> Vec<(IncidentMember, Timestamp)> {
    assert_eq!(
        state.access.members.len(),
        state.member_since.len(),
        "member_since has one entry per member"
    );
    let mut pairs: Vec<_> = state
        .access
        .members
        .iter()
        .cloned()
        .zip(state.member_since.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.user.cmp(&b.0.user));
    pairs
}

/// Everything an incident write could touch, to prove a failed write
/// touched nothing.
#[derive(Debug, PartialEq)]
pub(super) struct Snapshot {
    state: Option<IncidentState>,
    records: Vec<RecordRow>,
    log: Vec<LogRow>,
    access_requests: Vec<AccessRequestRow>,
    break_glass: Vec<BreakGlassRow>,
    notifications: Vec<crate::Notification>,
    custody: Vec<crate::CustodyRow>,
    audit: ChainSummary,
}

/// Reads a [`Snapshot`] of `id` and of the notifications of `notified`.
pub(super) async fn snapshot(store: &dyn Store, id: IncidentId, notified: &str) -> Snapshot {
    Snapshot {
        state: store.incident(id).await.expect("incident"),
        records: store.records(id, None).await.expect("records"),
        log: store.response_log(id).await.expect("response_log"),
        access_requests: store.access_requests(id).await.expect("access_requests"),
        break_glass: store
            .break_glass_requests(Some(id))
            .await
            .expect("break_glass_requests"),
        notifications: store
            .notifications(&user(notified))
            .await
            .expect("notifications"),
        custody: store.custody_logs(id).await.expect("custody_logs"),
        audit: store.audit_head().await.expect("audit_head"),
    }
}

/// A fresh store from the harness, without its raw SQL handle.
pub(super) async fn fresh(h: &dyn super::Harness) -> Arc<dyn Store> {
    h.fresh().await.0
}

/// Asserts `result` failed with the variant `pattern` matches.
macro_rules! assert_err {
    ($result:expr, $pattern:pat) => {
        match $result {
            Err($pattern) => {}
            other => panic!("expected Err({}), got {:?}", stringify!($pattern), other),
        }
    };
}
pub(super) use assert_err;
