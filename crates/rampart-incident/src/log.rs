//! The response log: what the responders did, written automatically for
//! every change. (What the *attacker* did is the attack timeline, step 5.)

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::access::{AccessRoute, IncidentMember};
use crate::record::{RecordKind, StepRecord};
use crate::role::MemberRole;
use crate::step::{Step, StepChange};
use crate::text::{NonEmptyText, UserName};

/// What kind of change a log entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogAction {
    /// A step changed state (or its rationale).
    StepChanged,
    /// A step record was added.
    RecordAdded,
    /// A member joined or was added.
    MemberAdded,
    /// A non-member was granted access (approved request or break-glass).
    AccessGranted,
    /// Title, summary, severity, marking or detection source changed.
    DetailsEdited,
    /// A step's owner or notes changed.
    StepUpdated,
    /// A record was changed (e.g. an action item's status).
    RecordUpdated,
    /// A member's role changed.
    MemberRoleChanged,
    /// A member was removed.
    MemberRemoved,
    /// Someone asked to join.
    AccessRequested,
    /// An access request was denied.
    AccessDenied,
    /// Someone asked for break-glass access.
    BreakGlassRequested,
    /// A break-glass request was rejected.
    BreakGlassRejected,
    /// The incident was closed.
    Closed,
    /// The incident was reopened.
    Reopened,
    /// A stored evidence blob failed verification.
    EvidenceIntegrityFailure,
}

/// What a log entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum LogTarget {
    /// A step.
    Step { step: Step },
    /// A record of a step.
    Record { step: Step, kind: RecordKind },
    /// A member, or a user granted access.
    User { user: UserName },
    /// The incident as a whole.
    Incident,
}

/// One entry of an incident's response log. The store writes one for every
/// change, in the same transaction as the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseLogEntry {
    /// When the change was made.
    pub at: Timestamp,
    /// Who made it.
    pub actor: UserName,
    /// What kind of change.
    pub action: LogAction,
    /// What it changed.
    pub target: LogTarget,
    /// One human-readable line.
    pub summary: String,
    /// The full change as JSON, for the record: new state, warnings,
    /// reasons, the record's fields.
    pub detail: serde_json::Value,
}

/// Serializes a domain value for `detail`. These types serialize to JSON
/// without failure (string keys, no non-finite floats); `Null` is the
/// fallback rather than a panic should that ever change.
fn detail<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

impl ResponseLogEntry {
    /// The entry for a step change, with its warnings and reasons in `detail`
    /// and the reasons' text in the summary.
    pub fn step_changed(change: &StepChange) -> Self {
        let step = change.entry.step;
        let mut summary = if change.from == change.entry.state {
            format!("{step}: {} rationale amended", change.entry.state)
        } else {
            format!("{step}: {} → {}", change.from, change.entry.state)
        };
        for reason in &change.reasons {
            summary.push_str(&format!(" — {}", reason.text));
        }
        if !change.warnings.is_empty() {
            summary.push_str(&format!(" ({} warning(s))", change.warnings.len()));
        }
        Self {
            at: change.changed_at,
            actor: change.changed_by.clone(),
            action: LogAction::StepChanged,
            target: LogTarget::Step { step },
            summary,
            detail: detail(change),
        }
    }

    /// The entry for a record added to a step.
    pub fn record_added(actor: &UserName, record: &StepRecord, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::RecordAdded,
            target: LogTarget::Record {
                step: record.step(),
                kind: record.kind(),
            },
            summary: format!(
                "{} added to step {}: {}",
                record.kind(),
                record.step().number(),
                record.summary()
            ),
            detail: detail(record),
        }
    }

    /// The entry for a member added to the incident.
    pub fn member_added(actor: &UserName, member: &IncidentMember, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::MemberAdded,
            target: LogTarget::User {
                user: member.user.clone(),
            },
            summary: format!("{} added as {}", member.user, member.role),
            detail: detail(member),
        }
    }

    /// The entry for access granted to `grantee` — by an approved access
    /// request (the route is the membership it creates) or by break-glass.
    /// `actor` is whoever approved; `reason` the requester's written reason.
    pub fn access_granted(
        actor: &UserName,
        grantee: &UserName,
        route: &AccessRoute,
        reason: &NonEmptyText,
        at: Timestamp,
    ) -> Self {
        let summary = match route {
            AccessRoute::Membership { role } => {
                format!("access request of {grantee} approved as {role} — {reason}")
            }
            AccessRoute::BreakGlass { .. } => {
                format!("break-glass access for {grantee} approved — {reason}")
            }
        };
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::AccessGranted,
            target: LogTarget::User {
                user: grantee.clone(),
            },
            summary,
            detail: serde_json::json!({ "route": detail(route), "reason": reason }),
        }
    }

    /// The entry for edited incident details; `fields` names what changed.
    pub fn details_edited(
        actor: &UserName,
        fields: &[&str],
        change: serde_json::Value,
        at: Timestamp,
    ) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::DetailsEdited,
            target: LogTarget::Incident,
            summary: format!("incident details changed: {}", fields.join(", ")),
            detail: change,
        }
    }

    /// The entry for a step's owner or notes changing (not its state).
    pub fn step_updated(
        actor: &UserName,
        step: Step,
        owner: Option<Option<&UserName>>,
        notes_changed: bool,
        at: Timestamp,
    ) -> Self {
        let mut parts = Vec::new();
        match owner {
            Some(Some(owner)) => parts.push(format!("owner {owner}")),
            Some(None) => parts.push("owner cleared".to_owned()),
            None => {}
        }
        if notes_changed {
            parts.push("notes updated".to_owned());
        }
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::StepUpdated,
            target: LogTarget::Step { step },
            summary: format!("{step}: {}", parts.join(", ")),
            detail: serde_json::json!({
                "owner": owner.map(|o| o.map(UserName::as_str)),
                "notes_changed": notes_changed,
            }),
        }
    }

    /// The entry for an evidence blob that no longer matches its digest.
    pub fn evidence_integrity_failure(
        actor: &UserName,
        record_id: i64,
        what: &str,
        at: Timestamp,
    ) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::EvidenceIntegrityFailure,
            target: LogTarget::Record {
                step: Step::ForensicAnalysis,
                kind: RecordKind::EvidenceItem,
            },
            summary: format!("evidence item #{record_id} FAILED integrity verification: {what}"),
            detail: serde_json::json!({ "id": record_id, "what": what }),
        }
    }

    /// The entry for a changed record, with its new content.
    pub fn record_updated(actor: &UserName, id: i64, record: &StepRecord, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::RecordUpdated,
            target: LogTarget::Record {
                step: record.step(),
                kind: record.kind(),
            },
            summary: format!("{} #{id} changed: {}", record.kind(), record.summary()),
            detail: serde_json::json!({ "id": id, "record": detail(record) }),
        }
    }

    /// The entry for a member whose role changed.
    pub fn member_role_changed(
        actor: &UserName,
        member: &IncidentMember,
        from: MemberRole,
        at: Timestamp,
    ) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::MemberRoleChanged,
            target: LogTarget::User {
                user: member.user.clone(),
            },
            summary: format!("{} is now {} (was {from})", member.user, member.role),
            detail: serde_json::json!({ "from": from, "to": member.role }),
        }
    }

    /// The entry for a member removed from the incident.
    pub fn member_removed(actor: &UserName, member: &IncidentMember, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::MemberRemoved,
            target: LogTarget::User {
                user: member.user.clone(),
            },
            summary: format!("{} ({}) removed", member.user, member.role),
            detail: detail(member),
        }
    }

    /// The entry for a request to join, written by the requester.
    pub fn access_requested(
        requester: &UserName,
        role: MemberRole,
        reason: &NonEmptyText,
        at: Timestamp,
    ) -> Self {
        Self {
            at,
            actor: requester.clone(),
            action: LogAction::AccessRequested,
            target: LogTarget::User {
                user: requester.clone(),
            },
            summary: format!("{requester} asks to join as {role} — {reason}"),
            detail: serde_json::json!({ "role": role, "reason": reason }),
        }
    }

    /// The entry for a denied access request.
    pub fn access_denied(
        actor: &UserName,
        requester: &UserName,
        reason: Option<&NonEmptyText>,
        at: Timestamp,
    ) -> Self {
        let mut summary = format!("access request of {requester} denied");
        if let Some(reason) = reason {
            summary.push_str(&format!(" — {reason}"));
        }
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::AccessDenied,
            target: LogTarget::User {
                user: requester.clone(),
            },
            summary,
            detail: serde_json::json!({ "reason": reason }),
        }
    }

    /// The entry for a break-glass request, written by the requester.
    pub fn break_glass_requested(
        requester: &UserName,
        reason: &NonEmptyText,
        at: Timestamp,
    ) -> Self {
        Self {
            at,
            actor: requester.clone(),
            action: LogAction::BreakGlassRequested,
            target: LogTarget::User {
                user: requester.clone(),
            },
            summary: format!("{requester} asks for break-glass access — {reason}"),
            detail: serde_json::json!({ "reason": reason }),
        }
    }

    /// The entry for a rejected break-glass request.
    pub fn break_glass_rejected(actor: &UserName, requester: &UserName, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::BreakGlassRejected,
            target: LogTarget::User {
                user: requester.clone(),
            },
            summary: format!("break-glass request of {requester} rejected"),
            detail: serde_json::Value::Null,
        }
    }

    /// The entry for closing the incident.
    pub fn closed(actor: &UserName, open_action_items: usize, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::Closed,
            target: LogTarget::Incident,
            summary: format!("incident closed; {open_action_items} action item(s) stay open"),
            detail: serde_json::json!({ "open_action_items": open_action_items }),
        }
    }

    /// The entry for reopening the incident.
    pub fn reopened(actor: &UserName, at: Timestamp) -> Self {
        Self {
            at,
            actor: actor.clone(),
            action: LogAction::Reopened,
            target: LogTarget::Incident,
            summary: "incident reopened".to_owned(),
            detail: serde_json::Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::record::{RiskLevel, SystemRiskAssessment};
    use crate::step::{StepBoard, StepFacts, StepState, change_step};

    fn user(name: &str) -> UserName {
        UserName::parse(name).unwrap()
    }

    fn text(s: &str) -> NonEmptyText {
        NonEmptyText::parse("text", s).unwrap()
    }

    fn at() -> Timestamp {
        "2026-05-01T10:00:00Z".parse().unwrap()
    }

    fn step_entry(
        step: Step,
        to: StepState,
        rationale: Option<&str>,
        board: &StepBoard,
    ) -> ResponseLogEntry {
        let change = change_step(
            board,
            step,
            to,
            rationale,
            &user("alice"),
            at(),
            &StepFacts::default(),
        )
        .unwrap();
        ResponseLogEntry::step_changed(&change)
    }

    #[test]
    fn step_change_entries() {
        let fresh = StepBoard::new();
        let cases = [
            (
                Step::StopAttack,
                StepState::InProgress,
                None,
                "step 1 (Stop the attack in progress): pending → in_progress",
            ),
            (
                Step::LawEnforcement,
                StepState::NotNeeded,
                Some("no crime"),
                "step 12 (Involve law enforcement): pending → not_needed — no crime",
            ),
            (
                Step::AssembleTeam,
                StepState::InProgress,
                Some("persistence everywhere"),
                "step 3 (Assemble the response team): pending → in_progress — persistence everywhere",
            ),
            (
                Step::InternalCommunication,
                StepState::Done,
                None,
                "step 11 (Internal communication): pending → done (1 warning(s))",
            ),
        ];
        for (step, to, rationale, expected) in cases {
            let entry = step_entry(step, to, rationale, &fresh);
            assert_eq!(entry.summary, expected);
            assert_eq!(entry.action, LogAction::StepChanged);
            assert_eq!(entry.target, LogTarget::Step { step });
            assert_eq!(entry.actor, user("alice"));
            assert_eq!(entry.at, at());
        }
        let entry = step_entry(Step::InternalCommunication, StepState::Done, None, &fresh);
        assert_eq!(
            entry.detail["warnings"][0]["kind"],
            json!("containment_incomplete")
        );
        assert_eq!(entry.detail["entry"]["state"], json!("done"));
        let entry = step_entry(
            Step::AssembleTeam,
            StepState::InProgress,
            Some("why"),
            &fresh,
        );
        assert_eq!(
            entry.detail["reasons"],
            json!([{"kind": "containment_not_quick_fix", "text": "why"}])
        );

        let mut board = StepBoard::new();
        let change = change_step(
            &board,
            Step::LawEnforcement,
            StepState::NotNeeded,
            Some("no crime"),
            &user("alice"),
            at(),
            &StepFacts::default(),
        )
        .unwrap();
        board.apply(&change);
        let amended = step_entry(
            Step::LawEnforcement,
            StepState::NotNeeded,
            Some("legal agrees"),
            &board,
        );
        assert_eq!(
            amended.summary,
            "step 12 (Involve law enforcement): not_needed rationale amended — legal agrees"
        );
    }

    #[test]
    fn record_member_and_access_entries() {
        let record = StepRecord::SystemRiskAssessment(SystemRiskAssessment {
            system: text("billing"),
            risk: RiskLevel::High,
            rationale: text("same role"),
        });
        let e = ResponseLogEntry::record_added(&user("bob"), &record, at());
        assert_eq!(
            e.summary,
            "system_risk_assessment added to step 7: billing: high risk"
        );
        assert_eq!(
            e.target,
            LogTarget::Record {
                step: Step::AssessRiskToOtherSystems,
                kind: RecordKind::SystemRiskAssessment
            }
        );
        assert_eq!(e.detail["kind"], json!("system_risk_assessment"));

        let member = IncidentMember {
            user: user("fay"),
            role: MemberRole::Forensics,
        };
        let e = ResponseLogEntry::member_added(&user("cora"), &member, at());
        assert_eq!(
            (e.summary.as_str(), e.action),
            ("fay added as forensics", LogAction::MemberAdded)
        );
        assert_eq!(e.detail, json!({"user": "fay", "role": "forensics"}));

        let cases = [
            (
                AccessRoute::Membership {
                    role: MemberRole::Observer,
                },
                "access request of rita approved as observer — need to know",
            ),
            (
                AccessRoute::BreakGlass {
                    approved_by: user("cora"),
                    approved_at: at(),
                },
                "break-glass access for rita approved — need to know",
            ),
        ];
        for (route, expected) in cases {
            let e = ResponseLogEntry::access_granted(
                &user("cora"),
                &user("rita"),
                &route,
                &text("need to know"),
                at(),
            );
            assert_eq!(e.summary, expected);
            assert_eq!(e.target, LogTarget::User { user: user("rita") });
            assert_eq!(e.detail["reason"], json!("need to know"));
        }
        let json =
            serde_json::to_value(ResponseLogEntry::member_added(&user("cora"), &member, at()))
                .unwrap();
        assert_eq!(json["action"], json!("member_added"));
        assert_eq!(json["target"], json!({"type": "user", "user": "fay"}));
        assert_eq!(json["at"], json!("2026-05-01T10:00:00Z"));
    }

    #[test]
    fn every_other_change_has_an_entry_naming_who_and_what() {
        let member = IncidentMember {
            user: user("fay"),
            role: MemberRole::Scribe,
        };
        let cases = [
            (
                ResponseLogEntry::details_edited(
                    &user("cora"),
                    &["severity", "tlp"],
                    json!({}),
                    at(),
                ),
                "details_edited",
                "incident details changed: severity, tlp",
            ),
            (
                ResponseLogEntry::step_updated(
                    &user("cora"),
                    Step::StopAttack,
                    Some(Some(&user("fay"))),
                    true,
                    at(),
                ),
                "step_updated",
                "step 1 (Stop the attack in progress): owner fay, notes updated",
            ),
            (
                ResponseLogEntry::step_updated(
                    &user("cora"),
                    Step::StopAttack,
                    Some(None),
                    false,
                    at(),
                ),
                "step_updated",
                "step 1 (Stop the attack in progress): owner cleared",
            ),
            (
                ResponseLogEntry::member_role_changed(
                    &user("cora"),
                    &member,
                    MemberRole::Observer,
                    at(),
                ),
                "member_role_changed",
                "fay is now scribe (was observer)",
            ),
            (
                ResponseLogEntry::member_removed(&user("cora"), &member, at()),
                "member_removed",
                "fay (scribe) removed",
            ),
            (
                ResponseLogEntry::access_requested(
                    &user("rita"),
                    MemberRole::Observer,
                    &text("audit"),
                    at(),
                ),
                "access_requested",
                "rita asks to join as observer — audit",
            ),
            (
                ResponseLogEntry::access_denied(
                    &user("cora"),
                    &user("rita"),
                    Some(&text("not needed")),
                    at(),
                ),
                "access_denied",
                "access request of rita denied — not needed",
            ),
            (
                ResponseLogEntry::break_glass_requested(&user("rita"), &text("on call"), at()),
                "break_glass_requested",
                "rita asks for break-glass access — on call",
            ),
            (
                ResponseLogEntry::break_glass_rejected(&user("sam"), &user("rita"), at()),
                "break_glass_rejected",
                "break-glass request of rita rejected",
            ),
            (
                ResponseLogEntry::closed(&user("cora"), 2, at()),
                "closed",
                "incident closed; 2 action item(s) stay open",
            ),
            (
                ResponseLogEntry::reopened(&user("cora"), at()),
                "reopened",
                "incident reopened",
            ),
        ];
        for (entry, action, summary) in cases {
            assert_eq!(serde_json::to_value(entry.action).unwrap(), json!(action));
            assert_eq!(entry.summary, summary);
        }
        let incident = serde_json::to_value(LogTarget::Incident).unwrap();
        assert_eq!(incident, json!({"type": "incident"}));
    }
}
