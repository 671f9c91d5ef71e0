//! The audit chain as stored: it verifies after real writes, pages
//! correctly, and every kind of tampering done directly in the database is
//! detected with the right [`ChainBreak`] at the right sequence number.

use std::sync::Arc;

use rampart_audit::{AuditEvent, ChainBreak, ChainSummary, Hash, StoredLink, Target, link};
use rampart_incident::{GlobalRole, Step, StepState, change_step};
use serde_json::json;

use super::support::{
    actor, add_user, audit_rows, change_draft, declare, draft, fresh, log_entry, t, user,
};
use super::{Harness, RawSql};
use crate::{
    AuditDraft, AuditVerifyError, IncidentChange, NewApiToken, Session, Store, verify_audit_chain,
};

/// The actions of [`write_history`], in chain order.
const HISTORY: [&str; 8] = [
    "user.create",
    "user.create",
    "token.create",
    "session.create",
    "incident.declare",
    "incident.change",
    "incident.read",
    "user.role",
];

/// The sequence of the `incident.declare` row, whose payload says `SEV2`.
const DECLARE_SEQ: u64 = 5;

/// A store after a realistic run of writes, its raw SQL handle, and the
/// rows as written.
struct History {
    store: Arc<dyn Store>,
    sql: Box<dyn RawSql>,
    rows: Vec<StoredLink>,
}

impl History {
    /// The hash of the row at `seq`; [`Hash::GENESIS`] before the first.
    fn hash(&self, seq: u64) -> Hash {
        if seq == 0 {
            return Hash::GENESIS;
        }
        Hash::from_hex(&self.row(seq).hash).expect("stored hashes are hex")
    }

    fn row(&self, seq: u64) -> &StoredLink {
        &self.rows[usize::try_from(seq - 1).unwrap()]
    }

    fn head(&self) -> ChainSummary {
        ChainSummary {
            length: self.rows.len() as u64,
            head: self.hash(self.rows.len() as u64),
        }
    }

    /// Runs tampering statements, each of which must change exactly `rows`.
    async fn tamper(&self, statements: &[(String, u64)]) {
        for (statement, rows) in statements {
            match self.sql.execute(statement).await {
                Ok(affected) => assert_eq!(affected, *rows, "rows changed by {statement}"),
                Err(message) => panic!("tampering statement failed: {statement}: {message}"),
            }
        }
    }

    /// Asserts verification (against `anchor`, if any) stops at `expected`.
    async fn expect_break(&self, anchor: Option<&ChainSummary>, expected: ChainBreak) {
        match verify_audit_chain(&*self.store, anchor).await {
            Err(AuditVerifyError::Broken(found)) => assert_eq!(found, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
}

/// An SQL string literal; both databases double single quotes and take
/// backslashes literally (PostgreSQL's standard_conforming_strings).
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

async fn write_history(h: &dyn Harness) -> History {
    let (store, sql) = h.fresh().await;
    let alice = add_user(&*store, "alice", GlobalRole::Security).await;
    let bob = add_user(&*store, "bob", GlobalRole::Engineer).await;
    store
        .create_api_token(
            NewApiToken {
                user_id: alice.id,
                name: "ci".to_owned(),
                token_hash: "a".repeat(64),
                prefix: "rp_1234".to_owned(),
                created_at: t(1),
                expires_at: None,
            },
            draft("token.create", "token", "ci"),
        )
        .await
        .unwrap();
    store
        .create_session(
            Session {
                id_hash: "b".repeat(64),
                user_id: alice.id,
                csrf_hash: "c".repeat(64),
                created_at: t(1),
                expires_at: t(600),
            },
            draft("session.create", "user", "alice"),
        )
        .await
        .unwrap();
    let declared = declare(&*store, "audited").await;
    let id = declared.summary.id;
    let change = change_step(
        &declared.board(),
        Step::StopAttack,
        StepState::Done,
        None,
        &user("alice"),
        t(2),
        &declared.facts,
    )
    .unwrap();
    store
        .apply_incident_changes(
            id,
            declared.summary.version,
            vec![IncidentChange::SetStep(change.entry)],
            vec![log_entry("alice", "stopped", t(2))],
            change_draft(id),
        )
        .await
        .unwrap();
    store
        .append_audit(AuditDraft::new(
            t(3),
            actor("alice"),
            "incident.read",
            Target::new("incident", id.to_string()),
            json!({ "via": "membership", "note": "l'équipe a lu — 読んだ 🔍" }),
        ))
        .await
        .unwrap();
    store
        .set_user_role(
            bob.id,
            GlobalRole::Security,
            draft("user.role", "user", "bob"),
        )
        .await
        .unwrap();
    let rows = audit_rows(&*store).await;
    History { store, sql, rows }
}

/// A fresh store has the empty chain, which verifies (also against the
/// empty anchor).
pub async fn audit_empty_chain(h: &dyn Harness) {
    let store = fresh(h).await;
    assert_eq!(store.audit_head().await.unwrap(), ChainSummary::EMPTY);
    assert_eq!(store.audit_links(0, 10).await.unwrap(), vec![]);
    let verified = verify_audit_chain(&*store, Some(&ChainSummary::EMPTY))
        .await
        .unwrap();
    assert_eq!(verified, ChainSummary::EMPTY);
}

/// After real writes the chain holds one row per write, in order, verifies
/// to `audit_head()`, and pages by sequence.
pub async fn audit_chain_verifies_and_matches_head(h: &dyn Harness) {
    let history = write_history(h).await;
    let store = &*history.store;
    let actions: Vec<String> = history
        .rows
        .iter()
        .map(|row| {
            AuditEvent::from_canonical(&row.event)
                .unwrap()
                .action()
                .to_owned()
        })
        .collect();
    assert_eq!(actions, HISTORY);
    let head = store.audit_head().await.unwrap();
    assert_eq!(head, history.head());
    assert_eq!(verify_audit_chain(store, None).await.unwrap(), head);
    assert_eq!(verify_audit_chain(store, Some(&head)).await.unwrap(), head);

    // Paging: `after` is exclusive, `limit` caps, the end is empty.
    let pages = [(0, 3, 1..=3), (3, 100, 4..=8), (7, 1, 8..=8), (2, 2, 3..=4)];
    for (after, limit, expected) in pages {
        let page = store.audit_links(after, limit).await.unwrap();
        let seqs: Vec<u64> = page.iter().map(|row| row.sequence).collect();
        assert_eq!(
            seqs,
            expected.collect::<Vec<_>>(),
            "after {after}, limit {limit}"
        );
        for row in &page {
            assert_eq!(
                row,
                history.row(row.sequence),
                "rows come back exactly as stored"
            );
        }
    }
    assert_eq!(store.audit_links(8, 10).await.unwrap(), vec![]);

    // Appending after an anchor is fine; the anchor still matches.
    let appended = store
        .append_audit(draft("incident.read", "incident", "SEC-2026-0001"))
        .await
        .unwrap();
    assert_eq!(appended.length, 9);
    assert_eq!(appended, store.audit_head().await.unwrap());
    assert_eq!(
        verify_audit_chain(store, Some(&head)).await.unwrap(),
        appended
    );
}

/// An event's text changed by one byte breaks its own hash.
pub async fn tamper_altered_event(h: &dyn Harness) {
    let history = write_history(h).await;
    let original = &history.row(DECLARE_SEQ).event;
    assert!(
        original.contains("SEV2"),
        "the declare payload names the severity"
    );
    let altered = original.replace("SEV2", "SEV4");
    history
        .tamper(&[(
            format!(
                "UPDATE audit_log SET event = REPLACE(event, 'SEV2', 'SEV4') WHERE seq = {DECLARE_SEQ}"
            ),
            1,
        )])
        .await;
    history
        .expect_break(
            None,
            ChainBreak::HashMismatch {
                sequence: DECLARE_SEQ,
                stored: history.hash(DECLARE_SEQ),
                computed: Hash::chain(&history.hash(DECLARE_SEQ - 1), altered.as_bytes()),
            },
        )
        .await;
}

/// A replaced hash no longer matches the row it claims to hash.
pub async fn tamper_altered_hash(h: &dyn Harness) {
    let history = write_history(h).await;
    let forged = Hash::chain(&Hash::GENESIS, b"forged");
    history
        .tamper(&[(
            format!(
                "UPDATE audit_log SET hash = {} WHERE seq = 3",
                literal(&forged.to_hex())
            ),
            1,
        )])
        .await;
    history
        .expect_break(
            None,
            ChainBreak::HashMismatch {
                sequence: 3,
                stored: forged,
                computed: history.hash(3),
            },
        )
        .await;
}

/// A row deleted from the middle leaves a gap in the sequence.
pub async fn tamper_deleted_middle_row(h: &dyn Harness) {
    let history = write_history(h).await;
    history
        .tamper(&[("DELETE FROM audit_log WHERE seq = 4".to_owned(), 1)])
        .await;
    history
        .expect_break(
            None,
            ChainBreak::SequenceGap {
                sequence: 5,
                expected: 4,
            },
        )
        .await;
}

/// Two rows swapped (their sequence numbers exchanged through a temporary
/// value) break the link at the first of them.
pub async fn tamper_reordered_rows(h: &dyn Harness) {
    let history = write_history(h).await;
    let parking = 1_000_000_000;
    history
        .tamper(&[
            (
                format!("UPDATE audit_log SET seq = {parking} WHERE seq = 4"),
                1,
            ),
            ("UPDATE audit_log SET seq = 4 WHERE seq = 5".to_owned(), 1),
            (
                format!("UPDATE audit_log SET seq = 5 WHERE seq = {parking}"),
                1,
            ),
        ])
        .await;
    history
        .expect_break(
            None,
            ChainBreak::PrevHashMismatch {
                sequence: 4,
                expected: history.hash(3),
                found: history.hash(4),
            },
        )
        .await;
}

/// A copy of a row inserted after it (later rows shifted up to make room)
/// does not link to its predecessor.
pub async fn tamper_duplicated_row(h: &dyn Harness) {
    let history = write_history(h).await;
    let copied = history.row(3);
    // Shift in two steps so that no intermediate state repeats a key.
    let shift = 1_000_000_000;
    history
        .tamper(&[
            (
                format!("UPDATE audit_log SET seq = seq + {shift} WHERE seq > 3"),
                5,
            ),
            (
                format!(
                    "UPDATE audit_log SET seq = seq - {} WHERE seq > {shift}",
                    shift - 1
                ),
                5,
            ),
            (
                format!(
                    "INSERT INTO audit_log (seq, prev_hash, hash, event) VALUES (4, {}, {}, {})",
                    literal(&copied.prev_hash),
                    literal(&copied.hash),
                    literal(&copied.event)
                ),
                1,
            ),
        ])
        .await;
    history
        .expect_break(
            None,
            ChainBreak::PrevHashMismatch {
                sequence: 4,
                expected: history.hash(3),
                found: history.hash(2),
            },
        )
        .await;
}

/// A row forged at the end by someone who can compute SHA-256 links
/// correctly, but whose text is not a canonical event, is rejected.
pub async fn tamper_forged_row(h: &dyn Harness) {
    let history = write_history(h).await;
    let head = history.head();
    let forged_event = r#"{"action": "user.create", "note": "not canonical"}"#;
    let forged_hash = Hash::chain(&head.head, forged_event.as_bytes());
    history
        .tamper(&[(
            format!(
                "INSERT INTO audit_log (seq, prev_hash, hash, event) VALUES ({}, {}, {}, {})",
                head.length + 1,
                literal(&head.head.to_hex()),
                literal(&forged_hash.to_hex()),
                literal(forged_event)
            ),
            1,
        )])
        .await;
    match verify_audit_chain(&*history.store, None).await {
        Err(AuditVerifyError::Broken(ChainBreak::InvalidEvent { sequence, .. })) => {
            assert_eq!(sequence, head.length + 1);
        }
        other => panic!(
            "expected InvalidEvent at {}, got {other:?}",
            head.length + 1
        ),
    }
}

/// Deleting the last row leaves a valid shorter chain: only the anchor
/// notices.
pub async fn tamper_truncated_tail_needs_anchor(h: &dyn Harness) {
    let history = write_history(h).await;
    let anchor = history.head();
    history
        .tamper(&[(
            format!("DELETE FROM audit_log WHERE seq = {}", anchor.length),
            1,
        )])
        .await;
    let shorter = verify_audit_chain(&*history.store, None)
        .await
        .expect("without an anchor the shorter chain verifies");
    assert_eq!(
        shorter,
        ChainSummary {
            length: anchor.length - 1,
            head: history.hash(anchor.length - 1),
        }
    );
    history
        .expect_break(
            Some(&anchor),
            ChainBreak::Truncated {
                sequence: anchor.length,
                length: anchor.length - 1,
                anchored_length: anchor.length,
            },
        )
        .await;
}

/// The whole chain rewritten with recomputed hashes verifies on its own:
/// only the anchor notices.
pub async fn tamper_rewritten_chain_needs_anchor(h: &dyn Harness) {
    let history = write_history(h).await;
    let anchor = history.head();
    let mut prev = Hash::GENESIS;
    let mut statements = Vec::new();
    for row in &history.rows {
        let original = AuditEvent::from_canonical(&row.event).unwrap();
        let rewritten = AuditEvent::new(
            original.sequence(),
            original.at(),
            original.actor().clone(),
            original.action(),
            original.target().clone(),
            json!({ "rewritten": true }),
        )
        .unwrap();
        let linked = link(&prev, rewritten);
        prev = linked.hash;
        let stored = linked.to_stored();
        statements.push((
            format!(
                "UPDATE audit_log SET prev_hash = {}, hash = {}, event = {} WHERE seq = {}",
                literal(&stored.prev_hash),
                literal(&stored.hash),
                literal(&stored.event),
                stored.sequence
            ),
            1,
        ));
    }
    history.tamper(&statements).await;
    let forged_head = ChainSummary {
        length: anchor.length,
        head: prev,
    };
    assert_eq!(
        verify_audit_chain(&*history.store, None).await.unwrap(),
        forged_head,
        "a consistently rewritten chain verifies without an anchor"
    );
    history
        .expect_break(
            Some(&anchor),
            ChainBreak::AnchorMismatch {
                sequence: anchor.length,
                anchored: anchor.head,
                found: prev,
            },
        )
        .await;
}
