//! Structured records of the steps, and the [`StepRecord`] that holds any
//! of them. The records of steps 10–14, indicators and credentials live in
//! their own modules (`evidence`, `comms`, `outside`, `indicator`).
//!
//! Every type deserializes straight from the API's JSON, rejecting unknown
//! fields; required text is [`NonEmptyText`], statuses are enums, and rules
//! that tie fields together are checked on construction and on
//! deserialization alike, so an invalid record cannot be held.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::blast::BlastRadiusSnapshot;
use crate::comms::{CommsDecision, CommsDraft};
use crate::evidence::{CustodyAction, EvidenceItem, ForensicAnalysis};
use crate::indicator::{Attribution, CompromisedCredential, Indicator, IndicatorKind};
use crate::outside::{LawEnforcementRecord, OutsideParty};
use crate::step::Step;
use crate::text::{NonEmptyText, TextError, UserName};

/// A record that breaks a rule tying its fields together, or has bad text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Required text is missing or unusable.
    #[error(transparent)]
    Text(#[from] TextError),
    /// An attack vector marked verified with no cut-off action.
    #[error("field `verified`: a vector can only be verified closed after a cut-off action")]
    VerifiedWithoutCutOff,
    /// An asset isolated or made read-only without saying how.
    #[error("field `how`: say how the asset was made {status}")]
    IsolationWithoutHow { status: IsolationStatus },
    /// A compromised data set without what happened to it.
    #[error("field `what_happened`: name at least one of read, copied, modified, deleted")]
    NothingHappened,
    /// A time-zone name of the wrong shape.
    #[error(
        "field `timezone`: {input:?} is not a time-zone name such as `Europe/Berlin`, `UTC` or `+02:00`"
    )]
    TimeZone { input: String },
    /// A digest that is not 64 hex digits.
    #[error("field `sha256`: {input:?} is not a SHA-256 digest (64 hexadecimal digits)")]
    Sha256 { input: String },
    /// A download or export without a reason.
    #[error("field `reason`: say why the evidence is {action}; the chain of custody records it")]
    CustodyReasonRequired { action: CustodyAction },
    /// A notification with only one of when and by whom.
    #[error("fields `notified_at` and `notified_by`: give both or neither")]
    NotifiedWhenAndWho,
    /// An indicator value that does not fit its kind.
    #[error("field `value`: {input:?} is not a valid {kind} indicator: {why}")]
    IndicatorValue {
        kind: IndicatorKind,
        why: &'static str,
        input: String,
    },
    /// Last seen before first seen.
    #[error("field `last_seen`: must not be before `first_seen`")]
    SeenOrder,
    /// An ATT&CK id of the wrong shape.
    #[error(
        "field `techniques`: {input:?} is not a MITRE ATT&CK technique id such as T1078 or T1078.004"
    )]
    AttackTechnique { input: String },
    /// Not a fingerprint (the length only: it may be a pasted secret).
    #[error(
        "field `fingerprint`: a {input_len}-character value is not a fingerprint; give the 32 hex digits `rampart scan` prints or sha256:<64 hex digits>, never the secret itself"
    )]
    Fingerprint { input_len: usize },
    /// `rotated` and `rotated_at` disagree.
    #[error(
        "fields `rotated` and `rotated_at`: a rotated credential needs the time it was rotated, and only a rotated one has it"
    )]
    RotatedWhen,
}

macro_rules! snake_case_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The canonical name, as serialized.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

// ---- Step 1 ---------------------------------------------------------------

/// Step 1: something done to stop the attack in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainmentAction {
    /// What was stopped ("crypto-miner processes on build-7").
    pub what_stopped: NonEmptyText,
    /// How ("killed the processes, disabled the cron job").
    pub how: NonEmptyText,
    /// When it was done.
    pub at: Timestamp,
}

// ---- Step 2 ---------------------------------------------------------------

snake_case_enum! {
    /// What kind of way in the attacker used.
    AttackVectorKind {
        /// An API or access token.
        Token => "token",
        /// A key (SSH, signing, cloud access key).
        Key => "key",
        /// A user or service account.
        Account => "account",
        /// An exposed endpoint (URL, API route).
        Endpoint => "endpoint",
        /// An open network port.
        Port => "port",
        /// Anything else; the description says what.
        Other => "other",
    }
}

snake_case_enum! {
    /// How a vector was cut off.
    CutOffAction {
        /// A new secret replaced the old one.
        Rotated => "rotated",
        /// The credential or session was revoked.
        Revoked => "revoked",
        /// Traffic was blocked (firewall, WAF, disabled route).
        Blocked => "blocked",
        /// The vulnerable software was patched.
        Patched => "patched",
        /// Anything else; the description says what.
        Other => "other",
    }
}

/// Step 2: a way in and what was done to close it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AttackVectorFields")]
pub struct AttackVector {
    kind: AttackVectorKind,
    description: NonEmptyText,
    cut_off: Option<CutOffAction>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttackVectorFields {
    kind: AttackVectorKind,
    description: NonEmptyText,
    #[serde(default)]
    cut_off: Option<CutOffAction>,
    #[serde(default)]
    verified: bool,
}

impl TryFrom<AttackVectorFields> for AttackVector {
    type Error = RecordError;

    fn try_from(f: AttackVectorFields) -> Result<Self, Self::Error> {
        Self::new(f.kind, f.description, f.cut_off, f.verified)
    }
}

impl AttackVector {
    /// A vector. `verified` (someone checked the way in is really closed)
    /// needs a cut-off action: nothing can be verified closed that was not closed.
    pub fn new(
        kind: AttackVectorKind,
        description: NonEmptyText,
        cut_off: Option<CutOffAction>,
        verified: bool,
    ) -> Result<Self, RecordError> {
        if verified && cut_off.is_none() {
            return Err(RecordError::VerifiedWithoutCutOff);
        }
        Ok(Self {
            kind,
            description,
            cut_off,
            verified,
        })
    }

    /// What kind of way in.
    pub fn kind(&self) -> AttackVectorKind {
        self.kind
    }

    /// Which one ("the CI bot's GitHub token").
    pub fn description(&self) -> &NonEmptyText {
        &self.description
    }

    /// How it was cut off, once it was.
    pub fn cut_off(&self) -> Option<CutOffAction> {
        self.cut_off
    }

    /// Whether someone verified the way in is closed.
    pub fn verified(&self) -> bool {
        self.verified
    }
}

// ---- Step 4 ---------------------------------------------------------------

snake_case_enum! {
    /// What kind of thing was affected.
    AssetKind {
        /// A physical or virtual host.
        Host => "host",
        /// A virtual machine.
        Vm => "vm",
        /// A container.
        Container => "container",
        /// A database.
        Database => "database",
        /// A user or service account.
        Account => "account",
        /// A service.
        Service => "service",
        /// Anything else.
        Other => "other",
    }
}

snake_case_enum! {
    /// How far an affected asset is cut off from the attacker.
    IsolationStatus {
        /// Still reachable as before.
        NotIsolated => "not_isolated",
        /// Cut off from the network or disabled.
        Isolated => "isolated",
        /// Kept running but read-only, e.g. to preserve evidence.
        ReadOnly => "read_only",
    }
}

/// Step 4: an affected asset and how it was isolated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AffectedAssetFields")]
pub struct AffectedAsset {
    kind: AssetKind,
    name: NonEmptyText,
    isolation: IsolationStatus,
    how: Option<NonEmptyText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AffectedAssetFields {
    kind: AssetKind,
    name: NonEmptyText,
    isolation: IsolationStatus,
    #[serde(default)]
    how: Option<NonEmptyText>,
}

impl TryFrom<AffectedAssetFields> for AffectedAsset {
    type Error = RecordError;

    fn try_from(f: AffectedAssetFields) -> Result<Self, Self::Error> {
        Self::new(f.kind, f.name, f.isolation, f.how)
    }
}

impl AffectedAsset {
    /// An asset. Isolated or read-only needs `how`: the next shift must know
    /// what to undo.
    pub fn new(
        kind: AssetKind,
        name: NonEmptyText,
        isolation: IsolationStatus,
        how: Option<NonEmptyText>,
    ) -> Result<Self, RecordError> {
        if isolation != IsolationStatus::NotIsolated && how.is_none() {
            return Err(RecordError::IsolationWithoutHow { status: isolation });
        }
        Ok(Self {
            kind,
            name,
            isolation,
            how,
        })
    }

    /// What kind of asset.
    pub fn kind(&self) -> AssetKind {
        self.kind
    }

    /// Which one ("db-prod-3").
    pub fn name(&self) -> &NonEmptyText {
        &self.name
    }

    /// How far it is isolated.
    pub fn isolation(&self) -> IsolationStatus {
        self.isolation
    }

    /// How it was isolated, when it was.
    pub fn how(&self) -> Option<&NonEmptyText> {
        self.how.as_ref()
    }
}

// ---- Step 5 ---------------------------------------------------------------

/// The name of the time zone a source reported its times in: an IANA name
/// (`Europe/Berlin`), `UTC`, or an offset (`+02:00`).
///
/// Only the shape is checked: this crate carries no time-zone database, and
/// a log from an odd system must still be recordable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Validates the shape: 1–64 ASCII letters, digits and `/ _ + - :`.
    pub fn parse(input: &str) -> Result<Self, RecordError> {
        let ok = (1..=64).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_+-:".contains(&b));
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(RecordError::TimeZone {
                input: input.chars().take(70).collect(),
            })
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = RecordError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.0
    }
}

snake_case_enum! {
    /// How sure we are that something happened.
    Certainty {
        /// Backed by evidence.
        Confirmed => "confirmed",
        /// Believed, not yet proven.
        Suspected => "suspected",
    }
}

/// Step 5: what a responder submits for an attack-timeline entry. The time
/// it was recorded is not theirs to choose; [`record`](Self::record) adds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackTimelineInput {
    /// When the attacker did it (may precede detection by months).
    pub event_time: Timestamp,
    /// The zone the source reported `event_time` in, kept so the original
    /// reading can be reconstructed.
    pub timezone: TimeZoneName,
    /// Where we learned it ("nginx access log on edge-2").
    pub source: NonEmptyText,
    /// Confirmed or suspected.
    pub certainty: Certainty,
    /// What happened.
    pub description: NonEmptyText,
}

impl AttackTimelineInput {
    /// The entry as recorded at `now`.
    pub fn record(self, now: Timestamp) -> AttackTimelineEntry {
        AttackTimelineEntry {
            event_time: self.event_time,
            recorded_at: now,
            timezone: self.timezone,
            source: self.source,
            certainty: self.certainty,
            description: self.description,
        }
    }
}

/// Step 5: one thing the attacker did, when, and when we wrote it down.
/// Separate from the response log, which is what *we* did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackTimelineEntry {
    /// When the attacker did it.
    pub event_time: Timestamp,
    /// When it was recorded in Rampart.
    pub recorded_at: Timestamp,
    /// The zone the source reported the event time in.
    pub timezone: TimeZoneName,
    /// Where we learned it.
    pub source: NonEmptyText,
    /// Confirmed or suspected.
    pub certainty: Certainty,
    /// What happened.
    pub description: NonEmptyText,
}

// ---- Step 6 ---------------------------------------------------------------

snake_case_enum! {
    /// How sensitive a data set is.
    DataClassification {
        /// Meant to be public.
        Public => "public",
        /// Internal to the organisation.
        Internal => "internal",
        /// Confidential: customers' or business data.
        Confidential => "confidential",
        /// Restricted: personal, financial, health data, secrets.
        Restricted => "restricted",
    }
}

snake_case_enum! {
    /// What the attacker did with data.
    DataImpact {
        /// Read in place.
        Read => "read",
        /// Copied out.
        Copied => "copied",
        /// Altered.
        Modified => "modified",
        /// Destroyed.
        Deleted => "deleted",
    }
}

snake_case_enum! {
    /// How sure we are that a data set was compromised.
    CompromiseStatus {
        /// Evidence shows it.
        Confirmed => "confirmed",
        /// Cannot be ruled out.
        Possible => "possible",
        /// Checked and not compromised.
        RuledOut => "ruled_out",
    }
}

/// Step 6: a data set and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CompromisedDataSetFields")]
pub struct CompromisedDataSet {
    name: NonEmptyText,
    classification: DataClassification,
    what_happened: Vec<DataImpact>,
    scale: NonEmptyText,
    status: CompromiseStatus,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompromisedDataSetFields {
    name: NonEmptyText,
    classification: DataClassification,
    what_happened: Vec<DataImpact>,
    scale: NonEmptyText,
    status: CompromiseStatus,
}

impl TryFrom<CompromisedDataSetFields> for CompromisedDataSet {
    type Error = RecordError;

    fn try_from(f: CompromisedDataSetFields) -> Result<Self, Self::Error> {
        Self::new(f.name, f.classification, f.what_happened, f.scale, f.status)
    }
}

impl CompromisedDataSet {
    /// A data set. `what_happened` must name at least one impact — for a
    /// ruled-out set, what was suspected — and is kept sorted without repeats.
    pub fn new(
        name: NonEmptyText,
        classification: DataClassification,
        mut what_happened: Vec<DataImpact>,
        scale: NonEmptyText,
        status: CompromiseStatus,
    ) -> Result<Self, RecordError> {
        what_happened.sort_unstable();
        what_happened.dedup();
        if what_happened.is_empty() {
            return Err(RecordError::NothingHappened);
        }
        Ok(Self {
            name,
            classification,
            what_happened,
            scale,
            status,
        })
    }

    /// Which data ("customers table, EU shard").
    pub fn name(&self) -> &NonEmptyText {
        &self.name
    }

    /// How sensitive it is.
    pub fn classification(&self) -> DataClassification {
        self.classification
    }

    /// What the attacker did with it; sorted, never empty.
    pub fn what_happened(&self) -> &[DataImpact] {
        &self.what_happened
    }

    /// How much ("~12,000 rows", "all of it").
    pub fn scale(&self) -> &NonEmptyText {
        &self.scale
    }

    /// Confirmed, possible or ruled out.
    pub fn status(&self) -> CompromiseStatus {
        self.status
    }
}

// ---- Steps 7 and 8 --------------------------------------------------------

snake_case_enum! {
    /// Risk to another system.
    RiskLevel {
        /// Unlikely to be reached, or little at stake.
        Low => "low",
        /// Reachable with effort.
        Medium => "medium",
        /// Reachable with the same access.
        High => "high",
        /// Reachable and critical.
        Critical => "critical",
    }
}

/// Step 7: the risk to one other system reachable with the same access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemRiskAssessment {
    /// The system.
    pub system: NonEmptyText,
    /// How much risk.
    pub risk: RiskLevel,
    /// Why.
    pub rationale: NonEmptyText,
}

snake_case_enum! {
    /// How likely the attacker returns.
    Likelihood {
        /// Unlikely.
        Low => "low",
        /// Plausible.
        Medium => "medium",
        /// Expected.
        High => "high",
    }
}

/// Step 8: how likely a re-attack is and whether we can fix the weakness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReAttackAssessment {
    /// How likely.
    pub likelihood: Likelihood,
    /// Whether we can patch it ourselves, or depend on a vendor.
    pub can_patch_ourselves: bool,
    /// Why.
    pub rationale: NonEmptyText,
}

// ---- Step 9 ---------------------------------------------------------------

snake_case_enum! {
    /// What an action item changes.
    ActionItemKind {
        /// A technical fix or hardening.
        Mitigation => "mitigation",
        /// A monitor or alert — the answer to "which monitor should have fired?".
        Monitoring => "monitoring",
        /// A change to how people work.
        Process => "process",
    }
}

snake_case_enum! {
    /// Where an action item stands.
    ActionItemStatus {
        /// Not started.
        Open => "open",
        /// Being worked on.
        InProgress => "in_progress",
        /// Finished.
        Done => "done",
    }
}

/// Step 9: follow-up work with an owner and a due date. Action items outlive
/// the incident: closing it leaves open items open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionItem {
    /// Mitigation, monitoring or process.
    pub kind: ActionItemKind,
    /// What is to be done.
    pub title: NonEmptyText,
    /// Who answers for it.
    pub owner: UserName,
    /// When it is due.
    pub due: Date,
    /// Where it stands; new items are open.
    #[serde(default = "open")]
    pub status: ActionItemStatus,
}

fn open() -> ActionItemStatus {
    ActionItemStatus::Open
}

impl ActionItem {
    /// Whether work remains.
    pub fn is_open(&self) -> bool {
        self.status != ActionItemStatus::Done
    }
}

snake_case_enum! {
    /// Whether a lesson is something to keep or to change.
    LessonKind {
        /// It worked; keep doing it.
        WentWell => "went_well",
        /// It did not; change it.
        ToImprove => "to_improve",
    }
}

/// Step 9 (and the post-incident review): a lesson learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonLearned {
    /// Keep or change.
    pub kind: LessonKind,
    /// The lesson.
    pub lesson: NonEmptyText,
}

// ---- All records ----------------------------------------------------------

/// Any structured step record, tagged with its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "record")]
pub enum StepRecord {
    /// Step 1.
    ContainmentAction(ContainmentAction),
    /// Step 2.
    AttackVector(AttackVector),
    /// Step 4.
    AffectedAsset(AffectedAsset),
    /// Step 5.
    AttackTimelineEntry(AttackTimelineEntry),
    /// Step 6.
    CompromisedDataSet(CompromisedDataSet),
    /// Step 7.
    SystemRiskAssessment(SystemRiskAssessment),
    /// Step 8.
    ReAttackAssessment(ReAttackAssessment),
    /// Step 9.
    ActionItem(ActionItem),
    /// Step 2: a secret believed exposed.
    CompromisedCredential(CompromisedCredential),
    /// Step 5: an indicator of compromise.
    Indicator(Indicator),
    /// Step 5: who is believed to be behind the attack.
    Attribution(Attribution),
    /// Step 9: a lesson learned.
    LessonLearned(LessonLearned),
    /// Step 10: a piece of evidence (created by upload or registration only).
    EvidenceItem(EvidenceItem),
    /// Step 10: an analysis result.
    ForensicAnalysis(ForensicAnalysis),
    /// Step 11: whether to communicate internally.
    InternalCommsDecision(CommsDecision),
    /// Step 11: an internal communication.
    InternalCommsDraft(CommsDraft),
    /// Step 12: law enforcement involved, or why not.
    LawEnforcement(LawEnforcementRecord),
    /// Step 13: an outside party used in the attack.
    OutsideParty(OutsideParty),
    /// Step 14: whether to communicate externally.
    ExternalCommsDecision(CommsDecision),
    /// Step 14: an external communication.
    ExternalCommsDraft(CommsDraft),
    /// Step 7: a blast-radius answer as it stood when asked (created by the
    /// server from the inventory only).
    BlastRadius(BlastRadiusSnapshot),
}

snake_case_enum! {
    /// The kind of a [`StepRecord`], as the log and the API name it.
    RecordKind {
        /// [`ContainmentAction`].
        ContainmentAction => "containment_action",
        /// [`AttackVector`].
        AttackVector => "attack_vector",
        /// [`AffectedAsset`].
        AffectedAsset => "affected_asset",
        /// [`AttackTimelineEntry`].
        AttackTimelineEntry => "attack_timeline_entry",
        /// [`CompromisedDataSet`].
        CompromisedDataSet => "compromised_data_set",
        /// [`SystemRiskAssessment`].
        SystemRiskAssessment => "system_risk_assessment",
        /// [`ReAttackAssessment`].
        ReAttackAssessment => "re_attack_assessment",
        /// [`ActionItem`].
        ActionItem => "action_item",
        /// [`CompromisedCredential`].
        CompromisedCredential => "compromised_credential",
        /// [`Indicator`].
        Indicator => "indicator",
        /// [`Attribution`].
        Attribution => "attribution",
        /// [`LessonLearned`].
        LessonLearned => "lesson_learned",
        /// [`EvidenceItem`].
        EvidenceItem => "evidence_item",
        /// [`ForensicAnalysis`].
        ForensicAnalysis => "forensic_analysis",
        /// Internal [`CommsDecision`].
        InternalCommsDecision => "internal_comms_decision",
        /// Internal [`CommsDraft`].
        InternalCommsDraft => "internal_comms_draft",
        /// [`LawEnforcementRecord`].
        LawEnforcement => "law_enforcement",
        /// [`OutsideParty`].
        OutsideParty => "outside_party",
        /// External [`CommsDecision`].
        ExternalCommsDecision => "external_comms_decision",
        /// External [`CommsDraft`].
        ExternalCommsDraft => "external_comms_draft",
        /// [`BlastRadiusSnapshot`].
        BlastRadius => "blast_radius",
    }
}

impl RecordKind {
    /// The step whose records these are.
    pub fn step(self) -> Step {
        match self {
            Self::ContainmentAction => Step::StopAttack,
            Self::AttackVector => Step::CutOffAttackVector,
            Self::AffectedAsset => Step::IsolateAffectedInstances,
            Self::AttackTimelineEntry => Step::IdentifyAttackTimeline,
            Self::CompromisedDataSet => Step::IdentifyCompromisedData,
            Self::SystemRiskAssessment | Self::BlastRadius => Step::AssessRiskToOtherSystems,
            Self::ReAttackAssessment => Step::AssessReAttackRisk,
            Self::ActionItem => Step::MitigationsAndMonitoring,
            Self::CompromisedCredential => Step::CutOffAttackVector,
            Self::Indicator | Self::Attribution => Step::IdentifyAttackTimeline,
            Self::LessonLearned => Step::MitigationsAndMonitoring,
            Self::EvidenceItem | Self::ForensicAnalysis => Step::ForensicAnalysis,
            Self::InternalCommsDecision | Self::InternalCommsDraft => Step::InternalCommunication,
            Self::LawEnforcement => Step::LawEnforcement,
            Self::OutsideParty => Step::ContactExternalParties,
            Self::ExternalCommsDecision | Self::ExternalCommsDraft => Step::ExternalCommunication,
        }
    }

    /// Parses [`as_str`](Self::as_str)'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// Whether records of this kind change only through their own routes
    /// (uploads, approvals, sending), never through the generic record
    /// routes: evidence, whose digest the custody log vouches for,
    /// communication drafts, whose approvals must not be forged, and
    /// blast-radius snapshots, which only the server's inventory query may
    /// write.
    pub fn has_own_routes(self) -> bool {
        matches!(
            self,
            Self::EvidenceItem
                | Self::InternalCommsDraft
                | Self::ExternalCommsDraft
                | Self::BlastRadius
        )
    }
}

impl StepRecord {
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
            Self::EvidenceItem(_) => RecordKind::EvidenceItem,
            Self::ForensicAnalysis(_) => RecordKind::ForensicAnalysis,
            Self::InternalCommsDecision(_) => RecordKind::InternalCommsDecision,
            Self::InternalCommsDraft(_) => RecordKind::InternalCommsDraft,
            Self::LawEnforcement(_) => RecordKind::LawEnforcement,
            Self::OutsideParty(_) => RecordKind::OutsideParty,
            Self::ExternalCommsDecision(_) => RecordKind::ExternalCommsDecision,
            Self::ExternalCommsDraft(_) => RecordKind::ExternalCommsDraft,
            Self::BlastRadius(_) => RecordKind::BlastRadius,
        }
    }

    /// The step it belongs to.
    pub fn step(&self) -> Step {
        self.kind().step()
    }

    /// One line for the response log.
    pub fn summary(&self) -> String {
        match self {
            Self::ContainmentAction(r) => format!("stopped {}: {}", r.what_stopped, r.how),
            Self::AttackVector(r) => match r.cut_off {
                Some(action) => format!(
                    "{} {}: {action}{}",
                    r.kind,
                    r.description,
                    if r.verified {
                        ", verified"
                    } else {
                        ", not verified"
                    }
                ),
                None => format!("{} {}: not cut off yet", r.kind, r.description),
            },
            Self::AffectedAsset(r) => format!("{} {}: {}", r.kind, r.name, r.isolation),
            Self::AttackTimelineEntry(r) => {
                format!("{} ({}): {}", r.event_time, r.certainty, r.description)
            }
            Self::CompromisedDataSet(r) => format!(
                "{} ({}): {}, {}",
                r.name,
                r.classification,
                r.what_happened
                    .iter()
                    .map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join("/"),
                r.status
            ),
            Self::SystemRiskAssessment(r) => format!("{}: {} risk", r.system, r.risk),
            Self::ReAttackAssessment(r) => format!(
                "re-attack likelihood {}, {}",
                r.likelihood,
                if r.can_patch_ourselves {
                    "we can patch it ourselves"
                } else {
                    "we cannot patch it ourselves"
                }
            ),
            Self::ActionItem(r) => format!("{} for {} due {}: {}", r.kind, r.owner, r.due, r.title),
            Self::CompromisedCredential(r) => format!(
                "credential {} ({}) owned by {}: {}",
                r.fingerprint,
                r.description,
                r.owner,
                if r.is_rotated() {
                    "rotated"
                } else {
                    "not rotated"
                }
            ),
            Self::Indicator(r) => format!("{} {} ({}, {})", r.kind, r.value, r.tlp, r.pap),
            Self::Attribution(r) => format!("{} actor ({}): {}", r.actor, r.certainty, r.rationale),
            Self::LessonLearned(r) => format!("lesson ({}): {}", r.kind, r.lesson),
            Self::EvidenceItem(r) => format!(
                "evidence {} sha256:{}{}",
                r.name,
                r.sha256,
                match &r.storage {
                    crate::evidence::EvidenceStorage::Stored { .. } => String::new(),
                    crate::evidence::EvidenceStorage::External { .. } =>
                        " (kept outside Rampart)".to_owned(),
                }
            ),
            Self::ForensicAnalysis(r) => format!("analysis {}: {}", r.title, r.result),
            Self::InternalCommsDecision(r) | Self::ExternalCommsDecision(r) => format!(
                "{} decided communication is {}: {}",
                r.decided_by,
                if r.needed { "needed" } else { "not needed" },
                r.rationale
            ),
            Self::InternalCommsDraft(r) | Self::ExternalCommsDraft(r) => format!(
                "{} communication \"{}\"{}",
                r.content.audience,
                r.content.title,
                match &r.sent {
                    Some(sent) => format!(", sent via {} by {}", sent.channel, sent.by),
                    None if r.missing_approvals().is_empty() => ", approved".to_owned(),
                    None => ", draft".to_owned(),
                }
            ),
            Self::LawEnforcement(LawEnforcementRecord::Involved {
                agency,
                case_reference,
                ..
            }) => format!(
                "law enforcement: {agency}{}",
                case_reference
                    .as_ref()
                    .map(|c| format!(", case {c}"))
                    .unwrap_or_default()
            ),
            Self::LawEnforcement(LawEnforcementRecord::NotNeeded { rationale }) => {
                format!("law enforcement not needed: {rationale}")
            }
            Self::OutsideParty(r) => format!(
                "outside party {} ({}){}",
                r.organisation,
                r.role_in_attack,
                match (&r.notified_at, &r.notified_by) {
                    (Some(at), Some(by)) => format!(", notified {at} by {by}"),
                    _ => ", not notified yet".to_owned(),
                }
            ),
            Self::BlastRadius(r) => r.summary(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `json` as `T`; `Ok(())` or the error message's first part.
    fn check<T: serde::de::DeserializeOwned>(json: &str, expected: Result<(), &str>) {
        let got = serde_json::from_str::<T>(json)
            .map(|_| ())
            .map_err(|e| e.to_string());
        match (&got, expected) {
            (Ok(()), Ok(())) => {}
            (Err(message), Err(part)) if message.contains(part) => {}
            _ => panic!("{json}\n  expected {expected:?}\n  got {got:?}"),
        }
    }

    fn text(s: &str) -> NonEmptyText {
        NonEmptyText::parse("text", s).unwrap()
    }

    #[test]
    fn containment_actions() {
        type T = ContainmentAction;
        check::<T>(
            r#"{"what_stopped":"miner","how":"killed","at":"2026-05-01T10:00:00Z"}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"what_stopped":" ","how":"killed","at":"2026-05-01T10:00:00Z"}"#,
            Err("must not be empty"),
        );
        check::<T>(
            r#"{"what_stopped":"miner","at":"2026-05-01T10:00:00Z"}"#,
            Err("missing field `how`"),
        );
        check::<T>(
            r#"{"what_stopped":"miner","how":"killed","at":"yesterday"}"#,
            Err(""),
        );
        check::<T>(
            r#"{"what_stopped":"miner","how":"killed","at":"2026-05-01T10:00:00Z","by":"x"}"#,
            Err("unknown field `by`"),
        );
    }

    #[test]
    fn attack_vectors() {
        type T = AttackVector;
        check::<T>(r#"{"kind":"token","description":"CI bot PAT"}"#, Ok(()));
        check::<T>(
            r#"{"kind":"token","description":"CI bot PAT","cut_off":"revoked","verified":true}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"kind":"port","description":"22 on bastion","cut_off":"blocked","verified":false}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"kind":"token","description":"CI bot PAT","verified":true}"#,
            Err("field `verified`"),
        );
        check::<T>(
            r#"{"kind":"token","description":"CI bot PAT","cut_off":null,"verified":true}"#,
            Err("field `verified`"),
        );
        check::<T>(
            r#"{"kind":"password","description":"x"}"#,
            Err("unknown variant `password`"),
        );
        check::<T>(
            r#"{"kind":"key","description":"x","cut_off":"deleted"}"#,
            Err("unknown variant `deleted`"),
        );
        check::<T>(
            r#"{"kind":"key","description":"x","note":"y"}"#,
            Err("unknown field `note`"),
        );
        assert_eq!(
            AttackVector::new(AttackVectorKind::Key, text("deploy key"), None, true),
            Err(RecordError::VerifiedWithoutCutOff)
        );
        let v = AttackVector::new(
            AttackVectorKind::Key,
            text("deploy key"),
            Some(CutOffAction::Rotated),
            true,
        )
        .unwrap();
        assert_eq!(
            (
                v.kind(),
                v.cut_off(),
                v.verified(),
                v.description().as_str()
            ),
            (
                AttackVectorKind::Key,
                Some(CutOffAction::Rotated),
                true,
                "deploy key"
            )
        );
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"key","description":"deploy key","cut_off":"rotated","verified":true}"#
        );
        assert_eq!(serde_json::from_str::<AttackVector>(&json).unwrap(), v);
    }

    #[test]
    fn affected_assets() {
        type T = AffectedAsset;
        check::<T>(
            r#"{"kind":"database","name":"db-prod-3","isolation":"not_isolated"}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"kind":"vm","name":"build-7","isolation":"isolated","how":"security group deny-all"}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"kind":"vm","name":"build-7","isolation":"isolated"}"#,
            Err("field `how`: say how the asset was made isolated"),
        );
        check::<T>(
            r#"{"kind":"database","name":"db","isolation":"read_only","how":"  "}"#,
            Err("must not be empty"),
        );
        check::<T>(
            r#"{"kind":"laptop","name":"x","isolation":"isolated","how":"y"}"#,
            Err("unknown variant `laptop`"),
        );
        for kind in AssetKind::ALL {
            let a = AffectedAsset::new(
                *kind,
                text("x"),
                IsolationStatus::ReadOnly,
                Some(text("ro snapshot")),
            )
            .unwrap();
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<AffectedAsset>(&json).unwrap(), a);
        }
        assert_eq!(
            AffectedAsset::new(AssetKind::Host, text("h"), IsolationStatus::ReadOnly, None),
            Err(RecordError::IsolationWithoutHow {
                status: IsolationStatus::ReadOnly
            })
        );
    }

    #[test]
    fn attack_timeline_entries() {
        type T = AttackTimelineInput;
        let base = |tz: &str| {
            format!(
                r#"{{"event_time":"2025-11-02T03:14:00Z","timezone":"{tz}","source":"vpn log","certainty":"suspected","description":"first login from new ASN"}}"#
            )
        };
        for tz in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "+02:00",
            "Etc/GMT-5",
        ] {
            check::<T>(&base(tz), Ok(()));
        }
        for tz in ["", "Europe Berlin", "Ευρώπη/Αθήνα", &"A".repeat(65)] {
            check::<T>(&base(tz), Err("field `timezone`"));
        }
        check::<T>(
            r#"{"event_time":"2025-11-02T03:14:00Z","recorded_at":"2026-01-01T00:00:00Z","timezone":"UTC","source":"s","certainty":"confirmed","description":"d"}"#,
            Err("unknown field `recorded_at`"),
        );
        check::<T>(
            r#"{"event_time":"2025-11-02T03:14:00Z","timezone":"UTC","source":"s","certainty":"likely","description":"d"}"#,
            Err("unknown variant `likely`"),
        );

        let input: AttackTimelineInput = serde_json::from_str(&base("UTC")).unwrap();
        let now: Timestamp = "2026-05-01T09:00:00Z".parse().unwrap();
        let entry = input.clone().record(now);
        assert_eq!(entry.recorded_at, now);
        assert_eq!(entry.event_time, input.event_time);
        assert!(
            entry.event_time < entry.recorded_at,
            "events may precede recording by months"
        );
    }

    #[test]
    fn compromised_data_sets() {
        type T = CompromisedDataSet;
        check::<T>(
            r#"{"name":"customers","classification":"restricted","what_happened":["copied","read"],"scale":"~12,000 rows","status":"confirmed"}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"name":"customers","classification":"restricted","what_happened":[],"scale":"all","status":"possible"}"#,
            Err("field `what_happened`"),
        );
        check::<T>(
            r#"{"name":"customers","classification":"secret","what_happened":["read"],"scale":"all","status":"possible"}"#,
            Err("unknown variant `secret`"),
        );
        check::<T>(
            r#"{"name":"customers","classification":"internal","what_happened":["stolen"],"scale":"all","status":"possible"}"#,
            Err("unknown variant `stolen`"),
        );
        check::<T>(
            r#"{"name":"customers","classification":"internal","what_happened":["read"],"scale":"all","status":"unknown"}"#,
            Err("unknown variant `unknown`"),
        );
        let d = CompromisedDataSet::new(
            text("orders"),
            DataClassification::Confidential,
            vec![DataImpact::Deleted, DataImpact::Read, DataImpact::Deleted],
            text("one day of orders"),
            CompromiseStatus::RuledOut,
        )
        .unwrap();
        assert_eq!(d.what_happened(), [DataImpact::Read, DataImpact::Deleted]);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"name":"orders","classification":"confidential","what_happened":["read","deleted"],"scale":"one day of orders","status":"ruled_out"}"#
        );
    }

    #[test]
    fn risk_assessments() {
        check::<SystemRiskAssessment>(
            r#"{"system":"billing","risk":"high","rationale":"same IAM role"}"#,
            Ok(()),
        );
        check::<SystemRiskAssessment>(
            r#"{"system":"billing","risk":"extreme","rationale":"x"}"#,
            Err("unknown variant `extreme`"),
        );
        check::<SystemRiskAssessment>(
            r#"{"system":"billing","risk":"low","rationale":""}"#,
            Err("must not be empty"),
        );
        check::<ReAttackAssessment>(
            r#"{"likelihood":"medium","can_patch_ourselves":false,"rationale":"vendor bug"}"#,
            Ok(()),
        );
        check::<ReAttackAssessment>(
            r#"{"likelihood":"medium","rationale":"vendor bug"}"#,
            Err("missing field `can_patch_ourselves`"),
        );
        check::<ReAttackAssessment>(
            r#"{"likelihood":"critical","can_patch_ourselves":true,"rationale":"x"}"#,
            Err("unknown variant `critical`"),
        );
    }

    #[test]
    fn action_items() {
        type T = ActionItem;
        check::<T>(
            r#"{"kind":"monitoring","title":"alert on new ASN logins","owner":"alice","due":"2026-06-01"}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"kind":"process","title":"t","owner":"alice","due":"2026-06-01","status":"in_progress"}"#,
            Ok(()),
        );
        check::<T>(
            r#"{"kind":"process","title":"t","owner":"al ice","due":"2026-06-01"}"#,
            Err("field `user`"),
        );
        check::<T>(
            r#"{"kind":"process","title":"t","owner":"alice","due":"2026-02-30"}"#,
            Err(""),
        );
        check::<T>(
            r#"{"kind":"process","title":"t","owner":"alice","due":"2026-06-01","status":"closed"}"#,
            Err("unknown variant `closed`"),
        );
        check::<T>(
            r#"{"kind":"training","title":"t","owner":"alice","due":"2026-06-01"}"#,
            Err("unknown variant `training`"),
        );
        let item: ActionItem = serde_json::from_str(
            r#"{"kind":"mitigation","title":"t","owner":"alice","due":"2026-06-01"}"#,
        )
        .unwrap();
        assert_eq!(item.status, ActionItemStatus::Open);
        assert!(item.is_open());
        assert!(
            !ActionItem {
                status: ActionItemStatus::Done,
                ..item
            }
            .is_open()
        );
    }

    #[test]
    fn records_know_their_step_and_kind() {
        let kinds: Vec<(RecordKind, u8)> = RecordKind::ALL
            .iter()
            .map(|k| (*k, k.step().number()))
            .collect();
        assert_eq!(
            kinds,
            [
                (RecordKind::ContainmentAction, 1),
                (RecordKind::AttackVector, 2),
                (RecordKind::AffectedAsset, 4),
                (RecordKind::AttackTimelineEntry, 5),
                (RecordKind::CompromisedDataSet, 6),
                (RecordKind::SystemRiskAssessment, 7),
                (RecordKind::ReAttackAssessment, 8),
                (RecordKind::ActionItem, 9),
                (RecordKind::CompromisedCredential, 2),
                (RecordKind::Indicator, 5),
                (RecordKind::Attribution, 5),
                (RecordKind::LessonLearned, 9),
                (RecordKind::EvidenceItem, 10),
                (RecordKind::ForensicAnalysis, 10),
                (RecordKind::InternalCommsDecision, 11),
                (RecordKind::InternalCommsDraft, 11),
                (RecordKind::LawEnforcement, 12),
                (RecordKind::OutsideParty, 13),
                (RecordKind::ExternalCommsDecision, 14),
                (RecordKind::ExternalCommsDraft, 14),
                (RecordKind::BlastRadius, 7),
            ]
        );
        // Every step but assembling the team (whose record is membership)
        // and the one it maps to has a record kind.
        for step in Step::ALL {
            let has = RecordKind::ALL.iter().any(|k| k.step() == step);
            assert_eq!(has, step != Step::AssembleTeam, "{step}");
        }
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(*kind));
        }
        let record = StepRecord::SystemRiskAssessment(SystemRiskAssessment {
            system: text("billing"),
            risk: RiskLevel::High,
            rationale: text("same IAM role"),
        });
        assert_eq!(record.kind(), RecordKind::SystemRiskAssessment);
        assert_eq!(record.step(), Step::AssessRiskToOtherSystems);
        assert_eq!(record.summary(), "billing: high risk");
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"system_risk_assessment","record":{"system":"billing","risk":"high","rationale":"same IAM role"}}"#
        );
        assert_eq!(serde_json::from_str::<StepRecord>(&json).unwrap(), record);
        for kind in RecordKind::ALL {
            assert_eq!(serde_json::to_string(kind).unwrap(), format!("\"{kind}\""));
        }
    }

    #[test]
    fn blast_radius_records_belong_to_step_7_and_only_the_server_writes_them() {
        let own: Vec<RecordKind> = RecordKind::ALL
            .iter()
            .copied()
            .filter(|k| k.has_own_routes())
            .collect();
        assert_eq!(
            own,
            [
                RecordKind::EvidenceItem,
                RecordKind::InternalCommsDraft,
                RecordKind::ExternalCommsDraft,
                RecordKind::BlastRadius,
            ]
        );
        let json = r#"{"kind":"blast_radius","record":{"question":{"advisory":{"id":"CVE-2021-23337"}},"as_of":"2026-11-28T10:00:00Z","services":[{"service":"checkout","team":"payments","tier":1,"data_classification":"restricted","matches":["finding 42 open high"]}],"undetermined":[],"hidden_services":0,"total_services":1,"truncated":false}}"#;
        let record: StepRecord = serde_json::from_str(json).unwrap();
        assert_eq!(record.kind(), RecordKind::BlastRadius);
        assert_eq!(record.kind().as_str(), "blast_radius");
        assert_eq!(record.step(), Step::AssessRiskToOtherSystems);
        assert_eq!(serde_json::to_string(&record).unwrap(), json);
        assert_eq!(
            record.summary(),
            "blast radius of advisory CVE-2021-23337 as of 2026-11-28 10:00 UTC: 1 service, 0 undetermined"
        );
        check::<StepRecord>(
            &json.replace(r#""truncated":false"#, r#""truncated":false,"note":"x""#),
            Err("unknown field `note`"),
        );
    }

    #[test]
    fn summaries() {
        let at: Timestamp = "2026-05-01T10:00:00Z".parse().unwrap();
        let cases = [
            (
                StepRecord::ContainmentAction(ContainmentAction {
                    what_stopped: text("miner"),
                    how: text("killed pids"),
                    at,
                }),
                "stopped miner: killed pids",
            ),
            (
                StepRecord::AttackVector(
                    AttackVector::new(
                        AttackVectorKind::Token,
                        text("CI PAT"),
                        Some(CutOffAction::Revoked),
                        true,
                    )
                    .unwrap(),
                ),
                "token CI PAT: revoked, verified",
            ),
            (
                StepRecord::AttackVector(
                    AttackVector::new(AttackVectorKind::Port, text("22"), None, false).unwrap(),
                ),
                "port 22: not cut off yet",
            ),
            (
                StepRecord::AffectedAsset(
                    AffectedAsset::new(
                        AssetKind::Vm,
                        text("build-7"),
                        IsolationStatus::NotIsolated,
                        None,
                    )
                    .unwrap(),
                ),
                "vm build-7: not_isolated",
            ),
            (
                StepRecord::ReAttackAssessment(ReAttackAssessment {
                    likelihood: Likelihood::Low,
                    can_patch_ourselves: true,
                    rationale: text("x"),
                }),
                "re-attack likelihood low, we can patch it ourselves",
            ),
            (
                StepRecord::ActionItem(ActionItem {
                    kind: ActionItemKind::Monitoring,
                    title: text("ASN alert"),
                    owner: UserName::parse("alice").unwrap(),
                    due: Date::new(2026, 6, 1).unwrap(),
                    status: ActionItemStatus::Open,
                }),
                "monitoring for alice due 2026-06-01: ASN alert",
            ),
        ];
        for (record, expected) in cases {
            assert_eq!(record.summary(), expected);
        }
    }
}
