//! The evidence, communications and report pages through the router:
//! the forms reach the API's rules, CSRF and the access rule hold, user
//! text is escaped, and page snapshots.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::web::{Browser, form_post, page, sign_in, stable, text};
use common::{Answer, Harness, expect};
use rampart_incident::GlobalRole;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const BOUNDARY: &str = "rampart-test-boundary";

/// alice declares (commander); dan is deputy, lee legal, obi observer;
/// bob is not a member.
async fn team() -> (Harness, String) {
    let mut h = Harness::new().await;
    for name in ["alice", "bob", "dan", "lee", "obi"] {
        h.user(name, GlobalRole::Engineer).await;
    }
    let id = h.declare("alice", "Leaked deploy key").await;
    for (user, role) in [("dan", "deputy"), ("lee", "legal"), ("obi", "observer")] {
        let added = h
            .post(
                "alice",
                &format!("/api/v1/incidents/{id}/members"),
                json!({"user": user, "role": role}),
            )
            .await;
        expect(&added, 201);
    }
    (h, id)
}

/// A multipart form post: text fields as given, `file` parts with a name.
fn multipart(path: &str, cookie: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let mut body = Vec::new();
    for (name, file_name, value) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(file_name) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn upload_form(h: &Harness, who: &Browser, id: &str, csrf: &str, bytes: &[u8]) -> Answer {
    h.send(multipart(
        &format!("/incidents/{id}/evidence"),
        &who.cookie,
        &[
            ("csrf", None, csrf.as_bytes()),
            ("name", None, b""),
            ("source", None, b"/var/log/nginx on edge-2"),
            ("description", None, b"Access log <around> the leak"),
            ("file", Some("access.log"), bytes),
        ],
    ))
    .await
}

async fn evidence_list(h: &Harness, id: &str) -> Vec<Value> {
    let list = h
        .get("alice", &format!("/api/v1/incidents/{id}/evidence"))
        .await;
    expect(&list, 200);
    list.body["items"].as_array().unwrap().clone()
}

fn actions(item: &Value) -> Vec<String> {
    item["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_upload_through_the_form_is_hashed_stored_and_in_custody() {
    let (h, id) = team().await;
    let alice = sign_in(&h, "alice").await;
    let listing = text(
        &h.send(page(
            &format!("/incidents/{id}/evidence"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(listing.contains("No evidence yet."));
    assert!(listing.contains(r#"enctype="multipart/form-data""#));
    let bytes = b"203.0.113.9 - - [02/Jan/2026:03:04:05] \"GET /.git/config\" 200\n";
    let answer = upload_form(&h, &alice, &id, &alice.csrf, bytes).await;
    expect(&answer, 303);
    assert_eq!(
        answer.headers[header::LOCATION],
        format!("/incidents/{id}/evidence/1").as_str()
    );
    let items = evidence_list(&h, &id).await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    let digest = rampart_server::auth::hex(&Sha256::digest(bytes));
    assert_eq!(item["item"]["sha256"], digest.as_str());
    assert_eq!(item["item"]["name"], "access.log");
    assert_eq!(item["item"]["size"], bytes.len());
    assert_eq!(item["item"]["source"], "/var/log/nginx on edge-2");
    assert_eq!(item["item"]["storage"]["media_type"], "text/plain");
    assert_eq!(item["custody"][0]["action"], "intake");
    assert_eq!(item["custody"][0]["actor"], "alice");
    // The blob is in the store and downloads intact through the API.
    let content = h
        .get(
            "alice",
            &format!("/api/v1/incidents/{id}/evidence/1/content?reason=check"),
        )
        .await;
    expect(&content, 200);
    assert_eq!(content.raw, bytes);

    // The item page: the digest in full and the custody log, this view included.
    let item_page = text(
        &h.send(page(
            &format!("/incidents/{id}/evidence/1"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(item_page.contains(&format!(r#"<code class="digest">{digest}</code>"#)));
    assert!(item_page.contains("<td>intake</td>") && item_page.contains("<td>viewed</td>"));
    assert!(item_page.contains("Access log &#60;around&#62; the leak"));
    assert!(!item_page.contains("<around>"));
    // Listing and viewing were recorded as the API records them.
    let items = evidence_list(&h, &id).await;
    let seen = actions(&items[0]);
    assert_eq!(seen[0], "intake");
    assert!(
        seen.iter().filter(|a| *a == "viewed").count() >= 3,
        "{seen:?}"
    );
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused_and_stores_nothing() {
    let (h, id) = team().await;
    let alice = sign_in(&h, "alice").await;
    let path = format!("/incidents/{id}/evidence");
    for parts in [
        vec![("file", Some("a.txt"), b"secret".as_slice())],
        vec![
            ("csrf", None, b"0000".as_slice()),
            ("file", Some("a.txt"), b"secret".as_slice()),
        ],
        // The token must come before the file: the file is never read first.
        vec![
            ("file", Some("a.txt"), b"secret".as_slice()),
            ("csrf", None, alice.csrf.as_bytes()),
        ],
    ] {
        let answer = h.send(multipart(&path, &alice.cookie, &parts)).await;
        expect(&answer, 403);
        assert!(text(&answer).contains("<h1>Not allowed</h1>"));
    }
    assert!(evidence_list(&h, &id).await.is_empty());
    let blobs = walk(&h.data_dir().join("evidence"));
    assert!(blobs.is_empty(), "{blobs:?}");
}

#[tokio::test]
async fn the_upload_limit_is_the_evidence_stores_and_a_refused_file_leaves_nothing() {
    let mut config = rampart_server::ServerConfig {
        max_body_bytes: 1024,
        ..rampart_server::ServerConfig::default()
    };
    config.evidence.max_upload_bytes = 4096;
    let mut h = Harness::with_config(config).await;
    h.user("alice", GlobalRole::Engineer).await;
    let id = h.declare("alice", "Big files").await;
    let alice = sign_in(&h, "alice").await;
    // Larger than an ordinary form may be, within the evidence limit.
    let answer = upload_form(&h, &alice, &id, &alice.csrf, &[b'a'; 3000]).await;
    expect(&answer, 303);
    let answer = upload_form(&h, &alice, &id, &alice.csrf, &[b'b'; 5000]).await;
    expect(&answer, 413);
    assert!(text(&answer).contains("limited to 4096 bytes"));
    let items = evidence_list(&h, &id).await;
    assert_eq!(items.len(), 1);
    assert_eq!(walk(&h.data_dir().join("evidence")).len(), 1);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            if entry.path().is_dir() {
                walk(&entry.path())
            } else {
                vec![entry.path()]
            }
        })
        .collect()
}

#[tokio::test]
async fn a_download_needs_a_reason_and_is_recorded() {
    let (h, id) = team().await;
    let bytes = b"pcap bytes";
    let uploaded = h
        .upload(
            "alice",
            &format!("/api/v1/incidents/{id}/evidence?name=capture.pcap"),
            bytes,
        )
        .await;
    expect(&uploaded, 201);
    let alice = sign_in(&h, "alice").await;
    let path = format!("/incidents/{id}/evidence/1/download");
    for body in [
        format!("csrf={}&reason=", alice.csrf),
        format!("csrf={}&reason=+++", alice.csrf),
        format!("csrf={}", alice.csrf),
    ] {
        let answer = h.send(form_post(&path, Some(&alice.cookie), &body)).await;
        expect(&answer, 422);
        assert!(text(&answer).contains("reason"), "{}", text(&answer));
    }
    let answer = h
        .send(form_post(&path, Some(&alice.cookie), "reason=timeline"))
        .await;
    expect(&answer, 403);
    assert!(!actions(&evidence_list(&h, &id).await[0]).contains(&"downloaded".to_owned()));

    let answer = h
        .send(form_post(
            &path,
            Some(&alice.cookie),
            &format!("csrf={}&reason=build+the+timeline", alice.csrf),
        ))
        .await;
    expect(&answer, 200);
    assert_eq!(answer.raw, bytes);
    assert_eq!(
        answer.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"capture.pcap\""
    );
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    let items = evidence_list(&h, &id).await;
    let custody = items[0]["custody"].as_array().unwrap();
    let download = custody
        .iter()
        .find(|entry| entry["action"] == "downloaded")
        .expect("a download entry");
    assert_eq!(download["reason"], "build the timeline");
    assert_eq!(download["actor"], "alice");
}

#[tokio::test]
async fn a_tampered_blob_is_the_409_page_and_raises_the_alarm() {
    let (h, id) = team().await;
    let uploaded = h
        .upload(
            "alice",
            &format!("/api/v1/incidents/{id}/evidence?name=a.txt"),
            b"original",
        )
        .await;
    expect(&uploaded, 201);
    for blob in walk(&h.data_dir().join("evidence")) {
        let mut permissions = std::fs::metadata(&blob).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&blob, permissions).unwrap();
        std::fs::write(&blob, b"tampered").unwrap();
    }
    let alice = sign_in(&h, "alice").await;
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/evidence/1/download"),
            Some(&alice.cookie),
            &format!("csrf={}&reason=check", alice.csrf),
        ))
        .await;
    expect(&answer, 409);
    let html = text(&answer);
    assert!(html.contains("failed verification"), "{html}");
    assert!(actions(&evidence_list(&h, &id).await[0]).contains(&"integrity_failure".to_owned()));
}

#[tokio::test]
async fn observers_see_evidence_but_may_not_add_or_download() {
    let (h, id) = team().await;
    let uploaded = h
        .upload(
            "alice",
            &format!("/api/v1/incidents/{id}/evidence?name=a.txt"),
            b"bytes",
        )
        .await;
    expect(&uploaded, 201);
    let obi = sign_in(&h, "obi").await;
    let listing = h
        .send(page(
            &format!("/incidents/{id}/evidence"),
            Some(&obi.cookie),
        ))
        .await;
    expect(&listing, 200);
    let listing = text(&listing);
    assert!(listing.contains("a.txt") && !listing.contains("Upload a file"));
    let item = text(
        &h.send(page(
            &format!("/incidents/{id}/evidence/1"),
            Some(&obi.cookie),
        ))
        .await,
    );
    assert!(!item.contains("Download</button>"));
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/evidence/1/download"),
            Some(&obi.cookie),
            &format!("csrf={}&reason=curious", obi.csrf),
        ))
        .await;
    expect(&answer, 403);
    let answer = upload_form(&h, &obi, &id, &obi.csrf, b"more").await;
    expect(&answer, 403);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/evidence/external"),
            Some(&obi.cookie),
            &format!(
                "csrf={}&name=disk&location=safe&sha256={}",
                obi.csrf,
                "a".repeat(64)
            ),
        ))
        .await;
    expect(&answer, 403);
    assert_eq!(evidence_list(&h, &id).await.len(), 1);
}

#[tokio::test]
async fn evidence_kept_elsewhere_is_registered_through_the_form() {
    let (h, id) = team().await;
    let alice = sign_in(&h, "alice").await;
    let digest = "AB".repeat(32);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/evidence/external"),
            Some(&alice.cookie),
            &format!(
                "csrf={}&name=Laptop+image&location=Safe+B%2C+shelf+2&sha256={digest}&size=2048&source=&description=&collected_by=&collected_at=2026-01-02T03%3A04%3A05Z",
                alice.csrf
            ),
        ))
        .await;
    expect(&answer, 303);
    let items = evidence_list(&h, &id).await;
    assert_eq!(items[0]["item"]["sha256"], digest.to_lowercase().as_str());
    assert_eq!(items[0]["item"]["storage"]["location"], "Safe B, shelf 2");
    assert_eq!(items[0]["item"]["collected_at"], "2026-01-02T03:04:05Z");
    assert_eq!(items[0]["custody"][0]["action"], "registered");
    // A bad digest is the rule's message, and nothing is added.
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/evidence/external"),
            Some(&alice.cookie),
            &format!("csrf={}&name=x&location=y&sha256=xyz", alice.csrf),
        ))
        .await;
    expect(&answer, 422);
    assert_eq!(evidence_list(&h, &id).await.len(), 1);
    // Externally kept evidence has no download form.
    let item = text(
        &h.send(page(
            &format!("/incidents/{id}/evidence/1"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(item.contains("kept outside: Safe B, shelf 2") && !item.contains("Download</button>"));
}

#[tokio::test]
async fn a_non_member_gets_the_generic_404_on_every_page() {
    let (h, id) = team().await;
    let uploaded = h
        .upload(
            "alice",
            &format!("/api/v1/incidents/{id}/evidence?name=a.txt"),
            b"bytes",
        )
        .await;
    expect(&uploaded, 201);
    let bob = sign_in(&h, "bob").await;
    let missing_page = h
        .send(page("/incidents/SEC-2020-9999", Some(&bob.cookie)))
        .await;
    for path in [
        "evidence",
        "evidence/1",
        "comms",
        "report",
        "report?audience=external",
        "report/external.md",
    ] {
        for incident in [id.as_str(), "SEC-2020-9999"] {
            let answer = h
                .send(page(
                    &format!("/incidents/{incident}/{path}"),
                    Some(&bob.cookie),
                ))
                .await;
            expect(&answer, 404);
            assert_eq!(answer.raw, missing_page.raw, "{incident}/{path}");
        }
    }
    for (path, body) in [
        (
            "evidence/1/download".to_owned(),
            format!("csrf={}&reason=x", bob.csrf),
        ),
        (
            "comms".to_owned(),
            format!("csrf={}&audience=internal&title=t&body=b", bob.csrf),
        ),
        (
            "comms/1/approve".to_owned(),
            format!("csrf={}&version=1", bob.csrf),
        ),
    ] {
        let answer = h
            .send(form_post(
                &format!("/incidents/{id}/{path}"),
                Some(&bob.cookie),
                &body,
            ))
            .await;
        expect(&answer, 404);
        assert_eq!(answer.raw, missing_page.raw, "{path}");
    }
    let answer = upload_form(&h, &bob, &id, &bob.csrf, b"junk").await;
    expect(&answer, 404);
    assert_eq!(answer.raw, missing_page.raw);
    assert_eq!(evidence_list(&h, &id).await.len(), 1);
}

async fn comms_page(h: &Harness, who: &Browser, id: &str) -> String {
    let answer = h
        .send(page(&format!("/incidents/{id}/comms"), Some(&who.cookie)))
        .await;
    expect(&answer, 200);
    text(&answer)
}

/// The hidden `version` field of the page's forms.
fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

async fn draft(h: &Harness, id: &str, who: &str, body: Value) -> i64 {
    let answer = h
        .post(who, &format!("/api/v1/incidents/{id}/communications"), body)
        .await;
    expect(&answer, 201);
    answer.body["record"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn an_internal_note_goes_through_draft_approval_signoff_and_sending() {
    let (h, id) = team().await;
    let dan = sign_in(&h, "dan").await;
    let before = comms_page(&h, &dan, &id).await;
    assert!(before.contains("No decision recorded yet"));
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms"),
            Some(&dan.cookie),
            &format!(
                "csrf={}&audience=internal&title=Maintenance+on+db-3&body=Please+do+not+restart+db-3.&compromised=&not_compromised=&recipient_actions=",
                dan.csrf
            ),
        ))
        .await;
    expect(&answer, 303);
    let location = answer.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(location.starts_with(&format!("/incidents/{id}/comms#draft-")));
    let draft_id = location.rsplit('-').next().unwrap().to_owned();

    // The deputy sees the draft, what it still needs, and no approve button.
    let html = comms_page(&h, &dan, &id).await;
    assert!(html.contains("Maintenance on db-3"));
    assert!(html.contains("approval by the commander"));
    assert!(html.contains("not signed off"));
    assert!(html.contains("someone must sign off that the attack is not believed to be internal"));
    assert!(!html.contains("Approve this text"));
    assert!(!html.contains("Mark as sent now"));
    // The deputy's approval is refused by the server's rule all the same.
    let refused = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/approve"),
            Some(&dan.cookie),
            &format!("csrf={}&version={}", dan.csrf, version_in(&html)),
        ))
        .await;
    expect(&refused, 403);

    // The commander approves on the page.
    let alice = sign_in(&h, "alice").await;
    let html = comms_page(&h, &alice, &id).await;
    assert!(html.contains("Approve this text"));
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/approve"),
            Some(&alice.cookie),
            &format!("csrf={}&version={}", alice.csrf, version_in(&html)),
        ))
        .await;
    expect(&answer, 303);

    // The deputy signs off, then sends.
    let html = comms_page(&h, &dan, &id).await;
    assert!(html.contains("no further approval"));
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/signoff"),
            Some(&dan.cookie),
            &format!(
                "csrf={}&version={}&rationale=Entry+through+a+leaked+CI+token",
                dan.csrf,
                version_in(&html)
            ),
        ))
        .await;
    expect(&answer, 303);
    let html = comms_page(&h, &dan, &id).await;
    assert!(html.contains("Mark as sent now"));
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/sent"),
            Some(&dan.cookie),
            &format!(
                "csrf={}&version={}&channel=all-staff+e-mail",
                dan.csrf,
                version_in(&html)
            ),
        ))
        .await;
    expect(&answer, 303);
    let records = h
        .get("alice", &format!("/api/v1/incidents/{id}/records?step=11"))
        .await;
    let stored = &records.body["records"][0]["record"]["record"];
    assert_eq!(stored["approvals"][0]["by"], "alice");
    assert_eq!(stored["insider_signoff"]["by"], "dan");
    assert_eq!(stored["sent"]["channel"], "all-staff e-mail");
    let html = comms_page(&h, &alice, &id).await;
    assert!(html.contains("sent by dan on") && html.contains("via all-staff e-mail"));
    assert!(!html.contains("Approve this text") && !html.contains("Sign off</button>"));
}

#[tokio::test]
async fn a_stale_approval_form_is_refused() {
    let (h, id) = team().await;
    let draft_id = draft(
        &h,
        &id,
        "lee",
        json!({"audience": "customers", "title": "Security notice 2026-05-01", "body": "We detected access."}),
    )
    .await;
    let alice = sign_in(&h, "alice").await;
    let html = comms_page(&h, &alice, &id).await;
    let seen = version_in(&html);
    // Someone rewrites the draft after alice's page was rendered.
    let edited = h
        .patch(
            "lee",
            &format!("/api/v1/incidents/{id}/communications/{draft_id}"),
            json!({"audience": "customers", "title": "Security notice 2026-05-01", "body": "We detected access and copying."}),
        )
        .await;
    expect(&edited, 200);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/approve"),
            Some(&alice.cookie),
            &format!("csrf={}&version={seen}", alice.csrf),
        ))
        .await;
    expect(&answer, 409);
    assert!(text(&answer).contains("reload and retry"));
    let records = h
        .get("alice", &format!("/api/v1/incidents/{id}/records?step=14"))
        .await;
    assert_eq!(
        records.body["records"][0]["record"]["record"]["approvals"],
        json!([])
    );
    // A fresh page's form works.
    let html = comms_page(&h, &alice, &id).await;
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/approve"),
            Some(&alice.cookie),
            &format!("csrf={}&version={}", alice.csrf, version_in(&html)),
        ))
        .await;
    expect(&answer, 303);
    // Without the CSRF token nothing changes.
    let lee = sign_in(&h, "lee").await;
    let html = comms_page(&h, &lee, &id).await;
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/approve"),
            Some(&lee.cookie),
            &format!("version={}", version_in(&html)),
        ))
        .await;
    expect(&answer, 403);
    let records = h
        .get("alice", &format!("/api/v1/incidents/{id}/records?step=14"))
        .await;
    let approvals = &records.body["records"][0]["record"]["record"]["approvals"];
    assert_eq!(approvals.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn observers_get_no_comms_forms_and_are_refused() {
    let (h, id) = team().await;
    let draft_id = draft(
        &h,
        &id,
        "dan",
        json!({"audience": "internal", "title": "Note", "body": "Text"}),
    )
    .await;
    let obi = sign_in(&h, "obi").await;
    let html = comms_page(&h, &obi, &id).await;
    assert!(html.contains("Note") && !html.contains("<form class=\"act\""));
    assert!(!html.contains("New draft"));
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms"),
            Some(&obi.cookie),
            &format!("csrf={}&audience=internal&title=t&body=b", obi.csrf),
        ))
        .await;
    expect(&answer, 403);
    let answer = h
        .send(form_post(
            &format!("/incidents/{id}/comms/{draft_id}/signoff"),
            Some(&obi.cookie),
            // Refused for the role before the version is even compared.
            &format!("csrf={}&version=0&rationale=x", obi.csrf),
        ))
        .await;
    expect(&answer, 403);
}

#[tokio::test]
async fn user_text_is_escaped_on_every_page() {
    let (h, id) = team().await;
    let evil = "<script>alert(1)</script>";
    draft(
        &h,
        &id,
        "dan",
        json!({"audience": "internal", "title": evil, "body": evil}),
    )
    .await;
    let decision = h
        .post(
            "alice",
            &format!("/api/v1/incidents/{id}/records"),
            json!({"kind": "internal_comms_decision", "record": {"needed": true, "rationale": evil, "decided_by": "alice"}}),
        )
        .await;
    expect(&decision, 201);
    let uploaded = h
        .upload(
            "alice",
            &format!("/api/v1/incidents/{id}/evidence?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
            b"x",
        )
        .await;
    expect(&uploaded, 201);
    let item = format!("evidence/{}", uploaded.body["evidence"]["id"]);
    let alice = sign_in(&h, "alice").await;
    for path in ["comms", "evidence", item.as_str(), "report"] {
        let answer = h
            .send(page(
                &format!("/incidents/{id}/{path}"),
                Some(&alice.cookie),
            ))
            .await;
        expect(&answer, 200);
        let html = text(&answer);
        assert!(!html.contains(evil), "{path}");
        assert!(
            !html.contains("<script") && !html.contains("style="),
            "{path}"
        );
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn the_report_is_previewed_and_downloaded_for_both_audiences() {
    let (h, id) = team().await;
    let alice = sign_in(&h, "alice").await;
    let answer = h
        .send(page(
            &format!("/incidents/{id}/report"),
            Some(&alice.cookie),
        ))
        .await;
    expect(&answer, 200);
    let html = text(&answer);
    assert!(html.contains(r#"<article class="report-preview">"#));
    assert!(html.contains("<h2 id=\"preview-heading\">Preview: internal audience</h2>"));
    assert!(html.contains("<h3>") && !html.contains("<h1>Post-incident"));
    assert!(!html.contains("style=") && !html.contains("<style"));
    for audience in ["internal", "external"] {
        for extension in ["md", "html", "json"] {
            assert!(html.contains(&format!(
                "href=\"/incidents/{id}/report/{audience}.{extension}\""
            )));
        }
    }
    let external = text(
        &h.send(page(
            &format!("/incidents/{id}/report?audience=external"),
            Some(&alice.cookie),
        ))
        .await,
    );
    assert!(external.contains("Preview: external audience"));
    assert!(external.contains(r#"<option value="external" selected>"#));
    let wrong = h
        .send(page(
            &format!("/incidents/{id}/report?audience=press"),
            Some(&alice.cookie),
        ))
        .await;
    expect(&wrong, 422);

    for (file, content_type) in [
        ("external.md", "text/markdown; charset=utf-8"),
        ("internal.html", "text/html; charset=utf-8"),
        ("external.json", "application/json"),
    ] {
        let answer = h
            .send(page(
                &format!("/incidents/{id}/report/{file}"),
                Some(&alice.cookie),
            ))
            .await;
        expect(&answer, 200);
        assert_eq!(answer.headers[header::CONTENT_TYPE], content_type);
        assert_eq!(
            answer.headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{id}-{file}\"").as_str()
        );
        // The same document as the API's.
        let (audience, extension) = file.split_once('.').unwrap();
        let format = match extension {
            "md" => "markdown",
            other => other,
        };
        let api = h
            .get(
                "alice",
                &format!("/api/v1/incidents/{id}/report?audience={audience}&format={format}"),
            )
            .await;
        expect(&api, 200);
        assert_eq!(
            redact_times(&text(&answer)),
            redact_times(&String::from_utf8(api.raw).unwrap())
        );
    }
    let answer = h
        .send(page(
            &format!("/incidents/{id}/report/external.pdf"),
            Some(&alice.cookie),
        ))
        .await;
    expect(&answer, 404);
}

/// Replaces RFC 3339 times (`2026-05-01T10:00:00.123Z`) with `[time]`.
fn redact_times(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let digits = |range: std::ops::Range<usize>| {
        range
            .clone()
            .all(|j| bytes.get(j).is_some_and(u8::is_ascii_digit))
    };
    while i < bytes.len() {
        let rfc3339 = digits(i..i + 4)
            && bytes.get(i + 4) == Some(&b'-')
            && digits(i + 5..i + 7)
            && bytes.get(i + 7) == Some(&b'-')
            && digits(i + 8..i + 10)
            && bytes.get(i + 10) == Some(&b'T');
        if rfc3339 {
            let end = text[i..]
                .find(['Z', '+'])
                .map(|offset| i + offset + 1)
                .unwrap_or(text.len());
            out.push_str("[time]");
            i = end;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[tokio::test]
async fn page_snapshots() {
    let (h, id) = team().await;
    let detail = h.get("alice", &format!("/api/v1/incidents/{id}")).await;
    let codename = detail.body["incident"]["codename"]
        .as_str()
        .unwrap()
        .to_owned();
    let uploaded = h
        .upload(
            "alice",
            &format!(
                "/api/v1/incidents/{id}/evidence?name=access.log&source=edge-2&description=Nginx+access+log"
            ),
            b"203.0.113.9 GET /.git/config\n",
        )
        .await;
    expect(&uploaded, 201);
    draft(
        &h,
        &id,
        "dan",
        json!({"audience": "internal", "title": "Maintenance on db-3", "body": "Please do not restart db-3."}),
    )
    .await;
    draft(
        &h,
        &id,
        "lee",
        json!({"audience": "customers", "title": "Security notice", "body": "We detected access.",
               "not_compromised": "Payment data"}),
    )
    .await;
    let replace = [(codename.as_str(), "[codename]")];
    let alice = sign_in(&h, "alice").await;
    for (name, path) in [
        ("evidence", "evidence"),
        ("evidence_item", "evidence/1"),
        ("comms", "comms"),
        ("report", "report?audience=external"),
    ] {
        let html = text(
            &h.send(page(
                &format!("/incidents/{id}/{path}"),
                Some(&alice.cookie),
            ))
            .await,
        );
        insta::assert_snapshot!(name, redact_times(&stable(&html, &replace)));
    }
}
