//! The web UI's account and administration pages through the router: API
//! tokens, users, an incident's members and access requests, requesting
//! access and break-glass. Every change is checked through the API too.

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::web::{Browser, form_post, page, sign_in, stable, text};
use common::{Answer, Harness, PASSWORD, expect};
use rampart_incident::GlobalRole;
use serde_json::json;

async fn harness() -> Harness {
    let mut h = Harness::new().await;
    h.user("root", GlobalRole::Admin).await;
    h.user("alice", GlobalRole::Engineer).await;
    h.user("bob", GlobalRole::Engineer).await;
    h.user("carol", GlobalRole::Engineer).await;
    h.user("sam", GlobalRole::Security).await;
    h.user("victor", GlobalRole::Viewer).await;
    h
}

async fn get(h: &Harness, path: &str, browser: &Browser) -> Answer {
    h.send(page(path, Some(&browser.cookie))).await
}

async fn post(h: &Harness, path: &str, browser: &Browser, fields: &str) -> Answer {
    let body = format!("csrf={}&{fields}", browser.csrf);
    h.send(form_post(path, Some(&browser.cookie), &body)).await
}

async fn post_without_csrf(h: &Harness, path: &str, browser: &Browser, fields: &str) -> Answer {
    h.send(form_post(path, Some(&browser.cookie), fields)).await
}

#[track_caller]
fn redirects_to(answer: &Answer, location: &str) {
    expect(answer, 303);
    assert_eq!(answer.headers[header::LOCATION], location);
}

async fn me_with(h: &Harness, token: &str) -> Answer {
    let request = Request::builder()
        .uri("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    h.send(request).await
}

/// The value of the read-only field that shows a new token.
fn shown_token(html: &str) -> String {
    let marker = r#"<input id="new-token" class="secret" type="text" value=""#;
    let start = html.find(marker).expect("the new token") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn members(h: &Harness, id: &str) -> Vec<(String, String)> {
    let answer = h
        .get("alice", &format!("/api/v1/incidents/{id}/members"))
        .await;
    expect(&answer, 200);
    answer.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_token_made_on_the_page_works_once_shown_and_stops_when_revoked() {
    let h = harness().await;
    let alice = sign_in(&h, "alice").await;
    let answer = post(
        &h,
        "/account/tokens",
        &alice,
        "name=ci-pipeline&expires_in_days=30",
    )
    .await;
    // The token is in this answer, not behind a redirect or in a URL.
    expect(&answer, 201);
    assert!(answer.headers.get(header::LOCATION).is_none());
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let html = text(&answer);
    assert!(html.contains("Copy this token now."), "{html}");
    let token = shown_token(&html);
    assert!(token.starts_with("rmp_"), "{token}");

    let me = me_with(&h, &token).await;
    expect(&me, 200);
    assert_eq!(me.body["user"]["name"], "alice");
    assert_eq!(me.body["auth"], "token");

    // Listed by name and prefix, never the token itself.
    let list = text(&get(&h, "/account/tokens", &alice).await);
    assert!(
        list.contains("<th scope=\"row\">ci-pipeline</th>"),
        "{list}"
    );
    assert!(!list.contains(&token));
    let api = h.get("alice", "/api/v1/tokens").await;
    let made = api.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "ci-pipeline")
        .unwrap()
        .clone();
    assert!(list.contains(&format!(
        "<code>{}…</code>",
        made["prefix"].as_str().unwrap()
    )));
    assert!(made["expires_at"].is_string());

    let id = made["id"].as_i64().unwrap();
    let answer = post(&h, &format!("/account/tokens/{id}/revoke"), &alice, "").await;
    redirects_to(&answer, "/account/tokens");
    expect(&me_with(&h, &token).await, 401);
    let list = text(&get(&h, "/account/tokens", &alice).await);
    assert!(
        !list.contains("<th scope=\"row\">ci-pipeline</th>"),
        "{list}"
    );
}

#[tokio::test]
async fn token_forms_need_the_csrf_token_and_the_api_rules() {
    let h = harness().await;
    let alice = sign_in(&h, "alice").await;
    let count = |answer: Answer| answer.body["tokens"].as_array().unwrap().len();
    let before = count(h.get("alice", "/api/v1/tokens").await);
    let answer = post_without_csrf(&h, "/account/tokens", &alice, "name=sneaky").await;
    expect(&answer, 403);
    assert!(text(&answer).contains("<h1>Not allowed</h1>"));
    assert_eq!(count(h.get("alice", "/api/v1/tokens").await), before);

    // The API's validation, as a page.
    for fields in [
        "name=x&expires_in_days=0",
        "name=x&expires_in_days=soon",
        "name=+&expires_in_days=",
    ] {
        let answer = post(&h, "/account/tokens", &alice, fields).await;
        expect(&answer, 422);
    }
    // An empty lifetime is a token that does not expire.
    let answer = post(
        &h,
        "/account/tokens",
        &alice,
        "name=forever&expires_in_days=",
    )
    .await;
    expect(&answer, 201);
    assert!(text(&answer).contains("Expires: never."));
    assert_eq!(count(h.get("alice", "/api/v1/tokens").await), before + 1);

    // Revoking someone else's token (Bob's) is "not found", and it still works.
    let bobs = h.get("bob", "/api/v1/tokens").await;
    let bobs_id = bobs.body["tokens"][0]["id"].as_i64().unwrap();
    let answer = post(&h, &format!("/account/tokens/{bobs_id}/revoke"), &alice, "").await;
    expect(&answer, 404);
    expect(&h.get("bob", "/api/v1/me").await, 200);
    let answer = post_without_csrf(&h, "/account/tokens/1/revoke", &alice, "").await;
    expect(&answer, 403);
}

#[tokio::test]
async fn an_admin_manages_users_on_the_page() {
    let h = harness().await;
    let root = sign_in(&h, "root").await;
    let answer = get(&h, "/admin/users", &root).await;
    expect(&answer, 200);
    let html = text(&answer);
    for name in ["root", "alice", "victor"] {
        assert!(
            html.contains(&format!("<th scope=\"row\">{name}</th>")),
            "{html}"
        );
    }

    let password = PASSWORD.replace(' ', "+");
    let answer = post(
        &h,
        "/admin/users",
        &root,
        &format!("name=dana&role=security&password={password}"),
    )
    .await;
    redirects_to(&answer, "/admin/users");
    let dana = sign_in(&h, "dana").await;
    let users = h.get("root", "/api/v1/users").await;
    let find = |answer: &Answer, name: &str| {
        answer.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find(&users, "dana")["role"], "security");

    // A token-only account: no password.
    let answer = post(
        &h,
        "/admin/users",
        &root,
        "name=robot&role=viewer&password=",
    )
    .await;
    redirects_to(&answer, "/admin/users");
    let users = h.get("root", "/api/v1/users").await;
    assert_eq!(find(&users, "robot")["has_password"], false);
    // The API's rules: a taken name, a short password.
    let answer = post(&h, "/admin/users", &root, "name=alice&role=viewer").await;
    expect(&answer, 409);
    let answer = post(
        &h,
        "/admin/users",
        &root,
        "name=eve&role=viewer&password=short",
    )
    .await;
    expect(&answer, 422);

    let answer = post(&h, "/admin/users/update", &root, "name=dana&role=engineer").await;
    redirects_to(&answer, "/admin/users");
    let answer = post(&h, "/admin/users/update", &root, "name=dana&disabled=true").await;
    redirects_to(&answer, "/admin/users");
    let users = h.get("root", "/api/v1/users").await;
    let row = find(&users, "dana");
    assert_eq!(
        (row["role"].clone(), row["disabled"].clone()),
        (json!("engineer"), json!(true))
    );
    // Disabled: the session no longer works, nor does signing in.
    expect(&get(&h, "/", &dana).await, 303);
    let html = text(&get(&h, "/admin/users", &root).await);
    assert!(html.contains(r#"aria-label="Enable dana""#), "{html}");
    let answer = post(&h, "/admin/users/update", &root, "name=dana&disabled=false").await;
    redirects_to(&answer, "/admin/users");
    sign_in(&h, "dana").await;

    // The last admin stays: the API's conflict, as a page.
    let answer = post(&h, "/admin/users/update", &root, "name=root&disabled=true").await;
    expect(&answer, 409);
    assert!(text(&answer).contains("last active admin"));
    let answer = post(&h, "/admin/users/update", &root, "name=nobody&role=viewer").await;
    expect(&answer, 404);
}

#[tokio::test]
async fn non_admins_are_refused_the_users_pages() {
    let h = harness().await;
    for name in ["alice", "sam", "victor"] {
        let browser = sign_in(&h, name).await;
        let answer = get(&h, "/admin/users", &browser).await;
        expect(&answer, 403);
        let html = text(&answer);
        assert!(html.contains("only an admin manages users"), "{html}");
        assert!(!html.contains("<th scope=\"row\">root</th>"));
        assert!(
            !html.contains(r#"href="/admin/users""#),
            "no Users link for {name}"
        );
        let answer = post(&h, "/admin/users", &browser, "name=mallory&role=admin").await;
        expect(&answer, 403);
        let answer = post(&h, "/admin/users/update", &browser, "name=alice&role=admin").await;
        expect(&answer, 403);
    }
    let users = h.get("root", "/api/v1/users").await;
    assert!(
        users.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["name"] != "mallory" && (u["name"] != "alice" || u["role"] == "engineer"))
    );
    // Even an admin's form needs the CSRF token.
    let root = sign_in(&h, "root").await;
    let answer = post_without_csrf(&h, "/admin/users", &root, "name=mallory&role=admin").await;
    expect(&answer, 403);
    let answer = post_without_csrf(&h, "/admin/users/update", &root, "name=alice&role=admin").await;
    expect(&answer, 403);
    let users = h.get("root", "/api/v1/users").await;
    assert_eq!(users.body["users"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn the_commander_manages_members_on_the_access_page() {
    let h = harness().await;
    let id = h.declare("alice", "Leaked deploy key").await;
    let alice = sign_in(&h, "alice").await;
    let path = format!("/incidents/{id}/access");
    let answer = get(&h, &path, &alice).await;
    expect(&answer, 200);
    let html = text(&answer);
    assert!(html.contains(r#"<div class="tlp-banner tlp-amber" role="note">TLP:AMBER</div>"#));
    assert!(
        html.contains(r#"aria-current="page">Members and access</a>"#),
        "{html}"
    );
    assert!(
        html.contains("<th scope=\"row\">alice</th>\n<td>commander</td>"),
        "{html}"
    );
    assert!(html.contains("No access request is waiting for a decision."));

    let back = format!("/incidents/{id}/access#members");
    let answer = post(
        &h,
        &format!("/incidents/{id}/members"),
        &alice,
        "user=bob&role=responder",
    )
    .await;
    redirects_to(&answer, &back);
    assert!(
        members(&h, &id)
            .await
            .contains(&("bob".into(), "responder".into()))
    );
    // Bob now sees the incident.
    let bob = sign_in(&h, "bob").await;
    expect(&get(&h, &format!("/incidents/{id}"), &bob).await, 200);

    let answer = post(
        &h,
        &format!("/incidents/{id}/members/role"),
        &alice,
        "user=bob&role=deputy",
    )
    .await;
    redirects_to(&answer, &back);
    assert!(
        members(&h, &id)
            .await
            .contains(&("bob".into(), "deputy".into()))
    );

    // The API's rules as pages: one commander stays; no unknown users.
    let answer = post(
        &h,
        &format!("/incidents/{id}/members/remove"),
        &alice,
        "user=alice",
    )
    .await;
    expect(&answer, 409);
    assert!(text(&answer).contains("the incident needs a commander"));
    let answer = post(
        &h,
        &format!("/incidents/{id}/members"),
        &alice,
        "user=nobody&role=observer",
    )
    .await;
    expect(&answer, 422);

    let answer = post(
        &h,
        &format!("/incidents/{id}/members/remove"),
        &alice,
        "user=bob",
    )
    .await;
    redirects_to(&answer, &back);
    assert!(!members(&h, &id).await.iter().any(|(user, _)| user == "bob"));
    expect(&get(&h, &format!("/incidents/{id}"), &bob).await, 404);

    // Without the CSRF token nothing changes.
    let answer = post_without_csrf(
        &h,
        &format!("/incidents/{id}/members"),
        &alice,
        "user=carol&role=observer",
    )
    .await;
    expect(&answer, 403);
    assert_eq!(members(&h, &id).await.len(), 1);
}

#[tokio::test]
async fn members_without_leadership_see_the_page_but_not_the_forms() {
    let h = harness().await;
    let id = h.declare("alice", "Leaked deploy key").await;
    let added = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/members"),
            json!({"user": "bob", "role": "responder"}),
        )
        .await;
    expect(&added, 201);
    let bob = sign_in(&h, "bob").await;
    let html = text(&get(&h, &format!("/incidents/{id}/access"), &bob).await);
    assert!(html.contains("<th scope=\"row\">bob</th>"), "{html}");
    assert!(
        !html.contains("/members/remove") && !html.contains("Add a member"),
        "{html}"
    );
    assert!(html.contains("Only the commander or a deputy sees and decides access requests."));
    // The responder is refused by the API's rule, with its 403.
    for (path, fields) in [
        (
            format!("/incidents/{id}/members"),
            "user=carol&role=observer",
        ),
        (
            format!("/incidents/{id}/members/role"),
            "user=alice&role=observer",
        ),
        (format!("/incidents/{id}/members/remove"), "user=alice"),
        (format!("/incidents/{id}/access-requests/1"), "approve=true"),
    ] {
        let answer = post(&h, &path, &bob, fields).await;
        expect(&answer, 403);
        assert!(
            text(&answer).contains("your role in this incident (responder) does not allow this")
        );
    }
    assert_eq!(members(&h, &id).await.len(), 2);
}

#[tokio::test]
async fn non_members_get_the_one_not_found_page() {
    let h = harness().await;
    let id = h.declare("alice", "Bob must not know").await;
    let carol = sign_in(&h, "carol").await;
    let missing = get(&h, "/incidents/SEC-2020-9999/access", &carol).await;
    expect(&missing, 404);
    let hidden = get(&h, &format!("/incidents/{id}/access"), &carol).await;
    assert_eq!(hidden.raw, missing.raw);
    assert_eq!(hidden.headers, missing.headers);
    assert!(!text(&hidden).contains("Bob must not know"));
    for (path, fields) in [
        ("members", "user=carol&role=commander"),
        ("members/role", "user=alice&role=observer"),
        ("members/remove", "user=alice"),
        ("access-requests/1", "approve=true"),
    ] {
        let hidden = post(&h, &format!("/incidents/{id}/{path}"), &carol, fields).await;
        let missing = post(
            &h,
            &format!("/incidents/SEC-2020-9999/{path}"),
            &carol,
            fields,
        )
        .await;
        expect(&hidden, 404);
        assert_eq!(hidden.raw, missing.raw, "{path}");
    }
    assert_eq!(
        members(&h, &id).await,
        vec![("alice".to_owned(), "commander".to_owned())]
    );
}

#[tokio::test]
async fn an_access_request_is_confirmed_alike_for_hidden_and_missing_incidents() {
    let h = harness().await;
    let id = h.declare("alice", "Restricted").await;
    let carol = sign_in(&h, "carol").await;
    let form = get(&h, "/access-requests/new", &carol).await;
    expect(&form, 200);
    assert!(!text(&form).contains("role=\"status\""));

    let mut answers = Vec::new();
    for incident in [id.as_str(), "SEC-2020-9999", "not-an-id"] {
        let answer = post(
            &h,
            "/access-requests",
            &carol,
            &format!("incident={incident}&role=responder&reason=I+run+the+affected+service"),
        )
        .await;
        redirects_to(&answer, "/access-requests/new?sent=access-request");
        let confirmation = get(
            &h,
            answer.headers[header::LOCATION].to_str().unwrap(),
            &carol,
        )
        .await;
        expect(&confirmation, 200);
        answers.push((answer, confirmation));
    }
    let (first, first_page) = &answers[0];
    for (answer, confirmation) in &answers[1..] {
        assert_eq!(answer.raw, first.raw);
        assert_eq!(answer.headers, first.headers);
        assert_eq!(confirmation.raw, first_page.raw);
    }
    let html = text(first_page);
    assert!(
        html.contains("If the incident exists, your access request has been passed on; you will be notified of the decision."),
        "{html}"
    );
    // A validation error says nothing about the incident either.
    let hidden = post(
        &h,
        "/access-requests",
        &carol,
        &format!("incident={id}&role=responder&reason="),
    )
    .await;
    let missing = post(
        &h,
        "/access-requests",
        &carol,
        "incident=SEC-2020-9999&role=responder&reason=",
    )
    .await;
    expect(&hidden, 422);
    assert_eq!(hidden.raw, missing.raw);
    // Without the CSRF token nothing is filed.
    let answer = post_without_csrf(
        &h,
        "/access-requests",
        &carol,
        &format!("incident={id}&role=observer&reason=x"),
    )
    .await;
    expect(&answer, 403);
    let requests = h
        .get("alice", &format!("/api/v1/incidents/{id}/access-requests"))
        .await;
    assert_eq!(requests.body["requests"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_commander_approves_and_denies_requests_on_the_page() {
    let h = harness().await;
    let id = h.declare("alice", "Restricted").await;
    let carol = sign_in(&h, "carol").await;
    let bob = sign_in(&h, "bob").await;
    let reason = "%3Cscript%3Ealert(1)%3C%2Fscript%3E+I+own+the+logs";
    for browser in [&carol, &bob] {
        let answer = post(
            &h,
            "/access-requests",
            browser,
            &format!("incident={id}&role=forensics&reason={reason}"),
        )
        .await;
        expect(&answer, 303);
    }
    let alice = sign_in(&h, "alice").await;
    let html = text(&get(&h, &format!("/incidents/{id}/access"), &alice).await);
    assert!(
        html.contains("<h3>carol asks to join as forensics</h3>"),
        "{html}"
    );
    assert!(
        html.contains("Reason: &#60;script&#62;alert(1)&#60;/script&#62; I own the logs"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    let requests = h
        .get("alice", &format!("/api/v1/incidents/{id}/access-requests"))
        .await;
    let id_of = |name: &str| {
        requests.body["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["requester"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (carols, bobs) = (id_of("carol"), id_of("bob"));
    let back = format!("/incidents/{id}/access#requests");
    let answer = post_without_csrf(
        &h,
        &format!("/incidents/{id}/access-requests/{carols}"),
        &alice,
        "approve=true",
    )
    .await;
    expect(&answer, 403);
    let answer = post(
        &h,
        &format!("/incidents/{id}/access-requests/{carols}"),
        &alice,
        "approve=true&reason=",
    )
    .await;
    redirects_to(&answer, &back);
    let answer = post(
        &h,
        &format!("/incidents/{id}/access-requests/{bobs}"),
        &alice,
        "approve=false&reason=Not+needed+yet",
    )
    .await;
    redirects_to(&answer, &back);
    assert!(
        members(&h, &id)
            .await
            .contains(&("carol".into(), "forensics".into()))
    );
    assert!(!members(&h, &id).await.iter().any(|(user, _)| user == "bob"));
    expect(&get(&h, &format!("/incidents/{id}"), &carol).await, 200);
    // Decided once: a second decision is the API's conflict.
    let answer = post(
        &h,
        &format!("/incidents/{id}/access-requests/{bobs}"),
        &alice,
        "approve=true",
    )
    .await;
    expect(&answer, 409);
    let html = text(&get(&h, &format!("/incidents/{id}/access"), &alice).await);
    assert!(html.contains("No access request is waiting for a decision."));
    assert!(
        html.contains(r#"<span class="status status-denied">denied</span></td><td>alice</td>"#),
        "{html}"
    );
    assert!(html.contains("Not needed yet"));
}

#[tokio::test]
async fn break_glass_is_asked_on_the_page_and_decided_in_the_security_queue() {
    let h = harness().await;
    let id = h.declare("alice", "Insider suspected").await;
    let carol = sign_in(&h, "carol").await;
    // The justification is mandatory (the API's rule).
    let answer = post(
        &h,
        "/break-glass",
        &carol,
        &format!("incident={id}&reason=+"),
    )
    .await;
    expect(&answer, 422);
    let hidden = post(
        &h,
        "/break-glass",
        &carol,
        &format!("incident={id}&reason=Commander+unreachable%2C+data+leaking"),
    )
    .await;
    let missing = post(
        &h,
        "/break-glass",
        &carol,
        "incident=SEC-2020-9999&reason=Commander+unreachable%2C+data+leaking",
    )
    .await;
    redirects_to(&hidden, "/access-requests/new?sent=break-glass");
    assert_eq!(hidden.raw, missing.raw);
    assert_eq!(hidden.headers, missing.headers);
    let confirmation = text(&get(&h, "/access-requests/new?sent=break-glass", &carol).await);
    assert!(
        confirmation
            .contains("If the incident exists, your break-glass request has been passed on")
    );

    // Only the security role reviews; the admin and the requester are refused.
    for name in ["root", "alice"] {
        let browser = sign_in(&h, name).await;
        let answer = get(&h, "/admin/break-glass", &browser).await;
        expect(&answer, 403);
        assert!(text(&answer).contains("only the security role decides break-glass requests"));
    }
    let sam = sign_in(&h, "sam").await;
    let queue = get(&h, "/admin/break-glass", &sam).await;
    expect(&queue, 200);
    let html = text(&queue);
    assert!(
        html.contains("Commander unreachable, data leaking"),
        "{html}"
    );
    assert!(
        !html.contains("Insider suspected"),
        "the title stays hidden: {html}"
    );
    let api = h.get("sam", "/api/v1/break-glass").await;
    let request_id = api.body["requests"][0]["id"].as_i64().unwrap();
    let answer = post_without_csrf(
        &h,
        &format!("/admin/break-glass/{request_id}"),
        &sam,
        "approve=true",
    )
    .await;
    expect(&answer, 403);
    expect(&get(&h, &format!("/incidents/{id}"), &carol).await, 404);
    let answer = post(
        &h,
        &format!("/admin/break-glass/{request_id}"),
        &sam,
        "approve=true",
    )
    .await;
    redirects_to(&answer, "/admin/break-glass");
    assert!(
        text(&get(&h, "/admin/break-glass", &sam).await)
            .contains("No break-glass request is waiting for you.")
    );
    expect(&get(&h, &format!("/incidents/{id}"), &carol).await, 200);

    // The commander sees the grant, with the reason, and the banner.
    let alice = sign_in(&h, "alice").await;
    let html = text(&get(&h, &format!("/incidents/{id}/access"), &alice).await);
    assert!(
        html.contains(
            r#"<div class="break-glass" role="alert">Break-glass access is held by: carol</div>"#
        ),
        "{html}"
    );
    assert!(html.contains("<tr><th scope=\"row\">carol</th><td>Commander unreachable, data leaking</td><td>sam</td>"), "{html}");
    // Break-glass access acts as a responder: no member management.
    let answer = post(
        &h,
        &format!("/incidents/{id}/members"),
        &carol,
        "user=bob&role=observer",
    )
    .await;
    expect(&answer, 403);
}

#[tokio::test]
async fn user_text_is_escaped() {
    let h = harness().await;
    let id = h.declare("alice", "<script>alert(1)</script> & co").await;
    let alice = sign_in(&h, "alice").await;
    let html = text(&get(&h, &format!("/incidents/{id}/access"), &alice).await);
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; co"),
        "{html}"
    );
    let answer = post(
        &h,
        "/account/tokens",
        &alice,
        "name=%3Cb%3Ebold%3C%2Fb%3E&expires_in_days=",
    )
    .await;
    expect(&answer, 201);
    for html in [
        text(&answer),
        text(&get(&h, "/account/tokens", &alice).await),
    ] {
        assert!(!html.contains("<b>bold</b>"));
        assert!(html.contains("&#60;b&#62;bold&#60;/b&#62;"), "{html}");
    }
    for html in [
        text(&get(&h, "/account/tokens", &alice).await),
        text(&get(&h, &format!("/incidents/{id}/access"), &alice).await),
        text(&get(&h, "/access-requests/new", &alice).await),
    ] {
        assert!(!html.contains("<script") && !html.contains("style="));
    }
}

#[tokio::test]
async fn anonymous_browsers_are_sent_to_sign_in() {
    let h = harness().await;
    for path in [
        "/account/tokens",
        "/admin/users",
        "/admin/break-glass",
        "/access-requests/new",
        "/incidents/SEC-2026-0001/access",
    ] {
        redirects_to(&h.send(page(path, None)).await, "/sign-in");
    }
    redirects_to(
        &h.send(form_post("/account/tokens", None, "name=x")).await,
        "/sign-in",
    );
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
    let added = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/members"),
            json!({"user": "bob", "role": "scribe"}),
        )
        .await;
    expect(&added, 201);
    let asked = h
        .post(
            "carol",
            &format!("/api/v1/incidents/{id}/access-requests"),
            json!({"role": "forensics", "reason": "I keep the CI logs"}),
        )
        .await;
    expect(&asked, 202);
    let glass = h
        .post(
            "carol",
            &format!("/api/v1/incidents/{id}/break-glass"),
            json!({"reason": "Commander unreachable"}),
        )
        .await;
    expect(&glass, 202);
    let made = h
        .post(
            "alice",
            "/api/v1/tokens",
            json!({"name": "ci-pipeline", "expires_in_days": 30}),
        )
        .await;
    expect(&made, 201);
    let mut replace = vec![(codename.clone(), "[codename]".to_owned())];
    let tokens = h.get("alice", "/api/v1/tokens").await;
    for token in tokens.body["tokens"].as_array().unwrap() {
        replace.push((
            format!("{}…", token["prefix"].as_str().unwrap()),
            "[prefix]…".into(),
        ));
        replace.push((
            format!("/account/tokens/{}/", token["id"]),
            "/account/tokens/[id]/".into(),
        ));
    }
    let replace: Vec<(&str, &str)> = replace
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();

    let alice = sign_in(&h, "alice").await;
    let access = text(&get(&h, &format!("/incidents/{id}/access"), &alice).await);
    let access = access.replace(
        &format!("/access-requests/{}\"", asked_id(&h, &id).await),
        "/access-requests/[id]\"",
    );
    insta::assert_snapshot!("access", stable(&access, &replace));
    let list = text(&get(&h, "/account/tokens", &alice).await);
    insta::assert_snapshot!("tokens", stable(&list, &replace));
    let request = text(&get(&h, "/access-requests/new?sent=access-request", &alice).await);
    insta::assert_snapshot!("access_request", stable(&request, &replace));
    let root = sign_in(&h, "root").await;
    let users = text(&get(&h, "/admin/users", &root).await);
    insta::assert_snapshot!("admin_users", stable(&users, &replace));
    let sam = sign_in(&h, "sam").await;
    let queue = text(&get(&h, "/admin/break-glass", &sam).await);
    insta::assert_snapshot!("admin_break_glass", stable(&queue, &replace));
}

async fn asked_id(h: &Harness, id: &str) -> i64 {
    let requests = h
        .get("alice", &format!("/api/v1/incidents/{id}/access-requests"))
        .await;
    requests.body["requests"][0]["id"].as_i64().unwrap()
}
