//! The findings inventory over HTTP: uploads in three formats with their
//! limits and idempotency, the life of a finding (fixed, reopened,
//! triaged, lapsed), who sees what, and blast radius attached to an
//! incident's step 7.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::{Answer, Harness, expect};
use rampart_incident::GlobalRole;
use serde_json::{Value, json};

const LODASH_FP: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SECRET_FP: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn lodash_finding() -> Value {
    json!({"scope": "rampart:deps", "fingerprint": LODASH_FP, "fingerprint_origin": "rampart",
        "kind": "vulnerability", "rule_id": "GHSA-35jh-r3h4-6jhm", "title": "Command injection in lodash",
        "severity": "critical", "path": "package-lock.json",
        "package": {"ecosystem": "npm", "name": "lodash", "version": "4.17.20"},
        "ids": ["CVE-2021-23337", "GHSA-35JH-R3H4-6JHM"]})
}

fn secret_finding() -> Value {
    json!({"scope": "rampart:secrets", "fingerprint": SECRET_FP, "fingerprint_origin": "rampart",
        "kind": "secret", "rule_id": "aws-access-key-id", "title": "AWS access key ID",
        "severity": "high", "path": "deploy/env", "line": 3, "detail": {"message": "AKIA…"}})
}

fn upload(findings: Vec<Value>, lodash: &str, run: &str) -> Value {
    json!({
        "tool": "rampart test", "run": run,
        "scopes": [{"scope": "rampart:deps", "complete": true}, {"scope": "rampart:secrets", "complete": true}],
        "findings": findings,
        "components": [
            {"scope": "rampart:deps", "ecosystem": "npm", "name": "lodash", "version": lodash, "path": "package-lock.json"},
            {"scope": "rampart:deps", "ecosystem": "npm", "name": "left-pad", "path": "package.json"}
        ]
    })
}

/// sam (security), eve in team payments owning checkout, ivy in team
/// platform owning ledger, vic a viewer, cora commanding an incident.
async fn harness() -> Harness {
    let mut h = Harness::new().await;
    for (name, role) in [
        ("sam", GlobalRole::Security),
        ("eve", GlobalRole::Engineer),
        ("ivy", GlobalRole::Engineer),
        ("vic", GlobalRole::Viewer),
        ("cora", GlobalRole::Engineer),
    ] {
        h.user(name, role).await;
    }
    for (team, member, service, tier) in [
        ("payments", "eve", "checkout", 1),
        ("platform", "ivy", "ledger", 3),
    ] {
        expect(
            &h.post(
                "sam",
                "/api/v1/teams",
                json!({"name": team, "members": [member]}),
            )
            .await,
            201,
        );
        expect(
            &h.post(
                "sam",
                "/api/v1/services",
                json!({"name": service, "owner": team, "tier": tier}),
            )
            .await,
            201,
        );
    }
    h
}

async fn raw_post(
    h: &Harness,
    user: &str,
    path: &str,
    body: Vec<u8>,
    length: Option<u64>,
) -> Answer {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", h.token(user)))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(length) = length {
        request = request.header(header::CONTENT_LENGTH, length);
    }
    h.send(request.body(Body::from(body)).unwrap()).await
}

#[tokio::test]
async fn an_upload_twice_is_recorded_once_and_a_later_one_fixes_and_reopens() {
    let h = harness().await;
    let path = "/api/v1/services/checkout/uploads/scan";
    let first = h
        .post(
            "eve",
            path,
            upload(vec![lodash_finding(), secret_finding()], "4.17.20", "1"),
        )
        .await;
    expect(&first, 201);
    assert_eq!(first.body["counts"]["new"], 2);
    assert_eq!(first.body["counts"]["components"], 2);
    assert_eq!(first.body["duplicate"], false);

    // A retried request: the same receipt, nothing written.
    let audit_before = h.get("sam", "/api/v1/audit/head").await.body["length"].clone();
    let again = h
        .post(
            "eve",
            path,
            upload(vec![lodash_finding(), secret_finding()], "4.17.20", "1"),
        )
        .await;
    expect(&again, 200);
    assert_eq!(again.body["duplicate"], true);
    assert_eq!(again.body["upload_id"], first.body["upload_id"]);
    assert_eq!(
        h.get("sam", "/api/v1/audit/head").await.body["length"],
        audit_before
    );

    // The next run no longer reports the secret: fixed.
    let second = h
        .post("eve", path, upload(vec![lodash_finding()], "4.17.20", "2"))
        .await;
    expect(&second, 201);
    assert_eq!(second.body["counts"]["fixed"], 1);
    assert_eq!(second.body["counts"]["seen_again"], 1);
    let secrets = h.get("eve", "/api/v1/findings?kind=secret").await;
    assert_eq!(secrets.body["findings"][0]["state"], "fixed");

    // It comes back: reopened, with its history.
    let third = h
        .post(
            "eve",
            path,
            upload(vec![lodash_finding(), secret_finding()], "4.17.20", "3"),
        )
        .await;
    expect(&third, 201);
    assert_eq!(third.body["counts"]["reopened"], 1);
    let id = secrets.body["findings"][0]["id"].as_i64().unwrap();
    let detail = h.get("eve", &format!("/api/v1/findings/{id}")).await;
    expect(&detail, 200);
    assert_eq!(detail.body["finding"]["state"], "open");
    let actions: Vec<&str> = detail.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["detected", "fixed", "reopened"]);

    // A partial scan never fixes anything.
    let partial = json!({
        "scopes": [{"scope": "rampart:deps", "complete": false}],
        "findings": [], "components": []
    });
    let answer = h.post("eve", path, partial).await;
    expect(&answer, 201);
    assert_eq!(answer.body["counts"]["fixed"], 0);

    let uploads = h.get("eve", "/api/v1/services/checkout/uploads").await;
    expect(&uploads, 200);
    assert_eq!(uploads.body["uploads"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn bad_uploads_are_refused_with_the_field_named_and_nothing_kept() {
    let mut config = rampart_server::ServerConfig::default();
    config.inventory.max_upload_bytes = 4096;
    let mut h = Harness::with_config(config).await;
    h.user("sam", GlobalRole::Security).await;
    expect(
        &h.post("sam", "/api/v1/services", json!({"name": "checkout"}))
            .await,
        201,
    );
    let path = "/api/v1/services/checkout/uploads/scan";

    // A secret's value has no field to travel in.
    let mut leaky = secret_finding();
    leaky["secret"] = json!("AKIAIOSFODNN7EXAMPLE");
    let answer = h
        .post("sam", path, upload(vec![leaky], "4.17.20", "1"))
        .await;
    expect(&answer, 422);
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("secret")
    );

    let mut bad = lodash_finding();
    bad["fingerprint"] = json!("not-a-fingerprint");
    expect(
        &h.post("sam", path, upload(vec![bad], "4.17.20", "1")).await,
        422,
    );

    let stray = json!({"scopes": [{"scope": "rampart:deps", "complete": true}],
        "findings": [secret_finding()]});
    let answer = h.post("sam", path, stray).await;
    expect(&answer, 422);
    assert_eq!(answer.body["error"]["field"], "findings[0].scope");

    // Too large, by its declared length and as it streams.
    let big = vec![b' '; 8192];
    expect(
        &raw_post(&h, "sam", path, big.clone(), Some(8192)).await,
        413,
    );
    expect(&raw_post(&h, "sam", path, big, None).await, 413);

    let sarif_path = "/api/v1/services/checkout/uploads/sarif";
    let old = br#"{"version": "2.0.0", "runs": []}"#.to_vec();
    let answer = raw_post(&h, "sam", sarif_path, old, None).await;
    expect(&answer, 422);
    assert_eq!(answer.body["error"]["field"], "version");
    expect(
        &raw_post(&h, "sam", sarif_path, b"{\"version\":".to_vec(), None).await,
        400,
    );

    let sbom_path = "/api/v1/services/checkout/uploads/sbom";
    let xml = b"<?xml version=\"1.0\"?><bom/>".to_vec();
    expect(&raw_post(&h, "sam", sbom_path, xml, None).await, 422);

    expect(
        &h.post(
            "sam",
            "/api/v1/services/nope/uploads/scan",
            upload(vec![], "1", "1"),
        )
        .await,
        404,
    );
    let summary = h.get("sam", "/api/v1/findings/summary").await;
    assert_eq!(summary.body["open"]["high"], 0);
    let uploads = h.get("sam", "/api/v1/services/checkout/uploads").await;
    assert_eq!(uploads.body["uploads"], json!([]));
}

#[tokio::test]
async fn sarif_and_sbom_uploads_land_in_their_own_scopes() {
    let h = harness().await;
    let Some(fixtures) = rampart_fixtures::sub("interop") else {
        return;
    };
    let sarif = std::fs::read(fixtures.join("sarif/trivy-alpine-310.sarif")).unwrap();
    let answer = raw_post(
        &h,
        "sam",
        "/api/v1/services/ledger/uploads/sarif?run=7",
        sarif.clone(),
        None,
    )
    .await;
    expect(&answer, 201);
    assert_eq!(
        answer.body["scopes"],
        json!([{"scope": "sarif:trivy", "complete": true}])
    );
    assert_eq!(answer.body["counts"]["new"], 4);
    let again = raw_post(
        &h,
        "sam",
        "/api/v1/services/ledger/uploads/sarif?run=7",
        sarif,
        None,
    )
    .await;
    expect(&again, 200);

    let sbom = std::fs::read(fixtures.join("sbom/cdx-1.7-trivy-npm-with-vulns.cdx.json")).unwrap();
    let answer = raw_post(
        &h,
        "sam",
        "/api/v1/services/ledger/uploads/sbom?name=web",
        sbom,
        None,
    )
    .await;
    expect(&answer, 201);
    assert_eq!(
        answer.body["scopes"],
        json!([{"scope": "sbom:web", "complete": true}])
    );
    assert_eq!(answer.body["counts"]["components"], 12);

    // The SARIF finding answers "where is CVE-2019-1549", the SBOM "where is jquery".
    let advisory = h
        .get("sam", "/api/v1/where/advisory?id=cve-2019-1549")
        .await;
    expect(&advisory, 200);
    assert_eq!(advisory.body["services"][0]["service"], "ledger");
    let jquery = h
        .get(
            "sam",
            "/api/v1/where/package?ecosystem=npm&name=jquery&range=%3C3.4.0",
        )
        .await;
    expect(&jquery, 200);
    assert_eq!(jquery.body["services"][0]["service"], "ledger");
    assert_eq!(jquery.body["services"][0]["matches"][0]["version"], "3.3.9");
    let newer = h
        .get(
            "sam",
            "/api/v1/where/package?purl=pkg:npm/jquery&range=%3E%3D3.4.0",
        )
        .await;
    assert_eq!(newer.body["services"], json!([]));
}

#[tokio::test]
async fn engineers_see_their_teams_findings_and_viewers_only_counts() {
    let h = harness().await;
    for (service, lodash) in [("checkout", "4.17.20"), ("ledger", "4.17.15")] {
        let body = upload(vec![lodash_finding(), secret_finding()], lodash, "1");
        expect(
            &h.post(
                "sam",
                &format!("/api/v1/services/{service}/uploads/scan"),
                body,
            )
            .await,
            201,
        );
    }
    let services_seen = |answer: &Answer| -> Vec<String> {
        let mut names: Vec<String> = answer.body["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["service"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    };
    assert_eq!(
        services_seen(&h.get("sam", "/api/v1/findings").await),
        ["checkout", "ledger"]
    );
    assert_eq!(
        services_seen(&h.get("eve", "/api/v1/findings").await),
        ["checkout"]
    );
    assert!(services_seen(&h.get("cora", "/api/v1/findings").await).is_empty());
    expect(&h.get("vic", "/api/v1/findings").await, 403);

    // Filters narrow the view; they never widen it.
    assert!(services_seen(&h.get("eve", "/api/v1/findings?service=ledger").await).is_empty());

    let lodash = h
        .get(
            "eve",
            "/api/v1/where/package?ecosystem=npm&name=lodash&range=%3C4.17.21",
        )
        .await;
    expect(&lodash, 200);
    assert_eq!(lodash.body["services"].as_array().unwrap().len(), 1);
    assert_eq!(lodash.body["hidden_services"], 1);
    // left-pad has no resolved version: undetermined against any range.
    let left_pad = h
        .get(
            "sam",
            "/api/v1/where/package?ecosystem=npm&name=left-pad&range=%3C2",
        )
        .await;
    assert_eq!(left_pad.body["services"], json!([]));
    assert_eq!(left_pad.body["undetermined"].as_array().unwrap().len(), 2);

    let secret = h
        .get(
            "sam",
            &format!("/api/v1/where/secret?fingerprint={SECRET_FP}"),
        )
        .await;
    let names: Vec<&str> = secret.body["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    // Tier 1 first.
    assert_eq!(names, ["checkout", "ledger"]);
    let hash_form = h
        .get(
            "sam",
            &format!("/api/v1/where/secret?fingerprint=sha256:{}", "a".repeat(64)),
        )
        .await;
    expect(&hash_form, 422);

    // Viewers see the same counts as everyone, and nothing finding-level.
    let for_viewer = h.get("vic", "/api/v1/findings/summary").await;
    expect(&for_viewer, 200);
    assert_eq!(
        for_viewer.body,
        h.get("sam", "/api/v1/findings/summary").await.body
    );
    assert_eq!(for_viewer.body["open"]["critical"], 2);
    assert!(
        !for_viewer
            .raw
            .windows(LODASH_FP.len())
            .any(|w| w == LODASH_FP.as_bytes())
    );
    let team = h.get("vic", "/api/v1/findings/summary?team=platform").await;
    assert_eq!(team.body["services"].as_array().unwrap().len(), 1);

    // A finding outside your view is the same 404 as a missing one.
    let ledger = h.get("sam", "/api/v1/findings?service=ledger").await;
    let ledger_id = ledger.body["findings"][0]["id"].as_i64().unwrap();
    let hidden = h.get("eve", &format!("/api/v1/findings/{ledger_id}")).await;
    let missing = h.get("eve", "/api/v1/findings/999999").await;
    expect(&hidden, 404);
    assert_eq!(hidden.body, missing.body);
}

#[tokio::test]
async fn triage_needs_reasons_and_an_accepted_risk_lapses() {
    let h = harness().await;
    expect(
        &h.post(
            "eve",
            "/api/v1/services/checkout/uploads/scan",
            upload(vec![lodash_finding()], "4.17.20", "1"),
        )
        .await,
        201,
    );
    let list = h.get("eve", "/api/v1/findings").await;
    let finding = &list.body["findings"][0];
    let id = finding["id"].as_i64().unwrap();
    // Critical: due in 7 days by the default SLA.
    let first_seen: jiff::Timestamp = finding["first_seen"].as_str().unwrap().parse().unwrap();
    let due: jiff::Timestamp = finding["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due.duration_since(first_seen).as_hours(), 7 * 24);

    let path = format!("/api/v1/findings/{id}");
    let no_reason = h
        .patch("eve", &path, json!({"state": "accepted_risk"}))
        .await;
    expect(&no_reason, 422);
    let too_far = h
        .patch(
            "eve",
            &path,
            json!({"state": "accepted_risk", "reason": "vendor fix due", "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    expect(&too_far, 422);
    assert_eq!(too_far.body["error"]["field"], "expires_at");

    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let accepted = h
        .patch(
            "eve",
            &path,
            json!({"state": "accepted_risk", "reason": "not reachable from input", "expires_at": soon.to_string()}),
        )
        .await;
    expect(&accepted, 200);
    assert_eq!(accepted.body["state"], "accepted_risk");

    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    // Read as open from the expiry on, before any sweep…
    let lapsed = h.get("eve", &path).await;
    assert_eq!(lapsed.body["finding"]["state"], "open");
    // …and the sweep writes it down, once.
    let state = rampart_server::AppState::new(
        rampart_server::ServerConfig::default(),
        h.store.clone() as std::sync::Arc<dyn rampart_store::Store>,
        rampart_evidence::EvidenceStore::open(
            &rampart_evidence::EvidenceStoreConfig::Local {
                dir: h.dir.path().join("evidence"),
            },
            &h.dir.path().join("evidence-staging"),
        )
        .unwrap(),
    );
    let swept = rampart_server::sweep_expired_acceptances(&state)
        .await
        .unwrap();
    assert_eq!(swept, [id]);
    assert!(
        rampart_server::sweep_expired_acceptances(&state)
            .await
            .unwrap()
            .is_empty()
    );
    let events = h.get("eve", &path).await.body["events"].clone();
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["detected", "triaged", "risk_expired"]);

    let false_positive = h
        .patch(
            "eve",
            &path,
            json!({"state": "false_positive", "reason": "test fixture"}),
        )
        .await;
    expect(&false_positive, 200);
    expect(&h.patch("vic", &path, json!({"state": "open"})).await, 403);
}

#[tokio::test]
async fn a_blast_radius_answer_is_kept_in_step_7_as_of_when_it_was_asked() {
    let h = harness().await;
    for service in ["checkout", "ledger"] {
        expect(
            &h.post(
                "sam",
                &format!("/api/v1/services/{service}/uploads/scan"),
                upload(vec![lodash_finding()], "4.17.20", "1"),
            )
            .await,
            201,
        );
    }
    let id = h.declare("cora", "Poisoned lodash").await;
    let question =
        json!({"package": {"ecosystem": "npm", "name": "lodash", "range": ">=4.0.0, <4.17.21"}});
    let path = format!("/api/v1/incidents/{id}/blast-radius");
    // Non-members learn nothing, not even that the incident exists.
    let outsider = h.post("eve", &path, question.clone()).await;
    let missing = h
        .post(
            "eve",
            "/api/v1/incidents/SEC-2026-9999/blast-radius",
            question.clone(),
        )
        .await;
    expect(&outsider, 404);
    assert_eq!(outsider.body, missing.body);

    // cora is in neither team, yet the incident's answer covers everything.
    let attached = h.post("cora", &path, question).await;
    expect(&attached, 201);
    let record = &attached.body["record"];
    assert_eq!(record["record"]["kind"], "blast_radius");
    assert_eq!(record["step"], 7);
    let services = record["record"]["record"]["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);

    // Later uploads do not change what was attached.
    expect(
        &h.post(
            "sam",
            "/api/v1/services/ledger/uploads/scan",
            upload(vec![], "4.17.21", "2"),
        )
        .await,
        201,
    );
    let records = h
        .get("cora", &format!("/api/v1/incidents/{id}/records?step=7"))
        .await;
    let kept = &records.body["records"][0]["record"]["record"]["services"];
    assert_eq!(kept.as_array().unwrap().len(), 2);
    let now_answer = h
        .get(
            "sam",
            "/api/v1/where/package?ecosystem=npm&name=lodash&range=%3C4.17.21",
        )
        .await;
    assert_eq!(now_answer.body["services"].as_array().unwrap().len(), 1);
}
