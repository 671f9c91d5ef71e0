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
    insta::assert_snapshot!(rendered(Format::Table, &report), @"No vulnerabilities found in 5 packages from 3 files: Cargo.lock, package-lock.json, requirements.txt.");
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
        markdown.contains("&#124; pipes &lt;b&gt;and&lt;/b&gt; \\`ticks\\` @\u{2060}octocat"),
        "{markdown}"
    );
    let sarif = rendered(Format::Sarif, &report);
    assert!(
        sarif.contains("\"uri\": \"odd%20dir/Cargo.lock\""),
        "{sarif}"
    );
}

/// The smallvec finding with advisory and lockfile text set to `edit`.
#[allow(irrefutable_let_patterns)] // FindingKind will grow more variants
fn hostile_smallvec(edit: impl FnOnce(&mut rampart_core::Finding)) -> ScanReport {
    let mut finding = sample::smallvec();
    edit(&mut finding);
    sample::report_with(vec![finding])
}

fn set_fixed_versions(finding: &mut rampart_core::Finding, versions: &[&str]) {
    let rampart_core::FindingKind::Vulnerability { fixed_versions, .. } = &mut finding.kind else {
        unreachable!("a vulnerability finding")
    };
    *fixed_versions = versions.iter().map(|v| v.to_string()).collect();
}

fn set_package_name(finding: &mut rampart_core::Finding, name: &str) {
    let rampart_core::FindingKind::Vulnerability { package, .. } = &mut finding.kind else {
        unreachable!("a vulnerability finding")
    };
    package.name = name.into();
}

/// Terminal escapes (CSI, OSC, BEL) and format characters (bidi overrides,
/// zero-width characters) that must never reach the output.
const HOSTILE: &[char] = &[
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200B}',
    '\u{200F}', '\u{FEFF}',
];

#[test]
fn table_sanitises_every_untrusted_field() {
    let report = hostile_smallvec(|finding| {
        set_fixed_versions(
            finding,
            &["9.9\u{1b}]0;PWNED\u{7}\u{1b}[2J", "1.0\u{202E}1-"],
        );
        finding.title = "\u{2066}Buffer\u{2069} overflow\u{200B}\u{FEFF}".into();
        finding.id = "RUSTSEC-\u{202E}2021-0003".into();
    });
    let table = rendered(Format::Table, &report);
    assert!(!table.contains(HOSTILE), "{table:?}");
    insta::assert_snapshot!(table);

    // With colour on, the only escapes are our own SGR sequences.
    let mut out = Vec::new();
    render(Format::Table, &report, &mut out, true).unwrap();
    let coloured = String::from_utf8(out).unwrap();
    assert!(
        !coloured.contains(['\u{7}', '\u{202E}', '\u{2066}']),
        "{coloured:?}"
    );
    assert!(!coloured.contains("\u{1b}]"), "{coloured:?}");
    assert!(!coloured.contains("\u{1b}[2J"), "{coloured:?}");
    assert_eq!(strip_ansi(&coloured), table);
}

/// Splits a Markdown table row into cells the way a backslash-parity
/// splitter does (a `|` after an even run of backslashes is a separator),
/// and the way cmark-gfm does (any `|` right after a `\` is escaped); the
/// row must come out the same under both.
fn table_cells(row: &str) -> Vec<String> {
    let split = |parity: bool| {
        let mut cells = vec![String::new()];
        let mut backslashes = 0;
        for c in row.chars() {
            let escaped = if parity {
                backslashes % 2 == 1
            } else {
                backslashes > 0
            };
            if c == '|' && !escaped {
                cells.push(String::new());
            } else {
                cells.last_mut().unwrap().push(c);
            }
            backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        }
        cells
    };
    let cells = split(true);
    assert_eq!(cells, split(false), "splitters disagree on {row:?}");
    cells
}

#[test]
fn markdown_package_names_cannot_leave_their_cell() {
    let hostile = "a\\|![x](https://evil.invalid/p.png)";
    let mut report = hostile_smallvec(|finding| set_package_name(finding, hostile));
    report.ignored[0].reason = "reason \\| <img src=x> \u{202E}".into();
    let mut unresolved = sample::django_unresolved();
    unresolved.name = hostile.into();
    report.components.push(unresolved);
    let markdown = rendered(Format::Markdown, &report);
    assert!(!markdown.contains(HOSTILE), "{markdown:?}");

    // Every row has as many cells as its table's header, and no cell holds
    // live link or image syntax.
    let lines: Vec<&str> = markdown.lines().collect();
    let mut rows = 0;
    let mut columns = 0;
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        let cells = table_cells(line);
        if lines
            .get(i + 1)
            .is_some_and(|next| next.starts_with("|---"))
        {
            columns = cells.len();
            continue;
        }
        rows += 1;
        assert_eq!(cells.len(), columns, "{line}");
        for cell in &cells {
            assert!(!cell.contains("](https://evil"), "{line}");
            assert!(!cell.contains("<img"), "{line}");
        }
    }
    assert_eq!(rows, 4, "{markdown}");
    assert!(
        markdown
            .contains("| a&#92;&#124;\\!\\[x\\]\\(https://evil.invalid/p.png\\)@\u{2060}1.6.0 |"),
        "{markdown}"
    );
    insta::assert_snapshot!(markdown);
}

#[test]
fn sarif_markdown_escapes_untrusted_text() {
    let report = hostile_smallvec(|finding| {
        finding.title =
            "<img src=x onerror=alert(1)> [click](https://evil.invalid) | \u{202E}x".into();
        let rampart_core::FindingKind::Vulnerability {
            aliases,
            references,
            ..
        } = &mut finding.kind
        else {
            unreachable!("a vulnerability finding")
        };
        *aliases = vec!["CVE-1 **bold** ![i](https://evil.invalid/i.png)".into()];
        *references = vec![
            "javascript:alert(1)".into(),
            "https://example.org/a b>c<d".into(),
        ];
    });
    let sarif: serde_json::Value = serde_json::from_str(&rendered(Format::Sarif, &report)).unwrap();
    let help = sarif["runs"][0]["tool"]["driver"]["rules"][0]["help"]["markdown"]
        .as_str()
        .unwrap();
    assert!(!help.contains(HOSTILE), "{help:?}");
    for raw in [
        "<img",
        "](https://evil",
        "**bold**",
        "<javascript:",
        "b>c<d",
    ] {
        assert!(!help.contains(raw), "{raw} in {help}");
    }
    insta::assert_snapshot!(help, @r"
    **RUSTSEC-2021-0003**: &lt;img src=x onerror=alert\(1\)&gt; \[click\]\(https://evil.invalid\) &#124; x

    Aliases: CVE-1 \*\*bold\*\* \!\[i\]\(https://evil.invalid/i.png\)

    References:
    - javascript:alert\(1\)
    - <https://example.org/a%20b%3Ec%3Cd>
    ");
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
