use std::fmt;
use std::str::FromStr;

/// How bad a finding is.
///
/// `Unknown` means the source gave no usable rating (many Go and OSS-Fuzz
/// advisories carry none). For thresholds it counts as [`Severity::Medium`]:
/// silently treating an unrated vulnerability as harmless is the worse error,
/// while treating it as critical would make `--fail-on high` useless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Not a vulnerability but worth knowing (unmaintained, yanked, notice).
    Info,
    Low,
    Medium,
    High,
    Critical,
    Unknown,
}

/// The text is not one of the severity names.
#[derive(Debug, thiserror::Error)]
#[error("unknown severity {0:?} (expected one of: info, low, medium, high, critical, unknown)")]
pub struct SeverityParseError(pub String);

impl Severity {
    /// All severities, most severe first: the order findings are listed in.
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Unknown,
        Severity::Low,
        Severity::Info,
    ];

    /// Numeric rank used for thresholds: `Unknown` ranks as `Medium`.
    pub fn threshold_rank(self) -> u8 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium | Severity::Unknown => 2,
            Severity::High => 3,
            Severity::Critical => 4,
        }
    }

    /// Position in listings: most severe first, `Unknown` just below `Medium`.
    pub fn display_rank(self) -> u8 {
        match self {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Unknown => 3,
            Severity::Low => 4,
            Severity::Info => 5,
        }
    }

    /// Whether a finding of this severity reaches `threshold`.
    pub fn meets(self, threshold: Severity) -> bool {
        self.threshold_rank() >= threshold.threshold_rank()
    }

    /// The qualitative rating of a CVSS (v3.x/v4.0) base score.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
            Severity::Unknown => "unknown",
        }
    }
}

impl FromStr for Severity {
    type Err = SeverityParseError;

    /// Accepts our own names and the common spellings of other databases
    /// (GitHub's `MODERATE`, `NONE`, `negligible`, `important`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" | "none" | "negligible" => Severity::Info,
            "low" | "minor" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" | "important" | "major" => Severity::High,
            "critical" => Severity::Critical,
            "unknown" => Severity::Unknown,
            _ => return Err(SeverityParseError(s.to_string())),
        })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        assert!(Severity::Critical.meets(Severity::High));
        assert!(!Severity::Medium.meets(Severity::High));
        assert!(Severity::Unknown.meets(Severity::Medium));
        assert!(!Severity::Unknown.meets(Severity::High));
        assert!(!Severity::Info.meets(Severity::Low));
    }

    #[test]
    fn cvss_ratings() {
        assert_eq!(Severity::from_cvss_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(7.0), Severity::High);
        assert_eq!(Severity::from_cvss_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_cvss_score(0.1), Severity::Low);
        assert_eq!(Severity::from_cvss_score(0.0), Severity::Info);
    }

    #[test]
    fn foreign_spellings() {
        assert_eq!("MODERATE".parse::<Severity>().unwrap(), Severity::Medium);
        assert!("severe".parse::<Severity>().is_err());
    }
}
