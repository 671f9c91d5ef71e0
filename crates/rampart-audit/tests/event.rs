//! Audit event validation and canonical form.

use rampart_audit::{Actor, AuditEvent, CanonicalError, EventError, MAX_DEPTH, Target};
use serde_json::{Value, json};

fn at() -> jiff::Timestamp {
    "2025-03-01T09:30:00.25Z".parse().unwrap()
}

fn alice() -> Actor {
    Actor::User {
        id: "u-1".into(),
        name: "alice".into(),
    }
}

fn build(action: &str, target: Target, payload: Value) -> Result<AuditEvent, EventError> {
    AuditEvent::new(42, at(), alice(), action, target, payload)
}

fn incident() -> Target {
    Target::new("incident", "SEC-2025-0001")
}

fn invalid(field: &'static str, problem: &str) -> EventError {
    EventError::Invalid {
        field,
        problem: problem.into(),
    }
}

#[test]
fn canonical_form_has_every_field() {
    let event = build(
        "step.update",
        Target::new("step", "SEC-2025-0001/3"),
        json!({"state": "done", "step": 3}),
    )
    .unwrap();
    assert_eq!(
        event.canonical(),
        concat!(
            r#"{"action":"step.update","#,
            r#""actor":{"id":"u-1","kind":"user","name":"alice"},"#,
            r#""at":"2025-03-01T09:30:00.250000Z","#,
            r#""payload":{"state":"done","step":3},"#,
            r#""sequence":42,"#,
            r#""target":{"id":"SEC-2025-0001/3","kind":"step"}}"#
        )
    );
    let system = AuditEvent::new(
        1,
        "2025-03-01T09:30:00Z".parse().unwrap(),
        Actor::System {
            component: "webhook.alertmanager".into(),
        },
        "alert.receive",
        Target::new("alert", "a-7"),
        Value::Null,
    )
    .unwrap();
    assert_eq!(
        system.canonical(),
        concat!(
            r#"{"action":"alert.receive","#,
            r#""actor":{"component":"webhook.alertmanager","kind":"system"},"#,
            r#""at":"2025-03-01T09:30:00.000000Z","payload":null,"sequence":1,"#,
            r#""target":{"id":"a-7","kind":"alert"}}"#
        )
    );
}

#[test]
fn time_is_utc_with_six_fractional_digits() {
    let offset: jiff::Timestamp = "2025-03-01T11:30:00.000001+02:00".parse().unwrap();
    let event =
        AuditEvent::new(1, offset, alice(), "incident.read", incident(), json!({})).unwrap();
    assert!(
        event
            .canonical()
            .contains(r#""at":"2025-03-01T09:30:00.000001Z""#)
    );
    assert_eq!(event.at(), offset);
}

#[test]
fn accessors_return_what_was_given() {
    let event = build("incident.read", incident(), json!({"why": "triage"})).unwrap();
    assert_eq!(event.sequence(), 42);
    assert_eq!(event.at(), at());
    assert_eq!(event.actor(), &alice());
    assert_eq!(event.action(), "incident.read");
    assert_eq!(event.target(), &incident());
    assert_eq!(event.payload(), &json!({"why": "triage"}));
    assert_eq!(event.actor().to_string(), "alice (u-1)");
}

#[test]
fn rejects_bad_actions() {
    for (action, problem) in [
        ("", "must not be empty"),
        (
            "Incident.declare",
            "may contain only a-z, 0-9, `_`, `-` and `.`, found 'I'",
        ),
        (
            "incident declare",
            "may contain only a-z, 0-9, `_`, `-` and `.`, found ' '",
        ),
        (
            "incident..declare",
            "must be dot-separated words without empty parts",
        ),
        (
            ".declare",
            "must be dot-separated words without empty parts",
        ),
        (
            "declare.",
            "must be dot-separated words without empty parts",
        ),
    ] {
        assert_eq!(
            build(action, incident(), Value::Null),
            Err(invalid("action", problem)),
            "{action:?}"
        );
    }
    assert!(build("incident.member_add", incident(), Value::Null).is_ok());
    assert!(build("token.re-issue", incident(), Value::Null).is_ok());
}

#[test]
fn rejects_bad_targets_and_actors() {
    assert_eq!(
        build("incident.read", Target::new("", "x"), Value::Null),
        Err(invalid("target.kind", "must not be empty"))
    );
    assert_eq!(
        build("incident.read", Target::new("inci.dent", "x"), Value::Null),
        Err(invalid(
            "target.kind",
            "may contain only a-z, 0-9, `_` and `-`, found '.'"
        ))
    );
    assert_eq!(
        build("incident.read", Target::new("incident", " \t"), Value::Null),
        Err(invalid("target.id", "must not be empty"))
    );
    let nameless = Actor::User {
        id: "u-1".into(),
        name: String::new(),
    };
    assert_eq!(
        AuditEvent::new(1, at(), nameless, "incident.read", incident(), Value::Null),
        Err(invalid("actor.name", "must not be empty"))
    );
    let anonymous = Actor::User {
        id: String::new(),
        name: "x".into(),
    };
    assert_eq!(
        AuditEvent::new(1, at(), anonymous, "incident.read", incident(), Value::Null),
        Err(invalid("actor.id", "must not be empty"))
    );
    let nobody = Actor::System {
        component: String::new(),
    };
    assert_eq!(
        AuditEvent::new(1, at(), nobody, "incident.read", incident(), Value::Null),
        Err(invalid("actor.component", "must not be empty"))
    );
}

#[test]
fn rejects_bad_sequences_and_times() {
    assert_eq!(
        AuditEvent::new(0, at(), alice(), "incident.read", incident(), Value::Null),
        Err(invalid("sequence", "must be at least 1"))
    );
    assert_eq!(
        AuditEvent::new(
            1 << 53,
            at(),
            alice(),
            "incident.read",
            incident(),
            Value::Null
        ),
        Err(invalid("sequence", "must be at most 2^53 - 1"))
    );
    assert!(
        AuditEvent::new(
            (1 << 53) - 1,
            at(),
            alice(),
            "incident.read",
            incident(),
            Value::Null
        )
        .is_ok()
    );
    let before_1970: jiff::Timestamp = "1969-12-31T23:59:59Z".parse().unwrap();
    assert_eq!(
        AuditEvent::new(
            1,
            before_1970,
            alice(),
            "incident.read",
            incident(),
            Value::Null
        ),
        Err(invalid("at", "must not be before 1970-01-01T00:00:00Z"))
    );
    let nanos: jiff::Timestamp = "2025-03-01T09:30:00.000000001Z".parse().unwrap();
    assert_eq!(
        AuditEvent::new(1, nanos, alice(), "incident.read", incident(), Value::Null),
        Err(invalid(
            "at",
            "must not be more precise than a microsecond; truncate it first"
        ))
    );
    assert!(
        AuditEvent::new(
            1,
            jiff::Timestamp::MAX
                .checked_sub(jiff::SignedDuration::from_nanos(999))
                .unwrap(),
            alice(),
            "incident.read",
            incident(),
            Value::Null
        )
        .is_ok()
    );
}

#[test]
fn rejects_payloads_without_canonical_form() {
    assert_eq!(
        build(
            "incident.read",
            incident(),
            json!({"ids": [1, 2, 9007199254740993u64]})
        ),
        Err(EventError::Canonical(CanonicalError::UnsafeInteger {
            path: "/payload/ids/2".into(),
            value: "9007199254740993".into()
        }))
    );
    // The event object is one level; the payload may use the rest.
    let mut deep = Value::Null;
    for _ in 0..MAX_DEPTH - 1 {
        deep = Value::Array(vec![deep]);
    }
    let event = build("incident.read", incident(), deep.clone()).unwrap();
    assert_eq!(
        AuditEvent::from_canonical(event.canonical()).unwrap(),
        event
    );
    let too_deep = Value::Array(vec![deep]);
    assert!(matches!(
        build("incident.read", incident(), too_deep),
        Err(EventError::Canonical(CanonicalError::TooDeep { .. }))
    ));
}

#[test]
fn json_round_trip_and_strict_reading() {
    let event = build(
        "incident.read",
        incident(),
        json!({"n": 1.5, "s": "é\u{1}"}),
    )
    .unwrap();
    let text = serde_json::to_string(&event).unwrap();
    let back: AuditEvent = serde_json::from_str(&text).unwrap();
    assert_eq!(back, event);
    assert_eq!(
        AuditEvent::from_canonical(event.canonical()).unwrap(),
        event
    );

    let mut value = event.to_json_value();
    value["extra"] = json!(1);
    assert_eq!(
        AuditEvent::from_json_value(value),
        Err(EventError::Unknown {
            field: "extra".into()
        })
    );
    let mut value = event.to_json_value();
    value["actor"]["role"] = json!("admin");
    assert_eq!(
        AuditEvent::from_json_value(value),
        Err(EventError::Unknown {
            field: "actor.role".into()
        })
    );
    let mut value = event.to_json_value();
    value["target"]["owner"] = json!("x");
    assert_eq!(
        AuditEvent::from_json_value(value),
        Err(EventError::Unknown {
            field: "target.owner".into()
        })
    );
    let mut value = event.to_json_value();
    value.as_object_mut().unwrap().remove("payload");
    assert_eq!(
        AuditEvent::from_json_value(value),
        Err(EventError::Missing { field: "payload" })
    );
    let mut value = event.to_json_value();
    value["actor"] = json!({"kind": "robot"});
    assert_eq!(
        AuditEvent::from_json_value(value),
        Err(invalid("actor.kind", "must be `user` or `system`"))
    );
    let mut value = event.to_json_value();
    value["sequence"] = json!(-1);
    assert_eq!(
        AuditEvent::from_json_value(value),
        Err(invalid("sequence", "must be a non-negative integer"))
    );
    let mut value = event.to_json_value();
    value["at"] = json!("yesterday");
    let error = AuditEvent::from_json_value(value).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("audit event field `at` is not an RFC 3339 timestamp"),
        "{error}"
    );
    assert_eq!(
        AuditEvent::from_json_value(json!([])),
        Err(invalid("event", "must be a JSON object"))
    );
    let error = serde_json::from_str::<AuditEvent>(r#"{"sequence":1}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("audit event field `at` is missing"),
        "{error}"
    );
}

#[test]
fn from_canonical_insists_on_the_exact_text() {
    let event = build("incident.read", incident(), json!({"b": 1, "a": 2})).unwrap();
    let canonical = event.canonical();
    assert!(AuditEvent::from_canonical(canonical).is_ok());
    // Same event, other spellings: reordered, spaced, differently escaped.
    let reordered = serde_json::to_string(&event.to_json_value()).unwrap();
    assert_ne!(reordered, canonical);
    assert_eq!(
        AuditEvent::from_canonical(&reordered),
        Err(EventError::NotCanonical)
    );
    let spaced = canonical.replacen(':', ": ", 1);
    assert_eq!(
        AuditEvent::from_canonical(&spaced),
        Err(EventError::NotCanonical)
    );
    let escaped = canonical.replacen("alice", "\\u0061lice", 1);
    assert_eq!(
        AuditEvent::from_canonical(&escaped),
        Err(EventError::NotCanonical)
    );
    let short_time = canonical.replacen("09:30:00.250000Z", "09:30:00.25Z", 1);
    assert_eq!(
        AuditEvent::from_canonical(&short_time),
        Err(EventError::NotCanonical)
    );
    assert!(matches!(
        AuditEvent::from_canonical(""),
        Err(EventError::Json(_))
    ));
}
