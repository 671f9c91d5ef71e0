//! Policy and renderers for `rampart scan`.
//!
//! The binary builds a [`ScanReport`] (findings after [`Policy::apply`] and an
//! optional [`Baseline`]), then hands it to [`render`] in the [`Format`] the
//! user chose and exits with [`ScanReport::exit_code`].
//!
//! **Architecture invariant:** every renderer works on a normalised copy of
//! the report, so machine output is byte-identical for the same input
//! whatever order the scanners produced things in. Nothing rendered depends
//! on the clock, the host or absolute paths the user did not give.

mod baseline;
mod cyclonedx;
mod glob;
mod json;
mod markdown;
mod policy;
mod report;
mod sarif;
mod table;
mod text;

use std::fmt;
use std::io;
use std::str::FromStr;

pub use baseline::{Baseline, BaselineError};
pub use cyclonedx::render_cyclonedx;
pub use json::{JSON_FORMAT_VERSION, render_json};
pub use markdown::render_markdown;
pub use policy::{
    Ignore, IgnoreSelector, Policy, PolicyError, PolicyOutcome, ScanToggles, SecretsPolicy,
    parse_threshold,
};
pub use report::{
    DEFAULT_MAX_DATABASE_AGE_DAYS, DatabaseSummary, ExpiredIgnore, IgnoredFinding, ScanReport,
    ScannedFile, SecretScanSummary, SecretSource, SeverityCounts, SkippedFile, SuppressionSource,
};
pub use sarif::render_sarif;
pub use table::render_table;

/// An output format of `rampart scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Human-readable, grouped by file; the default on terminals.
    #[default]
    Table,
    /// Rampart's own documented JSON (see `docs/json-output.md`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// CycloneDX 1.6 JSON: the components as an SBOM plus vulnerabilities.
    CycloneDx,
    /// GitHub-flavoured Markdown for a pull-request comment.
    Markdown,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 5] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::CycloneDx,
        Format::Markdown,
    ];

    /// The name `--format` accepts.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::CycloneDx => "cyclonedx",
            Format::Markdown => "markdown",
        }
    }

    /// Whether the output is meant for machines (and so must never carry
    /// colour or terminal-dependent layout).
    pub fn is_machine_readable(self) -> bool {
        matches!(self, Format::Json | Format::Sarif | Format::CycloneDx)
    }
}

/// The text is not one of the format names.
#[derive(Debug, thiserror::Error)]
#[error("unknown format {0:?} (expected one of: table, json, sarif, cyclonedx, markdown)")]
pub struct FormatParseError(pub String);

impl FromStr for Format {
    type Err = FormatParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "table" | "text" => Format::Table,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "cyclonedx" | "cdx" => Format::CycloneDx,
            "markdown" | "md" => Format::Markdown,
            _ => return Err(FormatParseError(s.to_string())),
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Writes `report` to `out` in `format`. `color` only affects the table.
pub fn render(
    format: Format,
    report: &ScanReport,
    out: &mut dyn io::Write,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Table => table::render_table_with(report, out, color),
        Format::Json => render_json(report, out),
        Format::Sarif => render_sarif(report, out),
        Format::CycloneDx => render_cyclonedx(report, out),
        Format::Markdown => render_markdown(report, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>().unwrap(), format);
        }
        assert_eq!("CDX".parse::<Format>().unwrap(), Format::CycloneDx);
        assert!("xml".parse::<Format>().is_err());
    }
}
