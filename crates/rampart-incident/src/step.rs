//! The 14 steps of a security incident (DESIGN.md §5) and the rules that
//! guide — never force — their order.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::text::{NonEmptyText, TextError, UserName, optional_text};

/// One of the 14 steps of the incident process, numbered 1–14.
///
/// Serialized as its number: the number is what responders say ("step 3")
/// and what the API's paths use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Step {
    /// 1. Stop the attack in progress.
    StopAttack = 1,
    /// 2. Cut off the attack vector.
    CutOffAttackVector = 2,
    /// 3. Assemble the response team.
    AssembleTeam = 3,
    /// 4. Isolate affected instances.
    IsolateAffectedInstances = 4,
    /// 5. Identify the attack timeline.
    IdentifyAttackTimeline = 5,
    /// 6. Identify compromised data.
    IdentifyCompromisedData = 6,
    /// 7. Assess risk to other systems.
    AssessRiskToOtherSystems = 7,
    /// 8. Assess risk of re-attack.
    AssessReAttackRisk = 8,
    /// 9. Additional mitigations and monitoring.
    MitigationsAndMonitoring = 9,
    /// 10. Forensic analysis.
    ForensicAnalysis = 10,
    /// 11. Internal communication.
    InternalCommunication = 11,
    /// 12. Involve law enforcement.
    LawEnforcement = 12,
    /// 13. Contact external parties used as attack vectors.
    ContactExternalParties = 13,
    /// 14. External communication.
    ExternalCommunication = 14,
}

/// The steps that contain an attack; communication warns until they are settled.
const CONTAINMENT: [Step; 3] = [
    Step::StopAttack,
    Step::CutOffAttackVector,
    Step::IsolateAffectedInstances,
];

/// The steps "normally" done before assembling the team.
const BEFORE_ASSEMBLY: [Step; 2] = [Step::StopAttack, Step::CutOffAttackVector];

impl Step {
    /// All steps in their suggested order.
    pub const ALL: [Self; 14] = [
        Self::StopAttack,
        Self::CutOffAttackVector,
        Self::AssembleTeam,
        Self::IsolateAffectedInstances,
        Self::IdentifyAttackTimeline,
        Self::IdentifyCompromisedData,
        Self::AssessRiskToOtherSystems,
        Self::AssessReAttackRisk,
        Self::MitigationsAndMonitoring,
        Self::ForensicAnalysis,
        Self::InternalCommunication,
        Self::LawEnforcement,
        Self::ContactExternalParties,
        Self::ExternalCommunication,
    ];

    /// The step's number, 1–14.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The step for a number, if it is 1–14.
    pub fn from_number(number: u8) -> Option<Self> {
        Self::ALL.get(usize::from(number).checked_sub(1)?).copied()
    }

    /// The step's title, exactly as in DESIGN.md §5.
    pub fn title(self) -> &'static str {
        match self {
            Self::StopAttack => "Stop the attack in progress",
            Self::CutOffAttackVector => "Cut off the attack vector",
            Self::AssembleTeam => "Assemble the response team",
            Self::IsolateAffectedInstances => "Isolate affected instances",
            Self::IdentifyAttackTimeline => "Identify the attack timeline",
            Self::IdentifyCompromisedData => "Identify compromised data",
            Self::AssessRiskToOtherSystems => "Assess risk to other systems",
            Self::AssessReAttackRisk => "Assess risk of re-attack",
            Self::MitigationsAndMonitoring => "Additional mitigations and monitoring",
            Self::ForensicAnalysis => "Forensic analysis",
            Self::InternalCommunication => "Internal communication",
            Self::LawEnforcement => "Involve law enforcement",
            Self::ContactExternalParties => "Contact external parties used as attack vectors",
            Self::ExternalCommunication => "External communication",
        }
    }

    /// One sentence on what the step is for, shown beside the title.
    pub fn description(self) -> &'static str {
        match self {
            Self::StopAttack => {
                "Stop what the attacker is doing right now; whoever declared the incident can act."
            }
            Self::CutOffAttackVector => {
                "Rotate, revoke, block or patch the way in (token, key, account, endpoint, port) and verify it is closed."
            }
            Self::AssembleTeam => {
                "Add members with incident roles; membership is what grants access to the incident."
            }
            Self::IsolateAffectedInstances => {
                "Isolate each affected host, VM, container, database, account or service, or make it read-only."
            }
            Self::IdentifyAttackTimeline => {
                "Record when the attacker did what, confirmed or suspected, and the window of definite and possible access."
            }
            Self::IdentifyCompromisedData => {
                "Record which data sets were read, copied, modified or deleted, at what scale, and how sure we are."
            }
            Self::AssessRiskToOtherSystems => {
                "List the systems reachable with the same access, with a risk level and rationale for each."
            }
            Self::AssessReAttackRisk => {
                "Judge how likely a repeat is and whether we can fix the weakness ourselves."
            }
            Self::MitigationsAndMonitoring => {
                "Create action items for mitigations, monitoring and process changes; they outlive the incident."
            }
            Self::ForensicAnalysis => {
                "Collect evidence with chain of custody and record the analysis results."
            }
            Self::InternalCommunication => {
                "Decide whether to tell the organisation, and if so draft, approve and send it — after containment."
            }
            Self::LawEnforcement => {
                "Decide whether law enforcement must be involved; record agency, case reference and contact."
            }
            Self::ContactExternalParties => {
                "Tell third parties whose systems were used in the attack, through a verified security contact."
            }
            Self::ExternalCommunication => {
                "Decide whether to tell customers what was and was not compromised and what they must do; approved by commander and legal."
            }
        }
    }
}

impl fmt::Display for Step {
    /// `step 3 (Assemble the response team)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {} ({})", self.number(), self.title())
    }
}

/// A step number outside 1–14.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `step`: {number} is not a step number (1–14)")]
pub struct StepNumberError {
    /// The rejected number.
    pub number: u8,
}

impl TryFrom<u8> for Step {
    type Error = StepNumberError;

    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Self::from_number(number).ok_or(StepNumberError { number })
    }
}

impl From<Step> for u8 {
    fn from(step: Step) -> Self {
        step.number()
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not started.
    Pending,
    /// Someone is working on it.
    InProgress,
    /// Finished.
    Done,
    /// Deliberately skipped, with a written rationale.
    NotNeeded,
}

impl StepState {
    /// The canonical name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::NotNeeded => "not_needed",
        }
    }

    /// Done or not needed: nothing more is expected of the step.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Done | Self::NotNeeded)
    }

    /// In progress or done: the work has begun.
    fn is_under_way(self) -> bool {
        matches!(self, Self::InProgress | Self::Done)
    }
}

impl fmt::Display for StepState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of one incident: its state, the latest reason given, and when it
/// started and was settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepEntry {
    /// Which step.
    pub step: Step,
    /// Where it stands.
    pub state: StepState,
    /// The latest written reason: always present when `not_needed`; for other
    /// states, e.g. why the team was assembled before containment.
    pub rationale: Option<NonEmptyText>,
    /// When work on the step began (first `in_progress`, or `done` directly).
    pub started_at: Option<Timestamp>,
    /// When it became `done` or `not_needed`; cleared when reopened.
    pub completed_at: Option<Timestamp>,
}

impl StepEntry {
    /// A fresh, pending step.
    pub fn pending(step: Step) -> Self {
        Self {
            step,
            state: StepState::Pending,
            rationale: None,
            started_at: None,
            completed_at: None,
        }
    }
}

/// A list of step entries could not form a board.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    /// A step appears twice.
    #[error("field `steps`: {step} appears more than once")]
    Duplicate { step: Step },
    /// A step is absent.
    #[error("field `steps`: {step} is missing")]
    Missing { step: Step },
    /// A `not_needed` step without its rationale.
    #[error("field `rationale`: {step} is not_needed but has no rationale")]
    NotNeededWithoutRationale { step: Step },
}

/// All 14 steps of one incident. Exists, all pending, from declaration.
///
/// Serialized as the list of its entries in step order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<StepEntry>", into = "Vec<StepEntry>")]
pub struct StepBoard {
    entries: [StepEntry; 14],
}

impl Default for StepBoard {
    fn default() -> Self {
        Self::new()
    }
}

impl StepBoard {
    /// The board of a newly declared incident: every step pending.
    pub fn new() -> Self {
        Self {
            entries: Step::ALL.map(StepEntry::pending),
        }
    }

    /// Rebuilds a board from stored entries (any order): each step exactly
    /// once, and a rationale for every `not_needed`.
    pub fn from_entries(entries: Vec<StepEntry>) -> Result<Self, BoardError> {
        let mut slots: [Option<StepEntry>; 14] = Default::default();
        for entry in entries {
            if entry.state == StepState::NotNeeded && entry.rationale.is_none() {
                return Err(BoardError::NotNeededWithoutRationale { step: entry.step });
            }
            let slot = &mut slots[Self::index(entry.step)];
            if slot.is_some() {
                return Err(BoardError::Duplicate { step: entry.step });
            }
            *slot = Some(entry);
        }
        let mut board = Self::new();
        for (step, slot) in Step::ALL.into_iter().zip(slots) {
            board.entries[Self::index(step)] = slot.ok_or(BoardError::Missing { step })?;
        }
        Ok(board)
    }

    /// One step's entry.
    pub fn entry(&self, step: Step) -> &StepEntry {
        &self.entries[Self::index(step)]
    }

    /// One step's state.
    pub fn state(&self, step: Step) -> StepState {
        self.entry(step).state
    }

    /// All entries in step order.
    pub fn entries(&self) -> &[StepEntry; 14] {
        &self.entries
    }

    /// Writes a change computed by [`change_step`] into the board.
    pub fn apply(&mut self, change: &StepChange) {
        self.entries[Self::index(change.entry.step)] = change.entry.clone();
    }

    fn index(step: Step) -> usize {
        usize::from(step.number()) - 1
    }

    /// Those of `steps` that are neither done nor not_needed, in order.
    fn unsettled(&self, steps: &[Step]) -> Vec<Step> {
        steps
            .iter()
            .copied()
            .filter(|&s| !self.state(s).is_settled())
            .collect()
    }
}

impl TryFrom<Vec<StepEntry>> for StepBoard {
    type Error = BoardError;

    fn try_from(entries: Vec<StepEntry>) -> Result<Self, Self::Error> {
        Self::from_entries(entries)
    }
}

impl From<StepBoard> for Vec<StepEntry> {
    fn from(board: StepBoard) -> Self {
        board.entries.into()
    }
}

/// Who or what noticed the attack first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DetectionSource {
    /// An alert from a monitor.
    Monitor,
    /// A person noticed (an engineer, a customer, a researcher).
    Person,
    /// Not recorded yet.
    #[default]
    Unknown,
}

/// Facts about the rest of the incident that the step rules look at; the
/// store counts them, this crate only judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StepFacts {
    /// Who or what detected the attack.
    pub detected_by: DetectionSource,
    /// Number of attack-timeline entries (step 5).
    pub timeline_entries: usize,
    /// Number of compromised-data-set records (step 6).
    pub compromised_data_sets: usize,
    /// Number of action items of kind `monitoring` (step 9).
    pub monitoring_action_items: usize,
    /// Compromised credentials in the register not yet rotated (step 2).
    pub unrotated_credentials: usize,
}

/// Something the responder should know about a change. Never blocks it: the
/// API returns warnings with the change and the response log records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StepWarning {
    /// Communication (step 11 or 14) started while containment is unsettled.
    ContainmentIncomplete {
        /// The communication step being changed.
        step: Step,
        /// Containment steps (1, 2, 4) neither done nor not_needed.
        unsettled: Vec<Step>,
    },
    /// External communication started before the attack timeline or the
    /// compromised data were recorded.
    AttackRecordsMissing {
        /// Steps 5 and/or 6, where they have no records and are not not_needed.
        missing: Vec<Step>,
    },
    /// A person, not a monitor, detected the attack and no monitoring action
    /// item exists: which monitor should have fired?
    WhichMonitorShouldHaveFired,
    /// Step 2 done while the credential register still lists credentials
    /// that were not rotated.
    UnrotatedCredentials {
        /// How many.
        count: usize,
    },
}

impl fmt::Display for StepWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ContainmentIncomplete { step, unsettled } => write!(
                f,
                "{step} is under way while containment is not done: {}",
                list(unsettled)
            ),
            Self::AttackRecordsMissing { missing } => write!(
                f,
                "external communication is under way but these steps have no records yet: {}",
                list(missing)
            ),
            Self::WhichMonitorShouldHaveFired => f.write_str(
                "a person detected this attack, not a monitor: which monitor should have fired? \
                 Add a monitoring action item",
            ),
            Self::UnrotatedCredentials { count } => write!(
                f,
                "the attack vector is marked cut off while {count} compromised credential(s) are not rotated"
            ),
        }
    }
}

fn list(steps: &[Step]) -> String {
    steps
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a reason was recorded with a step change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Why the step is not needed.
    NotNeeded,
    /// Why the team is assembled before steps 1–2 are settled: containment is
    /// not a quick fix.
    ContainmentNotQuickFix,
    /// Why step 2 is done although compromised credentials are not rotated.
    UnrotatedCredentials,
    /// A reason given where none was required.
    Note,
}

/// A written reason that goes into the response log with the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedReason {
    /// What the reason explains.
    pub kind: ReasonKind,
    /// The reason as written.
    pub text: NonEmptyText,
}

/// The outcome of [`change_step`]: the step's new entry, plus what to tell
/// the responder and what to log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepChange {
    /// The state before the change.
    pub from: StepState,
    /// The step's entry after the change (its `step` says which one).
    pub entry: StepEntry,
    /// Who changed it.
    pub changed_by: UserName,
    /// When.
    pub changed_at: Timestamp,
    /// Warnings for the responder; the change happens regardless.
    pub warnings: Vec<StepWarning>,
    /// Reasons to record in the response log.
    pub reasons: Vec<RecordedReason>,
}

/// A step change that cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// `not_needed` without a written rationale.
    #[error("field `rationale`: {step} cannot be marked not_needed without a written rationale")]
    RationaleRequired { step: Step },
    /// Assembling the team before steps 1–2 are settled, without saying why.
    #[error(
        "field `rationale`: assembling the response team before steps 1 and 2 are done needs a \
         written reason why containment is not a quick fix (not yet done: {})",
        list(.unsettled)
    )]
    ContainmentReasonRequired { unsettled: Vec<Step> },
    /// Step 2 done while compromised credentials are not rotated, without
    /// saying why.
    #[error(
        "field `rationale`: {count} compromised credential(s) in the register are not rotated; \
         rotate them (and record it) before cutting off the vector is done, or give a written reason"
    )]
    CredentialsNotRotated { count: usize },
    /// The step already has this state and nothing new was said; refusing
    /// keeps a repeated submission from writing a second log entry.
    #[error("field `state`: {step} is already {state}")]
    Unchanged { step: Step, state: StepState },
    /// The rationale text is unusable (too long, control characters).
    #[error(transparent)]
    Rationale(#[from] TextError),
}

/// Changes one step's state, applying the rules of DESIGN.md §5.
///
/// Order is guidance, not a cage: no transition is refused because of other
/// steps. Instead the change carries warnings and the reasons to record:
///
/// - `not_needed` needs a rationale.
/// - Starting step 3 while step 1 or 2 is unsettled needs the reason
///   containment is not a quick fix (asked once, when assembly begins).
/// - Steps 11 and 14 under way warn while containment (1, 2, 4) is unsettled.
/// - Step 14 under way warns while step 5 or 6 has no records (unless that
///   step is not_needed).
/// - Step 9 under way asks which monitor should have fired when a person
///   detected the attack and no monitoring action item exists.
/// - Step 2 done while the credential register lists unrotated credentials
///   needs a written reason, and warns.
///
/// "Settled" means done *or* not_needed: a vector nobody needs to cut off
/// does not hold up the team. Timestamps: `started_at` is set the first time
/// work begins and kept across reopening; `completed_at` is set on `done` or
/// `not_needed` and cleared otherwise; back to `pending` clears both.
pub fn change_step(
    steps: &StepBoard,
    step: Step,
    new_state: StepState,
    rationale: Option<&str>,
    actor: &UserName,
    now: Timestamp,
    facts: &StepFacts,
) -> Result<StepChange, StepError> {
    let old = steps.entry(step);
    let rationale = optional_text("rationale", rationale)?;

    if new_state == old.state && (rationale.is_none() || rationale == old.rationale) {
        return Err(StepError::Unchanged {
            step,
            state: new_state,
        });
    }

    let mut reasons = Vec::new();
    let mut warnings = Vec::new();

    let starts_assembly =
        step == Step::AssembleTeam && new_state.is_under_way() && !old.state.is_under_way();
    let unsettled_before_assembly = steps.unsettled(&BEFORE_ASSEMBLY);

    if new_state == StepState::NotNeeded {
        let text = rationale
            .clone()
            .ok_or(StepError::RationaleRequired { step })?;
        reasons.push(RecordedReason {
            kind: ReasonKind::NotNeeded,
            text,
        });
    } else if starts_assembly && !unsettled_before_assembly.is_empty() {
        let text = rationale
            .clone()
            .ok_or(StepError::ContainmentReasonRequired {
                unsettled: unsettled_before_assembly,
            })?;
        reasons.push(RecordedReason {
            kind: ReasonKind::ContainmentNotQuickFix,
            text,
        });
    } else if step == Step::CutOffAttackVector
        && new_state == StepState::Done
        && facts.unrotated_credentials > 0
    {
        let count = facts.unrotated_credentials;
        let text = rationale
            .clone()
            .ok_or(StepError::CredentialsNotRotated { count })?;
        reasons.push(RecordedReason {
            kind: ReasonKind::UnrotatedCredentials,
            text,
        });
        warnings.push(StepWarning::UnrotatedCredentials { count });
    } else if let Some(text) = rationale.clone() {
        reasons.push(RecordedReason {
            kind: ReasonKind::Note,
            text,
        });
    }

    if new_state.is_under_way() {
        if matches!(
            step,
            Step::InternalCommunication | Step::ExternalCommunication
        ) {
            let unsettled = steps.unsettled(&CONTAINMENT);
            if !unsettled.is_empty() {
                warnings.push(StepWarning::ContainmentIncomplete { step, unsettled });
            }
        }
        if step == Step::ExternalCommunication {
            let missing: Vec<Step> = [
                (Step::IdentifyAttackTimeline, facts.timeline_entries),
                (Step::IdentifyCompromisedData, facts.compromised_data_sets),
            ]
            .into_iter()
            .filter(|&(s, records)| records == 0 && steps.state(s) != StepState::NotNeeded)
            .map(|(s, _)| s)
            .collect();
            if !missing.is_empty() {
                warnings.push(StepWarning::AttackRecordsMissing { missing });
            }
        }
        if step == Step::MitigationsAndMonitoring
            && facts.detected_by == DetectionSource::Person
            && facts.monitoring_action_items == 0
        {
            warnings.push(StepWarning::WhichMonitorShouldHaveFired);
        }
    }

    let (started_at, completed_at) = match new_state {
        StepState::Pending => (None, None),
        StepState::InProgress => (old.started_at.or(Some(now)), None),
        StepState::Done => (old.started_at.or(Some(now)), Some(now)),
        StepState::NotNeeded => (
            old.started_at,
            // Re-explaining a not_needed step keeps the time it was decided.
            if old.state == StepState::NotNeeded {
                old.completed_at.or(Some(now))
            } else {
                Some(now)
            },
        ),
    };
    let kept_rationale = match old.state {
        // The reason a step was not needed no longer explains anything once
        // it is back in play.
        StepState::NotNeeded => None,
        _ => old.rationale.clone(),
    };

    Ok(StepChange {
        from: old.state,
        entry: StepEntry {
            step,
            state: new_state,
            rationale: rationale.or(kept_rationale),
            started_at,
            completed_at,
        },
        changed_by: actor.clone(),
        changed_at: now,
        warnings,
        reasons,
    })
}

/// A step that stands in the way of closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStep {
    /// The step.
    pub step: Step,
    /// Its state, `pending` or `in_progress`.
    pub state: StepState,
}

/// The incident cannot close yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseError {
    /// Some steps are neither done nor not_needed.
    #[error(
        "field `steps`: the incident cannot close while steps are not done or not_needed: {}",
        .open.iter().map(|o| format!("{} is {}", o.step, o.state)).collect::<Vec<_>>().join(", ")
    )]
    StepsOpen { open: Vec<OpenStep> },
}

/// Whether the incident may close: every step done or not_needed. The error
/// names every step that is not, in order. Action items do not block closing;
/// they outlive the incident.
pub fn can_close(board: &StepBoard) -> Result<(), CloseError> {
    let open: Vec<OpenStep> = board
        .entries()
        .iter()
        .filter(|e| !e.state.is_settled())
        .map(|e| OpenStep {
            step: e.step,
            state: e.state,
        })
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(CloseError::StepsOpen { open })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + seconds).unwrap()
    }

    fn alice() -> UserName {
        UserName::parse("alice").unwrap()
    }

    /// A board from one letter per step: `p`ending, `i`n progress, `d`one,
    /// `n`ot needed. Spaces are ignored, so boards read in groups.
    fn board(states: &str) -> StepBoard {
        let states: Vec<StepState> = states
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| match c {
                'p' => StepState::Pending,
                'i' => StepState::InProgress,
                'd' => StepState::Done,
                'n' => StepState::NotNeeded,
                other => panic!("bad state letter {other:?}"),
            })
            .collect();
        assert_eq!(states.len(), 14, "a board needs 14 letters");
        let entries = Step::ALL
            .into_iter()
            .zip(states)
            .map(|(step, state)| StepEntry {
                step,
                state,
                rationale: (state == StepState::NotNeeded)
                    .then(|| NonEmptyText::parse("rationale", "earlier reason").unwrap()),
                started_at: state.is_under_way().then(|| at(0)),
                completed_at: state.is_settled().then(|| at(0)),
            })
            .collect();
        StepBoard::from_entries(entries).unwrap()
    }

    const PERSON: StepFacts = StepFacts {
        detected_by: DetectionSource::Person,
        timeline_entries: 0,
        compromised_data_sets: 0,
        monitoring_action_items: 0,
        unrotated_credentials: 0,
    };
    const RECORDED: StepFacts = StepFacts {
        detected_by: DetectionSource::Monitor,
        timeline_entries: 3,
        compromised_data_sets: 1,
        monitoring_action_items: 0,
        unrotated_credentials: 0,
    };

    struct Case {
        board: &'static str,
        step: u8,
        to: StepState,
        rationale: Option<&'static str>,
        facts: StepFacts,
        expect: Result<(Vec<StepWarning>, Vec<ReasonKind>), StepError>,
    }

    fn check(case: Case) {
        let step = Step::from_number(case.step).unwrap();
        let got = change_step(
            &board(case.board),
            step,
            case.to,
            case.rationale,
            &alice(),
            at(60),
            &case.facts,
        );
        let got = got.map(|c| {
            assert_eq!(c.entry.state, case.to);
            assert_eq!(c.entry.step, step);
            (c.warnings, c.reasons.into_iter().map(|r| r.kind).collect())
        });
        assert_eq!(
            got, case.expect,
            "board {} step {} -> {}",
            case.board, case.step, case.to
        );
    }

    use StepState::{Done, InProgress, NotNeeded, Pending};

    fn ok(
        warnings: Vec<StepWarning>,
        reasons: Vec<ReasonKind>,
    ) -> Result<(Vec<StepWarning>, Vec<ReasonKind>), StepError> {
        Ok((warnings, reasons))
    }

    #[test]
    fn plain_transitions_never_block_on_order() {
        let fresh = "ppppppp ppppppp";
        // Any step may move to any state from a fresh board, apart from the
        // rules with reasons checked below.
        for step in Step::ALL {
            for to in [InProgress, Done] {
                if step == Step::AssembleTeam {
                    continue;
                }
                let got = change_step(
                    &board(fresh),
                    step,
                    to,
                    None,
                    &alice(),
                    at(1),
                    &StepFacts::default(),
                );
                assert!(got.is_ok(), "{step} -> {to}: {got:?}");
            }
        }
        check(Case {
            board: "ddddddd ddddddd",
            step: 7,
            to: InProgress,
            rationale: None,
            facts: RECORDED,
            expect: ok(vec![], vec![]),
        });
        check(Case {
            board: "ddddddd ddddddd",
            step: 1,
            to: Pending,
            rationale: None,
            facts: RECORDED,
            expect: ok(vec![], vec![]),
        });
        check(Case {
            board: "ppppppp pppppdp",
            step: 10,
            to: Done,
            rationale: None,
            facts: RECORDED,
            expect: ok(vec![], vec![]),
        });
    }

    #[test]
    fn not_needed_requires_a_rationale() {
        for rationale in [None, Some(""), Some("   ")] {
            check(Case {
                board: "ppppppp ppppppp",
                step: 12,
                to: NotNeeded,
                rationale,
                facts: RECORDED,
                expect: Err(StepError::RationaleRequired {
                    step: Step::LawEnforcement,
                }),
            });
        }
        check(Case {
            board: "ppppppp ppppppp",
            step: 12,
            to: NotNeeded,
            rationale: Some("no crime, a misconfiguration"),
            facts: RECORDED,
            expect: ok(vec![], vec![ReasonKind::NotNeeded]),
        });
        // A new rationale for an already not_needed step is an amendment, not a repeat.
        check(Case {
            board: "ppppppp ppppnpp",
            step: 12,
            to: NotNeeded,
            rationale: Some("legal confirmed"),
            facts: RECORDED,
            expect: ok(vec![], vec![ReasonKind::NotNeeded]),
        });
        check(Case {
            board: "ppppppp ppppnpp",
            step: 12,
            to: NotNeeded,
            rationale: Some("earlier reason"),
            facts: RECORDED,
            expect: Err(StepError::Unchanged {
                step: Step::LawEnforcement,
                state: NotNeeded,
            }),
        });
    }

    #[test]
    fn repeating_a_state_is_refused() {
        check(Case {
            board: "dpppppp ppppppp",
            step: 1,
            to: Done,
            rationale: None,
            facts: RECORDED,
            expect: Err(StepError::Unchanged {
                step: Step::StopAttack,
                state: Done,
            }),
        });
        check(Case {
            board: "ppppppp ppppppp",
            step: 4,
            to: Pending,
            rationale: None,
            facts: RECORDED,
            expect: Err(StepError::Unchanged {
                step: Step::IsolateAffectedInstances,
                state: Pending,
            }),
        });
        // Saying something new is not a repeat: it is recorded as a note.
        check(Case {
            board: "ipppppp ppppppp",
            step: 1,
            to: InProgress,
            rationale: Some("second attempt"),
            facts: RECORDED,
            expect: ok(vec![], vec![ReasonKind::Note]),
        });
    }

    #[test]
    fn assembling_before_containment_needs_its_reason() {
        let needs = |unsettled: Vec<Step>| Err(StepError::ContainmentReasonRequired { unsettled });
        use Step::{CutOffAttackVector as S2, StopAttack as S1};
        for to in [InProgress, Done] {
            check(Case {
                board: "ppppppp ppppppp",
                step: 3,
                to,
                rationale: None,
                facts: RECORDED,
                expect: needs(vec![S1, S2]),
            });
            check(Case {
                board: "dippppp ppppppp",
                step: 3,
                to,
                rationale: None,
                facts: RECORDED,
                expect: needs(vec![S2]),
            });
            check(Case {
                board: "pnppppp ppppppp",
                step: 3,
                to,
                rationale: Some(" "),
                facts: RECORDED,
                expect: needs(vec![S1]),
            });
            check(Case {
                board: "ppppppp ppppppp",
                step: 3,
                to,
                rationale: Some("attacker has persistence in many hosts"),
                facts: RECORDED,
                expect: ok(vec![], vec![ReasonKind::ContainmentNotQuickFix]),
            });
            // Containment settled (done or not_needed): the normal order, no reason asked.
            check(Case {
                board: "ddppppp ppppppp",
                step: 3,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(vec![], vec![]),
            });
            check(Case {
                board: "dnppppp ppppppp",
                step: 3,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(vec![], vec![]),
            });
        }
        // Asked once, when assembly begins: finishing it later needs no second reason.
        check(Case {
            board: "ppipppp ppppppp",
            step: 3,
            to: Done,
            rationale: None,
            facts: RECORDED,
            expect: ok(vec![], vec![]),
        });
        // Not under way: no reason asked.
        check(Case {
            board: "ppipppp ppppppp",
            step: 3,
            to: Pending,
            rationale: None,
            facts: RECORDED,
            expect: ok(vec![], vec![]),
        });
        check(Case {
            board: "ppppppp ppppppp",
            step: 3,
            to: NotNeeded,
            rationale: Some("one-person team"),
            facts: RECORDED,
            expect: ok(vec![], vec![ReasonKind::NotNeeded]),
        });
    }

    #[test]
    fn communication_warns_before_containment() {
        use Step::{CutOffAttackVector as S2, IsolateAffectedInstances as S4, StopAttack as S1};
        let containment = |step, unsettled| StepWarning::ContainmentIncomplete { step, unsettled };
        for to in [InProgress, Done] {
            check(Case {
                board: "ppppppp ppppppp",
                step: 11,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(
                    vec![containment(Step::InternalCommunication, vec![S1, S2, S4])],
                    vec![],
                ),
            });
            check(Case {
                board: "dnpiddd ppppppp",
                step: 11,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(
                    vec![containment(Step::InternalCommunication, vec![S4])],
                    vec![],
                ),
            });
            check(Case {
                board: "ddpnppp ppppppp",
                step: 11,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(vec![], vec![]),
            });
            check(Case {
                board: "idpdppp ppppppp",
                step: 14,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(
                    vec![containment(Step::ExternalCommunication, vec![S1])],
                    vec![],
                ),
            });
            check(Case {
                board: "ddpdppp ppppppp",
                step: 14,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(vec![], vec![]),
            });
            // Other steps never carry the containment warning.
            check(Case {
                board: "ppppppp ppppppp",
                step: 12,
                to,
                rationale: None,
                facts: RECORDED,
                expect: ok(vec![], vec![]),
            });
        }
        // Deciding communication is not needed is not communicating.
        check(Case {
            board: "ppppppp ppppppp",
            step: 11,
            to: NotNeeded,
            rationale: Some("one team affected"),
            facts: RECORDED,
            expect: ok(vec![], vec![ReasonKind::NotNeeded]),
        });
        check(Case {
            board: "ppppppp ppppppi",
            step: 14,
            to: Pending,
            rationale: None,
            facts: RECORDED,
            expect: ok(vec![], vec![]),
        });
    }

    #[test]
    fn external_communication_warns_without_attack_records() {
        use Step::{IdentifyAttackTimeline as S5, IdentifyCompromisedData as S6};
        let missing = |missing| StepWarning::AttackRecordsMissing { missing };
        let facts = |timeline_entries, compromised_data_sets| StepFacts {
            timeline_entries,
            compromised_data_sets,
            ..RECORDED
        };
        let contained = "ddddppp ppppppp";
        check(Case {
            board: contained,
            step: 14,
            to: InProgress,
            rationale: None,
            facts: facts(0, 0),
            expect: ok(vec![missing(vec![S5, S6])], vec![]),
        });
        check(Case {
            board: contained,
            step: 14,
            to: Done,
            rationale: None,
            facts: facts(2, 0),
            expect: ok(vec![missing(vec![S6])], vec![]),
        });
        check(Case {
            board: contained,
            step: 14,
            to: Done,
            rationale: None,
            facts: facts(0, 1),
            expect: ok(vec![missing(vec![S5])], vec![]),
        });
        check(Case {
            board: contained,
            step: 14,
            to: Done,
            rationale: None,
            facts: facts(1, 1),
            expect: ok(vec![], vec![]),
        });
        // A step judged not needed has nothing to record.
        check(Case {
            board: "ddddpnp ppppppp",
            step: 14,
            to: Done,
            rationale: None,
            facts: facts(1, 0),
            expect: ok(vec![], vec![]),
        });
        // Both warnings together, containment first.
        check(Case {
            board: "ppppppp ppppppp",
            step: 14,
            to: InProgress,
            rationale: None,
            facts: facts(0, 0),
            expect: ok(
                vec![
                    StepWarning::ContainmentIncomplete {
                        step: Step::ExternalCommunication,
                        unsettled: vec![
                            Step::StopAttack,
                            Step::CutOffAttackVector,
                            Step::IsolateAffectedInstances,
                        ],
                    },
                    missing(vec![S5, S6]),
                ],
                vec![],
            ),
        });
        // Step 11 does not ask for attack records.
        check(Case {
            board: contained,
            step: 11,
            to: Done,
            rationale: None,
            facts: facts(0, 0),
            expect: ok(vec![], vec![]),
        });
    }

    #[test]
    fn person_detected_asks_which_monitor_should_have_fired() {
        let facts = |detected_by, monitoring_action_items| StepFacts {
            detected_by,
            monitoring_action_items,
            ..PERSON
        };
        let ask = || ok(vec![StepWarning::WhichMonitorShouldHaveFired], vec![]);
        let b = "ddddddd ppppppp";
        for to in [InProgress, Done] {
            check(Case {
                board: b,
                step: 9,
                to,
                rationale: None,
                facts: facts(DetectionSource::Person, 0),
                expect: ask(),
            });
            check(Case {
                board: b,
                step: 9,
                to,
                rationale: None,
                facts: facts(DetectionSource::Person, 1),
                expect: ok(vec![], vec![]),
            });
            check(Case {
                board: b,
                step: 9,
                to,
                rationale: None,
                facts: facts(DetectionSource::Monitor, 0),
                expect: ok(vec![], vec![]),
            });
            check(Case {
                board: b,
                step: 9,
                to,
                rationale: None,
                facts: facts(DetectionSource::Unknown, 0),
                expect: ok(vec![], vec![]),
            });
            check(Case {
                board: b,
                step: 8,
                to,
                rationale: None,
                facts: facts(DetectionSource::Person, 0),
                expect: ok(vec![], vec![]),
            });
        }
        check(Case {
            board: b,
            step: 9,
            to: NotNeeded,
            rationale: Some("monitoring already covers it"),
            facts: facts(DetectionSource::Person, 0),
            expect: ok(vec![], vec![ReasonKind::NotNeeded]),
        });
    }

    #[test]
    fn unrotated_credentials_need_a_reason_to_finish_step_2() {
        let facts = StepFacts {
            unrotated_credentials: 2,
            ..RECORDED
        };
        let b = board("dippp ppppp pppp");
        let err = change_step(
            &b,
            Step::CutOffAttackVector,
            Done,
            None,
            &alice(),
            at(1),
            &facts,
        )
        .unwrap_err();
        assert_eq!(err, StepError::CredentialsNotRotated { count: 2 });
        assert!(err.to_string().starts_with("field `rationale`"), "{err}");

        let change = change_step(
            &b,
            Step::CutOffAttackVector,
            Done,
            Some(
                "the vendor rotates the key on 2026-05-03; access is blocked at the WAF meanwhile",
            ),
            &alice(),
            at(1),
            &facts,
        )
        .unwrap();
        assert_eq!(
            change.warnings,
            vec![StepWarning::UnrotatedCredentials { count: 2 }]
        );
        assert_eq!(change.reasons[0].kind, ReasonKind::UnrotatedCredentials);

        // Work on step 2 may go on; only finishing it is questioned.
        assert!(
            change_step(
                &b,
                Step::CutOffAttackVector,
                Pending,
                None,
                &alice(),
                at(1),
                &facts
            )
            .is_ok()
        );
        assert!(
            change_step(
                &b,
                Step::CutOffAttackVector,
                Done,
                None,
                &alice(),
                at(1),
                &RECORDED
            )
            .is_ok()
        );
    }

    #[test]
    fn bad_rationale_text_is_an_error_naming_the_field() {
        let err = change_step(
            &board("ppppppp ppppppp"),
            Step::StopAttack,
            Done,
            Some("bell\u{7}"),
            &alice(),
            at(1),
            &RECORDED,
        )
        .unwrap_err();
        assert_eq!(
            err,
            StepError::Rationale(TextError::BadCharacter {
                field: "rationale",
                found: '\u{7}'
            })
        );
        assert!(err.to_string().starts_with("field `rationale`"), "{err}");
        for err in [
            StepError::RationaleRequired {
                step: Step::LawEnforcement,
            },
            StepError::ContainmentReasonRequired {
                unsettled: vec![Step::StopAttack],
            },
            StepError::Unchanged {
                step: Step::StopAttack,
                state: Done,
            },
        ] {
            assert!(err.to_string().starts_with("field `"), "{err}");
        }
        assert_eq!(
            StepError::ContainmentReasonRequired {
                unsettled: vec![Step::StopAttack, Step::CutOffAttackVector]
            }
            .to_string(),
            "field `rationale`: assembling the response team before steps 1 and 2 are done needs a written reason why containment is not a quick fix (not yet done: step 1 (Stop the attack in progress), step 2 (Cut off the attack vector))"
        );
    }

    #[test]
    fn timestamps_follow_the_work() {
        let facts = StepFacts::default();
        let mut b = StepBoard::new();
        let mut go = |to, rationale, t| {
            let change =
                change_step(&b, Step::StopAttack, to, rationale, &alice(), at(t), &facts).unwrap();
            assert_eq!(change.changed_at, at(t));
            assert_eq!(change.changed_by, alice());
            b.apply(&change);
            let e = b.entry(Step::StopAttack).clone();
            (e.started_at, e.completed_at, e.rationale.map(String::from))
        };
        assert_eq!(go(InProgress, None, 10), (Some(at(10)), None, None));
        assert_eq!(
            go(Done, Some("blocked the IP"), 20),
            (Some(at(10)), Some(at(20)), Some("blocked the IP".into()))
        );
        // Reopened: started kept, completion cleared, the reason kept.
        assert_eq!(
            go(InProgress, None, 30),
            (Some(at(10)), None, Some("blocked the IP".into()))
        );
        assert_eq!(
            go(NotNeeded, Some("false alarm"), 40),
            (Some(at(10)), Some(at(40)), Some("false alarm".into()))
        );
        // Amending the rationale keeps the time it was decided.
        assert_eq!(
            go(NotNeeded, Some("false alarm, confirmed"), 45),
            (
                Some(at(10)),
                Some(at(40)),
                Some("false alarm, confirmed".into())
            )
        );
        // Back in play: the not_needed rationale no longer applies.
        assert_eq!(go(Done, None, 50), (Some(at(10)), Some(at(50)), None));
        assert_eq!(go(Pending, None, 60), (None, None, None));
        // Done straight from pending: started and completed together.
        assert_eq!(go(Done, None, 70), (Some(at(70)), Some(at(70)), None));
        // Not needed straight from pending: never started.
        assert_eq!(go(Pending, None, 80), (None, None, None));
        assert_eq!(
            go(NotNeeded, Some("x"), 90),
            (None, Some(at(90)), Some("x".into()))
        );
    }

    #[test]
    fn closing_needs_every_step_settled() {
        assert_eq!(can_close(&board("ddddddd ddddddd")), Ok(()));
        assert_eq!(can_close(&board("dndndnd ndndndn")), Ok(()));
        let open = |list: &[(u8, StepState)]| {
            Err(CloseError::StepsOpen {
                open: list
                    .iter()
                    .map(|&(n, state)| OpenStep {
                        step: Step::from_number(n).unwrap(),
                        state,
                    })
                    .collect(),
            })
        };
        assert_eq!(
            can_close(&board("ddidddd ddddddp")),
            open(&[(3, InProgress), (14, Pending)])
        );
        assert_eq!(
            can_close(&StepBoard::new()),
            open(&Step::ALL.map(|s| (s.number(), Pending)))
        );
        let message = can_close(&board("ddidddd ddddddd"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "field `steps`: the incident cannot close while steps are not done or not_needed: step 3 (Assemble the response team) is in_progress"
        );
    }

    #[test]
    fn step_numbers_titles_and_serde() {
        let titles = [
            "Stop the attack in progress",
            "Cut off the attack vector",
            "Assemble the response team",
            "Isolate affected instances",
            "Identify the attack timeline",
            "Identify compromised data",
            "Assess risk to other systems",
            "Assess risk of re-attack",
            "Additional mitigations and monitoring",
            "Forensic analysis",
            "Internal communication",
            "Involve law enforcement",
            "Contact external parties used as attack vectors",
            "External communication",
        ];
        for (i, (step, title)) in Step::ALL.into_iter().zip(titles).enumerate() {
            let number = u8::try_from(i + 1).unwrap();
            assert_eq!(step.number(), number);
            assert_eq!(Step::from_number(number), Some(step));
            assert_eq!(step.title(), title);
            assert!(step.description().ends_with('.'), "{step}");
            assert_eq!(serde_json::to_string(&step).unwrap(), number.to_string());
            assert_eq!(
                serde_json::from_str::<Step>(&number.to_string()).unwrap(),
                step
            );
        }
        for bad in [0u8, 15, 255] {
            assert_eq!(Step::from_number(bad), None);
            assert_eq!(Step::try_from(bad), Err(StepNumberError { number: bad }));
        }
        assert!(serde_json::from_str::<Step>("15").is_err());
        assert!(serde_json::from_str::<Step>("\"3\"").is_err());
        for (state, name) in [
            (Pending, "pending"),
            (InProgress, "in_progress"),
            (Done, "done"),
            (NotNeeded, "not_needed"),
        ] {
            assert_eq!(
                serde_json::to_string(&state).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(state.as_str(), name);
        }
    }

    #[test]
    fn boards_round_trip_and_reject_bad_lists() {
        let b = board("dnipddd ppppppp");
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<StepBoard>(&json).unwrap(), b);

        let mut entries: Vec<StepEntry> = StepBoard::new().into();
        entries.reverse();
        assert_eq!(
            StepBoard::from_entries(entries.clone()),
            Ok(StepBoard::new())
        );
        let last = entries.pop().unwrap();
        assert_eq!(
            StepBoard::from_entries(entries.clone()),
            Err(BoardError::Missing {
                step: Step::StopAttack
            })
        );
        entries.push(entries[0].clone());
        assert_eq!(
            StepBoard::from_entries(entries.clone()),
            Err(BoardError::Duplicate {
                step: Step::ExternalCommunication
            })
        );
        entries.pop();
        entries.push(StepEntry {
            state: NotNeeded,
            ..last
        });
        assert_eq!(
            StepBoard::from_entries(entries),
            Err(BoardError::NotNeededWithoutRationale {
                step: Step::StopAttack
            })
        );

        let unknown = r#"[{"step":1,"state":"pending","rationale":null,"started_at":null,"completed_at":null,"owner":"x"}]"#;
        assert!(
            serde_json::from_str::<StepBoard>(unknown)
                .unwrap_err()
                .to_string()
                .contains("unknown field")
        );
    }

    #[test]
    fn warnings_serialize_with_a_kind() {
        let w = StepWarning::ContainmentIncomplete {
            step: Step::InternalCommunication,
            unsettled: vec![Step::StopAttack],
        };
        assert_eq!(
            serde_json::to_string(&w).unwrap(),
            r#"{"kind":"containment_incomplete","step":11,"unsettled":[1]}"#
        );
        assert_eq!(
            serde_json::to_string(&StepWarning::WhichMonitorShouldHaveFired).unwrap(),
            r#"{"kind":"which_monitor_should_have_fired"}"#
        );
        assert_eq!(
            w.to_string(),
            "step 11 (Internal communication) is under way while containment is not done: step 1 (Stop the attack in progress)"
        );
        assert!(
            StepWarning::WhichMonitorShouldHaveFired
                .to_string()
                .contains("which monitor should have fired?")
        );
    }
}
