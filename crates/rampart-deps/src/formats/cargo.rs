//! `Cargo.lock`, format versions 1 to 4.
//!
//! All versions list `[[package]]` tables with `name`, `version` and an
//! optional `source`; they differ in checksums and dependency encoding, which
//! we do not need. Crates without a `source` (workspace members and path
//! dependencies) are reported too: a path dependency may well be a vendored
//! copy of a published crate.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};
use serde::Deserialize;
use toml::Spanned;

use crate::{ExtractError, ExtractInput, LineIndex};

#[derive(Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<Package>,
    /// Lockfiles written before Cargo 1.0 hold the workspace root here.
    root: Option<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: String,
    source: Option<String>,
}

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let lock: CargoLock = toml::from_str(input.text)
        .map_err(|err| ExtractError::toml(input.path, input.text, &err))?;
    let index = LineIndex::new(input.text);
    let packages = lock.root.into_iter().chain(lock.package);
    Ok(packages
        .map(|package| component(input, &index, package))
        .collect())
}

fn component(input: &ExtractInput<'_>, index: &LineIndex<'_>, package: Package) -> Component {
    // Report the `[[package]]` header rather than the `name` line: it is
    // where the entry starts, as for the other TOML lockfiles.
    let name_at = package.name.span().start;
    let header_at = input
        .text
        .get(..name_at)
        .and_then(|before| {
            before
                .rfind("[[package]]")
                .or_else(|| before.rfind("[root]"))
        })
        .unwrap_or(name_at);
    let mut component = Component::new(
        Ecosystem::CratesIo,
        package.name.into_inner(),
        ComponentVersion::Exact(package.version),
        Location::new(input.path, Some(index.line_of(header_at))),
    );
    component.source = match package.source.as_deref() {
        None => PackageSource::Path(String::new()),
        Some(source) => source_of(source),
    };
    component
}

/// `registry+<index>`, `sparse+<index>` or `git+<url>?<ref>#<commit>`.
fn source_of(source: &str) -> PackageSource {
    match source.strip_prefix("git+") {
        Some(git) => {
            let (url, commit) = git.split_once('#').unwrap_or((git, ""));
            let url = url.split_once('?').map_or(url, |(url, _)| url);
            PackageSource::Git {
                url: url.to_string(),
                commit: (!commit.is_empty()).then(|| commit.to_string()),
            }
        }
        None => PackageSource::Registry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, version, source, line)`; source is `registry`, `path` or the
    /// git commit.
    fn check(text: &str, expected: &[(&str, &str, &str, u32)]) {
        let input = ExtractInput::standalone("Cargo.lock", text);
        let got: Vec<_> = extract(&input)
            .unwrap_or_else(|err| panic!("{err}"))
            .into_iter()
            .map(|c| {
                assert_eq!(c.ecosystem, Ecosystem::CratesIo);
                assert!(c.groups.is_empty());
                let source = match &c.source {
                    PackageSource::Registry => "registry".to_string(),
                    PackageSource::Path(_) => "path".to_string(),
                    PackageSource::Git { commit, .. } => commit.clone().unwrap_or_default(),
                    PackageSource::Url(url) => url.clone(),
                };
                let version = c.version.exact().unwrap_or_default().to_string();
                (c.name, version, source, c.location.line.unwrap_or(0))
            })
            .collect();
        let want: Vec<_> = expected
            .iter()
            .map(|(n, v, s, l)| (n.to_string(), v.to_string(), s.to_string(), *l))
            .collect();
        assert_eq!(got, want);
    }

    fn check_error(text: &str, line: u32) {
        let input = ExtractInput::standalone("Cargo.lock", text);
        match extract(&input) {
            Err(ExtractError::Malformed { line: got, .. }) => assert_eq!(got, Some(line)),
            other => panic!("expected a malformed error, got {other:?}"),
        }
    }

    #[test]
    fn v4_sample_lockfile() {
        check(
            include_str!("../../tests/data/cargo/v4-workspace/Cargo.lock"),
            &[
                ("aho-corasick", "1.1.3", "registry", 5),
                ("anyhow", "1.0.86", "registry", 14),
                ("memchr", "2.7.4", "registry", 20),
                ("regex", "1.10.6", "registry", 26),
                ("regex-automata", "0.4.7", "registry", 38),
                ("regex-syntax", "0.8.4", "registry", 49),
                (
                    "smallvec",
                    "1.6.0",
                    "1f22a1b00c7ec4c3a2d2b5dd2f3c5b7b6b3bcd88",
                    55,
                ),
                ("tool", "0.3.0", "path", 60),
                ("tool-core", "0.3.0", "path", 69),
                ("vendored-zlib", "1.2.13", "path", 77),
            ],
        );
    }

    #[test]
    fn v1_with_metadata_and_root() {
        check(
            r#"[root]
name = "app"
version = "0.1.0"
dependencies = [
 "libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "libc"
version = "0.2.40"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)" = "6fd41f331ac7c5b8ac259b8bf82c75c0fb2e469bbf37d2becbba9a6a2221965b"
"#,
            &[
                ("app", "0.1.0", "path", 1),
                ("libc", "0.2.40", "registry", 8),
            ],
        );
    }

    #[test]
    fn git_and_sparse_sources() {
        check(
            r#"version = 3

[[package]]
name = "a"
version = "0.1.0"
source = "git+https://github.com/o/a?branch=main#0123456789abcdef0123456789abcdef01234567"

[[package]]
name = "b"
version = "2.0.0"
source = "sparse+https://index.example.com/"
"#,
            &[
                ("a", "0.1.0", "0123456789abcdef0123456789abcdef01234567", 3),
                ("b", "2.0.0", "registry", 8),
            ],
        );
        let input = ExtractInput::standalone(
            "Cargo.lock",
            "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"git+https://g/a?rev=x#abc\"\n",
        );
        let source = extract(&input).unwrap().remove(0).source;
        assert_eq!(
            source,
            PackageSource::Git {
                url: "https://g/a".into(),
                commit: Some("abc".into())
            }
        );
    }

    #[test]
    fn empty_lockfile() {
        check("version = 4\n", &[]);
        check("", &[]);
    }

    #[test]
    fn malformed_toml_names_the_line() {
        check_error(
            "version = 3\n\n[[package]]\nname = \"a\nversion = \"1\"\n",
            4,
        );
        check_error("[[package]]\nname = \"a\"\n", 1);
        check_error("version = 3\n[[package]]\nname = 3\nversion = \"1\"\n", 3);
    }
}
