//! PDM's `pdm.lock`: TOML with one `[[package]]` table per package. Since
//! lock format 4.4 (`strategy = ["inherit_metadata"]`) each package lists
//! the dependency groups that pull it in; older locks do not say.
//!
//! A package locked with extras appears once more with `extras = [...]` and
//! the same version; those entries are folded into the first one.

use rampart_core::{
    Component, ComponentVersion, Ecosystem, Location, PackageSource, normalize_package_name,
};
use serde::Deserialize;

use super::poetry::{PackageLine, package_lines};
use crate::{ExtractError, ExtractInput, LineIndex};

#[derive(Deserialize)]
struct PdmLock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    git: Option<String>,
    #[serde(default)]
    revision: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let lock: PdmLock =
        toml::from_str(input.text).map_err(|e| ExtractError::toml(input.path, input.text, &e))?;
    let index = LineIndex::new(input.text);
    let names = lock.package.iter().map(|p| p.name.as_str());
    let lines = package_lines(&index, names, PackageLine::Header);
    let mut components: Vec<Component> = Vec::new();
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
        if !package.groups.iter().any(|g| g == "default") {
            for group in package.groups {
                component.add_group(group);
            }
        }
        component.source = if let Some(url) = package.git {
            PackageSource::Git {
                url,
                commit: package.revision,
            }
        } else if let Some(path) = package.path {
            PackageSource::Path(path)
        } else if let Some(url) = package.url {
            PackageSource::Url(url)
        } else {
            PackageSource::Registry
        };
        let twin = components.iter_mut().find(|c| {
            c.name == component.name
                && c.version == component.version
                && c.source == component.source
        });
        match twin {
            Some(twin) => {
                // A package is a runtime dependency when any of its entries
                // is; otherwise it belongs to every group any entry names.
                if twin.groups.is_empty() || component.groups.is_empty() {
                    twin.groups.clear();
                } else {
                    for group in component.groups {
                        twin.add_group(group);
                    }
                }
            }
            None => components.push(component),
        }
    }
    Ok(components)
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::PdmLock, text, expected);
    }

    #[test]
    fn groups_sources_and_extras() {
        check(
            r#"[metadata]
groups = ["default", "dev"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"

[[package]]
name = "Requests"
version = "2.31.0"
groups = ["default"]

[[package]]
name = "requests"
version = "2.31.0"
extras = ["socks"]
groups = ["dev"]

[[package]]
name = "pytest"
version = "8.0.0"
groups = ["dev", "test"]

[[package]]
name = "forked"
version = "0.1.0"
git = "https://github.com/org/forked.git"
ref = "main"
revision = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
groups = ["default"]

[[package]]
name = "local"
version = "0.0.1"
path = "./packages/local"
editable = true

[[package]]
name = "archive"
version = "1.0"
url = "https://example.com/archive-1.0.tar.gz"
"#,
            &[
                "requests 2.31.0 :6",
                "pytest 8.0.0 [dev,test] :17",
                "forked 0.1.0 git:https://github.com/org/forked.git#0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 :22",
                "local 0.0.1 path:./packages/local :30",
                "archive 1.0 url:https://example.com/archive-1.0.tar.gz :36",
            ],
        );
    }

    #[test]
    fn extras_entries_merge_their_groups() {
        check(
            "[[package]]\nname = \"a\"\nversion = \"1\"\ngroups = [\"dev\"]\n\n[[package]]\nname = \"a\"\nversion = \"1\"\nextras = [\"x\"]\ngroups = [\"docs\"]\n",
            &["a 1 [dev,docs] :1"],
        );
    }

    #[test]
    fn the_sample_file() {
        check(
            include_str!("../../tests/data/pdm/pdm.lock"),
            &[
                "blinker 1.7.0 :19",
                "click 8.1.7 :29",
                "colorama 0.4.6 [test] :42",
                "coverage 7.4.3 [test] :52",
                "flask 3.0.2 :62",
                "itsdangerous 2.1.2 :80",
                "jinja2 3.1.3 :90",
                "markupsafe 2.1.5 :103",
                "mypy 1.8.0 [lint] :113",
                "werkzeug 3.0.1 :126",
            ],
        );
    }

    #[test]
    fn old_locks_without_groups() {
        check(
            "[metadata]\nlock_version = \"4.2\"\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\nsummary = \"Python 2 and 3 compatibility utilities\"\n",
            &["six 1.16.0 :4"],
        );
    }

    #[test]
    fn malformed() {
        testing::check_malformed(
            LockfileKind::PdmLock,
            "[metadata]\ngroups = [\"default\"\n",
            Some(2),
        );
        testing::check_malformed(LockfileKind::PdmLock, "[[package]]\nname = 1\n", Some(2));
        testing::check_malformed(
            LockfileKind::PdmLock,
            "[[package]]\nname = \"a\"\ngroups = \"dev\"\n",
            Some(3),
        );
    }
}
