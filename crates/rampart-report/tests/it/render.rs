//! Snapshots of every format, and determinism.

use rampart_report::{Format, ScanReport, render};

use crate::sample;

fn rendered(format: Format, report: &ScanReport) -> String {
    let mut out = Vec::new();
    render(format, report, &mut out, false).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("renderers write UTF-8")
}

#[test]
fn table() {
    insta::assert_snapshot!(rendered(Format::Table, &sample::report()));
}

#[test]
fn table_in_colour() {
    let mut out = Vec::new();
    render(Format::Table, &sample::report(), &mut out, true).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\u{1b}[31mcritical"), "{text}");
    assert_eq!(
        strip_ansi(&text),
        rendered(Format::Table, &sample::report())
    );
}

#[test]
fn table_when_clean() {
    let mut report = sample::report();
    report.findings.clear();
    report.ignored.clear();
    report.errors.clear();
    report.skipped.clear();
    report.expired_ignores.clear();
    report.components.retain(|c| c.version.exact().is_some());
    report.database.as_mut().unwrap().age_days = Some(1);
    insta::assert_snapshot!(rendered(Format::Table, &report), @"No vulnerabilities found in 5 packages from 3 files.");
}

#[test]
fn json() {
    insta::assert_snapshot!(rendered(Format::Json, &sample::report()));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(rendered(Format::Sarif, &sample::report()));
}

#[test]
fn cyclonedx() {
    insta::assert_snapshot!(rendered(Format::CycloneDx, &sample::report()));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(rendered(Format::Markdown, &sample::report()));
}

#[test]
fn markdown_when_clean() {
    let report = ScanReport::new("0.1.0", ".");
    insta::assert_snapshot!(rendered(Format::Markdown, &report), @r"
    ## Rampart: no vulnerabilities found

    Scanned 0 packages from 0 files.
    ");
}

#[test]
fn machine_formats_parse_as_json() {
    for format in [Format::Json, Format::Sarif, Format::CycloneDx] {
        let text = rendered(format, &sample::report());
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("{format} is not JSON: {e}"));
        assert!(text.ends_with("}\n"), "{format} ends with one newline");
    }
}

#[test]
fn output_is_deterministic_whatever_the_input_order() {
    let forward = sample::report_with(vec![
        sample::smallvec(),
        sample::lodash(),
        sample::requests(),
    ]);
    let mut shuffled = sample::report_with(vec![
        sample::requests(),
        sample::smallvec(),
        sample::lodash(),
    ]);
    shuffled.components.reverse();
    shuffled.scanned_files.reverse();
    for format in Format::ALL {
        let first = rendered(format, &forward);
        assert_eq!(first, rendered(format, &forward), "{format} twice");
        assert_eq!(first, rendered(format, &shuffled), "{format} shuffled");
    }
}

#[test]
fn cyclonedx_serial_number_follows_content() {
    let serial = |report: &ScanReport| {
        let bom: serde_json::Value =
            serde_json::from_str(&rendered(Format::CycloneDx, report)).unwrap();
        bom["serialNumber"].as_str().unwrap().to_string()
    };
    let a = serial(&sample::report());
    let b = serial(&sample::report_with(vec![sample::smallvec()]));
    assert_ne!(a, b);
    let uuid = a.strip_prefix("urn:uuid:").unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "version nibble");
    assert!("89ab".contains(&uuid[19..20]), "variant nibble");
}

#[test]
fn hostile_text_stays_inert() {
    let mut finding = sample::smallvec();
    finding.title = "evil\u{1b}[2J title\nwith | pipes <b>and</b> `ticks` @octocat".into();
    finding.location.path = "odd dir/Cargo.lock".into();
    let report = sample::report_with(vec![finding]);
    let table = rendered(Format::Table, &report);
    assert!(!table.contains('\u{1b}'), "{table}");
    let markdown = rendered(Format::Markdown, &report);
    assert!(
        markdown.contains("\\| pipes &lt;b&gt;and&lt;/b&gt; \\`ticks\\` @\u{2060}octocat"),
        "{markdown}"
    );
    let sarif = rendered(Format::Sarif, &report);
    assert!(
        sarif.contains("\"uri\": \"odd%20dir/Cargo.lock\""),
        "{sarif}"
    );
}

#[test]
#[allow(irrefutable_let_patterns)] // FindingKind will grow more variants
fn broken_scores_do_not_break_output() {
    let mut finding = sample::smallvec();
    if let rampart_core::FindingKind::Vulnerability { cvss_score, .. } = &mut finding.kind {
        *cvss_score = Some(f64::NAN);
    }
    let report = sample::report_with(vec![finding]);
    for format in Format::ALL {
        rendered(format, &report);
    }
    assert!(rendered(Format::Sarif, &report).contains("\"security-severity\": \"9.5\""));
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// With `RAMPART_REPORT_DUMP=DIR`, writes the sample in every machine format
/// to DIR, for `scripts/validate-sarif-cyclonedx.sh` to check against the
/// official schemas.
#[test]
fn dump_samples_for_schema_validation() {
    let Some(dir) = std::env::var_os("RAMPART_REPORT_DUMP") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let clean = ScanReport::new("0.1.0", ".");
    for (name, report) in [("sample", sample::report()), ("clean", clean)] {
        for (format, ext) in [
            (Format::Sarif, "sarif"),
            (Format::CycloneDx, "cdx.json"),
            (Format::Json, "json"),
        ] {
            std::fs::write(dir.join(format!("{name}.{ext}")), rendered(format, &report)).unwrap();
        }
    }
}
