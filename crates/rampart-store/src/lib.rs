//! Rampart's storage layer, without SQL (DESIGN.md §2).
//!
//! [`Store`] is the one interface the server talks to. Two crates implement
//! it: `rampart-store-sqlite` (the embedded default) and
//! `rampart-store-postgres` (several stateless server replicas). Both pass
//! the same [`conformance`] suite.
//!
//! Invariants every backend keeps:
//!
//! * **A change and its audit event commit together.** Every mutating method
//!   takes the [`AuditDraft`] describing it and appends the event to the hash
//!   chain inside the same transaction. Appends are serialised *in the
//!   database* (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped
//!   advisory lock), never by an in-process mutex another replica would miss.
//! * **Decisions see the state they change.** [`Store::update_incident`]
//!   reads the incident under the write lock and runs the caller's decision
//!   (the pure rules of `rampart-incident`) on it before applying the
//!   result in the same transaction; [`Store::update_catalog`] does the
//!   same for the service catalog. For changes planned elsewhere,
//!   `apply_incident_changes` takes the version the caller read and fails
//!   with [`StoreError::StaleVersion`] rather than overwrite a concurrent
//!   change.
//! * **Restricted means restricted.** Listing methods take the viewer and
//!   return only incidents the viewer is a member of or holds a break-glass
//!   grant for; no method lists every incident. (The one method that
//!   reads across incidents, `all_evidence_for_verification`, returns
//!   evidence digests for `rampart audit verify`, not incidents to show.)
//! * **Custody is append-only.** An evidence item's custody log only ever
//!   grows; no method updates or deletes a custody row.
//! * **Finding history is append-only, and upload bodies are not kept.**
//!   A finding's events only ever grow; an upload is remembered by its
//!   digest and tally, never its body (which may hold what a scanner
//!   should not have sent).
//! * **Secrets are stored hashed.** Tokens and session ids arrive as hashes;
//!   passwords as argon2id PHC strings. The store never sees them in clear.

mod audit;
mod catalog;
mod error;
mod evidence;
mod findings;
mod incident;
mod store;
mod user;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use audit::{AUDIT_PAGE, AuditDraft, AuditVerifyError, verify_audit_chain};
pub use catalog::{CatalogApplied, CatalogDecide, CatalogUpdate};
pub use error::{StoreError, StoreResult};
pub use evidence::{CustodyDiscrepancy, CustodyRow, EvidenceRow, verify_custody};
pub use findings::{
    ComponentHit, FindingEventRow, FindingFilter, FindingHit, FindingRow, KeepVersion,
    ServiceCountsRow, TriageDecide, TriageUpdate, UploadOutcome, UploadRequest, UploadRow,
    UploadTally,
};
pub use incident::{
    AccessRequestRow, AppliedChanges, BreakGlassRow, Decide, DecisionError, IncidentChange,
    IncidentDetails, IncidentState, IncidentStatus, IncidentSummary, IncidentUpdate, LogRow,
    NewIncident, Notification, NotificationKind, RecordRow, StepRow,
};
pub use store::Store;
pub use user::{ApiToken, NewApiToken, NewSession, NewUser, Session, User};
