//! Users, API tokens, sessions and sign-in throttling.

use rampart_incident::GlobalRole;

use super::Harness;
use super::support::{add_user, assert_audited, assert_err, audit_len, draft, fresh, t, ts, user};
use crate::{ApiToken, NewApiToken, NewSession, NewUser, Session, Store, StoreError, User};

const PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";

fn hex(byte: char) -> String {
    byte.to_string().repeat(64)
}

fn new_token(user_id: i64, name: &str, hash: &str, minutes: i64) -> NewApiToken {
    NewApiToken {
        user_id,
        name: name.to_owned(),
        token_hash: hash.to_owned(),
        prefix: "rp_7f3a".to_owned(),
        created_at: t(minutes),
        expires_at: Some(ts("2026-06-01T00:00:00.000001Z")),
    }
}

async fn create_token(store: &dyn Store, token: NewApiToken) -> ApiToken {
    let name = token.name.clone();
    store
        .create_api_token(token, draft("token.create", "token", &name))
        .await
        .unwrap_or_else(|e| panic!("create_api_token {name}: {e}"))
}

fn session(user_id: i64, id_hash: &str, expires_at: &str) -> NewSession {
    Session {
        id_hash: id_hash.to_owned(),
        user_id,
        csrf_hash: hex('c'),
        created_at: t(0),
        expires_at: ts(expires_at),
    }
}

async fn create_session(store: &dyn Store, session: NewSession) {
    store
        .create_session(session, draft("session.create", "user", "alice"))
        .await
        .expect("create_session");
}

/// Creating a user returns it with an id; it reads back by name and id.
pub async fn users_create_and_get(h: &dyn Harness) {
    let store = fresh(h).await;
    let before = audit_len(&*store).await;
    let new = NewUser {
        name: user("alice"),
        role: GlobalRole::Admin,
        password_hash: Some(PHC.to_owned()),
        created_at: t(0),
    };
    let alice = store
        .create_user(new, draft("user.create", "user", "alice"))
        .await
        .expect("create_user");
    assert_eq!(
        alice,
        User {
            id: alice.id,
            name: user("alice"),
            role: GlobalRole::Admin,
            password_hash: Some(PHC.to_owned()),
            disabled: false,
            created_at: t(0),
        }
    );
    assert_audited(&*store, before, "user.create", "alice").await;

    let bob = add_user(&*store, "bob", GlobalRole::Viewer).await;
    assert_ne!(alice.id, bob.id, "ids are distinct");
    assert_eq!(bob.password_hash, None);

    assert_eq!(
        store.user_by_name(&user("alice")).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(store.user_by_id(alice.id).await.unwrap(), Some(alice));
    assert_eq!(store.user_by_id(bob.id).await.unwrap(), Some(bob.clone()));
    assert_eq!(store.user_by_name(&user("carol")).await.unwrap(), None);
    // Names are compared exactly: no case folding.
    assert_eq!(store.user_by_name(&user("Alice")).await.unwrap(), None);
    assert_eq!(store.user_by_id(bob.id + 1000).await.unwrap(), None);
}

/// A taken name is a `Conflict` that writes nothing; names differing only
/// in case are different users.
pub async fn users_duplicate_name_conflicts(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let before = audit_len(&*store).await;
    let again = NewUser {
        name: user("alice"),
        role: GlobalRole::Viewer,
        password_hash: None,
        created_at: t(1),
    };
    assert_err!(
        store
            .create_user(again, draft("user.create", "user", "alice"))
            .await,
        StoreError::Conflict { .. }
    );
    assert_eq!(
        audit_len(&*store).await,
        before,
        "a conflict appends no audit row"
    );
    assert_eq!(store.list_users().await.unwrap(), vec![alice.clone()]);

    let upper = add_user(&*store, "Alice", GlobalRole::Viewer).await;
    assert_ne!(upper.id, alice.id);
    assert_eq!(store.list_users().await.unwrap().len(), 2);
}

/// `list_users` sorts by name as the domain orders names (bytewise), the
/// same on every backend whatever the database's collation.
pub async fn users_list_sorted_by_name(h: &dyn Harness) {
    let store = fresh(h).await;
    assert_eq!(store.list_users().await.unwrap(), vec![]);
    let mut created = Vec::new();
    for name in ["mallory", "Bob", "alice", "zoë", "_svc", "alice2", "Zed"] {
        created.push(add_user(&*store, name, GlobalRole::Engineer).await);
    }
    created.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<String> = created.iter().map(|u| u.name.to_string()).collect();
    assert_eq!(
        names,
        ["Bob", "Zed", "_svc", "alice", "alice2", "mallory", "zoë"]
    );
    assert_eq!(store.list_users().await.unwrap(), created);
}

/// Changing the role returns and stores the user; an unknown id is
/// `NotFound` and writes nothing.
pub async fn users_set_role(h: &dyn Harness) {
    let store = fresh(h).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    let before = audit_len(&*store).await;
    let changed = store
        .set_user_role(
            bob.id,
            GlobalRole::Security,
            draft("user.role", "user", "bob"),
        )
        .await
        .expect("set_user_role");
    assert_eq!(
        changed,
        User {
            role: GlobalRole::Security,
            ..bob.clone()
        }
    );
    assert_audited(&*store, before, "user.role", "bob").await;
    assert_eq!(store.user_by_id(bob.id).await.unwrap(), Some(changed));

    let before = audit_len(&*store).await;
    assert_err!(
        store
            .set_user_role(
                bob.id + 1000,
                GlobalRole::Admin,
                draft("user.role", "user", "x")
            )
            .await,
        StoreError::NotFound { .. }
    );
    assert_eq!(audit_len(&*store).await, before);
}

/// A password hash is set and replaced.
pub async fn users_set_password_hash(h: &dyn Harness) {
    let store = fresh(h).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    for hash in [PHC.to_owned(), PHC.replace("t=2", "t=3")] {
        let before = audit_len(&*store).await;
        store
            .set_password_hash(bob.id, hash.clone(), draft("user.password", "user", "bob"))
            .await
            .expect("set_password_hash");
        assert_audited(&*store, before, "user.password", "bob").await;
        let stored = store.user_by_id(bob.id).await.unwrap().unwrap();
        assert_eq!(
            stored,
            User {
                password_hash: Some(hash),
                ..bob.clone()
            }
        );
    }
}

/// Disabling a user ends their sessions (only theirs); re-enabling does not
/// bring them back.
pub async fn users_disable_ends_sessions(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    let far = "2026-03-02T09:30:00Z";
    create_session(&*store, session(bob.id, &hex('1'), far)).await;
    create_session(&*store, session(bob.id, &hex('2'), far)).await;
    create_session(&*store, session(alice.id, &hex('3'), far)).await;

    let before = audit_len(&*store).await;
    let disabled = store
        .set_user_disabled(bob.id, true, draft("user.disable", "user", "bob"))
        .await
        .expect("set_user_disabled");
    assert_eq!(
        disabled,
        User {
            disabled: true,
            ..bob.clone()
        }
    );
    assert_audited(&*store, before, "user.disable", "bob").await;
    assert_eq!(store.user_by_id(bob.id).await.unwrap(), Some(disabled));
    assert_eq!(store.session_by_hash(&hex('1')).await.unwrap(), None);
    assert_eq!(store.session_by_hash(&hex('2')).await.unwrap(), None);
    let (kept, owner) = store
        .session_by_hash(&hex('3'))
        .await
        .unwrap()
        .expect("alice's session");
    assert_eq!(kept, session(alice.id, &hex('3'), far));
    assert_eq!(owner, alice);

    let enabled = store
        .set_user_disabled(bob.id, false, draft("user.enable", "user", "bob"))
        .await
        .expect("re-enable");
    assert_eq!(enabled, bob);
    assert_eq!(store.session_by_hash(&hex('1')).await.unwrap(), None);
}

/// Only enabled users holding the role are counted.
pub async fn users_count_active_with_role(h: &dyn Harness) {
    let store = fresh(h).await;
    for role in GlobalRole::ALL {
        assert_eq!(store.count_active_users_with_role(role).await.unwrap(), 0);
    }
    add_user(&*store, "root", GlobalRole::Admin).await;
    add_user(&*store, "admin2", GlobalRole::Admin).await;
    let gone = add_user(&*store, "admin3", GlobalRole::Admin).await;
    add_user(&*store, "sec", GlobalRole::Security).await;
    store
        .set_user_disabled(gone.id, true, draft("user.disable", "user", "admin3"))
        .await
        .unwrap();
    let counts = [
        (GlobalRole::Admin, 2),
        (GlobalRole::Security, 1),
        (GlobalRole::Engineer, 0),
        (GlobalRole::Viewer, 0),
    ];
    for (role, expected) in counts {
        assert_eq!(
            store.count_active_users_with_role(role).await.unwrap(),
            expected,
            "{role}"
        );
    }
}

/// A token is stored as given, found by its hash together with its owner,
/// whatever its state.
pub async fn tokens_create_and_lookup(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let before = audit_len(&*store).await;
    let token = create_token(&*store, new_token(alice.id, "ci-pipeline", &hex('a'), 1)).await;
    assert_eq!(
        token,
        ApiToken {
            id: token.id,
            user_id: alice.id,
            name: "ci-pipeline".to_owned(),
            token_hash: hex('a'),
            prefix: "rp_7f3a".to_owned(),
            created_at: t(1),
            expires_at: Some(ts("2026-06-01T00:00:00.000001Z")),
            revoked_at: None,
        }
    );
    assert_audited(&*store, before, "token.create", "ci-pipeline").await;
    let no_expiry = create_token(
        &*store,
        NewApiToken {
            expires_at: None,
            ..new_token(alice.id, "laptop", &hex('b'), 2)
        },
    )
    .await;
    assert_eq!(no_expiry.expires_at, None);

    assert_eq!(
        store.api_token_by_hash(&hex('a')).await.unwrap(),
        Some((token.clone(), alice.clone()))
    );
    assert_eq!(store.api_token_by_hash(&hex('f')).await.unwrap(), None);

    let revoked = store
        .revoke_api_token(
            alice.id,
            token.id,
            t(5),
            draft("token.revoke", "token", "ci"),
        )
        .await
        .unwrap();
    store
        .set_user_disabled(alice.id, true, draft("user.disable", "user", "alice"))
        .await
        .unwrap();
    let (found, owner) = store
        .api_token_by_hash(&hex('a'))
        .await
        .unwrap()
        .expect("still found");
    assert_eq!(found, revoked);
    assert!(owner.disabled, "the caller sees that the owner is disabled");
}

/// Token names are unique per user, not globally.
pub async fn tokens_name_unique_per_user(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    let first = create_token(&*store, new_token(alice.id, "ci", &hex('1'), 1)).await;
    let before = audit_len(&*store).await;
    assert_err!(
        store
            .create_api_token(
                new_token(alice.id, "ci", &hex('2'), 2),
                draft("token.create", "token", "ci")
            )
            .await,
        StoreError::Conflict { .. }
    );
    assert_eq!(audit_len(&*store).await, before);
    assert_eq!(store.list_api_tokens(alice.id).await.unwrap(), vec![first]);
    assert_eq!(store.api_token_by_hash(&hex('2')).await.unwrap(), None);

    let bobs = create_token(&*store, new_token(bob.id, "ci", &hex('3'), 3)).await;
    assert_eq!(store.list_api_tokens(bob.id).await.unwrap(), vec![bobs]);
}

/// A user's tokens, newest first, and nobody else's.
pub async fn tokens_list_newest_first(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    assert_eq!(store.list_api_tokens(alice.id).await.unwrap(), vec![]);
    let one = create_token(&*store, new_token(alice.id, "one", &hex('1'), 1)).await;
    let three = create_token(&*store, new_token(alice.id, "three", &hex('3'), 3)).await;
    let two = create_token(&*store, new_token(alice.id, "two", &hex('2'), 2)).await;
    let other = create_token(&*store, new_token(bob.id, "bobs", &hex('4'), 4)).await;
    assert_eq!(
        store.list_api_tokens(alice.id).await.unwrap(),
        vec![three, two, one]
    );
    assert_eq!(store.list_api_tokens(bob.id).await.unwrap(), vec![other]);
}

/// Revoking stamps the time; someone else's or an unknown token is
/// `NotFound` and writes nothing.
pub async fn tokens_revoke(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    let token = create_token(&*store, new_token(alice.id, "ci", &hex('1'), 1)).await;
    let keep = create_token(&*store, new_token(alice.id, "keep", &hex('2'), 2)).await;

    let before = audit_len(&*store).await;
    assert_err!(
        store
            .revoke_api_token(bob.id, token.id, t(4), draft("token.revoke", "token", "ci"))
            .await,
        StoreError::NotFound { .. }
    );
    assert_err!(
        store
            .revoke_api_token(
                alice.id,
                keep.id + 1000,
                t(4),
                draft("token.revoke", "token", "x")
            )
            .await,
        StoreError::NotFound { .. }
    );
    assert_eq!(audit_len(&*store).await, before);
    assert_eq!(
        store.list_api_tokens(alice.id).await.unwrap(),
        vec![keep.clone(), token.clone()],
        "a refused revocation changes nothing"
    );

    let revoked = store
        .revoke_api_token(
            alice.id,
            token.id,
            t(5),
            draft("token.revoke", "token", "ci"),
        )
        .await
        .expect("revoke");
    let expected = ApiToken {
        revoked_at: Some(t(5)),
        ..token
    };
    assert_eq!(revoked, expected);
    assert_audited(&*store, before, "token.revoke", "ci").await;
    assert_eq!(
        store.list_api_tokens(alice.id).await.unwrap(),
        vec![keep, expected]
    );
}

/// A session reads back with its user; deleting it is idempotent.
pub async fn sessions_create_lookup_delete(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let before = audit_len(&*store).await;
    let new = session(alice.id, &hex('1'), "2026-03-01T21:30:00.654321Z");
    create_session(&*store, new.clone()).await;
    assert_audited(&*store, before, "session.create", "alice").await;
    assert_eq!(
        store.session_by_hash(&hex('1')).await.unwrap(),
        Some((new, alice))
    );
    assert_eq!(store.session_by_hash(&hex('2')).await.unwrap(), None);

    let before = audit_len(&*store).await;
    store
        .delete_session(&hex('1'), draft("session.delete", "user", "alice"))
        .await
        .expect("delete_session");
    assert_audited(&*store, before, "session.delete", "alice").await;
    assert_eq!(store.session_by_hash(&hex('1')).await.unwrap(), None);
    store
        .delete_session(&hex('1'), draft("session.delete", "user", "alice"))
        .await
        .expect("deleting a deleted session is not an error");
}

/// Sessions that expired strictly before `now` are deleted and counted.
/// Times differing only below the second must compare as instants, not as
/// text (`…:00Z` is before `…:00.25Z`).
pub async fn sessions_delete_expired(h: &dyn Harness) {
    let store = fresh(h).await;
    let alice = add_user(&*store, "alice", GlobalRole::Admin).await;
    let now = "2026-03-01T10:00:00.25Z";
    let sessions = [
        (hex('1'), "2026-03-01T10:00:00Z", false),
        (hex('2'), "2026-03-01T09:59:59.999999Z", false),
        (hex('3'), now, true),
        (hex('4'), "2026-03-01T10:00:00.5Z", true),
        (hex('5'), "2026-03-01T10:00:01Z", true),
    ];
    for (hash, expires, _) in &sessions {
        create_session(&*store, session(alice.id, hash, expires)).await;
    }
    let (expired, _) = store
        .session_by_hash(&hex('1'))
        .await
        .unwrap()
        .expect("an expired session is still returned until deleted; the caller checks expiry");
    assert_eq!(expired.expires_at, ts("2026-03-01T10:00:00Z"));
    assert_eq!(store.delete_expired_sessions(ts(now)).await.unwrap(), 2);
    for (hash, expires, kept) in &sessions {
        let found = store.session_by_hash(hash).await.unwrap();
        assert_eq!(found.is_some(), *kept, "session expiring at {expires}");
    }
    assert_eq!(store.delete_expired_sessions(ts(now)).await.unwrap(), 0);
    assert_eq!(
        store
            .delete_expired_sessions(ts("2026-03-01T10:00:00.500001Z"))
            .await
            .unwrap(),
        2
    );
}

/// Failures count per key since a time; clearing forgets one key's and
/// every old failure.
pub async fn login_failures_record_count_clear(h: &dyn Harness) {
    let store = fresh(h).await;
    for minutes in [1, 2, 3] {
        store
            .record_login_failure("alice", t(minutes))
            .await
            .unwrap();
    }
    store
        .record_login_failure("10.0.0.7", ts("2026-03-01T08:00:00Z"))
        .await
        .unwrap();
    store.record_login_failure("10.0.0.7", t(5)).await.unwrap();
    // Sub-second instants compare as instants.
    for at in [
        "2026-03-01T10:00:00.25Z",
        "2026-03-01T10:00:01Z",
        "2026-03-01T10:00:00.75Z",
    ] {
        store.record_login_failure("bob", ts(at)).await.unwrap();
    }

    let count = |key: &'static str, since: jiff::Timestamp| {
        let store = store.clone();
        async move { store.login_failures_since(key, since).await.unwrap() }
    };
    assert_eq!(count("alice", ts("2026-03-01T00:00:00Z")).await, 3);
    assert_eq!(
        count("alice", t(1) + jiff::SignedDuration::from_secs(30)).await,
        2
    );
    assert_eq!(count("alice", t(4)).await, 0);
    assert_eq!(count("10.0.0.7", ts("2026-03-01T00:00:00Z")).await, 2);
    assert_eq!(count("bob", ts("2026-03-01T10:00:00.5Z")).await, 2);
    assert_eq!(count("bob", ts("2026-03-01T10:00:00Z")).await, 3);
    assert_eq!(count("carol", ts("2026-03-01T00:00:00Z")).await, 0);

    store.clear_login_failures("alice", t(0)).await.unwrap();
    assert_eq!(count("alice", ts("2026-03-01T00:00:00Z")).await, 0);
    assert_eq!(
        count("10.0.0.7", ts("2026-03-01T00:00:00Z")).await,
        1,
        "the failure older than the cut-off went, the recent one stayed"
    );
    assert_eq!(count("bob", ts("2026-03-01T00:00:00Z")).await, 3);
    // And the sub-second cut-off: `…:00.75Z` is older than `…:00.8Z`,
    // `…:01Z` is not.
    store
        .clear_login_failures("nobody", ts("2026-03-01T10:00:00.8Z"))
        .await
        .unwrap();
    assert_eq!(count("bob", ts("2026-03-01T00:00:00Z")).await, 1);
    assert_eq!(count("10.0.0.7", ts("2026-03-01T00:00:00Z")).await, 0);
}
