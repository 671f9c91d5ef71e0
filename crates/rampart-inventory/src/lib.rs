//! The service inventory's domain (DESIGN.md section 6): who owns which
//! service. Pure logic, no I/O; the store keeps it, the server exposes it.
//!
//! * [`catalog`]: names, teams, services and systems, and the changes
//!   that move a catalog from one state to the next.
//! * [`backstage`]: the Backstage `catalog-info.yaml` import and its diff
//!   against the catalog.
//! * [`finding`]: what an upload contributes to the findings inventory.
//! * [`sarif`]: SARIF 2.1.0 logs into findings.
//! * [`upload`]: one upload in any format, triage states and the SLA.
//! * [`reconcile`]: an upload against what the inventory knows.
//! * [`triage`]: the rules of a triage decision.

pub mod backstage;
pub mod catalog;
pub mod finding;
pub mod reconcile;
pub mod sarif;
pub mod triage;
pub mod upload;

pub use backstage::{
    BackstageError, Entity, EntityRef, EntryKind, EntryName, EntryUpdate, FieldChange, ImportPlan,
    ImportReport, Metadata, RefError, Skipped, Warning, parse_files, plan_import,
};
pub use catalog::{
    Catalog, CatalogChange, CatalogError, DataClassification, EntitySource, Service, ServiceName,
    System, Team, TeamMember, TeamName, Tier,
};
pub use finding::{
    FindingDetail, FindingFingerprint, FingerprintError, FingerprintOrigin, IncomingFinding,
    IncomingKind, LocalSuppression, PackageRef,
};
/// Re-exported so the store and server name severities without a
/// dependency of their own on `rampart-core`.
pub use rampart_core::Severity;
pub use reconcile::{
    ComponentKey, FindingFix, FindingInsert, FindingRefresh, KnownComponent, KnownFinding,
    PlannedEvent, ReconcileTally, UploadPlan, UploadSnapshot, reconcile,
};
pub use sarif::{SarifError, SarifLimits, SarifScope, SarifUpload, strip_sarif};
pub use triage::{MAX_REASON_CHARS, TriageChange, TriageError, TriageInput, triage};
pub use upload::{
    FindingState, IncomingComponent, IncomingUpload, SlaPolicy, UploadError, UploadFormat,
    UploadScope, check_scope_name,
};
