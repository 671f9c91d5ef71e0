use std::cmp::Ordering;

use jiff::civil::Date;
use rampart_core::{Component, ComponentVersion, Finding, FindingKind, Location, Severity};

use crate::policy::IgnoreSelector;

/// The advisory database age, in days, past which a scan warns.
pub const DEFAULT_MAX_DATABASE_AGE_DAYS: u32 = 7;

/// Everything one scan produced; the input of every renderer.
///
/// Build it with [`ScanReport::new`] and struct-update syntax. Order does not
/// matter: renderers work on a [`ScanReport::normalized`] copy.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanReport {
    /// Rampart's version, as printed in machine output.
    pub tool_version: String,
    /// The scanned path exactly as the user gave it (never made absolute).
    pub root: String,
    /// Findings that no ignore or baseline suppressed.
    pub findings: Vec<Finding>,
    /// Findings suppressed by a policy ignore or the baseline.
    pub ignored: Vec<IgnoredFinding>,
    /// Every component extracted, exact and unresolved.
    pub components: Vec<Component>,
    /// The files that were read and understood.
    pub scanned_files: Vec<ScannedFile>,
    /// Files deliberately not scanned, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// Input that could not be read or parsed; any of these makes the exit
    /// code 2.
    pub errors: Vec<SkippedFile>,
    /// Policy ignores whose `until` date has passed.
    pub expired_ignores: Vec<ExpiredIgnore>,
    /// The advisory database the scan matched against, when there was one.
    pub database: Option<DatabaseSummary>,
    /// The policy's `fail_on` severity.
    pub threshold: Severity,
    /// Whether dependency scanning ran (lockfiles, components, advisories).
    pub dependencies_scanned: bool,
    /// What the secret scanner covered, when it ran.
    pub secrets: Option<SecretScanSummary>,
}

/// What a secret scan read and left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecretScanSummary {
    /// Where the scanned content came from.
    pub source: SecretSource,
    /// Files (working tree, staged) or distinct blobs (history) scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
    /// Rules run.
    pub rules: usize,
    /// Files not scanned because they look binary.
    pub skipped_binary: usize,
    /// Files not scanned because they exceed the size limit.
    pub skipped_large: usize,
    /// The size limit, in bytes.
    pub max_file_bytes: u64,
    /// History scans: commits walked.
    pub commits: Option<usize>,
}

/// Where a secret scan's content came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretSource {
    /// Files on disk (a directory walk or one file).
    #[default]
    WorkingTree,
    /// The blobs staged in the git index (pre-commit).
    Staged,
    /// Every distinct blob of the selected git history.
    History,
}

impl SecretSource {
    /// The lowercase name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretSource::WorkingTree => "working-tree",
            SecretSource::Staged => "staged",
            SecretSource::History => "history",
        }
    }
}

/// A file the scan read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScannedFile {
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    /// The format that was recognised, such as `Cargo.lock`.
    pub kind: String,
    /// How many components it declared.
    pub components: usize,
}

/// A file that was skipped or failed, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkippedFile {
    /// Relative to the scan root, `/`-separated.
    pub path: String,
    pub reason: String,
}

/// What suppressed an ignored finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuppressionSource {
    /// An `[[ignore]]` entry of `rampart.toml`.
    Policy,
    /// The fingerprint is in the baseline file.
    Baseline,
}

impl SuppressionSource {
    /// The lowercase name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionSource::Policy => "policy",
            SuppressionSource::Baseline => "baseline",
        }
    }
}

/// A finding that was suppressed, with the ignore that suppressed it.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoredFinding {
    pub finding: Finding,
    pub source: SuppressionSource,
    /// What the ignore named; `None` for the baseline.
    pub selector: Option<IgnoreSelector>,
    /// The reason the ignore gives (`"baseline"` for the baseline).
    pub reason: String,
    /// The last day the ignore applies.
    pub until: Option<Date>,
}

/// An ignore whose `until` date has passed: it no longer suppresses anything.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpiredIgnore {
    pub selector: IgnoreSelector,
    pub reason: String,
    /// The last day it applied.
    pub until: Date,
    /// How many of this scan's findings it would have suppressed.
    pub matched: usize,
    /// Where the entry is written (the policy file and its line).
    pub location: Option<Location>,
}

/// What the advisory database held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSummary {
    pub advisories: usize,
    /// The newest `modified` timestamp among the advisories, RFC 3339.
    pub newest_modified: Option<String>,
    /// Days since the database was last updated. Depends on today's date, so
    /// machine formats leave it out.
    pub age_days: Option<i64>,
    /// Age past which the table warns.
    pub max_age_days: u32,
}

impl DatabaseSummary {
    /// Whether the database is older than `max_age_days`.
    pub fn is_stale(&self) -> bool {
        self.age_days
            .is_some_and(|age| age > i64::from(self.max_age_days))
    }
}

/// How many findings there are of each severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub unknown: usize,
    pub low: usize,
    pub info: usize,
}

impl SeverityCounts {
    /// Counts the severities of `findings`.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> SeverityCounts {
        let mut counts = SeverityCounts::default();
        for finding in findings {
            *counts.slot(finding.severity) += 1;
        }
        counts
    }

    fn slot(&mut self, severity: Severity) -> &mut usize {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Unknown => &mut self.unknown,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }

    /// The count for one severity.
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Unknown => self.unknown,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    /// All findings counted.
    pub fn total(&self) -> usize {
        Severity::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// Non-zero counts, most severe first: `1 critical, 2 medium`.
    pub fn describe(&self) -> String {
        Severity::ALL
            .iter()
            .filter(|s| self.get(**s) > 0)
            .map(|s| format!("{} {s}", self.get(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl ScanReport {
    /// An empty report with the default threshold (`low`).
    pub fn new(tool_version: impl Into<String>, root: impl Into<String>) -> ScanReport {
        ScanReport {
            tool_version: tool_version.into(),
            root: root.into(),
            findings: Vec::new(),
            ignored: Vec::new(),
            components: Vec::new(),
            scanned_files: Vec::new(),
            skipped: Vec::new(),
            errors: Vec::new(),
            expired_ignores: Vec::new(),
            database: None,
            threshold: Severity::Low,
            dependencies_scanned: true,
            secrets: None,
        }
    }

    /// Sorts every list into its canonical order and drops exact duplicates.
    ///
    /// Findings go most severe first, then by path, line and id; the
    /// remaining keys only make the order total so that shuffled input gives
    /// identical output.
    pub fn normalize(&mut self) {
        self.findings.sort_by(finding_order);
        self.findings.dedup();
        self.ignored.sort_by(|a, b| {
            finding_order(&a.finding, &b.finding)
                .then_with(|| a.source.cmp(&b.source))
                .then_with(|| a.selector.cmp(&b.selector))
                .then_with(|| a.reason.cmp(&b.reason))
                .then_with(|| a.until.cmp(&b.until))
        });
        self.ignored.dedup();
        self.components.sort_by(component_order);
        self.components.dedup();
        self.scanned_files.sort();
        self.scanned_files.dedup();
        self.skipped.sort();
        self.skipped.dedup();
        self.errors.sort();
        self.errors.dedup();
        self.expired_ignores.sort();
        self.expired_ignores.dedup();
    }

    /// A normalised copy.
    pub fn normalized(&self) -> ScanReport {
        let mut copy = self.clone();
        copy.normalize();
        copy
    }

    /// The report itself when it is already normalised (the binary
    /// normalises once), else a normalised copy: copying 50,000 components
    /// for every renderer doubled a large scan's memory.
    pub fn as_normalized(&self) -> std::borrow::Cow<'_, ScanReport> {
        if self.is_normalized() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.normalized())
        }
    }

    /// Whether every list is sorted and free of duplicates, as
    /// [`ScanReport::normalize`] leaves it.
    pub fn is_normalized(&self) -> bool {
        fn strictly<T>(items: &[T], order: impl Fn(&T, &T) -> Ordering) -> bool {
            items
                .windows(2)
                .all(|w| order(&w[0], &w[1]) == Ordering::Less)
        }
        strictly(&self.findings, finding_order)
            && self.findings.windows(2).all(|w| w[0] != w[1])
            && self
                .ignored
                .windows(2)
                .all(|w| finding_order(&w[0].finding, &w[1].finding) == Ordering::Less)
            && strictly(&self.components, component_order)
            && strictly(&self.scanned_files, Ord::cmp)
            && strictly(&self.skipped, Ord::cmp)
            && strictly(&self.errors, Ord::cmp)
            && strictly(&self.expired_ignores, Ord::cmp)
    }

    /// The process exit code: 2 when some input could not be read, else 1
    /// when an active finding reaches the threshold, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.failing().next().is_some() {
            1
        } else {
            0
        }
    }

    /// Active findings at or above the threshold.
    pub fn failing(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity.meets(self.threshold))
    }

    /// Severity counts of the active findings.
    pub fn severity_counts(&self) -> SeverityCounts {
        SeverityCounts::of(&self.findings)
    }

    /// Severity counts of the active vulnerability findings.
    pub fn vulnerability_counts(&self) -> SeverityCounts {
        SeverityCounts::of(
            self.findings
                .iter()
                .filter(|f| matches!(f.kind, FindingKind::Vulnerability { .. })),
        )
    }

    /// Severity counts of the active secret findings.
    pub fn secret_counts(&self) -> SeverityCounts {
        SeverityCounts::of(
            self.findings
                .iter()
                .filter(|f| matches!(f.kind, FindingKind::Secret { .. })),
        )
    }

    /// Components with an exact version: the ones matched against advisories.
    pub fn resolved_components(&self) -> impl Iterator<Item = &Component> {
        self.components
            .iter()
            .filter(|c| matches!(c.version, ComponentVersion::Exact(_)))
    }

    /// Components whose manifest gave only a range or nothing; never checked.
    pub fn unresolved_components(&self) -> impl Iterator<Item = &Component> {
        self.components
            .iter()
            .filter(|c| matches!(c.version, ComponentVersion::Unresolved { .. }))
    }
}

/// The canonical order of findings.
pub(crate) fn finding_order(a: &Finding, b: &Finding) -> Ordering {
    a.severity
        .display_rank()
        .cmp(&b.severity.display_rank())
        .then_with(|| a.location.cmp(&b.location))
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| package_of(a).cmp(&package_of(b)))
        .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        .then_with(|| a.title.cmp(&b.title))
}

/// Components by where they are declared, then by identity.
fn component_order(a: &Component, b: &Component) -> Ordering {
    a.location
        .cmp(&b.location)
        .then_with(|| a.ecosystem.cmp(&b.ecosystem))
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| a.cmp(b))
}

/// The package a finding is about, for vulnerabilities.
pub(crate) fn package_of(finding: &Finding) -> Option<&Component> {
    match &finding.kind {
        FindingKind::Vulnerability { package, .. } => Some(package),
        FindingKind::Secret { .. } => None,
    }
}
