#![no_main]
//! Fuzz target: parsing rampart.toml never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rampart_report::Policy::from_toml_str(text, "rampart.toml");
    }
});
