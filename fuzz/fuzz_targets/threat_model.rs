#![no_main]
//! Fuzz target: a threat model file never panics the parser, the position
//! pass, validation, threat generation or any renderer; parsing and
//! generation are deterministic.

use libfuzzer_sys::fuzz_target;

use rampart_threat::report::{self, ReportInput};
use rampart_threat::{DiagSeverity, RuleLibrary, analyse, parse_model, validate::validate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = parse_model("model.yaml", text) else {
        return;
    };
    let diagnostics = validate(&parsed.model, &parsed.source_map);
    let again = parse_model("model.yaml", text).expect("deterministic");
    assert_eq!(validate(&again.model, &again.source_map), diagnostics);

    // Generation and rendering promise not to panic even on a model with
    // errors (the CLI never gets there, but the library is public).
    let today = jiff::civil::date(2026, 12, 1);
    let analysis = analyse(&parsed.model, &parsed.source_map, RuleLibrary::builtin(), today);
    assert_eq!(
        analyse(&again.model, &again.source_map, RuleLibrary::builtin(), today),
        analysis
    );
    if diagnostics.iter().any(|d| d.severity == DiagSeverity::Error) {
        return;
    }
    let input = ReportInput {
        model: &parsed.model,
        analysis: &analysis,
        file: "model.yaml",
        warnings: &diagnostics,
        today,
    };
    let _ = report::markdown(&input);
    let _ = report::html(&input);
    let _ = report::json(&input);
    let _ = report::sarif(&input, "fuzz");
    let _ = rampart_threat::diagram::mermaid(&parsed.model);
    let _ = rampart_threat::diagram::dot(&parsed.model);
});
