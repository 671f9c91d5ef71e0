#![no_main]
//! Fuzz target: the Backstage import never panics, from YAML parsing
//! through the mapping and the diff against an empty catalog.

use libfuzzer_sys::fuzz_target;

use rampart_inventory::{Catalog, parse_files, plan_import};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Two files from one input, split at the first NUL, so entities of
        // one file can refer to the other's (duplicates, owners, members).
        let (first, second) = text.split_once('\0').unwrap_or((text, ""));
        let files = [
            ("a.yaml".to_owned(), first.to_owned()),
            ("b.yaml".to_owned(), second.to_owned()),
        ];
        if let Ok(entities) = parse_files(&files) {
            let plan = plan_import(&entities, &Catalog::default());
            let _ = serde_json::to_string(&plan);
        }
    }
});
