//! `rampart threat`: threat models as code.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct ThreatArgs {
    #[command(subcommand)]
    pub command: ThreatCommand,
}

#[derive(Debug, Subcommand)]
pub enum ThreatCommand {
    /// CI gate: validate models and fail (exit 1) on open threats at or over
    /// --fail-on, or on an expired acceptance.
    #[command(
        after_help = "Exit codes: 0 passed, 1 open threats at or over the threshold, an expired \
                      acceptance (or, with --strict, a warning or stale tracking entry), 2 a \
                      model that cannot be read or has errors."
    )]
    Check(ThreatCheckArgs),
    /// Write the threat report of a model (markdown, html, json or sarif).
    Report(ThreatReportArgs),
    /// Draw the data-flow diagram with trust boundaries as clusters.
    Diagram(ThreatDiagramArgs),
    /// Convert an OWASP Threat Dragon v2 JSON model into Rampart's YAML.
    ImportThreatDragon(ThreatImportArgs),
    /// Print the JSON Schema of the model format (for editors and CI).
    Schema(ThreatSchemaArgs),
    /// List the built-in rule library.
    Rules(ThreatRulesArgs),
}

#[derive(Debug, Args)]
pub struct ThreatCheckArgs {
    /// Model files (YAML)
    #[arg(value_name = "MODEL", required = true)]
    pub models: Vec<PathBuf>,

    /// Fail on open threats of this severity or higher: low, medium, high
    /// or critical. Expired acceptances fail whatever their severity.
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = parse_level)]
    pub fail_on: rampart_threat::model::Level,

    /// Also fail on warnings: stale tracking entries and model warnings
    #[arg(long)]
    pub strict: bool,

    /// Judge acceptance expiry as of this date (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Args)]
pub struct ThreatReportArgs {
    /// Model file (YAML)
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "markdown")]
    pub format: ThreatReportFormat,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Judge acceptance expiry as of this date (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThreatReportFormat {
    Markdown,
    Html,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct ThreatDiagramArgs {
    /// Model file (YAML)
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,

    /// mermaid renders in GitHub Markdown; dot is for Graphviz
    #[arg(long, short = 'f', value_enum, default_value = "mermaid")]
    pub format: ThreatDiagramFormat,

    /// Write the diagram to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThreatDiagramFormat {
    Mermaid,
    Dot,
}

#[derive(Debug, Args)]
pub struct ThreatImportArgs {
    /// Threat Dragon v2 JSON file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Write the YAML model to OUT instead of standard output
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Overwrite OUT if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ThreatSchemaArgs {
    /// Write the schema to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ThreatRulesArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: ThreatRulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThreatRulesFormat {
    Table,
    Json,
    Markdown,
}

fn parse_level(text: &str) -> Result<rampart_threat::model::Level, String> {
    text.to_ascii_lowercase().parse()
}
