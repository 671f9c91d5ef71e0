//! What only the PostgreSQL backend has to prove: the migration runner,
//! chain appends serialised across separate pools (as two `rampart serve`
//! replicas would be), and a description without the password.

mod support;

use std::sync::Arc;

use jiff::Timestamp;
use rampart_audit::{Actor, Target};
use rampart_store::{AuditDraft, Store, StoreError, verify_audit_chain};
use rampart_store_postgres::PostgresStore;

fn draft(n: u64) -> AuditDraft {
    let at = Timestamp::from_microsecond(1_772_357_400_123_456 + n as i64).unwrap();
    AuditDraft::new(
        at,
        Actor::System {
            component: "test".to_owned(),
        },
        "test.append",
        Target::new("test", n.to_string()),
        serde_json::json!({ "n": n }),
    )
}

#[tokio::test]
async fn describe_leaves_the_password_out() {
    let url = rampart_test_postgres::server().fresh_database_url();
    // Trust authentication ignores the password, so it can be anything.
    let with_password = url.replacen("rampart@", "rampart:s3cret-pw@", 1);
    let store = PostgresStore::connect(&with_password).await.unwrap();
    let description = store.describe();
    assert!(!description.contains("s3cret"), "{description}");
    let port = rampart_test_postgres::server().port();
    let database = url.rsplit('/').next().unwrap();
    assert_eq!(
        description,
        format!("postgres://rampart@127.0.0.1:{port}/{database}")
    );
}

#[tokio::test]
async fn connecting_twice_migrates_once() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let first = PostgresStore::connect(&url).await.unwrap();
    first.append_audit(draft(1)).await.unwrap();
    first.close().await;
    let second = PostgresStore::connect(&url).await.unwrap();
    assert_eq!(second.audit_head().await.unwrap().length, 1, "data kept");
    let raw = support::raw_pool(&url).await;
    let versions: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, name FROM schema_migrations ORDER BY version")
            .fetch_all(&raw)
            .await
            .unwrap();
    assert_eq!(versions, vec![(1, "initial".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_at_once_on_a_fresh_database_both_succeed() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let (a, b) = tokio::join!(PostgresStore::connect(&url), PostgresStore::connect(&url));
    a.unwrap();
    b.unwrap();
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let url = rampart_test_postgres::server().fresh_database_url();
    PostgresStore::connect(&url).await.unwrap().close().await;
    let raw = support::raw_pool(&url).await;
    sqlx::query(
        "INSERT INTO schema_migrations (version, name, applied_at)
         VALUES (2, 'from_the_future', now())",
    )
    .execute(&raw)
    .await
    .unwrap();
    match PostgresStore::connect(&url).await.unwrap_err() {
        StoreError::Schema(message) => {
            assert!(message.contains("schema version 2"), "{message}");
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_from_two_replicas_form_one_gapless_chain() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let a: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).await.unwrap());
    let mut tasks = Vec::new();
    for (offset, store) in [(0, a.clone()), (1_000, b.clone())] {
        // Several tasks per replica, so each pool has appends in flight on
        // several connections at once.
        for worker in 0..5 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..10 {
                    store
                        .append_audit(draft(offset + worker * 100 + n))
                        .await
                        .unwrap();
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let summary = verify_audit_chain(&*a, None).await.unwrap();
    assert_eq!(summary.length, 100);
    assert_eq!(summary, b.audit_head().await.unwrap());
}

#[tokio::test]
async fn timestamps_keep_microseconds_across_the_epochs() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let store = PostgresStore::connect(&url).await.unwrap();
    // Before and after PostgreSQL's own epoch (2000-01-01), where the
    // binary encoding changes sign.
    for (n, text) in ["1999-12-31T23:59:59.999999Z", "2026-03-01T09:30:00.000001Z"]
        .into_iter()
        .enumerate()
    {
        let at: Timestamp = text.parse().unwrap();
        let user = store
            .create_user(
                rampart_store::NewUser {
                    name: rampart_incident::UserName::parse(&format!("user{n}")).unwrap(),
                    role: rampart_incident::GlobalRole::Viewer,
                    password_hash: None,
                    created_at: at,
                },
                draft(n as u64),
            )
            .await
            .unwrap();
        let read = store.user_by_id(user.id).await.unwrap().unwrap();
        assert_eq!(read.created_at, at);
    }
}
