//! Version ordering: each OSV ecosystem's native comparison of two version
//! strings.
//!
//! OSV `ECOSYSTEM` ranges are only meaningful under the ordering the
//! ecosystem's own tooling uses, so every supported ecosystem gets its
//! package manager's algorithm (pip's PEP 440, Maven's `ComparableVersion`,
//! dpkg's `verrevcmp`, …), one module per ordering family. An ecosystem
//! without a known ordering is refused with [`VersionError::Unsupported`]:
//! a silent string comparison would produce confident wrong verdicts.
//!
//! Parsers accept hostile input: they never panic, compare numbers of any
//! length exactly, and reject (rather than guess at) strings their ordering
//! cannot place.

/// Implements `PartialOrd`, `PartialEq` and `Eq` from a version type's
/// `Ord`, which holds the ecosystem's ordering: equal versions may be
/// spelled differently (`1.0` and `1.0.0` in Maven), so derived equality
/// would be wrong.
macro_rules! order_from_ord {
    ($version:ty) => {
        impl PartialOrd for $version {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $version {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other).is_eq()
            }
        }

        impl Eq for $version {}
    };
}
use order_from_ord;

mod apk;
mod cran;
mod digits;
mod dpkg;
mod hackage;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod pub_semver;
mod range;
mod rpm;
mod rubygems;
mod semver;

use std::cmp::Ordering;

use rampart_core::Ecosystem;

pub use range::{
    Comparator, MAX_COMPARATORS, Op, PreparedRange, RangeError, VersionRange,
    fuzz_check as fuzz_check_range, parse as parse_range,
};

/// Longest version string any ordering accepts. Real versions are far
/// shorter; the cap bounds the work (and Maven's nesting depth) an attacker
/// can demand per comparison.
pub const MAX_VERSION_LEN: usize = 1024;

/// Why two versions could not be ordered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The ecosystem has no supported version ordering.
    #[error("no version ordering is supported for ecosystem {ecosystem:?}")]
    Unsupported {
        /// The ecosystem as OSV names it.
        ecosystem: String,
    },
    /// The string is not a version under the ecosystem's rules.
    #[error("{version:?} is not a valid {ecosystem} version: {reason}")]
    Invalid {
        /// The ecosystem (or `SEMVER`) whose rules rejected the string.
        ecosystem: String,
        /// The rejected string.
        version: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The two parsed versions come from different orderings.
    #[error("cannot compare a {left} version with a {right} version")]
    Incomparable {
        /// The ordering of the left-hand version.
        left: &'static str,
        /// The ordering of the right-hand version.
        right: &'static str,
    },
}

/// The ordering families; several ecosystems share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Semver,
    Pub,
    Pep440,
    Maven,
    RubyGems,
    NuGet,
    Packagist,
    Dpkg,
    Apk,
    Cran,
    Rpm,
    Hackage,
}

impl Scheme {
    fn for_ecosystem(ecosystem: &Ecosystem) -> Option<Scheme> {
        Some(match ecosystem {
            // Go's `+incompatible` is build metadata and pseudo-versions are
            // prereleases, so plain SemVer precedence is Go's own ordering.
            Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Go | Ecosystem::Hex => Scheme::Semver,
            // OSV.dev and osv-scalibr order ConanCenter and SwiftURL by
            // SemVer; their advisories carry SemVer-shaped versions. GitHub
            // Actions is left unsupported: tags are free-form git refs and
            // neither OSV tool defines an ordering for them.
            Ecosystem::ConanCenter | Ecosystem::SwiftUrl => Scheme::Semver,
            Ecosystem::Pub => Scheme::Pub,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Packagist => Scheme::Packagist,
            Ecosystem::Debian | Ecosystem::Ubuntu => Scheme::Dpkg,
            Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => Scheme::Apk,
            Ecosystem::Cran => Scheme::Cran,
            Ecosystem::RedHat
            | Ecosystem::RockyLinux
            | Ecosystem::AlmaLinux
            | Ecosystem::Suse
            | Ecosystem::OpenSuse => Scheme::Rpm,
            Ecosystem::Hackage => Scheme::Hackage,
            Ecosystem::GitHubActions | Ecosystem::Other(_) => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Scheme::Semver => "SemVer",
            Scheme::Pub => "Pub",
            Scheme::Pep440 => "PEP 440",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::NuGet => "NuGet",
            Scheme::Packagist => "Packagist",
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Cran => "CRAN",
            Scheme::Rpm => "rpm",
            Scheme::Hackage => "Hackage",
        }
    }

    fn parse(self, v: &str) -> Result<Parsed, &'static str> {
        if v.is_empty() {
            return Err("empty version");
        }
        if v.len() > MAX_VERSION_LEN {
            return Err("longer than MAX_VERSION_LEN bytes");
        }
        Ok(match self {
            Scheme::Semver => Parsed::Semver(semver::SemverVersion::parse(v)?),
            Scheme::Pub => Parsed::Pub(semver::SemverVersion::parse(v)?),
            Scheme::Pep440 => Parsed::Pep440(pep440::Pep440Version::parse(v)?),
            Scheme::Maven => Parsed::Maven(maven::MavenVersion::parse(v)?),
            Scheme::RubyGems => Parsed::RubyGems(rubygems::GemVersion::parse(v)?),
            Scheme::NuGet => Parsed::NuGet(nuget::NuGetVersion::parse(v)?),
            Scheme::Packagist => Parsed::Packagist(packagist::PackagistVersion::parse(v)?),
            Scheme::Dpkg => Parsed::Dpkg(dpkg::DpkgVersion::parse(v)?),
            Scheme::Apk => Parsed::Apk(apk::ApkVersion::parse(v)?),
            Scheme::Cran => Parsed::Cran(cran::parse(v)?),
            Scheme::Rpm => Parsed::Rpm(rpm::RpmVersion::parse(v)?),
            Scheme::Hackage => Parsed::Hackage(hackage::parse(v)?),
        })
    }
}

/// A version parsed under one ecosystem's ordering, so that a component's
/// version is parsed once and compared against many range events.
#[derive(Debug, Clone)]
pub struct ParsedVersion {
    inner: Parsed,
}

#[derive(Debug, Clone)]
enum Parsed {
    Semver(semver::SemverVersion),
    Pub(semver::SemverVersion),
    Pep440(pep440::Pep440Version),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::PackagistVersion),
    Dpkg(dpkg::DpkgVersion),
    Apk(apk::ApkVersion),
    Cran(cran::CranVersion),
    Rpm(rpm::RpmVersion),
    Hackage(hackage::HackageVersion),
}

impl Parsed {
    fn scheme(&self) -> Scheme {
        match self {
            Parsed::Semver(_) => Scheme::Semver,
            Parsed::Pub(_) => Scheme::Pub,
            Parsed::Pep440(_) => Scheme::Pep440,
            Parsed::Maven(_) => Scheme::Maven,
            Parsed::RubyGems(_) => Scheme::RubyGems,
            Parsed::NuGet(_) => Scheme::NuGet,
            Parsed::Packagist(_) => Scheme::Packagist,
            Parsed::Dpkg(_) => Scheme::Dpkg,
            Parsed::Apk(_) => Scheme::Apk,
            Parsed::Cran(_) => Scheme::Cran,
            Parsed::Rpm(_) => Scheme::Rpm,
            Parsed::Hackage(_) => Scheme::Hackage,
        }
    }
}

impl ParsedVersion {
    /// Orders `self` against `other`; both must come from the same ordering
    /// (Debian and Ubuntu share one, npm and crates.io share one, …).
    pub fn cmp_to(&self, other: &ParsedVersion) -> Result<Ordering, VersionError> {
        Ok(match (&self.inner, &other.inner) {
            (Parsed::Semver(a), Parsed::Semver(b)) => a.cmp_semver(b),
            (Parsed::Pub(a), Parsed::Pub(b)) => pub_semver::compare(a, b),
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.cmp(b),
            (Parsed::RubyGems(a), Parsed::RubyGems(b)) => a.cmp(b),
            (Parsed::NuGet(a), Parsed::NuGet(b)) => a.cmp(b),
            (Parsed::Packagist(a), Parsed::Packagist(b)) => a.cmp(b),
            (Parsed::Dpkg(a), Parsed::Dpkg(b)) => a.cmp(b),
            (Parsed::Apk(a), Parsed::Apk(b)) => a.cmp(b),
            (Parsed::Cran(a), Parsed::Cran(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Hackage(a), Parsed::Hackage(b)) => a.cmp(b),
            (a, b) => {
                return Err(VersionError::Incomparable {
                    left: a.scheme().name(),
                    right: b.scheme().name(),
                });
            }
        })
    }
}

/// Parses `v` under the ecosystem's native version rules.
pub fn parse(ecosystem: &Ecosystem, v: &str) -> Result<ParsedVersion, VersionError> {
    let scheme = Scheme::for_ecosystem(ecosystem).ok_or_else(|| VersionError::Unsupported {
        ecosystem: ecosystem.osv_name().to_string(),
    })?;
    parse_with(scheme, ecosystem.osv_name(), v)
}

fn parse_with(scheme: Scheme, label: &str, v: &str) -> Result<ParsedVersion, VersionError> {
    scheme
        .parse(v)
        .map(|inner| ParsedVersion { inner })
        .map_err(|reason| VersionError::Invalid {
            ecosystem: label.to_string(),
            version: v.to_string(),
            reason: reason.to_string(),
        })
}

/// Compares two versions with the ecosystem's native ordering.
pub fn compare(ecosystem: &Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    parse(ecosystem, a)?.cmp_to(&parse(ecosystem, b)?)
}

/// Parses `v` for the OSV `SEMVER` range type (see [`compare_semver`]).
pub fn parse_semver(v: &str) -> Result<ParsedVersion, VersionError> {
    parse_with(Scheme::Semver, "SEMVER", v)
}

/// Compares with SemVer 2.0 precedence, as the OSV `SEMVER` range type
/// requires, tolerating what OSV data contains: a leading `v`, missing
/// minor/patch components (zero-padded), extra numeric components (compared
/// in turn), and a prerelease glued on without `-` (`1.36.0rc1`).
pub fn compare_semver(a: &str, b: &str) -> Result<Ordering, VersionError> {
    parse_semver(a)?.cmp_to(&parse_semver(b)?)
}

/// Whether the ecosystem has a supported ordering.
pub fn is_supported(ecosystem: &Ecosystem) -> bool {
    Scheme::for_ecosystem(ecosystem).is_some()
}

/// Asserts `a op b` in both directions for one ordering's parser; `op` is
/// `<`, `=` or `>` as in the shared vector files.
#[cfg(test)]
#[track_caller]
fn check_order<T: Ord + std::fmt::Debug, E: std::fmt::Debug>(
    parse: impl Fn(&str) -> Result<T, E>,
    a: &str,
    op: &str,
    b: &str,
) {
    let want = match op {
        "<" => Ordering::Less,
        "=" => Ordering::Equal,
        ">" => Ordering::Greater,
        _ => panic!("unknown operator {op:?}"),
    };
    let (pa, pb) = (parse(a).unwrap(), parse(b).unwrap());
    assert_eq!(pa.cmp(&pb), want, "{a} {op} {b}");
    assert_eq!(pb.cmp(&pa), want.reverse(), "{b} vs {a}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_ecosystems_are_refused() {
        for eco in [
            Ecosystem::GitHubActions,
            Ecosystem::Other("Bitnami".into()),
            Ecosystem::Other("opam".into()),
        ] {
            assert!(!is_supported(&eco));
            assert!(matches!(
                compare(&eco, "1.0", "2.0"),
                Err(VersionError::Unsupported { .. })
            ));
        }
        assert!(is_supported(&Ecosystem::Wolfi));
    }

    #[test]
    fn different_orderings_do_not_compare() {
        let a = parse(&Ecosystem::Npm, "1.0.0").unwrap();
        let b = parse(&Ecosystem::PyPI, "1.0.0").unwrap();
        assert!(matches!(
            a.cmp_to(&b),
            Err(VersionError::Incomparable { .. })
        ));
        // Debian and Ubuntu share dpkg's ordering.
        let d = parse(&Ecosystem::Debian, "1.0-1").unwrap();
        let u = parse(&Ecosystem::Ubuntu, "1.0-2").unwrap();
        assert_eq!(d.cmp_to(&u).unwrap(), Ordering::Less);
    }

    #[test]
    fn empty_and_oversized_versions_are_invalid() {
        let huge = "1.".repeat(MAX_VERSION_LEN);
        for eco in [
            Ecosystem::Npm,
            Ecosystem::PyPI,
            Ecosystem::Maven,
            Ecosystem::Debian,
            Ecosystem::Alpine,
            Ecosystem::RedHat,
            Ecosystem::Packagist,
        ] {
            assert!(
                matches!(parse(&eco, ""), Err(VersionError::Invalid { .. })),
                "{eco}"
            );
            assert!(
                matches!(parse(&eco, &huge), Err(VersionError::Invalid { .. })),
                "{eco}"
            );
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let samples = [
            "\u{0}",
            "-",
            ".",
            "+",
            "~",
            "^",
            ":",
            "!",
            "v",
            "V",
            "-r",
            "_",
            "#",
            "1!",
            "1:",
            ":1",
            "1-",
            "1.",
            "é1.ü",
            "1\u{301}",
            "\u{10FFFF}",
            "1.0-ÿ",
            "０１２",
            "1..-..",
            "1__p",
            "9999999999999999999999999999999999999999.9",
            "0x10",
            "1 2",
            " 1",
            "1\n",
            "1.0.0-+",
            "1.0.0+-",
            "1-r-",
            "1_",
            "1~",
            "1-~",
            "a:b-c:d",
            "1!2!3",
        ];
        let ecosystems = [
            Ecosystem::Npm,
            Ecosystem::Pub,
            Ecosystem::PyPI,
            Ecosystem::Maven,
            Ecosystem::RubyGems,
            Ecosystem::NuGet,
            Ecosystem::Packagist,
            Ecosystem::Debian,
            Ecosystem::Alpine,
            Ecosystem::Cran,
            Ecosystem::RedHat,
            Ecosystem::Hackage,
        ];
        for eco in &ecosystems {
            for a in samples {
                for b in samples {
                    let _ = compare(eco, a, b);
                }
            }
        }
        // Deep Maven nesting stays within the length cap.
        let deep = "1-".repeat(MAX_VERSION_LEN / 2);
        let _ = compare(&Ecosystem::Maven, &deep, &deep);
    }
}
