//! The web UI through the router: sign-in, CSRF, the dashboard, the
//! incident page's access rule, escaping, assets and page snapshots.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::web::{form_post, page, sign_in, stable, text};
use common::{Harness, PASSWORD, expect};
use rampart_incident::GlobalRole;
use serde_json::json;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn harness() -> Harness {
    let mut h = Harness::new().await;
    h.user("alice", GlobalRole::Engineer).await;
    h.user("bob", GlobalRole::Engineer).await;
    h.user("victor", GlobalRole::Viewer).await;
    h
}

#[tokio::test]
async fn the_sign_in_page_has_a_labelled_form_and_the_security_headers() {
    let h = harness().await;
    let answer = h.send(page("/sign-in", None)).await;
    expect(&answer, 200);
    assert_eq!(answer.headers[header::CONTENT_SECURITY_POLICY], CSP);
    assert_eq!(answer.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(answer.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(answer.headers["x-frame-options"], "DENY");
    assert!(
        answer.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = text(&answer);
    assert!(html.contains(r#"<label for="name">"#) && html.contains(r#"<input id="name""#));
    assert!(html.contains(r#"<label for="password">"#) && html.contains(r#"<input id="password""#));
    assert!(html.contains(r##"<a class="skip" href="#main">"##));
    assert!(html.contains(r#"<main id="main""#));
    // Nothing the CSP would block: no inline script or style.
    assert!(!html.contains("<script") && !html.contains("style="));
}

#[tokio::test]
async fn a_wrong_password_gets_the_form_again_with_one_generic_message() {
    let h = harness().await;
    for body in [
        "name=alice&password=wrong",
        "name=nobody&password=wrong",
        "name=alice",
    ] {
        let answer = h.send(form_post("/sign-in", None, body)).await;
        expect(&answer, 401);
        assert!(answer.headers.get(header::SET_COOKIE).is_none());
        let html = text(&answer);
        assert!(html.contains("Wrong user name or password."), "{html}");
        assert!(html.contains(r#"<form method="post" action="/sign-in">"#));
    }
}

#[tokio::test]
async fn too_many_failures_are_a_429_page() {
    let h = harness().await;
    let mut last = None;
    for _ in 0..20 {
        let answer = h
            .send(form_post("/sign-in", None, "name=alice&password=wrong"))
            .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            last = Some(answer);
            break;
        }
    }
    let answer = last.expect("throttled within 20 attempts");
    assert!(text(&answer).contains("Too many attempts"));
    assert!(answer.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(answer.headers[header::CONTENT_SECURITY_POLICY], CSP);
}

#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_redirects_home() {
    let h = harness().await;
    let answer = h
        .send(form_post(
            "/sign-in",
            None,
            &format!("name=alice&password={}", PASSWORD.replace(' ', "+")),
        ))
        .await;
    expect(&answer, 303);
    assert_eq!(answer.headers[header::LOCATION], "/");
    let cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("rampart_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    // The default configuration serves plain HTTP (behind a TLS proxy it
    // sets `secure_cookies`).
    assert!(!cookie.contains("Secure"), "{cookie}");

    let config = rampart_server::ServerConfig {
        secure_cookies: true,
        ..rampart_server::ServerConfig::default()
    };
    let mut h = Harness::with_config(config).await;
    h.user("alice", GlobalRole::Engineer).await;
    let answer = h
        .send(form_post(
            "/sign-in",
            None,
            &format!("name=alice&password={}", PASSWORD.replace(' ', "+")),
        ))
        .await;
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
}

#[tokio::test]
async fn anonymous_pages_redirect_to_sign_in_and_api_routes_stay_json() {
    let h = harness().await;
    for path in ["/", "/incidents/SEC-2026-0001"] {
        let answer = h.send(page(path, None)).await;
        expect(&answer, 303);
        assert_eq!(answer.headers[header::LOCATION], "/sign-in");
    }
    let answer = h.send(form_post("/incidents", None, "title=x")).await;
    expect(&answer, 303);
    let answer = h.send(page("/api/v1/incidents", None)).await;
    expect(&answer, 401);
    assert_eq!(answer.body["error"]["code"], "unauthorized");
    let answer = h.send(page("/api/v1/nothing", None)).await;
    expect(&answer, 404);
    assert_eq!(answer.body["error"]["code"], "not_found");
    let answer = h.send(page("/nothing", None)).await;
    expect(&answer, 404);
    assert!(text(&answer).contains("<h1>Not found</h1>"));
    assert_eq!(answer.headers[header::CONTENT_SECURITY_POLICY], CSP);
}

#[tokio::test]
async fn posts_without_or_with_a_wrong_csrf_token_are_403_and_change_nothing() {
    let h = harness().await;
    let alice = sign_in(&h, "alice").await;
    let declare = "title=Leaked+key&severity=SEV2&tlp=TLP%3AAMBER&detected_by=person";
    for body in [
        declare.to_owned(),
        format!("csrf=&{declare}"),
        format!("csrf={}&{declare}", "0".repeat(64)),
    ] {
        let answer = h
            .send(form_post("/incidents", Some(&alice.cookie), &body))
            .await;
        expect(&answer, 403);
        assert!(text(&answer).contains("<h1>Not allowed</h1>"));
    }
    let answer = h
        .send(form_post("/sign-out", Some(&alice.cookie), "csrf=nope"))
        .await;
    expect(&answer, 403);
    // Still signed in, and nothing was declared.
    let home = h.send(page("/", Some(&alice.cookie))).await;
    expect(&home, 200);
    assert!(text(&home).contains("You are not a member of any incident."));
    // Bob's token does not work for Alice's session.
    let bob = sign_in(&h, "bob").await;
    let answer = h
        .send(form_post(
            "/incidents",
            Some(&alice.cookie),
            &format!("csrf={}&{declare}", bob.csrf),
        ))
        .await;
    expect(&answer, 403);
    // The right one does.
    let answer = h
        .send(form_post(
            "/incidents",
            Some(&alice.cookie),
            &format!("csrf={}&{declare}", alice.csrf),
        ))
        .await;
    expect(&answer, 303);
    assert!(
        answer.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/incidents/SEC-")
    );
}

#[tokio::test]
async fn the_session_csrf_token_also_works_as_the_api_header() {
    let h = harness().await;
    let alice = sign_in(&h, "alice").await;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/incidents")
        .header(header::COOKIE, &alice.cookie)
        .header(rampart_api::CSRF_HEADER, &alice.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"title": "t", "severity": "SEV3", "tlp": "TLP:GREEN"}).to_string(),
        ))
        .unwrap();
    expect(&h.send(request).await, 201);
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let h = harness().await;
    let alice = sign_in(&h, "alice").await;
    let answer = h
        .send(form_post(
            "/sign-out",
            Some(&alice.cookie),
            &format!("csrf={}", alice.csrf),
        ))
        .await;
    expect(&answer, 303);
    assert_eq!(answer.headers[header::LOCATION], "/sign-in");
    assert!(
        answer.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let answer = h.send(page("/", Some(&alice.cookie))).await;
    expect(&answer, 303);
}

#[tokio::test]
async fn viewers_may_not_declare() {
    let h = harness().await;
    let victor = sign_in(&h, "victor").await;
    let home = text(&h.send(page("/", Some(&victor.cookie))).await);
    assert!(!home.contains("Declare an incident"));
    let answer = h
        .send(form_post(
            "/incidents",
            Some(&victor.cookie),
            &format!("csrf={}&title=x&severity=SEV2&tlp=TLP%3AAMBER", victor.csrf),
        ))
        .await;
    expect(&answer, 403);
    assert!(text(&answer).contains("viewers cannot declare incidents"));
}

#[tokio::test]
async fn the_dashboard_lists_only_visible_incidents() {
    let h = harness().await;
    let mine = h.declare("alice", "Alice's incident").await;
    let theirs = h.declare("bob", "Bob's secret incident").await;
    let alice = sign_in(&h, "alice").await;
    let html = text(&h.send(page("/", Some(&alice.cookie))).await);
    assert!(
        html.contains(&mine) && html.contains("Alice&#39;s incident"),
        "{html}"
    );
    assert!(!html.contains(&theirs) && !html.contains("Bob"), "{html}");
}

#[tokio::test]
async fn a_hidden_incident_page_is_the_same_as_a_missing_one() {
    let h = harness().await;
    let theirs = h.declare("bob", "Bob's secret incident").await;
    let alice = sign_in(&h, "alice").await;
    let hidden = h
        .send(page(&format!("/incidents/{theirs}"), Some(&alice.cookie)))
        .await;
    let missing = h
        .send(page("/incidents/SEC-2020-9999", Some(&alice.cookie)))
        .await;
    let malformed = h.send(page("/incidents/nope", Some(&alice.cookie))).await;
    expect(&hidden, 404);
    assert_eq!(hidden.raw, missing.raw);
    assert_eq!(hidden.raw, malformed.raw);
    assert_eq!(hidden.headers, missing.headers);
    assert!(!text(&hidden).contains("Bob"));
    // Both attempts are audited like the API's.
    let audit = h.get("bob", "/api/v1/incidents").await;
    expect(&audit, 200);
}

#[tokio::test]
async fn a_member_sees_the_board_the_banner_and_the_timelines() {
    let h = harness().await;
    let id = h.declare("alice", "Leaked deploy key").await;
    for (time, certainty, what) in [
        (
            "2026-01-02T03:04:00Z",
            "confirmed",
            "Key pushed to a public repo",
        ),
        (
            "2026-01-03T10:00:00Z",
            "suspected",
            "Clone from an unknown address",
        ),
    ] {
        let answer = h
            .post(
                "alice",
                &format!("/api/v1/incidents/{id}/records"),
                json!({"kind": "attack_timeline_entry", "record": {"event_time": time, "timezone": "UTC",
                       "source": "git log", "certainty": certainty, "description": what}}),
            )
            .await;
        expect(&answer, 201);
    }
    let alice = sign_in(&h, "alice").await;
    let answer = h
        .send(page(&format!("/incidents/{id}"), Some(&alice.cookie)))
        .await;
    expect(&answer, 200);
    assert_eq!(answer.headers[header::CONTENT_SECURITY_POLICY], CSP);
    let html = text(&answer);
    assert_eq!(html.matches(r#"<li class="card state-"#).count(), 14);
    assert!(html.contains(r#"<div class="tlp-banner tlp-amber" role="note">TLP:AMBER</div>"#));
    assert!(html.contains("Commander</dt><dd>alice</dd>"));
    assert!(html.contains(r#"class="marker confirmed""#));
    assert!(html.contains(r#"class="marker suspected""#));
    assert!(
        html.contains(
            r#"<strong class="certainty">suspected</strong> Clone from an unknown address"#
        )
    );
    assert!(!html.contains("<script") && !html.contains("style="));
}

#[tokio::test]
async fn the_step_form_changes_state_through_the_api_rules() {
    let h = harness().await;
    let id = h.declare("alice", "Step form").await;
    let alice = sign_in(&h, "alice").await;
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/1"),
            Some(&alice.cookie),
            &format!("csrf={}&state=in_progress&rationale=", alice.csrf),
        ))
        .await;
    expect(&answer, 303);
    assert_eq!(
        answer.headers[header::LOCATION],
        format!("/incidents/{id}#step-1").as_str()
    );
    let steps = h
        .get("alice", &format!("/api/v1/incidents/{id}/steps"))
        .await;
    assert_eq!(steps.body["steps"][0]["state"], "in_progress");
    // "Not needed" needs a reason, as in the API: the rule's message as a page.
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/2"),
            Some(&alice.cookie),
            &format!("csrf={}&state=not_needed&rationale=", alice.csrf),
        ))
        .await;
    expect(&answer, 422);
    assert!(text(&answer).contains("rationale"));
    // A non-member gets the 404 page, not a 403.
    let bob = sign_in(&h, "bob").await;
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/steps/1"),
            Some(&bob.cookie),
            &format!("csrf={}&state=done", bob.csrf),
        ))
        .await;
    expect(&answer, 404);
}

#[tokio::test]
async fn titles_are_escaped() {
    let h = harness().await;
    let id = h.declare("alice", "<script>alert(1)</script> & co").await;
    let alice = sign_in(&h, "alice").await;
    for path in ["/".to_owned(), format!("/incidents/{id}")] {
        let html = text(&h.send(page(&path, Some(&alice.cookie))).await);
        assert!(!html.contains("<script>alert(1)</script>"), "{path}");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; co"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_immutable_under_its_hash() {
    let h = harness().await;
    let html = text(&h.send(page("/sign-in", None)).await);
    let start = html.find("/assets/rampart-").unwrap();
    let path = &html[start..start + html[start..].find('"').unwrap()];
    let answer = h.send(page(path, None)).await;
    expect(&answer, 200);
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert_eq!(
        answer.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(text(&answer).contains(".tlp-red { color: #ff2b2b; }"));
    // Another name (an old build's hash) is not served.
    let answer = h
        .send(page("/assets/rampart-0000000000000000.css", None))
        .await;
    expect(&answer, 404);
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn page_snapshots() {
    let h = harness().await;
    let id = h.declare("alice", "Leaked deploy key").await;
    let detail = h.get("alice", &format!("/api/v1/incidents/{id}")).await;
    let codename = detail.body["incident"]["codename"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/records"),
            json!({"kind": "attack_timeline_entry", "record": {"event_time": "2026-01-02T03:04:00Z",
                   "timezone": "UTC", "source": "git log", "certainty": "confirmed",
                   "description": "Key pushed to a public repo"}}),
        )
        .await;
    expect(&answer, 201);
    let replace = [(codename.as_str(), "[codename]")];
    let sign_in_page = text(&h.send(page("/sign-in", None)).await);
    insta::assert_snapshot!("sign_in", stable(&sign_in_page, &replace));
    let alice = sign_in(&h, "alice").await;
    let home = text(&h.send(page("/", Some(&alice.cookie))).await);
    insta::assert_snapshot!("dashboard", stable(&home, &replace));
    let incident = text(
        &h.send(page(&format!("/incidents/{id}"), Some(&alice.cookie)))
            .await,
    );
    insta::assert_snapshot!("incident", stable(&incident, &replace));
    let missing = text(
        &h.send(page("/incidents/SEC-2020-9999", Some(&alice.cookie)))
            .await,
    );
    insta::assert_snapshot!("not_found", stable(&missing, &replace));
}

#[tokio::test]
async fn break_glass_access_shows_a_banner_to_everyone() {
    let mut h = harness().await;
    h.user("eve", GlobalRole::Security).await;
    h.user("sam", GlobalRole::Security).await;
    let id = h.declare("alice", "Insider suspected").await;
    let alice = sign_in(&h, "alice").await;
    let before = text(
        &h.send(page(&format!("/incidents/{id}"), Some(&alice.cookie)))
            .await,
    );
    assert!(!before.contains("class=\"break-glass\""));
    let asked = h
        .post(
            "eve",
            &format!("/api/v1/incidents/{id}/break-glass"),
            json!({"reason": "commander asleep, data leaking"}),
        )
        .await;
    expect(&asked, 202);
    let queue = h.get("sam", "/api/v1/break-glass").await;
    let request_id = queue.body["requests"][0]["id"].as_i64().unwrap();
    let approved = h
        .post(
            "sam",
            &format!("/api/v1/break-glass/{request_id}/decision"),
            json!({"approve": true}),
        )
        .await;
    expect(&approved, 200);
    for browser in [alice, sign_in(&h, "eve").await] {
        let html = text(
            &h.send(page(&format!("/incidents/{id}"), Some(&browser.cookie)))
                .await,
        );
        assert!(
            html.contains(
                r#"<div class="break-glass" role="alert">Break-glass access is held by: eve</div>"#
            ),
            "{html}"
        );
    }
}

#[tokio::test]
async fn a_cross_site_sign_in_post_is_refused() {
    let h = harness().await;
    let mut request = form_post(
        "/sign-in",
        None,
        &format!("name=alice&password={}", PASSWORD.replace(' ', "+")),
    );
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let answer = h.send(request).await;
    expect(&answer, 403);
    assert!(answer.headers.get(header::SET_COOKIE).is_none());
}

#[tokio::test]
async fn the_board_tells_the_commander_of_waiting_access_requests() {
    let h = harness().await;
    let id = h.declare("alice", "Suspicious sign-ins").await;
    let answer = h
        .post(
            "bob",
            &format!("/api/v1/incidents/{id}/access-requests"),
            json!({"role": "responder", "reason": "I own the identity provider"}),
        )
        .await;
    expect(&answer, 202);
    let alice = sign_in(&h, "alice").await;
    let board = text(
        &h.send(page(&format!("/incidents/{id}"), Some(&alice.cookie)))
            .await,
    );
    assert!(
        board.contains("1 access request waiting for a decision"),
        "{board}"
    );
    // A responder cannot decide requests, so is not told of them.
    let answer = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/members"),
            json!({"user": "victor", "role": "responder"}),
        )
        .await;
    expect(&answer, 201);
    let victor = sign_in(&h, "victor").await;
    let board = text(
        &h.send(page(&format!("/incidents/{id}"), Some(&victor.cookie)))
            .await,
    );
    assert!(board.contains("Manage members and access"));
    assert!(!board.contains("waiting for a decision"));
}
