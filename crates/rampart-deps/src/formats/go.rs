//! `go.mod` and `go.sum`.
//!
//! Versions are reported without their leading `v` (`v1.2.3` → `1.2.3`),
//! the spelling OSV's Go database uses in its ranges.
//!
//! `go.mod`: every `require`d module, with `replace` directives applied (a
//! replacement that names a version applies to that version only). A module
//! replaced by a local directory is not the published module any more; it
//! is reported unresolved with a [`PackageSource::Path`]. The `toolchain`
//! directive, or failing that the `go` directive, is reported as the
//! standard library (`stdlib`, as OSV names it): the Go release compiled in
//! is the most common source of Go advisories, and those directives are the
//! best statement of it a source tree makes.
//!
//! `go.sum`: every module with a hash of its zip (`h1:` line without the
//! `/go.mod` suffix) once. A `/go.mod` hash alone means the module graph was
//! consulted, not that the module was built.

use std::collections::{HashMap, HashSet};

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};

use crate::{ExtractError, ExtractInput};

/// A `require` line.
struct Requirement {
    path: String,
    version: String,
    line: u32,
}

/// A `replace` line: `old [version] => new [version]`.
struct Replacement {
    old_version: Option<String>,
    new_path: String,
    new_version: Option<String>,
    line: u32,
}

pub(crate) fn extract_go_mod(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let mut requirements = Vec::new();
    let mut replacements: HashMap<String, Vec<Replacement>> = HashMap::new();
    let mut go_version = None;
    let mut toolchain = None;
    let mut block: Option<(String, u32)> = None;

    for (number, raw) in input.text.lines().enumerate() {
        let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let malformed = |message: String| ExtractError::malformed(input.path, Some(line), message);
        let code = strip_comment(raw).trim();
        if code.is_empty() {
            continue;
        }
        let (verb, args) = match &block {
            Some(_) if code == ")" => {
                block = None;
                continue;
            }
            Some((verb, _)) => (verb.clone(), code),
            None => {
                let (verb, args) = code.split_once([' ', '\t']).unwrap_or((code, ""));
                let args = args.trim();
                if args == "(" {
                    block = Some((verb.to_string(), line));
                    continue;
                }
                (verb.to_string(), args)
            }
        };
        let tokens = tokens(args).map_err(&malformed)?;
        match verb.as_str() {
            "require" => match tokens.as_slice() {
                [path, version] => requirements.push(Requirement {
                    path: path.clone(),
                    version: version.clone(),
                    line,
                }),
                _ => {
                    return Err(malformed(format!(
                        "expected `module version`, found {args:?}"
                    )));
                }
            },
            "replace" => {
                let (old, new) = match tokens.iter().position(|t| t == "=>") {
                    Some(arrow) => (&tokens[..arrow], &tokens[arrow + 1..]),
                    None => return Err(malformed(format!("replace without `=>`: {args:?}"))),
                };
                let (old_path, old_version) = match old {
                    [path] => (path, None),
                    [path, version] => (path, Some(version.clone())),
                    _ => return Err(malformed(format!("bad replace source: {args:?}"))),
                };
                let (new_path, new_version) = match new {
                    [path] => (path.clone(), None),
                    [path, version] => (path.clone(), Some(version.clone())),
                    _ => return Err(malformed(format!("bad replace target: {args:?}"))),
                };
                replacements
                    .entry(old_path.clone())
                    .or_default()
                    .push(Replacement {
                        old_version,
                        new_path,
                        new_version,
                        line,
                    });
            }
            "go" => go_version = tokens.first().map(|v| (v.clone(), line)),
            "toolchain" => toolchain = tokens.first().map(|v| (v.clone(), line)),
            // module, exclude, retract, godebug, tool, ignore: nothing to report.
            _ => {}
        }
    }
    if let Some((verb, line)) = block {
        return Err(ExtractError::malformed(
            input.path,
            Some(line),
            format!("`{verb} (` block is never closed"),
        ));
    }

    let mut out = Vec::new();
    for requirement in requirements {
        let candidates = replacements.get(&requirement.path);
        // A replacement for this exact version beats one for every version.
        let replacement = candidates.and_then(|list| {
            list.iter()
                .rev()
                .find(|r| r.old_version.as_deref() == Some(requirement.version.as_str()))
                .or_else(|| list.iter().rev().find(|r| r.old_version.is_none()))
        });
        let component = match replacement {
            None => module(
                input.path,
                &requirement.path,
                &requirement.version,
                requirement.line,
            ),
            Some(r) => match &r.new_version {
                Some(version) => module(input.path, &r.new_path, version, r.line),
                None => {
                    let mut c = Component::new(
                        Ecosystem::Go,
                        &requirement.path,
                        ComponentVersion::Unresolved {
                            requirement: r.new_path.clone(),
                        },
                        Location::new(input.path, Some(r.line)),
                    );
                    c.source = PackageSource::Path(r.new_path.clone());
                    c
                }
            },
        };
        out.push(component);
    }
    if let Some((version, line)) = toolchain.or(go_version)
        && let Some(version) = go_release(&version)
    {
        out.push(Component::new(
            Ecosystem::Go,
            "stdlib",
            ComponentVersion::Exact(version),
            Location::new(input.path, Some(line)),
        ));
    }
    Ok(out)
}

pub(crate) fn extract_go_sum(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (number, raw) in input.text.lines().enumerate() {
        let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let fields: Vec<&str> = raw.split_whitespace().collect();
        let (path, version) = match fields.as_slice() {
            [] => continue,
            [path, version, hash] if hash.contains(':') => (*path, *version),
            _ => {
                return Err(ExtractError::malformed(
                    input.path,
                    Some(line),
                    format!("expected `module version hash`, found {raw:?}"),
                ));
            }
        };
        if version.ends_with("/go.mod") || !seen.insert((path, version)) {
            continue;
        }
        out.push(module(input.path, path, version, line));
    }
    Ok(out)
}

fn module(file: &str, path: &str, version: &str, line: u32) -> Component {
    let version = version.strip_prefix('v').unwrap_or(version);
    Component::new(
        Ecosystem::Go,
        path,
        ComponentVersion::Exact(version.to_string()),
        Location::new(file, Some(line)),
    )
}

/// A line without its `//` comment; `//` inside a quoted path is kept.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'`' => quote = Some(b),
            None if b == b'/' && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            None => {}
        }
    }
    line
}

/// Splits directive arguments into tokens; module paths may be quoted with
/// `"…"` or `` `…` ``.
fn tokens(args: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '`');
        let token;
        (token, rest) = match quote {
            Some(q) => {
                let Some(end) = rest[1..].find(q) else {
                    return Err(format!("unterminated quoted string in {args:?}"));
                };
                (rest[1..end + 1].replace("\\\"", "\""), &rest[end + 2..])
            }
            None => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (rest[..end].to_string(), &rest[end..])
            }
        };
        out.push(token);
        rest = rest.trim_start();
    }
    Ok(out)
}

/// A Go release as OSV's `stdlib` entries spell it: `1.21` → `1.21.0`,
/// `go1.22.3` → `1.22.3`, `1.21rc2` → `1.21.0-rc.2`.
fn go_release(version: &str) -> Option<String> {
    let version = version.strip_prefix("go").unwrap_or(version);
    let split = version
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(version.len());
    let (numbers, pre) = version.split_at(split);
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.parse::<u32>().is_err())
        || parts.len() > 3
    {
        return None;
    }
    let major = parts.first()?;
    let minor = parts.get(1).unwrap_or(&"0");
    let patch = parts.get(2).unwrap_or(&"0");
    let mut out = format!("{major}.{minor}.{patch}");
    if !pre.is_empty() {
        let (kind, n) = pre.split_at(pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len()));
        if !matches!(kind, "rc" | "beta" | "alpha") {
            return None;
        }
        out.push('-');
        out.push_str(kind);
        if !n.is_empty() {
            out.push('.');
            out.push_str(n);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, version, line)`; an unresolved version is `~requirement`.
    fn rows(components: Vec<Component>) -> Vec<(String, String, u32)> {
        let mut rows: Vec<_> = components
            .into_iter()
            .map(|c| {
                assert_eq!(c.ecosystem, Ecosystem::Go);
                let version = match c.version {
                    ComponentVersion::Exact(v) => v,
                    ComponentVersion::Unresolved { requirement } => format!("~{requirement}"),
                };
                (c.name, version, c.location.line.unwrap_or(0))
            })
            .collect();
        rows.sort();
        rows
    }

    fn want(expected: &[(&str, &str, u32)]) -> Vec<(String, String, u32)> {
        let mut want: Vec<_> = expected
            .iter()
            .map(|(n, v, l)| (n.to_string(), v.to_string(), *l))
            .collect();
        want.sort();
        want
    }

    fn check_mod(text: &str, expected: &[(&str, &str, u32)]) {
        let input = ExtractInput::standalone("go.mod", text);
        assert_eq!(
            rows(extract_go_mod(&input).unwrap_or_else(|e| panic!("{e}"))),
            want(expected)
        );
    }

    fn check_sum(text: &str, expected: &[(&str, &str, u32)]) {
        let input = ExtractInput::standalone("go.sum", text);
        assert_eq!(
            rows(extract_go_sum(&input).unwrap_or_else(|e| panic!("{e}"))),
            want(expected)
        );
    }

    fn check_mod_error(text: &str, line: u32) {
        let input = ExtractInput::standalone("go.mod", text);
        match extract_go_mod(&input) {
            Err(ExtractError::Malformed { line: got, .. }) => assert_eq!(got, Some(line), "{text}"),
            other => panic!("expected a malformed error, got {other:?}"),
        }
    }

    #[test]
    fn require_blocks_and_single_lines() {
        check_mod(
            "module example.com/app\n\
             \n\
             go 1.21\n\
             \n\
             require github.com/pkg/errors v0.9.1\n\
             require (\n\
             \tgolang.org/x/net v0.17.0 // indirect\n\
             \t\"github.com/quoted/mod\" v1.0.0\n\
             \tgithub.com/x/y v2.0.0+incompatible\n\
             )\n",
            &[
                ("github.com/pkg/errors", "0.9.1", 5),
                ("golang.org/x/net", "0.17.0", 7),
                ("github.com/quoted/mod", "1.0.0", 8),
                ("github.com/x/y", "2.0.0+incompatible", 9),
                ("stdlib", "1.21.0", 3),
            ],
        );
    }

    #[test]
    fn replacements() {
        check_mod(
            "require (\n\
             \tgolang.org/x/net v1.2.3\n\
             \tgolang.org/x/net v0.5.6\n\
             \tgithub.com/a/b v1.0.0\n\
             \tgithub.com/c/d v1.0.0\n\
             \tgithub.com/e/f v1.0.0\n\
             )\n\
             replace golang.org/x/net v1.2.3 => example.com/fork/net v1.4.5\n\
             replace github.com/a/b => github.com/fork/b v1.1.0 // every version\n\
             replace (\n\
             \tgithub.com/c/d => ../d\n\
             \tgithub.com/e/f v9.9.9 => github.com/never/used v1.0.0\n\
             \tgithub.com/not/required => github.com/other v1.0.0\n\
             )\n",
            &[
                ("example.com/fork/net", "1.4.5", 8),
                ("golang.org/x/net", "0.5.6", 3),
                ("github.com/fork/b", "1.1.0", 9),
                ("github.com/c/d", "~../d", 11),
                ("github.com/e/f", "1.0.0", 6),
            ],
        );
    }

    #[test]
    fn local_replacement_is_a_path_source() {
        let input = ExtractInput::standalone(
            "go.mod",
            "require example.com/a v1.0.0\nreplace example.com/a => ./third_party/a\n",
        );
        let components = extract_go_mod(&input).unwrap();
        assert_eq!(
            components[0].source,
            PackageSource::Path("./third_party/a".into())
        );
    }

    #[test]
    fn toolchain_beats_go_directive() {
        check_mod("go 1.22\ntoolchain go1.22.4\n", &[("stdlib", "1.22.4", 2)]);
        check_mod("go 1.21rc2\n", &[("stdlib", "1.21.0-rc.2", 1)]);
        check_mod("go 1.20.1\n", &[("stdlib", "1.20.1", 1)]);
        check_mod("go banana\n", &[]);
        assert_eq!(go_release("go1.23beta1").as_deref(), Some("1.23.0-beta.1"));
        assert_eq!(go_release("1.2.3.4"), None);
        assert_eq!(go_release("1..2"), None);
    }

    #[test]
    fn sample_go_mod() {
        check_mod(
            include_str!("../../tests/data/go/service/go.mod"),
            &[
                ("stdlib", "1.22.5", 5),
                ("github.com/go-chi/chi/v5", "5.0.12", 8),
                ("github.com/jackc/pgx/v5", "5.5.5", 9),
                ("golang.org/x/crypto", "0.24.0", 10),
                ("github.com/jackc/pgpassfile", "1.0.0", 14),
                (
                    "github.com/jackc/pgservicefile",
                    "0.0.0-20221227161230-091c0ba34f0a",
                    15,
                ),
                ("github.com/jackc/puddle/v2", "2.2.1", 16),
                ("golang.org/x/sync", "0.7.0", 17),
                ("golang.org/x/text", "0.16.0", 18),
                ("example.com/internal/auth", "~../auth", 24),
            ],
        );
    }

    #[test]
    fn sample_go_sum() {
        check_sum(
            include_str!("../../tests/data/go/service/go.sum"),
            &[
                ("github.com/davecgh/go-spew", "1.1.1", 1),
                ("github.com/go-chi/chi/v5", "5.0.12", 3),
                ("github.com/jackc/pgpassfile", "1.0.0", 5),
                (
                    "github.com/jackc/pgservicefile",
                    "0.0.0-20221227161230-091c0ba34f0a",
                    7,
                ),
                ("github.com/jackc/pgx/v5", "5.5.5", 9),
                ("github.com/jackc/puddle/v2", "2.2.1", 11),
                ("golang.org/x/crypto", "0.24.0", 14),
                ("golang.org/x/sync", "0.7.0", 16),
                ("golang.org/x/text", "0.16.0", 18),
            ],
        );
    }

    #[test]
    fn go_sum_dedupes_and_ignores_go_mod_only_lines() {
        check_sum(
            "a.com/x v1.0.0 h1:abc=\n\
             a.com/x v1.0.0 h1:abc=\n\
             a.com/x v1.0.0/go.mod h1:def=\n\
             b.com/y v0.1.0/go.mod h1:ghi=\n\
             \n",
            &[("a.com/x", "1.0.0", 1)],
        );
    }

    #[test]
    fn malformed_input() {
        check_mod_error("require (\n\ta.com/x\n)\n", 2);
        check_mod_error("module m\nrequire (\n\ta.com/x v1.0.0\n", 2);
        check_mod_error("replace a.com/x v1 b.com/y v2\n", 1);
        check_mod_error("replace a.com/x => \n", 1);
        check_mod_error("require \"a.com/x v1.0.0\n", 1);
        let input = ExtractInput::standalone("go.sum", "a.com/x v1.0.0 h1:x=\nbroken line\n");
        match extract_go_sum(&input) {
            Err(ExtractError::Malformed { line, .. }) => assert_eq!(line, Some(2)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn comments_do_not_end_quoted_paths() {
        assert_eq!(strip_comment("\"a//b\" v1 // c"), "\"a//b\" v1 ");
        assert_eq!(
            tokens("\"a b\" v1").unwrap(),
            vec!["a b".to_string(), "v1".to_string()]
        );
    }
}
