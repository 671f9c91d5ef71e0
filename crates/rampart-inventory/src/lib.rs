//! The service inventory's domain (DESIGN.md section 6): who owns which
//! service. Pure logic, no I/O; the store keeps it, the server exposes it.
//!
//! * [`catalog`]: names, teams, services and systems, and the changes
//!   that move a catalog from one state to the next.

pub mod catalog;

pub use catalog::{
    Catalog, CatalogChange, CatalogError, DataClassification, EntitySource, Service, ServiceName,
    System, Team, TeamMember, TeamName, Tier,
};
