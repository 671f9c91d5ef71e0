//! Incidents as stored: the list row, the full state the rules need, the
//! changes a caller can apply, and the rows of the incident's sub-records.

use jiff::Timestamp;
use rampart_incident::{
    AccessFacts, AccessRequest, BreakGlassGrant, BreakGlassNotification, BreakGlassRequest,
    Codename, CustodyEvent, DetectionSource, EvidenceItem, IncidentId, IncidentMember,
    IncidentSeverity, ResponseLogEntry, Step, StepBoard, StepEntry, StepFacts, StepRecord, Tlp,
    UserName,
};
use serde::{Deserialize, Serialize};

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Being worked on.
    Open,
    /// Every step done or not needed; action items may still be open.
    Closed,
}

impl IncidentStatus {
    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s output.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// The fields of an incident that its leadership may edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetails {
    /// Short title. Restricted like everything else about the incident;
    /// notifications use the codename instead.
    pub title: String,
    /// Optional longer summary.
    pub summary: Option<String>,
    /// SEV1–SEV4.
    pub severity: IncidentSeverity,
    /// TLP 2.0 marking.
    pub tlp: Tlp,
    /// Who or what noticed the attack (the step-9 rule asks).
    pub detected_by: DetectionSource,
}

/// What `declare_incident` needs; the store assigns id and codename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// Title, severity, marking.
    pub details: IncidentDetails,
    /// The declarer, who becomes commander.
    pub declared_by: UserName,
    /// When. Its UTC year is the id's year.
    pub declared_at: Timestamp,
}

/// One incident as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    /// `SEC-YYYY-NNNN`.
    pub id: IncidentId,
    /// The innocuous name used in notifications.
    pub codename: Codename,
    /// Editable fields.
    pub details: IncidentDetails,
    /// Open or closed.
    pub status: IncidentStatus,
    /// Declarer.
    pub declared_by: UserName,
    /// When declared.
    pub declared_at: Timestamp,
    /// When closed, if closed.
    pub closed_at: Option<Timestamp>,
    /// Bumped by every change; the token for optimistic concurrency.
    pub version: i64,
}

/// A step as stored: the domain entry plus who owns it and the notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRow {
    /// State, rationale, timestamps.
    pub entry: StepEntry,
    /// Who answers for the step.
    pub owner: Option<UserName>,
    /// Free-form working notes.
    pub notes: Option<String>,
}

/// Everything the server needs to decide access and apply the step rules
/// for one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentState {
    /// The list row, with the version read.
    pub summary: IncidentSummary,
    /// Members, and break-glass grants in force.
    pub access: AccessFacts,
    /// When each member joined, in the order of `access.members`.
    pub member_since: Vec<Timestamp>,
    /// The 14 steps, in order.
    pub steps: Vec<StepRow>,
    /// Record counts the step rules look at.
    pub facts: StepFacts,
}

impl IncidentState {
    /// The steps as the domain's board.
    pub fn board(&self) -> StepBoard {
        StepBoard::from_entries(self.steps.iter().map(|row| row.entry.clone()).collect())
            .unwrap_or_default()
    }

    /// The row of one step.
    pub fn step(&self, step: Step) -> Option<&StepRow> {
        self.steps.iter().find(|row| row.entry.step == step)
    }
}

/// A stored step record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRow {
    /// The store's id, unique across incidents.
    pub id: i64,
    /// Which step (derived from the record's kind).
    pub step: Step,
    /// The record.
    pub record: StepRecord,
    /// Who added it.
    pub created_by: UserName,
    /// When.
    pub created_at: Timestamp,
    /// Last change, if changed after creation.
    pub updated_at: Option<Timestamp>,
}

/// A stored response-log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRow {
    /// Position in this incident's log, from 1.
    pub seq: i64,
    /// The entry.
    pub entry: ResponseLogEntry,
}

/// A stored access request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestRow {
    /// The store's id.
    pub id: i64,
    /// The request and its state.
    pub request: AccessRequest,
}

/// A stored break-glass request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassRow {
    /// The store's id.
    pub id: i64,
    /// The request and its state.
    pub request: BreakGlassRequest,
    /// The incident's codename, which approvers see instead of its title:
    /// they decide without becoming members.
    pub codename: Codename,
}

/// What a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NotificationKind {
    /// Someone broke the glass into an incident you command.
    BreakGlass(BreakGlassNotification),
    /// Someone asks to join an incident you lead.
    AccessRequested {
        /// The request's id.
        request_id: i64,
        /// Who asks.
        requester: UserName,
    },
    /// Your access request was decided.
    AccessDecided {
        /// The request's id.
        request_id: i64,
        /// Approved or not.
        approved: bool,
    },
    /// You were added to an incident.
    AddedAsMember {
        /// Your role.
        role: rampart_incident::MemberRole,
    },
    /// The stored bytes of an evidence item of an incident you lead no
    /// longer match the digest taken on intake.
    EvidenceIntegrityFailure {
        /// The evidence item's record id.
        record_id: i64,
    },
}

/// A notification for one user, shown inside Rampart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The store's id.
    pub id: i64,
    /// Whom it is for.
    pub user: UserName,
    /// The incident it concerns.
    pub incident: IncidentId,
    /// Its codename, the only name a notification carries.
    pub codename: Codename,
    /// What happened.
    pub kind: NotificationKind,
    /// When.
    pub created_at: Timestamp,
    /// When the user marked it read.
    pub read_at: Option<Timestamp>,
}

/// One change to an incident. A call to `apply_incident_changes` applies a
/// list of them, its response-log entries and its audit event atomically.
#[derive(Debug, Clone, PartialEq)]
pub enum IncidentChange {
    /// Replace the editable fields.
    EditDetails(IncidentDetails),
    /// Replace a step's entry (from `rampart_incident::change_step`).
    SetStep(StepEntry),
    /// Set or clear a step's owner.
    SetStepOwner {
        /// Which step.
        step: Step,
        /// The new owner.
        owner: Option<UserName>,
    },
    /// Replace a step's notes.
    SetStepNotes {
        /// Which step.
        step: Step,
        /// The new notes.
        notes: Option<String>,
    },
    /// Add a record; its id is returned in [`AppliedChanges::created_ids`].
    AddRecord {
        /// The record.
        record: StepRecord,
        /// Who adds it.
        by: UserName,
        /// When.
        at: Timestamp,
    },
    /// Add an evidence item (a record of kind `evidence_item`, step 10)
    /// together with the first entry of its custody log (sequence 1: its
    /// intake or registration). Its id is returned in
    /// [`AppliedChanges::created_ids`]. Prefer this to `AddRecord` for
    /// evidence: an item added with `AddRecord` has no custody log.
    AddEvidence {
        /// The item.
        item: EvidenceItem,
        /// Who takes it in.
        by: UserName,
        /// When (the record's creation time).
        at: Timestamp,
        /// The first custody entry.
        custody: CustodyEvent,
    },
    /// Append an entry to the custody log of one of this incident's
    /// evidence items; `NotFound` unless `record_id` is an `evidence_item`
    /// record of this incident.
    AppendCustody {
        /// The evidence item's record id.
        record_id: i64,
        /// The entry.
        event: CustodyEvent,
    },
    /// Replace a record of this incident (e.g. an action item's status).
    /// Its kind must not change.
    UpdateRecord {
        /// Which record.
        id: i64,
        /// Its new content.
        record: StepRecord,
        /// When.
        at: Timestamp,
    },
    /// Add a member; `Conflict` if they already are one.
    AddMember {
        /// Who and with which role.
        member: IncidentMember,
        /// When.
        at: Timestamp,
    },
    /// Change a member's role; `NotFound` if they are not a member.
    SetMemberRole(IncidentMember),
    /// Remove a member; `NotFound` if they are not a member.
    RemoveMember(UserName),
    /// Store a new access request; its id is returned.
    AddAccessRequest(AccessRequest),
    /// Replace an access request's state.
    UpdateAccessRequest {
        /// Which request.
        id: i64,
        /// The decided request.
        request: AccessRequest,
    },
    /// Store a new break-glass request; its id is returned.
    AddBreakGlassRequest(BreakGlassRequest),
    /// Replace a break-glass request's state.
    UpdateBreakGlassRequest {
        /// Which request.
        id: i64,
        /// The decided request.
        request: BreakGlassRequest,
    },
    /// Put a break-glass grant in force.
    AddBreakGlassGrant(BreakGlassGrant),
    /// Notify a user; its id is returned.
    Notify {
        /// Whom.
        user: UserName,
        /// What about.
        kind: NotificationKind,
        /// When.
        at: Timestamp,
    },
    /// Close the incident.
    Close {
        /// When.
        at: Timestamp,
    },
    /// Reopen a closed incident.
    Reopen,
}

/// What `apply_incident_changes` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedChanges {
    /// The incident's version after the change.
    pub version: i64,
    /// Ids assigned to `AddRecord`, `AddEvidence`, `AddAccessRequest`,
    /// `AddBreakGlassRequest` and `Notify`, in the order of the changes.
    pub created_ids: Vec<i64>,
    /// The audit chain after the append.
    pub audit: rampart_audit::ChainSummary,
}

/// What a decision made under the write lock wants written.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentUpdate {
    /// The changes, applied in order.
    pub changes: Vec<IncidentChange>,
    /// Their response-log entries.
    pub log: Vec<ResponseLogEntry>,
    /// The audit event describing them.
    pub audit: crate::AuditDraft,
}

/// Why a decision refused to change anything: the caller's own error type,
/// boxed so the trait stays object-safe; the caller downcasts it back.
pub type DecisionError = Box<dyn std::any::Any + Send>;

/// The decision `Store::update_incident` runs on the incident's current
/// state inside the write transaction.
pub type Decide<'a> =
    Box<dyn FnOnce(&IncidentState) -> Result<IncidentUpdate, DecisionError> + Send + 'a>;
