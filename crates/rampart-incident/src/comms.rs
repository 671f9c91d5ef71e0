//! Steps 11 and 14: deciding whether to communicate, drafting, approving
//! and recording what was sent.
//!
//! The controls DESIGN.md §5 asks for live here: internal communication
//! needs a sign-off that the attack is not believed to be internal (the
//! announcement would warn an insider); external communication needs the
//! commander's and legal's approval, a date in its title, and should wait
//! until the attack timeline and the compromised data are recorded. There is
//! deliberately no notion of a periodic update: nothing here schedules or
//! reminds anyone of anything.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::role::MemberRole;
use crate::step::{Step, StepFacts};
use crate::text::{NonEmptyText, UserName};

/// Internal (step 11) or external (step 14) communication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommsScope {
    /// Step 11: staff.
    Internal,
    /// Step 14: customers, regulators, partners, the public.
    External,
}

impl CommsScope {
    /// The step the scope's records belong to.
    pub fn step(self) -> Step {
        match self {
            Self::Internal => Step::InternalCommunication,
            Self::External => Step::ExternalCommunication,
        }
    }

    /// Who must approve a draft before it is sent.
    pub fn required_approvals(self) -> &'static [Approver] {
        match self {
            Self::Internal => &[Approver::Commander],
            Self::External => &[Approver::Commander, Approver::Legal],
        }
    }
}

impl fmt::Display for CommsScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Internal => "internal",
            Self::External => "external",
        })
    }
}

/// Whom a communication is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Staff (step 11).
    Internal,
    /// Customers (step 14).
    Customers,
    /// Regulators and supervisory authorities (step 14).
    Regulators,
    /// Partners and suppliers (step 14).
    Partners,
    /// The public: press, status page (step 14).
    Public,
}

impl Audience {
    /// The scope, hence the step, a draft for this audience belongs to.
    pub fn scope(self) -> CommsScope {
        match self {
            Self::Internal => CommsScope::Internal,
            _ => CommsScope::External,
        }
    }

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Customers => "customers",
            Self::Regulators => "regulators",
            Self::Partners => "partners",
            Self::Public => "public",
        }
    }

    /// Whether the audience is the people whose data or service was hit,
    /// who must be told what was and was not compromised.
    fn is_affected_public(self) -> bool {
        matches!(self, Self::Customers | Self::Public)
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Steps 11 and 14: whether to communicate at all, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommsDecision {
    /// Needed or not.
    pub needed: bool,
    /// Why.
    pub rationale: NonEmptyText,
    /// Who decided (the recorder may be the scribe).
    pub decided_by: UserName,
}

/// Who approves a draft, in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// The incident commander.
    Commander,
    /// The incident's legal member.
    Legal,
}

impl Approver {
    /// The capacity a member with `role` approves in, if any. Deputies do
    /// not approve: the approval is the commander's accountability.
    pub fn for_role(role: MemberRole) -> Option<Self> {
        match role {
            MemberRole::Commander => Some(Self::Commander),
            MemberRole::Legal => Some(Self::Legal),
            _ => None,
        }
    }
}

impl fmt::Display for Approver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Commander => "commander",
            Self::Legal => "legal",
        })
    }
}

/// One approval of a draft's current text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// In which capacity.
    pub approver: Approver,
    /// Who.
    pub by: UserName,
    /// When.
    pub at: Timestamp,
}

/// A sign-off that the attack is not believed to come from inside, so an
/// internal announcement does not tip off the attacker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsiderSignoff {
    /// Who signed off.
    pub by: UserName,
    /// When.
    pub at: Timestamp,
    /// On what grounds.
    pub rationale: NonEmptyText,
}

/// That a draft was sent, how and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentRecord {
    /// Channel ("all-staff e-mail", "status page", "regulator portal").
    pub channel: NonEmptyText,
    /// When it went out.
    pub at: Timestamp,
    /// Who sent it.
    pub by: UserName,
}

/// What a responder writes for a draft; approvals, sign-off and sending are
/// separate acts with their own routes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommsDraftInput {
    /// Whom it is for.
    pub audience: Audience,
    /// The announcement's title; external titles carry a date.
    pub title: NonEmptyText,
    /// The text.
    pub body: NonEmptyText,
    /// External: what was compromised.
    #[serde(default)]
    pub compromised: Option<NonEmptyText>,
    /// External: what was not compromised.
    #[serde(default)]
    pub not_compromised: Option<NonEmptyText>,
    /// External: what the recipients must do (rotate keys, watch for phishing).
    #[serde(default)]
    pub recipient_actions: Option<NonEmptyText>,
}

/// Steps 11 and 14: a communication, its approvals and whether it went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommsDraft {
    /// The text as written.
    pub content: CommsDraftContent,
    /// Approvals of this text; editing the text clears them.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// Internal drafts: the sign-off that the attack is not internal.
    #[serde(default)]
    pub insider_signoff: Option<InsiderSignoff>,
    /// Set once, when it was sent.
    #[serde(default)]
    pub sent: Option<SentRecord>,
}

/// The written part of a draft (everything an edit may change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommsDraftContent {
    /// Whom it is for.
    pub audience: Audience,
    /// Title.
    pub title: NonEmptyText,
    /// Text.
    pub body: NonEmptyText,
    /// What was compromised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised: Option<NonEmptyText>,
    /// What was not compromised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_compromised: Option<NonEmptyText>,
    /// What the recipients must do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_actions: Option<NonEmptyText>,
}

impl From<CommsDraftInput> for CommsDraftContent {
    fn from(i: CommsDraftInput) -> Self {
        Self {
            audience: i.audience,
            title: i.title,
            body: i.body,
            compromised: i.compromised,
            not_compromised: i.not_compromised,
            recipient_actions: i.recipient_actions,
        }
    }
}

/// A change to a draft that the rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommsError {
    /// The audience belongs to the other communication step.
    #[error("field `audience`: {audience} communication belongs to step {}, not {step}", audience.scope().step())]
    WrongStep { audience: Audience, step: Step },
    /// A sent draft is history.
    #[error("field `sent`: the draft was already sent; write a new one instead")]
    AlreadySent,
    /// The member's role approves nothing.
    #[error(
        "field `approver`: only the commander and the legal member approve communications, not a {role}"
    )]
    NotAnApprover { role: MemberRole },
    /// Legal approval of an internal note is not part of the process.
    #[error("field `approver`: internal communication needs the commander's approval only")]
    ApprovalNotNeeded { approver: Approver },
    /// The same capacity approved this text already.
    #[error("field `approver`: the {approver} already approved this text")]
    AlreadyApproved { approver: Approver },
    /// The insider sign-off is for internal communication.
    #[error("field `insider_signoff`: only internal communication needs the insider sign-off")]
    SignoffNotApplicable,
    /// Someone already signed off.
    #[error("field `insider_signoff`: {by} already signed off")]
    AlreadySignedOff { by: UserName },
    /// Sending needs every required approval.
    #[error(
        "field `approvals`: the draft cannot be sent without the approval of: {}",
        list(missing)
    )]
    ApprovalsMissing { missing: Vec<Approver> },
    /// Internal communication needs the sign-off before it goes out.
    #[error(
        "field `insider_signoff`: internal communication is sent only after someone signs off that the attack is not believed to be internal"
    )]
    SignoffMissing,
    /// An edit that changes nothing.
    #[error("the draft already has this text")]
    Unchanged,
}

fn list(items: &[Approver]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Something to tell whoever writes or sends a communication. Never blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CommsWarning {
    /// Customers or the public would be told before the attack timeline or
    /// the compromised data are recorded: the message may be wrong.
    AttackRecordsMissing {
        /// Steps 5 and/or 6 with no records.
        missing: Vec<Step>,
    },
    /// An external announcement's title has no date, so readers cannot tell
    /// an old notice from a new one.
    TitleWithoutDate,
    /// An internal announcement still needs the insider sign-off.
    InsiderSignoffNeeded,
}

impl fmt::Display for CommsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AttackRecordsMissing { missing } => write!(
                f,
                "customer communication before these steps have records: {}; the notice may say the wrong thing",
                missing
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::TitleWithoutDate => f.write_str(
                "the title carries no date (e.g. 2026-05-01 or 1 May 2026); readers must tell this notice from later ones",
            ),
            Self::InsiderSignoffNeeded => f.write_str(
                "before this goes out, someone must sign off that the attack is not believed to be internal",
            ),
        }
    }
}

impl CommsDraft {
    /// A new draft for the step `step`.
    pub fn new(input: CommsDraftInput, step: Step) -> Result<Self, CommsError> {
        check_step(input.audience, step)?;
        Ok(Self {
            content: input.into(),
            approvals: Vec::new(),
            insider_signoff: None,
            sent: None,
        })
    }

    /// Internal or external.
    pub fn scope(&self) -> CommsScope {
        self.content.audience.scope()
    }

    /// The draft with its text replaced. A changed text needs approving
    /// again (an approval is of the words, not of the topic); the insider
    /// sign-off concerns the incident, not the words, so it stays.
    pub fn edit(&self, input: CommsDraftInput, step: Step) -> Result<Self, CommsError> {
        check_step(input.audience, step)?;
        if self.sent.is_some() {
            return Err(CommsError::AlreadySent);
        }
        let content = CommsDraftContent::from(input);
        if content == self.content {
            return Err(CommsError::Unchanged);
        }
        Ok(Self {
            content,
            approvals: Vec::new(),
            insider_signoff: self.insider_signoff.clone(),
            sent: None,
        })
    }

    /// The draft approved by `by`, a member with `role`, at `now`.
    pub fn approve(
        &self,
        by: &UserName,
        role: MemberRole,
        now: Timestamp,
    ) -> Result<Self, CommsError> {
        if self.sent.is_some() {
            return Err(CommsError::AlreadySent);
        }
        let approver = Approver::for_role(role).ok_or(CommsError::NotAnApprover { role })?;
        if !self.scope().required_approvals().contains(&approver) {
            return Err(CommsError::ApprovalNotNeeded { approver });
        }
        if self.approvals.iter().any(|a| a.approver == approver) {
            return Err(CommsError::AlreadyApproved { approver });
        }
        let mut next = self.clone();
        next.approvals.push(Approval {
            approver,
            by: by.clone(),
            at: now,
        });
        Ok(next)
    }

    /// The draft with the insider sign-off.
    pub fn sign_off_not_insider(
        &self,
        by: &UserName,
        rationale: NonEmptyText,
        now: Timestamp,
    ) -> Result<Self, CommsError> {
        if self.scope() != CommsScope::Internal {
            return Err(CommsError::SignoffNotApplicable);
        }
        if self.sent.is_some() {
            return Err(CommsError::AlreadySent);
        }
        if let Some(existing) = &self.insider_signoff {
            return Err(CommsError::AlreadySignedOff {
                by: existing.by.clone(),
            });
        }
        let mut next = self.clone();
        next.insider_signoff = Some(InsiderSignoff {
            by: by.clone(),
            at: now,
            rationale,
        });
        Ok(next)
    }

    /// Approvals still missing before the draft may be sent.
    pub fn missing_approvals(&self) -> Vec<Approver> {
        self.scope()
            .required_approvals()
            .iter()
            .copied()
            .filter(|needed| !self.approvals.iter().any(|a| a.approver == *needed))
            .collect()
    }

    /// The draft recorded as sent. Refused without the approvals (and, for
    /// internal communication, the insider sign-off): these are the controls
    /// that keep an unreviewed or insider-alerting message from going out.
    pub fn mark_sent(&self, sent: SentRecord) -> Result<Self, CommsError> {
        if self.sent.is_some() {
            return Err(CommsError::AlreadySent);
        }
        let missing = self.missing_approvals();
        if !missing.is_empty() {
            return Err(CommsError::ApprovalsMissing { missing });
        }
        if self.scope() == CommsScope::Internal && self.insider_signoff.is_none() {
            return Err(CommsError::SignoffMissing);
        }
        let mut next = self.clone();
        next.sent = Some(sent);
        Ok(next)
    }

    /// What the writer should know about this draft now.
    pub fn warnings(&self, facts: &StepFacts, not_needed: &[Step]) -> Vec<CommsWarning> {
        let mut warnings = Vec::new();
        match self.scope() {
            CommsScope::Internal => {
                if self.insider_signoff.is_none() && self.sent.is_none() {
                    warnings.push(CommsWarning::InsiderSignoffNeeded);
                }
            }
            CommsScope::External => {
                if self.content.audience.is_affected_public() {
                    let missing: Vec<Step> = [
                        (Step::IdentifyAttackTimeline, facts.timeline_entries),
                        (Step::IdentifyCompromisedData, facts.compromised_data_sets),
                    ]
                    .into_iter()
                    .filter(|&(step, count)| count == 0 && !not_needed.contains(&step))
                    .map(|(step, _)| step)
                    .collect();
                    if !missing.is_empty() {
                        warnings.push(CommsWarning::AttackRecordsMissing { missing });
                    }
                }
                if !carries_date(self.content.title.as_str()) {
                    warnings.push(CommsWarning::TitleWithoutDate);
                }
            }
        }
        warnings
    }
}

fn check_step(audience: Audience, step: Step) -> Result<(), CommsError> {
    if audience.scope().step() == step {
        Ok(())
    } else {
        Err(CommsError::WrongStep { audience, step })
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Whether `title` names a date: ISO (`2026-05-01`), numeric (`01.05.2026`,
/// `5/1/2026`), or a month name next to a four-digit year (`1 May 2026`,
/// `May 1, 2026`, `May 2026`).
pub fn carries_date(title: &str) -> bool {
    let lower = title.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let is_year = |t: &str| {
        let t = t.trim_matches(|c: char| !c.is_ascii_digit());
        t.len() == 4 && t.starts_with(['1', '2'])
    };
    for token in &tokens {
        let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let parts: Vec<&str> = token.split(['-', '.', '/']).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            && parts.iter().any(|p| p.len() == 4)
        {
            return true;
        }
    }
    tokens.iter().enumerate().any(|(i, token)| {
        let word = token.trim_matches(|c: char| !c.is_alphabetic());
        let is_month = word.len() >= 3 && MONTHS.iter().any(|m| word.starts_with(m));
        is_month
            && tokens[i + 1..]
                .iter()
                .take(2)
                .chain(tokens[..i].iter().rev().take(1))
                .any(|t| is_year(t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserName {
        UserName::parse(name).unwrap()
    }

    fn text(s: &str) -> NonEmptyText {
        NonEmptyText::parse("text", s).unwrap()
    }

    fn input(audience: Audience, title: &str) -> CommsDraftInput {
        CommsDraftInput {
            audience,
            title: text(title),
            body: text("We detected unauthorised access."),
            compromised: None,
            not_compromised: None,
            recipient_actions: None,
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + s).unwrap()
    }

    fn sent() -> SentRecord {
        SentRecord {
            channel: text("e-mail"),
            at: at(100),
            by: user("carol"),
        }
    }

    #[test]
    fn audience_decides_the_step() {
        let err = CommsDraft::new(input(Audience::Customers, "x"), Step::InternalCommunication)
            .unwrap_err();
        assert!(matches!(err, CommsError::WrongStep { .. }));
        assert!(err.to_string().contains("step 14"), "{err}");
        assert!(
            CommsDraft::new(input(Audience::Internal, "x"), Step::InternalCommunication).is_ok()
        );
    }

    #[test]
    fn external_needs_commander_and_legal_before_sending() {
        let step = Step::ExternalCommunication;
        let draft = CommsDraft::new(input(Audience::Customers, "Notice 2026-05-01"), step).unwrap();
        assert_eq!(
            draft.mark_sent(sent()).unwrap_err(),
            CommsError::ApprovalsMissing {
                missing: vec![Approver::Commander, Approver::Legal]
            }
        );
        let by_commander = draft
            .approve(&user("alice"), MemberRole::Commander, at(1))
            .unwrap();
        assert_eq!(
            by_commander
                .approve(&user("alice"), MemberRole::Commander, at(2))
                .unwrap_err(),
            CommsError::AlreadyApproved {
                approver: Approver::Commander
            }
        );
        assert_eq!(
            by_commander
                .approve(&user("dave"), MemberRole::Deputy, at(2))
                .unwrap_err(),
            CommsError::NotAnApprover {
                role: MemberRole::Deputy
            }
        );
        assert_eq!(
            by_commander.mark_sent(sent()).unwrap_err(),
            CommsError::ApprovalsMissing {
                missing: vec![Approver::Legal]
            }
        );
        let approved = by_commander
            .approve(&user("lena"), MemberRole::Legal, at(3))
            .unwrap();
        let done = approved.mark_sent(sent()).unwrap();
        assert_eq!(done.sent, Some(sent()));
        assert_eq!(done.mark_sent(sent()).unwrap_err(), CommsError::AlreadySent);
        assert_eq!(
            done.edit(input(Audience::Customers, "Other 2026-05-02"), step)
                .unwrap_err(),
            CommsError::AlreadySent
        );
    }

    #[test]
    fn editing_clears_approvals_but_keeps_the_signoff() {
        let step = Step::InternalCommunication;
        let draft = CommsDraft::new(input(Audience::Internal, "Heads up"), step)
            .unwrap()
            .approve(&user("alice"), MemberRole::Commander, at(1))
            .unwrap()
            .sign_off_not_insider(
                &user("alice"),
                text("attacker used a leaked CI token"),
                at(2),
            )
            .unwrap();
        assert_eq!(
            draft
                .edit(input(Audience::Internal, "Heads up"), step)
                .unwrap_err(),
            CommsError::Unchanged
        );
        let edited = draft
            .edit(input(Audience::Internal, "Heads up, again"), step)
            .unwrap();
        assert!(edited.approvals.is_empty());
        assert!(edited.insider_signoff.is_some());
    }

    #[test]
    fn internal_needs_the_insider_signoff_and_no_legal_approval() {
        let step = Step::InternalCommunication;
        let draft = CommsDraft::new(input(Audience::Internal, "Heads up"), step).unwrap();
        assert_eq!(
            draft
                .approve(&user("lena"), MemberRole::Legal, at(1))
                .unwrap_err(),
            CommsError::ApprovalNotNeeded {
                approver: Approver::Legal
            }
        );
        let approved = draft
            .approve(&user("alice"), MemberRole::Commander, at(1))
            .unwrap();
        assert_eq!(
            approved.mark_sent(sent()).unwrap_err(),
            CommsError::SignoffMissing
        );
        assert_eq!(
            approved.warnings(&StepFacts::default(), &[]),
            vec![CommsWarning::InsiderSignoffNeeded]
        );
        let signed = approved
            .sign_off_not_insider(&user("bob"), text("external IP, stolen token"), at(2))
            .unwrap();
        assert!(matches!(
            signed
                .sign_off_not_insider(&user("bob"), text("again"), at(3))
                .unwrap_err(),
            CommsError::AlreadySignedOff { .. }
        ));
        assert!(signed.warnings(&StepFacts::default(), &[]).is_empty());
        assert!(signed.mark_sent(sent()).is_ok());

        let external =
            CommsDraft::new(input(Audience::Public, "x"), Step::ExternalCommunication).unwrap();
        assert_eq!(
            external
                .sign_off_not_insider(&user("bob"), text("x"), at(1))
                .unwrap_err(),
            CommsError::SignoffNotApplicable
        );
    }

    #[test]
    fn customer_notice_warnings() {
        let step = Step::ExternalCommunication;
        let draft = CommsDraft::new(input(Audience::Customers, "Security notice"), step).unwrap();
        assert_eq!(
            draft.warnings(&StepFacts::default(), &[]),
            vec![
                CommsWarning::AttackRecordsMissing {
                    missing: vec![Step::IdentifyAttackTimeline, Step::IdentifyCompromisedData]
                },
                CommsWarning::TitleWithoutDate
            ]
        );
        let facts = StepFacts {
            timeline_entries: 2,
            ..StepFacts::default()
        };
        assert_eq!(
            draft.warnings(&facts, &[Step::IdentifyCompromisedData]),
            vec![CommsWarning::TitleWithoutDate]
        );
        // Regulators are told what is known; the records check is for the
        // people whose data it is.
        let regulator = CommsDraft::new(
            input(Audience::Regulators, "Breach notification 2026-05-01"),
            step,
        )
        .unwrap();
        assert!(regulator.warnings(&StepFacts::default(), &[]).is_empty());
    }

    #[test]
    fn dates_in_titles() {
        for yes in [
            "Security notice 2026-05-01",
            "Security notice (01.05.2026)",
            "Notice of 5/1/2026",
            "Incident update, 1 May 2026",
            "Update: May 1, 2026",
            "September 2026 security incident",
        ] {
            assert!(carries_date(yes), "{yes:?}");
        }
        for no in [
            "Security notice",
            "Update on incident 2026",
            "May we have your attention",
            "Version 1.2.3",
            "Ticket 12-34-56",
        ] {
            assert!(!carries_date(no), "{no:?}");
        }
    }
}
