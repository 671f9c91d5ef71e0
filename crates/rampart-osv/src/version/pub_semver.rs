//! Dart's `pub_semver` ordering: SemVer precedence, then build metadata.
//!
//! Unlike SemVer 2.0, pub sorts `1.0.0+build` after `1.0.0` and orders builds
//! by their identifiers, so two Pub versions differing only in build
//! metadata are not equal. Parsing is shared with [`super::semver`].

use std::cmp::Ordering;

use super::semver::{SemverVersion, cmp_identifier_lists};

/// Compares the way `pub_semver`'s `Version.compareTo` does.
pub(crate) fn compare(a: &SemverVersion, b: &SemverVersion) -> Ordering {
    a.cmp_semver(b)
        .then_with(|| match (a.build.is_empty(), b.build.is_empty()) {
            (true, true) => Ordering::Equal,
            // A build sorts after the bare version.
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => cmp_identifier_lists(&a.build, &b.build),
        })
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
        assert_eq!(compare(&pa, &pb), want, "{a} {op} {b}");
        assert_eq!(compare(&pb, &pa), want.reverse(), "{b} vs {a}");
    }

    #[test]
    fn builds_order_after_the_release() {
        check("1.0.0-pre+build", "<", "1.0.0");
        check("1.0.0", "<", "1.0.0+build");
        check("1.0.0+1", "<", "1.0.0+1.0");
        check("1.0.0+2", "<", "1.0.0+10");
        check("1.0.0+10", "<", "1.0.0+a");
        check("1.0.0+a.b", "=", "1.0.0+a.b");
        check("1.0.0-beta+1", "<", "1.0.0-beta.1");
    }
}
