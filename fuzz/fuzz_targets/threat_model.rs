#![no_main]
//! Fuzz target: a threat model file never panics the parser, the position
//! pass or validation, and parsing is deterministic.

use libfuzzer_sys::fuzz_target;

use rampart_threat::{parse_model, validate::validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse_model("model.yaml", text) {
        let diagnostics = validate(&parsed.model, &parsed.source_map);
        let again = parse_model("model.yaml", text).expect("deterministic");
        assert_eq!(validate(&again.model, &again.source_map), diagnostics);
    }
});
