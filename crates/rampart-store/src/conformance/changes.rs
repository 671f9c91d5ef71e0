//! `apply_incident_changes`: every change round-trips, versions bump once
//! per call, and a call that fails writes nothing at all.

use jiff::civil::date;
use rampart_audit::{Actor, Target};
use rampart_incident::{
    ActionItem, ActionItemKind, ActionItemStatus, ActorKind, AffectedAsset, AssetKind,
    AttackTimelineInput, AttackVector, AttackVectorKind, Attribution, Audience, Certainty,
    CommsDecision, CommsDraft, CommsDraftInput, CompromiseStatus, CompromisedDataSet,
    ContainmentAction, CutOffAction, DataClassification, DataImpact, DetectionSource, EvidenceItem,
    EvidenceStorage, ForensicAnalysis, IncidentId, IncidentSeverity, IsolationStatus,
    LawEnforcementRecord, LessonKind, LessonLearned, Likelihood, MemberRole, ReAttackAssessment,
    RecordKind, ResponseLogEntry, RiskLevel, Step, StepBoard, StepRecord, StepState,
    SystemRiskAssessment, TimeZoneName, Tlp, change_step,
};
use serde_json::json;

use super::Harness;
use super::support::{
    actor, apply, assert_err, audit_len, change_draft, declare, declare_at, details, fresh,
    log_entry, member, snapshot, state, t, text, try_apply, ts, user,
};
use crate::{
    AuditDraft, IncidentChange, IncidentDetails, IncidentStatus, NewUser, NotificationKind,
    RecordRow, StoreError,
};

/// One valid record of every kind: the kinds of steps 1–9 first, in step
/// order (other cases index into them), then the rest.
pub(super) fn one_of_each_record() -> Vec<StepRecord> {
    vec![
        StepRecord::ContainmentAction(ContainmentAction {
            what_stopped: text("crypto-miner processes on build-7"),
            how: text("killed the processes, disabled the cron job"),
            at: ts("2026-03-01T09:41:07.000001Z"),
        }),
        StepRecord::AttackVector(
            AttackVector::new(
                AttackVectorKind::Token,
                text("the CI bot's GitHub token"),
                Some(CutOffAction::Revoked),
                true,
            )
            .unwrap(),
        ),
        StepRecord::AffectedAsset(
            AffectedAsset::new(
                AssetKind::Host,
                text("build-7"),
                IsolationStatus::Isolated,
                Some(text("security group with no ingress")),
            )
            .unwrap(),
        ),
        StepRecord::AttackTimelineEntry(
            AttackTimelineInput {
                event_time: ts("2025-11-02T03:04:05.654321Z"),
                timezone: TimeZoneName::parse("Europe/Berlin").unwrap(),
                source: text("nginx access log on edge-2"),
                certainty: Certainty::Suspected,
                description: text("first request with the stolen token"),
            }
            .record(t(4)),
        ),
        StepRecord::CompromisedDataSet(
            CompromisedDataSet::new(
                text("customers table, EU shard"),
                DataClassification::Confidential,
                vec![DataImpact::Copied, DataImpact::Read],
                text("~12,000 rows"),
                CompromiseStatus::Possible,
            )
            .unwrap(),
        ),
        StepRecord::SystemRiskAssessment(SystemRiskAssessment {
            system: text("artifact registry"),
            risk: RiskLevel::High,
            rationale: text("the same token could push images"),
        }),
        StepRecord::ReAttackAssessment(ReAttackAssessment {
            likelihood: Likelihood::Medium,
            can_patch_ourselves: false,
            rationale: text("the CI vendor must fix token scoping"),
        }),
        action_item(ActionItemKind::Monitoring, ActionItemStatus::Open),
        // The kinds of issue 5, after the first eight (other cases index
        // into those).
        credential(false),
        StepRecord::Indicator(
            serde_json::from_value(json!({
                "kind": "ip",
                "value": "203.0.113.7",
                "tlp": "TLP:AMBER",
                "pap": "PAP:GREEN",
                "description": "C2 server the miner reported to",
                "first_seen": "2025-11-02T03:04:05.654321Z",
                "last_seen": "2026-03-01T08:59:59.999999Z",
                "techniques": ["T1496", "T1078.004"],
            }))
            .expect("a valid indicator"),
        ),
        StepRecord::Attribution(Attribution {
            actor: ActorKind::External,
            variety: Some(text("organized crime")),
            motive: Some(text("financial")),
            certainty: Certainty::Suspected,
            rationale: text("commodity miner, wallet seen in other campaigns"),
        }),
        StepRecord::LessonLearned(LessonLearned {
            kind: LessonKind::ToImprove,
            lesson: text("CI tokens must be scoped to one repository"),
        }),
        StepRecord::EvidenceItem(evidence_item("nginx-access.log.gz")),
        StepRecord::ForensicAnalysis(ForensicAnalysis {
            title: text("persistence on build-7"),
            evidence: vec![1, 2],
            method: text("timeline of the disk image with plaso 20240308"),
            result: text("a cron entry added at 03:05, nothing else"),
        }),
        StepRecord::InternalCommsDecision(CommsDecision {
            needed: true,
            rationale: text("engineers must stop using the old token"),
            decided_by: user("alice"),
        }),
        StepRecord::InternalCommsDraft(
            CommsDraft::new(
                CommsDraftInput {
                    audience: Audience::Internal,
                    title: text("CI token rotated"),
                    body: text("The CI bot token was rotated; re-run failed pipelines."),
                    compromised: None,
                    not_compromised: None,
                    recipient_actions: None,
                },
                Step::InternalCommunication,
            )
            .expect("a valid internal draft"),
        ),
        StepRecord::LawEnforcement(LawEnforcementRecord::Involved {
            agency: text("BKA Cybercrime"),
            case_reference: Some(text("ZAC-2026-0311")),
            contact: text("KHK Muster, +49 611 55-0"),
            contacted_at: ts("2026-03-02T10:15:00.000001Z"),
        }),
        StepRecord::OutsideParty(
            serde_json::from_value(json!({
                "organisation": "Example Hosting GmbH",
                "role_in_attack": "hosted the C2 server 203.0.113.7",
                "security_contact": "abuse@hosting.example",
                "contact_verified_how": "security.txt on their domain, confirmed by phone",
                "notified_at": "2026-03-02T11:00:00.5Z",
                "notified_by": "bob",
            }))
            .expect("a valid outside party"),
        ),
        StepRecord::ExternalCommsDecision(CommsDecision {
            needed: false,
            rationale: text("no customer data left the EU shard"),
            decided_by: user("alice"),
        }),
        StepRecord::ExternalCommsDraft(
            CommsDraft::new(
                CommsDraftInput {
                    audience: Audience::Customers,
                    title: text("2026-03-02: security incident in our CI"),
                    body: text("On 1 March we stopped an attacker in our build system."),
                    compromised: Some(text("build logs of February")),
                    not_compromised: Some(text("customer data, payment data")),
                    recipient_actions: Some(text("none")),
                },
                Step::ExternalCommunication,
            )
            .expect("a valid external draft"),
        ),
        StepRecord::BlastRadius(
            serde_json::from_value(json!({
                "question": {"package": {"ecosystem": "npm", "name": "lodash", "range": "<4.17.21"}},
                "as_of": "2026-03-01T11:00:00.000001Z",
                "services": [{"service": "checkout", "team": "payments", "tier": 1,
                    "data_classification": "restricted",
                    "matches": ["4.17.20 in package-lock.json (rampart:deps)"]}],
                "undetermined": [],
                "hidden_services": 0,
                "total_services": 1,
                "truncated": false
            }))
            .expect("a valid blast-radius answer"),
        ),
    ]
}

/// A compromised credential of the register, rotated or not.
pub(super) fn credential(rotated: bool) -> StepRecord {
    StepRecord::CompromisedCredential(
        serde_json::from_value(json!({
            "fingerprint": "3f2a9c1e0b7d4e5f8a6b2c1d0e9f8a7b",
            "description": "CI bot GitHub token ghp_…",
            "provider": "GitHub",
            "used_in": ["build pipeline", "release job"],
            "owner": "platform team",
            "rotated": rotated,
            "rotated_at": rotated.then_some("2026-03-01T10:02:03.000004Z"),
        }))
        .expect("a valid credential"),
    )
}

/// An evidence item Rampart stores, named `name`.
pub(super) fn evidence_item(name: &str) -> EvidenceItem {
    EvidenceItem {
        name: text(name),
        description: Some(text("edge-2 access log covering the first request")),
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            .parse()
            .expect("a valid digest"),
        size: Some(48_213),
        storage: EvidenceStorage::Stored {
            media_type: "application/gzip".to_owned(),
        },
        source: Some(text("/var/log/nginx on edge-2")),
        collected_at: Some(ts("2026-03-01T09:50:00.000001Z")),
        collected_by: None,
    }
}

fn action_item(kind: ActionItemKind, status: ActionItemStatus) -> StepRecord {
    StepRecord::ActionItem(ActionItem {
        kind,
        title: text("alert on CPU saturation of CI runners"),
        owner: user("bob"),
        due: date(2026, 6, 1),
        status,
    })
}

fn add_record(record: StepRecord, minutes: i64) -> IncidentChange {
    IncidentChange::AddRecord {
        record,
        by: user("bob"),
        at: t(minutes),
    }
}

/// Step changes made by the domain rules round-trip with their rationale
/// and timestamps; several in one call bump the version once.
pub async fn change_steps(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "steps").await;
    let id = declared.summary.id;
    let alice = user("alice");
    let mut board = StepBoard::new();
    let facts = declared.facts;

    let start = change_step(
        &board,
        Step::StopAttack,
        StepState::InProgress,
        None,
        &alice,
        t(1),
        &facts,
    )
    .unwrap();
    let before = audit_len(&*store).await;
    let applied = store
        .apply_incident_changes(
            id,
            declared.summary.version,
            vec![IncidentChange::SetStep(start.entry.clone())],
            vec![ResponseLogEntry::step_changed(&start)],
            change_draft(id),
        )
        .await
        .expect("apply");
    board.apply(&start);
    assert_eq!(applied.version, declared.summary.version + 1);
    assert_eq!(applied.created_ids, Vec::<i64>::new());
    assert_eq!(applied.audit.length, before + 1);
    assert_eq!(applied.audit, store.audit_head().await.unwrap());

    let done = change_step(
        &board,
        Step::StopAttack,
        StepState::Done,
        None,
        &alice,
        t(2),
        &facts,
    )
    .unwrap();
    board.apply(&done);
    let skipped = change_step(
        &board,
        Step::LawEnforcement,
        StepState::NotNeeded,
        Some("internal misconfiguration, no crime"),
        &alice,
        t(2),
        &facts,
    )
    .unwrap();
    board.apply(&skipped);
    let assembled = change_step(
        &board,
        Step::AssembleTeam,
        StepState::InProgress,
        Some("the vector is unknown; containment is not a quick fix"),
        &alice,
        t(3),
        &facts,
    )
    .unwrap();
    board.apply(&assembled);
    let changes = [&done, &skipped, &assembled];
    let second = store
        .apply_incident_changes(
            id,
            applied.version,
            changes
                .iter()
                .map(|c| IncidentChange::SetStep(c.entry.clone()))
                .collect(),
            changes
                .iter()
                .map(|c| ResponseLogEntry::step_changed(c))
                .collect(),
            change_draft(id),
        )
        .await
        .expect("apply three step changes");
    assert_eq!(second.version, applied.version + 1, "one bump per call");

    let now = state(&*store, id).await;
    assert_eq!(now.summary.version, second.version);
    let entries: Vec<_> = now.steps.iter().map(|row| row.entry.clone()).collect();
    assert_eq!(entries, board.entries().to_vec());
    assert_eq!(now.board(), board);
    let stop = now.step(Step::StopAttack).unwrap();
    assert_eq!(
        (stop.entry.started_at, stop.entry.completed_at),
        (Some(t(1)), Some(t(2)))
    );
    let law = now.step(Step::LawEnforcement).unwrap();
    assert_eq!(
        law.entry.rationale,
        Some(text("internal misconfiguration, no crime"))
    );
    assert_eq!(law.entry.completed_at, Some(t(2)));
}

/// Owners and notes are set and cleared per step.
pub async fn change_step_owner_and_notes(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "owners").await;
    let id = declared.summary.id;
    let notes = "rotated at 09:41\n\tthen checked the audit log — \"nothing\" 'else'\\";
    let set = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            IncidentChange::SetStepOwner {
                step: Step::CutOffAttackVector,
                owner: Some(user("bob")),
            },
            IncidentChange::SetStepNotes {
                step: Step::CutOffAttackVector,
                notes: Some(notes.to_owned()),
            },
        ],
    )
    .await;
    let now = state(&*store, id).await;
    for row in &now.steps {
        if row.entry.step == Step::CutOffAttackVector {
            assert_eq!(row.owner, Some(user("bob")));
            assert_eq!(row.notes.as_deref(), Some(notes));
        } else {
            assert_eq!(
                (&row.owner, &row.notes),
                (&None, &None),
                "{}",
                row.entry.step
            );
        }
    }

    apply(
        &*store,
        id,
        set.version,
        vec![
            IncidentChange::SetStepOwner {
                step: Step::CutOffAttackVector,
                owner: None,
            },
            IncidentChange::SetStepNotes {
                step: Step::CutOffAttackVector,
                notes: None,
            },
        ],
    )
    .await;
    let cleared = state(&*store, id).await;
    assert_eq!(cleared.steps, declared.steps);
}

/// Every record kind is stored and read back with its id, step, author and
/// time; `records` filters by step and by incident.
pub async fn change_records_every_kind(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "records").await;
    let other = declare_at(&*store, "alice", "other", t(1)).await;
    let id = declared.summary.id;
    let records = one_of_each_record();
    let changes = records
        .iter()
        .zip(1..)
        .map(|(record, minutes)| add_record(record.clone(), minutes))
        .collect();
    let mut kinds: Vec<&str> = records.iter().map(|r| r.kind().as_str()).collect();
    kinds.sort_unstable();
    let mut every: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
    every.sort_unstable();
    assert_eq!(kinds, every, "one record of every kind");
    let applied = apply(&*store, id, declared.summary.version, changes).await;
    assert_eq!(applied.created_ids.len(), records.len());
    let mut distinct = applied.created_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), records.len(), "ids are distinct");

    let expected: Vec<RecordRow> = records
        .iter()
        .zip(&applied.created_ids)
        .zip(1..)
        .map(|((record, &record_id), minutes)| RecordRow {
            id: record_id,
            step: record.step(),
            record: record.clone(),
            created_by: user("bob"),
            created_at: t(minutes),
            updated_at: None,
        })
        .collect();
    assert_eq!(store.records(id, None).await.unwrap(), expected);
    for row in &expected {
        let of_step: Vec<RecordRow> = expected
            .iter()
            .filter(|other| other.step == row.step)
            .cloned()
            .collect();
        assert_eq!(store.records(id, Some(row.step)).await.unwrap(), of_step);
        assert_eq!(store.record(id, row.id).await.unwrap(), Some(row.clone()));
        assert_eq!(store.record(other.summary.id, row.id).await.unwrap(), None);
    }
    assert_eq!(
        store.records(id, Some(Step::AssembleTeam)).await.unwrap(),
        vec![]
    );
    assert_eq!(store.records(other.summary.id, None).await.unwrap(), vec![]);

    // A second record of a step comes after the first, oldest first.
    let second_item = action_item(ActionItemKind::Process, ActionItemStatus::InProgress);
    let more = apply(
        &*store,
        id,
        applied.version,
        vec![add_record(second_item.clone(), 20)],
    )
    .await;
    let step9 = store
        .records(id, Some(Step::MitigationsAndMonitoring))
        .await
        .unwrap();
    let mut expected9: Vec<RecordRow> = expected
        .iter()
        .filter(|row| row.step == Step::MitigationsAndMonitoring)
        .cloned()
        .collect();
    assert_eq!(expected9[0], expected[7]);
    expected9.push(RecordRow {
        id: more.created_ids[0],
        step: Step::MitigationsAndMonitoring,
        record: second_item,
        created_by: user("bob"),
        created_at: t(20),
        updated_at: None,
    });
    assert_eq!(step9, expected9);
}

/// A record is replaced in place, keeping its author; another incident's
/// record, an unknown one or a change of kind is `NotFound` and nothing is
/// written.
pub async fn change_update_record(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "update").await;
    let other = declare_at(&*store, "alice", "other", t(1)).await;
    let id = declared.summary.id;
    let open = action_item(ActionItemKind::Monitoring, ActionItemStatus::Open);
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![add_record(open, 2)],
    )
    .await;
    let record_id = added.created_ids[0];
    let done = action_item(ActionItemKind::Monitoring, ActionItemStatus::Done);
    let updated = apply(
        &*store,
        id,
        added.version,
        vec![IncidentChange::UpdateRecord {
            id: record_id,
            record: done.clone(),
            at: t(5),
        }],
    )
    .await;
    assert_eq!(updated.created_ids, Vec::<i64>::new());
    assert_eq!(
        store.record(id, record_id).await.unwrap(),
        Some(RecordRow {
            id: record_id,
            step: Step::MitigationsAndMonitoring,
            record: done.clone(),
            created_by: user("bob"),
            created_at: t(2),
            updated_at: Some(t(5)),
        })
    );

    let before_this = snapshot(&*store, id, "alice").await;
    let before_other = snapshot(&*store, other.summary.id, "alice").await;
    // Through another incident, an unknown id, and a change of kind.
    let refused = [
        (
            other.summary.id,
            other.summary.version,
            record_id,
            done.clone(),
        ),
        (id, updated.version, record_id + 1000, done),
        (
            id,
            updated.version,
            record_id,
            one_of_each_record().remove(0),
        ),
    ];
    for (incident, version, target, record) in refused {
        let change = IncidentChange::UpdateRecord {
            id: target,
            record,
            at: t(6),
        };
        assert_err!(
            try_apply(&*store, incident, version, vec![change]).await,
            StoreError::NotFound { .. }
        );
    }
    assert_eq!(snapshot(&*store, id, "alice").await, before_this);
    assert_eq!(
        snapshot(&*store, other.summary.id, "alice").await,
        before_other
    );
}

/// Details are replaced (facts follow the detection source); closing and
/// reopening stamp and clear `closed_at`; every call bumps the version once.
pub async fn change_details_close_reopen(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "details").await;
    let id = declared.summary.id;
    let edited = IncidentDetails {
        title: "Token theft via CI".to_owned(),
        summary: Some("A leaked token pushed images.\nSee step 2.".to_owned()),
        severity: IncidentSeverity::Sev1,
        tlp: Tlp::Red,
        detected_by: DetectionSource::Person,
    };
    let v1 = apply(
        &*store,
        id,
        declared.summary.version,
        vec![IncidentChange::EditDetails(edited.clone())],
    )
    .await;
    let now = state(&*store, id).await;
    assert_eq!(now.summary.details, edited);
    assert_eq!(now.facts.detected_by, DetectionSource::Person);
    let listed = store.incidents_visible_to(&user("alice")).await.unwrap();
    assert_eq!(listed, vec![now.summary.clone()]);

    let v2 = apply(
        &*store,
        id,
        v1.version,
        vec![IncidentChange::Close { at: t(30) }],
    )
    .await;
    let closed = state(&*store, id).await;
    assert_eq!(closed.summary.status, IncidentStatus::Closed);
    assert_eq!(closed.summary.closed_at, Some(t(30)));
    assert_eq!(closed.summary.version, v2.version);

    let v3 = apply(&*store, id, v2.version, vec![IncidentChange::Reopen]).await;
    let reopened = state(&*store, id).await;
    assert_eq!(reopened.summary.status, IncidentStatus::Open);
    assert_eq!(reopened.summary.closed_at, None);
    assert_eq!(
        [v1.version, v2.version, v3.version],
        [1, 2, 3].map(|n| declared.summary.version + n)
    );
    assert_eq!(
        reopened.summary,
        crate::IncidentSummary {
            details: edited,
            version: v3.version,
            ..declared.summary
        }
    );
}

/// A stale `expected_version` is `StaleVersion` with both versions, and
/// writes no change, no log entry and no audit row.
pub async fn change_stale_version_writes_nothing(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "stale").await;
    let id = declared.summary.id;
    let v0 = declared.summary.version;
    let v1 = apply(&*store, id, v0, vec![IncidentChange::Close { at: t(1) }])
        .await
        .version;
    let before = snapshot(&*store, id, "bob").await;
    for stale in [v0, v1 + 5] {
        let result = try_apply(
            &*store,
            id,
            stale,
            vec![
                IncidentChange::Reopen,
                add_record(one_of_each_record().remove(0), 2),
                IncidentChange::AddMember {
                    member: member("bob", MemberRole::Scribe),
                    at: t(2),
                },
                IncidentChange::Notify {
                    user: user("bob"),
                    kind: NotificationKind::AddedAsMember {
                        role: MemberRole::Scribe,
                    },
                    at: t(2),
                },
            ],
        )
        .await;
        match result {
            Err(StoreError::StaleVersion { expected, actual }) => {
                assert_eq!((expected, actual), (stale, v1));
            }
            other => panic!("expected StaleVersion, got {other:?}"),
        }
        assert_eq!(snapshot(&*store, id, "bob").await, before);
    }
}

/// A change that fails in the middle of a list undoes the ones before it:
/// no step, record, log entry or audit row remains, and the version is
/// unchanged, so the same call without the culprit then succeeds.
pub async fn change_failure_rolls_back_whole_call(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "rollback").await;
    let id = declared.summary.id;
    let version = declared.summary.version;
    let start = change_step(
        &declared.board(),
        Step::StopAttack,
        StepState::InProgress,
        None,
        &user("alice"),
        t(1),
        &declared.facts,
    )
    .unwrap();
    let good = vec![
        IncidentChange::SetStep(start.entry.clone()),
        add_record(one_of_each_record().remove(0), 1),
        IncidentChange::SetStepNotes {
            step: Step::StopAttack,
            notes: Some("killing processes".to_owned()),
        },
    ];
    let before = snapshot(&*store, id, "alice").await;
    // Each culprit with the error it must fail with.
    let culprits: [(IncidentChange, IsExpected); 2] = [
        (
            IncidentChange::AddMember {
                member: member("alice", MemberRole::Observer),
                at: t(1),
            },
            |e| matches!(e, StoreError::Conflict { .. }),
        ),
        (IncidentChange::RemoveMember(user("nobody")), |e| {
            matches!(e, StoreError::NotFound { .. })
        }),
    ];
    for (culprit, expected) in culprits {
        let mut changes = good.clone();
        changes.insert(2, culprit.clone());
        match try_apply(&*store, id, version, changes).await {
            Err(error) if expected(&error) => {}
            other => panic!("{culprit:?} gave {other:?}"),
        }
        assert_eq!(snapshot(&*store, id, "alice").await, before);
    }
    let applied = apply(&*store, id, version, good).await;
    assert_eq!(applied.version, version + 1);
    assert_eq!(
        state(&*store, id)
            .await
            .step(Step::StopAttack)
            .unwrap()
            .entry,
        start.entry
    );
}

/// Whether an error is the one a case expects.
type IsExpected = fn(&StoreError) -> bool;

/// Changing an incident that does not exist is `NotFound` and writes nothing.
pub async fn change_unknown_incident(h: &dyn Harness) {
    let store = fresh(h).await;
    declare(&*store, "real").await;
    let ghost: IncidentId = "SEC-2026-0042".parse().unwrap();
    let before = audit_len(&*store).await;
    assert_err!(
        try_apply(&*store, ghost, 1, vec![IncidentChange::Reopen]).await,
        StoreError::NotFound { .. }
    );
    assert_eq!(audit_len(&*store).await, before);
    assert_eq!(store.incident(ghost).await.unwrap(), None);
}

/// An audit draft the chain refuses (a time finer than a microsecond, a
/// malformed action) fails the write it came with: the change is not made.
pub async fn writes_roll_back_when_audit_draft_invalid(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "bad draft").await;
    let id = declared.summary.id;
    let nanos = ts("2026-03-01T09:30:00.123456789Z");
    let bad_drafts = [
        AuditDraft::new(
            nanos,
            actor("alice"),
            "incident.change",
            Target::new("incident", id.to_string()),
            json!({}),
        ),
        AuditDraft::new(
            t(0),
            actor("alice"),
            "Not An Action",
            Target::new("incident", id.to_string()),
            json!({}),
        ),
    ];
    let before = snapshot(&*store, id, "alice").await;
    for bad in bad_drafts {
        let result = store
            .apply_incident_changes(
                id,
                declared.summary.version,
                vec![IncidentChange::Close { at: t(1) }],
                vec![log_entry("alice", "closing", t(1))],
                bad.clone(),
            )
            .await;
        assert!(
            result.is_err(),
            "an invalid draft must fail the change: {result:?}"
        );
        assert_eq!(snapshot(&*store, id, "alice").await, before);

        let created = store
            .create_user(
                NewUser {
                    name: user("mallory"),
                    role: rampart_incident::GlobalRole::Admin,
                    password_hash: None,
                    created_at: t(1),
                },
                bad.clone(),
            )
            .await;
        assert!(
            created.is_err(),
            "an invalid draft must fail create_user: {created:?}"
        );
        assert_eq!(store.user_by_name(&user("mallory")).await.unwrap(), None);

        assert!(store.append_audit(bad).await.is_err());
        assert_eq!(snapshot(&*store, id, "alice").await, before);
    }
    let system = AuditDraft::new(
        t(2),
        Actor::System {
            component: "retention".to_owned(),
        },
        "audit.check",
        Target::new("audit", "chain"),
        json!({}),
    );
    let head = store
        .append_audit(system)
        .await
        .expect("a valid draft appends");
    assert_eq!(head.length, audit_len(&*store).await);
}

/// The response log keeps every entry verbatim, numbered 1..n per incident
/// in the order written.
pub async fn response_log_in_order(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "log").await;
    let other = declare_at(&*store, "bob", "other", t(1)).await;
    let id = declared.summary.id;
    let batches = [
        vec![log_entry("alice", "one", t(1))],
        vec![
            log_entry("bob", "two", t(2)),
            log_entry("bob", "three", t(2)),
        ],
        vec![log_entry("carol", "four ✓", t(3))],
    ];
    let mut version = declared.summary.version;
    for (n, batch) in batches.iter().enumerate() {
        version = store
            .apply_incident_changes(
                id,
                version,
                vec![IncidentChange::SetStepNotes {
                    step: Step::StopAttack,
                    notes: Some(format!("batch {n}")),
                }],
                batch.clone(),
                change_draft(id),
            )
            .await
            .expect("apply")
            .version;
    }
    let log = store.response_log(id).await.unwrap();
    let seqs: Vec<i64> = log.iter().map(|row| row.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    let written: Vec<ResponseLogEntry> = batches.concat();
    let stored: Vec<ResponseLogEntry> = log[1..].iter().map(|row| row.entry.clone()).collect();
    assert_eq!(stored, written);
    let other_log = store.response_log(other.summary.id).await.unwrap();
    assert_eq!(
        other_log.iter().map(|row| row.seq).collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(other_log[0].entry.actor, user("bob"));
}

/// `facts` counts timeline entries, compromised data sets, monitoring
/// action items (of any status) and credentials not yet rotated, and
/// follows the detection source.
pub async fn facts_count_records(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "facts").await;
    let id = declared.summary.id;
    let records = one_of_each_record();
    let changes = vec![
        add_record(records[3].clone(), 1),
        add_record(records[3].clone(), 2),
        add_record(records[4].clone(), 3),
        add_record(
            action_item(ActionItemKind::Monitoring, ActionItemStatus::Done),
            4,
        ),
        add_record(
            action_item(ActionItemKind::Mitigation, ActionItemStatus::Open),
            5,
        ),
        add_record(records[0].clone(), 6),
        add_record(credential(false), 7),
        add_record(credential(false), 8),
        add_record(credential(true), 9),
    ];
    let applied = apply(&*store, id, declared.summary.version, changes).await;
    let facts = state(&*store, id).await.facts;
    assert_eq!(
        facts,
        rampart_incident::StepFacts {
            detected_by: details("x").detected_by,
            timeline_entries: 2,
            compromised_data_sets: 1,
            monitoring_action_items: 1,
            unrotated_credentials: 2,
        }
    );

    // Rotating one of them takes it out of the count.
    let first_unrotated = applied.created_ids[6];
    apply(
        &*store,
        id,
        applied.version,
        vec![IncidentChange::UpdateRecord {
            id: first_unrotated,
            record: credential(true),
            at: t(10),
        }],
    )
    .await;
    assert_eq!(state(&*store, id).await.facts.unrotated_credentials, 1);
}
