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

use crate::error::{StoreError, StoreResult};
use crate::store::Store;

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

/// A discrepancy between the evidence custody log and the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustodyDiscrepancy {
    /// A custody row no audit event records: written behind Rampart's back.
    Unrecorded {
        /// The incident.
        incident: IncidentId,
        /// The row.
        row: CustodyRow,
    },
    /// An audit event records a custody entry that is not in the log:
    /// the row was deleted.
    Missing {
        /// The incident.
        incident: IncidentId,
        /// The item, when the event names it (a new item's intake does not).
        record_id: Option<i64>,
        /// What the entry was.
        action: rampart_incident::CustodyAction,
        /// Who.
        actor: String,
        /// When.
        at: Timestamp,
        /// The audit event that records it.
        audit_sequence: u64,
    },
}

impl std::fmt::Display for CustodyDiscrepancy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unrecorded { incident, row } => write!(
                f,
                "custody entry {incident}#{} seq {} ({} by {} at {}) has no audit event: it was added behind Rampart's back",
                row.record_id, row.seq, row.event.action, row.event.actor, row.event.at
            ),
            Self::Missing {
                incident,
                record_id,
                action,
                actor,
                at,
                audit_sequence,
            } => write!(
                f,
                "audit event {audit_sequence} records custody entry {incident}#{} ({action} by {actor} at {at}), which is missing from the custody log: it was deleted",
                record_id.map_or_else(|| "?".to_owned(), |id| id.to_string())
            ),
        }
    }
}

/// One custody entry an audit event vouches for.
struct Recorded {
    record_id: Option<i64>,
    sequence: u64,
}

/// Matches every custody row against the audit events that recorded it
/// (each event that writes custody carries `payload.custody = {incident,
/// action, items}` and the same timestamp and actor as its rows). The audit
/// chain cannot be edited without `verify_audit_chain` noticing; this
/// extends that protection to the custody log, which lives in its own table.
/// Returns the discrepancies, empty when the two agree. Run it after the
/// chain verified: it trusts the events it reads.
pub async fn verify_custody(store: &dyn Store) -> StoreResult<Vec<CustodyDiscrepancy>> {
    type Key = (String, &'static str, String, Timestamp);
    let mut recorded: std::collections::HashMap<Key, Vec<Recorded>> = Default::default();
    let mut after = 0u64;
    loop {
        let page = store.audit_links(after, crate::AUDIT_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.sequence;
        for link in &page {
            let event = rampart_audit::AuditEvent::from_canonical(&link.event)
                .map_err(|e| StoreError::corrupt(format!("audit event {}: {e}", link.sequence)))?;
            let custody = &event.payload()["custody"];
            let (Some(incident), Some(action)) = (
                custody["incident"].as_str(),
                custody["action"]
                    .as_str()
                    .and_then(rampart_incident::CustodyAction::parse),
            ) else {
                continue;
            };
            let rampart_audit::Actor::User { name, .. } = event.actor() else {
                continue;
            };
            let key = (
                incident.to_owned(),
                action.as_str(),
                name.clone(),
                event.at(),
            );
            let entries = recorded.entry(key).or_default();
            match custody["items"].as_array() {
                Some(items) => {
                    entries.extend(items.iter().filter_map(|i| i.as_i64()).map(|id| Recorded {
                        record_id: Some(id),
                        sequence: link.sequence,
                    }))
                }
                None => entries.push(Recorded {
                    record_id: None,
                    sequence: link.sequence,
                }),
            }
        }
    }
    let mut discrepancies = Vec::new();
    for (incident, row) in store.all_custody_for_verification().await? {
        let key = (
            incident.to_string(),
            row.event.action.as_str(),
            row.event.actor.to_string(),
            row.event.at,
        );
        let entries = recorded.get_mut(&key);
        let position = entries.as_ref().and_then(|entries| {
            entries
                .iter()
                .position(|r| r.record_id == Some(row.record_id))
                .or_else(|| entries.iter().position(|r| r.record_id.is_none()))
        });
        match (entries, position) {
            (Some(entries), Some(position)) => {
                entries.swap_remove(position);
            }
            _ => discrepancies.push(CustodyDiscrepancy::Unrecorded { incident, row }),
        }
    }
    let mut missing: Vec<CustodyDiscrepancy> = recorded
        .into_iter()
        .flat_map(|((incident, action, actor, at), entries)| {
            entries.into_iter().filter_map(move |r| {
                Some(CustodyDiscrepancy::Missing {
                    incident: incident.parse().ok()?,
                    record_id: r.record_id,
                    action: rampart_incident::CustodyAction::parse(action)?,
                    actor: actor.clone(),
                    at,
                    audit_sequence: r.sequence,
                })
            })
        })
        .collect();
    missing.sort_by_key(|d| match d {
        CustodyDiscrepancy::Missing { audit_sequence, .. } => *audit_sequence,
        CustodyDiscrepancy::Unrecorded { .. } => 0,
    });
    discrepancies.extend(missing);
    Ok(discrepancies)
}
