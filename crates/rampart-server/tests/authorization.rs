//! The authorization matrix: every route of the OpenAPI document × every
//! kind of caller, with the exact status code expected. A route in the
//! document without a row here fails the test, so a new route cannot ship
//! without someone deciding who may call it.

mod common;

use std::collections::{BTreeMap, HashMap};

use axum::http::Method;
use common::{Harness, PASSWORD, expect};
use rampart_incident::GlobalRole;
use serde_json::{Value, json};

/// The callers, in the order of the status columns below.
const CASES: [(&str, Option<&str>); 10] = [
    ("anonymous", None),
    ("admin, non-member", Some("ada")),
    ("security, non-member", Some("sam")),
    ("engineer, non-member", Some("eve")),
    ("viewer, non-member", Some("vic")),
    ("commander", Some("cora")),
    ("deputy", Some("dan")),
    ("observer", Some("obi")),
    ("legal", Some("lee")),
    ("break-glass holder", Some("bree")),
];

/// `METHOD path` → the status for each case, in the order of [`CASES`]:
/// anon admin security engineer viewer | commander deputy observer legal break-glass.
const MATRIX: &[(&str, &str)] = &[
    (
        "GET /api/v1/health",
        "200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/session",
        "200 200 200 200 200 200 200 200 200 200",
    ),
    (
        "DELETE /api/v1/session",
        "401 204 204 204 204 204 204 204 204 204",
    ),
    ("GET /api/v1/me", "401 200 200 200 200 200 200 200 200 200"),
    (
        "GET /api/v1/users",
        "401 200 403 403 403 403 403 403 403 403",
    ),
    (
        "POST /api/v1/users",
        "401 201 403 403 403 403 403 403 403 403",
    ),
    (
        "PATCH /api/v1/users/{name}",
        "401 200 403 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/tokens",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/tokens",
        "401 201 201 201 201 201 201 201 201 201",
    ),
    (
        "DELETE /api/v1/tokens/{id}",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/incidents",
        "401 201 201 201 403 201 201 201 201 201",
    ),
    (
        "GET /api/v1/incidents/{id}",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "PATCH /api/v1/incidents/{id}",
        "401 404 404 404 404 200 200 403 403 403",
    ),
    (
        "GET /api/v1/incidents/{id}/steps",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "PATCH /api/v1/incidents/{id}/steps/{n}",
        "401 404 404 404 404 200 200 403 403 200",
    ),
    (
        "GET /api/v1/incidents/{id}/records",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "POST /api/v1/incidents/{id}/records",
        "401 404 404 404 404 201 201 403 403 201",
    ),
    (
        "PATCH /api/v1/incidents/{id}/records/{record_id}",
        "401 404 404 404 404 200 200 403 403 200",
    ),
    (
        "GET /api/v1/incidents/{id}/log",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents/{id}/members",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "POST /api/v1/incidents/{id}/members",
        "401 404 404 404 404 201 201 403 403 403",
    ),
    (
        "PATCH /api/v1/incidents/{id}/members/{user}",
        "401 404 404 404 404 200 200 403 403 403",
    ),
    (
        "DELETE /api/v1/incidents/{id}/members/{user}",
        "401 404 404 404 404 200 200 403 403 403",
    ),
    // Commander may close, but the template's steps are open: 409 naming them.
    (
        "POST /api/v1/incidents/{id}/close",
        "401 404 404 404 404 409 403 403 403 403",
    ),
    (
        "POST /api/v1/incidents/{id}/reopen",
        "401 404 404 404 404 409 403 403 403 403",
    ),
    (
        "POST /api/v1/incidents/{id}/access-requests",
        "401 202 202 202 202 202 202 202 202 202",
    ),
    (
        "GET /api/v1/incidents/{id}/access-requests",
        "401 404 404 404 404 200 200 403 403 403",
    ),
    (
        "POST /api/v1/incidents/{id}/access-requests/{request_id}/decision",
        "401 404 404 404 404 200 200 403 403 403",
    ),
    (
        "POST /api/v1/incidents/{id}/break-glass",
        "401 202 202 202 202 202 202 202 202 202",
    ),
    (
        "GET /api/v1/break-glass",
        "401 403 200 403 403 403 403 403 403 403",
    ),
    (
        "POST /api/v1/break-glass/{request_id}/decision",
        "401 403 200 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/notifications",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/notifications/{notification_id}/read",
        "401 404 404 404 404 204 404 404 404 404",
    ),
    (
        "GET /api/v1/incidents/{id}/evidence",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    // Handling the bytes is forensic work (step 10): not observers or legal.
    (
        "POST /api/v1/incidents/{id}/evidence",
        "401 404 404 404 404 201 201 403 403 201",
    ),
    (
        "POST /api/v1/incidents/{id}/evidence/external",
        "401 404 404 404 404 201 201 403 403 201",
    ),
    (
        "GET /api/v1/incidents/{id}/evidence/{record_id}",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents/{id}/evidence/{record_id}/content",
        "401 404 404 404 404 200 200 403 403 200",
    ),
    (
        "POST /api/v1/incidents/{id}/evidence/export",
        "401 404 404 404 404 200 200 403 403 200",
    ),
    // A customer notice is step 14: legal works on it, observers do not.
    (
        "POST /api/v1/incidents/{id}/communications",
        "401 404 404 404 404 201 201 403 201 201",
    ),
    (
        "PATCH /api/v1/incidents/{id}/communications/{record_id}",
        "401 404 404 404 404 200 200 403 200 200",
    ),
    // Only the commander and legal approve; deputies and break-glass
    // holders (who act as responders) do not.
    (
        "POST /api/v1/incidents/{id}/communications/{record_id}/approve",
        "401 404 404 404 404 200 403 403 200 403",
    ),
    // The insider sign-off is leadership's judgement.
    (
        "POST /api/v1/incidents/{id}/communications/{record_id}/signoff",
        "401 404 404 404 404 200 200 403 403 403",
    ),
    // An internal note (step 11), approved and signed off in the template.
    (
        "POST /api/v1/incidents/{id}/communications/{record_id}/sent",
        "401 404 404 404 404 200 200 403 403 200",
    ),
    (
        "GET /api/v1/incidents/{id}/indicators",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents/{id}/indicators/stix",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents/{id}/credentials",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents/{id}/report",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/incidents/{id}/veris",
        "401 404 404 404 404 200 200 200 200 200",
    ),
    (
        "GET /api/v1/services",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/services",
        "401 201 201 201 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/services/{name}",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "PATCH /api/v1/services/{name}",
        "401 200 200 200 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/teams",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/teams",
        "401 201 201 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/teams/{name}",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "PATCH /api/v1/teams/{name}",
        "401 200 200 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/systems",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "POST /api/v1/catalog/import",
        "401 200 200 403 403 403 403 403 403 403",
    ),
    (
        "POST /api/v1/services/{name}/uploads/scan",
        "401 201 201 201 403 403 403 403 403 403",
    ),
    (
        "POST /api/v1/services/{name}/uploads/sarif",
        "401 201 201 201 403 403 403 403 403 403",
    ),
    (
        "POST /api/v1/services/{name}/uploads/sbom",
        "401 201 201 201 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/services/{name}/uploads",
        "401 200 200 200 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/findings",
        "401 200 200 200 403 200 200 200 200 200",
    ),
    (
        "GET /api/v1/findings/summary",
        "401 200 200 200 200 200 200 200 200 200",
    ),
    (
        "GET /api/v1/findings/{finding_id}",
        "401 200 200 200 403 404 404 404 404 404",
    ),
    (
        "PATCH /api/v1/findings/{finding_id}",
        "401 200 200 200 403 404 404 404 404 404",
    ),
    (
        "GET /api/v1/where/package",
        "401 200 200 200 403 200 200 200 200 200",
    ),
    (
        "GET /api/v1/where/advisory",
        "401 200 200 200 403 200 200 200 200 200",
    ),
    (
        "GET /api/v1/where/secret",
        "401 200 200 200 403 200 200 200 200 200",
    ),
    (
        "POST /api/v1/incidents/{id}/blast-radius",
        "401 404 404 404 404 201 201 403 403 201",
    ),
    (
        "GET /api/v1/audit/head",
        "401 200 200 403 403 403 403 403 403 403",
    ),
    (
        "GET /api/v1/audit/verify",
        "401 200 200 403 403 403 403 403 403 403",
    ),
];

/// Ids in the template database that paths refer to.
struct Fixture {
    incident: String,
    record_id: i64,
    evidence_id: i64,
    /// A customer notice, not approved.
    external_draft: i64,
    /// An internal note approved by the commander and signed off.
    ready_draft: i64,
    /// An internal note nobody has signed off.
    fresh_draft: i64,
    access_request_id: i64,
    break_glass_id: i64,
    notification_id: i64,
    token_ids: HashMap<String, i64>,
    /// checkout's lodash finding.
    finding_id: i64,
}

/// The fingerprint of the AWS key planted in both services.
const SECRET_FINGERPRINT: &str = "0123456789abcdef0123456789abcdef";

/// A small scan upload: a lodash vulnerability, a secret and the
/// package list, in the `rampart:deps` and `rampart:secrets` scopes.
fn scan_upload(lodash: &str) -> Value {
    let fingerprint = format!("{:0>32}", lodash.replace('.', ""));
    json!({
        "tool": "rampart test",
        "scopes": [{"scope": "rampart:deps", "complete": true}, {"scope": "rampart:secrets", "complete": true}],
        "findings": [
            {"scope": "rampart:deps", "fingerprint": fingerprint, "fingerprint_origin": "rampart",
             "kind": "vulnerability", "rule_id": "GHSA-35jh-r3h4-6jhm", "title": "Command injection in lodash",
             "severity": "high", "path": "package-lock.json",
             "package": {"ecosystem": "npm", "name": "lodash", "version": lodash},
             "ids": ["CVE-2021-23337", "GHSA-35JH-R3H4-6JHM"]},
            {"scope": "rampart:secrets", "fingerprint": SECRET_FINGERPRINT, "fingerprint_origin": "rampart",
             "kind": "secret", "rule_id": "aws-access-key-id", "title": "AWS access key ID",
             "severity": "critical", "path": "deploy/env", "line": 3,
             "detail": {"message": "AKIA…"}}
        ],
        "components": [
            {"scope": "rampart:deps", "ecosystem": "npm", "name": "lodash", "version": lodash, "path": "package-lock.json"},
            {"scope": "rampart:deps", "ecosystem": "npm", "name": "express", "version": "4.18.2", "path": "package-lock.json"}
        ]
    })
}

const SARIF: &str = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy", "version": "0.58"}},
  "results": [{"ruleId": "CVE-2019-1549", "level": "error", "message": {"text": "openssl 1.1.1c"},
  "locations": [{"physicalLocation": {"artifactLocation": {"uri": "Dockerfile"}}}]}]}]}"#;

const SBOM: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "components": [{"type": "library", "name": "jquery", "version": "3.3.9", "purl": "pkg:npm/jquery@3.3.9"}]}"#;

/// Builds the template: users, an incident commanded by cora with a
/// deputy, an observer, a legal member, bree's approved break-glass, a
/// record, and eve's pending access and break-glass requests.
async fn template() -> (tempfile::TempDir, HashMap<String, String>, Fixture) {
    let mut h = Harness::new().await;
    for (name, role) in [
        ("ada", GlobalRole::Admin),
        ("sam", GlobalRole::Security),
        ("eve", GlobalRole::Engineer),
        ("vic", GlobalRole::Viewer),
        ("cora", GlobalRole::Engineer),
        ("dan", GlobalRole::Engineer),
        ("obi", GlobalRole::Engineer),
        ("lee", GlobalRole::Engineer),
        ("bree", GlobalRole::Engineer),
    ] {
        h.user(name, role).await;
    }
    // The catalog: eve's team owns the checkout service; ledger belongs
    // to a team none of the callers is in.
    expect(
        &h.post(
            "sam",
            "/api/v1/teams",
            json!({"name": "payments", "members": ["eve"]}),
        )
        .await,
        201,
    );
    expect(
        &h.post(
            "sam",
            "/api/v1/services",
            json!({"name": "checkout", "owner": "payments", "tier": 1}),
        )
        .await,
        201,
    );
    expect(
        &h.post("sam", "/api/v1/teams", json!({"name": "platform"}))
            .await,
        201,
    );
    expect(
        &h.post(
            "sam",
            "/api/v1/services",
            json!({"name": "ledger", "owner": "platform", "tier": 2}),
        )
        .await,
        201,
    );
    for (service, lodash) in [("checkout", "4.17.20"), ("ledger", "4.17.15")] {
        expect(
            &h.post(
                "sam",
                &format!("/api/v1/services/{service}/uploads/scan"),
                scan_upload(lodash),
            )
            .await,
            201,
        );
    }
    let findings = h
        .get(
            "sam",
            "/api/v1/findings?service=checkout&kind=vulnerability",
        )
        .await;
    let finding_id = findings.body["findings"][0]["id"].as_i64().unwrap();
    let id = h.declare("cora", "Crypto miner on build hosts").await;
    let incident = format!("/api/v1/incidents/{id}");
    for (user, role) in [("dan", "deputy"), ("obi", "observer"), ("lee", "legal")] {
        expect(
            &h.post(
                "cora",
                &format!("{incident}/members"),
                json!({"user": user, "role": role}),
            )
            .await,
            201,
        );
    }
    expect(
        &h.post(
            "bree",
            &format!("{incident}/break-glass"),
            json!({"reason": "commander unreachable"}),
        )
        .await,
        202,
    );
    let queue = h.get("sam", "/api/v1/break-glass").await;
    let bree_request = queue.body["requests"][0]["id"].as_i64().unwrap();
    expect(
        &h.post(
            "sam",
            &format!("/api/v1/break-glass/{bree_request}/decision"),
            json!({"approve": true}),
        )
        .await,
        200,
    );
    let record = h
        .post(
            "cora",
            &format!("{incident}/records"),
            containment("miner processes"),
        )
        .await;
    expect(&record, 201);
    expect(
        &h.post(
            "eve",
            &format!("{incident}/access-requests"),
            json!({"role": "responder", "reason": "I run the build hosts"}),
        )
        .await,
        202,
    );
    expect(
        &h.post(
            "eve",
            &format!("{incident}/break-glass"),
            json!({"reason": "miner spreading"}),
        )
        .await,
        202,
    );
    let evidence = h
        .upload(
            "cora",
            &format!("{incident}/evidence?name=ps-aux.txt"),
            b"root 4242 xmrig --donate-level 0",
        )
        .await;
    expect(&evidence, 201);
    let draft = |audience: &str, title: &str| json!({"audience": audience, "title": title, "body": "We are investigating."});
    let external = h
        .post(
            "cora",
            &format!("{incident}/communications"),
            draft("customers", "Security notice 2026-03-02"),
        )
        .await;
    expect(&external, 201);
    let ready = h
        .post(
            "cora",
            &format!("{incident}/communications"),
            draft("internal", "Build hosts offline"),
        )
        .await;
    expect(&ready, 201);
    let ready_draft = ready.body["record"]["id"].as_i64().unwrap();
    expect(
        &h.post(
            "cora",
            &format!("{incident}/communications/{ready_draft}/approve"),
            json!({}),
        )
        .await,
        200,
    );
    expect(
        &h.post(
            "cora",
            &format!("{incident}/communications/{ready_draft}/signoff"),
            json!({"rationale": "the miner came in through a leaked CI token"}),
        )
        .await,
        200,
    );
    let fresh = h
        .post(
            "cora",
            &format!("{incident}/communications"),
            draft("internal", "Heads up"),
        )
        .await;
    expect(&fresh, 201);
    let requests = h.get("cora", &format!("{incident}/access-requests")).await;
    let queue = h.get("sam", "/api/v1/break-glass").await;
    let notifications = h.get("cora", "/api/v1/notifications").await;
    let mut token_ids = HashMap::new();
    for (_, user) in CASES {
        if let Some(user) = user {
            let tokens = h.get(user, "/api/v1/tokens").await;
            token_ids.insert(
                user.to_owned(),
                tokens.body["tokens"][0]["id"].as_i64().unwrap(),
            );
        }
    }
    let fixture = Fixture {
        incident: id,
        record_id: record.body["record"]["id"].as_i64().unwrap(),
        evidence_id: evidence.body["evidence"]["id"].as_i64().unwrap(),
        external_draft: external.body["record"]["id"].as_i64().unwrap(),
        ready_draft,
        fresh_draft: fresh.body["record"]["id"].as_i64().unwrap(),
        access_request_id: requests.body["requests"][0]["id"].as_i64().unwrap(),
        break_glass_id: queue.body["requests"][0]["id"].as_i64().unwrap(),
        notification_id: notifications.body["notifications"][0]["id"]
            .as_i64()
            .unwrap(),
        token_ids,
        finding_id,
    };
    let (dir, tokens) = h.close().await;
    (dir, tokens, fixture)
}

fn containment(what: &str) -> Value {
    json!({"kind": "containment_action", "record": {
        "what_stopped": what, "how": "killed them", "at": "2026-03-01T10:00:00Z"}})
}

/// The concrete request for a documented route and a caller.
fn request_for(route: &str, user: Option<&str>, f: &Fixture) -> (Method, String, Option<Value>) {
    let (method, template) = route.split_once(' ').unwrap();
    let own_token = user.and_then(|u| f.token_ids.get(u)).copied().unwrap_or(1);
    let record_id = if template.contains("/evidence/") {
        f.evidence_id
    } else if template.ends_with("/signoff") {
        f.fresh_draft
    } else if template.ends_with("/sent") {
        f.ready_draft
    } else if template.contains("/communications/") {
        f.external_draft
    } else {
        f.record_id
    };
    let mut path = template
        .replace(
            "{id}",
            if template.starts_with("/api/v1/tokens") {
                "TOKEN"
            } else {
                &f.incident
            },
        )
        .replace("TOKEN", &own_token.to_string())
        .replace("{n}", "1")
        .replace("{record_id}", &record_id.to_string())
        .replace("{user}", "obi")
        .replace(
            "{name}",
            if template.starts_with("/api/v1/services") {
                "checkout"
            } else if template.starts_with("/api/v1/teams") {
                "payments"
            } else {
                "vic"
            },
        )
        .replace("{notification_id}", &f.notification_id.to_string())
        .replace("{finding_id}", &f.finding_id.to_string())
        .replace(
            "{request_id}",
            &if template.contains("break-glass") {
                f.break_glass_id
            } else {
                f.access_request_id
            }
            .to_string(),
        );
    let body = match route {
        "POST /api/v1/session" => Some(json!({"name": "vic", "password": PASSWORD})),
        "POST /api/v1/users" => {
            Some(json!({"name": "newcomer", "role": "viewer", "password": PASSWORD}))
        }
        "PATCH /api/v1/users/{name}" => Some(json!({"role": "engineer"})),
        "POST /api/v1/services" => Some(json!({"name": "matrix-svc", "owner": "payments"})),
        "PATCH /api/v1/services/{name}" => Some(json!({"tier": 2})),
        "POST /api/v1/teams" => Some(json!({"name": "matrix-team"})),
        "PATCH /api/v1/teams/{name}" => Some(json!({"description": "Takes the money"})),
        "POST /api/v1/catalog/import" => Some(json!({"files": [{"name": "catalog-info.yaml",
            "content": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: imported\nspec:\n  type: service\n  owner: payments\n  lifecycle: production\n"}]})),
        "POST /api/v1/tokens" => Some(json!({"name": "matrix", "expires_in_days": 7})),
        "POST /api/v1/incidents" => {
            Some(json!({"title": "Another one", "severity": "SEV3", "tlp": "TLP:RED"}))
        }
        "PATCH /api/v1/incidents/{id}" => Some(json!({"severity": "SEV1"})),
        "PATCH /api/v1/incidents/{id}/steps/{n}" => Some(json!({"state": "in_progress"})),
        "POST /api/v1/incidents/{id}/records" => Some(containment("a second miner")),
        "PATCH /api/v1/incidents/{id}/records/{record_id}" => {
            Some(containment("miner processes and cron"))
        }
        "POST /api/v1/incidents/{id}/members" => Some(json!({"user": "vic", "role": "scribe"})),
        "PATCH /api/v1/incidents/{id}/members/{user}" => Some(json!({"role": "scribe"})),
        "POST /api/v1/incidents/{id}/access-requests" => {
            Some(json!({"role": "observer", "reason": "need to know"}))
        }
        "POST /api/v1/incidents/{id}/break-glass" => Some(json!({"reason": "emergency"})),
        r if r.ends_with("/decision") => Some(json!({"approve": true})),
        "POST /api/v1/incidents/{id}/evidence/external" => Some(json!({
            "name": "disk image of build-7", "location": "evidence safe, bag 17",
            "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"})),
        "POST /api/v1/incidents/{id}/evidence/export" => {
            Some(json!({"reason": "to the forensics firm"}))
        }
        "POST /api/v1/incidents/{id}/communications" => Some(json!({
            "audience": "customers", "title": "Update 2026-03-03", "body": "Contained."})),
        "PATCH /api/v1/incidents/{id}/communications/{record_id}" => Some(json!({
            "audience": "customers", "title": "Security notice 2026-03-02", "body": "Contained now."})),
        "POST /api/v1/incidents/{id}/communications/{record_id}/approve" => Some(json!({})),
        "POST /api/v1/incidents/{id}/communications/{record_id}/signoff" => {
            Some(json!({"rationale": "outside attacker"}))
        }
        "POST /api/v1/incidents/{id}/communications/{record_id}/sent" => {
            Some(json!({"channel": "all-staff e-mail"}))
        }
        "POST /api/v1/services/{name}/uploads/scan" => Some(scan_upload("4.17.21")),
        "POST /api/v1/services/{name}/uploads/sarif" => Some(serde_json::from_str(SARIF).unwrap()),
        "POST /api/v1/services/{name}/uploads/sbom" => Some(serde_json::from_str(SBOM).unwrap()),
        "PATCH /api/v1/findings/{finding_id}" => {
            Some(json!({"state": "false_positive", "reason": "test code only"}))
        }
        "POST /api/v1/incidents/{id}/blast-radius" => {
            Some(json!({"package": {"ecosystem": "npm", "name": "lodash", "range": "<4.17.21"}}))
        }
        _ => None,
    };
    match route {
        "GET /api/v1/where/package" => path.push_str("?ecosystem=npm&name=lodash&range=%3C4.17.21"),
        "GET /api/v1/where/advisory" => path.push_str("?id=cve-2021-23337"),
        "GET /api/v1/where/secret" => path.push_str(&format!("?fingerprint={SECRET_FINGERPRINT}")),
        "POST /api/v1/incidents/{id}/evidence" => path.push_str("?name=matrix.txt"),
        "GET /api/v1/incidents/{id}/evidence/{record_id}/content" => {
            path.push_str("?reason=matrix")
        }
        _ => {}
    }
    (Method::from_bytes(method.as_bytes()).unwrap(), path, body)
}

fn documented_routes() -> Vec<String> {
    let document = serde_json::to_value(rampart_server::openapi()).unwrap();
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                routes.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    routes.sort();
    routes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_times_every_caller_gives_the_expected_status() {
    let table: BTreeMap<&str, Vec<u16>> = MATRIX
        .iter()
        .map(|(route, codes)| {
            let codes: Vec<u16> = codes
                .split_whitespace()
                .map(|c| c.parse().unwrap())
                .collect();
            assert_eq!(
                codes.len(),
                CASES.len(),
                "row {route} needs one status per case"
            );
            (*route, codes)
        })
        .collect();
    assert_eq!(table.len(), MATRIX.len(), "a route has two rows");
    let routes = documented_routes();
    let missing: Vec<_> = routes
        .iter()
        .filter(|r| !table.contains_key(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:?}"
    );
    let stale: Vec<_> = table
        .keys()
        .filter(|r| !routes.iter().any(|d| d == *r))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes not in the document: {stale:?}"
    );

    let (template_dir, tokens, fixture) = template().await;
    let mut failures = Vec::new();
    for route in &routes {
        for (case_index, (case, user)) in CASES.iter().enumerate() {
            // A fresh copy per request: writes of one case do not change
            // what the next one sees.
            let h = Harness::copy_of(template_dir.path(), &tokens).await;
            let (method, path, body) = request_for(route, *user, &fixture);
            let answer = h.call(*user, method, &path, body).await;
            let expected = table[route.as_str()][case_index];
            if answer.status.as_u16() != expected {
                failures.push(format!(
                    "{route} as {case}: expected {expected}, got {} {}",
                    answer.status.as_u16(),
                    answer.body
                ));
            }
            h.close().await;
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
