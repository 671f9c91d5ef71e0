//! CVSS vectors: parsing and base scores for v2.0, v3.0, v3.1 and v4.0.
//!
//! Advisories carry CVSS as a vector string and often no number, so the
//! score is computed here with each version's published equations rather
//! than trusted from elsewhere. Only the parse is strict: every metric must
//! be known, valid and given once, because a vector that a FIRST calculator
//! would reject has no defined score.

use std::fmt;

use rampart_core::Severity;

mod v2;
mod v3;
mod v4;

/// A parsed CVSS vector and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssScore {
    /// The CVSS version the vector was written for.
    pub version: CvssVersion,
    /// The score, 0.0 to 10.0 with one decimal. For v2 and v3.x this is the
    /// Base score even when temporal or environmental metrics are present;
    /// for v4.0 it is the score of the vector as given (CVSS-B, -BT, -BE or
    /// -BTE), because v4.0 folds threat and environmental metrics into its
    /// single scoring algorithm and that is the number publishers show.
    pub base_score: f64,
    /// The vector as scored: trimmed, and for v2 without enclosing
    /// parentheses.
    pub vector: String,
}

/// A CVSS specification version, ordered from oldest to newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CvssVersion {
    /// CVSS v2.0 (vectors without a `CVSS:` prefix).
    V2,
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
    /// CVSS v4.0.
    V4_0,
}

impl CvssVersion {
    /// The version number as written in vector prefixes, e.g. `"3.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a CVSS vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// The vector is empty or only whitespace.
    #[error("empty CVSS vector")]
    Empty,
    /// The vector starts with `CVSS:` followed by a version we do not score.
    #[error("unsupported CVSS version prefix {0:?}")]
    UnsupportedVersion(String),
    /// A `/`-separated part is not of the form `METRIC:VALUE`.
    #[error("malformed CVSS vector component {0:?} (expected METRIC:VALUE)")]
    MalformedComponent(String),
    /// A metric name that the version does not define.
    #[error("unknown CVSS {version} metric {metric:?}")]
    UnknownMetric {
        /// The version whose metric set was consulted.
        version: CvssVersion,
        /// The metric name as written (shortened if long).
        metric: String,
    },
    /// A known metric with a value the version does not allow for it.
    #[error("invalid value {value:?} for CVSS {version} metric {metric}")]
    InvalidValue {
        /// The version whose metric set was consulted.
        version: CvssVersion,
        /// The metric name.
        metric: &'static str,
        /// The value as written (shortened if long).
        value: String,
    },
    /// The same metric appears twice, so the vector has no single meaning.
    #[error("CVSS {version} metric {metric} appears more than once")]
    DuplicateMetric {
        /// The version whose metric set was consulted.
        version: CvssVersion,
        /// The repeated metric name.
        metric: &'static str,
    },
    /// A mandatory base metric is absent.
    #[error("CVSS {version} vector lacks mandatory metric {metric}")]
    MissingMetric {
        /// The version whose metric set was consulted.
        version: CvssVersion,
        /// The absent metric name.
        metric: &'static str,
    },
}

/// Parses a CVSS vector of any supported version and computes its score.
///
/// Accepts `CVSS:3.0/…`, `CVSS:3.1/…`, `CVSS:4.0/…` and prefix-less v2
/// vectors such as `AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally wrapped in
/// parentheses as NVD used to print them. Metrics may come in any order.
pub fn parse_and_score(vector: &str) -> Result<CvssScore, CvssError> {
    let vector = vector.trim();
    if vector.is_empty() {
        return Err(CvssError::Empty);
    }
    if let Some(rest) = vector.strip_prefix("CVSS:") {
        let (version_text, body) = rest.split_once('/').unwrap_or((rest, ""));
        let (version, base_score) = match version_text {
            "3.0" => (CvssVersion::V3_0, v3::base_score(body, CvssVersion::V3_0)?),
            "3.1" => (CvssVersion::V3_1, v3::base_score(body, CvssVersion::V3_1)?),
            "4.0" => (CvssVersion::V4_0, v4::score(body)?),
            other => return Err(CvssError::UnsupportedVersion(excerpt(other))),
        };
        return Ok(CvssScore {
            version,
            base_score,
            vector: vector.to_string(),
        });
    }
    let body = match vector.strip_prefix('(') {
        Some(inner) => inner
            .strip_suffix(')')
            .ok_or_else(|| CvssError::MalformedComponent(excerpt(vector)))?,
        None => vector,
    };
    Ok(CvssScore {
        version: CvssVersion::V2,
        base_score: v2::base_score(body)?,
        vector: body.to_string(),
    })
}

/// The qualitative severity of a score.
///
/// v3.x and v4.0 use FIRST's rating scale ([`Severity::from_cvss_score`]);
/// v2 had no official scale, so we use NVD's bands (Low 0.0–3.9, Medium
/// 4.0–6.9, High 7.0–10.0), which never yield Critical or Info.
pub fn severity(score: &CvssScore) -> Severity {
    match score.version {
        CvssVersion::V2 => {
            if score.base_score >= 7.0 {
                Severity::High
            } else if score.base_score >= 4.0 {
                Severity::Medium
            } else {
                Severity::Low
            }
        }
        CvssVersion::V3_0 | CvssVersion::V3_1 | CvssVersion::V4_0 => {
            Severity::from_cvss_score(score.base_score)
        }
    }
}

/// One metric a version defines: its name, allowed values and whether a
/// vector must carry it.
struct MetricDef {
    name: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
}

const fn mandatory(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: true,
    }
}

const fn optional(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: false,
    }
}

/// Splits `body` into `METRIC:VALUE` parts and checks them against `defs`.
///
/// The result holds, per definition, the value given (as the definition's
/// own `'static` string, so callers can `match` on it) or `None` when an
/// optional metric is absent.
fn parse_metrics<const N: usize>(
    body: &str,
    defs: &[MetricDef; N],
    version: CvssVersion,
) -> Result<[Option<&'static str>; N], CvssError> {
    let mut found = [None; N];
    for component in body.split('/') {
        let (name, value) = component
            .split_once(':')
            .ok_or_else(|| CvssError::MalformedComponent(excerpt(component)))?;
        let index = defs
            .iter()
            .position(|def| def.name == name)
            .ok_or_else(|| CvssError::UnknownMetric {
                version,
                metric: excerpt(name),
            })?;
        let def = &defs[index];
        let value = def
            .values
            .iter()
            .copied()
            .find(|allowed| *allowed == value)
            .ok_or_else(|| CvssError::InvalidValue {
                version,
                metric: def.name,
                value: excerpt(value),
            })?;
        if found[index].replace(value).is_some() {
            return Err(CvssError::DuplicateMetric {
                version,
                metric: def.name,
            });
        }
    }
    if let Some(missing) = defs
        .iter()
        .zip(&found)
        .find(|(def, value)| def.mandatory && value.is_none())
    {
        return Err(CvssError::MissingMetric {
            version,
            metric: missing.0.name,
        });
    }
    Ok(found)
}

/// Input text for an error message, cut short so that a hostile megabyte
/// vector does not end up copied into logs.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut chars = text.chars();
    let mut short: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        short.push('…');
    }
    short
}
