//! Every output format on the README's sample model, as snapshots: a change
//! to a rule, a severity, a renderer or the example shows up here as a diff
//! a reviewer reads.

use rampart_threat::report::{self, ReportInput};
use rampart_threat::{DiagSeverity, RuleLibrary, analyse, parse_model, validate};

const FILE: &str = "examples/threat-models/webshop.yaml";

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 12, 1)
}

fn example_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/threat-models/webshop.yaml"
    );
    std::fs::read_to_string(path).expect("the sample model is part of the repository")
}

#[test]
fn every_output_of_the_sample_model() {
    let parsed = parse_model(FILE, &example_text()).expect("the sample model parses");
    let diagnostics = validate(&parsed.model, &parsed.source_map);
    assert!(
        diagnostics
            .iter()
            .all(|d| d.severity != DiagSeverity::Error),
        "{diagnostics:#?}"
    );
    let analysis = analyse(
        &parsed.model,
        &parsed.source_map,
        RuleLibrary::builtin(),
        today(),
    );
    assert!(
        analysis.stale.is_empty(),
        "the sample's tracking entries all match: {:?}",
        analysis.stale
    );
    let input = ReportInput {
        model: &parsed.model,
        analysis: &analysis,
        file: FILE,
        warnings: &diagnostics,
        today: today(),
    };
    insta::assert_snapshot!("webshop.md", report::markdown(&input));
    insta::assert_snapshot!("webshop.html", report::html(&input));
    insta::assert_snapshot!(
        "webshop.json",
        serde_json::to_string_pretty(&report::json(&input)).unwrap()
    );
    insta::assert_snapshot!(
        "webshop.sarif",
        serde_json::to_string_pretty(&report::sarif(&input, "0.0.0-test")).unwrap()
    );
    insta::assert_snapshot!(
        "webshop.mermaid",
        rampart_threat::diagram::mermaid(&parsed.model)
    );
    insta::assert_snapshot!("webshop.dot", rampart_threat::diagram::dot(&parsed.model));
}
