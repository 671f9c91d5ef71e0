//! The security-incident domain of Rampart (DESIGN.md §5).
//!
//! Incident ids and codenames, severity and TLP markings, roles and the
//! access decision, the 14 steps with the rules that guide their order, the
//! structured records of every step (evidence and its chain of custody,
//! communications with their approvals, law enforcement, outside parties),
//! indicators, the compromised-credential register, and the response-log
//! entries written for every change.
//!
//! **Architecture invariant:** this crate is pure logic. It does no I/O, has
//! no async code and knows neither SQL nor HTTP. Time comes in as an
//! argument (`now`), never from a clock, so every rule is a function of its
//! inputs and the store and server decide what to persist and return.

mod access;
mod blast;
mod comms;
mod evidence;
mod id;
mod indicator;
mod log;
mod marking;
mod outside;
mod record;
mod role;
mod step;
mod text;

pub use access::{
    Access, AccessFacts, AccessRequest, AccessRequestError, AccessRequestState, AccessRoute,
    BreakGlassApproval, BreakGlassError, BreakGlassGrant, BreakGlassNotification,
    BreakGlassRequest, BreakGlassState, IncidentMember, Viewer, incident_access,
};
pub use blast::{AffectedService, BlastQuestion, BlastRadiusSnapshot};
pub use comms::{
    Approval, Approver, Audience, CommsDecision, CommsDraft, CommsDraftContent, CommsDraftInput,
    CommsError, CommsScope, CommsWarning, InsiderSignoff, SentRecord, carries_date,
};
pub use evidence::{
    CustodyAction, CustodyEvent, EvidenceItem, EvidenceStorage, ExternalEvidenceInput,
    ForensicAnalysis, Sha256Hex,
};
pub use id::{Codename, CodenameError, IncidentId, IncidentIdError};
pub use indicator::{
    ActorKind, AttackTechnique, Attribution, CompromisedCredential, CredentialFingerprint,
    Indicator, IndicatorKind, Pap,
};
pub use log::{LogAction, LogTarget, ResponseLogEntry};
pub use marking::{IncidentSeverity, MarkingParseError, Tlp};
pub use outside::{LawEnforcementRecord, OutsideParty};
pub use record::{
    ActionItem, ActionItemKind, ActionItemStatus, AffectedAsset, AssetKind, AttackTimelineEntry,
    AttackTimelineInput, AttackVector, AttackVectorKind, Certainty, CompromiseStatus,
    CompromisedDataSet, ContainmentAction, CutOffAction, DataClassification, DataImpact,
    IsolationStatus, LessonKind, LessonLearned, Likelihood, ReAttackAssessment, RecordError,
    RecordKind, RiskLevel, StepRecord, SystemRiskAssessment, TimeZoneName,
};
pub use role::{GlobalRole, IncidentAction, MemberRole, RoleParseError, member_may};
pub use step::{
    BoardError, CloseError, DetectionSource, OpenStep, ReasonKind, RecordedReason, Step, StepBoard,
    StepChange, StepEntry, StepError, StepFacts, StepNumberError, StepState, StepWarning,
    can_close, change_step,
};
pub use text::{NonEmptyText, TextError, UserName};
