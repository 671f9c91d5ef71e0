//! What only the PostgreSQL backend has to prove: the migration runner
//! (including upgrading a database an older release left at schema 1, 2 or 3),
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
    assert_eq!(
        versions,
        vec![
            (1, "initial".to_owned()),
            (2, "evidence_custody".to_owned()),
            (3, "catalog".to_owned()),
            (4, "findings".to_owned())
        ]
    );
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
         VALUES (99, 'from_the_future', now())",
    )
    .execute(&raw)
    .await
    .unwrap();
    match PostgresStore::connect(&url).await.unwrap_err() {
        StoreError::Schema(message) => {
            assert!(message.contains("schema version 99"), "{message}");
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

/// A database an older release left at schema 1, with an incident and a
/// record in it, is upgraded on connect: its data stays readable, and the
/// incident takes evidence with custody.
#[tokio::test]
async fn a_database_at_schema_1_upgrades_keeping_its_data() {
    use rampart_incident::{
        CustodyAction, CustodyEvent, EvidenceItem, EvidenceStorage, IncidentId, NonEmptyText,
        StepRecord, UserName,
    };
    use rampart_store::{CustodyRow, IncidentChange};

    let url = rampart_test_postgres::server().fresh_database_url();
    let old = support::raw_pool(&url).await;
    sqlx::raw_sql(include_str!("../migrations/0001_initial.sql"))
        .execute(&old)
        .await
        .unwrap();
    let id: IncidentId = "SEC-2026-0001".parse().unwrap();
    let record = r#"{"kind":"containment_action","record":{"what_stopped":"miner","how":"killed it","at":"2026-03-01T09:41:07.000001Z"}}"#;
    let statements = format!(
        "CREATE TABLE schema_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL);
         INSERT INTO schema_migrations VALUES (1, 'initial', '2026-02-01T00:00:00Z');
         INSERT INTO incidents (id, year, sequence, codename, title, summary, severity, tlp,
                                detected_by, status, declared_by, declared_at, closed_at, version)
         VALUES ('{id}', 2026, 1, '{codename}', 'from release one', NULL, 'SEV2', 'TLP:AMBER',
                 'monitor', 'open', 'alice', '2026-03-01T09:30:00.123456Z', NULL, 1);
         INSERT INTO records (incident_id, step, kind, record, created_by, created_at, updated_at)
         VALUES ('{id}', 1, 'containment_action', '{record}', 'alice',
                 '2026-03-01T09:41:07.000001Z', NULL);",
        codename = rampart_incident::Codename::for_incident(id).as_str(),
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(statements))
        .execute(&old)
        .await
        .unwrap();

    let store = PostgresStore::connect(&url).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&old)
            .await
            .unwrap();
    assert_eq!(versions, vec![1, 2, 3, 4]);

    let incident = store.incident(id).await.unwrap().expect("the old incident");
    assert_eq!(incident.summary.details.title, "from release one");
    assert_eq!(
        incident.summary.declared_at,
        "2026-03-01T09:30:00.123456Z".parse::<Timestamp>().unwrap()
    );
    let records = store.records(id, None).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].record,
        serde_json::from_str::<StepRecord>(record).unwrap()
    );

    let alice = UserName::parse("alice").unwrap();
    let at: Timestamp = "2026-03-02T08:00:00.000001Z".parse().unwrap();
    let intake = CustodyEvent::new(CustodyAction::Intake, alice.clone(), at, None).unwrap();
    let item = EvidenceItem {
        name: NonEmptyText::parse("name", "miner.bin").unwrap(),
        description: None,
        sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            .parse()
            .unwrap(),
        size: Some(3),
        storage: EvidenceStorage::Stored {
            media_type: "application/octet-stream".to_owned(),
        },
        source: None,
        collected_at: None,
        collected_by: None,
    };
    let applied = store
        .apply_incident_changes(
            id,
            incident.summary.version,
            vec![IncidentChange::AddEvidence {
                item,
                by: alice,
                at,
                custody: intake.clone(),
            }],
            Vec::new(),
            draft(1),
        )
        .await
        .unwrap();
    let record_id = applied.created_ids[0];
    assert_eq!(
        store.custody_log(id, record_id).await.unwrap(),
        vec![CustodyRow {
            record_id,
            seq: 1,
            event: intake
        }]
    );
}

/// A database an older release left at schema 2, with an incident in it,
/// is upgraded on connect to the catalog's schema: its data stays readable,
/// and the catalog takes teams with their audit event in the chain.
#[tokio::test]
async fn a_database_at_schema_2_upgrades_to_the_catalog() {
    use rampart_incident::IncidentId;
    use rampart_inventory::{Catalog, CatalogChange, EntitySource, Team, TeamMember, TeamName};
    use rampart_store::CatalogUpdate;

    let url = rampart_test_postgres::server().fresh_database_url();
    let id: IncidentId = "SEC-2026-0001".parse().unwrap();
    // Release two's schema: its two migrations and nothing of this
    // release's.
    let old = support::raw_pool(&url).await;
    for sql in [
        include_str!("../migrations/0001_initial.sql"),
        include_str!("../migrations/0002_evidence_custody.sql"),
    ] {
        sqlx::raw_sql(sql).execute(&old).await.unwrap();
    }
    let statements = format!(
        "CREATE TABLE schema_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL);
         INSERT INTO schema_migrations VALUES (1, 'initial', '2026-02-01T00:00:00Z'),
                                              (2, 'evidence_custody', '2026-02-15T00:00:00Z');
         INSERT INTO incidents (id, year, sequence, codename, title, summary, severity, tlp,
                                detected_by, status, declared_by, declared_at, closed_at, version)
         VALUES ('{id}', 2026, 1, '{codename}', 'from release two', NULL, 'SEV2', 'TLP:AMBER',
                 'monitor', 'open', 'alice', '2026-03-01T09:30:00.123456Z', NULL, 1);",
        codename = rampart_incident::Codename::for_incident(id).as_str(),
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(statements))
        .execute(&old)
        .await
        .unwrap();

    let store = PostgresStore::connect(&url).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&old)
            .await
            .unwrap();
    assert_eq!(versions, vec![1, 2, 3, 4]);
    store.append_audit(draft(1)).await.unwrap();

    let incident = store.incident(id).await.unwrap().expect("the old incident");
    assert_eq!(incident.summary.details.title, "from release two");
    assert_eq!(store.catalog().await.unwrap(), Catalog::default());
    let team = Team {
        name: TeamName::parse("search").unwrap(),
        display_name: None,
        description: None,
        email: None,
        parent: None,
        members: vec![TeamMember {
            user: "alice".to_owned(),
            display_name: None,
            email: None,
            source: EntitySource::Manual,
        }],
        source: EntitySource::Manual,
    };
    let changes = vec![CatalogChange::PutTeam(team.clone())];
    let applied = store
        .update_catalog(Box::new(move |_: &Catalog| {
            Ok(CatalogUpdate {
                changes,
                audit: draft(2),
            })
        }))
        .await
        .unwrap()
        .unwrap_or_else(|_| panic!("accepted"));
    assert_eq!(applied.changed, 1);
    assert_eq!(store.catalog().await.unwrap().teams, vec![team]);
    assert_eq!(
        store.teams_of_user("alice").await.unwrap(),
        vec![TeamName::parse("search").unwrap()]
    );
    let head = verify_audit_chain(&store, None).await.unwrap();
    assert_eq!(head.length, 2, "an event of its own and the catalog's");
}

/// An upload of one finding and one component for `service`, the way the
/// upgrade tests exercise the findings inventory.
fn one_finding_upload(service: &str) -> rampart_store::UploadRequest {
    use rampart_inventory::{
        FindingDetail, FindingFingerprint, FingerprintOrigin, IncomingComponent, IncomingFinding,
        IncomingKind, IncomingUpload, ServiceName, Severity, SlaPolicy, UploadFormat, UploadScope,
    };
    let at: Timestamp = "2026-03-02T08:00:00.000001Z".parse().unwrap();
    rampart_store::UploadRequest {
        service: ServiceName::parse(service).unwrap(),
        upload: IncomingUpload {
            format: UploadFormat::Scan,
            scopes: vec![UploadScope {
                scope: "rampart:deps".to_owned(),
                complete: true,
            }],
            findings: vec![IncomingFinding {
                scope: "rampart:deps".to_owned(),
                fingerprint: FindingFingerprint::from_parts(&["upgrade"]),
                fingerprint_origin: FingerprintOrigin::Rampart,
                kind: IncomingKind::Vulnerability,
                rule_id: "CVE-2021-23337".to_owned(),
                title: "lodash command injection".to_owned(),
                severity: Severity::High,
                path: None,
                line: None,
                package: None,
                ids: vec!["CVE-2021-23337".to_owned()],
                detail: FindingDetail::default(),
                local_suppression: None,
            }],
            components: vec![IncomingComponent {
                scope: "rampart:deps".to_owned(),
                ecosystem: "npm".to_owned(),
                name: "lodash".to_owned(),
                version: Some("4.17.20".to_owned()),
                purl: None,
                path: "package-lock.json".to_owned(),
            }],
            tool: None,
            commit: None,
            run: None,
            digest: "upgrade".to_owned(),
            skipped: 0,
        },
        sla: SlaPolicy::default(),
        by: "ci".to_owned(),
        at,
        audit: draft(2),
    }
}

/// A database an older release left at schema 3, with a service in its
/// catalog, is upgraded on connect to the findings inventory's schema: the
/// service takes uploads, and the audit chain stays whole.
#[tokio::test]
async fn a_database_at_schema_3_upgrades_to_the_findings_inventory() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let old = support::raw_pool(&url).await;
    for sql in [
        include_str!("../migrations/0001_initial.sql"),
        include_str!("../migrations/0002_evidence_custody.sql"),
        include_str!("../migrations/0003_catalog.sql"),
    ] {
        sqlx::raw_sql(sql).execute(&old).await.unwrap();
    }
    sqlx::raw_sql(
        "CREATE TABLE schema_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL);
         INSERT INTO schema_migrations VALUES (1, 'initial', '2026-02-01T00:00:00Z'),
                                              (2, 'evidence_custody', '2026-02-15T00:00:00Z'),
                                              (3, 'catalog', '2026-03-01T00:00:00Z');
         INSERT INTO services (name, owner, source, created_at, updated_at)
         VALUES ('checkout', 'payments', 'manual', '2026-03-01T09:30:00Z',
                 '2026-03-01T09:30:00Z');",
    )
    .execute(&old)
    .await
    .unwrap();

    let store = PostgresStore::connect(&url).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&old)
            .await
            .unwrap();
    assert_eq!(versions, vec![1, 2, 3, 4]);
    store.append_audit(draft(1)).await.unwrap();
    let outcome = store
        .record_upload(one_finding_upload("checkout"))
        .await
        .unwrap();
    assert_eq!(outcome.upload.tally.new, 1);
    let hits = store.advisory_hits("cve-2021-23337").await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].finding.team.as_ref().unwrap().as_str(), "payments");
    assert_eq!(
        store
            .package_hits("npm", "lodash", &|_| true)
            .await
            .unwrap()
            .len(),
        1
    );
    let head = verify_audit_chain(&store, None).await.unwrap();
    assert_eq!(head.length, 2, "an event of its own and the upload's");
}
