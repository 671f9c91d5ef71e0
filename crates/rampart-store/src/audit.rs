//! Audit events as callers describe them, and verification of a stored chain.

use jiff::Timestamp;
use rampart_audit::{
    Actor, AuditEvent, ChainBreak, ChainLink, ChainSummary, EventError, Target, Verifier, link,
};
use serde_json::Value;

use crate::error::StoreError;
use crate::store::Store;

/// An audit event without its place in the chain. The backend gives it the
/// next sequence number and links it to the head inside the transaction that
/// makes the change it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    /// When; must be whole microseconds (what both databases keep).
    pub at: Timestamp,
    /// Who.
    pub actor: Actor,
    /// What, as dotted lowercase tokens: `incident.declare`, `step.change`.
    pub action: String,
    /// The object acted on.
    pub target: Target,
    /// The details, canonicalised (RFC 8785) into the hashed event.
    pub payload: Value,
}

impl AuditDraft {
    /// A draft; validation happens in [`link_after`](Self::link_after).
    pub fn new(
        at: Timestamp,
        actor: Actor,
        action: impl Into<String>,
        target: Target,
        payload: Value,
    ) -> Self {
        Self {
            at,
            actor,
            action: action.into(),
            target,
            payload,
        }
    }

    /// Links the event after `head`. Backends call this with the head they
    /// read under the chain's lock.
    pub fn link_after(self, head: &ChainSummary) -> Result<ChainLink, EventError> {
        let event = AuditEvent::new(
            head.next_sequence(),
            self.at,
            self.actor,
            self.action,
            self.target,
            self.payload,
        )?;
        Ok(link(&head.head, event))
    }
}

impl From<EventError> for StoreError {
    fn from(error: EventError) -> Self {
        // An invalid draft is a programming error in the caller, but it must
        // not turn into a panic in a server: it aborts the transaction.
        StoreError::Corrupt(format!("audit event rejected: {error}"))
    }
}

/// How many audit rows [`verify_audit_chain`] reads per query.
pub const AUDIT_PAGE: u32 = 1_000;

/// Why the stored chain did not verify.
#[derive(Debug, thiserror::Error)]
pub enum AuditVerifyError {
    /// A row does not link: altered, deleted, reordered or forged.
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    /// The chain could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Re-computes the whole stored chain, page by page in constant memory, and
/// returns its summary — or the first broken link. With `anchor` (a head
/// exported earlier), also detects rows deleted from the end and a chain
/// rewritten with recomputed hashes.
pub async fn verify_audit_chain(
    store: &dyn Store,
    anchor: Option<&ChainSummary>,
) -> Result<ChainSummary, AuditVerifyError> {
    if let Some(anchor) = anchor {
        // An empty anchored chain can only be the genesis hash; the pure
        // function owns that rule.
        if anchor.length == 0 {
            rampart_audit::verify_against_head(std::iter::empty(), anchor)?;
        }
    }
    let mut verifier = Verifier::new();
    let mut after = 0u64;
    loop {
        let page = store.audit_links(after, AUDIT_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.sequence;
        for row in &page {
            verifier.push(row)?;
            let state = verifier.summary();
            if let Some(anchor) = anchor
                && state.length == anchor.length
                && state.head != anchor.head
            {
                return Err(ChainBreak::AnchorMismatch {
                    sequence: state.length,
                    anchored: anchor.head,
                    found: state.head,
                }
                .into());
            }
        }
        if page.len() < AUDIT_PAGE as usize {
            break;
        }
    }
    let summary = verifier.summary();
    if let Some(anchor) = anchor
        && summary.length < anchor.length
    {
        return Err(ChainBreak::Truncated {
            sequence: summary.length + 1,
            length: summary.length,
            anchored_length: anchor.length,
        }
        .into());
    }
    Ok(summary)
}
