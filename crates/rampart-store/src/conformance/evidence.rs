//! Evidence items and their chain of custody: added together with the
//! intake entry, numbered per item, appended only to this incident's
//! evidence, written by reads without bumping the version, and never
//! edited in place.

use rampart_audit::{AuditEvent, Target};
use rampart_incident::{
    CustodyAction, CustodyEvent, EvidenceItem, EvidenceStorage, IncidentId, MemberRole, Step,
    StepRecord,
};
use serde_json::json;

use super::Harness;
use super::changes::{credential, evidence_item};
use super::support::{
    actor, apply, assert_err, audit_len, audit_rows, declare, declare_at, fresh, last_event,
    member, snapshot, state, t, text, try_apply, ts, user,
};
use crate::{AuditDraft, CustodyRow, EvidenceRow, IncidentChange, RecordRow, StoreError};

/// A custody event by `by` at `minutes` after the base time; downloads and
/// exports carry a reason.
fn event(action: CustodyAction, by: &str, minutes: i64) -> CustodyEvent {
    let reason = action
        .needs_reason()
        .then(|| text("malware analysis of the dropped binary"));
    CustodyEvent::new(action, user(by), t(minutes), reason).expect("a valid custody event")
}

/// Adds `item` taken in by bob at `minutes`, with its intake entry.
fn add_evidence(item: EvidenceItem, minutes: i64) -> IncidentChange {
    IncidentChange::AddEvidence {
        item,
        by: user("bob"),
        at: t(minutes),
        custody: event(CustodyAction::Intake, "bob", minutes),
    }
}

/// An item kept outside Rampart.
fn external_item(name: &str) -> EvidenceItem {
    EvidenceItem {
        name: text(name),
        description: None,
        sha256: "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
            .parse()
            .expect("a valid digest"),
        size: None,
        storage: EvidenceStorage::External {
            location: text("evidence safe B, shelf 2, bag 2026-117"),
        },
        source: None,
        collected_at: None,
        collected_by: Some(text("Example Forensics GmbH")),
    }
}

/// The audit draft of reading evidence of incident `id`.
fn read_draft(id: IncidentId, action: &str, record_ids: &[i64], minutes: i64) -> AuditDraft {
    AuditDraft::new(
        t(minutes),
        actor("carol"),
        action,
        Target::new("incident", id.to_string()),
        json!({ "records": record_ids, "reason": "malware analysis" }),
    )
}

/// The custody rows expected for `record_id` from `events`, numbered from 1.
fn rows(record_id: i64, events: &[CustodyEvent]) -> Vec<CustodyRow> {
    events
        .iter()
        .zip(1..)
        .map(|(event, seq)| CustodyRow {
            record_id,
            seq,
            event: event.clone(),
        })
        .collect()
}

/// `AddEvidence` stores the item as a step-10 record and its intake entry as
/// custody entry 1, in the same call as other changes; its id comes back in
/// order with the other created ids, and the call bumps the version once.
pub async fn evidence_added_with_intake_custody(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "evidence").await;
    let id = declared.summary.id;
    let stored = evidence_item("access.log.gz");
    let external = external_item("laptop of j.doe, disk image");
    let registered = CustodyEvent {
        action: CustodyAction::Registered,
        actor: user("alice"),
        at: t(3),
        reason: None,
        detail: Some("custodian's sha256sum, signed paper form 2026-117".to_owned()),
    };
    let before = audit_len(&*store).await;
    let applied = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            add_evidence(stored.clone(), 2),
            IncidentChange::AddRecord {
                record: credential(false),
                by: user("bob"),
                at: t(2),
            },
            IncidentChange::AddEvidence {
                item: external.clone(),
                by: user("alice"),
                at: t(3),
                custody: registered.clone(),
            },
        ],
    )
    .await;
    assert_eq!(applied.version, declared.summary.version + 1);
    assert_eq!(applied.created_ids.len(), 3);
    assert_eq!(audit_len(&*store).await, before + 1);
    let (first, credential_id, second) = (
        applied.created_ids[0],
        applied.created_ids[1],
        applied.created_ids[2],
    );

    let expected = vec![
        EvidenceRow {
            incident: id,
            record_id: first,
            item: stored.clone(),
            created_by: user("bob"),
            created_at: t(2),
        },
        EvidenceRow {
            incident: id,
            record_id: second,
            item: external.clone(),
            created_by: user("alice"),
            created_at: t(3),
        },
    ];
    assert_eq!(store.evidence_items(id).await.unwrap(), expected);
    assert_eq!(
        store.custody_log(id, first).await.unwrap(),
        rows(first, &[event(CustodyAction::Intake, "bob", 2)])
    );
    assert_eq!(
        store.custody_log(id, second).await.unwrap(),
        rows(second, std::slice::from_ref(&registered))
    );
    assert_eq!(store.custody_log(id, credential_id).await.unwrap(), vec![]);

    // The item is an ordinary record of step 10 as well.
    assert_eq!(
        store.record(id, first).await.unwrap(),
        Some(RecordRow {
            id: first,
            step: Step::ForensicAnalysis,
            record: StepRecord::EvidenceItem(stored),
            created_by: user("bob"),
            created_at: t(2),
            updated_at: None,
        })
    );
    let step10: Vec<i64> = store
        .records(id, Some(Step::ForensicAnalysis))
        .await
        .unwrap()
        .iter()
        .map(|row| row.id)
        .collect();
    assert_eq!(step10, vec![first, second]);
}

/// A call whose later change fails leaves neither the evidence item nor its
/// intake entry behind, and the same item can then be added.
pub async fn evidence_failed_batch_leaves_nothing(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "atomic").await;
    let id = declared.summary.id;
    let before = snapshot(&*store, id, "alice").await;
    let culprits = [
        IncidentChange::AppendCustody {
            record_id: 999_999,
            event: event(CustodyAction::Viewed, "alice", 2),
        },
        IncidentChange::RemoveMember(user("nobody")),
    ];
    for culprit in culprits {
        assert_err!(
            try_apply(
                &*store,
                id,
                declared.summary.version,
                vec![add_evidence(evidence_item("a.log"), 1), culprit],
            )
            .await,
            StoreError::NotFound { .. }
        );
        assert_eq!(snapshot(&*store, id, "alice").await, before);
        assert_eq!(store.evidence_items(id).await.unwrap(), vec![]);
        assert_eq!(store.all_evidence_for_verification().await.unwrap(), vec![]);
    }
    let applied = apply(
        &*store,
        id,
        declared.summary.version,
        vec![add_evidence(evidence_item("a.log"), 1)],
    )
    .await;
    let record_id = applied.created_ids[0];
    assert_eq!(
        store.custody_logs(id).await.unwrap(),
        rows(record_id, &[event(CustodyAction::Intake, "bob", 1)])
    );
}

/// Custody is appended only to an evidence item of the incident named:
/// another incident's item, a record of another kind or an unknown id is
/// `NotFound`, through `AppendCustody` and `append_custody` alike, and
/// nothing is written — not even the valid entries of the same call.
pub async fn custody_append_refused_for_other_records(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "mine").await;
    let other = declare_at(&*store, "alice", "theirs", t(1)).await;
    let id = declared.summary.id;
    let mine = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            add_evidence(evidence_item("mine.log"), 2),
            IncidentChange::AddRecord {
                record: credential(false),
                by: user("bob"),
                at: t(2),
            },
        ],
    )
    .await;
    let (item, not_evidence) = (mine.created_ids[0], mine.created_ids[1]);
    let theirs = apply(
        &*store,
        other.summary.id,
        other.summary.version,
        vec![add_evidence(evidence_item("theirs.log"), 3)],
    )
    .await;
    let their_item = theirs.created_ids[0];

    let before_mine = snapshot(&*store, id, "alice").await;
    let before_theirs = snapshot(&*store, other.summary.id, "alice").await;
    for target in [their_item, not_evidence, their_item + 1000] {
        let viewed = event(CustodyAction::Viewed, "alice", 4);
        assert_err!(
            try_apply(
                &*store,
                id,
                mine.version,
                vec![
                    IncidentChange::AppendCustody {
                        record_id: item,
                        event: viewed.clone(),
                    },
                    IncidentChange::AppendCustody {
                        record_id: target,
                        event: viewed.clone(),
                    },
                ],
            )
            .await,
            StoreError::NotFound { .. }
        );
        assert_err!(
            store
                .append_custody(
                    id,
                    vec![(item, viewed.clone()), (target, viewed)],
                    read_draft(id, "evidence.view", &[item, target], 4),
                )
                .await,
            StoreError::NotFound { .. }
        );
        assert_eq!(snapshot(&*store, id, "alice").await, before_mine);
        assert_eq!(
            snapshot(&*store, other.summary.id, "alice").await,
            before_theirs
        );
    }

    // An incident that does not exist, even with a real item's id.
    let ghost: IncidentId = "SEC-2026-0042".parse().unwrap();
    assert_err!(
        store
            .append_custody(
                ghost,
                vec![(item, event(CustodyAction::Viewed, "alice", 5))],
                read_draft(ghost, "evidence.view", &[item], 5),
            )
            .await,
        StoreError::NotFound { .. }
    );
    assert_eq!(snapshot(&*store, id, "alice").await, before_mine);
}

/// `append_custody` (reads of evidence) writes its rows and exactly one
/// audit link with the payload given, and leaves the incident's version
/// alone: a writer who read the incident before can still write.
pub async fn custody_append_keeps_version(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "reads").await;
    let id = declared.summary.id;
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            add_evidence(evidence_item("a.log"), 1),
            add_evidence(evidence_item("b.log"), 1),
        ],
    )
    .await;
    let (a, b) = (added.created_ids[0], added.created_ids[1]);
    let read_before = state(&*store, id).await;

    let downloaded = event(CustodyAction::Downloaded, "carol", 5);
    let exported = event(CustodyAction::Exported, "carol", 6);
    let chain_before = audit_len(&*store).await;
    let head = store
        .append_custody(
            id,
            vec![
                (a, downloaded.clone()),
                (b, exported.clone()),
                (a, exported.clone()),
            ],
            read_draft(id, "evidence.export", &[a, b], 6),
        )
        .await
        .expect("append_custody");
    assert_eq!(head.length, chain_before + 1);
    assert_eq!(head, store.audit_head().await.unwrap());
    let audited = last_event(&*store).await;
    assert_eq!(audited.action(), "evidence.export");
    assert_eq!(audited.target().id, id.to_string());
    assert_eq!(
        audited.payload(),
        &json!({ "records": [a, b], "reason": "malware analysis" })
    );
    crate::verify_audit_chain(&*store, None)
        .await
        .expect("the chain verifies");

    let now = state(&*store, id).await;
    assert_eq!(now, read_before, "a read changes neither version nor state");
    assert_eq!(
        store.custody_log(id, a).await.unwrap(),
        rows(
            a,
            &[
                event(CustodyAction::Intake, "bob", 1),
                downloaded,
                exported.clone()
            ]
        )
    );
    assert_eq!(
        store.custody_log(id, b).await.unwrap(),
        rows(b, &[event(CustodyAction::Intake, "bob", 1), exported])
    );

    // The writer who read before the download is not stale.
    let written = apply(
        &*store,
        id,
        read_before.summary.version,
        vec![IncidentChange::SetStepNotes {
            step: Step::ForensicAnalysis,
            notes: Some("image hashed twice".to_owned()),
        }],
    )
    .await;
    assert_eq!(written.version, read_before.summary.version + 1);
}

/// Custody entries are numbered 1, 2, … per item, whichever way they are
/// appended and however appends to several items interleave; every field
/// (reason, detail, text in any script) comes back as written.
pub async fn custody_seq_per_item(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "numbering").await;
    let id = declared.summary.id;
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            add_evidence(evidence_item("a.log"), 1),
            add_evidence(evidence_item("b.log"), 1),
        ],
    )
    .await;
    let (a, b) = (added.created_ids[0], added.created_ids[1]);
    let integrity = CustodyEvent {
        action: CustodyAction::IntegrityFailure,
        actor: user("carol"),
        at: ts("2026-03-01T11:00:00.000001Z"),
        reason: Some(text("téléchargement — ダウンロード 'refused'")),
        detail: Some(
            "stored bytes hash to 0000000000000000000000000000000000000000000000000000000000000000"
                .to_owned(),
        ),
    };
    let mut expected_a = vec![event(CustodyAction::Intake, "bob", 1)];
    let mut expected_b = expected_a.clone();

    let viewed = event(CustodyAction::Viewed, "carol", 2);
    let changed = apply(
        &*store,
        id,
        added.version,
        vec![
            IncidentChange::AppendCustody {
                record_id: b,
                event: viewed.clone(),
            },
            IncidentChange::AppendCustody {
                record_id: a,
                event: viewed.clone(),
            },
            IncidentChange::AppendCustody {
                record_id: b,
                event: viewed.clone(),
            },
            IncidentChange::AddMember {
                member: member("carol", MemberRole::Responder),
                at: t(2),
            },
        ],
    )
    .await;
    assert_eq!(changed.created_ids, Vec::<i64>::new());
    expected_b.extend([viewed.clone(), viewed.clone()]);
    expected_a.push(viewed);
    store
        .append_custody(
            id,
            vec![(a, integrity.clone())],
            read_draft(id, "evidence.integrity_failure", &[a], 60),
        )
        .await
        .unwrap();
    expected_a.push(integrity);

    assert_eq!(
        store.custody_log(id, a).await.unwrap(),
        rows(a, &expected_a)
    );
    assert_eq!(
        store.custody_log(id, b).await.unwrap(),
        rows(b, &expected_b)
    );
}

/// `custody_logs` lists every item's entries by record id, then sequence,
/// whatever order they were written in, and only the incident's own;
/// `custody_log` of an unknown item or through another incident is empty.
pub async fn custody_logs_ordered(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "ordered").await;
    let other = declare_at(&*store, "alice", "other", t(1)).await;
    let id = declared.summary.id;
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            add_evidence(evidence_item("a.log"), 1),
            add_evidence(external_item("disk image"), 2),
        ],
    )
    .await;
    let (a, b) = (added.created_ids[0], added.created_ids[1]);
    let theirs = apply(
        &*store,
        other.summary.id,
        other.summary.version,
        vec![add_evidence(evidence_item("theirs.log"), 3)],
    )
    .await
    .created_ids[0];
    // Written newest item first, with the other incident in between.
    let viewed = |minutes| event(CustodyAction::Viewed, "alice", minutes);
    for (incident, record_id, minutes) in [(id, b, 4), (other.summary.id, theirs, 5), (id, a, 6)] {
        store
            .append_custody(
                incident,
                vec![(record_id, viewed(minutes))],
                read_draft(incident, "evidence.view", &[record_id], minutes),
            )
            .await
            .unwrap();
    }
    let intake = |minutes| event(CustodyAction::Intake, "bob", minutes);
    let mut expected = rows(a, &[intake(1), viewed(6)]);
    expected.extend(rows(b, &[intake(2), viewed(4)]));
    assert_eq!(store.custody_logs(id).await.unwrap(), expected);
    assert_eq!(
        store.custody_logs(other.summary.id).await.unwrap(),
        rows(theirs, &[intake(3), viewed(5)])
    );

    assert_eq!(store.custody_log(id, theirs).await.unwrap(), vec![]);
    assert_eq!(store.custody_log(id, theirs + 1000).await.unwrap(), vec![]);
    let ghost: IncidentId = "SEC-2026-0042".parse().unwrap();
    assert_eq!(store.custody_logs(ghost).await.unwrap(), vec![]);
    assert_eq!(store.evidence_items(ghost).await.unwrap(), vec![]);
}

/// `all_evidence_for_verification` lists the evidence items of every
/// incident (and nothing else), by record id, each with its incident;
/// `evidence_items` lists only one incident's.
pub async fn evidence_all_for_verification(h: &dyn Harness) {
    let store = fresh(h).await;
    let first = declare(&*store, "first").await;
    let second = declare_at(&*store, "bob", "second", t(1)).await;
    let (one, two) = (first.summary.id, second.summary.id);
    let a = apply(
        &*store,
        one,
        first.summary.version,
        vec![
            add_evidence(evidence_item("a.log"), 2),
            IncidentChange::AddRecord {
                record: credential(true),
                by: user("bob"),
                at: t(2),
            },
        ],
    )
    .await
    .created_ids[0];
    let b = apply(
        &*store,
        two,
        second.summary.version,
        vec![add_evidence(external_item("disk image"), 3)],
    )
    .await
    .created_ids[0];
    let c = apply(
        &*store,
        one,
        first.summary.version + 1,
        vec![add_evidence(evidence_item("c.pcap"), 4)],
    )
    .await
    .created_ids[0];
    let row = |incident, record_id, item, minutes| EvidenceRow {
        incident,
        record_id,
        item,
        created_by: user("bob"),
        created_at: t(minutes),
    };
    let (ra, rb, rc) = (
        row(one, a, evidence_item("a.log"), 2),
        row(two, b, external_item("disk image"), 3),
        row(one, c, evidence_item("c.pcap"), 4),
    );
    assert_eq!(
        store.all_evidence_for_verification().await.unwrap(),
        vec![ra.clone(), rb.clone(), rc.clone()]
    );
    assert_eq!(store.evidence_items(one).await.unwrap(), vec![ra, rc]);
    assert_eq!(store.evidence_items(two).await.unwrap(), vec![rb]);
    // Every custody row of every incident, by incident, then item, then seq.
    let custody: Vec<(IncidentId, i64, i64)> = store
        .all_custody_for_verification()
        .await
        .unwrap()
        .into_iter()
        .map(|(incident, row)| (incident, row.record_id, row.seq))
        .collect();
    let mut expected = vec![(one, a, 1), (one, c, 1), (two, b, 1)];
    expected.sort_by_key(|(incident, record_id, _)| (incident.to_string(), *record_id));
    assert_eq!(custody, expected);
}

/// Custody rows cannot be edited or deleted even with direct SQL (the
/// schema refuses it), and every append left one audit link whose stored
/// payload says what was appended. The chain itself does not hash custody
/// rows: someone who can drop the schema's guard can delete a row without
/// breaking the chain, and the audit events are then what shows the gap.
pub async fn custody_rows_are_append_only(h: &dyn Harness) {
    let (store, sql) = h.fresh().await;
    let declared = declare(&*store, "append only").await;
    let id = declared.summary.id;
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![add_evidence(evidence_item("a.log"), 1)],
    )
    .await;
    let item = added.created_ids[0];
    let chain_before = audit_len(&*store).await;
    for (n, action) in [CustodyAction::Viewed, CustodyAction::Downloaded]
        .into_iter()
        .enumerate()
    {
        let minutes = 2 + i64::try_from(n).unwrap();
        store
            .append_custody(
                id,
                vec![(item, event(action, "carol", minutes))],
                AuditDraft::new(
                    t(minutes),
                    actor("carol"),
                    "evidence.custody",
                    Target::new("evidence", item.to_string()),
                    json!({ "incident": id.to_string(), "action": action.as_str() }),
                ),
            )
            .await
            .unwrap();
    }
    let logged = store.custody_log(id, item).await.unwrap();
    assert_eq!(logged.len(), 3);

    for statement in [
        format!("DELETE FROM evidence_custody WHERE record_id = {item} AND seq = 2"),
        format!("UPDATE evidence_custody SET actor = 'mallory' WHERE record_id = {item}"),
        format!("UPDATE evidence_custody SET seq = seq + 10 WHERE record_id = {item}"),
        "DELETE FROM evidence_custody".to_owned(),
    ] {
        match sql.execute(&statement).await {
            Err(message) => assert!(message.contains("append-only"), "{statement}: {message}"),
            Ok(rows) => panic!("{statement} was allowed and changed {rows} rows"),
        }
    }
    assert_eq!(store.custody_log(id, item).await.unwrap(), logged);

    let links = audit_rows(&*store).await;
    let appended: Vec<serde_json::Value> = links[usize::try_from(chain_before).unwrap()..]
        .iter()
        .map(|link| {
            let event = AuditEvent::from_canonical(&link.event).expect("a stored event parses");
            assert_eq!(event.action(), "evidence.custody");
            assert_eq!(event.target().id, item.to_string());
            event.payload().clone()
        })
        .collect();
    assert_eq!(
        appended,
        vec![
            json!({ "incident": id.to_string(), "action": "viewed" }),
            json!({ "incident": id.to_string(), "action": "downloaded" }),
        ]
    );
}
