//! The findings pages in the browser: counts for everyone, findings for
//! those who may see them, triage by form (CSRF checked), "where else?",
//! and a blast-radius answer kept in step 7 from the step page.

mod common;

use common::web::{form_post, page, sign_in, text};
use common::{Harness, expect};
use rampart_incident::GlobalRole;
use serde_json::json;

fn upload(lodash: &str) -> serde_json::Value {
    json!({
        "scopes": [{"scope": "rampart:deps", "complete": true}],
        "findings": [{"scope": "rampart:deps", "fingerprint": "cccccccccccccccccccccccccccccccc",
            "fingerprint_origin": "rampart", "kind": "vulnerability", "rule_id": "GHSA-35jh-r3h4-6jhm",
            "title": "Command injection in lodash", "severity": "critical", "path": "package-lock.json",
            "package": {"ecosystem": "npm", "name": "lodash", "version": lodash},
            "ids": ["CVE-2021-23337"]}],
        "components": [{"scope": "rampart:deps", "ecosystem": "npm", "name": "lodash",
            "version": lodash, "path": "package-lock.json"}]
    })
}

/// sam (security); eve owns checkout through team payments; vic a viewer;
/// ledger belongs to nobody eve knows.
async fn harness() -> Harness {
    let mut h = Harness::new().await;
    for (name, role) in [
        ("sam", GlobalRole::Security),
        ("eve", GlobalRole::Engineer),
        ("vic", GlobalRole::Viewer),
    ] {
        h.user(name, role).await;
    }
    expect(
        &h.post(
            "sam",
            "/api/v1/teams",
            json!({"name": "payments", "members": ["eve"]}),
        )
        .await,
        201,
    );
    for (service, owner, lodash) in [
        ("checkout", Some("payments"), "4.17.20"),
        ("ledger", None, "4.17.15"),
    ] {
        expect(
            &h.post(
                "sam",
                "/api/v1/services",
                json!({"name": service, "owner": owner, "tier": 2}),
            )
            .await,
            201,
        );
        expect(
            &h.post(
                "sam",
                &format!("/api/v1/services/{service}/uploads/scan"),
                upload(lodash),
            )
            .await,
            201,
        );
    }
    h
}

#[tokio::test]
async fn everyone_sees_counts_and_only_owners_see_findings() {
    let h = harness().await;
    let eve = sign_in(&h, "eve").await;
    let page_for_eve = text(&h.send(page("/findings", Some(&eve.cookie))).await);
    assert!(
        page_for_eve.contains("<a href=\"/services/ledger\">ledger</a>"),
        "counts cover every service"
    );
    assert!(page_for_eve.contains("Command injection in lodash"));
    // Only checkout's finding is listed for eve.
    assert_eq!(page_for_eve.matches("<a href=\"/findings/").count(), 1);

    let vic = sign_in(&h, "vic").await;
    let page_for_vic = text(&h.send(page("/findings", Some(&vic.cookie))).await);
    assert!(page_for_vic.contains("Viewers see the counts only."));
    assert!(!page_for_vic.contains("Command injection"));
    expect(
        &h.send(page("/where?advisory=CVE-2021-23337", Some(&vic.cookie)))
            .await,
        403,
    );

    let answer = text(
        &h.send(page(
            "/where?ecosystem=npm&name=lodash&range=%3C4.17.21",
            Some(&eve.cookie),
        ))
        .await,
    );
    assert!(answer.contains("1 service as of"), "{answer}");
    assert!(answer.contains("1 more service match that you may not see"));
    let bad = h
        .send(page(
            "/where?ecosystem=npm&name=lodash&range=%3E%3E1",
            Some(&eve.cookie),
        ))
        .await;
    expect(&bad, 422);
    for body in [&page_for_eve, &answer] {
        assert!(!body.contains("style="), "no inline styles under the CSP");
        assert!(!body.contains("<script"));
    }
}

#[tokio::test]
async fn triage_by_form_needs_the_csrf_token_and_shows_refusals() {
    let h = harness().await;
    let list = h.get("eve", "/api/v1/findings").await;
    let id = list.body["findings"][0]["id"].as_i64().unwrap();
    let eve = sign_in(&h, "eve").await;
    let path = format!("/findings/{id}/triage");

    let forged = h
        .send(form_post(
            &path,
            Some(&eve.cookie),
            "state=false_positive&reason=x",
        ))
        .await;
    expect(&forged, 403);

    let missing_date = h
        .send(form_post(
            &path,
            Some(&eve.cookie),
            &format!(
                "csrf={}&state=accepted_risk&reason=vendor+fix+due&until=",
                eve.csrf
            ),
        ))
        .await;
    expect(&missing_date, 422);
    assert!(text(&missing_date).contains("role=\"alert\""));

    let until = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30))
        .strftime("%Y-%m-%d")
        .to_string();
    let accepted = h
        .send(form_post(
            &path,
            Some(&eve.cookie),
            &format!(
                "csrf={}&state=accepted_risk&reason=not+reachable&until={until}",
                eve.csrf
            ),
        ))
        .await;
    expect(&accepted, 303);
    let detail = text(
        &h.send(page(&format!("/findings/{id}"), Some(&eve.cookie)))
            .await,
    );
    assert!(
        detail.contains("State: <strong>accepted_risk</strong>"),
        "{detail}"
    );
    assert!(detail.contains("not reachable"));

    // ledger's finding is the same 404 page as a missing one.
    let ledger = h.get("sam", "/api/v1/findings?service=ledger").await;
    let hidden = ledger.body["findings"][0]["id"].as_i64().unwrap();
    let hidden_page = h
        .send(page(&format!("/findings/{hidden}"), Some(&eve.cookie)))
        .await;
    let missing_page = h.send(page("/findings/987654", Some(&eve.cookie))).await;
    expect(&hidden_page, 404);
    assert_eq!(hidden_page.raw, missing_page.raw);
}

#[tokio::test]
async fn step_7_keeps_a_blast_radius_answer_asked_from_its_page() {
    let h = harness().await;
    let id = h.declare("eve", "Poisoned lodash").await;
    let eve = sign_in(&h, "eve").await;
    let step = text(
        &h.send(page(&format!("/incidents/{id}/steps/7"), Some(&eve.cookie)))
            .await,
    );
    assert!(step.contains("Where else? Keep a blast-radius answer"));
    let other = text(
        &h.send(page(&format!("/incidents/{id}/steps/6"), Some(&eve.cookie)))
            .await,
    );
    assert!(!other.contains("Keep a blast-radius answer"));

    let path = format!("/incidents/{id}/steps/7/blast-radius");
    let asked = h
        .send(form_post(
            &path,
            Some(&eve.cookie),
            &format!(
                "csrf={}&ecosystem=npm&name=lodash&range=%3C4.17.21",
                eve.csrf
            ),
        ))
        .await;
    expect(&asked, 303);
    let step = text(
        &h.send(page(&format!("/incidents/{id}/steps/7"), Some(&eve.cookie)))
            .await,
    );
    // eve asks as a member of the incident: both services, ledger included.
    assert!(step.contains("2 matching services"), "{step}");
    assert!(step.contains("<th scope=\"row\">ledger</th>"));

    let empty = h
        .send(form_post(
            &path,
            Some(&eve.cookie),
            &format!("csrf={}", eve.csrf),
        ))
        .await;
    expect(&empty, 422);

    let vic = sign_in(&h, "vic").await;
    let outsider = h
        .send(form_post(
            &path,
            Some(&vic.cookie),
            &format!("csrf={}&advisory=CVE-2021-23337", vic.csrf),
        ))
        .await;
    expect(&outsider, 404);
}
