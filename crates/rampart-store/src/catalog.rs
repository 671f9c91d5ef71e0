//! The catalog as stored: the decision `Store::update_catalog` runs under
//! the write lock, and what it wrote. The entries themselves are
//! `rampart_inventory`'s types; the store adds only its bookkeeping.

use rampart_audit::ChainSummary;
use rampart_inventory::{Catalog, CatalogChange};

use crate::audit::AuditDraft;
use crate::incident::DecisionError;

/// What a decision made on the catalog under the write lock wants written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogUpdate {
    /// The changes, applied in order. Empty means "nothing to do": the
    /// store writes nothing, not even the audit event.
    pub changes: Vec<CatalogChange>,
    /// The audit event describing them. Its time is also the
    /// `created_at`/`updated_at` the store records for the entries.
    pub audit: AuditDraft,
}

/// What `Store::update_catalog` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogApplied {
    /// The audit chain afterwards: the new head, or the unchanged one when
    /// there was nothing to write.
    pub audit: ChainSummary,
    /// How many changes were applied (0 when the list was empty).
    pub changed: usize,
}

/// The decision `Store::update_catalog` runs on the current catalog inside
/// the write transaction.
pub type CatalogDecide<'a> =
    Box<dyn FnOnce(&Catalog) -> Result<CatalogUpdate, DecisionError> + Send + 'a>;
