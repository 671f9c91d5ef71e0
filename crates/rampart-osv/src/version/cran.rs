//! CRAN: R's `compareVersion`.
//!
//! A version is a list of integers split on `.` and `-`; lists compare
//! element by element and, when one is a prefix of the other, the longer one
//! is greater, so `1.0 < 1.0.0` (R does not zero-pad).

use std::cmp::Ordering;

use super::digits::{cmp_digits, is_number, trim_zeros};

/// A parsed CRAN version.
#[derive(Debug, Clone)]
pub(crate) struct CranVersion {
    parts: Vec<Box<str>>,
}

impl CranVersion {
    /// R turns a non-numeric component into `NA` and then fails to compare,
    /// so such versions are rejected here.
    pub(crate) fn parse(v: &str) -> Result<CranVersion, &'static str> {
        let parts = v
            .trim()
            .split(['.', '-'])
            .map(|part| is_number(part).then(|| trim_zeros(part).into()))
            .collect::<Option<Vec<Box<str>>>>()
            .ok_or("components must be numbers separated by `.` or `-`")?;
        Ok(CranVersion { parts })
    }
}

impl Ord for CranVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts
            .iter()
            .zip(&other.parts)
            .map(|(a, b)| cmp_digits(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| self.parts.len().cmp(&other.parts.len()))
    }
}

impl PartialOrd for CranVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for CranVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for CranVersion {}

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
        let pa = CranVersion::parse(a).unwrap();
        let pb = CranVersion::parse(b).unwrap();
        assert_eq!(pa.cmp(&pb), want, "{a} {op} {b}");
        assert_eq!(pb.cmp(&pa), want.reverse(), "{b} vs {a}");
    }

    #[test]
    fn compare_version_rules() {
        check("1.0-1", "=", "1.0.1");
        check("1.0", "<", "1.0.0");
        check("1.10", ">", "1.9");
        check("0.01", "=", "0.1");
        check("1.2-10", ">", "1.2-9");
    }

    #[test]
    fn non_numeric_components_are_rejected() {
        for v in ["", "1.a", "1..2", "1.0-", "v1.0", "1.0rc1"] {
            assert!(CranVersion::parse(v).is_err(), "{v}");
        }
    }
}
