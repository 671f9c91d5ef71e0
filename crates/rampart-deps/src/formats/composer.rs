//! `composer.lock`: `packages` and `packages-dev` (group `dev`).
//!
//! Names are lowercased (Packagist names are case-insensitive). Versions are
//! kept as written, `v` prefix included: Composer's own comparison ignores
//! it, and so must the matcher. A package's `source.reference` is the commit
//! it was locked at; Composer records it for registry packages too, since
//! Packagist packages are git tags, so a commit does not mean a fork here.

use rampart_core::{Component, ComponentVersion, Ecosystem, Location, PackageSource};
use serde_json::Value;

use crate::formats::npm::{DeclarationCursor, find_json_key};
use crate::{ExtractError, ExtractInput, LineIndex};

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
    // Walk the sections in file order so that the line search moves forward.
    for (section, packages) in root {
        let dev = match section.as_str() {
            "packages" => false,
            "packages-dev" => true,
            _ => continue,
        };
        let mut cursor =
            DeclarationCursor::new(find_json_key(&index, section, 0, None).unwrap_or(0));
        let section_line = Some(index.line_of(cursor.at));
        let packages = match packages {
            Value::Array(packages) => packages,
            Value::Null => continue,
            _ => {
                return Err(ExtractError::malformed(
                    input.path,
                    section_line,
                    format!("`{section}` is not an array"),
                ));
            }
        };
        for package in packages {
            let name = package.get("name").and_then(Value::as_str);
            let version = package.get("version").and_then(Value::as_str);
            let (Some(name), Some(version)) = (name, version) else {
                let line =
                    find_json_key(&index, "name", cursor.at, None).map(|at| index.line_of(at));
                return Err(ExtractError::malformed(
                    input.path,
                    line.or(section_line),
                    format!("a package in `{section}` lacks a string `name` or `version`"),
                ));
            };
            let line = cursor
                .find(|from| find_name(&index, name, from))
                .map(|at| index.line_of(at));
            let mut component = Component::new(
                Ecosystem::Packagist,
                name.to_ascii_lowercase(),
                ComponentVersion::Exact(version.to_string()),
                Location::new(input.path, line),
            );
            component.source = source_of(package);
            if dev {
                component.add_group("dev");
            }
            out.push(component);
        }
    }
    Ok(out)
}

/// The `"name": "<name>"` member that declares a package.
fn find_name(index: &LineIndex<'_>, name: &str, from: usize) -> Option<usize> {
    let quoted = serde_json::to_string(name).ok()?;
    let text = index.text();
    let mut at = from;
    loop {
        let found = find_json_key(index, "name", at, Some('"'))?;
        let value = text.get(found..)?.split_once(':')?.1.trim_start();
        if value.starts_with(&quoted) {
            return Some(found);
        }
        at = found + 1;
    }
}

fn source_of(package: &Value) -> PackageSource {
    let field = |section: &str, key: &str| {
        package
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match field("source", "type").as_deref() {
        Some("git") => PackageSource::Git {
            url: field("source", "url").unwrap_or_default(),
            commit: field("source", "reference").filter(|r| !r.is_empty()),
        },
        _ if field("dist", "type").as_deref() == Some("path") => {
            PackageSource::Path(field("dist", "url").unwrap_or_default())
        }
        _ => PackageSource::Registry,
    }
}

#[cfg(test)]
mod tests {

    use super::super::testing::{Row, check_malformed, check_rows};

    fn check(text: &str, expected: &[Row]) {
        check_rows(
            crate::LockfileKind::ComposerLock,
            "composer.lock",
            text,
            expected,
        );
    }

    fn check_error(text: &str, line: Option<u32>) {
        check_malformed(crate::LockfileKind::ComposerLock, text, line);
    }

    #[test]
    fn sample_laravel_lock() {
        check(
            include_str!("../../tests/data/composer/laravel-app/composer.lock"),
            &[
                (
                    "guzzlehttp/guzzle",
                    "7.8.1",
                    &[],
                    Some("41042bc7ab002487b876a0683fc8dce04ddce104"),
                    9,
                ),
                (
                    "monolog/monolog",
                    "3.6.0",
                    &[],
                    Some("4b18b21a5527a3d5ffdac2fd35d3ab25a9597654"),
                    28,
                ),
                ("acme/internal-tools", "1.0.0", &[], None, 45),
                ("symfony/console", "v7.1.1", &[], None, 55),
                (
                    "phpunit/phpunit",
                    "11.2.5",
                    &["dev"],
                    Some("be9e3ed32a1287a9bfda15936cc86fef4e4cf591"),
                    66,
                ),
            ],
        );
    }

    #[test]
    fn names_are_lowercased_and_sections_may_be_empty() {
        check(
            "{\"packages\": [{\"name\": \"Vendor/Pkg\", \"version\": \"1.0.0\"}], \"packages-dev\": null}",
            &[("vendor/pkg", "1.0.0", &[], None, 1)],
        );
        check("{\"packages\": [], \"packages-dev\": []}", &[]);
        check("{}", &[]);
    }

    #[test]
    fn dev_section_first_still_finds_lines() {
        check(
            "{\n\"packages-dev\": [\n{\"name\": \"a/b\", \"version\": \"1.0.0\"}\n],\n\
             \"packages\": [\n{\"name\": \"a/b\", \"version\": \"2.0.0\"}\n]\n}",
            &[
                ("a/b", "1.0.0", &["dev"], None, 3),
                ("a/b", "2.0.0", &[], None, 6),
            ],
        );
    }

    #[test]
    fn malformed() {
        check_error("{\"packages\": [", Some(1));
        check_error("{\n\"packages\": {}\n}", Some(2));
        check_error("{\n\"packages\": [\n{\"name\": \"a/b\"}\n]}", Some(3));
        check_error("\"string\"", Some(1));
    }
}
