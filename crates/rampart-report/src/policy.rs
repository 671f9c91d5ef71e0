//! `rampart.toml`: the severity threshold, ignores with reasons and expiry
//! dates, path excludes and scanner toggles.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rampart_core::{Finding, FindingKind, Location, Severity};
use serde::Deserialize;
use toml::Spanned;

use crate::baseline::Baseline;
use crate::glob::Glob;
use crate::report::{ExpiredIgnore, IgnoredFinding, SuppressionSource};

/// `rampart.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or says something we do not accept.
    #[error("{}", parse_error_display(path, *line, message))]
    Parse {
        /// The path as given to [`Policy::from_toml_str`].
        path: String,
        /// 1-based line the problem is on, when known.
        line: Option<usize>,
        message: String,
    },
}

fn parse_error_display(path: &str, line: Option<usize>, message: &str) -> String {
    match line {
        Some(line) => format!("{path}:{line}: {message}"),
        None => format!("{path}: {message}"),
    }
}

/// What an `[[ignore]]` entry names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IgnoreSelector {
    /// An advisory id or any of its aliases (`RUSTSEC-…`, `CVE-…`, `GHSA-…`).
    Id(String),
    /// One finding's fingerprint.
    Fingerprint(String),
}

impl fmt::Display for IgnoreSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IgnoreSelector::Id(id) => f.write_str(id),
            IgnoreSelector::Fingerprint(fp) => write!(f, "fingerprint {fp}"),
        }
    }
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Ignore {
    pub selector: IgnoreSelector,
    /// Why the finding is acceptable; required and non-empty.
    pub reason: String,
    /// The last day the ignore applies; after it the finding is back.
    pub until: Option<Date>,
    /// When non-empty, the ignore only applies to findings under these globs.
    pub paths: Vec<String>,
    /// The 1-based line of the entry in the policy file.
    pub line: Option<usize>,
    globs: Vec<Glob>,
}

impl Ignore {
    /// An ignore with no expiry and no path restriction.
    pub fn new(selector: IgnoreSelector, reason: impl Into<String>) -> Ignore {
        Ignore {
            selector,
            reason: reason.into(),
            until: None,
            paths: Vec::new(),
            line: None,
            globs: Vec::new(),
        }
    }

    /// Restricts the ignore to findings under `paths` (globs).
    pub fn with_paths(mut self, paths: Vec<String>) -> Ignore {
        self.globs = paths.iter().map(|p| Glob::new(p)).collect();
        self.paths = paths;
        self
    }

    /// Sets the last day the ignore applies.
    pub fn with_until(mut self, until: Date) -> Ignore {
        self.until = Some(until);
        self
    }

    /// Whether this ignore names `finding`, regardless of its expiry.
    ///
    /// Ids compare ASCII-case-insensitively: people type `cve-2021-…`, and no
    /// advisory database distinguishes ids by case.
    pub fn matches(&self, finding: &Finding) -> bool {
        let named = match &self.selector {
            IgnoreSelector::Id(id) => finding.all_ids().any(|f| f.eq_ignore_ascii_case(id)),
            IgnoreSelector::Fingerprint(fp) => {
                finding.fingerprint.as_str().eq_ignore_ascii_case(fp)
            }
        };
        if !named {
            return false;
        }
        if self.globs.is_empty() {
            return true;
        }
        let covered = |path: &str| self.globs.iter().any(|g| g.matches(path));
        match &finding.kind {
            // A secret is one finding however many files hold it; a
            // path-restricted ignore covers it only where it covers every
            // place, so a copy outside the ignored paths still fails.
            FindingKind::Secret { locations, .. } if !locations.is_empty() => {
                locations.iter().all(|l| covered(&l.path))
            }
            _ => covered(&finding.location.path),
        }
    }

    /// Whether the ignore has expired on `today`: `until` is the last day it
    /// applies.
    pub fn is_expired(&self, today: Date) -> bool {
        self.until.is_some_and(|until| until < today)
    }
}

/// The optional `[scan]` toggles; `None` leaves the choice to the command
/// line and the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScanToggles {
    pub deps: Option<bool>,
    pub secrets: Option<bool>,
}

/// The `[secrets]` table: how the secret scanner runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretsPolicy {
    /// Run the generic, lower-confidence rules (`password = "…"`).
    pub low_confidence_rules: Option<bool>,
    /// Files larger than this are skipped (and counted).
    pub max_file_bytes: Option<u64>,
    /// Rule ids not to run.
    pub disable_rules: Vec<String>,
    /// Extra globs whose findings get a lower confidence.
    pub lower_confidence_paths: Vec<String>,
    /// Whether the built-in lower-confidence paths (tests, fixtures,
    /// lockfiles, vendored and minified code) apply; default true.
    pub builtin_path_rules: bool,
    /// The 1-based line of the `[secrets]` table, for errors about it.
    pub line: Option<usize>,
}

/// A parsed `rampart.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Findings at or above this severity fail the scan. Default `low`, so
    /// informational advisories (unmaintained, yanked) never fail it unless
    /// the policy says `fail_on = "info"`; `unknown` findings count as
    /// `medium`.
    pub fail_on: Severity,
    pub ignores: Vec<Ignore>,
    /// Globs the directory walk skips (the walk applies them, not this
    /// crate).
    pub exclude: Vec<String>,
    pub scan: ScanToggles,
    /// Age in days past which the advisory database is reported as stale.
    pub database_max_age_days: Option<u32>,
    pub secrets: SecretsPolicy,
    /// The path the policy was read from, for locations in reports.
    pub path: String,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            fail_on: Severity::Low,
            ignores: Vec::new(),
            exclude: Vec::new(),
            scan: ScanToggles::default(),
            database_max_age_days: None,
            secrets: SecretsPolicy {
                builtin_path_rules: true,
                ..SecretsPolicy::default()
            },
            path: String::new(),
        }
    }
}

/// The result of applying a policy to a scan's findings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyOutcome {
    pub active: Vec<Finding>,
    pub ignored: Vec<IgnoredFinding>,
    /// Every expired ignore, whether or not it matched a finding.
    pub expired_ignores: Vec<ExpiredIgnore>,
}

impl PolicyOutcome {
    /// Moves the active findings whose fingerprint is in `baseline` to
    /// `ignored`.
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let (active, ignored) = baseline.apply(std::mem::take(&mut self.active));
        self.active = active;
        self.ignored.extend(ignored);
    }
}

/// Parses a `fail_on` threshold. Only our five names are accepted: the
/// foreign spellings [`Severity`] parses (`none`, `negligible`) would read as
/// "never fail" but mean "fail on everything".
pub fn parse_threshold(text: &str) -> Result<Severity, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "info" => Ok(Severity::Info),
        "low" => Ok(Severity::Low),
        "medium" => Ok(Severity::Medium),
        "high" => Ok(Severity::High),
        "critical" => Ok(Severity::Critical),
        _ => Err(format!(
            "invalid threshold {text:?} (expected one of: info, low, medium, high, critical)"
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    database: RawDatabase,
    secrets: Option<Spanned<RawSecrets>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSecrets {
    low_confidence_rules: Option<bool>,
    max_file_bytes: Option<u64>,
    #[serde(default)]
    disable_rules: Vec<String>,
    #[serde(default)]
    lower_confidence_paths: Vec<String>,
    builtin_path_rules: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Option<Spanned<String>>,
    fingerprint: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    until: Option<Spanned<toml::Value>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScan {
    deps: Option<bool>,
    secrets: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    max_age_days: Option<u32>,
}

impl Policy {
    /// Reads and parses a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Policy::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses the text of a policy file; `path` only names it in errors.
    pub fn from_toml_str(text: &str, path: &str) -> Result<Policy, PolicyError> {
        let error = |span: Option<Range<usize>>, message: String| PolicyError::Parse {
            path: path.to_string(),
            line: span.map(|s| line_of(text, s.start)),
            message,
        };
        let raw: RawPolicy =
            toml::from_str(text).map_err(|e| error(e.span(), e.message().to_string()))?;

        let fail_on = match raw.fail_on {
            Some(value) => parse_threshold(value.get_ref())
                .map_err(|m| error(Some(value.span()), format!("fail_on: {m}")))?,
            None => Severity::Low,
        };

        let mut ignores = Vec::with_capacity(raw.ignore.len());
        for entry in raw.ignore {
            let span = entry.span();
            let line = line_of(text, span.start);
            let entry = entry.into_inner();
            let selector = match (entry.id, entry.fingerprint) {
                (Some(id), None) => {
                    let value = id.get_ref().trim();
                    if value.is_empty() {
                        return Err(error(Some(id.span()), "ignore: `id` is empty".into()));
                    }
                    IgnoreSelector::Id(value.to_string())
                }
                (None, Some(fp)) => {
                    let value = fp.get_ref().trim();
                    if value.is_empty() {
                        return Err(error(
                            Some(fp.span()),
                            "ignore: `fingerprint` is empty".into(),
                        ));
                    }
                    IgnoreSelector::Fingerprint(value.to_ascii_lowercase())
                }
                (Some(_), Some(_)) => {
                    return Err(error(
                        Some(span),
                        "ignore: give either `id` or `fingerprint`, not both".into(),
                    ));
                }
                (None, None) => {
                    return Err(error(
                        Some(span),
                        "ignore: needs an `id` (advisory id or alias) or a `fingerprint`".into(),
                    ));
                }
            };
            let reason = match entry.reason {
                Some(reason) if !reason.get_ref().trim().is_empty() => {
                    reason.get_ref().trim().to_string()
                }
                Some(reason) => {
                    return Err(error(
                        Some(reason.span()),
                        "ignore: `reason` is empty".into(),
                    ));
                }
                None => {
                    return Err(error(
                        Some(span),
                        format!(
                            "ignore {selector}: `reason` is required (say why it is acceptable)"
                        ),
                    ));
                }
            };
            let until = match entry.until {
                Some(until) => Some(parse_until(until.get_ref()).map_err(|m| {
                    error(
                        Some(until.span()),
                        format!("ignore {selector}: `until`: {m}"),
                    )
                })?),
                None => None,
            };
            let mut paths = Vec::with_capacity(entry.paths.len());
            for glob in entry.paths {
                if glob.get_ref().trim().is_empty() {
                    return Err(error(
                        Some(glob.span()),
                        "ignore: empty glob in `paths`".into(),
                    ));
                }
                paths.push(glob.into_inner());
            }
            let mut ignore = Ignore::new(selector, reason).with_paths(paths);
            ignore.until = until;
            ignore.line = Some(line);
            ignores.push(ignore);
        }

        let mut exclude = Vec::with_capacity(raw.exclude.len());
        for glob in raw.exclude {
            if glob.get_ref().trim().is_empty() {
                return Err(error(Some(glob.span()), "exclude: empty glob".into()));
            }
            exclude.push(glob.into_inner());
        }

        Ok(Policy {
            fail_on,
            ignores,
            exclude,
            scan: ScanToggles {
                deps: raw.scan.deps,
                secrets: raw.scan.secrets,
            },
            database_max_age_days: raw.database.max_age_days,
            secrets: match raw.secrets {
                Some(table) => {
                    let span = table.span();
                    let line = line_of(text, span.start);
                    let table = table.into_inner();
                    if table.max_file_bytes == Some(0) {
                        return Err(error(
                            Some(span),
                            "[secrets]: `max_file_bytes` must be positive".into(),
                        ));
                    }
                    SecretsPolicy {
                        low_confidence_rules: table.low_confidence_rules,
                        max_file_bytes: table.max_file_bytes,
                        disable_rules: table.disable_rules,
                        lower_confidence_paths: table.lower_confidence_paths,
                        builtin_path_rules: table.builtin_path_rules.unwrap_or(true),
                        line: Some(line),
                    }
                }
                None => Policy::default().secrets,
            },
            path: path.to_string(),
        })
    }

    /// Splits `findings` into active and ignored, and lists the expired
    /// ignores. The first unexpired ignore (in file order) that names a
    /// finding suppresses it.
    pub fn apply(&self, findings: Vec<Finding>, today: Date) -> PolicyOutcome {
        let mut outcome = PolicyOutcome::default();
        let mut expired_matches = vec![0usize; self.ignores.len()];
        for finding in findings {
            let mut suppressed_by = None;
            for (index, ignore) in self.ignores.iter().enumerate() {
                if !ignore.matches(&finding) {
                    continue;
                }
                if ignore.is_expired(today) {
                    expired_matches[index] += 1;
                } else if suppressed_by.is_none() {
                    suppressed_by = Some(ignore);
                }
            }
            match suppressed_by {
                Some(ignore) => outcome.ignored.push(IgnoredFinding {
                    finding,
                    source: SuppressionSource::Policy,
                    selector: Some(ignore.selector.clone()),
                    reason: ignore.reason.clone(),
                    until: ignore.until,
                }),
                None => outcome.active.push(finding),
            }
        }
        for (ignore, matched) in self.ignores.iter().zip(expired_matches) {
            if let Some(until) = ignore.until.filter(|_| ignore.is_expired(today)) {
                outcome.expired_ignores.push(ExpiredIgnore {
                    selector: ignore.selector.clone(),
                    reason: ignore.reason.clone(),
                    until,
                    matched,
                    location: (!self.path.is_empty()).then(|| {
                        Location::new(
                            self.path.clone(),
                            ignore.line.and_then(|l| u32::try_from(l).ok()),
                        )
                    }),
                });
            }
        }
        outcome
    }
}

/// `until` may be a TOML date (`until = 2026-12-31`) or a string.
fn parse_until(value: &toml::Value) -> Result<Date, String> {
    match value {
        toml::Value::String(s) => s
            .trim()
            .parse::<Date>()
            .map_err(|e| format!("{s:?} is not a date (YYYY-MM-DD): {e}")),
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => Date::new(
                i16::try_from(date.year).map_err(|_| "year out of range".to_string())?,
                i8::try_from(date.month).map_err(|_| "month out of range".to_string())?,
                i8::try_from(date.day).map_err(|_| "day out of range".to_string())?,
            )
            .map_err(|e| e.to_string()),
            _ => Err(format!("{dt} is not a plain date (YYYY-MM-DD)")),
        },
        other => Err(format!(
            "expected a date (YYYY-MM-DD), found {}",
            other.type_str()
        )),
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
