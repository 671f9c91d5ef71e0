//! Arbitrary-precision comparison of decimal digit strings.
//!
//! Version numbers in the wild exceed `u64` (date stamps glued to build
//! numbers, fuzzers, hostile feeds), so no ordering here ever parses a
//! number: it strips leading zeros and compares by length, then bytes.

use std::cmp::Ordering;

/// `s` without its leading `'0'`s; the empty string stands for zero.
pub(crate) fn trim_zeros(s: &str) -> &str {
    s.trim_start_matches('0')
}

/// Numeric order of two ASCII digit strings of any length (empty is zero).
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let (a, b) = (trim_zeros(a), trim_zeros(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Whether `s` is non-empty and made only of ASCII digits.
pub(crate) fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Length of the run of ASCII digits at the start of `s`.
pub(crate) fn digit_run(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_compare_numerically() {
        let check =
            |a: &str, want: Ordering, b: &str| assert_eq!(cmp_digits(a, b), want, "{a} {b}");
        check(
            "999999999999999999999999999991",
            Ordering::Less,
            "999999999999999999999999999999",
        );
        check("0010", Ordering::Equal, "10");
        check("", Ordering::Equal, "000");
        check("9", Ordering::Less, "10");
        check(
            "18446744073709551616",
            Ordering::Greater,
            "18446744073709551615",
        );
    }
}

/// A version that is a list of arbitrary-size numbers, ordered element by
/// element with a proper prefix first (`1.0 < 1.0.0`): CRAN's and
/// Hackage's ordering, which differ only in their separators.
#[derive(Debug, Clone)]
pub(crate) struct NumberList {
    parts: Vec<Box<str>>,
}

impl NumberList {
    /// Splits on any of `separators`; every part must be a number.
    pub(crate) fn parse(v: &str, separators: &[char]) -> Option<NumberList> {
        let parts = v
            .split(separators)
            .map(|part| is_number(part).then(|| trim_zeros(part).into()))
            .collect::<Option<Vec<Box<str>>>>()?;
        Some(NumberList { parts })
    }
}

impl Ord for NumberList {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts
            .iter()
            .zip(&other.parts)
            .map(|(a, b)| cmp_digits(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| self.parts.len().cmp(&other.parts.len()))
    }
}

super::order_from_ord!(NumberList);
