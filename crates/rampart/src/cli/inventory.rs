//! `rampart upload …`, `rampart findings …` and `rampart where …`: the
//! findings inventory and its blast-radius questions through the server's
//! API.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use rampart_core::Severity;
use rampart_incident::IncidentId;
use rampart_inventory::FindingState;

use super::ClientOptions;

#[derive(Debug, Args)]
pub struct InventoryUploadArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: UploadCommand,
}

#[derive(Debug, Subcommand)]
pub enum UploadCommand {
    /// Upload another tool's SARIF 2.1.0 log. Source excerpts, file
    /// contents, fixes and HTTP exchanges are stripped before it is sent
    Sarif {
        /// The SARIF file
        file: PathBuf,
        #[command(flatten)]
        target: UploadTarget,
    },
    /// Upload a CycloneDX or SPDX JSON SBOM: the packages a service ships
    Sbom {
        /// The SBOM file
        file: PathBuf,
        /// The scope's name (`sbom:<NAME>`) [default: the SBOM's tool, else
        /// `sbom`]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        target: UploadTarget,
    },
}

/// Which service an upload belongs to and what it covers.
#[derive(Debug, Args, Clone)]
pub struct UploadTarget {
    /// The service (as in `rampart service list`)
    #[arg(long, value_name = "NAME")]
    pub service: String,
    #[command(flatten)]
    pub provenance: UploadProvenance,
}

/// Commit, CI run and completeness of an upload (shared with `scan
/// --upload`).
#[derive(Debug, Args, Clone, Default)]
pub struct UploadProvenance {
    /// The commit scanned [default: from the CI's environment:
    /// GITHUB_SHA, CI_COMMIT_SHA, BUILDKITE_COMMIT]
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The CI run [default: GITHUB_RUN_ID (with GITHUB_RUN_ATTEMPT),
    /// CI_PIPELINE_ID, BUILDKITE_BUILD_ID]
    #[arg(long, value_name = "ID")]
    pub run: Option<String>,
    /// The upload covers only part of the service: nothing it lacks is
    /// marked fixed, no component it lacks is dropped
    #[arg(long)]
    pub partial: bool,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: FindingsCommand,
}

#[derive(Debug, Subcommand)]
pub enum FindingsCommand {
    /// List findings, worst first
    List(FindingsFilter),
    /// Show one finding with its history
    Show {
        /// Finding id (from `findings list`)
        id: i64,
    },
    /// Accept a risk (until a date), call a finding a false positive, mark
    /// it fixed, or reopen it
    Triage {
        /// Finding id
        id: i64,
        /// open, accepted_risk, false_positive or fixed
        #[arg(long, value_name = "STATE", value_parser = parse_state)]
        state: FindingState,
        /// Why (needed for every state but open)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// When an accepted risk lapses: a date (00:00 UTC that day) or an
        /// RFC 3339 time; needed with accepted_risk, refused otherwise
        #[arg(long, value_name = "DATE|DATETIME", value_parser = parse_until)]
        until: Option<jiff::Timestamp>,
    },
    /// Open findings by service and severity, with the overdue ones
    Summary {
        /// Only this team's services
        #[arg(long, value_name = "TEAM")]
        team: Option<String>,
    },
}

#[derive(Debug, Args, Default)]
pub struct FindingsFilter {
    /// Only this service's findings
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Only the findings of this team's services
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    /// Only findings in this state (the state in force: a lapsed
    /// acceptance is open)
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    pub state: Option<FindingState>,
    /// Only findings of this severity or worse
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub severity: Option<Severity>,
    /// Only this kind: vulnerability, secret or sarif
    #[arg(long, value_name = "KIND", value_parser = ["vulnerability", "secret", "sarif"])]
    pub kind: Option<String>,
    /// Only open findings past their due date
    #[arg(long)]
    pub overdue: bool,
    /// Page size (the server's default is 100, its maximum 1000)
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Fetch every page, not only the first
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct WhereArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: WhereCommand,
}

#[derive(Debug, Subcommand)]
pub enum WhereCommand {
    /// Which services ship a package: `where package npm lodash --range
    /// '<4.17.21'` or `where package pkg:npm/lodash@4.17.20`
    Package {
        /// ECOSYSTEM NAME (OSV ecosystem: npm, PyPI, crates.io, Maven, …),
        /// or one package URL
        #[arg(required = true, num_args = 1..=2, value_name = "ECOSYSTEM NAME | PURL")]
        package: Vec<String>,
        /// Version range, in the ecosystem's own ordering: `>=4.0.0,<4.17.21
        /// || =3.10.1`
        #[arg(long, value_name = "EXPR")]
        range: Option<String>,
        #[command(flatten)]
        attach: Attach,
    },
    /// Which services have a finding known by this advisory id or alias
    /// (CVE, GHSA, RUSTSEC, PYSEC, GO)
    Advisory {
        /// The advisory id, any case
        id: String,
        #[command(flatten)]
        attach: Attach,
    },
    /// Which services contain a secret, by its fingerprint (never the
    /// value)
    Secret {
        /// The finding's fingerprint: 32 hex digits
        fingerprint: String,
        #[command(flatten)]
        attach: Attach,
    },
    /// One team's services and their open findings (= `findings summary
    /// --team TEAM`)
    Team {
        /// Team name
        team: String,
    },
}

#[derive(Debug, Args, Clone, Default)]
pub struct Attach {
    /// Also keep the answer as a blast-radius record of this incident
    /// (step 7)
    #[arg(long, value_name = "INCIDENT")]
    pub attach: Option<IncidentId>,
}

fn parse_state(text: &str) -> Result<FindingState, String> {
    text.parse()
        .map_err(|e: rampart_inventory::UploadError| e.message)
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    text.parse()
        .map_err(|_| format!("unknown severity {text:?} (critical, high, medium, low, info)"))
}

/// `2027-01-31` (00:00 UTC that day) or an RFC 3339 time.
pub fn parse_until(text: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Ok(at);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        format!(
            "{text:?} is neither a date (2027-01-31) nor an RFC 3339 time (2027-01-31T12:00:00Z)"
        )
    })?;
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| format!("{text:?}: {e}"))
}
