#![no_main]
//! Fuzz target: the mix extractor never panics.

use libfuzzer_sys::fuzz_target;

use rampart_deps::{ExtractInput, LockfileKind, extract};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Includes resolve to the input itself, so include handling and its
        // cycle guard are fuzzed too.
        let include = |_: &str| Some(("self.txt".to_string(), text.to_string()));
        let input = ExtractInput { path: "fuzz", text, read_include: &include };
        let _ = extract(LockfileKind::MixLock, &input);
    }
});
