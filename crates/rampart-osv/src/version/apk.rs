//! Alpine, Wolfi and Chainguard: apk's version ordering.
//!
//! The grammar is `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`
//! with suffixes ordered `alpha < beta < pre < rc < (none) < cvs < svn < git
//! < hg < p`. Alpine's feeds also contain versions outside that grammar, and
//! `apk version -t` still orders them, so this module models apk's observed
//! behaviour on them the way OSV's reference implementation does:
//!
//! - a letter may be followed by digits and repeat (`1.0a9b10`);
//! - numeric components after the first compare as strings when either has
//!   a leading zero (`1.02 < 1.1`), and empty components (`1..2`) sort
//!   between zero and one;
//! - `-r` with no number is revision 0;
//! - the text after the first unparseable character ("junk") is never
//!   compared; whether a version has junk, and where it starts, decides only
//!   between otherwise equal versions, following current apk where it makes
//!   invalid input sort first (`1.2.0A < 1.2.0d`, `0.r1 < 0r2`,
//!   `1-r-0 < 1-r0`, `1-ruff < 1`) — see [`junk_after_numbers`],
//!   [`cmp_extra_components`] and [`cmp_remainders`];
//! - commit hashes (`~abc123`) are ignored.
//!
//! Parsing never fails on non-empty input: apk itself orders anything.

use std::cmp::Ordering;

use super::digits::{cmp_digits, digit_run};

/// A dot-separated numeric component.
#[derive(Debug, Clone)]
enum Component {
    /// The digits as written (leading zeros matter after the first component).
    Number(Box<str>),
    /// An empty component; `trailing` when the numeric part ends with a dot.
    Empty { trailing: bool },
}

/// Which part of the grammar parsing stopped after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Numeric,
    Letter,
    Suffix,
    Hash,
    Revision,
}

/// Rank of "no suffix" among [`SUFFIXES`]' ranks.
const NO_SUFFIX: u8 = 4;

/// Suffix words with their rank, in the order they are tried (`pre` before
/// `p`, so `_pre1` is `pre`).
const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 0),
    ("beta", 1),
    ("pre", 2),
    ("rc", 3),
    ("cvs", 5),
    ("svn", 6),
    ("git", 7),
    ("hg", 8),
    ("p", 9),
];

/// A parsed apk version.
#[derive(Debug, Clone)]
pub(crate) struct ApkVersion {
    components: Vec<Component>,
    letters: Vec<(u8, Option<Box<str>>)>,
    suffixes: Vec<(u8, Box<str>)>,
    revision: Box<str>,
    last: Last,
    /// Text after the last part that parsed; compared only for presence.
    remainder: Box<str>,
}

impl ApkVersion {
    pub(crate) fn parse(v: &str) -> Result<ApkVersion, &'static str> {
        // A leading zero never changes a version (`.1` is `0.1`), and adding
        // one guarantees a first numeric component to anchor the comparison.
        let s = format!("0{v}");
        let bytes = s.as_bytes();

        let numeric_len = bytes
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .count();
        let numeric = &s[..numeric_len];
        let parts: Vec<&str> = numeric.split('.').collect();
        let components = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                if part.is_empty() {
                    Component::Empty {
                        trailing: i == parts.len() - 1,
                    }
                } else {
                    Component::Number((*part).into())
                }
            })
            .collect();
        let mut last = Last::Numeric;
        let mut pos = numeric_len;

        let mut letters = Vec::new();
        while let Some(&letter) = bytes.get(pos).filter(|b| b.is_ascii_lowercase()) {
            let n = digit_run(&bytes[pos + 1..]);
            let number = (n > 0).then(|| s[pos + 1..pos + 1 + n].into());
            letters.push((letter, number));
            pos += 1 + n;
            last = Last::Letter;
            if n == 0 {
                break;
            }
        }

        // Every `_suffix` in the rest is recorded, but only a run of them
        // directly at the current position is consumed; one found after junk
        // still counts, as in the reference implementation.
        let mut suffixes = Vec::new();
        let mut scan = pos;
        while scan < bytes.len() {
            if let Some((rank, number, end)) = suffix_at(&s, scan) {
                suffixes.push((rank, number.into()));
                last = Last::Suffix;
                if scan == pos {
                    pos = end;
                }
                scan = end;
            } else {
                scan += 1;
            }
        }

        if bytes.get(pos) == Some(&b'~') {
            let n = bytes[pos + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
                .count();
            if n > 0 {
                pos += 1 + n;
                last = Last::Hash;
            }
        }

        let mut revision: Box<str> = "".into();
        if bytes[pos..].starts_with(b"-r") {
            let n = digit_run(&bytes[pos + 2..]);
            revision = s[pos + 2..pos + 2 + n].into();
            pos += 2 + n;
            last = Last::Revision;
        }

        Ok(ApkVersion {
            components,
            letters,
            suffixes,
            revision,
            last,
            remainder: s[pos..].into(),
        })
    }

    fn has_junk(&self) -> bool {
        !self.remainder.is_empty()
    }
}

/// `_word[digits]` starting at `at`: the suffix rank, its number and where
/// the match ends.
fn suffix_at(s: &str, at: usize) -> Option<(u8, &str, usize)> {
    if s.as_bytes()[at] != b'_' {
        return None;
    }
    // `_` is ASCII, so `at + 1` is a character boundary.
    let rest = &s[at + 1..];
    let (word, rank) = SUFFIXES.iter().find(|(word, _)| rest.starts_with(word))?;
    let start = at + 1 + word.len();
    let n = digit_run(&s.as_bytes()[start..]);
    Some((*rank, &s[start..start + n], start + n))
}

fn cmp_component(a: &Component, b: &Component, first: bool) -> Ordering {
    match (a, b) {
        (Component::Number(x), Component::Number(y)) => {
            if !first && (x.starts_with('0') || y.starts_with('0')) {
                x.cmp(y)
            } else {
                cmp_digits(x, y)
            }
        }
        (Component::Empty { trailing: ta }, Component::Empty { trailing: tb }) => tb.cmp(ta),
        (Component::Empty { trailing: true }, Component::Number(_)) => Ordering::Less,
        // An empty component sorts above zero and below everything else.
        (Component::Empty { trailing: false }, Component::Number(y)) => {
            if y.bytes().all(|b| b == b'0') {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Component::Number(_), Component::Empty { .. }) => cmp_component(b, a, first).reverse(),
    }
}

/// When one version has more components, the longer wins, unless all it
/// adds is a trailing dot (`0.r1`), which apk reads as the start of junk.
fn cmp_extra_components(a: &[Component], b: &[Component]) -> Ordering {
    let (longer, ordering) = match a.len().cmp(&b.len()) {
        Ordering::Equal => return Ordering::Equal,
        Ordering::Greater => (&a[b.len()..], Ordering::Greater),
        Ordering::Less => (&b[a.len()..], Ordering::Less),
    };
    if longer
        .iter()
        .all(|c| matches!(c, Component::Empty { trailing: true }))
    {
        ordering.reverse()
    } else {
        ordering
    }
}

/// Junk right after the numbers loses to a plain version, unless the junk
/// is a lone `_` and the other version ends in numbers too.
fn junk_after_numbers(v: &ApkVersion, w: &ApkVersion) -> Option<Ordering> {
    if v.has_junk() && v.last == Last::Numeric && !w.has_junk() {
        match w.last {
            Last::Letter => return Some(Ordering::Less),
            Last::Numeric if &*v.remainder == "_" => return Some(Ordering::Greater),
            Last::Numeric => return Some(Ordering::Less),
            _ => {}
        }
    }
    None
}

/// Junk after a letter loses to the same letters without junk.
fn junk_after_letters(v: &ApkVersion, w: &ApkVersion) -> Option<Ordering> {
    (v.has_junk() && v.last == Last::Letter && !w.has_junk() && w.last == Last::Letter)
        .then_some(Ordering::Less)
}

/// Junk is otherwise never compared: it sorts after the same clean version,
/// except junk after a revision (`1-r0-1`, `1-ruff`), which sorts before.
fn cmp_remainders(v: &ApkVersion, w: &ApkVersion) -> Ordering {
    let junk_rank = |x: &ApkVersion| match (x.has_junk(), x.last) {
        (false, _) => Ordering::Equal,
        (true, Last::Revision) => Ordering::Less,
        (true, _) => Ordering::Greater,
    };
    match (v.has_junk(), w.has_junk()) {
        (true, true) | (false, false) => Ordering::Equal,
        (true, false) => junk_rank(v),
        (false, true) => junk_rank(w).reverse(),
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (v, w) = (self, other);
        for (i, (a, b)) in v.components.iter().zip(&w.components).enumerate() {
            let o = cmp_component(a, b, i == 0);
            if o.is_ne() {
                return o;
            }
        }
        let o = cmp_extra_components(&v.components, &w.components);
        if o.is_ne() {
            return o;
        }
        if let Some(o) =
            junk_after_numbers(v, w).or_else(|| junk_after_numbers(w, v).map(Ordering::reverse))
        {
            return o;
        }

        for ((la, na), (lb, nb)) in v.letters.iter().zip(&w.letters) {
            let o = la.cmp(lb).then_with(|| match (na, nb) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => cmp_digits(x, y),
            });
            if o.is_ne() {
                return o;
            }
        }
        let o = v.letters.len().cmp(&w.letters.len());
        if o.is_ne() {
            return o;
        }
        if let Some(o) =
            junk_after_letters(v, w).or_else(|| junk_after_letters(w, v).map(Ordering::reverse))
        {
            return o;
        }

        let none = (NO_SUFFIX, Box::<str>::from(""));
        for i in 0..v.suffixes.len().max(w.suffixes.len()) {
            let (ra, na) = v.suffixes.get(i).unwrap_or(&none);
            let (rb, nb) = w.suffixes.get(i).unwrap_or(&none);
            let o = ra.cmp(rb).then_with(|| cmp_digits(na, nb));
            if o.is_ne() {
                return o;
            }
        }

        cmp_digits(&v.revision, &w.revision).then_with(|| cmp_remainders(v, w))
    }
}

super::order_from_ord!(ApkVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(ApkVersion::parse, a, op, b);
    }

    #[test]
    fn suffix_order() {
        let chain = [
            "1.0_alpha",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc1",
            "1.0",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p1",
            "1.0a",
            "1.0.1",
        ];
        for pair in chain.windows(2) {
            check(pair[0], "<", pair[1]);
        }
    }

    #[test]
    fn revisions_hashes_and_zeros() {
        check("1.0-r1", "<", "1.0-r2");
        check("1.0-r10", ">", "1.0-r9");
        check("1.0", "=", "1.0-r0");
        check("1.0_git20200101~abc123-r0", "=", "1.0_git20200101-r0");
        check("1.02", "<", "1.1");
        check("1.010", "<", "1.02");
        check("01.1", "=", "1.1");
        check(
            "1.99999999999999999999999",
            "<",
            "1.100000000000000000000000",
        );
    }
}
