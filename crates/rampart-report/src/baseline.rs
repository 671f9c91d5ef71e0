//! The baseline: fingerprints of findings accepted as they are, so that a
//! scan only reports what is new.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rampart_core::Finding;
use serde::{Deserialize, Serialize};

use crate::report::{IgnoredFinding, SuppressionSource};

/// The only baseline file version this crate reads and writes.
const BASELINE_VERSION: u32 = 1;

/// A baseline file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read or written.
    #[error("cannot access baseline {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{path}:{line}: not a baseline file: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    /// A baseline written by a newer Rampart.
    #[error("{path}: baseline version {found} is not supported (expected 1)")]
    Version { path: String, found: u32 },
}

/// A set of accepted fingerprints, stored as
/// `{"version":1,"fingerprints":[…]}` (sorted, so it diffs well).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    fingerprints: Vec<String>,
}

impl Baseline {
    /// A baseline accepting exactly these findings.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Baseline {
        Baseline {
            fingerprints: findings
                .into_iter()
                .map(|f| f.fingerprint.as_str().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Parses the text of a baseline file; `path` only names it in errors.
    pub fn from_json_str(text: &str, path: &str) -> Result<Baseline, BaselineError> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| BaselineError::Parse {
            path: path.to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        if file.version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                path: path.to_string(),
                found: file.version,
            });
        }
        Ok(Baseline {
            fingerprints: file
                .fingerprints
                .into_iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .filter(|f| !f.is_empty())
                .collect(),
        })
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Baseline::from_json_str(&text, &path.display().to_string())
    }

    /// The file contents: pretty JSON with a trailing newline.
    pub fn to_json_string(&self) -> String {
        let file = BaselineFile {
            version: BASELINE_VERSION,
            fingerprints: self.fingerprints.iter().cloned().collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the baseline file.
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        std::fs::write(path, self.to_json_string()).map_err(|source| BaselineError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Whether the baseline accepts `finding`.
    pub fn contains(&self, finding: &Finding) -> bool {
        let fingerprint = finding.fingerprint.as_str();
        if fingerprint.bytes().any(|b| b.is_ascii_uppercase()) {
            self.fingerprints
                .contains(&fingerprint.to_ascii_lowercase())
        } else {
            self.fingerprints.contains(fingerprint)
        }
    }

    /// How many fingerprints it holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Splits `findings` into those not in the baseline and those in it
    /// (as ignored, with reason `baseline`).
    pub fn apply(&self, findings: Vec<Finding>) -> (Vec<Finding>, Vec<IgnoredFinding>) {
        let mut active = Vec::new();
        let mut ignored = Vec::new();
        for finding in findings {
            if self.contains(&finding) {
                ignored.push(IgnoredFinding {
                    finding,
                    source: SuppressionSource::Baseline,
                    selector: None,
                    reason: "baseline".to_string(),
                    until: None,
                });
            } else {
                active.push(finding);
            }
        }
        (active, ignored)
    }
}
