//! The terminal format: compact, grouped by file, quiet when clean.

use std::collections::BTreeMap;
use std::io;

use anstyle::{AnsiColor, Effects, Style};
use rampart_core::{Finding, Severity};

use crate::report::{ScanReport, SuppressionSource};
use crate::text::{
    count, fixed_in, is_hidden, package_label, secret, secret_location_label, vulnerability,
};

/// Writes the report for a terminal, without colour.
pub fn render_table(report: &ScanReport, out: &mut dyn io::Write) -> io::Result<()> {
    render_table_with(report, out, false)
}

/// Writes the report for a terminal; `color` adds ANSI styles.
pub(crate) fn render_table_with(
    report: &ScanReport,
    out: &mut dyn io::Write,
    color: bool,
) -> io::Result<()> {
    let report = report.as_normalized();
    let paint = Painter { color };

    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        by_file
            .entry(finding.location.path.as_str())
            .or_default()
            .push(finding);
    }
    for (path, findings) in &by_file {
        writeln!(
            out,
            "{}",
            paint.style(&one_line(path), Style::new().effects(Effects::BOLD))
        )?;
        for finding in findings {
            write_finding(out, finding, paint)?;
        }
        writeln!(out)?;
    }

    let packages = report.resolved_components().count();
    let files = report.scanned_files.len();
    let scope = format!(
        "in {} from {}",
        count(packages, "package", "packages"),
        count(files, "file", "files")
    );
    // Which formats were read, so a CI log shows at a glance that the
    // lockfiles were found.
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for file in &report.scanned_files {
        *per_kind.entry(file.kind.as_str()).or_default() += 1;
    }
    let kinds: Vec<String> = per_kind
        .iter()
        .map(|(kind, n)| match n {
            1 => one_line(kind),
            n => format!("{} ×{n}", one_line(kind)),
        })
        .collect();
    let scope = if kinds.is_empty() {
        scope
    } else {
        format!("{scope}: {}", kinds.join(", "))
    };
    if report.dependencies_scanned {
        let vulnerabilities = report.vulnerability_counts();
        if vulnerabilities.total() == 0 {
            writeln!(out, "No vulnerabilities found {scope}.")?;
        } else {
            writeln!(
                out,
                "Found {} ({}) {scope}.",
                count(vulnerabilities.total(), "vulnerability", "vulnerabilities"),
                vulnerabilities.describe()
            )?;
        }
    }
    if let Some(summary) = &report.secrets {
        write_secret_summary(out, report.secret_counts(), summary)?;
    }
    let counts = report.severity_counts();
    if counts.total() > 0 {
        let failing = report.failing().count();
        let threshold = report.threshold;
        if failing == 0 {
            writeln!(out, "None reaches the fail-on threshold ({threshold}).")?;
        } else if failing == counts.total() {
            writeln!(out, "All reach the fail-on threshold ({threshold}).")?;
        } else {
            writeln!(out, "{failing} reach the fail-on threshold ({threshold}).")?;
        }
    }

    let unresolved: Vec<_> = report.unresolved_components().collect();
    if !unresolved.is_empty() {
        let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
        for component in &unresolved {
            *per_file
                .entry(component.location.path.as_str())
                .or_default() += 1;
        }
        let files: Vec<String> = per_file
            .iter()
            .map(|(p, n)| format!("{}: {n}", one_line(p)))
            .collect();
        writeln!(
            out,
            "{} not checked: pin exact versions in a lockfile to check them ({}).",
            count(
                unresolved.len(),
                "unresolved requirement was",
                "unresolved requirements were"
            ),
            files.join(", ")
        )?;
    }

    if !report.ignored.is_empty() {
        let by_policy = report
            .ignored
            .iter()
            .filter(|i| i.source == SuppressionSource::Policy)
            .count();
        let by_baseline = report.ignored.len() - by_policy;
        let mut parts = Vec::new();
        if by_policy > 0 {
            parts.push(format!("{by_policy} by policy"));
        }
        if by_baseline > 0 {
            parts.push(format!("{by_baseline} by the baseline"));
        }
        writeln!(
            out,
            "{} ({}).",
            count(report.ignored.len(), "finding ignored", "findings ignored"),
            parts.join(", ")
        )?;
    }

    for expired in &report.expired_ignores {
        let place = expired
            .location
            .as_ref()
            .map(|l| format!(" ({})", one_line(&l.to_string())))
            .unwrap_or_default();
        let effect = match expired.matched {
            0 => "it matches nothing now; remove it".to_string(),
            n => format!(
                "it matches {} again",
                count(
                    n,
                    "finding, which is reported",
                    "findings, which are reported"
                )
            ),
        };
        writeln!(
            out,
            "{} ignore {}{place} expired on {}: {effect}.",
            paint.warning(),
            one_line(&expired.selector.to_string()),
            expired.until
        )?;
    }

    write_skipped(&report, out)?;
    for error in &report.errors {
        writeln!(
            out,
            "{} {}: {}",
            paint.error(),
            one_line(&error.path),
            one_line(&error.reason)
        )?;
    }

    if let Some(db) = report.database.as_ref().filter(|db| db.is_stale()) {
        writeln!(
            out,
            "{} the advisory database is {} old; run `rampart db update`.",
            paint.warning(),
            count(
                db.age_days.unwrap_or_default().unsigned_abs() as usize,
                "day",
                "days"
            )
        )?;
    }
    Ok(())
}

/// Lists what was skipped and why; when many paths share a reason (every
/// `node_modules` of a monorepo), a count and a few examples say as much.
fn write_skipped(report: &ScanReport, out: &mut dyn io::Write) -> io::Result<()> {
    const EXAMPLES: usize = 3;
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for skipped in &report.skipped {
        by_reason
            .entry(skipped.reason.as_str())
            .or_default()
            .push(skipped.path.as_str());
    }
    for (reason, paths) in by_reason {
        if paths.len() <= EXAMPLES + 1 {
            for path in paths {
                writeln!(out, "skipped {}: {}", one_line(path), one_line(reason))?;
            }
        } else {
            let examples: Vec<String> = paths.iter().take(EXAMPLES).map(|p| one_line(p)).collect();
            writeln!(
                out,
                "skipped {} paths: {} ({}, …)",
                paths.len(),
                one_line(reason),
                examples.join(", ")
            )?;
        }
    }
    Ok(())
}

/// `No secrets found in 120 files (3.4 MB).`, with what the history walk
/// covered and what was skipped.
fn write_secret_summary(
    out: &mut dyn io::Write,
    counts: crate::SeverityCounts,
    summary: &crate::SecretScanSummary,
) -> io::Result<()> {
    let what = match (summary.source, summary.commits) {
        (crate::SecretSource::History, Some(commits)) => format!(
            "{} of {}",
            count(summary.files, "distinct blob", "distinct blobs"),
            count(commits, "commit", "commits")
        ),
        (crate::SecretSource::Staged, _) => count(summary.files, "staged file", "staged files"),
        _ => count(summary.files, "file", "files"),
    };
    let scope = format!("in {what} ({})", human_bytes(summary.bytes));
    if counts.total() == 0 {
        writeln!(out, "No secrets found {scope}.")?;
    } else {
        writeln!(
            out,
            "Found {} ({}) {scope}.",
            count(counts.total(), "secret", "secrets"),
            counts.describe()
        )?;
    }
    let mut skipped = Vec::new();
    if summary.skipped_binary > 0 {
        skipped.push(count(summary.skipped_binary, "binary file", "binary files"));
    }
    if summary.skipped_large > 0 {
        skipped.push(format!(
            "{} over {}",
            count(summary.skipped_large, "file", "files"),
            human_bytes(summary.max_file_bytes)
        ));
    }
    if !skipped.is_empty() {
        writeln!(out, "Not scanned for secrets: {}.", skipped.join(", "))?;
    }
    Ok(())
}

/// `3.3 MiB`, `512 B`: binary units, as size limits are configured.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn write_finding(out: &mut dyn io::Write, finding: &Finding, paint: Painter) -> io::Result<()> {
    if let Some(secret) = secret(finding) {
        return write_secret(out, finding, &secret, paint);
    }
    let Some(vuln) = vulnerability(finding) else {
        return Ok(());
    };
    let mut headline = one_line(&finding.id);
    // The CVE is the id most people search for, so prefer it as the one
    // alias shown.
    let alias = vuln
        .aliases
        .iter()
        .find(|a| a.starts_with("CVE-"))
        .or(vuln.aliases.first());
    if let Some(alias) = alias {
        headline.push_str(&format!(" ({})", one_line(alias)));
    }
    if let Some(kind) = vuln.informational {
        headline.push_str(&format!(" [{}]", one_line(kind)));
    }
    let line = finding
        .location
        .line
        .map(|l| format!("  line {l}"))
        .unwrap_or_default();
    let fix = match fixed_in(vuln.fixed_versions) {
        Some(versions) => paint.style(
            &format!("fix: {}", one_line(&versions)),
            Style::new().fg_color(Some(AnsiColor::Green.into())),
        ),
        None => paint.style("no fix available", Style::new().effects(Effects::DIMMED)),
    };
    writeln!(
        out,
        "  {}  {headline}  {}{line}  {fix}",
        paint.severity(finding.severity),
        one_line(&package_label(vuln.package)),
    )?;
    writeln!(out, "  {:8}  {}", "", one_line(&finding.title))?;
    Ok(())
}

/// One secret: severity, rule, the redacted value, where; then the rule's
/// name, the commit (history) and the other places it occurs.
fn write_secret(
    out: &mut dyn io::Write,
    finding: &Finding,
    secret: &crate::text::Secret<'_>,
    paint: Painter,
) -> io::Result<()> {
    let line = finding
        .location
        .line
        .map(|l| format!("  line {l}"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {}  {}  {}{line}  {}",
        paint.severity(finding.severity),
        one_line(&finding.id),
        paint.style(&one_line(secret.shown), Style::new().effects(Effects::BOLD)),
        paint.style(
            &format!("{} confidence", secret.confidence),
            Style::new().effects(Effects::DIMMED)
        ),
    )?;
    writeln!(out, "  {:8}  {}", "", one_line(&finding.title))?;
    if let Some(commit) = secret.locations.first().and_then(|l| l.commit.as_ref()) {
        writeln!(
            out,
            "  {:8}  added in {} by {} on {}",
            "",
            one_line(commit.id.get(..12).unwrap_or(&commit.id)),
            one_line(&commit.author),
            one_line(commit.date.get(..10).unwrap_or(&commit.date)),
        )?;
    }
    const SHOWN: usize = 3;
    let others: Vec<String> = secret
        .locations
        .iter()
        .skip(1)
        .take(SHOWN)
        .map(|l| one_line(&secret_location_label(l)))
        .collect();
    if !others.is_empty() {
        let more = secret.locations.len() - 1 - others.len();
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        writeln!(out, "  {:8}  also in {}{more}", "", others.join(", "))?;
    }
    Ok(())
}

/// Titles, names, versions and paths come from advisories and lockfiles; a
/// newline, a control character (an ANSI escape) or a format character (a
/// bidi override) in one must not break the layout, drive the terminal or
/// disguise the text. Every untrusted string goes through here.
fn one_line(text: &str) -> String {
    let visible: String = text
        .chars()
        .filter(|&c| c.is_whitespace() || !is_hidden(c))
        .collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Clone, Copy)]
struct Painter {
    color: bool,
}

impl Painter {
    fn style(&self, text: &str, style: Style) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        let style = match severity {
            Severity::Critical => Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
            Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
            Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            Severity::Unknown => Style::new().fg_color(Some(AnsiColor::Magenta.into())),
            Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
            Severity::Info => Style::new().effects(Effects::DIMMED),
        };
        self.style(&format!("{:8}", severity.as_str()), style)
    }

    fn warning(&self) -> String {
        self.style(
            "warning:",
            Style::new()
                .fg_color(Some(AnsiColor::Yellow.into()))
                .effects(Effects::BOLD),
        )
    }

    fn error(&self) -> String {
        self.style(
            "error:",
            Style::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_controls_and_format_characters() {
        assert_eq!(
            one_line("9.9\u{1b}]0;PWNED\u{7}\u{1b}[2J"),
            "9.9]0;PWNED[2J"
        );
        assert_eq!(one_line("a\u{9b}31m b"), "a31m b");
        assert_eq!(one_line("safe\u{202E}txt.exe"), "safetxt.exe");
        assert_eq!(
            one_line("\u{2066}a\u{2069} \u{200B}b\u{FEFF}\u{200D}"),
            "a b"
        );
        assert_eq!(one_line(" two\n\r\tlines\u{2028}here "), "two lines here");
    }
}
