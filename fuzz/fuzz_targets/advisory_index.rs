#![no_main]
//! Fuzz target: reading a corrupt advisory index never panics.

use libfuzzer_sys::fuzz_target;

use rampart_core::Ecosystem;

fuzz_target!(|data: &[u8]| {
    if let Ok(db) = rampart_osv::Database::from_vec(data.to_vec()) {
        for name in ["a", "left-pad", ""] {
            if let Ok(records) = db.records_for(&Ecosystem::Npm, name) {
                for record in records {
                    let _ = db.advisory(record);
                }
            }
        }
    }
});
