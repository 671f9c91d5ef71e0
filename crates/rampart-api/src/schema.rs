//! OpenAPI schemas for the domain types of `rampart-incident`, which know
//! nothing of OpenAPI (HTTP types never reach domain crates). Each marker
//! type here stands in for a domain type in `#[schema(value_type = …)]`, so
//! the document shows real enums and record shapes instead of bare strings.

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{KnownFormat, RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

fn string_enum(description: &str, values: &[&str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.iter().copied()))
        .into()
}

macro_rules! string_enum_schema {
    ($(#[$meta:meta])* $name:ident, $description:literal, [$($value:literal),+ $(,)?]) => {
        $(#[$meta])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                string_enum($description, &[$($value),+])
            }
        }

        impl ToSchema for $name {}
    };
}

string_enum_schema!(
    /// Schema of `rampart_incident::IncidentSeverity`.
    Severity,
    "Incident severity, SEV1 (worst) to SEV4; accepted in any case.",
    ["SEV1", "SEV2", "SEV3", "SEV4"]
);
string_enum_schema!(
    /// Schema of `rampart_incident::Tlp`.
    TlpMarking,
    "TLP 2.0 marking; the `TLP:` prefix and case are optional on input.",
    ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
);
string_enum_schema!(
    /// Schema of `rampart_incident::GlobalRole`.
    GlobalRoleName,
    "A user's server-wide role; none grants access to an incident.",
    ["admin", "security", "engineer", "viewer"]
);
string_enum_schema!(
    /// Schema of `rampart_incident::MemberRole`.
    MemberRoleName,
    "A member's role in one incident.",
    ["commander", "deputy", "scribe", "responder", "forensics", "legal", "communications", "observer"]
);
string_enum_schema!(
    /// Schema of `rampart_incident::StepState`.
    StepStateName,
    "Where a step stands; not_needed requires a rationale.",
    ["pending", "in_progress", "done", "not_needed"]
);
string_enum_schema!(
    /// Schema of `rampart_incident::DetectionSource`.
    DetectionSourceName,
    "Who or what noticed the attack first.",
    ["monitor", "person", "unknown"]
);
string_enum_schema!(
    /// Schema of `rampart_incident::RecordKind`.
    RecordKindName,
    "The kind of a structured step record.",
    [
        "containment_action",
        "attack_vector",
        "affected_asset",
        "attack_timeline_entry",
        "compromised_data_set",
        "system_risk_assessment",
        "re_attack_assessment",
        "action_item",
        "compromised_credential",
        "indicator",
        "attribution",
        "lesson_learned",
        "evidence_item",
        "forensic_analysis",
        "internal_comms_decision",
        "internal_comms_draft",
        "law_enforcement",
        "outside_party",
        "external_comms_decision",
        "external_comms_draft",
        "blast_radius"
    ]
);

/// How a record field is typed in the schema.
enum Field {
    Text,
    Time,
    Date,
    Bool,
    Enum(&'static [&'static str]),
    EnumList(&'static [&'static str]),
    Integer,
    TextList,
    IdList,
    /// A nested object (the draft's content, an evidence item's storage).
    Object,
    /// A list of nested objects (a blast radius's services).
    ObjectList,
}

fn field_schema(field: &Field) -> RefOr<Schema> {
    match field {
        Field::Text => ObjectBuilder::new().schema_type(Type::String).into(),
        Field::Time => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .into(),
        Field::Date => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .into(),
        Field::Bool => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        Field::Enum(values) => ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.iter().copied()))
            .into(),
        Field::EnumList(values) => ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(values.iter().copied())),
            )
            .min_items(Some(1))
            .into(),
        Field::TextList => ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(Type::String))
            .into(),
        Field::IdList => ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
            )
            .into(),
        Field::Object => ObjectBuilder::new().schema_type(Type::Object).into(),
        Field::ObjectList => ArrayBuilder::new()
            .items(ObjectBuilder::new().schema_type(Type::Object))
            .into(),
        Field::Integer => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .into(),
    }
}

/// One record kind: its tag and its fields (name, type, required).
type KindFields = (&'static str, &'static [(&'static str, Field, bool)]);

const ATTACK_VECTOR_KINDS: &[&str] = &["token", "key", "account", "endpoint", "port", "other"];
const CUT_OFF: &[&str] = &["rotated", "revoked", "blocked", "patched", "other"];
const ASSET_KINDS: &[&str] = &[
    "host",
    "vm",
    "container",
    "database",
    "account",
    "service",
    "other",
];
const ISOLATION: &[&str] = &["not_isolated", "isolated", "read_only"];
const CERTAINTY: &[&str] = &["confirmed", "suspected"];
const CLASSIFICATION: &[&str] = &["public", "internal", "confidential", "restricted"];
const IMPACT: &[&str] = &["read", "copied", "modified", "deleted"];
const COMPROMISE: &[&str] = &["confirmed", "possible", "ruled_out"];
const RISK: &[&str] = &["low", "medium", "high", "critical"];
const LIKELIHOOD: &[&str] = &["low", "medium", "high"];
const ACTION_KINDS: &[&str] = &["mitigation", "monitoring", "process"];
const ACTION_STATUS: &[&str] = &["open", "in_progress", "done"];
const INDICATOR_KINDS: &[&str] = &[
    "ip",
    "cidr",
    "domain",
    "url",
    "file_hash",
    "email",
    "account",
    "user_agent",
    "token_fingerprint",
];
const TLP: &[&str] = &[
    "TLP:CLEAR",
    "TLP:GREEN",
    "TLP:AMBER",
    "TLP:AMBER+STRICT",
    "TLP:RED",
];
const PAP: &[&str] = &["PAP:CLEAR", "PAP:GREEN", "PAP:AMBER", "PAP:RED"];
const ACTORS: &[&str] = &["external", "internal", "partner", "unknown"];
const LESSONS: &[&str] = &["went_well", "to_improve"];
const LAW_DECISIONS: &[&str] = &["involved", "not_needed"];

/// The record kinds as a client submits them. The attack-timeline entry has
/// no `recorded_at`: the server stamps it.
fn input_kinds() -> Vec<KindFields> {
    use Field::*;
    vec![
        (
            "containment_action",
            &[
                ("what_stopped", Text, true),
                ("how", Text, true),
                ("at", Time, true),
            ],
        ),
        (
            "attack_vector",
            &[
                ("kind", Enum(ATTACK_VECTOR_KINDS), true),
                ("description", Text, true),
                ("cut_off", Enum(CUT_OFF), false),
                ("verified", Bool, false),
            ],
        ),
        (
            "affected_asset",
            &[
                ("kind", Enum(ASSET_KINDS), true),
                ("name", Text, true),
                ("isolation", Enum(ISOLATION), true),
                ("how", Text, false),
            ],
        ),
        (
            "attack_timeline_entry",
            &[
                ("event_time", Time, true),
                ("timezone", Text, true),
                ("source", Text, true),
                ("certainty", Enum(CERTAINTY), true),
                ("description", Text, true),
            ],
        ),
        (
            "compromised_data_set",
            &[
                ("name", Text, true),
                ("classification", Enum(CLASSIFICATION), true),
                ("what_happened", EnumList(IMPACT), true),
                ("scale", Text, true),
                ("status", Enum(COMPROMISE), true),
            ],
        ),
        (
            "system_risk_assessment",
            &[
                ("system", Text, true),
                ("risk", Enum(RISK), true),
                ("rationale", Text, true),
            ],
        ),
        (
            "re_attack_assessment",
            &[
                ("likelihood", Enum(LIKELIHOOD), true),
                ("can_patch_ourselves", Bool, true),
                ("rationale", Text, true),
            ],
        ),
        (
            "action_item",
            &[
                ("kind", Enum(ACTION_KINDS), true),
                ("title", Text, true),
                ("owner", Text, true),
                ("due", Date, true),
                ("status", Enum(ACTION_STATUS), false),
            ],
        ),
        (
            "compromised_credential",
            &[
                ("fingerprint", Text, true),
                ("description", Text, true),
                ("provider", Text, false),
                ("used_in", TextList, false),
                ("owner", Text, true),
                ("rotated", Bool, false),
                ("rotated_at", Time, false),
            ],
        ),
        (
            "indicator",
            &[
                ("kind", Enum(INDICATOR_KINDS), true),
                ("value", Text, true),
                ("tlp", Enum(TLP), true),
                ("pap", Enum(PAP), true),
                ("description", Text, false),
                ("first_seen", Time, false),
                ("last_seen", Time, false),
                ("techniques", TextList, false),
                ("timeline_entries", IdList, false),
                ("assets", IdList, false),
            ],
        ),
        (
            "attribution",
            &[
                ("actor", Enum(ACTORS), true),
                ("variety", Text, false),
                ("motive", Text, false),
                ("certainty", Enum(CERTAINTY), true),
                ("rationale", Text, true),
            ],
        ),
        (
            "lesson_learned",
            &[("kind", Enum(LESSONS), true), ("lesson", Text, true)],
        ),
        (
            "forensic_analysis",
            &[
                ("title", Text, true),
                ("evidence", IdList, false),
                ("method", Text, true),
                ("result", Text, true),
            ],
        ),
        ("internal_comms_decision", COMMS_DECISION),
        (
            "law_enforcement",
            &[
                ("decision", Enum(LAW_DECISIONS), true),
                ("agency", Text, false),
                ("case_reference", Text, false),
                ("contact", Text, false),
                ("contacted_at", Time, false),
                ("rationale", Text, false),
            ],
        ),
        (
            "outside_party",
            &[
                ("organisation", Text, true),
                ("role_in_attack", Text, true),
                ("security_contact", Text, true),
                ("contact_verified_how", Text, true),
                ("notified_at", Time, false),
                ("notified_by", Text, false),
            ],
        ),
        ("external_comms_decision", COMMS_DECISION),
    ]
}

const COMMS_DECISION: &[(&str, Field, bool)] = &[
    ("needed", Field::Bool, true),
    ("rationale", Field::Text, true),
    ("decided_by", Field::Text, true),
];

/// The kinds that only the server writes (evidence on upload, drafts with
/// their approvals, blast-radius answers from the inventory), as stored.
fn stored_only_kinds() -> Vec<KindFields> {
    use Field::*;
    const DRAFT: &[(&str, Field, bool)] = &[
        ("content", Object, true),
        ("approvals", Object, true),
        ("insider_signoff", Object, false),
        ("sent", Object, false),
    ];
    vec![
        (
            "evidence_item",
            &[
                ("name", Text, true),
                ("description", Text, false),
                ("sha256", Text, true),
                ("size", Integer, false),
                ("storage", Object, true),
                ("source", Text, false),
                ("collected_at", Time, false),
                ("collected_by", Text, false),
            ],
        ),
        ("internal_comms_draft", DRAFT),
        ("external_comms_draft", DRAFT),
        (
            "blast_radius",
            &[
                ("question", Object, true),
                ("as_of", Time, true),
                ("services", ObjectList, true),
                ("undetermined", ObjectList, true),
                ("hidden_services", Integer, true),
                ("total_services", Integer, true),
                ("truncated", Bool, true),
            ],
        ),
    ]
}

fn tagged_records(kinds: Vec<KindFields>, extra: Option<(&'static str, Field)>) -> RefOr<Schema> {
    let mut one_of = OneOfBuilder::new();
    for (kind, fields) in kinds {
        let mut record = ObjectBuilder::new().schema_type(Type::Object);
        for (name, field, required) in fields {
            record = record.property(*name, field_schema(field));
            if *required {
                record = record.required(*name);
            }
        }
        if let Some((name, field)) = &extra
            && kind == "attack_timeline_entry"
        {
            record = record.property(*name, field_schema(field)).required(*name);
        }
        one_of = one_of.item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(
                    "kind",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([kind])),
                )
                .required("kind")
                .property("record", record)
                .required("record"),
        );
    }
    one_of.into()
}

impl PartialSchema for crate::RecordInput {
    fn schema() -> RefOr<Schema> {
        tagged_records(input_kinds(), None)
    }
}

impl ToSchema for crate::RecordInput {}

/// Schema of `rampart_incident::StepRecord`: as submitted, plus the
/// attack-timeline entry's `recorded_at`.
pub struct StepRecordSchema;

impl PartialSchema for StepRecordSchema {
    fn schema() -> RefOr<Schema> {
        let mut kinds = input_kinds();
        kinds.extend(stored_only_kinds());
        tagged_records(kinds, Some(("recorded_at", Field::Time)))
    }
}

impl ToSchema for StepRecordSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "StepRecord".into()
    }
}
