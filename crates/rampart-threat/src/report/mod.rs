//! Reports of an analysed model: Markdown (GitHub), one self-contained HTML
//! page, JSON for tools, and SARIF 2.1.0 for code-scanning dashboards.
//!
//! Every format reads the [`Analysis`] as generation produced it and never
//! re-derives a status or a severity. Output depends only on the input (no
//! clock: `today` is given), with threats in the analysis's order and
//! groups by target id, so two runs over the same model are identical.

mod html;
mod json;
mod markdown;
mod sarif;

use std::collections::BTreeMap;

use crate::analysis::{Analysis, StaleReason, Status, Summary, TargetKind, Threat};
use crate::model::ThreatModel;
use crate::position::Position;
use crate::validate::Diagnostic;

/// Everything a report shows.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    pub model: &'a ThreatModel,
    pub analysis: &'a Analysis,
    /// The model path as the user gave it; shown, and used as the SARIF
    /// artifact location.
    pub file: &'a str,
    /// Validation warnings of the model.
    pub warnings: &'a [Diagnostic],
    /// The date the statuses were computed for.
    pub today: jiff::civil::Date,
}

/// GitHub-flavoured Markdown, with the diagram in a `mermaid` fence.
pub fn markdown(input: &ReportInput) -> String {
    markdown::render(input)
}

/// One HTML document: inline CSS, no script, no external resource.
pub fn html(input: &ReportInput) -> String {
    html::render(input)
}

/// The report as data (`schema_version` 1).
pub fn json(input: &ReportInput) -> serde_json::Value {
    json::render(input)
}

/// A SARIF 2.1.0 log whose results are the open threats.
pub fn sarif(input: &ReportInput, tool_version: &str) -> serde_json::Value {
    sarif::render(input, tool_version)
}

/// Threats grouped by the element or flow they are about, groups in target
/// id order, threats in analysis order within a group.
pub(crate) fn by_target(analysis: &Analysis) -> Vec<Vec<&Threat>> {
    let mut groups: BTreeMap<(&str, TargetKind), Vec<&Threat>> = BTreeMap::new();
    for threat in &analysis.threats {
        groups
            .entry((threat.target.id.as_str(), threat.target.kind))
            .or_default()
            .push(threat);
    }
    groups.into_values().collect()
}

/// One sentence on where the model stands.
pub(crate) fn verdict(summary: &Summary, warnings: usize) -> String {
    let mut text = if summary.threats == 0 {
        "No threats.".to_owned()
    } else if summary.open == 0 {
        format!(
            "No open threats ({} mitigated, accepted or false positive).",
            count(summary.threats, "threat", "threats")
        )
    } else {
        let by_severity: Vec<String> = crate::model::Level::ALL
            .iter()
            .rev()
            .map(|level| {
                let n = summary.open_by_severity.get(level).copied().unwrap_or(0);
                format!("{n} {level}")
            })
            .collect();
        format!(
            "{} of {} open: {}.",
            summary.open,
            count(summary.threats, "threat", "threats"),
            by_severity.join(", ")
        )
    };
    if summary.acceptance_expired > 0 {
        text.push_str(&format!(
            " {} past its expiry date.",
            count(
                summary.acceptance_expired,
                "accepted risk is",
                "accepted risks are"
            )
        ));
    }
    if summary.stale > 0 {
        text.push_str(&format!(
            " {} no threat.",
            count(
                summary.stale,
                "risk-tracking entry matches",
                "risk-tracking entries match"
            )
        ));
    }
    if warnings > 0 {
        text.push_str(&format!(
            " {}.",
            count(warnings, "validation warning", "validation warnings")
        ));
    }
    text
}

/// A description's paragraphs (separated by blank lines), each on one
/// line.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The status rows of the summary table: they add up to the total.
pub(crate) fn status_rows(summary: &Summary) -> [(&'static str, usize); 5] {
    [
        (
            "Open",
            summary.open.saturating_sub(summary.acceptance_expired),
        ),
        ("Acceptance expired", summary.acceptance_expired),
        ("Accepted", summary.accepted),
        ("Mitigated", summary.mitigated),
        ("False positive", summary.false_positive),
    ]
}

/// Open threats per STRIDE category (the summary counts all of them).
pub(crate) fn open_by_stride(analysis: &Analysis) -> BTreeMap<crate::model::Stride, usize> {
    let mut open: BTreeMap<_, usize> = crate::model::Stride::ALL
        .iter()
        .map(|stride| (*stride, 0))
        .collect();
    for threat in analysis.threats.iter().filter(|t| t.status.is_open()) {
        *open.entry(threat.stride).or_default() += 1;
    }
    open
}

/// The status in words for a table cell: the status, then what backs it.
pub(crate) fn status_text(status: &Status) -> (String, Option<String>) {
    match status {
        Status::Open { note } => ("open".to_owned(), note.clone()),
        Status::Mitigated { reference } => ("mitigated".to_owned(), Some(reference.clone())),
        Status::Accepted {
            owner,
            expires,
            reason,
        } => (
            format!("accepted by {owner} until {expires}"),
            reason.clone(),
        ),
        Status::AcceptanceExpired {
            owner,
            expired,
            reason,
        } => (
            format!("acceptance by {owner} expired after {expired}"),
            reason.clone(),
        ),
        Status::FalsePositive { reason } => ("false positive".to_owned(), Some(reason.clone())),
    }
}

/// The kind of a target as a heading word.
pub(crate) fn kind_label(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::ExternalEntity => "External entity",
        TargetKind::Process => "Process",
        TargetKind::DataStore => "Data store",
        TargetKind::Flow => "Flow",
    }
}

/// What a stale reason means, for readers of a report.
pub(crate) fn stale_explanation(reason: StaleReason) -> &'static str {
    match reason {
        StaleReason::Malformed => "the key is not of the form rule@target",
        StaleReason::UnknownRule => "no rule, STRIDE category or manual threat has this name",
        StaleReason::NoSuchTarget => "no element or flow has this id (renamed or removed?)",
        StaleReason::RuleNoLongerMatches => {
            "the rule no longer fires on this target (the model changed)"
        }
        StaleReason::TargetOutOfScope => "the target is out of scope, so no threat is generated",
    }
}

pub(crate) fn level_label(level: crate::model::Level) -> &'static str {
    match level {
        crate::model::Level::Low => "Low",
        crate::model::Level::Medium => "Medium",
        crate::model::Level::High => "High",
        crate::model::Level::Critical => "Critical",
    }
}

pub(crate) fn cwe_url(id: u32) -> String {
    format!("https://cwe.mitre.org/data/definitions/{id}.html")
}

pub(crate) fn capec_url(id: u32) -> String {
    format!("https://capec.mitre.org/data/definitions/{id}.html")
}

/// `file:line` (or the file alone when the position is unknown).
pub(crate) fn file_line(file: &str, position: Option<Position>) -> String {
    match position {
        Some(at) => format!("{file}:{}", at.line),
        None => file.to_owned(),
    }
}

/// `file:line:column` (or the file alone when the position is unknown).
pub(crate) fn file_line_column(file: &str, position: Option<Position>) -> String {
    match position {
        Some(at) => format!("{file}:{}:{}", at.line, at.column),
        None => file.to_owned(),
    }
}

/// Invisible text that must not reach a rendered document: control
/// characters (newlines are handled by each caller) and Unicode format
/// characters, which can reorder (bidi overrides) or hide text.
/// `text` as one line of visible characters: line breaks and tabs become
/// spaces, control and format characters are dropped. For terminals and CI
/// logs, where a newline in a model string could forge a line (GitHub
/// Actions reads `::error …` lines as commands) and escape sequences would
/// reach the terminal.
pub fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if is_hidden(c) => None,
            c => Some(c),
        })
        .collect()
}

pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || is_format(c)
}

/// Unicode general category Cf (the standard library has no category
/// lookup; the set is small and changes rarely).
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(paragraphs("one\ntwo\n\n\n  three \n"), ["one two", "three"]);
        assert!(paragraphs(" \n").is_empty());
    }

    #[test]
    fn hidden_characters() {
        assert!(is_hidden('\u{202E}'));
        assert!(is_hidden('\u{1b}'));
        assert!(is_hidden('\u{200B}'));
        assert!(!is_hidden('é'));
        assert!(!is_hidden(' '));
    }
}
