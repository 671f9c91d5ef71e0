//! `apply_incident_changes` for who may see an incident: members, access
//! requests, break-glass requests and grants, and notifications.

use rampart_incident::{
    AccessRequest, AccessRequestState, BreakGlassRequest, BreakGlassState, GlobalRole, IncidentId,
    MemberRole, Viewer,
};

use super::Harness;
use super::support::{
    apply, assert_err, audit_len, change_draft, declare, declare_at, fresh, member,
    members_with_since, state, t, try_apply, user,
};
use crate::{
    AccessRequestRow, BreakGlassRow, IncidentChange, Notification, NotificationKind, StoreError,
};

/// Members are added (a duplicate is `Conflict`), re-roled and removed (an
/// unknown one is `NotFound`), with their join time.
pub async fn change_members(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "members").await;
    let id = declared.summary.id;
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            IncidentChange::AddMember {
                member: member("bob", MemberRole::Responder),
                at: t(1),
            },
            IncidentChange::AddMember {
                member: member("carol", MemberRole::Legal),
                at: t(2),
            },
        ],
    )
    .await;
    assert_eq!(
        members_with_since(&state(&*store, id).await),
        vec![
            (member("alice", MemberRole::Commander), t(0)),
            (member("bob", MemberRole::Responder), t(1)),
            (member("carol", MemberRole::Legal), t(2)),
        ]
    );

    for duplicate in ["bob", "alice"] {
        assert_err!(
            try_apply(
                &*store,
                id,
                added.version,
                vec![IncidentChange::AddMember {
                    member: member(duplicate, MemberRole::Observer),
                    at: t(3),
                }],
            )
            .await,
            StoreError::Conflict { .. }
        );
    }
    for change in [
        IncidentChange::SetMemberRole(member("dave", MemberRole::Scribe)),
        IncidentChange::RemoveMember(user("dave")),
    ] {
        assert_err!(
            try_apply(&*store, id, added.version, vec![change]).await,
            StoreError::NotFound { .. }
        );
    }

    let changed = apply(
        &*store,
        id,
        added.version,
        vec![
            IncidentChange::SetMemberRole(member("bob", MemberRole::Forensics)),
            IncidentChange::RemoveMember(user("carol")),
        ],
    )
    .await;
    let now = state(&*store, id).await;
    assert_eq!(now.summary.version, changed.version);
    assert_eq!(
        members_with_since(&now),
        vec![
            (member("alice", MemberRole::Commander), t(0)),
            (member("bob", MemberRole::Forensics), t(1)),
        ],
        "a role change keeps the join time"
    );
    assert_err!(
        try_apply(
            &*store,
            id,
            changed.version,
            vec![IncidentChange::RemoveMember(user("carol"))]
        )
        .await,
        StoreError::NotFound { .. }
    );
}

/// Access requests are stored with their ids, listed newest first, and
/// decided.
pub async fn change_access_requests(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "access").await;
    let other = declare_at(&*store, "alice", "other", t(1)).await;
    let id = declared.summary.id;
    let carol = AccessRequest::new(
        id,
        user("carol"),
        MemberRole::Responder,
        "I run build-7",
        t(1),
    )
    .unwrap();
    let dave =
        AccessRequest::new(id, user("dave"), MemberRole::Observer, "legal hold", t(2)).unwrap();
    let added = apply(
        &*store,
        id,
        declared.summary.version,
        vec![
            IncidentChange::AddAccessRequest(carol.clone()),
            IncidentChange::AddAccessRequest(dave.clone()),
        ],
    )
    .await;
    let [carol_id, dave_id] = added.created_ids[..] else {
        panic!("two ids, got {:?}", added.created_ids)
    };
    assert_ne!(carol_id, dave_id);
    assert_eq!(
        store.access_requests(id).await.unwrap(),
        vec![
            AccessRequestRow {
                id: dave_id,
                request: dave.clone(),
            },
            AccessRequestRow {
                id: carol_id,
                request: carol.clone(),
            },
        ]
    );
    assert_eq!(
        store.access_requests(other.summary.id).await.unwrap(),
        vec![]
    );

    let commander = member("alice", MemberRole::Commander);
    let (approved, joining) = carol.approve(&commander, t(3)).unwrap();
    let denied = dave
        .deny(&commander, Some("not need-to-know"), t(3))
        .unwrap();
    let decided = apply(
        &*store,
        id,
        added.version,
        vec![
            IncidentChange::UpdateAccessRequest {
                id: carol_id,
                request: approved.clone(),
            },
            IncidentChange::AddMember {
                member: joining.clone(),
                at: t(3),
            },
            IncidentChange::UpdateAccessRequest {
                id: dave_id,
                request: denied.clone(),
            },
        ],
    )
    .await;
    assert_eq!(decided.created_ids, Vec::<i64>::new());
    let rows = store.access_requests(id).await.unwrap();
    assert_eq!(rows[0].request, denied);
    assert!(matches!(
        rows[0].request.state,
        AccessRequestState::Denied { .. }
    ));
    assert_eq!(rows[1].request, approved);
    assert!(state(&*store, id).await.access.members.contains(&joining));

    assert_err!(
        try_apply(
            &*store,
            id,
            decided.version,
            vec![IncidentChange::UpdateAccessRequest {
                id: dave_id + 1000,
                request: denied,
            }],
        )
        .await,
        StoreError::NotFound { .. }
    );
}

/// Break-glass requests: approvers' queue across incidents (awaiting only,
/// with codenames), per-incident history, approval with grant and
/// notification, rejection.
pub async fn change_break_glass(h: &dyn Harness) {
    let store = fresh(h).await;
    let first = declare(&*store, "first").await;
    let second = declare_at(&*store, "alice", "second", t(1)).await;
    let (id1, id2) = (first.summary.id, second.summary.id);
    let erin1 = BreakGlassRequest::new(id1, user("erin"), "prod DB is being wiped", t(2)).unwrap();
    let frank2 = BreakGlassRequest::new(id2, user("frank"), "on call, need logs", t(3)).unwrap();
    let erin2 = BreakGlassRequest::new(id2, user("erin"), "same attacker IP", t(4)).unwrap();

    let a1 = apply(
        &*store,
        id1,
        first.summary.version,
        vec![IncidentChange::AddBreakGlassRequest(erin1.clone())],
    )
    .await;
    let a2 = apply(
        &*store,
        id2,
        second.summary.version,
        vec![
            IncidentChange::AddBreakGlassRequest(frank2.clone()),
            IncidentChange::AddBreakGlassRequest(erin2.clone()),
        ],
    )
    .await;
    let row = |id: i64, request: &BreakGlassRequest, codename| BreakGlassRow {
        id,
        request: request.clone(),
        codename,
    };
    let (c1, c2) = (
        first.summary.codename.clone(),
        second.summary.codename.clone(),
    );
    let (b1, b2, b3) = (a1.created_ids[0], a2.created_ids[0], a2.created_ids[1]);
    assert_eq!(
        store.break_glass_requests(None).await.unwrap(),
        vec![
            row(b3, &erin2, c2.clone()),
            row(b2, &frank2, c2.clone()),
            row(b1, &erin1, c1.clone())
        ]
    );

    let approver = Viewer {
        user: user("sec"),
        global_role: GlobalRole::Security,
    };
    let approval = erin1.approve(&approver, t(5)).unwrap();
    let applied = apply(
        &*store,
        id1,
        a1.version,
        vec![
            IncidentChange::UpdateBreakGlassRequest {
                id: b1,
                request: approval.request.clone(),
            },
            IncidentChange::AddBreakGlassGrant(approval.grant.clone()),
            IncidentChange::Notify {
                user: user("alice"),
                kind: NotificationKind::BreakGlass(approval.notification.clone()),
                at: t(5),
            },
        ],
    )
    .await;
    assert_eq!(
        applied.created_ids.len(),
        1,
        "only the notification gets an id"
    );
    assert_eq!(
        state(&*store, id1).await.access.break_glass,
        vec![approval.grant.clone()]
    );
    assert_eq!(
        store.break_glass_request(b1).await.unwrap(),
        Some(row(b1, &approval.request, c1.clone()))
    );
    assert!(matches!(
        approval.request.state,
        BreakGlassState::Approved { .. }
    ));
    let visible: Vec<IncidentId> = store
        .incidents_visible_to(&user("erin"))
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(visible, vec![id1], "the grant opens only its incident");
    let alice_sees = store.notifications(&user("alice")).await.unwrap();
    assert_eq!(
        alice_sees,
        vec![Notification {
            id: applied.created_ids[0],
            user: user("alice"),
            incident: id1,
            codename: c1.clone(),
            kind: NotificationKind::BreakGlass(approval.notification),
            created_at: t(5),
            read_at: None,
        }]
    );

    let rejected = frank2.reject(&approver, t(6)).unwrap();
    apply(
        &*store,
        id2,
        a2.version,
        vec![IncidentChange::UpdateBreakGlassRequest {
            id: b2,
            request: rejected.clone(),
        }],
    )
    .await;
    assert_eq!(
        store.break_glass_requests(None).await.unwrap(),
        vec![row(b3, &erin2, c2.clone())],
        "decided requests leave the queue"
    );
    assert_eq!(
        store.break_glass_requests(Some(id2)).await.unwrap(),
        vec![row(b3, &erin2, c2.clone()), row(b2, &rejected, c2)]
    );
    assert_eq!(
        store.break_glass_requests(Some(id1)).await.unwrap(),
        vec![row(b1, &approval.request, c1)]
    );
    assert_eq!(store.break_glass_request(b3 + 1000).await.unwrap(), None);
}

/// Notifications: ids returned, newest first per user, marked read only by
/// their owner.
pub async fn change_notifications(h: &dyn Harness) {
    let store = fresh(h).await;
    let declared = declare(&*store, "notify").await;
    let id = declared.summary.id;
    let codename = declared.summary.codename.clone();
    let kinds = [
        (
            "alice",
            NotificationKind::AccessRequested {
                request_id: 7,
                requester: user("carol"),
            },
            1,
        ),
        (
            "bob",
            NotificationKind::AddedAsMember {
                role: MemberRole::Scribe,
            },
            2,
        ),
        (
            "alice",
            NotificationKind::AccessDecided {
                request_id: 7,
                approved: false,
            },
            3,
        ),
        (
            "carol",
            NotificationKind::EvidenceIntegrityFailure { record_id: 42 },
            4,
        ),
    ];
    let applied = apply(
        &*store,
        id,
        declared.summary.version,
        kinds
            .iter()
            .map(|(to, kind, minutes)| IncidentChange::Notify {
                user: user(to),
                kind: kind.clone(),
                at: t(*minutes),
            })
            .collect(),
    )
    .await;
    let ids = applied.created_ids.clone();
    assert_eq!(ids.len(), 4);
    let expected: Vec<Notification> = kinds
        .iter()
        .zip(&ids)
        .map(|((to, kind, minutes), &nid)| Notification {
            id: nid,
            user: user(to),
            incident: id,
            codename: codename.clone(),
            kind: kind.clone(),
            created_at: t(*minutes),
            read_at: None,
        })
        .collect();
    assert_eq!(
        store.notifications(&user("alice")).await.unwrap(),
        vec![expected[2].clone(), expected[0].clone()]
    );
    assert_eq!(
        store.notifications(&user("bob")).await.unwrap(),
        vec![expected[1].clone()]
    );
    assert_eq!(
        store.notifications(&user("carol")).await.unwrap(),
        vec![expected[3].clone()]
    );
    assert_eq!(store.notifications(&user("dave")).await.unwrap(), vec![]);

    let before = audit_len(&*store).await;
    for foreign in [ids[1], ids[2] + 1000] {
        assert_err!(
            store
                .mark_notification_read(&user("alice"), foreign, t(9), change_draft(id))
                .await,
            StoreError::NotFound { .. }
        );
    }
    assert_eq!(audit_len(&*store).await, before);
    assert_eq!(
        store.notifications(&user("bob")).await.unwrap(),
        vec![expected[1].clone()]
    );

    store
        .mark_notification_read(&user("alice"), ids[0], t(9), change_draft(id))
        .await
        .expect("mark_notification_read");
    assert_eq!(audit_len(&*store).await, before + 1);
    assert_eq!(
        store.notifications(&user("alice")).await.unwrap(),
        vec![
            expected[2].clone(),
            Notification {
                read_at: Some(t(9)),
                ..expected[0].clone()
            }
        ]
    );
}
