//! `rampart threat`: the CI gate's exit codes, every output written to a
//! file, and a Threat Dragon import checked by the same binary.

use std::path::PathBuf;

use crate::Env;

/// The sample model of the README, judged as of a fixed date so tracking
/// expiry does not depend on when the suite runs.
fn example_model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/threat-models/webshop.yaml")
}

const TODAY: &str = "2026-12-01";

/// A small model with no confidential data: its threats stay low, so the
/// default gate (`--fail-on high`) passes. `extra` is appended verbatim.
fn small_model(extra: &str) -> String {
    format!(
        "version: 1
title: Status page
data_assets:
  - id: status
    name: Public status
    confidentiality: low
    integrity: low
    availability: low
external_entities:
  - id: visitor
    name: Visitor
processes:
  - id: app
    name: Status app
    input_validation: true
    input_limits: true
    rate_limited: true
    dependency_scanning: true
flows:
  - id: visitor-to-app
    from: visitor
    to: app
    protocol: https
    data: [status]
{extra}"
    )
}

#[test]
fn check_example_fails_on_open_high_threats_and_lists_them() {
    let env = Env::new();
    let model = example_model();
    let run = env.rampart(&["threat", "check", model.to_str().unwrap(), "--today", TODAY]);
    assert_eq!(run.code(), 1, "{}\n{}", run.stdout(), run.stderr());
    let out = run.stdout();
    assert!(out.contains("open threats at or above high"), "{out}");
    assert!(out.contains("FAIL "), "{out}");
    // Every listed threat names its place in the model file.
    assert!(out.contains("webshop.yaml:"), "{out}");

    // The same model passes once only critical threats count and none is
    // critical-and-open, or fails again; either way the verdict line agrees
    // with the exit code.
    let critical = env.rampart(&[
        "threat",
        "check",
        model.to_str().unwrap(),
        "--today",
        TODAY,
        "--fail-on",
        "critical",
    ]);
    let verdict_pass = critical.stdout().contains("PASS ");
    assert_eq!(critical.code() == 0, verdict_pass, "{}", critical.stdout());
}

#[test]
fn check_passes_a_model_with_only_low_threats() {
    let env = Env::new();
    std::fs::write(env.path("status.yaml"), small_model("")).unwrap();
    let run = env.rampart(&["threat", "check", "status.yaml", "--today", TODAY]);
    assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
    assert!(
        run.stdout().contains("PASS status.yaml"),
        "{}",
        run.stdout()
    );
}

#[test]
fn expired_acceptance_fails_whatever_the_threshold() {
    let env = Env::new();
    let tracking = "risk_tracking:
  stride-spoofing@app:
    status: accepted
    owner: jane
    expires: 2026-06-30
    reason: Anyone may read the status page.
";
    std::fs::write(env.path("status.yaml"), small_model(tracking)).unwrap();

    let before = env.rampart(&["threat", "check", "status.yaml", "--today", "2026-06-30"]);
    assert_eq!(before.code(), 0, "{}", before.stdout());

    let after = env.rampart(&[
        "threat",
        "check",
        "status.yaml",
        "--today",
        "2026-07-01",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(after.code(), 1, "{}", after.stdout());
    assert!(
        after.stdout().contains("acceptances expired (1)"),
        "{}",
        after.stdout()
    );
    assert!(
        after.stdout().contains("accepted by jane until 2026-06-30"),
        "{}",
        after.stdout()
    );
}

#[test]
fn stale_tracking_is_a_warning_and_fails_only_under_strict() {
    let env = Env::new();
    let tracking = "risk_tracking:
  sql-injection@no-such-element:
    status: mitigated
    reference: PR-1
";
    std::fs::write(env.path("status.yaml"), small_model(tracking)).unwrap();
    let lenient = env.rampart(&["threat", "check", "status.yaml", "--today", TODAY]);
    assert_eq!(lenient.code(), 0, "{}", lenient.stdout());
    assert!(
        lenient
            .stdout()
            .contains("\"sql-injection@no-such-element\" matches no threat (no-such-target)"),
        "{}",
        lenient.stdout()
    );
    let strict = env.rampart(&[
        "threat",
        "check",
        "status.yaml",
        "--today",
        TODAY,
        "--strict",
    ]);
    assert_eq!(strict.code(), 1, "{}", strict.stdout());
}

#[test]
fn invalid_model_is_an_input_error_with_a_position() {
    let env = Env::new();
    let broken = small_model("").replace("to: app", "to: ap");
    std::fs::write(env.path("broken.yaml"), broken).unwrap();
    let run = env.rampart(&["threat", "check", "broken.yaml"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    // `to: ap` is the 22nd line of the model, its value at column 9.
    assert!(
        run.stderr().contains("broken.yaml:22:9: error:"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("\"ap\""), "{}", run.stderr());

    std::fs::write(env.path("not-yaml.yaml"), "version: [1\n").unwrap();
    let run = env.rampart(&["threat", "report", "not-yaml.yaml"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("not-yaml.yaml:"), "{}", run.stderr());

    let run = env.rampart(&["threat", "check", "missing.yaml"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("cannot read missing.yaml"),
        "{}",
        run.stderr()
    );
}

#[test]
fn reports_and_diagrams_are_written_in_every_format() {
    let env = Env::new();
    let model = example_model();
    let model = model.to_str().unwrap();
    for format in ["markdown", "html", "json", "sarif"] {
        let out = format!("report.{format}");
        let run = env.rampart(&[
            "threat", "report", model, "--format", format, "-o", &out, "--today", TODAY,
        ]);
        assert_eq!(run.code(), 0, "{format}: {}", run.stderr());
        let text = std::fs::read_to_string(env.path(&out)).unwrap();
        assert!(!text.is_empty(), "{format}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert!(json["summary"]["threats"].as_u64().unwrap() > 40);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("report.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    let html = std::fs::read_to_string(env.path("report.html")).unwrap();
    assert!(!html.contains("<script"), "the HTML report runs no script");

    let mermaid = env.rampart(&["threat", "diagram", model]);
    assert_eq!(mermaid.code(), 0, "{}", mermaid.stderr());
    assert!(
        mermaid.stdout().starts_with("flowchart LR"),
        "{}",
        mermaid.stdout()
    );
    let dot = env.rampart(&["threat", "diagram", model, "--format", "dot"]);
    assert_eq!(dot.code(), 0, "{}", dot.stderr());
    assert!(
        dot.stdout().contains("subgraph \"cluster_"),
        "{}",
        dot.stdout()
    );
}

#[test]
fn threat_dragon_import_gives_a_model_the_gate_accepts() {
    let Some(dragon) = rampart_fixtures::sub("interop/threat-dragon") else {
        return;
    };
    let env = Env::new();
    let demo = dragon.join("v2-demo-threat-model.json");
    let run = env.rampart(&[
        "threat",
        "import-threat-dragon",
        demo.to_str().unwrap(),
        "-o",
        "demo.yaml",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains(
            "1 external entities, 2 processes, 4 data stores, 10 flows, 3 trust boundaries, \
             14 threats (10 open, 4 mitigated, 0 false positive)"
        ),
        "{}",
        run.stderr()
    );
    let yaml = std::fs::read_to_string(env.path("demo.yaml")).unwrap();
    assert!(yaml.starts_with("# Imported from "), "{yaml}");

    // Imported threats are tracked; the gate judges them like any other.
    let check = env.rampart(&["threat", "check", "demo.yaml", "--today", TODAY]);
    assert!(
        check.code() == 0 || check.code() == 1,
        "{}\n{}",
        check.stdout(),
        check.stderr()
    );
    assert!(
        check.stdout().contains("14 hand-written"),
        "{}",
        check.stdout()
    );

    // An existing file is not overwritten by accident.
    let again = env.rampart(&[
        "threat",
        "import-threat-dragon",
        demo.to_str().unwrap(),
        "-o",
        "demo.yaml",
    ]);
    assert_eq!(again.code(), 2);
    assert!(again.stderr().contains("--force"), "{}", again.stderr());

    let not_dragon = env.path("not-dragon.json");
    std::fs::write(&not_dragon, "{\"hello\": 1}").unwrap();
    let run = env.rampart(&["threat", "import-threat-dragon", "not-dragon.json"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("not a Threat Dragon model"),
        "{}",
        run.stderr()
    );
}

#[test]
fn schema_and_rule_list_are_printed() {
    let env = Env::new();
    let run = env.rampart(&["threat", "schema"]);
    assert_eq!(run.code(), 0);
    let schema = run.json();
    assert!(
        schema["$schema"]
            .as_str()
            .unwrap()
            .contains("json-schema.org")
    );

    let run = env.rampart(&["threat", "rules", "--format", "json"]);
    assert_eq!(run.code(), 0);
    let rules = run.json();
    let rules = rules["rules"].as_array().unwrap();
    assert!(rules.len() >= 40, "{} rules", rules.len());
    for stride in [
        "spoofing",
        "tampering",
        "repudiation",
        "information_disclosure",
        "denial_of_service",
        "elevation_of_privilege",
    ] {
        assert!(
            rules.iter().any(|rule| rule["stride"] == stride),
            "no {stride} rule"
        );
    }
}

#[test]
fn the_documented_rule_table_is_current() {
    let env = Env::new();
    let run = env.rampart(&["threat", "rules", "--format", "markdown"]);
    assert_eq!(run.code(), 0);
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/threat-models.md"),
    )
    .unwrap();
    assert!(
        docs.contains(&run.stdout()),
        "docs/threat-models.md lists an old rule library; replace its table with the output of \
         `rampart threat rules --format markdown`"
    );
}
