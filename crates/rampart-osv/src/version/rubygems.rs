//! RubyGems: `Gem::Version`.
//!
//! A `-` means prerelease (`1.0-rc1` is `1.0.pre.rc1`); the version splits
//! into numeric and letter segments; trailing zeros are dropped from the
//! numeric part and from the part after the first letter segment
//! (`canonical_segments`), then segments compare pairwise with missing ones
//! as `0` and any letter segment below any number.

use std::cmp::Ordering;

use super::digits::{cmp_digits, digit_run, trim_zeros};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits with leading zeros removed.
    Number(Box<str>),
    Word(Box<str>),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(n) if n.is_empty())
    }
}

/// A parsed gem version.
#[derive(Debug, Clone)]
pub(crate) struct GemVersion {
    segments: Vec<Segment>,
}

impl GemVersion {
    pub(crate) fn parse(v: &str) -> Result<GemVersion, &'static str> {
        let v = v.trim_matches(|c: char| c.is_ascii_whitespace());
        check_pattern(v)?;
        let mut raw = Vec::new();
        let bytes = v.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_digit() {
                let n = digit_run(&bytes[i..]);
                raw.push(Segment::Number(trim_zeros(&v[i..i + n]).into()));
                i += n;
            } else if b.is_ascii_alphabetic() {
                let n = bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                raw.push(Segment::Word(v[i..i + n].into()));
                i += n;
            } else {
                if b == b'-' {
                    // Gem::Version rewrites every `-` as `.pre.`.
                    raw.push(Segment::Word("pre".into()));
                }
                i += 1;
            }
        }
        // canonical_segments: strip trailing zeros from the release part and,
        // separately, from the prerelease part.
        let split = raw
            .iter()
            .position(|s| matches!(s, Segment::Word(_)))
            .unwrap_or(raw.len());
        let prerelease = raw.split_off(split);
        let mut segments = raw;
        while segments.last().is_some_and(Segment::is_zero) {
            segments.pop();
        }
        let keep = prerelease.len() - prerelease.iter().rev().take_while(|s| s.is_zero()).count();
        segments.extend(prerelease.into_iter().take(keep));
        Ok(GemVersion { segments })
    }
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN`
/// (`[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`), relaxed to
/// let letters follow the first number directly (`1beta`): OSV data contains
/// such versions and they segment unambiguously.
fn check_pattern(v: &str) -> Result<(), &'static str> {
    let (release, pre) = match v.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (v, None),
    };
    if !release.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("must start with a number");
    }
    if release
        .split('.')
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err("release segments must be non-empty and alphanumeric");
    }
    if let Some(pre) = pre
        && pre
            .split('.')
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err("prerelease segments must be non-empty and alphanumeric");
    }
    Ok(())
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Number("".into());
        let n = self.segments.len().max(other.segments.len());
        for i in 0..n {
            let a = self.segments.get(i).unwrap_or(&zero);
            let b = other.segments.get(i).unwrap_or(&zero);
            let o = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => cmp_digits(x, y),
                (Segment::Word(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Word(_)) => Ordering::Greater,
                (Segment::Word(x), Segment::Word(y)) => x.cmp(y),
            };
            if o.is_ne() {
                return o;
            }
        }
        Ordering::Equal
    }
}

super::order_from_ord!(GemVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(GemVersion::parse, a, op, b);
    }

    #[test]
    fn gem_version_rules() {
        check("1.0", "=", "1");
        check("1.0.a", "=", "1.a");
        check("1.0.0.a.0", "=", "1.a");
        check("1.0-rc1", "=", "1.0.pre.rc1");
        check("1.0-rc1", "<", "1.0");
        check("1.0.a", "<", "1.0");
        check("1.0.B", "<", "1.0.a");
        check("1.0.0.1", ">", "1.0");
        check("2.0.0.rc1", "<", "2.0.0");
        check(" 1.2 ", "=", "1.2");
        check("1beta", "=", "1.beta");
        check("1beta", "<", "1");
        check("1.10", ">", "1.9");
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for v in ["", "a", "1..2", "1.2.", "1.2-", "1_2", "1 2", ".1"] {
            assert!(GemVersion::parse(v).is_err(), "{v}");
        }
    }
}
