//! GitHub-flavoured Markdown. All model text goes through [`text`], which
//! escapes what GFM would read as markup, table syntax, raw HTML or a user
//! mention, so a model cannot change the shape of the report.

use std::fmt::Write as _;

use super::{
    ReportInput, by_target, capec_url, cwe_url, file_line, file_line_column, is_hidden, kind_label,
    level_label, open_by_stride, paragraphs, stale_explanation, status_rows, status_text, verdict,
};
use crate::analysis::Threat;
use crate::model::{Level, Stride};

pub(super) fn render(input: &ReportInput) -> String {
    let summary = input.analysis.summary();
    let mut out = String::new();
    let _ = writeln!(out, "# Threat model: {}\n", text(&input.model.title));
    let _ = writeln!(
        out,
        "**{}**\n",
        text(&verdict(&summary, input.warnings.len()))
    );
    let mut meta = vec![format!("Model {}", code(input.file))];
    if let Some(owner) = &input.model.owner {
        meta.push(format!("owner {}", text(owner)));
    }
    meta.push(format!("statuses as of {}", input.today));
    let _ = writeln!(out, "{}\n", meta.join(" · "));
    if let Some(description) = &input.model.description {
        for paragraph in paragraphs(description) {
            let _ = writeln!(out, "{}\n", paragraph_text(&paragraph));
        }
    }

    out.push_str("## Summary\n\n| Status | Threats |\n| --- | ---: |\n");
    for (label, n) in status_rows(&summary) {
        let _ = writeln!(out, "| {label} | {n} |");
    }
    let _ = writeln!(out, "| **Total** | **{}** |\n", summary.threats);
    out.push_str("| Severity | Open threats |\n| --- | ---: |\n");
    for level in Level::ALL.iter().rev() {
        let n = summary.open_by_severity.get(level).copied().unwrap_or(0);
        let _ = writeln!(out, "| {} | {n} |", level_label(*level));
    }
    out.push('\n');

    out.push_str("## STRIDE categories\n\n| Category | Threats | Open |\n| --- | ---: | ---: |\n");
    let open = open_by_stride(input.analysis);
    for stride in Stride::ALL {
        let all = summary.by_stride.get(&stride).copied().unwrap_or(0);
        let open = open.get(&stride).copied().unwrap_or(0);
        let _ = writeln!(out, "| {} | {all} | {open} |", stride.label());
    }
    out.push('\n');

    let diagram = crate::diagram::mermaid(input.model);
    let fence = "`".repeat(longest_backtick_run(&diagram).max(2) + 1);
    let _ = writeln!(
        out,
        "## Data-flow diagram\n\n{fence}mermaid\n{diagram}{fence}\n"
    );

    out.push_str("## Threats\n\n");
    let groups = by_target(input.analysis);
    if groups.is_empty() {
        out.push_str("No threats.\n\n");
    }
    for group in groups {
        let Some(first) = group.first() else {
            continue;
        };
        let target = &first.target;
        let mut heading = format!(
            "### {}: {} ({}",
            kind_label(target.kind),
            text(&target.name),
            code(&target.id)
        );
        if let (Some(from), Some(to)) = (&target.from, &target.to) {
            let _ = write!(heading, ", {} → {}", code(from), code(to));
        }
        let _ = writeln!(out, "{heading})\n");
        out.push_str(
            "| Threat | STRIDE | Severity | Status | Mitigations | References |\n\
             | --- | --- | --- | --- | --- | --- |\n",
        );
        for threat in group {
            let _ = writeln!(out, "{}", threat_row(threat));
        }
        out.push('\n');
    }

    out.push_str("## Stale tracking entries\n\n");
    if input.analysis.stale.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| Entry | Reason | Location |\n| --- | --- | --- |\n");
        for entry in &input.analysis.stale {
            let _ = writeln!(
                out,
                "| {} | {}: {} | {} |",
                code(&entry.key),
                entry.reason.as_str(),
                stale_explanation(entry.reason),
                code(&file_line(input.file, entry.position))
            );
        }
        out.push('\n');
    }

    out.push_str("## Validation warnings\n\n");
    if input.warnings.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str("| Location | Code | Message |\n| --- | --- | --- |\n");
        for warning in input.warnings {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                code(&file_line_column(&warning.file, warning.position)),
                code(warning.code),
                text(&warning.message)
            );
        }
    }
    out
}

fn threat_row(threat: &Threat) -> String {
    let (status, detail) = status_text(&threat.status);
    let mut status = text(&status);
    if threat.status.is_open() {
        status = format!("**{status}**");
    }
    if let Some(detail) = detail {
        let _ = write!(status, ": {}", text(&detail));
    }
    let mitigations: Vec<String> = threat.mitigations.iter().map(|m| text(m)).collect();
    let mut references: Vec<String> = threat
        .cwe
        .iter()
        .map(|id| format!("[CWE-{id}]({})", cwe_url(*id)))
        .collect();
    references.extend(
        threat
            .capec
            .iter()
            .map(|id| format!("[CAPEC-{id}]({})", capec_url(*id))),
    );
    format!(
        "| **{}**<br>{} | {} | {} | {status} | {} | {} |",
        text(&threat.title),
        code(&threat.id),
        threat.stride.label(),
        level_label(threat.severity),
        mitigations.join("<br>"),
        references.join(" ")
    )
}

/// Text as it should read, inline and inside a table cell: Markdown
/// punctuation is backslash-escaped, `|` and the HTML specials become
/// entities, line breaks become spaces, invisible characters go, and a
/// word joiner after `@` keeps GitHub from notifying a user.
pub(crate) fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '|' => out.push_str("&#124;"),
            '\\' => out.push_str("&#92;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '(' | ')' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{2060}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// [`text`] for a paragraph of its own, where a leading `-`, `+`, `=` or
/// `1.` would start a list, a rule or a heading underline.
pub(crate) fn paragraph_text(raw: &str) -> String {
    let escaped = text(raw.trim_start());
    let digits = escaped.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match escaped.as_bytes().first() {
        Some(b'-' | b'+' | b'=') => Some(0),
        Some(b'0'..=b'9') if matches!(escaped.as_bytes().get(digits), Some(b'.' | b')')) => {
            Some(digits)
        }
        _ => None,
    };
    match marker {
        Some(at) => format!("{}\\{}", &escaped[..at], &escaped[at..]),
        None => escaped,
    }
}

/// A code span for ids and paths made of plain characters; anything else
/// is escaped as [`text`] (a code span cannot hold a `|` inside a table).
pub(crate) fn code(raw: &str) -> String {
    // Spaces are fine inside, but a code span strips one at each end.
    let plain = !raw.is_empty()
        && !raw.starts_with(' ')
        && !raw.ends_with(' ')
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_.:/@+=,".contains(c));
    if plain { format!("`{raw}`") } else { text(raw) }
}

fn longest_backtick_run(text: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("a|b<c>\"d\"#e"), "a&#124;b&lt;c&gt;\"d\"\\#e");
        assert_eq!(text("x\ny`z`"), "x y\\`z\\`");
        assert_eq!(
            text("@team [link](javascript:x)"),
            "@\u{2060}team \\[link\\]\\(javascript:x\\)"
        );
        assert_eq!(text("\u{202E}rtl"), "rtl");
    }

    #[test]
    fn paragraphs_cannot_open_blocks() {
        assert_eq!(paragraph_text("- not a list"), "\\- not a list");
        assert_eq!(paragraph_text("---"), "\\---");
        assert_eq!(paragraph_text("12. not a list"), "12\\. not a list");
        assert_eq!(paragraph_text("+ x"), "\\+ x");
        assert_eq!(paragraph_text("plain - text"), "plain - text");
        assert_eq!(paragraph_text("2026 was a year"), "2026 was a year");
    }

    #[test]
    fn code_spans_only_for_plain_text() {
        assert_eq!(code("rule@web-app"), "`rule@web-app`");
        assert_eq!(code("a|b"), "a&#124;b");
        assert_eq!(code(""), "");
    }

    #[test]
    fn fence_outgrows_backticks() {
        assert_eq!(longest_backtick_run("a ``` b `` c"), 3);
    }
}
