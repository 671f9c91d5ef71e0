//! One self-contained HTML page: inline CSS, no script, no external
//! resource, and a Content-Security-Policy that would block either if a
//! string ever slipped through. Every piece of model text is escaped by
//! [`esc`].

use std::fmt::Write as _;

use super::{
    ReportInput, by_target, capec_url, cwe_url, file_line, file_line_column, is_hidden, kind_label,
    level_label, open_by_stride, paragraphs, stale_explanation, status_rows, status_text, verdict,
};
use crate::analysis::Threat;
use crate::model::{Level, Stride};

const STYLE: &str = "\
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2937;margin:0;background:#f9fafb}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #e5e7eb}
h3{font-size:1.05rem;margin:1.5rem 0 .4rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;background:#fff}
th,td{border:1px solid #e5e7eb;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,'SFMono-Regular',Menlo,monospace;font-size:.85em}
pre{background:#fff;border:1px solid #e5e7eb;padding:.75rem;overflow:auto}
.verdict{font-weight:600;padding:.6rem .8rem;border-left:4px solid #15803d;background:#f0fdf4}
.verdict.open{border-color:#b91c1c;background:#fef2f2}
.meta{color:#4b5563}
.sev{font-weight:600}
.sev-critical{color:#7f1d1d}
.sev-high{color:#b91c1c}
.sev-medium{color:#b45309}
.sev-low{color:#4b5563}
.status-open{font-weight:600;color:#b91c1c}
.id{color:#4b5563}
ul{margin:0;padding-left:1.1rem}
";

pub(super) fn render(input: &ReportInput) -> String {
    let summary = input.analysis.summary();
    let title = format!("Threat model: {}", input.model.title);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(&title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>\n<main>");
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let verdict_class = if summary.open > 0 || summary.stale > 0 {
        "verdict open"
    } else {
        "verdict"
    };
    let _ = writeln!(
        out,
        "<p class=\"{verdict_class}\">{}</p>",
        esc(&verdict(&summary, input.warnings.len()))
    );
    let mut meta = vec![format!("Model <code>{}</code>", esc(input.file))];
    if let Some(owner) = &input.model.owner {
        meta.push(format!("owner {}", esc(owner)));
    }
    meta.push(format!("statuses as of {}", input.today));
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", meta.join(" · "));
    if let Some(description) = &input.model.description {
        for paragraph in paragraphs(description) {
            let _ = writeln!(out, "<p>{}</p>", esc(&paragraph));
        }
    }

    out.push_str("<h2>Summary</h2>\n<table>\n<tr><th>Status</th><th>Threats</th></tr>\n");
    for (label, n) in status_rows(&summary) {
        let _ = writeln!(out, "<tr><td>{label}</td><td class=\"n\">{n}</td></tr>");
    }
    let _ = writeln!(
        out,
        "<tr><th>Total</th><th class=\"n\">{}</th></tr>\n</table>",
        summary.threats
    );
    out.push_str("<table>\n<tr><th>Severity</th><th>Open threats</th></tr>\n");
    for level in Level::ALL.iter().rev() {
        let n = summary.open_by_severity.get(level).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td class=\"sev sev-{}\">{}</td><td class=\"n\">{n}</td></tr>",
            level.as_str(),
            level_label(*level)
        );
    }
    out.push_str("</table>\n");

    out.push_str(
        "<h2>STRIDE categories</h2>\n<table>\n<tr><th>Category</th><th>Threats</th><th>Open</th></tr>\n",
    );
    let open = open_by_stride(input.analysis);
    for stride in Stride::ALL {
        let all = summary.by_stride.get(&stride).copied().unwrap_or(0);
        let open = open.get(&stride).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{all}</td><td class=\"n\">{open}</td></tr>",
            stride.label()
        );
    }
    out.push_str("</table>\n");

    out.push_str(
        "<h2>Data-flow diagram</h2>\n<p>Mermaid source (this page runs no script; paste it into any Mermaid viewer, or render the model with <code>rampart threat diagram --format dot</code>):</p>\n",
    );
    let _ = writeln!(
        out,
        "<pre>{}</pre>",
        esc(&crate::diagram::mermaid(input.model))
    );

    out.push_str("<h2>Threats</h2>\n");
    let groups = by_target(input.analysis);
    if groups.is_empty() {
        out.push_str("<p>No threats.</p>\n");
    }
    for group in groups {
        let Some(first) = group.first() else {
            continue;
        };
        let target = &first.target;
        let mut heading = format!(
            "{}: {} <code class=\"id\">{}</code>",
            kind_label(target.kind),
            esc(&target.name),
            esc(&target.id)
        );
        if let (Some(from), Some(to)) = (&target.from, &target.to) {
            let _ = write!(
                heading,
                " (<code>{}</code> → <code>{}</code>)",
                esc(from),
                esc(to)
            );
        }
        let _ = writeln!(out, "<h3>{heading}</h3>");
        out.push_str(
            "<table>\n<tr><th>Threat</th><th>STRIDE</th><th>Severity</th><th>Status</th><th>Mitigations</th><th>References</th></tr>\n",
        );
        for threat in group {
            threat_row(&mut out, threat);
        }
        out.push_str("</table>\n");
    }

    out.push_str("<h2>Stale tracking entries</h2>\n");
    if input.analysis.stale.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>Entry</th><th>Reason</th><th>Location</th></tr>\n");
        for entry in &input.analysis.stale {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}: {}</td><td><code>{}</code></td></tr>",
                esc(&entry.key),
                entry.reason.as_str(),
                stale_explanation(entry.reason),
                esc(&file_line(input.file, entry.position))
            );
        }
        out.push_str("</table>\n");
    }

    out.push_str("<h2>Validation warnings</h2>\n");
    if input.warnings.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table>\n<tr><th>Location</th><th>Code</th><th>Message</th></tr>\n");
        for warning in input.warnings {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&file_line_column(&warning.file, warning.position)),
                esc(warning.code),
                esc(&warning.message)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn threat_row(out: &mut String, threat: &Threat) {
    let (status, detail) = status_text(&threat.status);
    let class = if threat.status.is_open() {
        " class=\"status-open\""
    } else {
        ""
    };
    let mut status = format!("<span{class}>{}</span>", esc(&status));
    if let Some(detail) = detail {
        let _ = write!(status, ": {}", esc(&detail));
    }
    let mitigations = if threat.mitigations.is_empty() {
        String::new()
    } else {
        let items: Vec<String> = threat
            .mitigations
            .iter()
            .map(|m| format!("<li>{}</li>", esc(m)))
            .collect();
        format!("<ul>{}</ul>", items.concat())
    };
    let mut references: Vec<String> = threat
        .cwe
        .iter()
        .map(|id| link(&cwe_url(*id), &format!("CWE-{id}")))
        .collect();
    references.extend(
        threat
            .capec
            .iter()
            .map(|id| link(&capec_url(*id), &format!("CAPEC-{id}"))),
    );
    let _ = writeln!(
        out,
        "<tr><td><strong>{}</strong><br><code class=\"id\">{}</code></td><td>{}</td><td class=\"sev sev-{}\">{}</td><td>{status}</td><td>{mitigations}</td><td>{}</td></tr>",
        esc(&threat.title),
        esc(&threat.id),
        threat.stride.label(),
        threat.severity.as_str(),
        level_label(threat.severity),
        references.join(" ")
    );
}

fn link(url: &str, label: &str) -> String {
    format!(
        "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
        esc(url),
        esc(label)
    )
}

/// Text for element content and attribute values: the five HTML specials
/// become entities and invisible characters go (line breaks stay, for
/// `<pre>`).
pub(crate) fn esc(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
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
    fn esc_covers_the_specials() {
        assert_eq!(
            esc("<a href='x'>\"&\"</a>\u{202E}"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
    }
}
