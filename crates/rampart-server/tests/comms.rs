//! Steps 11–14 and the records beside the steps, through the API:
//! communication controls, the credential register's hold on step 2,
//! indicator links and exports, and the post-incident report.

mod common;

use common::{Harness, expect};
use rampart_incident::GlobalRole;
use serde_json::{Value, json};

async fn team() -> (Harness, String) {
    let mut h = Harness::new().await;
    for name in ["cora", "dan", "lee", "obi"] {
        h.user(name, GlobalRole::Engineer).await;
    }
    let id = h.declare("cora", "Customer database copied").await;
    for (user, role) in [("dan", "deputy"), ("lee", "legal"), ("obi", "observer")] {
        expect(
            &h.post(
                "cora",
                &format!("/api/v1/incidents/{id}/members"),
                json!({"user": user, "role": role}),
            )
            .await,
            201,
        );
    }
    (h, id)
}

fn warning_kinds(answer: &Value) -> Vec<String> {
    answer["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["detail"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn internal_note_needs_approval_and_the_insider_signoff() {
    let (h, id) = team().await;
    let comms = format!("/api/v1/incidents/{id}/communications");
    let draft = h
        .post(
            "dan",
            &comms,
            json!({"audience": "internal", "title": "Customer DB maintenance", "body": "Please do not restart db-3."}),
        )
        .await;
    expect(&draft, 201);
    assert_eq!(draft.body["record"]["step"], 11);
    assert_eq!(
        draft.body["record"]["record"]["kind"],
        "internal_comms_draft"
    );
    assert_eq!(warning_kinds(&draft.body), ["insider_signoff_needed"]);
    let draft_id = draft.body["record"]["id"].as_i64().unwrap();
    let at = |what: &str| format!("{comms}/{draft_id}/{what}");

    let early = h
        .post("dan", &at("sent"), json!({"channel": "e-mail"}))
        .await;
    expect(&early, 422);
    assert_eq!(early.body["error"]["field"], "approvals");
    // The deputy cannot approve; the commander can.
    expect(&h.post("dan", &at("approve"), json!({})).await, 403);
    expect(&h.post("cora", &at("approve"), json!({})).await, 200);
    expect(&h.post("cora", &at("approve"), json!({})).await, 409);
    let unsigned = h
        .post("dan", &at("sent"), json!({"channel": "e-mail"}))
        .await;
    expect(&unsigned, 422);
    assert_eq!(unsigned.body["error"]["field"], "insider_signoff");
    expect(
        &h.post("obi", &at("signoff"), json!({"rationale": "x"}))
            .await,
        403,
    );
    let signed = h
        .post(
            "dan",
            &at("signoff"),
            json!({"rationale": "entry through a leaked CI token from outside"}),
        )
        .await;
    expect(&signed, 200);
    assert_eq!(warning_kinds(&signed.body), Vec::<String>::new());
    let sent = h
        .post("dan", &at("sent"), json!({"channel": "all-staff e-mail"}))
        .await;
    expect(&sent, 200);
    assert_eq!(
        sent.body["record"]["record"]["record"]["sent"]["channel"],
        "all-staff e-mail"
    );
    expect(
        &h.post("dan", &at("sent"), json!({"channel": "again"}))
            .await,
        409,
    );
    let edit = h
        .patch(
            "dan",
            &format!("{comms}/{draft_id}"),
            json!({"audience": "internal", "title": "x", "body": "y"}),
        )
        .await;
    expect(&edit, 409);
}

#[tokio::test]
async fn customer_notice_needs_commander_and_legal_and_warns() {
    let (h, id) = team().await;
    let comms = format!("/api/v1/incidents/{id}/communications");
    let draft = h
        .post(
            "lee",
            &comms,
            json!({"audience": "customers", "title": "Security notice", "body": "We detected access.",
                   "recipient_actions": "Reset your password."}),
        )
        .await;
    expect(&draft, 201);
    assert_eq!(draft.body["record"]["step"], 14);
    assert_eq!(
        warning_kinds(&draft.body),
        ["attack_records_missing", "title_without_date"]
    );
    let draft_id = draft.body["record"]["id"].as_i64().unwrap();
    let at = |what: &str| format!("{comms}/{draft_id}/{what}");

    expect(&h.post("cora", &at("approve"), json!({})).await, 200);
    // A changed text needs approving again.
    let edited = h
        .patch(
            "lee",
            &format!("{comms}/{draft_id}"),
            json!({"audience": "customers", "title": "Security notice 2026-03-02", "body": "We detected access."}),
        )
        .await;
    expect(&edited, 200);
    assert_eq!(
        edited.body["record"]["record"]["record"]["approvals"],
        json!([])
    );
    assert_eq!(warning_kinds(&edited.body), ["attack_records_missing"]);
    // Moving a customer notice to the internal step is refused.
    let moved = h
        .patch(
            "lee",
            &format!("{comms}/{draft_id}"),
            json!({"audience": "internal", "title": "t", "body": "b"}),
        )
        .await;
    expect(&moved, 422);
    assert_eq!(moved.body["error"]["field"], "audience");

    expect(&h.post("lee", &at("approve"), json!({})).await, 200);
    let one_short = h
        .post("lee", &at("sent"), json!({"channel": "e-mail"}))
        .await;
    expect(&one_short, 422);
    assert!(
        one_short.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("commander")
    );
    expect(&h.post("cora", &at("approve"), json!({})).await, 200);
    expect(
        &h.post(
            "lee",
            &at("sent"),
            json!({"channel": "e-mail to 1,204 customers"}),
        )
        .await,
        200,
    );

    // Drafts cannot be forged through the generic record routes.
    let forged = h
        .post(
            "cora",
            &format!("/api/v1/incidents/{id}/records"),
            json!({"kind": "external_comms_draft", "record": {}}),
        )
        .await;
    expect(&forged, 422);
}

#[tokio::test]
async fn unrotated_credentials_hold_up_step_two() {
    let (h, id) = team().await;
    let records = format!("/api/v1/incidents/{id}/records");
    let credential = json!({"kind": "compromised_credential", "record": {
        "fingerprint": "e48118919b155e2530c4e202bf6fe7d2", "description": "CI deploy token ghp_…",
        "used_in": ["deploy pipeline"], "owner": "platform team"}});
    let added = h.post("dan", &records, credential.clone()).await;
    expect(&added, 201);
    assert_eq!(added.body["record"]["step"], 2);
    let pasted = h
        .post(
            "dan",
            &records,
            json!({"kind": "compromised_credential", "record": {
                "fingerprint": "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "description": "x", "owner": "y"}}),
        )
        .await;
    expect(&pasted, 422);
    assert_eq!(pasted.body["error"]["field"], "record.fingerprint");
    assert!(!pasted.raw.windows(4).any(|w| w == b"ghp_"));

    let list = h
        .get("obi", &format!("/api/v1/incidents/{id}/credentials"))
        .await;
    expect(&list, 200);
    assert_eq!(list.body["unrotated"], 1);

    let step = format!("/api/v1/incidents/{id}/steps/2");
    let refused = h.patch("dan", &step, json!({"state": "done"})).await;
    expect(&refused, 422);
    assert_eq!(refused.body["error"]["field"], "rationale");
    let with_reason = h
        .patch(
            "dan",
            &step,
            json!({"state": "done", "rationale": "token revoked at GitHub; rotation of the copy in vault tomorrow"}),
        )
        .await;
    expect(&with_reason, 200);
    assert_eq!(
        with_reason.body["warnings"][0]["detail"]["kind"],
        "unrotated_credentials"
    );

    // Rotated: finishing step 2 needs nothing more.
    let record_id = added.body["record"]["id"].as_i64().unwrap();
    let mut rotated = credential;
    rotated["record"]["rotated"] = json!(true);
    rotated["record"]["rotated_at"] = json!("2026-03-02T10:00:00Z");
    expect(
        &h.patch("dan", &format!("{records}/{record_id}"), rotated)
            .await,
        200,
    );
    let list = h
        .get("obi", &format!("/api/v1/incidents/{id}/credentials"))
        .await;
    assert_eq!(list.body["unrotated"], 0);
}

#[tokio::test]
async fn indicators_link_to_records_and_export_as_stix() {
    let (h, id) = team().await;
    let records = format!("/api/v1/incidents/{id}/records");
    let entry = h
        .post(
            "dan",
            &records,
            json!({"kind": "attack_timeline_entry", "record": {
                "event_time": "2026-02-27T03:12:44Z", "timezone": "UTC", "source": "nginx log",
                "certainty": "confirmed", "description": "GET /.env from 203.0.113.7"}}),
        )
        .await;
    expect(&entry, 201);
    let entry_id = entry.body["record"]["id"].as_i64().unwrap();
    let indicator = |value: &str, tlp: &str, links: Value| {
        json!({"kind": "indicator", "record": {
            "kind": "ip", "value": value, "tlp": tlp, "pap": "green",
            "techniques": ["T1190"], "timeline_entries": links}})
    };
    let dangling = h
        .post(
            "dan",
            &records,
            indicator("203.0.113.7", "clear", json!([9999])),
        )
        .await;
    expect(&dangling, 422);
    assert_eq!(dangling.body["error"]["field"], "timeline_entries");
    let containment = h
        .post(
            "dan",
            &records,
            json!({"kind": "containment_action", "record": {
                "what_stopped": "edge-2", "how": "pulled from the pool", "at": "2026-03-01T10:00:00Z"}}),
        )
        .await;
    let containment_id = containment.body["record"]["id"].as_i64().unwrap();
    let wrong_kind = h
        .post(
            "dan",
            &records,
            indicator("203.0.113.7", "clear", json!([entry_id, containment_id])),
        )
        .await;
    expect(&wrong_kind, 422);
    expect(
        &h.post(
            "dan",
            &records,
            indicator("203.0.113.7", "clear", json!([entry_id])),
        )
        .await,
        201,
    );
    expect(
        &h.post(
            "dan",
            &records,
            indicator("198.51.100.23", "red", json!([])),
        )
        .await,
        201,
    );
    let list = h
        .get("obi", &format!("/api/v1/incidents/{id}/indicators"))
        .await;
    expect(&list, 200);
    assert_eq!(list.body["indicators"].as_array().unwrap().len(), 2);

    let stix = h
        .get(
            "obi",
            &format!("/api/v1/incidents/{id}/indicators/stix?max_tlp=green"),
        )
        .await;
    expect(&stix, 200);
    assert_eq!(
        stix.headers["content-type"],
        "application/stix+json;version=2.1"
    );
    assert_eq!(stix.body["type"], "bundle");
    let text = stix.body.to_string();
    assert!(text.contains("203.0.113.7"));
    assert!(!text.contains("198.51.100.23"), "a TLP:RED indicator left");
    let bad = h
        .get(
            "obi",
            &format!("/api/v1/incidents/{id}/indicators/stix?max_tlp=white"),
        )
        .await;
    expect(&bad, 422);

    // The external report leaves the TLP:RED indicator and names out.
    let external = h
        .get(
            "obi",
            &format!("/api/v1/incidents/{id}/report?audience=external"),
        )
        .await;
    expect(&external, 200);
    let external = String::from_utf8(external.raw).unwrap();
    assert!(!external.contains("198.51.100.23"));
    assert!(!external.contains("cora"));
    let internal = h
        .get("obi", &format!("/api/v1/incidents/{id}/report?format=html"))
        .await;
    expect(&internal, 200);
    assert!(
        internal.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let internal = String::from_utf8(internal.raw).unwrap();
    assert!(internal.contains("198.51.100.23"));
    let veris = h.get("obi", &format!("/api/v1/incidents/{id}/veris")).await;
    expect(&veris, 200);
    assert!(veris.body.is_object());
    expect(
        &h.get(
            "obi",
            &format!("/api/v1/incidents/{id}/report?audience=press"),
        )
        .await,
        422,
    );
}

/// DESIGN.md §5: nobody is reminded to post periodic updates. Notifications
/// exist only for membership, access and evidence integrity, and running a
/// whole communication cycle creates none.
#[tokio::test]
async fn no_update_reminders_ever() {
    let (h, id) = team().await;
    let comms = format!("/api/v1/incidents/{id}/communications");
    let draft = h
        .post(
            "cora",
            &comms,
            json!({"audience": "regulators", "title": "Notification 2026-03-02", "body": "b"}),
        )
        .await;
    let draft_id = draft.body["record"]["id"].as_i64().unwrap();
    expect(
        &h.post("cora", &format!("{comms}/{draft_id}/approve"), json!({}))
            .await,
        200,
    );
    expect(
        &h.post("lee", &format!("{comms}/{draft_id}/approve"), json!({}))
            .await,
        200,
    );
    expect(
        &h.post(
            "cora",
            &format!("{comms}/{draft_id}/sent"),
            json!({"channel": "regulator portal"}),
        )
        .await,
        200,
    );
    for user in ["cora", "dan", "lee", "obi"] {
        let notifications = h.get(user, "/api/v1/notifications").await;
        for n in notifications.body["notifications"].as_array().unwrap() {
            assert_eq!(n["kind"]["kind"], "added_as_member", "{user}: {n}");
            assert_eq!(n["link"], format!("/incidents/{id}"));
            // Only the codename: the title never travels in a notification.
            assert!(!n.to_string().contains("Customer database"), "{n}");
        }
    }
}
