//! Hackage: Haskell's `Data.Version` / Cabal `Version` ordering.
//!
//! A version is a list of integers separated by `.`, ordered like Haskell
//! lists: element by element, a proper prefix sorting first (`1.0 < 1.0.0`).
//! Deprecated `-tag` suffixes are not part of Cabal's ordering and are
//! rejected.

use super::digits::NumberList;

/// A parsed version.
pub(crate) type HackageVersion = NumberList;

/// Parses a version; anything but numbers and separators is rejected.
pub(crate) fn parse(v: &str) -> Result<HackageVersion, &'static str> {
    NumberList::parse(v, &['.']).ok_or("components must be dot-separated numbers")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(parse, a, op, b);
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
            assert!(parse(v).is_err(), "{v}");
        }
    }
}
