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
