//! Poetry's `poetry.lock`: TOML with one `[[package]]` table per locked
//! package. Lock format 1.x marks development packages with
//! `category = "dev"`; 2.x lists the dependency groups in `groups`.

use rampart_core::{
    Component, ComponentVersion, Ecosystem, Location, PackageSource, normalize_package_name,
};
use serde::Deserialize;

use crate::{ExtractError, ExtractInput, LineIndex};

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    source: Option<Source>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    resolved_reference: Option<String>,
}

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let lock: PoetryLock =
        toml::from_str(input.text).map_err(|e| ExtractError::toml(input.path, input.text, &e))?;
    let index = LineIndex::new(input.text);
    let lines = package_lines(
        &index,
        lock.package.iter().map(|p| p.name.as_str()),
        PackageLine::Header,
    );
    let mut components = Vec::with_capacity(lock.package.len());
    for (package, line) in lock.package.into_iter().zip(lines) {
        let version = match package.version.filter(|v| !v.is_empty()) {
            Some(v) => ComponentVersion::Exact(v),
            None => ComponentVersion::Unresolved {
                requirement: String::new(),
            },
        };
        let mut component = Component::new(
            Ecosystem::PyPI,
            normalize_package_name(&Ecosystem::PyPI, &package.name),
            version,
            Location::new(input.path, Some(line)),
        );
        if package.category.as_deref() == Some("dev") {
            component.add_group("dev");
        }
        if !package.groups.iter().any(|g| g == "main") {
            for group in package.groups {
                component.add_group(group);
            }
        }
        if package.optional {
            component.add_group("optional");
        }
        if let Some(source) = package.source {
            component.source = match source.kind.as_str() {
                "git" => PackageSource::Git {
                    url: source.url,
                    commit: source.resolved_reference,
                },
                "directory" | "file" => PackageSource::Path(source.url),
                "url" => PackageSource::Url(source.url),
                // `legacy` (a private index) and anything newer: a registry.
                _ => PackageSource::Registry,
            };
        }
        components.push(component);
    }
    Ok(components)
}

/// Which line of a `[[package]]` table a component reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PackageLine {
    /// The `[[package]]` header (as Cargo.lock's extractor reports).
    Header,
    /// The table's `name = "..."` line (the line osv-scalibr reports for
    /// uv.lock, which the shared fixtures encode).
    Name,
}

/// The line of each `[[package]]` table, matched to the packages in order.
///
/// Each table is found by searching forward for the package's
/// `name = "..."` and taking the nearest `[[package]]` header before it.
/// When a file spells either differently (valid but unusual TOML), the
/// line of whichever was found is used, and as a last resort the previous
/// package's line.
pub(super) fn package_lines<'n>(
    index: &LineIndex<'_>,
    names: impl Iterator<Item = &'n str>,
    which: PackageLine,
) -> Vec<u32> {
    let mut cursor = 0;
    let mut last_line = 1;
    let mut out = Vec::new();
    for name in names {
        let header = index.find_from("[[package]]", cursor);
        let from = header.unwrap_or(cursor);
        let name_at = index
            .find_from(&format!("name = \"{name}\""), from)
            .or_else(|| index.find_from(&format!("name = '{name}'"), from));
        let line = match (header, name_at) {
            (Some(h), Some(n)) => {
                // The nearest header before the name is the package's own.
                let mut h = h;
                while let Some(next) = index.find_from("[[package]]", h + 1).filter(|&x| x < n) {
                    h = next;
                }
                cursor = n + 1;
                index.line_of(if which == PackageLine::Header { h } else { n })
            }
            (None, Some(n)) => {
                cursor = n + 1;
                index.line_of(n)
            }
            (Some(h), None) => {
                cursor = h + 1;
                index.line_of(h)
            }
            (None, None) => last_line,
        };
        last_line = line;
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::PoetryLock, text, expected);
    }

    #[test]
    fn lock_format_1_categories_and_optional() {
        check(
            r#"[[package]]
name = "Django"
version = "4.2.9"
description = "web framework"
category = "main"
optional = false
python-versions = ">=3.8"

[[package]]
name = "pytest"
version = "8.0.0"
category = "dev"
optional = false

[[package]]
name = "psycopg2_binary"
version = "2.9.9"
category = "main"
optional = true

[metadata]
lock-version = "1.1"
"#,
            &[
                "django 4.2.9 :1",
                "pytest 8.0.0 [dev] :9",
                "psycopg2-binary 2.9.9 [optional] :15",
            ],
        );
    }

    #[test]
    fn lock_format_2_groups() {
        check(
            r#"[[package]]
name = "black"
version = "24.1.1"
optional = false
python-versions = ">=3.8"
groups = ["dev", "lint"]

[[package]]
name = "click"
version = "8.1.7"
optional = false
groups = ["main", "dev"]

[metadata]
lock-version = "2.1"
"#,
            &["black 24.1.1 [dev,lint] :1", "click 8.1.7 :8"],
        );
    }

    #[test]
    fn sources() {
        check(
            r#"[[package]]
name = "ike"
version = "0.2.0"

[package.source]
type = "git"
url = "https://github.com/dzshn/ike"
reference = "main"
resolved_reference = "cd66602cd29f61a2d2e7fb995fef1e61708c034d"

[[package]]
name = "mylib"
version = "0.1.0"
develop = true

[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "wheelpkg"
version = "1.0"
source = { type = "url", url = "https://example.com/wheelpkg-1.0-py3-none-any.whl" }

[[package]]
name = "internal"
version = "3.2.1"

[package.source]
type = "legacy"
url = "https://pypi.example.com/simple"
reference = "private"
"#,
            &[
                "ike 0.2.0 git:https://github.com/dzshn/ike#cd66602cd29f61a2d2e7fb995fef1e61708c034d :1",
                "mylib 0.1.0 path:../mylib :11",
                "wheelpkg 1.0 url:https://example.com/wheelpkg-1.0-py3-none-any.whl :20",
                "internal 3.2.1 :25",
            ],
        );
    }

    #[test]
    fn the_v2_sample_file() {
        check(
            include_str!("../../tests/data/poetry/v2/poetry.lock"),
            &[
                "anyio 4.2.0 :3",
                "certifi 2024.2.2 :23",
                "coverage 7.4.1 [test] :34",
                "h11 0.14.0 :49",
                "httpx 0.26.0 :60",
                "idna 3.6 :82",
                "mypy-extensions 1.0.0 [dev] :93",
                "sniffio 1.3.0 :104",
                "tomli 2.0.1 [dev,test] :115",
                "rich 13.7.0 [optional] :126",
                "toolkit 0.3.0 git:https://github.com/example-org/toolkit.git#5e1d7c3a9b8f2e4d6c0a1b3e5f7d9c2a4b6e8f01 :145",
            ],
        );
    }

    #[test]
    fn empty_and_malformed() {
        check("[metadata]\nlock-version = \"2.0\"\n", &[]);
        testing::check_malformed(
            LockfileKind::PoetryLock,
            "[[package]]\nname = \"a\"\nversion = \"1\"\n\n[[package]]\nversion = \"2\"\n",
            Some(5),
        );
        testing::check_malformed(
            LockfileKind::PoetryLock,
            "[[package]]\nname = \"a\nversion = 1\n",
            Some(2),
        );
        testing::check_malformed(LockfileKind::PoetryLock, "package = 3\n", Some(1));
    }
}
