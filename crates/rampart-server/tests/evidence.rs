//! Evidence through the API: streamed intake with the server's digest,
//! the custody log every access extends, download only with a reason and
//! only of intact bytes, tamper detection, export.

mod common;

use std::os::unix::fs::PermissionsExt;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::{Harness, expect};
use rampart_incident::GlobalRole;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const LOG: &[u8] = b"203.0.113.7 - - [01/Mar/2026:03:12:44 +0000] \"GET /.env HTTP/1.1\" 200 512\n";

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn incident_with_team() -> (Harness, String) {
    let mut h = Harness::new().await;
    for (name, role) in [
        ("cora", GlobalRole::Engineer),
        ("fred", GlobalRole::Engineer),
        ("obi", GlobalRole::Engineer),
        ("eve", GlobalRole::Engineer),
    ] {
        h.user(name, role).await;
    }
    let id = h.declare("cora", "Leaked .env served by edge-2").await;
    for (user, role) in [("fred", "forensics"), ("obi", "observer")] {
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

fn actions(custody: &Value) -> Vec<String> {
    custody
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn intake_custody_and_verified_download() {
    let (h, id) = incident_with_team().await;
    let base = format!("/api/v1/incidents/{id}/evidence");
    let up = h
        .upload(
            "fred",
            &format!("{base}?name=access.log&source=nginx%20on%20edge-2"),
            LOG,
        )
        .await;
    expect(&up, 201);
    let item = &up.body["evidence"];
    assert_eq!(item["item"]["sha256"], hex(LOG));
    assert_eq!(item["item"]["size"], LOG.len());
    assert_eq!(item["item"]["storage"]["media_type"], "text/plain");
    assert_eq!(item["item"]["source"], "nginx on edge-2");
    assert_eq!(up.body["newly_stored"], true);
    assert_eq!(actions(&item["custody"]), ["intake"]);
    let evidence_id = item["id"].as_i64().unwrap();

    // The same bytes again: a second item, one blob.
    let again = h
        .upload("fred", &format!("{base}?name=copy.log"), LOG)
        .await;
    expect(&again, 201);
    assert_eq!(again.body["newly_stored"], false);

    // Viewing metadata is recorded.
    let shown = h.get("obi", &format!("{base}/{evidence_id}")).await;
    expect(&shown, 200);
    assert_eq!(actions(&shown.body["custody"]), ["intake", "viewed"]);
    assert_eq!(shown.body["custody"][1]["actor"], "obi");

    // Observers see metadata, not content.
    let denied = h
        .get(
            "obi",
            &format!("{base}/{evidence_id}/content?reason=curious"),
        )
        .await;
    expect(&denied, 403);
    // A download needs a reason.
    let no_reason = h
        .get("fred", &format!("{base}/{evidence_id}/content"))
        .await;
    expect(&no_reason, 422);
    assert_eq!(no_reason.body["error"]["field"], "reason");
    let blank = h
        .get("fred", &format!("{base}/{evidence_id}/content?reason=%20"))
        .await;
    expect(&blank, 422);

    let download = h
        .get(
            "fred",
            &format!("{base}/{evidence_id}/content?reason=timeline%20analysis"),
        )
        .await;
    expect(&download, 200);
    assert_eq!(download.raw, LOG);
    assert_eq!(download.headers["x-rampart-sha256"], hex(LOG).as_str());
    assert_eq!(
        download.headers[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    assert!(
        download.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let shown = h.get("cora", &format!("{base}/{evidence_id}")).await;
    let custody = &shown.body["custody"];
    assert_eq!(
        actions(custody),
        ["intake", "viewed", "downloaded", "viewed"]
    );
    assert_eq!(custody[2]["reason"], "timeline analysis");
    assert_eq!(custody[2]["actor"], "fred");

    // Non-members learn nothing.
    let hidden = h.get("eve", &format!("{base}/{evidence_id}")).await;
    expect(&hidden, 404);
    let hidden_upload = h.upload("eve", &format!("{base}?name=x"), b"x").await;
    expect(&hidden_upload, 404);
}

#[tokio::test]
async fn a_tampered_blob_is_refused_and_raises_the_alarm() {
    let (h, id) = incident_with_team().await;
    let base = format!("/api/v1/incidents/{id}/evidence");
    let up = h
        .upload("fred", &format!("{base}?name=access.log"), LOG)
        .await;
    expect(&up, 201);
    let evidence_id = up.body["evidence"]["id"].as_i64().unwrap();
    let digest = hex(LOG);
    let blob = h
        .data_dir()
        .join("evidence/sha256")
        .join(&digest[..2])
        .join(&digest);
    let mut permissions = std::fs::metadata(&blob).unwrap().permissions();
    assert_eq!(
        permissions.mode() & 0o222,
        0,
        "stored evidence is read-only"
    );
    permissions.set_mode(0o644);
    std::fs::set_permissions(&blob, permissions).unwrap();
    std::fs::write(&blob, b"203.0.113.8 nothing to see here\n").unwrap();

    let download = h
        .get(
            "fred",
            &format!("{base}/{evidence_id}/content?reason=review"),
        )
        .await;
    expect(&download, 409);
    assert_eq!(download.body["error"]["code"], "integrity_failure");
    assert!(!download.raw.windows(11).any(|w| w == b"203.0.113.8"));

    let shown = h.get("cora", &format!("{base}/{evidence_id}")).await;
    assert_eq!(
        actions(&shown.body["custody"]),
        ["intake", "integrity_failure", "viewed"]
    );
    assert!(
        shown.body["custody"][1]["detail"]
            .as_str()
            .unwrap()
            .contains(&digest)
    );
    let notifications = h.get("cora", "/api/v1/notifications").await;
    let kinds: Vec<&str> = notifications.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"]["kind"].as_str().unwrap_or(""))
        .collect();
    assert!(
        kinds.contains(&"evidence_integrity_failure"),
        "{notifications:?}"
    );
    let log = h.get("cora", &format!("/api/v1/incidents/{id}/log")).await;
    assert!(
        log.raw
            .windows(26)
            .any(|w| w == b"FAILED integrity verificat")
    );
}

#[tokio::test]
async fn uploads_over_the_limit_or_cut_short_store_nothing() {
    let mut config = rampart_server::ServerConfig::default();
    config.evidence.max_upload_bytes = 16;
    let mut h = Harness::with_config(config).await;
    h.user("cora", GlobalRole::Engineer).await;
    let id = h.declare("cora", "x").await;
    let base = format!("/api/v1/incidents/{id}/evidence");
    let big = h
        .upload("cora", &format!("{base}?name=big"), &[7u8; 17])
        .await;
    expect(&big, 413);
    assert_eq!(big.body["error"]["code"], "payload_too_large");

    // A body that fails half-way (a client that disconnects).
    let token = h.token("cora");
    let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![
        Ok(b"12345678"),
        Err(std::io::Error::other("connection reset")),
    ];
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}?name=cut"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let cut = h.send(request).await;
    expect(&cut, 400);

    let list = h.get("cora", &base).await;
    expect(&list, 200);
    assert_eq!(list.body["items"], json!([]));
    let staging = h.data_dir().join("evidence-staging");
    assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);

    // Missing name and unknown parameters are 422 naming the field.
    let unnamed = h.upload("cora", &base, b"x").await;
    expect(&unnamed, 422);
    let unknown = h
        .upload("cora", &format!("{base}?name=a&colour=red"), b"x")
        .await;
    expect(&unknown, 422);
    assert_eq!(unknown.body["error"]["field"], "colour");
}

#[tokio::test]
async fn external_evidence_and_export() {
    let (h, id) = incident_with_team().await;
    let base = format!("/api/v1/incidents/{id}/evidence");
    expect(
        &h.upload("fred", &format!("{base}?name=access.log"), LOG)
            .await,
        201,
    );
    let external = h
        .post(
            "fred",
            &format!("{base}/external"),
            json!({"name": "disk image of edge-2", "location": "evidence safe B, bag 17",
                   "sha256": "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                   "size": 64424509440u64, "collected_by": "Acme DFIR"}),
        )
        .await;
    expect(&external, 201);
    let ext_id = external.body["evidence"]["id"].as_i64().unwrap();
    assert_eq!(
        external.body["evidence"]["item"]["sha256"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        actions(&external.body["evidence"]["custody"]),
        ["registered"]
    );
    let content = h
        .get("fred", &format!("{base}/{ext_id}/content?reason=x"))
        .await;
    expect(&content, 409);

    let bad = h
        .post(
            "fred",
            &format!("{base}/external"),
            json!({"name": "x", "location": "y", "sha256": "abc"}),
        )
        .await;
    expect(&bad, 422);
    assert_eq!(bad.body["error"]["field"], "sha256");

    let no_reason = h
        .post("fred", &format!("{base}/export"), json!({"reason": ""}))
        .await;
    expect(&no_reason, 422);
    let report = h
        .post(
            "fred",
            &format!("{base}/export"),
            json!({"reason": "handover to Acme DFIR"}),
        )
        .await;
    expect(&report, 200);
    assert_eq!(report.body["incident"], id);
    assert_eq!(report.body["exported_by"], "fred");
    let items = report.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let custody = actions(&item["custody"]);
        assert_eq!(custody.last().unwrap(), "exported", "{item}");
        assert_eq!(
            item["custody"].as_array().unwrap().last().unwrap()["reason"],
            "handover to Acme DFIR"
        );
    }
    // The observer may not export.
    expect(
        &h.post("obi", &format!("{base}/export"), json!({"reason": "x"}))
            .await,
        403,
    );
}
