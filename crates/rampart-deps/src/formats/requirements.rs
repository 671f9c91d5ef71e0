//! pip's requirements files (`requirements*.txt`), including the files they
//! pull in with `-r` and `-c`.
//!
//! A requirements file is a manifest, not a lock: only a single `==`/`===`
//! pin names a version. Every other specifier is kept as text in
//! [`ComponentVersion::Unresolved`], so that nothing downstream matches a
//! guessed version against advisories.

use std::collections::BTreeSet;

use rampart_core::{
    Component, ComponentVersion, Ecosystem, Location, PackageSource, normalize_package_name,
};

use crate::{ExtractError, ExtractInput};

/// Includes nested deeper than this are an error: real projects use two or
/// three levels, and the bound keeps a hostile chain from exhausting memory.
const MAX_INCLUDE_DEPTH: usize = 16;

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let root_name = input
        .path
        .rsplit('/')
        .next()
        .unwrap_or(input.path)
        .to_string();
    let mut walker = IncludeWalker {
        input,
        visited: BTreeSet::from([normalize_relative(&root_name)]),
        components: Vec::new(),
    };
    walker.read_file(input.path, input.text, &root_name, 0)?;
    Ok(walker.components)
}

struct IncludeWalker<'i, 'a> {
    input: &'i ExtractInput<'a>,
    /// Files already read, named relative to the top-level file's directory,
    /// so that a cycle back to any file (including the first) ends.
    visited: BTreeSet<String>,
    components: Vec<Component>,
}

impl IncludeWalker<'_, '_> {
    /// Reads one file. `path` is the path reported in locations; `relative`
    /// names it relative to the top-level file's directory.
    fn read_file(
        &mut self,
        path: &str,
        text: &str,
        relative: &str,
        depth: usize,
    ) -> Result<(), ExtractError> {
        let dev = file_name_says_dev(relative);
        for (line_number, line) in logical_lines(text) {
            let line = strip_comment(&line);
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match classify(line) {
                Line::Include(name) => {
                    self.include(path, line_number, relative, name, depth)?;
                }
                Line::Ignored => {}
                Line::Requirement(req) => {
                    let requirement = parse_requirement(req).map_err(|message| {
                        ExtractError::malformed(path, Some(line_number), message)
                    })?;
                    let Some(requirement) = requirement else {
                        continue;
                    };
                    let mut component = Component::new(
                        Ecosystem::PyPI,
                        normalize_package_name(&Ecosystem::PyPI, requirement.name),
                        requirement.version,
                        Location::new(path, Some(line_number)),
                    );
                    component.source = requirement.source;
                    if dev {
                        component.add_group("dev");
                    }
                    self.components.push(component);
                }
            }
        }
        Ok(())
    }

    fn include(
        &mut self,
        path: &str,
        line_number: u32,
        relative: &str,
        name: &str,
        depth: usize,
    ) -> Result<(), ExtractError> {
        if name.is_empty() {
            return Err(ExtractError::malformed(
                path,
                Some(line_number),
                "include option without a file name",
            ));
        }
        if depth + 1 > MAX_INCLUDE_DEPTH {
            return Err(ExtractError::malformed(
                path,
                Some(line_number),
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} levels at {name:?}"),
            ));
        }
        let target = normalize_relative(&join_relative(relative, name));
        if !self.visited.insert(target.clone()) {
            // Already read: a cycle, or a file included twice.
            return Ok(());
        }
        let Some((include_path, include_text)) = (self.input.read_include)(&target) else {
            return Err(ExtractError::malformed(
                path,
                Some(line_number),
                format!(
                    "cannot read included requirements file {name:?} (missing, not a regular file, \
                     or outside the scanned directory)"
                ),
            ));
        };
        self.read_file(&include_path, &include_text, &target, depth + 1)
    }
}

/// Joins physical lines ending in `\` into logical lines, each with the
/// 1-based number of its first physical line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (start, mut buffer) = current.take().unwrap_or((number, String::new()));
        // A comment line ends a continuation in pip's reader as well.
        if let Some(stripped) = raw.strip_suffix('\\') {
            buffer.push_str(stripped);
            buffer.push(' ');
            current = Some((start, buffer));
        } else {
            buffer.push_str(raw);
            out.push((start, buffer));
        }
    }
    if let Some(pending) = current {
        out.push(pending);
    }
    out
}

/// Drops a `#` comment: one at the start of the line or after whitespace
/// (a `#` inside a URL, as in `#egg=`, is not a comment).
fn strip_comment(line: &str) -> &str {
    let mut previous_is_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && previous_is_space {
            return &line[..i];
        }
        previous_is_space = c.is_whitespace();
    }
    line
}

enum Line<'a> {
    /// `-r file` or `-c file`.
    Include(&'a str),
    /// An option or a requirement that is not a named package from the index
    /// (editable install, URL, local path, wheel file).
    Ignored,
    Requirement(&'a str),
}

fn classify(line: &str) -> Line<'_> {
    if let Some(option) = line.strip_prefix('-') {
        for prefix in ["-requirement", "-constraint", "r", "c"] {
            if let Some(rest) = option.strip_prefix(prefix) {
                let long = prefix.starts_with('-');
                let rest = if long {
                    match rest.strip_prefix('=') {
                        Some(value) => value,
                        None if rest.starts_with(char::is_whitespace) => rest,
                        // `--requirements-foo` or similar: not this option.
                        None => continue,
                    }
                } else {
                    rest
                };
                return Line::Include(rest.trim());
            }
        }
        return Line::Ignored;
    }
    if is_path_or_url(line) {
        return Line::Ignored;
    }
    Line::Requirement(line)
}

fn is_path_or_url(line: &str) -> bool {
    if is_direct_reference(line) {
        return false;
    }
    let first = line.split_whitespace().next().unwrap_or("");
    first.contains("://")
        || first.starts_with("git+")
        || first.starts_with('.')
        || first.starts_with('/')
        || first.starts_with('~')
        || first.contains('\\')
        || (first.contains('/') && !first.contains('@'))
        || [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"]
            .iter()
            .any(|ext| first.ends_with(ext))
}

/// `name @ url` or `name[extra]@url`: a named package, even though a URL
/// follows.
fn is_direct_reference(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    if name_end == 0 {
        return false;
    }
    let mut rest = line[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after
            .find(']')
            .map_or("", |close| after[close + 1..].trim_start());
    }
    rest.starts_with('@')
}

struct Requirement<'a> {
    name: &'a str,
    version: ComponentVersion,
    source: PackageSource,
}

/// Parses `name[extras] specifier ; marker --option...`. `Ok(None)` for a
/// line that names no package of the index.
fn parse_requirement(line: &str) -> Result<Option<Requirement<'_>>, String> {
    // Per-requirement options (`--hash=...`, `--config-settings`) follow the
    // requirement after whitespace.
    let line = match line.find(" -").or_else(|| line.find("\t-")) {
        Some(at) => &line[..at],
        None => line,
    };
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!("not a requirement: {line:?}"));
    }
    let mut rest = line[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return Err(format!("unclosed extras in {line:?}"));
        };
        rest = after[close + 1..].trim_start();
    }
    if let Some(url) = rest.strip_prefix('@') {
        // PEP 508 direct reference: `name @ https://...`.
        let url = url.split(';').next().unwrap_or("").trim();
        if url.is_empty() {
            return Err(format!("direct reference without a URL in {line:?}"));
        }
        return Ok(Some(Requirement {
            name,
            version: ComponentVersion::Unresolved {
                requirement: format!("@ {url}"),
            },
            source: direct_reference_source(url),
        }));
    }
    let specifier = rest.split(';').next().unwrap_or("");
    let specifier = specifier
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')');
    let specifier: String = specifier.chars().filter(|c| !c.is_whitespace()).collect();
    if !specifier.is_empty() && !specifier.starts_with(['=', '<', '>', '!', '~']) {
        return Err(format!(
            "invalid version specifier {specifier:?} for {name}"
        ));
    }
    Ok(Some(Requirement {
        name,
        version: pinned_version(&specifier),
        source: PackageSource::Registry,
    }))
}

/// `==1.2.3` and `===1.2.3` pin one version; everything else is a range.
fn pinned_version(specifier: &str) -> ComponentVersion {
    let exact = specifier
        .strip_prefix("===")
        .or_else(|| specifier.strip_prefix("=="))
        .filter(|v| !v.is_empty() && !v.contains([',', '*', '=', '<', '>', '!', '~']));
    match exact {
        Some(version) => ComponentVersion::Exact(version.to_string()),
        None => ComponentVersion::Unresolved {
            requirement: specifier.to_string(),
        },
    }
}

fn direct_reference_source(url: &str) -> PackageSource {
    match url.strip_prefix("git+") {
        Some(git) => {
            let git = git.split('#').next().unwrap_or(git);
            // `git+https://host/repo.git@<ref>`: the ref follows the last `@`
            // after the host.
            let path_start = git.find("://").map_or(0, |i| i + 3);
            match git[path_start..].rfind('@') {
                Some(at) if git[path_start..][..at].contains('/') => PackageSource::Git {
                    url: git[..path_start + at].to_string(),
                    commit: Some(git[path_start + at + 1..].to_string()).filter(|c| !c.is_empty()),
                },
                _ => PackageSource::Git {
                    url: git.to_string(),
                    commit: None,
                },
            }
        }
        None if url.starts_with("file:") => PackageSource::Path(url.to_string()),
        None => PackageSource::Url(url.to_string()),
    }
}

/// `requirements-dev.txt`, `test-requirements.txt`, `requirements/tests.txt`.
fn file_name_says_dev(relative: &str) -> bool {
    let file = relative.rsplit('/').next().unwrap_or(relative);
    let stem = file
        .strip_suffix(".txt")
        .unwrap_or(file)
        .to_ascii_lowercase();
    stem.split(['-', '_', '.']).any(|word| {
        matches!(
            word,
            "dev" | "develop" | "development" | "test" | "tests" | "testing"
        )
    })
}

/// Resolves `name` against the directory of `from` (both relative to the
/// top-level file's directory).
fn join_relative(from: &str, name: &str) -> String {
    if name.starts_with('/') {
        return name.to_string();
    }
    match from.rfind('/') {
        Some(slash) => format!("{}/{name}", &from[..slash]),
        None => name.to_string(),
    }
}

/// Removes `.` segments and folds `dir/..` so that two spellings of one file
/// are recognised as the same include.
fn normalize_relative(path: &str) -> String {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::{check_malformed, render};
    use super::*;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        super::super::testing::check(LockfileKind::Requirements, text, expected);
    }

    /// Extracts `main` with the given other files available to `-r`/`-c`.
    fn check_with_files(main_name: &str, files: &[(&str, &str)], expected: &[&str]) {
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let main_text = files.get(main_name).cloned().unwrap_or_default();
        let read = |name: &str| files.get(name).map(|t| (format!("root/{name}"), t.clone()));
        let path = format!("root/{main_name}");
        let input = ExtractInput {
            path: &path,
            text: &main_text,
            read_include: &read,
        };
        let got = crate::extract(LockfileKind::Requirements, &input).unwrap();
        let mut got: Vec<String> = got
            .iter()
            .map(|c| format!("{} {}", c.location.path, render(c)))
            .collect();
        got.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn pins_and_ranges() {
        check(
            "requests==2.31.0\n\
             Django >= 3.2, < 4\n\
             flask\n\
             six===1.16.0\n\
             numpy ~= 1.26\n\
             attrs != 21.1\n\
             idna==3.*\n\
             click (==8.1.7)\n",
            &[
                "requests 2.31.0 :1",
                "django ?>=3.2,<4 :2",
                "flask ? :3",
                "six 1.16.0 :4",
                "numpy ?~=1.26 :5",
                "attrs ?!=21.1 :6",
                "idna ?==3.* :7",
                "click 8.1.7 :8",
            ],
        );
    }

    #[test]
    fn names_extras_markers_and_hashes() {
        check(
            "Zope.Interface==5.4.0\n\
             Twisted[http2, tls]==20.3.0 ; python_version >= \"3.8\"\n\
             backports.zoneinfo==0.2.1; python_version < \"3.9\"\n\
             certifi==2024.2.2 \\\n    --hash=sha256:0569 \\\n    --hash=sha256:dc38\n\
             typing_extensions==4.9.0 --hash=sha256:abc\n\
             urllib3 >= 2 ; sys_platform == 'win32'\n",
            &[
                "zope-interface 5.4.0 :1",
                "twisted 20.3.0 :2",
                "backports-zoneinfo 0.2.1 :3",
                "certifi 2024.2.2 :4",
                "typing-extensions 4.9.0 :7",
                "urllib3 ?>=2 :8",
            ],
        );
    }

    #[test]
    fn comments_options_urls_and_paths_are_not_components() {
        check(
            "# a comment\n\
             \n\
             --index-url https://pypi.example.com/simple\n\
             --extra-index-url=https://x.example/simple\n\
             -i https://pypi.org/simple\n\
             --trusted-host pypi.example.com\n\
             --find-links ./wheels\n\
             --require-hashes\n\
             --pre\n\
             -e git+https://github.com/org/proj.git#egg=proj\n\
             --editable ./local\n\
             ./downloads/numpy-1.9.2-cp34-none-win32.whl\n\
             https://example.com/pkg-1.0.tar.gz\n\
             git+https://github.com/org/other.git@v1#egg=other\n\
             /abs/path/to/project\n\
             lib/vendored\n\
             wheel-0.1-py3-none-any.whl\n\
             pytz==2024.1  # trailing comment\n\
             \t  # indented comment\n",
            &["pytz 2024.1 :18"],
        );
    }

    #[test]
    fn direct_references_keep_their_source() {
        check(
            "proj @ git+https://github.com/org/proj.git@4f2a9c1\n\
             other @ https://files.example.com/other-1.0.tar.gz ; python_version > \"3\"\n\
             local @ file:///src/local\n\
             tight@https://example.com/tight.zip\n",
            &[
                "proj ?@ git+https://github.com/org/proj.git@4f2a9c1 git:https://github.com/org/proj.git#4f2a9c1 :1",
                "other ?@ https://files.example.com/other-1.0.tar.gz url:https://files.example.com/other-1.0.tar.gz :2",
                "local ?@ file:///src/local path:file:///src/local :3",
                "tight ?@ https://example.com/tight.zip url:https://example.com/tight.zip :4",
            ],
        );
    }

    #[test]
    fn continuation_lines_report_the_first_line() {
        check(
            "# x\nrequests\\\n==2.0.0\nidna==3.6\\\n",
            &["requests 2.0.0 :2", "idna 3.6 :4"],
        );
    }

    #[test]
    fn dev_and_test_files_are_dev() {
        for (name, dev) in [
            ("requirements-dev.txt", true),
            ("dev-requirements.txt", true),
            ("test-requirements.txt", true),
            ("requirements_tests.txt", true),
            ("requirements/testing.txt", true),
            ("requirements.txt", false),
            ("requirements-prod.txt", false),
            ("requirements-devops.txt", false),
        ] {
            assert_eq!(file_name_says_dev(name), dev, "{name}");
        }
        let input = ExtractInput::standalone("a/requirements-dev.txt", "pytest==8.0.0\n");
        let got = crate::extract(LockfileKind::Requirements, &input).unwrap();
        assert_eq!(
            got.iter().map(render).collect::<Vec<_>>(),
            ["pytest 8.0.0 [dev] :1"]
        );
    }

    #[test]
    fn includes_carry_their_own_path_and_lines() {
        check_with_files(
            "requirements.txt",
            &[
                (
                    "requirements.txt",
                    "flask==3.0.0\n-r base.txt\n--constraint=sub/constraints.txt\n",
                ),
                ("base.txt", "# base\n\nclick==8.1.7\n"),
                ("sub/constraints.txt", "jinja2==3.1.3\n-r ./more-dev.txt\n"),
                ("sub/more-dev.txt", "pytest>=8\n"),
            ],
            &[
                "root/requirements.txt flask 3.0.0 :1",
                "root/base.txt click 8.1.7 :3",
                "root/sub/constraints.txt jinja2 3.1.3 :1",
                "root/sub/more-dev.txt pytest ?>=8 [dev] :1",
            ],
        );
    }

    #[test]
    fn the_sample_files() {
        let files: [(&str, &str); 4] = [
            (
                "requirements-dev.txt",
                include_str!("../../tests/data/pip/requirements-dev.txt"),
            ),
            (
                "requirements.txt",
                include_str!("../../tests/data/pip/requirements.txt"),
            ),
            (
                "requirements-base.txt",
                include_str!("../../tests/data/pip/requirements-base.txt"),
            ),
            (
                "constraints-requirements.txt",
                include_str!("../../tests/data/pip/constraints-requirements.txt"),
            ),
        ];
        check_with_files(
            "requirements-dev.txt",
            &files,
            &[
                "root/requirements-dev.txt pytest 8.1.1 [dev] :2",
                "root/requirements-dev.txt coverage ?~=7.4 [dev] :3",
                "root/requirements.txt django 4.2.11 :6",
                "root/requirements.txt gunicorn ?>=21.2,<22 :9",
                "root/requirements.txt psycopg 3.1.18 :10",
                "root/requirements-base.txt certifi 2024.2.2 :2",
                "root/requirements-base.txt urllib3 2.2.1 :3",
                "root/requirements-base.txt requests 2.31.0 :4",
                "root/constraints-requirements.txt idna 3.6 :1",
            ],
        );
    }

    #[test]
    fn include_cycles_end() {
        check_with_files(
            "requirements.txt",
            &[
                ("requirements.txt", "a==1\n-r other.txt\n"),
                (
                    "other.txt",
                    "b==2\n-rrequirements.txt\n-r ./other.txt\n-r dir/../other.txt\n",
                ),
            ],
            &["root/requirements.txt a 1 :1", "root/other.txt b 2 :1"],
        );
    }

    #[test]
    fn include_depth_is_bounded() {
        let read = |name: &str| {
            // Every file includes a new one: an endless chain.
            let n: usize = name
                .trim_start_matches('f')
                .trim_end_matches(".txt")
                .parse()
                .ok()?;
            Some((name.to_string(), format!("-r f{}.txt\n", n + 1)))
        };
        let input = ExtractInput {
            path: "requirements.txt",
            text: "-r f0.txt\n",
            read_include: &read,
        };
        let err = crate::extract(LockfileKind::Requirements, &input).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    #[test]
    fn unreadable_include_names_the_line() {
        check_malformed(
            LockfileKind::Requirements,
            "a==1\n\n--requirement missing.txt\n",
            Some(3),
        );
        check_malformed(LockfileKind::Requirements, "-r\n", Some(1));
    }

    #[test]
    fn malformed_lines() {
        check_malformed(LockfileKind::Requirements, "ok==1\n==1.0\n", Some(2));
        check_malformed(LockfileKind::Requirements, "pkg[extra==1\n", Some(1));
        check_malformed(LockfileKind::Requirements, "a\nb\npkg 1.0\n", Some(3));
        check_malformed(LockfileKind::Requirements, "pkg @\n", Some(1));
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "\\",
            "é==1",
            "a[",
            "[",
            "-",
            "--",
            "a@",
            "#",
            "a==\u{0}",
            "x ; \\\n\\\n",
        ] {
            let _ = crate::extract(
                LockfileKind::Requirements,
                &ExtractInput::standalone("r.txt", text),
            );
        }
    }
}
