//! `rampart scan` and `rampart db`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use rampart_core::Severity;
use rampart_report::Format;

/// Where the advisory database lives.
#[derive(Debug, Args, Clone)]
pub struct DbLocation {
    /// Advisory database file [default: the user's cache directory]
    #[arg(long, global = true, env = "RAMPART_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory or file to scan (for --history and --staged: a path inside
    /// the git repository)
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Scan dependencies (lockfiles and manifests) for known
    /// vulnerabilities. With neither --deps nor --secrets, every scanner
    /// that applies runs (as `[scan]` in rampart.toml allows)
    #[arg(long)]
    pub deps: bool,

    /// Scan for hard-coded secrets (API keys, tokens, private keys,
    /// passwords in connection strings)
    #[arg(long)]
    pub secrets: bool,

    /// Scan every distinct blob of the git history for secrets instead of
    /// the working tree (implies --secrets)
    #[arg(long, conflicts_with = "staged")]
    pub history: bool,

    /// With --history: only commits after REV (REV..HEAD), or a range A..B
    #[arg(long, value_name = "REV|A..B", requires = "history")]
    pub since: Option<String>,

    /// Scan only the files staged for the next commit (for pre-commit hooks;
    /// implies --secrets)
    #[arg(long)]
    pub staged: bool,

    /// Print secret values in full instead of redacted (`ghp_…`). Never use
    /// this in CI logs
    #[arg(long)]
    pub show_secrets: bool,

    /// Also run the generic, lower-confidence secret rules
    /// (`password = "…"` assignments with random-looking values)
    #[arg(long)]
    pub low_confidence: bool,

    /// Skip (and count) files larger than this for secrets: bytes, or with
    /// a K, M or G suffix [default: from rampart.toml, else 10M]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,

    /// Output format: table, json, sarif, cyclonedx or markdown
    #[arg(long, short = 'f', default_value = "table", value_name = "FORMAT")]
    pub format: Format,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) on findings of this severity or higher
    /// [default: from rampart.toml, else low]
    #[arg(long, value_name = "SEVERITY", value_parser = rampart_report::parse_threshold)]
    pub fail_on: Option<Severity>,

    /// Policy file [default: rampart.toml in the scanned directory, if any]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Findings whose fingerprints are in this baseline file are reported as
    /// ignored, not as new
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the fingerprints of all current findings to FILE as a baseline
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Leave out paths matching this glob (gitignore syntax); repeatable
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Do not honour .gitignore and .ignore files
    #[arg(long)]
    pub no_ignore: bool,

    /// Warn when the newest advisory is older than this many days
    /// [default: from rampart.toml, else 7]
    #[arg(long, value_name = "DAYS")]
    pub max_db_age: Option<u32>,

    /// Threads for extraction and matching [default: the number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Colour: auto, always or never
    #[arg(long, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,

    /// After the scan, upload its findings and components to the Rampart
    /// server at URL (token from RAMPART_TOKEN). Output and exit code are
    /// those of the scan; a failed upload exits 2
    #[arg(
        long,
        value_name = "URL",
        requires = "service",
        conflicts_with = "staged"
    )]
    pub upload: Option<String>,

    /// With --upload: the service the scan belongs to
    #[arg(long, value_name = "NAME", requires = "upload")]
    pub service: Option<String>,

    /// With --upload: the commit scanned [default: from the CI's
    /// environment: GITHUB_SHA, CI_COMMIT_SHA, BUILDKITE_COMMIT]
    #[arg(long, value_name = "SHA", requires = "upload")]
    pub commit: Option<String>,

    /// With --upload: the CI run [default: GITHUB_RUN_ID (with
    /// GITHUB_RUN_ATTEMPT), CI_PIPELINE_ID, BUILDKITE_BUILD_ID]
    #[arg(long, value_name = "ID", requires = "upload")]
    pub run: Option<String>,

    /// With --upload: the scan covers only part of the service, so nothing
    /// it lacks is marked fixed
    #[arg(long, requires = "upload")]
    pub partial: bool,

    #[command(flatten)]
    pub db: DbLocation,
}

/// `1048576`, `512K`, `10M`, `1G` (binary multiples).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, multiplier) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&text[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        format!("invalid size {text:?} (expected bytes or a number with K, M or G)")
    })?;
    match n.checked_mul(multiplier) {
        Some(0) => Err("the size limit must be positive".into()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("size {text:?} is too large")),
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(flatten)]
    pub db: DbLocation,
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV advisories from JSON files, directories or OSV zip archives
    Import(ImportArgs),
    /// Show what the database holds and how old it is
    Status(StatusArgs),
    /// Download the published OSV archives of the given ecosystems
    Update(UpdateArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// OSV JSON files, directories (searched recursively) or zip archives
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print machine-readable JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// OSV ecosystems to download (repeatable)
    #[arg(long = "ecosystem", value_name = "NAME", default_values = ["crates.io", "npm", "PyPI", "Go", "Maven", "RubyGems", "NuGet", "Packagist", "Pub", "Hex"])]
    pub ecosystems: Vec<String>,

    /// Base URL of the OSV archive bucket (for mirrors)
    #[arg(
        long,
        env = "RAMPART_OSV_MIRROR",
        default_value = "https://osv-vulnerabilities.storage.googleapis.com",
        value_name = "URL"
    )]
    pub mirror: String,

    /// Seconds to wait for a connection before giving up
    #[arg(long, default_value_t = 15, value_name = "SECONDS")]
    pub timeout: u64,
}
