//! A small hand-made scan report that exercises every part of every format.

use jiff::civil::date;
use rampart_core::{
    Component, ComponentVersion, Ecosystem, Finding, FindingKind, Fingerprint, Location, Severity,
};
use rampart_report::{
    DatabaseSummary, ExpiredIgnore, IgnoreSelector, IgnoredFinding, ScanReport, ScannedFile,
    SkippedFile, SuppressionSource,
};

pub fn component(eco: Ecosystem, name: &str, version: &str, path: &str, line: u32) -> Component {
    Component::new(
        eco,
        name,
        ComponentVersion::Exact(version.into()),
        Location::new(path, Some(line)),
    )
}

#[allow(clippy::too_many_arguments)]
pub fn vulnerability(
    id: &str,
    aliases: &[&str],
    title: &str,
    severity: Severity,
    score: Option<f64>,
    vectors: &[&str],
    package: Component,
    fixed: &[&str],
) -> Finding {
    let version = package.version.exact().unwrap_or_default().to_string();
    Finding {
        id: id.into(),
        title: title.into(),
        severity,
        location: package.location.clone(),
        fingerprint: Fingerprint::from_parts(&[
            id,
            package.ecosystem.osv_name(),
            &package.name,
            &version,
            &package.location.path,
        ]),
        kind: FindingKind::Vulnerability {
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            fixed_versions: fixed.iter().map(|s| s.to_string()).collect(),
            cvss_vectors: vectors.iter().map(|s| s.to_string()).collect(),
            cvss_score: score,
            references: vec![format!("https://example.org/advisories/{id}")],
            informational: None,
            package,
        },
    }
}

pub fn smallvec() -> Finding {
    vulnerability(
        "RUSTSEC-2021-0003",
        &["CVE-2021-25900", "GHSA-43w2-9j62-hq99"],
        "Buffer overflow in SmallVec::insert_many",
        Severity::Critical,
        Some(9.8),
        &["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"],
        component(Ecosystem::CratesIo, "smallvec", "1.6.0", "Cargo.lock", 120),
        &["0.6.14", "1.6.1"],
    )
}

pub fn lodash() -> Finding {
    let mut package = component(
        Ecosystem::Npm,
        "lodash",
        "4.17.20",
        "web/package-lock.json",
        44,
    );
    package.add_group("dev");
    vulnerability(
        "GHSA-35jh-r3h4-6jhm",
        &["CVE-2021-23337"],
        "Command injection in `template` | lodash",
        Severity::High,
        Some(7.2),
        &["CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"],
        package,
        &["4.17.21"],
    )
}

pub fn requests() -> Finding {
    vulnerability(
        "PYSEC-2023-74",
        &["CVE-2023-32681"],
        "Unintended leak of Proxy-Authorization header",
        Severity::Unknown,
        None,
        &[],
        component(Ecosystem::PyPI, "requests", "2.25.0", "requirements.txt", 3),
        &[],
    )
}

pub fn time() -> Finding {
    vulnerability(
        "RUSTSEC-2020-0071",
        &["CVE-2020-26235"],
        "Potential segfault in the time crate",
        Severity::Medium,
        Some(6.2),
        &["CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"],
        component(Ecosystem::CratesIo, "time", "0.1.45", "Cargo.lock", 210),
        &["0.2.23"],
    )
}

pub fn django_unresolved() -> Component {
    Component::new(
        Ecosystem::PyPI,
        "django",
        ComponentVersion::Unresolved {
            requirement: ">=3.2".into(),
        },
        Location::new("requirements.txt", Some(5)),
    )
}

/// The sample report, built from `findings` in the order given.
pub fn report_with(findings: Vec<Finding>) -> ScanReport {
    let mut components = vec![
        component(Ecosystem::CratesIo, "serde", "1.0.200", "Cargo.lock", 300),
        django_unresolved(),
    ];
    components.extend(findings.iter().filter_map(|f| match &f.kind {
        FindingKind::Vulnerability { package, .. } => Some(package.clone()),
        FindingKind::Secret { .. } => None,
    }));
    let FindingKind::Vulnerability {
        package: time_package,
        ..
    } = time().kind
    else {
        unreachable!("time() is a vulnerability")
    };
    components.push(time_package);
    ScanReport {
        findings,
        ignored: vec![IgnoredFinding {
            finding: time(),
            source: SuppressionSource::Policy,
            selector: Some(IgnoreSelector::Id("RUSTSEC-2020-0071".into())),
            reason: "not reachable: we never call localtime_r".into(),
            until: Some(date(2099, 12, 31)),
        }],
        components,
        scanned_files: vec![
            ScannedFile {
                path: "requirements.txt".into(),
                kind: "requirements.txt".into(),
                components: 2,
            },
            ScannedFile {
                path: "Cargo.lock".into(),
                kind: "Cargo.lock".into(),
                components: 3,
            },
            ScannedFile {
                path: "web/package-lock.json".into(),
                kind: "package-lock.json".into(),
                components: 1,
            },
        ],
        skipped: vec![SkippedFile {
            path: "vendor/huge/package-lock.json".into(),
            reason: "larger than 64 MiB".into(),
        }],
        errors: vec![SkippedFile {
            path: "tools/poetry.lock".into(),
            reason: "invalid TOML at line 3: expected `=`".into(),
        }],
        expired_ignores: vec![ExpiredIgnore {
            selector: IgnoreSelector::Id("CVE-2021-23337".into()),
            reason: "only used at build time".into(),
            until: date(2024, 1, 31),
            matched: 1,
            location: Some(Location::new("rampart.toml", Some(7))),
        }],
        database: Some(DatabaseSummary {
            advisories: 12345,
            newest_modified: Some("2024-05-01T00:00:00Z".into()),
            age_days: Some(12),
            max_age_days: 7,
        }),
        threshold: Severity::High,
        ..ScanReport::new("0.1.0", ".")
    }
}

pub fn report() -> ScanReport {
    report_with(vec![smallvec(), lodash(), requests()])
}
