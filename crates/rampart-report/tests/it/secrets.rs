//! Secret findings in every format: redacted by default, every location
//! listed, commit details for history findings, the scan summary.

use rampart_core::{
    CommitInfo, Confidence, Finding, FindingKind, Fingerprint, Location, SecretLocation, Severity,
};
use rampart_report::{
    Baseline, Format, Ignore, IgnoreSelector, Policy, ScanReport, SecretScanSummary, SecretSource,
    render,
};

/// Stands in for a real token; renderers must only ever print `redacted`.
const VALUE: &str = "ghp_live_value_that_must_never_be_printed";

fn rendered(format: Format, report: &ScanReport) -> String {
    let mut out = Vec::new();
    render(format, report, &mut out, false).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("renderers write UTF-8")
}

fn secret(
    id: &str,
    title: &str,
    severity: Severity,
    confidence: Confidence,
    locations: Vec<SecretLocation>,
) -> Finding {
    let first = locations.first().expect("at least one location");
    Finding {
        id: id.into(),
        title: title.into(),
        severity,
        location: Location::new(first.path.clone(), Some(first.line)),
        fingerprint: Fingerprint::from_parts(&["secret", id, title]),
        kind: FindingKind::Secret {
            provider: id.split('-').next().unwrap_or_default().into(),
            confidence,
            redacted: "ghp_…".into(),
            value: None,
            locations,
        },
    }
}

fn at(path: &str, line: u32) -> SecretLocation {
    SecretLocation {
        path: path.into(),
        line,
        commit: None,
    }
}

fn report(source: SecretSource) -> ScanReport {
    let mut report = ScanReport::new("0.1.0", ".");
    report.dependencies_scanned = false;
    let commit = (source == SecretSource::History).then(|| CommitInfo {
        id: "0123456789abcdef0123456789abcdef01234567".into(),
        author: "Dev Eloper <dev@example.com>".into(),
        date: "2024-03-01T10:00:00Z".into(),
    });
    let mut token_places = vec![
        at("src/config.rs", 12),
        at("deploy/.env", 3),
        at("scripts/release.sh", 40),
        at("docs/setup.md", 7),
        at("tools/ci.yml", 2),
    ];
    for place in &mut token_places {
        place.commit = commit.clone();
    }
    token_places.sort();
    report.findings = vec![
        secret(
            "github-classic-pat",
            "GitHub personal access token (classic)",
            Severity::Critical,
            Confidence::High,
            token_places,
        ),
        secret(
            "postgres-uri-password",
            "PostgreSQL connection URI with password",
            Severity::Medium,
            Confidence::Medium,
            vec![at("tests/fixtures/db.env", 1)],
        ),
    ];
    report.secrets = Some(SecretScanSummary {
        source,
        files: 120,
        bytes: 3_456_789,
        rules: 357,
        skipped_binary: 4,
        skipped_large: 1,
        max_file_bytes: 10 * 1024 * 1024,
        commits: (source == SecretSource::History).then_some(42),
    });
    report.normalize();
    report
}

#[test]
fn working_tree_in_every_format() {
    let report = report(SecretSource::WorkingTree);
    for format in [Format::Table, Format::Json, Format::Sarif, Format::Markdown] {
        let text = rendered(format, &report);
        assert!(!text.contains(VALUE), "{format:?} leaks the value");
        insta::assert_snapshot!(format!("secrets_{}", format.as_str()), text);
    }
}

#[test]
fn history_findings_name_the_commit() {
    let report = report(SecretSource::History);
    let table = rendered(Format::Table, &report);
    assert!(
        table.contains("added in 0123456789ab by Dev Eloper <dev@example.com> on 2024-03-01"),
        "{table}"
    );
    assert!(
        table.contains("in 120 distinct blobs of 42 commits"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&rendered(Format::Json, &report)).expect("valid JSON");
    let location = &json["findings"][0]["locations"][0];
    assert_eq!(
        location["commit"]["id"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(json["summary"]["secrets"]["source"], "history");
    assert_eq!(json["summary"]["secrets"]["commits"], 42);
}

#[test]
fn cyclonedx_carries_no_secrets() {
    let report = report(SecretSource::WorkingTree);
    let bom: serde_json::Value =
        serde_json::from_str(&rendered(Format::CycloneDx, &report)).expect("valid JSON");
    assert_eq!(bom["vulnerabilities"], serde_json::json!([]));
}

#[test]
fn the_value_appears_only_when_the_scanner_put_it_in() {
    let mut report = report(SecretSource::WorkingTree);
    if let FindingKind::Secret { value, .. } = &mut report.findings[0].kind {
        *value = Some(VALUE.into());
    }
    for format in [Format::Table, Format::Json, Format::Sarif, Format::Markdown] {
        assert!(rendered(format, &report).contains(VALUE), "{format:?}");
    }
}

#[test]
fn path_restricted_ignores_must_cover_every_location() {
    let report = report(SecretSource::WorkingTree);
    let token = report
        .findings
        .iter()
        .find(|f| f.id == "github-classic-pat")
        .expect("token finding")
        .clone();
    let selector = IgnoreSelector::Fingerprint(token.fingerprint.as_str().into());
    let partial = Ignore::new(selector.clone(), "docs only").with_paths(vec!["docs/**".into()]);
    assert!(!partial.matches(&token), "a copy outside docs/ still fails");
    let all = Ignore::new(selector, "all of them").with_paths(vec![
        "**/*.rs".into(),
        "**/.env".into(),
        "**/*.sh".into(),
        "docs/**".into(),
        "**/*.yml".into(),
    ]);
    assert!(all.matches(&token));
}

#[test]
fn baseline_round_trip_suppresses_known_secrets_only() {
    let report = report(SecretSource::WorkingTree);
    let baseline = Baseline::from_findings(report.findings.iter().take(1));
    let mut outcome =
        Policy::default().apply(report.findings.clone(), jiff::civil::date(2026, 1, 1));
    outcome.apply_baseline(&baseline);
    assert_eq!(outcome.active.len(), 1);
    assert_eq!(outcome.ignored.len(), 1);
}
