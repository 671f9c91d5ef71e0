//! Evidence items and their chain of custody as stored (step 10).
//!
//! An evidence item is an ordinary record of kind `evidence_item`; what is
//! special is its custody log, an append-only list of [`CustodyEvent`]s
//! numbered from 1 per item. The first entry is written with the item
//! ([`IncidentChange::AddEvidence`](crate::IncidentChange::AddEvidence)), so
//! no item added that way is ever without its intake record.

use jiff::Timestamp;
use rampart_incident::{CustodyEvent, EvidenceItem, IncidentId, UserName};
use serde::{Deserialize, Serialize};

/// One stored entry of an evidence item's chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyRow {
    /// The evidence item's record id.
    pub record_id: i64,
    /// Position in this item's log, from 1.
    pub seq: i64,
    /// Who did what with the item, when and why.
    pub event: CustodyEvent,
}

/// A stored evidence item with where it belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRow {
    /// The incident it belongs to.
    pub incident: IncidentId,
    /// Its record id.
    pub record_id: i64,
    /// The item: name, digest, where the bytes are.
    pub item: EvidenceItem,
    /// Who took it in.
    pub created_by: UserName,
    /// When.
    pub created_at: Timestamp,
}
