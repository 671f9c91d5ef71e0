#![no_main]
//! Fuzz target: a SARIF upload never panics, the parse is deterministic,
//! and stripping is idempotent (what the CLI sends, stripped again, is
//! what it sent).

use libfuzzer_sys::fuzz_target;

use rampart_inventory::sarif::parse;
use rampart_inventory::{SarifLimits, strip_sarif};

fuzz_target!(|data: &[u8]| {
    // Small limits so that truncation and the count limits are reached.
    let limits = SarifLimits {
        max_bytes: 1 << 20,
        max_runs: 4,
        max_results: 64,
        max_text_bytes: 32,
    };
    let parsed = parse(data, &limits);
    if let Ok(upload) = &parsed {
        let _ = serde_json::to_string(upload);
        assert_eq!(parse(data, &limits).as_ref().ok(), Some(upload));
    }
    if let Ok(stripped) = strip_sarif(data) {
        let _ = parse(&stripped, &limits);
        assert_eq!(strip_sarif(&stripped).ok(), Some(stripped));
    }
});
