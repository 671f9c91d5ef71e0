//! CRAN: R's `compareVersion`.
//!
//! A version is a list of integers split on `.` and `-`; lists compare
//! element by element and, when one is a prefix of the other, the longer one
//! is greater, so `1.0 < 1.0.0` (R does not zero-pad).

use super::digits::NumberList;

/// A parsed version.
pub(crate) type CranVersion = NumberList;

/// Parses a version; anything but numbers and separators is rejected.
pub(crate) fn parse(v: &str) -> Result<CranVersion, &'static str> {
    NumberList::parse(v.trim(), &['.', '-'])
        .ok_or("components must be numbers separated by `.` or `-`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(parse, a, op, b);
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
            assert!(parse(v).is_err(), "{v}");
        }
    }
}
