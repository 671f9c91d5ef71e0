//! Debian and Ubuntu: dpkg's `[epoch:]upstream[-revision]` ordering.
//!
//! Epochs compare numerically; upstream and revision compare with
//! `verrevcmp`, which alternates non-digit runs (letters before other
//! characters, `~` before everything, even the end of the string) and digit
//! runs (numerically). The revision follows the last `-`; a missing revision
//! equals `0`.

use std::cmp::Ordering;

use super::digits::{cmp_digits, digit_run, is_number, trim_zeros};

/// A parsed dpkg version.
#[derive(Debug, Clone)]
pub(crate) struct DpkgVersion {
    epoch: Box<str>,
    upstream: Box<str>,
    revision: Box<str>,
}

impl DpkgVersion {
    /// Applies the checks dpkg's `parseversion` treats as errors (its
    /// warnings, such as an upstream not starting with a digit, are
    /// accepted as dpkg itself does).
    pub(crate) fn parse(v: &str) -> Result<DpkgVersion, &'static str> {
        let v = v.trim_matches(|c: char| c.is_ascii_whitespace());
        if v.is_empty() {
            return Err("empty version");
        }
        if v.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err("embedded whitespace");
        }
        let (epoch, rest) = match v.split_once(':') {
            Some((epoch, rest)) => {
                if !is_number(epoch) {
                    return Err("epoch is not a number");
                }
                if rest.is_empty() {
                    return Err("nothing after the epoch colon");
                }
                (trim_zeros(epoch), rest)
            }
            None => ("", v),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err("empty revision"),
            Some(("", _)) => return Err("empty upstream version"),
            Some((upstream, revision)) => (upstream, revision),
            None => (rest, ""),
        };
        Ok(DpkgVersion {
            epoch: epoch.into(),
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

/// dpkg's `order()`: `~` sorts before the end of a part, which sorts before
/// letters, which sort before every other character.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(|c| !c.is_ascii_digit())
            || b.get(j).is_some_and(|c| !c.is_ascii_digit())
        {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        let (na, nb) = (
            digit_run(&a[i.min(a.len())..]),
            digit_run(&b[j.min(b.len())..]),
        );
        // Both runs are ASCII digits, so the byte slices are valid UTF-8.
        let da = std::str::from_utf8(&a[i..i + na]).unwrap_or("");
        let db = std::str::from_utf8(&b[j..j + nb]).unwrap_or("");
        let o = cmp_digits(da, db);
        if o.is_ne() {
            return o;
        }
        i += na;
        j += nb;
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

super::order_from_ord!(DpkgVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(DpkgVersion::parse, a, op, b);
    }

    #[test]
    fn dpkg_rules() {
        check("1.0~rc1", "<", "1.0");
        check("1.0~~", "<", "1.0~");
        check("1.0~", "<", "1.0");
        check("1.0", "<", "1.0a");
        check("1.0a", "<", "1.0+");
        check("1.0+", "<", "1.0.1");
        check("1:0.1", ">", "9.9");
        check("001:1.0", "=", "1:1.0");
        check("1.0-1", "<", "1.0-1ubuntu1");
        check("1.0-1ubuntu1", "<", "1.0-1+deb10u1");
        check("1.0", "=", "1.0-0");
        check("2.30-1", "=", "2.030-01");
        check("1.0-a-b", ">", "1.0-a-a");
        check(
            "1.99999999999999999999999",
            "<",
            "1.100000000000000000000000",
        );
    }

    #[test]
    fn dpkg_errors() {
        for v in ["", ":1.0", "a:1.0", "1:", "1.0-", "-1", "1 0", "-1:2"] {
            assert!(DpkgVersion::parse(v).is_err(), "{v}");
        }
    }
}
