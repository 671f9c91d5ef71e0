//! The step-7 page draws a blast-radius record as tables: the question, the
//! as-of time, affected and undetermined services, and how many were cut.
//! The record is put in through the store: only the server's inventory
//! query creates one, and no form or generic record route may.

mod common;

use common::web::{page, sign_in, text};
use common::{Harness, expect};
use rampart_audit::{Actor, Target};
use rampart_incident::{GlobalRole, IncidentId, StepRecord, UserName};
use rampart_server::auth;
use rampart_store::{AuditDraft, IncidentChange, Store};
use serde_json::json;

/// Adds `record` to incident `id` as `by`, directly through the store.
async fn add_directly(h: &Harness, id: &str, by: &str, record: StepRecord) {
    let id: IncidentId = id.parse().unwrap();
    let state = h.store.incident(id).await.unwrap().unwrap();
    let at = auth::now();
    h.store
        .apply_incident_changes(
            id,
            state.summary.version,
            vec![IncidentChange::AddRecord {
                record,
                by: UserName::parse(by).unwrap(),
                at,
            }],
            Vec::new(),
            AuditDraft::new(
                at,
                Actor::System {
                    component: "test".into(),
                },
                "record.add",
                Target::new("incident", id.to_string()),
                json!({}),
            ),
        )
        .await
        .unwrap();
}

fn snapshot() -> StepRecord {
    serde_json::from_value(json!({"kind": "blast_radius", "record": {
        "question": {"package": {"ecosystem": "npm", "name": "lodash", "range": "<4.17.21"}},
        "as_of": "2026-11-28T10:00:00Z",
        "services": [
            {"service": "checkout", "team": "payments", "tier": 1, "data_classification": "restricted",
             "matches": ["lodash 4.17.20 in package-lock.json (rampart:deps)", "lodash 4.17.15 in <sbom>.json (sbom)"]},
            {"service": "search", "matches": []}],
        "undetermined": [
            {"service": "legacy-batch", "team": "platform", "tier": 3,
             "matches": ["lodash (unresolved) in yarn.lock (rampart:deps)"]}],
        "hidden_services": 0,
        "total_services": 37,
        "truncated": true}}))
    .unwrap()
}

#[tokio::test]
async fn step_7_draws_a_blast_radius_record_as_tables() {
    let mut h = Harness::new().await;
    h.user("alice", GlobalRole::Engineer).await;
    let id = h.declare("alice", "Vulnerable lodash everywhere").await;
    add_directly(&h, &id, "alice", snapshot()).await;

    let alice = sign_in(&h, "alice").await;
    let step = text(
        &h.send(page(
            &format!("/incidents/{id}/steps/7"),
            Some(&alice.cookie),
        ))
        .await,
    );
    for part in [
        "#1 blast radius</h3>",
        "Blast radius of package npm lodash &#60;4.17.21 as of 2026-11-28 10:00 UTC: 37 matching services, 1 undetermined.",
        "<caption>Affected services</caption>",
        r#"<tr><th scope="row">checkout</th><td>payments</td><td>1</td><td>restricted</td><td>lodash 4.17.20 in package-lock.json (rampart:deps)<br>lodash 4.17.15 in &#60;sbom&#62;.json (sbom)</td></tr>"#,
        r#"<tr><th scope="row">search</th><td>—</td><td>—</td><td>—</td><td></td></tr>"#,
        r#"<p class="hint">35 more not shown.</p>"#,
        "<caption>Undetermined: the version could not be compared, so neither affected nor safe</caption>",
        r#"<tr><th scope="row">legacy-batch</th><td>platform</td><td>3</td>"#,
    ] {
        assert!(step.contains(part), "missing {part:?} in\n{step}");
    }
    // Not the generic field list, which would print the services as JSON.
    assert!(!step.contains(r#"<dl class="fields">"#), "{step}");
    assert!(!step.contains("style="), "{step}");
    // No form offers to add one by hand.
    assert!(!step.contains(r#"value="blast_radius""#), "{step}");

    // The API lists it on step 7, and refuses to take
    // one through the generic record route.
    let records = h
        .get("alice", &format!("/api/v1/incidents/{id}/records"))
        .await;
    expect(&records, 200);
    assert_eq!(records.body["records"][0]["record"]["kind"], "blast_radius");
    assert_eq!(records.body["records"][0]["step"], 7);
    let refused = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/records"),
            serde_json::to_value(snapshot()).unwrap(),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{:?}", refused.body);
}
