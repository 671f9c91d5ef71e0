//! The findings inventory: uploads reconciled under the lock, triage and
//! expiry, counts, and the blast-radius reads.

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use rampart_audit::Target;
use rampart_inventory::{
    Catalog, CatalogChange, DataClassification, EntitySource, FindingDetail, FindingFingerprint,
    FindingState, FingerprintOrigin, IncomingComponent, IncomingFinding, IncomingKind,
    IncomingUpload, PackageRef, Service, ServiceName, Severity, SlaPolicy, TeamName, Tier,
    TriageInput, UploadFormat, UploadScope,
};
use serde_json::json;

use super::Harness;
use super::support::{actor, assert_err, audit_len, last_event, t};
use crate::{
    AuditDraft, CatalogUpdate, FindingFilter, FindingRow, Store, StoreError, TriageUpdate,
    UploadOutcome, UploadRequest,
};

const DEPS: &str = "rampart:deps";
const SECRETS: &str = "rampart:secrets";

fn service_name(name: &str) -> ServiceName {
    ServiceName::parse(name).unwrap_or_else(|e| panic!("bad service name {name:?}: {e}"))
}

/// A store with the services `names`; the first is owned by team
/// `payments`, tier 1, restricted data.
async fn with_services(h: &dyn Harness, names: &[&str]) -> std::sync::Arc<dyn Store> {
    let store = super::support::fresh(h).await;
    add_services(&*store, names).await;
    store
}

/// Puts the services `names` in the catalog (see [`with_services`]).
async fn add_services(store: &dyn Store, names: &[&str]) {
    let changes: Vec<CatalogChange> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            CatalogChange::PutService(Service {
                name: service_name(name),
                title: None,
                description: None,
                owner: (i == 0).then(|| TeamName::parse("payments").unwrap()),
                tier: (i == 0).then(|| Tier::new(1).unwrap()),
                data_classification: (i == 0).then_some(DataClassification::Restricted),
                repository_url: None,
                on_call: None,
                security_champion: None,
                lifecycle: None,
                system: None,
                component_type: None,
                source: EntitySource::Manual,
            })
        })
        .collect();
    store
        .update_catalog(Box::new(move |_: &Catalog| {
            Ok(CatalogUpdate {
                changes,
                audit: AuditDraft::new(
                    t(0),
                    actor("alice"),
                    "catalog.update",
                    Target::new("catalog", "catalog"),
                    json!({}),
                ),
            })
        }))
        .await
        .expect("update_catalog")
        .unwrap_or_else(|_| panic!("the catalog update is accepted"));
}

fn fp(n: u32) -> FindingFingerprint {
    FindingFingerprint::from_parts(&["conformance", &n.to_string()])
}

fn vuln(scope: &str, n: u32, severity: Severity) -> IncomingFinding {
    IncomingFinding {
        scope: scope.to_owned(),
        fingerprint: fp(n),
        fingerprint_origin: FingerprintOrigin::Rampart,
        kind: IncomingKind::Vulnerability,
        rule_id: "GHSA-35jh-r3h4-6jhm".to_owned(),
        title: format!("vulnerability {n}"),
        severity,
        path: Some("package-lock.json".to_owned()),
        line: Some(u64::from(n)),
        package: Some(PackageRef {
            ecosystem: "npm".to_owned(),
            name: "lodash".to_owned(),
            version: Some("4.17.20".to_owned()),
        }),
        ids: vec![format!("CVE-2021-{:04}", 23000 + n)],
        detail: FindingDetail {
            message: Some("Prototype pollution — ünïcode".to_owned()),
            help_uri: None,
            tags: vec!["security".to_owned()],
        },
        local_suppression: None,
    }
}

fn secret(n: u32) -> IncomingFinding {
    IncomingFinding {
        scope: SECRETS.to_owned(),
        fingerprint: fp(1000 + n),
        fingerprint_origin: FingerprintOrigin::Rampart,
        kind: IncomingKind::Secret,
        rule_id: "aws-access-key".to_owned(),
        title: "AWS access key".to_owned(),
        severity: Severity::High,
        path: Some(".env".to_owned()),
        line: Some(3),
        package: None,
        ids: vec![],
        detail: FindingDetail::default(),
        local_suppression: None,
    }
}

fn component(scope: &str, name: &str, version: Option<&str>) -> IncomingComponent {
    IncomingComponent {
        scope: scope.to_owned(),
        ecosystem: "npm".to_owned(),
        name: name.to_owned(),
        version: version.map(str::to_owned),
        purl: version.map(|v| format!("pkg:npm/{name}@{v}")),
        path: "package-lock.json".to_owned(),
    }
}

fn upload(
    scopes: &[(&str, bool)],
    findings: Vec<IncomingFinding>,
    components: Vec<IncomingComponent>,
    digest: &str,
) -> IncomingUpload {
    IncomingUpload {
        format: UploadFormat::Scan,
        scopes: scopes
            .iter()
            .map(|(scope, complete)| UploadScope {
                scope: (*scope).to_owned(),
                complete: *complete,
            })
            .collect(),
        findings,
        components,
        tool: Some("rampart 0.1.0".to_owned()),
        commit: Some("0123abcd".to_owned()),
        run: None,
        digest: digest.to_owned(),
        skipped: 2,
    }
}

async fn record(
    store: &dyn Store,
    service: &str,
    incoming: IncomingUpload,
    at: Timestamp,
) -> UploadOutcome {
    try_record(store, service, incoming, at)
        .await
        .unwrap_or_else(|e| panic!("record_upload: {e}"))
}

async fn try_record(
    store: &dyn Store,
    service: &str,
    incoming: IncomingUpload,
    at: Timestamp,
) -> Result<UploadOutcome, StoreError> {
    store
        .record_upload(UploadRequest {
            service: service_name(service),
            upload: incoming,
            sla: SlaPolicy::default(),
            by: "ci-bot".to_owned(),
            at,
            audit: AuditDraft::new(
                at,
                actor("ci-bot"),
                "inventory.upload",
                Target::new("service", service),
                json!({ "service": service }),
            ),
        })
        .await
}

fn all() -> FindingFilter {
    FindingFilter {
        limit: 1000,
        ..FindingFilter::default()
    }
}

async fn listed(store: &dyn Store, now: Timestamp) -> Vec<FindingRow> {
    store.findings(&all(), now).await.expect("findings")
}

async fn by_fp(store: &dyn Store, n: u32, now: Timestamp) -> FindingRow {
    listed(store, now)
        .await
        .into_iter()
        .find(|f| f.fingerprint == fp(n))
        .unwrap_or_else(|| panic!("finding {n} is stored"))
}

async fn actions(store: &dyn Store, id: i64) -> Vec<String> {
    let (_, events) = store.finding(id).await.expect("finding").expect("exists");
    events.into_iter().map(|e| e.action).collect()
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

pub async fn findings_upload_records_open_findings_due_by_sla(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    let before = audit_len(&*store).await;
    let outcome = record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![
                vuln(DEPS, 1, Severity::Critical),
                vuln(DEPS, 2, Severity::Info),
            ],
            vec![component(DEPS, "lodash", Some("4.17.20"))],
            "d1",
        ),
        t(0),
    )
    .await;
    assert!(!outcome.duplicate);
    let tally = outcome.upload.tally;
    assert_eq!((tally.new, tally.seen_again, tally.fixed), (2, 0, 0));
    assert_eq!(
        (tally.components_added, tally.components, tally.skipped),
        (1, 1, 2)
    );
    assert_eq!(outcome.upload.uploaded_by, "ci-bot");
    assert_eq!(
        store.uploads(&service_name("checkout"), 10).await.unwrap(),
        vec![outcome.upload.clone()]
    );
    assert_eq!(audit_len(&*store).await, before + 1);
    let event = last_event(&*store).await;
    assert_eq!(event.action(), "inventory.upload");
    assert_eq!(event.payload()["counts"]["new"], json!(2));
    assert_eq!(event.payload()["service"], json!("checkout"));

    let critical = by_fp(&*store, 1, t(0)).await;
    let expected = vuln(DEPS, 1, Severity::Critical);
    assert_eq!(critical.state, FindingState::Open);
    assert_eq!(critical.service, service_name("checkout"));
    assert_eq!(critical.team, Some(TeamName::parse("payments").unwrap()));
    assert_eq!(critical.tier, Some(Tier::new(1).unwrap()));
    assert_eq!(critical.due_at, Some(t(0) + days(7)));
    assert_eq!((critical.first_seen, critical.last_seen), (t(0), t(0)));
    assert_eq!(critical.detail, expected.detail);
    assert_eq!(critical.package, expected.package);
    assert_eq!(critical.line, Some(1));
    assert_eq!(critical.ids, vec!["CVE-2021-23001", "GHSA-35JH-R3H4-6JHM"]);
    assert_eq!(critical.last_upload_id, outcome.upload.id);
    assert_eq!(actions(&*store, critical.id).await, ["detected"]);
    let info = by_fp(&*store, 2, t(0)).await;
    assert_eq!(info.due_at, None, "no SLA for info");
    // Worst first.
    let ids: Vec<i64> = listed(&*store, t(0)).await.iter().map(|f| f.id).collect();
    assert_eq!(ids, [critical.id, info.id]);
}

pub async fn findings_duplicate_upload_writes_nothing(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    let body = || {
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![component(DEPS, "lodash", Some("4.17.20"))],
            "same",
        )
    };
    let first = record(&*store, "checkout", body(), t(0)).await;
    let audit = audit_len(&*store).await;
    let findings = listed(&*store, t(5)).await;
    let second = record(&*store, "checkout", body(), t(5)).await;
    assert!(second.duplicate);
    assert_eq!(second.upload, first.upload);
    assert_eq!(audit_len(&*store).await, audit);
    assert_eq!(listed(&*store, t(5)).await, findings, "last_seen untouched");
    assert_eq!(
        store
            .uploads(&service_name("checkout"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(actions(&*store, findings[0].id).await, ["detected"]);
}

pub async fn findings_upload_a_b_a_applies_again(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    let a = || {
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            "a",
        )
    };
    record(&*store, "checkout", a(), t(0)).await;
    let b = record(
        &*store,
        "checkout",
        upload(&[(DEPS, true)], vec![], vec![], "b"),
        t(1),
    )
    .await;
    assert_eq!(b.upload.tally.fixed, 1);
    let again = record(&*store, "checkout", a(), t(2)).await;
    assert!(!again.duplicate);
    assert_eq!(again.upload.tally.reopened, 1);
    let uploads = store.uploads(&service_name("checkout"), 10).await.unwrap();
    assert_eq!(uploads.len(), 3);
    assert_eq!(uploads[0].id, again.upload.id, "newest first");
    assert_eq!(
        store
            .uploads(&service_name("checkout"), 1)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn findings_complete_scope_fixes_missing(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High), vuln(DEPS, 2, Severity::Low)],
            vec![],
            "1",
        ),
        t(0),
    )
    .await;
    let outcome = record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 2, Severity::Low)],
            vec![],
            "2",
        ),
        t(10),
    )
    .await;
    let tally = outcome.upload.tally;
    assert_eq!((tally.new, tally.seen_again, tally.fixed), (0, 1, 1));
    let gone = by_fp(&*store, 1, t(10)).await;
    assert_eq!(gone.state, FindingState::Fixed);
    assert_eq!(gone.fixed_at, Some(t(10)));
    assert_eq!(gone.last_seen, t(0));
    assert_eq!(actions(&*store, gone.id).await, ["detected", "fixed"]);
    let kept = by_fp(&*store, 2, t(10)).await;
    assert_eq!(kept.state, FindingState::Open);
    assert_eq!((kept.first_seen, kept.last_seen), (t(0), t(10)));
    assert_eq!(kept.last_upload_id, outcome.upload.id);
}

pub async fn findings_partial_scope_never_fixes(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![component(DEPS, "lodash", Some("4.17.20"))],
            "1",
        ),
        t(0),
    )
    .await;
    let outcome = record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, false)],
            vec![vuln(DEPS, 2, Severity::High)],
            vec![component(DEPS, "react", Some("18.2.0"))],
            "2",
        ),
        t(1),
    )
    .await;
    let tally = outcome.upload.tally;
    assert_eq!(
        (tally.new, tally.fixed, tally.components_removed),
        (1, 0, 0)
    );
    assert_eq!(tally.components, 2);
    assert_eq!(by_fp(&*store, 1, t(1)).await.state, FindingState::Open);
    let hits = store
        .package_hits("npm", "lodash", &|_| true)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "a partial upload drops no component");
}

pub async fn findings_fixed_reopens(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    let with = |d: &str| {
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            d,
        )
    };
    record(&*store, "checkout", with("1"), t(0)).await;
    record(
        &*store,
        "checkout",
        upload(&[(DEPS, true)], vec![], vec![], "2"),
        t(1),
    )
    .await;
    let outcome = record(&*store, "checkout", with("3"), t(100)).await;
    assert_eq!(outcome.upload.tally.reopened, 1);
    let row = by_fp(&*store, 1, t(100)).await;
    assert_eq!(row.state, FindingState::Open);
    assert_eq!(row.reopened_at, Some(t(100)));
    assert_eq!(row.reopen_count, 1);
    assert_eq!(row.fixed_at, Some(t(1)), "kept for history");
    assert_eq!(row.first_seen, t(0));
    assert_eq!(row.due_at, Some(t(100) + days(30)));
    assert_eq!(
        actions(&*store, row.id).await,
        ["detected", "fixed", "reopened"]
    );
}

pub async fn findings_scopes_are_independent(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    record(
        &*store,
        "checkout",
        upload(&[(SECRETS, true)], vec![secret(1)], vec![], "s"),
        t(0),
    )
    .await;
    let outcome = record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            "d",
        ),
        t(1),
    )
    .await;
    assert_eq!(outcome.upload.tally.fixed, 0);
    assert_eq!(by_fp(&*store, 1001, t(1)).await.state, FindingState::Open);
    // The same fingerprint in two scopes is two findings.
    let mut twice = vuln(SECRETS, 1, Severity::High);
    twice.kind = IncomingKind::Secret;
    record(
        &*store,
        "checkout",
        upload(&[(SECRETS, false)], vec![twice], vec![], "s2"),
        t(2),
    )
    .await;
    let same: Vec<FindingRow> = listed(&*store, t(2))
        .await
        .into_iter()
        .filter(|f| f.fingerprint == fp(1))
        .collect();
    assert_eq!(same.len(), 2);
}

pub async fn findings_components_diff(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![],
            vec![
                component(DEPS, "lodash", Some("4.17.20")),
                component(DEPS, "react", Some("18.2.0")),
                component(DEPS, "react", Some("18.2.0")),
                component(DEPS, "left-pad", None),
            ],
            "1",
        ),
        t(0),
    )
    .await;
    let outcome = record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![],
            vec![
                component(DEPS, "lodash", Some("4.17.21")),
                component(DEPS, "react", Some("18.2.0")),
            ],
            "2",
        ),
        t(1),
    )
    .await;
    let tally = outcome.upload.tally;
    assert_eq!(
        (
            tally.components_added,
            tally.components_removed,
            tally.components
        ),
        (1, 2, 2)
    );
    let lodash = store
        .package_hits("npm", "lodash", &|_| true)
        .await
        .unwrap();
    assert_eq!(lodash.len(), 1);
    assert_eq!(lodash[0].version.as_deref(), Some("4.17.21"));
    assert!(
        store
            .package_hits("npm", "left-pad", &|_| true)
            .await
            .unwrap()
            .is_empty()
    );
    let react = store.package_hits("npm", "react", &|_| true).await.unwrap();
    assert_eq!(react.len(), 1, "kept, not rewritten");
    assert_eq!(react[0].purl.as_deref(), Some("pkg:npm/react@18.2.0"));
}

async fn triage(
    store: &dyn Store,
    id: i64,
    input: TriageInput,
    by: &str,
    at: Timestamp,
) -> Result<FindingRow, rampart_inventory::TriageError> {
    let by = by.to_owned();
    let outcome = store
        .triage_finding(
            id,
            Box::new(move |row: &FindingRow| {
                let change = rampart_inventory::triage(row.effective_state(at), &input, at, 365)
                    .map_err(|e| Box::new(e) as crate::DecisionError)?;
                Ok(TriageUpdate {
                    change,
                    by: by.clone(),
                    at,
                    audit: AuditDraft::new(
                        at,
                        actor(&by),
                        "finding.triage",
                        Target::new("finding", id.to_string()),
                        json!({}),
                    ),
                })
            }),
        )
        .await
        .expect("triage_finding");
    outcome.map_err(|refusal| {
        *refusal
            .downcast::<rampart_inventory::TriageError>()
            .expect("a triage error")
    })
}

pub async fn findings_triage_accepted_risk_and_expiry(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High), vuln(DEPS, 2, Severity::Low)],
            vec![],
            "1",
        ),
        t(0),
    )
    .await;
    let id = by_fp(&*store, 1, t(0)).await.id;
    let audit = audit_len(&*store).await;
    let refused = triage(
        &*store,
        id,
        TriageInput {
            state: FindingState::AcceptedRisk,
            reason: None,
            expires_at: Some(t(60)),
        },
        "sam",
        t(1),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.field(), "reason");
    assert_eq!(audit_len(&*store).await, audit, "a refusal writes nothing");

    let row = triage(
        &*store,
        id,
        TriageInput {
            state: FindingState::AcceptedRisk,
            reason: Some("vendor patch next sprint".to_owned()),
            expires_at: Some(t(60)),
        },
        "sam",
        t(1),
    )
    .await
    .unwrap();
    assert_eq!(row.state, FindingState::AcceptedRisk);
    assert_eq!(
        row.state_reason.as_deref(),
        Some("vendor patch next sprint")
    );
    assert_eq!(row.state_by.as_deref(), Some("sam"));
    assert_eq!(
        (row.state_at, row.risk_expires_at),
        (Some(t(1)), Some(t(60)))
    );
    assert_eq!(audit_len(&*store).await, audit + 1);
    assert_eq!(last_event(&*store).await.action(), "finding.triage");
    assert_eq!(row.effective_state(t(59)), FindingState::AcceptedRisk);
    assert_eq!(row.effective_state(t(60)), FindingState::Open);

    let accepted = FindingFilter {
        state: Some(FindingState::AcceptedRisk),
        ..all()
    };
    let open = FindingFilter {
        state: Some(FindingState::Open),
        ..all()
    };
    assert_eq!(store.findings(&accepted, t(59)).await.unwrap().len(), 1);
    assert_eq!(store.findings(&open, t(59)).await.unwrap().len(), 1);
    assert!(store.findings(&accepted, t(60)).await.unwrap().is_empty());
    assert_eq!(store.findings(&open, t(60)).await.unwrap().len(), 2);

    let sweep = |at: Timestamp| {
        AuditDraft::new(
            at,
            rampart_audit::Actor::System {
                component: "sweeper".to_owned(),
            },
            "finding.risk_expired",
            Target::new("findings", "expired"),
            json!({}),
        )
    };
    let audit = audit_len(&*store).await;
    assert!(
        store
            .expire_accepted_risks(t(59), sweep(t(59)))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        audit_len(&*store).await,
        audit,
        "nothing lapsed, nothing written"
    );
    assert_eq!(
        store
            .expire_accepted_risks(t(61), sweep(t(61)))
            .await
            .unwrap(),
        vec![id]
    );
    assert_eq!(audit_len(&*store).await, audit + 1);
    assert_eq!(last_event(&*store).await.payload()["findings"], json!([id]));

    let (row, events) = store.finding(id).await.unwrap().unwrap();
    assert_eq!(row.state, FindingState::Open);
    assert_eq!(row.risk_expires_at, None);
    let last = events.last().unwrap();
    assert_eq!(
        (last.seq, last.action.as_str(), last.actor.as_str()),
        (3, "risk_expired", "rampart")
    );
    assert_eq!(last.expires_at, Some(t(60)));
    let triaged = &events[1];
    assert_eq!(triaged.action, "triaged");
    assert_eq!(triaged.from_state, Some(FindingState::Open));
    assert_eq!(triaged.to_state, Some(FindingState::AcceptedRisk));
    assert_eq!(triaged.reason.as_deref(), Some("vendor patch next sprint"));
    assert_eq!(triaged.upload_id, None);
    assert_eq!(events[0].upload_id, Some(row.last_upload_id));

    // A sighting keeps a triage decision.
    let fp_row = triage(
        &*store,
        id,
        TriageInput {
            state: FindingState::FalsePositive,
            reason: Some("test fixture".to_owned()),
            expires_at: None,
        },
        "sam",
        t(62),
    )
    .await
    .unwrap();
    assert_eq!(fp_row.state, FindingState::FalsePositive);
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            "2",
        ),
        t(63),
    )
    .await;
    let row = by_fp(&*store, 1, t(63)).await;
    assert_eq!(row.state, FindingState::FalsePositive);
    assert_eq!(row.last_seen, t(63));
}

pub async fn findings_triage_unknown_finding_not_found(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    let result = store
        .triage_finding(
            4242,
            Box::new(
                |_: &FindingRow| -> Result<TriageUpdate, crate::DecisionError> {
                    panic!("not called")
                },
            ),
        )
        .await;
    assert_err!(result, StoreError::NotFound { .. });
    assert!(store.finding(4242).await.unwrap().is_none());
}

pub async fn findings_events_are_append_only(h: &dyn Harness) {
    let (store, sql) = h.fresh().await;
    add_services(&*store, &["checkout"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            "1",
        ),
        t(0),
    )
    .await;
    let id = by_fp(&*store, 1, t(0)).await.id;
    let before = store.finding(id).await.unwrap().unwrap().1;
    for statement in [
        format!("UPDATE finding_events SET actor = 'mallory' WHERE finding_id = {id}"),
        format!("DELETE FROM finding_events WHERE finding_id = {id}"),
    ] {
        match sql.execute(&statement).await {
            Err(message) => assert!(message.contains("append-only"), "{statement}: {message}"),
            Ok(rows) => panic!("{statement} was allowed and changed {rows} rows"),
        }
    }
    assert_eq!(store.finding(id).await.unwrap().unwrap().1, before);
}

pub async fn findings_package_hits_call_keep_once_per_version(h: &dyn Harness) {
    let store = with_services(h, &["checkout", "search"]).await;
    for (service, version) in [("checkout", "4.17.20"), ("search", "4.17.21")] {
        record(
            &*store,
            service,
            upload(
                &[(DEPS, true), ("sbom:app", true)],
                vec![],
                vec![
                    component(DEPS, "lodash", Some(version)),
                    component("sbom:app", "lodash", Some("4.17.20")),
                    component(DEPS, "lodash", None),
                    component(DEPS, "react", Some("18.2.0")),
                ],
                "c",
            ),
            t(0),
        )
        .await;
    }
    let asked = Mutex::new(Vec::new());
    let keep = |version: &str| {
        asked.lock().unwrap().push(version.to_owned());
        version == "4.17.20"
    };
    let hits = store.package_hits("npm", "lodash", &keep).await.unwrap();
    let mut asked = asked.into_inner().unwrap();
    asked.sort();
    assert_eq!(asked, ["4.17.20", "4.17.21"], "once per distinct version");
    let summary: Vec<(&str, &str, Option<&str>)> = hits
        .iter()
        .map(|hit| {
            (
                hit.service.as_str(),
                hit.scope.as_str(),
                hit.version.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("checkout", DEPS, None),
            ("checkout", DEPS, Some("4.17.20")),
            ("checkout", "sbom:app", Some("4.17.20")),
            ("search", DEPS, None),
            ("search", "sbom:app", Some("4.17.20")),
        ]
    );
    let first = &hits[0];
    assert_eq!(first.team, Some(TeamName::parse("payments").unwrap()));
    assert_eq!(
        first.data_classification,
        Some(DataClassification::Restricted)
    );
    assert_eq!(first.path, "package-lock.json");
    assert!(
        store
            .package_hits("npm", "LODASH", &|_| true)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .package_hits("PyPI", "lodash", &|_| true)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn findings_advisory_hits_by_any_id(h: &dyn Harness) {
    let store = with_services(h, &["checkout", "search"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            "1",
        ),
        t(0),
    )
    .await;
    record(
        &*store,
        "checkout",
        upload(&[(DEPS, true)], vec![], vec![], "2"),
        t(1),
    )
    .await;
    let mut sarif = vuln("sarif:trivy", 2, Severity::Medium);
    sarif.kind = IncomingKind::Sarif;
    sarif.rule_id = "CVE-2021-23001".to_owned();
    sarif.ids = vec![];
    record(
        &*store,
        "search",
        upload(&[("sarif:trivy", true)], vec![sarif], vec![], "3"),
        t(2),
    )
    .await;
    let hits = store.advisory_hits("cve-2021-23001").await.unwrap();
    let found: Vec<(&str, FindingState)> = hits
        .iter()
        .map(|hit| (hit.finding.service.as_str(), hit.finding.state))
        .collect();
    assert_eq!(
        found,
        [
            ("checkout", FindingState::Fixed),
            ("search", FindingState::Open)
        ],
        "any state; the rule id counts as an id"
    );
    assert_eq!(
        hits[0].data_classification,
        Some(DataClassification::Restricted)
    );
    assert_eq!(
        store
            .advisory_hits("ghsa-35jh-r3h4-6jhm")
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .advisory_hits("CVE-2021-9999")
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn findings_secret_hits_across_services(h: &dyn Harness) {
    let store = with_services(h, &["checkout", "search", "billing"]).await;
    for service in ["checkout", "search"] {
        record(
            &*store,
            service,
            upload(&[(SECRETS, true)], vec![secret(1)], vec![], "s"),
            t(0),
        )
        .await;
    }
    record(
        &*store,
        "search",
        upload(&[(SECRETS, true)], vec![], vec![], "gone"),
        t(1),
    )
    .await;
    let hits = store.secret_hits(&fp(1001)).await.unwrap();
    let found: Vec<(&str, FindingState)> = hits
        .iter()
        .map(|hit| (hit.finding.service.as_str(), hit.finding.state))
        .collect();
    assert_eq!(
        found,
        [
            ("checkout", FindingState::Open),
            ("search", FindingState::Fixed)
        ]
    );
    assert!(store.secret_hits(&fp(1002)).await.unwrap().is_empty());
}

pub async fn findings_counts_use_effective_state(h: &dyn Harness) {
    let store = with_services(h, &["checkout", "search", "billing"]).await;
    record(
        &*store,
        "checkout",
        upload(
            &[(DEPS, true)],
            vec![
                vuln(DEPS, 1, Severity::Critical),
                vuln(DEPS, 2, Severity::Critical),
                vuln(DEPS, 3, Severity::Low),
                vuln(DEPS, 4, Severity::Medium),
            ],
            vec![],
            "1",
        ),
        t(0),
    )
    .await;
    let id2 = by_fp(&*store, 2, t(0)).await.id;
    let id4 = by_fp(&*store, 4, t(0)).await.id;
    triage(
        &*store,
        id2,
        TriageInput {
            state: FindingState::AcceptedRisk,
            reason: Some("later".to_owned()),
            expires_at: Some(t(0) + days(10)),
        },
        "sam",
        t(1),
    )
    .await
    .unwrap();
    triage(
        &*store,
        id4,
        TriageInput {
            state: FindingState::FalsePositive,
            reason: Some("not used".to_owned()),
            expires_at: None,
        },
        "sam",
        t(1),
    )
    .await
    .unwrap();
    record(
        &*store,
        "search",
        upload(&[(DEPS, true)], vec![], vec![], "2"),
        t(2),
    )
    .await;

    let open_of = |row: &crate::ServiceCountsRow, s: Severity| {
        row.open
            .iter()
            .find(|(sev, _)| *sev == s)
            .map(|(_, n)| *n)
            .unwrap()
    };
    let counts = store.finding_counts(t(3)).await.unwrap();
    let names: Vec<&str> = counts.iter().map(|c| c.service.as_str()).collect();
    assert_eq!(names, ["billing", "checkout", "search"]);
    let checkout = &counts[1];
    assert_eq!(open_of(checkout, Severity::Critical), 1);
    assert_eq!(open_of(checkout, Severity::Low), 1);
    assert_eq!((checkout.accepted_risk, checkout.false_positive), (1, 1));
    assert_eq!((checkout.overdue, checkout.fixed), (0, 0));
    assert_eq!(checkout.last_upload_at, Some(t(0)));
    assert_eq!(checkout.team, Some(TeamName::parse("payments").unwrap()));
    assert_eq!(counts[0].last_upload_at, None);
    assert_eq!(counts[2].last_upload_at, Some(t(2)));
    assert!(counts[0].open.iter().all(|(_, n)| *n == 0));

    // Eleven days on: the acceptance lapsed and both criticals are overdue.
    let later = t(0) + days(11);
    let counts = store.finding_counts(later).await.unwrap();
    let checkout = &counts[1];
    assert_eq!(open_of(checkout, Severity::Critical), 2);
    assert_eq!((checkout.accepted_risk, checkout.overdue), (0, 2));
    let overdue = FindingFilter {
        overdue_only: true,
        ..all()
    };
    let rows = store.findings(&overdue, later).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|row| row.overdue(later)));

    // Filters and keyset paging.
    let high_up = FindingFilter {
        min_severity: Some(Severity::Medium),
        ..all()
    };
    assert_eq!(store.findings(&high_up, later).await.unwrap().len(), 3);
    let page = FindingFilter { limit: 2, ..all() };
    let first = store.findings(&page, later).await.unwrap();
    assert_eq!(first.len(), 2);
    let last = first.last().unwrap();
    let next = FindingFilter {
        after: Some((last.severity.display_rank(), last.id)),
        ..page.clone()
    };
    let second = store.findings(&next, later).await.unwrap();
    let mut seen: Vec<i64> = first.iter().chain(&second).map(|f| f.id).collect();
    assert_eq!(seen.len(), 4);
    seen.dedup();
    assert_eq!(seen.len(), 4);
    let none = FindingFilter {
        services: Some(vec![]),
        ..all()
    };
    assert!(store.findings(&none, later).await.unwrap().is_empty());
    let search_only = FindingFilter {
        services: Some(vec![service_name("search")]),
        ..all()
    };
    assert!(
        store
            .findings(&search_only, later)
            .await
            .unwrap()
            .is_empty()
    );
    let secrets = FindingFilter {
        kind: Some(IncomingKind::Secret),
        ..all()
    };
    assert!(store.findings(&secrets, later).await.unwrap().is_empty());
}

pub async fn findings_unknown_service_not_found(h: &dyn Harness) {
    let store = with_services(h, &["checkout"]).await;
    let audit = audit_len(&*store).await;
    let result = try_record(
        &*store,
        "nope",
        upload(
            &[(DEPS, true)],
            vec![vuln(DEPS, 1, Severity::High)],
            vec![],
            "1",
        ),
        t(0),
    )
    .await;
    assert_err!(result, StoreError::NotFound { .. });
    assert_eq!(audit_len(&*store).await, audit);
    assert!(
        store
            .uploads(&service_name("nope"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
