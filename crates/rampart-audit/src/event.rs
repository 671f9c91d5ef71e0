//! Audit events: who did what to which object, when, with what details.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::canonical::{CanonicalError, MAX_SAFE_INTEGER, canonical_json};

/// Who caused an audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person (or a person's API token). The name is recorded as it was at
    /// the time of the event, so a later rename does not rewrite history.
    User {
        /// Stable user identifier, as the store spells it.
        id: String,
        /// Login name at the time of the event.
        name: String,
    },
    /// The server itself (a scheduled job, a migration, an inbound webhook).
    System {
        /// Which part of the server acted, e.g. `retention` or `webhook.alertmanager`.
        component: String,
    },
}

/// The object an audit event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What kind of object: a lowercase token such as `incident`, `step`,
    /// `user`, `token`.
    pub kind: String,
    /// Its identifier, e.g. `SEC-2025-0001` or `SEC-2025-0001/3`.
    pub id: String,
}

impl Target {
    /// Builds a target; validation happens when it is put into an event.
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Target {
            kind: kind.into(),
            id: id.into(),
        }
    }
}

/// One entry of the audit log.
///
/// Construct with [`AuditEvent::new`], which validates every field, so an
/// `AuditEvent` always has a canonical form and can always be linked into the
/// chain. The canonical text is computed once at construction and kept.
///
/// # Canonical form
///
/// The RFC 8785 canonical JSON of this object, every field included:
///
/// ```json
/// {"action":"step.update",
///  "actor":{"id":"u-1","kind":"user","name":"alice"},
///  "at":"2025-03-01T09:30:00.000000Z",
///  "payload":{"state":"done","step":3},
///  "sequence":42,
///  "target":{"id":"SEC-2025-0001/3","kind":"step"}}
/// ```
///
/// (shown wrapped; the real text has no whitespace). A system actor is
/// `{"component":"retention","kind":"system"}`.
///
/// The time is RFC 3339 in UTC with exactly six fractional digits.
/// Microseconds, because that is what PostgreSQL's `timestamptz` keeps: a
/// store that also writes the time to its own column can read it back
/// without changing the hash. Fixed width, so a time has one spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    sequence: u64,
    at: Timestamp,
    actor: Actor,
    action: String,
    target: Target,
    payload: Value,
    canonical: String,
}

/// Why an audit event was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// A field has a value the audit log does not accept.
    #[error("audit event field `{field}` {problem}")]
    Invalid {
        /// Dotted path of the field, e.g. `actor.name`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A required field is absent.
    #[error("audit event field `{field}` is missing")]
    Missing {
        /// Dotted path of the field.
        field: &'static str,
    },
    /// A field the format does not have. Rejected, not ignored: a field the
    /// verifier does not know would be hashed but never shown.
    #[error("audit event has unknown field `{field}`")]
    Unknown {
        /// Dotted path of the field.
        field: String,
    },
    /// The payload (or another part of the event) has no canonical form.
    #[error("audit event `payload` has no canonical JSON form: {0}")]
    Canonical(CanonicalError),
    /// The text is not JSON at all.
    #[error("audit event text is not valid JSON: {0}")]
    Json(String),
    /// The text is a valid event but not byte-for-byte its canonical form.
    #[error("audit event text is not in canonical form")]
    NotCanonical,
}

impl AuditEvent {
    /// Builds and validates an event.
    ///
    /// Rules, each reported as an [`EventError`] naming the field:
    /// * `sequence` is at least 1 (0 stands for the empty chain) and at most
    ///   2^53 − 1, so that it is a safe JSON number;
    /// * `at` is not before 1970 and has no digits below the microsecond;
    /// * `action` is dot-separated lowercase tokens (`incident.declare`);
    /// * `target.kind` is one such token, `target.id` is not blank;
    /// * a user actor's id and name are not blank; a system actor's
    ///   component is dot-separated lowercase tokens like an action;
    /// * `payload` has an RFC 8785 canonical form (no integer beyond
    ///   ±(2^53 − 1), nesting within the limit).
    pub fn new(
        sequence: u64,
        at: Timestamp,
        actor: Actor,
        action: impl Into<String>,
        target: Target,
        payload: Value,
    ) -> Result<Self, EventError> {
        let action = action.into();
        if sequence == 0 {
            return Err(invalid("sequence", "must be at least 1"));
        }
        if sequence > MAX_SAFE_INTEGER {
            return Err(invalid("sequence", "must be at most 2^53 - 1"));
        }
        if at < Timestamp::UNIX_EPOCH {
            // Events are stamped by the server clock; an earlier time is a
            // bug or a forgery, and excluding it keeps the year four digits.
            return Err(invalid("at", "must not be before 1970-01-01T00:00:00Z"));
        }
        if at.subsec_nanosecond() % 1_000 != 0 {
            return Err(invalid(
                "at",
                "must not be more precise than a microsecond; truncate it first",
            ));
        }
        check_dotted_tokens("action", &action)?;
        check_token("target.kind", &target.kind)?;
        check_not_blank("target.id", &target.id)?;
        match &actor {
            Actor::User { id, name } => {
                check_not_blank("actor.id", id)?;
                check_not_blank("actor.name", name)?;
            }
            Actor::System { component } => check_dotted_tokens("actor.component", component)?,
        }
        let mut event = AuditEvent {
            sequence,
            at,
            actor,
            action,
            target,
            payload,
            canonical: String::new(),
        };
        // Canonicalised as a whole event, so an error's JSON Pointer starts
        // with `/payload/` and points at the culprit.
        event.canonical = canonical_json(&event.to_json_value()).map_err(EventError::Canonical)?;
        Ok(event)
    }

    /// Position in the chain, starting at 1.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When it happened (UTC, microsecond precision).
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// Who did it.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// What was done, e.g. `incident.declare`, `step.update`, `incident.read`.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// What it was done to.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Details of the action (free-form JSON).
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// The RFC 8785 canonical JSON text: the exact bytes that are hashed.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The event as a JSON object (members in insertion order; use
    /// [`AuditEvent::canonical`] for the hashed form).
    pub fn to_json_value(&self) -> Value {
        let actor = match &self.actor {
            Actor::User { id, name } => serde_json::json!({
                "kind": "user",
                "id": id,
                "name": name,
            }),
            Actor::System { component } => serde_json::json!({
                "kind": "system",
                "component": component,
            }),
        };
        serde_json::json!({
            "sequence": self.sequence,
            "at": format_time(self.at),
            "actor": actor,
            "action": self.action,
            "target": {"kind": self.target.kind, "id": self.target.id},
            "payload": self.payload,
        })
    }

    /// Reads an event from its JSON object form, validating as
    /// [`AuditEvent::new`] does. Unknown fields are rejected. The time may be
    /// any RFC 3339 timestamp; it is converted to UTC.
    pub fn from_json_value(value: Value) -> Result<Self, EventError> {
        let mut object = into_object(value, "event")?;
        let sequence = take(&mut object, "sequence")?;
        let sequence = sequence
            .as_u64()
            .ok_or_else(|| invalid("sequence", "must be a non-negative integer"))?;
        let at = take_string(&mut object, "at")?;
        let at: Timestamp = at
            .parse()
            .map_err(|error| invalid("at", format!("is not an RFC 3339 timestamp: {error}")))?;
        let actor = take(&mut object, "actor")?;
        let actor = actor_from_json(actor)?;
        let action = take_string(&mut object, "action")?;
        let target = into_object(take(&mut object, "target")?, "target")?;
        let target = target_from_json(target)?;
        let payload = take(&mut object, "payload")?;
        reject_unknown(&object, "")?;
        AuditEvent::new(sequence, at, actor, action, target, payload)
    }

    /// Reads an event back from the canonical text stored in the chain, and
    /// checks that the text is exactly that event's canonical form
    /// ([`EventError::NotCanonical`] otherwise), so that what is displayed
    /// is exactly what was hashed.
    pub fn from_canonical(text: &str) -> Result<Self, EventError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| EventError::Json(error.to_string()))?;
        let event = AuditEvent::from_json_value(value)?;
        if event.canonical != text {
            return Err(EventError::NotCanonical);
        }
        Ok(event)
    }
}

/// RFC 3339, UTC, exactly six fractional digits.
fn format_time(at: Timestamp) -> String {
    format!("{at:.6}")
}

fn invalid(field: &'static str, problem: impl Into<String>) -> EventError {
    EventError::Invalid {
        field,
        problem: problem.into(),
    }
}

fn check_not_blank(field: &'static str, value: &str) -> Result<(), EventError> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(())
}

/// One token: `[a-z0-9_-]+`. Actions and kinds are a vocabulary for machines
/// and for `grep`; restricting the alphabet keeps look-alike spellings
/// (`Incident.Declare`, trailing spaces) out of the log.
fn check_token(field: &'static str, value: &str) -> Result<(), EventError> {
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if let Some(bad) = value.chars().find(|c| !is_token_char(*c)) {
        return Err(invalid(
            field,
            format!("may contain only a-z, 0-9, `_` and `-`, found {bad:?}"),
        ));
    }
    Ok(())
}

/// Tokens separated by single dots: `incident.declare`, `step.update`.
fn check_dotted_tokens(field: &'static str, value: &str) -> Result<(), EventError> {
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if let Some(bad) = value.chars().find(|c| !is_token_char(*c) && *c != '.') {
        return Err(invalid(
            field,
            format!("may contain only a-z, 0-9, `_`, `-` and `.`, found {bad:?}"),
        ));
    }
    if value.split('.').any(str::is_empty) {
        return Err(invalid(
            field,
            "must be dot-separated words without empty parts",
        ));
    }
    Ok(())
}

fn is_token_char(c: char) -> bool {
    matches!(c, 'a'..='z' | '0'..='9' | '_' | '-')
}

fn into_object(value: Value, field: &'static str) -> Result<Map<String, Value>, EventError> {
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(invalid(field, "must be a JSON object")),
    }
}

fn take(object: &mut Map<String, Value>, field: &'static str) -> Result<Value, EventError> {
    // `field` is the dotted path for messages; the key is its last part.
    let key = field.rsplit('.').next().unwrap_or(field);
    object.remove(key).ok_or(EventError::Missing { field })
}

fn take_string(object: &mut Map<String, Value>, field: &'static str) -> Result<String, EventError> {
    match take(object, field)? {
        Value::String(text) => Ok(text),
        _ => Err(invalid(field, "must be a string")),
    }
}

fn reject_unknown(object: &Map<String, Value>, prefix: &str) -> Result<(), EventError> {
    match object.keys().next() {
        Some(key) => Err(EventError::Unknown {
            field: format!("{prefix}{key}"),
        }),
        None => Ok(()),
    }
}

fn actor_from_json(value: Value) -> Result<Actor, EventError> {
    let mut object = into_object(value, "actor")?;
    let kind = take_string(&mut object, "actor.kind")?;
    let actor = match kind.as_str() {
        "user" => Actor::User {
            id: take_string(&mut object, "actor.id")?,
            name: take_string(&mut object, "actor.name")?,
        },
        "system" => Actor::System {
            component: take_string(&mut object, "actor.component")?,
        },
        _ => return Err(invalid("actor.kind", "must be `user` or `system`")),
    };
    reject_unknown(&object, "actor.")?;
    Ok(actor)
}

fn target_from_json(mut object: Map<String, Value>) -> Result<Target, EventError> {
    let kind = take_string(&mut object, "target.kind")?;
    let id = take_string(&mut object, "target.id")?;
    reject_unknown(&object, "target.")?;
    Ok(Target { kind, id })
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User { id, name } => write!(f, "{name} ({id})"),
            Actor::System { component } => write!(f, "system:{component}"),
        }
    }
}

/// Serialises as the event's JSON object (see [`AuditEvent::to_json_value`]).
impl Serialize for AuditEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

/// Deserialises through [`AuditEvent::from_json_value`], so every rule of
/// [`AuditEvent::new`] applies.
impl<'de> Deserialize<'de> for AuditEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        AuditEvent::from_json_value(value).map_err(serde::de::Error::custom)
    }
}
