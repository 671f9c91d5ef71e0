//! The accuracy evaluation over the shared labelled cases
//! (`secrets/cases.jsonl`), shared by `tests/accuracy.rs` and
//! `examples/accuracy.rs`.
//!
//! A case is predicted "secret" when the scanner, with low-confidence rules
//! on, finds anything in its `text`.

use std::collections::BTreeMap;
use std::path::Path;

use rampart_secrets::{Ruleset, ScanOptions, Scanner};

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Counts {
    pub fn add(&mut self, expected: bool, predicted: bool) {
        match (expected, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// Precision; 1.0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        let p = self.tp + self.fp;
        if p == 0 {
            1.0
        } else {
            self.tp as f64 / p as f64
        }
    }

    /// Recall; 1.0 when nothing was expected.
    pub fn recall(&self) -> f64 {
        let e = self.tp + self.fn_;
        if e == 0 {
            1.0
        } else {
            self.tp as f64 / e as f64
        }
    }

    pub fn total(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }
}

/// One case the scanner got wrong.
#[derive(Debug, Clone)]
pub struct Miss {
    pub source: String,
    pub rule_hint: String,
    pub expected_secret: bool,
    /// Rule ids that fired (for false positives).
    pub fired: Vec<String>,
    /// Matches the value filters dropped (for false negatives):
    /// `rule id: reason`.
    pub rejected: Vec<String>,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub overall: Counts,
    pub by_source: BTreeMap<String, Counts>,
    pub misses: Vec<Miss>,
}

/// Evaluates the built-in rules on `dir/cases.jsonl`.
pub fn evaluate(dir: &Path) -> Report {
    let ruleset = Ruleset::builtin().unwrap_or_else(|e| panic!("built-in rules: {e}"));
    evaluate_with(dir, &ruleset)
}

/// Evaluates `ruleset` on `dir/cases.jsonl`.
pub fn evaluate_with(dir: &Path, ruleset: &Ruleset) -> Report {
    let scanner = Scanner::new(
        ruleset,
        ScanOptions {
            include_low_confidence: true,
        },
    );
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).expect("read cases.jsonl");
    let mut report = Report::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("cases.jsonl:{}: {e}", n + 1));
        let field = |k: &str| {
            case[k]
                .as_str()
                .unwrap_or_else(|| panic!("cases.jsonl:{}: no `{k}`", n + 1))
        };
        let source = field("source");
        let expected = match field("expect") {
            "secret" => true,
            "no-secret" => false,
            other => panic!("cases.jsonl:{}: unknown expect `{other}`", n + 1),
        };
        let found = scanner.scan(field("text").as_bytes());
        let predicted = !found.is_empty();
        let repo = source.split('@').next().unwrap_or(source).to_string();
        report.overall.add(expected, predicted);
        report
            .by_source
            .entry(repo)
            .or_default()
            .add(expected, predicted);
        if expected != predicted {
            let mut fired: Vec<String> = found.into_iter().map(|m| m.rule_id).collect();
            fired.dedup();
            report.misses.push(Miss {
                source: source.to_string(),
                rule_hint: field("rule_hint").to_string(),
                expected_secret: expected,
                fired,
                rejected: scanner
                    .rejected(field("text").as_bytes())
                    .into_iter()
                    .map(|(id, _, why)| format!("{id}: {why:?}"))
                    .collect(),
                text: field("text").to_string(),
            });
        }
    }
    report
}

fn row(name: &str, c: &Counts) -> String {
    format!(
        "{name:<30} {:>5} {:>5} {:>5} {:>5} {:>5} {:>9.1}% {:>7.1}%",
        c.total(),
        c.tp,
        c.fp,
        c.fn_,
        c.tn,
        100.0 * c.precision(),
        100.0 * c.recall()
    )
}

/// The table: per source repository, then overall.
pub fn table(report: &Report) -> String {
    let mut out = format!(
        "{:<30} {:>5} {:>5} {:>5} {:>5} {:>5} {:>10} {:>8}\n",
        "source", "cases", "tp", "fp", "fn", "tn", "precision", "recall"
    );
    for (repo, c) in &report.by_source {
        out.push_str(&row(repo, c));
        out.push('\n');
    }
    out.push_str(&row("OVERALL", &report.overall));
    out.push('\n');
    out
}

/// The provider family of a `rule_hint`: `np.slack.5 Slack App Token` →
/// `np.slack`, `gitleaks slack-app-token [tps]` → `gitleaks slack`,
/// `detect-secrets keyword [..]` → `detect-secrets keyword`.
pub fn family(hint: &str) -> String {
    let first = hint.split_whitespace().next().unwrap_or("");
    if let Some(rest) = first.strip_prefix("np.") {
        return format!("np.{}", rest.split('.').next().unwrap_or(rest));
    }
    let second = hint.split_whitespace().nth(1).unwrap_or("");
    let second = second.split(['-', '_']).next().unwrap_or(second);
    format!("{first} {second}")
}

/// Misses grouped by `rule_hint` (or by [`family`] when `by_family`), most
/// first: `(hint, false negatives, false positives)`.
pub fn misses_by_hint(report: &Report, by_family: bool) -> Vec<(String, usize, usize)> {
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in &report.misses {
        let key = if by_family {
            family(&m.rule_hint)
        } else {
            m.rule_hint.clone()
        };
        let e = by.entry(key).or_default();
        if m.expected_secret {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let mut v: Vec<(String, usize, usize)> = by
        .into_iter()
        .map(|(h, (f_n, f_p))| (h.to_string(), f_n, f_p))
        .collect();
    v.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(a.0.cmp(&b.0)));
    v
}
