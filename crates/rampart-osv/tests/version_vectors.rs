//! Conformance of every ecosystem ordering with OSV's reference vectors
//! (`shared/fixtures/osv-versions`, from osv-scalibr `semantic/testdata`).
//!
//! Each line is `<A> <op> <B>`; both directions are checked, through
//! `compare` and through `parse` + `cmp_to`. Each test reports every failing
//! vector of its file at once.

use std::cmp::Ordering;
use std::path::Path;

use rampart_core::Ecosystem;
use rampart_osv::version::{self, VersionError};

/// Orders `a` and `b` both ways through both entry points, checking that
/// they agree with each other.
fn ordering(ecosystem: &Ecosystem, a: &str, b: &str) -> Result<Ordering, String> {
    let direct = version::compare(ecosystem, a, b).map_err(|e| e.to_string())?;
    let reverse = version::compare(ecosystem, b, a).map_err(|e| e.to_string())?;
    let pa = version::parse(ecosystem, a).map_err(|e| e.to_string())?;
    let pb = version::parse(ecosystem, b).map_err(|e| e.to_string())?;
    let parsed = pa.cmp_to(&pb).map_err(|e| e.to_string())?;
    let parsed_reverse = pb.cmp_to(&pa).map_err(|e| e.to_string())?;
    if reverse != direct.reverse() || parsed != direct || parsed_reverse != reverse {
        return Err(format!(
            "inconsistent: compare {direct:?}/{reverse:?}, cmp_to {parsed:?}/{parsed_reverse:?}"
        ));
    }
    Ok(direct)
}

/// Runs every vector of `file` under each of `ecosystems`.
fn run(file: &str, ecosystems: &[Ecosystem]) {
    let Some(dir) = rampart_fixtures::sub("osv-versions") else {
        return;
    };
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (count, failures) = check_vectors(&path, &text, ecosystems);
    assert!(count > 0, "{file}: no vectors found");
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(20).map(String::as_str).collect();
        panic!(
            "{file}: {} of {count} checks failed; first {}:\n{}",
            failures.len(),
            shown.len(),
            shown.join("\n")
        );
    }
    eprintln!("{file}: {count} checks passed");
}

fn check_vectors(path: &Path, text: &str, ecosystems: &[Ecosystem]) -> (usize, Vec<String>) {
    let mut count = 0;
    let mut failures = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = fields[..] else {
            failures.push(format!(
                "{}:{}: malformed line {line:?}",
                path.display(),
                number + 1
            ));
            continue;
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => {
                failures.push(format!(
                    "{}:{}: unknown operator in {line:?}",
                    path.display(),
                    number + 1
                ));
                continue;
            }
        };
        for ecosystem in ecosystems {
            count += 1;
            match ordering(ecosystem, a, b) {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!(
                    "line {}: {ecosystem}: {line}  (got {got:?})",
                    number + 1
                )),
                Err(e) => failures.push(format!(
                    "line {}: {ecosystem}: {line}  (error: {e})",
                    number + 1
                )),
            }
        }
    }
    (count, failures)
}

fn semver_ecosystems() -> Vec<Ecosystem> {
    vec![
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::Hex,
    ]
}

#[test]
fn semver() {
    run("semver-versions.txt", &semver_ecosystems());
}

#[test]
fn semver_range_type() {
    // The OSV `SEMVER` range type uses the same vectors through its own entry point.
    let Some(dir) = rampart_fixtures::sub("osv-versions") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("semver-versions.txt")).unwrap();
    let mut failures = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("# ") && !l.starts_with("// "))
    {
        let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
            failures.push(line.to_string());
            continue;
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            _ => Ordering::Greater,
        };
        let got = version::compare_semver(a, b);
        let back = version::compare_semver(b, a);
        if got.as_ref().ok() != Some(&want) || back.as_ref().ok() != Some(&want.reverse()) {
            failures.push(format!("{line} (got {got:?} / {back:?})"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn pypi() {
    run("pypi-versions.txt", &[Ecosystem::PyPI]);
}

#[test]
fn pypi_generated() {
    run("pypi-versions-generated.txt", &[Ecosystem::PyPI]);
}

#[test]
fn maven() {
    run("maven-versions.txt", &[Ecosystem::Maven]);
}

#[test]
fn maven_generated() {
    run("maven-versions-generated.txt", &[Ecosystem::Maven]);
}

#[test]
fn rubygems() {
    run("rubygems-versions.txt", &[Ecosystem::RubyGems]);
}

#[test]
fn rubygems_generated() {
    run("rubygems-versions-generated.txt", &[Ecosystem::RubyGems]);
}

#[test]
fn nuget() {
    run("nuget-versions.txt", &[Ecosystem::NuGet]);
}

#[test]
fn packagist() {
    run("packagist-versions.txt", &[Ecosystem::Packagist]);
}

#[test]
fn packagist_generated() {
    run("packagist-versions-generated.txt", &[Ecosystem::Packagist]);
}

#[test]
fn debian() {
    run(
        "debian-versions.txt",
        &[Ecosystem::Debian, Ecosystem::Ubuntu],
    );
}

#[test]
fn debian_generated() {
    run(
        "debian-versions-generated.txt",
        &[Ecosystem::Debian, Ecosystem::Ubuntu],
    );
}

#[test]
fn alpine() {
    run(
        "alpine-versions.txt",
        &[Ecosystem::Alpine, Ecosystem::Wolfi, Ecosystem::Chainguard],
    );
}

#[test]
fn alpine_generated() {
    run(
        "alpine-versions-generated.txt",
        &[Ecosystem::Alpine, Ecosystem::Wolfi, Ecosystem::Chainguard],
    );
}

#[test]
fn cran() {
    run("cran-versions.txt", &[Ecosystem::Cran]);
}

#[test]
fn cran_generated() {
    run("cran-versions-generated.txt", &[Ecosystem::Cran]);
}

#[test]
fn redhat() {
    run(
        "redhat-versions.txt",
        &[
            Ecosystem::RedHat,
            Ecosystem::RockyLinux,
            Ecosystem::AlmaLinux,
            Ecosystem::Suse,
            Ecosystem::OpenSuse,
        ],
    );
}

#[test]
fn hackage() {
    run("hackage-versions.txt", &[Ecosystem::Hackage]);
}

#[test]
fn pub_() {
    run("pub-versions.txt", &[Ecosystem::Pub]);
}

#[test]
fn unsupported_ecosystems_refuse() {
    for ecosystem in [
        Ecosystem::GitHubActions,
        Ecosystem::Other("Bitnami".to_string()),
    ] {
        assert!(matches!(
            version::compare(&ecosystem, "1.0.0", "1.0.1"),
            Err(VersionError::Unsupported { .. })
        ));
    }
}
