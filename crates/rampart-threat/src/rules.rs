//! The rule library: one YAML file per STRIDE category (`rules/*.yaml`,
//! embedded in the binary), each rule a condition in the [`expr`] language
//! over the attributes of one kind of subject (a flow or an element).
//!
//! Every condition is compiled against the attribute schema of its subject
//! when the library loads, so a misspelt attribute or a literal outside an
//! enumeration is a load error naming the rule, never a rule that silently
//! stops matching. The schema and the runtime values come from the same
//! per-kind tables in this module, so a name the schema accepts always has
//! a value to read.
//!
//! Attribute names are the model's field names, under `element.` (the
//! subject element), `flow.` (the subject flow) and `flow.from.` /
//! `flow.to.` (the ends of the subject flow). Derived attributes:
//!
//! - `element.kind`: `external_entity`, `process` or `data_store`.
//! - `element.max_confidentiality|max_integrity|max_availability`: highest
//!   rating over the assets involved (data store: `stores` and the `data`
//!   of its flows; process and external entity: `processes` and the `data`
//!   of its flows); `low` when none is involved.
//! - `element.in_boundary`: some trust boundary contains the element.
//! - `element.inbound_from_human` / `element.inbound_from_privileged`: a
//!   flow reaches it from an external entity marked `human` / `privileged`
//!   (a `bidirectional` flow counts in both directions).
//! - `element.receives_crossing_flow`: a flow reaching it crosses a trust
//!   boundary (again counting `bidirectional` flows both ways).
//! - `flow.crosses_boundary`: the boundaries enclosing `from` differ from
//!   those enclosing `to`, or `crosses` is not empty.
//! - `flow.encrypted_in_transit`: the explicit value, else whether the
//!   protocol is in [`ENCRYPTED_PROTOCOLS`] or ends in `+tls`.
//! - `flow.verifies_certificates`: the explicit value, else `true`.
//! - `flow.max_confidentiality|max_integrity|max_availability`: over `data`.
//!
//! Attributes a kind does not have (`element.query_language` on a process,
//! read through `applies_to: element` or `flow.to.`) are missing, which the
//! condition language treats as false-safe.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::{Dimension, Likelihood};
use crate::expr::{self, AttrType, AttributeSchema, Compiled, Expr, ExprError, Value};
use crate::model::{
    Authentication, Authorization, DataStore, ExternalEntity, Flow, Level, Process, PublicAccess,
    QueryLanguage, Sessions, Stride,
};

/// The built-in rule files, one per STRIDE category.
const BUILTIN_FILES: [(&str, &str); 6] = [
    ("spoofing.yaml", include_str!("../rules/spoofing.yaml")),
    ("tampering.yaml", include_str!("../rules/tampering.yaml")),
    (
        "repudiation.yaml",
        include_str!("../rules/repudiation.yaml"),
    ),
    (
        "information_disclosure.yaml",
        include_str!("../rules/information_disclosure.yaml"),
    ),
    (
        "denial_of_service.yaml",
        include_str!("../rules/denial_of_service.yaml"),
    ),
    (
        "elevation_of_privilege.yaml",
        include_str!("../rules/elevation_of_privilege.yaml"),
    ),
];

/// Protocols that are encrypted on the wire by definition. A protocol that
/// only may be encrypted (`postgres`, `amqp`, `http2`) is not listed: the
/// model states `encrypted_in_transit: true` for it, or writes
/// `postgres+tls`.
pub const ENCRYPTED_PROTOCOLS: [&str; 17] = [
    "amqps",
    "dtls",
    "ftps",
    "grpcs",
    "https",
    "imaps",
    "ipsec",
    "ldaps",
    "mqtts",
    "mtls",
    "pop3s",
    "sftp",
    "smtps",
    "ssh",
    "tls",
    "wireguard",
    "wss",
];

/// Whether a flow is encrypted: the model's explicit value, else derived
/// from its protocol.
pub fn encrypted_in_transit(flow: &Flow) -> bool {
    if let Some(explicit) = flow.encrypted_in_transit {
        return explicit;
    }
    let Some(protocol) = flow.protocol.as_deref() else {
        return false;
    };
    let protocol = protocol.trim().to_ascii_lowercase();
    ENCRYPTED_PROTOCOLS.contains(&protocol.as_str()) || protocol.ends_with("+tls")
}

/// The kind of subject a rule is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    Flow,
    Process,
    DataStore,
    ExternalEntity,
    /// Every external entity, process and data store.
    Element,
}

impl AppliesTo {
    pub fn as_str(self) -> &'static str {
        match self {
            AppliesTo::Flow => "flow",
            AppliesTo::Process => "process",
            AppliesTo::DataStore => "data_store",
            AppliesTo::ExternalEntity => "external_entity",
            AppliesTo::Element => "element",
        }
    }
}

/// One rule of the library, its condition compiled.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub stride: Stride,
    pub applies_to: AppliesTo,
    /// The condition as written.
    pub when: String,
    pub condition: Compiled,
    pub impact: Dimension,
    pub likelihood: Likelihood,
    pub cwe: Vec<u32>,
    pub capec: Vec<u32>,
    pub description: String,
    pub mitigations: Vec<String>,
    /// The file the rule came from (`spoofing.yaml`).
    pub file: String,
}

/// Why a rule file could not be loaded. Every error after the YAML syntax
/// names the rule (its id, or its position in the list when it has none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: the file name names no STRIDE category (expected e.g. spoofing.yaml)")]
    UnknownFile { file: String },
    #[error("{file}: {message}")]
    Yaml { file: String, message: String },
    #[error("{file}: rule {rule}: {message}")]
    Invalid {
        file: String,
        rule: String,
        message: String,
    },
    #[error("{file}: rule {rule} has stride {found}, but the file holds {expected} rules")]
    WrongStride {
        file: String,
        rule: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("{file}: rule {rule} is defined twice (first in {first})")]
    DuplicateId {
        file: String,
        rule: String,
        first: String,
    },
    #[error("{file}: rule {rule}: condition, column {column}: {error}")]
    Condition {
        file: String,
        rule: String,
        column: usize,
        error: ExprError,
    },
}

impl RuleError {
    /// The rule the error is about, when it names one.
    pub fn rule(&self) -> Option<&str> {
        match self {
            RuleError::UnknownFile { .. } | RuleError::Yaml { .. } => None,
            RuleError::Invalid { rule, .. }
            | RuleError::WrongStride { rule, .. }
            | RuleError::DuplicateId { rule, .. }
            | RuleError::Condition { rule, .. } => Some(rule),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawDimension {
    Confidentiality,
    Integrity,
    Availability,
    Max,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawLikelihood {
    Low,
    Medium,
    High,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    stride: Stride,
    applies_to: AppliesTo,
    when: String,
    impact: RawDimension,
    likelihood: RawLikelihood,
    cwe: Vec<u32>,
    capec: Vec<u32>,
    description: String,
    mitigations: Vec<String>,
}

/// The compiled rules, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct RuleLibrary {
    rules: Vec<Rule>,
}

impl RuleLibrary {
    /// The library shipped in the binary, loaded once. A built-in rule that
    /// does not load is a bug of this crate (the tests load it), hence the
    /// panic naming the rule.
    pub fn builtin() -> &'static RuleLibrary {
        static LIBRARY: OnceLock<RuleLibrary> = OnceLock::new();
        LIBRARY.get_or_init(|| match RuleLibrary::from_yaml_files(&BUILTIN_FILES) {
            Ok(library) => library,
            Err(error) => panic!("built-in threat rule library is broken: {error}"),
        })
    }

    /// Loads rule files given as `(file name, text)`; the file name
    /// (`tampering.yaml`, a directory part is ignored) says which STRIDE
    /// category its rules must have. Stops at the first error.
    pub fn from_yaml_files(files: &[(&str, &str)]) -> Result<RuleLibrary, RuleError> {
        let schemas: BTreeMap<AppliesTo, AttributeSchema> = [
            AppliesTo::Flow,
            AppliesTo::Process,
            AppliesTo::DataStore,
            AppliesTo::ExternalEntity,
            AppliesTo::Element,
        ]
        .into_iter()
        .map(|subject| (subject, schema(subject)))
        .collect();
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (file, text) in files {
            let stride = file_stride(file).ok_or_else(|| RuleError::UnknownFile {
                file: (*file).to_owned(),
            })?;
            // The guards of model files: rule files may come from users too.
            if text.len() > crate::MAX_INPUT_BYTES || crate::too_complex(text) {
                return Err(RuleError::Yaml {
                    file: (*file).to_owned(),
                    message: "file too large or too deeply nested to parse safely".into(),
                });
            }
            let items: Vec<serde_norway::Value> =
                serde_norway::from_str(text).map_err(|err| RuleError::Yaml {
                    file: (*file).to_owned(),
                    message: err.to_string(),
                })?;
            for (index, item) in items.into_iter().enumerate() {
                let name = item
                    .get("id")
                    .and_then(serde_norway::Value::as_str)
                    .map_or_else(|| format!("#{}", index + 1), str::to_owned);
                let invalid = |message: String| RuleError::Invalid {
                    file: (*file).to_owned(),
                    rule: name.clone(),
                    message,
                };
                let raw: RawRule = serde_norway::from_value(item)
                    .map_err(|err| invalid(with_location(err.to_string(), text)))?;
                check_text(&raw).map_err(invalid)?;
                if raw.stride != stride {
                    return Err(RuleError::WrongStride {
                        file: (*file).to_owned(),
                        rule: raw.id,
                        found: raw.stride.as_str(),
                        expected: stride.as_str(),
                    });
                }
                if let Some(first) = seen.get(&raw.id) {
                    return Err(RuleError::DuplicateId {
                        file: (*file).to_owned(),
                        rule: raw.id,
                        first: first.clone(),
                    });
                }
                let condition = schemas
                    .get(&raw.applies_to)
                    .ok_or_else(|| invalid("no attribute schema for its subject".into()))
                    .and_then(|schema| {
                        Expr::compile(&raw.when, schema).map_err(|error| RuleError::Condition {
                            file: (*file).to_owned(),
                            rule: raw.id.clone(),
                            column: error.column(&raw.when),
                            error,
                        })
                    })?;
                seen.insert(raw.id.clone(), (*file).to_owned());
                rules.push(Rule {
                    id: raw.id,
                    title: raw.title,
                    stride: raw.stride,
                    applies_to: raw.applies_to,
                    when: raw.when,
                    condition,
                    impact: match raw.impact {
                        RawDimension::Confidentiality => Dimension::Confidentiality,
                        RawDimension::Integrity => Dimension::Integrity,
                        RawDimension::Availability => Dimension::Availability,
                        RawDimension::Max => Dimension::Max,
                    },
                    likelihood: match raw.likelihood {
                        RawLikelihood::Low => Likelihood::Low,
                        RawLikelihood::Medium => Likelihood::Medium,
                        RawLikelihood::High => Likelihood::High,
                    },
                    cwe: raw.cwe,
                    capec: raw.capec,
                    description: raw.description.trim().to_owned(),
                    mitigations: raw
                        .mitigations
                        .iter()
                        .map(|m| m.trim().to_owned())
                        .collect(),
                    file: (*file).to_owned(),
                });
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(RuleLibrary { rules })
    }

    /// Every rule, sorted by id.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
            .and_then(|index| self.rules.get(index))
    }
}

/// Adds the line and column to an error found in one rule. Values lose
/// their positions once parsed, so the whole file is read again as typed
/// rules: the rules before the failing one were fine, so the first error of
/// that pass is the same one, with its position.
fn with_location(message: String, text: &str) -> String {
    match serde_norway::from_str::<Vec<RawRule>>(text) {
        Err(err) => match err.location() {
            Some(at) => format!("{message} (line {}, column {})", at.line(), at.column()),
            None => message,
        },
        Ok(_) => message,
    }
}

/// The category a rule file holds, from its name.
fn file_stride(file: &str) -> Option<Stride> {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = base
        .strip_suffix(".yaml")
        .or_else(|| base.strip_suffix(".yml"))
        .unwrap_or(base);
    Stride::ALL.into_iter().find(|s| s.as_str() == stem)
}

/// Rule ids are kebab-case; `stride-` names the baseline pseudo-rules and
/// `manual.` the hand-written threats, so neither may be taken.
fn check_text(raw: &RawRule) -> Result<(), String> {
    let kebab = !raw.id.is_empty()
        && raw.id.len() <= 64
        && raw.id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !kebab {
        return Err(format!(
            "id {:?} is not kebab-case (a-z, 0-9, single dashes)",
            raw.id
        ));
    }
    if raw.id.starts_with("stride-") {
        return Err("ids starting with stride- are reserved for the STRIDE baseline".into());
    }
    if raw.title.trim().is_empty() {
        return Err("title is empty".into());
    }
    if raw.description.trim().is_empty() {
        return Err("description is empty".into());
    }
    if raw.mitigations.is_empty() || raw.mitigations.iter().any(|m| m.trim().is_empty()) {
        return Err("needs at least one mitigation, none of them empty".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Attributes

/// Facts about an element that need the whole model (computed by generation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementFacts {
    pub max_confidentiality: Level,
    pub max_integrity: Level,
    pub max_availability: Level,
    pub in_boundary: bool,
    pub inbound_from_human: bool,
    pub inbound_from_privileged: bool,
    pub receives_crossing_flow: bool,
}

/// Facts about a flow that need the whole model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowFacts {
    pub crosses_boundary: bool,
    pub max_confidentiality: Level,
    pub max_integrity: Level,
    pub max_availability: Level,
}

/// An element of any kind.
#[derive(Debug, Clone, Copy)]
pub enum ElementRef<'a> {
    ExternalEntity(&'a ExternalEntity),
    Process(&'a Process),
    DataStore(&'a DataStore),
}

/// Receives one attribute: its name (without prefix), its type and, when
/// an element is given, its value.
type Sink<'s> = &'s mut dyn FnMut(&'static str, AttrType, Option<Value>);

fn level(value: Level) -> expr::Level {
    match value {
        Level::Low => expr::Level::Low,
        Level::Medium => expr::Level::Medium,
        Level::High => expr::Level::High,
        Level::Critical => expr::Level::Critical,
    }
}

const AUTHENTICATIONS: [Authentication; 8] = [
    Authentication::None,
    Authentication::Basic,
    Authentication::ApiKey,
    Authentication::Password,
    Authentication::Token,
    Authentication::Sso,
    Authentication::Mtls,
    Authentication::Mfa,
];

/// The model's word for an authentication kind.
pub fn authentication_str(value: Authentication) -> &'static str {
    match value {
        Authentication::None => "none",
        Authentication::Basic => "basic",
        Authentication::ApiKey => "api_key",
        Authentication::Password => "password",
        Authentication::Token => "token",
        Authentication::Sso => "sso",
        Authentication::Mtls => "mtls",
        Authentication::Mfa => "mfa",
    }
}

const AUTHORIZATIONS: [Authorization; 3] = [
    Authorization::None,
    Authorization::RoleBased,
    Authorization::ObjectLevel,
];

pub fn authorization_str(value: Authorization) -> &'static str {
    match value {
        Authorization::None => "none",
        Authorization::RoleBased => "role_based",
        Authorization::ObjectLevel => "object_level",
    }
}

const SESSIONS: [Sessions; 3] = [Sessions::None, Sessions::Cookie, Sessions::Token];

pub fn sessions_str(value: Sessions) -> &'static str {
    match value {
        Sessions::None => "none",
        Sessions::Cookie => "cookie",
        Sessions::Token => "token",
    }
}

const QUERY_LANGUAGES: [QueryLanguage; 4] = [
    QueryLanguage::None,
    QueryLanguage::Sql,
    QueryLanguage::Nosql,
    QueryLanguage::Other,
];

pub fn query_language_str(value: QueryLanguage) -> &'static str {
    match value {
        QueryLanguage::None => "none",
        QueryLanguage::Sql => "sql",
        QueryLanguage::Nosql => "nosql",
        QueryLanguage::Other => "other",
    }
}

const PUBLIC_ACCESSES: [PublicAccess; 3] =
    [PublicAccess::None, PublicAccess::Read, PublicAccess::Write];

pub fn public_access_str(value: PublicAccess) -> &'static str {
    match value {
        PublicAccess::None => "none",
        PublicAccess::Read => "read",
        PublicAccess::Write => "write",
    }
}

fn enum_type<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> AttrType {
    AttrType::Enum(all.iter().map(|v| name(*v).to_owned()).collect())
}

fn text(value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|v| Value::Str(v.clone()))
}

fn tags(value: &[String]) -> Value {
    Value::StrSet(value.to_vec())
}

fn entity_attrs(entity: Option<&ExternalEntity>, sink: Sink<'_>) {
    sink(
        "technology",
        AttrType::Str,
        entity.and_then(|e| text(&e.technology)),
    );
    sink("tags", AttrType::StrSet, entity.map(|e| tags(&e.tags)));
    macro_rules! flags {
        ($($field:ident),* $(,)?) => {
            $( sink(stringify!($field), AttrType::Bool, entity.map(|e| Value::Bool(e.$field))); )*
        };
    }
    flags!(human, privileged, provides_authentication);
}

fn process_attrs(process: Option<&Process>, sink: Sink<'_>) {
    let p = process;
    sink(
        "technology",
        AttrType::Str,
        p.and_then(|p| text(&p.technology)),
    );
    sink("tags", AttrType::StrSet, p.map(|p| tags(&p.tags)));
    sink(
        "authentication",
        enum_type(&AUTHENTICATIONS, authentication_str),
        p.map(|p| Value::Str(authentication_str(p.authentication).into())),
    );
    sink(
        "authorization",
        enum_type(&AUTHORIZATIONS, authorization_str),
        p.map(|p| Value::Str(authorization_str(p.authorization).into())),
    );
    sink(
        "sessions",
        enum_type(&SESSIONS, sessions_str),
        p.map(|p| Value::Str(sessions_str(p.sessions).into())),
    );
    macro_rules! flags {
        ($($field:ident),* $(,)?) => {
            $( sink(stringify!($field), AttrType::Bool, p.map(|p| Value::Bool(p.$field))); )*
        };
    }
    flags!(
        internet_facing,
        takes_user_input,
        input_validation,
        input_limits,
        output_encoding,
        renders_html,
        parameterized_queries,
        executes_os_commands,
        deserializes_untrusted_data,
        parses_xml,
        accepts_file_uploads,
        makes_outbound_requests,
        egress_allowlist,
        csrf_protection,
        session_expiry,
        rate_limited,
        logs_audit_events,
        stores_secrets_in_config,
        runs_as_root,
        error_details_exposed,
        debug_enabled,
        dependency_scanning,
        caches_responses,
        redundant,
    );
}

fn store_attrs(store: Option<&DataStore>, sink: Sink<'_>) {
    let s = store;
    sink(
        "technology",
        AttrType::Str,
        s.and_then(|s| text(&s.technology)),
    );
    sink("tags", AttrType::StrSet, s.map(|s| tags(&s.tags)));
    sink(
        "authentication",
        enum_type(&AUTHENTICATIONS, authentication_str),
        s.map(|s| Value::Str(authentication_str(s.authentication).into())),
    );
    sink(
        "query_language",
        enum_type(&QUERY_LANGUAGES, query_language_str),
        s.map(|s| Value::Str(query_language_str(s.query_language).into())),
    );
    sink(
        "public_access",
        enum_type(&PUBLIC_ACCESSES, public_access_str),
        s.map(|s| Value::Str(public_access_str(s.public_access).into())),
    );
    macro_rules! flags {
        ($($field:ident),* $(,)?) => {
            $( sink(stringify!($field), AttrType::Bool, s.map(|s| Value::Bool(s.$field))); )*
        };
    }
    flags!(
        internet_facing,
        logs_audit_events,
        redundant,
        encrypted_at_rest,
        stores_credentials,
        is_log,
        append_only,
        queue,
        dead_letter_queue,
    );
}

fn element_kind_str(element: ElementRef<'_>) -> &'static str {
    match element {
        ElementRef::ExternalEntity(_) => "external_entity",
        ElementRef::Process(_) => "process",
        ElementRef::DataStore(_) => "data_store",
    }
}

fn derived_element_attrs(facts: Option<(ElementRef<'_>, &ElementFacts)>, sink: Sink<'_>) {
    sink(
        "kind",
        AttrType::enumeration(&["external_entity", "process", "data_store"]),
        facts.map(|(element, _)| Value::Str(element_kind_str(element).into())),
    );
    let f = facts.map(|(_, facts)| facts);
    sink(
        "max_confidentiality",
        AttrType::Level,
        f.map(|f| Value::Level(level(f.max_confidentiality))),
    );
    sink(
        "max_integrity",
        AttrType::Level,
        f.map(|f| Value::Level(level(f.max_integrity))),
    );
    sink(
        "max_availability",
        AttrType::Level,
        f.map(|f| Value::Level(level(f.max_availability))),
    );
    macro_rules! flags {
        ($($field:ident),* $(,)?) => {
            $( sink(stringify!($field), AttrType::Bool, f.map(|f| Value::Bool(f.$field))); )*
        };
    }
    flags!(
        in_boundary,
        inbound_from_human,
        inbound_from_privileged,
        receives_crossing_flow,
    );
}

/// The attributes of one element kind (or of all kinds, for `Element`):
/// name without prefix → type.
fn element_schema(subject: AppliesTo) -> BTreeMap<&'static str, AttrType> {
    let mut out: BTreeMap<&'static str, AttrType> = BTreeMap::new();
    let mut sink = |name: &'static str, ty: AttrType, _: Option<Value>| {
        out.entry(name).or_insert(ty);
    };
    if matches!(subject, AppliesTo::ExternalEntity | AppliesTo::Element) {
        entity_attrs(None, &mut sink);
    }
    if matches!(subject, AppliesTo::Process | AppliesTo::Element) {
        process_attrs(None, &mut sink);
    }
    if matches!(subject, AppliesTo::DataStore | AppliesTo::Element) {
        store_attrs(None, &mut sink);
    }
    derived_element_attrs(None, &mut sink);
    out
}

fn flow_attrs(flow: Option<(&Flow, &FlowFacts)>, sink: Sink<'_>) {
    let f = flow.map(|(flow, _)| flow);
    let facts = flow.map(|(_, facts)| facts);
    sink(
        "authentication",
        enum_type(&AUTHENTICATIONS, authentication_str),
        f.map(|f| Value::Str(authentication_str(f.authentication).into())),
    );
    sink(
        "authorization",
        enum_type(&AUTHORIZATIONS, authorization_str),
        f.map(|f| Value::Str(authorization_str(f.authorization).into())),
    );
    sink(
        "protocol",
        AttrType::Str,
        f.and_then(|f| {
            f.protocol
                .as_deref()
                .map(|p| Value::Str(p.trim().to_ascii_lowercase()))
        }),
    );
    sink("tags", AttrType::StrSet, f.map(|f| tags(&f.tags)));
    sink(
        "encrypted_in_transit",
        AttrType::Bool,
        f.map(|f| Value::Bool(encrypted_in_transit(f))),
    );
    sink(
        "verifies_certificates",
        AttrType::Bool,
        f.map(|f| Value::Bool(f.verifies_certificates.unwrap_or(true))),
    );
    macro_rules! flags {
        ($($field:ident),* $(,)?) => {
            $( sink(stringify!($field), AttrType::Bool, f.map(|f| Value::Bool(f.$field))); )*
        };
    }
    flags!(message_integrity, timeouts, public_network, bidirectional);
    sink(
        "crosses_boundary",
        AttrType::Bool,
        facts.map(|f| Value::Bool(f.crosses_boundary)),
    );
    sink(
        "max_confidentiality",
        AttrType::Level,
        facts.map(|f| Value::Level(level(f.max_confidentiality))),
    );
    sink(
        "max_integrity",
        AttrType::Level,
        facts.map(|f| Value::Level(level(f.max_integrity))),
    );
    sink(
        "max_availability",
        AttrType::Level,
        facts.map(|f| Value::Level(level(f.max_availability))),
    );
}

/// The attribute schema conditions of rules on `subject` compile against.
pub fn schema(subject: AppliesTo) -> AttributeSchema {
    let mut out = AttributeSchema::new();
    match subject {
        AppliesTo::Flow => {
            let mut sink = |name: &'static str, ty: AttrType, _: Option<Value>| {
                out.insert(format!("flow.{name}"), ty);
            };
            flow_attrs(None, &mut sink);
            for (name, ty) in element_schema(AppliesTo::Element) {
                out.insert(format!("flow.from.{name}"), ty.clone());
                out.insert(format!("flow.to.{name}"), ty);
            }
        }
        element => {
            for (name, ty) in element_schema(element) {
                out.insert(format!("element.{name}"), ty);
            }
        }
    }
    out
}

/// The attribute values of an element, keyed `<prefix><name>`.
pub fn element_values(
    element: ElementRef<'_>,
    facts: &ElementFacts,
    prefix: &str,
    out: &mut BTreeMap<String, Value>,
) {
    let mut sink = |name: &'static str, _: AttrType, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(format!("{prefix}{name}"), value);
        }
    };
    match element {
        ElementRef::ExternalEntity(e) => entity_attrs(Some(e), &mut sink),
        ElementRef::Process(p) => process_attrs(Some(p), &mut sink),
        ElementRef::DataStore(s) => store_attrs(Some(s), &mut sink),
    }
    derived_element_attrs(Some((element, facts)), &mut sink);
}

/// The attribute values of a flow (without its ends), keyed `flow.<name>`.
pub fn flow_values(flow: &Flow, facts: &FlowFacts, out: &mut BTreeMap<String, Value>) {
    let mut sink = |name: &'static str, _: AttrType, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(format!("flow.{name}"), value);
        }
    };
    flow_attrs(Some((flow, facts)), &mut sink);
}

/// Every attribute path of every subject, for documentation checks.
pub fn all_attribute_paths() -> BTreeSet<String> {
    [
        AppliesTo::Flow,
        AppliesTo::Process,
        AppliesTo::DataStore,
        AppliesTo::ExternalEntity,
        AppliesTo::Element,
    ]
    .into_iter()
    .flat_map(|subject| {
        schema(subject)
            .iter()
            .map(|(path, _)| path.to_owned())
            .collect::<Vec<_>>()
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The enum words the conditions compare with are the words serde
    /// accepts in a model.
    #[test]
    fn enum_words_match_the_model() {
        for value in AUTHENTICATIONS {
            let parsed: Authentication =
                serde_norway::from_str(authentication_str(value)).expect("parses");
            assert_eq!(parsed, value);
        }
        for value in AUTHORIZATIONS {
            let parsed: Authorization =
                serde_norway::from_str(authorization_str(value)).expect("parses");
            assert_eq!(parsed, value);
        }
        for value in SESSIONS {
            let parsed: Sessions = serde_norway::from_str(sessions_str(value)).expect("parses");
            assert_eq!(parsed, value);
        }
        for value in QUERY_LANGUAGES {
            let parsed: QueryLanguage =
                serde_norway::from_str(query_language_str(value)).expect("parses");
            assert_eq!(parsed, value);
        }
        for value in PUBLIC_ACCESSES {
            let parsed: PublicAccess =
                serde_norway::from_str(public_access_str(value)).expect("parses");
            assert_eq!(parsed, value);
        }
    }

    /// An attribute two kinds share has one type, so `applies_to: element`
    /// and `flow.to.` read it the same way whatever the kind.
    #[test]
    fn shared_attributes_agree_on_their_type() {
        let mut all: BTreeMap<&'static str, AttrType> = BTreeMap::new();
        let mut sink = |name: &'static str, ty: AttrType, _: Option<Value>| {
            if let Some(first) = all.get(name) {
                assert_eq!(first, &ty, "{name}");
            }
            all.insert(name, ty);
        };
        entity_attrs(None, &mut sink);
        process_attrs(None, &mut sink);
        store_attrs(None, &mut sink);
        derived_element_attrs(None, &mut sink);
        assert!(all.contains_key("query_language"));
    }

    #[test]
    fn protocol_decides_encryption_unless_stated() {
        let flow = |protocol: Option<&str>, explicit: Option<bool>| Flow {
            id: "f".into(),
            from: "a".into(),
            to: "b".into(),
            name: None,
            description: None,
            protocol: protocol.map(str::to_owned),
            bidirectional: false,
            data: Vec::new(),
            authentication: Authentication::None,
            authorization: Authorization::None,
            encrypted_in_transit: explicit,
            verifies_certificates: None,
            message_integrity: false,
            timeouts: false,
            public_network: false,
            crosses: Vec::new(),
            tags: Vec::new(),
            out_of_scope: None,
            external_ids: Vec::new(),
        };
        assert!(encrypted_in_transit(&flow(Some("https"), None)));
        assert!(encrypted_in_transit(&flow(Some(" HTTPS "), None)));
        assert!(encrypted_in_transit(&flow(Some("postgres+tls"), None)));
        assert!(!encrypted_in_transit(&flow(Some("http"), None)));
        assert!(!encrypted_in_transit(&flow(Some("postgres"), None)));
        assert!(!encrypted_in_transit(&flow(None, None)));
        assert!(encrypted_in_transit(&flow(Some("postgres"), Some(true))));
        assert!(!encrypted_in_transit(&flow(Some("https"), Some(false))));
    }
}
