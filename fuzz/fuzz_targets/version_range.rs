#![no_main]
//! Fuzz target: version-range parsing never panics, the canonical form is
//! a fixed point, and matching a candidate (the input's second line) never
//! panics and agrees between the one-shot and the prepared path. The checks
//! live in `rampart_osv::version::fuzz_check_range`, which the unit tests
//! also run.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    rampart_osv::version::fuzz_check_range(text);
});
