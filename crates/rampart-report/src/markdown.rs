//! GitHub-flavoured Markdown for a pull-request comment.
//!
//! Every cell is escaped: advisory titles and package names are untrusted
//! text, and an unescaped `|`, backtick or `<` would break the table or
//! inject markup into the comment. Package names and paths go in code spans
//! because GitHub turns `@scope` (an npm scope) into a mention everywhere
//! else, unless they contain `|` or `\`: renderers disagree on how a
//! backslash before a `|` affects the cell split, so such text is written
//! as a plain escaped cell in which neither character appears raw.

use std::io;

use rampart_core::Finding;

use crate::report::{ScanReport, SuppressionSource};
use crate::text::{
    advisory_url, count, fixed_in, is_hidden, package_label, secret, secret_location_label,
    vulnerability,
};

/// Writes the report as Markdown.
pub fn render_markdown(report: &ScanReport, out: &mut dyn io::Write) -> io::Result<()> {
    let report = report.as_normalized();
    let counts = report.severity_counts();
    let vulnerabilities = report.vulnerability_counts();
    let secrets = report.secret_counts();
    let packages = report.resolved_components().count();
    let files = report.scanned_files.len();
    let mut scopes = Vec::new();
    if report.dependencies_scanned {
        scopes.push(format!(
            "{} from {}",
            count(packages, "package", "packages"),
            count(files, "file", "files")
        ));
    }
    if let Some(summary) = &report.secrets {
        scopes.push(format!(
            "{} for secrets",
            match summary.commits {
                Some(commits) => format!(
                    "{} of {}",
                    count(summary.files, "blob", "blobs"),
                    count(commits, "commit", "commits")
                ),
                None => count(summary.files, "file", "files"),
            }
        ));
    }
    let scope = scopes.join("; ");

    if counts.total() == 0 {
        let nothing = match (report.dependencies_scanned, report.secrets.is_some()) {
            (true, true) => "no vulnerabilities or secrets found",
            (false, true) => "no secrets found",
            _ => "no vulnerabilities found",
        };
        writeln!(out, "## Rampart: {nothing}\n")?;
        writeln!(out, "Scanned {scope}.")?;
    } else {
        let mut what = Vec::new();
        if vulnerabilities.total() > 0 {
            what.push(count(
                vulnerabilities.total(),
                "vulnerability",
                "vulnerabilities",
            ));
        }
        if secrets.total() > 0 {
            what.push(count(secrets.total(), "secret", "secrets"));
        }
        writeln!(
            out,
            "## Rampart: {} ({})\n",
            what.join(" and "),
            counts.describe()
        )?;
        let failing = report.failing().count();
        writeln!(
            out,
            "Scanned {scope}. {} the fail-on threshold (`{}`).\n",
            match failing {
                0 => "None reaches".to_string(),
                1 => "1 reaches".to_string(),
                n => format!("{n} reach"),
            },
            report.threshold
        )?;
        if vulnerabilities.total() > 0 {
            writeln!(
                out,
                "| Severity | Package | Advisory | Fixed in | Location |"
            )?;
            writeln!(out, "|---|---|---|---|---|")?;
            for finding in &report.findings {
                write_row(out, finding)?;
            }
        }
        if secrets.total() > 0 {
            if vulnerabilities.total() > 0 {
                writeln!(out)?;
            }
            writeln!(out, "| Severity | Secret | Rule | Confidence | Locations |")?;
            writeln!(out, "|---|---|---|---|---|")?;
            for finding in &report.findings {
                write_secret_row(out, finding)?;
            }
        }
    }

    if !report.errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "> [!WARNING]\n> {} could not be read, so the scan is incomplete:",
            count(report.errors.len(), "file", "files")
        )?;
        for error in &report.errors {
            writeln!(out, "> - {}: {}", cell(&error.path), cell(&error.reason))?;
        }
    }

    for expired in &report.expired_ignores {
        writeln!(out)?;
        writeln!(
            out,
            "> [!NOTE]\n> The ignore of {} expired on {} ({}) and no longer applies.",
            cell(&expired.selector.to_string()),
            expired.until,
            count(expired.matched, "matching finding", "matching findings")
        )?;
    }

    if !report.ignored.is_empty() {
        writeln!(out)?;
        writeln!(out, "<details>")?;
        writeln!(
            out,
            "<summary>{}</summary>\n",
            count(report.ignored.len(), "ignored finding", "ignored findings")
        )?;
        writeln!(
            out,
            "| Advisory | Package | Location | Ignored by | Reason | Until |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for ignored in &report.ignored {
            let finding = &ignored.finding;
            let by = match ignored.source {
                SuppressionSource::Policy => "policy",
                SuppressionSource::Baseline => "baseline",
            };
            writeln!(
                out,
                "| {} | {} | {} | {by} | {} | {} |",
                cell(&finding.id),
                code(&subject(finding)),
                code(&finding.location.to_string()),
                cell(&ignored.reason),
                ignored.until.map(|d| d.to_string()).unwrap_or_default()
            )?;
        }
        writeln!(out, "\n</details>")?;
    }

    let unresolved: Vec<_> = report.unresolved_components().collect();
    if !unresolved.is_empty() {
        writeln!(out)?;
        writeln!(out, "<details>")?;
        writeln!(
            out,
            "<summary>{} not checked</summary>\n",
            count(
                unresolved.len(),
                "unresolved requirement",
                "unresolved requirements"
            )
        )?;
        writeln!(
            out,
            "These name a range or no version, so no advisory was matched. Pin them in a lockfile to check them.\n"
        )?;
        writeln!(out, "| Package | Requirement | Location |")?;
        writeln!(out, "|---|---|---|")?;
        for component in unresolved {
            let requirement = match &component.version {
                rampart_core::ComponentVersion::Unresolved { requirement } => requirement.as_str(),
                rampart_core::ComponentVersion::Exact(v) => v.as_str(),
            };
            writeln!(
                out,
                "| {} | {} | {} |",
                code(&component.name),
                code(requirement),
                code(&component.location.to_string())
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// What a finding is about: the package, or the redacted secret.
fn subject(finding: &Finding) -> String {
    match (vulnerability(finding), secret(finding)) {
        (Some(vuln), _) => package_label(vuln.package),
        (None, Some(secret)) => secret.shown.to_string(),
        (None, None) => String::new(),
    }
}

fn write_secret_row(out: &mut dyn io::Write, finding: &Finding) -> io::Result<()> {
    let Some(secret) = secret(finding) else {
        return Ok(());
    };
    let mut places: Vec<String> = secret
        .locations
        .iter()
        .take(3)
        .map(|l| code(&secret_location_label(l)))
        .collect();
    if secret.locations.len() > 3 {
        places.push(format!("and {} more", secret.locations.len() - 3));
    }
    writeln!(
        out,
        "| {} | {} | {}<br>{} | {} | {} |",
        finding.severity,
        code(secret.shown),
        cell(&finding.id),
        cell(&finding.title),
        secret.confidence,
        places.join("<br>")
    )
}

fn write_row(out: &mut dyn io::Write, finding: &Finding) -> io::Result<()> {
    let Some(vuln) = vulnerability(finding) else {
        return Ok(());
    };
    let mut advisory = format!(
        "[{}]({})",
        cell(&finding.id),
        link_target(&advisory_url(finding))
    );
    if !vuln.aliases.is_empty() {
        let aliases: Vec<String> = vuln.aliases.iter().map(|a| cell(a)).collect();
        advisory.push_str(&format!(" ({})", aliases.join(", ")));
    }
    advisory.push_str(&format!("<br>{}", cell(&finding.title)));
    let fixed = fixed_in(vuln.fixed_versions)
        .map(|f| cell(&f))
        .unwrap_or_else(|| "no fix".to_string());
    writeln!(
        out,
        "| {} | {} | {advisory} | {fixed} | {} |",
        finding.severity,
        code(&package_label(vuln.package)),
        code(&finding.location.to_string())
    )
}

/// Escapes text for a table cell: Markdown punctuation is backslash-escaped,
/// `|` and `\` become numeric entities (table splitters disagree on runs of
/// backslashes before a `|`, but none splits on `&#124;`), `<` and `&` become
/// entities (so no HTML gets through), line breaks become spaces (a newline
/// would end the row), and control and format characters (bidi overrides,
/// zero-width characters) are dropped.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("&#124;"),
            '\\' => out.push_str("&#92;"),
            '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            // A word joiner after `@` keeps GitHub from mentioning a user.
            '@' => out.push_str("@\u{2060}"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Text as a code span that survives any backticks inside it. Text with a
/// `|` or `\` is escaped as a plain cell instead: GFM splits table cells
/// before parsing code spans, and a `\` in front of the `\|` a code span
/// would need lets a hostile name end the cell early on some renderers.
pub(crate) fn code(text: &str) -> String {
    if text.contains(['|', '\\']) {
        return cell(text);
    }
    let text: String = text
        .chars()
        .filter(|&c| c.is_control() || !is_hidden(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.is_empty() {
        return String::new();
    }
    let mut longest_run = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest_run = longest_run.max(run);
    }
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A URL as a Markdown link target: characters that would end the link or
/// the table cell are percent-encoded.
pub(crate) fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            '`' => out.push_str("%60"),
            '"' => out.push_str("%22"),
            '\\' => out.push_str("%5C"),
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_escaped() {
        assert_eq!(cell("a|b"), "a&#124;b");
        assert_eq!(cell("a\\|b"), "a&#92;&#124;b");
        assert_eq!(cell("\u{202E}gpj.exe\u{200B}"), "gpj.exe");
        assert_eq!(cell("`x`"), "\\`x\\`");
        assert_eq!(cell("<script>"), "&lt;script&gt;");
        assert_eq!(cell("line\nbreak"), "line break");
        assert_eq!(cell("@babel"), "@\u{2060}babel");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "a&#124;b");
        assert_eq!(code("a\\b"), "a&#92;b");
        assert_eq!(code("@scope/a|b"), "@\u{2060}scope/a&#124;b");
        assert_eq!(code("a\u{202E}b\nc"), "`ab c`");
        assert_eq!(code("\u{200B}"), "");
        assert_eq!(
            link_target("https://x/a (b)|c"),
            "https://x/a%20%28b%29%7Cc"
        );
        assert_eq!(link_target("https://x/\\\u{202E}"), "https://x/%5C");
    }
}
