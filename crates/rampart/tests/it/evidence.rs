//! Evidence, communications and reports through the real binary against a
//! real `rampart serve`: upload, custody, verified download, export checked
//! with coreutils' `sha256sum -c`, the integrity alarm on a changed blob,
//! the approval rules of an external notice, and both report audiences.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Run;
use crate::site::{Site, edit_sqlite, ok};

/// What these tests do over and over with a site.
trait EvidenceSite {
    fn declare(&self, token: Option<&str>, title: &str) -> String;
    fn upload(&self, token: Option<&str>, id: &str, name: &str, content: &[u8]) -> String;
}

impl EvidenceSite for Site {
    /// Declares an incident as `token`'s holder and returns its id.
    fn declare(&self, token: Option<&str>, title: &str) -> String {
        let declared = ok(&self.run(
            token,
            None,
            &[
                "incident",
                "declare",
                "--title",
                title,
                "--severity",
                "SEV2",
            ],
        ));
        declared.split_whitespace().nth(1).unwrap().to_owned()
    }

    /// Uploads `content` as `name`; returns the item id.
    fn upload(&self, token: Option<&str>, id: &str, name: &str, content: &[u8]) -> String {
        let file = self.path(name);
        std::fs::write(&file, content).unwrap();
        let out = ok(&self.run(
            token,
            None,
            &["evidence", "upload", id, file.to_str().unwrap()],
        ));
        item_id(&out)
    }
}

fn fails(run: &Run) -> String {
    assert_eq!(
        run.code(),
        2,
        "expected exit 2\nstdout:\n{}\nstderr:\n{}",
        run.stdout(),
        run.stderr()
    );
    run.stderr()
}

/// `… as evidence #12 of …` → `12`.
fn item_id(out: &str) -> String {
    out.split("evidence #")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no item id in {out}"))
        .to_owned()
}

/// The SHA-256 coreutils computes, so the test does not trust our own code.
fn sha256sum(path: &Path) -> String {
    let output = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()[..64].to_owned()
}

fn custody_actions(view: &serde_json::Value) -> Vec<(String, Option<String>)> {
    view["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["action"].as_str().unwrap().to_owned(),
                event["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Bytes that are not text, larger than one read buffer.
fn sample_bytes() -> Vec<u8> {
    (0..700_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

#[test]
fn evidence_is_uploaded_downloaded_with_a_reason_and_exported_for_sha256sum() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "engineer");
    site.start();
    let a = Some(alice.as_str());
    let id = site.declare(a, "Miner on build-7");

    let content = sample_bytes();
    let original = site.path("capture.pcap");
    std::fs::write(&original, &content).unwrap();
    let expected = sha256sum(&original);
    let uploaded = ok(&site.run(
        a,
        None,
        &[
            "evidence",
            "upload",
            &id,
            original.to_str().unwrap(),
            "--description",
            "traffic of build-7",
            "--source",
            "tap on edge-2",
            "--media-type",
            "application/vnd.tcpdump.pcap",
        ],
    ));
    assert!(
        uploaded.contains(&format!("sha256 {expected}")),
        "{uploaded}"
    );
    assert!(
        uploaded.contains("equals the digest computed here while sending"),
        "{uploaded}"
    );
    assert!(uploaded.contains("700000 bytes"), "{uploaded}");
    let item = item_id(&uploaded);

    let list = site
        .run(a, None, &["evidence", "list", &id, "--json"])
        .json();
    assert_eq!(list["items"][0]["item"]["sha256"], expected.as_str());
    let table = ok(&site.run(a, None, &["evidence", "list", &id]));
    assert!(
        table.contains("capture.pcap") && table.contains(&expected),
        "{table}"
    );

    let shown = site
        .run(a, None, &["evidence", "show", &id, &item, "--json"])
        .json();
    let actions = custody_actions(&shown);
    assert_eq!(actions[0].0, "intake", "{actions:?}");
    assert!(actions.iter().any(|(a, _)| a == "viewed"), "{actions:?}");
    let shown_table = ok(&site.run(a, None, &["evidence", "show", &id, &item]));
    assert!(
        shown_table.contains("intake") && shown_table.contains("tap on edge-2"),
        "{shown_table}"
    );

    // Download with a reason: the same bytes, and the reason in the custody log.
    ok(&site.run(
        a,
        None,
        &[
            "evidence",
            "download",
            &id,
            &item,
            "--reason",
            "malware analysis",
            "--out",
            "copy.pcap",
        ],
    ));
    assert_eq!(std::fs::read(site.path("copy.pcap")).unwrap(), content);
    let shown = site
        .run(a, None, &["evidence", "show", &id, &item, "--json"])
        .json();
    assert!(
        custody_actions(&shown)
            .iter()
            .any(|(a, r)| a == "downloaded" && r.as_deref() == Some("malware analysis")),
        "{shown}"
    );

    // No reason, no bytes; an existing file is never replaced.
    let refused = fails(&site.run(
        a,
        None,
        &["evidence", "download", &id, &item, "--out", "other.pcap"],
    ));
    assert!(refused.contains("--reason is required"), "{refused}");
    assert!(!site.path("other.pcap").exists());
    let refused = fails(&site.run(
        a,
        None,
        &[
            "evidence",
            "download",
            &id,
            &item,
            "--reason",
            "again",
            "--out",
            "copy.pcap",
        ],
    ));
    assert!(refused.contains("exists"), "{refused}");

    // Standard output.
    let piped = site.run(
        a,
        None,
        &[
            "evidence", "download", &id, &item, "--reason", "pipe", "--out", "-",
        ],
    );
    assert_eq!(piped.code(), 0, "{}", piped.stderr());
    assert_eq!(piped.0.stdout, content);

    // An item kept outside Rampart, by location and digest.
    let image_digest = "ab".repeat(32);
    let registered = ok(&site.run(
        a,
        None,
        &[
            "evidence",
            "register",
            &id,
            "--name",
            "laptop of j.doe, disk image",
            "--location",
            "evidence safe B, bag 2026-117",
            "--sha256",
            &image_digest.to_uppercase(),
            "--size",
            "512000000000",
        ],
    ));
    assert!(registered.contains("registered"), "{registered}");
    let refused = fails(&site.run(
        a,
        None,
        &[
            "evidence",
            "download",
            &id,
            &item_id(&registered),
            "--reason",
            "r",
        ],
    ));
    assert!(refused.contains("outside Rampart"), "{refused}");

    // Export, then let coreutils check it.
    let exported = ok(&site.run(
        a,
        None,
        &[
            "evidence",
            "export",
            &id,
            "--out",
            "export",
            "--reason",
            "handover to the forensics firm",
        ],
    ));
    assert!(
        exported.contains("cd export && sha256sum -c SHA256SUMS"),
        "{exported}"
    );
    let export = site.path("export");
    let sums = std::fs::read_to_string(export.join("SHA256SUMS")).unwrap();
    assert_eq!(sums, format!("{expected}  files/{item}-capture.pcap\n"));
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&export)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let custody: serde_json::Value =
        serde_json::from_slice(&std::fs::read(export.join("custody.json")).unwrap()).unwrap();
    assert_eq!(custody["items"].as_array().unwrap().len(), 2);
    for view in custody["items"].as_array().unwrap() {
        assert!(
            custody_actions(view)
                .iter()
                .any(|(a, r)| a == "exported"
                    && r.as_deref() == Some("handover to the forensics firm")),
            "{view}"
        );
    }
    let markdown = std::fs::read_to_string(export.join("custody.md")).unwrap();
    for needle in [
        id.as_str(),
        expected.as_str(),
        image_digest.as_str(),
        "evidence safe B, bag 2026-117",
        "sha256sum -c SHA256SUMS",
        "| exported |",
    ] {
        assert!(markdown.contains(needle), "{needle} not in\n{markdown}");
    }
    // The export's own downloads are in the custody log with their reason.
    let shown = site
        .run(a, None, &["evidence", "show", &id, &item, "--json"])
        .json();
    assert!(
        custody_actions(&shown)
            .iter()
            .any(|(a, r)| a == "downloaded"
                && r.as_deref() == Some("export: handover to the forensics firm")),
        "{shown}"
    );

    let refused = fails(&site.run(
        a,
        None,
        &[
            "evidence", "export", &id, "--out", "export", "--reason", "again",
        ],
    ));
    assert!(refused.contains("not empty"), "{refused}");
}

#[test]
fn a_changed_blob_is_refused_on_download_and_fails_audit_verify() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "engineer");
    site.start();
    let a = Some(alice.as_str());
    let id = site.declare(a, "Tampered evidence");
    let item = site.upload(
        a,
        &id,
        "auth.log",
        b"Nov 27 03:14 sshd: accepted key for root\n",
    );

    // An attacker with file-system access edits the write-once blob.
    let blobs: Vec<PathBuf> = walk(&site.data_dir().join("evidence"))
        .into_iter()
        .filter(|path| path.to_string_lossy().contains("sha256"))
        .collect();
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    std::fs::set_permissions(&blobs[0], std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&blobs[0], b"Nov 27 03:14 sshd: nothing happened\n").unwrap();

    let refused = fails(&site.run(
        a,
        None,
        &[
            "evidence",
            "download",
            &id,
            &item,
            "--reason",
            "review",
            "--out",
            "auth.copy",
        ],
    ));
    assert!(
        refused.contains("failed verification") && refused.contains("not served"),
        "{refused}"
    );
    assert!(!site.path("auth.copy").exists());
    let leftovers: Vec<_> = std::fs::read_dir(site.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(".rampart-download")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let shown = site
        .run(a, None, &["evidence", "show", &id, &item, "--json"])
        .json();
    assert!(
        custody_actions(&shown)
            .iter()
            .any(|(a, _)| a == "integrity_failure"),
        "{shown}"
    );

    site.stop();
    let data_dir = site.data_dir();
    let verify = site.run(
        None,
        None,
        &["audit", "verify", "--data-dir", data_dir.to_str().unwrap()],
    );
    assert_eq!(
        verify.code(),
        1,
        "audit verify must report the changed blob\nstdout:\n{}\nstderr:\n{}",
        verify.stdout(),
        verify.stderr()
    );
    // The blob is what broke; the chain and the custody log still agree.
    assert!(
        verify
            .stdout()
            .contains("evidence custody log matches the audit chain"),
        "{}",
        verify.stdout()
    );
}

#[test]
fn a_custody_entry_deleted_in_the_database_fails_audit_verify() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "engineer");
    site.start();
    let a = Some(alice.as_str());
    let id = site.declare(a, "Custody tampering");
    let item = site.upload(a, &id, "auth.log", b"sshd: accepted key for root\n");
    let download = site.path("copy.log");
    ok(&site.run(
        a,
        None,
        &[
            "evidence",
            "download",
            &id,
            &item,
            "--reason",
            "who logged in as root",
            "--out",
            download.to_str().unwrap(),
        ],
    ));
    site.stop();
    let data_dir = site.data_dir();
    let verify_args = ["audit", "verify", "--data-dir", data_dir.to_str().unwrap()];
    let clean = site.run(None, None, &verify_args);
    assert_eq!(clean.code(), 0, "{}", clean.stderr());
    assert!(
        clean
            .stdout()
            .contains("evidence custody log matches the audit chain"),
        "{}",
        clean.stdout()
    );

    // Someone with the database file hides the download: the append-only
    // guard has to go first, and the audit event still records the entry.
    let db = data_dir.join("rampart.db");
    edit_sqlite(
        &db,
        &format!(
            "DROP TRIGGER evidence_custody_no_delete; \
             DELETE FROM evidence_custody WHERE record_id = {item} AND action = 'downloaded'"
        ),
    );
    let broken = site.run(None, None, &verify_args);
    assert_eq!(broken.code(), 1, "{}", broken.stdout());
    assert!(
        broken.stderr().contains("custody log BROKEN")
            && broken.stderr().contains("downloaded by alice")
            && broken.stderr().contains("it was deleted"),
        "{}",
        broken.stderr()
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn an_external_notice_is_sent_only_after_the_commander_and_legal_approve() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "engineer");
    let dave = site.user_with_token("dave", "engineer");
    site.start();
    let (a, d) = (Some(alice.as_str()), Some(dave.as_str()));
    let id = site.declare(a, "Customer data exposure");
    ok(&site.run(
        a,
        None,
        &["incident", "member", "add", &id, "dave", "--role", "legal"],
    ));

    let drafted = site.run(
        a,
        None,
        &[
            "incident",
            "comms",
            "draft",
            &id,
            "--audience",
            "customers",
            "--title",
            "Security notice",
            "--body",
            "We found unauthorised access to a build server.",
            "--not-compromised",
            "customer data",
        ],
    );
    let out = ok(&drafted);
    assert!(
        out.contains("awaiting approval by commander and legal"),
        "{out}"
    );
    // The rules warn (no date in the title, no attack timeline yet) but save.
    assert!(
        drafted
            .stderr()
            .contains("warning: the title carries no date"),
        "{}",
        drafted.stderr()
    );
    let draft = out
        .split("draft #")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned();

    let edited = ok(&site.run(
        a,
        None,
        &[
            "incident",
            "comms",
            "edit",
            &id,
            &draft,
            "--title",
            "Security notice of 2026-11-28",
        ],
    ));
    assert!(edited.contains("awaiting approval"), "{edited}");

    let approved = ok(&site.run(a, None, &["incident", "comms", "approve", &id, &draft]));
    assert!(
        approved.contains("awaiting approval by legal"),
        "{approved}"
    );
    let refused = fails(&site.run(
        a,
        None,
        &[
            "incident",
            "comms",
            "sent",
            &id,
            &draft,
            "--channel",
            "status page",
        ],
    ));
    assert!(refused.contains("legal"), "{refused}");

    ok(&site.run(d, None, &["incident", "comms", "approve", &id, &draft]));
    let sent = ok(&site.run(
        a,
        None,
        &[
            "incident",
            "comms",
            "sent",
            &id,
            &draft,
            "--channel",
            "status page",
        ],
    ));
    assert!(
        sent.contains("sent") && sent.contains("status page"),
        "{sent}"
    );
    let list = ok(&site.run(a, None, &["incident", "comms", "list", &id]));
    assert!(
        list.contains("Security notice of 2026-11-28") && list.contains("via status page"),
        "{list}"
    );
}

#[test]
fn the_external_report_and_stix_bundle_leave_out_restricted_detail() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "engineer");
    site.start();
    let a = Some(alice.as_str());
    let id = site.declare(a, "Phishing of the finance team");
    for (value, tlp) in [("203.0.113.7", "clear"), ("198.51.100.77", "red")] {
        ok(&site.run(
            a,
            None,
            &[
                "incident",
                "record",
                "add",
                &id,
                "--kind",
                "indicator",
                "--fields",
                &format!(r#"{{"kind":"ip","value":"{value}","tlp":"{tlp}","pap":"green"}}"#),
            ],
        ));
    }
    ok(&site.run(
        a,
        None,
        &[
            "evidence",
            "register",
            &id,
            "--name",
            "mailbox export",
            "--location",
            "vault 7, shelf 3",
            "--sha256",
            &"cd".repeat(32),
        ],
    ));

    let internal = ok(&site.run(a, None, &["incident", "report", &id]));
    assert!(internal.contains("198.51.100.77"), "{internal}");
    assert!(internal.contains("vault 7, shelf 3"), "{internal}");
    let external = ok(&site.run(
        a,
        None,
        &["incident", "report", &id, "--audience", "external"],
    ));
    assert!(external.contains("203.0.113.7"), "{external}");
    assert!(!external.contains("198.51.100.77"), "{external}");
    assert!(!external.contains("vault 7"), "{external}");
    ok(&site.run(
        a,
        None,
        &[
            "incident",
            "report",
            &id,
            "--format",
            "html",
            "--out",
            "report.html",
        ],
    ));
    let html = std::fs::read_to_string(site.path("report.html")).unwrap();
    assert!(
        html.contains("<html") && html.contains("198.51.100.77"),
        "{html}"
    );

    let bundle = ok(&site.run(
        a,
        None,
        &[
            "incident",
            "indicators",
            &id,
            "--stix",
            "--max-tlp",
            "green",
        ],
    ));
    let bundle: serde_json::Value = serde_json::from_str(&bundle).unwrap();
    assert_eq!(bundle["type"], "bundle");
    let text = bundle.to_string();
    assert!(
        text.contains("203.0.113.7") && !text.contains("198.51.100.77"),
        "{text}"
    );
    let table = ok(&site.run(a, None, &["incident", "indicators", &id]));
    assert!(
        table.contains("198.51.100.77") && table.contains("TLP:RED"),
        "{table}"
    );

    let veris = ok(&site.run(a, None, &["incident", "veris", &id]));
    assert!(
        serde_json::from_str::<serde_json::Value>(&veris).is_ok(),
        "{veris}"
    );

    ok(&site.run(
        a,
        None,
        &[
            "incident",
            "record",
            "add",
            &id,
            "--kind",
            "compromised_credential",
            "--fields",
            r#"{"fingerprint":"e48118919b155e2530c4e202bf6fe7d2","description":"mail password","owner":"finance"}"#,
        ],
    ));
    let credentials = ok(&site.run(a, None, &["incident", "credentials", &id]));
    assert!(
        credentials.contains("e48118919b155e2530c4e202bf6fe7d2")
            && credentials.contains("1 not rotated"),
        "{credentials}"
    );
}
