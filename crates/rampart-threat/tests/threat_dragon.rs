//! Threat Dragon v2 import over the shared fixtures: counts per file (plan
//! §1.2), the quirks each fixture carries, a clean validation of every
//! imported model, v1 refused with a message, truncations never panic.

use std::path::PathBuf;

use rampart_threat::model::{ThreatModel, TrackingStatus};
use rampart_threat::threat_dragon::{DragonError, Imported, import_v2};
use rampart_threat::{DiagSeverity, SourceMap, validate};

fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir: PathBuf = rampart_fixtures::sub("interop/threat-dragon")?;
    Some(std::fs::read(dir.join(name)).expect("fixture readable"))
}

fn import(name: &str) -> Option<Imported> {
    let bytes = fixture(name)?;
    let imported = import_v2(name, &bytes).expect("imports");
    let errors: Vec<String> = validate(&imported.model, &SourceMap::default())
        .into_iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .map(|d| d.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: validation errors {errors:#?}");
    Some(imported)
}

fn elements(model: &ThreatModel) -> (usize, usize, usize) {
    (
        model.external_entities.len(),
        model.processes.len(),
        model.data_stores.len(),
    )
}

fn statuses(model: &ThreatModel, status: TrackingStatus) -> usize {
    model
        .risk_tracking
        .values()
        .filter(|e| e.status == status)
        .count()
}

fn flow<'a>(model: &'a ThreatModel, name: &str) -> &'a rampart_threat::model::Flow {
    model
        .flows
        .iter()
        .find(|f| f.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("flow {name:?}"))
}

fn members(model: &ThreatModel, name: &str) -> Vec<String> {
    let mut list = model
        .trust_boundaries
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("boundary {name:?}"))
        .members
        .clone();
    list.sort();
    list
}

#[test]
fn demo_counts_threats_and_snapped_end() {
    let Some(imported) = import("v2-demo-threat-model.json") else {
        return;
    };
    let m = &imported.model;
    assert_eq!(elements(m), (1, 2, 4));
    assert_eq!(m.flows.len(), 10);
    assert_eq!(m.threats.len(), 14);
    assert_eq!(m.risk_tracking.len(), 14);
    assert_eq!(statuses(m, TrackingStatus::Open), 10);
    assert_eq!(statuses(m, TrackingStatus::Mitigated), 4);
    // The dangling "Web Request" source lies 10 px from the Browser box.
    let browser = &m.external_entities[0];
    assert_eq!(browser.name, "Browser");
    assert_eq!(flow(m, "Web Request").from, browser.id);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("Web Request") && w.contains("snapped"))
    );
    // Curve boundaries become member-less boundaries that flows cross:
    // 8 of the 10 flows cut one (plan §1.3).
    assert_eq!(m.trust_boundaries.len(), 3);
    assert!(m.trust_boundaries.iter().all(|b| b.members.is_empty()));
    let curve = |hex: &str| format!("boundary-{hex}");
    for (name, hex) in [
        ("Put Message", "6767506f"),
        ("Message", "6767506f"),
        ("Worker Query Results", "4a7911c8"),
        ("Queries", "4a7911c8"),
        ("Web App Query\nResults", "4a7911c8"),
        ("Worker Queries", "4a7911c8"),
        ("Web Response", "0adc088b"),
        ("Web Request", "0adc088b"),
    ] {
        assert_eq!(flow(m, name).crosses, [curve(hex)], "{name}");
    }
    for name in ["Read web app config", "Read worker config"] {
        assert!(flow(m, name).crosses.is_empty(), "{name}");
    }
    assert_eq!(
        flow(m, "Read web app config").out_of_scope.as_deref(),
        Some("This data flow represents a read from the file system")
    );
    // The name wins over the decorated label.
    assert!(
        m.flows
            .iter()
            .all(|f| f.name.as_deref() != Some("Web Response (HTTP/S)"))
    );
    assert!(
        m.description
            .as_deref()
            .is_some_and(|d| d.contains("Diagram notes"))
    );
}

#[test]
fn cms_counts_membership_and_contradiction() {
    let Some(imported) = import("v2-generic-cms.json") else {
        return;
    };
    let m = &imported.model;
    assert_eq!(elements(m), (2, 2, 1));
    assert_eq!(m.flows.len(), 5);
    assert_eq!(m.threats.len(), 0);
    assert_eq!(members(m, "Internet"), ["databse", "web-server"]);
    let https = flow(m, "HTTPS");
    assert_eq!(https.protocol.as_deref(), Some("https"));
    assert_eq!(https.encrypted_in_transit, Some(false));
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("not marked encrypted"))
    );
    assert_eq!(m.flows.iter().filter(|f| f.name.is_none()).count(), 1);
}

#[test]
fn three_tier_counts_boundaries_and_mitigations() {
    let Some(imported) = import("v2-three-tier-web-app.json") else {
        return;
    };
    let m = &imported.model;
    assert_eq!(elements(m), (0, 3, 0));
    assert_eq!(m.flows.len(), 3);
    assert_eq!(m.threats.len(), 2);
    assert_eq!(statuses(m, TrackingStatus::Mitigated), 2);
    assert!(m.threats.iter().all(|t| t.target == "postgressql"));
    assert!(m.risk_tracking.values().all(|e| {
        e.reference
            .as_deref()
            .is_some_and(|r| r.starts_with("threat-dragon:"))
    }));
    assert_eq!(members(m, "Internet"), ["web-ui"]);
    assert_eq!(members(m, "Public Cloud"), ["postgressql", "web-service"]);
    // Unnamed flows are named by their ends, deduplicated.
    let ids: Vec<&str> = m.flows.iter().map(|f| f.id.as_str()).collect();
    assert!(ids.contains(&"web-ui-to-web-service"), "{ids:?}");
}

#[test]
fn blank_model_is_empty_and_valid() {
    let Some(imported) = import("v2-new-blank-model.json") else {
        return;
    };
    let m = &imported.model;
    assert_eq!(elements(m), (0, 0, 0));
    assert_eq!(m.flows.len(), 0);
    assert_eq!(m.threats.len(), 0);
    assert!(!m.title.is_empty());
}

#[test]
fn v1_and_foreign_json_are_refused() {
    for name in ["v1-demo-threat-model.json", "v1-e2e-model.json"] {
        let Some(bytes) = fixture(name) else {
            return;
        };
        let err = import_v2(name, &bytes).expect_err("v1 refused");
        assert!(matches!(err, DragonError::Version1 { .. }), "{err:?}");
        assert!(err.to_string().contains("v1 models are not supported"));
    }
    let err = import_v2("x.json", br#"{"bomFormat": "CycloneDX"}"#).unwrap_err();
    assert!(
        err.to_string().contains("not a Threat Dragon model"),
        "{err}"
    );
    let err = import_v2("x.json", b"not json").unwrap_err();
    assert!(matches!(err, DragonError::Json { .. }));
    let err = import_v2(
        "x.json",
        br#"{"version":"3.0","summary":{},"detail":{"diagrams":[]}}"#,
    )
    .unwrap_err();
    assert!(matches!(err, DragonError::UnsupportedVersion { .. }));
}

#[test]
fn hostile_geometry_and_dangling_ends_never_drop_flows() {
    let json = br#"{"version":"2.3.0","summary":{"title":"t"},"detail":{"diagrams":[{"cells":[
        {"id":"a","shape":"process","position":{"x":1e308,"y":"x"},"size":{"width":-1,"height":2},"data":{"name":"P"}},
        {"id":"f","shape":"flow","source":{"x":5000,"y":5000},"target":{"cell":"zz"},"data":{"name":""}},
        {"id":"g","shape":"weird"}]}]}}"#;
    let imported = import_v2("h.json", json).expect("imports");
    let m = &imported.model;
    assert_eq!(m.flows.len(), 1);
    assert_eq!(m.external_entities.len(), 2, "two placeholders");
    assert!(
        m.external_entities
            .iter()
            .all(|e| e.tags == ["imported-placeholder"])
    );
    let errors = validate(m, &SourceMap::default())
        .into_iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .count();
    assert_eq!(errors, 0);
}

#[test]
fn every_truncation_is_handled_without_panic() {
    let Some(bytes) = fixture("v2-three-tier-web-app.json") else {
        return;
    };
    for end in 0..bytes.len() {
        let _ = import_v2("t.json", &bytes[..end]);
    }
}
