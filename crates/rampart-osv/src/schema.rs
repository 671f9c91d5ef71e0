//! The OSV schema (<https://ossf.github.io/osv-schema/>), as much of it as
//! matching and reporting need, with validation.
//!
//! Parsing is lenient where the ecosystem of producers is (a `null` where a
//! list is expected, unknown fields) and strict where a wrong guess would
//! change a match (an event with two kinds, a range with no events, an
//! unparsable `modified`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One OSV record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
    pub id: String,
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub aliases: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<SeverityEntry>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub affected: Vec<Affected>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// A `severity` entry: a CVSS vector or an ecosystem's own rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

/// One package (or repository) an advisory affects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub severity: Vec<SeverityEntry>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ranges: Vec<Range>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// The kind of a range: how its event versions are ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeType {
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    #[serde(rename = "SEMVER")]
    Semver,
    #[serde(rename = "GIT")]
    Git,
    /// A type a newer schema version added; never evaluated.
    #[serde(untagged)]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<Event>,
}

/// A range event. The schema allows exactly one key per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl Event {
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    pub url: String,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Why a record is not a valid OSV advisory.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl SchemaError {
    fn invalid(field: impl Into<String>, message: impl Into<String>) -> SchemaError {
        SchemaError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl Advisory {
    /// Parses and validates one OSV record.
    pub fn from_json(bytes: &[u8]) -> Result<Advisory, SchemaError> {
        let advisory: Advisory = serde_json::from_slice(bytes).map_err(|e| SchemaError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        advisory.validate()?;
        Ok(advisory)
    }

    /// Checks what serde cannot: non-empty ids, timestamps, range shapes.
    pub fn validate(&self) -> Result<(), SchemaError> {
        if self.id.trim().is_empty() {
            return Err(SchemaError::invalid("id", "is empty"));
        }
        parse_timestamp(&self.modified).map_err(|m| SchemaError::invalid("modified", m))?;
        for (field, value) in [
            ("published", &self.published),
            ("withdrawn", &self.withdrawn),
        ] {
            if let Some(value) = value {
                parse_timestamp(value).map_err(|m| SchemaError::invalid(field, m))?;
            }
        }
        for (i, affected) in self.affected.iter().enumerate() {
            let at = |field: &str| format!("affected[{i}].{field}");
            if let Some(package) = &affected.package {
                if package.ecosystem.trim().is_empty() {
                    return Err(SchemaError::invalid(at("package.ecosystem"), "is empty"));
                }
                if package.name.trim().is_empty() {
                    return Err(SchemaError::invalid(at("package.name"), "is empty"));
                }
            }
            for (j, range) in affected.ranges.iter().enumerate() {
                let field = at(&format!("ranges[{j}]"));
                if range.events.is_empty() {
                    return Err(SchemaError::invalid(field, "has no events"));
                }
                if range.kind == RangeType::Git && range.repo.is_none() {
                    return Err(SchemaError::invalid(field, "GIT range without repo"));
                }
                if !range
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::Introduced(_)))
                {
                    return Err(SchemaError::invalid(field, "has no introduced event"));
                }
                let upper_bounds = range
                    .events
                    .iter()
                    .filter(|e| matches!(e, Event::Fixed(_) | Event::LastAffected(_)))
                    .map(std::mem::discriminant)
                    .collect::<std::collections::HashSet<_>>();
                if upper_bounds.len() > 1 {
                    return Err(SchemaError::invalid(
                        field,
                        "mixes fixed and last_affected events",
                    ));
                }
                if let Some(event) = range.events.iter().find(|e| e.version().trim().is_empty()) {
                    return Err(SchemaError::invalid(
                        field,
                        format!("empty version in {event:?}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The `modified` time as a timestamp (validated on parse).
    pub fn modified_timestamp(&self) -> Option<jiff::Timestamp> {
        parse_timestamp(&self.modified).ok()
    }

    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some()
    }
}

/// RFC 3339 timestamps; OSV producers also write them without a zone
/// suffix now and then, which we read as UTC.
pub(crate) fn parse_timestamp(s: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    if s.parse::<jiff::civil::DateTime>().is_ok()
        && let Ok(ts) = format!("{s}Z").parse::<jiff::Timestamp>()
    {
        return Ok(ts);
    }
    Err(format!("{s:?} is not an RFC 3339 timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_invalid(json: &str, want: &str) {
        let err = Advisory::from_json(json.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err:?} does not contain {want:?}");
    }

    #[test]
    fn minimal_record_parses() {
        let a = Advisory::from_json(
            br#"{"id":"X-1","modified":"2024-01-01T00:00:00Z","aliases":null}"#,
        )
        .unwrap();
        assert_eq!(a.id, "X-1");
        assert!(a.aliases.is_empty());
    }

    #[test]
    fn invalid_records_say_why() {
        check_invalid(
            r#"{"id":"","modified":"2024-01-01T00:00:00Z"}"#,
            "id: is empty",
        );
        check_invalid(r#"{"id":"X","modified":"yesterday"}"#, "modified");
        check_invalid(
            r#"{"modified":"2024-01-01T00:00:00Z"}"#,
            "missing field `id`",
        );
        check_invalid(
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[]}]}]}"#,
            "has no events",
        );
        check_invalid(
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1.0.0"}]}]}]}"#,
            "no introduced",
        );
        check_invalid(
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}"#,
            "invalid JSON",
        );
        check_invalid("[1,2", "invalid JSON");
    }

    #[test]
    fn timestamps_without_zone_are_utc() {
        assert!(parse_timestamp("2024-01-01T00:00:00").is_ok());
        assert!(parse_timestamp("2024-01-01T00:00:00.123Z").is_ok());
    }
}
