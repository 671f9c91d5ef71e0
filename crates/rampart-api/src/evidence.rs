//! Evidence (step 10): upload, registration, metadata, custody, download, export.

use jiff::Timestamp;
use rampart_incident::{Codename, CustodyAction, CustodyEvent, EvidenceItem, IncidentId, UserName};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Metadata of an upload, in the query string of
/// `POST /api/v1/incidents/{id}/evidence` (the body is the file itself,
/// streamed). The media type is the request's `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvidenceUploadQuery {
    /// A short name, usually the file's name.
    pub name: String,
    /// What it is and why it matters.
    #[serde(default)]
    pub description: Option<String>,
    /// Where it was collected.
    #[serde(default)]
    pub source: Option<String>,
    /// When it was collected (RFC 3339), if not now.
    #[serde(default)]
    #[param(value_type = Option<String>, format = DateTime)]
    pub collected_at: Option<Timestamp>,
    /// Who collected it, if not the uploader.
    #[serde(default)]
    pub collected_by: Option<String>,
}

/// Why the bytes are wanted: `GET …/evidence/{record_id}/content?reason=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DownloadQuery {
    /// Required: recorded in the chain of custody.
    pub reason: String,
}

/// `POST /api/v1/incidents/{id}/evidence/export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// Why the evidence leaves Rampart (recorded for every item).
    pub reason: String,
}

/// One entry of an item's chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustodyView {
    /// Position in the item's log, from 1.
    pub seq: i64,
    /// intake, registered, viewed, downloaded, exported, integrity_failure.
    #[schema(value_type = String)]
    pub action: CustodyAction,
    /// Who.
    #[schema(value_type = String)]
    pub actor: UserName,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Why, when a reason was given.
    pub reason: Option<String>,
    /// Facts recorded with it.
    pub detail: Option<String>,
}

impl CustodyView {
    /// The view of a stored event.
    pub fn new(seq: i64, event: &CustodyEvent) -> Self {
        Self {
            seq,
            action: event.action,
            actor: event.actor.clone(),
            at: event.at,
            reason: event.reason.as_ref().map(ToString::to_string),
            detail: event.detail.clone(),
        }
    }
}

/// An evidence item with its chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceView {
    /// The item's record id.
    pub id: i64,
    /// Name, digest, size, where it is kept.
    #[schema(value_type = Object)]
    pub item: EvidenceItem,
    /// Who took it in.
    #[schema(value_type = String)]
    pub created_by: UserName,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Every access, oldest first (including the one that produced this view).
    pub custody: Vec<CustodyView>,
}

/// `GET /api/v1/incidents/{id}/evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceList {
    /// By record id.
    pub items: Vec<EvidenceView>,
}

/// The answer to an upload or a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceCreated {
    /// The new item.
    pub evidence: EvidenceView,
    /// Whether these bytes were new to the evidence store (false when the
    /// same content was uploaded before, to this or another incident).
    pub newly_stored: bool,
    /// The incident's version after the change.
    pub version: i64,
}

/// What `POST …/evidence/export` returns: the custody report. `rampart
/// evidence export` writes it beside the files as JSON and Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustodyReport {
    /// The incident.
    #[schema(value_type = String)]
    pub incident: IncidentId,
    /// Its codename.
    #[schema(value_type = String)]
    pub codename: Codename,
    /// Who exported.
    #[schema(value_type = String)]
    pub exported_by: UserName,
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub exported_at: Timestamp,
    /// Why.
    pub reason: String,
    /// Every item, with its full custody log including this export.
    pub items: Vec<EvidenceView>,
}
