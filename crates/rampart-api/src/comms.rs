//! Communications (steps 11 and 14): drafts, approvals, the insider
//! sign-off, sending.

use jiff::Timestamp;
use rampart_incident::CommsWarning;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::incident::RecordView;

/// `POST /api/v1/incidents/{id}/communications/{record_id}/signoff`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignoffRequest {
    /// Why the attack is not believed to come from inside.
    pub rationale: String,
}

/// `POST /api/v1/incidents/{id}/communications/{record_id}/sent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SentRequest {
    /// How it went out ("all-staff e-mail", "status page").
    pub channel: String,
    /// When, if not now.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<Timestamp>,
}

/// A warning about a communication, which was saved regardless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommsWarningView {
    /// For a person.
    pub text: String,
    /// Structured: `{"kind":"title_without_date"}`, …
    #[schema(value_type = Object)]
    pub detail: CommsWarning,
}

impl From<&CommsWarning> for CommsWarningView {
    fn from(warning: &CommsWarning) -> Self {
        Self {
            text: warning.to_string(),
            detail: warning.clone(),
        }
    }
}

/// The answer to every communication route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommsChanged {
    /// The draft as stored (`kind` internal_comms_draft or external_comms_draft).
    pub record: RecordView,
    /// What the writer should know now.
    pub warnings: Vec<CommsWarningView>,
    /// The incident's version after the change.
    pub version: i64,
}

/// A communication draft: `POST /api/v1/incidents/{id}/communications` and
/// `PATCH …/communications/{record_id}`. The audience decides the step:
/// `internal` is step 11, the others step 14.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// internal, customers, regulators, partners or public.
    #[schema(value_type = String)]
    pub audience: rampart_incident::Audience,
    /// Title; an external one should carry a date.
    #[schema(value_type = String)]
    pub title: rampart_incident::NonEmptyText,
    /// The text.
    #[schema(value_type = String)]
    pub body: rampart_incident::NonEmptyText,
    /// External: what was compromised.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub compromised: Option<rampart_incident::NonEmptyText>,
    /// External: what was not compromised.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub not_compromised: Option<rampart_incident::NonEmptyText>,
    /// External: what the recipients must do.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub recipient_actions: Option<rampart_incident::NonEmptyText>,
}

impl From<DraftRequest> for rampart_incident::CommsDraftInput {
    fn from(r: DraftRequest) -> Self {
        Self {
            audience: r.audience,
            title: r.title,
            body: r.body,
            compromised: r.compromised,
            not_compromised: r.not_compromised,
            recipient_actions: r.recipient_actions,
        }
    }
}
