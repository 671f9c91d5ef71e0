//! SemVer 2.0 precedence, as npm, crates.io, Go and Hex use it and as the
//! OSV `SEMVER` range type requires.
//!
//! OSV data is looser than the SemVer grammar, so the parser tolerates a
//! leading `v`, fewer or more than three numeric components (missing ones
//! are zero, extra ones are compared in turn), and a prerelease attached
//! without `-` (`1.36.0rc1`, `1.2.beta`). Build metadata never affects
//! precedence here; Pub's ordering, which does look at it, reuses this
//! parser (see `pub_semver`).

use std::cmp::Ordering;

use super::digits::{cmp_digits, is_number, trim_zeros};

/// One dot-separated prerelease or build identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identifier {
    /// Digits only, leading zeros removed.
    Numeric(Box<str>),
    /// Anything else, compared bytewise.
    Alphanumeric(Box<str>),
}

impl Identifier {
    fn new(s: &str) -> Identifier {
        if is_number(s) {
            Identifier::Numeric(trim_zeros(s).into())
        } else {
            Identifier::Alphanumeric(s.into())
        }
    }

    /// SemVer §11.4: numbers compare numerically and sort before text.
    pub(crate) fn cmp_precedence(&self, other: &Identifier) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => cmp_digits(a, b),
            (Identifier::Numeric(_), Identifier::Alphanumeric(_)) => Ordering::Less,
            (Identifier::Alphanumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Alphanumeric(a), Identifier::Alphanumeric(b)) => {
                a.as_bytes().cmp(b.as_bytes())
            }
        }
    }
}

/// A parsed SemVer-like version.
#[derive(Debug, Clone)]
pub(crate) struct SemverVersion {
    /// Numeric components, leading zeros removed; at least one.
    pub(crate) core: Vec<Box<str>>,
    /// Prerelease identifiers; empty for a release.
    pub(crate) pre: Vec<Identifier>,
    /// Build metadata identifiers.
    pub(crate) build: Vec<Identifier>,
}

impl SemverVersion {
    pub(crate) fn parse(v: &str) -> Result<SemverVersion, &'static str> {
        let rest = v.strip_prefix(['v', 'V']).unwrap_or(v);
        let bytes = rest.as_bytes();
        let mut core = Vec::new();
        let mut pos = 0;
        loop {
            let len = bytes[pos..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if len == 0 {
                if core.is_empty() {
                    return Err("does not start with a number");
                }
                break;
            }
            core.push(trim_zeros(&rest[pos..pos + len]).into());
            pos += len;
            // A dot continues the numeric core only when a number follows;
            // `1.2.beta` is a prerelease, not a malformed core.
            if bytes.get(pos) == Some(&b'.') && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            } else {
                break;
            }
        }
        let tail = &rest[pos..];
        let (pre, build) = match tail.split_once('+') {
            Some((pre, build)) => (pre, build),
            None => (tail, ""),
        };
        let pre = pre.strip_prefix(['-', '.']).unwrap_or(pre);
        Ok(SemverVersion {
            core,
            pre: split_identifiers(pre),
            build: split_identifiers(build),
        })
    }

    /// Precedence of the numeric core, zero-padding the shorter side.
    pub(crate) fn cmp_core(&self, other: &SemverVersion) -> Ordering {
        let n = self.core.len().max(other.core.len());
        (0..n)
            .map(|i| {
                let a = self.core.get(i).map_or("", |s| s);
                let b = other.core.get(i).map_or("", |s| s);
                cmp_digits(a, b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// SemVer 2.0 precedence: build metadata is ignored.
    pub(crate) fn cmp_semver(&self, other: &SemverVersion) -> Ordering {
        self.cmp_core(other)
            .then_with(|| cmp_prerelease(&self.pre, &other.pre))
    }
}

fn split_identifiers(s: &str) -> Vec<Identifier> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split('.').map(Identifier::new).collect()
    }
}

/// A release outranks its prereleases; prereleases compare identifier by
/// identifier and a longer list wins a tie (SemVer §11.3–11.4).
pub(crate) fn cmp_prerelease(a: &[Identifier], b: &[Identifier]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => cmp_identifier_lists(a, b),
    }
}

/// Identifier-wise comparison where a missing identifier sorts first.
pub(crate) fn cmp_identifier_lists(a: &[Identifier], b: &[Identifier]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.cmp_precedence(y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => unreachable!(),
        };
        let pa = SemverVersion::parse(a).unwrap();
        let pb = SemverVersion::parse(b).unwrap();
        assert_eq!(pa.cmp_semver(&pb), want, "{a} {op} {b}");
        assert_eq!(pb.cmp_semver(&pa), want.reverse(), "{b} vs {a}");
    }

    #[test]
    fn precedence() {
        check("1.0.0-alpha", "<", "1.0.0-alpha.1");
        check("1.0.0-alpha.beta", "<", "1.0.0-beta");
        check("1.0.0-beta.2", "<", "1.0.0-beta.11");
        check("1.0.0-rc.1", "<", "1.0.0");
        check("1.0.0+build.1", "=", "1.0.0+build.2");
        check("1.2", "=", "1.2.0");
        check("1", "<", "1.0.1");
        check("1.2.3.4", ">", "1.2.3");
        check("1.2.3.0", "=", "1.2.3");
        check("01.002.0003", "=", "1.2.3");
        check("1.36.0rc1", "<", "1.36.0");
        check("1.2.beta", "<", "1.2.0");
        check("1.2.3-", "=", "1.2.3");
    }

    #[test]
    fn go_quirks() {
        check("v2.0.0+incompatible", "=", "v2.0.0");
        check("v0.0.0-20210517010151-5ec03a8b1234", "<", "v0.0.1");
        check(
            "v0.0.0-20210517010151-5ec03a8b1234",
            ">",
            "v0.0.0-20200101000000-aaaaaaaaaaaa",
        );
        check("v1.2.4-0.20210517010151-5ec03a8b1234", ">", "v1.2.3");
        check("v1.2.4-0.20210517010151-5ec03a8b1234", "<", "v1.2.4");
        check(
            "v1.2.4-pre.0.20210517010151-5ec03a8b1234",
            ">",
            "v1.2.4-pre",
        );
    }

    #[test]
    fn rejects_non_versions() {
        for v in ["", "v", "beta", ".1", "-1"] {
            assert!(SemverVersion::parse(v).is_err(), "{v}");
        }
    }
}
