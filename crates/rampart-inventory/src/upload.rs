//! One upload as the inventory receives it, whatever its format, and the
//! vocabulary of the findings it keeps: triage states and the severity
//! SLA that gives each finding a due date.
//!
//! A scan report, a SARIF log and an SBOM all become an
//! [`IncomingUpload`] before anything is compared with the store, so the
//! reconcile step (`crate::reconcile`) has one input shape.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use rampart_core::Severity;
use serde::{Deserialize, Serialize};

use crate::finding::IncomingFinding;

/// Longest scope name: `sarif:` plus a tool slug, `sbom:` plus a name.
pub const MAX_SCOPE_BYTES: usize = 100;

/// Which route an upload came through. Kept with the upload so a digest
/// of one format never matches another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadFormat {
    /// Rampart's own scan (`rampart scan --upload`).
    Scan,
    /// A SARIF 2.1.0 log from any tool.
    Sarif,
    /// A CycloneDX or SPDX JSON SBOM.
    Sbom,
}

impl UploadFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scan => "scan",
            Self::Sarif => "sarif",
            Self::Sbom => "sbom",
        }
    }
}

impl FromStr for UploadFormat {
    type Err = UploadError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "scan" => Ok(Self::Scan),
            "sarif" => Ok(Self::Sarif),
            "sbom" => Ok(Self::Sbom),
            other => Err(UploadError::new(
                "format",
                format!("unknown format {other:?}"),
            )),
        }
    }
}

/// One kind of scan an upload covers (`rampart:deps`,
/// `rampart:secrets`, `rampart:secrets-history`, `sarif:<tool>`,
/// `sbom:<name>`), and whether it covers it completely. Only a complete
/// scope marks missing findings fixed and drops missing components.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadScope {
    pub scope: String,
    pub complete: bool,
}

/// One package a service ships, as an upload states it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingComponent {
    /// The scope whose scan found it (`rampart:deps`, `sbom:<name>`).
    pub scope: String,
    /// OSV ecosystem name (`npm`, `PyPI`, `Debian`), or `purl:<type>`
    /// for a package URL type with no ecosystem.
    pub ecosystem: String,
    /// Normalized as `rampart_core::normalize_package_name` does.
    pub name: String,
    /// `None`: the version could not be resolved (a range in a manifest,
    /// an SBOM entry without one). Never guessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The lockfile or SBOM it was read from; empty when unknown.
    #[serde(default)]
    pub path: String,
}

/// One upload, parsed and checked, before it meets the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingUpload {
    pub format: UploadFormat,
    /// The scopes it covers, each once, sorted.
    pub scopes: Vec<UploadScope>,
    pub findings: Vec<IncomingFinding>,
    pub components: Vec<IncomingComponent>,
    /// Tool name and version, for people.
    pub tool: Option<String>,
    /// The commit scanned, when the uploader says.
    pub commit: Option<String>,
    /// The CI run, when the uploader says.
    pub run: Option<String>,
    /// SHA-256 (hex) of the format, the body as received, commit and run:
    /// the same request twice has the same digest.
    pub digest: String,
    /// Entries of the body that were not findings or components (SARIF
    /// passes, SBOM entries without a package URL), for the receipt.
    pub skipped: u64,
}

impl IncomingUpload {
    /// The scopes as one string (`rampart:deps\nrampart:secrets`): two
    /// uploads with the same key cover the same ground, so the later one
    /// replaces what the earlier one said.
    pub fn scope_key(&self) -> String {
        let names: BTreeSet<&str> = self.scopes.iter().map(|s| s.scope.as_str()).collect();
        names.into_iter().collect::<Vec<_>>().join("\n")
    }

    /// Checks what the parsers cannot: every scope is well formed and
    /// named once, and every finding and component belongs to a scope
    /// the upload declares (a stray one would never be marked fixed).
    pub fn validate(&self) -> Result<(), UploadError> {
        if self.scopes.is_empty() {
            return Err(UploadError::new(
                "scopes",
                "an upload covers at least one scope",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, scope) in self.scopes.iter().enumerate() {
            check_scope_name(&scope.scope)
                .map_err(|why| UploadError::new(format!("scopes[{i}].scope"), why))?;
            if !seen.insert(scope.scope.as_str()) {
                return Err(UploadError::new(
                    format!("scopes[{i}].scope"),
                    format!("scope {:?} is named twice", scope.scope),
                ));
            }
        }
        for (i, finding) in self.findings.iter().enumerate() {
            if !seen.contains(finding.scope.as_str()) {
                return Err(UploadError::new(
                    format!("findings[{i}].scope"),
                    format!("scope {:?} is not among the upload's scopes", finding.scope),
                ));
            }
        }
        for (i, component) in self.components.iter().enumerate() {
            if !seen.contains(component.scope.as_str()) {
                return Err(UploadError::new(
                    format!("components[{i}].scope"),
                    format!(
                        "scope {:?} is not among the upload's scopes",
                        component.scope
                    ),
                ));
            }
            if component.ecosystem.is_empty() || component.name.is_empty() {
                return Err(UploadError::new(
                    format!("components[{i}]"),
                    "a component needs an ecosystem and a name",
                ));
            }
        }
        Ok(())
    }
}

/// A scope is `<family>:<name>` in lowercase ASCII letters, digits and
/// `-_.`, where the family is `rampart`, `sarif` or `sbom`.
pub fn check_scope_name(scope: &str) -> Result<(), String> {
    if scope.len() > MAX_SCOPE_BYTES {
        return Err(format!("a scope is at most {MAX_SCOPE_BYTES} bytes"));
    }
    let Some((family, name)) = scope.split_once(':') else {
        return Err(format!("scope {scope:?} is not <family>:<name>"));
    };
    if !matches!(family, "rampart" | "sarif" | "sbom") {
        return Err(format!(
            "scope {scope:?}: the family is rampart, sarif or sbom"
        ));
    }
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if !name_ok {
        return Err(format!(
            "scope {scope:?}: the name after ':' is lowercase letters, digits and -_."
        ));
    }
    if family == "rampart" && !RAMPART_SCOPES.contains(&scope) {
        return Err(format!(
            "scope {scope:?}: Rampart's own scopes are {}",
            RAMPART_SCOPES.join(", ")
        ));
    }
    Ok(())
}

/// The scopes Rampart's own scanner reports under.
pub const RAMPART_SCOPES: [&str; 3] =
    ["rampart:deps", "rampart:secrets", "rampart:secrets-history"];

/// A problem with an upload's content, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct UploadError {
    pub field: String,
    pub message: String,
}

impl UploadError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Where a finding stands in triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    /// Needs fixing.
    Open,
    /// Someone accepted the risk, with a reason, until an expiry; it
    /// counts as open again from the expiry on.
    AcceptedRisk,
    /// Someone judged it not a problem, with a reason.
    FalsePositive,
    /// A later complete scan no longer reported it (or someone said so);
    /// it reopens if reported again.
    Fixed,
}

impl FindingState {
    pub const ALL: [FindingState; 4] = [
        FindingState::Open,
        FindingState::AcceptedRisk,
        FindingState::FalsePositive,
        FindingState::Fixed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::AcceptedRisk => "accepted_risk",
            Self::FalsePositive => "false_positive",
            Self::Fixed => "fixed",
        }
    }

    /// The state in force at `now`: an accepted risk past its expiry is
    /// open, whether or not the sweep has written that yet.
    pub fn effective(self, risk_expires_at: Option<Timestamp>, now: Timestamp) -> FindingState {
        match (self, risk_expires_at) {
            (Self::AcceptedRisk, Some(expiry)) if expiry <= now => Self::Open,
            (state, _) => state,
        }
    }
}

impl fmt::Display for FindingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingState {
    type Err = UploadError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                UploadError::new(
                    "state",
                    format!(
                        "unknown state {text:?} (expected open, accepted_risk, false_positive or fixed)"
                    ),
                )
            })
    }
}

/// How many days a finding of each severity may stay open. `None`: no due
/// date. Read from `[inventory.sla]`; applied when a finding is first
/// seen or reopened, so a policy change affects new findings only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub low: Option<u32>,
    /// Findings whose severity nobody rated.
    pub unknown: Option<u32>,
    pub info: Option<u32>,
}

impl Default for SlaPolicy {
    /// Common enterprise practice (and PCI DSS for critical): a week for
    /// critical, a month for high, a quarter for medium and unrated, half
    /// a year for low, none for informational.
    fn default() -> Self {
        Self {
            critical: Some(7),
            high: Some(30),
            medium: Some(90),
            low: Some(180),
            unknown: Some(90),
            info: None,
        }
    }
}

impl SlaPolicy {
    pub fn days(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Unknown => self.unknown,
            Severity::Info => self.info,
        }
    }

    /// When a finding of `severity` first seen at `from` is due.
    pub fn due_at(&self, severity: Severity, from: Timestamp) -> Option<Timestamp> {
        let days = self.days(severity)?;
        from.checked_add(SignedDuration::from_hours(i64::from(days) * 24))
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_names() {
        for ok in [
            "rampart:deps",
            "sarif:trivy",
            "sarif:codeql-command-line-toolchain",
            "sbom:app.v2",
        ] {
            assert!(check_scope_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "deps",
            "rampart:other",
            "sarif:",
            "sarif:Trivy",
            "x:y",
            "sbom:a b",
        ] {
            assert!(check_scope_name(bad).is_err(), "{bad}");
        }
        assert!(check_scope_name(&format!("sbom:{}", "a".repeat(100))).is_err());
    }

    #[test]
    fn accepted_risk_lapses_at_expiry() {
        let now: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let state = FindingState::AcceptedRisk;
        assert_eq!(
            state.effective(Some(later), now),
            FindingState::AcceptedRisk
        );
        assert_eq!(state.effective(Some(now), now), FindingState::Open);
        assert_eq!(
            FindingState::Fixed.effective(Some(now), now),
            FindingState::Fixed
        );
        for s in FindingState::ALL {
            assert_eq!(s.as_str().parse::<FindingState>().unwrap(), s);
        }
    }

    #[test]
    fn sla_due_dates() {
        let from: Timestamp = "2026-11-28T10:00:00Z".parse().unwrap();
        let sla = SlaPolicy::default();
        assert_eq!(
            sla.due_at(Severity::Critical, from).unwrap().to_string(),
            "2026-12-05T10:00:00Z"
        );
        assert_eq!(sla.due_at(Severity::Info, from), None);
    }

    #[test]
    fn scope_key_and_validation() {
        let upload = IncomingUpload {
            format: UploadFormat::Scan,
            scopes: vec![
                UploadScope {
                    scope: "rampart:secrets".into(),
                    complete: true,
                },
                UploadScope {
                    scope: "rampart:deps".into(),
                    complete: false,
                },
            ],
            findings: vec![],
            components: vec![IncomingComponent {
                scope: "sbom:x".into(),
                ecosystem: "npm".into(),
                name: "lodash".into(),
                version: Some("4.17.20".into()),
                purl: None,
                path: String::new(),
            }],
            tool: None,
            commit: None,
            run: None,
            digest: String::new(),
            skipped: 0,
        };
        assert_eq!(upload.scope_key(), "rampart:deps\nrampart:secrets");
        let err = upload.validate().unwrap_err();
        assert_eq!(err.field, "components[0].scope");
    }
}
