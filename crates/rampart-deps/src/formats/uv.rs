//! uv's `uv.lock`: TOML with one `[[package]]` table per package, each
//! naming where it comes from in `source`.
//!
//! The project itself (and each workspace member) is a package with an
//! `editable` or `virtual` source; it is not a dependency and is skipped, but
//! its `optional-dependencies` (extras) and `dev-dependencies` (dependency
//! groups) say which direct dependencies belong to which group. A package
//! that a project depends on unconditionally is a runtime dependency even
//! when a group names it as well; transitive packages get no group, as the
//! lock does not say through which edge they were pulled in.
//!
//! A package's line is that of its `name = "..."`, as osv-scalibr reports it.

use std::collections::{BTreeMap, BTreeSet};

use rampart_core::{
    Component, ComponentVersion, Ecosystem, Location, PackageSource, normalize_package_name,
};
use serde::Deserialize;

use super::poetry::{PackageLine, package_lines};
use crate::{ExtractError, ExtractInput, LineIndex};

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<DependencyRef>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<DependencyRef>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<DependencyRef>>,
}

#[derive(Deserialize)]
struct DependencyRef {
    name: String,
}

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let lock: UvLock =
        toml::from_str(input.text).map_err(|e| ExtractError::toml(input.path, input.text, &e))?;
    let index = LineIndex::new(input.text);
    let names = lock.package.iter().map(|p| p.name.as_str());
    let lines = package_lines(&index, names, PackageLine::Name);

    let is_project =
        |p: &Package| p.source.contains_key("editable") || p.source.contains_key("virtual");
    let mut runtime: BTreeSet<String> = BTreeSet::new();
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for project in lock.package.iter().filter(|p| is_project(p)) {
        runtime.extend(project.dependencies.iter().map(|d| pep503(&d.name)));
        for (group, deps) in project
            .optional_dependencies
            .iter()
            .chain(&project.dev_dependencies)
        {
            for dep in deps {
                groups
                    .entry(pep503(&dep.name))
                    .or_default()
                    .insert(group.clone());
            }
        }
    }

    let mut components = Vec::new();
    for (package, line) in lock.package.iter().zip(lines) {
        if is_project(package) {
            continue;
        }
        let name = pep503(&package.name);
        let version = match package.version.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => ComponentVersion::Exact(v.to_string()),
            None => ComponentVersion::Unresolved {
                requirement: String::new(),
            },
        };
        let mut component = Component::new(
            Ecosystem::PyPI,
            name,
            version,
            Location::new(input.path, Some(line)),
        );
        component.source = source(&package.source);
        if !runtime.contains(&component.name) {
            for group in groups.get(&component.name).into_iter().flatten() {
                component.add_group(group.clone());
            }
        }
        components.push(component);
    }
    Ok(components)
}

fn pep503(name: &str) -> String {
    normalize_package_name(&Ecosystem::PyPI, name)
}

fn source(source: &BTreeMap<String, toml::Value>) -> PackageSource {
    let get = |key: &str| source.get(key).and_then(toml::Value::as_str);
    if let Some(git) = get("git") {
        // `https://github.com/org/repo?rev=v1#<commit>`: the fragment is the
        // resolved commit, the query the requested reference.
        let (url, commit) = match git.split_once('#') {
            Some((url, commit)) => (url, Some(commit.to_string()).filter(|c| !c.is_empty())),
            None => (git, None),
        };
        let url = url.split('?').next().unwrap_or(url);
        PackageSource::Git {
            url: url.to_string(),
            commit,
        }
    } else if let Some(path) = get("directory").or_else(|| get("path")) {
        PackageSource::Path(path.to_string())
    } else if let Some(url) = get("url") {
        PackageSource::Url(url.to_string())
    } else {
        PackageSource::Registry
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::UvLock, text, expected);
    }

    #[test]
    fn sources_and_skipped_project() {
        check(
            r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "httpx" },
    { name = "mylib" },
    { name = "Typing_Extensions" },
]

[[package]]
name = "httpx"
version = "0.27.0"
source = { git = "https://github.com/encode/httpx?rev=0.27.0#326b9431c761e1ef1e00b9f760d1f654c8db48c6" }

[[package]]
name = "mylib"
version = "0.2.0"
source = { directory = "libs/mylib" }

[[package]]
name = "typing-extensions"
version = "4.12.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "tarball"
version = "1.0"
source = { url = "https://example.com/tarball-1.0.tar.gz" }

[[package]]
name = "wheel-file"
version = "2.0"
source = { path = "dist/wheel_file-2.0-py3-none-any.whl" }

[[package]]
name = "member"
version = "0.0.1"
source = { virtual = "packages/member" }
"#,
            &[
                "httpx 0.27.0 git:https://github.com/encode/httpx#326b9431c761e1ef1e00b9f760d1f654c8db48c6 :15",
                "mylib 0.2.0 path:libs/mylib :20",
                "typing-extensions 4.12.2 :25",
                "tarball 1.0 url:https://example.com/tarball-1.0.tar.gz :30",
                "wheel-file 2.0 path:dist/wheel_file-2.0-py3-none-any.whl :35",
            ],
        );
    }

    #[test]
    fn groups_of_direct_dependencies() {
        check(
            r#"version = 1

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pluggy" }]

[[package]]
name = "pluggy"
version = "1.4.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "requests"
version = "2.31.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "rich"
version = "13.7.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "proj"
version = "1.0.0"
source = { editable = "." }
dependencies = [{ name = "requests" }]

[package.optional-dependencies]
cli = [{ name = "rich" }, { name = "requests" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]
lint = [{ name = "rich" }]
"#,
            &[
                "pytest 8.0.0 [dev] :4",
                "pluggy 1.4.0 :10",
                "requests 2.31.0 :15",
                "rich 13.7.0 [cli,lint] :20",
            ],
        );
    }

    #[test]
    fn the_grouped_sample_file() {
        check(
            include_str!("../../tests/data/uv/workspace/uv.lock"),
            &[
                "anyio 4.4.0 :18",
                "fastapi 0.111.0 :31",
                "idna 3.7 :44",
                "iniconfig 2.0.0 [test] :53",
                "packaging 24.1 :62",
                "pluggy 1.5.0 :71",
                "pydantic 2.8.2 :80",
                "pytest 8.2.2 [dev,test] :89",
                "ruff 0.5.1 [lint] :103",
                "shared-utils 0.1.0 path:packages/shared-utils :112",
                "sniffio 1.3.1 :117",
                "starlette 0.37.2 :126",
                "uvicorn 0.30.1 [server] :138",
            ],
        );
    }

    #[test]
    fn missing_version_is_unresolved() {
        check(
            "version = 1\n[[package]]\nname = \"dyn\"\nsource = { directory = \"../dyn\" }\n",
            &["dyn ? path:../dyn :3"],
        );
    }

    #[test]
    fn malformed() {
        testing::check_malformed(
            LockfileKind::UvLock,
            "version = 1\n[[package]\nname = \"a\"\n",
            Some(2),
        );
        testing::check_malformed(
            LockfileKind::UvLock,
            "[[package]]\nversion = \"1\"\n",
            Some(1),
        );
        testing::check_malformed(
            LockfileKind::UvLock,
            "[[package]]\nname = \"a\"\ndependencies = [{ version = \"1\" }]\n",
            Some(3),
        );
    }
}
