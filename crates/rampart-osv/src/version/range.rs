//! Version ranges typed by people and sent by tools: "which services run
//! lodash `>=4.0.0,<4.17.21 || =3.10.1`?".
//!
//! The syntax is deliberately small and the same for every ecosystem:
//! alternatives separated by `||`, each a comma-separated conjunction of
//! `OP VERSION` with OP one of `=`, `==`, `!=`, `<`, `<=`, `>`, `>=` (a bare
//! version means `=`). The comparisons use the ecosystem's own ordering
//! ([`super::parse`] and [`ParsedVersion::cmp_to`]), not npm's range
//! semantics: `<1.0.0` includes `1.0.0-rc.1` because it orders below
//! `1.0.0`. For a blast radius that is the safe reading — npm's rule of
//! skipping prereleases would hide a service running one.
//!
//! Caret and tilde ranges are refused rather than approximated: what they
//! mean differs between npm, Cargo, Composer and RubyGems.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rampart_core::Ecosystem;

use super::{MAX_VERSION_LEN, ParsedVersion, VersionError};

/// Most comparators a range may hold, over all its alternatives. Real
/// ranges have a handful; the cap bounds the work per candidate version.
pub const MAX_COMPARATORS: usize = 64;

/// Longest excerpt of the input an error message repeats.
const EXCERPT_CHARS: usize = 40;

/// Why a range's text was refused. Positions are byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// Nothing but whitespace.
    #[error("the version range is empty")]
    Empty,
    /// More than [`MAX_COMPARATORS`] comparators.
    #[error("the version range has more than {max} comparators")]
    TooManyComparators {
        /// The limit.
        max: usize,
    },
    /// `||` with nothing on one side.
    #[error("empty alternative at byte {position}: `||` needs a comparator on both sides")]
    EmptyAlternative {
        /// Where the empty alternative starts.
        position: usize,
    },
    /// `,` with nothing on one side.
    #[error("empty comparator at byte {position}: `,` needs a comparator on both sides")]
    EmptyComparator {
        /// Where the empty comparator starts.
        position: usize,
    },
    /// An operator with no version after it.
    #[error("comparator {part:?} at byte {position} has no version after the operator")]
    MissingVersion {
        /// Where the comparator starts.
        position: usize,
        /// The comparator.
        part: String,
    },
    /// Something that is not one of the supported operators.
    #[error(
        "comparator {part:?} at byte {position}: {operator:?} is not supported; use =, ==, !=, <, <=, > or >= (caret and tilde ranges mean different things in each ecosystem)"
    )]
    UnknownOperator {
        /// Where the comparator starts.
        position: usize,
        /// The comparator.
        part: String,
        /// The operator as written.
        operator: String,
    },
    /// A version with a character no version contains.
    #[error("comparator {part:?} at byte {position}: {why}")]
    BadVersion {
        /// Where the comparator starts.
        position: usize,
        /// The comparator.
        part: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A version longer than [`MAX_VERSION_LEN`].
    #[error("comparator at byte {position}: the version is {len} bytes long, more than {max}")]
    VersionTooLong {
        /// Where the comparator starts.
        position: usize,
        /// The version's length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` (also written `==` or left out).
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Op {
    /// Longest spellings first, so that `<=` is not read as `<` then `=1`.
    const SPELLINGS: [(&'static str, Op); 7] = [
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("=", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];

    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `candidate OP bound` holds, given `candidate.cmp(bound)`.
    fn holds(self, candidate_vs_bound: Ordering) -> bool {
        match self {
            Op::Eq => candidate_vs_bound.is_eq(),
            Op::Ne => candidate_vs_bound.is_ne(),
            Op::Lt => candidate_vs_bound.is_lt(),
            Op::Le => candidate_vs_bound.is_le(),
            Op::Gt => candidate_vs_bound.is_gt(),
            Op::Ge => candidate_vs_bound.is_ge(),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `OP VERSION`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Comparator {
    op: Op,
    version: String,
}

impl Comparator {
    /// The operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The version as written (not yet checked against any ecosystem).
    pub fn version(&self) -> &str {
        &self.version
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.op, self.version)
    }
}

/// A parsed range: a disjunction of conjunctions of comparators. Its
/// [`Display`](fmt::Display) is the canonical form (`>=4.0.0,<4.17.21 ||
/// =3.10.1`), which parses back to an equal range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionRange {
    /// Never empty, and no alternative is empty.
    alternatives: Vec<Vec<Comparator>>,
}

/// Parses a range; see the module documentation for the syntax.
pub fn parse(text: &str) -> Result<VersionRange, RangeError> {
    if text.trim().is_empty() {
        return Err(RangeError::Empty);
    }
    let mut alternatives = Vec::new();
    let mut count = 0usize;
    for (alt_start, alt) in pieces(text, 0, "||") {
        if alt.trim().is_empty() {
            return Err(RangeError::EmptyAlternative {
                position: alt_start + leading_space(alt),
            });
        }
        let mut conjunction = Vec::new();
        for (start, raw) in pieces(alt, alt_start, ",") {
            count += 1;
            if count > MAX_COMPARATORS {
                return Err(RangeError::TooManyComparators {
                    max: MAX_COMPARATORS,
                });
            }
            conjunction.push(comparator(start + leading_space(raw), raw.trim())?);
        }
        alternatives.push(conjunction);
    }
    Ok(VersionRange { alternatives })
}

/// `text` split on `separator`, each piece with its byte offset (`base` plus
/// its position in `text`).
fn pieces<'a>(
    text: &'a str,
    base: usize,
    separator: &'a str,
) -> impl Iterator<Item = (usize, &'a str)> {
    let mut offset = base;
    text.split(separator).map(move |piece| {
        let start = offset;
        offset += piece.len() + separator.len();
        (start, piece)
    })
}

fn leading_space(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// The start of `s`, short enough to repeat in an error message.
fn excerpt(s: &str) -> String {
    let mut chars = s.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Parses one trimmed comparator starting at byte `position`.
fn comparator(position: usize, part: &str) -> Result<Comparator, RangeError> {
    if part.is_empty() {
        return Err(RangeError::EmptyComparator { position });
    }
    let (op, rest) = Op::SPELLINGS
        .iter()
        .find_map(|(spelling, op)| part.strip_prefix(spelling).map(|rest| (*op, rest)))
        .unwrap_or((Op::Eq, part));
    let version = rest.trim_start();
    if version.is_empty() {
        return Err(RangeError::MissingVersion {
            position,
            part: excerpt(part),
        });
    }
    // `=>1`, `<>1`, `~1.2`, `^1.2`: an operator this syntax lacks.
    if version.starts_with(['<', '>', '=', '!', '~', '^']) {
        let operator_len = part.len() - version.len()
            + version
                .find(|c: char| !"<>=!~^".contains(c))
                .unwrap_or(version.len());
        return Err(RangeError::UnknownOperator {
            position,
            part: excerpt(part),
            operator: excerpt(part[..operator_len].trim()),
        });
    }
    if version.len() > MAX_VERSION_LEN {
        return Err(RangeError::VersionTooLong {
            position,
            len: version.len(),
            max: MAX_VERSION_LEN,
        });
    }
    let bad = |why| RangeError::BadVersion {
        position,
        part: excerpt(part),
        why,
    };
    if version.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            "a version contains no whitespace; separate comparators with `,` or `||`",
        ));
    }
    if version.contains(['<', '>', '=', '|']) {
        return Err(bad(
            "operators go before the version; separate comparators with `,` and alternatives with `||`",
        ));
    }
    if version.contains('*') {
        return Err(bad(
            "wildcards are not supported; write the bounds (`>=1.2.0,<1.3.0`)",
        ));
    }
    Ok(Comparator {
        op,
        version: version.to_owned(),
    })
}

impl FromStr for VersionRange {
    type Err = RangeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, alternative) in self.alternatives.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            for (j, comparator) in alternative.iter().enumerate() {
                if j > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{comparator}")?;
            }
        }
        Ok(())
    }
}

impl VersionRange {
    /// The alternatives, each a non-empty conjunction.
    pub fn alternatives(&self) -> impl Iterator<Item = &[Comparator]> {
        self.alternatives.iter().map(Vec::as_slice)
    }

    /// Parses every bound under `ecosystem`'s ordering once, for matching
    /// many versions of one package. Fails when the ecosystem has no
    /// ordering or a bound is not one of its versions.
    pub fn prepare(&self, ecosystem: &Ecosystem) -> Result<PreparedRange, VersionError> {
        let alternatives = self
            .alternatives
            .iter()
            .map(|conjunction| {
                conjunction
                    .iter()
                    .map(|c| Ok((c.op, super::parse(ecosystem, &c.version)?)))
                    .collect::<Result<Vec<_>, VersionError>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PreparedRange {
            ecosystem: ecosystem.clone(),
            alternatives,
        })
    }

    /// Whether `version` is in the range under `ecosystem`'s ordering. An
    /// error means the answer is unknown (no ordering, or a version the
    /// ordering cannot place) and must not be guessed.
    pub fn matches(&self, ecosystem: &Ecosystem, version: &str) -> Result<bool, VersionError> {
        self.prepare(ecosystem)?.matches(version)
    }
}

/// A [`VersionRange`] with its bounds parsed under one ecosystem's ordering.
#[derive(Debug, Clone)]
pub struct PreparedRange {
    ecosystem: Ecosystem,
    alternatives: Vec<Vec<(Op, ParsedVersion)>>,
}

impl PreparedRange {
    /// The ecosystem whose ordering the bounds were parsed under.
    pub fn ecosystem(&self) -> &Ecosystem {
        &self.ecosystem
    }

    /// Whether `version` is in the range; an error when the ordering cannot
    /// place it.
    pub fn matches(&self, version: &str) -> Result<bool, VersionError> {
        let candidate = super::parse(&self.ecosystem, version)?;
        for conjunction in &self.alternatives {
            let mut all = true;
            for (op, bound) in conjunction {
                if !op.holds(candidate.cmp_to(bound)?) {
                    all = false;
                    break;
                }
            }
            if all {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The checks the `version_range` fuzz target runs on one input: the first
/// line is a range, the rest a candidate version. Parsing never panics, the
/// canonical form is a fixed point, and matching never panics and agrees
/// between [`VersionRange::matches`] and [`PreparedRange::matches`].
#[doc(hidden)]
pub fn fuzz_check(text: &str) {
    let (range_text, candidate) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(range) = parse(range_text) else {
        return;
    };
    let canonical = range.to_string();
    let again = parse(&canonical).expect("the canonical form parses");
    assert_eq!(again, range, "{range_text:?} -> {canonical:?}");
    assert_eq!(again.to_string(), canonical);
    for ecosystem in [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Maven,
        Ecosystem::Debian,
        Ecosystem::Packagist,
        Ecosystem::RubyGems,
        Ecosystem::GitHubActions,
    ] {
        let direct = range.matches(&ecosystem, candidate);
        if let Ok(prepared) = range.prepare(&ecosystem) {
            assert_eq!(prepared.matches(candidate), direct, "{ecosystem}");
        } else {
            assert!(direct.is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> VersionRange {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    /// Asserts which of `versions` fall in `text` under `ecosystem`.
    #[track_caller]
    fn check(ecosystem: Ecosystem, text: &str, inside: &[&str], outside: &[&str]) {
        let prepared = range(text).prepare(&ecosystem).unwrap();
        for v in inside {
            assert_eq!(prepared.matches(v), Ok(true), "{ecosystem} {v} in {text}");
            assert_eq!(range(text).matches(&ecosystem, v), Ok(true));
        }
        for v in outside {
            assert_eq!(
                prepared.matches(v),
                Ok(false),
                "{ecosystem} {v} not in {text}"
            );
        }
    }

    #[test]
    fn syntax_and_canonical_form() {
        let cases = [
            (">=4.0.0,<4.17.21 || =3.10.1", ">=4.0.0,<4.17.21 || =3.10.1"),
            (
                "  >= 4.0.0 ,\t< 4.17.21||==3.10.1 ",
                ">=4.0.0,<4.17.21 || =3.10.1",
            ),
            ("<3.4.0", "<3.4.0"),
            ("1.2.3", "=1.2.3"),
            ("!=1.0, >0.9", "!=1.0,>0.9"),
            ("<=1:2.0-1~rc1", "<=1:2.0-1~rc1"),
            ("1!2.0.post1", "=1!2.0.post1"),
        ];
        for (text, canonical) in cases {
            let r = range(text);
            assert_eq!(r.to_string(), canonical);
            assert_eq!(canonical.parse::<VersionRange>(), Ok(r));
        }
        let r = range(">=1, <2 || 3");
        let shape: Vec<Vec<(Op, &str)>> = r
            .alternatives()
            .map(|a| a.iter().map(|c| (c.op(), c.version())).collect())
            .collect();
        assert_eq!(
            shape,
            [vec![(Op::Ge, "1"), (Op::Lt, "2")], vec![(Op::Eq, "3")]]
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        let cases: [(&str, RangeError); 9] = [
            ("  ", RangeError::Empty),
            ("<1 ||", RangeError::EmptyAlternative { position: 5 }),
            ("|| <1", RangeError::EmptyAlternative { position: 0 }),
            (">=1,,<2", RangeError::EmptyComparator { position: 4 }),
            (
                "<1 || >= ",
                RangeError::MissingVersion {
                    position: 6,
                    part: ">=".into(),
                },
            ),
            (
                "=>1.0",
                RangeError::UnknownOperator {
                    position: 0,
                    part: "=>1.0".into(),
                    operator: "=>".into(),
                },
            ),
            (
                "<2, ^1.2",
                RangeError::UnknownOperator {
                    position: 4,
                    part: "^1.2".into(),
                    operator: "^".into(),
                },
            ),
            (
                ">=1 <2",
                RangeError::BadVersion {
                    position: 0,
                    part: ">=1 <2".into(),
                    why: "a version contains no whitespace; separate comparators with `,` or `||`",
                },
            ),
            (
                "1.x || 1.*",
                RangeError::BadVersion {
                    position: 7,
                    part: "1.*".into(),
                    why: "wildcards are not supported; write the bounds (`>=1.2.0,<1.3.0`)",
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Err(want), "{text:?}");
        }
        assert!(matches!(
            parse(">=1|<2"),
            Err(RangeError::BadVersion { position: 0, .. })
        ));
        assert!(matches!(
            parse("~1.2"),
            Err(RangeError::UnknownOperator { .. })
        ));
        let message = parse("<1, >=").unwrap_err().to_string();
        assert_eq!(
            message,
            "comparator \">=\" at byte 4 has no version after the operator"
        );
    }

    #[test]
    fn limits() {
        let at_limit = vec!["<1"; MAX_COMPARATORS].join(",");
        assert!(parse(&at_limit).is_ok());
        let over = vec!["<1"; MAX_COMPARATORS + 1].join(" || ");
        assert_eq!(
            parse(&over),
            Err(RangeError::TooManyComparators {
                max: MAX_COMPARATORS
            })
        );
        let long = format!(">={}", "1".repeat(MAX_VERSION_LEN + 1));
        assert_eq!(
            parse(&long),
            Err(RangeError::VersionTooLong {
                position: 0,
                len: MAX_VERSION_LEN + 1,
                max: MAX_VERSION_LEN
            })
        );
        // Error messages repeat a bounded excerpt, not the whole input.
        let junk = format!("<1 {}", "x".repeat(500));
        let message = parse(&junk).unwrap_err().to_string();
        assert!(message.len() < 250, "{message}");
    }

    #[test]
    fn hostile_input_never_panics() {
        for text in [
            "",
            "|",
            "||",
            "|||",
            ",",
            ",,",
            "=",
            "==",
            "!",
            "!=",
            "<>",
            "< >",
            "é",
            "\u{0}",
            "=\u{0}",
            ">=\u{3000}1",
            "1\u{3000}|| 2",
            "||||",
            "<1||",
            "<1|||<2",
            "\u{10FFFF}",
            "<=é,>ü",
            "1 ,\n2",
        ] {
            let _ = parse(text);
            fuzz_check(text);
            fuzz_check(&format!("{text}\n1.0"));
            fuzz_check(&format!("<2\n{text}"));
        }
    }

    #[test]
    fn fuzz_check_accepts_ordinary_input() {
        fuzz_check(">=4.0.0,<4.17.21 || =3.10.1\n4.17.20");
        fuzz_check("1.0\n1.0.0");
    }

    #[test]
    fn npm_prereleases_order_below_their_release() {
        check(
            Ecosystem::Npm,
            ">=4.0.0,<4.17.21 || =3.10.1",
            &["4.0.0", "4.17.20", "4.17.21-beta.1", "3.10.1", "v4.1.0"],
            &["4.17.21", "3.10.0", "3.10.2", "4.0.0-rc.1", "5.0.0"],
        );
        check(
            Ecosystem::Npm,
            "<1.0.0",
            &["1.0.0-alpha", "0.9.9"],
            &["1.0.0", "1.0.0+build"],
        );
        check(Ecosystem::Npm, "!=1.2.3", &["1.2.4"], &["1.2.3"]);
    }

    #[test]
    fn pep440_post_and_candidate_releases() {
        check(
            Ecosystem::PyPI,
            ">1.0,<2.0",
            &["1.0.post1", "1.1rc1", "2.0rc1"],
            &["1.0", "1.0rc1", "2.0", "1.0.dev0"],
        );
        // PEP 440 equality pads with zeros: 1.0 == 1.0.0.
        check(Ecosystem::PyPI, "==1.0", &["1.0.0", "1.0"], &["1.0.post1"]);
    }

    #[test]
    fn maven_snapshots_precede_their_release() {
        check(
            Ecosystem::Maven,
            "<1.0",
            &["1.0-SNAPSHOT", "1.0-rc1", "0.9"],
            &["1.0", "1.0.0", "1.0-sp1"],
        );
        check(Ecosystem::Maven, "=1.0", &["1.0.0", "1"], &["1.0-SNAPSHOT"]);
    }

    #[test]
    fn debian_epochs_outrank_upstream_versions() {
        check(
            Ecosystem::Debian,
            ">2.0",
            &["1:1.0", "2.0-1", "2.0.1"],
            &["2.0", "1.9", "2.0~rc1"],
        );
        check(
            Ecosystem::Ubuntu,
            "<1.2.3-1ubuntu0.1",
            &["1.2.3-1", "1.2.3-1ubuntu0.1~18.04"],
            &["1.2.3-1ubuntu0.1", "1:0.1"],
        );
    }

    #[test]
    fn crates_io_uses_semver() {
        check(
            Ecosystem::CratesIo,
            ">=0.7.0,<0.7.3 || >=0.8.0,<0.8.2",
            &["0.7.0", "0.7.2", "0.7.3-rc.1", "0.8.1", "0.8.2-alpha"],
            &["0.6.9", "0.7.3", "0.8.2", "0.8.0-rc.1"],
        );
    }

    #[test]
    fn undeterminable_answers_are_errors() {
        let r = range("<4.17.21");
        assert!(matches!(
            r.prepare(&Ecosystem::GitHubActions),
            Err(VersionError::Unsupported { .. })
        ));
        assert!(matches!(
            r.matches(&Ecosystem::Other("Bitnami".into()), "1.0.0"),
            Err(VersionError::Unsupported { .. })
        ));
        let prepared = r.prepare(&Ecosystem::Npm).unwrap();
        assert_eq!(prepared.ecosystem(), &Ecosystem::Npm);
        assert!(matches!(
            prepared.matches("not a version"),
            Err(VersionError::Invalid { .. })
        ));
        assert!(matches!(
            prepared.matches(""),
            Err(VersionError::Invalid { .. })
        ));
        // A bound the ecosystem cannot parse is refused when preparing.
        assert!(matches!(
            range("<banana").prepare(&Ecosystem::Npm),
            Err(VersionError::Invalid { .. })
        ));
    }

    /// Every `A op B` vector of the shared ordering fixtures, read as "is A
    /// in the range `op B`" (and its negation and non-strict forms): the
    /// range operators must agree with the ecosystem's ordering exactly.
    #[test]
    fn operators_agree_with_the_ordering_vectors() {
        let Some(dir) = rampart_fixtures::sub("osv-versions") else {
            return;
        };
        let files: [(&str, Ecosystem); 15] = [
            ("semver-versions.txt", Ecosystem::Npm),
            ("semver-versions.txt", Ecosystem::CratesIo),
            ("pypi-versions.txt", Ecosystem::PyPI),
            ("maven-versions.txt", Ecosystem::Maven),
            ("rubygems-versions.txt", Ecosystem::RubyGems),
            ("nuget-versions.txt", Ecosystem::NuGet),
            ("packagist-versions.txt", Ecosystem::Packagist),
            ("debian-versions.txt", Ecosystem::Debian),
            ("alpine-versions.txt", Ecosystem::Alpine),
            ("cran-versions.txt", Ecosystem::Cran),
            ("redhat-versions.txt", Ecosystem::RedHat),
            ("hackage-versions.txt", Ecosystem::Hackage),
            ("pub-versions.txt", Ecosystem::Pub),
            ("pypi-versions-generated.txt", Ecosystem::PyPI),
            ("maven-versions-generated.txt", Ecosystem::Maven),
        ];
        let mut failures = Vec::new();
        let mut checked = 0usize;
        let mut unparsable = Vec::new();
        for (file, ecosystem) in files {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            for line in text.lines() {
                let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
                    continue;
                };
                let want = match op {
                    "<" => Ordering::Less,
                    "=" => Ordering::Equal,
                    ">" => Ordering::Greater,
                    _ => continue,
                };
                for range_op in [Op::Lt, Op::Le, Op::Eq, Op::Ne, Op::Ge, Op::Gt] {
                    let text = format!("{range_op}{b}");
                    let Ok(r) = parse(&text) else {
                        unparsable.push(format!("{file}: {text}"));
                        continue;
                    };
                    checked += 1;
                    match r.matches(&ecosystem, a) {
                        Ok(got) if got == range_op.holds(want) => {}
                        got => failures.push(format!("{file} {ecosystem}: {a} in {text}? {got:?}")),
                    }
                }
            }
        }
        assert!(checked > 1000, "only {checked} checks");
        // The range syntax refuses versions with `*`, `=`, `|` or leading
        // operator characters; only a handful of the vectors have them.
        assert!(
            unparsable.len() * 100 < checked,
            "{} vectors unparsable: {:?}",
            unparsable.len(),
            &unparsable[..unparsable.len().min(20)]
        );
        assert!(
            failures.is_empty(),
            "{} of {checked} failed:\n{}",
            failures.len(),
            failures[..failures.len().min(20)].join("\n")
        );
    }
}
