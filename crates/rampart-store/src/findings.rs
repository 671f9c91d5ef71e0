//! The findings inventory as stored: uploads and their tallies, findings
//! with their triage state and history, the components each service
//! ships, and the blast-radius answers read from them. The decisions
//! (reconcile, triage) are `rampart_inventory`'s; the store runs them under
//! its write lock and adds ids and bookkeeping.

use jiff::Timestamp;
use rampart_inventory::{
    DataClassification, FindingDetail, FindingFingerprint, FindingState, FingerprintOrigin,
    IncomingKind, IncomingUpload, LocalSuppression, PackageRef, ReconcileTally, ServiceName,
    Severity, SlaPolicy, TeamName, Tier, TriageChange, UploadFormat, UploadScope,
};
use serde::{Deserialize, Serialize};

use crate::audit::AuditDraft;
use crate::incident::DecisionError;

/// One upload to record for a service.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub service: ServiceName,
    pub upload: IncomingUpload,
    /// The policy due dates of new and reopened findings follow.
    pub sla: SlaPolicy,
    /// Who uploaded (login name).
    pub by: String,
    /// When: the upload's time, and `now` for reconcile.
    pub at: Timestamp,
    /// The audit event; the store adds the tally under the key `counts`.
    pub audit: AuditDraft,
}

/// How much one upload changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTally {
    pub new: u64,
    pub seen_again: u64,
    pub fixed: u64,
    pub reopened: u64,
    pub components_added: u64,
    pub components_removed: u64,
    /// Components of the uploaded scopes after the upload.
    pub components: u64,
    /// Entries of the body that were neither findings nor components.
    pub skipped: u64,
}

impl UploadTally {
    /// The tally of a reconcile plan, plus what the parser skipped.
    pub fn from_plan(tally: &ReconcileTally, skipped: u64) -> Self {
        Self {
            new: tally.new,
            seen_again: tally.seen_again,
            fixed: tally.fixed,
            reopened: tally.reopened,
            components_added: tally.components_added,
            components_removed: tally.components_removed,
            components: tally.components,
            skipped,
        }
    }
}

/// A recorded upload. The body itself is never stored, only its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    pub id: i64,
    pub service: ServiceName,
    pub format: UploadFormat,
    pub scopes: Vec<UploadScope>,
    pub digest: String,
    pub tool: Option<String>,
    pub commit: Option<String>,
    pub run: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
    pub tally: UploadTally,
}

/// What `Store::record_upload` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOutcome {
    /// The upload recorded, or (when `duplicate`) the earlier one it repeats.
    pub upload: UploadRow,
    /// The same body as the service's latest upload of the same scopes:
    /// nothing was written.
    pub duplicate: bool,
}

/// A finding as stored, with its service's owner and tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    pub id: i64,
    pub service: ServiceName,
    pub team: Option<TeamName>,
    pub tier: Option<Tier>,
    pub scope: String,
    pub fingerprint: FindingFingerprint,
    pub fingerprint_origin: FingerprintOrigin,
    pub kind: IncomingKind,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    /// As stored: see [`effective_state`](Self::effective_state).
    pub state: FindingState,
    pub state_reason: Option<String>,
    pub state_by: Option<String>,
    pub state_at: Option<Timestamp>,
    pub risk_expires_at: Option<Timestamp>,
    pub path: Option<String>,
    pub line: Option<u64>,
    pub package: Option<PackageRef>,
    /// Advisory ids, upper-cased, sorted: the upload's, plus the rule id
    /// when it names an advisory (what `advisory_hits` matches).
    pub ids: Vec<String>,
    pub detail: FindingDetail,
    pub local_suppression: Option<LocalSuppression>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub fixed_at: Option<Timestamp>,
    pub reopened_at: Option<Timestamp>,
    pub reopen_count: u32,
    pub due_at: Option<Timestamp>,
    pub last_upload_id: i64,
}

impl FindingRow {
    /// The state in force at `now`: an accepted risk past its expiry is
    /// open, whether or not `expire_accepted_risks` has written that yet.
    pub fn effective_state(&self, now: Timestamp) -> FindingState {
        self.state.effective(self.risk_expires_at, now)
    }

    /// Effectively open and due at or before `now`.
    pub fn overdue(&self, now: Timestamp) -> bool {
        self.effective_state(now) == FindingState::Open && self.due_at.is_some_and(|d| d <= now)
    }
}

/// One entry of a finding's history. Append-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingEventRow {
    pub finding_id: i64,
    /// 1, 2, … per finding.
    pub seq: i64,
    pub at: Timestamp,
    /// Login name, or `rampart` for the store's own sweeps.
    pub actor: String,
    /// `detected`, `reopened`, `severity_changed`, `fixed`, `triaged`,
    /// `risk_expired`.
    pub action: String,
    pub from_state: Option<FindingState>,
    pub to_state: Option<FindingState>,
    pub reason: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub upload_id: Option<i64>,
}

/// Which findings `Store::findings` lists. Ordered worst severity first
/// (`Severity::display_rank`), then by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFilter {
    /// `None`: every service; `Some(empty)`: none at all. At most 30,000
    /// names (a backend error beyond).
    pub services: Option<Vec<ServiceName>>,
    /// The state effective at `now` (an expired acceptance is open).
    pub state: Option<FindingState>,
    /// This severity or worse, as `Severity::meets` counts (by
    /// `threshold_rank`: `unknown` counts as `medium`).
    pub min_severity: Option<Severity>,
    pub kind: Option<IncomingKind>,
    /// Only effectively open findings due at or before `now`.
    pub overdue_only: bool,
    /// Keyset paging: the (`display_rank`, id) of the last row of the
    /// previous page.
    pub after: Option<(u8, i64)>,
    pub limit: u32,
}

impl Default for FindingFilter {
    fn default() -> Self {
        Self {
            services: None,
            state: None,
            min_severity: None,
            kind: None,
            overdue_only: false,
            after: None,
            limit: 100,
        }
    }
}

/// One service's findings, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCountsRow {
    pub service: ServiceName,
    pub team: Option<TeamName>,
    pub tier: Option<Tier>,
    /// Effectively open findings (lapsed acceptances included) per
    /// severity, every severity listed, in `Severity::ALL` order.
    pub open: Vec<(Severity, u64)>,
    /// Effectively open and due.
    pub overdue: u64,
    /// Accepted risks still in force.
    pub accepted_risk: u64,
    pub false_positive: u64,
    pub fixed: u64,
    pub last_upload_at: Option<Timestamp>,
}

/// A service that ships a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentHit {
    pub service: ServiceName,
    pub team: Option<TeamName>,
    pub tier: Option<Tier>,
    pub data_classification: Option<DataClassification>,
    pub scope: String,
    pub ecosystem: String,
    pub name: String,
    /// `None`: the version is unresolved.
    pub version: Option<String>,
    pub path: String,
    pub purl: Option<String>,
}

/// A finding matched by a blast-radius query, with its service's data
/// classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingHit {
    pub finding: FindingRow,
    pub data_classification: Option<DataClassification>,
}

/// What a triage decision made under the write lock wants written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageUpdate {
    pub change: TriageChange,
    /// Login name.
    pub by: String,
    pub at: Timestamp,
    pub audit: AuditDraft,
}

/// The decision `Store::triage_finding` runs on the current row inside the
/// write transaction.
pub type TriageDecide<'a> =
    Box<dyn FnOnce(&FindingRow) -> Result<TriageUpdate, DecisionError> + Send + 'a>;

/// The version filter `Store::package_hits` takes, named so that the
/// backends' generated `impl Store` can spell it (`async_trait` would give
/// the elided `&str` of a spelled-out `Fn(&str)` a lifetime of its own).
pub type KeepVersion<'a> = dyn Fn(&str) -> bool + Sync + 'a;
