//! The shared lockfile fixtures with their expected package lists
//! (`lockfiles/expected.json`) as a conformance suite.
//!
//! Deliberate departures from the expectations (which encode osv-scanner's
//! choices) are applied here, in one place, and documented in
//! ARCHITECTURE.md:
//! - an unpinned or ranged requirement is reported as *unresolved*, never as
//!   a guessed version (`0.0.0` or the range's lower bound);
//! - a requirements file's stem is not made a dependency group;
//! - a git dependency without a version is unresolved (version `""` there);
//! - a yarn berry workspace (`0.0.0-use.local`) is the project itself, not a
//!   dependency: reporting it would match advisories for any same-named
//!   registry package.

use std::collections::BTreeMap;
use std::path::Path;

use rampart_core::{Component, ComponentVersion};
use rampart_deps::{ExtractInput, LockfileKind, extract};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Package {
    name: String,
    version: String,
    ecosystem: String,
    commit: String,
    groups: Vec<String>,
    line: Option<u32>,
}

fn expected_packages(entry: &Value, ignore_groups: bool) -> Vec<Package> {
    let mut out: Vec<Package> = entry["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut groups: Vec<String> = p["dep_groups"]
                .as_array()
                .map(|g| g.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            groups.sort();
            Package {
                name: p["name"].as_str().unwrap().to_string(),
                version: p["version"].as_str().unwrap().to_string(),
                ecosystem: p["ecosystem"].as_str().unwrap().to_string(),
                commit: p["commit"].as_str().unwrap_or("").to_string(),
                groups: if ignore_groups { Vec::new() } else { groups },
                line: p["line"].as_u64().map(|l| l as u32),
            }
        })
        .collect();
    out.sort();
    out
}

/// Our component in the expectation's terms. `expected_version` is the
/// version the expectation gives for the same name, used to accept our
/// *unresolved* where osv-scanner guessed.
fn as_package(
    c: &Component,
    expected: &[Package],
    ignore_groups: bool,
    with_line: bool,
) -> Package {
    let version = match &c.version {
        ComponentVersion::Exact(v) => v.clone(),
        ComponentVersion::Unresolved { requirement } => {
            // Pick the expectation for this name whose guess our requirement
            // explains: "0.0.0" for no version, "" for a git dependency, or
            // the lower bound that appears in the requirement text.
            expected
                .iter()
                .filter(|e| e.name == c.name)
                .map(|e| e.version.clone())
                .find(|v| {
                    v == "0.0.0"
                        || v.is_empty()
                        || (!v.is_empty() && requirement.contains(v.as_str()))
                })
                .unwrap_or_else(|| format!("<unresolved {requirement}>"))
        }
    };
    Package {
        name: c.name.clone(),
        version,
        ecosystem: c.ecosystem.osv_name().to_string(),
        commit: c.source.commit().unwrap_or("").to_string(),
        groups: if ignore_groups {
            Vec::new()
        } else {
            c.groups.clone()
        },
        line: if with_line { c.location.line } else { None },
    }
}

#[test]
fn every_lockfile_fixture_extracts_exactly_the_expected_packages() {
    let Some(dir) = rampart_fixtures::sub("lockfiles") else {
        return;
    };
    let expected: BTreeMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert!(
        expected.len() >= 20,
        "expected.json lists {} fixtures",
        expected.len()
    );

    let mut failures = Vec::new();
    for (rel, entry) in &expected {
        let canonical = entry["canonical_name"].as_str().unwrap();
        let kind = LockfileKind::detect(canonical)
            .unwrap_or_else(|| panic!("{rel}: canonical name {canonical} not recognised"));
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let fixture_dir = path.parent().unwrap().to_path_buf();
        let rel_dir = Path::new(rel).parent().unwrap().to_path_buf();
        let read_include = move |name: &str| -> Option<(String, String)> {
            let text = std::fs::read_to_string(fixture_dir.join(name)).ok()?;
            Some((rel_dir.join(name).to_string_lossy().into_owned(), text))
        };
        let input = ExtractInput {
            path: rel,
            text: &text,
            read_include: &read_include,
        };
        let components = match extract(kind, &input) {
            Ok(c) => c,
            Err(err) => {
                failures.push(format!("{rel}: {err}"));
                continue;
            }
        };
        let ignore_groups = kind == LockfileKind::Requirements;
        let mut want = expected_packages(entry, ignore_groups);
        want.retain(|p| p.version != "0.0.0-use.local");
        let with_line = want.iter().any(|p| p.line.is_some());
        let mut got: Vec<Package> = components
            .iter()
            .map(|c| as_package(c, &want, ignore_groups, with_line))
            .collect();
        got.sort();
        if got != want {
            failures.push(format!("{rel}:\n  want {want:#?}\n  got  {got:#?}"));
        }
        for c in &components {
            // Components of an included file (`-r other.txt`) name that file.
            let dir = Path::new(rel).parent().unwrap();
            assert!(
                Path::new(&c.location.path).parent() == Some(dir),
                "{rel}: location path {}",
                c.location.path
            );
            assert!(
                c.location.line.is_some_and(|l| l >= 1),
                "{rel}: {} has no line",
                c.name
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_folder_has_no_unlisted_lockfiles() {
    let Some(dir) = rampart_fixtures::sub("lockfiles") else {
        return;
    };
    let expected: BTreeMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let listed = expected.contains_key(&rel)
                || rel == "pip/other-file.txt"
                || Path::new(&rel).parent() == Some(Path::new(""));
            assert!(listed, "{rel} is not covered by expected.json");
        }
    }
}
