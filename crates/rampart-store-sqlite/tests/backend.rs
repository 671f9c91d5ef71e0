//! What only the SQLite backend has to prove: the file's settings, the
//! migration runner (including upgrading a database an older release left
//! at schema 1, 2 or 3), the blast-radius query plans, and chain appends
//! serialised across separate pools (as two processes on one file would be).

mod support;

use std::sync::Arc;

use jiff::Timestamp;
use rampart_audit::{Actor, Target};
use rampart_store::{AuditDraft, Store, StoreError, verify_audit_chain};
use rampart_store_sqlite::SqliteStore;

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
async fn the_file_is_in_wal_mode_with_foreign_keys_on() {
    let path = support::fresh_path();
    let store = SqliteStore::open(&path).await.unwrap();
    assert!(path.is_file(), "the parent directory and file are created");
    assert_eq!(store.describe(), format!("sqlite:{}", path.display()));
    let raw = support::raw_pool(&path).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // foreign_keys is per connection: ask one of the store's own, through
    // its behaviour — a token for a user that does not exist.
    let token = rampart_store::NewApiToken {
        user_id: 42,
        name: "ci".to_owned(),
        token_hash: "0".repeat(64),
        prefix: "rp_0".to_owned(),
        created_at: Timestamp::from_second(1_772_357_400).unwrap(),
        expires_at: None,
    };
    let error = store.create_api_token(token, draft(1)).await.unwrap_err();
    assert!(
        matches!(&error, StoreError::NotFound { what } if what == "user 42"),
        "{error:?}"
    );
    assert_eq!(store.audit_head().await.unwrap().length, 0, "rolled back");
}

#[tokio::test]
async fn opening_twice_migrates_once() {
    let path = support::fresh_path();
    let first = SqliteStore::open(&path).await.unwrap();
    first.append_audit(draft(1)).await.unwrap();
    first.close().await;
    let second = SqliteStore::open(&path).await.unwrap();
    assert_eq!(second.audit_head().await.unwrap().length, 1, "data kept");
    let raw = support::raw_pool(&path).await;
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

#[tokio::test]
async fn two_stores_opening_a_fresh_file_at_once_both_succeed() {
    let path = support::fresh_path();
    let (a, b) = tokio::join!(SqliteStore::open(&path), SqliteStore::open(&path));
    a.unwrap();
    b.unwrap();
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let path = support::fresh_path();
    SqliteStore::open(&path).await.unwrap().close().await;
    let raw = support::raw_pool(&path).await;
    sqlx::query(
        "INSERT INTO schema_migrations (version, name, applied_at)
         VALUES (99, 'from_the_future', '2030-01-01T00:00:00.000000Z')",
    )
    .execute(&raw)
    .await
    .unwrap();
    let error = SqliteStore::open(&path).await.unwrap_err();
    match error {
        StoreError::Schema(message) => {
            assert!(message.contains("schema version 99"), "{message}");
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_from_two_stores_on_one_file_form_one_gapless_chain() {
    let path = support::fresh_path();
    let a: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).await.unwrap());
    let mut tasks = Vec::new();
    for (offset, store) in [(0, a.clone()), (1_000, b.clone())] {
        tasks.push(tokio::spawn(async move {
            for n in 0..50 {
                store.append_audit(draft(offset + n)).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let summary = verify_audit_chain(&*a, None).await.unwrap();
    assert_eq!(summary.length, 100);
    assert_eq!(summary, b.audit_head().await.unwrap());
}

#[tokio::test]
async fn a_malformed_stored_head_is_corrupt_not_a_panic() {
    let path = support::fresh_path();
    let store = SqliteStore::open(&path).await.unwrap();
    store.append_audit(draft(1)).await.unwrap();
    let raw = support::raw_pool(&path).await;
    sqlx::query("UPDATE audit_log SET hash = 'not hex'")
        .execute(&raw)
        .await
        .unwrap();
    assert!(matches!(
        store.audit_head().await,
        Err(StoreError::Corrupt(message)) if message.contains("audit_log")
    ));
    // And the next append refuses to link after it.
    assert!(matches!(
        store.append_audit(draft(2)).await,
        Err(StoreError::Corrupt(_))
    ));
}

/// A database an older release left at schema 1, with an incident and a
/// record in it, is upgraded on open: its data stays readable, and the
/// incident takes evidence with custody.
#[tokio::test]
async fn a_database_at_schema_1_upgrades_keeping_its_data() {
    use rampart_incident::{
        CustodyAction, CustodyEvent, EvidenceItem, EvidenceStorage, IncidentId, NonEmptyText,
        StepRecord, UserName,
    };
    use rampart_store::{CustodyRow, IncidentChange};

    let path = support::fresh_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let old = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true),
        )
        .await
        .unwrap();
    sqlx::raw_sql(include_str!("../migrations/0001_initial.sql"))
        .execute(&old)
        .await
        .unwrap();
    let id: IncidentId = "SEC-2026-0001".parse().unwrap();
    let record = r#"{"kind":"containment_action","record":{"what_stopped":"miner","how":"killed it","at":"2026-03-01T09:41:07.000001Z"}}"#;
    let statements = format!(
        "CREATE TABLE schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
         INSERT INTO schema_migrations VALUES (1, 'initial', '2026-02-01T00:00:00.000000Z');
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
    old.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    let raw = support::raw_pool(&path).await;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&raw)
            .await
            .unwrap();
    assert_eq!(versions, vec![1, 2, 3, 4]);

    let incident = store.incident(id).await.unwrap().expect("the old incident");
    assert_eq!(incident.summary.details.title, "from release one");
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
/// is upgraded on open to the catalog's schema: its data stays readable,
/// and the catalog takes teams with their audit event in the chain.
#[tokio::test]
async fn a_database_at_schema_2_upgrades_to_the_catalog() {
    use rampart_incident::IncidentId;
    use rampart_inventory::{Catalog, CatalogChange, EntitySource, Team, TeamMember, TeamName};
    use rampart_store::CatalogUpdate;

    let path = support::fresh_path();
    let id: IncidentId = "SEC-2026-0001".parse().unwrap();
    {
        // Release two's schema: its two migrations and nothing of this
        // release's.
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let old = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true),
            )
            .await
            .unwrap();
        for sql in [
            include_str!("../migrations/0001_initial.sql"),
            include_str!("../migrations/0002_evidence_custody.sql"),
        ] {
            sqlx::raw_sql(sql).execute(&old).await.unwrap();
        }
        let statements = format!(
            "CREATE TABLE schema_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'initial', '2026-02-01T00:00:00.000000Z'),
                                                  (2, 'evidence_custody', '2026-02-15T00:00:00.000000Z');
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
        old.close().await;
    }

    let store = SqliteStore::open(&path).await.unwrap();
    let raw = support::raw_pool(&path).await;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&raw)
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
/// catalog, is upgraded on open to the findings inventory's schema: the
/// service takes uploads, and the audit chain stays whole.
#[tokio::test]
async fn a_database_at_schema_3_upgrades_to_the_findings_inventory() {
    let path = support::fresh_path();
    {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let old = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true),
            )
            .await
            .unwrap();
        for sql in [
            include_str!("../migrations/0001_initial.sql"),
            include_str!("../migrations/0002_evidence_custody.sql"),
            include_str!("../migrations/0003_catalog.sql"),
        ] {
            sqlx::raw_sql(sql).execute(&old).await.unwrap();
        }
        sqlx::raw_sql(
            "CREATE TABLE schema_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'initial', '2026-02-01T00:00:00.000000Z'),
                                                  (2, 'evidence_custody', '2026-02-15T00:00:00.000000Z'),
                                                  (3, 'catalog', '2026-03-01T00:00:00.000000Z');
             INSERT INTO services (name, owner, source, created_at, updated_at)
             VALUES ('checkout', 'payments', 'manual', '2026-03-01T09:30:00.000000Z',
                     '2026-03-01T09:30:00.000000Z');",
        )
        .execute(&old)
        .await
        .unwrap();
        old.close().await;
    }

    let store = SqliteStore::open(&path).await.unwrap();
    let raw = support::raw_pool(&path).await;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&raw)
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

/// "Where is package P" must not scan the components table, which holds a
/// row per package per service (a million at 2,000 services × 500): the
/// distinct versions come from the covering index alone, and the rows of
/// the kept versions through it. The same for advisory and secret lookups.
#[tokio::test]
async fn blast_radius_queries_use_their_indexes() {
    let path = support::fresh_path();
    let store = SqliteStore::open(&path).await.unwrap();
    drop(store);
    let raw = support::raw_pool(&path).await;
    let plan = |sql: &'static str| {
        let raw = raw.clone();
        async move {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .fetch_all(&raw)
                    .await
                    .unwrap();
            rows.into_iter()
                .map(|(_, _, _, detail)| detail)
                .collect::<Vec<_>>()
        }
    };
    let versions =
        plan("SELECT DISTINCT version FROM components WHERE ecosystem = 'npm' AND name = 'lodash'")
            .await;
    assert!(
        versions
            .iter()
            .any(|d| d.contains("USING COVERING INDEX components_by_package")),
        "{versions:?}"
    );
    for (sql, table) in [
        (
            "SELECT c.scope, c.ecosystem, c.name, c.version, c.path, c.purl, s.name
             FROM components c JOIN services s ON s.id = c.service_id
             WHERE c.ecosystem = 'npm' AND c.name = 'lodash' AND c.version IN ('', '4.17.20')",
            "components_by_package",
        ),
        (
            "SELECT f.id FROM findings f JOIN services s ON s.id = f.service_id
             JOIN finding_ids i ON i.finding_id = f.id
             WHERE i.advisory_id = 'CVE-2021-23337' ORDER BY f.id",
            "SEARCH i USING PRIMARY KEY (advisory_id=?)",
        ),
        (
            "SELECT f.id FROM findings f JOIN services s ON s.id = f.service_id
             WHERE f.fingerprint = '0123456789abcdef0123456789abcdef' ORDER BY f.id",
            "findings_by_fingerprint",
        ),
    ] {
        let details = plan(sql).await;
        assert!(
            details.iter().any(|d| d.contains(table)),
            "{sql}: {details:?}"
        );
        assert!(
            !details.iter().any(|d| d.starts_with("SCAN c")
                || d.starts_with("SCAN f")
                || d.starts_with("SCAN i")),
            "{sql}: {details:?}"
        );
    }
}
