#![no_main]
//! Fuzz target: reading audit rows back never panics. Each input line is
//! one stored row's event text; the verifier links them as a chain whose
//! hashes are recomputed, so the event parser and the verifier both see
//! hostile text. Events that parse must re-canonicalise to the same bytes.

use libfuzzer_sys::fuzz_target;
use rampart_audit::{AuditEvent, Hash, StoredLink, Verifier};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut verifier = Verifier::new();
    let mut prev = Hash::GENESIS;
    for (index, line) in text.lines().enumerate() {
        if let Ok(event) = AuditEvent::from_canonical(line) {
            assert_eq!(event.canonical(), line);
        }
        let hash = Hash::chain(&prev, line.as_bytes());
        let row = StoredLink {
            sequence: index as u64 + 1,
            prev_hash: prev.to_hex(),
            hash: hash.to_hex(),
            event: line.to_owned(),
        };
        if verifier.push(&row).is_err() {
            return;
        }
        prev = hash;
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let _ = rampart_audit::canonical_json(&value);
    }
});
