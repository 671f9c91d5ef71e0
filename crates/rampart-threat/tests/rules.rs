//! The rule library: the built-in rules load, every rule has a test case
//! in `tests/rules/<rule-id>.yaml` that shows it firing on a positive model
//! and staying silent once the control is added, and broken rule files are
//! refused with an error naming the rule.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rampart_threat::analysis::Origin;
use rampart_threat::model::Stride;
use rampart_threat::rules::{
    AppliesTo, ENCRYPTED_PROTOCOLS, RuleError, RuleLibrary, all_attribute_paths,
};
use rampart_threat::{DiagSeverity, analyse, parse_model, validate};
use serde::Deserialize;

/// One case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    rule: String,
    target: String,
    positive: serde_norway::Value,
    negative: serde_norway::Value,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules")
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 28)
}

/// The ids of the threats `model` (a case's model) produces, or why the
/// model is not a usable test model.
fn threat_ids(file: &str, which: &str, model: &serde_norway::Value) -> Result<Vec<String>, String> {
    let text = serde_norway::to_string(model).map_err(|e| format!("{which}: {e}"))?;
    let parsed = parse_model(&format!("{file} ({which})"), &text)
        .map_err(|e| format!("{which} does not parse: {e}"))?;
    let errors: Vec<String> = validate(&parsed.model, &parsed.source_map)
        .into_iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .map(|d| format!("{} {}: {}", d.code, d.path, d.message))
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "{which} is not a valid model:\n    {}",
            errors.join("\n    ")
        ));
    }
    let analysis = analyse(
        &parsed.model,
        &parsed.source_map,
        RuleLibrary::builtin(),
        today(),
    );
    Ok(analysis.threats.into_iter().map(|t| t.id).collect())
}

#[test]
fn builtin_library_loads_and_every_rule_has_a_passing_case() {
    let library = RuleLibrary::builtin();
    let mut by_stride: BTreeMap<Stride, usize> = Stride::ALL.iter().map(|s| (*s, 0)).collect();
    for rule in library.rules() {
        *by_stride.entry(rule.stride).or_default() += 1;
    }
    println!("{} built-in rules:", library.rules().len());
    for (stride, count) in &by_stride {
        println!("  {:<24} {count}", stride.label());
    }

    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/rules exists")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();

    let mut failures: Vec<String> = Vec::new();
    let mut covered: BTreeMap<String, String> = BTreeMap::new();
    for path in &files {
        let file = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).expect("readable case file");
        let case: Case = match serde_norway::from_str(&text) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{file}: not a rule test case: {e}"));
                continue;
            }
        };
        if file != format!("{}.yaml", case.rule) {
            failures.push(format!(
                "{file}: tests rule {} (name the file after it)",
                case.rule
            ));
        }
        if library.get(&case.rule).is_none() {
            failures.push(format!("{file}: no built-in rule {}", case.rule));
            continue;
        }
        if let Some(first) = covered.insert(case.rule.clone(), file.clone()) {
            failures.push(format!(
                "{file}: rule {} is already tested by {first}",
                case.rule
            ));
        }
        let wanted = format!("{}@{}", case.rule, case.target);
        match threat_ids(&file, "positive", &case.positive) {
            Ok(ids) if ids.contains(&wanted) => {}
            Ok(ids) => failures.push(format!(
                "{file}: positive model does not produce {wanted}; it produces {ids:?}"
            )),
            Err(e) => failures.push(format!("{file}: {e}")),
        }
        let prefix = format!("{}@", case.rule);
        match threat_ids(&file, "negative", &case.negative) {
            Ok(ids) => {
                let fired: Vec<&String> = ids.iter().filter(|id| id.starts_with(&prefix)).collect();
                if !fired.is_empty() {
                    failures.push(format!("{file}: negative model still produces {fired:?}"));
                }
            }
            Err(e) => failures.push(format!("{file}: {e}")),
        }
    }
    for rule in library.rules() {
        if !covered.contains_key(&rule.id) {
            failures.push(format!(
                "rule {} ({}) has no test case tests/rules/{}.yaml",
                rule.id, rule.file, rule.id
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} rule test problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn builtin_rules_are_well_formed() {
    let library = RuleLibrary::builtin();
    for rule in library.rules() {
        assert!(
            (2..=4).contains(&rule.mitigations.len()),
            "{}: {} mitigations, want 2 to 4",
            rule.id,
            rule.mitigations.len()
        );
        assert!(
            rule.description.len() >= 80,
            "{}: description too short",
            rule.id
        );
        let file_stem = rule.file.trim_end_matches(".yaml");
        assert_eq!(file_stem, rule.stride.as_str(), "{}", rule.id);
        // Every rule reads only attributes of its subject.
        let prefix = if rule.applies_to == AppliesTo::Flow {
            "flow."
        } else {
            "element."
        };
        for path in rule.condition.attributes() {
            assert!(path.starts_with(prefix), "{}: {path}", rule.id);
        }
    }
}

/// The README is the reference for rule authors: every attribute a
/// condition may read is listed there.
#[test]
fn readme_lists_every_attribute() {
    let readme = include_str!("../rules/README.md");
    let missing: Vec<String> = all_attribute_paths()
        .into_iter()
        .filter(|path| !path.starts_with("flow.from.") && !path.starts_with("flow.to."))
        .filter(|path| !readme.contains(&format!("`{path}`")))
        .collect();
    assert!(missing.is_empty(), "README.md does not list {missing:?}");
    for protocol in ENCRYPTED_PROTOCOLS {
        assert!(
            readme.contains(&format!(" {protocol},"))
                || readme.contains(&format!(" {protocol}, or")),
            "README.md does not list encrypted protocol {protocol}"
        );
    }
}

const GOOD: &str = r#"
- id: a-rule
  title: A rule
  stride: spoofing
  applies_to: flow
  when: 'flow.crosses_boundary && flow.authentication == "none"'
  impact: max
  likelihood: high
  cwe: [306]
  capec: []
  description: Text.
  mitigations: [Do something.]
"#;

fn load(files: &[(&str, &str)]) -> Result<RuleLibrary, RuleError> {
    RuleLibrary::from_yaml_files(files)
}

#[test]
fn a_good_file_loads() {
    let library = load(&[("spoofing.yaml", GOOD)]).expect("loads");
    let rule = library.get("a-rule").expect("present");
    assert_eq!(rule.stride, Stride::Spoofing);
    assert_eq!(rule.applies_to, AppliesTo::Flow);
    assert_eq!(
        rule.condition.attributes(),
        ["flow.authentication", "flow.crosses_boundary"]
    );
    // A directory part in the name is ignored.
    assert!(load(&[("rules/spoofing.yaml", GOOD)]).is_ok());
    assert!(
        load(&[("spoofing.yaml", "[]")])
            .expect("empty")
            .rules()
            .is_empty()
    );
}

#[test]
fn unknown_attribute_is_refused_naming_the_rule() {
    let text = GOOD.replace("flow.authentication", "flow.authentification");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert!(matches!(err, RuleError::Condition { .. }), "{err:?}");
    assert_eq!(err.rule(), Some("a-rule"));
    let message = err.to_string();
    assert!(message.contains("spoofing.yaml: rule a-rule"), "{message}");
    assert!(message.contains("flow.authentification"), "{message}");
    assert!(message.contains("column 26"), "{message}");
}

#[test]
fn attribute_of_another_subject_is_refused() {
    let text = GOOD.replace("flow.crosses_boundary", "element.internet_facing");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert!(err.to_string().contains("element.internet_facing"), "{err}");
    // And a store-only attribute on a process rule.
    let text = GOOD
        .replace("applies_to: flow", "applies_to: process")
        .replace(
            "'flow.crosses_boundary && flow.authentication == \"none\"'",
            "'element.query_language == \"sql\"'",
        );
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert!(err.to_string().contains("element.query_language"), "{err}");
    // ... which `applies_to: element` may read.
    let text = text.replace("applies_to: process", "applies_to: element");
    assert!(load(&[("spoofing.yaml", &text)]).is_ok());
}

#[test]
fn enum_literal_outside_its_set_is_refused() {
    let text = GOOD.replace("== \"none\"", "== \"kerberos\"");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert_eq!(err.rule(), Some("a-rule"));
}

#[test]
fn wrong_stride_for_the_file_is_refused() {
    let err = load(&[("tampering.yaml", GOOD)]).expect_err("refused");
    assert_eq!(
        err,
        RuleError::WrongStride {
            file: "tampering.yaml".into(),
            rule: "a-rule".into(),
            found: "spoofing",
            expected: "tampering",
        }
    );
}

#[test]
fn duplicate_id_is_refused_even_across_files() {
    let twice = format!("{GOOD}{}", GOOD.trim_start_matches('\n'));
    let err = load(&[("spoofing.yaml", &twice)]).expect_err("refused");
    assert!(matches!(err, RuleError::DuplicateId { .. }), "{err:?}");
    assert_eq!(err.rule(), Some("a-rule"));

    let other = GOOD.replace("stride: spoofing", "stride: tampering");
    let err = load(&[("spoofing.yaml", GOOD), ("tampering.yaml", &other)]).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "tampering.yaml: rule a-rule is defined twice (first in spoofing.yaml)"
    );
}

#[test]
fn bad_yaml_is_refused_with_its_position() {
    let err = load(&[("spoofing.yaml", "- id: [unclosed\n")]).expect_err("refused");
    assert!(matches!(err, RuleError::Yaml { .. }), "{err:?}");
    assert!(err.to_string().contains("line"), "{err}");
    let err = load(&[("spoofing.yaml", "id: not-a-list\n")]).expect_err("refused");
    assert!(matches!(err, RuleError::Yaml { .. }), "{err:?}");
    let hostile = "[".repeat(20_000);
    let err = load(&[("spoofing.yaml", &hostile)]).expect_err("refused");
    assert!(err.to_string().contains("too deeply nested"), "{err}");
}

#[test]
fn unknown_or_missing_fields_are_refused_naming_the_rule() {
    let text = GOOD.replace("  capec: []\n", "  capec: []\n  severity: high\n");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert_eq!(err.rule(), Some("a-rule"));
    assert!(err.to_string().contains("severity"), "{err}");
    assert!(err.to_string().ends_with("(line 11, column 3)"), "{err}");

    let text = GOOD.replace("  likelihood: high\n", "");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert!(err.to_string().contains("likelihood"), "{err}");

    let text = GOOD.replace("impact: max", "impact: huge");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert_eq!(err.rule(), Some("a-rule"));

    // Without an id the rule is named by its place in the file.
    let text = GOOD.replace("- id: a-rule\n  title", "- title");
    let err = load(&[("spoofing.yaml", &text)]).expect_err("refused");
    assert_eq!(err.rule(), Some("#1"));
}

#[test]
fn bad_ids_and_empty_texts_are_refused() {
    for (from, to) in [
        ("id: a-rule", "id: A_Rule"),
        ("id: a-rule", "id: a--rule"),
        ("id: a-rule", "id: stride-spoofing"),
        ("description: Text.", "description: ' '"),
        ("mitigations: [Do something.]", "mitigations: []"),
        ("title: A rule", "title: ''"),
    ] {
        let text = GOOD.replace(from, to);
        let err = load(&[("spoofing.yaml", &text)]).expect_err(to);
        assert!(matches!(err, RuleError::Invalid { .. }), "{to}: {err:?}");
    }
}

#[test]
fn file_name_must_name_a_category() {
    let err = load(&[("misc.yaml", GOOD)]).expect_err("refused");
    assert_eq!(
        err,
        RuleError::UnknownFile {
            file: "misc.yaml".into()
        }
    );
}

#[test]
fn rules_fire_only_on_their_subject_kind() {
    let library = RuleLibrary::builtin();
    let text = r#"
version: 1
title: Kinds
options: { stride_baseline: false }
external_entities:
  - { id: user, name: User, human: true }
processes:
  - { id: app, name: App, internet_facing: true }
data_stores:
  - { id: db, name: DB, internet_facing: true }
flows:
  - { id: user-to-app, from: user, to: app, protocol: http }
  - { id: app-to-db, from: app, to: db, protocol: http }
"#;
    let parsed = parse_model("kinds.yaml", text).expect("parses");
    let analysis = analyse(&parsed.model, &parsed.source_map, library, today());
    for threat in &analysis.threats {
        assert_eq!(threat.origin, Origin::Rule);
        let rule = library.get(&threat.rule).expect("a library rule");
        let ok = match rule.applies_to {
            AppliesTo::Flow => threat.target.kind.as_str() == "flow",
            AppliesTo::Element => threat.target.kind.as_str() != "flow",
            other => threat.target.kind.as_str() == other.as_str(),
        };
        assert!(ok, "{} on {:?}", threat.id, threat.target.kind);
    }
    assert!(
        analysis
            .threats
            .iter()
            .any(|t| t.id == "unauthenticated-internet-process@app")
    );
}
