//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1 to 3,
//! plus the helpers that every npm-registry lockfile (yarn, pnpm, bun) shares:
//! splitting `name@spec`, recognising git sources, and finding where a key is
//! declared.
//!
//! Version 1 nests packages under `dependencies`; versions 2 and 3 list them
//! flat under `packages`, keyed by their `node_modules/…` path. Version 2
//! carries both; `packages` is the richer of the two and wins.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};
use serde_json::{Map, Value};

use crate::{ExtractError, ExtractInput, LineIndex};

/// How deep v1 `dependencies` may nest. npm hoists aggressively, so real
/// trees stay shallow; the bound only stops hostile input.
const MAX_V1_DEPTH: usize = 48;

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let root: Value =
        serde_json::from_str(input.text).map_err(|err| ExtractError::json(input.path, &err))?;
    let Some(root) = root.as_object() else {
        return Err(ExtractError::malformed(
            input.path,
            Some(1),
            "expected a JSON object",
        ));
    };
    let index = LineIndex::new(input.text);
    let mut out = Vec::new();
    match (root.get("packages"), root.get("dependencies")) {
        (Some(Value::Object(packages)), _) => extract_packages(input, &index, packages, &mut out)?,
        (Some(_), _) => return Err(not_an_object(input.path, &index, "packages")),
        (None, Some(Value::Object(deps))) => {
            let mut cursor = DeclarationCursor::new(0);
            extract_v1(input, &index, deps, 0, &mut cursor, &mut out)?;
        }
        (None, Some(_)) => return Err(not_an_object(input.path, &index, "dependencies")),
        (None, None) => {}
    }
    Ok(out)
}

fn not_an_object(path: &str, index: &LineIndex<'_>, key: &str) -> ExtractError {
    let line = find_json_key(index, key, 0, None).map(|at| index.line_of(at));
    ExtractError::malformed(path, line, format!("`{key}` is not an object"))
}

/// Lockfile v2/v3: the flat `packages` map.
fn extract_packages(
    input: &ExtractInput<'_>,
    index: &LineIndex<'_>,
    packages: &Map<String, Value>,
    out: &mut Vec<Component>,
) -> Result<(), ExtractError> {
    let mut cursor = DeclarationCursor::new(0);
    for (key, entry) in packages {
        let at = cursor.find(|from| find_json_key(index, key, from, Some('{')));
        let line = at.map(|at| index.line_of(at));
        let Some(entry) = entry.as_object() else {
            let line = find_json_key(index, key, cursor.at, None).map(|at| index.line_of(at));
            return Err(ExtractError::malformed(
                input.path,
                line,
                format!("package {key:?} is not an object"),
            ));
        };
        // The root project and workspace folders are the project itself;
        // `link: true` entries point at those folders.
        let Some((_, installed_as)) = key.rsplit_once("node_modules/") else {
            continue;
        };
        if flag(entry, "link") {
            continue;
        }
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(installed_as);
        let resolved = entry.get("resolved").and_then(Value::as_str);
        let (version, source) = match (entry.get("version").and_then(Value::as_str), resolved) {
            (Some(version), _) if is_version(version) => (
                ComponentVersion::Exact(version.to_string()),
                resolved_source(resolved),
            ),
            (Some(spec), _) | (None, Some(spec)) => {
                let (_, version, source) = classify_spec(name, spec);
                (version, source)
            }
            (None, None) => continue,
        };
        let mut component = Component::new(
            Ecosystem::Npm,
            name,
            version,
            Location::new(input.path, line),
        );
        component.source = source;
        add_flag_groups(&mut component, entry);
        if flag(entry, "inBundle") {
            component.add_group("bundled");
        }
        out.push(component);
    }
    Ok(())
}

/// Lockfile v1: nested `dependencies`, visited in document order so that
/// the line search moves forward.
fn extract_v1(
    input: &ExtractInput<'_>,
    index: &LineIndex<'_>,
    deps: &Map<String, Value>,
    depth: usize,
    cursor: &mut DeclarationCursor,
    out: &mut Vec<Component>,
) -> Result<(), ExtractError> {
    if depth > MAX_V1_DEPTH {
        return Err(ExtractError::malformed(
            input.path,
            Some(index.line_of(cursor.at)),
            format!("dependencies nested more than {MAX_V1_DEPTH} levels deep"),
        ));
    }
    for (key, entry) in deps {
        let at = cursor.find(|from| find_json_key(index, key, from, Some('{')));
        let line = at.map(|at| index.line_of(at));
        let Some(entry) = entry.as_object() else {
            let line = find_json_key(index, key, cursor.at, None).map(|at| index.line_of(at));
            return Err(ExtractError::malformed(
                input.path,
                line,
                format!("dependency {key:?} is not an object"),
            ));
        };
        if let Some(spec) = entry.get("version").and_then(Value::as_str) {
            let (name, version, source) = classify_spec(key, spec);
            let mut component = Component::new(
                Ecosystem::Npm,
                name,
                version,
                Location::new(input.path, line),
            );
            component.source = source;
            add_flag_groups(&mut component, entry);
            if flag(entry, "bundled") {
                component.add_group("bundled");
            }
            out.push(component);
        }
        match entry.get("dependencies") {
            Some(Value::Object(nested)) => {
                extract_v1(input, index, nested, depth + 1, cursor, out)?;
            }
            Some(_) => {
                return Err(ExtractError::malformed(
                    input.path,
                    line,
                    format!("`dependencies` of {key:?} is not an object"),
                ));
            }
            None => {}
        }
    }
    Ok(())
}

fn flag(entry: &Map<String, Value>, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// npm's `dev`, `optional`, `devOptional` and `peer` flags as groups.
/// `devOptional` marks a package needed only by dev *or* optional
/// dependencies, so it is both.
fn add_flag_groups(component: &mut Component, entry: &Map<String, Value>) {
    if flag(entry, "dev") {
        component.add_group("dev");
    }
    if flag(entry, "optional") {
        component.add_group("optional");
    }
    if flag(entry, "devOptional") {
        component.add_group("dev");
        component.add_group("optional");
    }
    if flag(entry, "peer") {
        component.add_group("peer");
    }
}

/// Where a v2/v3 package with a semver version came from, by its `resolved`.
pub(super) fn resolved_source(resolved: Option<&str>) -> PackageSource {
    let Some(resolved) = resolved else {
        return PackageSource::Registry;
    };
    if let Some(path) = resolved.strip_prefix("file:") {
        return PackageSource::Path(path.to_string());
    }
    if is_registry_tarball(resolved) {
        return PackageSource::Registry;
    }
    if let Some(git) = git_source(resolved) {
        return git;
    }
    if resolved.starts_with("http://") || resolved.starts_with("https://") {
        return PackageSource::Url(redact_userinfo(resolved));
    }
    PackageSource::Registry
}

/// A version field or resolution as a name, version and source. Handles npm
/// aliases (`npm:real@1.0.0`), git specs, `file:` paths and tarball URLs;
/// anything that is not a plain version stays unresolved, with the spec as
/// its requirement.
pub(super) fn classify_spec(name: &str, spec: &str) -> (String, ComponentVersion, PackageSource) {
    if let Some(aliased) = spec.strip_prefix("npm:")
        && let Some((real, version)) = split_name_spec(aliased)
    {
        return classify_spec(real, version);
    }
    // The spec is shown to users; a token in a git URL must not be.
    let unresolved = || ComponentVersion::Unresolved {
        requirement: redact_userinfo(spec),
    };
    if is_version(spec) {
        return (
            name.to_string(),
            ComponentVersion::Exact(spec.to_string()),
            PackageSource::Registry,
        );
    }
    if let Some(path) = spec
        .strip_prefix("file:")
        .or_else(|| spec.strip_prefix("link:"))
    {
        return (
            name.to_string(),
            unresolved(),
            PackageSource::Path(path.to_string()),
        );
    }
    if let Some(git) = git_source(spec) {
        return (name.to_string(), unresolved(), git);
    }
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return (
            name.to_string(),
            unresolved(),
            PackageSource::Url(redact_userinfo(spec)),
        );
    }
    (name.to_string(), unresolved(), PackageSource::Registry)
}

/// Whether `s` is a resolved version (`1.2.3`, `0.0.0-beta.1`) rather than a
/// spec. npm writes versions without a `v`.
pub(super) fn is_version(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

/// Splits `name@spec` at the `@` that ends the name; scoped names keep their
/// leading `@`.
pub(super) fn split_name_spec(s: &str) -> Option<(&str, &str)> {
    let at = s.get(1..)?.find('@')? + 1;
    Some((&s[..at], &s[at + 1..]))
}

/// A registry tarball (`…/name/-/name-1.0.0.tgz`), possibly with yarn's
/// `#sha1` suffix, which is a checksum and not a commit.
pub(super) fn is_registry_tarball(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && url.contains("/-/")
}

const GIT_HOSTS: [&str; 3] = ["github.com", "gitlab.com", "bitbucket.org"];

/// Recognises a git dependency in a version spec or resolved URL and pulls
/// out the commit when it is named: `git+ssh://…#<sha>`, `github:o/r#<sha>`,
/// yarn berry's `#commit=<sha>`, GitHub codeload tarballs and GitLab archive
/// URLs. Credentials in the URL are dropped.
pub(super) fn git_source(spec: &str) -> Option<PackageSource> {
    if let Some(rest) = strip_http_host(spec, "codeload.github.com") {
        let mut parts = rest.split('/');
        let (owner, repo, _kind, commit) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        return Some(PackageSource::Git {
            url: format!("https://github.com/{owner}/{repo}"),
            commit: commit_of(commit),
        });
    }
    if spec.starts_with("http")
        && let Some((repo, reference)) = spec.split_once("/repository/archive.tar.gz?ref=")
    {
        return Some(PackageSource::Git {
            url: redact_userinfo(repo),
            commit: commit_of(reference),
        });
    }
    let (url, fragment) = spec.split_once('#').unwrap_or((spec, ""));
    let names_commit = fragment
        .split('&')
        .any(|part| part.starts_with("commit=") || part.starts_with("commit:"));
    let gitish = [
        "git+",
        "git://",
        "git@",
        "ssh://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ]
    .iter()
    .any(|prefix| spec.starts_with(prefix))
        || (spec.starts_with("http") && names_commit)
        || (spec.starts_with("http")
            && !spec.contains("/-/")
            && GIT_HOSTS.iter().any(|host| host_of(spec) == Some(host))
            && (!fragment.is_empty() || url.ends_with(".git")));
    if !gitish {
        return None;
    }
    let commit = fragment.split('&').find_map(|part| {
        let value = part
            .strip_prefix("commit=")
            .or_else(|| part.strip_prefix("commit:"))
            .unwrap_or(part);
        commit_of(value)
    });
    Some(PackageSource::Git {
        url: redact_userinfo(url),
        commit,
    })
}

/// A full or abbreviated commit hash (7 to 64 hex digits), lowercased.
pub(super) fn commit_of(s: &str) -> Option<String> {
    ((7..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| s.to_ascii_lowercase())
}

fn host_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    Some(host.split(':').next().unwrap_or(host))
}

fn strip_http_host<'a>(url: &'a str, host: &str) -> Option<&'a str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.strip_prefix(host)?.strip_prefix('/')
}

/// Drops a token from `scheme://token@host/…`; the conventional `git@` user
/// of SSH URLs is kept, as it is no secret and makes the URL usable.
pub(super) fn redact_userinfo(url: &str) -> String {
    crate::redact_url_credentials(url)
}

/// How many declarations a file may fail to locate before we stop looking.
const MAX_MISSES: u32 = 32;

/// Walks a file's declarations in document order, so that repeated names
/// resolve to successive lines. A failed search scans to the end of the
/// file; after [`MAX_MISSES`] of them the cursor gives up, or input whose
/// keys cannot be found (spelled with escapes, say) would take quadratic
/// time. Components then simply have no line.
pub(super) struct DeclarationCursor {
    /// Where the next search starts.
    pub(super) at: usize,
    misses: u32,
}

impl DeclarationCursor {
    pub(super) fn new(at: usize) -> DeclarationCursor {
        DeclarationCursor { at, misses: 0 }
    }

    /// Runs `search` from the cursor; on a hit, moves past it.
    pub(super) fn find(&mut self, search: impl FnOnce(usize) -> Option<usize>) -> Option<usize> {
        if self.misses >= MAX_MISSES {
            return None;
        }
        let found = search(self.at);
        match found {
            Some(at) => self.at = at + 1,
            None => self.misses += 1,
        }
        found
    }
}

/// The offset of `"key"` used as an object key (followed by `:`) at or
/// after `from`; with `opener`, only where the value starts with it (`{`
/// tells a package entry from a `requires` line naming the same package).
pub(super) fn find_json_key(
    index: &LineIndex<'_>,
    key: &str,
    from: usize,
    opener: Option<char>,
) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let text = index.text();
    let mut at = from;
    loop {
        let found = index.find_from(&quoted, at)?;
        let after = text.get(found + quoted.len()..)?.trim_start();
        if let Some(value) = after.strip_prefix(':') {
            match opener {
                None => return Some(found),
                Some(c) if value.trim_start().starts_with(c) => return Some(found),
                Some(_) => {}
            }
        }
        at = found + quoted.len();
    }
}

/// The offset of a YAML mapping key at or after `from`: `key` written plain
/// or quoted as the first thing on its line and followed by `:`.
pub(super) fn find_yaml_key(index: &LineIndex<'_>, key: &str, from: usize) -> Option<usize> {
    // An empty needle matches everywhere, the end of the text included, so
    // the search below would never end.
    if key.is_empty() {
        return None;
    }
    let text = index.text();
    let mut at = from;
    loop {
        let found = index.find_from(key, at)?;
        at = found + key.len();
        let line_start = text[..found].rfind('\n').map_or(0, |i| i + 1);
        let prefix = text[line_start..found].trim_start_matches(' ');
        let after = &text[found + key.len()..];
        let declared = match prefix {
            "" => after.starts_with(':'),
            "'" => after.starts_with("':"),
            "\"" => after.starts_with("\":"),
            _ => false,
        };
        if declared {
            return Some(found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::testing::{Row, check_malformed, check_rows};

    fn check(text: &str, expected: &[Row]) {
        check_rows(
            crate::LockfileKind::NpmPackageLock,
            "package-lock.json",
            text,
            expected,
        );
    }

    fn check_error(text: &str, line: Option<u32>) {
        check_malformed(crate::LockfileKind::NpmPackageLock, text, line);
    }

    #[test]
    fn v3_packages_with_flags() {
        check(
            r#"{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "dependencies": { "a": "^1" } },
    "node_modules/a": { "version": "1.0.0" },
    "node_modules/@types/node": { "version": "20.1.0", "dev": true },
    "node_modules/fsevents": { "version": "2.3.3", "optional": true },
    "node_modules/b": { "version": "2.0.0", "devOptional": true },
    "node_modules/react": { "version": "18.2.0", "peer": true },
    "node_modules/a/node_modules/c": { "version": "0.1.0-beta.2" }
  }
}"#,
            &[
                ("a", "1.0.0", &[], None, 6),
                ("@types/node", "20.1.0", &["dev"], None, 7),
                ("fsevents", "2.3.3", &["optional"], None, 8),
                ("b", "2.0.0", &["dev", "optional"], None, 9),
                ("react", "18.2.0", &["peer"], None, 10),
                ("c", "0.1.0-beta.2", &[], None, 11),
            ],
        );
    }

    #[test]
    fn v2_prefers_packages_and_skips_workspaces() {
        check(
            r#"{
  "lockfileVersion": 2,
  "packages": {
    "": { "workspaces": ["packages/*"] },
    "packages/web": { "name": "web", "version": "1.0.0" },
    "node_modules/web": { "resolved": "packages/web", "link": true },
    "packages/web/node_modules/left-pad": { "version": "1.3.0" }
  },
  "dependencies": {
    "left-pad": { "version": "1.3.0" },
    "ignored-because-packages-wins": { "version": "9.9.9" }
  }
}"#,
            &[("left-pad", "1.3.0", &[], None, 7)],
        );
    }

    #[test]
    fn v2_aliases_report_the_real_name() {
        check(
            r#"{"lockfileVersion": 2, "packages": {
"node_modules/string-width-cjs": {"name": "string-width", "version": "4.2.3"}
}}"#,
            &[("string-width", "4.2.3", &[], None, 2)],
        );
    }

    #[test]
    fn v2_git_dependency_keeps_version_and_commit() {
        check(
            r#"{"lockfileVersion": 3, "packages": {
"node_modules/is-number": {
  "version": "7.0.0",
  "resolved": "git+ssh://git@github.com/jonschlinkert/is-number.git#98e8ff1da1a89f93d1397a24d7413ed15421c139"
}}}"#,
            &[(
                "is-number",
                "7.0.0",
                &[],
                Some("98e8ff1da1a89f93d1397a24d7413ed15421c139"),
                2,
            )],
        );
    }

    #[test]
    fn v1_nested_dependencies_in_document_order() {
        check(
            r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "a": {
      "version": "1.0.0",
      "requires": { "b": "^1.0.0" },
      "dependencies": {
        "b": { "version": "1.0.1", "dev": true, "bundled": true }
      }
    },
    "b": { "version": "2.0.0", "optional": true },
    "alias": { "version": "npm:@scope/real@3.1.4" }
  }
}"#,
            &[
                ("a", "1.0.0", &[], None, 4),
                ("b", "1.0.1", &["bundled", "dev"], None, 8),
                ("b", "2.0.0", &["optional"], None, 11),
                ("@scope/real", "3.1.4", &[], None, 12),
            ],
        );
    }

    #[test]
    fn v1_git_and_file_specs_are_unresolved() {
        check(
            r#"{"lockfileVersion": 1, "dependencies": {
"g": {"version": "github:o/r#0123456789abcdef0123456789abcdef01234567"},
"t": {"version": "git+https://secret-token@github.com/o/t.git#abcdef1"},
"local": {"version": "file:../local"},
"tar": {"version": "https://example.com/tar-1.0.0.tgz"}
}}"#,
            &[
                (
                    "g",
                    "~github:o/r#0123456789abcdef0123456789abcdef01234567",
                    &[],
                    Some("0123456789abcdef0123456789abcdef01234567"),
                    2,
                ),
                (
                    "t",
                    "~git+https://github.com/o/t.git#abcdef1",
                    &[],
                    Some("abcdef1"),
                    3,
                ),
                ("local", "~file:../local", &[], None, 4),
                ("tar", "~https://example.com/tar-1.0.0.tgz", &[], None, 5),
            ],
        );
    }

    #[test]
    fn git_urls_lose_their_credentials() {
        let source = git_source("git+https://secret-token@github.com/o/t.git#abcdef1").unwrap();
        assert_eq!(
            source,
            PackageSource::Git {
                url: "git+https://github.com/o/t.git".into(),
                commit: Some("abcdef1".into())
            }
        );
        let source = git_source("git+ssh://git@github.com/o/t.git").unwrap();
        assert_eq!(
            source,
            PackageSource::Git {
                url: "git+ssh://git@github.com/o/t.git".into(),
                commit: None
            }
        );
    }

    #[test]
    fn sources_are_classified() {
        let check =
            |spec: &str, want: Option<PackageSource>| assert_eq!(git_source(spec), want, "{spec}");
        let git = |url: &str, commit: &str| {
            Some(PackageSource::Git {
                url: url.into(),
                commit: Some(commit.into()),
            })
        };
        check(
            "https://codeload.github.com/o/r/tar.gz/094e581aaf927d010e4b61d706ba584551dac502",
            git(
                "https://github.com/o/r",
                "094e581aaf927d010e4b61d706ba584551dac502",
            ),
        );
        check(
            "https://gitlab.com/o/r/repository/archive.tar.gz?ref=c5a7ba5e0ad98b8db1cb8ce105403dd4b768cced",
            git(
                "https://gitlab.com/o/r",
                "c5a7ba5e0ad98b8db1cb8ce105403dd4b768cced",
            ),
        );
        check(
            "https://github.com/o/r#4bdd58d3",
            git("https://github.com/o/r", "4bdd58d3"),
        );
        check(
            "https://git.example.com/r.git#commit=191eeef50c584714e1fb8927d17ee72b3b8c97c4",
            git(
                "https://git.example.com/r.git",
                "191eeef50c584714e1fb8927d17ee72b3b8c97c4",
            ),
        );
        check(
            "ssh://git@github.com:o/r.git#commit=191eeef50c584714e1fb8927d17ee72b3b8c97c4",
            git(
                "ssh://git@github.com:o/r.git",
                "191eeef50c584714e1fb8927d17ee72b3b8c97c4",
            ),
        );
        check(
            "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c",
            None,
        );
        check("https://github.com/o/r/archive/v1.0.0.tar.gz", None);
    }

    #[test]
    fn name_and_spec_split() {
        assert_eq!(
            split_name_spec("@babel/core@^7.0.0"),
            Some(("@babel/core", "^7.0.0"))
        );
        assert_eq!(
            split_name_spec("a@git+ssh://git@h/x"),
            Some(("a", "git+ssh://git@h/x"))
        );
        assert_eq!(split_name_spec("nothing"), None);
        assert_eq!(split_name_spec(""), None);
        assert_eq!(split_name_spec("@"), None);
    }

    #[test]
    fn malformed_input_is_reported_with_its_line() {
        check_error(
            "{\n  \"packages\": {\n    \"node_modules/a\": {\n  }\n",
            Some(5),
        );
        check_error("[]", Some(1));
        check_error("{\n\"packages\": []}", Some(2));
        check_error("{\n\"packages\": {\n\"node_modules/a\": 3}}", Some(3));
        check_error(
            "{\"dependencies\": {\"a\": {\"version\": \"1.0.0\", \"dependencies\": 7}}}",
            Some(1),
        );
    }

    #[test]
    fn deep_v1_nesting_is_an_error_not_a_crash() {
        let mut text = String::from("{\"dependencies\": ");
        for _ in 0..60 {
            text.push_str("{\"a\": {\"version\": \"1.0.0\", \"dependencies\": ");
        }
        text.push_str("{}");
        for _ in 0..60 {
            text.push_str("}}");
        }
        text.push('}');
        let input = ExtractInput::standalone("package-lock.json", &text);
        assert!(extract(&input).is_err());
    }

    #[test]
    fn keys_that_cannot_be_found_leave_the_line_out() {
        let mut text = String::from("{\"packages\": {\n");
        for i in 0..100 {
            text.push_str(&format!(
                "\"node_modules/\\u0061{i}\": {{\"version\": \"1.0.0\"}},\n"
            ));
        }
        text.push_str("\"node_modules/b\": {\"version\": \"2.0.0\"}\n}}");
        let input = ExtractInput::standalone("package-lock.json", &text);
        let components = extract(&input).unwrap();
        assert_eq!(components.len(), 101);
        assert!(components.iter().all(|c| c.location.line.is_none()));
        assert_eq!(components[0].name, "a0");
    }

    #[test]
    fn empty_lockfile_has_no_components() {
        check("{\"lockfileVersion\": 3, \"requires\": true}", &[]);
    }

    #[test]
    fn yaml_keys_are_found_plain_or_quoted() {
        let index = LineIndex::new(
            "a:\n  /foo/1.0.0:\n  '@x/foo@1.0.0':\n  foo@1.0.0(p@1):\n  foo@1.0.0:\n",
        );
        let line = |key: &str| find_yaml_key(&index, key, 0).map(|at| index.line_of(at));
        assert_eq!(line("/foo/1.0.0"), Some(2));
        assert_eq!(line("@x/foo@1.0.0"), Some(3));
        assert_eq!(line("foo@1.0.0"), Some(5));
        assert_eq!(line("nope"), None);
        assert_eq!(line(""), None);
        assert_eq!(find_yaml_key(&index, "foo@1.0.0", 10_000), None);
        assert_eq!(find_json_key(&index, "", 10_000, None), None);
    }
}
