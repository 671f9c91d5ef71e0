//! The step pages: records shown and added through forms, owner and
//! notes, action items on the dashboard, and the access rule on every
//! step route.

mod common;

use axum::http::header;
use common::web::{form_post, page, sign_in, stable, text};
use common::{Harness, expect};
use rampart_incident::GlobalRole;
use serde_json::json;

async fn harness() -> Harness {
    let mut h = Harness::new().await;
    h.user("alice", GlobalRole::Engineer).await;
    h.user("bob", GlobalRole::Engineer).await;
    h
}

fn encoded(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// Posts `pairs` as a form from `cookie`'s browser.
async fn post(h: &Harness, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> common::Answer {
    h.send(form_post(path, Some(cookie), &encoded(pairs))).await
}

async fn record_count(h: &Harness, id: &str) -> usize {
    let list = h
        .get("alice", &format!("/api/v1/incidents/{id}/records"))
        .await;
    expect(&list, 200);
    list.body["records"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_timeline_entry_added_on_step_5_is_drawn_on_the_board() {
    let h = harness().await;
    let id = h.declare("alice", "Web shell on edge-2").await;
    let alice = sign_in(&h, "alice").await;
    let step = text(
        &h.send(page(
            &format!("/incidents/{id}/steps/5"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(
        step.contains("Step 5: Identify the attack timeline"),
        "{step}"
    );
    assert!(step.contains(r#"name="record_kind" value="attack_timeline_entry""#));
    assert!(step.contains(r#"<label for="attack_timeline_entry-event_time">"#));
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/5/records"),
        &alice.cookie,
        &[
            ("csrf", &alice.csrf),
            ("record_kind", "attack_timeline_entry"),
            ("event_time", "2026-03-02T14:05"),
            ("timezone", "Europe/Berlin"),
            ("source", "nginx access log"),
            ("certainty", "suspected"),
            ("description", "First POST to /upload.php"),
        ],
    )
    .await;
    expect(&answer, 303);
    let location = answer.headers[header::LOCATION].to_str().unwrap();
    assert!(location.starts_with(&format!("/incidents/{id}/steps/5#record-")));
    let board = text(
        &h.send(page(&format!("/incidents/{id}"), Some(&alice.cookie)))
            .await,
    );
    assert!(board.contains("First POST to /upload.php"));
    assert!(board.contains(r#"class="marker suspected""#));
    assert!(board.contains("2026-03-02 14:05 UTC"));
    // The API sees the same record, in UTC, recorded by alice.
    let list = h
        .get("alice", &format!("/api/v1/incidents/{id}/records?step=5"))
        .await;
    let record = &list.body["records"][0];
    assert_eq!(
        record["record"]["record"]["event_time"],
        "2026-03-02T14:05:00Z"
    );
    assert_eq!(record["created_by"], "alice");
    // And the step page lists it with its fields.
    let step = text(
        &h.send(page(
            &format!("/incidents/{id}/steps/5"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(
        step.contains("<dt>Source</dt><dd>nginx access log</dd>"),
        "{step}"
    );
}

#[tokio::test]
async fn a_refused_form_comes_back_with_the_reason_and_adds_nothing() {
    let h = harness().await;
    let id = h.declare("alice", "Phished admin").await;
    let alice = sign_in(&h, "alice").await;
    // A field missing in the form.
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/1/records"),
        &alice.cookie,
        &[
            ("csrf", &alice.csrf),
            ("record_kind", "containment_action"),
            ("what_stopped", "admin sessions"),
            ("at", "2026-03-02T14:05"),
        ],
    )
    .await;
    expect(&answer, 422);
    assert!(text(&answer).contains("How: this field is required."));
    // A value the record type refuses, named by the API's validation.
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/2/records"),
        &alice.cookie,
        &[
            ("csrf", &alice.csrf),
            ("record_kind", "compromised_credential"),
            ("fingerprint", "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            ("description", "deploy token"),
            ("owner", "platform team"),
        ],
    )
    .await;
    expect(&answer, 422);
    let shown = text(&answer);
    assert!(shown.contains("not accepted"), "{shown}");
    assert!(
        !shown.contains("ghp_aaaa"),
        "a pasted secret is never echoed"
    );
    // A record of another step posted to this one.
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/1/records"),
        &alice.cookie,
        &[
            ("csrf", &alice.csrf),
            ("record_kind", "lesson_learned"),
            ("kind", "went_well"),
            ("lesson", "paging worked"),
        ],
    )
    .await;
    expect(&answer, 422);
    assert_eq!(record_count(&h, &id).await, 0);
}

#[tokio::test]
async fn step_routes_keep_the_incident_hidden_and_need_the_csrf_token() {
    let h = harness().await;
    let id = h.declare("alice", "Insider exfiltration").await;
    let alice = sign_in(&h, "alice").await;
    let bob = sign_in(&h, "bob").await;
    let hidden = h
        .send(page(&format!("/incidents/{id}/steps/5"), Some(&bob.cookie)))
        .await;
    let missing = h
        .send(page("/incidents/SEC-2020-9999/steps/5", Some(&bob.cookie)))
        .await;
    expect(&hidden, 404);
    assert_eq!(text(&hidden), text(&missing));
    let entry = |csrf: &str| {
        encoded(&[
            ("csrf", csrf),
            ("record_kind", "containment_action"),
            ("what_stopped", "x"),
            ("how", "y"),
            ("at", "2026-03-02T14:05"),
        ])
    };
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/1/records"),
            Some(&bob.cookie),
            &entry(&bob.csrf),
        ))
        .await;
    expect(&answer, 404);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/1/owner"),
            Some(&bob.cookie),
            &format!("csrf={}&owner=bob", bob.csrf),
        ))
        .await;
    expect(&answer, 404);
    // The member without the token, or with another session's token.
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/1/records"),
            Some(&alice.cookie),
            &entry(""),
        ))
        .await;
    expect(&answer, 403);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/1/records"),
            Some(&alice.cookie),
            &entry(&bob.csrf),
        ))
        .await;
    expect(&answer, 403);
    assert_eq!(record_count(&h, &id).await, 0);
}

#[tokio::test]
async fn owner_and_notes_are_set_and_cleared_through_the_api_rules() {
    let h = harness().await;
    let id = h.declare("alice", "Leaked key").await;
    let alice = sign_in(&h, "alice").await;
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/4/owner"),
        &alice.cookie,
        &[
            ("csrf", &alice.csrf),
            ("owner", "alice"),
            ("notes", "isolating build-7 first"),
        ],
    )
    .await;
    expect(&answer, 303);
    let steps = h
        .get("alice", &format!("/api/v1/incidents/{id}/steps"))
        .await;
    assert_eq!(steps.body["steps"][3]["owner"], "alice");
    assert_eq!(steps.body["steps"][3]["notes"], "isolating build-7 first");
    // An owner who is not a member is the API's refusal, shown on the page.
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/4/owner"),
        &alice.cookie,
        &[("csrf", &alice.csrf), ("owner", "bob"), ("notes", "")],
    )
    .await;
    expect(&answer, 422);
    assert!(text(&answer).contains("bob"));
    let answer = post(
        &h,
        &format!("/incidents/{id}/steps/4/owner"),
        &alice.cookie,
        &[("csrf", &alice.csrf), ("owner", ""), ("notes", "")],
    )
    .await;
    expect(&answer, 303);
    let steps = h
        .get("alice", &format!("/api/v1/incidents/{id}/steps"))
        .await;
    assert!(steps.body["steps"][3]["owner"].is_null());
}

#[tokio::test]
async fn action_items_reach_the_dashboard_and_are_marked_done_there() {
    let h = harness().await;
    let id = h.declare("alice", "Credential stuffing").await;
    let yesterday = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(48))
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string();
    for (title, due) in [
        ("Rotate the signing key", yesterday.as_str()),
        ("Add login rate limits", "2099-01-01"),
    ] {
        let answer = h
            .post(
                "alice",
                &format!("/api/v1/incidents/{id}/records"),
                json!({"kind": "action_item", "record": {"kind": "mitigation", "title": title, "owner": "alice", "due": due}}),
            )
            .await;
        expect(&answer, 201);
    }
    let alice = sign_in(&h, "alice").await;
    let home = text(&h.send(page("/", Some(&alice.cookie))).await);
    let mine = &home[home.find("mine-heading").unwrap()..home.find("overdue-heading").unwrap()];
    let overdue = &home[home.find("overdue-heading").unwrap()..];
    assert!(mine.contains("Rotate the signing key") && mine.contains("Add login rate limits"));
    assert!(
        overdue.contains("Rotate the signing key") && !overdue.contains("Add login rate limits")
    );
    // Bob sees none of it: the incident is not his.
    let bob = sign_in(&h, "bob").await;
    let bobs = text(&h.send(page("/", Some(&bob.cookie))).await);
    assert!(!bobs.contains("Rotate the signing key"));
    let list = h
        .get("alice", &format!("/api/v1/incidents/{id}/records?step=9"))
        .await;
    let first = list.body["records"][0]["id"].as_i64().unwrap();
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/records/{first}/done"),
            Some(&bob.cookie),
            &format!("csrf={}&back=dashboard", bob.csrf),
        ))
        .await;
    expect(&answer, 404);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/records/{first}/done"),
            Some(&alice.cookie),
            &format!("csrf={}&back=dashboard", alice.csrf),
        ))
        .await;
    expect(&answer, 303);
    assert_eq!(answer.headers[header::LOCATION], "/");
    let list = h
        .get("alice", &format!("/api/v1/incidents/{id}/records?step=9"))
        .await;
    assert_eq!(
        list.body["records"][0]["record"]["record"]["status"],
        "done"
    );
    let home = text(&h.send(page("/", Some(&alice.cookie))).await);
    assert!(!home.contains("Rotate the signing key"));
    // The change is in the response log like any API update.
    let log = h.get("alice", &format!("/api/v1/incidents/{id}/log")).await;
    assert!(log.body.to_string().contains("Rotate the signing key"));
}

#[tokio::test]
async fn step_page_snapshot() {
    let h = harness().await;
    let id = h.declare("alice", "Leaked deploy key").await;
    let answer = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/records"),
            json!({"kind": "containment_action", "record": {"what_stopped": "deploys from the leaked key",
                   "how": "revoked the key <and> paused the pipeline", "at": "2026-01-02T03:04:00Z"}}),
        )
        .await;
    expect(&answer, 201);
    let alice = sign_in(&h, "alice").await;
    let step = text(
        &h.send(page(
            &format!("/incidents/{id}/steps/1"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(step.contains("revoked the key &#60;and&#62; paused the pipeline"));
    insta::assert_snapshot!("step_1", stable(&step, &[]));
}
