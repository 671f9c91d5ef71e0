//! NuGet's `packages.lock.json` (lock format versions 1 and 2): for each
//! target framework, every package with its `type` (`Direct`, `Transitive`,
//! `CentralTransitive`, `Project`) and `resolved` version.
//!
//! `Project` entries are other projects of the same solution, not packages.
//! A package resolved at the same version for several frameworks is reported
//! once, at its first declaration. Names keep the lock's spelling (NuGet ids
//! are case-insensitive, and the lock writes the package's own casing).

use rampart_core::{Component, ComponentVersion, Ecosystem, Location};
use serde_json::Value;

use crate::{ExtractError, ExtractInput, LineIndex};

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let root: Value =
        serde_json::from_str(input.text).map_err(|e| ExtractError::json(input.path, &e))?;
    let index = LineIndex::new(input.text);
    let malformed = |needle: &str, message: &str| {
        ExtractError::malformed(input.path, index.find_line(needle).or(Some(1)), message)
    };
    let Some(root) = root.as_object() else {
        return Err(malformed("", "packages.lock.json is not a JSON object"));
    };
    match root.get("version").and_then(Value::as_u64) {
        Some(1 | 2) => {}
        Some(other) => {
            return Err(ExtractError::Unsupported {
                path: input.path.to_string(),
                format: "packages.lock.json",
                message: format!("lock file version {other}"),
            });
        }
        None => return Err(malformed("\"version\"", "missing or non-numeric `version`")),
    }
    let Some(frameworks) = root.get("dependencies") else {
        return Ok(Vec::new());
    };
    let Some(frameworks) = frameworks.as_object() else {
        return Err(malformed(
            "\"dependencies\"",
            "`dependencies` is not an object",
        ));
    };

    let mut components: Vec<Component> = Vec::new();
    let mut cursor = index.find_from("\"dependencies\"", 0).unwrap_or(0);
    for (framework, packages) in frameworks {
        cursor = index
            .find_from(&format!("\"{framework}\""), cursor)
            .unwrap_or(cursor);
        let Some(packages) = packages.as_object() else {
            return Err(ExtractError::malformed(
                input.path,
                Some(index.line_of(cursor)),
                format!("framework {framework:?} is not an object"),
            ));
        };
        for (name, entry) in packages {
            let at = find_object_key(&index, name, cursor).unwrap_or(cursor);
            cursor = at;
            let line = index.line_of(at);
            let Some(entry) = entry.as_object() else {
                return Err(ExtractError::malformed(
                    input.path,
                    Some(line),
                    format!("package {name:?} is not an object"),
                ));
            };
            let text = |key: &str| entry.get(key).and_then(Value::as_str);
            if text("type").is_some_and(|t| t.eq_ignore_ascii_case("project")) {
                continue;
            }
            let version = match text("resolved").filter(|v| !v.is_empty()) {
                Some(v) => ComponentVersion::Exact(v.to_string()),
                None => ComponentVersion::Unresolved {
                    requirement: text("requested").unwrap_or("").to_string(),
                },
            };
            let seen = components
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(name) && c.version == version);
            if !seen {
                components.push(Component::new(
                    Ecosystem::NuGet,
                    name.clone(),
                    version,
                    Location::new(input.path, Some(line)),
                ));
            }
        }
    }
    Ok(components)
}

/// Where `"key": {` starts at or after `from`: an object member, not a
/// `"key": "1.0"` entry of some package's `dependencies`.
pub(super) fn find_object_key(index: &LineIndex<'_>, key: &str, from: usize) -> Option<usize> {
    index
        .find_from(&format!("\"{key}\": {{"), from)
        .or_else(|| index.find_from(&format!("\"{key}\":{{"), from))
        .or_else(|| index.find_from(&format!("\"{key}\""), from))
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::NugetPackagesLock, text, expected);
    }

    #[test]
    fn frameworks_are_deduplicated_and_projects_skipped() {
        check(
            r#"{
  "version": 1,
  "dependencies": {
    "net6.0": {
      "Newtonsoft.Json": {
        "type": "Direct",
        "requested": "[13.0.3, )",
        "resolved": "13.0.3",
        "contentHash": "HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ=="
      },
      "System.Text.Json": {
        "type": "Transitive",
        "resolved": "6.0.0",
        "contentHash": "zaJsHfESQvJ11vbXnNlkrR46IaMULk/gHxYsJphzSF+07kTjPHv+Oc14w6QEOfo3Q4hqLJgStUaYB9DBl0TmWg=="
      },
      "MyCompany.Shared": {
        "type": "Project",
        "dependencies": {"Newtonsoft.Json": "[13.0.3, )"}
      }
    },
    "net8.0": {
      "newtonsoft.json": {
        "type": "Direct",
        "requested": "[13.0.3, )",
        "resolved": "13.0.3"
      },
      "System.Text.Json": {
        "type": "Transitive",
        "resolved": "8.0.0"
      }
    }
  }
}"#,
            &[
                "Newtonsoft.Json 13.0.3 :5",
                "System.Text.Json 6.0.0 :11",
                "System.Text.Json 8.0.0 :27",
            ],
        );
    }

    #[test]
    fn the_v2_sample_file() {
        check(
            include_str!("../../tests/data/nuget/v2/packages.lock.json"),
            &[
                "Microsoft.Extensions.Logging.Abstractions 8.0.1 :5",
                "Serilog 3.1.1 :14",
                "Serilog.Sinks.Console 5.0.1 :20",
                "Microsoft.Extensions.DependencyInjection.Abstractions 8.0.0 :29",
                "System.Text.Encodings.Web 8.0.0 :34",
                "Microsoft.Extensions.Logging.Abstractions 6.0.4 :60",
            ],
        );
    }

    #[test]
    fn versions_and_errors() {
        check(r#"{"version": 2, "dependencies": {}}"#, &[]);
        check(r#"{"version": 1}"#, &[]);
        check(
            "{\"version\": 1, \"dependencies\": {\"net8.0\": {\n\"A\": {\"type\": \"Direct\", \"requested\": \"[1.0, )\"}}}}",
            &["A ?[1.0, ) :2"],
        );
        let m = |text: &str, line| {
            testing::check_malformed(LockfileKind::NugetPackagesLock, text, line)
        };
        m("{\n\"version\": 1,\n\"dependencies\": []\n}", Some(3));
        m(
            "{\"version\": 1, \"dependencies\": {\n\"net8.0\": {\n\"A\": 7}}}",
            Some(3),
        );
        m(
            "{\"version\": 1, \"dependencies\": {\n\"net8.0\": {\n\"A\": {}},\n}}",
            Some(4),
        );
        m("{\"dependencies\": {}}", Some(1));
        let input = crate::ExtractInput::standalone("packages.lock.json", "{\"version\": 3}");
        assert!(matches!(
            crate::extract(LockfileKind::NugetPackagesLock, &input),
            Err(crate::ExtractError::Unsupported { .. })
        ));
    }
}
