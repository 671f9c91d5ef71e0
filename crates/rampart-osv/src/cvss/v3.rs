//! CVSS v3.0 and v3.1 base scores (FIRST specification, section 7.1).
//!
//! The two versions share metrics, weights and equations; they differ in
//! `Roundup`, which v3.1 redefined to avoid floating-point artefacts (v3.0's
//! plain ceiling turns 4.000000000000001 into 4.1).

use super::{CvssError, CvssVersion, MetricDef, mandatory, optional, parse_metrics};

const NLH: &[&str] = &["N", "L", "H"];
const XLMH: &[&str] = &["X", "L", "M", "H"];
const XNLH: &[&str] = &["X", "N", "L", "H"];

/// Base metrics first, in specification order: `base_score` destructures
/// the first eight by position.
const METRICS: [MetricDef; 22] = [
    mandatory("AV", &["N", "A", "L", "P"]),
    mandatory("AC", &["L", "H"]),
    mandatory("PR", &["N", "L", "H"]),
    mandatory("UI", &["N", "R"]),
    mandatory("S", &["U", "C"]),
    mandatory("C", NLH),
    mandatory("I", NLH),
    mandatory("A", NLH),
    // Temporal and environmental metrics do not enter the base score but
    // are part of valid vectors, so they are validated and then ignored.
    optional("E", &["X", "U", "P", "F", "H"]),
    optional("RL", &["X", "O", "T", "W", "U"]),
    optional("RC", &["X", "U", "R", "C"]),
    optional("CR", XLMH),
    optional("IR", XLMH),
    optional("AR", XLMH),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MPR", XNLH),
    optional("MUI", &["X", "N", "R"]),
    optional("MS", &["X", "U", "C"]),
    optional("MC", XNLH),
    optional("MI", XNLH),
    optional("MA", XNLH),
];

/// The base score of the metrics after a `CVSS:3.x/` prefix.
pub(super) fn base_score(body: &str, version: CvssVersion) -> Result<f64, CvssError> {
    let found = parse_metrics(body, &METRICS, version)?;
    // parse_metrics has already reported any missing mandatory metric, so
    // the fallback only keeps this function free of panicking paths.
    let [
        Some(av),
        Some(ac),
        Some(pr),
        Some(ui),
        Some(s),
        Some(c),
        Some(i),
        Some(a),
        ..,
    ] = found
    else {
        return Err(CvssError::MissingMetric {
            version,
            metric: "AV",
        });
    };
    let scope_changed = s == "C";

    // Weights from the specification's table 16; parse_metrics admits only
    // the listed values, so each `_` arm is the one remaining value.
    let av: f64 = match av {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let ac: f64 = match ac {
        "L" => 0.77,
        _ => 0.44,
    };
    // When the impact escapes the vulnerable component's scope, the
    // privileges needed on that component count for less, hence the
    // higher PR weights under S:C.
    let pr: f64 = match (pr, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let ui: f64 = match ui {
        "N" => 0.85,
        _ => 0.62,
    };
    let cia = |value: &str| -> f64 {
        match value {
            "H" => 0.56,
            "L" => 0.22,
            _ => 0.0,
        }
    };

    let iss = 1.0 - ((1.0 - cia(c)) * (1.0 - cia(i)) * (1.0 - cia(a)));
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Ok(match version {
        CvssVersion::V3_0 => roundup_v30(raw),
        _ => roundup_v31(raw),
    })
}

/// v3.0's Roundup: the smallest one-decimal number not below the input.
fn roundup_v30(value: f64) -> f64 {
    (value * 10.0).ceil() / 10.0
}

/// v3.1's Roundup (specification appendix A): first round to five decimals
/// in integer arithmetic so that float noise such as 4.000000000000001 does
/// not push the result up a tenth.
fn roundup_v31(value: f64) -> f64 {
    // Scores are at most 10, so the product fits an i64 with room to spare.
    let int_input = (value * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) as f64 + 1.0) / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundup_definitions() {
        // The specification's own examples for Roundup.
        assert_eq!(roundup_v31(4.02), 4.1);
        assert_eq!(roundup_v31(4.00), 4.0);
        assert_eq!(roundup_v31(4.000_000_000_000_001), 4.0);
        assert_eq!(roundup_v30(4.000_000_000_000_001), 4.1);
        assert_eq!(roundup_v30(4.02), 4.1);
        assert_eq!(roundup_v30(4.0), 4.0);
    }

    #[test]
    fn base_metrics_only() {
        let score = |body| base_score(body, CvssVersion::V3_1).unwrap();
        assert_eq!(score("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
        assert_eq!(score("AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N"), 0.0);
    }

    #[test]
    fn temporal_and_environmental_metrics_do_not_change_the_base() {
        let with_extras = "AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/\
                           MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H";
        assert_eq!(base_score(with_extras, CvssVersion::V3_0).unwrap(), 9.3);
    }
}
