//! `yarn.lock`: classic (v1) and berry (v2+).
//!
//! Classic is yarn's own line format: an unindented, comma-separated list
//! of descriptors (`"a@^1.0.0", a@^1.1.0:`) opens an entry, whose fields
//! (`version "1.2.0"`, `resolved "…"`) follow at two spaces and whose
//! dependency lists at four. Berry is YAML, with a `__metadata` entry, a
//! `resolution` locator per package (`name@npm:1.2.0`), and the project's
//! own workspaces (`name@workspace:…`, version `0.0.0-use.local`), which are
//! skipped. In both, the name of an aliased package is the real one.

use std::collections::HashSet;

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};
use serde_norway::Value;

use crate::formats::npm::{
    DeclarationCursor, classify_spec, find_yaml_key, git_source, is_version, resolved_source,
    split_name_spec,
};
use crate::{ExtractError, ExtractInput, LineIndex};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    if input
        .text
        .lines()
        .any(|line| line.trim_end() == "__metadata:")
    {
        extract_berry(input)
    } else {
        extract_classic(input)
    }
}

/// A classic entry while its fields are read.
struct ClassicEntry {
    descriptor: String,
    line: u32,
    version: Option<String>,
    resolved: Option<String>,
}

fn extract_classic(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let mut out = Vec::new();
    let mut current: Option<ClassicEntry> = None;
    for (number, raw) in input.text.lines().enumerate() {
        let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let malformed = |message: &str| ExtractError::malformed(input.path, Some(line), message);
        let text = raw.trim_end();
        let content = text.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = text.len() - content.len();
        if indent == 0 {
            let header = text
                .strip_suffix(':')
                .ok_or_else(|| malformed("expected `descriptor:`"))?;
            let descriptor = split_list(header)
                .into_iter()
                .next()
                .filter(|d| !d.is_empty())
                .ok_or_else(|| malformed("entry without a descriptor"))?;
            if let Some(entry) = current.replace(ClassicEntry {
                descriptor,
                line,
                version: None,
                resolved: None,
            }) {
                out.push(classic_component(input.path, entry)?);
            }
            continue;
        }
        let entry = current
            .as_mut()
            .ok_or_else(|| malformed("indented line outside an entry"))?;
        if indent == 2 {
            let (key, value) = split_field(content);
            match key.as_str() {
                "version" => entry.version = Some(value),
                "resolved" => entry.resolved = Some(value),
                _ => {}
            }
        }
    }
    if let Some(entry) = current {
        out.push(classic_component(input.path, entry)?);
    }
    Ok(out)
}

fn classic_component(path: &str, entry: ClassicEntry) -> Result<Component, ExtractError> {
    let malformed = |message: String| ExtractError::malformed(path, Some(entry.line), message);
    let (name, range) = split_name_spec(&entry.descriptor)
        .ok_or_else(|| malformed(format!("descriptor {:?} has no `@`", entry.descriptor)))?;
    // `alias@npm:real@^1.0.0` installs `real`.
    let name = range
        .strip_prefix("npm:")
        .and_then(split_name_spec)
        .map_or(name, |(real, _)| real);
    let version = entry
        .version
        .filter(|v| !v.is_empty())
        .ok_or_else(|| malformed(format!("entry {:?} has no version", entry.descriptor)))?;
    let version = if is_version(&version) {
        ComponentVersion::Exact(version)
    } else {
        ComponentVersion::Unresolved {
            requirement: version,
        }
    };
    let mut component = Component::new(
        Ecosystem::Npm,
        name,
        version,
        Location::new(path, Some(entry.line)),
    );
    // Local packages have no `resolved`; their descriptor says where they are.
    component.source = match (entry.resolved.as_deref(), range.split_once(':')) {
        (None, Some(("file" | "link", path))) => PackageSource::Path(path.to_string()),
        (resolved, _) => resolved_source(resolved),
    };
    Ok(component)
}

/// Splits a header's comma-separated descriptors, unquoting each.
fn split_list(header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = header.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' if in_quotes => current.extend(chars.next()),
            ',' if !in_quotes => out.push(std::mem::take(&mut current).trim().to_string()),
            c => current.push(c),
        }
    }
    out.push(current.trim().to_string());
    out
}

/// `key "value"`, `key value` or `"key" value`, both halves unquoted.
fn split_field(content: &str) -> (String, String) {
    let (key, rest) = if let Some(quoted) = content.strip_prefix('"') {
        match quoted.find('"') {
            Some(end) => (quoted[..end].to_string(), &quoted[end + 1..]),
            None => (quoted.to_string(), ""),
        }
    } else {
        let end = content.find(char::is_whitespace).unwrap_or(content.len());
        (content[..end].to_string(), &content[end..])
    };
    let value = rest.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .map_or_else(
            || value.to_string(),
            |v| v.replace("\\\"", "\"").replace("\\\\", "\\"),
        );
    (key, value)
}

fn extract_berry(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let doc: Value =
        serde_norway::from_str(input.text).map_err(|err| ExtractError::yaml(input.path, &err))?;
    let Some(entries) = doc.as_mapping() else {
        return Err(ExtractError::malformed(
            input.path,
            Some(1),
            "expected a YAML mapping",
        ));
    };
    let index = LineIndex::new(input.text);
    let mut cursor = DeclarationCursor::new(0);
    let mut plain = Vec::new();
    let mut patched = Vec::new();
    for (key, entry) in entries {
        let Some(key) = key.as_str() else { continue };
        if key == "__metadata" {
            continue;
        }
        let at = cursor.find(|from| find_yaml_key(&index, key, from));
        let line = at.map(|at| index.line_of(at));
        let malformed = |message: String| ExtractError::malformed(input.path, line, message);
        if !entry.is_mapping() {
            return Err(malformed(format!("entry {key:?} is not a mapping")));
        }
        let version = scalar(entry.get("version"));
        let descriptor = key.split(',').next().unwrap_or(key).trim();
        let locator = scalar(entry.get("resolution"));
        let locator = locator.as_deref().unwrap_or(descriptor);
        let (name, reference) = split_name_spec(locator)
            .ok_or_else(|| malformed(format!("locator {locator:?} has no `@`")))?;
        if reference.starts_with("workspace:") || version.as_deref() == Some("0.0.0-use.local") {
            continue;
        }
        let (reference, is_patch) = match reference.strip_prefix("patch:") {
            // `patch:name@npm%3A1.2.3#…`: the patched package's own locator.
            Some(inner) => {
                let inner = inner.split('#').next().unwrap_or(inner).replace("%3A", ":");
                let reference = split_name_spec(&inner)
                    .map(|(_, r)| r.to_string())
                    .unwrap_or(inner);
                (reference, true)
            }
            None => (reference.to_string(), false),
        };
        let version = match version {
            Some(v) if is_version(&v) => ComponentVersion::Exact(v),
            _ => ComponentVersion::Unresolved {
                requirement: reference.clone(),
            },
        };
        let mut component = Component::new(
            Ecosystem::Npm,
            name,
            version,
            Location::new(input.path, line),
        );
        component.source = berry_source(&reference);
        if is_patch {
            patched.push(component)
        } else {
            plain.push(component)
        }
    }
    // A patched package is listed twice, as itself and patched; report the
    // patched entry only when the original is absent.
    let seen: HashSet<_> = plain
        .iter()
        .map(|c| (c.name.clone(), c.version.clone()))
        .collect();
    plain.extend(
        patched
            .into_iter()
            .filter(|c| !seen.contains(&(c.name.clone(), c.version.clone()))),
    );
    Ok(plain)
}

/// The source a berry locator's reference (`npm:1.0.0`, `https://…#commit=…`,
/// `file:…`) points at.
fn berry_source(reference: &str) -> PackageSource {
    if reference.starts_with("npm:") {
        return PackageSource::Registry;
    }
    for protocol in ["file:", "link:", "portal:"] {
        if let Some(path) = reference.strip_prefix(protocol) {
            let path = path.split("::").next().unwrap_or(path);
            let path = path.split('#').next().unwrap_or(path);
            return PackageSource::Path(path.to_string());
        }
    }
    if let Some(git) = git_source(reference) {
        return git;
    }
    classify_spec("", reference).2
}

/// A YAML scalar as text; berry writes versions unquoted, so `1.0.0` stays a
/// string but a hand-edited `2` would be a number.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, version, commit, line)`; an unresolved version is `~spec`.
    type Row = (&'static str, &'static str, Option<&'static str>, u32);

    fn rows(text: &str) -> Vec<(String, String, Option<String>, u32)> {
        let input = ExtractInput::standalone("yarn.lock", text);
        let mut got: Vec<_> = extract(&input)
            .unwrap_or_else(|err| panic!("{err}"))
            .into_iter()
            .map(|c| {
                assert_eq!(c.ecosystem, Ecosystem::Npm);
                assert!(c.groups.is_empty());
                let version = match &c.version {
                    ComponentVersion::Exact(v) => v.clone(),
                    ComponentVersion::Unresolved { requirement } => format!("~{requirement}"),
                };
                (
                    c.name,
                    version,
                    c.source.commit().map(str::to_string),
                    c.location.line.unwrap_or(0),
                )
            })
            .collect();
        got.sort();
        got
    }

    fn check(text: &str, expected: &[Row]) {
        let mut want: Vec<_> = expected
            .iter()
            .map(|(n, v, c, l)| (n.to_string(), v.to_string(), c.map(str::to_string), *l))
            .collect();
        want.sort();
        assert_eq!(rows(text), want);
    }

    fn check_error(text: &str, line: Option<u32>) {
        let input = ExtractInput::standalone("yarn.lock", text);
        match extract(&input) {
            Err(ExtractError::Malformed { line: got, .. }) => assert_eq!(got, line, "{text}"),
            other => panic!("expected a malformed error, got {other:?}"),
        }
    }

    fn source_of(text: &str, name: &str) -> PackageSource {
        let input = ExtractInput::standalone("yarn.lock", text);
        extract(&input)
            .unwrap()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap()
            .source
    }

    #[test]
    fn classic_sample() {
        check(
            include_str!("../../tests/data/yarn/classic/yarn.lock"),
            &[
                ("@babel/code-frame", "7.24.7", None, 5),
                ("@types/node", "20.14.9", None, 13),
                ("chalk", "2.4.2", None, 20),
                ("chalk", "4.1.2", None, 29),
                ("string-width", "4.2.3", None, 37),
                ("string-width", "5.1.2", None, 46),
                (
                    "left-pad",
                    "1.3.0",
                    Some("5b8a3a7765dfe001261dde915589e782f8c94d1e"),
                    55,
                ),
                ("local-utils", "0.2.0", None, 59),
                ("fsevents", "2.3.3", None, 62),
            ],
        );
        let text = include_str!("../../tests/data/yarn/classic/yarn.lock");
        assert_eq!(
            source_of(text, "local-utils"),
            PackageSource::Path("./packages/local-utils".into())
        );
        assert_eq!(source_of(text, "chalk"), PackageSource::Registry);
    }

    #[test]
    fn classic_quoting_and_field_forms() {
        check(
            "# yarn lockfile v1\n\n\
             \"@scope/a@^1.0.0\", \"@scope/a@~1.0.2\":\n  version \"1.0.3\"\n\n\
             b@^2:\n  version 2.0.0\n  \"resolved\" \"https://registry.yarnpkg.com/b/-/b-2.0.0.tgz#0123456789abcdef0123456789abcdef01234567\"\n",
            &[("@scope/a", "1.0.3", None, 3), ("b", "2.0.0", None, 6)],
        );
    }

    #[test]
    fn classic_malformed() {
        check_error("a@^1.0.0\n  version \"1.0.0\"\n", Some(1));
        check_error("  version \"1.0.0\"\n", Some(1));
        check_error(
            "a@^1.0.0:\n  resolved \"x\"\n\nb@^1:\n  version \"1\"\n",
            Some(1),
        );
        check_error("nameonly:\n  version \"1.0.0\"\n", Some(1));
        check_error(":\n", Some(1));
    }

    #[test]
    fn berry_sample() {
        check(
            include_str!("../../tests/data/yarn/berry/yarn.lock"),
            &[
                ("@babel/helper-validator-identifier", "7.24.7", None, 8),
                ("js-tokens", "4.0.0", None, 15),
                ("ms", "2.1.3", None, 22),
                ("resolve", "1.22.8", None, 29),
                ("fsevents", "2.3.3", None, 51),
                ("string-width", "4.2.3", None, 58),
                (
                    "tiny-lib",
                    "0.3.1",
                    Some("6b6f1c3e3b2a1a0d9c8e7f6a5b4c3d2e1f0a9b8c"),
                    69,
                ),
                ("vendored", "1.0.0", None, 75),
                ("tarball-pkg", "2.1.0", None, 81),
            ],
        );
        let text = include_str!("../../tests/data/yarn/berry/yarn.lock");
        assert_eq!(
            source_of(text, "vendored"),
            PackageSource::Path("./vendor/vendored".into())
        );
        assert_eq!(
            source_of(text, "tarball-pkg"),
            PackageSource::Url("https://cdn.example.com/tarball-pkg-2.1.0.tgz".into())
        );
    }

    #[test]
    fn berry_aliases_and_workspaces() {
        check(
            "__metadata:\n  version: 8\n\n\
             \"cjs@npm:ansi-regex@^5.0.0\":\n  version: 5.0.1\n  resolution: \"ansi-regex@npm:5.0.1\"\n\n\
             \"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n\n\
             \"linked@link:../linked::locator=app%40workspace%3A.\":\n  version: 0.0.0-use.local\n  resolution: \"linked@link:../linked::locator=app%40workspace%3A.\"\n",
            &[("ansi-regex", "5.0.1", None, 4)],
        );
    }

    #[test]
    fn berry_malformed() {
        check_error("__metadata:\n  version: 6\n\"a@npm:1\": [\n", Some(4));
        check_error("__metadata:\n  version: 6\n\n\"a@npm:1\": 3\n", Some(4));
        check_error(
            "__metadata:\n  version: 6\n\n\"nope\":\n  resolution: \"nope\"\n",
            Some(4),
        );
    }

    #[test]
    fn field_splitting() {
        assert_eq!(
            split_field("version \"1.0.0\""),
            ("version".into(), "1.0.0".into())
        );
        assert_eq!(
            split_field("\"a b\" \"c\\\"d\""),
            ("a b".into(), "c\"d".into())
        );
        assert_eq!(
            split_field("dependencies:"),
            ("dependencies:".into(), String::new())
        );
        assert_eq!(split_field("\"open"), ("open".into(), String::new()));
        assert_eq!(
            split_list("a@1, \"b@2, 3\""),
            vec!["a@1".to_string(), "b@2, 3".to_string()]
        );
    }
}
