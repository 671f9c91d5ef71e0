//! End-to-end behaviour of the API over a real SQLite store.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::{Harness, PASSWORD, expect};
use rampart_incident::GlobalRole;
use rampart_store::Store;
use serde_json::json;

fn sign_in_request(name: &str, password: &str) -> Request<Body> {
    Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"name": name, "password": password}).to_string(),
        ))
        .unwrap()
}

#[tokio::test]
async fn session_cookie_with_csrf_protection_and_sign_out() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    let answer = h.send(sign_in_request("cora", PASSWORD)).await;
    expect(&answer, 200);
    let cookie = answer.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "secure_cookies defaults to false"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let csrf = answer.body["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 64);

    let with_cookie =
        |method: Method, path: &str, csrf: Option<&str>, body: Option<serde_json::Value>| {
            let mut request = Request::builder()
                .method(method)
                .uri(path)
                .header(header::COOKIE, &session);
            if let Some(csrf) = csrf {
                request = request.header("X-CSRF-Token", csrf);
            }
            match body {
                Some(body) => request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
                None => request.body(Body::empty()).unwrap(),
            }
        };
    let me = h
        .send(with_cookie(Method::GET, "/api/v1/me", None, None))
        .await;
    expect(&me, 200);
    assert_eq!(me.body["auth"], "session");
    let declare = json!({"title": "t", "severity": "SEV3", "tlp": "clear"});
    let head = h.store.audit_head().await.unwrap();
    let missing = h
        .send(with_cookie(
            Method::POST,
            "/api/v1/incidents",
            None,
            Some(declare.clone()),
        ))
        .await;
    expect(&missing, 403);
    assert_eq!(missing.body["error"]["code"], "forbidden");
    let wrong = h
        .send(with_cookie(
            Method::POST,
            "/api/v1/incidents",
            Some(&"0".repeat(64)),
            Some(declare.clone()),
        ))
        .await;
    expect(&wrong, 403);
    assert_eq!(
        h.store.audit_head().await.unwrap(),
        head,
        "a refused request writes nothing"
    );
    expect(
        &h.send(with_cookie(
            Method::POST,
            "/api/v1/incidents",
            Some(&csrf),
            Some(declare),
        ))
        .await,
        201,
    );
    // Bearer tokens need no CSRF token.
    expect(
        &h.post("cora", "/api/v1/tokens", json!({"name": "ci"}))
            .await,
        201,
    );
    expect(
        &h.send(with_cookie(Method::DELETE, "/api/v1/session", None, None))
            .await,
        403,
    );
    let out = h
        .send(with_cookie(
            Method::DELETE,
            "/api/v1/session",
            Some(&csrf),
            None,
        ))
        .await;
    expect(&out, 204);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    expect(
        &h.send(with_cookie(Method::GET, "/api/v1/me", None, None))
            .await,
        401,
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_by_name_and_unknown_users_look_the_same() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    let wrong = h.send(sign_in_request("cora", "wrong password!")).await;
    let unknown = h.send(sign_in_request("nobody", "wrong password!")).await;
    expect(&wrong, 401);
    assert_eq!(
        wrong.raw, unknown.raw,
        "unknown user and wrong password answer alike"
    );
    for _ in 0..3 {
        expect(
            &h.send(sign_in_request("cora", "wrong password!")).await,
            401,
        );
    }
    // Five failures from this client (four for cora): even the right
    // password waits now.
    let throttled = h.send(sign_in_request("cora", PASSWORD)).await;
    expect(&throttled, 429);
    assert_eq!(throttled.body["error"]["code"], "rate_limited");
    assert_eq!(throttled.headers[header::RETRY_AFTER], "900");
}

#[tokio::test]
async fn revoked_expired_and_disabled_credentials_get_401() {
    let mut h = Harness::new().await;
    h.user("ada", GlobalRole::Admin).await;
    h.user("cora", GlobalRole::Engineer).await;
    let created = h
        .post(
            "cora",
            "/api/v1/tokens",
            json!({"name": "short", "expires_in_days": 1}),
        )
        .await;
    expect(&created, 201);
    let token = created.body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("rmp_"));
    assert!(
        !created
            .raw
            .windows(64)
            .any(|w| w == rampart_server::auth::token_hash(&token).as_bytes())
    );
    h.tokens.insert("short".into(), token);
    expect(&h.get("short", "/api/v1/me").await, 200);
    let id = created.body["metadata"]["id"].as_i64().unwrap();
    expect(
        &h.call(
            Some("cora"),
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            None,
        )
        .await,
        200,
    );
    let revoked = h.get("short", "/api/v1/me").await;
    expect(&revoked, 401);
    assert!(revoked.headers.contains_key(header::WWW_AUTHENTICATE));

    // An expired token, stored directly.
    let expired = rampart_server::auth::new_api_token().unwrap();
    let cora = h
        .store
        .user_by_name(&"cora".parse::<String>().unwrap().try_into().unwrap())
        .await
        .unwrap()
        .unwrap();
    h.store
        .create_api_token(
            rampart_store::NewApiToken {
                user_id: cora.id,
                name: "old".into(),
                token_hash: expired.sha256_hex.clone(),
                prefix: expired.prefix.clone(),
                created_at: "2020-01-01T00:00:00Z".parse().unwrap(),
                expires_at: Some("2020-01-02T00:00:00Z".parse().unwrap()),
            },
            rampart_store::AuditDraft::new(
                rampart_server::auth::now(),
                rampart_audit::Actor::System {
                    component: "test".into(),
                },
                "token.create",
                rampart_audit::Target::new("token", "old"),
                json!({}),
            ),
        )
        .await
        .unwrap();
    h.tokens.insert("expired".into(), expired.plaintext);
    expect(&h.get("expired", "/api/v1/me").await, 401);
    expect(&h.call(None, Method::GET, "/api/v1/me", None).await, 401);

    // Disabling a user stops their token; the last admin cannot be disabled.
    expect(
        &h.patch("ada", "/api/v1/users/cora", json!({"disabled": true}))
            .await,
        200,
    );
    expect(&h.get("cora", "/api/v1/me").await, 401);
    let last = h
        .patch("ada", "/api/v1/users/ada", json!({"role": "viewer"}))
        .await;
    expect(&last, 409);
}

#[tokio::test]
async fn a_non_member_cannot_tell_a_hidden_incident_from_a_missing_one() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    h.user("ada", GlobalRole::Admin).await;
    let id = h.declare("cora", "Leaked signing key").await;
    let hidden = h.get("ada", &format!("/api/v1/incidents/{id}")).await;
    let missing = h.get("ada", "/api/v1/incidents/SEC-2099-0999").await;
    let malformed = h.get("ada", "/api/v1/incidents/not-an-id").await;
    expect(&hidden, 404);
    assert_eq!(hidden.raw, missing.raw);
    assert_eq!(hidden.raw, malformed.raw);
    for suffix in ["steps", "records", "log", "members"] {
        let a = h
            .get("ada", &format!("/api/v1/incidents/{id}/{suffix}"))
            .await;
        let b = h
            .get("ada", &format!("/api/v1/incidents/SEC-2099-0999/{suffix}"))
            .await;
        assert_eq!((a.status, &a.raw), (b.status, &b.raw), "{suffix}");
    }
    let list = h.get("ada", "/api/v1/incidents").await;
    assert_eq!(list.body["incidents"], json!([]));
    // Access requests answer alike whether or not the incident exists.
    let body = json!({"role": "observer", "reason": "curious"});
    let real = h
        .post(
            "ada",
            &format!("/api/v1/incidents/{id}/access-requests"),
            body.clone(),
        )
        .await;
    let fake = h
        .post(
            "ada",
            "/api/v1/incidents/SEC-2099-0999/access-requests",
            body,
        )
        .await;
    expect(&real, 202);
    assert_eq!(real.raw, fake.raw);
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    let id = h.declare("cora", "Token in a public repo").await;
    let path = format!("/api/v1/incidents/{id}/steps/1");
    expect(&h.patch("cora", &path, json!({"state": "done"})).await, 200);
    let token = h.tokens["cora"].clone();
    let raw = |content_type: &str, body: Vec<u8>| {
        Request::patch(&path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let parsed_id: rampart_incident::IncidentId = id.parse().unwrap();
    let version = h
        .store
        .incident(parsed_id)
        .await
        .unwrap()
        .unwrap()
        .summary
        .version;
    let head = h.store.audit_head().await.unwrap();
    let cases: Vec<(Request<Body>, u16, &str, Option<&str>)> = vec![
        (
            raw("application/json", b"{\"state\": ".to_vec()),
            400,
            "bad_request",
            None,
        ),
        (
            raw("text/plain", b"{\"state\": \"done\"}".to_vec()),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            raw("application/json", vec![b' '; 2 * 1024 * 1024]),
            413,
            "payload_too_large",
            None,
        ),
        (
            raw(
                "application/json",
                br#"{"state": "done", "colour": 1}"#.to_vec(),
            ),
            422,
            "validation",
            Some("colour"),
        ),
        (
            raw("application/json", br#"{"state": "finished"}"#.to_vec()),
            422,
            "validation",
            Some("state"),
        ),
        (
            raw("application/json", br#"{"state": "not_needed"}"#.to_vec()),
            422,
            "validation",
            Some("rationale"),
        ),
        // A repeated submission.
        (
            raw("application/json", br#"{"state": "done"}"#.to_vec()),
            409,
            "conflict",
            Some("state"),
        ),
    ];
    for (request, status, code, field) in cases {
        let answer = h.send(request).await;
        expect(&answer, status);
        assert_eq!(answer.body["error"]["code"], code, "{}", answer.body);
        assert_eq!(
            answer.body["error"]["field"].as_str(),
            field,
            "{}",
            answer.body
        );
        assert_eq!(
            h.store.audit_head().await.unwrap(),
            head,
            "{code} appended to the audit chain"
        );
        let now = h
            .store
            .incident(parsed_id)
            .await
            .unwrap()
            .unwrap()
            .summary
            .version;
        assert_eq!(now, version, "{code} changed the incident");
    }
    let malformed = h
        .send(raw("application/json", b"{\n  \"state\": nope}".to_vec()))
        .await;
    assert!(
        malformed.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2 column"),
        "{}",
        malformed.body
    );
    let declared = h
        .post(
            "cora",
            "/api/v1/incidents",
            json!({"title": " ", "severity": "SEV2", "tlp": "red"}),
        )
        .await;
    expect(&declared, 422);
    assert_eq!(declared.body["error"]["field"], "title");
    for header_name in ["x-content-type-options", "cache-control", "referrer-policy"] {
        assert!(declared.headers.contains_key(header_name), "{header_name}");
    }
}

#[tokio::test]
async fn declare_work_the_steps_with_warnings_and_close() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    h.user("rob", GlobalRole::Engineer).await;
    let id = h.declare("cora", "Miner on build hosts").await;
    let base = format!("/api/v1/incidents/{id}");
    let detail = h.get("cora", &base).await;
    assert_eq!(detail.body["steps"].as_array().unwrap().len(), 14);
    assert_eq!(detail.body["members"][0]["role"], "commander");
    assert_eq!(detail.body["access"]["via"], "membership");

    // Internal communication before containment: allowed, with a warning.
    let comms = h
        .patch(
            "cora",
            &format!("{base}/steps/11"),
            json!({"state": "in_progress"}),
        )
        .await;
    expect(&comms, 200);
    assert_eq!(
        comms.body["warnings"][0]["detail"]["kind"],
        "containment_incomplete"
    );
    assert!(
        comms.body["warnings"][0]["text"]
            .as_str()
            .unwrap()
            .contains("containment")
    );
    // Assembling before containment needs the reason.
    let assemble = h
        .patch(
            "cora",
            &format!("{base}/steps/3"),
            json!({"state": "in_progress"}),
        )
        .await;
    expect(&assemble, 422);
    assert_eq!(assemble.body["error"]["field"], "rationale");
    expect(
        &h.post(
            "cora",
            &format!("{base}/members"),
            json!({"user": "rob", "role": "responder"}),
        )
        .await,
        201,
    );
    let owner = h
        .patch(
            "cora",
            &format!("{base}/steps/1"),
            json!({"owner": "rob", "notes": "on it"}),
        )
        .await;
    expect(&owner, 200);
    assert_eq!(owner.body["step"]["owner"], "rob");

    let timeline = json!({"kind": "attack_timeline_entry", "record": {
        "event_time": "2026-01-05T03:00:00Z", "timezone": "UTC", "source": "auth log",
        "certainty": "suspected", "description": "first login from unknown ASN"}});
    let added = h.post("rob", &format!("{base}/records"), timeline).await;
    expect(&added, 201);
    assert!(
        added.body["record"]["record"]["record"]["recorded_at"].is_string(),
        "{}",
        added.body
    );
    let action = json!({"kind": "action_item", "record": {"kind": "monitoring", "title": "alert on miners",
        "owner": "rob", "due": "2026-06-01"}});
    let item = h
        .post("rob", &format!("{base}/records"), action.clone())
        .await;
    expect(&item, 201);
    let item_id = item.body["record"]["id"].as_i64().unwrap();
    let mut done = action.clone();
    done["record"]["status"] = json!("done");
    let updated = h
        .patch("rob", &format!("{base}/records/{item_id}"), done)
        .await;
    expect(&updated, 200);
    assert_eq!(updated.body["record"]["record"]["record"]["status"], "done");
    let step9 = h.get("cora", &format!("{base}/records?step=9")).await;
    assert_eq!(step9.body["records"].as_array().unwrap().len(), 1);
    expect(
        &h.get("cora", &format!("{base}/records?step=15")).await,
        422,
    );

    let closing = h
        .call(Some("cora"), Method::POST, &format!("{base}/close"), None)
        .await;
    expect(&closing, 409);
    assert!(
        closing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("step 2"),
        "{}",
        closing.body
    );
    for n in 1..=14 {
        let body = if n % 2 == 0 {
            json!({"state": "not_needed", "rationale": "does not apply here"})
        } else if n == 3 {
            json!({"state": "done", "rationale": "needed hands first"})
        } else {
            json!({"state": "done"})
        };
        let answer = h.patch("cora", &format!("{base}/steps/{n}"), body).await;
        assert!(answer.status == 200, "step {n}: {}", answer.body);
    }
    let closed = h
        .call(Some("cora"), Method::POST, &format!("{base}/close"), None)
        .await;
    expect(&closed, 200);
    assert_eq!(closed.body["incident"]["status"], "closed");
    expect(
        &h.patch("cora", &format!("{base}/steps/1"), json!({"notes": "late"}))
            .await,
        409,
    );
    expect(
        &h.call(Some("cora"), Method::POST, &format!("{base}/reopen"), None)
            .await,
        200,
    );

    let log = h.get("cora", &format!("{base}/log")).await;
    let summaries: Vec<&str> = log.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.iter().any(|s| s.contains("warning")),
        "{summaries:?}"
    );
    assert!(
        summaries.iter().any(|s| s.contains("owner set to rob")),
        "{summaries:?}"
    );
    let verify = h.get("cora", "/api/v1/audit/verify").await;
    expect(&verify, 403);
}

#[tokio::test]
async fn break_glass_with_a_second_approver_notifies_the_commander() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    h.user("eve", GlobalRole::Security).await;
    h.user("sam", GlobalRole::Security).await;
    let id = h.declare("cora", "Insider suspected").await;
    let base = format!("/api/v1/incidents/{id}");
    let asked = h
        .post(
            "eve",
            &format!("{base}/break-glass"),
            json!({"reason": "commander asleep, data leaking"}),
        )
        .await;
    expect(&asked, 202);
    let fake = h
        .post(
            "eve",
            "/api/v1/incidents/SEC-2099-0001/break-glass",
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(asked.raw, fake.raw);
    expect(
        &h.post(
            "eve",
            &format!("{base}/break-glass"),
            json!({"reason": " "}),
        )
        .await,
        422,
    );

    // eve cannot approve her own request and does not see it in her queue.
    assert_eq!(
        h.get("eve", "/api/v1/break-glass").await.body["requests"],
        json!([])
    );
    let queue = h.get("sam", "/api/v1/break-glass").await;
    let entry = &queue.body["requests"][0];
    assert_eq!(entry["incident"], id.as_str());
    assert!(entry["codename"].is_string());
    assert!(entry.get("title").is_none(), "the queue shows no title");
    let request_id = entry["id"].as_i64().unwrap();
    let own = h
        .post(
            "eve",
            &format!("/api/v1/break-glass/{request_id}/decision"),
            json!({"approve": true}),
        )
        .await;
    expect(&own, 403);
    expect(&h.get("eve", &base).await, 404);
    let approved = h
        .post(
            "sam",
            &format!("/api/v1/break-glass/{request_id}/decision"),
            json!({"approve": true}),
        )
        .await;
    expect(&approved, 200);
    assert_eq!(approved.body["state"], "approved");
    expect(
        &h.post(
            "sam",
            &format!("/api/v1/break-glass/{request_id}/decision"),
            json!({"approve": true}),
        )
        .await,
        409,
    );

    let detail = h.get("eve", &base).await;
    expect(&detail, 200);
    assert_eq!(detail.body["access"]["via"], "break_glass");
    assert_eq!(detail.body["break_glass"][0]["approved_by"], "sam");
    let notes = h.get("cora", "/api/v1/notifications").await;
    let note = &notes.body["notifications"][0];
    assert_eq!(note["kind"]["kind"], "break_glass");
    assert_eq!(note["kind"]["user"], "eve");
    let note_id = note["id"].as_i64().unwrap();
    expect(
        &h.call(
            Some("cora"),
            Method::POST,
            &format!("/api/v1/notifications/{note_id}/read"),
            None,
        )
        .await,
        204,
    );
    let verify = h.get("sam", "/api/v1/audit/verify").await;
    expect(&verify, 200);
    assert_eq!(verify.body["ok"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_step_updates_are_retried_not_lost() {
    let mut h = Harness::new().await;
    h.user("cora", GlobalRole::Engineer).await;
    let id = h.declare("cora", "Parallel work").await;
    let parsed: rampart_incident::IncidentId = id.parse().unwrap();
    let before = h
        .store
        .incident(parsed)
        .await
        .unwrap()
        .unwrap()
        .summary
        .version;
    let steps = [1, 2, 4, 5];
    let paths = steps.map(|n| format!("/api/v1/incidents/{id}/steps/{n}"));
    let updates = paths
        .each_ref()
        .map(|path| h.patch("cora", path, json!({"state": "in_progress"})));
    let answers = futures_join(updates).await;
    for answer in &answers {
        expect(answer, 200);
    }
    let after = h.store.incident(parsed).await.unwrap().unwrap();
    assert_eq!(after.summary.version, before + steps.len() as i64);
    for n in steps {
        let step = rampart_incident::Step::from_number(n).unwrap();
        assert_eq!(
            after.step(step).unwrap().entry.state,
            rampart_incident::StepState::InProgress
        );
    }
}

async fn futures_join<F: std::future::Future>(futures: [F; 4]) -> Vec<F::Output> {
    let [a, b, c, d] = futures;
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    vec![a, b, c, d]
}
