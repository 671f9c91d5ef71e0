//! Red Hat, Rocky Linux, AlmaLinux, SUSE and openSUSE: rpm's
//! `[epoch:]version[-release]` ordering with `rpmvercmp`.
//!
//! `rpmvercmp` skips separators (anything but ASCII letters, digits, `~` and
//! `^`), then compares alternating digit runs (numerically, and a number
//! beats letters) and letter runs (bytewise); `~` sorts before everything,
//! even the end of the string, and `^` after the end but before anything
//! else. A prefix is an epoch only if it is all digits (`a:1` has none, as
//! rpm's `parseEVR` decides); the release follows the last `-`. A version
//! without a release sorts before the same version with any release, even
//! an empty one, as OSV's reference implementation orders them.

use std::cmp::Ordering;

use super::digits::{cmp_digits, is_number, trim_zeros};

/// A parsed rpm EVR.
#[derive(Debug, Clone)]
pub(crate) struct RpmVersion {
    epoch: Box<str>,
    version: Box<str>,
    release: Option<Box<str>>,
}

impl RpmVersion {
    pub(crate) fn parse(v: &str) -> Result<RpmVersion, &'static str> {
        let (epoch, rest) = match v.split_once(':') {
            Some((epoch, rest)) if epoch.is_empty() || is_number(epoch) => {
                (trim_zeros(epoch), rest)
            }
            _ => ("", v),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => (version, Some(release.into())),
            None => (rest, None),
        };
        Ok(RpmVersion {
            epoch: epoch.into(),
            version: version.into(),
            release,
        })
    }
}

fn is_separator(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// rpm's `rpmvercmp`.
pub(crate) fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && is_separator(a[i]) {
            i += 1;
        }
        while j < b.len() && is_separator(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // A caret marks a post-release snapshot: newer than the bare base
        // version, older than anything else that continues it.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = ca.is_ascii_digit();
        let run_len = |s: &[u8]| {
            s.iter()
                .take_while(|c| {
                    if numeric {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count()
        };
        let (next_i, next_j) = (i + run_len(&a[i..]), j + run_len(&b[j..]));
        let (seg_a, seg_b) = (&a[i..next_i], &b[j..next_j]);
        if seg_b.is_empty() {
            // Digits against letters: the number is newer.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let o = if numeric {
            // Digit runs are ASCII, so these conversions cannot fail.
            cmp_digits(
                std::str::from_utf8(seg_a).unwrap_or(""),
                std::str::from_utf8(seg_b).unwrap_or(""),
            )
        } else {
            seg_a.cmp(seg_b)
        };
        if o.is_ne() {
            return o;
        }
        i = next_i;
        j = next_j;
    }
    // Whichever side has something left is newer.
    (i < a.len()).cmp(&(j < b.len()))
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| rpmvercmp(self.version.as_bytes(), other.version.as_bytes()))
            .then_with(|| match (&self.release, &other.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => rpmvercmp(a.as_bytes(), b.as_bytes()),
            })
    }
}

super::order_from_ord!(RpmVersion);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: &str, op: &str, b: &str) {
        super::super::check_order(RpmVersion::parse, a, op, b);
    }

    #[test]
    fn rpmvercmp_rules() {
        check("1.0", "=", "1_0");
        check("1.0~rc1", "<", "1.0");
        check("1.0^git1", ">", "1.0");
        check("1.0^git1", "<", "1.0.1");
        check("1.0^git1~pre", "<", "1.0^git1");
        check("1.0a", "<", "1.0.1");
        check("1.a", "<", "1.1");
        check("2:1.0-1", ">", "1:9.9-9");
        check("1.0-1.el8", "<", "1.0-1.el9");
        check("1.0-1.el8_2", ">", "1.0-1.el8");
        check("1.0-10", ">", "1.0-9");
        check(
            "1.99999999999999999999999",
            "<",
            "1.100000000000000000000000",
        );
        check("1:1.0", ">", "1.0");
        check(":1.0", "=", "0:1.0");
    }
}
