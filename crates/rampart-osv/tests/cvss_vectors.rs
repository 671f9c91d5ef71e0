//! CVSS scoring against published vector/score pairs, the shared OSV
//! fixtures, and malformed input.
//!
//! Every expected score below comes from a source other than this crate;
//! the comment above each group names it. All of them were also
//! cross-checked against Red Hat's `cvss` Python library (v3.6), whose
//! authors also maintain the JavaScript v4.0 calculator that FIRST hosts.

use std::path::Path;

use rampart_core::Severity;
use rampart_osv::cvss::{self, CvssError, CvssVersion};

/// Asserts each vector's score, reporting every mismatch at once.
fn check_all(cases: &[(&str, f64)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(vector, expected)| match cvss::parse_and_score(vector) {
            Ok(score) if score.base_score == expected => None,
            Ok(score) => Some(format!(
                "{vector}: expected {expected}, got {}",
                score.base_score
            )),
            Err(err) => Some(format!("{vector}: expected {expected}, got error {err}")),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors scored wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// CVSS v3.1.
const V3_1: &[(&str, f64)] = &[
    // FIRST, "CVSS v3.1 Examples" (the specification's worked examples).
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1), // CVE-2013-1937 phpMyAdmin XSS
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4), // CVE-2013-0375 MySQL
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1), // CVE-2014-3566 POODLE
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9), // CVE-2012-1516 VMware
    ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2), // CVE-2009-0783 Tomcat
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8), // CVE-2012-0384 Cisco IOS
    ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8), // CVE-2015-1098 iWork
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5), // CVE-2014-0160 Heartbleed
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8), // CVE-2014-6271 Shellshock
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8), // CVE-2008-1447 DNS
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8), // CVE-2014-2005 Sophos
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8), // CVE-2010-0467 Joomla
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8), // CVE-2012-1342 Cisco
    ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3), // CVE-2013-6014 Juniper
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4), // CVE-2014-9253 DokuWiki
    ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8), // CVE-2011-1265 Bluetooth
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6), // CVE-2014-2019 iOS
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8), // CVE-2015-0970 SearchBlox
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4), // CVE-2014-0224 OpenSSL CCS
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6), // CVE-2012-5376 Chrome
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8), // CVE-2016-0128 Badlock
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.5), // CVE-2016-2118 Samba
    // NVD entries.
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // CVE-2021-44228 Log4Shell
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0),  // CVE-2021-45046
    ("CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:N/A:N", 5.6),  // CVE-2017-5754 Meltdown
    ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),  // CVE-2021-3156 sudo
    // NVD via the Trivy SARIF fixture (interop/sarif/trivy-alpine-310.sarif).
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
    // Red Hat `cvss` test data (tests/vectors_simple31), covering the
    // scope-changed PR weights and low-impact corners.
    ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:L/I:L/A:L", 6.6),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:N/A:N", 4.1),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", 3.5),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:L/A:L", 9.9),
    ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N", 4.9),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:N/A:N", 6.8),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
];

/// CVSS v3.0: same equations as v3.1 except Roundup.
const V3_0: &[(&str, f64)] = &[
    // Red Hat `cvss` test data (tests/vectors_simple3).
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:L/A:N", 9.3),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", 7.3),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:L", 4.3),
    ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:L", 7.4),
    ("CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N", 4.6),
    ("CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:C/C:L/I:N/A:N", 4.1),
    ("CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:L/A:L", 6.0),
    ("CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:C/C:N/I:N/A:N", 0.0),
    // Red Hat `cvss` test data taken from FIRST's calculator
    // (tests/vectors_calculator3): metrics out of order, with temporal and
    // environmental metrics that must not change the base score.
    ("CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X", 3.8),
    (
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H",
        9.3,
    ),
    // NVD: CVE-2016-5195 (Dirty COW), scored under v3.0.
    ("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
];

/// CVSS v4.0. The score includes threat and environmental metrics when the
/// vector has them, as FIRST's calculator does.
const V4_0: &[(&str, f64)] = &[
    // Red Hat `cvss` test data (tests/vectors_simple4), base metrics only.
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L",
        9.2,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:H/SI:N/SA:L",
        7.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N",
        6.9,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:L/SA:H",
        7.9,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        8.6,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H",
        9.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N",
        2.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:L/VA:L/SC:L/SI:N/SA:N",
        1.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:P/VC:H/VI:L/VA:L/SC:L/SI:N/SA:L",
        5.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N",
        4.0,
    ),
    (
        "CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:P/VC:H/VI:H/VA:H/SC:H/SI:L/SA:H",
        8.8,
    ),
    (
        "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:L/SA:N",
        9.5,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N",
        4.1,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:N/SA:H",
        2.0,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:N/SA:L",
        1.0,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
        0.0,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H",
        7.2,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:N/VC:H/VI:H/VA:L/SC:H/SI:H/SA:L",
        7.1,
    ),
    // Red Hat `cvss` test data: threat (vectors_threat4), security
    // requirements (vectors_security4) and supplemental metrics
    // (vectors_supplemental4, which never change the score).
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A",
        7.3,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P",
        5.9,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U",
        4.1,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:H/AR:H",
        7.3,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:M/AR:L",
        7.1,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:M/IR:M/AR:M",
        5.5,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:L/IR:L/AR:L",
        5.4,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/CR:H/IR:H/AR:H",
        0.0,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:N/AU:N/R:A/V:D/RE:L/U:Clear",
        7.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/S:N/AU:Y/R:A/V:D/RE:L/U:Red",
        0.0,
    ),
    // Vectors from bug reports against the reference calculators, with the
    // score the maintainers settled on: x.x5 ties that float noise used to
    // round down (cvss-v4-calculator#48 and #66, cvss#58 and #63) and a
    // calculator regression (cvss-v4-calculator#53).
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H",
        8.6,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U",
        0.4,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:H/SI:H/SA:H/E:P",
        9.0,
    ),
    (
        "CVSS:4.0/AV:L/AC:H/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:N/SA:H/S:N/AU:N/R:I/V:C/RE:M/U:Green/MAV:A/MAC:L/MAT:N/MPR:N/MUI:N/MVC:H/MVI:N/MVA:H/MSC:H/MSI:H/MSA:H/CR:H/IR:M/AR:H/E:A",
        8.6,
    ),
    (
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:P/VC:N/VI:L/VA:H/SC:N/SI:L/SA:N/E:U/CR:H/IR:H/AR:H/MAV:L/MAC:H/MAT:P/MPR:L/MUI:P/MVC:L/MVI:L/MVA:L/MSC:L/MSI:L/MSA:S/S:N/AU:N/R:U/V:D/RE:L/U:Clear",
        1.0,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N",
        6.1,
    ),
    // The example in the reference calculator's documentation.
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A",
        8.7,
    ),
    // GitHub advisory database entries (scores shown beside the vector).
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        9.3,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
        8.7,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
        6.9,
    ),
];

/// CVSS v2.0.
const V2: &[(&str, f64)] = &[
    // NVD entries.
    ("AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0), // CVE-2014-0160 Heartbleed
    ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0), // CVE-2014-6271 Shellshock
    ("AV:L/AC:M/Au:N/C:C/I:N/A:N", 4.7), // CVE-2017-5754 Meltdown
    ("AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2), // CVE-2021-3156 sudo
    ("AV:N/AC:M/Au:N/C:C/I:C/A:C", 9.3), // CVE-2021-44228 Log4Shell
    ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
    ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
    ("AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0),
    ("AV:N/AC:L/Au:S/C:P/I:P/A:P", 6.5),
    // The parenthesised form NVD used to print.
    ("(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5),
    // Red Hat `cvss` test data (tests/vectors_simple2, vectors_calculator2),
    // the latter with temporal and environmental metrics.
    ("AV:L/AC:H/Au:M/C:N/I:N/A:P", 0.8),
    ("AV:L/AC:H/Au:M/C:C/I:C/A:C", 5.9),
    ("AV:L/AC:M/Au:S/C:P/I:P/A:P", 4.1),
    ("AV:A/AC:H/Au:N/C:P/I:C/A:C", 6.5),
    ("AV:L/AC:H/Au:M/C:N/I:N/A:N", 0.0),
    ("AV:A/AC:M/Au:S/C:N/I:N/A:P", 2.3),
    ("AV:A/AC:M/Au:N/C:C/I:N/A:P/E:POC/RL:W/RC:UC", 6.4),
    (
        "AV:A/AC:H/Au:S/C:N/I:P/A:P/E:POC/RL:OF/RC:C/CDP:LM/TD:M/CR:M/IR:L/AR:L",
        2.9,
    ),
];

#[test]
fn v3_1_scores() {
    check_all(V3_1);
}

#[test]
fn v3_0_scores() {
    check_all(V3_0);
}

#[test]
fn v4_0_scores() {
    check_all(V4_0);
}

#[test]
fn v2_scores() {
    check_all(V2);
}

#[test]
fn versions_are_recognised() {
    let version = |vector: &str| cvss::parse_and_score(vector).unwrap().version;
    assert_eq!(version(V2[0].0), CvssVersion::V2);
    assert_eq!(version(V3_0[0].0), CvssVersion::V3_0);
    assert_eq!(version(V3_1[0].0), CvssVersion::V3_1);
    assert_eq!(version(V4_0[0].0), CvssVersion::V4_0);
}

#[test]
fn vector_is_kept_trimmed_and_unwrapped() {
    let score = cvss::parse_and_score("  (AV:N/AC:L/Au:N/C:P/I:P/A:P)\n").unwrap();
    assert_eq!(score.vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
    let score = cvss::parse_and_score(" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ").unwrap();
    assert_eq!(score.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
}

#[test]
fn severities() {
    let check = |vector: &str, expected: Severity| {
        let score = cvss::parse_and_score(vector).unwrap();
        assert_eq!(cvss::severity(&score), expected, "{vector}");
    };
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        Severity::Critical,
    );
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
        Severity::High,
    );
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        Severity::Medium,
    );
    check(
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        Severity::Low,
    );
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N",
        Severity::Info,
    );
    check(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        Severity::Critical,
    );
    check(
        "CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/E:U",
        Severity::Low,
    );
    // v2 has no Critical and no None band: 10.0 is High, 0.0 is Low.
    check("AV:N/AC:L/Au:N/C:C/I:C/A:C", Severity::High);
    check("AV:N/AC:L/Au:N/C:P/I:P/A:P", Severity::High);
    check("AV:N/AC:L/Au:N/C:P/I:N/A:N", Severity::Medium);
    check("AV:L/AC:H/Au:M/C:N/I:N/A:P", Severity::Low);
    check("AV:L/AC:H/Au:M/C:N/I:N/A:N", Severity::Low);
}

/// Collects `(type, vector)` of every CVSS vector an OSV record carries:
/// its `severity` entries, top-level and per affected package, and the
/// `database_specific.cvss` string RustSec puts on affected packages (typed
/// here by its prefix).
fn cvss_entries(record: &serde_json::Value) -> Vec<(String, String)> {
    let affected: Vec<&serde_json::Value> = record
        .get("affected")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .collect();
    let severity_lists = record
        .get("severity")
        .into_iter()
        .chain(affected.iter().filter_map(|a| a.get("severity")));
    let mut entries: Vec<(String, String)> = severity_lists
        .filter_map(|list| list.as_array())
        .flatten()
        .filter_map(|entry| {
            Some((
                entry.get("type")?.as_str()?.to_string(),
                entry.get("score")?.as_str()?.to_string(),
            ))
        })
        .collect();
    for package in &affected {
        let Some(vector) = package
            .get("database_specific")
            .and_then(|d| d.get("cvss"))
            .and_then(|c| c.as_str())
        else {
            continue;
        };
        let kind = if vector.starts_with("CVSS:4") {
            "CVSS_V4"
        } else if vector.starts_with("CVSS:3") {
            "CVSS_V3"
        } else {
            "CVSS_V2"
        };
        entries.push((kind.to_string(), vector.to_string()));
    }
    entries
}

fn score_fixture_dir(dir: &Path) -> usize {
    let mut scored = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(record) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        for (kind, vector) in cvss_entries(&record) {
            let expected_versions: &[CvssVersion] = match kind.as_str() {
                "CVSS_V2" => &[CvssVersion::V2],
                "CVSS_V3" => &[CvssVersion::V3_0, CvssVersion::V3_1],
                "CVSS_V4" => &[CvssVersion::V4_0],
                // Ecosystem-specific ratings such as Ubuntu's "medium".
                _ => continue,
            };
            match cvss::parse_and_score(&vector) {
                Ok(score)
                    if expected_versions.contains(&score.version)
                        && (0.0..=10.0).contains(&score.base_score) =>
                {
                    scored += 1;
                }
                Ok(score) => failures.push(format!("{}: {vector}: {score:?}", path.display())),
                Err(err) => failures.push(format!("{}: {vector}: {err}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    scored
}

#[test]
fn every_fixture_vector_scores() {
    let Some(rustsec) = rampart_fixtures::sub("osv/rustsec") else {
        return;
    };
    let Some(interop) = rampart_fixtures::sub("interop/osv") else {
        return;
    };
    let scored = score_fixture_dir(&rustsec) + score_fixture_dir(&interop);
    // The fixtures hold a few hundred CVSS vectors; finding none would mean
    // the walk above stopped looking, not that all is well.
    assert!(
        scored > 100,
        "only {scored} CVSS vectors found in the fixtures"
    );
}

#[test]
fn malformed_vectors_are_errors() {
    let check = |vector: &str, expected: CvssError| {
        assert_eq!(cvss::parse_and_score(vector), Err(expected), "{vector:?}");
    };
    check("", CvssError::Empty);
    check("   ", CvssError::Empty);
    check(
        "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        CvssError::UnsupportedVersion("3.2".into()),
    );
    check(
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        CvssError::MissingMetric {
            version: CvssVersion::V3_1,
            metric: "A",
        },
    );
    check(
        "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        CvssError::DuplicateMetric {
            version: CvssVersion::V3_1,
            metric: "AV",
        },
    );
    check(
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        CvssError::InvalidValue {
            version: CvssVersion::V3_1,
            metric: "AV",
            value: "X".into(),
        },
    );
    check(
        "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N",
        CvssError::UnknownMetric {
            version: CvssVersion::V3_0,
            metric: "AT".into(),
        },
    );
    check(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:S",
        CvssError::InvalidValue {
            version: CvssVersion::V4_0,
            metric: "SA",
            value: "S".into(),
        },
    );
    check(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
        CvssError::MissingMetric {
            version: CvssVersion::V4_0,
            metric: "SA",
        },
    );
    check(
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/",
        CvssError::MalformedComponent(String::new()),
    );
    check(
        "AV:N/AC:L/Au:N/C:P/I:P",
        CvssError::MissingMetric {
            version: CvssVersion::V2,
            metric: "A",
        },
    );
    check(
        "(AV:N/AC:L/Au:N/C:P/I:P/A:P",
        CvssError::MalformedComponent("(AV:N/AC:L/Au:N/C:P/I:P/A:P".into()),
    );
    check(
        "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        CvssError::UnknownMetric {
            version: CvssVersion::V2,
            metric: "cvss".into(),
        },
    );

    // Beyond the exact errors above: inputs that must fail without a panic.
    let long = "A".repeat(100_000);
    let hostile = [
        "CVSS:",
        "CVSS:3.1",
        "CVSS:3.1/",
        "CVSS:4.0/",
        "CVSS:3.1//AV:N",
        "CVSS:3.1/AV",
        "CVSS:3.1/AV:",
        "CVSS:3.1/:N",
        "CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:clear",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSC:S",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/E:A",
        "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/AV:N",
        "()",
        "(",
        ")",
        "/",
        "//",
        ":",
        "AV:Ñ/AC:L/Au:N/C:P/I:P/A:P",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P\u{0}",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\u{202e}",
        "\u{feff}CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:９.０/AV:N",
        "critical",
        "9.8",
        &long,
    ];
    for vector in hostile {
        assert!(
            cvss::parse_and_score(vector).is_err(),
            "{:?} should not parse",
            vector.get(..80).unwrap_or(vector)
        );
    }
}

#[test]
fn errors_quote_hostile_input_briefly() {
    let long = format!("CVSS:3.1/AV:{}", "N".repeat(100_000));
    let message = cvss::parse_and_score(&long).unwrap_err().to_string();
    assert!(message.len() < 200, "{} bytes", message.len());
}
