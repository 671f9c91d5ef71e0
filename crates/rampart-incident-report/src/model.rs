//! The report as plain data: what the Markdown and HTML renderers draw and
//! what the API can return as JSON, built from the incident's records.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use rampart_incident::{
    ActionItemKind, ActionItemStatus, ActorKind, Approver, AssetKind, AttackVectorKind,
    Audience as CommsAudience, Certainty, CommsScope, CompromiseStatus, CutOffAction,
    DataClassification, DataImpact, DetectionSource, EvidenceStorage, IncidentSeverity,
    IndicatorKind, IsolationStatus, LawEnforcementRecord, LessonKind, Likelihood, MemberRole, Pap,
    RiskLevel, Step, StepRecord, StepState, Tlp,
};
use rampart_store::{IncidentState, IncidentStatus, RecordRow};
use serde::{Deserialize, Serialize};

use crate::external;

/// Whom a report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The response team and the organisation: everything recorded.
    Internal,
    /// Customers, partners, regulators: restricted detail left out
    /// (see the crate README for the list).
    External,
}

impl Audience {
    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::External => "external",
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A report audience that is neither `internal` nor `external`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audience {input:?} is not one of internal, external")]
pub struct AudienceParseError {
    /// The rejected input, cut to 40 characters.
    pub input: String,
}

impl FromStr for Audience {
    type Err = AudienceParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "internal" => Ok(Self::Internal),
            "external" => Ok(Self::External),
            _ => Err(AudienceParseError {
                input: s.chars().take(40).collect(),
            }),
        }
    }
}

/// A post-incident report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Whom it was prepared for.
    pub audience: Audience,
    /// Identity, marking and dates of the incident.
    pub header: Header,
    /// The incident's summary and generated key facts.
    pub summary: Summary,
    /// Who responded, in which role.
    pub team: Vec<TeamMember>,
    /// The 14 steps in order.
    pub steps: Vec<StepSection>,
    /// What the attacker did, by event time.
    pub timeline: Vec<TimelineEvent>,
    /// The window of definite and possible access derived from the timeline.
    pub window: AccessWindow,
    /// Data sets and what happened to them.
    pub compromised_data: Vec<DataSet>,
    /// Indicators of compromise.
    pub indicators: Vec<IndicatorLine>,
    /// The compromised-credential register.
    pub credentials: Vec<Credential>,
    /// Evidence items (empty for external readers, who get the count only).
    pub evidence: Vec<Evidence>,
    /// How many evidence items were collected.
    pub evidence_count: usize,
    /// Forensic analysis results.
    pub analyses: Vec<Analysis>,
    /// Decisions to communicate (steps 11 and 14).
    pub comms_decisions: Vec<CommsDecision>,
    /// Communications written (steps 11 and 14).
    pub drafts: Vec<Draft>,
    /// Law enforcement (step 12).
    pub law_enforcement: Vec<LawEnforcement>,
    /// Outside parties used in the attack (step 13).
    pub outside_parties: Vec<OutsideParty>,
    /// Follow-up work: open items first.
    pub action_items: Vec<ActionItemLine>,
    /// Lessons learned.
    pub lessons: Vec<Lesson>,
    /// Who is believed to be behind the attack.
    pub attribution: Vec<AttributionLine>,
    /// Blast-radius answers kept in step 7 (internal only). Left out of the
    /// JSON when empty, so reports without any keep their old shape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blast_radius: Vec<BlastRadius>,
}

/// The report's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// `SEC-YYYY-NNNN`.
    pub id: String,
    /// The innocuous codename.
    pub codename: String,
    /// The incident's title.
    pub title: String,
    /// SEV1–SEV4.
    pub severity: IncidentSeverity,
    /// The incident's own TLP marking.
    pub incident_tlp: Tlp,
    /// The marking of this report: the incident's, or for external readers
    /// TLP:GREEN when the incident's is stricter.
    pub marking: Tlp,
    /// Open or closed.
    pub status: IncidentStatus,
    /// When the incident was declared.
    pub declared_at: Timestamp,
    /// Who declared it (internal only).
    pub declared_by: Option<String>,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Who or what detected the attack.
    pub detected_by: DetectionSource,
    /// When the report was generated.
    pub generated_at: Timestamp,
    /// One sentence on whom the report is for and what it leaves out.
    pub prepared_for: String,
}

/// Summary and key facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The incident's own summary, if written.
    pub text: Option<String>,
    /// Generated one-line facts.
    pub facts: Vec<String>,
}

/// A member of the response team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// The user name (internal only).
    pub user: Option<String>,
    /// Their incident role.
    pub role: MemberRole,
    /// When they joined (internal only).
    pub since: Option<Timestamp>,
}

/// One of the 14 steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSection {
    /// 1–14.
    pub number: u8,
    /// The step's title.
    pub title: String,
    /// Where it stands.
    pub state: StepState,
    /// Who answered for it (internal only).
    pub owner: Option<String>,
    /// The recorded reason (always present when not needed).
    pub rationale: Option<String>,
    /// Working notes (internal only).
    pub notes: Option<String>,
    /// When work began.
    pub started_at: Option<Timestamp>,
    /// When it was settled.
    pub completed_at: Option<Timestamp>,
    /// One line per record of the step.
    pub outcomes: Vec<Outcome>,
}

/// One line of a step's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// What the record says.
    pub text: String,
    /// Who recorded it (internal only).
    pub recorded_by: Option<String>,
}

/// An attack-timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// The record's id.
    pub record_id: i64,
    /// When the attacker did it (UTC).
    pub event_time: Timestamp,
    /// The time zone the source reported it in.
    pub timezone: String,
    /// Where we learned it (internal only).
    pub source: Option<String>,
    /// Confirmed or suspected.
    pub certainty: Certainty,
    /// What happened.
    pub description: String,
}

/// First and last event of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Earliest event.
    pub first: Timestamp,
    /// Latest event.
    pub last: Timestamp,
}

/// The window of access the timeline shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessWindow {
    /// From the confirmed events only.
    pub definite: Option<Span>,
    /// From every event, confirmed or suspected.
    pub possible: Option<Span>,
}

/// A compromised data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSet {
    /// The record's id.
    pub record_id: i64,
    /// Which data.
    pub name: String,
    /// How sensitive.
    pub classification: DataClassification,
    /// Read, copied, modified, deleted.
    pub what_happened: Vec<DataImpact>,
    /// How much.
    pub scale: String,
    /// Confirmed, possible, ruled out.
    pub status: CompromiseStatus,
}

/// An indicator of compromise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorLine {
    /// The record's id.
    pub record_id: i64,
    /// What kind of observable.
    pub kind: IndicatorKind,
    /// The value.
    pub value: String,
    /// Whom it may be shared with.
    pub tlp: Tlp,
    /// What recipients may do with it.
    pub pap: Pap,
    /// ATT&CK technique ids.
    pub techniques: Vec<String>,
    /// First seen.
    pub first_seen: Option<Timestamp>,
    /// Last seen.
    pub last_seen: Option<Timestamp>,
    /// What it is.
    pub description: Option<String>,
}

/// An entry of the compromised-credential register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// The record's id.
    pub record_id: i64,
    /// The fingerprint (internal only).
    pub fingerprint: Option<String>,
    /// What it is.
    pub description: String,
    /// Who issued it.
    pub provider: Option<String>,
    /// Where it is used.
    pub used_in: Vec<String>,
    /// Who answers for it (internal only).
    pub owner: Option<String>,
    /// Whether it was rotated.
    pub rotated: bool,
    /// When.
    pub rotated_at: Option<Timestamp>,
}

/// An evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The record's id.
    pub record_id: i64,
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Where the bytes are kept.
    pub kept: String,
    /// Where it was collected.
    pub source: Option<String>,
    /// When it was collected.
    pub collected_at: Option<Timestamp>,
    /// Who collected it.
    pub collected_by: Option<String>,
}

/// A forensic analysis result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    /// The record's id.
    pub record_id: i64,
    /// What was examined for.
    pub title: String,
    /// How.
    pub method: String,
    /// What was found.
    pub result: String,
}

/// A decision whether to communicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommsDecision {
    /// The record's id.
    pub record_id: i64,
    /// Internal (step 11) or external (step 14).
    pub scope: CommsScope,
    /// Needed or not.
    pub needed: bool,
    /// Why.
    pub rationale: String,
    /// Who decided (internal only).
    pub decided_by: Option<String>,
}

/// A communication and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The record's id.
    pub record_id: i64,
    /// Whom it is for.
    pub audience: CommsAudience,
    /// Its title.
    pub title: String,
    /// Approvals of its text.
    pub approvals: Vec<ApprovalLine>,
    /// The insider sign-off of an internal communication.
    pub insider_signoff: Option<SignoffLine>,
    /// How and when it went out, if it did.
    pub sent: Option<SentLine>,
}

/// One approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalLine {
    /// In which capacity.
    pub approver: Approver,
    /// Who (internal only).
    pub by: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// The sign-off that the attack is not believed to be internal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignoffLine {
    /// Who (internal only).
    pub by: Option<String>,
    /// When.
    pub at: Timestamp,
    /// On what grounds.
    pub rationale: String,
}

/// That a communication was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentLine {
    /// Channel.
    pub channel: String,
    /// When.
    pub at: Timestamp,
    /// Who sent it (internal only).
    pub by: Option<String>,
}

/// Law enforcement, involved or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LawEnforcement {
    /// The record's id.
    pub record_id: i64,
    /// Whether an agency was involved.
    pub involved: bool,
    /// Which agency (internal only).
    pub agency: Option<String>,
    /// Their case reference (internal only).
    pub case_reference: Option<String>,
    /// Whom we deal with there (internal only).
    pub contact: Option<String>,
    /// When they were contacted (internal only).
    pub contacted_at: Option<Timestamp>,
    /// Why they were not involved (internal only).
    pub rationale: Option<String>,
}

/// An outside party used in the attack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutsideParty {
    /// The record's id.
    pub record_id: i64,
    /// The organisation.
    pub organisation: String,
    /// How it figures in the attack.
    pub role_in_attack: String,
    /// Its security contact (internal only).
    pub security_contact: Option<String>,
    /// How the contact was verified (internal only).
    pub contact_verified_how: Option<String>,
    /// When it was notified.
    pub notified_at: Option<Timestamp>,
    /// Who notified it (internal only).
    pub notified_by: Option<String>,
}

/// A follow-up action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemLine {
    /// The record's id.
    pub record_id: i64,
    /// Mitigation, monitoring or process.
    pub kind: ActionItemKind,
    /// What is to be done.
    pub title: String,
    /// Who answers for it (internal only).
    pub owner: Option<String>,
    /// When it is due.
    pub due: Date,
    /// Where it stands.
    pub status: ActionItemStatus,
}

/// A lesson learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// The record's id.
    pub record_id: i64,
    /// Keep or change.
    pub kind: LessonKind,
    /// The lesson.
    pub lesson: String,
}

/// Who is believed to be behind the attack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionLine {
    /// The record's id.
    pub record_id: i64,
    /// External, internal, partner, unknown.
    pub actor: ActorKind,
    /// What kind of actor.
    pub variety: Option<String>,
    /// Why.
    pub motive: Option<String>,
    /// Confirmed or suspected.
    pub certainty: Certainty,
    /// On what grounds.
    pub rationale: String,
}

/// A blast-radius answer as it stood when asked (step 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlastRadius {
    /// The record's id.
    pub record_id: i64,
    /// The question (`package npm lodash <4.17.21`).
    pub question: String,
    /// When the inventory was read.
    pub as_of: Timestamp,
    /// Services that matched (possibly truncated).
    pub services: Vec<BlastService>,
    /// Services whose match could not be decided.
    pub undetermined: Vec<BlastService>,
    /// How many services matched before truncation.
    pub total_services: u32,
    /// Matching services left out of `services` by truncation.
    pub not_shown: u32,
}

/// One service of a blast-radius answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlastService {
    /// The service.
    pub service: String,
    /// Its team.
    pub team: Option<String>,
    /// Its tier.
    pub tier: Option<u8>,
    /// Why it matched.
    pub matches: Vec<String>,
}

impl BlastService {
    fn from_record(s: &rampart_incident::AffectedService) -> Self {
        Self {
            service: text(&s.service),
            team: s.team.clone(),
            tier: s.tier,
            matches: s.matches.clone(),
        }
    }
}

/// A containment action (step 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Containment {
    pub at: Timestamp,
    pub what_stopped: String,
    pub how: String,
}

/// An attack vector (step 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Vector {
    pub kind: AttackVectorKind,
    pub description: String,
    pub cut_off: Option<CutOffAction>,
    pub verified: bool,
}

/// An affected asset (step 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asset {
    pub kind: AssetKind,
    pub name: String,
    pub isolation: IsolationStatus,
    pub how: Option<String>,
}

/// A risk assessment (steps 7 and 8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Risk {
    System {
        system: String,
        risk: RiskLevel,
        rationale: String,
    },
    ReAttack {
        likelihood: Likelihood,
        can_patch_ourselves: bool,
        rationale: String,
    },
}

/// One record as the report sees it, before the audience's rules apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    Containment(Containment),
    Vector(Vector),
    Credential(Credential),
    Asset(Asset),
    Timeline(TimelineEvent),
    Indicator(IndicatorLine),
    Attribution(AttributionLine),
    Data(DataSet),
    Risk(Risk),
    Action(ActionItemLine),
    Lesson(Lesson),
    Evidence(Evidence),
    Analysis(Analysis),
    Decision(CommsDecision),
    Draft(Draft),
    Law(LawEnforcement),
    Party(OutsideParty),
    Blast(BlastRadius),
}

/// A record's item with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub step: Step,
    pub record_id: i64,
    pub recorded_by: Option<String>,
    pub item: Item,
}

fn text(t: &impl ToString) -> String {
    t.to_string()
}

fn opt(t: Option<&impl ToString>) -> Option<String> {
    t.map(ToString::to_string)
}

/// The report's view of one record row, with every detail the record holds.
fn entry(row: &RecordRow) -> Entry {
    let id = row.id;
    let item = match &row.record {
        StepRecord::ContainmentAction(r) => Item::Containment(Containment {
            at: r.at,
            what_stopped: text(&r.what_stopped),
            how: text(&r.how),
        }),
        StepRecord::AttackVector(r) => Item::Vector(Vector {
            kind: r.kind(),
            description: text(r.description()),
            cut_off: r.cut_off(),
            verified: r.verified(),
        }),
        StepRecord::CompromisedCredential(r) => Item::Credential(Credential {
            record_id: id,
            fingerprint: Some(text(&r.fingerprint)),
            description: text(&r.description),
            provider: opt(r.provider.as_ref()),
            used_in: r.used_in.iter().map(text).collect(),
            owner: Some(text(&r.owner)),
            rotated: r.rotated,
            rotated_at: r.rotated_at,
        }),
        StepRecord::AffectedAsset(r) => Item::Asset(Asset {
            kind: r.kind(),
            name: text(r.name()),
            isolation: r.isolation(),
            how: opt(r.how()),
        }),
        StepRecord::AttackTimelineEntry(r) => Item::Timeline(TimelineEvent {
            record_id: id,
            event_time: r.event_time,
            timezone: r.timezone.as_str().to_owned(),
            source: Some(text(&r.source)),
            certainty: r.certainty,
            description: text(&r.description),
        }),
        StepRecord::Indicator(r) => Item::Indicator(IndicatorLine {
            record_id: id,
            kind: r.kind,
            value: r.value.clone(),
            tlp: r.tlp,
            pap: r.pap,
            techniques: r.techniques.iter().map(|t| t.as_str().to_owned()).collect(),
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            description: opt(r.description.as_ref()),
        }),
        StepRecord::Attribution(r) => Item::Attribution(AttributionLine {
            record_id: id,
            actor: r.actor,
            variety: opt(r.variety.as_ref()),
            motive: opt(r.motive.as_ref()),
            certainty: r.certainty,
            rationale: text(&r.rationale),
        }),
        StepRecord::CompromisedDataSet(r) => Item::Data(DataSet {
            record_id: id,
            name: text(r.name()),
            classification: r.classification(),
            what_happened: r.what_happened().to_vec(),
            scale: text(r.scale()),
            status: r.status(),
        }),
        StepRecord::SystemRiskAssessment(r) => Item::Risk(Risk::System {
            system: text(&r.system),
            risk: r.risk,
            rationale: text(&r.rationale),
        }),
        StepRecord::ReAttackAssessment(r) => Item::Risk(Risk::ReAttack {
            likelihood: r.likelihood,
            can_patch_ourselves: r.can_patch_ourselves,
            rationale: text(&r.rationale),
        }),
        StepRecord::ActionItem(r) => Item::Action(ActionItemLine {
            record_id: id,
            kind: r.kind,
            title: text(&r.title),
            owner: Some(text(&r.owner)),
            due: r.due,
            status: r.status,
        }),
        StepRecord::LessonLearned(r) => Item::Lesson(Lesson {
            record_id: id,
            kind: r.kind,
            lesson: text(&r.lesson),
        }),
        StepRecord::EvidenceItem(r) => Item::Evidence(Evidence {
            record_id: id,
            name: text(&r.name),
            description: opt(r.description.as_ref()),
            sha256: r.sha256.as_str().to_owned(),
            size: r.size,
            kept: match &r.storage {
                EvidenceStorage::Stored { .. } => "Rampart evidence store".to_owned(),
                EvidenceStorage::External { location } => text(location),
            },
            source: opt(r.source.as_ref()),
            collected_at: r.collected_at,
            collected_by: opt(r.collected_by.as_ref()),
        }),
        StepRecord::ForensicAnalysis(r) => Item::Analysis(Analysis {
            record_id: id,
            title: text(&r.title),
            method: text(&r.method),
            result: text(&r.result),
        }),
        StepRecord::InternalCommsDecision(r) | StepRecord::ExternalCommsDecision(r) => {
            Item::Decision(CommsDecision {
                record_id: id,
                scope: if matches!(row.record, StepRecord::InternalCommsDecision(_)) {
                    CommsScope::Internal
                } else {
                    CommsScope::External
                },
                needed: r.needed,
                rationale: text(&r.rationale),
                decided_by: Some(text(&r.decided_by)),
            })
        }
        StepRecord::InternalCommsDraft(r) | StepRecord::ExternalCommsDraft(r) => {
            let mut approvals: Vec<ApprovalLine> = r
                .approvals
                .iter()
                .map(|a| ApprovalLine {
                    approver: a.approver,
                    by: Some(text(&a.by)),
                    at: a.at,
                })
                .collect();
            approvals.sort_by_key(|a| (a.at, a.approver as u8));
            Item::Draft(Draft {
                record_id: id,
                audience: r.content.audience,
                title: text(&r.content.title),
                approvals,
                insider_signoff: r.insider_signoff.as_ref().map(|s| SignoffLine {
                    by: Some(text(&s.by)),
                    at: s.at,
                    rationale: text(&s.rationale),
                }),
                sent: r.sent.as_ref().map(|s| SentLine {
                    channel: text(&s.channel),
                    at: s.at,
                    by: Some(text(&s.by)),
                }),
            })
        }
        StepRecord::LawEnforcement(LawEnforcementRecord::Involved {
            agency,
            case_reference,
            contact,
            contacted_at,
        }) => Item::Law(LawEnforcement {
            record_id: id,
            involved: true,
            agency: Some(text(agency)),
            case_reference: opt(case_reference.as_ref()),
            contact: Some(text(contact)),
            contacted_at: Some(*contacted_at),
            rationale: None,
        }),
        StepRecord::LawEnforcement(LawEnforcementRecord::NotNeeded { rationale }) => {
            Item::Law(LawEnforcement {
                record_id: id,
                involved: false,
                agency: None,
                case_reference: None,
                contact: None,
                contacted_at: None,
                rationale: Some(text(rationale)),
            })
        }
        StepRecord::OutsideParty(r) => Item::Party(OutsideParty {
            record_id: id,
            organisation: text(&r.organisation),
            role_in_attack: text(&r.role_in_attack),
            security_contact: Some(text(&r.security_contact)),
            contact_verified_how: Some(text(&r.contact_verified_how)),
            notified_at: r.notified_at,
            notified_by: opt(r.notified_by.as_ref()),
        }),
        StepRecord::BlastRadius(r) => Item::Blast(BlastRadius {
            record_id: id,
            question: r.question.describe(),
            as_of: r.as_of,
            services: r.services.iter().map(BlastService::from_record).collect(),
            undetermined: r
                .undetermined
                .iter()
                .map(BlastService::from_record)
                .collect(),
            total_services: r.total_services,
            not_shown: r.not_shown(),
        }),
    };
    Entry {
        step: row.step,
        record_id: id,
        recorded_by: Some(text(&row.created_by)),
        item,
    }
}

/// Where a record sits among the others of its step: the time it speaks
/// about where it has one, then the record id, so the order never depends
/// on the order the store returned the rows in.
fn sort_key(entry: &Entry) -> (u8, u8, Option<Timestamp>, String, i64) {
    let (rank, time, name) = match &entry.item {
        Item::Containment(c) => (0, Some(c.at), String::new()),
        Item::Vector(_) => (1, None, String::new()),
        Item::Credential(_) => (2, None, String::new()),
        Item::Asset(_) => (3, None, String::new()),
        Item::Timeline(t) => (4, Some(t.event_time), String::new()),
        Item::Indicator(i) => (5, None, format!("{}\0{}", i.kind.as_str(), i.value)),
        Item::Attribution(_) => (6, None, String::new()),
        Item::Data(_) => (7, None, String::new()),
        Item::Risk(_) => (8, None, String::new()),
        Item::Action(_) => (9, None, String::new()),
        Item::Lesson(_) => (10, None, String::new()),
        Item::Evidence(e) => (11, None, e.name.clone()),
        Item::Analysis(_) => (12, None, String::new()),
        Item::Decision(_) => (13, None, String::new()),
        Item::Draft(_) => (14, None, String::new()),
        Item::Law(_) => (15, None, String::new()),
        Item::Party(_) => (16, None, String::new()),
        Item::Blast(b) => (17, Some(b.as_of), String::new()),
    };
    (entry.step.number(), rank, time, name, entry.record_id)
}

/// Builds the report for `audience` from the incident and all its records.
///
/// Pure: the same input gives the same report, whatever order `records`
/// come in. For [`Audience::External`] every record passes through the rules
/// in `external.rs` before anything is derived from it, so no section can
/// show what another section left out.
pub fn build_report(
    state: &IncidentState,
    records: &[RecordRow],
    audience: Audience,
    generated_at: Timestamp,
) -> Report {
    let external = audience == Audience::External;
    let mut entries: Vec<Entry> = records.iter().map(entry).collect();
    entries.sort_by_key(sort_key);
    let evidence_count = entries
        .iter()
        .filter(|e| matches!(e.item, Item::Evidence(_)))
        .count();
    let withheld = external.then(|| external::Withheld::collect(state, records));
    if let Some(withheld) = &withheld {
        entries = entries
            .into_iter()
            .filter_map(|e| external::entry(e, withheld))
            .collect();
    }

    let summary = &state.summary;
    let mut header = Header {
        id: summary.id.to_string(),
        codename: summary.codename.to_string(),
        title: summary.details.title.clone(),
        severity: summary.details.severity,
        incident_tlp: summary.details.tlp,
        marking: summary.details.tlp,
        status: summary.status,
        declared_at: summary.declared_at,
        declared_by: Some(summary.declared_by.to_string()),
        closed_at: summary.closed_at,
        detected_by: summary.details.detected_by,
        generated_at,
        prepared_for: "Prepared for the response team and the organisation: it holds every \
                       recorded detail; share it according to its TLP marking."
            .to_owned(),
    };

    let mut team: Vec<TeamMember> = state
        .access
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| TeamMember {
            user: Some(m.user.to_string()),
            role: m.role,
            since: state.member_since.get(i).copied(),
        })
        .collect();
    team.sort_by(|a, b| (a.role, &a.user).cmp(&(b.role, &b.user)));

    let mut steps: Vec<StepSection> = Step::ALL
        .iter()
        .map(|&step| {
            let row = state.step(step);
            StepSection {
                number: step.number(),
                title: step.title().to_owned(),
                state: row.map_or(StepState::Pending, |r| r.entry.state),
                owner: row.and_then(|r| opt(r.owner.as_ref())),
                rationale: row.and_then(|r| opt(r.entry.rationale.as_ref())),
                notes: row.and_then(|r| r.notes.clone()),
                started_at: row.and_then(|r| r.entry.started_at),
                completed_at: row.and_then(|r| r.entry.completed_at),
                outcomes: Vec::new(),
            }
        })
        .collect();
    for entry in &entries {
        steps[usize::from(entry.step.number()) - 1]
            .outcomes
            .push(Outcome {
                text: outcome(&entry.item),
                recorded_by: entry.recorded_by.clone(),
            });
    }

    let mut report = Report {
        audience,
        summary: Summary {
            text: summary.details.summary.clone(),
            facts: Vec::new(),
        },
        team,
        steps,
        timeline: Vec::new(),
        window: AccessWindow {
            definite: None,
            possible: None,
        },
        compromised_data: Vec::new(),
        indicators: Vec::new(),
        credentials: Vec::new(),
        evidence: Vec::new(),
        evidence_count,
        analyses: Vec::new(),
        comms_decisions: Vec::new(),
        drafts: Vec::new(),
        law_enforcement: Vec::new(),
        outside_parties: Vec::new(),
        action_items: Vec::new(),
        lessons: Vec::new(),
        attribution: Vec::new(),
        blast_radius: Vec::new(),
        header: header.clone(),
    };
    for entry in entries {
        match entry.item {
            Item::Timeline(v) => report.timeline.push(v),
            Item::Indicator(v) => report.indicators.push(v),
            Item::Credential(v) => report.credentials.push(v),
            Item::Attribution(v) => report.attribution.push(v),
            Item::Data(v) => report.compromised_data.push(v),
            Item::Action(v) => report.action_items.push(v),
            Item::Lesson(v) => report.lessons.push(v),
            Item::Evidence(v) => report.evidence.push(v),
            Item::Analysis(v) => report.analyses.push(v),
            Item::Decision(v) => report.comms_decisions.push(v),
            Item::Draft(v) => report.drafts.push(v),
            Item::Law(v) => report.law_enforcement.push(v),
            Item::Party(v) => report.outside_parties.push(v),
            Item::Blast(v) => report.blast_radius.push(v),
            Item::Containment(_) | Item::Vector(_) | Item::Asset(_) | Item::Risk(_) => {}
        }
    }
    report
        .action_items
        .sort_by_key(|a| (!still_open(a.status), a.due, a.record_id));
    report.window = window(&report.timeline);
    if external && report.evidence_count > report.evidence.len() {
        report.steps[usize::from(Step::ForensicAnalysis.number()) - 1]
            .outcomes
            .insert(
                0,
                Outcome {
                    text: format!(
                        "{} evidence item(s) collected and kept with a chain of custody",
                        report.evidence_count
                    ),
                    recorded_by: None,
                },
            );
    }
    report.summary.facts = facts(&report);
    if external {
        external::header(&mut header);
        external::team(&mut report.team);
        for step in &mut report.steps {
            external::step(step);
        }
    }
    report.header = header;
    if let Some(withheld) = &withheld {
        report = external::scrub(report, withheld);
    }
    report
}

/// Whether work on an action item remains.
fn still_open(status: ActionItemStatus) -> bool {
    status != ActionItemStatus::Done
}

fn window(timeline: &[TimelineEvent]) -> AccessWindow {
    let span = |confirmed_only: bool| {
        let times = timeline
            .iter()
            .filter(|e| !confirmed_only || e.certainty == Certainty::Confirmed)
            .map(|e| e.event_time);
        let first = times.clone().min()?;
        let last = times.max()?;
        Some(Span { first, last })
    };
    AccessWindow {
        definite: span(true),
        possible: span(false),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn facts(report: &Report) -> Vec<String> {
    let mut facts = Vec::new();
    let settled = report.steps.iter().filter(|s| s.state.is_settled()).count();
    facts.push(format!(
        "{settled} of 14 steps are done or not needed; the incident is {}.",
        report.header.status.as_str()
    ));
    if let Some(span) = report.window.definite {
        facts.push(format!(
            "Definite access from {} to {} (confirmed events).",
            span.first, span.last
        ));
    }
    if let Some(span) = report.window.possible
        && Some(span) != report.window.definite
    {
        facts.push(format!(
            "Possible access from {} to {} (confirmed and suspected events).",
            span.first, span.last
        ));
    }
    let confirmed_data = report
        .compromised_data
        .iter()
        .filter(|d| d.status == CompromiseStatus::Confirmed)
        .count();
    if !report.compromised_data.is_empty() {
        facts.push(format!(
            "{}, {confirmed_data} of them confirmed compromised.",
            plural(
                report.compromised_data.len(),
                "data set examined",
                "data sets examined"
            ),
        ));
    }
    if !report.credentials.is_empty() {
        let rotated = report.credentials.iter().filter(|c| c.rotated).count();
        facts.push(format!(
            "{}, {rotated} rotated.",
            plural(
                report.credentials.len(),
                "credential believed exposed",
                "credentials believed exposed"
            )
        ));
    }
    let open = report
        .action_items
        .iter()
        .filter(|a| still_open(a.status))
        .count();
    if !report.action_items.is_empty() {
        facts.push(format!(
            "{}, {open} still open.",
            plural(report.action_items.len(), "action item", "action items")
        ));
    }
    facts
}

fn state_word(verified: bool) -> &'static str {
    if verified { "verified" } else { "not verified" }
}

/// One line per record for its step's outcome, from what the audience may see.
pub(crate) fn outcome(item: &Item) -> String {
    match item {
        Item::Containment(c) => format!("stopped {}: {} (at {})", c.what_stopped, c.how, c.at),
        Item::Vector(v) => match v.cut_off {
            Some(action) => format!(
                "{} {}: {action}, {}",
                v.kind,
                v.description,
                state_word(v.verified)
            ),
            None => format!("{} {}: not cut off yet", v.kind, v.description),
        },
        Item::Credential(c) => format!(
            "credential {}{}: {}",
            c.description,
            c.fingerprint
                .as_ref()
                .map(|f| format!(" (fingerprint {f})"))
                .unwrap_or_default(),
            match c.rotated_at {
                Some(at) if c.rotated => format!("rotated at {at}"),
                _ if c.rotated => "rotated".to_owned(),
                _ => "not rotated".to_owned(),
            }
        ),
        Item::Asset(a) => format!(
            "{} {}: {}{}",
            a.kind,
            a.name,
            a.isolation,
            a.how
                .as_ref()
                .map(|h| format!(" ({h})"))
                .unwrap_or_default()
        ),
        Item::Timeline(t) => format!("{} ({}): {}", t.event_time, t.certainty, t.description),
        Item::Indicator(i) => format!("indicator {} {} ({}, {})", i.kind, i.value, i.tlp, i.pap),
        Item::Attribution(a) => format!("{} actor ({}): {}", a.actor, a.certainty, a.rationale),
        Item::Data(d) => format!(
            "{} ({}): {}, {}; scale: {}",
            d.name,
            d.classification,
            impacts(&d.what_happened),
            d.status,
            d.scale
        ),
        Item::Risk(Risk::System {
            system,
            risk,
            rationale,
        }) => format!("{system}: {risk} risk. {rationale}"),
        Item::Risk(Risk::ReAttack {
            likelihood,
            can_patch_ourselves,
            rationale,
        }) => format!(
            "re-attack likelihood {likelihood}; {}. {rationale}",
            if *can_patch_ourselves {
                "we can patch it ourselves"
            } else {
                "we cannot patch it ourselves"
            }
        ),
        Item::Action(a) => format!(
            "{}: {} ({}, due {})",
            a.kind,
            a.title,
            a.status.as_str().replace('_', " "),
            a.due
        ),
        Item::Lesson(l) => format!("lesson ({}): {}", lesson_kind(l.kind), l.lesson),
        Item::Evidence(e) => format!("evidence {} (SHA-256 {})", e.name, e.sha256),
        Item::Analysis(a) => format!("analysis {}: {}", a.title, a.result),
        Item::Decision(d) => format!(
            "{} communication {}: {}",
            d.scope,
            if d.needed { "needed" } else { "not needed" },
            d.rationale
        ),
        Item::Draft(d) => format!(
            "{} communication \"{}\": {}",
            d.audience,
            d.title,
            draft_status(d)
        ),
        Item::Law(l) => match (l.involved, &l.agency) {
            (true, Some(agency)) => format!(
                "law enforcement involved: {agency}{}",
                l.case_reference
                    .as_ref()
                    .map(|c| format!(", case {c}"))
                    .unwrap_or_default()
            ),
            (true, None) => "law enforcement was involved".to_owned(),
            (false, _) => match &l.rationale {
                Some(why) => format!("law enforcement not involved: {why}"),
                None => "law enforcement was not involved".to_owned(),
            },
        },
        Item::Blast(b) => format!(
            "blast radius of {} as of {}: {} {}, {} undetermined",
            b.question,
            b.as_of,
            b.total_services,
            if b.total_services == 1 {
                "service"
            } else {
                "services"
            },
            b.undetermined.len()
        ),
        Item::Party(p) => format!(
            "{} ({}): {}",
            p.organisation,
            p.role_in_attack,
            match p.notified_at {
                Some(at) => format!(
                    "notified at {at}{}",
                    p.notified_by
                        .as_ref()
                        .map(|by| format!(" by {by}"))
                        .unwrap_or_default()
                ),
                None => "not notified yet".to_owned(),
            }
        ),
    }
}

/// `read/copied`.
pub(crate) fn impacts(impacts: &[DataImpact]) -> String {
    impacts
        .iter()
        .map(|i| i.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// `went well` / `to improve`.
pub(crate) fn lesson_kind(kind: LessonKind) -> &'static str {
    match kind {
        LessonKind::WentWell => "went well",
        LessonKind::ToImprove => "to improve",
    }
}

/// Sent (how, when), approved, or draft.
pub(crate) fn draft_status(d: &Draft) -> String {
    match &d.sent {
        Some(sent) => format!(
            "sent via {} at {}{}",
            sent.channel,
            sent.at,
            sent.by
                .as_ref()
                .map(|by| format!(" by {by}"))
                .unwrap_or_default()
        ),
        None => {
            let approved = d
                .audience
                .scope()
                .required_approvals()
                .iter()
                .all(|needed| d.approvals.iter().any(|a| a.approver == *needed));
            if approved {
                "approved, not sent".to_owned()
            } else {
                "draft, awaiting approval".to_owned()
            }
        }
    }
}

/// `monitor`, `person`, `unknown`.
pub(crate) fn detection(source: DetectionSource) -> &'static str {
    match source {
        DetectionSource::Monitor => "a monitor",
        DetectionSource::Person => "a person",
        DetectionSource::Unknown => "not recorded",
    }
}
