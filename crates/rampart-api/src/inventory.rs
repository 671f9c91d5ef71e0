//! The findings inventory: uploads of scans, SARIF logs and SBOMs, the
//! findings they leave, their triage, and the blast-radius questions
//! ("where else?") asked of it.

use jiff::Timestamp;
use rampart_core::Severity;
use rampart_inventory::{
    FindingState, IncomingComponent, IncomingFinding, PackageRef, ServiceName, TeamName, Tier,
    UploadScope,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Body of `POST /services/{service}/uploads/scan`: what `rampart scan
/// --upload` sends. There is no field for a secret's value or a source
/// excerpt, and unknown fields are refused, so neither can ride along.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanUpload {
    /// Tool name and version (`rampart 0.1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The commit scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The CI run (`GITHUB_RUN_ID`, `CI_PIPELINE_ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// The kinds of scan covered, and whether completely.
    #[schema(value_type = Vec<Object>)]
    pub scopes: Vec<UploadScope>,
    /// Findings, including those suppressed locally (with
    /// `local_suppression`), so suppressing is not mistaken for fixing.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<IncomingFinding>,
    /// The packages the service ships (its SBOM).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub components: Vec<IncomingComponent>,
}

/// Query of the SARIF and SBOM upload routes (the body is the file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The commit scanned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The CI run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// `false`: the file covers part of the service, so nothing it lacks
    /// is marked fixed. Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    /// SBOM only: the scope's name (`sbom:<name>`); default from the
    /// SBOM's tool, else `sbom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What an upload changed. A repeat of the latest upload for the same
/// scopes answers 200 with `duplicate: true` and the first one's receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadReceipt {
    pub upload_id: i64,
    /// The same upload was already recorded; nothing changed.
    pub duplicate: bool,
    #[schema(value_type = String)]
    pub service: ServiceName,
    /// scan, sarif or sbom.
    pub format: String,
    #[schema(value_type = Vec<Object>)]
    pub scopes: Vec<UploadScope>,
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: Timestamp,
    pub uploaded_by: String,
    pub counts: UploadCounts,
}

/// The counts of an upload's receipt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadCounts {
    /// Findings seen for the first time.
    pub new: u64,
    /// Findings already known and still reported.
    pub seen_again: u64,
    /// Findings a complete scope no longer reports.
    pub fixed: u64,
    /// Fixed findings reported again.
    pub reopened: u64,
    pub components_added: u64,
    pub components_removed: u64,
    /// Components of the uploaded scopes after the upload.
    pub components: u64,
    /// Entries that were neither findings nor components.
    pub skipped: u64,
}

/// `GET /services/{service}/uploads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadList {
    pub uploads: Vec<UploadReceipt>,
}

/// One finding as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingView {
    pub id: i64,
    #[schema(value_type = String)]
    pub service: ServiceName,
    /// The service's owner when the finding was read.
    #[schema(value_type = Option<String>)]
    pub team: Option<TeamName>,
    pub scope: String,
    /// vulnerability, secret or sarif.
    pub kind: String,
    /// Advisory id, secret rule or SARIF rule.
    pub rule_id: String,
    pub title: String,
    #[schema(value_type = String)]
    pub severity: Severity,
    /// The state in force now (an accepted risk past expiry is `open`).
    #[schema(value_type = String)]
    pub state: FindingState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub state_at: Option<Timestamp>,
    /// When an accepted risk lapses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub risk_expires_at: Option<Timestamp>,
    pub fingerprint: String,
    pub fingerprint_origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub package: Option<PackageRef>,
    /// Advisory ids (CVE, GHSA, …) it is known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Suppressed where it was scanned (and by what).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_suppression: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub first_seen: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_seen: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub fixed_at: Option<Timestamp>,
    /// From the severity SLA; `null`: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    /// Open (or a lapsed acceptance) past its due date.
    pub overdue: bool,
}

/// Query of `GET /findings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// open, accepted_risk, false_positive or fixed (the state in force).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// This severity or worse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// vulnerability, secret or sarif.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Only open findings past their due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Page size (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// `GET /findings`: worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingList {
    pub findings: Vec<FindingView>,
    /// Pass as `after` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One step in a finding's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingEventView {
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// A login name, or `rampart` for the server's own changes.
    pub actor: String,
    /// detected, seen_again, fixed, reopened, triaged, risk_expired,
    /// severity_changed.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<i64>,
}

/// `GET /findings/{finding_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingDetailView {
    pub finding: FindingView,
    pub events: Vec<FindingEventView>,
}

/// Body of `PATCH /findings/{finding_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// open, accepted_risk (needs reason and expires_at), false_positive
    /// (needs reason) or fixed (needs reason).
    #[schema(value_type = String)]
    pub state: FindingState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SeverityCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub unknown: u64,
    pub info: u64,
}

impl SeverityCounts {
    pub fn add(&mut self, severity: Severity, n: u64) {
        let slot = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Unknown => &mut self.unknown,
            Severity::Info => &mut self.info,
        };
        *slot += n;
    }

    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low + self.unknown + self.info
    }
}

/// One service's findings in numbers: what everyone signed in may see,
/// viewers included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceFindingCounts {
    #[schema(value_type = String)]
    pub service: ServiceName,
    #[schema(value_type = Option<String>)]
    pub team: Option<TeamName>,
    #[schema(value_type = Option<u8>)]
    pub tier: Option<Tier>,
    /// Open findings (lapsed acceptances included) by severity.
    pub open: SeverityCounts,
    pub overdue: u64,
    pub accepted_risk: u64,
    pub false_positive: u64,
    pub fixed: u64,
    /// When the service last uploaded anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_upload_at: Option<Timestamp>,
}

/// Query of `GET /findings/summary`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Only this team's services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// `GET /findings/summary`: per service, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FindingSummary {
    pub services: Vec<ServiceFindingCounts>,
    /// Totals over the listed services.
    pub open: SeverityCounts,
    pub overdue: u64,
}

/// A blast-radius question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BlastQuery {
    /// Which services ship this package (in this version range)?
    Package {
        /// OSV ecosystem name (`npm`, `PyPI`, `crates.io`).
        ecosystem: String,
        name: String,
        /// `>=4.0.0,<4.17.21 || =3.10.1`, compared with the ecosystem's own
        /// version ordering.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<String>,
    },
    /// Which services have a finding known by this advisory id or alias?
    Advisory { id: String },
    /// Which services contain this secret (its 32-hex fingerprint)?
    Secret { fingerprint: String },
}

/// Query of `GET /where/package`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PackageWhereQuery {
    /// OSV ecosystem (`npm`); not needed with `purl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A package URL instead of ecosystem and name (`pkg:npm/lodash`);
    /// a version in it means `=version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
}

/// Query of `GET /where/advisory`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryWhereQuery {
    /// CVE, GHSA, RUSTSEC, PYSEC or GO id, any case.
    pub id: String,
}

/// Query of `GET /where/secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SecretWhereQuery {
    /// The finding's fingerprint: 32 lowercase hex digits.
    pub fingerprint: String,
}

/// Why one service is in a blast-radius answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlastMatch {
    pub scope: String,
    /// For package queries: the version shipped (`null`: unresolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Lockfile, SBOM or file path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For advisory and secret queries: the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub state: Option<FindingState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub severity: Option<Severity>,
    /// Package of an advisory finding (`lodash 4.17.20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

/// One service in a blast-radius answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlastService {
    #[schema(value_type = String)]
    pub service: ServiceName,
    #[schema(value_type = Option<String>)]
    pub team: Option<TeamName>,
    #[schema(value_type = Option<u8>)]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_classification: Option<String>,
    pub matches: Vec<BlastMatch>,
}

/// The answer to a blast-radius question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlastAnswer {
    pub query: BlastQuery,
    #[schema(value_type = String, format = DateTime)]
    pub as_of: Timestamp,
    /// Services that match, most critical tier first.
    pub services: Vec<BlastService>,
    /// Services shipping the package in a version that could not be
    /// compared (unresolved, unparsable, or an ecosystem without an
    /// ordering): never guessed either way.
    pub undetermined: Vec<BlastService>,
    /// Matching services the caller may not see in detail.
    pub hidden_services: u64,
}
