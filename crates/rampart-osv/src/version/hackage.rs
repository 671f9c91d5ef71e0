//! Hackage: Haskell's `Data.Version` / Cabal `Version` ordering.
//!
//! A version is a list of integers separated by `.`, ordered like Haskell
//! lists: element by element, a proper prefix sorting first (`1.0 < 1.0.0`).
//! Deprecated `-tag` suffixes are not part of Cabal's ordering and are
//! rejected.

use std::cmp::Ordering;

use super::digits::{cmp_digits, is_number, trim_zeros};

/// A parsed Hackage version.
#[derive(Debug, Clone)]
pub(crate) struct HackageVersion {
    parts: Vec<Box<str>>,
}

impl HackageVersion {
    pub(crate) fn parse(v: &str) -> Result<HackageVersion, &'static str> {
        let parts = v
            .split('.')
            .map(|part| is_number(part).then(|| trim_zeros(part).into()))
            .collect::<Option<Vec<Box<str>>>>()
            .ok_or("components must be dot-separated numbers")?;
        Ok(HackageVersion { parts })
    }
}

impl Ord for HackageVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts
            .iter()
            .zip(&other.parts)
            .map(|(a, b)| cmp_digits(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| self.parts.len().cmp(&other.parts.len()))
    }
}

impl PartialOrd for HackageVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for HackageVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for HackageVersion {}

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
        let pa = HackageVersion::parse(a).unwrap();
        let pb = HackageVersion::parse(b).unwrap();
        assert_eq!(pa.cmp(&pb), want, "{a} {op} {b}");
        assert_eq!(pb.cmp(&pa), want.reverse(), "{b} vs {a}");
    }

    #[test]
    fn list_ordering() {
        check("1.0", "<", "1.0.0");
        check("1.2.10", ">", "1.2.9");
        check("2", ">", "1.99.99");
        check("01.2", "=", "1.2");
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for v in ["", "1.", ".1", "1..2", "1.0-tag", "v1"] {
            assert!(HackageVersion::parse(v).is_err(), "{v}");
        }
    }
}
