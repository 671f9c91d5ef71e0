//! Every built-in rule's own examples: each example yields a finding of that
//! rule, each counter-example yields none of it. Also prints the rule count
//! per file.

use std::collections::BTreeMap;

use rampart_secrets::{BUILTIN_FILES, Ruleset, ScanOptions, Scanner};

fn scanner(set: &Ruleset) -> Scanner {
    Scanner::new(
        set,
        ScanOptions {
            include_low_confidence: true,
        },
    )
}

#[test]
fn builtin_rules_load() {
    if let Err(e) = Ruleset::builtin() {
        panic!("built-in rules: {e}");
    }
}

#[test]
fn examples_and_counter_examples() {
    let set = Ruleset::builtin().unwrap();
    let scanner = scanner(&set);
    let mut failures = Vec::new();
    for rule in set.rules() {
        for ex in &rule.examples {
            let found = scanner.scan(ex.as_bytes());
            if !found.iter().any(|m| m.rule_id == rule.id) {
                failures.push(format!(
                    "{} ({}): example not found: {ex:?}",
                    rule.id, rule.file
                ));
            }
        }
        for ex in &rule.counter_examples {
            let found = scanner.scan(ex.as_bytes());
            if let Some(m) = found.iter().find(|m| m.rule_id == rule.id) {
                failures.push(format!(
                    "{} ({}): counter-example matched {:?}: {ex:?}",
                    rule.id, rule.file, m.secret
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// About the number of rules present when this floor was last raised (371
/// on 2026-11-27, a little margin left while the rule files settle). Raise it
/// as rules are added.
const MIN_RULES: usize = 365;

#[test]
fn rule_count_per_file() {
    let set = Ruleset::builtin().unwrap();
    let mut per_file: BTreeMap<&str, usize> = BUILTIN_FILES.iter().map(|(n, _)| (*n, 0)).collect();
    for rule in set.rules() {
        *per_file.get_mut(rule.file.as_str()).unwrap() += 1;
    }
    for (file, n) in &per_file {
        println!("{file:<24} {n:>4}");
    }
    println!("{:<24} {:>4}", "total", set.len());
    assert!(
        set.len() >= MIN_RULES,
        "{} rules, expected at least {MIN_RULES}",
        set.len()
    );
}
