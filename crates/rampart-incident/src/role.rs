//! Global roles, incident member roles, and what each member role may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::step::Step;

/// A user's role across the whole server.
///
/// **None of these grants access to an incident** — see
/// [`incident_access`](crate::incident_access). They govern the server
/// (users, settings) and who may approve break-glass access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlobalRole {
    /// Manages users and settings. Sees no incident it is not a member of.
    Admin,
    /// The security team: may approve another user's break-glass access.
    Security,
    /// An engineer.
    Engineer,
    /// Read-only user of the non-incident parts of the server.
    Viewer,
}

impl GlobalRole {
    /// Every global role.
    pub const ALL: [Self; 4] = [Self::Admin, Self::Security, Self::Engineer, Self::Viewer];

    /// The canonical name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Security => "security",
            Self::Engineer => "engineer",
            Self::Viewer => "viewer",
        }
    }

    /// Whether this role may be the second approver of someone's break-glass access.
    pub fn may_approve_break_glass(self) -> bool {
        // Admin deliberately not: the insider with admin rights is the
        // threat model (DESIGN.md §5).
        self == Self::Security
    }
}

impl fmt::Display for GlobalRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of the known roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{input}`; expected one of: {expected}")]
pub struct RoleParseError {
    kind: &'static str,
    input: String,
    expected: String,
}

fn parse_role<R: Copy>(
    kind: &'static str,
    input: &str,
    all: &[R],
    name: fn(R) -> &'static str,
) -> Result<R, RoleParseError> {
    all.iter()
        .copied()
        .find(|role| name(*role) == input)
        .ok_or_else(|| RoleParseError {
            kind,
            input: input.to_owned(),
            expected: all
                .iter()
                .map(|role| name(*role))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl FromStr for GlobalRole {
    type Err = RoleParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse_role("global role", input, &Self::ALL, Self::as_str)
    }
}

/// A member's role in one incident. Membership is what grants access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Runs the incident; the declarer starts as commander.
    Commander,
    /// Stands in for the commander.
    Deputy,
    /// Keeps the record.
    Scribe,
    /// Does the hands-on containment and recovery work.
    Responder,
    /// Collects and analyses evidence.
    Forensics,
    /// Advises on legal duties; owns law enforcement and approves external communication.
    Legal,
    /// Drafts and sends internal and external communication.
    Communications,
    /// Reads along, changes nothing.
    Observer,
}

impl MemberRole {
    /// Every member role, most authority first.
    pub const ALL: [Self; 8] = [
        Self::Commander,
        Self::Deputy,
        Self::Scribe,
        Self::Responder,
        Self::Forensics,
        Self::Legal,
        Self::Communications,
        Self::Observer,
    ];

    /// The canonical name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commander => "commander",
            Self::Deputy => "deputy",
            Self::Scribe => "scribe",
            Self::Responder => "responder",
            Self::Forensics => "forensics",
            Self::Legal => "legal",
            Self::Communications => "communications",
            Self::Observer => "observer",
        }
    }
}

impl fmt::Display for MemberRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MemberRole {
    type Err = RoleParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse_role("member role", input, &Self::ALL, Self::as_str)
    }
}

/// Something a member may try to do inside an incident they can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action", content = "step")]
pub enum IncidentAction {
    /// Read the incident, its steps, records and logs.
    View,
    /// Change a step's state or add, edit and remove its records.
    WorkOnStep(Step),
    /// Change title, summary, severity, TLP marking or codename.
    EditDetails,
    /// Add or remove members and change their roles.
    ManageMembers,
    /// Approve or deny an access request.
    DecideAccessRequest,
    /// Close (or reopen) the incident.
    Close,
}

/// Whether a member with `role` may perform `action`.
///
/// Everyone who can see an incident may view it. Leadership (commander,
/// deputy) may do everything except that only the commander closes. The
/// scribe, responders and forensics work on any step — the order is guidance,
/// and whoever is at hand records what was done. Legal and communications
/// work only on the steps they own: internal communication (11), law
/// enforcement (12), external parties (13) and external communication (14).
/// Observers only read.
pub fn member_may(role: MemberRole, action: IncidentAction) -> bool {
    use IncidentAction as A;
    use MemberRole as R;
    match (role, action) {
        (_, A::View) => true,
        (R::Commander, _) => true,
        // Closing ends everyone's work, so one person answers for it; a
        // deputy who must close takes over command first (ManageMembers).
        (R::Deputy, A::Close) => false,
        (R::Deputy, _) => true,
        (R::Scribe | R::Responder | R::Forensics, A::WorkOnStep(_)) => true,
        (R::Legal, A::WorkOnStep(step)) => {
            matches!(step, Step::LawEnforcement | Step::ExternalCommunication)
        }
        (R::Communications, A::WorkOnStep(step)) => matches!(
            step,
            Step::InternalCommunication
                | Step::ContactExternalParties
                | Step::ExternalCommunication
        ),
        (R::Scribe | R::Responder | R::Forensics | R::Legal | R::Communications, _) => false,
        (R::Observer, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per role: View, EditDetails, ManageMembers, DecideAccessRequest,
    /// Close, then which of steps 1–14 it may work on (`x` yes, `.` no).
    const MATRIX: &[(MemberRole, &str)] = &[
        (MemberRole::Commander, "VEMDC xxxxxxxxxxxxxx"),
        (MemberRole::Deputy, "VEMD. xxxxxxxxxxxxxx"),
        (MemberRole::Scribe, "V.... xxxxxxxxxxxxxx"),
        (MemberRole::Responder, "V.... xxxxxxxxxxxxxx"),
        (MemberRole::Forensics, "V.... xxxxxxxxxxxxxx"),
        (MemberRole::Legal, "V.... ...........x.x"),
        (MemberRole::Communications, "V.... ..........x.xx"),
        (MemberRole::Observer, "V.... .............."),
    ];

    fn render(role: MemberRole) -> String {
        let flag = |action, c: char| if member_may(role, action) { c } else { '.' };
        let mut row: String = [
            flag(IncidentAction::View, 'V'),
            flag(IncidentAction::EditDetails, 'E'),
            flag(IncidentAction::ManageMembers, 'M'),
            flag(IncidentAction::DecideAccessRequest, 'D'),
            flag(IncidentAction::Close, 'C'),
            ' ',
        ]
        .into_iter()
        .collect();
        row.extend(
            Step::ALL
                .into_iter()
                .map(|step| flag(IncidentAction::WorkOnStep(step), 'x')),
        );
        row
    }

    #[test]
    fn permission_matrix() {
        assert_eq!(MATRIX.len(), MemberRole::ALL.len(), "a role has no row");
        for (role, expected) in MATRIX {
            assert_eq!(render(*role), *expected, "role {role}");
        }
    }

    #[test]
    fn only_security_approves_break_glass() {
        for role in GlobalRole::ALL {
            assert_eq!(role.may_approve_break_glass(), role == GlobalRole::Security);
        }
    }

    #[test]
    fn role_names_round_trip() {
        for role in MemberRole::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(serde_json::from_str::<MemberRole>(&json).unwrap(), role);
        }
        for role in GlobalRole::ALL {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(serde_json::from_str::<GlobalRole>(&json).unwrap(), role);
        }
        assert!(serde_json::from_str::<MemberRole>(r#""Commander""#).is_err());
        assert_eq!(
            serde_json::to_string(&IncidentAction::WorkOnStep(Step::AssembleTeam)).unwrap(),
            r#"{"action":"work_on_step","step":3}"#
        );
    }

    #[test]
    fn role_names_parse_back_and_unknown_ones_list_the_choices() {
        for role in GlobalRole::ALL {
            assert_eq!(role.as_str().parse::<GlobalRole>(), Ok(role));
        }
        for role in MemberRole::ALL {
            assert_eq!(role.as_str().parse::<MemberRole>(), Ok(role));
        }
        let error = "root".parse::<GlobalRole>().unwrap_err().to_string();
        assert_eq!(
            error,
            "unknown global role `root`; expected one of: admin, security, engineer, viewer"
        );
        assert!("Commander".parse::<MemberRole>().is_err());
    }
}
