#![no_main]
//! Fuzz target: the SBOM parser (and the PURL parser under it) never panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = rampart_deps::sbom::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(purl) = rampart_core::Purl::parse(text) {
            let _ = purl.package();
            // The canonical form must parse back to the same PURL.
            let canonical = purl.to_purl();
            assert_eq!(rampart_core::Purl::parse(canonical.as_str()).as_ref(), Ok(&purl));
        }
    }
});
