//! The VERIS classification of the fixture incident.

mod common;

use common::{records, state};
use rampart_incident::StepRecord;
use rampart_incident_report::{VERIS_SCHEMA_VERSION, veris_classification};
use serde_json::json;

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(veris_classification(&state(), &records()));
}

#[test]
fn fields_derived_from_the_records() {
    let v = veris_classification(&state(), &records());
    assert_eq!(v["schema_version"], VERIS_SCHEMA_VERSION);
    assert_eq!(v["incident_id"], "SEC-2026-0042");
    assert_eq!(v["security_incident"], "Confirmed");
    // The first confirmed attack-timeline event, not the declaration.
    assert_eq!(
        v["timeline"]["incident"],
        json!({"year": 2026, "month": 4, "day": 28})
    );
    assert_eq!(
        v["discovery_method"],
        json!({"internal": {"variety": ["Reported by employee"]}})
    );
    assert_eq!(
        v["actor"]["external"]["variety"],
        json!(["Organized crime"])
    );
    assert_eq!(v["actor"]["external"]["motive"], json!(["Financial"]));
    assert_eq!(
        v["action"]["hacking"],
        json!({"variety": ["Exploit vuln", "Use of stolen creds"], "vector": ["Web application"]})
    );
    assert_eq!(
        v["asset"]["assets"],
        json!([
            {"variety": "S - Database", "amount": 1},
            {"variety": "S - Web application", "amount": 1}
        ])
    );
    assert_eq!(v["attribute"]["confidentiality"]["data_disclosure"], "Yes");
    assert_eq!(
        v["attribute"]["confidentiality"]["data"],
        json!([{"variety": "Credentials"}, {"variety": "Internal"}, {"variety": "Personal"}])
    );
    assert!(v["attribute"].get("integrity").is_none());
    assert!(
        v["plus"]["rampart"]["derived"]["timeline.incident"]
            .as_str()
            .unwrap()
            .contains("record 40")
    );
}

#[test]
fn without_records_everything_is_unknown_but_valid() {
    let mut state = state();
    state.summary.details.detected_by = rampart_incident::DetectionSource::Unknown;
    let v = veris_classification(&state, &[]);
    assert_eq!(v["security_incident"], "Suspected");
    assert_eq!(
        v["timeline"]["incident"],
        json!({"year": 2026, "month": 5, "day": 1})
    );
    assert_eq!(v["discovery_method"], json!({"unknown": true}));
    assert_eq!(
        v["actor"],
        json!({"unknown": {"notes": "no attribution recorded"}})
    );
    assert_eq!(
        v["action"],
        json!({"unknown": {"notes": "no attack vector recorded"}})
    );
    assert_eq!(v["asset"]["assets"], json!([{"variety": "Unknown"}]));
    assert_eq!(
        v["attribute"]["confidentiality"]["data_disclosure"],
        "Unknown"
    );
}

#[test]
fn modified_and_deleted_data_set_integrity_and_availability() {
    let mut rows = records();
    for row in &mut rows {
        if row.id == 61 {
            row.record = serde_json::from_value(json!({
                "kind": "compromised_data_set",
                "record": {"name": "orders table", "classification": "confidential",
                    "what_happened": ["modified", "deleted"], "scale": "one day",
                    "status": "possible"}
            }))
            .unwrap();
            assert!(matches!(row.record, StepRecord::CompromisedDataSet(_)));
        }
    }
    let v = veris_classification(&state(), &rows);
    assert_eq!(
        v["attribute"]["integrity"],
        json!({"variety": ["Modify data"]})
    );
    assert_eq!(
        v["attribute"]["availability"],
        json!({"variety": ["Destruction"]})
    );
}
