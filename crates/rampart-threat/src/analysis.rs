//! What threat generation produces, and the CI gate over it. The types here
//! are the contract between generation ([`crate::generate`]) and every output
//! (reports, SARIF, the command line): outputs read them and never re-derive
//! a threat, a status or a severity.

use std::collections::BTreeMap;

use crate::model::{Level, Stride};
use crate::position::Position;

/// Where a threat comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A rule of the library fired (`rule-id@target`).
    Rule,
    /// The STRIDE-per-element baseline (`stride-<category>@target`).
    Baseline,
    /// Written by hand in the model's `threats:` (`manual.<id>@target`).
    Manual,
}

/// The kind of element or flow a threat is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    ExternalEntity,
    Process,
    DataStore,
    Flow,
}

impl TargetKind {
    /// The model's own word for the kind (`external_entity`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::ExternalEntity => "external_entity",
            TargetKind::Process => "process",
            TargetKind::DataStore => "data_store",
            TargetKind::Flow => "flow",
        }
    }
}

/// The element or flow a threat is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub kind: TargetKind,
    pub id: String,
    /// Display name (the id when the model gives none).
    pub name: String,
    /// For flows: the ids of the two ends.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Which CIA dimension of the data assets a rule's impact is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Confidentiality,
    Integrity,
    Availability,
    /// The highest of the three.
    Max,
}

impl Dimension {
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Confidentiality => "confidentiality",
            Dimension::Integrity => "integrity",
            Dimension::Availability => "availability",
            Dimension::Max => "max",
        }
    }
}

/// How likely a rule's threat is to be exploited once the condition holds;
/// it caps the severity the data assets would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Likelihood {
    /// Caps at medium.
    Low,
    /// Caps at high.
    Medium,
    /// No cap (up to critical).
    High,
}

impl Likelihood {
    pub fn as_str(self) -> &'static str {
        match self {
            Likelihood::Low => "low",
            Likelihood::Medium => "medium",
            Likelihood::High => "high",
        }
    }

    /// The highest severity this likelihood allows.
    pub fn cap(self) -> Level {
        match self {
            Likelihood::Low => Level::Medium,
            Likelihood::Medium => Level::High,
            Likelihood::High => Level::Critical,
        }
    }
}

/// Why a threat has its severity, so a reader can check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeverityBasis {
    /// Derived: the highest `dimension` rating among the assets involved
    /// (`asset` is the one that gave it; `None` when no asset is involved,
    /// which counts as low), capped by `likelihood`.
    Derived {
        dimension: Dimension,
        level: Level,
        asset: Option<String>,
        likelihood: Likelihood,
    },
    /// Stated by the model's author on a hand-written threat.
    Stated,
}

/// A threat's status after joining `risk_tracking` and today's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// No tracking entry, or an entry with status `open`.
    Open {
        note: Option<String>,
    },
    Mitigated {
        reference: String,
    },
    Accepted {
        owner: String,
        expires: jiff::civil::Date,
        reason: Option<String>,
    },
    /// An acceptance whose expiry date has passed: open again, and it fails
    /// `rampart threat check` whatever the threshold.
    AcceptanceExpired {
        owner: String,
        expired: jiff::civil::Date,
        reason: Option<String>,
    },
    FalsePositive {
        reason: String,
    },
}

impl Status {
    /// The status word used in every output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Open { .. } => "open",
            Status::Mitigated { .. } => "mitigated",
            Status::Accepted { .. } => "accepted",
            Status::AcceptanceExpired { .. } => "acceptance_expired",
            Status::FalsePositive { .. } => "false_positive",
        }
    }

    /// Open threats still need work: untracked, `open`, or an acceptance
    /// that lapsed.
    pub fn is_open(&self) -> bool {
        matches!(self, Status::Open { .. } | Status::AcceptanceExpired { .. })
    }
}

/// One generated (or hand-written) threat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threat {
    /// Stable id, `rule-id@target-id`; the key of `risk_tracking`.
    pub id: String,
    pub origin: Origin,
    /// The rule id (`plaintext-confidential-flow`), the baseline pseudo-rule
    /// (`stride-spoofing`) or `manual.<id>`.
    pub rule: String,
    pub stride: Stride,
    pub severity: Level,
    pub severity_basis: SeverityBasis,
    pub target: Target,
    /// Where the target's `id` value is in the model file.
    pub position: Option<Position>,
    pub title: String,
    pub description: String,
    pub mitigations: Vec<String>,
    pub cwe: Vec<u32>,
    pub capec: Vec<u32>,
    /// Ids of the data assets involved, sorted.
    pub assets: Vec<String>,
    pub status: Status,
}

/// Why a `risk_tracking` entry matches no threat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StaleReason {
    /// The key is not of the form `rule@target`.
    Malformed,
    /// No rule, baseline category or manual threat has that name.
    UnknownRule,
    /// No element or flow has that id (renamed or removed).
    NoSuchTarget,
    /// The rule exists and the target exists, but the rule no longer fires
    /// on it (the model changed, e.g. the control was added).
    RuleNoLongerMatches,
    /// The target is marked `out_of_scope`, so no threat is generated.
    TargetOutOfScope,
}

impl StaleReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StaleReason::Malformed => "malformed-id",
            StaleReason::UnknownRule => "unknown-rule",
            StaleReason::NoSuchTarget => "no-such-target",
            StaleReason::RuleNoLongerMatches => "rule-no-longer-matches",
            StaleReason::TargetOutOfScope => "target-out-of-scope",
        }
    }
}

/// A tracking entry that matches no generated threat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleEntry {
    /// The `risk_tracking` key.
    pub key: String,
    pub position: Option<Position>,
    pub reason: StaleReason,
}

/// Everything generation found, in a fixed order: threats by target id,
/// then rule threats before baseline and manual ones, then by rule id;
/// stale entries by key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    pub threats: Vec<Threat>,
    pub stale: Vec<StaleEntry>,
}

/// Counts for summaries; every map has an entry for every value, zero
/// included, so tables keep their shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub threats: usize,
    pub open: usize,
    pub mitigated: usize,
    pub accepted: usize,
    pub acceptance_expired: usize,
    pub false_positive: usize,
    /// Open threats (including lapsed acceptances) by severity.
    pub open_by_severity: BTreeMap<Level, usize>,
    /// All threats by STRIDE category.
    pub by_stride: BTreeMap<Stride, usize>,
    pub stale: usize,
}

impl Analysis {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            threats: self.threats.len(),
            open: 0,
            mitigated: 0,
            accepted: 0,
            acceptance_expired: 0,
            false_positive: 0,
            open_by_severity: Level::ALL.iter().map(|level| (*level, 0)).collect(),
            by_stride: Stride::ALL.iter().map(|stride| (*stride, 0)).collect(),
            stale: self.stale.len(),
        };
        for threat in &self.threats {
            match threat.status {
                Status::Open { .. } => summary.open += 1,
                Status::Mitigated { .. } => summary.mitigated += 1,
                Status::Accepted { .. } => summary.accepted += 1,
                Status::AcceptanceExpired { .. } => {
                    summary.open += 1;
                    summary.acceptance_expired += 1;
                }
                Status::FalsePositive { .. } => summary.false_positive += 1,
            }
            if threat.status.is_open() {
                *summary.open_by_severity.entry(threat.severity).or_default() += 1;
            }
            *summary.by_stride.entry(threat.stride).or_default() += 1;
        }
        summary
    }

    /// The CI gate: which threats make `rampart threat check` fail.
    pub fn gate(&self, fail_on: Level) -> Gate<'_> {
        let mut gate = Gate {
            over_threshold: Vec::new(),
            expired: Vec::new(),
        };
        for threat in &self.threats {
            match threat.status {
                Status::AcceptanceExpired { .. } => gate.expired.push(threat),
                Status::Open { .. } if threat.severity >= fail_on => {
                    gate.over_threshold.push(threat)
                }
                _ => {}
            }
        }
        gate
    }
}

/// The outcome of [`Analysis::gate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate<'a> {
    /// Open threats at or over the threshold.
    pub over_threshold: Vec<&'a Threat>,
    /// Threats whose acceptance expired, whatever their severity.
    pub expired: Vec<&'a Threat>,
}

impl Gate<'_> {
    pub fn passed(&self) -> bool {
        self.over_threshold.is_empty() && self.expired.is_empty()
    }
}
