//! CVSS v4.0 scores: the FIRST v4.0 specification's scoring algorithm.
//!
//! v4.0 has no closed formula. Every vector falls into a "macro vector" of
//! six equivalence classes (EQ1–EQ6) whose score experts fixed in a lookup
//! table; a vector is then placed between its macro vector's score and the
//! next lower macro vectors' scores according to its "severity distance"
//! from the most severe vectors of its macro vector. This module follows
//! the specification's reference calculator step for step, including the
//! order of floating-point operations, so that scores that land near a
//! rounding boundary round the same way as FIRST's.

use super::{CvssError, CvssVersion, MetricDef, mandatory, optional, parse_metrics};

const HLN: &[&str] = &["H", "L", "N"];
const XHML: &[&str] = &["X", "H", "M", "L"];
const XHLN: &[&str] = &["X", "H", "L", "N"];
const XSHLN: &[&str] = &["X", "S", "H", "L", "N"];

/// Base metrics first, then threat, environmental and supplemental, in
/// specification order; `Effective::from_metrics` relies on these positions.
const METRICS: [MetricDef; 32] = [
    mandatory("AV", &["N", "A", "L", "P"]),
    mandatory("AC", &["L", "H"]),
    mandatory("AT", &["N", "P"]),
    mandatory("PR", &["N", "L", "H"]),
    mandatory("UI", &["N", "P", "A"]),
    mandatory("VC", HLN),
    mandatory("VI", HLN),
    mandatory("VA", HLN),
    mandatory("SC", HLN),
    mandatory("SI", HLN),
    mandatory("SA", HLN),
    optional("E", &["X", "A", "P", "U"]),
    optional("CR", XHML),
    optional("IR", XHML),
    optional("AR", XHML),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MAT", &["X", "N", "P"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "P", "A"]),
    optional("MVC", XHLN),
    optional("MVI", XHLN),
    optional("MVA", XHLN),
    optional("MSC", XHLN),
    optional("MSI", XSHLN),
    optional("MSA", XSHLN),
    // Supplemental metrics never affect the score.
    optional("S", &["X", "N", "P"]),
    optional("AU", &["X", "N", "Y"]),
    optional("R", &["X", "A", "U", "I"]),
    optional("V", &["X", "D", "C"]),
    optional("RE", &["X", "L", "M", "H"]),
    optional("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

const E: usize = 11;
const CR: usize = 12;
const IR: usize = 13;
const AR: usize = 14;
/// The modified metric of base metric `i` sits at `FIRST_MODIFIED + i`.
const FIRST_MODIFIED: usize = 15;

/// The metric values that scoring uses, after the specification's
/// substitutions: a modified metric replaces its base metric unless it is
/// `X`, and an absent (or `X`) E, CR, IR or AR counts as its worst case
/// (E:A, CR/IR/AR:H).
#[derive(Debug, Clone, Copy)]
struct Effective {
    av: &'static str,
    ac: &'static str,
    at: &'static str,
    pr: &'static str,
    ui: &'static str,
    vc: &'static str,
    vi: &'static str,
    va: &'static str,
    sc: &'static str,
    si: &'static str,
    sa: &'static str,
    e: &'static str,
    cr: &'static str,
    ir: &'static str,
    ar: &'static str,
}

impl Effective {
    fn from_metrics(found: &[Option<&'static str>; 32]) -> Self {
        let base = |index: usize| match found[FIRST_MODIFIED + index] {
            Some(modified) if modified != "X" => modified,
            // Mandatory metrics are present after parse_metrics; "N" only
            // keeps this free of panicking paths.
            _ => found[index].unwrap_or("N"),
        };
        let defaulted = |index: usize, worst: &'static str| match found[index] {
            Some(value) if value != "X" => value,
            _ => worst,
        };
        Effective {
            av: base(0),
            ac: base(1),
            at: base(2),
            pr: base(3),
            ui: base(4),
            vc: base(5),
            vi: base(6),
            va: base(7),
            sc: base(8),
            si: base(9),
            sa: base(10),
            e: defaulted(E, "A"),
            cr: defaulted(CR, "H"),
            ir: defaulted(IR, "H"),
            ar: defaulted(AR, "H"),
        }
    }

    /// The macro vector: EQ1 to EQ6 as in the specification's tables 24–29.
    fn macro_vector(&self) -> MacroVector {
        let eq1 = if self.av == "N" && self.pr == "N" && self.ui == "N" {
            0
        } else if (self.av == "N" || self.pr == "N" || self.ui == "N") && self.av != "P" {
            1
        } else {
            2
        };
        let eq2 = if self.ac == "L" && self.at == "N" {
            0
        } else {
            1
        };
        let eq3 = if self.vc == "H" && self.vi == "H" {
            0
        } else if self.vc == "H" || self.vi == "H" || self.va == "H" {
            1
        } else {
            2
        };
        // Only MSI/MSA can take the value S (safety), so S here means the
        // environmental metrics raised the subsequent-system impact.
        let eq4 = if self.si == "S" || self.sa == "S" {
            0
        } else if self.sc == "H" || self.si == "H" || self.sa == "H" {
            1
        } else {
            2
        };
        let eq5 = match self.e {
            "A" => 0,
            "P" => 1,
            _ => 2,
        };
        let eq6 = if (self.cr == "H" && self.vc == "H")
            || (self.ir == "H" && self.vi == "H")
            || (self.ar == "H" && self.va == "H")
        {
            0
        } else {
            1
        };
        MacroVector([eq1, eq2, eq3, eq4, eq5, eq6])
    }
}

/// Levels per EQ, each 0 (most severe) to 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MacroVector([u8; 6]);

impl MacroVector {
    fn key(self) -> [u8; 6] {
        self.0.map(|level| b'0' + level)
    }

    /// This macro vector with EQ `index` (0-based) one level less severe.
    fn lowered(self, index: usize) -> MacroVector {
        let mut levels = self.0;
        levels[index] += 1;
        MacroVector(levels)
    }

    fn score(self) -> Option<f64> {
        lookup(self.key())
    }
}

/// The score of the metrics after a `CVSS:4.0/` prefix.
pub(super) fn score(body: &str) -> Result<f64, CvssError> {
    let found = parse_metrics(body, &METRICS, CvssVersion::V4_0)?;
    Ok(score_effective(&Effective::from_metrics(&found)))
}

fn score_effective(m: &Effective) -> f64 {
    // No impact on any system: the specification scores this 0 outright.
    if [m.vc, m.vi, m.va, m.sc, m.si, m.sa]
        .iter()
        .all(|&v| v == "N")
    {
        return 0.0;
    }
    let macro_vector = m.macro_vector();
    let [eq1, eq2, eq3, eq4, _eq5, eq6] = macro_vector.0;
    let Some(value) = macro_vector.score() else {
        // Unreachable: every macro vector that can arise is in the table
        // (EQ3 = 2 forces EQ6 = 1, the only combination left out).
        return 0.0;
    };

    // The next lower macro vector along each EQ; None where the EQ is
    // already at its least severe level. EQ3 and EQ6 are lowered together
    // because the table is built over their joint levels.
    let eq1_lower = macro_vector.lowered(0).score();
    let eq2_lower = macro_vector.lowered(1).score();
    let eq3eq6_lower = match (eq3, eq6) {
        (0, 0) => {
            let left = macro_vector.lowered(5).score();
            let right = macro_vector.lowered(2).score();
            match (left, right) {
                (Some(left), Some(right)) => Some(left.max(right)),
                _ => None,
            }
        }
        (1, 0) => macro_vector.lowered(5).score(),
        (0 | 1, 1) => macro_vector.lowered(2).score(),
        _ => None,
    };
    let eq4_lower = macro_vector.lowered(3).score();
    let eq5_lower = macro_vector.lowered(4).score();

    let distances = severity_distances(m, macro_vector);
    let current_eq1 = distances.av + distances.pr + distances.ui;
    let current_eq2 = distances.ac + distances.at;
    let current_eq3eq6 =
        distances.vc + distances.vi + distances.va + distances.cr + distances.ir + distances.ar;
    let current_eq4 = distances.sc + distances.si + distances.sa;

    const STEP: f64 = 0.1;
    let max_severity_eq1 = f64::from(max_severity_eq1(eq1)) * STEP;
    let max_severity_eq2 = f64::from(max_severity_eq2(eq2)) * STEP;
    let max_severity_eq3eq6 = f64::from(max_severity_eq3eq6(eq3, eq6)) * STEP;
    let max_severity_eq4 = f64::from(max_severity_eq4(eq4)) * STEP;

    let mut lower_count = 0u32;
    let mut proportional = |lower: Option<f64>, current: f64, max_severity: f64| match lower {
        Some(lower) => {
            lower_count += 1;
            let available = value - lower;
            available * (current / max_severity)
        }
        None => 0.0,
    };
    let normalized_eq1 = proportional(eq1_lower, current_eq1, max_severity_eq1);
    let normalized_eq2 = proportional(eq2_lower, current_eq2, max_severity_eq2);
    let normalized_eq3eq6 = proportional(eq3eq6_lower, current_eq3eq6, max_severity_eq3eq6);
    let normalized_eq4 = proportional(eq4_lower, current_eq4, max_severity_eq4);
    // EQ5 has a single value per level, so a vector is never any distance
    // from its maximum; it still counts towards the mean when a lower
    // macro vector exists, as in the reference calculator.
    let normalized_eq5 = proportional(eq5_lower, 0.0, 1.0);

    let mean_distance = if lower_count == 0 {
        0.0
    } else {
        (normalized_eq1 + normalized_eq2 + normalized_eq3eq6 + normalized_eq4 + normalized_eq5)
            / f64::from(lower_count)
    };
    round_half_up((value - mean_distance).clamp(0.0, 10.0))
}

/// Rounds to one decimal, ties up. The interpolation above runs in binary
/// floating point, so a score that is exactly x.x5 in decimal often arrives
/// as x.x4999999999999; the reference calculator (since its November 2024
/// fix) and Red Hat's Python reference library lift the value by 1e-6
/// before rounding so that such ties still round up, and we do the same.
fn round_half_up(score: f64) -> f64 {
    const EPSILON: f64 = 1e-6;
    ((score + EPSILON) * 10.0).round() / 10.0
}

/// Per-metric distances of a vector from a most severe vector of its macro
/// vector, in units of 0.1 per level as the reference calculator counts.
#[derive(Debug, Clone, Copy)]
struct Distances {
    av: f64,
    pr: f64,
    ui: f64,
    ac: f64,
    at: f64,
    vc: f64,
    vi: f64,
    va: f64,
    sc: f64,
    si: f64,
    sa: f64,
    cr: f64,
    ir: f64,
    ar: f64,
}

impl Distances {
    fn all_non_negative(&self) -> bool {
        [
            self.av, self.pr, self.ui, self.ac, self.at, self.vc, self.vi, self.va, self.sc,
            self.si, self.sa, self.cr, self.ir, self.ar,
        ]
        .iter()
        .all(|&d| d >= 0.0)
    }
}

/// A most severe vector of a macro vector, as far as the metrics the
/// distance uses (E contributes nothing: all of an EQ5 level share E).
#[derive(Debug, Clone, Copy)]
struct MaxVector {
    eq1: [&'static str; 3],
    eq2: [&'static str; 2],
    eq3eq6: [&'static str; 6],
    eq4: [&'static str; 3],
}

/// The distances from the first of the macro vector's most severe vectors
/// that the vector does not exceed in any metric.
fn severity_distances(m: &Effective, macro_vector: MacroVector) -> Distances {
    let [eq1, eq2, eq3, eq4, _eq5, eq6] = macro_vector.0;
    let mut last = None;
    for &eq1_max in max_composed_eq1(eq1) {
        for &eq2_max in max_composed_eq2(eq2) {
            for &eq3eq6_max in max_composed_eq3eq6(eq3, eq6) {
                let max = MaxVector {
                    eq1: eq1_max,
                    eq2: eq2_max,
                    eq3eq6: eq3eq6_max,
                    eq4: max_composed_eq4(eq4),
                };
                let distances = distances_from(m, &max);
                if distances.all_non_negative() {
                    return distances;
                }
                last = Some(distances);
            }
        }
    }
    // The reference calculator keeps the distances of the last candidate
    // when none fits; with valid metrics one always fits.
    last.unwrap_or_else(|| {
        distances_from(
            m,
            &MaxVector {
                eq1: ["N", "N", "N"],
                eq2: ["L", "N"],
                eq3eq6: ["H", "H", "H", "H", "H", "H"],
                eq4: ["H", "S", "S"],
            },
        )
    })
}

fn distances_from(m: &Effective, max: &MaxVector) -> Distances {
    let [max_av, max_pr, max_ui] = max.eq1;
    let [max_ac, max_at] = max.eq2;
    let [max_vc, max_vi, max_va, max_cr, max_ir, max_ar] = max.eq3eq6;
    let [max_sc, max_si, max_sa] = max.eq4;
    Distances {
        av: level_av(m.av) - level_av(max_av),
        pr: level_pr(m.pr) - level_pr(max_pr),
        ui: level_ui(m.ui) - level_ui(max_ui),
        ac: level_ac(m.ac) - level_ac(max_ac),
        at: level_at(m.at) - level_at(max_at),
        vc: level_impact(m.vc) - level_impact(max_vc),
        vi: level_impact(m.vi) - level_impact(max_vi),
        va: level_impact(m.va) - level_impact(max_va),
        sc: level_subsequent(m.sc) - level_subsequent(max_sc),
        si: level_subsequent(m.si) - level_subsequent(max_si),
        sa: level_subsequent(m.sa) - level_subsequent(max_sa),
        cr: level_requirement(m.cr) - level_requirement(max_cr),
        ir: level_requirement(m.ir) - level_requirement(max_ir),
        ar: level_requirement(m.ar) - level_requirement(max_ar),
    }
}

// Severity levels: 0.0 is the most severe value of each metric, each step
// 0.1 less severe. The `_` arms are the one value left after validation.

fn level_av(value: &str) -> f64 {
    match value {
        "N" => 0.0,
        "A" => 0.1,
        "L" => 0.2,
        _ => 0.3,
    }
}

fn level_pr(value: &str) -> f64 {
    match value {
        "N" => 0.0,
        "L" => 0.1,
        _ => 0.2,
    }
}

fn level_ui(value: &str) -> f64 {
    match value {
        "N" => 0.0,
        "P" => 0.1,
        _ => 0.2,
    }
}

fn level_ac(value: &str) -> f64 {
    match value {
        "L" => 0.0,
        _ => 0.1,
    }
}

fn level_at(value: &str) -> f64 {
    match value {
        "N" => 0.0,
        _ => 0.1,
    }
}

fn level_impact(value: &str) -> f64 {
    match value {
        "H" => 0.0,
        "L" => 0.1,
        _ => 0.2,
    }
}

/// SC, SI and SA: S (safety, reachable only through MSI/MSA) ranks above H.
fn level_subsequent(value: &str) -> f64 {
    match value {
        "S" => 0.0,
        "H" => 0.1,
        "L" => 0.2,
        _ => 0.3,
    }
}

fn level_requirement(value: &str) -> f64 {
    match value {
        "H" => 0.0,
        "M" => 0.1,
        _ => 0.2,
    }
}

// The most severe vectors of each EQ level ("max_composed" in the
// reference calculator), tried in this order.

/// AV, PR, UI.
fn max_composed_eq1(eq1: u8) -> &'static [[&'static str; 3]] {
    match eq1 {
        0 => &[["N", "N", "N"]],
        1 => &[["A", "N", "N"], ["N", "L", "N"], ["N", "N", "P"]],
        _ => &[["P", "N", "N"], ["A", "L", "P"]],
    }
}

/// AC, AT.
fn max_composed_eq2(eq2: u8) -> &'static [[&'static str; 2]] {
    match eq2 {
        0 => &[["L", "N"]],
        _ => &[["H", "N"], ["L", "P"]],
    }
}

/// VC, VI, VA, CR, IR, AR.
fn max_composed_eq3eq6(eq3: u8, eq6: u8) -> &'static [[&'static str; 6]] {
    match (eq3, eq6) {
        (0, 0) => &[["H", "H", "H", "H", "H", "H"]],
        (0, _) => &[
            ["H", "H", "L", "M", "M", "H"],
            ["H", "H", "H", "M", "M", "M"],
        ],
        (1, 0) => &[
            ["L", "H", "H", "H", "H", "H"],
            ["H", "L", "H", "H", "H", "H"],
        ],
        (1, _) => &[
            ["L", "H", "L", "H", "M", "H"],
            ["L", "H", "H", "H", "M", "M"],
            ["H", "L", "H", "M", "H", "M"],
            ["H", "L", "L", "M", "H", "H"],
            ["L", "L", "H", "H", "H", "M"],
        ],
        _ => &[["L", "L", "L", "H", "H", "H"]],
    }
}

/// SC, SI, SA.
fn max_composed_eq4(eq4: u8) -> [&'static str; 3] {
    match eq4 {
        0 => ["H", "S", "S"],
        1 => ["H", "H", "H"],
        _ => ["L", "L", "L"],
    }
}

// The depth of each EQ level in severity steps, plus one ("max_severity"
// in the reference calculator).

fn max_severity_eq1(eq1: u8) -> u8 {
    match eq1 {
        0 => 1,
        1 => 4,
        _ => 5,
    }
}

fn max_severity_eq2(eq2: u8) -> u8 {
    match eq2 {
        0 => 1,
        _ => 2,
    }
}

fn max_severity_eq3eq6(eq3: u8, eq6: u8) -> u8 {
    match (eq3, eq6) {
        (0, 0) => 7,
        (0, _) => 6,
        (1, _) => 8,
        _ => 10,
    }
}

fn max_severity_eq4(eq4: u8) -> u8 {
    match eq4 {
        0 => 6,
        1 => 5,
        _ => 4,
    }
}

/// The score of a macro vector (digits EQ1–EQ6), from the specification's
/// lookup table.
fn lookup(key: [u8; 6]) -> Option<f64> {
    MACRO_VECTOR_SCORES
        .binary_search_by(|(candidate, _)| candidate.cmp(&key))
        .ok()
        .map(|index| MACRO_VECTOR_SCORES[index].1)
}

/// The CVSS v4.0 macro vector scores, sorted by macro vector. Data
/// published with the specification (the reference calculator's
/// `cvss_lookup.js`); the 54 combinations with EQ3 = 2 and EQ6 = 0 cannot
/// occur and are absent.
#[rustfmt::skip]
static MACRO_VECTOR_SCORES: [([u8; 6], f64); 270] = [
    (*b"000000", 10.0), (*b"000001", 9.9), (*b"000010", 9.8), (*b"000011", 9.5), (*b"000020", 9.5), (*b"000021", 9.2),
    (*b"000100", 10.0), (*b"000101", 9.6), (*b"000110", 9.3), (*b"000111", 8.7), (*b"000120", 9.1), (*b"000121", 8.1),
    (*b"000200", 9.3), (*b"000201", 9.0), (*b"000210", 8.9), (*b"000211", 8.0), (*b"000220", 8.1), (*b"000221", 6.8),
    (*b"001000", 9.8), (*b"001001", 9.5), (*b"001010", 9.5), (*b"001011", 9.2), (*b"001020", 9.0), (*b"001021", 8.4),
    (*b"001100", 9.3), (*b"001101", 9.2), (*b"001110", 8.9), (*b"001111", 8.1), (*b"001120", 8.1), (*b"001121", 6.5),
    (*b"001200", 8.8), (*b"001201", 8.0), (*b"001210", 7.8), (*b"001211", 7.0), (*b"001220", 6.9), (*b"001221", 4.8),
    (*b"002001", 9.2), (*b"002011", 8.2), (*b"002021", 7.2), (*b"002101", 7.9), (*b"002111", 6.9), (*b"002121", 5.0),
    (*b"002201", 6.9), (*b"002211", 5.5), (*b"002221", 2.7), (*b"010000", 9.9), (*b"010001", 9.7), (*b"010010", 9.5),
    (*b"010011", 9.2), (*b"010020", 9.2), (*b"010021", 8.5), (*b"010100", 9.5), (*b"010101", 9.1), (*b"010110", 9.0),
    (*b"010111", 8.3), (*b"010120", 8.4), (*b"010121", 7.1), (*b"010200", 9.2), (*b"010201", 8.1), (*b"010210", 8.2),
    (*b"010211", 7.1), (*b"010220", 7.2), (*b"010221", 5.3), (*b"011000", 9.5), (*b"011001", 9.3), (*b"011010", 9.2),
    (*b"011011", 8.5), (*b"011020", 8.5), (*b"011021", 7.3), (*b"011100", 9.2), (*b"011101", 8.2), (*b"011110", 8.0),
    (*b"011111", 7.2), (*b"011120", 7.0), (*b"011121", 5.9), (*b"011200", 8.4), (*b"011201", 7.0), (*b"011210", 7.1),
    (*b"011211", 5.2), (*b"011220", 5.0), (*b"011221", 3.0), (*b"012001", 8.6), (*b"012011", 7.5), (*b"012021", 5.2),
    (*b"012101", 7.1), (*b"012111", 5.2), (*b"012121", 2.9), (*b"012201", 6.3), (*b"012211", 2.9), (*b"012221", 1.7),
    (*b"100000", 9.8), (*b"100001", 9.5), (*b"100010", 9.4), (*b"100011", 8.7), (*b"100020", 9.1), (*b"100021", 8.1),
    (*b"100100", 9.4), (*b"100101", 8.9), (*b"100110", 8.6), (*b"100111", 7.4), (*b"100120", 7.7), (*b"100121", 6.4),
    (*b"100200", 8.7), (*b"100201", 7.5), (*b"100210", 7.4), (*b"100211", 6.3), (*b"100220", 6.3), (*b"100221", 4.9),
    (*b"101000", 9.4), (*b"101001", 8.9), (*b"101010", 8.8), (*b"101011", 7.7), (*b"101020", 7.6), (*b"101021", 6.7),
    (*b"101100", 8.6), (*b"101101", 7.6), (*b"101110", 7.4), (*b"101111", 5.8), (*b"101120", 5.9), (*b"101121", 5.0),
    (*b"101200", 7.2), (*b"101201", 5.7), (*b"101210", 5.7), (*b"101211", 5.2), (*b"101220", 5.2), (*b"101221", 2.5),
    (*b"102001", 8.3), (*b"102011", 7.0), (*b"102021", 5.4), (*b"102101", 6.5), (*b"102111", 5.8), (*b"102121", 2.6),
    (*b"102201", 5.3), (*b"102211", 2.1), (*b"102221", 1.3), (*b"110000", 9.5), (*b"110001", 9.0), (*b"110010", 8.8),
    (*b"110011", 7.6), (*b"110020", 7.6), (*b"110021", 7.0), (*b"110100", 9.0), (*b"110101", 7.7), (*b"110110", 7.5),
    (*b"110111", 6.2), (*b"110120", 6.1), (*b"110121", 5.3), (*b"110200", 7.7), (*b"110201", 6.6), (*b"110210", 6.8),
    (*b"110211", 5.9), (*b"110220", 5.2), (*b"110221", 3.0), (*b"111000", 8.9), (*b"111001", 7.8), (*b"111010", 7.6),
    (*b"111011", 6.7), (*b"111020", 6.2), (*b"111021", 5.8), (*b"111100", 7.4), (*b"111101", 5.9), (*b"111110", 5.7),
    (*b"111111", 5.7), (*b"111120", 4.7), (*b"111121", 2.3), (*b"111200", 6.1), (*b"111201", 5.2), (*b"111210", 5.7),
    (*b"111211", 2.9), (*b"111220", 2.4), (*b"111221", 1.6), (*b"112001", 7.1), (*b"112011", 5.9), (*b"112021", 3.0),
    (*b"112101", 5.8), (*b"112111", 2.6), (*b"112121", 1.5), (*b"112201", 2.3), (*b"112211", 1.3), (*b"112221", 0.6),
    (*b"200000", 9.3), (*b"200001", 8.7), (*b"200010", 8.6), (*b"200011", 7.2), (*b"200020", 7.5), (*b"200021", 5.8),
    (*b"200100", 8.6), (*b"200101", 7.4), (*b"200110", 7.4), (*b"200111", 6.1), (*b"200120", 5.6), (*b"200121", 3.4),
    (*b"200200", 7.0), (*b"200201", 5.4), (*b"200210", 5.2), (*b"200211", 4.0), (*b"200220", 4.0), (*b"200221", 2.2),
    (*b"201000", 8.5), (*b"201001", 7.5), (*b"201010", 7.4), (*b"201011", 5.5), (*b"201020", 6.2), (*b"201021", 5.1),
    (*b"201100", 7.2), (*b"201101", 5.7), (*b"201110", 5.5), (*b"201111", 4.1), (*b"201120", 4.6), (*b"201121", 1.9),
    (*b"201200", 5.3), (*b"201201", 3.6), (*b"201210", 3.4), (*b"201211", 1.9), (*b"201220", 1.9), (*b"201221", 0.8),
    (*b"202001", 6.4), (*b"202011", 5.1), (*b"202021", 2.0), (*b"202101", 4.7), (*b"202111", 2.1), (*b"202121", 1.1),
    (*b"202201", 2.4), (*b"202211", 0.9), (*b"202221", 0.4), (*b"210000", 8.8), (*b"210001", 7.5), (*b"210010", 7.3),
    (*b"210011", 5.3), (*b"210020", 6.0), (*b"210021", 5.0), (*b"210100", 7.3), (*b"210101", 5.5), (*b"210110", 5.9),
    (*b"210111", 4.0), (*b"210120", 4.1), (*b"210121", 2.0), (*b"210200", 5.4), (*b"210201", 4.3), (*b"210210", 4.5),
    (*b"210211", 2.2), (*b"210220", 2.0), (*b"210221", 1.1), (*b"211000", 7.5), (*b"211001", 5.5), (*b"211010", 5.8),
    (*b"211011", 4.5), (*b"211020", 4.0), (*b"211021", 2.1), (*b"211100", 6.1), (*b"211101", 5.1), (*b"211110", 4.8),
    (*b"211111", 1.8), (*b"211120", 2.0), (*b"211121", 0.9), (*b"211200", 4.6), (*b"211201", 1.8), (*b"211210", 1.7),
    (*b"211211", 0.7), (*b"211220", 0.8), (*b"211221", 0.2), (*b"212001", 5.3), (*b"212011", 2.4), (*b"212021", 1.4),
    (*b"212101", 2.4), (*b"212111", 1.2), (*b"212121", 0.5), (*b"212201", 1.0), (*b"212211", 0.3), (*b"212221", 0.1),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_covers_every_reachable_macro_vector() {
        assert!(MACRO_VECTOR_SCORES.windows(2).all(|w| w[0].0 < w[1].0));
        let mut count = 0;
        for eq1 in 0..3 {
            for eq2 in 0..2 {
                for eq3 in 0..3 {
                    for eq4 in 0..3 {
                        for eq5 in 0..3 {
                            for eq6 in 0..2 {
                                let mv = MacroVector([eq1, eq2, eq3, eq4, eq5, eq6]);
                                let reachable = !(eq3 == 2 && eq6 == 0);
                                assert_eq!(mv.score().is_some(), reachable, "{:?}", mv.key());
                                count += usize::from(reachable);
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(count, MACRO_VECTOR_SCORES.len());
        assert!(
            MACRO_VECTOR_SCORES
                .iter()
                .all(|(_, score)| (0.0..=10.0).contains(score))
        );
    }

    fn effective(body: &str) -> Effective {
        let found = parse_metrics(body, &METRICS, CvssVersion::V4_0).unwrap();
        Effective::from_metrics(&found)
    }

    #[test]
    fn metric_positions() {
        const BASE_COUNT: usize = 11;
        for (index, base) in METRICS[..BASE_COUNT].iter().enumerate() {
            assert!(base.mandatory);
            assert_eq!(
                METRICS[FIRST_MODIFIED + index].name,
                format!("M{}", base.name)
            );
        }
        assert_eq!(METRICS[E].name, "E");
        assert_eq!(
            [METRICS[CR].name, METRICS[IR].name, METRICS[AR].name],
            ["CR", "IR", "AR"]
        );
    }

    #[test]
    fn ties_round_up_despite_float_noise() {
        // 8.6 - 7.15 is 1.4499999999999993 in f64.
        assert_eq!(round_half_up(8.6 - 7.15), 1.5);
        assert_eq!(round_half_up(5.12345), 5.1);
        assert_eq!(round_half_up(10.0), 10.0);
        assert_eq!(round_half_up(0.0), 0.0);
    }

    #[test]
    fn macro_vectors() {
        let check = |body: &str, expected: &[u8; 6]| {
            let key = effective(body).macro_vector().key();
            assert_eq!(
                String::from_utf8_lossy(&key),
                String::from_utf8_lossy(expected),
                "{body}"
            );
        };
        check(
            "AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            b"000100",
        );
        check(
            "AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
            b"212201",
        );
        check(
            "AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:N/SC:L/SI:N/SA:N/E:P",
            b"101210",
        );
        // Modified metrics win over base metrics; MSI:S reaches EQ4 level 0.
        check(
            "AV:P/AC:H/AT:P/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MAV:N/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:H/MVA:H/MSI:S",
            b"000000",
        );
        // CR/IR/AR at L keep EQ6 at 1 despite high impacts.
        check(
            "AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:L/IR:L/AR:L",
            b"000201",
        );
    }
}
