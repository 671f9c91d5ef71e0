//! The threat model as the YAML file states it (format version 1).
//!
//! Every struct rejects unknown fields, so a misspelt attribute or an
//! attribute that does not apply to a kind (`stores` on a process) is a parse
//! error with a position rather than a silently ignored line. Defaults follow
//! one principle: a missing security control is assumed absent, a risky trait
//! is not assumed present.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The whole model file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatModel {
    /// Format version; only `1` exists.
    pub version: u32,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub data_assets: Vec<DataAsset>,
    #[serde(default)]
    pub external_entities: Vec<ExternalEntity>,
    #[serde(default)]
    pub processes: Vec<Process>,
    #[serde(default)]
    pub data_stores: Vec<DataStore>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    #[serde(default)]
    pub trust_boundaries: Vec<TrustBoundary>,
    /// Hand-written (or imported) threats.
    #[serde(default)]
    pub threats: Vec<ManualThreat>,
    /// Status of threats, keyed by threat id (`rule-id@target-id`).
    #[serde(default, deserialize_with = "unique_keys")]
    pub risk_tracking: BTreeMap<String, TrackingEntry>,
    #[serde(default)]
    pub options: Options,
}

/// Model-wide switches.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Generate the STRIDE-per-element baseline threats.
    #[serde(default = "yes")]
    pub stride_baseline: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stride_baseline: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// One ordered scale for confidentiality, integrity and availability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Low, Level::Medium, Level::High, Level::Critical];

    /// The model's own word for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Level::ALL
            .into_iter()
            .find(|level| level.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not one of low, medium, high, critical"))
    }
}

/// A piece of data the system handles, with its CIA ratings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub confidentiality: Level,
    pub integrity: Level,
    pub availability: Level,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// How a caller proves who it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authentication {
    #[default]
    None,
    Basic,
    ApiKey,
    Password,
    Token,
    Sso,
    Mtls,
    Mfa,
}

/// What a receiver checks after authentication.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authorization {
    #[default]
    None,
    RoleBased,
    ObjectLevel,
}

/// How a process keeps users signed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sessions {
    #[default]
    None,
    Cookie,
    Token,
}

/// The query language a store accepts (injection rules key on it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryLanguage {
    #[default]
    None,
    Sql,
    Nosql,
    Other,
}

/// Anonymous access to a store (a public bucket).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicAccess {
    #[default]
    None,
    Read,
    Write,
}

/// The six STRIDE categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stride {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Stride {
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    /// The model's own word (`information_disclosure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information_disclosure",
            Stride::DenialOfService => "denial_of_service",
            Stride::ElevationOfPrivilege => "elevation_of_privilege",
        }
    }

    /// The category as people write it (`Information disclosure`).
    pub fn label(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    /// The kebab-case form used in baseline threat ids (`stride-denial-of-service`).
    pub fn slug(self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information-disclosure",
            Stride::DenialOfService => "denial-of-service",
            Stride::ElevationOfPrivilege => "elevation-of-privilege",
        }
    }
}

/// A person or system outside the modelled system's control.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalEntity {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub technology: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Reason the element is out of scope; no threats are generated for it.
    #[serde(default)]
    pub out_of_scope: Option<String>,
    #[serde(default)]
    pub external_ids: Vec<String>,
    #[serde(default)]
    pub human: bool,
    /// An administrator or operator.
    #[serde(default)]
    pub privileged: bool,
    /// An identity provider.
    #[serde(default)]
    pub provides_authentication: bool,
}

/// Code the system runs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub technology: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Option<String>,
    #[serde(default)]
    pub external_ids: Vec<String>,
    #[serde(default)]
    pub internet_facing: bool,
    #[serde(default)]
    pub authentication: Authentication,
    #[serde(default)]
    pub authorization: Authorization,
    #[serde(default)]
    pub takes_user_input: bool,
    #[serde(default)]
    pub input_validation: bool,
    #[serde(default)]
    pub input_limits: bool,
    #[serde(default)]
    pub output_encoding: bool,
    #[serde(default)]
    pub renders_html: bool,
    #[serde(default)]
    pub parameterized_queries: bool,
    #[serde(default)]
    pub executes_os_commands: bool,
    #[serde(default)]
    pub deserializes_untrusted_data: bool,
    #[serde(default)]
    pub parses_xml: bool,
    #[serde(default)]
    pub accepts_file_uploads: bool,
    #[serde(default)]
    pub makes_outbound_requests: bool,
    #[serde(default)]
    pub egress_allowlist: bool,
    #[serde(default)]
    pub sessions: Sessions,
    #[serde(default)]
    pub csrf_protection: bool,
    #[serde(default)]
    pub session_expiry: bool,
    #[serde(default)]
    pub rate_limited: bool,
    #[serde(default)]
    pub logs_audit_events: bool,
    #[serde(default)]
    pub stores_secrets_in_config: bool,
    #[serde(default)]
    pub runs_as_root: bool,
    #[serde(default)]
    pub error_details_exposed: bool,
    #[serde(default)]
    pub debug_enabled: bool,
    #[serde(default)]
    pub dependency_scanning: bool,
    #[serde(default)]
    pub caches_responses: bool,
    #[serde(default)]
    pub redundant: bool,
    /// Assets handled in memory beyond those its flows carry.
    #[serde(default)]
    pub processes: Vec<String>,
}

/// Data at rest: a database, bucket, queue or log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataStore {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub technology: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Option<String>,
    #[serde(default)]
    pub external_ids: Vec<String>,
    /// Assets at rest in this store.
    #[serde(default)]
    pub stores: Vec<String>,
    #[serde(default)]
    pub internet_facing: bool,
    #[serde(default)]
    pub authentication: Authentication,
    #[serde(default)]
    pub logs_audit_events: bool,
    #[serde(default)]
    pub redundant: bool,
    #[serde(default)]
    pub encrypted_at_rest: bool,
    #[serde(default)]
    pub stores_credentials: bool,
    #[serde(default)]
    pub query_language: QueryLanguage,
    #[serde(default)]
    pub public_access: PublicAccess,
    #[serde(default)]
    pub is_log: bool,
    #[serde(default)]
    pub append_only: bool,
    #[serde(default)]
    pub queue: bool,
    #[serde(default)]
    pub dead_letter_queue: bool,
}

/// Data moving from one element to another.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Lower-case protocol name (`https`, `grpcs`, `postgres`, …).
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub bidirectional: bool,
    /// Asset ids the flow carries.
    #[serde(default)]
    pub data: Vec<String>,
    #[serde(default)]
    pub authentication: Authentication,
    #[serde(default)]
    pub authorization: Authorization,
    /// Explicit value; when absent the analysis derives it from `protocol`.
    #[serde(default)]
    pub encrypted_in_transit: Option<bool>,
    /// Absent means the peer certificate is verified.
    #[serde(default)]
    pub verifies_certificates: Option<bool>,
    #[serde(default)]
    pub message_integrity: bool,
    #[serde(default)]
    pub timeouts: bool,
    #[serde(default)]
    pub public_network: bool,
    /// Line-shaped boundaries the flow crosses (imported drawings).
    #[serde(default)]
    pub crosses: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Option<String>,
    #[serde(default)]
    pub external_ids: Vec<String>,
}

/// A trust boundary; a member may be an element or another boundary
/// (nesting). Membership must form a forest.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustBoundary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub external_ids: Vec<String>,
}

/// A hand-written threat; its id becomes `manual.<id>@<target>`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualThreat {
    pub id: String,
    /// Element or flow id.
    pub target: String,
    pub stride: Stride,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub severity: Level,
    #[serde(default)]
    pub mitigations: Vec<String>,
    #[serde(default)]
    pub cwe: Vec<u32>,
    #[serde(default)]
    pub capec: Vec<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The status word of a tracking entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    Open,
    Mitigated,
    Accepted,
    FalsePositive,
}

/// A `risk_tracking` entry as written. The fields each status requires are
/// checked by validation (not by serde) so that a missing `owner` is a
/// diagnostic pointing at the entry, alongside the other semantic errors;
/// [`TrackingEntry::resolve`] gives the typed form.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingEntry {
    pub status: TrackingStatus,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; the acceptance is valid through that day.
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A tracking entry with the fields its status requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracking {
    Open,
    Mitigated {
        reference: String,
    },
    Accepted {
        owner: String,
        expires: jiff::civil::Date,
        reason: Option<String>,
    },
    FalsePositive {
        reason: String,
    },
}

impl TrackingEntry {
    /// The typed status, or what is missing or malformed.
    pub fn resolve(&self) -> Result<Tracking, String> {
        let present = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        match self.status {
            TrackingStatus::Open => Ok(Tracking::Open),
            TrackingStatus::Mitigated => present(&self.reference)
                .map(|reference| Tracking::Mitigated { reference })
                .ok_or_else(|| "status mitigated needs a reference (ticket, PR, document)".into()),
            TrackingStatus::FalsePositive => present(&self.reason)
                .map(|reason| Tracking::FalsePositive { reason })
                .ok_or_else(|| "status false_positive needs a reason".into()),
            TrackingStatus::Accepted => {
                let owner = present(&self.owner);
                let expires = present(&self.expires);
                let (owner, expires) = match (owner, expires) {
                    (Some(owner), Some(expires)) => (owner, expires),
                    (None, Some(_)) => return Err("status accepted needs an owner".into()),
                    (Some(_), None) => {
                        return Err(
                            "status accepted needs an expiry date (expires: YYYY-MM-DD)".into()
                        );
                    }
                    (None, None) => {
                        return Err("status accepted needs an owner and an expiry date (expires: YYYY-MM-DD)".into());
                    }
                };
                let date = parse_date(&expires).ok_or_else(|| {
                    format!("expires {expires:?} is not a date of the form YYYY-MM-DD")
                })?;
                Ok(Tracking::Accepted {
                    owner,
                    expires: date,
                    reason: present(&self.reason),
                })
            }
        }
    }
}

/// Strict `YYYY-MM-DD`: jiff alone would also take other ISO 8601 shapes.
fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    text.parse::<jiff::civil::Date>().ok()
}

/// A map that rejects repeated keys: a `BTreeMap` would silently keep the
/// last entry, so a duplicated tracking entry would hide the first status.
fn unique_keys<'de, D>(deserializer: D) -> Result<BTreeMap<String, TrackingEntry>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Unique;
    impl<'de> Visitor<'de> for Unique {
        type Value = BTreeMap<String, TrackingEntry>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map from threat id to tracking entry")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format!(
                        "duplicate risk_tracking entry {key:?}"
                    )));
                }
                let value = map.next_value::<TrackingEntry>()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Unique)
}
