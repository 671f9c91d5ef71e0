//! The OSV evaluation rules, case by case: one advisory, one component,
//! the expected verdict and fix.

use rampart_core::{Component, ComponentVersion, Ecosystem, FindingKind, Location};
use rampart_osv::{Database, db, match_components};
use serde_json::{Value, json};

/// Imports `advisories` into a fresh database.
fn database(advisories: &[Value]) -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    for (i, advisory) in advisories.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.json")), advisory.to_string()).unwrap();
    }
    let db_path = dir.path().join("db");
    let report = db::import(&db_path, &[dir.path().to_path_buf()]).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let db = Database::open(&db_path).unwrap();
    (dir, db)
}

fn advisory(id: &str, ecosystem: &str, name: &str, affected_extra: Value) -> Value {
    let mut affected = json!({"package": {"ecosystem": ecosystem, "name": name}});
    affected
        .as_object_mut()
        .unwrap()
        .extend(affected_extra.as_object().unwrap().clone());
    json!({"id": id, "modified": "2026-01-01T00:00:00Z", "affected": [affected]})
}

fn component(ecosystem: Ecosystem, name: &str, version: &str) -> Component {
    Component::new(
        ecosystem,
        name,
        ComponentVersion::Exact(version.into()),
        Location::new("lock", Some(1)),
    )
}

/// Matches one component; returns (ids, fixed versions) of the findings.
fn check_one(advisories: &[Value], c: Component) -> Vec<(String, Vec<String>)> {
    let (_dir, db) = database(advisories);
    let outcome = match_components(&db, &[c]).unwrap();
    outcome
        .findings
        .into_iter()
        .map(|f| {
            let FindingKind::Vulnerability { fixed_versions, .. } = f.kind else {
                unreachable!("the matcher only reports vulnerabilities")
            };
            (f.id, fixed_versions)
        })
        .collect()
}

/// A range over one npm package with these events, checked at `version`.
fn check_events(events: Value, version: &str, expected_fix: Option<&[&str]>) {
    let adv = advisory(
        "T-1",
        "npm",
        "pkg",
        json!({"ranges": [{"type": "SEMVER", "events": events}]}),
    );
    let found = check_one(&[adv], component(Ecosystem::Npm, "pkg", version));
    match expected_fix {
        None => assert!(
            found.is_empty(),
            "{version} should not be affected: {found:?}"
        ),
        Some(fix) => {
            assert_eq!(found.len(), 1, "{version} should be affected");
            assert_eq!(found[0].1, fix, "fix for {version}");
        }
    }
}

#[test]
fn introduced_and_fixed() {
    let events = json!([{"introduced": "1.0.0"}, {"fixed": "1.4.2"}]);
    check_events(events.clone(), "0.9.9", None);
    check_events(events.clone(), "1.0.0", Some(&["1.4.2"]));
    check_events(events.clone(), "1.4.1", Some(&["1.4.2"]));
    check_events(events.clone(), "1.4.2-rc.1", Some(&["1.4.2"]));
    check_events(events.clone(), "1.4.2", None);
    check_events(events, "2.0.0", None);
}

#[test]
fn introduced_zero_is_below_everything() {
    let events = json!([{"introduced": "0"}, {"fixed": "0.2.0"}]);
    check_events(events.clone(), "0.0.0-alpha", Some(&["0.2.0"]));
    check_events(events, "0.2.0", None);
}

#[test]
fn several_intervals_in_one_range_in_any_event_order() {
    // GHSA-style: events listed out of order must be sorted first.
    let events = json!([{"introduced": "0"}, {"introduced": "2.0.0"}, {"fixed": "2.0.1"}, {"fixed": "1.3.2"}]);
    check_events(events.clone(), "1.3.1", Some(&["1.3.2"]));
    check_events(events.clone(), "1.3.2", None);
    check_events(events.clone(), "1.9.9", None);
    check_events(events.clone(), "2.0.0", Some(&["2.0.1"]));
    check_events(events, "2.0.1", None);
}

#[test]
fn last_affected_includes_the_bound_and_offers_no_fix() {
    let events = json!([{"introduced": "3.0.0"}, {"last_affected": "3.0.4"}]);
    check_events(events.clone(), "3.0.4", Some(&[]));
    check_events(events.clone(), "3.0.5", None);
    check_events(events, "2.9.9", None);
}

#[test]
fn limit_caps_the_range() {
    let events = json!([{"introduced": "0"}, {"limit": "2.0.0"}]);
    check_events(events.clone(), "1.9.9", Some(&[]));
    check_events(events, "2.0.0", None);
}

#[test]
fn a_range_without_upper_bound_affects_every_later_version() {
    check_events(json!([{"introduced": "1.2.0"}]), "99.0.0", Some(&[]));
}

#[test]
fn versions_lists_use_the_ecosystem_ordering_and_name_normalisation() {
    let adv = advisory(
        "T-2",
        "PyPI",
        "Zope.Interface",
        json!({"versions": ["5.4", "5.5"]}),
    );
    assert_eq!(
        check_one(
            std::slice::from_ref(&adv),
            component(Ecosystem::PyPI, "zope-interface", "5.4.0")
        )
        .len(),
        1
    );
    assert!(
        check_one(
            &[adv],
            component(Ecosystem::PyPI, "zope-interface", "5.4.1")
        )
        .is_empty()
    );
}

#[test]
fn ecosystem_ranges_use_the_native_ordering() {
    // PEP 440: 2.0rc1 < 2.0 < 2.0.post1.
    let adv = advisory(
        "T-3",
        "PyPI",
        "pkg",
        json!({"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}),
    );
    assert_eq!(
        check_one(
            std::slice::from_ref(&adv),
            component(Ecosystem::PyPI, "pkg", "2.0rc1")
        )
        .len(),
        1
    );
    assert!(
        check_one(
            std::slice::from_ref(&adv),
            component(Ecosystem::PyPI, "pkg", "2.0.post1")
        )
        .is_empty()
    );
    // Maven: 1.0-SNAPSHOT < 1.0 < 1.0-sp1.
    let adv = advisory(
        "T-4",
        "Maven",
        "g:a",
        json!({"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}]}),
    );
    assert_eq!(
        check_one(
            std::slice::from_ref(&adv),
            component(Ecosystem::Maven, "g:a", "1.0-SNAPSHOT")
        )
        .len(),
        1
    );
    assert!(check_one(&[adv], component(Ecosystem::Maven, "g:a", "1.0-sp1")).is_empty());
}

#[test]
fn ecosystem_suffixes_match_the_base_ecosystem() {
    let adv = advisory(
        "T-5",
        "Packagist:https://packages.drupal.org/8",
        "drupal/x",
        json!({"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.5.0"}]}]}),
    );
    assert_eq!(
        check_one(&[adv], component(Ecosystem::Packagist, "drupal/x", "2.4.0")).len(),
        1
    );
}

#[test]
fn other_packages_and_ecosystems_do_not_match() {
    let adv = advisory("T-6", "npm", "pkg", json!({"versions": ["1.0.0"]}));
    assert!(
        check_one(
            std::slice::from_ref(&adv),
            component(Ecosystem::Npm, "pkg2", "1.0.0")
        )
        .is_empty()
    );
    assert!(check_one(&[adv], component(Ecosystem::CratesIo, "pkg", "1.0.0")).is_empty());
}

#[test]
fn aliases_merge_into_one_finding_with_a_fix_that_clears_both() {
    let a = json!({"id": "GHSA-aaaa-bbbb-cccc", "modified": "2026-01-01T00:00:00Z", "aliases": ["CVE-2026-1"],
        "affected": [{"package": {"ecosystem": "crates.io", "name": "c"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}]}]});
    let b = json!({"id": "RUSTSEC-2026-0001", "modified": "2026-01-01T00:00:00Z", "aliases": ["CVE-2026-1"],
        "affected": [{"package": {"ecosystem": "crates.io", "name": "c"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]}]});
    let (_dir, db) = database(&[a, b]);
    let outcome = match_components(&db, &[component(Ecosystem::CratesIo, "c", "1.0.0")]).unwrap();
    assert_eq!(outcome.findings.len(), 1);
    let finding = &outcome.findings[0];
    assert_eq!(
        finding.id, "RUSTSEC-2026-0001",
        "the ecosystem's own database names it"
    );
    let FindingKind::Vulnerability {
        aliases,
        fixed_versions,
        ..
    } = &finding.kind
    else {
        unreachable!("the matcher only reports vulnerabilities")
    };
    assert_eq!(aliases, &["CVE-2026-1", "GHSA-aaaa-bbbb-cccc"]);
    assert_eq!(
        fixed_versions,
        &["1.3.0"],
        "1.2.0 still has the RUSTSEC one"
    );
}

#[test]
fn git_only_ranges_are_noted_not_guessed() {
    let adv = advisory(
        "T-7",
        "PyPI",
        "pkg",
        json!({"ranges": [{"type": "GIT", "repo": "https://example.invalid/r", "events": [{"introduced": "0"}, {"fixed": "abc123"}]}]}),
    );
    let (_dir, db) = database(&[adv]);
    let outcome = match_components(&db, &[component(Ecosystem::PyPI, "pkg", "1.0")]).unwrap();
    assert!(outcome.findings.is_empty());
    assert!(
        outcome.notes[0].message.contains("GIT"),
        "{:?}",
        outcome.notes
    );
}

#[test]
fn unresolved_components_are_never_matched() {
    let adv = advisory(
        "T-8",
        "PyPI",
        "requests",
        json!({"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}),
    );
    let (_dir, db) = database(&[adv]);
    let c = Component::new(
        Ecosystem::PyPI,
        "requests",
        ComponentVersion::Unresolved {
            requirement: ">=2".into(),
        },
        Location::new("r.txt", Some(1)),
    );
    let outcome = match_components(&db, &[c]).unwrap();
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.checked, 0);
}

#[test]
fn unparsable_versions_are_noted() {
    let adv = advisory(
        "T-9",
        "npm",
        "pkg",
        json!({"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}),
    );
    let (_dir, db) = database(&[adv]);
    let outcome =
        match_components(&db, &[component(Ecosystem::Npm, "pkg", "not-a-version")]).unwrap();
    assert!(outcome.findings.is_empty());
    assert!(
        outcome.notes[0].message.contains("not checked"),
        "{:?}",
        outcome.notes
    );
}

#[test]
fn severity_prefers_cvss_then_database_rating() {
    let mut adv = advisory("T-10", "npm", "pkg", json!({"versions": ["1.0.0"]}));
    adv["severity"] =
        json!([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]);
    adv["database_specific"] = json!({"severity": "LOW"});
    let (_dir, db) = database(std::slice::from_ref(&adv));
    let outcome = match_components(&db, &[component(Ecosystem::Npm, "pkg", "1.0.0")]).unwrap();
    assert_eq!(outcome.findings[0].severity.as_str(), "critical");

    adv.as_object_mut().unwrap().remove("severity");
    let (_dir, db) = database(&[adv]);
    let outcome = match_components(&db, &[component(Ecosystem::Npm, "pkg", "1.0.0")]).unwrap();
    assert_eq!(outcome.findings[0].severity.as_str(), "low");
}

#[test]
fn an_unbounded_limit_is_spelled_star() {
    check_events(
        json!([{"introduced": "0"}, {"limit": "*"}]),
        "1.3.0",
        Some(&[]),
    );
    check_events(
        json!([{"introduced": "1.0.0"}, {"fixed": "1.2.0"}, {"limit": "*"}]),
        "1.1.0",
        Some(&["1.2.0"]),
    );
    check_events(
        json!([{"introduced": "1.0.0"}, {"fixed": "1.2.0"}, {"limit": "*"}]),
        "1.2.0",
        None,
    );
}

/// Two advisories for the same vulnerability, one rated and one not.
fn merged_severity(first_id: &str, second_id: &str) -> (String, String) {
    let rated = json!({"id": first_id, "modified": "2026-01-01T00:00:00Z", "aliases": ["CVE-2026-9"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}],
        "affected": [{"package": {"ecosystem": "npm", "name": "pkg"}, "versions": ["1.0.0"]}]});
    let unrated = json!({"id": second_id, "modified": "2026-01-01T00:00:00Z", "aliases": ["CVE-2026-9"],
        "affected": [{"package": {"ecosystem": "npm", "name": "pkg"}, "versions": ["1.0.0"]}]});
    let (_dir, db) = database(&[rated, unrated]);
    let outcome = match_components(&db, &[component(Ecosystem::Npm, "pkg", "1.0.0")]).unwrap();
    assert_eq!(outcome.findings.len(), 1);
    let f = &outcome.findings[0];
    (
        f.severity.as_str().to_string(),
        f.fingerprint.as_str().to_string(),
    )
}

#[test]
fn merged_severity_and_fingerprint_do_not_depend_on_id_order() {
    let (a_severity, a_fingerprint) = merged_severity("GHSA-aaaa-aaaa-aaaa", "OTHER-2");
    let (b_severity, b_fingerprint) = merged_severity("OTHER-2", "GHSA-aaaa-aaaa-aaaa");
    assert_eq!(a_severity, "low");
    assert_eq!(a_severity, b_severity);
    // Both name the vulnerability by its CVE, so the fingerprint is stable
    // whichever record names the finding.
    assert_eq!(a_fingerprint, b_fingerprint);
}

#[test]
fn parallel_matching_gives_the_same_outcome_as_sequential() {
    let advisories: Vec<Value> = (0..50)
        .map(|i| {
            advisory(&format!("T-{i}"), "npm", &format!("p{i}"), json!({"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": format!("1.0.{}", i * 3)}]}]}))
        })
        .collect();
    let (_dir, db) = database(&advisories);
    let components: Vec<Component> = (0..600)
        .map(|i| {
            component(
                Ecosystem::Npm,
                &format!("p{}", i % 50),
                &format!("1.0.{}", i % 97),
            )
        })
        .chain(std::iter::once(component(
            Ecosystem::Npm,
            "p1",
            "not-a-version",
        )))
        .collect();
    let sequential = match_components(&db, &components).unwrap();
    assert!(sequential.findings.len() > 100);
    for threads in [2, 3, 8] {
        let parallel = rampart_osv::match_components_parallel(&db, &components, threads).unwrap();
        assert_eq!(parallel.findings, sequential.findings, "{threads} threads");
        assert_eq!(parallel.notes, sequential.notes);
        assert_eq!(parallel.checked, sequential.checked);
    }
}
