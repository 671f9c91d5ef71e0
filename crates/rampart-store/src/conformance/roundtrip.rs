//! Values come back exactly as written: timestamps to the microsecond,
//! text in any script.

use rampart_audit::{AuditEvent, Target};
use rampart_incident::{
    AccessRequest, ContainmentAction, GlobalRole, MemberRole, Step, StepRecord, StepState,
    change_step,
};
use serde_json::json;

use super::Harness;
use super::support::{
    actor, add_user, add_user_at, apply, declare, declare_at, fresh, last_event, log_entry, state,
    t, text, ts, user,
};
use crate::{AuditDraft, IncidentChange, IncidentDetails, NewApiToken};

/// Instants that catch truncation, rounding, time-zone shifts and text
/// comparison: zero and full fractions, one microsecond, a leap day, the
/// last microsecond of a century.
const INSTANTS: [&str; 7] = [
    "2026-03-01T09:30:00.123456Z",
    "2026-03-01T09:30:00Z",
    "2026-03-01T09:30:00.000001Z",
    "2026-03-01T09:30:00.999999Z",
    "2028-02-29T23:59:59.5Z",
    "1999-12-31T23:59:59.999999Z",
    "2099-12-31T23:59:59.999999Z",
];

/// Every stored timestamp keeps its microseconds, whichever table it is in.
pub async fn timestamps_keep_microseconds(h: &dyn Harness) {
    let store = fresh(h).await;
    for (n, instant) in INSTANTS.iter().enumerate() {
        let at = ts(instant);
        let name = format!("user{n}");
        let created = add_user_at(&*store, &name, GlobalRole::Viewer, at).await;
        assert_eq!(created.created_at, at, "{instant}");
        let read = store.user_by_id(created.id).await.unwrap().unwrap();
        assert_eq!(read.created_at, at, "user created_at {instant}");

        let token = store
            .create_api_token(
                NewApiToken {
                    user_id: created.id,
                    name: "t".to_owned(),
                    token_hash: format!("{n:064x}"),
                    prefix: "rp_0000".to_owned(),
                    created_at: at,
                    expires_at: Some(at),
                },
                super::support::draft("token.create", "token", "t"),
            )
            .await
            .unwrap();
        let (found, _) = store
            .api_token_by_hash(&token.token_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.created_at, found.expires_at),
            (at, Some(at)),
            "token {instant}"
        );
    }

    // Incident tables: declaration, step timestamps, records, members,
    // access requests, log entries and notifications.
    let declared_at = ts(INSTANTS[3]);
    let declared = declare_at(&*store, "alice", "times", declared_at).await;
    let id = declared.summary.id;
    let started = ts(INSTANTS[2]);
    let change = change_step(
        &declared.board(),
        Step::StopAttack,
        StepState::Done,
        None,
        &user("alice"),
        started,
        &declared.facts,
    )
    .unwrap();
    let containment = StepRecord::ContainmentAction(ContainmentAction {
        what_stopped: text("miner"),
        how: text("killed"),
        at: ts(INSTANTS[4]),
    });
    let request = AccessRequest::new(
        id,
        user("bob"),
        MemberRole::Observer,
        "curious",
        ts(INSTANTS[5]),
    )
    .unwrap();
    let applied = store
        .apply_incident_changes(
            id,
            declared.summary.version,
            vec![
                IncidentChange::SetStep(change.entry.clone()),
                IncidentChange::AddRecord {
                    record: containment.clone(),
                    by: user("alice"),
                    at: ts(INSTANTS[6]),
                },
                IncidentChange::AddMember {
                    member: super::support::member("carol", MemberRole::Scribe),
                    at: ts(INSTANTS[1]),
                },
                IncidentChange::AddAccessRequest(request.clone()),
                IncidentChange::Notify {
                    user: user("alice"),
                    kind: crate::NotificationKind::AddedAsMember {
                        role: MemberRole::Commander,
                    },
                    at: ts(INSTANTS[4]),
                },
                IncidentChange::Close {
                    at: ts(INSTANTS[2]),
                },
            ],
            vec![log_entry("alice", "times", ts(INSTANTS[5]))],
            crate::AuditDraft::new(
                ts(INSTANTS[6]),
                actor("alice"),
                "incident.change",
                Target::new("incident", id.to_string()),
                json!({}),
            ),
        )
        .await
        .unwrap();

    let now = state(&*store, id).await;
    assert_eq!(now.summary.declared_at, declared_at);
    assert_eq!(now.summary.closed_at, Some(ts(INSTANTS[2])));
    assert_eq!(now.step(Step::StopAttack).unwrap().entry, change.entry);
    assert_eq!(change.entry.started_at, Some(started));
    assert!(
        now.member_since.contains(&ts(INSTANTS[1])),
        "{:?}",
        now.member_since
    );
    let record = store
        .record(id, applied.created_ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (record.record, record.created_at),
        (containment, ts(INSTANTS[6]))
    );
    let requests = store.access_requests(id).await.unwrap();
    assert_eq!(requests[0].request, request);
    let log = store.response_log(id).await.unwrap();
    assert_eq!(log[1].entry.at, ts(INSTANTS[5]));
    let notes = store.notifications(&user("alice")).await.unwrap();
    assert_eq!(notes[0].created_at, ts(INSTANTS[4]));
    assert_eq!(last_event(&*store).await.at(), ts(INSTANTS[6]));
}

/// Text in any script, with quotes, backslashes, newlines and emoji, comes
/// back byte for byte, and hashes the same in the audit chain.
pub async fn unicode_round_trips(h: &dyn Harness) {
    let store = fresh(h).await;
    let tricky = "Ünïcödé 🚨 — 漏洩 'single' \"double\" \\back\\slash\nline two\ttab שלום e\u{301}";
    let zoe = add_user(&*store, "zoë_李-🙂", GlobalRole::Engineer).await;
    assert_eq!(
        store.user_by_name(&user("zoë_李-🙂")).await.unwrap(),
        Some(zoe)
    );

    let declared = declare(&*store, tricky).await;
    let id = declared.summary.id;
    assert_eq!(declared.summary.details.title, tricky);
    let edited = IncidentDetails {
        summary: Some(tricky.repeat(3)),
        ..declared.summary.details.clone()
    };
    let record = StepRecord::ContainmentAction(ContainmentAction {
        what_stopped: text(tricky),
        how: text("kill -9 'ç'"),
        at: t(1),
    });
    let applied = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            IncidentChange::EditDetails(edited.clone()),
            IncidentChange::SetStepNotes {
                step: Step::StopAttack,
                notes: Some(tricky.to_owned()),
            },
            IncidentChange::AddRecord {
                record: record.clone(),
                by: user("zoë_李-🙂"),
                at: t(1),
            },
            IncidentChange::AddMember {
                member: super::support::member("zoë_李-🙂", MemberRole::Responder),
                at: t(1),
            },
        ],
    )
    .await;
    let now = state(&*store, id).await;
    assert_eq!(now.summary.details, edited);
    assert_eq!(
        now.step(Step::StopAttack).unwrap().notes.as_deref(),
        Some(tricky)
    );
    let stored = store
        .record(id, applied.created_ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.record, stored.created_by),
        (record, user("zoë_李-🙂"))
    );
    let visible = store
        .incidents_visible_to(&user("zoë_李-🙂"))
        .await
        .unwrap();
    assert_eq!(visible, vec![now.summary.clone()]);

    store
        .apply_incident_changes(
            id,
            applied.version,
            vec![IncidentChange::SetStepOwner {
                step: Step::StopAttack,
                owner: Some(user("zoë_李-🙂")),
            }],
            vec![log_entry("zoë_李-🙂", tricky, t(2))],
            change_draft_with(id, tricky),
        )
        .await
        .unwrap();
    let log = store.response_log(id).await.unwrap();
    assert_eq!(
        log.last().unwrap().entry,
        log_entry("zoë_李-🙂", tricky, t(2))
    );
    let event: AuditEvent = last_event(&*store).await;
    assert_eq!(event.payload(), &json!({ "note": tricky }));
    crate::verify_audit_chain(&*store, None)
        .await
        .expect("unicode events verify");
}

fn change_draft_with(id: rampart_incident::IncidentId, note: &str) -> AuditDraft {
    AuditDraft::new(
        t(2),
        actor("zoë_李-🙂"),
        "incident.change",
        Target::new("incident", id.to_string()),
        json!({ "note": note }),
    )
}
