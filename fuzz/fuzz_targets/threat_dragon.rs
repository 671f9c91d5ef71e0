#![no_main]
//! Fuzz target: an OWASP Threat Dragon file never panics the importer, and
//! what it imports never panics validation; the YAML written for it parses
//! back to the same model.

use libfuzzer_sys::fuzz_target;

use rampart_threat::threat_dragon::import_v2;
use rampart_threat::{ModelError, SourceMap, parse_model, validate};

fuzz_target!(|data: &[u8]| {
    if let Ok(imported) = import_v2("model.json", data) {
        let _ = validate(&imported.model, &SourceMap::default());
        let yaml = rampart_threat::emit::to_yaml(&imported.model);
        match parse_model("imported.yaml", &yaml) {
            Ok(reparsed) => assert_eq!(reparsed.model, imported.model, "YAML round trip"),
            // A 16 MiB Threat Dragon file may give a model over the 4 MiB
            // limit of model files; refusing it is the documented outcome.
            Err(ModelError::TooLarge { .. } | ModelError::TooComplex { .. }) => {}
            Err(error) => panic!("emitted YAML does not parse: {error}"),
        }
    }
});
