//! Where a rule's matches can be, relative to one of its keyword hits.
//!
//! The scanner runs a rule's regex only over windows around the rule's
//! keyword hits, instead of over the whole input. That is only sound when
//! every string the regex can match contains one of the rule's keywords
//! (ASCII case-insensitively, as the Aho-Corasick pass finds them), and when
//! the window around a hit is sure to contain every match that contains that
//! hit. This module proves the first and computes the second from the
//! pattern's syntax tree (`regex_syntax`), once per rule when the scanner is
//! built.
//!
//! **Coverage.** The pattern's top-level concatenation (capture groups
//! flattened) is a list of items. For each item we compute a small summary
//! of its language, lowercased: the whole language when it is a few short
//! strings (`(?i)secret`, `gh[pousr]_`), otherwise sets of strings that
//! every match starts or ends with. A run of consecutive items (the *core*)
//! is covered when every string of it contains a keyword, including
//! keywords that straddle two items (`xox` + `[pe]` + `-`). When no core
//! exists the rule's plan is [`Plan::Whole`]: its regex runs over the whole
//! input whenever one of its keywords occurs anywhere, as it always did.
//!
//! **Windows.** For a hit `[hs, he)` inside the core's match, the match
//! starts at or after `he - max_len(items up to the core's end)`, walking
//! left item by item, and ends at or before `hs + max_len(items from the
//! core's start)`, walking right. An item without a maximum length (`\s*`,
//! `[A-Za-z0-9/+]{100,}`) cannot be bounded by a number, but it only matches
//! bytes of its alphabet, so it cannot reach past the end of the run of such
//! bytes around the position reached so far: the walk continues from the end
//! (or start) of that run. These bounds follow from the bytes alone, so
//! they are exact: a multi-line PEM block is as long as its run of base64
//! and whitespace, with no cap that could cut it.
//!
//! **Departure.** Unicode case folding lets `(?i)k` match the Kelvin sign
//! (U+212A) and `(?i)s` the long s (U+017F); the coverage proof treats them
//! as the ASCII letters they fold to. A value written with them next to a
//! keyword spelt that way is found only when the keyword's ASCII spelling
//! occurs within the match's window (before, it was found when that spelling
//! occurred anywhere in the input).

use regex_syntax::ParserBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a language summary keeps before it gives up on the set.
const MAX_SET: usize = 64;
/// Longest string a language summary keeps (longer ones are cut).
const MAX_LEN: usize = 64;
/// A character class is expanded into single-byte strings only when it is
/// this small: larger classes never help to spell a keyword.
const MAX_CLASS: usize = 8;

/// A set of bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.insert(b);
        }
    }

    #[inline]
    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// An unbounded step: any number of bytes of one set, walked one way. Each
/// has its own cache of the last run found in a scan.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) set: ByteSet,
    pub(crate) forward: bool,
}

/// One step of the walk from a hit to the edge of its window.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// At most this many bytes.
    Bytes(usize),
    /// Any number of bytes of a set: the index of its [`Run`] (one per step).
    Run(usize),
}

/// How to find the end of a run fast: most sets are "anything but one to
/// three bytes" (`[^\n]`, `\s` with its partner classes), which `memchr`
/// finds several bytes at a time.
#[derive(Debug, Clone)]
pub(crate) enum Outside {
    Nothing,
    One(u8),
    Two(u8, u8),
    Three(u8, u8, u8),
    Table(ByteSet),
}

impl Outside {
    pub(crate) fn of(set: &ByteSet) -> Self {
        let out: Vec<u8> = (0..=255u8).filter(|&b| !set.contains(b)).collect();
        match out[..] {
            [] => Self::Nothing,
            [a] => Self::One(a),
            [a, b] => Self::Two(a, b),
            [a, b, c] => Self::Three(a, b, c),
            _ => Self::Table(*set),
        }
    }

    /// The first byte of `hay` outside the set.
    #[inline]
    pub(crate) fn first(&self, hay: &[u8]) -> Option<usize> {
        match *self {
            Self::Nothing => None,
            Self::One(a) => memchr::memchr(a, hay),
            Self::Two(a, b) => memchr::memchr2(a, b, hay),
            Self::Three(a, b, c) => memchr::memchr3(a, b, c, hay),
            Self::Table(ref set) => hay.iter().position(|&b| !set.contains(b)),
        }
    }

    /// The last byte of `hay` outside the set.
    #[inline]
    pub(crate) fn last(&self, hay: &[u8]) -> Option<usize> {
        match *self {
            Self::Nothing => None,
            Self::One(a) => memchr::memrchr(a, hay),
            Self::Two(a, b) => memchr::memrchr2(a, b, hay),
            Self::Three(a, b, c) => memchr::memrchr3(a, b, c, hay),
            Self::Table(ref set) => hay.iter().rposition(|&b| !set.contains(b)),
        }
    }
}

/// How the scanner runs one rule's regex.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// Over the window around each hit of an anchor: the window starts
    /// `before` the hit's end (first step nearest to the hit) and ends
    /// `after` the hit's start. The anchors are the rule's keywords when
    /// `anchors` is `None`; otherwise these lowercased strings, one of which
    /// every match contains, and the keywords only decide (anywhere in the
    /// input, as always) whether the rule runs at all.
    Window {
        before: Vec<Step>,
        after: Vec<Step>,
        anchors: Option<Vec<Vec<u8>>>,
    },
    /// Over the whole input, when a keyword occurs anywhere.
    Whole,
}

/// The plan for a rule with this pattern and these keywords; its unbounded
/// steps are appended to `runs`.
pub(crate) fn plan(pattern: &str, keywords: &[String], runs: &mut Vec<Run>) -> Plan {
    // The same syntax options as `regex::bytes::Regex` (which does not
    // require the matches to be valid UTF-8).
    let Ok(hir) = ParserBuilder::new().utf8(false).build().parse(pattern) else {
        return Plan::Whole;
    };
    let keywords: Vec<Vec<u8>> = keywords
        .iter()
        .map(|k| k.as_bytes().to_ascii_lowercase())
        .collect();
    let mut items = Vec::new();
    flatten(&hir, &mut items);
    let n = items.len();
    let langs: Vec<Lang> = items.iter().map(|h| Lang::of(h, &keywords)).collect();

    // The tightest covered core: for each start, the shortest covered run
    // of items from there. A suffix of items that is not covered makes
    // every later start uncovered too (its strings are substrings).
    let mut core: Option<(usize, usize)> = None;
    for i in 0..n {
        let mut acc = langs[i].clone();
        let mut j = i;
        while !acc.covered && j + 1 < n {
            j += 1;
            acc = acc.concat(&langs[j], &keywords);
        }
        if !acc.covered {
            break;
        }
        if core.is_none_or(|(ci, cj)| j - i < cj - ci) {
            core = Some((i, j));
        }
    }
    let mut anchors = None;
    if core.is_none() {
        // No keyword is in every match (the keywords are context, or miss a
        // spelling the pattern allows): look for other strings that are,
        // short runs of items first.
        let mut best: Option<(usize, usize, Vec<Vec<u8>>)> = None;
        for i in 0..n {
            let mut acc = langs[i].clone();
            for (j, lang) in langs.iter().enumerate().take(n.min(i + 4)).skip(i) {
                if j > i {
                    acc = acc.concat(lang, &keywords);
                }
                let Some(a) = &acc.anchors else { continue };
                if a.iter().any(|s| s.len() < MIN_ANCHOR) {
                    continue;
                }
                let better = match &best {
                    None => true,
                    Some((bi, bj, b)) => {
                        (anchor_score(a, &keywords), j - i) < (anchor_score(b, &keywords), bj - bi)
                    }
                };
                if better {
                    best = Some((i, j, a.clone()));
                }
            }
        }
        if let Some((i, j, a)) = best {
            core = Some((i, j));
            anchors = Some(a);
        }
    }
    let Some((i, j)) = core else {
        return Plan::Whole;
    };
    let core_items = &items[i..=j];
    let mut run_step = |hirs: &[&Hir], forward: bool| -> Step {
        let max: Option<usize> = hirs
            .iter()
            .try_fold(0usize, |acc, h| Some(acc + h.properties().maximum_len()?));
        match max {
            Some(m) => Step::Bytes(m),
            None => {
                let mut set = ByteSet::default();
                for h in hirs {
                    alphabet(h, &mut set);
                }
                runs.push(Run { set, forward });
                Step::Run(runs.len() - 1)
            }
        }
    };
    let mut before = vec![run_step(core_items, false)];
    for h in items[..i].iter().rev() {
        before.push(run_step(std::slice::from_ref(h), false));
    }
    let mut after = vec![run_step(core_items, true)];
    for h in &items[j + 1..] {
        after.push(run_step(std::slice::from_ref(h), true));
    }
    Plan::Window {
        before: merge_bytes(before),
        after: merge_bytes(after),
        anchors,
    }
}

/// How good a set of anchors is, smaller is better: ones that contain a
/// keyword, then long ones (rarer in text), then few.
fn anchor_score(
    anchors: &[Vec<u8>],
    keywords: &[Vec<u8>],
) -> (bool, std::cmp::Reverse<usize>, usize) {
    (
        !anchors.iter().all(|a| contains_keyword(a, keywords)),
        std::cmp::Reverse(anchors.iter().map(Vec::len).min().unwrap_or(0)),
        anchors.len(),
    )
}

/// Anchors shorter than this would hit too often to be worth a window each.
const MIN_ANCHOR: usize = 3;

/// Strings one of which every string of `set` contains: each string, or the
/// keyword it contains. `None` when `set` has the empty string.
fn anchors_of(set: &[Vec<u8>], keywords: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::with_capacity(set.len());
    for s in set {
        if s.is_empty() {
            return None;
        }
        let kw = keywords
            .iter()
            .find(|k| k.len() <= s.len() && s.windows(k.len()).any(|w| w == k.as_slice()));
        out.push(kw.unwrap_or(s).clone());
    }
    let out = dedup(out);
    (out.len() <= MAX_SET).then_some(out)
}

/// Adds up consecutive `Bytes` steps.
fn merge_bytes(steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for s in steps {
        match (out.last_mut(), &s) {
            (Some(Step::Bytes(a)), Step::Bytes(b)) => *a += b,
            _ => out.push(s),
        }
    }
    out
}

/// The top-level concatenation with capture groups (which do not change
/// what matches) opened up.
fn flatten<'h>(hir: &'h Hir, out: &mut Vec<&'h Hir>) {
    match hir.kind() {
        HirKind::Concat(children) => children.iter().for_each(|c| flatten(c, out)),
        HirKind::Capture(c) => flatten(&c.sub, out),
        _ => out.push(hir),
    }
}

/// Every byte that can occur in a match of `hir`.
fn alphabet(hir: &Hir, set: &mut ByteSet) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => lit.0.iter().for_each(|&b| set.insert(b)),
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                set.insert_range(r.start(), r.end());
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if lo < 0x80 {
                    set.insert_range(lo as u8, hi.min(0x7f) as u8);
                }
                if hi >= 0x80 {
                    // Any non-ASCII character: its UTF-8 bytes are all >= 0x80.
                    set.insert_range(0x80, 0xff);
                }
            }
        }
        HirKind::Repetition(r) => alphabet(&r.sub, set),
        HirKind::Capture(c) => alphabet(&c.sub, set),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => hs.iter().for_each(|h| alphabet(h, set)),
    }
}

/// A summary of a language, all strings ASCII-lowercased.
#[derive(Debug, Clone)]
struct Lang {
    /// The whole language, when it is a few short strings.
    exact: Option<Vec<Vec<u8>>>,
    /// Every string of the language starts with one of these.
    prefixes: Vec<Vec<u8>>,
    /// Every string of the language ends with one of these.
    suffixes: Vec<Vec<u8>>,
    /// Every string of the language contains a keyword.
    covered: bool,
    /// Strings one of which every string of the language contains.
    anchors: Option<Vec<Vec<u8>>>,
}

fn contains_keyword(s: &[u8], keywords: &[Vec<u8>]) -> bool {
    keywords
        .iter()
        .any(|k| k.len() <= s.len() && s.windows(k.len()).any(|w| w == k.as_slice()))
}

fn dedup(mut v: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    v.sort_unstable();
    v.dedup();
    v
}

impl Lang {
    /// Nothing known (but the language may still be covered).
    fn unknown(covered: bool) -> Self {
        Self {
            exact: None,
            prefixes: vec![Vec::new()],
            suffixes: vec![Vec::new()],
            covered,
            anchors: None,
        }
    }

    fn from_set(set: Vec<Vec<u8>>, keywords: &[Vec<u8>]) -> Self {
        let set = dedup(set);
        let covered = set.iter().all(|s| contains_keyword(s, keywords));
        if set.len() <= MAX_SET && set.iter().all(|s| s.len() <= MAX_LEN) {
            return Self {
                prefixes: set.clone(),
                suffixes: set.clone(),
                anchors: anchors_of(&set, keywords),
                exact: Some(set),
                covered,
            };
        }
        // Too big to keep whole: keep what every string starts and ends with.
        let prefixes = dedup(
            set.iter()
                .map(|s| s[..s.len().min(MAX_LEN)].to_vec())
                .collect(),
        );
        let suffixes = dedup(
            set.iter()
                .map(|s| s[s.len().saturating_sub(MAX_LEN)..].to_vec())
                .collect(),
        );
        Self {
            exact: None,
            anchors: anchors_of(&prefixes, keywords),
            prefixes: if prefixes.len() <= MAX_SET {
                prefixes
            } else {
                vec![Vec::new()]
            },
            suffixes: if suffixes.len() <= MAX_SET {
                suffixes
            } else {
                vec![Vec::new()]
            },
            covered,
        }
    }

    fn of(hir: &Hir, keywords: &[Vec<u8>]) -> Self {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Self::from_set(vec![Vec::new()], keywords),
            HirKind::Literal(lit) => Self::from_set(vec![lit.0.to_ascii_lowercase()], keywords),
            HirKind::Class(class) => match class_bytes(class) {
                Some(bytes) => {
                    Self::from_set(bytes.into_iter().map(|b| vec![b]).collect(), keywords)
                }
                None => Self::unknown(false),
            },
            HirKind::Capture(c) => Self::of(&c.sub, keywords),
            HirKind::Concat(hs) => {
                let mut acc = Self::from_set(vec![Vec::new()], keywords);
                for h in hs {
                    acc = acc.concat(&Self::of(h, keywords), keywords);
                }
                acc
            }
            HirKind::Alternation(hs) => {
                let langs: Vec<Self> = hs.iter().map(|h| Self::of(h, keywords)).collect();
                let covered = langs.iter().all(|l| l.covered);
                if langs.iter().all(|l| l.exact.is_some()) {
                    let set = langs
                        .into_iter()
                        .flat_map(|l| l.exact.unwrap_or_default())
                        .collect();
                    let mut out = Self::from_set(set, keywords);
                    out.covered |= covered;
                    return out;
                }
                let union = |f: fn(&Self) -> &Vec<Vec<u8>>| {
                    let all = dedup(langs.iter().flat_map(|l| f(l).iter().cloned()).collect());
                    if all.len() <= MAX_SET {
                        all
                    } else {
                        vec![Vec::new()]
                    }
                };
                let anchors = langs
                    .iter()
                    .map(|l| l.anchors.clone())
                    .collect::<Option<Vec<_>>>()
                    .and_then(|all| anchors_of(&all.concat(), keywords));
                Self {
                    exact: None,
                    prefixes: union(|l| &l.prefixes),
                    suffixes: union(|l| &l.suffixes),
                    covered,
                    anchors,
                }
            }
            HirKind::Repetition(r) => {
                let sub = Self::of(&r.sub, keywords);
                let min = r.min as usize;
                if let (Some(exact), Some(max)) = (&sub.exact, r.max)
                    && max <= 8
                {
                    // Spell out small bounded repetitions (`[12]{1,2}`).
                    let mut acc: Vec<Vec<u8>> = vec![Vec::new()];
                    let mut set: Vec<Vec<u8>> = Vec::new();
                    if min == 0 {
                        set.push(Vec::new());
                    }
                    let mut small = true;
                    for k in 1..=max as usize {
                        if acc.len() * exact.len() > MAX_SET * MAX_SET {
                            small = false;
                            break;
                        }
                        acc = dedup(
                            acc.iter()
                                .flat_map(|a| exact.iter().map(move |e| [a.as_slice(), e].concat()))
                                .collect(),
                        );
                        if k >= min {
                            set.extend(acc.iter().cloned());
                        }
                    }
                    if small {
                        let mut out = Self::from_set(set, keywords);
                        out.covered |= min >= 1 && sub.covered;
                        return out;
                    }
                }
                if min >= 1 {
                    Self {
                        exact: None,
                        prefixes: sub.prefixes,
                        suffixes: sub.suffixes,
                        covered: sub.covered,
                        anchors: sub.anchors,
                    }
                } else {
                    Self::unknown(false)
                }
            }
        }
    }

    /// The language of `self` followed by `next`.
    fn concat(&self, next: &Self, keywords: &[Vec<u8>]) -> Self {
        let glued = self.covered
            || next.covered
            || self.suffixes.iter().all(|s| {
                next.prefixes
                    .iter()
                    .all(|p| contains_keyword(&[s.as_slice(), p].concat(), keywords))
            });
        if let (Some(a), Some(b)) = (&self.exact, &next.exact)
            && a.len() * b.len() <= MAX_SET * MAX_SET
        {
            let set = a
                .iter()
                .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
                .collect();
            let mut out = Self::from_set(set, keywords);
            out.covered |= glued;
            return out;
        }
        let prefixes = match &self.exact {
            Some(a) => {
                let cross = dedup(
                    a.iter()
                        .flat_map(|x| {
                            next.prefixes.iter().map(move |p| {
                                let s = [x.as_slice(), p].concat();
                                s[..s.len().min(MAX_LEN)].to_vec()
                            })
                        })
                        .collect(),
                );
                // Each string of `a` is itself a prefix of the concatenation.
                if cross.len() <= MAX_SET {
                    cross
                } else {
                    a.clone()
                }
            }
            None => self.prefixes.clone(),
        };
        let suffixes = match &next.exact {
            Some(b) => {
                let cross = dedup(
                    self.suffixes
                        .iter()
                        .flat_map(|s| {
                            b.iter().map(move |y| {
                                let t = [s.as_slice(), y].concat();
                                t[t.len().saturating_sub(MAX_LEN)..].to_vec()
                            })
                        })
                        .collect(),
                );
                if cross.len() <= MAX_SET {
                    cross
                } else {
                    b.clone()
                }
            }
            None => next.suffixes.clone(),
        };
        let anchors = match (&self.anchors, &next.anchors) {
            (Some(a), Some(b)) => {
                if anchor_score(b, keywords) < anchor_score(a, keywords) {
                    Some(b.clone())
                } else {
                    Some(a.clone())
                }
            }
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        Self {
            exact: None,
            prefixes,
            suffixes,
            covered: glued,
            anchors,
        }
    }
}

/// The bytes a class matches, lowercased, when it matches only a few ASCII
/// characters (plus the Kelvin sign and long s, see the module doc).
fn class_bytes(class: &Class) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    match class {
        Class::Bytes(c) => {
            for r in c.ranges() {
                if usize::from(r.end() - r.start()) >= MAX_CLASS {
                    return None;
                }
                out.extend((r.start()..=r.end()).map(|b| b.to_ascii_lowercase()));
            }
        }
        Class::Unicode(c) => {
            let mut folded: Vec<u8> = Vec::new();
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                if hi - lo >= MAX_CLASS as u32 {
                    return None;
                }
                for cp in lo..=hi {
                    match cp {
                        0..=0x7f => out.push((cp as u8).to_ascii_lowercase()),
                        0x17f => folded.push(b's'),
                        0x212a => folded.push(b'k'),
                        _ => return None,
                    }
                }
            }
            if folded.iter().any(|f| !out.contains(f)) {
                return None;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_CLASS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(pattern: &str, keywords: &[&str]) -> Plan {
        let kws: Vec<String> = keywords.iter().map(|k| k.to_string()).collect();
        plan(pattern, &kws, &mut Vec::new())
    }

    fn bytes_only(plan: &Plan) -> Option<(Vec<usize>, Vec<usize>)> {
        let Plan::Window { before, after, .. } = plan else {
            return None;
        };
        let nums = |s: &[Step]| {
            s.iter()
                .map(|s| match s {
                    Step::Bytes(n) => Some(*n),
                    Step::Run(_) => None,
                })
                .collect::<Option<Vec<_>>>()
        };
        Some((nums(before)?, nums(after)?))
    }

    #[test]
    fn literal_prefix_gives_a_fixed_window() {
        let p = plan_of(
            r"(?-u:\b)(ghp_[A-Za-z0-9]{36})(?:[^A-Za-z0-9_]|$)",
            &["ghp_"],
        );
        // The tail class is Unicode: one character of up to 4 bytes.
        assert_eq!(bytes_only(&p), Some((vec![4], vec![4 + 36 + 4])));
    }

    #[test]
    fn keywords_spelt_across_items_and_case() {
        // `xox` + `[pe]` + `-` spells both keywords.
        let p = plan_of(
            r"\b(xox[pe](?:-\d{5,14}){3}-[A-Za-z0-9]{16,40})\b",
            &["xoxp-", "xoxe-"],
        );
        assert!(matches!(p, Plan::Window { .. }), "{p:?}");
        let p = plan_of(r"(?i)secret\s*=\s*([a-z]{8})", &["SECRET"]);
        assert!(matches!(p, Plan::Window { .. }), "{p:?}");
    }

    fn anchors(plan: &Plan) -> Option<Vec<&str>> {
        match plan {
            Plan::Window {
                anchors: Some(a), ..
            } => Some(a.iter().map(|a| std::str::from_utf8(a).unwrap()).collect()),
            _ => None,
        }
    }

    #[test]
    fn uncovered_patterns_get_anchors_from_the_pattern() {
        // The keyword is context somewhere in the file, not part of the match.
        let p = plan_of(r"\b(KEY[0-9A-F]{32})\b", &["telnyx"]);
        assert_eq!(anchors(&p), Some(vec!["key"]));
        // `\s+` may be a tab: `bot ` is not in every match, `bot` is.
        let p = plan_of(r"(?i:\bbot)\s+([a-z]{20})", &["bot "]);
        assert_eq!(anchors(&p), Some(vec!["bot"]));
        // Alternatives keep their keyword and add what no keyword covers.
        let p = plan_of(
            r"(?i)(?:secret|private[_.]?key)\s*=\s*([a-z]{8})",
            &["secret", "private_key"],
        );
        assert_eq!(
            anchors(&p),
            Some(vec!["private.key", "private_key", "privatekey", "secret"])
        );
    }

    #[test]
    fn patterns_without_a_literal_run_whole() {
        assert_eq!(plan_of(r"(?:sk_)?([a-z]{20})", &["sk_"]), Plan::Whole);
        assert_eq!(plan_of(r"\b([A-Z]{2}[0-9]{20})\b", &["iban"]), Plan::Whole);
    }

    #[test]
    fn unbounded_items_become_runs() {
        let p = plan_of(r"(?i)token\s*=\s*([a-z]{8})", &["token"]);
        let Plan::Window { before, after, .. } = p else {
            panic!("{p:?}")
        };
        // `(?i)k` also matches the Kelvin sign, 3 bytes in UTF-8.
        assert_eq!(before, [Step::Bytes(7)]);
        assert_eq!(after.len(), 5, "{after:?}");
        assert_eq!(after[0], Step::Bytes(7));
        assert!(matches!(after[1], Step::Run(_)), "{after:?}");
    }
}
