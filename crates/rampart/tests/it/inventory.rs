//! The inventory as a new user meets it, end to end against a real
//! server: the Backstage fixtures imported, two sample repositories
//! scanned and uploaded, a SARIF log and an SBOM from other tools
//! uploaded, "where else?" asked, and the answer kept in an incident's
//! step 7.

use std::process::Command;

use crate::site::{Site, ok};
use crate::{Env, Run};

/// `rampart scan DIR --upload URL --service NAME` with the scan's
/// advisory database and an API token.
fn scan_and_upload(env: &Env, site: &Site, token: &str, dir: &str, service: &str) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args([
            "scan",
            dir,
            "--upload",
            &site.url,
            "--service",
            service,
            "--run",
            "1",
        ])
        .env("RAMPART_DB", env.db())
        .env("RAMPART_TOKEN", token)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_RUN_ID")
        .env_remove("GITHUB_SHA")
        .env_remove("CI_PIPELINE_ID")
        .env_remove("CI_COMMIT_SHA")
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    Run(output)
}

#[test]
fn a_new_user_imports_uploads_asks_where_else_and_keeps_the_answer_in_step_7() {
    let Some(env) = Env::with_fixture_advisories(&["osv/rustsec", "interop/osv"]) else {
        return;
    };
    let Some(interop) = rampart_fixtures::sub("interop") else {
        return;
    };
    env.copy_data("vulnerable-rust");
    env.copy_data("polyglot");
    let mut site = Site::new();
    let sam = site.user_with_token("sam", "security");
    let vic = site.user_with_token("vic", "viewer");
    site.start();
    let s = Some(sam.as_str());

    // 1. The Backstage catalog files.
    let mut import = vec!["service".to_owned(), "import".to_owned()];
    let mut files: Vec<String> = std::fs::read_dir(interop.join("backstage"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".yaml"))
        .collect();
    files.sort();
    import.extend(files);
    let import: Vec<&str> = import.iter().map(String::as_str).collect();
    ok(&site.run(s, None, &import));
    for (name, tier) in [("vulnerable-rust", "1"), ("polyglot", "2")] {
        ok(&site.run(
            s,
            None,
            &[
                "service", "create", name, "--owner", "team-a", "--tier", tier,
            ],
        ));
    }

    // 2. Two sample repositories, scanned and uploaded.
    let rust = scan_and_upload(&env, &site, &sam, "vulnerable-rust", "vulnerable-rust");
    assert_eq!(
        rust.code(),
        1,
        "findings still fail the scan: {}",
        rust.stderr()
    );
    assert!(
        rust.stderr().contains("uploaded to vulnerable-rust"),
        "{}",
        rust.stderr()
    );
    assert!(
        rust.stdout().contains("RUSTSEC-2021-0003"),
        "the report is printed as usual"
    );
    let polyglot = scan_and_upload(&env, &site, &sam, "polyglot", "polyglot");
    assert!(
        polyglot.stderr().contains("uploaded to polyglot"),
        "{}",
        polyglot.stderr()
    );
    // The same scan again is recognised and changes nothing.
    let again = scan_and_upload(&env, &site, &sam, "vulnerable-rust", "vulnerable-rust");
    assert!(again.stderr().contains("duplicate"), "{}", again.stderr());

    // 3. Other tools' output: a SARIF log and an SBOM.
    let sarif = interop.join("sarif/trivy-alpine-310.sarif");
    let sarif_run = ok(&site.run(
        s,
        None,
        &[
            "upload",
            "sarif",
            sarif.to_str().unwrap(),
            "--service",
            "artist-lookup",
        ],
    ));
    assert!(sarif_run.contains("artist-lookup"), "{sarif_run}");
    let sbom = interop.join("sbom/cdx-1.7-trivy-npm-with-vulns.cdx.json");
    ok(&site.run(
        s,
        None,
        &[
            "upload",
            "sbom",
            sbom.to_str().unwrap(),
            "--service",
            "backstage-demo",
        ],
    ));

    // 4. Where else?
    let jquery = ok(&site.run(
        s,
        None,
        &["where", "package", "npm", "jquery", "--range", "<3.4.0"],
    ));
    assert!(jquery.contains("backstage-demo"), "{jquery}");
    let smallvec = site
        .run(
            s,
            None,
            &[
                "where",
                "package",
                "pkg:cargo/smallvec",
                "--range",
                "<1.6.1",
                "--json",
            ],
        )
        .json();
    assert_eq!(smallvec["services"][0]["service"], "vulnerable-rust");
    assert_eq!(smallvec["services"][0]["matches"][0]["version"], "1.6.0");
    let advisory = ok(&site.run(s, None, &["where", "advisory", "CVE-2019-1549"]));
    assert!(advisory.contains("artist-lookup"), "{advisory}");
    let team = ok(&site.run(s, None, &["where", "team", "team-a"]));
    assert!(
        team.contains("vulnerable-rust") && team.contains("polyglot"),
        "{team}"
    );
    // Viewers get the counts, never the findings.
    ok(&site.run(Some(&vic), None, &["findings", "summary"]));
    assert_eq!(site.run(Some(&vic), None, &["findings", "list"]).code(), 2);

    // 5. The answer, kept in an incident's step 7.
    let declared = ok(&site.run(
        s,
        None,
        &[
            "incident",
            "declare",
            "--title",
            "Poisoned smallvec",
            "--severity",
            "SEV2",
        ],
    ));
    let id = declared.split_whitespace().nth(1).unwrap().to_owned();
    let attached = ok(&site.run(
        s,
        None,
        &[
            "where",
            "package",
            "crates.io",
            "smallvec",
            "--range",
            "<1.6.1",
            "--attach",
            &id,
        ],
    ));
    assert!(attached.contains("vulnerable-rust"), "{attached}");
    let records = ok(&site.run(s, None, &["incident", "record", "list", &id, "--step", "7"]));
    assert!(
        records.contains("blast radius of package crates.io smallvec <1.6.1"),
        "{records}"
    );

    // Triage from the command line.
    let list = site
        .run(
            s,
            None,
            &["findings", "list", "--service", "vulnerable-rust", "--json"],
        )
        .json();
    let first = list["findings"][0]["id"].as_i64().unwrap().to_string();
    let triaged = ok(&site.run(
        s,
        None,
        &[
            "findings",
            "triage",
            &first,
            "--state",
            "false_positive",
            "--reason",
            "test data",
        ],
    ));
    assert!(triaged.contains("false_positive"), "{triaged}");
}
