//! Command-line definitions (clap derive), one file per face of the binary.
//! Kept apart from the commands so `main.rs` stays a table of contents.

mod catalog;
mod client;
mod evidence;
mod inventory;
mod scan;
mod server;
mod threat;

use clap::{Parser, Subcommand};

pub use catalog::*;
pub use client::*;
pub use evidence::*;
pub use inventory::*;
pub use scan::*;
pub use server::*;
pub use threat::*;

/// Rampart: shift-left security scanning and secure incident response.
///
/// Exit codes: 0 nothing over the threshold, 1 findings over the threshold,
/// 2 usage or input error.
#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about,
    long_about = None,
    max_term_width = 100,
    after_help = "Exit codes: 0 nothing at or above the threshold, 1 findings at or above it, \
                  2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory or lockfile for vulnerable dependencies.
    Scan(ScanArgs),
    /// Manage the offline advisory database (OSV).
    Db(DbArgs),
    /// Run the incident-response server (JSON API).
    Serve(ServeArgs),
    /// Manage the server's users directly in its database (e.g. the first admin).
    User(UserArgs),
    /// Create API tokens directly in the server's database.
    Token(TokenArgs),
    /// Verify the server's tamper-evident audit chain, or print its head.
    Audit(AuditArgs),
    /// Work on security incidents through the server's API.
    Incident(IncidentArgs),
    /// Evidence with its chain of custody: upload, download, export.
    Evidence(EvidenceArgs),
    /// Approve or reject break-glass requests (security role).
    BreakGlass(BreakGlassArgs),
    /// Show your notifications from the server.
    Notifications(NotificationArgs),
    /// The service catalog: services, their owners, the Backstage import.
    Service(ServiceArgs),
    /// Teams of the service catalog and their members.
    Team(TeamArgs),
    /// Upload another tool's SARIF log or an SBOM to the findings inventory.
    Upload(InventoryUploadArgs),
    /// The findings inventory: list, show, triage, summarise.
    Findings(FindingsArgs),
    /// Blast radius: which services ship a package, have an advisory or
    /// contain a secret.
    Where(WhereArgs),
    /// Threat models as code: check (CI gate), report, diagram, import.
    Threat(ThreatArgs),
}
