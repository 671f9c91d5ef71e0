//! Step records in the browser: one form per record kind, described as
//! data, turned into the API's own `RecordInput` JSON so that the record
//! is validated by exactly the rules the API applies; and records shown
//! back as labelled fields.
//!
//! A form field's `name` is the API field's name. Times are entered in
//! UTC (the pages print UTC too) because a `datetime-local` input has no
//! zone of its own.

use rampart_api::RecordInput;
use rampart_incident::{
    ActionItemKind, ActorKind, AssetKind, AttackVectorKind, Certainty, CompromiseStatus,
    CutOffAction, DataClassification, DataImpact, IndicatorKind, IsolationStatus, LessonKind,
    Likelihood, Pap, RecordKind, RiskLevel, Step, StepRecord, Tlp,
};
use serde_json::{Map, Value};

/// How a field is entered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// One of a fixed set of values.
    Choice(fn() -> Vec<&'static str>),
    /// Any of a fixed set of values (checkboxes).
    Choices(fn() -> Vec<&'static str>),
    /// A UTC date and time (`datetime-local`).
    Instant,
    /// A calendar date.
    Date,
    /// Yes or no (a checkbox).
    Flag,
    /// One entry per line.
    Lines,
    /// Record numbers separated by commas or spaces.
    Numbers,
}

/// One field of a record form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
}

/// The form for one record kind.
#[derive(Debug)]
pub(crate) struct RecordForm {
    pub kind: RecordKind,
    pub title: &'static str,
    pub fields: &'static [Field],
}

const fn field(name: &'static str, label: &'static str, input: Input) -> Field {
    Field {
        name,
        label,
        input,
        required: true,
    }
}

const fn optional(name: &'static str, label: &'static str, input: Input) -> Field {
    Field {
        name,
        label,
        input,
        required: false,
    }
}

macro_rules! values {
    ($ty:ty) => {
        || <$ty>::ALL.iter().map(|value| value.as_str()).collect()
    };
}

/// Every kind the generic record routes accept, with its form. Evidence
/// and communication drafts have pages of their own.
pub(crate) const FORMS: &[RecordForm] = &[
    RecordForm {
        kind: RecordKind::ContainmentAction,
        title: "Containment action",
        fields: &[
            field("what_stopped", "What was stopped", Input::Text),
            field("how", "How", Input::LongText),
            field("at", "When (UTC)", Input::Instant),
        ],
    },
    RecordForm {
        kind: RecordKind::AttackVector,
        title: "Attack vector",
        fields: &[
            field("kind", "Kind", Input::Choice(values!(AttackVectorKind))),
            field("description", "Description", Input::LongText),
            optional(
                "cut_off",
                "How it was cut off",
                Input::Choice(values!(CutOffAction)),
            ),
            optional("verified", "Cut-off verified", Input::Flag),
        ],
    },
    RecordForm {
        kind: RecordKind::CompromisedCredential,
        title: "Compromised credential (fingerprint only)",
        fields: &[
            field(
                "fingerprint",
                "Fingerprint (from rampart scan, or sha256:…)",
                Input::Text,
            ),
            field("description", "Description", Input::Text),
            optional("provider", "Provider", Input::Text),
            optional("used_in", "Where it is used (one per line)", Input::Lines),
            field("owner", "Owner", Input::Text),
            optional("rotated", "Rotated", Input::Flag),
            optional("rotated_at", "Rotated at (UTC)", Input::Instant),
        ],
    },
    RecordForm {
        kind: RecordKind::AffectedAsset,
        title: "Affected asset",
        fields: &[
            field("kind", "Kind", Input::Choice(values!(AssetKind))),
            field("name", "Name", Input::Text),
            field(
                "isolation",
                "Isolation",
                Input::Choice(values!(IsolationStatus)),
            ),
            optional("how", "How it was isolated", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::AttackTimelineEntry,
        title: "Attack-timeline entry",
        fields: &[
            field("event_time", "When it happened (UTC)", Input::Instant),
            field("timezone", "Time zone of the source", Input::Text),
            field("source", "Source (log, system, person)", Input::Text),
            field("certainty", "Certainty", Input::Choice(values!(Certainty))),
            field("description", "What happened", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::Indicator,
        title: "Indicator of compromise",
        fields: &[
            field("kind", "Kind", Input::Choice(values!(IndicatorKind))),
            field("value", "Value", Input::Text),
            field("tlp", "TLP", Input::Choice(values!(Tlp))),
            field("pap", "PAP", Input::Choice(values!(Pap))),
            optional("description", "Description", Input::Text),
            optional("first_seen", "First seen (UTC)", Input::Instant),
            optional("last_seen", "Last seen (UTC)", Input::Instant),
            optional(
                "techniques",
                "ATT&CK techniques (one per line)",
                Input::Lines,
            ),
            optional(
                "timeline_entries",
                "Timeline records (numbers)",
                Input::Numbers,
            ),
            optional("assets", "Asset records (numbers)", Input::Numbers),
        ],
    },
    RecordForm {
        kind: RecordKind::Attribution,
        title: "Attribution",
        fields: &[
            field("actor", "Actor", Input::Choice(values!(ActorKind))),
            optional("variety", "Variety", Input::Text),
            optional("motive", "Motive", Input::Text),
            field("certainty", "Certainty", Input::Choice(values!(Certainty))),
            field("rationale", "Rationale", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::CompromisedDataSet,
        title: "Compromised data set",
        fields: &[
            field("name", "Name", Input::Text),
            field(
                "classification",
                "Classification",
                Input::Choice(values!(DataClassification)),
            ),
            field(
                "what_happened",
                "What happened to it",
                Input::Choices(values!(DataImpact)),
            ),
            field("scale", "Scale (records, people, size)", Input::Text),
            field("status", "Status", Input::Choice(values!(CompromiseStatus))),
        ],
    },
    RecordForm {
        kind: RecordKind::SystemRiskAssessment,
        title: "Risk to another system",
        fields: &[
            field("system", "System", Input::Text),
            field("risk", "Risk", Input::Choice(values!(RiskLevel))),
            field("rationale", "Rationale", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::ReAttackAssessment,
        title: "Re-attack assessment",
        fields: &[
            field(
                "likelihood",
                "Likelihood",
                Input::Choice(values!(Likelihood)),
            ),
            optional(
                "can_patch_ourselves",
                "We can patch it ourselves",
                Input::Flag,
            ),
            field("rationale", "Rationale", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::ActionItem,
        title: "Action item",
        fields: &[
            field("kind", "Kind", Input::Choice(values!(ActionItemKind))),
            field("title", "What is to be done", Input::Text),
            field("owner", "Owner (user name)", Input::Text),
            field("due", "Due", Input::Date),
        ],
    },
    RecordForm {
        kind: RecordKind::LessonLearned,
        title: "Lesson learned",
        fields: &[
            field("kind", "Kind", Input::Choice(values!(LessonKind))),
            field("lesson", "Lesson", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::ForensicAnalysis,
        title: "Forensic analysis",
        fields: &[
            field("title", "Title", Input::Text),
            optional("evidence", "Evidence items (numbers)", Input::Numbers),
            field("method", "Method", Input::LongText),
            field("result", "Result", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::InternalCommsDecision,
        title: "Decision on internal communication",
        fields: &[
            optional("needed", "Internal communication is needed", Input::Flag),
            field("rationale", "Rationale", Input::LongText),
            field("decided_by", "Decided by (user name)", Input::Text),
        ],
    },
    RecordForm {
        kind: RecordKind::LawEnforcement,
        title: "Law enforcement",
        fields: &[
            field(
                "decision",
                "Decision",
                Input::Choice(|| vec!["involved", "not_needed"]),
            ),
            optional("agency", "Agency (if involved)", Input::Text),
            optional("case_reference", "Case reference", Input::Text),
            optional("contact", "Contact (if involved)", Input::Text),
            optional(
                "contacted_at",
                "Contacted at (UTC, if involved)",
                Input::Instant,
            ),
            optional("rationale", "Rationale (if not needed)", Input::LongText),
        ],
    },
    RecordForm {
        kind: RecordKind::OutsideParty,
        title: "Outside party",
        fields: &[
            field("organisation", "Organisation", Input::Text),
            field("role_in_attack", "Role in the attack", Input::Text),
            field("security_contact", "Security contact", Input::Text),
            field(
                "contact_verified_how",
                "How the contact was verified",
                Input::Text,
            ),
            optional("notified_at", "Notified at (UTC)", Input::Instant),
            optional("notified_by", "Notified by (user name)", Input::Text),
        ],
    },
    RecordForm {
        kind: RecordKind::ExternalCommsDecision,
        title: "Decision on external communication",
        fields: &[
            optional("needed", "External communication is needed", Input::Flag),
            field("rationale", "Rationale", Input::LongText),
            field("decided_by", "Decided by (user name)", Input::Text),
        ],
    },
];

/// The forms for the kinds recorded on `step`.
pub(crate) fn forms_for(step: Step) -> impl Iterator<Item = &'static RecordForm> {
    FORMS.iter().filter(move |form| form.kind.step() == step)
}

/// Why a posted record form could not become a record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormProblem {
    /// The `kind` field is missing or names no form.
    UnknownKind,
    /// A field's value is not what its input produces.
    Field { label: &'static str, why: String },
    /// The API's own validation refused the record.
    Record(String),
}

impl std::fmt::Display for FormProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownKind => f.write_str("This form does not add a record Rampart knows."),
            Self::Field { label, why } => write!(f, "{label}: {why}."),
            Self::Record(message) => write!(f, "The record was not accepted: {message}."),
        }
    }
}

/// The hidden field naming the record kind ("kind" is a field of several
/// records).
pub(crate) const KIND_FIELD: &str = "record_kind";

/// Turns a posted form (name/value pairs, repeated names for checkboxes)
/// into the API's record input.
pub(crate) fn record_input(pairs: &[(String, String)]) -> Result<RecordInput, FormProblem> {
    let value_of = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
    };
    let kind = value_of(KIND_FIELD)
        .and_then(RecordKind::parse)
        .ok_or(FormProblem::UnknownKind)?;
    let form = FORMS
        .iter()
        .find(|form| form.kind == kind)
        .ok_or(FormProblem::UnknownKind)?;
    let mut record = Map::new();
    for field in form.fields {
        let problem = |why: &str| FormProblem::Field {
            label: field.label,
            why: why.to_owned(),
        };
        let given = value_of(field.name).filter(|value| !value.is_empty());
        let value = match field.input {
            Input::Flag => Some(Value::Bool(given.is_some())),
            Input::Choices(_) => {
                let chosen: Vec<Value> = pairs
                    .iter()
                    .filter(|(key, value)| key == field.name && !value.is_empty())
                    .map(|(_, value)| Value::String(value.clone()))
                    .collect();
                (!chosen.is_empty()).then_some(Value::Array(chosen))
            }
            Input::Lines => given.map(|text| {
                Value::Array(
                    text.lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty())
                        .map(|line| Value::String(line.to_owned()))
                        .collect(),
                )
            }),
            Input::Numbers => match given {
                None => None,
                Some(text) => Some(Value::Array(
                    text.split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|part| !part.is_empty())
                        .map(|part| {
                            part.trim_start_matches('#')
                                .parse::<i64>()
                                .map(Value::from)
                                .map_err(|_| problem(&format!("`{part}` is not a record number")))
                        })
                        .collect::<Result<_, _>>()?,
                )),
            },
            Input::Instant => match given {
                None => None,
                Some(text) => Some(Value::String(utc_instant(text).ok_or_else(|| {
                    problem("expected a date and time such as 2026-03-02T14:05")
                })?)),
            },
            Input::Text | Input::LongText | Input::Choice(_) | Input::Date => {
                given.map(|text| Value::String(text.to_owned()))
            }
        };
        match value {
            Some(value) => {
                record.insert(field.name.to_owned(), value);
            }
            None if field.required => return Err(problem("this field is required")),
            None => {}
        }
    }
    let input = serde_json::json!({ "kind": kind.as_str(), "record": record });
    serde_json::from_value(input).map_err(|error| FormProblem::Record(error.to_string()))
}

/// `2026-03-02T14:05` (a `datetime-local` value, seconds optional) read as
/// UTC; a full RFC 3339 time is taken as given.
fn utc_instant(text: &str) -> Option<String> {
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Some(at.to_string());
    }
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    format!("{civil}Z")
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|at| at.to_string())
}

/// A record's fields as label/value pairs, in the API's field order.
pub(crate) fn record_fields(record: &StepRecord) -> Vec<(String, String)> {
    let value = serde_json::to_value(record).unwrap_or(Value::Null);
    // `{"kind": …, "record": {…}}`; law enforcement's record is tagged by
    // its own `decision` field, which is worth showing.
    let fields = match value.get("record") {
        Some(Value::Object(fields)) => fields.clone(),
        _ => Map::new(),
    };
    fields
        .into_iter()
        .filter_map(|(name, value)| {
            let shown = match value {
                Value::Null => return None,
                Value::Bool(flag) => if flag { "yes" } else { "no" }.to_owned(),
                // Times as every page prints them.
                Value::String(text) => match text.parse::<jiff::Timestamp>() {
                    Ok(at) => super::minute(at),
                    Err(_) => text,
                },
                Value::Array(items) if items.is_empty() => return None,
                Value::Array(items) => items
                    .iter()
                    .map(|item| match item {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            Some((label_of(&name), shown))
        })
        .collect()
}

fn label_of(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_kind_of_the_generic_routes_has_a_form_on_its_step() {
        for kind in RecordKind::ALL {
            let has_form = FORMS.iter().any(|form| form.kind == *kind);
            assert_eq!(has_form, !kind.has_own_routes(), "{kind}");
        }
    }

    #[test]
    fn every_choice_offered_is_accepted_by_the_api() {
        // A choice list that drifts from the record types would offer
        // values the API then refuses; fill each form minimally and try
        // every value of every choice.
        for form in FORMS {
            for field in form.fields {
                let (Input::Choice(values) | Input::Choices(values)) = field.input else {
                    continue;
                };
                for value in values() {
                    let mut posted = minimal(form);
                    posted.retain(|(k, _)| k != field.name);
                    posted.push((field.name.to_owned(), value.to_owned()));
                    if form.kind == RecordKind::Indicator && field.name == "kind" {
                        posted.retain(|(k, _)| k != "value");
                        posted.push(("value".to_owned(), indicator_sample(value).to_owned()));
                    }
                    if form.kind == RecordKind::LawEnforcement {
                        posted.retain(|(k, _)| {
                            k == KIND_FIELD
                                || k == "decision"
                                || law_fields(value).contains(&k.as_str())
                        });
                    }
                    let result = record_input(&posted);
                    assert!(
                        result.is_ok(),
                        "{} {}={value}: {:?}",
                        form.kind,
                        field.name,
                        result
                    );
                }
            }
        }
    }

    fn indicator_sample(kind: &str) -> &'static str {
        match kind {
            "ip" => "203.0.113.7",
            "cidr" => "203.0.113.0/24",
            "domain" => "evil.example",
            "url" => "https://evil.example/payload",
            "file_hash" => "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "email" => "attacker@evil.example",
            "account" => "svc-deploy",
            "user_agent" => "curl/8.0",
            _ => "0123456789abcdef0123456789abcdef",
        }
    }

    fn law_fields(decision: &str) -> &'static [&'static str] {
        if decision == "involved" {
            &["agency", "contact", "contacted_at"]
        } else {
            &["rationale"]
        }
    }

    /// A form with every field filled with a plausible value (law
    /// enforcement's fields of both decisions at once).
    fn minimal(form: &RecordForm) -> Vec<(String, String)> {
        let mut posted = vec![(KIND_FIELD.to_owned(), form.kind.as_str().to_owned())];
        for field in form.fields {
            let value = match (field.name, field.input) {
                ("fingerprint", _) => "0123456789abcdef0123456789abcdef".to_owned(),
                ("techniques", _) => "T1078".to_owned(),
                ("timeline_entries" | "assets" | "evidence", _) => continue,
                ("value", _) => "203.0.113.7".to_owned(),
                ("kind", _) if form.kind == RecordKind::Indicator => "ip".to_owned(),
                ("timezone", _) => "UTC".to_owned(),
                (_, Input::Choice(values) | Input::Choices(values)) => values()[0].to_owned(),
                (_, Input::Instant) => "2026-03-02T14:05".to_owned(),
                (_, Input::Date) => "2026-04-01".to_owned(),
                (_, Input::Flag) => "on".to_owned(),
                (_, Input::Numbers) => "1".to_owned(),
                ("owner" | "decided_by" | "notified_by", _) => "alice".to_owned(),
                _ => "something real".to_owned(),
            };
            posted.push((field.name.to_owned(), value));
        }
        posted
    }

    #[test]
    fn a_timeline_form_becomes_the_api_input_in_utc() {
        let input = record_input(&pairs(&[
            ("record_kind", "attack_timeline_entry"),
            ("event_time", "2026-03-02T14:05"),
            ("timezone", "Europe/Berlin"),
            ("source", "nginx access log"),
            ("certainty", "suspected"),
            ("description", "First request from 203.0.113.7"),
            ("csrf", "ignored"),
        ]))
        .unwrap();
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(json["kind"], "attack_timeline_entry");
        assert_eq!(json["record"]["event_time"], "2026-03-02T14:05:00Z");
        assert_eq!(json["record"]["certainty"], "suspected");
    }

    #[test]
    fn missing_and_malformed_fields_are_named() {
        let missing = record_input(&pairs(&[
            ("record_kind", "containment_action"),
            ("what_stopped", "miner"),
            ("at", "2026-03-02T14:05"),
        ]));
        assert_eq!(
            missing.unwrap_err().to_string(),
            "How: this field is required."
        );
        let bad_time = record_input(&pairs(&[
            ("record_kind", "containment_action"),
            ("what_stopped", "miner"),
            ("how", "killed it"),
            ("at", "yesterday"),
        ]));
        assert!(bad_time.unwrap_err().to_string().starts_with("When (UTC):"));
        let bad_number = record_input(&pairs(&[
            ("record_kind", "forensic_analysis"),
            ("title", "disk image"),
            ("method", "plaso"),
            ("result", "nothing"),
            ("evidence", "1, two"),
        ]));
        assert!(bad_number.unwrap_err().to_string().contains("`two`"));
        assert_eq!(
            record_input(&pairs(&[("record_kind", "evidence_item")])).unwrap_err(),
            FormProblem::UnknownKind
        );
    }

    #[test]
    fn checkboxes_become_lists_and_flags() {
        let input = record_input(&pairs(&[
            ("record_kind", "compromised_data_set"),
            ("name", "customers"),
            ("classification", "confidential"),
            ("what_happened", "read"),
            ("what_happened", "copied"),
            ("scale", "12,000 rows"),
            ("status", "possible"),
        ]))
        .unwrap();
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(
            json["record"]["what_happened"],
            serde_json::json!(["read", "copied"])
        );
        let decision = record_input(&pairs(&[
            ("record_kind", "external_comms_decision"),
            ("rationale", "no customer data"),
            ("decided_by", "alice"),
        ]))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&decision).unwrap()["record"]["needed"],
            false
        );
    }
}
