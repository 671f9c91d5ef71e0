//! Concurrent writers: optimistic concurrency on incidents, and an audit
//! chain that stays one unbroken line whatever the interleaving.

use std::collections::BTreeSet;
use std::sync::Arc;

use rampart_audit::{AuditEvent, Target};
use rampart_incident::{IncidentId, Step};
use serde_json::json;
use tokio::sync::Barrier;

use super::Harness;
use super::support::{
    actor, audit_len, audit_rows, declare, declare_at, fresh, log_entry, state, t,
};
use crate::{AuditDraft, IncidentChange, Store, StoreError};

/// How many times the two writers race; more rounds, more interleavings.
const RACE_ROUNDS: usize = 8;

fn notes(text: String) -> Vec<IncidentChange> {
    vec![IncidentChange::SetStepNotes {
        step: Step::StopAttack,
        notes: Some(text),
    }]
}

/// Two writers with the same expected version: exactly one wins, the other
/// gets `StaleVersion` and leaves no trace.
pub async fn concurrent_same_version_one_wins(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "race").await;
    let id = declared.summary.id;
    let mut version = declared.summary.version;
    for round in 0..RACE_ROUNDS {
        let audit_before = audit_len(&*store).await;
        let log_before = store.response_log(id).await.unwrap().len();
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = ["left", "right"]
            .into_iter()
            .map(|side| {
                let store = store.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    let result = store
                        .apply_incident_changes(
                            id,
                            version,
                            notes(format!("{side} {round}")),
                            vec![log_entry("alice", side, t(1))],
                            super::support::change_draft(id),
                        )
                        .await;
                    (side, result)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            let (side, result) = task.await.expect("task");
            match result {
                Ok(applied) => winners.push((side, applied.version)),
                Err(StoreError::StaleVersion { expected, actual }) => {
                    assert_eq!((expected, actual), (version, version + 1), "round {round}");
                }
                Err(other) => panic!("round {round}: {side} failed with {other}"),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one winner, got {winners:?}"
        );
        let (winner, new_version) = winners[0];
        assert_eq!(new_version, version + 1);
        let now = state(&*store, id).await;
        assert_eq!(now.summary.version, new_version);
        let expected_notes = format!("{winner} {round}");
        assert_eq!(
            now.step(Step::StopAttack).unwrap().notes.as_deref(),
            Some(expected_notes.as_str())
        );
        assert_eq!(audit_len(&*store).await, audit_before + 1);
        assert_eq!(store.response_log(id).await.unwrap().len(), log_before + 1);
        version = new_version;
    }
}

/// Four tasks × 25 writes, alternating stand-alone audit appends and
/// incident changes: every write lands exactly once and the chain verifies.
pub async fn concurrent_writes_keep_chain(h: &dyn Harness) {
    const TASKS: usize = 4;
    const WRITES: usize = 25;
    let store = fresh(h).await;
    let mut incidents = Vec::new();
    for task in 0..TASKS {
        let declared = declare_at(
            &*store,
            "alice",
            &format!("incident {task}"),
            t(task as i64),
        )
        .await;
        incidents.push((declared.summary.id, declared.summary.version));
    }
    let before = audit_len(&*store).await;
    let barrier = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = incidents
        .iter()
        .copied()
        .enumerate()
        .map(|(task, (id, version))| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                writer(&*store, task, id, version, WRITES).await
            })
        })
        .collect();
    let mut final_versions = Vec::new();
    for task in tasks {
        final_versions.push(task.await.expect("task"));
    }

    let total = (TASKS * WRITES) as u64;
    assert_eq!(audit_len(&*store).await, before + total);
    let verified = crate::verify_audit_chain(&*store, None)
        .await
        .expect("chain verifies");
    assert_eq!(verified, store.audit_head().await.unwrap());

    // Every write is in the chain once.
    let mut seen = BTreeSet::new();
    for row in audit_rows(&*store).await.into_iter().skip(before as usize) {
        let event = AuditEvent::from_canonical(&row.event).unwrap();
        let key = (
            event.payload()["task"].as_u64(),
            event.payload()["write"].as_u64(),
        );
        assert!(seen.insert(key), "written twice: {key:?}");
    }
    assert_eq!(seen.len(), TASKS * WRITES);

    let changes_per_task = (WRITES / 2) as i64;
    for ((id, version), final_version) in incidents.into_iter().zip(final_versions) {
        assert_eq!(final_version, version + changes_per_task);
        assert_eq!(state(&*store, id).await.summary.version, final_version);
        assert_eq!(
            store.response_log(id).await.unwrap().len() as i64,
            1 + changes_per_task
        );
    }
}

/// One concurrent writer: even writes append to the audit chain alone, odd
/// writes change the task's own incident. Returns the incident's version.
async fn writer(
    store: &dyn Store,
    task: usize,
    id: IncidentId,
    mut version: i64,
    writes: usize,
) -> i64 {
    for write in 0..writes {
        let audit = AuditDraft::new(
            t(10),
            actor("alice"),
            if write % 2 == 0 {
                "incident.read"
            } else {
                "incident.change"
            },
            Target::new("incident", id.to_string()),
            json!({ "task": task, "write": write }),
        );
        if write % 2 == 0 {
            store.append_audit(audit).await.expect("append_audit");
        } else {
            version = store
                .apply_incident_changes(
                    id,
                    version,
                    notes(format!("write {write}")),
                    vec![log_entry("alice", "note", t(10))],
                    audit,
                )
                .await
                .expect("apply_incident_changes")
                .version;
        }
    }
    version
}

/// Declarations at the same moment get distinct consecutive ids.
pub async fn concurrent_declarations_get_distinct_ids(h: &dyn Harness) {
    const DECLARERS: usize = 6;
    let store = fresh(h).await;
    let before = audit_len(&*store).await;
    let barrier = Arc::new(Barrier::new(DECLARERS));
    let tasks: Vec<_> = (0..DECLARERS)
        .map(|n| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                declare_at(&*store, "alice", &format!("parallel {n}"), t(0))
                    .await
                    .summary
                    .id
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for task in tasks {
        ids.insert(task.await.expect("task"));
    }
    let expected: BTreeSet<IncidentId> = (1..=DECLARERS as u32)
        .map(|n| IncidentId::new(2026, n).unwrap())
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(audit_len(&*store).await, before + DECLARERS as u64);
    crate::verify_audit_chain(&*store, None)
        .await
        .expect("chain verifies");
}

/// `update_incident` decides on the state it changes: concurrent writers
/// that each append to what they read never lose an update and never see
/// `StaleVersion`, and the version counts every write.
pub async fn update_incident_serialises_decisions(h: &dyn Harness) {
    const WRITERS: usize = 4;
    const WRITES: usize = 10;
    let store = fresh(h).await;
    let declared = declare(&*store, "counter").await;
    let id = declared.summary.id;
    let barrier = Arc::new(Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                for n in 0..WRITES {
                    let applied = store
                        .update_incident(
                            id,
                            Box::new(move |incident: &crate::IncidentState| {
                                // Read-modify-write: append to the notes read.
                                let mut text = incident
                                    .step(Step::StopAttack)
                                    .and_then(|row| row.notes.clone())
                                    .unwrap_or_default();
                                text.push_str(&format!("{writer}.{n};"));
                                Ok(crate::IncidentUpdate {
                                    changes: notes(text),
                                    log: vec![log_entry("alice", "counter", t(1))],
                                    audit: super::support::change_draft(id),
                                })
                            }),
                        )
                        .await
                        .expect("store");
                    applied.expect("decision");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let after = state(&*store, id).await;
    assert_eq!(
        after.summary.version,
        declared.summary.version + (WRITERS * WRITES) as i64
    );
    let notes = after.step(Step::StopAttack).unwrap().notes.clone().unwrap();
    let entries: BTreeSet<&str> = notes.split_terminator(';').collect();
    assert_eq!(entries.len(), WRITERS * WRITES, "lost updates: {notes}");
}

/// A decision that refuses writes nothing and hands its error back; an
/// unknown incident is `NotFound` without calling the decision.
pub async fn update_incident_refusal_writes_nothing(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "refused").await;
    let id = declared.summary.id;
    let audit_before = audit_len(&*store).await;
    let outcome = store
        .update_incident(
            id,
            Box::new(|incident: &crate::IncidentState| {
                assert_eq!(incident.summary.details.title, "refused");
                Err(Box::new("not today") as crate::DecisionError)
            }),
        )
        .await
        .expect("store");
    let refusal = outcome.expect_err("refused");
    assert_eq!(refusal.downcast_ref::<&str>(), Some(&"not today"));
    assert_eq!(audit_len(&*store).await, audit_before);
    assert_eq!(state(&*store, id).await, declared);

    let unknown = IncidentId::new(1999, 1).unwrap();
    let missing = store
        .update_incident(
            unknown,
            Box::new(|_: &crate::IncidentState| panic!("no incident, no decision")),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
}
