//! The threat model as the YAML file states it (format version 1).
//!
//! Every struct rejects unknown fields, so a misspelt attribute or an
//! attribute that does not apply to a kind (`stores` on a process) is a parse
//! error with a position rather than a silently ignored line. Defaults follow
//! one principle: a missing security control is assumed absent, a risky trait
//! is not assumed present.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The whole model file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Rampart threat model",
    description = "A system described as data-flow elements, flows, trust boundaries and data assets, from which `rampart threat` generates threats; `risk_tracking` records what was decided about them."
)]
pub struct ThreatModel {
    /// Format version; only `1` exists.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// Name of the modelled system; the title of every report.
    pub title: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Team or person responsible for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The data the system handles; threat severities derive from their ratings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_assets: Vec<DataAsset>,
    /// People and systems outside the modelled system's control.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_entities: Vec<ExternalEntity>,
    /// Code the system runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<Process>,
    /// Where data rests: databases, buckets, queues, logs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_stores: Vec<DataStore>,
    /// Data moving between elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// Zones of equal trust; a flow between elements of different zones crosses a boundary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust_boundaries: Vec<TrustBoundary>,
    /// Hand-written (or imported) threats, reported next to the generated ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<ManualThreat>,
    /// Status of threats, keyed by threat id (`rule-id@target-id`, as reports show it): open, mitigated, accepted until a date, or a false positive.
    #[serde(
        default,
        deserialize_with = "unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub risk_tracking: BTreeMap<String, TrackingEntry>,
    /// Model-wide switches.
    #[serde(default, skip_serializing_if = "is_default")]
    pub options: Options,
}

/// Model-wide switches.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
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

// Serialisation leaves out values equal to their default so that a model
// written back (an import) keeps only what was stated.
fn is_false(value: &bool) -> bool {
    !*value
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// One ordered scale for confidentiality, integrity and availability.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    /// Unique among data assets; lower case, digits, `-` and `_`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Harm if the data is disclosed.
    pub confidentiality: Level,
    /// Harm if the data is altered.
    pub integrity: Level,
    /// Harm if the data cannot be reached.
    pub availability: Level,
    /// Free labels; rules and reports may match on them (`pci`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// How a caller proves who it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(extend("default" = "none"))]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(extend("default" = "none"))]
pub enum Authorization {
    #[default]
    None,
    RoleBased,
    ObjectLevel,
}

/// How a process keeps users signed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(extend("default" = "none"))]
pub enum Sessions {
    #[default]
    None,
    Cookie,
    Token,
}

/// The query language a store accepts (injection rules key on it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(extend("default" = "none"))]
pub enum QueryLanguage {
    #[default]
    None,
    Sql,
    Nosql,
    Other,
}

/// Anonymous access to a store (a public bucket).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(extend("default" = "none"))]
pub enum PublicAccess {
    #[default]
    None,
    Read,
    Write,
}

/// The six STRIDE categories.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExternalEntity {
    /// Unique among elements, flows and boundaries; lower case, digits, `-` and `_`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Product or stack (`PostgreSQL 17`, `Rust/axum`); shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<String>,
    /// Free labels; rules and reports may match on them (`pci`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Reason the element is out of scope; no threats are generated for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Ids of the same thing in another tool (a Threat Dragon cell id), kept so a re-import can match it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    /// A person (a browser user) rather than a system.
    #[serde(default, skip_serializing_if = "is_false")]
    pub human: bool,
    /// An administrator or operator.
    #[serde(default, skip_serializing_if = "is_false")]
    pub privileged: bool,
    /// An identity provider.
    #[serde(default, skip_serializing_if = "is_false")]
    pub provides_authentication: bool,
}

/// Code the system runs.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Unique among elements, flows and boundaries; lower case, digits, `-` and `_`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Product or stack (`PostgreSQL 17`, `Rust/axum`); shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<String>,
    /// Free labels; rules and reports may match on them (`pci`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Reason the element is out of scope; no threats are generated for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Ids of the same thing in another tool (a Threat Dragon cell id), kept so a re-import can match it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    /// Reachable from the internet.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internet_facing: bool,
    /// How callers of this process prove who they are.
    #[serde(default, skip_serializing_if = "is_default")]
    pub authentication: Authentication,
    /// What the process checks after authentication.
    #[serde(default, skip_serializing_if = "is_default")]
    pub authorization: Authorization,
    /// Handles input that users or outside systems control.
    #[serde(default, skip_serializing_if = "is_false")]
    pub takes_user_input: bool,
    /// Validates input against an allow-list or a schema.
    #[serde(default, skip_serializing_if = "is_false")]
    pub input_validation: bool,
    /// Bounds input sizes (request bodies, uploads, collection lengths).
    #[serde(default, skip_serializing_if = "is_false")]
    pub input_limits: bool,
    /// Encodes output for its context (HTML escaping, templating).
    #[serde(default, skip_serializing_if = "is_false")]
    pub output_encoding: bool,
    /// Produces HTML for browsers.
    #[serde(default, skip_serializing_if = "is_false")]
    pub renders_html: bool,
    /// Uses bound parameters, never string-built queries.
    #[serde(default, skip_serializing_if = "is_false")]
    pub parameterized_queries: bool,
    /// Starts shell or operating-system commands.
    #[serde(default, skip_serializing_if = "is_false")]
    pub executes_os_commands: bool,
    /// Deserialises data from outside into objects (native serialisation formats).
    #[serde(default, skip_serializing_if = "is_false")]
    pub deserializes_untrusted_data: bool,
    /// Parses XML (external entities are a risk).
    #[serde(default, skip_serializing_if = "is_false")]
    pub parses_xml: bool,
    /// Accepts files from users.
    #[serde(default, skip_serializing_if = "is_false")]
    pub accepts_file_uploads: bool,
    /// Fetches URLs, some of them given by users or data.
    #[serde(default, skip_serializing_if = "is_false")]
    pub makes_outbound_requests: bool,
    /// Outbound requests are restricted to an allow-list.
    #[serde(default, skip_serializing_if = "is_false")]
    pub egress_allowlist: bool,
    /// How signed-in users are remembered.
    #[serde(default, skip_serializing_if = "is_default")]
    pub sessions: Sessions,
    /// Rejects cross-site request forgery (tokens, SameSite cookies).
    #[serde(default, skip_serializing_if = "is_false")]
    pub csrf_protection: bool,
    /// Sessions expire and can be revoked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub session_expiry: bool,
    /// Limits requests per client.
    #[serde(default, skip_serializing_if = "is_false")]
    pub rate_limited: bool,
    /// Writes security-relevant events (sign-ins, changes, access) to an audit trail.
    #[serde(default, skip_serializing_if = "is_false")]
    pub logs_audit_events: bool,
    /// Keeps keys or passwords in configuration files or environment variables.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stores_secrets_in_config: bool,
    /// Runs with administrator rights.
    #[serde(default, skip_serializing_if = "is_false")]
    pub runs_as_root: bool,
    /// Shows stack traces or internal errors to callers.
    #[serde(default, skip_serializing_if = "is_false")]
    pub error_details_exposed: bool,
    /// Debug endpoints or modes are on in production.
    #[serde(default, skip_serializing_if = "is_false")]
    pub debug_enabled: bool,
    /// Its dependencies are scanned for known vulnerabilities.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dependency_scanning: bool,
    /// Caches responses (cache poisoning and leaks between users are risks).
    #[serde(default, skip_serializing_if = "is_false")]
    pub caches_responses: bool,
    /// Runs more than one instance, so one failure does not stop the service.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redundant: bool,
    /// Assets handled in memory beyond those its flows carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
}

/// Data at rest: a database, bucket, queue or log.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataStore {
    /// Unique among elements, flows and boundaries; lower case, digits, `-` and `_`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Product or stack (`PostgreSQL 17`, `Rust/axum`); shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<String>,
    /// Free labels; rules and reports may match on them (`pci`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Reason the element is out of scope; no threats are generated for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Ids of the same thing in another tool (a Threat Dragon cell id), kept so a re-import can match it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    /// Assets at rest in this store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<String>,
    /// Reachable from the internet.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internet_facing: bool,
    /// How clients of the store prove who they are.
    #[serde(default, skip_serializing_if = "is_default")]
    pub authentication: Authentication,
    /// Writes security-relevant events (sign-ins, changes, access) to an audit trail.
    #[serde(default, skip_serializing_if = "is_false")]
    pub logs_audit_events: bool,
    /// Runs more than one instance, so one failure does not stop the service.
    #[serde(default, skip_serializing_if = "is_false")]
    pub redundant: bool,
    /// Data is encrypted on disk.
    #[serde(default, skip_serializing_if = "is_false")]
    pub encrypted_at_rest: bool,
    /// Holds passwords, keys or tokens.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stores_credentials: bool,
    /// The query language the store accepts (injection rules key on it).
    #[serde(default, skip_serializing_if = "is_default")]
    pub query_language: QueryLanguage,
    /// Anonymous access (a public bucket).
    #[serde(default, skip_serializing_if = "is_default")]
    pub public_access: PublicAccess,
    /// A log or audit trail.
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_log: bool,
    /// Entries cannot be changed or deleted once written.
    #[serde(default, skip_serializing_if = "is_false")]
    pub append_only: bool,
    /// A message queue.
    #[serde(default, skip_serializing_if = "is_false")]
    pub queue: bool,
    /// Messages that cannot be processed go to a dead-letter queue.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dead_letter_queue: bool,
}

/// Data moving from one element to another.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Unique among elements, flows and boundaries; lower case, digits, `-` and `_`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Id of the element the data leaves.
    pub from: String,
    /// Id of the element the data reaches.
    pub to: String,
    /// Display name; the id is shown when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Lower-case protocol name (`https`, `grpcs`, `postgres`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Data moves both ways (a request and its response count as one direction).
    #[serde(default, skip_serializing_if = "is_false")]
    pub bidirectional: bool,
    /// Asset ids the flow carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    /// How the sender proves who it is to the receiver.
    #[serde(default, skip_serializing_if = "is_default")]
    pub authentication: Authentication,
    /// What the receiver checks after authentication.
    #[serde(default, skip_serializing_if = "is_default")]
    pub authorization: Authorization,
    /// Explicit value; when absent the analysis derives it from `protocol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_in_transit: Option<bool>,
    /// Absent means the peer certificate is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifies_certificates: Option<bool>,
    /// Messages are signed or MACed end to end (a webhook signature).
    #[serde(default, skip_serializing_if = "is_false")]
    pub message_integrity: bool,
    /// Calls have timeouts, so a slow peer cannot exhaust the caller.
    #[serde(default, skip_serializing_if = "is_false")]
    pub timeouts: bool,
    /// Travels over a network others share (the internet).
    #[serde(default, skip_serializing_if = "is_false")]
    pub public_network: bool,
    /// Line-shaped boundaries the flow crosses (imported drawings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crosses: Vec<String>,
    /// Free labels; rules and reports may match on them (`pci`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Reason the flow is out of scope; no threats are generated for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    /// Ids of the same thing in another tool (a Threat Dragon cell id), kept so a re-import can match it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
}

/// A trust boundary; a member may be an element or another boundary
/// (nesting). Membership must form a forest.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustBoundary {
    /// Unique among elements, flows and boundaries; lower case, digits, `-` and `_`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ids of the elements and nested boundaries inside; a boundary without members is a line that flows list in `crosses`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Ids of the same thing in another tool (a Threat Dragon cell id), kept so a re-import can match it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
}

/// A hand-written threat; its id becomes `manual.<id>@<target>`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualThreat {
    /// Unique among hand-written threats; the threat id is `manual.<id>@<target>`.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub id: String,
    /// Element or flow id.
    pub target: String,
    /// STRIDE category.
    pub stride: Stride,
    /// One line: what can go wrong.
    pub title: String,
    /// Free text for readers of the model and its reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Severity as the author rates it.
    pub severity: Level,
    /// Controls that address the threat.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<String>,
    /// CWE numbers (`79` for CWE-79).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<u32>,
    /// CAPEC attack-pattern numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<u32>,
    /// Free labels; rules and reports may match on them (`pci`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The status word of a tracking entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "What was decided about one threat. The fields a status needs are checked by `rampart threat check`, which reports a missing one with its position."
)]
pub struct TrackingEntry {
    /// `open`, `mitigated` (needs `reference`), `accepted` (needs `owner` and `expires`) or `false_positive` (needs `reason`).
    pub status: TrackingStatus,
    /// For `mitigated`: the ticket, pull request or document that shows the fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// For `accepted`: who accepted the risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// For `accepted`: `YYYY-MM-DD`; the acceptance is valid through that day and the threat is open again after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub expires: Option<String>,
    /// Why the risk is accepted, or why the threat is a false positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Free text, shown in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
