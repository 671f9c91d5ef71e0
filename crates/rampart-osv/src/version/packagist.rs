//! Packagist: PHP's `version_compare`, after composer's stripping of a
//! leading `v`/`V`.
//!
//! PHP canonicalises a version by turning `-`, `_` and `+` into `.` and
//! putting a `.` at every digit/non-digit boundary, then walks both strings
//! element by element: numbers compare numerically, words by their special
//! form (`dev < alpha = a < beta = b < RC = rc < # < pl = p`, anything else
//! below `dev`), and a number outranks a word by standing in as `#`. Numbers
//! are compared exactly rather than through PHP's saturating `strtol`.

use std::cmp::Ordering;

use super::digits::{cmp_digits, digit_run};

/// A Packagist version in PHP's canonical form.
#[derive(Debug, Clone)]
pub(crate) struct PackagistVersion {
    canonical: Box<[u8]>,
}

impl PackagistVersion {
    pub(crate) fn parse(v: &str) -> Result<PackagistVersion, &'static str> {
        let v = v.trim_start_matches(['v', 'V']);
        if v.is_empty() {
            return Err("no version after the `v` prefix");
        }
        let canonical = if v.starts_with('#') {
            // PHP leaves `#`-prefixed strings (its own `#N#` marker) alone.
            v.as_bytes().into()
        } else {
            canonicalize(v.as_bytes()).into()
        };
        Ok(PackagistVersion { canonical })
    }
}

fn is_special_separator(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'+')
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn is_non_digit(b: u8) -> bool {
    !b.is_ascii_digit() && b != b'.'
}

/// `php_canonicalize_version`.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let Some((&first, rest)) = v.split_first() else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(v.len() * 2);
    out.push(first);
    let mut previous = first;
    for &c in rest {
        let last_out = *out.last().unwrap_or(&b'.');
        if is_special_separator(c) {
            if last_out != b'.' {
                out.push(b'.');
            }
        } else if (is_non_digit(previous) && is_digit(c)) || (is_digit(previous) && is_non_digit(c))
        {
            if last_out != b'.' {
                out.push(b'.');
            }
            out.push(c);
        } else if c == b'.' {
            // PHP collapses a run of dots into one, so no element is empty;
            // keeping them made `0..` and `0...8` each compare below the
            // other. (PHP turns every non-alphanumeric byte into `.` here;
            // we keep other bytes such as `#` as they are, as osv-scalibr
            // does, which the `1.2.3.# = 1.2.3` reference vectors pin.)
            if last_out != b'.' {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

/// `compare_special_version_forms`: the rank of a word by its prefix.
fn special_form_rank(form: &[u8]) -> i8 {
    const FORMS: [(&[u8], i8); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, rank)| *rank)
}

const NUMBER_MARKER: &[u8] = b"#N#";

fn compare_elements(a: &[u8], b: &[u8]) -> Ordering {
    let a_num = a.first().is_some_and(|c| c.is_ascii_digit());
    let b_num = b.first().is_some_and(|c| c.is_ascii_digit());
    // A numeric element is all digits after canonicalisation; `strtol` reads
    // the leading run, so compare exactly that.
    let number = |s: &[u8]| -> String { String::from_utf8_lossy(&s[..digit_run(s)]).into_owned() };
    match (a_num, b_num) {
        (true, true) => cmp_digits(&number(a), &number(b)),
        (false, false) => special_form_rank(a).cmp(&special_form_rank(b)),
        (true, false) => special_form_rank(NUMBER_MARKER).cmp(&special_form_rank(b)),
        (false, true) => special_form_rank(a).cmp(&special_form_rank(NUMBER_MARKER)),
    }
}

/// `php_version_compare` on two canonical strings.
fn php_version_compare(v1: &[u8], v2: &[u8]) -> Ordering {
    if v1.is_empty() || v2.is_empty() {
        return (!v1.is_empty()).cmp(&!v2.is_empty());
    }
    let find_dot =
        |s: &[u8], from: usize| s[from..].iter().position(|&c| c == b'.').map(|i| from + i);
    let (mut p1, mut p2) = (0, 0);
    // PHP's `n1`/`n2`: where the current element ends, or `None` once the
    // last element has been reached. They start non-null.
    let (mut n1, mut n2) = (Some(0), Some(0));
    let mut compare = Ordering::Equal;
    while p1 < v1.len() && p2 < v2.len() && n1.is_some() && n2.is_some() {
        n1 = find_dot(v1, p1);
        n2 = find_dot(v2, p2);
        compare = compare_elements(
            &v1[p1..n1.unwrap_or(v1.len())],
            &v2[p2..n2.unwrap_or(v2.len())],
        );
        if compare.is_ne() {
            break;
        }
        if let Some(n) = n1 {
            p1 = n + 1;
        }
        if let Some(n) = n2 {
            p2 = n + 1;
        }
    }
    if compare.is_eq() {
        if n1.is_some() {
            if v1.get(p1).is_some_and(u8::is_ascii_digit) {
                compare = Ordering::Greater;
            } else {
                compare = php_version_compare(&v1[p1..], NUMBER_MARKER);
            }
        } else if n2.is_some() {
            if v2.get(p2).is_some_and(u8::is_ascii_digit) {
                compare = Ordering::Less;
            } else {
                compare = php_version_compare(NUMBER_MARKER, &v2[p2..]);
            }
        }
    }
    compare
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        php_version_compare(&self.canonical, &other.canonical)
    }
}

super::order_from_ord!(PackagistVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(PackagistVersion::parse, a, op, b);
    }

    #[test]
    fn canonical_form() {
        assert_eq!(canonicalize(b"1.0rc1"), b"1.0.rc.1");
        assert_eq!(canonicalize(b"1.0-beta_2+x"), b"1.0.beta.2.x");
        assert_eq!(canonicalize(b"1.0--1"), b"1.0.1");
        assert_eq!(canonicalize(b"1..0"), b"1.0");
        assert_eq!(canonicalize(b"1.0..a"), b"1.0.a");
    }

    #[test]
    fn dot_runs_collapse_and_order_is_antisymmetric() {
        // Found by the version_compare fuzz target: before dot runs
        // collapsed, each of these compared below the other.
        check("0..", "<", "0...8");
        check("1..0", "=", "1.0");
    }

    #[test]
    fn php_rules() {
        check("1.0", "<", "1.0.0");
        check("1.0-dev", "<", "1.0-alpha");
        check("1.0-patch1", "=", "1.0pl1");
        check("1.0-foo", "<", "1.0-dev");
        check("1.0.0-beta2", "<", "1.0.0-RC1");
        check("1.0.0-Rc1", "<", "1.0.0-dev");
        check("v2.1", "=", "V2.1");
        check(
            "2.1.9999999999999999999999",
            ">",
            "2.1.18446744073709551616",
        );
    }
}
