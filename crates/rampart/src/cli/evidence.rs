//! `rampart evidence …`: step 10's evidence with its chain of custody,
//! through the server's API.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use rampart_incident::IncidentId;

use super::ClientOptions;

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: EvidenceCommand,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Upload a file as evidence: streamed, hashed by the server on intake,
    /// kept write-once
    Upload(UploadArgs),
    /// Register evidence kept outside Rampart (a disk image in a safe) by
    /// its location and the digest its custodian computed
    Register(RegisterArgs),
    /// List an incident's evidence
    List {
        /// Incident id (SEC-YYYY-NNNN)
        id: IncidentId,
    },
    /// Show one item with its chain of custody
    Show {
        /// Incident id
        id: IncidentId,
        /// The item's id (from `evidence list`)
        item: i64,
    },
    /// Download an item's bytes; the reason goes into its chain of custody.
    /// The file is verified against the digest taken on intake before it
    /// is put in place.
    Download(DownloadArgs),
    /// Export every item with a custody report (JSON and Markdown) and a
    /// SHA256SUMS file anyone can check with `sha256sum -c`
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Incident id
    pub id: IncidentId,
    /// The file to upload
    pub file: PathBuf,
    /// Name of the item [default: the file's name]
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// What it is and why it matters
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Where it was collected ("/var/log/nginx on edge-2")
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// When it was collected, if not now (RFC 3339, e.g. 2026-11-02T03:14:00Z)
    #[arg(long, value_name = "TIME")]
    pub collected_at: Option<jiff::Timestamp>,
    /// Who collected it, if not you
    #[arg(long, value_name = "TEXT")]
    pub collected_by: Option<String>,
    /// The file's media type (recorded only: downloads are always
    /// attachments)
    #[arg(long, value_name = "TYPE", default_value = "application/octet-stream")]
    pub media_type: String,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Incident id
    pub id: IncidentId,
    /// A label ("laptop of j.doe, disk image")
    #[arg(long, value_name = "TEXT")]
    pub name: String,
    /// Where it is kept ("evidence safe B, shelf 2, bag 2026-117")
    #[arg(long, value_name = "TEXT")]
    pub location: String,
    /// The SHA-256 its custodian computed (64 hex digits)
    #[arg(long, value_name = "HEX")]
    pub sha256: String,
    /// Its size in bytes
    #[arg(long, value_name = "BYTES")]
    pub size: Option<u64>,
    /// What it is
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Where it was collected
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// When it was collected (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub collected_at: Option<jiff::Timestamp>,
    /// Who collected it
    #[arg(long, value_name = "TEXT")]
    pub collected_by: Option<String>,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// Incident id
    pub id: IncidentId,
    /// The item's id
    pub item: i64,
    /// Why you need the bytes (required; recorded in the chain of custody)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Where to write it; `-` for standard output [default: the item's
    /// name, made safe, in the current folder]. An existing file is never
    /// replaced.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Incident id
    pub id: IncidentId,
    /// A new or empty folder to export into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Why the evidence leaves Rampart (recorded for every item)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}
