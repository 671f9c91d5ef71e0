//! `rampart serve`, the operator commands and the incident client, driven
//! as a user would: real processes, a real port, SQLite in a temporary data
//! directory (and PostgreSQL for the database-level commands).

use std::process::Command;
use std::time::Duration;

use crate::site::{Site, edit_sqlite, ok};

#[test]
fn an_incident_walked_through_the_cli_stays_need_to_know_and_audited() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "engineer");
    let bob = site.user_with_token("bob", "engineer");
    let carol = site.user_with_token("carol", "security");
    site.start();
    assert!(site.log().contains("listening"), "{}", site.log());
    let (a, b, c) = (
        Some(alice.as_str()),
        Some(bob.as_str()),
        Some(carol.as_str()),
    );

    let declared = ok(&site.run(
        a,
        None,
        &[
            "incident",
            "declare",
            "--title",
            "Miner on build-7",
            "--severity",
            "SEV2",
        ],
    ));
    assert!(declared.starts_with("declared SEC-"), "{declared}");
    let id = declared.split_whitespace().nth(1).unwrap().to_owned();

    // Steps, with the rules' reasons and warnings.
    ok(&site.run(a, None, &["incident", "step", &id, "1", "--state", "done"]));
    let refused = site.run(
        a,
        None,
        &["incident", "step", &id, "3", "--state", "in_progress"],
    );
    assert_eq!(refused.code(), 2);
    assert!(
        refused.stderr().contains("containment is not a quick fix"),
        "{}",
        refused.stderr()
    );
    ok(&site.run(
        a,
        None,
        &[
            "incident",
            "step",
            &id,
            "3",
            "--state",
            "in_progress",
            "--rationale",
            "vector unknown",
        ],
    ));
    let warned = site.run(
        a,
        None,
        &["incident", "step", &id, "11", "--state", "in_progress"],
    );
    assert_eq!(warned.code(), 0, "{}", warned.stderr());
    assert!(
        warned.stderr().contains("warning: step 11"),
        "{}",
        warned.stderr()
    );
    let not_needed = site.run(
        a,
        None,
        &["incident", "step", &id, "12", "--state", "not_needed"],
    );
    assert!(
        not_needed.stderr().contains("field `rationale`"),
        "{}",
        not_needed.stderr()
    );

    // Records.
    ok(&site.run(
        a,
        None,
        &[
            "incident",
            "timeline",
            "add",
            &id,
            "--at",
            "2026-11-20T03:14:00Z",
            "--source",
            "nginx log",
            "--description",
            "first use of the stolen token",
            "--suspected",
        ],
    ));
    ok(&site.run(
        a,
        None,
        &[
            "incident",
            "record",
            "add",
            &id,
            "--kind",
            "containment_action",
            "--fields",
            r#"{"what_stopped":"miner","how":"killed it","at":"2026-11-27T10:00:00Z"}"#,
        ],
    ));
    ok(&site.run(
        a,
        None,
        &[
            "incident",
            "action",
            "add",
            &id,
            "--title",
            "alert on new cron jobs",
            "--owner",
            "alice",
            "--due",
            "2026-12-15",
            "--kind",
            "monitoring",
        ],
    ));
    let timeline = ok(&site.run(a, None, &["incident", "timeline", "list", &id]));
    assert!(
        timeline.contains("suspected") && timeline.contains("first use of the stolen token"),
        "{timeline}"
    );

    let shown = ok(&site.run(a, None, &["incident", "show", &id]));
    assert!(
        shown.contains(" 1  Stop the attack in progress") && shown.contains("done"),
        "{shown}"
    );
    assert!(shown.contains("vector unknown"), "{shown}");

    // Bob, not a member, sees nothing: the same answer as for no incident.
    assert!(ok(&site.run(b, None, &["incident", "list"])).contains("no incidents"));
    let hidden = site.run(b, None, &["incident", "show", &id]);
    let missing = site.run(b, None, &["incident", "show", "SEC-2026-9999"]);
    assert_eq!(hidden.code(), 2);
    assert_eq!(hidden.stderr(), missing.stderr());

    // Break glass: Bob asks, Carol (security) approves, Alice is told.
    let asked = ok(&site.run(
        b,
        None,
        &[
            "incident",
            "break-glass",
            &id,
            "--reason",
            "miner is back, commander unreachable",
        ],
    ));
    let asked_missing = ok(&site.run(
        b,
        None,
        &[
            "incident",
            "break-glass",
            "SEC-2026-9999",
            "--reason",
            "probing",
        ],
    ));
    assert_eq!(
        asked, asked_missing,
        "break-glass answers must not reveal whether an incident exists"
    );
    let queue = ok(&site.run(c, None, &["break-glass", "list", "--json"]));
    let queue: serde_json::Value = serde_json::from_str(&queue).unwrap();
    let requests = queue["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{queue}");
    assert!(
        requests[0].get("title").is_none(),
        "approvers see the codename, not the title"
    );
    let request_id = requests[0]["id"].to_string();
    let self_approval = site.run(b, None, &["break-glass", "approve", &request_id]);
    assert_ne!(self_approval.code(), 0);
    ok(&site.run(c, None, &["break-glass", "approve", &request_id]));
    let seen = ok(&site.run(b, None, &["incident", "show", &id]));
    assert!(
        seen.contains("BREAK-GLASS: bob (approved by carol"),
        "{seen}"
    );
    let told = ok(&site.run(a, None, &["notifications"]));
    assert!(
        told.contains("bob broke the glass (approved by carol)"),
        "{told}"
    );

    // The chain verifies with the server running, and its head anchors.
    let head = ok(&site.run(
        None,
        None,
        &[
            "audit",
            "head",
            "--data-dir",
            site.data_dir().to_str().unwrap(),
        ],
    ));
    let verified = ok(&site.run(
        None,
        None,
        &[
            "audit",
            "verify",
            "--data-dir",
            site.data_dir().to_str().unwrap(),
            "--anchor",
            head.trim(),
        ],
    ));
    assert!(verified.contains("audit chain intact"), "{verified}");
    assert!(
        !site.log().contains(&alice) && !site.log().contains(&bob),
        "tokens must never reach the log"
    );
    site.stop();
}

#[test]
fn audit_verify_names_the_row_someone_edited_in_the_database() {
    let site = Site::new();
    site.user_with_token("alice", "admin");
    site.user_with_token("bob", "viewer");
    let data_dir = site.data_dir();
    let data_dir = data_dir.to_str().unwrap();
    let head = ok(&site.run(None, None, &["audit", "head", "--data-dir", data_dir]));
    assert!(head.starts_with("4:"), "{head}");

    edit_sqlite(
        &site.data_dir().join("rampart.db"),
        "UPDATE audit_log SET event = replace(event, '\"bob\"', '\"eve\"') WHERE seq = 3",
    );
    let broken = site.run(None, None, &["audit", "verify", "--data-dir", data_dir]);
    assert_eq!(broken.code(), 1, "{}", broken.stderr());
    assert!(
        broken.stderr().contains("BROKEN at event 3"),
        "{}",
        broken.stderr()
    );

    // Deleting the last rows leaves a valid shorter chain: only the anchor tells.
    let site = Site::new();
    site.user_with_token("alice", "admin");
    let data_dir = site.data_dir();
    let data_dir = data_dir.to_str().unwrap();
    let anchor = ok(&site.run(None, None, &["audit", "head", "--data-dir", data_dir]));
    edit_sqlite(
        &site.data_dir().join("rampart.db"),
        "DELETE FROM audit_log WHERE seq = 2",
    );
    ok(&site.run(None, None, &["audit", "verify", "--data-dir", data_dir]));
    let truncated = site.run(
        None,
        None,
        &[
            "audit",
            "verify",
            "--data-dir",
            data_dir,
            "--anchor",
            anchor.trim(),
        ],
    );
    assert_eq!(truncated.code(), 1, "{}", truncated.stderr());
    assert!(
        truncated.stderr().contains("BROKEN at event 2"),
        "{}",
        truncated.stderr()
    );
}

#[test]
fn a_server_killed_mid_write_loses_nothing_committed_and_the_chain_still_verifies() {
    let mut site = Site::new();
    let alice = site.user_with_token("alice", "security");
    site.start();
    let declared = ok(&site.run(
        Some(&alice),
        None,
        &[
            "incident",
            "declare",
            "--title",
            "crash test",
            "--severity",
            "SEV3",
        ],
    ));
    let id: rampart_incident::IncidentId =
        declared.split_whitespace().nth(1).unwrap().parse().unwrap();

    // Writers hammer one step's notes while the server is killed with
    // SIGKILL: no graceful shutdown, transactions cut off mid-flight.
    let acknowledged = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let client = rampart_client::Client::new(&site.url, Some(alice.clone())).unwrap();
            let acknowledged = std::sync::Arc::clone(&acknowledged);
            std::thread::spawn(move || {
                for n in 0.. {
                    let request = rampart_api::UpdateStepRequest {
                        state: None,
                        rationale: None,
                        owner: None,
                        notes: Some(Some(format!("writer {writer} note {n}"))),
                    };
                    match client.update_step(id, rampart_incident::Step::ForensicAnalysis, &request)
                    {
                        Ok(_) => {
                            acknowledged.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        Err(rampart_client::ClientError::Api { status: 409, .. }) => {}
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    while acknowledged.load(std::sync::atomic::Ordering::SeqCst) < 40 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut server = site.server.take().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.load(std::sync::atomic::Ordering::SeqCst);

    let data_dir = site.data_dir();
    let verified = ok(&site.run(
        None,
        None,
        &["audit", "verify", "--data-dir", data_dir.to_str().unwrap()],
    ));
    assert!(verified.contains("audit chain intact"), "{verified}");
    site.start();
    let log = site
        .run(
            Some(&alice),
            None,
            &["incident", "log", &id.to_string(), "--json"],
        )
        .json();
    let notes_logged = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["summary"].as_str().unwrap_or("").contains("notes"))
        .count();
    // Every acknowledged write is there; at most the writes in flight when
    // the server died (one per writer) may have committed unacknowledged.
    assert!(
        (acknowledged..=acknowledged + 4).contains(&notes_logged),
        "{acknowledged} acknowledged, {notes_logged} in the response log"
    );
}

#[test]
fn operator_commands_refuse_bad_input_clearly() {
    let site = Site::new();
    let data_dir = site.data_dir();
    let data_dir = data_dir.to_str().unwrap();
    let no_password = site.run(
        None,
        Some(""),
        &[
            "user",
            "create",
            "--data-dir",
            data_dir,
            "--name",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
        ],
    );
    assert_eq!(no_password.code(), 2);
    assert!(
        no_password
            .stderr()
            .contains("no password on standard input"),
        "{}",
        no_password.stderr()
    );
    let short = site.run(
        None,
        Some("short\n"),
        &[
            "user",
            "create",
            "--data-dir",
            data_dir,
            "--name",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
        ],
    );
    assert_eq!(short.code(), 2);
    assert!(
        short.stderr().contains("12"),
        "the policy's minimum length is named: {}",
        short.stderr()
    );
    let bad_role = site.run(
        None,
        None,
        &[
            "user",
            "create",
            "--data-dir",
            data_dir,
            "--name",
            "alice",
            "--role",
            "root",
            "--password-stdin",
        ],
    );
    assert_eq!(bad_role.code(), 2);
    assert!(
        bad_role
            .stderr()
            .contains("expected one of: admin, security, engineer, viewer"),
        "{}",
        bad_role.stderr()
    );

    site.user_with_token("alice", "admin");
    let duplicate = site.run(
        None,
        Some("correct-horse-battery-staple\n"),
        &[
            "user",
            "create",
            "--data-dir",
            data_dir,
            "--name",
            "alice",
            "--role",
            "viewer",
            "--password-stdin",
        ],
    );
    assert_eq!(duplicate.code(), 2);
    assert!(
        duplicate.stderr().contains("already exists"),
        "{}",
        duplicate.stderr()
    );
    let unknown = site.run(
        None,
        None,
        &[
            "token",
            "create",
            "--data-dir",
            data_dir,
            "--user",
            "mallory",
        ],
    );
    assert_eq!(unknown.code(), 2);
    assert!(
        unknown.stderr().contains("no user named `mallory`"),
        "{}",
        unknown.stderr()
    );

    std::fs::write(
        site.dir.path().join("bad.toml"),
        "listen = \"127.0.0.1:0\"\nsesion_ttl_hours = 3\n",
    )
    .unwrap();
    let config = site.run(
        None,
        None,
        &["serve", "--config", "bad.toml", "--data-dir", data_dir],
    );
    assert_eq!(config.code(), 2);
    assert!(
        config.stderr().contains("sesion_ttl_hours"),
        "{}",
        config.stderr()
    );

    // RAMPART_* variables override the file, and are checked the same way.
    let env_override = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--data-dir", data_dir, "--listen", "127.0.0.1:0"])
        .env("RAMPART_TRUSTED_PROXIES", "10.0.0.2, proxy.internal")
        .output()
        .unwrap();
    assert_eq!(env_override.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&env_override.stderr);
    assert!(
        stderr.contains("trusted_proxies") || stderr.contains("invalid IP"),
        "{stderr}"
    );

    let no_server = site.run(Some("rmp_x"), None, &["incident", "list"]);
    assert_eq!(no_server.code(), 2);
    let no_token = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["incident", "list", "--url", "http://127.0.0.1:9"])
        .env_remove("RAMPART_TOKEN")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&no_token.stderr).contains("RAMPART_TOKEN"));
}

#[test]
fn the_database_level_commands_work_on_postgresql_too() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let site = Site::new();
    let created = site.run(
        None,
        Some("correct-horse-battery-staple\n"),
        &[
            "user",
            "create",
            "--database-url",
            &url,
            "--name",
            "alice",
            "--role",
            "admin",
            "--password-stdin",
        ],
    );
    assert_eq!(created.code(), 0, "{}", created.stderr());
    let token = site.run(
        None,
        None,
        &["token", "create", "--database-url", &url, "--user", "alice"],
    );
    assert_eq!(token.code(), 0, "{}", token.stderr());
    let listed = ok(&site.run(None, None, &["user", "list", "--database-url", &url]));
    assert!(
        listed.contains("alice") && listed.contains("admin"),
        "{listed}"
    );
    let verified = ok(&site.run(None, None, &["audit", "verify", "--database-url", &url]));
    assert!(
        verified.contains("audit chain intact: 2 events"),
        "{verified}"
    );
}

#[test]
fn two_servers_on_one_postgresql_database_serialise_their_writes() {
    let url = rampart_test_postgres::server().fresh_database_url();
    let mut first = Site::new();
    let mut second = Site::new();
    let created = first.run(
        None,
        Some("correct-horse-battery-staple\n"),
        &[
            "user",
            "create",
            "--database-url",
            &url,
            "--name",
            "alice",
            "--role",
            "security",
            "--password-stdin",
        ],
    );
    assert_eq!(created.code(), 0, "{}", created.stderr());
    let token = ok(&first.run(
        None,
        None,
        &["token", "create", "--database-url", &url, "--user", "alice"],
    ));
    let token = token.trim().to_owned();
    first.start_with(&["--database-url".as_ref(), url.as_ref()]);
    second.start_with(&["--database-url".as_ref(), url.as_ref()]);

    // Incidents declared through both replicas at once get distinct ids,
    // and step updates through both land in one gapless chain.
    let sites = [&first, &second];
    let results: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|n| {
                let site = sites[n % 2];
                let token = token.clone();
                scope.spawn(move || {
                    let declared = ok(&site.run(
                        Some(&token),
                        None,
                        &[
                            "incident",
                            "declare",
                            "--title",
                            &format!("replica test {n}"),
                            "--severity",
                            "SEV4",
                        ],
                    ));
                    let id = declared.split_whitespace().nth(1).unwrap().to_owned();
                    for round in 0..5 {
                        let other = sites[(n + round + 1) % 2];
                        ok(&other.run(
                            Some(&token),
                            None,
                            &[
                                "incident",
                                "step",
                                &id,
                                "10",
                                "--notes",
                                &format!("round {round}"),
                            ],
                        ));
                    }
                    id
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ids = results.clone();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "{results:?}");

    let listed = first
        .run(Some(&token), None, &["incident", "list", "--json"])
        .json();
    assert_eq!(listed["incidents"].as_array().unwrap().len(), 6);
    let verified = ok(&first.run(None, None, &["audit", "verify", "--database-url", &url]));
    assert!(verified.contains("audit chain intact"), "{verified}");
}
