//! `rampart scan --upload`, `rampart upload`, `rampart findings` and
//! `rampart where` without a Rampart server: argument checks, local file
//! checks that come before any connection, and the upload request as a
//! stand-in HTTP server on loopback receives it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;

use crate::{Env, Run};

/// Runs `rampart ARGS` in `env` with the given extra variables and none of
/// the caller's Rampart or CI settings.
fn rampart(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rampart"));
    command
        .args(args)
        .env("RAMPART_DB", env.db())
        .env("NO_COLOR", "1")
        .current_dir(env.dir.path());
    for var in [
        "RAMPART_URL",
        "RAMPART_TOKEN",
        "GITHUB_SHA",
        "GITHUB_RUN_ID",
        "GITHUB_RUN_ATTEMPT",
        "CI_COMMIT_SHA",
        "CI_PIPELINE_ID",
        "BUILDKITE_COMMIT",
        "BUILDKITE_BUILD_ID",
    ] {
        command.env_remove(var);
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    Run(command.output().unwrap())
}

/// A usage or input error: exit 2, nothing on stdout, `needle` on stderr.
fn refused(run: &Run, needle: &str) {
    assert_eq!(run.code(), 2, "{}\n{}", run.stdout(), run.stderr());
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert!(
        run.stderr().contains(needle),
        "{needle:?} not in {}",
        run.stderr()
    );
}

const TOKEN: &str = "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";

fn planted(env: &Env) -> String {
    let dir = env.path("repo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("deploy.py"), format!("TOKEN = \"{TOKEN}\"\n")).unwrap();
    "repo".into()
}

/// Answers one request with `status` and `body`; yields the request head
/// and body.
fn serve_once(
    status: &'static str,
    body: String,
) -> (String, std::thread::JoinHandle<(String, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            head.push_str(&line);
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut writer = stream;
        if head.to_ascii_lowercase().contains("expect: 100-continue") {
            writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
        }
        let mut received = vec![0; length];
        reader.read_exact(&mut received).unwrap();
        write!(
            writer,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        (head, received)
    });
    (url, handle)
}

fn receipt(duplicate: bool) -> String {
    serde_json::json!({
        "upload_id": 17, "duplicate": duplicate, "service": "checkout", "format": "scan",
        "scopes": [{"scope": "rampart:secrets", "complete": true}],
        "uploaded_at": "2026-11-28T10:00:00Z", "uploaded_by": "ci",
        "counts": {"new": 1, "seen_again": 0, "fixed": 0, "reopened": 0,
                   "components_added": 0, "components_removed": 0, "components": 0,
                   "skipped": 0}
    })
    .to_string()
}

#[test]
fn scan_upload_flags_are_checked_before_the_scan() {
    let env = Env::new();
    let repo = planted(&env);
    let url = "http://127.0.0.1:9";
    refused(
        &rampart(
            &env,
            &[],
            &["scan", &repo, "--staged", "--upload", url, "--service", "s"],
        ),
        "--staged",
    );
    refused(
        &rampart(&env, &[], &["scan", &repo, "--upload", url]),
        "--service",
    );
    refused(
        &rampart(&env, &[], &["scan", &repo, "--service", "s"]),
        "--upload",
    );
    refused(
        &rampart(&env, &[], &["scan", &repo, "--partial"]),
        "--upload",
    );
    // No token: refused before scanning, so nothing is printed.
    refused(
        &rampart(
            &env,
            &[],
            &[
                "scan",
                &repo,
                "--secrets",
                "--upload",
                url,
                "--service",
                "s",
            ],
        ),
        "RAMPART_TOKEN",
    );
}

#[test]
fn scan_upload_keeps_the_scan_output_and_exit_code_and_sends_no_secret() {
    let env = Env::new();
    let repo = planted(&env);
    let plain = rampart(&env, &[], &["scan", &repo, "--secrets", "--format", "json"]);
    assert_eq!(plain.code(), 1, "{}", plain.stderr());

    let (url, server) = serve_once("201 Created", receipt(false));
    let uploaded = rampart(
        &env,
        &[("RAMPART_TOKEN", "rmp_test"), ("GITHUB_SHA", "abc123")],
        &[
            "scan",
            &repo,
            "--secrets",
            "--format",
            "json",
            "--show-secrets",
            "--upload",
            &url,
            "--service",
            "checkout",
            "--run",
            "77",
        ],
    );
    let (head, body) = server.join().unwrap();
    assert_eq!(uploaded.code(), 1, "{}", uploaded.stderr());
    assert!(
        uploaded
            .stderr()
            .contains("uploaded to checkout: 1 new, 0 fixed, 0 reopened, 0 components (upload 17)"),
        "{}",
        uploaded.stderr()
    );
    assert!(
        head.starts_with("POST /api/v1/services/checkout/uploads/scan HTTP/1.1"),
        "{head}"
    );
    assert!(head.contains("Bearer rmp_test"), "{head}");
    // --show-secrets changes what is printed, never what is sent.
    assert!(uploaded.stdout().contains(TOKEN));
    assert!(
        !body.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "{}",
        String::from_utf8_lossy(&body)
    );
    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(sent["commit"], "abc123");
    assert_eq!(sent["run"], "77");
    assert_eq!(
        sent["scopes"],
        serde_json::json!([{"scope": "rampart:secrets", "complete": true}])
    );
    assert_eq!(sent["findings"][0]["path"], "deploy.py");
    // Without --show-secrets the printed report is the same with or
    // without the upload.
    let (url, server) = serve_once("200 OK", receipt(true));
    let quiet = rampart(
        &env,
        &[("RAMPART_TOKEN", "rmp_test")],
        &[
            "scan",
            &repo,
            "--secrets",
            "--format",
            "json",
            "--upload",
            &url,
            "--service",
            "checkout",
        ],
    );
    server.join().unwrap();
    assert_eq!(quiet.stdout(), plain.stdout());
    assert_eq!(quiet.code(), 1);
    assert!(
        quiet
            .stderr()
            .contains("uploaded to checkout: unchanged (duplicate of upload 17)"),
        "{}",
        quiet.stderr()
    );
}

#[test]
fn a_refused_scan_upload_exits_2_naming_the_status_and_message() {
    let env = Env::new();
    let repo = planted(&env);
    let (url, server) = serve_once(
        "403 Forbidden",
        r#"{"error":{"code":"forbidden","message":"you may not upload for checkout"}}"#.into(),
    );
    let run = rampart(
        &env,
        &[("RAMPART_TOKEN", "rmp_test")],
        &[
            "scan",
            &repo,
            "--secrets",
            "--upload",
            &url,
            "--service",
            "checkout",
        ],
    );
    server.join().unwrap();
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(
        run.stderr().contains("HTTP 403") && run.stderr().contains("you may not upload"),
        "{}",
        run.stderr()
    );
    // The scan's own output still came first.
    assert!(run.stdout().contains("deploy.py"), "{}", run.stdout());
}

#[test]
fn upload_files_are_checked_locally_before_any_connection() {
    let env = Env::new();
    std::fs::write(
        env.path("broken.sarif"),
        "{\"version\": \"2.1.0\", \"runs\": [",
    )
    .unwrap();
    std::fs::write(env.path("old.sarif"), r#"{"version": "1.0.0", "runs": []}"#).unwrap();
    std::fs::write(env.path("bom.xml"), "<bom/>").unwrap();
    std::fs::write(env.path("empty.json"), "{}").unwrap();
    // No server or token configured: every refusal below is local.
    refused(
        &rampart(
            &env,
            &[],
            &["upload", "sarif", "broken.sarif", "--service", "s"],
        ),
        "broken.sarif",
    );
    let old = rampart(
        &env,
        &[],
        &["upload", "sarif", "old.sarif", "--service", "s"],
    );
    refused(&old, "old.sarif");
    assert!(old.stderr().contains("version"), "{}", old.stderr());
    refused(
        &rampart(
            &env,
            &[],
            &["upload", "sarif", "missing.sarif", "--service", "s"],
        ),
        "missing.sarif",
    );
    let xml = rampart(&env, &[], &["upload", "sbom", "bom.xml", "--service", "s"]);
    refused(&xml, "bom.xml");
    assert!(xml.stderr().contains("XML"), "{}", xml.stderr());
    refused(
        &rampart(
            &env,
            &[],
            &["upload", "sbom", "empty.json", "--service", "s"],
        ),
        "empty.json",
    );
    refused(
        &rampart(
            &env,
            &[],
            &[
                "upload",
                "sbom",
                "bom.xml",
                "--service",
                "s",
                "--name",
                "Bad Name",
            ],
        ),
        "--name",
    );
    refused(
        &rampart(&env, &[], &["upload", "sarif", "old.sarif"]),
        "--service",
    );
}

#[test]
fn a_valid_sarif_log_or_sbom_without_a_server_asks_for_one() {
    let Some(sarif) = rampart_fixtures::sub("interop/sarif") else {
        return;
    };
    let Some(sbom) = rampart_fixtures::sub("interop/sbom") else {
        return;
    };
    let env = Env::new();
    let log = sarif.join("gitleaks-simple.sarif").display().to_string();
    refused(
        &rampart(&env, &[], &["upload", "sarif", &log, "--service", "s"]),
        "RAMPART_URL",
    );
    let mut documents: Vec<_> = std::fs::read_dir(&sbom)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| rampart_deps::sbom::parse(&std::fs::read(p).unwrap()).is_ok())
        .collect();
    documents.sort();
    let document = documents
        .first()
        .expect("an SBOM Rampart reads")
        .display()
        .to_string();
    refused(
        &rampart(&env, &[], &["upload", "sbom", &document, "--service", "s"]),
        "RAMPART_URL",
    );
}

#[test]
fn findings_and_where_usage_errors_exit_2() {
    let env = Env::new();
    let cases: &[(&[&str], &str)] = &[
        (&["findings", "list", "--state", "bogus"], "unknown state"),
        (&["findings", "list", "--severity", "awful"], "severity"),
        (&["findings", "list", "--kind", "other"], "--kind"),
        (
            &[
                "findings",
                "triage",
                "5",
                "--state",
                "accepted_risk",
                "--reason",
                "later",
            ],
            "--until",
        ),
        (
            &[
                "findings",
                "triage",
                "5",
                "--state",
                "accepted_risk",
                "--reason",
                "x",
                "--until",
                "soon",
            ],
            "neither a date",
        ),
        (
            &["findings", "triage", "5", "--state", "false_positive"],
            "--reason",
        ),
        (&["findings", "triage", "x", "--state", "open"], "invalid"),
        (&["findings", "show"], "<ID>"),
        (&["where", "package", "lodash"], "ECOSYSTEM NAME"),
        (
            &["where", "package", "a", "b", "c"],
            "no more were expected",
        ),
        (
            &["where", "advisory", "CVE-2021-1", "--attach", "INC-1"],
            "--attach",
        ),
        (&["where", "secret"], "<FINGERPRINT>"),
        (&["findings", "list"], "RAMPART_URL"),
        (&["where", "team", "payments"], "RAMPART_URL"),
    ];
    for (args, needle) in cases {
        refused(&rampart(&env, &[], args), needle);
    }
    // A server without a token is refused too, before any request.
    refused(
        &rampart(
            &env,
            &[("RAMPART_URL", "http://127.0.0.1:9")],
            &["where", "advisory", "CVE-2021-44228"],
        ),
        "RAMPART_TOKEN",
    );
}

#[test]
fn the_new_commands_have_help() {
    let env = Env::new();
    for args in [
        &["upload", "sarif", "--help"][..],
        &["upload", "sbom", "--help"],
        &["findings", "list", "--help"],
        &["findings", "triage", "--help"],
        &["findings", "summary", "--help"],
        &["where", "package", "--help"],
        &["where", "advisory", "--help"],
        &["where", "secret", "--help"],
        &["where", "team", "--help"],
    ] {
        let run = rampart(&env, &[], args);
        assert_eq!(run.code(), 0, "{args:?}: {}", run.stderr());
        assert!(run.stdout().contains("Usage:"), "{args:?}");
    }
    let scan = rampart(&env, &[], &["scan", "--help"]);
    for flag in ["--upload", "--service", "--commit", "--run", "--partial"] {
        assert!(scan.stdout().contains(flag), "{flag}");
    }
}
