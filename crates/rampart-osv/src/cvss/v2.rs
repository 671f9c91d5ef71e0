//! CVSS v2.0 base scores (FIRST/NVD v2 guide, section 3.2.1).

use super::{CvssError, CvssVersion, MetricDef, mandatory, optional, parse_metrics};

const NPC: &[&str] = &["N", "P", "C"];
const LMH_ND: &[&str] = &["L", "M", "H", "ND"];

/// Base metrics first: `base_score` destructures the first six by position.
const METRICS: [MetricDef; 14] = [
    mandatory("AV", &["L", "A", "N"]),
    mandatory("AC", &["H", "M", "L"]),
    mandatory("Au", &["M", "S", "N"]),
    mandatory("C", NPC),
    mandatory("I", NPC),
    mandatory("A", NPC),
    // Temporal and environmental metrics are validated, not scored.
    optional("E", &["U", "POC", "F", "H", "ND"]),
    optional("RL", &["OF", "TF", "W", "U", "ND"]),
    optional("RC", &["UC", "UR", "C", "ND"]),
    optional("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    optional("TD", &["N", "L", "M", "H", "ND"]),
    optional("CR", LMH_ND),
    optional("IR", LMH_ND),
    optional("AR", LMH_ND),
];

/// The base score of a prefix-less v2 vector.
pub(super) fn base_score(body: &str) -> Result<f64, CvssError> {
    let version = CvssVersion::V2;
    let found = parse_metrics(body, &METRICS, version)?;
    let [Some(av), Some(ac), Some(au), Some(c), Some(i), Some(a), ..] = found else {
        // Unreachable: parse_metrics reports missing mandatory metrics.
        return Err(CvssError::MissingMetric {
            version,
            metric: "AV",
        });
    };

    // parse_metrics admits only the listed values, so each `_` arm is the
    // one remaining value.
    let av: f64 = match av {
        "L" => 0.395,
        "A" => 0.646,
        _ => 1.0,
    };
    let ac: f64 = match ac {
        "H" => 0.35,
        "M" => 0.61,
        _ => 0.71,
    };
    let au: f64 = match au {
        "M" => 0.45,
        "S" => 0.56,
        _ => 0.704,
    };
    let cia = |value: &str| -> f64 {
        match value {
            "N" => 0.0,
            "P" => 0.275,
            _ => 0.660,
        }
    };

    let impact = 10.41 * (1.0 - (1.0 - cia(c)) * (1.0 - cia(i)) * (1.0 - cia(a)));
    // f(Impact) = 0 makes the whole product zero; answering early also
    // avoids the -0.0 that the literal formula yields.
    if impact == 0.0 {
        return Ok(0.0);
    }
    let exploitability = 20.0 * av * ac * au;
    let raw = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * 1.176;
    Ok((raw * 10.0).round() / 10.0)
}
