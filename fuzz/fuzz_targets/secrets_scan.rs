#![no_main]
//! Fuzz target: the secret scanner over arbitrary bytes, with every
//! built-in rule (low-confidence ones included), never panics; every match
//! lies inside the input, redaction never panics on what it captured, and
//! the findings built from the matches never carry the value.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_core::FindingKind;
use rampart_secrets::{FindingOptions, Ruleset, ScanOptions, Scanner, SecretCollector, redact};

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let rules = Ruleset::builtin().expect("the built-in rules load");
        Scanner::new(
            &rules,
            ScanOptions {
                include_low_confidence: true,
            },
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let scanner = scanner();
    let matches = scanner.scan(data);
    for found in &matches {
        assert!(found.start <= found.end && found.end <= data.len());
        let _ = redact(&found.secret);
    }
    let mut collector = SecretCollector::new();
    collector.add(scanner, "fuzz/input", None, matches);
    for finding in collector.into_findings(scanner, &FindingOptions::default()) {
        let FindingKind::Secret { value, locations, .. } = &finding.kind else {
            panic!("a secret scan produced a non-secret finding");
        };
        assert!(value.is_none() && !locations.is_empty());
    }
});
