//! The ways into an incident for non-members, and notifications.

use jiff::Timestamp;
use rampart_incident::{Codename, IncidentId, MemberRole, UserName};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::MemberRoleName;

/// `POST /api/v1/incidents/{id}/access-requests`: ask to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccessRequest {
    /// The member role asked for (not commander).
    #[schema(value_type = MemberRoleName)]
    pub role: MemberRole,
    /// Why the requester needs to know.
    pub reason: String,
}

/// `POST /api/v1/incidents/{id}/break-glass`: emergency access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBreakGlassRequest {
    /// Why it cannot wait for the commander.
    pub reason: String,
}

/// 202 answer to an access or break-glass request. Identical whether or not
/// the incident exists, so it tells a non-member nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`.
    pub status: String,
    /// What happens next.
    pub message: String,
}

/// Where an access request or break-glass request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Waiting for a decision.
    Pending,
    /// Approved.
    Approved,
    /// Denied or rejected.
    Denied,
}

/// An access request, as its incident's leadership sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessRequestView {
    /// The request's id.
    pub id: i64,
    /// Who asks.
    #[schema(value_type = String)]
    pub requester: UserName,
    /// The role asked for.
    #[schema(value_type = MemberRoleName)]
    pub role: MemberRole,
    /// Why.
    pub reason: String,
    /// When asked.
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
    /// Pending, approved or denied.
    pub state: RequestState,
    /// Who decided.
    #[schema(value_type = Option<String>)]
    pub decided_by: Option<UserName>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
    /// The decider's reason for a denial.
    pub decision_reason: Option<String>,
}

/// `GET /api/v1/incidents/{id}/access-requests` (commander, deputy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessRequestList {
    /// Newest first.
    pub requests: Vec<AccessRequestView>,
}

/// Decide an access request (commander, deputy) or a break-glass request
/// (security role, not the requester).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Approve (true) or deny (false).
    pub approve: bool,
    /// Optional reason for a denial, shown to the requester (access requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A break-glass request as the approvers' queue shows it: codename and
/// reason, never the incident's title or detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BreakGlassView {
    /// The request's id.
    pub id: i64,
    /// The incident.
    #[schema(value_type = String)]
    pub incident: IncidentId,
    /// Its codename.
    #[schema(value_type = String)]
    pub codename: Codename,
    /// Who breaks the glass.
    #[schema(value_type = String)]
    pub requester: UserName,
    /// Why.
    pub reason: String,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: Timestamp,
    /// Pending, approved or denied (rejected).
    pub state: RequestState,
    /// Who decided.
    #[schema(value_type = Option<String>)]
    pub decided_by: Option<UserName>,
    /// When.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<Timestamp>,
}

/// `GET /api/v1/break-glass` (security role): requests awaiting approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BreakGlassQueue {
    /// Newest first; the caller's own requests are left out (they cannot approve them).
    pub requests: Vec<BreakGlassView>,
}

/// What a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum NotificationKindView {
    /// Someone broke the glass into an incident you lead.
    BreakGlass {
        /// Who now has access.
        #[schema(value_type = String)]
        user: UserName,
        /// Their reason.
        reason: String,
        /// Who approved.
        #[schema(value_type = String)]
        approved_by: UserName,
    },
    /// Someone asks to join an incident you lead.
    AccessRequested {
        /// The request's id.
        request_id: i64,
        /// Who asks.
        #[schema(value_type = String)]
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
        #[schema(value_type = MemberRoleName)]
        role: MemberRole,
    },
    /// A stored evidence blob of an incident you lead failed verification.
    EvidenceIntegrityFailure {
        /// The evidence item's id.
        evidence_id: i64,
    },
}

/// A notification for the caller. Carries the codename, not the title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NotificationView {
    /// Its id (`POST /api/v1/notifications/{id}/read`).
    pub id: i64,
    /// The incident.
    #[schema(value_type = String)]
    pub incident: IncidentId,
    /// Its codename, the only name a notification carries.
    #[schema(value_type = String)]
    pub codename: Codename,
    /// Where to look: the incident's page, `/incidents/SEC-YYYY-NNNN`
    /// (relative to the server). Everything else is behind the sign-in.
    pub link: String,
    /// What happened.
    pub kind: NotificationKindView,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When marked read.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<Timestamp>,
}

/// `GET /api/v1/notifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub notifications: Vec<NotificationView>,
}

/// `GET /api/v1/audit/head`: the chain's length and head hash, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditHead {
    /// Number of events.
    pub length: u64,
    /// Hash of the last event (64 hex digits; zeros for an empty chain).
    pub head: String,
    /// `LENGTH:HEAD`, the form to anchor elsewhere.
    pub anchor: String,
}

/// The first broken link of the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChainBreakView {
    /// Sequence number where the chain stops verifying.
    pub sequence: u64,
    /// What is wrong there.
    pub message: String,
}

/// `GET /api/v1/audit/verify`: the recomputed chain, or its first break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditVerifyResponse {
    /// Whether every link verified.
    pub ok: bool,
    /// The verified head, when `ok`.
    pub head: Option<AuditHead>,
    /// The first break, when not `ok`.
    #[serde(rename = "break")]
    pub broken: Option<ChainBreakView>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
}
