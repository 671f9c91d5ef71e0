//! `rampart scan` on our own sample projects against real advisories.

use crate::Env;

fn rust_env() -> Option<Env> {
    let env = Env::with_fixture_advisories(&["osv/rustsec"])?;
    env.copy_data("vulnerable-rust");
    Some(env)
}

fn finding<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {report:#}"))
}

#[test]
fn a_vulnerable_cargo_lock_reports_the_advisory_with_its_fix() {
    let Some(env) = rust_env() else { return };
    let run = env.rampart(&["scan", "--format", "json", "vulnerable-rust"]);
    assert_eq!(
        run.code(),
        1,
        "findings over the threshold exit 1: {}",
        run.stderr()
    );
    let report = run.json();
    let smallvec = finding(&report, "RUSTSEC-2021-0003");
    assert_eq!(smallvec["kind"], "vulnerability");
    assert_eq!(smallvec["package"]["name"], "smallvec");
    assert_eq!(smallvec["package"]["version"], "1.6.0");
    assert_eq!(smallvec["package"]["ecosystem"], "crates.io");
    assert_eq!(smallvec["package"]["purl"], "pkg:cargo/smallvec@1.6.0");
    assert_eq!(smallvec["location"]["path"], "Cargo.lock");
    assert_eq!(smallvec["location"]["line"], 29);
    assert_eq!(smallvec["fixed_versions"], serde_json::json!(["1.6.1"]));
    assert_eq!(smallvec["severity"], "critical");
    let aliases = smallvec["aliases"].as_array().unwrap();
    assert!(
        aliases.contains(&"CVE-2021-25900".into())
            && aliases.contains(&"GHSA-43w2-9j62-hq99".into())
    );

    // Unmaintained crates are informational: listed, but below the default
    // threshold on their own.
    let ansi = finding(&report, "RUSTSEC-2021-0139");
    assert_eq!(ansi["severity"], "info");
    assert!(ansi["fixed_versions"].as_array().unwrap().is_empty());

    // The same input gives byte-identical output, whatever the threads.
    let again = env.rampart(&["scan", "--format", "json", "vulnerable-rust"]);
    assert_eq!(run.stdout(), again.stdout());
    let single = env.rampart(&["scan", "-j", "1", "--format", "json", "vulnerable-rust"]);
    assert_eq!(run.stdout(), single.stdout());
}

#[test]
fn every_format_reports_the_advisory() {
    let Some(env) = rust_env() else { return };
    for format in ["table", "json", "sarif", "cyclonedx", "markdown"] {
        let run = env.rampart(&["scan", "--format", format, "vulnerable-rust"]);
        assert_eq!(run.code(), 1, "{format}: {}", run.stderr());
        let out = run.stdout();
        assert!(
            out.contains("RUSTSEC-2021-0003"),
            "{format} lacks the advisory:\n{out}"
        );
        assert!(
            out.contains("1.6.1"),
            "{format} lacks the fixed version:\n{out}"
        );
        if matches!(format, "json" | "sarif" | "cyclonedx") {
            run.json();
        }
    }
    let sarif = env
        .rampart(&["scan", "--format", "sarif", "vulnerable-rust"])
        .json();
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2021-0003")
        .unwrap()
        .clone();
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        29
    );
    assert!(
        result["partialFingerprints"]
            .as_object()
            .is_some_and(|m| !m.is_empty())
    );
    let cdx = env
        .rampart(&["scan", "--format", "cyclonedx", "vulnerable-rust"])
        .json();
    assert_eq!(cdx["specVersion"], "1.6");
    assert!(
        cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["purl"] == "pkg:cargo/smallvec@1.6.0")
    );
}

#[test]
fn json_output_snapshot() {
    let Some(env) = rust_env() else { return };
    let run = env.rampart(&["scan", "--format", "json", "vulnerable-rust/Cargo.lock"]);
    let mut report = run.json();
    // Keep the snapshot about our output, not the advisory texts.
    for finding in report["findings"].as_array_mut().unwrap() {
        finding.as_object_mut().unwrap().retain(|k, _| {
            matches!(
                k.as_str(),
                "kind"
                    | "id"
                    | "aliases"
                    | "severity"
                    | "package"
                    | "location"
                    | "fixed_versions"
                    | "fingerprint"
            )
        });
    }
    insta::assert_json_snapshot!(report["findings"]);
    // The rule count grows with every rule added; it is not what this
    // snapshot is about.
    report["summary"]["secrets"]["rules"] = "[rules]".into();
    insta::assert_json_snapshot!("summary", report["summary"]);
}

#[test]
fn thresholds_decide_the_exit_code() {
    let Some(env) = rust_env() else { return };
    // Only informational and critical findings: high passes, critical fails.
    assert_eq!(
        env.rampart(&["scan", "--fail-on", "critical", "vulnerable-rust"])
            .code(),
        1
    );
    std::fs::write(
        env.path("vulnerable-rust/rampart.toml"),
        "fail_on = \"critical\"\n\n[[ignore]]\nid = \"CVE-2021-25900\"\nreason = \"not reachable: we never call insert_many\"\n",
    )
    .unwrap();
    let run = env.rampart(&["scan", "--format", "json", "vulnerable-rust"]);
    assert_eq!(run.code(), 0, "ignored by alias: {}", run.stdout());
    let report = run.json();
    assert_eq!(
        report["ignored"][0]["finding"]["id"], "RUSTSEC-2021-0003",
        "{report:#}"
    );
}

#[test]
fn expired_ignores_stop_applying_and_say_so() {
    let Some(env) = rust_env() else { return };
    std::fs::write(
        env.path("vulnerable-rust/rampart.toml"),
        "[[ignore]]\nid = \"RUSTSEC-2021-0003\"\nreason = \"upgrade scheduled\"\nuntil = \"2020-01-31\"\n",
    )
    .unwrap();
    let run = env.rampart(&["scan", "vulnerable-rust"]);
    assert_eq!(run.code(), 1);
    let out = run.stdout();
    assert!(
        out.contains("2020-01-31") && out.contains("RUSTSEC-2021-0003"),
        "{out}"
    );
}

#[test]
fn baselines_turn_known_findings_into_ignored_ones() {
    let Some(env) = rust_env() else { return };
    let write = env.rampart(&[
        "scan",
        "--write-baseline",
        "baseline.json",
        "vulnerable-rust",
    ]);
    assert_eq!(write.code(), 1);
    let run = env.rampart(&[
        "scan",
        "--baseline",
        "baseline.json",
        "--format",
        "json",
        "vulnerable-rust",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(run.json()["findings"].as_array().unwrap().is_empty());
}

#[test]
fn polyglot_project_matches_every_ecosystem() {
    let Some(env) = Env::with_fixture_advisories(&["interop/osv"]) else {
        return;
    };
    env.copy_data("polyglot");
    let run = env.rampart(&["scan", "--format", "json", "polyglot"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    let report = run.json();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for id in [
        "GHSA-fhjf-83wg-r2j9",
        "GHSA-9v2f-6vcg-3hgv",
        "GHSA-838r-hvwh-24h8",
        "DRUPAL-CONTRIB-2021-025",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(
        finding(&report, "GHSA-fhjf-83wg-r2j9")["fixed_versions"],
        serde_json::json!(["1.3.2"])
    );
    assert_eq!(
        finding(&report, "GHSA-838r-hvwh-24h8")["fixed_versions"],
        serde_json::json!(["2.5"])
    );
    // last_affected with no later fix: nothing to upgrade to.
    assert_eq!(
        finding(&report, "DRUPAL-CONTRIB-2021-025")["fixed_versions"],
        serde_json::json!([])
    );
    // `requests>=2.31` names no version: unresolved, never matched.
    assert_eq!(
        report["summary"]["unresolved"], 1,
        "{:#}",
        report["summary"]
    );
}

#[test]
fn a_clean_project_exits_zero_and_says_so_briefly() {
    let Some(env) = Env::with_fixture_advisories(&["osv/rustsec"]) else {
        return;
    };
    std::fs::write(
        env.path("Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let run = env.rampart(&["scan", "."]);
    assert_eq!(run.code(), 0, "{}", run.stdout());
    assert!(run.stdout().lines().count() <= 6, "{}", run.stdout());
}

#[test]
fn malformed_lockfiles_are_input_errors_naming_file_and_line() {
    let Some(env) = Env::with_fixture_advisories(&["osv/rustsec"]) else {
        return;
    };
    std::fs::create_dir_all(env.path("svc")).unwrap();
    std::fs::write(
        env.path("svc/package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \n",
    )
    .unwrap();
    let run = env.rampart(&["scan", "--format", "json", "."]);
    assert_eq!(run.code(), 2);
    let report = run.json();
    let error = &report["errors"][0];
    assert_eq!(error["path"], "svc/package-lock.json", "{report:#}");
    assert!(
        error["reason"].as_str().unwrap().contains("line"),
        "{error}"
    );
}

#[test]
fn unsupported_single_files_are_usage_errors() {
    let env = Env::new();
    std::fs::write(env.path("notes.txt"), "hello").unwrap();
    let run = env.rampart(&["scan", "--deps", "notes.txt"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("not a lockfile"), "{}", run.stderr());
    // Without a selector, a file that is not a lockfile is still a target
    // for the secret scanner.
    let run = env.rampart(&["scan", "--format", "json", "notes.txt"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.json()["summary"]["secrets"]["files"], 1);
    assert_eq!(env.rampart(&["scan", "--format", "xml", "."]).code(), 2);
    assert_eq!(env.rampart(&["scan", "does-not-exist"]).code(), 2);
}

#[test]
fn includes_cannot_escape_the_scanned_tree() {
    let Some(env) = Env::with_fixture_advisories(&["interop/osv"]) else {
        return;
    };
    std::fs::create_dir_all(env.path("repo/sub")).unwrap();
    std::fs::write(env.path("outside.txt"), "secret-package==1.0\n").unwrap();
    std::fs::write(
        env.path("repo/sub/requirements.txt"),
        "gradio==4.36.1\n-r ../../outside.txt\n-r /etc/passwd\n-r /dev/zero\n",
    )
    .unwrap();
    let run = env.rampart(&["scan", "--format", "json", "repo"]);
    assert_eq!(run.code(), 2, "an unreadable include is an input error");
    let out = run.stdout();
    assert!(
        !out.contains("secret-package") && !out.contains("root:"),
        "{out}"
    );
    assert!(out.contains("outside the scanned directory"), "{out}");
}

#[test]
fn credentials_in_urls_never_reach_the_output() {
    let Some(env) = Env::with_fixture_advisories(&["interop/osv"]) else {
        return;
    };
    std::fs::write(
        env.path("requirements.txt"),
        "private @ git+https://deploy:ghp_0123456789abcdefghijklmnopqrstuvwxyzAB@github.com/acme/private.git@v1\n",
    )
    .unwrap();
    for format in ["json", "cyclonedx", "sarif", "markdown", "table"] {
        let out = env
            .rampart(&["scan", "--format", format, "requirements.txt"])
            .stdout();
        assert!(
            !out.contains("ghp_0123"),
            "{format} leaks the token:\n{out}"
        );
    }
}

#[cfg(unix)]
#[test]
fn symlinked_lockfiles_are_reported_as_skipped() {
    let Some(env) = Env::with_fixture_advisories(&["osv/rustsec"]) else {
        return;
    };
    env.copy_data("vulnerable-rust");
    std::fs::create_dir_all(env.path("repo")).unwrap();
    std::os::unix::fs::symlink(
        env.path("vulnerable-rust/Cargo.lock"),
        env.path("repo/Cargo.lock"),
    )
    .unwrap();
    let report = env.rampart(&["scan", "--format", "json", "repo"]).json();
    assert_eq!(report["skipped"][0]["path"], "Cargo.lock", "{report:#}");
    assert!(
        report["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("symbolic link")
    );
}

#[test]
fn output_files_excludes_and_no_ignore() {
    let Some(env) = rust_env() else { return };
    env.copy_data("polyglot");
    let run = env.rampart(&["scan", "--format", "sarif", "-o", "out.sarif", "."]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout().is_empty(),
        "the report goes to the file: {}",
        run.stdout()
    );
    assert!(
        run.stderr().contains("findings"),
        "a one-line summary goes to stderr: {}",
        run.stderr()
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    // --exclude leaves a tree out; so does .gitignore unless --no-ignore.
    let report = env
        .rampart(&["scan", "--format", "json", "--exclude", "polyglot/", "."])
        .json();
    let scanned: Vec<&str> = report["scanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(scanned, ["vulnerable-rust/Cargo.lock"]);
    std::fs::write(env.path(".gitignore"), "vulnerable-rust/\n").unwrap();
    let report = env
        .rampart(&["scan", "--format", "json", "--exclude", "polyglot/", "."])
        .json();
    assert!(
        report["scanned"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let report = env
        .rampart(&[
            "scan",
            "--format",
            "json",
            "--no-ignore",
            "--exclude",
            "polyglot/",
            ".",
        ])
        .json();
    assert_eq!(report["scanned"].as_array().unwrap().len(), 1, "{report:#}");
}

#[test]
fn scanner_toggles_in_the_policy_say_what_they_do() {
    let Some(env) = rust_env() else { return };
    std::fs::write(
        env.path("vulnerable-rust/rampart.toml"),
        "[scan]\ndeps = false\nsecrets = true\n",
    )
    .unwrap();
    // Only the secret scanner runs: no lockfile is read.
    let run = env.rampart(&["scan", "--format", "json", "vulnerable-rust"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let report = run.json();
    assert!(
        report["scanned"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    assert!(report["summary"]["secrets"]["files"].as_u64().unwrap() >= 2);
    // An explicit selector wins over the policy.
    assert_eq!(
        env.rampart(&["scan", "--deps", "vulnerable-rust"]).code(),
        1
    );
    std::fs::write(
        env.path("vulnerable-rust/rampart.toml"),
        "[scan]\ndeps = false\nsecrets = false\n",
    )
    .unwrap();
    let run = env.rampart(&["scan", "vulnerable-rust"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains("turns every scanner off"),
        "{}",
        run.stderr()
    );
}
