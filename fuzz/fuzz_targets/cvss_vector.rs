#![no_main]
//! Fuzz target: CVSS vector parsing never panics and scores stay in 0..=10.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(vector) = std::str::from_utf8(data) {
        if let Ok(score) = rampart_osv::cvss::parse_and_score(vector) {
            assert!((0.0..=10.0).contains(&score.base_score));
        }
    }
});
