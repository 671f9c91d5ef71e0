//! The baseline file.

use rampart_report::{Baseline, BaselineError, PolicyOutcome, SuppressionSource};

use crate::sample;

#[test]
fn round_trip_and_apply() {
    let baseline = Baseline::from_findings([&sample::smallvec(), &sample::lodash()]);
    let text = baseline.to_json_string();
    assert!(
        text.starts_with("{\n  \"version\": 1,\n  \"fingerprints\": ["),
        "{text}"
    );
    let loaded = Baseline::from_json_str(&text, "b.json").unwrap();
    assert_eq!(loaded, baseline);

    let mut outcome = PolicyOutcome {
        active: vec![sample::smallvec(), sample::requests(), sample::lodash()],
        ..PolicyOutcome::default()
    };
    outcome.apply_baseline(&loaded);
    assert_eq!(outcome.active, vec![sample::requests()]);
    assert_eq!(outcome.ignored.len(), 2);
    assert!(
        outcome
            .ignored
            .iter()
            .all(|i| i.source == SuppressionSource::Baseline && i.reason == "baseline")
    );
}

#[test]
fn save_and_load() {
    let dir = std::env::temp_dir().join(format!("rampart-report-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("baseline.json");
    let baseline = Baseline::from_findings([&sample::requests()]);
    baseline.save(&path).unwrap();
    assert_eq!(Baseline::load(&path).unwrap(), baseline);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(
        Baseline::load(&path),
        Err(BaselineError::Io { .. })
    ));
}

#[test]
fn bad_baselines_are_errors() {
    let check = |text: &str, needle: &str| {
        let error = Baseline::from_json_str(text, "b.json")
            .unwrap_err()
            .to_string();
        assert!(error.contains(needle), "{error:?} lacks {needle:?}");
    };
    check("", "b.json:1: not a baseline file");
    check("[]", "not a baseline file");
    check(
        "{\"version\": 2, \"fingerprints\": []}",
        "version 2 is not supported",
    );
    check("{\"version\": 1}", "missing field `fingerprints`");
    check(
        "{\"version\": 1, \"fingerprints\": [], \"x\": 1}",
        "unknown field `x`",
    );
}
