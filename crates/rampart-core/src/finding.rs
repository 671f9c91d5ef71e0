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
}

impl FindingKind {
    pub fn name(&self) -> &'static str {
        match self {
            FindingKind::Vulnerability { .. } => "vulnerability",
        }
    }
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
