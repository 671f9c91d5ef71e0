//! PyPI: PEP 440 ordering, as `packaging.version` implements it.
//!
//! Every spelling PEP 440 normalises is accepted (`1.0-alpha1`, `1.0.post-1`,
//! `1.0rc`, `1.0-1`, upper case, a leading `v`, surrounding whitespace).
//! Strings that are not PEP 440 at all fall back to setuptools' legacy
//! ordering (`packaging` < 22 `LegacyVersion`), which sorts every legacy
//! version below every PEP 440 one: old advisories still name such releases
//! and refusing them would drop real findings.

use std::cmp::Ordering;

use super::digits::{cmp_digits, digit_run, is_number, trim_zeros};

/// A PyPI version.
#[derive(Debug, Clone)]
pub(crate) enum Pep440Version {
    /// A version PEP 440 can parse.
    Standard(Box<Standard>),
    /// setuptools' legacy key: zero-padded numbers and `*`-prefixed words.
    Legacy(Vec<String>),
}

/// Pre-release phase; the derive order is PEP 440's `a < b < rc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Alpha,
    Beta,
    Candidate,
}

#[derive(Debug, Clone)]
pub(crate) struct Standard {
    epoch: Box<str>,
    release: Vec<Box<str>>,
    pre: Option<(Phase, Box<str>)>,
    post: Option<Box<str>>,
    dev: Option<Box<str>>,
    local: Option<Vec<LocalPart>>,
}

#[derive(Debug, Clone)]
enum LocalPart {
    Number(Box<str>),
    Word(Box<str>),
}

impl Pep440Version {
    pub(crate) fn parse(v: &str) -> Result<Pep440Version, &'static str> {
        if v.trim().is_empty() {
            return Err("empty version");
        }
        let lower = v.to_ascii_lowercase();
        Ok(match Standard::parse(lower.trim()) {
            Some(standard) => Pep440Version::Standard(Box::new(standard)),
            None => Pep440Version::Legacy(legacy_key(&v.to_lowercase())),
        })
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Pep440Version::Standard(a), Pep440Version::Standard(b)) => a.cmp_key(b),
            // Legacy versions carry epoch -1 in packaging's key.
            (Pep440Version::Legacy(_), Pep440Version::Standard(_)) => Ordering::Less,
            (Pep440Version::Standard(_), Pep440Version::Legacy(_)) => Ordering::Greater,
            (Pep440Version::Legacy(a), Pep440Version::Legacy(b)) => a.cmp(b),
        }
    }
}

super::order_from_ord!(Pep440Version);

/// A cursor over the lower-cased version, mirroring the PEP 440 appendix B
/// regular expression one optional group at a time.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn digits(&mut self) -> Option<&'a str> {
        let n = digit_run(self.rest().as_bytes());
        (n > 0).then(|| {
            let d = &self.s[self.pos..self.pos + n];
            self.pos += n;
            d
        })
    }

    /// Consumes an optional `[-_.]` separator followed by one of `words`
    /// (longest listed first); nothing is consumed when no word follows.
    fn separated_word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = self.rest();
        let skip = usize::from(matches!(rest.as_bytes().first(), Some(b'-' | b'_' | b'.')));
        let word = words.iter().find(|w| rest[skip..].starts_with(**w))?;
        self.pos += skip + word.len();
        Some(word)
    }

    /// An optional number after a phase word, itself optionally preceded by a
    /// separator that is consumed only when digits follow it.
    fn separated_number(&mut self) -> Option<&'a str> {
        let rest = self.rest().as_bytes();
        if matches!(rest.first(), Some(b'-' | b'_' | b'.'))
            && rest.get(1).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
        }
        self.digits()
    }
}

impl Standard {
    fn parse(s: &str) -> Option<Standard> {
        let mut c = Cursor { s, pos: 0 };
        if c.peek() == Some(b'v') {
            c.pos += 1;
        }
        let start = c.pos;
        let mut epoch: Box<str> = "".into();
        if let Some(d) = c.digits() {
            if c.peek() == Some(b'!') {
                epoch = trim_zeros(d).into();
                c.pos += 1;
            } else {
                c.pos = start;
            }
        }
        let mut release = vec![Box::<str>::from(trim_zeros(c.digits()?))];
        while c.peek() == Some(b'.') && c.rest().as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
            c.pos += 1;
            release.push(trim_zeros(c.digits()?).into());
        }

        let pre = c
            .separated_word(&["preview", "alpha", "beta", "pre", "rc", "a", "b", "c"])
            .map(|word| {
                let phase = match word {
                    "a" | "alpha" => Phase::Alpha,
                    "b" | "beta" => Phase::Beta,
                    _ => Phase::Candidate,
                };
                (phase, trim_zeros(c.separated_number().unwrap_or("")).into())
            });

        let implicit_post = {
            let rest = c.rest().as_bytes();
            rest.first() == Some(&b'-') && rest.get(1).is_some_and(u8::is_ascii_digit)
        };
        let post = if implicit_post {
            c.pos += 1;
            c.digits().map(|d| trim_zeros(d).into())
        } else {
            c.separated_word(&["post", "rev", "r"])
                .map(|_| trim_zeros(c.separated_number().unwrap_or("")).into())
        };

        let dev = c
            .separated_word(&["dev"])
            .map(|_| trim_zeros(c.separated_number().unwrap_or("")).into());

        let local = if c.peek() == Some(b'+') {
            let text = &c.rest()[1..];
            let parts: Vec<&str> = text.split(['-', '_', '.']).collect();
            if parts.iter().any(|p| {
                p.is_empty()
                    || !p
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            }) {
                return None;
            }
            c.pos = c.s.len();
            Some(
                parts
                    .into_iter()
                    .map(|p| {
                        if is_number(p) {
                            LocalPart::Number(trim_zeros(p).into())
                        } else {
                            LocalPart::Word(p.into())
                        }
                    })
                    .collect(),
            )
        } else {
            None
        };

        (c.pos == c.s.len()).then_some(Standard {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// `packaging`'s `_cmpkey`, field by field.
    fn cmp_key(&self, other: &Standard) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| cmp_release(&self.release, &other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            // A missing post-release sorts before any post-release.
            .then_with(|| {
                cmp_optional_number(self.post.as_deref(), other.post.as_deref(), Ordering::Less)
            })
            // A missing dev-release sorts after any dev-release.
            .then_with(|| {
                cmp_optional_number(self.dev.as_deref(), other.dev.as_deref(), Ordering::Greater)
            })
            .then_with(|| cmp_local(self.local.as_deref(), other.local.as_deref()))
    }

    /// The pre-release key: a bare dev release (`1.0.dev0`) sorts before every
    /// pre-release of its release, and no pre-release sorts after them all.
    fn pre_key(&self) -> PreKey<'_> {
        match &self.pre {
            Some((phase, n)) => PreKey::Pre(*phase, Num(n)),
            None if self.post.is_none() && self.dev.is_some() => PreKey::BeforeAll,
            None => PreKey::AfterAll,
        }
    }
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    BeforeAll,
    Pre(Phase, Num<'a>),
    AfterAll,
}

/// A digit string ordered numerically.
#[derive(PartialEq, Eq)]
struct Num<'a>(&'a str);

impl Ord for Num<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0, other.0)
    }
}

impl PartialOrd for Num<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Release segments compare as if zero-padded to the same length.
fn cmp_release(a: &[Box<str>], b: &[Box<str>]) -> Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| cmp_digits(a.get(i).map_or("", |s| s), b.get(i).map_or("", |s| s)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// `absent_vs_present` is how a missing segment compares with a present one.
fn cmp_optional_number(a: Option<&str>, b: Option<&str>, absent_vs_present: Ordering) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => absent_vs_present,
        (Some(_), None) => absent_vs_present.reverse(),
        (Some(x), Some(y)) => cmp_digits(x, y),
    }
}

/// No local label sorts first; numeric parts outrank words; a label that
/// extends another sorts after it.
fn cmp_local(a: Option<&[LocalPart]>, b: Option<&[LocalPart]>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    a.iter()
        .zip(b)
        .map(|(x, y)| match (x, y) {
            (LocalPart::Number(x), LocalPart::Number(y)) => cmp_digits(x, y),
            (LocalPart::Number(_), LocalPart::Word(_)) => Ordering::Greater,
            (LocalPart::Word(_), LocalPart::Number(_)) => Ordering::Less,
            (LocalPart::Word(x), LocalPart::Word(y)) => x.cmp(y),
        })
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// setuptools' `parse_version` key for non-PEP 440 strings (`packaging`'s
/// `_legacy_cmpkey`): the string is split into digit runs, letter runs, `.`
/// and `-` (keeping whatever lies between them), numbers are zero-padded to
/// eight digits, words get a `*` prefix (so they sort before numbers), and
/// trailing zeros and `final-` markers are dropped before a word.
fn legacy_key(lower: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for raw in legacy_components(lower)
        .into_iter()
        .chain(std::iter::once("final"))
    {
        let raw = match raw {
            "pre" | "preview" | "rc" => "c",
            "-" => "final-",
            "dev" => "@",
            other => other,
        };
        if raw.is_empty() || raw == "." {
            continue;
        }
        let part = if raw.as_bytes()[0].is_ascii_digit() {
            format!("{raw:0>8}")
        } else {
            format!("*{raw}")
        };
        if part.starts_with('*') {
            if part.as_str() < "*final" {
                while parts.last().is_some_and(|p| p == "*final-") {
                    parts.pop();
                }
            }
            while parts.last().is_some_and(|p| p == "00000000") {
                parts.pop();
            }
        }
        parts.push(part);
    }
    parts
}

/// `re.split(r"(\d+|[a-z]+|\.|-)", s)`: the matches and the text between them.
fn legacy_components(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut gap_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let len = if b.is_ascii_digit() {
            digit_run(&bytes[i..])
        } else if b.is_ascii_lowercase() {
            bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase())
                .count()
        } else if b == b'.' || b == b'-' {
            1
        } else {
            0
        };
        if len == 0 {
            i += 1;
            continue;
        }
        out.push(&s[gap_start..i]);
        out.push(&s[i..i + len]);
        i += len;
        gap_start = i;
    }
    out.push(&s[gap_start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(Pep440Version::parse, a, op, b);
    }

    fn is_standard(v: &str) -> bool {
        matches!(Pep440Version::parse(v).unwrap(), Pep440Version::Standard(_))
    }

    #[test]
    fn normalised_spellings_are_equal() {
        check("1.0-alpha1", "=", "1.0a1");
        check("1.0.ALPHA.1", "=", "1.0a1");
        check("1.0.post-1", "=", "1.0.post1");
        check("1.0-1", "=", "1.0.post1");
        check("1.0-r1", "=", "1.0.post1");
        check("1.0rev", "=", "1.0.post0");
        check("1.0rc", "=", "1.0rc0");
        check("1.0c1", "=", "1.0rc1");
        check("1.0pre1", "=", "1.0rc1");
        check("1.0preview1", "=", "1.0rc1");
        check("1.0-dev", "=", "1.0.dev0");
        check("v1.0", "=", "1.0");
        check(" 1.0\t", "=", "1.0.0");
        check("01!01.0", "=", "1!1");
        check("1.0+Ubuntu-1", "=", "1.0+ubuntu.1");
    }

    #[test]
    fn full_ordering_chain() {
        let chain = [
            "1.0.dev0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+abc.5",
            "1.0+5",
            "1.0.post1.dev0",
            "1.0.post1",
            "1.1.dev0",
            "1!0.1",
        ];
        for pair in chain.windows(2) {
            check(pair[0], "<", pair[1]);
        }
    }

    #[test]
    fn legacy_versions_sort_first() {
        assert!(!is_standard("1.0-foo"));
        assert!(!is_standard("1.0."));
        assert!(!is_standard("1.0+"));
        assert!(is_standard("1.0a.1"));
        check("1.0-foo", "<", "0.0.1");
        check("0.1-bulbasaur", "<", "0.1-charmander");
        check("2004d", "<", "0.1");
    }

    #[test]
    fn huge_numbers() {
        check(
            "1.99999999999999999999999",
            "<",
            "1.100000000000000000000000",
        );
        check("1.0.post99999999999999999999", ">", "1.0.post9");
    }
}
