//! Pipenv's `Pipfile.lock`: JSON with a `default` and a `develop` section,
//! each mapping package names to `{ "version": "==x", ... }`.

use rampart_core::{
    Component, ComponentVersion, Ecosystem, Location, PackageSource, normalize_package_name,
};
use serde_json::{Map, Value};

use crate::{ExtractError, ExtractInput, LineIndex};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let root: Value =
        serde_json::from_str(input.text).map_err(|e| ExtractError::json(input.path, &e))?;
    let Some(root) = root.as_object() else {
        return Err(ExtractError::malformed(
            input.path,
            Some(1),
            "Pipfile.lock is not a JSON object",
        ));
    };
    let index = LineIndex::new(input.text);
    let mut components: Vec<Component> = Vec::new();
    // `default` first: a package locked at the same version in both sections
    // is a runtime dependency, and is reported once.
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(packages) = root.get(section) else {
            continue;
        };
        let Some(packages) = packages.as_object() else {
            let line = index.find_line(&format!("\"{section}\""));
            return Err(ExtractError::malformed(
                input.path,
                line,
                format!("`{section}` is not an object"),
            ));
        };
        let mut cursor = index.find_from(&format!("\"{section}\""), 0).unwrap_or(0);
        for (raw_name, entry) in packages {
            let (line, next) = locate(&index, raw_name, cursor);
            cursor = next;
            let component = package(input.path, raw_name, entry, line)?;
            if dev {
                let runtime_twin = components
                    .iter()
                    .any(|c| c.name == component.name && c.version == component.version);
                if runtime_twin {
                    continue;
                }
            }
            let mut component = component;
            if dev {
                component.add_group("dev");
            }
            components.push(component);
        }
    }
    Ok(components)
}

/// The line of `"name":` at or after `from`, and where to search next. Falls
/// back to the section's line when the key is spelled with JSON escapes.
fn locate(index: &LineIndex<'_>, raw_name: &str, from: usize) -> (u32, usize) {
    match super::nuget::find_object_key(index, raw_name, from) {
        Some(at) => (index.line_of(at), at + raw_name.len() + 2),
        None => (index.line_of(from), from),
    }
}

fn package(
    path: &str,
    raw_name: &str,
    entry: &Value,
    line: u32,
) -> Result<Component, ExtractError> {
    let Some(entry) = entry.as_object() else {
        return Err(ExtractError::malformed(
            path,
            Some(line),
            format!("package {raw_name:?} is not an object"),
        ));
    };
    let version = match string_field(entry, "version") {
        Some(pinned) => match pinned
            .strip_prefix("===")
            .or_else(|| pinned.strip_prefix("=="))
        {
            Some(v) if !v.is_empty() && !v.contains('*') => {
                ComponentVersion::Exact(v.trim().to_string())
            }
            _ => ComponentVersion::Unresolved {
                requirement: pinned.to_string(),
            },
        },
        None => ComponentVersion::Unresolved {
            requirement: String::new(),
        },
    };
    let source = if let Some(url) = string_field(entry, "git") {
        PackageSource::Git {
            url: url.to_string(),
            commit: string_field(entry, "ref").map(str::to_string),
        }
    } else if let Some(p) = string_field(entry, "path") {
        PackageSource::Path(p.to_string())
    } else if let Some(url) = string_field(entry, "file") {
        PackageSource::Url(url.to_string())
    } else {
        PackageSource::Registry
    };
    let mut component = Component::new(
        Ecosystem::PyPI,
        normalize_package_name(&Ecosystem::PyPI, raw_name),
        version,
        Location::new(path, Some(line)),
    );
    component.source = source;
    Ok(component)
}

fn string_field<'v>(entry: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    entry.get(key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::PipfileLock, text, expected);
    }

    fn check_malformed(text: &str, line: Option<u32>) {
        testing::check_malformed(LockfileKind::PipfileLock, text, line);
    }

    #[test]
    fn default_and_develop() {
        check(
            r#"{
    "_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6},
    "default": {
        "Requests": {"hashes": [], "index": "pypi", "version": "==2.31.0"},
        "zope.interface": {"version": "==6.1"}
    },
    "develop": {
        "requests": {"version": "==2.31.0"},
        "pytest": {"markers": "python_version >= '3.8'", "version": "==8.0.0"}
    }
}"#,
            &[
                "requests 2.31.0 :4",
                "zope-interface 6.1 :5",
                "pytest 8.0.0 [dev] :9",
            ],
        );
    }

    #[test]
    fn same_name_different_versions_across_sections() {
        check(
            r#"{"default": {"pluggy": {"version": "==1.0.1"}},
"develop": {"pluggy": {"version": "==1.0.0"}}}"#,
            &["pluggy 1.0.1 :1", "pluggy 1.0.0 [dev] :2"],
        );
    }

    #[test]
    fn git_path_file_and_unpinned_entries() {
        check(
            r#"{
  "default": {
    "forked": {"git": "https://github.com/org/forked.git", "ref": "8f3b2c1d"},
    "local": {"editable": true, "path": "./libs/local"},
    "archive": {"file": "https://example.com/archive-1.0.zip"},
    "odd": {"hashes": []}
  }
}"#,
            &[
                "forked ? git:https://github.com/org/forked.git#8f3b2c1d :3",
                "local ? path:./libs/local :4",
                "archive ? url:https://example.com/archive-1.0.zip :5",
                "odd ? :6",
            ],
        );
    }

    #[test]
    fn repeated_names_resolve_in_order() {
        check(
            "{\"_meta\": {\"requests\": 1},\n\"default\": {\n\"requests\": {\"version\": \"==1\"}},\n\"develop\": {\n\"requests\": {\"version\": \"==2\"}}}",
            &["requests 1 :3", "requests 2 [dev] :5"],
        );
    }

    #[test]
    fn the_sample_file() {
        check(
            include_str!("../../tests/data/pipenv/Pipfile.lock"),
            &[
                "click 8.1.7 :19",
                "flask 3.0.2 :26",
                "internal-auth ? git:https://github.com/example-org/internal-auth.git#2b7e151628aed2a6abf7158809cf4f3c762e7160 :33",
                "werkzeug 3.0.1 :37",
                "pytest 8.1.1 [dev] :53",
                "ruff ? [dev] path:./tools/ruff-fork :60",
            ],
        );
    }

    #[test]
    fn malformed() {
        check_malformed(
            "{\n\"default\": {\n\"a\": {\"version\": \"==1\"},\n}}",
            Some(4),
        );
        check_malformed("[]", Some(1));
        check_malformed("{\"default\": []}", Some(1));
        check_malformed("{\n\"default\": {\"a\": 3}}", Some(2));
        check_malformed("", Some(1));
    }

    #[test]
    fn empty_lock() {
        check("{\"_meta\": {}, \"default\": {}, \"develop\": {}}", &[]);
    }
}
