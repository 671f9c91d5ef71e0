//! Step 7: a blast-radius answer ("which services ship lodash <4.17.21?")
//! kept in the incident as it stood when it was asked.
//!
//! The inventory changes with every upload; what responders decided on is
//! the answer they saw, so the record copies it instead of linking to live
//! data. Only the server builds these records (from the inventory), so the
//! types are plain data with no rules tying fields together, and this crate
//! stays free of the inventory's types.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::indicator::CredentialFingerprint;
use crate::text::NonEmptyText;

/// What was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BlastQuestion {
    /// Which services ship this package, optionally in this version range?
    Package {
        /// OSV ecosystem name (`npm`, `PyPI`).
        ecosystem: NonEmptyText,
        /// Package name.
        name: NonEmptyText,
        /// `>=4.0.0,<4.17.21 || =3.10.1`; none means every version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<NonEmptyText>,
    },
    /// Which services have a finding known by this advisory id or alias?
    Advisory {
        /// CVE, GHSA, RUSTSEC, … id.
        id: NonEmptyText,
    },
    /// Which services contain this secret?
    Secret {
        /// The secret's fingerprint, never its value.
        fingerprint: CredentialFingerprint,
    },
}

/// Hex digits of a fingerprint shown in descriptions: enough to tell two
/// secrets apart at a glance, and the record holds the whole value anyway.
const FINGERPRINT_PREFIX: usize = 8;

impl BlastQuestion {
    /// The question in a few words: `package npm lodash <4.17.21`,
    /// `advisory CVE-2021-23337`, `secret 3f2a1b0c…`.
    pub fn describe(&self) -> String {
        match self {
            Self::Package {
                ecosystem,
                name,
                range,
            } => match range {
                Some(range) => format!("package {ecosystem} {name} {range}"),
                None => format!("package {ecosystem} {name}"),
            },
            Self::Advisory { id } => format!("advisory {id}"),
            Self::Secret { fingerprint } => {
                let full = fingerprint.as_str();
                let (label, hex) = match full.strip_prefix("sha256:") {
                    Some(hex) => ("sha256:", hex),
                    None => ("", full),
                };
                // The fingerprint is validated hex, so byte slicing is safe.
                let shown = &hex[..hex.len().min(FINGERPRINT_PREFIX)];
                format!("secret {label}{shown}…")
            }
        }
    }
}

/// One service in the answer and why it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedService {
    /// The catalog's service name.
    pub service: NonEmptyText,
    /// Owning team, when the catalog names one.
    #[serde(default)]
    pub team: Option<String>,
    /// Criticality tier (1 most critical), when known.
    #[serde(default)]
    pub tier: Option<u8>,
    /// The most sensitive data the service handles, when known.
    #[serde(default)]
    pub data_classification: Option<String>,
    /// Why it matched, one line each: `lodash 4.17.20 in package-lock.json
    /// (rampart:deps)`, `finding 42 open high`.
    pub matches: Vec<String>,
}

/// Step 7: the answer to a blast-radius question at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlastRadiusSnapshot {
    /// What was asked.
    pub question: BlastQuestion,
    /// When the inventory was read.
    pub as_of: Timestamp,
    /// Services that match, most critical first.
    pub services: Vec<AffectedService>,
    /// Services whose match could not be decided (a version that could not
    /// be compared, an ecosystem without an ordering): never guessed.
    pub undetermined: Vec<AffectedService>,
    /// Matching services the asker may not see; always 0 for an incident,
    /// whose members see the whole inventory for step 7.
    pub hidden_services: u32,
    /// How many services matched before `services` was cut short.
    pub total_services: u32,
    /// Whether `services` or `undetermined` was cut short to keep the
    /// record small.
    pub truncated: bool,
}

impl BlastRadiusSnapshot {
    /// Matching services left out of `services` by truncation.
    pub fn not_shown(&self) -> u32 {
        let shown = u32::try_from(self.services.len()).unwrap_or(u32::MAX);
        self.total_services.saturating_sub(shown)
    }

    /// `as_of` as `2026-11-28 10:00 UTC`.
    pub fn as_of_utc(&self) -> String {
        let at = jiff::tz::Offset::UTC.to_datetime(self.as_of);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute()
        )
    }

    /// The record's line in the response log.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "blast radius of {} as of {}: {} {}, {} undetermined",
            self.question.describe(),
            self.as_of_utc(),
            self.total_services,
            if self.total_services == 1 {
                "service"
            } else {
                "services"
            },
            self.undetermined.len()
        );
        if self.hidden_services > 0 {
            line.push_str(&format!(", {} hidden", self.hidden_services));
        }
        if self.truncated {
            line.push_str(" (list truncated)");
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> NonEmptyText {
        NonEmptyText::parse("text", s).unwrap()
    }

    fn service(name: &str, tier: Option<u8>, matches: &[&str]) -> AffectedService {
        AffectedService {
            service: text(name),
            team: Some("payments".into()),
            tier,
            data_classification: None,
            matches: matches.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn questions_describe_themselves() {
        let package = BlastQuestion::Package {
            ecosystem: text("npm"),
            name: text("lodash"),
            range: Some(text("<4.17.21")),
        };
        assert_eq!(package.describe(), "package npm lodash <4.17.21");
        let any = BlastQuestion::Package {
            ecosystem: text("PyPI"),
            name: text("requests"),
            range: None,
        };
        assert_eq!(any.describe(), "package PyPI requests");
        let advisory = BlastQuestion::Advisory {
            id: text("CVE-2021-23337"),
        };
        assert_eq!(advisory.describe(), "advisory CVE-2021-23337");
        let secret = BlastQuestion::Secret {
            fingerprint: "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c".parse().unwrap(),
        };
        assert_eq!(secret.describe(), "secret 3f2a1b0c…");
        let sha = BlastQuestion::Secret {
            fingerprint: format!("sha256:{}", "ab".repeat(32)).parse().unwrap(),
        };
        assert_eq!(sha.describe(), "secret sha256:abababab…");
    }

    #[test]
    fn questions_serialize_externally_tagged() {
        let cases = [
            r#"{"package":{"ecosystem":"npm","name":"lodash","range":"<4.17.21"}}"#,
            r#"{"package":{"ecosystem":"npm","name":"lodash"}}"#,
            r#"{"advisory":{"id":"GHSA-35jh-r3h4-6jhm"}}"#,
            r#"{"secret":{"fingerprint":"3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c"}}"#,
        ];
        for json in cases {
            let q: BlastQuestion = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&q).unwrap(), json);
        }
        for (json, error) in [
            (
                r#"{"package":{"ecosystem":"npm","name":"lodash","version":"1"}}"#,
                "unknown field `version`",
            ),
            (r#"{"team":{"name":"payments"}}"#, "unknown variant `team`"),
            (r#"{"advisory":{"id":"  "}}"#, "must not be empty"),
            // A pasted secret is refused, and the message does not repeat it.
            (
                r#"{"secret":{"fingerprint":"ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}"#,
                "not a fingerprint",
            ),
        ] {
            let message = serde_json::from_str::<BlastQuestion>(json)
                .unwrap_err()
                .to_string();
            assert!(message.contains(error), "{json}: {message}");
            assert!(!message.contains("ghp_"), "{message}");
        }
    }

    fn snapshot() -> BlastRadiusSnapshot {
        BlastRadiusSnapshot {
            question: BlastQuestion::Package {
                ecosystem: text("npm"),
                name: text("lodash"),
                range: Some(text("<4.17.21")),
            },
            as_of: "2026-11-28T10:00:59Z".parse().unwrap(),
            services: vec![
                service(
                    "checkout",
                    Some(1),
                    &["lodash 4.17.20 in package-lock.json (rampart:deps)"],
                ),
                service("search", None, &["lodash 4.17.15 in sbom.cdx.json (sbom)"]),
            ],
            undetermined: vec![service("legacy", Some(3), &["lodash (unresolved)"])],
            hidden_services: 0,
            total_services: 37,
            truncated: true,
        }
    }

    #[test]
    fn snapshots_round_trip_and_refuse_unknown_fields() {
        let s = snapshot();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            serde_json::from_str::<BlastRadiusSnapshot>(&json).unwrap(),
            s
        );
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["extra"] = serde_json::json!(1);
        let message = serde_json::from_value::<BlastRadiusSnapshot>(value)
            .unwrap_err()
            .to_string();
        assert!(message.contains("unknown field `extra`"), "{message}");
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["services"][0]["owner"] = serde_json::json!("x");
        assert!(serde_json::from_value::<BlastRadiusSnapshot>(value).is_err());
    }

    #[test]
    fn summary_and_truncation() {
        let s = snapshot();
        assert_eq!(
            s.summary(),
            "blast radius of package npm lodash <4.17.21 as of 2026-11-28 10:00 UTC: 37 services, 1 undetermined (list truncated)"
        );
        assert_eq!(s.not_shown(), 35);
        let whole = BlastRadiusSnapshot {
            services: vec![service("checkout", Some(1), &[])],
            undetermined: vec![],
            hidden_services: 2,
            total_services: 1,
            truncated: false,
            ..s
        };
        assert_eq!(whole.not_shown(), 0);
        assert_eq!(
            whole.summary(),
            "blast radius of package npm lodash <4.17.21 as of 2026-11-28 10:00 UTC: 1 service, 0 undetermined, 2 hidden"
        );
    }
}
