//! Declaring incidents, their ids, and who may list them.

use rampart_incident::{
    AccessFacts, BreakGlassGrant, Codename, GlobalRole, IncidentId, MemberRole, Step, StepEntry,
    StepFacts,
};
use serde_json::json;

use super::Harness;
use super::support::{
    actor, add_user, apply, audit_len, declare, declare_at, details, fresh, last_event, member,
    state, t, text, ts, user,
};
use crate::{IncidentChange, IncidentState, IncidentStatus, IncidentSummary, NewIncident, StepRow};

fn id(text: &str) -> IncidentId {
    text.parse().expect("a valid incident id")
}

/// Declaring assigns the first id of the year and its codename, 14 pending
/// steps, the declarer as commander, one log entry and one audit event.
pub async fn incident_declare(h: &dyn Harness) {
    let store = fresh(h).await;
    let before = audit_len(&*store).await;
    let mut wanted = details("Crypto-miner on build-7");
    wanted.summary = Some("CPU alarms on the CI fleet".to_owned());
    let declared = store
        .declare_incident(
            NewIncident {
                details: wanted.clone(),
                declared_by: user("alice"),
                declared_at: t(0),
            },
            actor("alice"),
            json!({ "severity": "SEV2", "tlp": "TLP:AMBER" }),
        )
        .await
        .expect("declare_incident");

    let expected_id = id("SEC-2026-0001");
    let summary = &declared.summary;
    assert_eq!(summary.id, expected_id);
    assert_eq!(summary.codename, Codename::for_incident(expected_id));
    assert_eq!(summary.details, wanted);
    assert_eq!(summary.status, IncidentStatus::Open);
    assert_eq!(summary.declared_by, user("alice"));
    assert_eq!(summary.declared_at, t(0));
    assert_eq!(summary.closed_at, None);
    assert_eq!(
        declared.access,
        AccessFacts {
            members: vec![member("alice", MemberRole::Commander)],
            break_glass: vec![],
        }
    );
    assert_eq!(declared.member_since, vec![t(0)]);
    let pending: Vec<StepRow> = Step::ALL
        .into_iter()
        .map(|step| StepRow {
            entry: StepEntry::pending(step),
            owner: None,
            notes: None,
        })
        .collect();
    assert_eq!(declared.steps, pending);
    assert_eq!(
        declared.facts,
        StepFacts {
            detected_by: wanted.detected_by,
            ..StepFacts::default()
        }
    );
    assert_eq!(
        state(&*store, expected_id).await,
        declared,
        "reads back as returned"
    );

    let log = store.response_log(expected_id).await.unwrap();
    assert_eq!(log.len(), 1, "one response-log entry: {log:?}");
    assert_eq!(log[0].seq, 1);
    assert_eq!(log[0].entry.actor, user("alice"));
    assert_eq!(log[0].entry.at, t(0));

    assert_eq!(audit_len(&*store).await, before + 1);
    let event = last_event(&*store).await;
    assert_eq!(event.action(), "incident.declare");
    assert_eq!(event.target().id, "SEC-2026-0001");
    assert_eq!(event.actor(), &actor("alice"));
    assert_eq!(event.at(), t(0));
    assert_eq!(
        event.payload(),
        &json!({ "severity": "SEV2", "tlp": "TLP:AMBER" })
    );
}

/// Ids count from 0001 within each UTC year of declaration, and restart in a
/// new year; a late declaration dated in an earlier year continues that
/// year's count.
pub async fn incident_ids_count_per_year(h: &dyn Harness) {
    let store = fresh(h).await;
    let declarations = [
        ("2026-01-01T00:00:00Z", "SEC-2026-0001"),
        ("2026-12-31T23:59:59.999999Z", "SEC-2026-0002"),
        ("2027-01-01T00:00:00Z", "SEC-2027-0001"),
        // 2026 in New York, but 2027 in UTC.
        ("2027-01-01T03:00:00.5Z", "SEC-2027-0002"),
        ("2026-06-01T12:00:00Z", "SEC-2026-0003"),
    ];
    for (at, expected) in declarations {
        let declared = declare_at(&*store, "alice", expected, ts(at)).await;
        assert_eq!(declared.summary.id, id(expected), "declared at {at}");
        assert_eq!(
            declared.summary.codename,
            Codename::for_incident(id(expected))
        );
    }
}

/// An unknown incident is `None`, and has nothing attached.
pub async fn incident_unknown(h: &dyn Harness) {
    let store = fresh(h).await;
    declare(&*store, "real").await;
    let ghost = id("SEC-2026-0042");
    assert_eq!(store.incident(ghost).await.unwrap(), None);
    assert_eq!(store.records(ghost, None).await.unwrap(), vec![]);
    assert_eq!(store.response_log(ghost).await.unwrap(), vec![]);
    assert_eq!(store.access_requests(ghost).await.unwrap(), vec![]);
    assert_eq!(
        store.break_glass_requests(Some(ghost)).await.unwrap(),
        vec![]
    );
    assert_eq!(store.record(ghost, 1).await.unwrap(), None);
}

/// Lists show an incident only to its members and break-glass grantees,
/// newest first; a global role (even admin) shows nothing.
pub async fn incidents_visible_only_to_members_and_grantees(h: &dyn Harness) {
    let store = fresh(h).await;
    add_user(&*store, "root", GlobalRole::Admin).await;
    let first = declare_at(&*store, "alice", "first", t(0)).await;
    let second = declare_at(&*store, "bob", "second", t(1)).await;
    let third = declare_at(&*store, "alice", "third", t(2)).await;

    let visible = |name: &'static str| {
        let store = store.clone();
        async move {
            store
                .incidents_visible_to(&user(name))
                .await
                .expect("incidents_visible_to")
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        }
    };
    let ids = |states: &[&IncidentState]| -> Vec<IncidentId> {
        states.iter().map(|s| s.summary.id).collect()
    };
    assert_eq!(
        visible("root").await,
        vec![],
        "admin is not a member of anything"
    );
    assert_eq!(visible("carol").await, vec![]);
    assert_eq!(visible("alice").await, ids(&[&third, &first]));
    assert_eq!(visible("bob").await, ids(&[&second]));

    // Membership added later shows; the list carries the current row.
    let added = apply(
        &*store,
        second.summary.id,
        second.summary.version,
        vec![IncidentChange::AddMember {
            member: member("alice", MemberRole::Scribe),
            at: t(3),
        }],
    )
    .await;
    assert_eq!(visible("alice").await, ids(&[&third, &second, &first]));
    let listed: Vec<IncidentSummary> = store.incidents_visible_to(&user("alice")).await.unwrap();
    assert_eq!(
        listed[1],
        IncidentSummary {
            version: added.version,
            ..second.summary.clone()
        }
    );
    assert_eq!(listed[0], third.summary);

    // A break-glass grant shows exactly the incident it is for.
    apply(
        &*store,
        first.summary.id,
        first.summary.version,
        vec![IncidentChange::AddBreakGlassGrant(BreakGlassGrant {
            user: user("carol"),
            reason: text("on-call, commander unreachable"),
            approved_by: user("sec"),
            approved_at: t(4),
        })],
    )
    .await;
    assert_eq!(visible("carol").await, ids(&[&first]));

    // Membership plus a grant still lists the incident once.
    let now = state(&*store, first.summary.id).await;
    let grant = BreakGlassGrant {
        user: user("alice"),
        reason: text("second opinion"),
        approved_by: user("sec"),
        approved_at: t(5),
    };
    apply(
        &*store,
        first.summary.id,
        now.summary.version,
        vec![IncidentChange::AddBreakGlassGrant(grant)],
    )
    .await;
    assert_eq!(visible("alice").await, ids(&[&third, &second, &first]));
    assert_eq!(visible("carol").await, ids(&[&first]));

    // Removed members stop seeing it.
    let now = state(&*store, second.summary.id).await;
    apply(
        &*store,
        second.summary.id,
        now.summary.version,
        vec![IncidentChange::RemoveMember(user("alice"))],
    )
    .await;
    assert_eq!(visible("alice").await, ids(&[&third, &first]));
    assert_eq!(visible("root").await, vec![]);
}
