#![no_main]
//! Fuzz target: the secret scanner over arbitrary bytes, with every
//! built-in rule (low-confidence ones included), never panics; every match
//! lies inside the input and redaction never panics on what it captured.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_secrets::{Ruleset, ScanOptions, Scanner, redact};

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
    for found in scanner().scan(data) {
        assert!(found.start <= found.end && found.end <= data.len());
        let _ = redact(&found.secret);
    }
});
