//! How bad an incident is and who may hear about it: severity and TLP.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A severity or TLP label was not one we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {input:?} is not one of {expected}")]
pub struct MarkingParseError {
    /// `severity` or `tlp`.
    pub field: &'static str,
    /// The rejected input, cut to 40 characters.
    pub input: String,
    /// The accepted spellings, for the message.
    pub expected: &'static str,
}

/// An incident's severity, `SEV1` (worst) to `SEV4`.
///
/// Ordered by urgency: `Sev1 < Sev2`, so sorting ascending puts the worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum IncidentSeverity {
    /// Critical: active compromise of production or sensitive data.
    Sev1,
    /// High.
    Sev2,
    /// Medium.
    Sev3,
    /// Low.
    Sev4,
}

impl IncidentSeverity {
    /// Every severity, worst first.
    pub const ALL: [Self; 4] = [Self::Sev1, Self::Sev2, Self::Sev3, Self::Sev4];

    /// The canonical label, `SEV1`…`SEV4`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sev1 => "SEV1",
            Self::Sev2 => "SEV2",
            Self::Sev3 => "SEV3",
            Self::Sev4 => "SEV4",
        }
    }
}

impl FromStr for IncidentSeverity {
    type Err = MarkingParseError;

    /// Accepts the canonical label in any case (`sev2` from the CLI).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| MarkingParseError {
                field: "severity",
                input: s.chars().take(40).collect(),
                expected: "SEV1, SEV2, SEV3, SEV4",
            })
    }
}

impl fmt::Display for IncidentSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for IncidentSeverity {
    type Error = MarkingParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IncidentSeverity> for &'static str {
    fn from(value: IncidentSeverity) -> Self {
        value.as_str()
    }
}

/// A Traffic Light Protocol 2.0 marking: how far information may be shared.
///
/// Ordered from least to most restrictive (`Clear < Green < Amber <
/// AmberStrict < Red`), so "at least AMBER" is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Tlp {
    /// `TLP:CLEAR` — no limit on disclosure.
    Clear,
    /// `TLP:GREEN` — the community, not public channels.
    Green,
    /// `TLP:AMBER` — the recipient's organisation and its clients, need-to-know.
    Amber,
    /// `TLP:AMBER+STRICT` — the recipient's organisation only.
    AmberStrict,
    /// `TLP:RED` — the named recipients only.
    Red,
}

impl Tlp {
    /// Every marking, least restrictive first.
    pub const ALL: [Self; 5] = [
        Self::Clear,
        Self::Green,
        Self::Amber,
        Self::AmberStrict,
        Self::Red,
    ];

    /// The canonical TLP 2.0 label, with its `TLP:` prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clear => "TLP:CLEAR",
            Self::Green => "TLP:GREEN",
            Self::Amber => "TLP:AMBER",
            Self::AmberStrict => "TLP:AMBER+STRICT",
            Self::Red => "TLP:RED",
        }
    }
}

impl FromStr for Tlp {
    type Err = MarkingParseError;

    /// Accepts the label with or without its `TLP:` prefix, in any case
    /// (`amber+strict` from the CLI). TLP 1.0's `WHITE` is not accepted: it
    /// was renamed `CLEAR` and silently mapping old markings hides a mistake.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = match s.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("TLP:") => &s[4..],
            _ => s,
        };
        Self::ALL
            .into_iter()
            .find(|tlp| tlp.as_str()[4..].eq_ignore_ascii_case(bare))
            .ok_or_else(|| MarkingParseError {
                field: "tlp",
                input: s.chars().take(40).collect(),
                expected: "TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, TLP:RED",
            })
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Tlp {
    type Error = MarkingParseError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Tlp> for &'static str {
    fn from(value: Tlp) -> Self {
        value.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_labels() {
        let cases: &[(&str, Option<IncidentSeverity>)] = &[
            ("SEV1", Some(IncidentSeverity::Sev1)),
            ("sev2", Some(IncidentSeverity::Sev2)),
            ("Sev3", Some(IncidentSeverity::Sev3)),
            ("SEV4", Some(IncidentSeverity::Sev4)),
            ("SEV0", None),
            ("SEV5", None),
            ("1", None),
            ("critical", None),
            (" SEV1", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(input.parse().ok(), *expected, "input {input:?}");
        }
        for sev in IncidentSeverity::ALL {
            assert_eq!(sev.as_str().parse(), Ok(sev));
            let json = serde_json::to_string(&sev).unwrap();
            assert_eq!(json, format!("\"{sev}\""));
            assert_eq!(
                serde_json::from_str::<IncidentSeverity>(&json).unwrap(),
                sev
            );
        }
        assert!(IncidentSeverity::Sev1 < IncidentSeverity::Sev4);
        let err = "SEV9".parse::<IncidentSeverity>().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"field `severity`: "SEV9" is not one of SEV1, SEV2, SEV3, SEV4"#
        );
    }

    #[test]
    fn tlp_labels() {
        let cases: &[(&str, Option<Tlp>)] = &[
            ("TLP:CLEAR", Some(Tlp::Clear)),
            ("clear", Some(Tlp::Clear)),
            ("TLP:GREEN", Some(Tlp::Green)),
            ("tlp:amber", Some(Tlp::Amber)),
            ("TLP:AMBER+STRICT", Some(Tlp::AmberStrict)),
            ("amber+strict", Some(Tlp::AmberStrict)),
            ("TLP:RED", Some(Tlp::Red)),
            ("RED", Some(Tlp::Red)),
            ("TLP:WHITE", None),
            ("WHITE", None),
            ("AMBER STRICT", None),
            ("TLP-RED", None),
            ("TLP:", None),
            ("TL", None),
            ("TLP:é", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(input.parse().ok(), *expected, "input {input:?}");
        }
        for tlp in Tlp::ALL {
            let json = serde_json::to_string(&tlp).unwrap();
            assert_eq!(json, format!("\"{}\"", tlp.as_str()));
            assert_eq!(serde_json::from_str::<Tlp>(&json).unwrap(), tlp);
        }
        assert!(
            Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red
        );
        assert!(serde_json::from_str::<Tlp>(r#""TLP:WHITE""#).is_err());
    }
}
