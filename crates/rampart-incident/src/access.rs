//! Who may see an incident, and the two ways in for a non-member: an access
//! request the commander approves, and break-glass with a second approver.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::id::IncidentId;
use crate::role::{GlobalRole, IncidentAction, MemberRole, member_may};
use crate::text::{NonEmptyText, TextError, UserName};

/// The signed-in user asking to see an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// Their user name.
    pub user: UserName,
    /// Their global role — which never grants access to an incident by itself.
    pub global_role: GlobalRole,
}

/// A member of an incident and their role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentMember {
    /// The member.
    pub user: UserName,
    /// Their role in this incident.
    pub role: MemberRole,
}

/// Break-glass access someone holds to one incident, approved by a second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassGrant {
    /// Who broke the glass.
    pub user: UserName,
    /// Their written reason.
    pub reason: NonEmptyText,
    /// The security-role user who approved it.
    pub approved_by: UserName,
    /// When it was approved.
    pub approved_at: Timestamp,
}

/// What the store knows about one incident's access: its members and the
/// break-glass grants in force. Everything [`incident_access`] decides from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AccessFacts {
    /// The incident's members.
    pub members: Vec<IncidentMember>,
    /// Break-glass grants not revoked.
    pub break_glass: Vec<BreakGlassGrant>,
}

/// How a viewer came to have access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "via")]
pub enum AccessRoute {
    /// They are a member, with this role.
    Membership { role: MemberRole },
    /// They broke the glass and a second person approved it.
    BreakGlass {
        /// Who approved.
        approved_by: UserName,
        /// When.
        approved_at: Timestamp,
    },
}

/// The outcome of an access decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "access")]
pub enum Access {
    /// The incident does not exist for this viewer. The server answers 404,
    /// not 403, so that its existence leaks nothing.
    Denied,
    /// The viewer may see the incident.
    Granted {
        /// Membership or break-glass.
        how: AccessRoute,
    },
}

impl Access {
    /// The role the viewer acts with: their member role, or — after breaking
    /// the glass — a responder's, enough to act in an emergency but not to
    /// manage members, approve access or close.
    pub fn acting_role(&self) -> Option<MemberRole> {
        match self {
            Self::Denied => None,
            Self::Granted {
                how: AccessRoute::Membership { role },
            } => Some(*role),
            Self::Granted {
                how: AccessRoute::BreakGlass { .. },
            } => Some(MemberRole::Responder),
        }
    }

    /// Whether the viewer may perform `action`; always false when denied.
    pub fn may(&self, action: IncidentAction) -> bool {
        self.acting_role()
            .is_some_and(|role| member_may(role, action))
    }
}

/// Decides whether `viewer` may see the incident described by `incident`.
///
/// **No global role grants access, not even admin**: the attacker may be an
/// insider with admin rights (DESIGN.md §5). Only membership or an approved
/// break-glass grant does. Membership wins when both exist, so a member's
/// role is never reduced by an old grant.
pub fn incident_access(viewer: &Viewer, incident: &AccessFacts) -> Access {
    if let Some(member) = incident.members.iter().find(|m| m.user == viewer.user) {
        return Access::Granted {
            how: AccessRoute::Membership { role: member.role },
        };
    }
    if let Some(grant) = incident.break_glass.iter().find(|g| g.user == viewer.user) {
        return Access::Granted {
            how: AccessRoute::BreakGlass {
                approved_by: grant.approved_by.clone(),
                approved_at: grant.approved_at,
            },
        };
    }
    Access::Denied
}

/// Where an access request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AccessRequestState {
    /// Waiting for the commander or deputy.
    Requested,
    /// Approved: the requester becomes a member with the requested role.
    Approved { by: UserName, at: Timestamp },
    /// Denied, optionally saying why.
    Denied {
        by: UserName,
        at: Timestamp,
        reason: Option<NonEmptyText>,
    },
}

/// A request to join an incident, decided by its commander or deputy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    /// The incident asked about.
    pub incident: IncidentId,
    /// Who asks.
    pub requester: UserName,
    /// The member role they ask for.
    pub role: MemberRole,
    /// Why they need to know.
    pub reason: NonEmptyText,
    /// When they asked.
    pub requested_at: Timestamp,
    /// Where the request stands.
    pub state: AccessRequestState,
}

/// An access request or decision that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessRequestError {
    /// Command passes by the commander's hand-over, not by request.
    #[error("field `role`: commander cannot be requested; the commander hands over command")]
    CommanderNotRequestable,
    /// The reason is missing or unusable.
    #[error(transparent)]
    Reason(#[from] TextError),
    /// The decider's role may not decide access requests.
    #[error(
        "field `decided_by`: a {role} may not decide access requests; the commander or deputy does"
    )]
    NotPermitted { role: MemberRole },
    /// Deciding one's own request.
    #[error("field `decided_by`: {user} cannot decide their own access request")]
    OwnRequest { user: UserName },
    /// Already approved or denied.
    #[error("field `state`: the access request was already decided")]
    AlreadyDecided,
}

impl AccessRequest {
    /// A new request. Needs a written reason: access is need-to-know.
    pub fn new(
        incident: IncidentId,
        requester: UserName,
        role: MemberRole,
        reason: &str,
        now: Timestamp,
    ) -> Result<Self, AccessRequestError> {
        if role == MemberRole::Commander {
            return Err(AccessRequestError::CommanderNotRequestable);
        }
        Ok(Self {
            incident,
            requester,
            role,
            reason: NonEmptyText::parse("reason", reason)?,
            requested_at: now,
            state: AccessRequestState::Requested,
        })
    }

    /// Approves the request. `decider` is the deciding member; only a
    /// commander or deputy may, and never on their own request. Returns the
    /// decided request and the membership to add.
    pub fn approve(
        &self,
        decider: &IncidentMember,
        now: Timestamp,
    ) -> Result<(Self, IncidentMember), AccessRequestError> {
        self.check_decider(decider)?;
        let decided = Self {
            state: AccessRequestState::Approved {
                by: decider.user.clone(),
                at: now,
            },
            ..self.clone()
        };
        let member = IncidentMember {
            user: self.requester.clone(),
            role: self.role,
        };
        Ok((decided, member))
    }

    /// Denies the request, with an optional reason for the requester.
    pub fn deny(
        &self,
        decider: &IncidentMember,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<Self, AccessRequestError> {
        self.check_decider(decider)?;
        Ok(Self {
            state: AccessRequestState::Denied {
                by: decider.user.clone(),
                at: now,
                reason: crate::text::optional_text("reason", reason)?,
            },
            ..self.clone()
        })
    }

    fn check_decider(&self, decider: &IncidentMember) -> Result<(), AccessRequestError> {
        if self.state != AccessRequestState::Requested {
            return Err(AccessRequestError::AlreadyDecided);
        }
        if !member_may(decider.role, IncidentAction::DecideAccessRequest) {
            return Err(AccessRequestError::NotPermitted { role: decider.role });
        }
        // Unreachable through membership (a member does not request access),
        // but a stale request must not let someone approve themselves.
        if decider.user == self.requester {
            return Err(AccessRequestError::OwnRequest {
                user: decider.user.clone(),
            });
        }
        Ok(())
    }
}

/// Where a break-glass request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum BreakGlassState {
    /// Waiting for a second approver from the security role.
    AwaitingApproval,
    /// Approved; the grant is in force.
    Approved { by: UserName, at: Timestamp },
    /// Rejected by a security-role user.
    Rejected { by: UserName, at: Timestamp },
}

/// An emergency request for access to an incident without the commander's
/// approval: a written reason, and a second approver from the security role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassRequest {
    /// The incident.
    pub incident: IncidentId,
    /// Who breaks the glass.
    pub requester: UserName,
    /// Why it cannot wait for the commander.
    pub reason: NonEmptyText,
    /// When they asked.
    pub requested_at: Timestamp,
    /// Where it stands.
    pub state: BreakGlassState,
}

/// A break-glass request or decision that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakGlassError {
    /// The written reason is missing or unusable.
    #[error(transparent)]
    Reason(#[from] TextError),
    /// The approver lacks the security role.
    #[error(
        "field `approver`: break-glass needs a second approver with the security role, not {role}"
    )]
    ApproverNotSecurity { role: GlobalRole },
    /// The requester tried to approve their own request.
    #[error("field `approver`: {user} cannot approve their own break-glass request")]
    SelfApproval { user: UserName },
    /// Already approved or rejected.
    #[error("field `state`: the break-glass request was already decided")]
    AlreadyDecided,
}

/// Tells the commander at once that someone broke the glass. Holds who and
/// why: the commander sees it inside Rampart, where restricted detail may be
/// shown; outbound notifications carry only the codename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassNotification {
    /// The incident.
    pub incident: IncidentId,
    /// Who now has access.
    pub user: UserName,
    /// Their reason.
    pub reason: NonEmptyText,
    /// Who approved.
    pub approved_by: UserName,
    /// When.
    pub at: Timestamp,
}

/// The result of approving break-glass: the decided request, the grant to
/// store, and the notification for the commander (and deputies, if the
/// server chooses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakGlassApproval {
    /// The request, now approved.
    pub request: BreakGlassRequest,
    /// The access it grants.
    pub grant: BreakGlassGrant,
    /// What the commander must be told.
    pub notification: BreakGlassNotification,
}

impl BreakGlassRequest {
    /// A new request. Any signed-in user may break the glass — the second
    /// approver is the safeguard — but only with a written reason.
    pub fn new(
        incident: IncidentId,
        requester: UserName,
        reason: &str,
        now: Timestamp,
    ) -> Result<Self, BreakGlassError> {
        Ok(Self {
            incident,
            requester,
            reason: NonEmptyText::parse("reason", reason)?,
            requested_at: now,
            state: BreakGlassState::AwaitingApproval,
        })
    }

    /// Approves the request. The approver must hold the security global role
    /// and be someone other than the requester.
    pub fn approve(
        &self,
        approver: &Viewer,
        now: Timestamp,
    ) -> Result<BreakGlassApproval, BreakGlassError> {
        self.check_approver(approver)?;
        let request = Self {
            state: BreakGlassState::Approved {
                by: approver.user.clone(),
                at: now,
            },
            ..self.clone()
        };
        let grant = BreakGlassGrant {
            user: self.requester.clone(),
            reason: self.reason.clone(),
            approved_by: approver.user.clone(),
            approved_at: now,
        };
        let notification = BreakGlassNotification {
            incident: self.incident,
            user: self.requester.clone(),
            reason: self.reason.clone(),
            approved_by: approver.user.clone(),
            at: now,
        };
        Ok(BreakGlassApproval {
            request,
            grant,
            notification,
        })
    }

    /// Rejects the request; the same people may reject who may approve.
    pub fn reject(&self, approver: &Viewer, now: Timestamp) -> Result<Self, BreakGlassError> {
        self.check_approver(approver)?;
        Ok(Self {
            state: BreakGlassState::Rejected {
                by: approver.user.clone(),
                at: now,
            },
            ..self.clone()
        })
    }

    fn check_approver(&self, approver: &Viewer) -> Result<(), BreakGlassError> {
        if self.state != BreakGlassState::AwaitingApproval {
            return Err(BreakGlassError::AlreadyDecided);
        }
        // Checked before the role, so a security user approving themselves
        // hears the real reason.
        if approver.user == self.requester {
            return Err(BreakGlassError::SelfApproval {
                user: approver.user.clone(),
            });
        }
        if !approver.global_role.may_approve_break_glass() {
            return Err(BreakGlassError::ApproverNotSecurity {
                role: approver.global_role,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserName {
        UserName::parse(name).unwrap()
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + seconds).unwrap()
    }

    fn incident() -> IncidentId {
        IncidentId::new(2026, 42).unwrap()
    }

    fn facts() -> AccessFacts {
        AccessFacts {
            members: vec![
                IncidentMember {
                    user: user("cora"),
                    role: MemberRole::Commander,
                },
                IncidentMember {
                    user: user("obi"),
                    role: MemberRole::Observer,
                },
            ],
            break_glass: vec![BreakGlassGrant {
                user: user("bree"),
                reason: NonEmptyText::parse("reason", "commander unreachable, data leaking")
                    .unwrap(),
                approved_by: user("sam"),
                approved_at: at(5),
            }],
        }
    }

    #[test]
    fn access_decisions() {
        let member = |role| Access::Granted {
            how: AccessRoute::Membership { role },
        };
        let glass = Access::Granted {
            how: AccessRoute::BreakGlass {
                approved_by: user("sam"),
                approved_at: at(5),
            },
        };
        // (user, global role, expected): every global role, with and without membership.
        let cases = [
            ("cora", GlobalRole::Viewer, member(MemberRole::Commander)),
            ("cora", GlobalRole::Admin, member(MemberRole::Commander)),
            ("obi", GlobalRole::Security, member(MemberRole::Observer)),
            ("bree", GlobalRole::Engineer, glass.clone()),
            ("bree", GlobalRole::Viewer, glass),
            ("root", GlobalRole::Admin, Access::Denied),
            ("sam", GlobalRole::Security, Access::Denied),
            ("eve", GlobalRole::Engineer, Access::Denied),
            ("vic", GlobalRole::Viewer, Access::Denied),
        ];
        for (name, global_role, expected) in cases {
            let viewer = Viewer {
                user: user(name),
                global_role,
            };
            assert_eq!(
                incident_access(&viewer, &facts()),
                expected,
                "{name} as {global_role}"
            );
        }
    }

    #[test]
    fn no_global_role_grants_access_to_an_incident_without_members() {
        for global_role in GlobalRole::ALL {
            let viewer = Viewer {
                user: user("anyone"),
                global_role,
            };
            assert_eq!(
                incident_access(&viewer, &AccessFacts::default()),
                Access::Denied
            );
            assert!(!incident_access(&viewer, &AccessFacts::default()).may(IncidentAction::View));
        }
    }

    #[test]
    fn membership_wins_over_break_glass() {
        let mut f = facts();
        f.break_glass[0].user = user("obi");
        let access = incident_access(
            &Viewer {
                user: user("obi"),
                global_role: GlobalRole::Security,
            },
            &f,
        );
        assert_eq!(access.acting_role(), Some(MemberRole::Observer));
    }

    #[test]
    fn break_glass_acts_as_a_responder() {
        let access = incident_access(
            &Viewer {
                user: user("bree"),
                global_role: GlobalRole::Engineer,
            },
            &facts(),
        );
        assert_eq!(access.acting_role(), Some(MemberRole::Responder));
        assert!(access.may(IncidentAction::View));
        assert!(access.may(IncidentAction::WorkOnStep(crate::Step::StopAttack)));
        assert!(!access.may(IncidentAction::ManageMembers));
        assert!(!access.may(IncidentAction::DecideAccessRequest));
        assert!(!access.may(IncidentAction::Close));
        assert_eq!(Access::Denied.acting_role(), None);
    }

    #[test]
    fn access_serializes_with_tags() {
        let access = Access::Granted {
            how: AccessRoute::Membership {
                role: MemberRole::Scribe,
            },
        };
        assert_eq!(
            serde_json::to_string(&access).unwrap(),
            r#"{"access":"granted","how":{"via":"membership","role":"scribe"}}"#
        );
        assert_eq!(
            serde_json::to_string(&Access::Denied).unwrap(),
            r#"{"access":"denied"}"#
        );
    }

    fn request() -> AccessRequest {
        AccessRequest::new(
            incident(),
            user("rita"),
            MemberRole::Forensics,
            "I own the affected database",
            at(0),
        )
        .unwrap()
    }

    #[test]
    fn access_request_creation() {
        assert_eq!(
            AccessRequest::new(incident(), user("rita"), MemberRole::Forensics, "  ", at(0)),
            Err(AccessRequestError::Reason(TextError::Empty {
                field: "reason"
            }))
        );
        assert_eq!(
            AccessRequest::new(
                incident(),
                user("rita"),
                MemberRole::Commander,
                "take over",
                at(0)
            ),
            Err(AccessRequestError::CommanderNotRequestable)
        );
        for role in MemberRole::ALL
            .into_iter()
            .filter(|r| *r != MemberRole::Commander)
        {
            assert!(
                AccessRequest::new(incident(), user("rita"), role, "need to know", at(0)).is_ok(),
                "{role}"
            );
        }
        assert_eq!(request().state, AccessRequestState::Requested);
    }

    #[test]
    fn access_request_decisions_by_role() {
        for role in MemberRole::ALL {
            let decider = IncidentMember {
                user: user("dora"),
                role,
            };
            let may = matches!(role, MemberRole::Commander | MemberRole::Deputy);
            let approved = request().approve(&decider, at(9));
            let denied = request().deny(&decider, Some("not need-to-know"), at(9));
            if may {
                let (decided, member) = approved.unwrap();
                assert_eq!(
                    decided.state,
                    AccessRequestState::Approved {
                        by: user("dora"),
                        at: at(9)
                    }
                );
                assert_eq!(
                    member,
                    IncidentMember {
                        user: user("rita"),
                        role: MemberRole::Forensics
                    }
                );
                assert_eq!(
                    denied.unwrap().state,
                    AccessRequestState::Denied {
                        by: user("dora"),
                        at: at(9),
                        reason: Some(NonEmptyText::parse("reason", "not need-to-know").unwrap()),
                    }
                );
            } else {
                assert_eq!(approved, Err(AccessRequestError::NotPermitted { role }));
                assert_eq!(denied, Err(AccessRequestError::NotPermitted { role }));
            }
        }
    }

    #[test]
    fn access_request_is_decided_once_and_not_by_the_requester() {
        let commander = IncidentMember {
            user: user("cora"),
            role: MemberRole::Commander,
        };
        let (approved, _) = request().approve(&commander, at(1)).unwrap();
        assert_eq!(
            approved.approve(&commander, at(2)),
            Err(AccessRequestError::AlreadyDecided)
        );
        assert_eq!(
            approved.deny(&commander, None, at(2)),
            Err(AccessRequestError::AlreadyDecided)
        );
        let denied = request().deny(&commander, None, at(1)).unwrap();
        assert!(matches!(
            denied.state,
            AccessRequestState::Denied { reason: None, .. }
        ));
        assert_eq!(
            denied.approve(&commander, at(2)).map(|_| ()),
            Err(AccessRequestError::AlreadyDecided)
        );

        let self_decider = IncidentMember {
            user: user("rita"),
            role: MemberRole::Deputy,
        };
        assert_eq!(
            request().approve(&self_decider, at(1)).map(|_| ()),
            Err(AccessRequestError::OwnRequest { user: user("rita") })
        );
    }

    fn glass() -> BreakGlassRequest {
        BreakGlassRequest::new(
            incident(),
            user("bree"),
            "commander unreachable, exfiltration ongoing",
            at(0),
        )
        .unwrap()
    }

    #[test]
    fn break_glass_needs_a_written_reason() {
        for reason in ["", "   ", "\n"] {
            assert_eq!(
                BreakGlassRequest::new(incident(), user("bree"), reason, at(0)),
                Err(BreakGlassError::Reason(TextError::Empty {
                    field: "reason"
                }))
            );
        }
        assert_eq!(glass().state, BreakGlassState::AwaitingApproval);
    }

    #[test]
    fn break_glass_approver_rules() {
        // (approver, global role, expected error or None for approval)
        let cases = [
            ("sam", GlobalRole::Security, None),
            (
                "ada",
                GlobalRole::Admin,
                Some(BreakGlassError::ApproverNotSecurity {
                    role: GlobalRole::Admin,
                }),
            ),
            (
                "eng",
                GlobalRole::Engineer,
                Some(BreakGlassError::ApproverNotSecurity {
                    role: GlobalRole::Engineer,
                }),
            ),
            (
                "vic",
                GlobalRole::Viewer,
                Some(BreakGlassError::ApproverNotSecurity {
                    role: GlobalRole::Viewer,
                }),
            ),
            (
                "bree",
                GlobalRole::Security,
                Some(BreakGlassError::SelfApproval { user: user("bree") }),
            ),
            (
                "bree",
                GlobalRole::Admin,
                Some(BreakGlassError::SelfApproval { user: user("bree") }),
            ),
        ];
        for (name, global_role, expected) in cases {
            let approver = Viewer {
                user: user(name),
                global_role,
            };
            let approved = glass().approve(&approver, at(7));
            let rejected = glass().reject(&approver, at(7));
            match expected {
                None => {
                    let approval = approved.unwrap();
                    assert_eq!(
                        approval.request.state,
                        BreakGlassState::Approved {
                            by: user("sam"),
                            at: at(7)
                        }
                    );
                    assert_eq!(approval.grant.user, user("bree"));
                    assert_eq!(approval.grant.approved_by, user("sam"));
                    assert_eq!(
                        approval.notification,
                        BreakGlassNotification {
                            incident: incident(),
                            user: user("bree"),
                            reason: glass().reason,
                            approved_by: user("sam"),
                            at: at(7),
                        }
                    );
                    assert_eq!(
                        rejected.unwrap().state,
                        BreakGlassState::Rejected {
                            by: user("sam"),
                            at: at(7)
                        }
                    );
                }
                Some(err) => {
                    assert_eq!(
                        approved.map(|_| ()),
                        Err(err.clone()),
                        "{name} as {global_role}"
                    );
                    assert_eq!(rejected.map(|_| ()), Err(err), "{name} as {global_role}");
                }
            }
        }
    }

    #[test]
    fn break_glass_grant_then_grants_access() {
        let sam = Viewer {
            user: user("sam"),
            global_role: GlobalRole::Security,
        };
        let approval = glass().approve(&sam, at(3)).unwrap();
        let facts = AccessFacts {
            members: vec![],
            break_glass: vec![approval.grant],
        };
        let bree = Viewer {
            user: user("bree"),
            global_role: GlobalRole::Engineer,
        };
        assert_eq!(
            incident_access(&bree, &facts),
            Access::Granted {
                how: AccessRoute::BreakGlass {
                    approved_by: user("sam"),
                    approved_at: at(3)
                }
            }
        );
        // The approver gains nothing by approving.
        assert_eq!(incident_access(&sam, &facts), Access::Denied);
        // Decided once.
        let approved = approval.request;
        assert_eq!(
            approved.approve(&sam, at(4)).map(|_| ()),
            Err(BreakGlassError::AlreadyDecided)
        );
        assert_eq!(
            approved.reject(&sam, at(4)),
            Err(BreakGlassError::AlreadyDecided)
        );
    }
}
