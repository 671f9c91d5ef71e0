//! `rampart db import|status|update`.

use crate::Env;

#[test]
fn import_of_the_rustsec_fixtures_counts_every_record() {
    let Some(env) = Env::with_fixture_advisories(&["osv/rustsec"]) else {
        return;
    };
    let status = env.rampart(&["db", "status", "--json"]);
    assert_eq!(status.code(), 0, "{}", status.stderr());
    let status = status.json();
    let active = status["advisories"].as_u64().unwrap();
    let withdrawn = status["withdrawn"].as_u64().unwrap();
    // The folder holds 1,206 records and a SOURCE.md.
    assert_eq!(active + withdrawn, 1206, "{status}");
    assert_eq!(status["ecosystems"]["crates.io"].as_u64().unwrap(), active);
    assert!(
        status["newest_modified"]
            .as_str()
            .unwrap()
            .starts_with("20")
    );

    let text = env.rampart(&["db", "status"]).stdout();
    assert!(text.contains("crates.io"), "{text}");
    assert!(text.contains("days ago"), "{text}");
}

#[test]
fn reimport_is_idempotent_and_a_newer_modified_wins() {
    let env = Env::new();
    let write = |name: &str, modified: &str, summary: &str| {
        let record = serde_json::json!({
            "id": "TEST-2026-0001", "modified": modified, "summary": summary,
            "affected": [{"package": {"ecosystem": "npm", "name": "left-pad"},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.1"}]}]}]
        });
        std::fs::write(env.path(name), record.to_string()).unwrap();
    };
    write("new.json", "2026-02-01T00:00:00Z", "newer text");
    write("old.json", "2026-01-01T00:00:00Z", "older text");

    let first = env.rampart(&["db", "import", "new.json"]);
    assert_eq!(first.code(), 0, "{}", first.stderr());
    assert!(first.stdout().contains("1 new"), "{}", first.stdout());
    let older = env.rampart(&["db", "import", "old.json"]);
    assert!(
        older.stdout().contains("0 new, 0 updated, 1 unchanged"),
        "{}",
        older.stdout()
    );
    let again = env.rampart(&["db", "import", "new.json"]);
    assert!(again.stdout().contains("1 unchanged"), "{}", again.stdout());

    std::fs::write(env.path("package-lock.json"), LEFT_PAD_LOCK).unwrap();
    let scan = env.rampart(&["scan", "--format", "json", "package-lock.json"]);
    assert_eq!(
        scan.json()["findings"][0]["title"],
        "newer text",
        "{}",
        scan.stdout()
    );
}

const LEFT_PAD_LOCK: &str = r#"{
  "name": "app", "lockfileVersion": 3,
  "packages": {
    "": {"name": "app"},
    "node_modules/left-pad": {"version": "1.3.0"}
  }
}"#;

#[test]
fn malformed_records_are_reported_with_file_and_reason_and_the_rest_imported() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("osv/nested")).unwrap();
    std::fs::write(
        env.path("osv/nested/bad.json"),
        r#"{"id": "X-1", "modified": "not a date"}"#,
    )
    .unwrap();
    std::fs::write(env.path("osv/truncated.json"), r#"{"id": "X-2", "modif"#).unwrap();
    std::fs::write(
        env.path("osv/good.json"),
        r#"{"id": "X-3", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo.Bar"}, "versions": ["1.0"]}]}"#,
    )
    .unwrap();
    std::fs::write(env.path("osv/README.md"), "not an advisory").unwrap();

    let run = env.rampart(&["db", "import", "osv"]);
    assert_eq!(run.code(), 2, "{}", run.stdout());
    let stderr = run.stderr();
    assert!(
        stderr.contains("bad.json") && stderr.contains("modified"),
        "{stderr}"
    );
    assert!(
        stderr.contains("truncated.json") && stderr.contains("line 1"),
        "{stderr}"
    );
    assert!(!stderr.contains("README"), "{stderr}");
    assert!(run.stdout().contains("1 new"), "{}", run.stdout());
    assert!(run.stdout().contains("2 malformed"), "{}", run.stdout());
}

#[test]
fn zip_archives_are_imported_like_osv_publishes_them() {
    let Some(rustsec) = rampart_fixtures::sub("osv/rustsec") else {
        return;
    };
    let env = Env::new();
    let zip_path = env.path("crates.io-all.zip");
    let file = std::fs::File::create(&zip_path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    for name in ["RUSTSEC-2021-0003.json", "RUSTSEC-2016-0001.json"] {
        zip.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut zip, &std::fs::read(rustsec.join(name)).unwrap()).unwrap();
    }
    zip.start_file("broken.json", options).unwrap();
    std::io::Write::write_all(&mut zip, b"{").unwrap();
    zip.finish().unwrap();

    let run = env.rampart(&["db", "import", zip_path.to_str().unwrap()]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("crates.io-all.zip!broken.json"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().contains("2 new"), "{}", run.stdout());
}

#[test]
fn withdrawn_advisories_are_kept_but_never_matched() {
    let Some(env) = Env::with_fixture_advisories(&["interop/osv"]) else {
        return;
    };
    let status = env.rampart(&["db", "status", "--json"]).json();
    assert_eq!(status["withdrawn"], 2, "{status}");
    std::fs::write(env.path("requirements.txt"), "cryptography==3.2\n").unwrap();
    let scan = env.rampart(&["scan", "--format", "json", "requirements.txt"]);
    assert_eq!(scan.code(), 0, "{}", scan.stdout());
    assert_eq!(scan.json()["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn update_without_network_fails_clearly() {
    let env = Env::new();
    // A closed port on loopback: the connection is refused at once.
    let run = env.rampart(&[
        "db",
        "update",
        "--ecosystem",
        "crates.io",
        "--mirror",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
    ]);
    assert_eq!(run.code(), 2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("cannot download the crates.io advisories"),
        "{stderr}"
    );
    assert!(stderr.contains("rampart db import"), "{stderr}");
}

#[test]
fn a_scan_without_a_database_explains_what_to_do() {
    let env = Env::new();
    std::fs::write(env.path("package-lock.json"), LEFT_PAD_LOCK).unwrap();
    let run = env.rampart(&["scan", "."]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("rampart db import"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_corrupt_database_is_an_error_not_a_crash() {
    let env = Env::new();
    std::fs::write(env.db(), b"RMPTOSV\0garbage").unwrap();
    let run = env.rampart(&["db", "status"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("advisory database"),
        "{}",
        run.stderr()
    );
}

#[test]
fn an_unreadable_index_is_rebuilt_by_the_next_import() {
    let env = Env::new();
    std::fs::write(env.db(), b"RMPTOSV\0\x02\0\0\0 from a future version").unwrap();
    std::fs::write(
        env.path("a.json"),
        r#"{"id": "X-1", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]}]}"#,
    )
    .unwrap();
    let run = env.rampart(&["db", "import", "a.json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stderr().contains("rebuilt"), "{}", run.stderr());
    assert_eq!(
        env.rampart(&["db", "status", "--json"]).json()["advisories"],
        1
    );
}

#[cfg(unix)]
#[test]
fn directory_links_inside_an_import_are_not_followed() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("osv")).unwrap();
    std::os::unix::fs::symlink(".", env.path("osv/loop1")).unwrap();
    std::os::unix::fs::symlink(".", env.path("osv/loop2")).unwrap();
    std::fs::write(
        env.path("osv/a.json"),
        r#"{"id": "X-1", "modified": "2026-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let run = env.rampart(&["db", "import", "osv"]);
    assert!(run.stdout().contains("1 new"), "{}", run.stdout());
    assert!(run.stderr().contains("not followed"), "{}", run.stderr());
}
