//! The scanner: keyword prefilter, capture regexes, filters, suppression.
//!
//! One Aho-Corasick pass over the input finds every occurrence of every
//! rule's keywords (ASCII case-insensitive, overlapping), of the rules'
//! anchors, and of the suppression marker. A rule runs only on inputs that
//! contain one of its keywords (as always), and its regex runs only where it
//! can match:
//!
//! - For almost every rule, each possible match contains one of a few
//!   strings, its *anchors* ([`crate::window`] proves it from the pattern):
//!   the keywords themselves for most rules, literals of the pattern for
//!   the rest (`private.key` when the keywords only list `private_key`;
//!   `KEY` when the keyword `telnyx` is context elsewhere in the file). The
//!   regex runs only over a window around each anchor hit, sized so that it
//!   holds every match containing that hit. Overlapping windows of a rule
//!   are merged, so each byte is searched at most once per rule, and the
//!   cost of a scan grows with the hits, not with the number of rules.
//! - The few rules with no usable anchor run over the whole input, as
//!   before.
//!
//! A window search sees the real input on both sides of the window
//! (`captures_read_at` on the input cut [`LOOK_AHEAD`] bytes after the
//! window), so `\b`, `^`, `$` and the patterns' `(?:[^…]|$)` tails behave as
//! in a search of the whole input, and the matches are the same ones, in the
//! same order. Everything after the regexes (filters, lines, suppression) is
//! one forward walk over the matches.

use std::collections::HashMap;

use crate::filters::{looks_like_placeholder, shannon_entropy};
use crate::keywords::{KeywordHit, KeywordMatcher};
use crate::rules::{Confidence, Rule, Ruleset};
use crate::window::{Outside, Plan, Run, Step, plan};

/// A keyword: the rule runs only on inputs containing one.
const GATE: u8 = 1;
/// A string every match of the rule contains: its regex runs around it.
const ANCHOR: u8 = 2;

/// Bytes after a window that a search must still see: the look-arounds at a
/// match's end (`\b`, `$`) read at most one UTF-8 character.
const LOOK_AHEAD: usize = 4;

/// The inline suppression marker.
const IGNORE_MARKER: &str = "rampart:ignore";

/// What a scan includes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Run `confidence = "low"` (generic, heuristic) rules too.
    pub include_low_confidence: bool,
}

/// One secret found in the scanned bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretMatch {
    pub rule_id: String,
    /// The captured value (capture group 1), lossily converted to UTF-8.
    pub secret: String,
    /// Byte offsets of the captured value.
    pub start: usize,
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
}

/// A compiled set of rules, ready to scan many inputs (cheap to share
/// across threads: `Scanner` is `Send + Sync`).
#[derive(Debug, Clone)]
pub struct Scanner {
    rules: Vec<Rule>,
    /// All known rule ids (of the whole ruleset) → index, for parsing
    /// `rampart:ignore <rule-id>`.
    known_ids: HashMap<String, usize>,
    /// For each rule of `rules`, its index in `known_ids`.
    known_index: Vec<usize>,
    automaton: KeywordMatcher,
    /// Automaton pattern index → the rules using that string, and how (a
    /// [`GATE`] and/or an [`ANCHOR`]). The last pattern is the suppression
    /// marker (no rules).
    keyword_rules: Vec<Vec<(usize, u8)>>,
    marker_pattern: usize,
    /// For each rule of `rules`, where its regex runs.
    plans: Vec<Plan>,
    /// The plans' unbounded steps, with how to find the ends of their runs.
    runs: Vec<(Run, Outside)>,
}

impl Scanner {
    /// Compiles `ruleset` (without its low-confidence rules unless
    /// `options.include_low_confidence`).
    pub fn new(ruleset: &Ruleset, options: ScanOptions) -> Self {
        let rules: Vec<Rule> = ruleset
            .rules()
            .iter()
            .filter(|r| options.include_low_confidence || r.confidence != Confidence::Low)
            .cloned()
            .collect();
        let mut runs = Vec::new();
        let plans: Vec<Plan> = rules
            .iter()
            .map(|r| {
                if r.always_run {
                    Plan::Whole
                } else {
                    plan(r.pattern.as_str(), &r.keywords, &mut runs)
                }
            })
            .collect();
        let runs = runs
            .into_iter()
            .map(|r| {
                let outside = Outside::of(&r.set);
                (r, outside)
            })
            .collect();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut keyword_rules: Vec<Vec<(usize, u8)>> = Vec::new();
        let mut add = |text: &[u8], rule: usize, role: u8| {
            let lower = text.to_ascii_lowercase();
            let p = match patterns.iter().position(|p| *p == lower) {
                Some(p) => p,
                None => {
                    patterns.push(lower);
                    keyword_rules.push(Vec::new());
                    patterns.len() - 1
                }
            };
            match keyword_rules[p].iter_mut().find(|(r, _)| *r == rule) {
                Some((_, roles)) => *roles |= role,
                None => keyword_rules[p].push((rule, role)),
            }
        };
        for (i, rule) in rules.iter().enumerate() {
            match &plans[i] {
                Plan::Window {
                    anchors: Some(anchors),
                    ..
                } => {
                    rule.keywords
                        .iter()
                        .for_each(|k| add(k.as_bytes(), i, GATE));
                    anchors.iter().for_each(|a| add(a, i, ANCHOR));
                }
                Plan::Window { anchors: None, .. } => {
                    rule.keywords
                        .iter()
                        .for_each(|k| add(k.as_bytes(), i, GATE | ANCHOR));
                }
                Plan::Whole => rule
                    .keywords
                    .iter()
                    .for_each(|k| add(k.as_bytes(), i, GATE)),
            }
        }
        let known_ids: HashMap<String, usize> = ruleset
            .rules()
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let marker_pattern = patterns.len();
        patterns.push(IGNORE_MARKER.as_bytes().to_vec());
        keyword_rules.push(Vec::new());
        let automaton = KeywordMatcher::new(&patterns);
        let known_index = rules.iter().map(|r| known_ids[&r.id]).collect();
        Self {
            rules,
            known_index,
            known_ids,
            automaton,
            keyword_rules,
            marker_pattern,
            plans,
            runs,
        }
    }

    /// Whether `id`'s regex runs over the whole input rather than around its
    /// keyword hits (see the module doc); for rule authors and tests.
    pub fn runs_on_whole_input(&self, id: &str) -> Option<bool> {
        let i = self.rules.iter().position(|r| r.id == id)?;
        Some(self.plans[i] == Plan::Whole)
    }

    /// The rules this scanner runs.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id, when this scanner runs it.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Every secret in `bytes`, sorted by position then rule id.
    pub fn scan(&self, bytes: &[u8]) -> Vec<SecretMatch> {
        let hits = self.locate(bytes);
        let mut found: Vec<(usize, usize, usize, String)> = Vec::new();
        self.each_capture(bytes, &hits, |ri, start, end, value| {
            let secret = String::from_utf8_lossy(value);
            if check(&self.rules[ri], &secret).is_ok() {
                found.push((start, end, ri, secret.into_owned()));
            }
        });
        if found.is_empty() {
            return Vec::new();
        }
        found.sort_by_key(|a| (a.0, a.1, a.2));
        found.dedup_by(|a, b| (a.0, a.1, a.2) == (b.0, b.1, b.2));

        // Lines and suppression, in one forward walk (linear overall).
        let mut out = Vec::with_capacity(found.len());
        let mut pos = 0usize;
        let mut line = 1usize;
        let mut line_start = 0usize;
        let mut line_end: Option<usize> = None;
        let mut line_ignores = LineIgnores::default();
        for (start, end, ri, secret) in found {
            let skipped = &bytes[pos..start];
            if let Some(last) = memchr::memrchr(b'\n', skipped) {
                line += memchr::memchr_iter(b'\n', skipped).count();
                line_start = pos + last + 1;
                line_end = None;
            }
            pos = start;
            if line_end.is_none() {
                let le = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |p| start + p);
                line_end = Some(le);
                line_ignores = self.line_ignores(bytes, &hits.markers, line_start, le);
            }
            if line_ignores.all
                || line_ignores
                    .rules
                    .get(self.known_index[ri])
                    .copied()
                    .unwrap_or(false)
            {
                continue;
            }
            let rule = &self.rules[ri];
            out.push(SecretMatch {
                rule_id: rule.id.clone(),
                secret,
                start,
                end,
                line,
            });
        }
        out.sort_by(|a, b| (a.start, &a.rule_id, a.end).cmp(&(b.start, &b.rule_id, b.end)));
        out
    }

    /// The keyword pass: where each rule's regex must run, and where the
    /// suppression markers are.
    fn locate(&self, bytes: &[u8]) -> Hits {
        let mut hits = Hits {
            gated: self.rules.iter().map(|r| r.always_run).collect(),
            windows: vec![Vec::new(); self.rules.len()],
            markers: Vec::new(),
        };
        let mut runs = vec![RunCache::default(); self.runs.len()];
        // Overlapping, so that `sk_` inside `sk_live_` still counts.
        let mut found: Vec<KeywordHit> = Vec::new();
        self.automaton.find_all(bytes, &mut found);
        for m in found {
            let p = m.pattern;
            if p == self.marker_pattern {
                hits.markers.push(m.start);
                continue;
            }
            for &(r, role) in &self.keyword_rules[p] {
                if role & GATE != 0 {
                    hits.gated[r] = true;
                }
                let Plan::Window { before, after, .. } = &self.plans[r] else {
                    continue;
                };
                if role & ANCHOR == 0 {
                    continue;
                }
                let from = self.window_start(bytes, m.start, m.end, before, &mut runs);
                let to = self.window_end(bytes, m.start, m.end, after, &mut runs);
                let windows = &mut hits.windows[r];
                match windows.last_mut() {
                    Some(last) if from <= last.1 => {
                        last.0 = last.0.min(from);
                        last.1 = last.1.max(to);
                    }
                    _ => windows.push((from, to)),
                }
            }
        }
        // Hits come in order of their end, and windows almost always start
        // in the same order; a window that starts before its predecessor
        // (a long keyword ending right after a short one) is merged here.
        for (windows, &gated) in hits.windows.iter_mut().zip(&hits.gated) {
            if !gated {
                // Anchors without a keyword anywhere: the rule does not run.
                windows.clear();
            }
            if !windows.is_sorted() {
                windows.sort_unstable();
                let mut merged: Vec<(usize, usize)> = Vec::with_capacity(windows.len());
                for &(from, to) in windows.iter() {
                    match merged.last_mut() {
                        Some(last) if from <= last.1 => last.1 = last.1.max(to),
                        _ => merged.push((from, to)),
                    }
                }
                *windows = merged;
            }
        }
        hits
    }

    /// Calls `f(rule index, start, end, value)` for capture group 1 of every
    /// regex match of the rules located in `hits`, rule by rule, in order of
    /// position: the same matches as a search of the whole input.
    fn each_capture(
        &self,
        bytes: &[u8],
        hits: &Hits,
        mut f: impl FnMut(usize, usize, usize, &[u8]),
    ) {
        for (ri, rule) in self.rules.iter().enumerate() {
            if hits.gated[ri] && self.plans[ri] == Plan::Whole {
                for caps in rule.pattern.captures_iter(bytes) {
                    if let Some(g) = caps.get(1) {
                        f(ri, g.start(), g.end(), g.as_bytes());
                    }
                }
                continue;
            }
            if hits.windows[ri].is_empty() {
                continue;
            }
            let mut locs = rule.pattern.capture_locations();
            for &(from, to) in &hits.windows[ri] {
                // Every match that starts in the window ends in it (that is
                // how windows are sized); the bytes after it are there for
                // the look-arounds only.
                let haystack = &bytes[..(to + LOOK_AHEAD).min(bytes.len())];
                let mut at = from;
                while at < to {
                    let Some(m) = rule.pattern.captures_read_at(&mut locs, haystack, at) else {
                        break;
                    };
                    if m.start() >= to {
                        break;
                    }
                    debug_assert!(m.end() <= to, "rule {}: match past its window", rule.id);
                    if let Some((s, e)) = locs.get(1) {
                        f(ri, s, e, &bytes[s..e]);
                    }
                    // A window rule's matches contain a keyword, so are never
                    // empty; the `+ 1` only guarantees progress.
                    at = if m.end() > m.start() {
                        m.end()
                    } else {
                        m.end() + 1
                    };
                }
            }
        }
    }

    /// Where a window starts, walking left from the hit `[hs, he)` (the
    /// first step is the part of the pattern that contains the hit).
    fn window_start(
        &self,
        bytes: &[u8],
        hs: usize,
        he: usize,
        steps: &[Step],
        runs: &mut [RunCache],
    ) -> usize {
        let mut q = he;
        for (k, step) in steps.iter().enumerate() {
            q = match *step {
                Step::Bytes(n) => q.saturating_sub(n),
                Step::Run(r) => {
                    runs[r].backward(bytes, &self.runs[r].1, if k == 0 { hs } else { q })
                }
            };
        }
        q
    }

    /// Where a window ends, walking right from the hit `[hs, he)`.
    fn window_end(
        &self,
        bytes: &[u8],
        hs: usize,
        he: usize,
        steps: &[Step],
        runs: &mut [RunCache],
    ) -> usize {
        let mut p = hs;
        for (k, step) in steps.iter().enumerate() {
            p = match *step {
                Step::Bytes(n) => p.saturating_add(n).min(bytes.len()),
                Step::Run(r) => {
                    runs[r].forward(bytes, &self.runs[r].1, if k == 0 { he } else { p })
                }
            };
        }
        p
    }

    /// For rule authors: the regex matches in `bytes` that the value filters
    /// dropped, as `(rule id, captured value, reason)`.
    pub fn rejected(&self, bytes: &[u8]) -> Vec<(String, String, Rejection)> {
        let mut out = Vec::new();
        let hits = self.locate(bytes);
        self.each_capture(bytes, &hits, |ri, _, _, value| {
            let rule = &self.rules[ri];
            let secret = String::from_utf8_lossy(value);
            if let Err(why) = check(rule, &secret) {
                out.push((rule.id.clone(), secret.into_owned(), why));
            }
        });
        out
    }

    /// The `rampart:ignore` markers on the line `[from, to)`: a bare marker
    /// suppresses every rule; a marker followed by a known rule id
    /// suppresses only that rule. Each marker is read once per scan.
    fn line_ignores(&self, bytes: &[u8], markers: &[usize], from: usize, to: usize) -> LineIgnores {
        let mut out = LineIgnores::default();
        let first = markers.partition_point(|&m| m < from);
        for &m in markers[first..].iter().take_while(|&&m| m < to) {
            let after = &bytes[(m + IGNORE_MARKER.len()).min(to)..to];
            let rest = after.trim_ascii_start();
            if rest.len() == after.len() && !rest.is_empty() && !rest[0].is_ascii_punctuation() {
                // `rampart:ignorefoo`: not our marker.
                continue;
            }
            let word_len = rest
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
                .unwrap_or(rest.len());
            let named = std::str::from_utf8(&rest[..word_len])
                .ok()
                .and_then(|w| self.known_ids.get(w));
            match named {
                Some(&k) => {
                    if out.rules.is_empty() {
                        out.rules = vec![false; self.known_ids.len()];
                    }
                    out.rules[k] = true;
                }
                None => {
                    out.all = true;
                    break;
                }
            }
        }
        out
    }
}

/// What the keyword pass found.
struct Hits {
    /// Rules with a keyword in the input.
    gated: Vec<bool>,
    /// For each rule, the merged windows `[from, to)` its regex runs over,
    /// sorted and disjoint.
    windows: Vec<Vec<(usize, usize)>>,
    /// Positions of `rampart:ignore`, ascending.
    markers: Vec<usize>,
}

/// The last run found by one unbounded step of one rule in this scan:
/// `bytes[lo..hi]` are all in the step's set, and the run ends there in the
/// step's direction (`hi` walking right, `lo` walking left). Hits arrive in
/// order and each step has its own cache, so the positions a cache is asked
/// about only grow (but for keywords of different lengths ending close
/// together), and each run is scanned about once per step however many hits
/// fall in it.
#[derive(Debug, Clone, Copy, Default)]
struct RunCache {
    valid: bool,
    lo: usize,
    hi: usize,
}

impl RunCache {
    /// The largest `hi` with `bytes[p..hi]` all in the set.
    fn forward(&mut self, bytes: &[u8], outside: &Outside, p: usize) -> usize {
        if p == bytes.len() {
            return p;
        }
        if self.valid && self.lo <= p && p <= self.hi {
            return self.hi;
        }
        if self.valid && p < self.lo && outside.first(&bytes[p..self.lo]).is_none() {
            self.lo = p;
            return self.hi;
        }
        let hi = outside.first(&bytes[p..]).map_or(bytes.len(), |k| p + k);
        *self = Self {
            valid: true,
            lo: p,
            hi,
        };
        hi
    }

    /// The smallest `lo` with `bytes[lo..p]` all in the set.
    fn backward(&mut self, bytes: &[u8], outside: &Outside, p: usize) -> usize {
        if p == 0 {
            return 0;
        }
        if self.valid && self.lo <= p && p <= self.hi {
            return self.lo;
        }
        if self.valid && p > self.hi && outside.last(&bytes[self.hi..p]).is_none() {
            self.hi = p;
            return self.lo;
        }
        let lo = outside.last(&bytes[..p]).map_or(0, |k| k + 1);
        *self = Self {
            valid: true,
            lo,
            hi: p,
        };
        lo
    }
}

/// The suppressions that apply on one line.
#[derive(Debug, Default)]
struct LineIgnores {
    all: bool,
    /// Indexed like `Scanner::known_ids`; empty when no marker names a rule.
    rules: Vec<bool>,
}

/// Why a regex match was not reported (see [`Scanner::rejected`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rejection {
    /// Below the rule's `min_entropy`.
    Entropy,
    /// Looks like a placeholder or template.
    Placeholder,
    /// Failed the rule's validator (checksum, structure).
    Validator,
}

/// The value filters of `rule`: entropy, placeholders, validator.
fn check(rule: &Rule, secret: &str) -> Result<(), Rejection> {
    if let Some(min) = rule.min_entropy
        && shannon_entropy(secret) < min
    {
        return Err(Rejection::Entropy);
    }
    if rule.placeholder_check && looks_like_placeholder(secret) {
        return Err(Rejection::Placeholder);
    }
    if let Some(v) = rule.validator
        && !v.check(secret)
    {
        return Err(Rejection::Validator);
    }
    Ok(())
}

/// The secret for display: its first 4 characters then `…` (fewer for very
/// short values, so that at most half of the value is shown).
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = 4.min(n / 2);
    let mut out: String = secret.chars().take(shown).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GH: &str = "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";

    /// Only the engine's own test rules, so that these tests do not depend
    /// on the built-in rule files.
    fn scanner() -> Scanner {
        let (name, text) = crate::rules::ENGINE_TEST_RULES;
        Scanner::new(
            &Ruleset::from_toml(name, text).unwrap(),
            ScanOptions {
                include_low_confidence: true,
            },
        )
    }

    fn ids(found: &[SecretMatch]) -> Vec<&str> {
        found.iter().map(|m| m.rule_id.as_str()).collect()
    }

    #[test]
    fn finds_with_offsets_and_lines() {
        let text = format!("a = 1\nb = 2\ntoken = \"{GH}\"\n");
        let found = scanner().scan(text.as_bytes());
        let gh: Vec<_> = found
            .iter()
            .filter(|m| m.rule_id == "core-github-classic-pat")
            .collect();
        assert_eq!(gh.len(), 1);
        assert_eq!(gh[0].secret, GH);
        assert_eq!(gh[0].line, 3);
        assert_eq!(&text[gh[0].start..gh[0].end], GH);
    }

    #[test]
    fn keyword_prefilter_is_case_insensitive_but_regex_decides() {
        // The keyword hits (GHP_ ~ ghp_), the case-sensitive regex does not.
        let s = scanner();
        assert!(
            s.scan(GH.to_uppercase().as_bytes())
                .iter()
                .all(|m| m.rule_id != "core-github-classic-pat")
        );
        assert!(s.scan(b"nothing to see here").is_empty());
    }

    #[test]
    fn invalid_utf8_is_fine() {
        let mut bytes = vec![0xff, 0xfe, b'\n'];
        bytes.extend_from_slice(GH.as_bytes());
        bytes.extend_from_slice(&[0xc3, 0x28, b'\n']);
        let found = scanner().scan(&bytes);
        assert_eq!(ids(&found), ["core-github-classic-pat"]);
        assert_eq!(found[0].line, 2);
    }

    #[test]
    fn inline_suppression() {
        let s = scanner();
        let aws = "AKIAMXGEDN73U55XTPLP";
        assert!(
            s.scan(format!("k = {GH} # rampart:ignore\n").as_bytes())
                .is_empty()
        );
        assert!(
            s.scan(format!("k = {GH} # RAMPART:IGNORE core-github-classic-pat\n").as_bytes())
                .is_empty()
        );
        // A marker naming another rule does not suppress this one.
        let other =
            s.scan(format!("k = {GH} {aws} # rampart:ignore core-aws-access-key-id\n").as_bytes());
        assert_eq!(ids(&other), ["core-github-classic-pat"]);
        // A marker followed by prose is a bare marker.
        assert!(
            s.scan(format!("k = {GH} // rampart:ignore test fixture\n").as_bytes())
                .is_empty()
        );
        // The marker only covers its own line.
        let found = s.scan(format!("# rampart:ignore\nk = {GH}\n").as_bytes());
        assert_eq!(ids(&found), ["core-github-classic-pat"]);
        assert_eq!(found[0].line, 2);
    }

    #[test]
    fn repeated_secret_gives_each_location() {
        let text = format!("{GH}\n{GH}\n");
        let found = scanner().scan(text.as_bytes());
        let lines: Vec<usize> = found.iter().map(|m| m.line).collect();
        assert_eq!(lines, [1, 2]);
    }

    #[test]
    fn low_confidence_switch() {
        let text = r#"
[[rule]]
id = "t-generic"
provider = "Generic"
name = "Generic"
confidence = "low"
severity = "low"
keywords = ["secret"]
pattern = '''secret\s*=\s*"([^"]{8,})"'''
min_entropy = 3.0
examples = ['secret = "q8Zr2Lw9Xc"']
counter_examples = ['secret = "aaaaaaaaaa"']
"#;
        let set = Ruleset::from_toml("g.toml", text).unwrap();
        let on = Scanner::new(
            &set,
            ScanOptions {
                include_low_confidence: true,
            },
        );
        let off = Scanner::new(&set, ScanOptions::default());
        let input = br#"secret = "q8Zr2Lw9Xc""#;
        assert_eq!(on.scan(input).len(), 1);
        assert!(off.scan(input).is_empty());
        assert!(on.scan(br#"secret = "aaaaaaaaaa""#).is_empty());
        // Entropy filter: low-entropy but not a placeholder.
        assert!(on.scan(br#"secret = "abababab""#).is_empty());
    }

    #[test]
    fn scanner_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Scanner>();
    }

    #[test]
    fn rejected_explains_dropped_matches() {
        let s = scanner();
        let bad = "ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM";
        assert!(s.scan(bad.as_bytes()).is_empty());
        let why = s.rejected(bad.as_bytes());
        assert_eq!(
            why,
            [(
                "core-github-classic-pat".to_string(),
                bad.to_string(),
                Rejection::Validator
            )]
        );
        let why = s.rejected(b"AKIAIOSFODNN7EXAMPLE");
        assert_eq!(why[0].2, Rejection::Placeholder);
    }

    #[test]
    fn redaction_shows_at_most_half() {
        assert_eq!(redact(GH), "ghp_…");
        assert_eq!(redact("abc"), "a…");
        assert_eq!(redact(""), "…");
    }

    /// Every built-in rule, leniently (the rule files' own validity is
    /// `tests/rules.rs`'s business).
    fn builtin_lenient() -> Scanner {
        let mut all = Ruleset::default();
        for (name, text) in crate::rules::BUILTIN_FILES {
            if let Ok(set) = Ruleset::from_toml(name, text) {
                let _ = all.extend(set);
            }
        }
        Scanner::new(
            &all,
            ScanOptions {
                include_low_confidence: true,
            },
        )
    }

    #[test]
    fn windows_find_what_a_whole_input_search_finds() {
        let windowed = builtin_lenient();
        // The same scanner with every regex run over the whole input when
        // one of its keywords occurs: the engine before windows.
        let mut whole = windowed.clone();
        whole.plans.iter_mut().for_each(|p| *p = Plan::Whole);
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for rule in windowed.rules() {
            for text in rule.examples.iter().chain(&rule.counter_examples) {
                inputs.push(text.clone().into_bytes());
            }
        }
        let each = inputs.len();
        for sep in [&b"\n"[..], b" ", b""] {
            let joined = inputs[..each].join(sep);
            inputs.push(joined);
        }
        for input in &inputs {
            assert_eq!(windowed.scan(input), whole.scan(input));
            assert_eq!(windowed.rejected(input), whole.rejected(input));
        }
        let anchored = windowed
            .plans
            .iter()
            .filter(|p| matches!(p, Plan::Window { .. }))
            .count();
        assert!(anchored * 10 >= windowed.plans.len() * 9, "{anchored}");
    }

    #[test]
    fn hostile_input_finishes() {
        // A 20 MB single line of keyword prefixes, near-misses and pseudo-random
        // bytes: must finish (linear time; no timing assertion) without panics.
        let s = scanner();
        let mut data = Vec::with_capacity(20 << 20);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let chunks: [&[u8]; 6] = [
            b"ghp_ghp_ghp_",
            b"AKIAAKIA",
            b"-----BEGIN PRIVATE KEY-----",
            b"eyJeyJ.eyJ.",
            b"xoxb-1234567890-",
            b"rampart:ignore ",
        ];
        while data.len() < 20 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x.is_multiple_of(3) {
                data.extend_from_slice(chunks[(x >> 8) as usize % chunks.len()]);
            } else {
                let b = (x >> 24) as u8;
                data.push(if b == b'\n' { b' ' } else { b });
            }
        }
        let _ = s.scan(&data);
        // Every built-in rule too; leniently, as the rule files' own validity
        // is `tests/rules.rs`'s business.
        let mut all = Ruleset::default();
        for (name, text) in crate::rules::BUILTIN_FILES {
            if let Ok(set) = Ruleset::from_toml(name, text) {
                let _ = all.extend(set);
            }
        }
        let full = Scanner::new(
            &all,
            ScanOptions {
                include_low_confidence: true,
            },
        );
        let _ = full.scan(&data);
        // A real-looking secret after it is still found.
        data.extend_from_slice(b"\n");
        data.extend_from_slice(GH.as_bytes());
        data.extend_from_slice(b" ");
        let found = s.scan(&data);
        assert!(found.iter().any(|m| m.secret == GH));
    }
}
