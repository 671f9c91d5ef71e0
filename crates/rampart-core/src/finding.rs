use std::fmt;

use sha2::{Digest, Sha256};

use crate::{Component, Location, Severity};

/// A stable identifier of a finding across runs: it does not change when
/// lines move, so baselines and ignores keep working.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Hashes the given parts, each length-prefixed so that `("ab", "c")`
    /// and `("a", "bc")` differ. 128 bits, hex.
    pub fn from_parts(parts: &[&str]) -> Fingerprint {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(32);
        for byte in &digest[..16] {
            hex.push_str(&format!("{byte:02x}"));
        }
        Fingerprint(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// What kind of problem a finding reports, with the data specific to it.
// A scan holds hundreds of findings, not millions: boxing the larger variant
// would cost every construction site clarity and save nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum FindingKind {
    /// A package version affected by a published advisory.
    Vulnerability {
        package: Component,
        /// Other ids of the same vulnerability (CVE, GHSA, …), sorted.
        aliases: Vec<String>,
        /// The smallest versions that are no longer affected, ascending.
        fixed_versions: Vec<String>,
        /// CVSS vectors as the advisory gives them.
        cvss_vectors: Vec<String>,
        /// The CVSS base score behind `severity`, when one was computed.
        cvss_score: Option<f64>,
        /// Advisory reference URLs.
        references: Vec<String>,
        /// `unmaintained`, `unsound`, `notice`… for informational advisories.
        informational: Option<String>,
    },
    /// A credential written into a file (or into a file in git history).
    Secret {
        /// Who issued the credential (`github`, `aws`, `generic`…).
        provider: String,
        /// How sure the rule is that a match is a real credential.
        confidence: Confidence,
        /// The value as every output shows it by default: its first
        /// characters then `…`.
        redacted: String,
        /// The value itself: only ever set when the user asked to see it
        /// (`--show-secrets`); scanners leave it `None` otherwise, so no
        /// renderer can leak it by accident.
        value: Option<String>,
        /// Every place the same value occurs, sorted; `Finding::location` is
        /// the first of them.
        locations: Vec<SecretLocation>,
    },
}

impl FindingKind {
    pub fn name(&self) -> &'static str {
        match self {
            FindingKind::Vulnerability { .. } => "vulnerability",
            FindingKind::Secret { .. } => "secret",
        }
    }
}

/// How sure a secret rule is that what it matched is a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    /// A generic heuristic (`password = "…"` with a random-looking value).
    Low,
    /// A provider format that other text can share.
    Medium,
    /// A provider format with a distinctive prefix or checksum.
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One place a secret occurs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretLocation {
    /// Relative to the scan root (or the repository root for history),
    /// `/`-separated.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// For history scans: the commit that first added the file content.
    pub commit: Option<CommitInfo>,
}

/// The commit where a blob first appeared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitInfo {
    /// Full hex object id.
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// Author date, RFC 3339 in UTC.
    pub date: String,
}

/// One problem a scanner reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The advisory or rule id (`RUSTSEC-2021-0003`, `GHSA-…`).
    pub id: String,
    /// One line saying what is wrong.
    pub title: String,
    pub severity: Severity,
    pub location: Location,
    pub fingerprint: Fingerprint,
    pub kind: FindingKind,
}

impl Finding {
    /// All ids this finding is known by: its own first, then aliases.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        let aliases: &[String] = match &self.kind {
            FindingKind::Vulnerability { aliases, .. } => aliases,
            FindingKind::Secret { .. } => &[],
        };
        std::iter::once(self.id.as_str()).chain(aliases.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_parts_are_delimited() {
        assert_ne!(
            Fingerprint::from_parts(&["ab", "c"]),
            Fingerprint::from_parts(&["a", "bc"])
        );
        assert_eq!(Fingerprint::from_parts(&["x"]).as_str().len(), 32);
        assert_eq!(
            Fingerprint::from_parts(&["x"]),
            Fingerprint::from_parts(&["x"])
        );
    }
}
