//! `bun.lock`, the text lockfile of Bun 1.2 and later (JSONC: comments and
//! trailing commas allowed). The binary `bun.lockb` is not read.
//!
//! `packages` maps an install path (`lodash`, `@scope/pkg`, `parent/child`
//! for a nested copy) to an array whose first element is the resolution
//! `name@…`:
//! - npm: `["name@1.0.0", "<registry or empty>", {info}, "<integrity>"]`
//! - git / github: `["name@git+<url>#<ref>", {info}, "<resolved commit>"]`
//! - tarball: `["name@<url or path>", {info}]`
//! - folder / symlink: `["name@file:<path>", {info}]`, `["name@link:<path>", …]`
//! - workspace: `["name@workspace:<path>"]`, the project itself: skipped.
//!
//! Aliases install under the alias but resolve to the real name, which we
//! report. Bun records dev dependencies only per workspace, not per package,
//! so no `dev` group is derived; `bundled: true` in the info gives `bundled`.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};
use serde_json::Value;

use crate::formats::npm::{
    DeclarationCursor, commit_of, find_json_key, git_source, is_version, redact_userinfo,
    split_name_spec,
};
use crate::{ExtractError, ExtractInput, LineIndex};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let json = strip_jsonc(input.text);
    let root: Value =
        serde_json::from_str(&json).map_err(|err| ExtractError::json(input.path, &err))?;
    let Some(root) = root.as_object() else {
        return Err(ExtractError::malformed(
            input.path,
            Some(1),
            "expected a JSON object",
        ));
    };
    // `json` has the same byte offsets as the input, so lines agree.
    let index = LineIndex::new(&json);
    let packages = match root.get("packages") {
        Some(Value::Object(packages)) => packages,
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(_) => {
            let line = find_json_key(&index, "packages", 0, None).map(|at| index.line_of(at));
            return Err(ExtractError::malformed(
                input.path,
                line,
                "`packages` is not an object",
            ));
        }
    };
    let mut cursor =
        DeclarationCursor::new(find_json_key(&index, "packages", 0, None).unwrap_or(0));
    let mut out = Vec::new();
    for (key, entry) in packages {
        let at = cursor.find(|from| find_json_key(&index, key, from, Some('[')));
        let line = at
            .or_else(|| find_json_key(&index, key, cursor.at, None))
            .map(|at| index.line_of(at));
        let malformed = |message: String| ExtractError::malformed(input.path, line, message);
        let resolution = entry
            .as_array()
            .and_then(|fields| fields.first())
            .and_then(Value::as_str)
            .ok_or_else(|| {
                malformed(format!("package {key:?} is not a `[\"name@…\", …]` array"))
            })?;
        let (name, spec) = split_name_spec(resolution)
            .ok_or_else(|| malformed(format!("resolution {resolution:?} has no `@`")))?;
        if spec.starts_with("workspace:") || spec.starts_with("root:") {
            continue;
        }
        let fields = entry.as_array().map(Vec::as_slice).unwrap_or_default();
        let info = fields.iter().find(|f| f.is_object());
        let (version, source) = classify(spec, fields);
        let mut component = Component::new(
            Ecosystem::Npm,
            name,
            version,
            Location::new(input.path, line),
        );
        component.source = source;
        if info.and_then(|i| i.get("bundled")).and_then(Value::as_bool) == Some(true) {
            component.add_group("bundled");
        }
        out.push(component);
    }
    Ok(out)
}

fn classify(spec: &str, fields: &[Value]) -> (ComponentVersion, PackageSource) {
    if is_version(spec) {
        return (
            ComponentVersion::Exact(spec.to_string()),
            PackageSource::Registry,
        );
    }
    let unresolved = ComponentVersion::Unresolved {
        requirement: spec.to_string(),
    };
    if let Some(path) = spec
        .strip_prefix("file:")
        .or_else(|| spec.strip_prefix("link:"))
    {
        return (unresolved, PackageSource::Path(path.to_string()));
    }
    if let Some(PackageSource::Git { url, commit }) = git_source(spec) {
        // The last string field is the commit Bun resolved the ref to
        // (`owner-repo-<short sha>` for `github:`).
        let resolved = fields
            .iter()
            .skip(1)
            .filter_map(Value::as_str)
            .next_back()
            .and_then(|tag| commit_of(tag).or_else(|| tag.rsplit('-').next().and_then(commit_of)));
        return (
            unresolved,
            PackageSource::Git {
                url,
                commit: resolved.or(commit),
            },
        );
    }
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return (unresolved, PackageSource::Url(redact_userinfo(spec)));
    }
    // A local tarball (`./vendor/x.tgz`).
    (unresolved, PackageSource::Path(spec.to_string()))
}

/// Blanks out comments and trailing commas, keeping every other byte where
/// it was so that offsets and line numbers stay those of the input.
fn strip_jsonc(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"', _) => in_string = true,
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                for byte in &mut out[i..end] {
                    if *byte != b'\n' {
                        *byte = b' ';
                    }
                }
                i = end;
                continue;
            }
            (b',', _) => {
                let next = next_significant(bytes, i + 1);
                if matches!(next, Some(b'}' | b']')) {
                    out[i] = b' ';
                }
            }
            _ => {}
        }
        i += 1;
    }
    // Only ASCII bytes were replaced, by ASCII, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The next byte after `from` that is neither whitespace nor in a comment.
fn next_significant(bytes: &[u8], mut from: usize) -> Option<u8> {
    loop {
        match (bytes.get(from)?, bytes.get(from + 1)) {
            (b' ' | b'\t' | b'\r' | b'\n', _) => from += 1,
            (b'/', Some(b'/')) => {
                while bytes.get(from).is_some_and(|b| *b != b'\n') {
                    from += 1;
                }
            }
            (b'/', Some(b'*')) => {
                from += 2;
                while bytes.get(from).is_some()
                    && !(bytes[from] == b'*' && bytes.get(from + 1) == Some(&b'/'))
                {
                    from += 1;
                }
                from += 2;
            }
            (b, _) => return Some(*b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::testing::{Row, check_malformed, check_rows};

    fn check(text: &str, expected: &[Row]) {
        check_rows(crate::LockfileKind::BunLock, "bun.lock", text, expected);
    }

    fn check_error(text: &str, line: Option<u32>) {
        check_malformed(crate::LockfileKind::BunLock, text, line);
    }

    #[test]
    fn sample_monorepo() {
        check(
            include_str!("../../tests/data/bun/monorepo/bun.lock"),
            &[
                ("@types/bun", "1.1.6", &[], None, 32),
                ("@types/node", "22.5.0", &[], None, 34),
                ("bun-types", "1.1.6", &[], None, 36),
                ("hono", "4.5.8", &[], None, 38),
                (
                    "left-pad",
                    "~github:stevemao/left-pad#v1.3.0",
                    &[],
                    Some("5b8a3a7"),
                    40,
                ),
                (
                    "tiny-lib",
                    "~git+https://git.example.com/acme/tiny-lib.git#v0.3.1",
                    &[],
                    Some("6b6f1c3e3b2a1a0d9c8e7f6a5b4c3d2e1f0a9b8c"),
                    42,
                ),
                ("undici-types", "6.19.8", &[], None, 44),
                ("@types/node", "20.12.14", &[], None, 46),
                ("string-width", "4.2.3", &["bundled"], None, 48),
                ("vendored", "~file:vendor/vendored", &[], None, 50),
                (
                    "zod",
                    "~https://cdn.example.com/zod-3.23.8.tgz",
                    &[],
                    None,
                    52,
                ),
                ("undici-types", "5.26.5", &[], None, 54),
            ],
        );
    }

    #[test]
    fn comments_and_trailing_commas() {
        check(
            "{\n  // generated\n  \"lockfileVersion\": 1, /* block\n  comment */\n  \"packages\": {\n    \"a\": [\"a@1.0.0\", \"\", {}, \"sha512-x\",],\n    \"b\": [\"b@2.0.0\", \"\", {}, \"sha512-y\" /* c */ , ] ,\n  },\n}\n",
            &[("a", "1.0.0", &[], None, 6), ("b", "2.0.0", &[], None, 7)],
        );
        assert_eq!(strip_jsonc("[\"a,]\", \"//\",]"), "[\"a,]\", \"//\" ]");
        assert_eq!(strip_jsonc("[1,\n// x\n]"), "[1 \n    \n]");
        assert_eq!(strip_jsonc("[1, /* unterminated"), "[1,                ");
    }

    #[test]
    fn empty_lockfile() {
        check(
            "{\"lockfileVersion\": 1, \"workspaces\": {\"\": {\"name\": \"x\"}}, \"packages\": {}}",
            &[],
        );
        check("{}", &[]);
    }

    #[test]
    fn malformed() {
        check_error("{\n\"packages\": {\n\"a\": [\"a@1.0.0\" \"\"]\n}}", Some(3));
        check_error("{\n\"packages\": []\n}", Some(2));
        check_error("{\n\"packages\": {\n\"a\": {}\n}}", Some(3));
        check_error("{\n\"packages\": {\n\"a\": [\"nothing\"]\n}}", Some(3));
        check_error("{\n\"packages\": {\n\"a\": []\n}}", Some(3));
        check_error("[1]", Some(1));
    }
}
