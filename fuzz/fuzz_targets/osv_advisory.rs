#![no_main]
//! Fuzz target: OSV record parsing and validation never panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = rampart_osv::Advisory::from_json(data);
});
