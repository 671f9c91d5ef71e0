//! `pnpm-lock.yaml`, lockfile versions 5 to 9.
//!
//! Every version lists one `packages` entry per package and version, but
//! spells the key differently:
//! - v5: `/name/1.0.0`, `/@scope/name/1.0.0_peer@2.0.0`, and for other
//!   registries `host/name/1.0.0`;
//! - v6: `/name@1.0.0`, `/@scope/name@1.0.0(peer@2.0.0)`;
//! - v9: `name@1.0.0`, with the peer variants moved to `snapshots`.
//!
//! Git and tarball packages carry `name` and `version` fields that beat the
//! key. Up to v6 each entry says `dev: true|false` itself; v9 dropped the
//! flag, so there a package is `dev` when it is reachable only from some
//! importer's `devDependencies`, following `snapshots` dependencies.

use std::collections::{HashMap, HashSet};

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};
use serde_norway::{Mapping, Value};

use crate::formats::npm::{
    DeclarationCursor, find_yaml_key, git_source, is_registry_tarball, is_version, split_name_spec,
};
use crate::{ExtractError, ExtractInput, LineIndex};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let doc: Value =
        serde_norway::from_str(input.text).map_err(|err| ExtractError::yaml(input.path, &err))?;
    let root = match &doc {
        Value::Mapping(root) => root,
        Value::Null => return Ok(Vec::new()),
        _ => {
            return Err(ExtractError::malformed(
                input.path,
                Some(1),
                "expected a YAML mapping",
            ));
        }
    };
    let index = LineIndex::new(input.text);
    let packages = match root.get("packages") {
        Some(Value::Mapping(packages)) => packages,
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(_) => {
            let line = find_yaml_key(&index, "packages", 0).map(|at| index.line_of(at));
            return Err(ExtractError::malformed(
                input.path,
                line,
                "`packages` is not a mapping",
            ));
        }
    };
    let major = lockfile_major(root.get("lockfileVersion"));
    let flags = if major >= 9 {
        SnapshotFlags::compute(root)
    } else {
        SnapshotFlags::default()
    };

    let mut out = Vec::new();
    let mut cursor = DeclarationCursor::new(find_yaml_key(&index, "packages", 0).unwrap_or(0));
    for (key, info) in packages {
        let Some(key) = key.as_str() else { continue };
        let at = cursor.find(|from| find_yaml_key(&index, key, from));
        let line = at.map(|at| index.line_of(at));
        let empty = Mapping::new();
        let info = match info {
            Value::Mapping(info) => info,
            Value::Null => &empty,
            _ => {
                return Err(ExtractError::malformed(
                    input.path,
                    line,
                    format!("package {key:?} is not a mapping"),
                ));
            }
        };
        let parsed = parse_key(key, major);
        let name = text_field(info, "name").or_else(|| parsed.as_ref().map(|(n, _)| n.clone()));
        let Some(name) = name else { continue };
        let version = text_field(info, "version").or_else(|| parsed.map(|(_, v)| v));
        let source = resolution_source(info.get("resolution"), key);
        let version = match version {
            Some(version) if is_version(&version) => ComponentVersion::Exact(version),
            // A git or tarball package without a version is still a package.
            _ if source != PackageSource::Registry => ComponentVersion::Unresolved {
                requirement: key.to_string(),
            },
            // `/foo/bar`, `github.com/o/r` without a resolution: not a package
            // we can name.
            _ => continue,
        };
        let mut component = Component::new(
            Ecosystem::Npm,
            name,
            version,
            Location::new(input.path, line),
        );
        component.source = source;
        if bool_field(info, "dev") || flags.dev_only.contains(key) {
            component.add_group("dev");
        }
        if bool_field(info, "optional") || flags.optional_only.contains(key) {
            component.add_group("optional");
        }
        out.push(component);
    }
    Ok(out)
}

/// The major lockfile version: `5.4` (number), `'6.0'`, `'9.0'`. Files
/// without one predate v5 and use its key syntax.
fn lockfile_major(value: Option<&Value>) -> u32 {
    let text = match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return 5,
    };
    text.split('.')
        .next()
        .and_then(|major| major.trim().parse().ok())
        .unwrap_or(5)
}

/// A package key as `(name, version)`; the version may be a git URL or
/// other non-semver text, which the caller sorts out.
fn parse_key(key: &str, major: u32) -> Option<(String, String)> {
    if key.starts_with("file:") || key.starts_with("link:") {
        return None;
    }
    if major >= 6 {
        let key = key.strip_prefix('/').unwrap_or(key);
        let key = key.split('(').next().unwrap_or(key);
        let (name, version) = split_name_spec(key)?;
        return Some((name.to_string(), version.to_string()));
    }
    // v5: the first segment is empty (leading `/`) or a registry host.
    let segments: Vec<&str> = key.split('/').skip(1).collect();
    let (name, version) = match segments.as_slice() {
        [scope, name, version, ..] if scope.starts_with('@') => {
            (format!("{scope}/{name}"), *version)
        }
        [name, version, ..] if !name.starts_with('@') => (name.to_string(), *version),
        // `/name@1.0.0` in a file that claims v5 (pnpm 7 wrote such hybrids).
        [only] | [_, only] => {
            let joined = if segments.len() == 2 {
                segments.join("/")
            } else {
                only.to_string()
            };
            let (name, version) = split_name_spec(&joined)?;
            return Some((name.to_string(), version.to_string()));
        }
        _ => return None,
    };
    let version = version.split('_').next().unwrap_or(version);
    Some((name, version.to_string()))
}

fn resolution_source(resolution: Option<&Value>, key: &str) -> PackageSource {
    let Some(Value::Mapping(resolution)) = resolution else {
        return PackageSource::Registry;
    };
    if let Some(commit) = text_field(resolution, "commit") {
        return PackageSource::Git {
            url: text_field(resolution, "repo").unwrap_or_default(),
            commit: Some(commit),
        };
    }
    if let Some(tarball) = text_field(resolution, "tarball") {
        if let Some(path) = tarball.strip_prefix("file:") {
            return PackageSource::Path(path.to_string());
        }
        if is_registry_tarball(&tarball) {
            return PackageSource::Registry;
        }
        return git_source(&tarball).unwrap_or(PackageSource::Url(tarball));
    }
    if let Some(directory) = text_field(resolution, "directory") {
        return PackageSource::Path(directory);
    }
    if text_field(resolution, "type").as_deref() == Some("git") {
        return git_source(key).unwrap_or(PackageSource::Registry);
    }
    PackageSource::Registry
}

fn text_field(map: &Mapping, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn bool_field(map: &Mapping, key: &str) -> bool {
    map.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Groups that v9 no longer writes on packages, recovered from the graph.
#[derive(Default)]
struct SnapshotFlags {
    /// Package keys reachable from `devDependencies` only.
    dev_only: HashSet<String>,
    /// Package keys whose every snapshot says `optional: true`.
    optional_only: HashSet<String>,
}

impl SnapshotFlags {
    fn compute(root: &Mapping) -> SnapshotFlags {
        let Some(Value::Mapping(snapshots)) = root.get("snapshots") else {
            return SnapshotFlags::default();
        };
        let mut prod_roots = Vec::new();
        let mut dev_roots = Vec::new();
        if let Some(Value::Mapping(importers)) = root.get("importers") {
            for importer in importers.values() {
                for (field, dev) in [
                    ("dependencies", false),
                    ("optionalDependencies", false),
                    ("devDependencies", true),
                ] {
                    let Some(Value::Mapping(deps)) = importer.get(field) else {
                        continue;
                    };
                    let roots = if dev { &mut dev_roots } else { &mut prod_roots };
                    for (name, spec) in deps {
                        let version = spec.get("version").and_then(Value::as_str);
                        if let (Some(name), Some(version)) = (name.as_str(), version) {
                            roots.extend(snapshot_key(snapshots, name, version));
                        }
                    }
                }
            }
        }
        let prod: HashSet<String> = reachable(snapshots, prod_roots)
            .iter()
            .map(|k| package_key(k))
            .collect();
        let dev_only = reachable(snapshots, dev_roots)
            .iter()
            .map(|k| package_key(k))
            .filter(|k| !prod.contains(k))
            .collect();

        let mut all_optional: HashMap<String, bool> = HashMap::new();
        for (key, snapshot) in snapshots {
            let Some(key) = key.as_str() else { continue };
            let optional = snapshot
                .get("optional")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            *all_optional.entry(package_key(key)).or_insert(true) &= optional;
        }
        let optional_only = all_optional
            .into_iter()
            .filter(|(_, optional)| *optional)
            .map(|(k, _)| k)
            .collect();
        SnapshotFlags {
            dev_only,
            optional_only,
        }
    }
}

/// The snapshot a dependency `name: version` points at: `name@version`, or
/// the version itself for aliases (`string-width@4.2.3`).
fn snapshot_key(snapshots: &Mapping, name: &str, version: &str) -> Option<String> {
    let key = format!("{name}@{version}");
    if snapshots.contains_key(key.as_str()) {
        Some(key)
    } else if snapshots.contains_key(version) {
        Some(version.to_string())
    } else {
        None
    }
}

/// Every snapshot reachable from `roots` through `dependencies` and
/// `optionalDependencies`; iterative, so a deep graph cannot overflow.
fn reachable(snapshots: &Mapping, roots: Vec<String>) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut stack = roots;
    while let Some(key) = stack.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(snapshot) = snapshots.get(key.as_str()) else {
            continue;
        };
        for field in ["dependencies", "optionalDependencies"] {
            let Some(Value::Mapping(deps)) = snapshot.get(field) else {
                continue;
            };
            for (name, version) in deps {
                if let (Some(name), Some(version)) = (name.as_str(), version.as_str()) {
                    stack.extend(snapshot_key(snapshots, name, version));
                }
            }
        }
    }
    seen
}

/// `name@1.0.0(peer@2.0.0)` → `name@1.0.0`, the key of its `packages` entry.
fn package_key(snapshot_key: &str) -> String {
    snapshot_key
        .split('(')
        .next()
        .unwrap_or(snapshot_key)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::testing::{Row, check_malformed, check_rows};

    fn check(text: &str, expected: &[Row]) {
        check_rows(
            crate::LockfileKind::PnpmLock,
            "pnpm-lock.yaml",
            text,
            expected,
        );
    }

    fn check_error(text: &str, line: Option<u32>) {
        check_malformed(crate::LockfileKind::PnpmLock, text, line);
    }

    #[test]
    fn key_syntax_per_version() {
        let check = |key: &str, major: u32, want: Option<(&str, &str)>| {
            let got = parse_key(key, major);
            let want = want.map(|(n, v)| (n.to_string(), v.to_string()));
            assert_eq!(got, want, "{key} (v{major})");
        };
        check("/foo/1.0.0", 5, Some(("foo", "1.0.0")));
        check(
            "/@foo/bar/1.0.0_react@17.0.2",
            5,
            Some(("@foo/bar", "1.0.0")),
        );
        check("registry.npmjs.org/foo/1.1.0", 5, Some(("foo", "1.1.0")));
        check("/foo@1.0.0", 5, Some(("foo", "1.0.0")));
        check("/@foo/bar@1.0.0", 5, Some(("@foo/bar", "1.0.0")));
        check("/foo@1.0.0", 6, Some(("foo", "1.0.0")));
        check(
            "/@foo/bar@1.0.0(react@18.2.0)(x@1.0.0)",
            6,
            Some(("@foo/bar", "1.0.0")),
        );
        check(
            "@foo/bar@1.0.0(react@18.2.0)",
            9,
            Some(("@foo/bar", "1.0.0")),
        );
        check("foo", 9, None);
        check("file:../foo", 9, None);
        check("/", 5, None);
        check("", 5, None);
    }

    #[test]
    fn v5_flags_and_resolutions() {
        check(
            "lockfileVersion: 5.4\n\
             \n\
             packages:\n\
             \n\
             \x20 /lodash/4.17.21:\n\
             \x20   resolution: {integrity: sha512-abc}\n\
             \x20   dev: false\n\
             \n\
             \x20 /jest/29.7.0_@types+node@20.0.0:\n\
             \x20   resolution: {integrity: sha512-def}\n\
             \x20   dev: true\n\
             \n\
             \x20 /fsevents/2.3.3:\n\
             \x20   resolution: {integrity: sha512-ghi}\n\
             \x20   dev: true\n\
             \x20   optional: true\n\
             \n\
             \x20 github.com/kevva/is-positive/97edff6f525f192a3f83cea1944765f769ae2678:\n\
             \x20   resolution: {tarball: https://codeload.github.com/kevva/is-positive/tar.gz/97edff6f525f192a3f83cea1944765f769ae2678}\n\
             \x20   name: is-positive\n\
             \x20   version: 3.1.0\n\
             \x20   dev: false\n",
            &[
                ("lodash", "4.17.21", &[], None, 5),
                ("jest", "29.7.0", &["dev"], None, 9),
                ("fsevents", "2.3.3", &["dev", "optional"], None, 13),
                (
                    "is-positive",
                    "3.1.0",
                    &[],
                    Some("97edff6f525f192a3f83cea1944765f769ae2678"),
                    18,
                ),
            ],
        );
    }

    #[test]
    fn v6_sample() {
        check(
            include_str!("../../tests/data/pnpm/v6/pnpm-lock.yaml"),
            &[
                ("@babel/runtime", "7.24.7", &[], None, 34),
                ("@testing-library/react", "14.3.1", &["dev"], None, 41),
                ("js-tokens", "4.0.0", &[], None, 54),
                ("loose-envify", "1.4.0", &[], None, 58),
                ("react", "18.3.1", &[], None, 65),
                ("regenerator-runtime", "0.14.1", &[], None, 72),
                ("string-width", "4.2.3", &[], None, 76),
                (
                    "tiny-lib",
                    "0.3.1",
                    &[],
                    Some("6b6f1c3e3b2a1a0d9c8e7f6a5b4c3d2e1f0a9b8c"),
                    81,
                ),
                ("local-utils", "0.2.0", &[], None, 87),
            ],
        );
    }

    #[test]
    fn v9_sample_with_dev_reachability() {
        check(
            include_str!("../../tests/data/pnpm/v9/pnpm-lock.yaml"),
            &[
                ("@types/prop-types", "15.7.12", &["dev"], None, 40),
                ("@types/react", "18.3.3", &["dev"], None, 43),
                ("csstype", "3.1.3", &[], None, 46),
                ("fsevents", "2.3.3", &["optional"], None, 49),
                ("goober", "2.1.14", &[], None, 54),
                (
                    "is-positive",
                    "3.1.0",
                    &[],
                    Some("97edff6f525f192a3f83cea1944765f769ae2678"),
                    59,
                ),
                ("typescript", "5.4.5", &["dev"], None, 64),
            ],
        );
    }

    #[test]
    fn empty_and_package_less_files() {
        check("", &[]);
        check("lockfileVersion: '9.0'\n", &[]);
        check("lockfileVersion: '9.0'\npackages: {}\n", &[]);
    }

    #[test]
    fn malformed() {
        check_error(
            "lockfileVersion: '9.0'\npackages:\n  foo@1.0.0: [\n",
            Some(4),
        );
        check_error("lockfileVersion: '9.0'\npackages: 7\n", Some(2));
        check_error(
            "lockfileVersion: '9.0'\npackages:\n  foo@1.0.0: 7\n",
            Some(3),
        );
        check_error("- a\n- b\n", Some(1));
    }
}
