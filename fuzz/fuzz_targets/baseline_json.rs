#![no_main]
//! Fuzz target: reading a baseline file never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rampart_report::Baseline::from_json_str(text, "baseline.json");
    }
});
