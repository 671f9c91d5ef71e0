//! What an upload contributes to the findings inventory, whatever its
//! format: Rampart's own scan report, a SARIF log or an SBOM all become
//! [`IncomingFinding`]s before anything is compared with the store.
//!
//! The type has no field for a secret's value or a source snippet, and
//! rejects unknown fields when read back, so a value cannot ride along by
//! accident.

use std::fmt;

use rampart_core::{Fingerprint, Severity};
use serde::{Deserialize, Serialize};

/// Most advisory ids kept for one finding; a tool listing more is not
/// describing one problem.
pub const MAX_IDS: usize = 64;

/// Most tags kept for one finding, and most bytes per tag.
pub const MAX_TAGS: usize = 32;
/// See [`MAX_TAGS`].
pub const MAX_TAG_BYTES: usize = 128;

/// Most characters of a title: it is a list line, not a description.
pub const MAX_TITLE_CHARS: usize = 200;

/// A finding's identity within its scope: 32 lowercase hex digits, the
/// shape of [`Fingerprint::from_parts`]. A separate type because
/// `rampart_core::Fingerprint` cannot be read back from JSON (it can only
/// be computed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FindingFingerprint(String);

/// The text is not 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a fingerprint is 32 lowercase hex digits, not {0:?}")]
pub struct FingerprintError(pub String);

impl FindingFingerprint {
    /// Checks the shape.
    pub fn parse(text: &str) -> Result<Self, FingerprintError> {
        let valid = text.len() == 32
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(FingerprintError(text.chars().take(64).collect()))
        }
    }

    /// Hashes `parts` with [`Fingerprint::from_parts`].
    pub fn from_parts(parts: &[&str]) -> Self {
        Self::from(Fingerprint::from_parts(parts))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Fingerprint> for FindingFingerprint {
    fn from(value: Fingerprint) -> Self {
        Self(value.as_str().to_owned())
    }
}

impl TryFrom<String> for FindingFingerprint {
    type Error = FingerprintError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FindingFingerprint> for String {
    fn from(value: FindingFingerprint) -> Self {
        value.0
    }
}

impl fmt::Display for FindingFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which rule produced a fingerprint. Kept with the finding so that a
/// change of rule (a tool starting to emit `fingerprints`) can be told
/// apart from a real change of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FingerprintOrigin {
    /// Rampart's own scanner computed it.
    Rampart,
    /// From a SARIF result's `fingerprints`.
    SarifFingerprints,
    /// From a SARIF result's `partialFingerprints`.
    SarifPartial,
    /// Derived from rule, location and message (the tool gave none).
    Derived,
}

impl FingerprintOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rampart => "rampart",
            Self::SarifFingerprints => "sarif-fingerprints",
            Self::SarifPartial => "sarif-partial",
            Self::Derived => "derived",
        }
    }
}

/// What sort of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomingKind {
    /// A known vulnerability in a package.
    Vulnerability,
    /// A credential in the code or its history.
    Secret,
    /// Anything a SARIF producer reported: its meaning is the tool's.
    Sarif,
}

impl IncomingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vulnerability => "vulnerability",
            Self::Secret => "secret",
            Self::Sarif => "sarif",
        }
    }
}

/// The package a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageRef {
    /// OSV ecosystem name (`npm`, `PyPI`, `crates.io`).
    pub ecosystem: String,
    /// Normalized package name.
    pub name: String,
    pub version: Option<String>,
}

/// The small, bounded part of a finding that is shown but never queried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingDetail {
    /// The tool's message, truncated to the upload's text limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where the tool documents the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// The tool's tags, at most [`MAX_TAGS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The finding was suppressed where it was produced (an ignore file, an
/// in-source annotation): it is still recorded, so that suppressing it
/// locally does not make the server believe it was fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalSuppression {
    /// Where the suppression came from (`rampart.toml`, `baseline`,
    /// `sarif:inSource`, `sarif:external`).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One finding as an upload states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingFinding {
    /// The scan kind that reports it (`rampart:deps`, `sarif:trivy`): a
    /// later complete upload of the same scope that lacks it fixes it.
    pub scope: String,
    pub fingerprint: FindingFingerprint,
    pub fingerprint_origin: FingerprintOrigin,
    pub kind: IncomingKind,
    /// Advisory id, secret rule id or SARIF rule id.
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    /// Every advisory id the finding is known by, upper-cased, sorted, at
    /// most [`MAX_IDS`]: what "which services are affected by X" matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    #[serde(default)]
    pub detail: FindingDetail,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_suppression: Option<LocalSuppression>,
}

/// `text` cut to at most `max_bytes` bytes on a character boundary, with
/// `…` marking the cut (the mark counts towards the limit when it fits).
pub fn truncate_bytes(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mark = '…';
    let budget = max_bytes.saturating_sub(mark.len_utf8());
    let mut end = budget.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = text[..end].to_owned();
    out.push(mark);
    out
}

/// `text` cut to at most `max_chars` characters, with `…` marking the cut.
pub fn truncate_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars.saturating_sub(1)) {
        Some((end, _)) if text[end..].chars().nth(1).is_some() => {
            let mut out = text[..end].to_owned();
            out.push('…');
            out
        }
        _ => text.to_owned(),
    }
}

/// The prefixes of advisory ids that "affected by X" queries use, and the
/// shape of what follows each.
const ID_SCHEMES: [(&str, IdShape); 5] = [
    ("CVE-", IdShape::YearNumber { min_digits: 4 }),
    ("GHSA-", IdShape::Ghsa),
    ("RUSTSEC-", IdShape::YearNumber { min_digits: 4 }),
    ("PYSEC-", IdShape::YearNumber { min_digits: 1 }),
    ("GO-", IdShape::YearNumber { min_digits: 1 }),
];

#[derive(Clone, Copy)]
enum IdShape {
    /// `YYYY-N…` with at least `min_digits` digits after the dash.
    YearNumber { min_digits: usize },
    /// Three groups of four characters from GitHub's alphabet.
    Ghsa,
}

/// Every advisory id in `text` (CVE, GHSA, RUSTSEC, PYSEC, GO), upper-cased,
/// appended to `out`. A match must start at a word boundary, so
/// `XCVE-2020-1234` is not one, while `CVE-1999-0001-package-1` yields
/// `CVE-1999-0001`.
pub fn extract_advisory_ids(text: &str, out: &mut Vec<String>) {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let at_boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        if at_boundary && let Some(len) = advisory_id_at(&bytes[start..]) {
            out.push(upper[start..start + len].to_owned());
            start += len;
        } else {
            start += 1;
        }
    }
}

/// Length of the advisory id at the start of `bytes`, if one is there.
fn advisory_id_at(bytes: &[u8]) -> Option<usize> {
    let (prefix, shape) = ID_SCHEMES
        .iter()
        .find(|(prefix, _)| bytes.starts_with(prefix.as_bytes()))?;
    let rest = &bytes[prefix.len()..];
    let len = match *shape {
        IdShape::YearNumber { min_digits } => {
            let year = rest.iter().take(4).filter(|b| b.is_ascii_digit()).count();
            if year != 4 || rest.get(4) != Some(&b'-') {
                return None;
            }
            let digits = rest[5..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits < min_digits {
                return None;
            }
            5 + digits
        }
        IdShape::Ghsa => {
            const ALPHABET: &[u8] = b"23456789CFGHJMPQRVWX";
            for group in 0..3 {
                let at = group * 5;
                let chunk = rest.get(at..at + 4)?;
                if !chunk.iter().all(|b| ALPHABET.contains(b)) {
                    return None;
                }
                if group < 2 && rest.get(at + 4) != Some(&b'-') {
                    return None;
                }
            }
            14
        }
    };
    let end = prefix.len() + len;
    // An id glued to more letters or digits is some other token.
    if bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        extract_advisory_ids(text, &mut out);
        out
    }

    #[test]
    fn advisory_ids() {
        assert_eq!(ids("CVE-1999-0001-package-1"), ["CVE-1999-0001"]);
        assert_eq!(
            ids("see ghsa-35jh-r3h4-6jhm and RUSTSEC-2021-0003, PYSEC-2020-7; GO-2022-0001"),
            [
                "GHSA-35JH-R3H4-6JHM",
                "RUSTSEC-2021-0003",
                "PYSEC-2020-7",
                "GO-2022-0001"
            ]
        );
        assert!(ids("XCVE-2020-1234 CVE-2020-12 CVE-20X0-1234 CVE-2020-1234a").is_empty());
        assert!(ids("GHSA-aaaa-bbbb-cccc").is_empty());
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate_bytes("abc", 3), "abc");
        assert_eq!(truncate_bytes("ééé", 5), "é…");
        assert!(truncate_bytes("ééé", 5).len() <= 5);
        assert_eq!(truncate_bytes("abc", 0), "…");
        assert_eq!(truncate_chars("abcdef", 3), "ab…");
        assert_eq!(truncate_chars("abc", 3), "abc");
    }

    #[test]
    fn fingerprint_shape() {
        let fp = FindingFingerprint::from_parts(&["a", "b"]);
        assert_eq!(FindingFingerprint::parse(fp.as_str()).unwrap(), fp);
        assert!(FindingFingerprint::parse("ABCDEF0123456789abcdef0123456789").is_err());
        assert!(FindingFingerprint::parse("abc").is_err());
        let json = serde_json::to_string(&fp).unwrap();
        assert_eq!(
            serde_json::from_str::<FindingFingerprint>(&json).unwrap(),
            fp
        );
        assert!(serde_json::from_str::<FindingFingerprint>("\"zz\"").is_err());
    }
}
