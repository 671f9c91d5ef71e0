//! SARIF uploads on the nine producers' logs of the shared fixtures and on
//! hand-made edge cases.

use std::collections::HashSet;

use rampart_core::Severity;
use rampart_inventory::sarif::parse;
use rampart_inventory::{
    FingerprintOrigin, IncomingFinding, SarifError, SarifLimits, SarifUpload, strip_sarif,
};

fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir = rampart_fixtures::sub("interop/sarif")?;
    Some(std::fs::read(dir.join(name)).unwrap())
}

fn parsed(name: &str) -> Option<SarifUpload> {
    Some(parse(&fixture(name)?, &SarifLimits::default()).unwrap())
}

fn severities(upload: &SarifUpload) -> Vec<Severity> {
    upload.findings.iter().map(|f| f.severity).collect()
}

fn scope_counts(upload: &SarifUpload) -> Vec<(&str, usize)> {
    upload
        .scopes
        .iter()
        .map(|s| (s.scope.as_str(), s.findings))
        .collect()
}

fn distinct_fingerprints(findings: &[IncomingFinding]) -> usize {
    findings
        .iter()
        .map(|f| (f.scope.clone(), f.fingerprint.clone()))
        .collect::<HashSet<_>>()
        .len()
}

#[test]
fn every_fixture_parses_with_the_expected_counts() {
    let Some(dir) = rampart_fixtures::sub("interop/sarif") else {
        return;
    };
    let expected: [(&str, &[(&str, usize)]); 9] = [
        ("clang-tidy.sarif", &[("sarif:clang-tidy", 6)]),
        (
            "codeql-lgtm-two-runs.sarif",
            &[
                ("sarif:lgtm.com", 1),
                ("sarif:codeql-command-line-toolchain", 2),
            ],
        ),
        (
            "codeql-partial-fingerprints.sarif",
            &[("sarif:codeql-command-line-toolchain", 2)],
        ),
        ("flawfinder.sarif", &[("sarif:flawfinder", 3)]),
        ("gitleaks-simple.sarif", &[("sarif:gitleaks", 1)]),
        ("grype-image.sarif", &[("sarif:grype", 2)]),
        ("nessus-two-runs.sarif", &[("sarif:nessus", 2)]),
        ("pylint.sarif", &[("sarif:pylint", 72)]),
        ("trivy-alpine-310.sarif", &[("sarif:trivy", 4)]),
    ];
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sarif"))
        .collect();
    files.sort();
    assert_eq!(files, expected.map(|(name, _)| name.to_owned()));
    for (name, scopes) in expected {
        let upload = parsed(name).unwrap();
        assert_eq!(scope_counts(&upload), scopes, "{name}");
        assert_eq!(parsed(name).unwrap(), upload, "{name}: deterministic");
        assert_eq!(upload.skipped, 0, "{name}");
        assert_eq!(
            distinct_fingerprints(&upload.findings),
            upload.findings.len(),
            "{name}: fingerprints collide"
        );
        for finding in &upload.findings {
            assert!(!finding.title.is_empty(), "{name}");
            let json = serde_json::to_string(finding).unwrap();
            let back: IncomingFinding = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, finding, "{name} round-trips");
        }
    }
}

#[test]
fn the_secret_in_a_gitleaks_snippet_goes_nowhere() {
    let Some(bytes) = fixture("gitleaks-simple.sarif") else {
        return;
    };
    assert!(String::from_utf8_lossy(&bytes).contains("a secret"));
    let upload = parse(&bytes, &SarifLimits::default()).unwrap();
    let json = serde_json::to_string(&upload).unwrap();
    assert!(!json.contains("a secret"), "{json}");

    let stripped = strip_sarif(&bytes).unwrap();
    assert!(!String::from_utf8_lossy(&stripped).contains("a secret"));
    // Stripping changes nothing Rampart reads, and is deterministic.
    assert_eq!(parse(&stripped, &SarifLimits::default()).unwrap(), upload);
    assert_eq!(strip_sarif(&bytes).unwrap(), stripped);

    let finding = &upload.findings[0];
    assert_eq!(finding.rule_id, "test-rule");
    assert_eq!(finding.path.as_deref(), Some("auth.py"));
    assert_eq!(finding.line, Some(1));
    assert_eq!(finding.fingerprint_origin, FingerprintOrigin::SarifPartial);
    assert_eq!(finding.detail.tags, ["tag1", "tag2", "tag3"]);
    assert_eq!(upload.scopes[0].tool, "gitleaks v8.0.0");
}

#[test]
fn stripping_removes_fixes_and_snippets_everywhere() {
    for name in ["clang-tidy.sarif", "flawfinder.sarif"] {
        let Some(bytes) = fixture(name) else {
            return;
        };
        let stripped = String::from_utf8(strip_sarif(&bytes).unwrap()).unwrap();
        for key in ["\"fixes\"", "\"snippet\"", "insertedContent", "strcpy(tim"] {
            assert!(!stripped.contains(key), "{name}: {key}");
        }
    }
    assert!(matches!(
        strip_sarif(b"{\"a\":"),
        Err(SarifError::Syntax { .. })
    ));

    let web = derived_log(
        r#"{"message":{"text":"m"},"webRequest":{"headers":{"Cookie":"sid=s3cr3t"}},
            "webResponse":{"body":{"text":"token s3cr3t"}},
            "codeFlows":[{"threadFlows":[{"locations":[]}]}],
            "stacks":[{"frames":[{"location":{"physicalLocation":{"region":{"snippet":{"text":"s3cr3t"}}}}}]}]}"#,
    );
    let stripped = String::from_utf8(strip_sarif(&web).unwrap()).unwrap();
    assert!(!stripped.contains("s3cr3t"), "{stripped}");
    assert!(!stripped.contains("codeFlows"));
    assert!(stripped.contains("\"frames\""), "only the excerpt goes");
}

#[test]
fn severities_follow_security_severity_then_level() {
    let Some(grype) = parsed("grype-image.sarif") else {
        return;
    };
    // security-severity 8.2 and 8.5 win over the levels note and error.
    assert_eq!(severities(&grype), [Severity::High, Severity::High]);
    assert!(grype.findings[0].ids.contains(&"CVE-1999-0001".to_owned()));
    assert_eq!(
        grype.findings[0].path.as_deref(),
        Some("user-input/somefile-1.txt")
    );

    let trivy = parsed("trivy-alpine-310.sarif").unwrap();
    assert_eq!(severities(&trivy), [Severity::Medium; 4]);
    assert_eq!(
        trivy.findings[0].title,
        "openssl: information disclosure in fork()"
    );
    assert_eq!(
        trivy.findings[0].detail.help_uri.as_deref(),
        Some("https://avd.aquasec.com/nvd/cve-2019-1549")
    );
    assert_eq!(trivy.scopes[0].tool, "Trivy dev");

    let nessus = parsed("nessus-two-runs.sarif").unwrap();
    assert_eq!(severities(&nessus), [Severity::Low, Severity::Critical]);
    assert_eq!(nessus.findings[0].path.as_deref(), Some("host://10.0.0.1"));
    assert_eq!(nessus.findings[1].path.as_deref(), Some("host://10.0.0.2"));
    assert!(
        nessus.findings[1]
            .ids
            .contains(&"CVE-2018-10858".to_owned())
    );
    assert!(
        nessus.findings[1]
            .ids
            .contains(&"CVE-2018-10919".to_owned())
    );
    assert!(
        nessus
            .findings
            .iter()
            .all(|f| f.fingerprint_origin == FingerprintOrigin::SarifFingerprints)
    );

    let flawfinder = parsed("flawfinder.sarif").unwrap();
    assert_eq!(
        severities(&flawfinder),
        [Severity::High, Severity::Low, Severity::High]
    );
    // The same contextHash in two files: the path keeps them apart.
    assert_ne!(
        flawfinder.findings[0].fingerprint,
        flawfinder.findings[2].fingerprint
    );

    // No level anywhere: SARIF's default, warning.
    let pylint = parsed("pylint.sarif").unwrap();
    assert!(
        pylint
            .findings
            .iter()
            .all(|f| f.severity == Severity::Medium)
    );
    // Rule default level note.
    let lgtm = parsed("codeql-lgtm-two-runs.sarif").unwrap();
    assert!(lgtm.findings.iter().all(|f| f.severity == Severity::Low));
}

#[test]
fn codeql_rule_index_without_rules_is_harmless() {
    let Some(upload) = parsed("codeql-partial-fingerprints.sarif") else {
        return;
    };
    let [a, b] = upload.findings.as_slice() else {
        panic!("two findings");
    };
    assert_eq!(a.rule_id, "js/unused-local-variable");
    assert_eq!(a.title, "Unused variable a.");
    assert_eq!(
        b.path.as_deref(),
        Some("testFile2.js"),
        "resolved by artifact index"
    );
    assert_eq!(b.line, Some(2));
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(a.fingerprint_origin, FingerprintOrigin::SarifPartial);
}

#[test]
fn clang_tidy_paths_resolve_through_artifacts() {
    let Some(upload) = parsed("clang-tidy.sarif") else {
        return;
    };
    // uri "" with index 0, whose artifact has an empty uri too: no path.
    assert_eq!(upload.findings[0].path, None);
    assert_eq!(
        upload.findings[1].path.as_deref(),
        Some("/home/lsp/projects/staticlib/src/Hello.cpp")
    );
    assert!(upload.findings.iter().all(|f| f.line.is_none()));
    assert_eq!(
        upload.findings[1].detail.help_uri.as_deref(),
        Some(
            "https://clang.llvm.org/extra/clang-tidy/checks/readability-convert-member-functions-to-static.html"
        )
    );
    assert!(
        upload
            .findings
            .iter()
            .all(|f| f.fingerprint_origin == FingerprintOrigin::Derived)
    );
}

#[test]
fn nessus_runs_merge_into_one_scope_and_codeql_runs_do_not() {
    let Some(nessus) = parsed("nessus-two-runs.sarif") else {
        return;
    };
    assert_eq!(nessus.scopes.len(), 1);
    assert_eq!(nessus.scopes[0].tool, "Nessus 10.4.2");
    let codeql = parsed("codeql-lgtm-two-runs.sarif").unwrap();
    assert_eq!(codeql.scopes[0].tool, "LGTM.com 1.24.0-SNAPSHOT");
    assert_eq!(codeql.scopes[1].tool, "CodeQL command-line toolchain 2.0.0");
    // The same result in both runs: one per scope, same line hash, but
    // different tools, so different fingerprints.
    assert_ne!(
        codeql.findings[0].fingerprint,
        codeql.findings[1].fingerprint
    );
}

#[test]
fn pylint_fingerprints_are_distinct_and_stable() {
    let Some(bytes) = fixture("pylint.sarif") else {
        return;
    };
    let first = parse(&bytes, &SarifLimits::default()).unwrap();
    assert_eq!(first.findings.len(), 72);
    assert_eq!(distinct_fingerprints(&first.findings), 72);
    assert!(first.findings.iter().all(|f| f.rule_id.contains('(')));
    let second = parse(&bytes, &SarifLimits::default()).unwrap();
    assert_eq!(first, second);

    // Every line moves down (prefixing a digit keeps their order): the
    // derived fingerprints do not change, the lines do.
    let moved = String::from_utf8(bytes)
        .unwrap()
        .replace("\"startLine\": ", "\"startLine\": 1");
    let moved = parse(moved.as_bytes(), &SarifLimits::default()).unwrap();
    for (before, after) in first.findings.iter().zip(&moved.findings) {
        assert_eq!(before.fingerprint, after.fingerprint);
        assert_ne!(before.line, after.line);
    }
}

/// A hand-made log with no fingerprints: `results` is spliced in.
fn derived_log(results: &str) -> Vec<u8> {
    format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"Lint"}}}},"results":[{results}]}}]}}"#
    )
    .into_bytes()
}

fn result_at(line: u64, message: &str) -> String {
    format!(
        r#"{{"ruleId":"r1","message":{{"text":"{message}"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"file://src/a.py"}},"region":{{"startLine":{line}}}}}}}]}}"#
    )
}

#[test]
fn derived_fingerprints_survive_moved_lines() {
    let limits = SarifLimits::default();
    let before = parse(
        &derived_log(&[result_at(10, "trailing whitespace"), result_at(20, "x  y")].join(",")),
        &limits,
    )
    .unwrap();
    // Both moved down; the second's message reflowed.
    let after = parse(
        &derived_log(
            &[
                result_at(14, "trailing whitespace"),
                result_at(31, "x\\n y"),
            ]
            .join(","),
        ),
        &limits,
    )
    .unwrap();
    assert_eq!(before.findings[0].path.as_deref(), Some("src/a.py"));
    assert_eq!(after.findings[0].line, Some(14));
    for (b, a) in before.findings.iter().zip(&after.findings) {
        assert_eq!(b.fingerprint, a.fingerprint);
    }

    // Identical messages in one file stay distinct, numbered by line,
    // whatever order the tool lists them in.
    let same = "trailing whitespace";
    let forward = parse(
        &derived_log(&[result_at(1, same), result_at(5, same)].join(",")),
        &limits,
    )
    .unwrap();
    let backward = parse(
        &derived_log(&[result_at(5, same), result_at(1, same)].join(",")),
        &limits,
    )
    .unwrap();
    assert_ne!(
        forward.findings[0].fingerprint,
        forward.findings[1].fingerprint
    );
    assert_eq!(
        forward.findings[0].fingerprint,
        backward.findings[1].fingerprint
    );
}

#[test]
fn rule_lookup_suppressions_and_skipped_kinds() {
    let log = br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T","version":"1",
        "rules":[{"id":"A","shortDescription":{"text":"Rule A"},"defaultConfiguration":{"level":"error"},
                  "messageStrings":{"m":{"text":"found {0} in {1}"}},
                  "properties":{"tags":["security","GHSA-35jh-r3h4-6jhm"]}}]}},
      "results":[
        {"ruleIndex":0,"message":{"id":"m","arguments":["eval","x.js"]}},
        {"ruleId":"B","ruleIndex":7,"message":{"text":"out of range"}},
        {"ruleId":"A","kind":"pass","message":{"text":"fine"}},
        {"ruleId":"A","kind":"notApplicable","message":{"text":"n/a"}},
        {"ruleId":"A","baselineState":"absent","message":{"text":"gone"}},
        {"ruleId":"A","kind":"informational","message":{"text":"fyi"}},
        {"ruleId":"A","message":{"text":"ok"},"suppressions":[{"kind":"inSource","status":"rejected"}]},
        {"ruleId":"A","message":{"text":"quiet"},"suppressions":[{"kind":"inSource","justification":"test code"}]},
        {"message":{"text":"nothing"},"properties":{"security-severity":"9.8","cve":"CVE-2021-44228"}}
      ]}]}"#;
    let upload = parse(log, &SarifLimits::default()).unwrap();
    assert_eq!(upload.skipped, 3);
    let f = &upload.findings;
    assert_eq!(f.len(), 6);
    assert_eq!(f[0].rule_id, "A");
    assert_eq!(f[0].title, "Rule A");
    assert_eq!(f[0].detail.message.as_deref(), Some("found eval in x.js"));
    assert_eq!(f[0].severity, Severity::High);
    assert!(f[0].ids.contains(&"GHSA-35JH-R3H4-6JHM".to_owned()));
    assert_eq!(f[1].rule_id, "B");
    assert_eq!(f[1].severity, Severity::Medium);
    assert_eq!(f[2].severity, Severity::Info);
    assert_eq!(f[3].local_suppression, None);
    let quiet = f[4].local_suppression.as_ref().unwrap();
    assert_eq!(quiet.source, "sarif:inSource");
    assert_eq!(quiet.reason.as_deref(), Some("test code"));
    assert_eq!(f[5].rule_id, "unknown");
    assert_eq!(f[5].severity, Severity::Critical);
    assert!(f[5].ids.contains(&"CVE-2021-44228".to_owned()));
}

#[test]
fn rules_of_extensions_are_found() {
    let log = br#"{"version":"2.1.0","runs":[{"tool":{
        "driver":{"name":"CodeQL","rules":[{"id":"d0"}]},
        "extensions":[{"name":"pack","rules":[
            {"id":"js/x","shortDescription":{"text":"X"}},
            {"id":"js/xss","shortDescription":{"text":"XSS"},"properties":{"security-severity":"6.1"}}]}]},
      "results":[
        {"ruleId":"js/xss","rule":{"id":"js/xss","index":1,"toolComponent":{"index":0}},"message":{"text":"m"}},
        {"ruleId":"js/xss","ruleIndex":1,"message":{"text":"index out of the driver's range"}},
        {"rule":{"index":0,"toolComponent":{"index":0}},"message":{"text":"no id"}},
        {"ruleId":"js/x","rule":{"index":0,"toolComponent":{"index":9}},"message":{"text":"bad component"}}
      ]}]}"#;
    let upload = parse(log, &SarifLimits::default()).unwrap();
    let f = &upload.findings;
    assert_eq!(
        (f[0].title.as_str(), f[0].severity),
        ("XSS", Severity::Medium)
    );
    assert_eq!(f[1].title, "XSS", "found by id");
    assert_eq!((f[2].rule_id.as_str(), f[2].title.as_str()), ("js/x", "X"));
    assert_eq!(f[3].title, "X", "found by id");
}

fn error(bytes: &[u8]) -> SarifError {
    parse(bytes, &SarifLimits::default()).unwrap_err()
}

#[test]
fn refusals_name_the_json_path() {
    let err = error(br#"{"version":"2.0.0","runs":[]}"#);
    assert_eq!(err.path(), Some("version"));
    assert!(err.to_string().contains("2.1.0"), "{err}");
    assert_eq!(error(br#"{"runs":[]}"#).path(), Some("version"));
    assert_eq!(error(br#"{"version":"2.1.0"}"#).path(), Some("runs"));
    assert_eq!(
        error(br#"{"version":"2.1.0","runs":[{"tool":{}}]}"#).path(),
        Some("runs[0].tool.driver")
    );
    assert_eq!(
        error(&derived_log(
            r#"{"ruleIndex":"zero","message":{"text":"x"}}"#
        ))
        .path(),
        Some("runs[0].results[0].ruleIndex")
    );
    assert_eq!(
        error(&derived_log(
            r#"{"message":{"text":"x"},"fingerprints":{"k":1}}"#
        ))
        .path(),
        Some("runs[0].results[0].fingerprints.k")
    );
    assert_eq!(
        error(&derived_log(
            r#"{"message":{"text":"x"},"locations":[{"physicalLocation":{"region":{"startLine":"3"}}}]}"#
        ))
        .path(),
        Some("runs[0].results[0].locations[0].physicalLocation.region.startLine")
    );
    assert_eq!(
        error(&derived_log(
            r#"{"message":{"text":"x"},"locations":"here"}"#
        ))
        .path(),
        Some("runs[0].results[0].locations")
    );
    assert_eq!(
        error(&derived_log(r#"{"message":"x"}"#)).path(),
        Some("runs[0].results[0].message")
    );
    let Some(bytes) = fixture("trivy-alpine-310.sarif") else {
        return;
    };
    for cut in [1, bytes.len() / 2, bytes.len() - 1] {
        assert!(matches!(
            parse(&bytes[..cut], &SarifLimits::default()),
            Err(SarifError::Syntax { .. })
        ));
    }
}

#[test]
fn completeness_is_what_the_log_claims() {
    let Some(nessus) = parsed("nessus-two-runs.sarif") else {
        return;
    };
    assert!(nessus.scopes[0].complete);
    let log = br#"{"version":"2.1.0","runs":[
        {"tool":{"driver":{"name":"A"}},"results":[]},
        {"tool":{"driver":{"name":"B"}}},
        {"tool":{"driver":{"name":"C"}},"results":[],"invocations":[{"executionSuccessful":false}]},
        {"tool":{"driver":{"name":"A"}},"results":[],"invocations":[{"executionSuccessful":true}]}
    ]}"#;
    let upload = parse(log, &SarifLimits::default()).unwrap();
    let complete: Vec<(&str, bool)> = upload
        .scopes
        .iter()
        .map(|s| (s.scope.as_str(), s.complete))
        .collect();
    assert_eq!(
        complete,
        [("sarif:a", true), ("sarif:b", false), ("sarif:c", false)]
    );
    assert_eq!(
        error(br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"A"}},"invocations":[{"executionSuccessful":"no"}]}]}"#).path(),
        Some("runs[0].invocations[0].executionSuccessful")
    );
}

#[test]
fn limits_are_enforced() {
    let three = derived_log(&[result_at(1, "a"), result_at(2, "b"), result_at(3, "c")].join(","));
    let small = SarifLimits {
        max_results: 2,
        ..SarifLimits::default()
    };
    let err = parse(&three, &small).unwrap_err();
    assert_eq!(err.path(), Some("runs[0].results"));
    let tiny = SarifLimits {
        max_bytes: 10,
        ..SarifLimits::default()
    };
    assert!(matches!(
        parse(&three, &tiny),
        Err(SarifError::TooLarge { .. })
    ));
    let runs = SarifLimits {
        max_runs: 1,
        ..SarifLimits::default()
    };
    let two_runs = br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"a"}}},{"tool":{"driver":{"name":"b"}}}]}"#;
    assert_eq!(parse(two_runs, &runs).unwrap_err().path(), Some("runs"));

    let long = "é".repeat(10_000);
    let upload = parse(
        &derived_log(&result_at(1, &long)),
        &SarifLimits {
            max_text_bytes: 100,
            ..SarifLimits::default()
        },
    )
    .unwrap();
    let finding = &upload.findings[0];
    assert!(finding.detail.message.as_ref().unwrap().len() <= 100);
    assert!(finding.title.chars().count() <= 200);
}

#[test]
fn hostile_input_never_panics() {
    let limits = SarifLimits::default();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\xff\xfe".to_vec(),
        deep.into_bytes(),
        br#"{"version":"2.1.0","runs":null}"#.to_vec(),
        br#"{"version":"2.1.0","runs":[1,"x",null]}"#.to_vec(),
        br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":5}}}]}"#.to_vec(),
        derived_log(r#"1"#),
        derived_log(r#"{"ruleIndex":18446744073709551615,"message":{"text":"x"}}"#),
        derived_log(
            r#"{"ruleIndex":-1,"locations":[{"physicalLocation":{"artifactLocation":{"index":99999999999}}}]}"#,
        ),
        derived_log(r#"{"locations":"x"}"#),
        derived_log(r#"{"message":{"text":"{99999999999999999999}{0}{"}}"#),
        derived_log(r#"{"properties":{"security-severity":"NaN","tags":[1]}}"#),
        derived_log(r#"{"suppressions":[1]}"#),
    ];
    for input in inputs {
        let _ = parse(&input, &limits);
        let _ = strip_sarif(&input);
    }
}

#[test]
fn repeated_tool_fingerprints_stay_distinct() {
    let result = |line: u64| {
        format!(
            r#"{{"ruleId":"r","message":{{"text":"m"}},"fingerprints":{{"h":"same"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"a.c"}},"region":{{"startLine":{line}}}}}}}]}}"#
        )
    };
    let limits = SarifLimits::default();
    let forward = parse(&derived_log(&[result(3), result(9)].join(",")), &limits).unwrap();
    let backward = parse(&derived_log(&[result(9), result(3)].join(",")), &limits).unwrap();
    assert_eq!(distinct_fingerprints(&forward.findings), 2);
    // The first in line order keeps the tool's fingerprint.
    assert_eq!(
        forward.findings[0].fingerprint,
        backward.findings[1].fingerprint
    );
    assert_eq!(
        forward.findings[1].fingerprint,
        backward.findings[0].fingerprint
    );
}
