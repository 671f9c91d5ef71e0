#![no_main]
//! Fuzz target: an OWASP Threat Dragon file never panics the importer, and
//! what it imports never panics validation.

use libfuzzer_sys::fuzz_target;

use rampart_threat::threat_dragon::import_v2;
use rampart_threat::{SourceMap, validate};

fuzz_target!(|data: &[u8]| {
    if let Ok(imported) = import_v2("model.json", data) {
        let _ = validate(&imported.model, &SourceMap::default());
    }
});
