//! Incidents, their 14 steps, records, response log and members.

use jiff::Timestamp;
use rampart_incident::{
    AccessRoute, ActionItem, AffectedAsset, AttackTimelineInput, AttackVector, Attribution,
    Codename, CommsDecision, CompromisedCredential, CompromisedDataSet, ContainmentAction,
    DetectionSource, ForensicAnalysis, IncidentId, IncidentSeverity, Indicator,
    LawEnforcementRecord, LessonLearned, LogAction, LogTarget, MemberRole, OutsideParty,
    ReAttackAssessment, RecordKind, Step, StepRecord, StepState, StepWarning, SystemRiskAssessment,
    Tlp, UserName,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::schema::{
    DetectionSourceName, MemberRoleName, Severity, StepRecordSchema, StepStateName, TlpMarking,
};

/// Deserializes a field that distinguishes "absent" (`None`, leave as is)
/// from `null` (`Some(None)`, clear it). Use with `#[serde(default)]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Being worked on.
    Open,
    /// Every step done or not needed.
    Closed,
}

/// `POST /api/v1/incidents`: declare an incident. The declarer becomes commander.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareIncidentRequest {
    /// Short title (restricted like everything else about the incident).
    pub title: String,
    /// SEV1–SEV4.
    #[schema(value_type = Severity)]
    pub severity: IncidentSeverity,
    /// TLP 2.0 marking.
    #[schema(value_type = TlpMarking)]
    pub tlp: Tlp,
    /// Optional longer summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Who or what noticed the attack; `unknown` when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DetectionSourceName>)]
    pub detected_by: Option<DetectionSource>,
}

/// `PATCH /api/v1/incidents/{id}`: edit the details (commander, deputy).
/// Absent fields stay; `summary: null` clears the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIncidentRequest {
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New summary; `null` clears it.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    /// New severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Severity>)]
    pub severity: Option<IncidentSeverity>,
    /// New marking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TlpMarking>)]
    pub tlp: Option<Tlp>,
    /// Who or what detected the attack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DetectionSourceName>)]
    pub detected_by: Option<DetectionSource>,
}

/// An incident as a list shows it — only incidents the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentSummaryView {
    /// `SEC-YYYY-NNNN`.
    #[schema(value_type = String, example = "SEC-2026-0001")]
    pub id: IncidentId,
    /// The innocuous codename used in notifications.
    #[schema(value_type = String, example = "amber-otter")]
    pub codename: Codename,
    /// Title.
    pub title: String,
    /// Summary, if any.
    pub summary: Option<String>,
    /// Severity.
    #[schema(value_type = Severity)]
    pub severity: IncidentSeverity,
    /// Marking.
    #[schema(value_type = TlpMarking)]
    pub tlp: Tlp,
    /// Who or what detected it.
    #[schema(value_type = DetectionSourceName)]
    pub detected_by: DetectionSource,
    /// Open or closed.
    pub status: IncidentStatus,
    /// Declarer.
    #[schema(value_type = String)]
    pub declared_by: UserName,
    /// When declared.
    #[schema(value_type = String, format = DateTime)]
    pub declared_at: Timestamp,
    /// When closed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    /// Bumped by every change.
    pub version: i64,
}

/// `GET /api/v1/incidents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentList {
    /// Newest first.
    pub incidents: Vec<IncidentSummaryView>,
}

/// A member of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MemberView {
    /// The member.
    #[schema(value_type = String)]
    pub user: UserName,
    /// Their role.
    #[schema(value_type = MemberRoleName)]
    pub role: MemberRole,
    /// When they joined.
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: Timestamp,
}

/// Break-glass access in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GrantView {
    /// Who holds it.
    #[schema(value_type = String)]
    pub user: UserName,
    /// Their written reason.
    pub reason: String,
    /// The security-role approver.
    #[schema(value_type = String)]
    pub approved_by: UserName,
    /// When approved.
    #[schema(value_type = String, format = DateTime)]
    pub approved_at: Timestamp,
}

/// One of the 14 steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    /// 1–14.
    #[schema(value_type = u8, minimum = 1, maximum = 14)]
    pub step: Step,
    /// The step's title.
    pub title: String,
    /// Where it stands.
    #[schema(value_type = StepStateName)]
    pub state: StepState,
    /// The latest written reason.
    pub rationale: Option<String>,
    /// Who answers for it.
    #[schema(value_type = Option<String>)]
    pub owner: Option<UserName>,
    /// Working notes.
    pub notes: Option<String>,
    /// When work began.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    /// When it was settled.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<Timestamp>,
}

/// `GET /api/v1/incidents/{id}`: everything about one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentDetail {
    /// The summary row.
    pub incident: IncidentSummaryView,
    /// Members, with role and when they joined.
    pub members: Vec<MemberView>,
    /// The 14 steps, in order.
    pub steps: Vec<StepView>,
    /// How the caller has access: `{"via":"membership","role":…}` or
    /// `{"via":"break_glass","approved_by":…,"approved_at":…}`.
    #[schema(value_type = Object)]
    pub access: AccessRoute,
    /// Break-glass grants in force.
    pub break_glass: Vec<GrantView>,
}

/// `GET /api/v1/incidents/{id}/steps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepList {
    /// The 14 steps, in order.
    pub steps: Vec<StepView>,
}

/// `PATCH /api/v1/incidents/{id}/steps/{n}`. At least one field. `owner`
/// and `notes` take `null` to clear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStepRequest {
    /// New state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<StepStateName>)]
    pub state: Option<StepState>,
    /// Why: required for `not_needed`, and for starting step 3 before steps
    /// 1–2 are settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// New owner (a user name); `null` clears.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    /// New notes; `null` clears.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// A warning returned with a change, which happened regardless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WarningView {
    /// For a person.
    pub text: String,
    /// Structured: `{"kind":"containment_incomplete","step":11,"unsettled":[1,2]}`, …
    #[schema(value_type = Object)]
    pub detail: StepWarning,
}

impl From<&StepWarning> for WarningView {
    fn from(warning: &StepWarning) -> Self {
        Self {
            text: warning.to_string(),
            detail: warning.clone(),
        }
    }
}

/// The answer to a step update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StepUpdateResponse {
    /// The step after the change.
    pub step: StepView,
    /// Warnings (also written to the response log).
    pub warnings: Vec<WarningView>,
    /// The incident's version after the change.
    pub version: i64,
}

/// A step record as a client submits it: `{"kind": …, "record": {…}}` with
/// the fields of `rampart_incident::StepRecord`, except that an attack-timeline
/// entry has no `recorded_at` (the server stamps it).
///
/// Its OpenAPI schema is written by hand (the domain types have none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    tag = "kind",
    content = "record",
    deny_unknown_fields
)]
pub enum RecordInput {
    /// Step 1.
    ContainmentAction(ContainmentAction),
    /// Step 2.
    AttackVector(AttackVector),
    /// Step 4.
    AffectedAsset(AffectedAsset),
    /// Step 5.
    AttackTimelineEntry(AttackTimelineInput),
    /// Step 6.
    CompromisedDataSet(CompromisedDataSet),
    /// Step 7.
    SystemRiskAssessment(SystemRiskAssessment),
    /// Step 8.
    ReAttackAssessment(ReAttackAssessment),
    /// Step 9.
    ActionItem(ActionItem),
    /// Step 2: the credential register.
    CompromisedCredential(CompromisedCredential),
    /// Step 5: an indicator of compromise.
    Indicator(Indicator),
    /// Step 5: who is believed to be behind the attack.
    Attribution(Attribution),
    /// Step 9: a lesson learned.
    LessonLearned(LessonLearned),
    /// Step 10: an analysis result. (Evidence itself is uploaded or
    /// registered through `/evidence`.)
    ForensicAnalysis(ForensicAnalysis),
    /// Step 11: whether to communicate internally. (Drafts go through
    /// `/communications`.)
    InternalCommsDecision(CommsDecision),
    /// Step 12.
    LawEnforcement(LawEnforcementRecord),
    /// Step 13.
    OutsideParty(OutsideParty),
    /// Step 14: whether to communicate externally.
    ExternalCommsDecision(CommsDecision),
}

impl RecordInput {
    /// The record's kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::ContainmentAction(_) => RecordKind::ContainmentAction,
            Self::AttackVector(_) => RecordKind::AttackVector,
            Self::AffectedAsset(_) => RecordKind::AffectedAsset,
            Self::AttackTimelineEntry(_) => RecordKind::AttackTimelineEntry,
            Self::CompromisedDataSet(_) => RecordKind::CompromisedDataSet,
            Self::SystemRiskAssessment(_) => RecordKind::SystemRiskAssessment,
            Self::ReAttackAssessment(_) => RecordKind::ReAttackAssessment,
            Self::ActionItem(_) => RecordKind::ActionItem,
            Self::CompromisedCredential(_) => RecordKind::CompromisedCredential,
            Self::Indicator(_) => RecordKind::Indicator,
            Self::Attribution(_) => RecordKind::Attribution,
            Self::LessonLearned(_) => RecordKind::LessonLearned,
            Self::ForensicAnalysis(_) => RecordKind::ForensicAnalysis,
            Self::InternalCommsDecision(_) => RecordKind::InternalCommsDecision,
            Self::LawEnforcement(_) => RecordKind::LawEnforcement,
            Self::OutsideParty(_) => RecordKind::OutsideParty,
            Self::ExternalCommsDecision(_) => RecordKind::ExternalCommsDecision,
        }
    }

    /// Whether the record names other records by id (an indicator's
    /// timeline entries and assets, an analysis's evidence), which the
    /// server checks.
    pub fn has_links(&self) -> bool {
        match self {
            Self::Indicator(i) => !i.timeline_entries.is_empty() || !i.assets.is_empty(),
            Self::ForensicAnalysis(a) => !a.evidence.is_empty(),
            _ => false,
        }
    }

    /// The stored record, with an attack-timeline entry recorded at `recorded_at`.
    pub fn into_record(self, recorded_at: Timestamp) -> StepRecord {
        match self {
            Self::ContainmentAction(r) => StepRecord::ContainmentAction(r),
            Self::AttackVector(r) => StepRecord::AttackVector(r),
            Self::AffectedAsset(r) => StepRecord::AffectedAsset(r),
            Self::AttackTimelineEntry(r) => StepRecord::AttackTimelineEntry(r.record(recorded_at)),
            Self::CompromisedDataSet(r) => StepRecord::CompromisedDataSet(r),
            Self::SystemRiskAssessment(r) => StepRecord::SystemRiskAssessment(r),
            Self::ReAttackAssessment(r) => StepRecord::ReAttackAssessment(r),
            Self::ActionItem(r) => StepRecord::ActionItem(r),
            Self::CompromisedCredential(r) => StepRecord::CompromisedCredential(r),
            Self::Indicator(r) => StepRecord::Indicator(r),
            Self::Attribution(r) => StepRecord::Attribution(r),
            Self::LessonLearned(r) => StepRecord::LessonLearned(r),
            Self::ForensicAnalysis(r) => StepRecord::ForensicAnalysis(r),
            Self::InternalCommsDecision(r) => StepRecord::InternalCommsDecision(r),
            Self::LawEnforcement(r) => StepRecord::LawEnforcement(r),
            Self::OutsideParty(r) => StepRecord::OutsideParty(r),
            Self::ExternalCommsDecision(r) => StepRecord::ExternalCommsDecision(r),
        }
    }
}

/// A stored step record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordView {
    /// The record's id (`PATCH …/records/{id}` replaces it).
    pub id: i64,
    /// The step it belongs to.
    #[schema(value_type = u8, minimum = 1, maximum = 14)]
    pub step: Step,
    /// `{"kind": …, "record": {…}}`, as submitted plus the attack-timeline
    /// entry's `recorded_at`.
    #[schema(value_type = StepRecordSchema)]
    pub record: StepRecord,
    /// Who added it.
    #[schema(value_type = String)]
    pub created_by: UserName,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<Timestamp>,
}

/// `GET /api/v1/incidents/{id}/records[?step=N]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordList {
    /// Oldest first.
    pub records: Vec<RecordView>,
}

/// The answer to adding or replacing a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordChanged {
    /// The record as stored.
    pub record: RecordView,
    /// The incident's version after the change.
    pub version: i64,
}

/// The `?step=N` filter of the record list.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, utoipa::IntoParams,
)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// Only records of this step (1–14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u8>,
}

/// One response-log entry: what the responders did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LogEntryView {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Who.
    #[schema(value_type = String)]
    pub actor: UserName,
    /// `step_changed`, `record_added`, `member_added`, `access_granted`.
    #[schema(value_type = String)]
    pub action: LogAction,
    /// What it is about: `{"type":"step","step":3}`, …
    #[schema(value_type = Object)]
    pub target: LogTarget,
    /// One line.
    pub summary: String,
    /// The full change.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// `GET /api/v1/incidents/{id}/log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResponseLog {
    /// Oldest first.
    pub entries: Vec<LogEntryView>,
}

/// `POST /api/v1/incidents/{id}/members` (commander, deputy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The user to add.
    pub user: String,
    /// Their role.
    #[schema(value_type = MemberRoleName)]
    pub role: MemberRole,
}

/// `PATCH /api/v1/incidents/{id}/members/{user}` (commander, deputy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeMemberRoleRequest {
    /// The new role.
    #[schema(value_type = MemberRoleName)]
    pub role: MemberRole,
}

/// `GET /api/v1/incidents/{id}/members`, and the answer to member changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MemberList {
    /// Members.
    pub members: Vec<MemberView>,
    /// The incident's version.
    pub version: i64,
}

/// The answer to close and reopen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncidentChanged {
    /// The incident after the change.
    pub incident: IncidentSummaryView,
}
