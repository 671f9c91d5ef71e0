//! The Backstage catalog import: `catalog-info.yaml` files in, catalog
//! changes and a report out.
//!
//! Two pure steps, so the store can run the second under its write lock:
//! [`parse_files`] reads multi-document YAML into [`Entity`]s (syntax and
//! envelope errors refuse the whole import, naming file, document and
//! line), and [`plan_import`] maps them onto the catalog and diffs them
//! against what is there (everything else becomes a report entry).
//!
//! Decisions, where Backstage or the catalog leave a choice:
//! * A reference without a namespace is in the referring entity's
//!   namespace, as Backstage resolves relations (a User in `development`
//!   with `memberOf: [team-a]` means `group:development/team-a`).
//! * `spec.members` defaults to kind User (Backstage's rule); `owner`,
//!   `parent` and `memberOf` to Group; `system` to System; `domain` to
//!   Domain.
//! * An owner that is neither a Group of this import nor a team of the
//!   catalog leaves the entry unowned, with a warning: an owner name that
//!   lets nobody see the service would hide it from the unowned list.
//! * Annotation-derived service fields (tier, data classification,
//!   on-call, security champion, repository) keep their current value when
//!   the annotation is absent or invalid: Backstage saying nothing about
//!   them is not Backstage saying "none". Everything else the YAML maps to
//!   is overwritten, and cleared when the YAML drops it.
//! * Memberships are recorded only for Groups in this import; a User's
//!   `memberOf` naming any other group is a warning.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::{
    Catalog, CatalogChange, DataClassification, EntitySource, Service, ServiceName, System, Team,
    TeamMember, TeamName, Tier,
};

/// Most documents one import may hold (empty ones included), so a file of
/// a million `---` lines is refused instead of walked.
pub const MAX_DOCUMENTS: usize = 10_000;

/// Most bytes of YAML one import may hold. Parsing is linear in the input,
/// so this bounds memory together with serde_norway's own limits (nesting
/// depth 128, alias expansion).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Budget for libyaml's flow-collection work (see `flow_work`). The
/// scanner revisits every open `[`/`{` level on every token, so a
/// document of N tokens nested D levels deep costs N × D steps (measured:
/// depth 1,000 and 2 MB take 5 s). A catalog document has a handful of
/// brackets, so 100 million steps (well under a second) refuses only
/// hostile or machine-made input.
pub const MAX_FLOW_WORK: u64 = 100_000_000;

/// The `apiVersion`s of Backstage's catalog model.
const API_VERSIONS: [&str; 2] = ["backstage.io/v1alpha1", "backstage.io/v1beta1"];

/// Kinds of the catalog model that Rampart has no place for.
const SKIPPED_KINDS: [&str; 5] = ["api", "domain", "resource", "location", "template"];

/// Why an import was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackstageError {
    /// A document is not YAML, or not an entity (no `apiVersion`, `kind`
    /// or `metadata.name`, or a field of the wrong type).
    #[error("{file}, document {document}{}: {message}", line_suffix(*line))]
    Document {
        /// The file's name, as given.
        file: String,
        /// 1-based document number in the file.
        document: usize,
        /// 1-based line in the file, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// More than [`MAX_DOCUMENTS`] documents.
    #[error("the import holds more than {max} YAML documents")]
    TooManyDocuments {
        /// The limit.
        max: usize,
    },
    /// Brackets nested or repeated so that parsing would take too long
    /// ([`MAX_FLOW_WORK`]).
    #[error(
        "{file}: too many `[` and `{{` for the YAML parser to read in reasonable time; split the file or use block style"
    )]
    TooComplex {
        /// The file's name.
        file: String,
    },
    /// More than [`MAX_INPUT_BYTES`] of YAML.
    #[error("the import holds more than {max} bytes of YAML")]
    TooLarge {
        /// The limit.
        max: usize,
    },
}

fn line_suffix(line: Option<usize>) -> String {
    line.map(|line| format!(", line {line}"))
        .unwrap_or_default()
}

/// A Backstage entity as the YAML has it, before any mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// `backstage.io/v1alpha1`, …
    pub api_version: String,
    /// `Component`, `Group`, … as written.
    pub kind: String,
    /// Name, namespace, titles and annotations.
    pub metadata: Metadata,
    /// The kind-specific part, unchecked.
    pub spec: serde_json::Value,
    /// The file it came from.
    pub file: String,
    /// 1-based document number in that file.
    pub document: usize,
}

/// An entity's `metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, `default` when absent.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// Name for people.
    #[serde(default)]
    pub title: Option<String>,
    /// What it is.
    #[serde(default)]
    pub description: Option<String>,
    /// Free-form key/value pairs; Rampart reads a few (module docs).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

fn default_namespace() -> String {
    "default".to_owned()
}

/// The envelope every catalog document must have; the rest is ignored.
#[derive(Deserialize)]
struct RawEntity {
    #[serde(rename = "apiVersion")]
    api_version: String,
    kind: String,
    metadata: Metadata,
    #[serde(default)]
    spec: serde_norway::Value,
}

impl Entity {
    /// This entity's reference, kind and namespace lower-cased.
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef {
            kind: self.kind.to_ascii_lowercase(),
            namespace: self.metadata.namespace.to_ascii_lowercase(),
            name: self.metadata.name.clone(),
        }
    }
}

/// Reads every document of every file. Empty documents are passed over;
/// anything that is not an entity envelope refuses the import, because a
/// half-read catalog would look like entities were removed.
pub fn parse_files(files: &[(String, String)]) -> Result<Vec<Entity>, BackstageError> {
    let total: usize = files.iter().map(|(_, content)| content.len()).sum();
    if total > MAX_INPUT_BYTES {
        return Err(BackstageError::TooLarge {
            max: MAX_INPUT_BYTES,
        });
    }
    let mut work = 0u64;
    for (file, content) in files {
        work = work.saturating_add(flow_work(content));
        if work > MAX_FLOW_WORK {
            return Err(BackstageError::TooComplex { file: file.clone() });
        }
    }
    let mut entities = Vec::new();
    let mut documents = 0usize;
    for (file, content) in files {
        for (index, document) in serde_norway::Deserializer::from_str(content).enumerate() {
            documents += 1;
            if documents > MAX_DOCUMENTS {
                return Err(BackstageError::TooManyDocuments { max: MAX_DOCUMENTS });
            }
            let number = index + 1;
            // Returning at the first error matters beyond reporting it:
            // after a syntax error the loader would yield it again forever.
            let raw = Option::<RawEntity>::deserialize(document)
                .map_err(|err| yaml_error(file, number, &err))?;
            let Some(raw) = raw else { continue };
            let spec = spec_to_json(raw.spec).map_err(|message| BackstageError::Document {
                file: file.clone(),
                document: number,
                line: None,
                message,
            })?;
            entities.push(Entity {
                api_version: raw.api_version,
                kind: raw.kind,
                metadata: raw.metadata,
                spec,
                file: file.clone(),
                document: number,
            });
        }
    }
    Ok(entities)
}

/// An upper bound of libyaml's flow-level work for `text`: for every byte,
/// the number of `[` and `{` before it in the same document. Brackets
/// inside strings and comments count too, and closing ones never do: a
/// closer may sit in a string, and a bound that strings can lower could be
/// cheated. A line starting with `---` or `...` ends the count, because
/// libyaml never carries an open collection past it (it ends the document
/// or is an error).
fn flow_work(text: &str) -> u64 {
    let mut work = 0u64;
    let mut open = 0u64;
    for line in text.split_inclusive('\n') {
        let marker = (line.starts_with("---") || line.starts_with("..."))
            && line
                .get(3..)
                .is_some_and(|rest| rest.chars().next().is_none_or(char::is_whitespace));
        if marker {
            open = 0;
        }
        for byte in line.bytes() {
            work = work.saturating_add(open);
            if matches!(byte, b'[' | b'{') {
                open += 1;
            }
        }
    }
    work
}

fn yaml_error(file: &str, document: usize, err: &serde_norway::Error) -> BackstageError {
    let line = err.location().map(|location| location.line());
    let mut message = err.to_string();
    // serde_norway appends the position; the error names it once, itself.
    if let Some(location) = err.location() {
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
    }
    BackstageError::Document {
        file: file.to_owned(),
        document,
        line,
        message,
    }
}

/// YAML allows keys JSON has not; scalar keys become their text.
fn spec_to_json(spec: serde_norway::Value) -> Result<serde_json::Value, String> {
    use serde_norway::Value as Y;
    Ok(match spec {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => serde_json::Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(serde_json::Value::Null),
        Y::String(s) => serde_json::Value::String(s),
        Y::Sequence(items) => serde_json::Value::Array(
            items
                .into_iter()
                .map(spec_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut object = serde_json::Map::with_capacity(mapping.len());
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "null".to_owned(),
                    _ => return Err("spec has a key that is a list or a mapping".to_owned()),
                };
                object.insert(key, spec_to_json(value)?);
            }
            serde_json::Value::Object(object)
        }
        Y::Tagged(tagged) => spec_to_json(tagged.value)?,
    })
}

/// A reference to an entity, `[kind:][namespace/]name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EntityRef {
    /// Lower case.
    pub kind: String,
    /// Lower case.
    pub namespace: String,
    /// As written.
    pub name: String,
}

/// Why an entity reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an entity reference ([kind:][namespace/]name)")]
pub struct RefError(pub String);

impl EntityRef {
    /// Reads `text`, filling in `default_kind` and `default_namespace`
    /// where it leaves them out. Kind and namespace compare without case
    /// in Backstage, so they are lower-cased.
    pub fn parse(
        text: &str,
        default_kind: &str,
        default_namespace: &str,
    ) -> Result<Self, RefError> {
        let bad = || RefError(text.to_owned());
        let text_trimmed = text.trim();
        // A colon after the first slash belongs to the name part, which
        // then fails the checks below, as in Backstage.
        let (kind, rest) = match (text_trimmed.find(':'), text_trimmed.find('/')) {
            (Some(colon), slash) if slash.is_none_or(|slash| colon < slash) => {
                (&text_trimmed[..colon], &text_trimmed[colon + 1..])
            }
            _ => (default_kind, text_trimmed),
        };
        let (namespace, name) = rest.split_once('/').unwrap_or((default_namespace, rest));
        let part_ok = |part: &str| {
            !part.is_empty()
                && !part.contains([':', '/'])
                && !part.chars().any(|c| c.is_whitespace() || c.is_control())
        };
        if kind.is_empty()
            || !kind.bytes().all(|b| b.is_ascii_alphanumeric())
            || !part_ok(namespace)
            || !part_ok(name)
        {
            return Err(bad());
        }
        Ok(Self {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// Which part of the catalog an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A team (Backstage Group).
    Team,
    /// A system.
    System,
    /// A service (Backstage Component).
    Service,
}

impl EntryKind {
    /// `team`, `system` or `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Team => "team",
            Self::System => "system",
            Self::Service => "service",
        }
    }
}

/// A catalog entry, by kind and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EntryName {
    /// Team, system or service.
    pub kind: EntryKind,
    /// Its Rampart name.
    pub name: String,
}

/// One field's move, as JSON values (`null` for absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field's serialized name (`description`, `members`, `source`).
    pub field: String,
    /// Before.
    pub old: serde_json::Value,
    /// After.
    pub new: serde_json::Value,
}

/// An entry the import changes, field by field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryUpdate {
    /// Team, system or service.
    pub kind: EntryKind,
    /// Its Rampart name.
    pub name: String,
    /// What changes.
    pub fields: Vec<FieldChange>,
}

/// An entity the import passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// 1-based document number in the file.
    pub document: usize,
    /// The entity's kind, as written.
    pub kind: String,
    /// The entity's `metadata.name`.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// Something imported with a loss or a guess worth a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The file of the entity concerned.
    pub file: String,
    /// 1-based document number in the file.
    pub document: usize,
    /// The entity's reference.
    pub entity: String,
    /// What happened.
    pub message: String,
}

/// What an import does and did not do.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// New entries.
    pub created: Vec<EntryName>,
    /// Entries already imported from the same entity, now changed.
    pub updated: Vec<EntryUpdate>,
    /// Entries already imported from the same entity, no change.
    pub unchanged: Vec<EntryName>,
    /// Manual entries with an entity's name, adopted by the import (their
    /// `source` becomes the entity).
    pub linked: Vec<EntryUpdate>,
    /// Entries imported earlier whose entity is not in this import. Kept:
    /// an import may be a subset of the catalog's files.
    pub not_in_this_import: Vec<EntryName>,
    /// Entities not imported.
    pub skipped: Vec<Skipped>,
    /// Imported, with something lost or guessed.
    pub warnings: Vec<Warning>,
}

/// The changes an import makes and its report. Applying `changes` in
/// order gives the imported catalog; an import of what is already there
/// has none.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportPlan {
    /// Teams first, then systems, then services.
    pub changes: Vec<CatalogChange>,
    /// What happened, entry by entry.
    pub report: ImportReport,
}

/// Where warnings about one entity go.
struct Ctx<'a> {
    entity: &'a Entity,
    reference: String,
}

impl Ctx<'_> {
    /// The entity's namespace as its reference has it (lower case), so
    /// its own name and the references to it agree.
    fn namespace(&self) -> String {
        self.entity.metadata.namespace.to_ascii_lowercase()
    }

    fn warn(&self, warnings: &mut Vec<Warning>, message: impl Into<String>) {
        warnings.push(Warning {
            file: self.entity.file.clone(),
            document: self.entity.document,
            entity: self.reference.clone(),
            message: message.into(),
        });
    }
}

/// A User of this import, as a team member.
struct ImportedUser<'a> {
    ctx: Ctx<'a>,
    member: TeamMember,
}

/// The import's mapped entries before they meet the catalog.
struct Mapped<'a> {
    teams: Vec<(Ctx<'a>, Team)>,
    systems: Vec<(Ctx<'a>, System)>,
    services: Vec<(Ctx<'a>, Service)>,
}

/// Maps `entities` onto the catalog and diffs the result against
/// `existing` (see the module docs for the rules).
pub fn plan_import(entities: &[Entity], existing: &Catalog) -> ImportPlan {
    let mut report = ImportReport::default();
    let mut groups = Vec::new();
    let mut users = Vec::new();
    let mut systems = Vec::new();
    let mut components = Vec::new();
    let mut seen: HashMap<String, &Entity> = HashMap::new();
    for entity in entities {
        let kind = entity.kind.to_ascii_lowercase();
        let skip = |reason: String| Skipped {
            file: entity.file.clone(),
            document: entity.document,
            kind: entity.kind.clone(),
            name: entity.metadata.name.clone(),
            reason,
        };
        if !API_VERSIONS.contains(&entity.api_version.as_str()) {
            report.skipped.push(skip(format!(
                "apiVersion `{}` is not Backstage's catalog model ({})",
                entity.api_version,
                API_VERSIONS.join(" or ")
            )));
            continue;
        }
        if SKIPPED_KINDS.contains(&kind.as_str()) {
            report.skipped.push(skip(format!(
                "Rampart's catalog has no place for {} entities",
                entity.kind
            )));
            continue;
        }
        let list = match kind.as_str() {
            "group" => &mut groups,
            "user" => &mut users,
            "system" => &mut systems,
            "component" => &mut components,
            _ => {
                report
                    .skipped
                    .push(skip(format!("unknown kind `{}`", entity.kind)));
                continue;
            }
        };
        let reference = entity.entity_ref().to_string();
        if let Some(first) = seen.get(&reference.to_ascii_lowercase()) {
            report.skipped.push(skip(format!(
                "{reference} is also in {}, document {}; the first one counts",
                first.file, first.document
            )));
            continue;
        }
        seen.insert(reference.to_ascii_lowercase(), entity);
        list.push(Ctx { entity, reference });
    }

    let users = map_users(users, &mut report);
    let mut mapped = Mapped {
        teams: Vec::new(),
        systems: Vec::new(),
        services: Vec::new(),
    };
    for ctx in groups {
        match TeamName::in_namespace(&ctx.entity.metadata.name, &ctx.namespace()) {
            Ok(name) => {
                let team = map_group(&ctx, name, &mut report.warnings);
                mapped.teams.push((ctx, team));
            }
            Err(err) => report.skipped.push(skipped(&ctx, err.to_string())),
        }
    }
    add_members(&mut mapped.teams, &users, &mut report.warnings);

    // Cloned: the teams move into the diff while systems and services
    // are still being mapped.
    let known_teams: HashSet<TeamName> = mapped
        .teams
        .iter()
        .map(|(_, team)| team.name.clone())
        .chain(existing.teams.iter().map(|team| team.name.clone()))
        .collect();
    for ctx in systems {
        match ServiceName::in_namespace(&ctx.entity.metadata.name, &ctx.namespace()) {
            Ok(name) => {
                let system = map_system(&ctx, name, &known_teams, &mut report.warnings);
                mapped.systems.push((ctx, system));
            }
            Err(err) => report.skipped.push(skipped(&ctx, err.to_string())),
        }
    }
    for ctx in components {
        match ServiceName::in_namespace(&ctx.entity.metadata.name, &ctx.namespace()) {
            Ok(name) => {
                let service = map_component(&ctx, name, &known_teams, &mut report.warnings);
                mapped.services.push((ctx, service));
            }
            Err(err) => report.skipped.push(skipped(&ctx, err.to_string())),
        }
    }

    let mut changes = Vec::new();
    diff_entries(
        EntryKind::Team,
        mapped.teams,
        &existing.teams,
        merge_team,
        CatalogChange::PutTeam,
        &mut changes,
        &mut report,
    );
    diff_entries(
        EntryKind::System,
        mapped.systems,
        &existing.systems,
        |_, new| new,
        CatalogChange::PutSystem,
        &mut changes,
        &mut report,
    );
    diff_entries(
        EntryKind::Service,
        mapped.services,
        &existing.services,
        merge_service,
        CatalogChange::PutService,
        &mut changes,
        &mut report,
    );
    ImportPlan { changes, report }
}

fn skipped(ctx: &Ctx<'_>, reason: String) -> Skipped {
    Skipped {
        file: ctx.entity.file.clone(),
        document: ctx.entity.document,
        kind: ctx.entity.kind.clone(),
        name: ctx.entity.metadata.name.clone(),
        reason,
    }
}

/// Users by their reference, lower-cased.
fn map_users<'a>(
    users: Vec<Ctx<'a>>,
    report: &mut ImportReport,
) -> BTreeMap<String, ImportedUser<'a>> {
    let mut by_ref = BTreeMap::new();
    for ctx in users {
        let annotations = &ctx.entity.metadata.annotations;
        let login = annotation(annotations, "rampart.dev/user")
            .unwrap_or_else(|| ctx.entity.metadata.name.clone());
        if !is_login(&login) {
            let reason = format!(
                "`{login}` is not a login name (1 to 64 characters, no spaces); set annotation rampart.dev/user"
            );
            report.skipped.push(skipped(&ctx, reason));
            continue;
        }
        let spec = &ctx.entity.spec;
        let member = TeamMember {
            user: login,
            display_name: spec_text(
                &ctx,
                spec,
                &["profile", "displayName"],
                &mut report.warnings,
            ),
            email: spec_text(&ctx, spec, &["profile", "email"], &mut report.warnings),
            source: EntitySource::Backstage {
                entity_ref: ctx.reference.clone(),
            },
        };
        by_ref.insert(
            ctx.reference.to_ascii_lowercase(),
            ImportedUser { ctx, member },
        );
    }
    by_ref
}

/// The rule of Rampart's login names (`rampart_incident::UserName`); the
/// inventory does not depend on the incident crate for five lines.
fn is_login(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 64
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn map_group(ctx: &Ctx<'_>, name: TeamName, warnings: &mut Vec<Warning>) -> Team {
    let entity = ctx.entity;
    let spec = &entity.spec;
    let parent = spec_text(ctx, spec, &["parent"], warnings).and_then(|text| {
        let team = resolve(ctx, &text, "group", warnings)
            .and_then(|r| TeamName::in_namespace(&r.name, &r.namespace).ok());
        if team.is_none() {
            ctx.warn(
                warnings,
                format!("parent `{text}` is not a group; left out"),
            );
        }
        team
    });
    Team {
        name,
        display_name: spec_text(ctx, spec, &["profile", "displayName"], warnings)
            .or_else(|| clean(entity.metadata.title.as_deref())),
        description: clean(entity.metadata.description.as_deref()),
        email: spec_text(ctx, spec, &["profile", "email"], warnings),
        parent,
        members: Vec::new(),
        source: EntitySource::Backstage {
            entity_ref: ctx.reference.clone(),
        },
    }
}

/// Fills the imported teams' members from both directions: a Group's
/// `spec.members` and each User's `spec.memberOf`.
fn add_members(
    teams: &mut [(Ctx<'_>, Team)],
    users: &BTreeMap<String, ImportedUser<'_>>,
    warnings: &mut Vec<Warning>,
) {
    let index: HashMap<String, usize> = teams
        .iter()
        .enumerate()
        .map(|(i, (ctx, _))| (ctx.reference.to_ascii_lowercase(), i))
        .collect();
    // Per team: login → the member and the user reference it came from.
    let mut members: Vec<BTreeMap<String, (String, TeamMember)>> =
        vec![BTreeMap::new(); teams.len()];
    let mut add = |team: usize,
                   user_ref: &str,
                   member: TeamMember,
                   ctx: &Ctx<'_>,
                   warnings: &mut Vec<Warning>| {
        let team_name = teams[team].1.name.to_string();
        match members[team].get(&member.user) {
            Some((first_ref, _)) if first_ref != user_ref => ctx.warn(
                warnings,
                format!(
                    "{first_ref} and {user_ref} both have login `{}`: one membership of {team_name}",
                    member.user
                ),
            ),
            Some(_) => {}
            None => {
                members[team].insert(member.user.clone(), (user_ref.to_owned(), member));
            }
        }
    };
    for (team, (ctx, _)) in teams.iter().enumerate() {
        for text in spec_list(ctx, &ctx.entity.spec, "members", warnings) {
            let Some(user_ref) = resolve(ctx, &text, "user", warnings) else {
                continue;
            };
            let key = user_ref.to_string().to_ascii_lowercase();
            match users.get(&key) {
                Some(user) => add(
                    team,
                    &user.ctx.reference,
                    user.member.clone(),
                    ctx,
                    warnings,
                ),
                None => {
                    ctx.warn(
                        warnings,
                        format!(
                            "member {user_ref} has no User entity in this import; added by name"
                        ),
                    );
                    let member = TeamMember {
                        user: user_ref.name.clone(),
                        display_name: None,
                        email: None,
                        source: EntitySource::Backstage {
                            entity_ref: user_ref.to_string(),
                        },
                    };
                    if is_login(&member.user) {
                        add(team, &user_ref.to_string(), member, ctx, warnings);
                    }
                }
            }
        }
    }
    for user in users.values() {
        let ctx = &user.ctx;
        for text in spec_list(ctx, &ctx.entity.spec, "memberOf", warnings) {
            let Some(group_ref) = resolve(ctx, &text, "group", warnings) else {
                continue;
            };
            match index.get(&group_ref.to_string().to_ascii_lowercase()) {
                Some(&team) => add(team, &ctx.reference, user.member.clone(), ctx, warnings),
                None => ctx.warn(
                    warnings,
                    format!("memberOf {group_ref}: that Group is not in this import; membership not recorded"),
                ),
            }
        }
    }
    for ((_, team), members) in teams.iter_mut().zip(members) {
        team.members = members.into_values().map(|(_, member)| member).collect();
    }
}

fn map_system(
    ctx: &Ctx<'_>,
    name: ServiceName,
    known_teams: &HashSet<TeamName>,
    warnings: &mut Vec<Warning>,
) -> System {
    let entity = ctx.entity;
    let spec = &entity.spec;
    System {
        name,
        title: clean(entity.metadata.title.as_deref()),
        description: clean(entity.metadata.description.as_deref()),
        owner: owner(ctx, known_teams, warnings),
        domain: spec_text(ctx, spec, &["domain"], warnings)
            .and_then(|text| rampart_name(ctx, &text, "domain", warnings)),
        source: EntitySource::Backstage {
            entity_ref: ctx.reference.clone(),
        },
    }
}

fn map_component(
    ctx: &Ctx<'_>,
    name: ServiceName,
    known_teams: &HashSet<TeamName>,
    warnings: &mut Vec<Warning>,
) -> Service {
    let entity = ctx.entity;
    let spec = &entity.spec;
    let annotations = &entity.metadata.annotations;
    let tier = annotation(annotations, "rampart.dev/tier").and_then(|text| {
        let tier = text.parse::<i64>().ok().and_then(|t| Tier::new(t).ok());
        if tier.is_none() {
            ctx.warn(
                warnings,
                format!("annotation rampart.dev/tier `{text}` is not 1 to 4; ignored"),
            );
        }
        tier
    });
    let data_classification =
        annotation(annotations, "rampart.dev/data-classification").and_then(|text| {
            match DataClassification::parse(&text) {
                Ok(classification) => Some(classification),
                Err(err) => {
                    ctx.warn(
                        warnings,
                        format!("annotation rampart.dev/data-classification: {err}; ignored"),
                    );
                    None
                }
            }
        });
    let on_call = annotation(annotations, "rampart.dev/on-call")
        .or_else(|| {
            annotation(annotations, "pagerduty.com/service-id").map(|id| format!("pagerduty:{id}"))
        })
        .or_else(|| {
            annotation(annotations, "opsgenie.com/team").map(|team| format!("opsgenie:{team}"))
        });
    let repository_url = annotation(annotations, "backstage.io/source-location")
        .map(|location| {
            location
                .strip_prefix("url:")
                .map_or(location.clone(), str::to_owned)
        })
        .or_else(|| {
            annotation(annotations, "github.com/project-slug")
                .map(|slug| format!("https://github.com/{slug}"))
        })
        .or_else(|| {
            annotation(annotations, "gitlab.com/project-slug")
                .map(|slug| format!("https://gitlab.com/{slug}"))
        });
    Service {
        name,
        title: clean(entity.metadata.title.as_deref()),
        description: clean(entity.metadata.description.as_deref()),
        owner: owner(ctx, known_teams, warnings),
        tier,
        data_classification,
        repository_url,
        on_call,
        security_champion: annotation(annotations, "rampart.dev/security-champion"),
        lifecycle: spec_text(ctx, spec, &["lifecycle"], warnings).map(|l| l.to_lowercase()),
        system: spec_text(ctx, spec, &["system"], warnings)
            .and_then(|text| rampart_name(ctx, &text, "system", warnings)),
        component_type: spec_text(ctx, spec, &["type"], warnings),
        source: EntitySource::Backstage {
            entity_ref: ctx.reference.clone(),
        },
    }
}

/// `spec.owner` as a known team, else `None` and a warning.
fn owner(
    ctx: &Ctx<'_>,
    known_teams: &HashSet<TeamName>,
    warnings: &mut Vec<Warning>,
) -> Option<TeamName> {
    let text = spec_text(ctx, &ctx.entity.spec, &["owner"], warnings)?;
    let reference = resolve(ctx, &text, "group", warnings)?;
    if reference.kind != "group" {
        ctx.warn(
            warnings,
            format!(
                "owner {reference} is not a Group; Rampart's owners are teams, so it is unowned"
            ),
        );
        return None;
    }
    match TeamName::in_namespace(&reference.name, &reference.namespace) {
        Ok(team) if known_teams.contains(&team) => Some(team),
        _ => {
            ctx.warn(
                warnings,
                format!(
                    "owner {reference} is not a known team; it is unowned until its Group entity is imported"
                ),
            );
            None
        }
    }
}

/// A reference of the expected kind as a Rampart name (`name@namespace`
/// outside `default`).
fn rampart_name(
    ctx: &Ctx<'_>,
    text: &str,
    kind: &str,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let reference = resolve(ctx, text, kind, warnings)?;
    if reference.kind != kind {
        ctx.warn(warnings, format!("{reference} is not a {kind}; left out"));
        return None;
    }
    match ServiceName::in_namespace(&reference.name, &reference.namespace) {
        Ok(name) => Some(name.to_string()),
        Err(err) => {
            ctx.warn(warnings, format!("{reference}: {err}; left out"));
            None
        }
    }
}

fn resolve(
    ctx: &Ctx<'_>,
    text: &str,
    default_kind: &str,
    warnings: &mut Vec<Warning>,
) -> Option<EntityRef> {
    match EntityRef::parse(text, default_kind, &ctx.entity.metadata.namespace) {
        Ok(reference) => Some(reference),
        Err(err) => {
            ctx.warn(warnings, format!("{err}; left out"));
            None
        }
    }
}

/// Trimmed, and `None` when empty.
fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

fn annotation(annotations: &BTreeMap<String, String>, key: &str) -> Option<String> {
    clean(annotations.get(key).map(String::as_str))
}

/// A text field of `spec` at `path`; anything but text is a warning.
fn spec_text(
    ctx: &Ctx<'_>,
    spec: &serde_json::Value,
    path: &[&str],
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let value = path
        .iter()
        .try_fold(spec, |value, key| value.as_object()?.get(*key))?;
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => clean(Some(text)),
        _ => {
            ctx.warn(
                warnings,
                format!("spec.{} is not text; ignored", path.join(".")),
            );
            None
        }
    }
}

/// A list of texts in `spec`; other items are warnings.
fn spec_list(
    ctx: &Ctx<'_>,
    spec: &serde_json::Value,
    key: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<String> {
    match spec.get(key) {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item.as_str().and_then(|t| clean(Some(t))) {
                Some(text) => Some(text),
                None => {
                    ctx.warn(
                        warnings,
                        format!("spec.{key} has an item that is not text; ignored"),
                    );
                    None
                }
            })
            .collect(),
        Some(_) => {
            ctx.warn(warnings, format!("spec.{key} is not a list; ignored"));
            Vec::new()
        }
    }
}

/// The few things [`diff_entries`] needs of a team, system or service.
trait Entry: Clone + PartialEq + Serialize {
    fn name(&self) -> &str;
    fn source(&self) -> &EntitySource;
}

impl Entry for Team {
    fn name(&self) -> &str {
        self.name.as_str()
    }
    fn source(&self) -> &EntitySource {
        &self.source
    }
}

impl Entry for System {
    fn name(&self) -> &str {
        self.name.as_str()
    }
    fn source(&self) -> &EntitySource {
        &self.source
    }
}

impl Entry for Service {
    fn name(&self) -> &str {
        self.name.as_str()
    }
    fn source(&self) -> &EntitySource {
        &self.source
    }
}

/// Matches each imported entry to an existing one (by entity reference,
/// else a manual entry of the same name), merges, and records the
/// outcome.
#[allow(clippy::too_many_arguments)]
fn diff_entries<T: Entry>(
    kind: EntryKind,
    imported: Vec<(Ctx<'_>, T)>,
    existing: &[T],
    merge: impl Fn(&T, T) -> T,
    put: fn(T) -> CatalogChange,
    changes: &mut Vec<CatalogChange>,
    report: &mut ImportReport,
) {
    let by_ref: HashMap<&str, &T> = existing
        .iter()
        .filter_map(|entry| Some((entry.source().entity_ref()?, entry)))
        .collect();
    let by_name: HashMap<&str, &T> = existing.iter().map(|entry| (entry.name(), entry)).collect();
    let mut imported_refs = BTreeSet::new();
    for (ctx, new) in imported {
        imported_refs.insert(ctx.reference.clone());
        let entry_name = EntryName {
            kind,
            name: new.name().to_owned(),
        };
        let (old, linked) = match by_ref.get(ctx.reference.as_str()) {
            Some(old) => (Some(*old), false),
            None => match by_name.get(new.name()) {
                Some(old) if matches!(old.source(), EntitySource::Manual) => (Some(*old), true),
                Some(old) => {
                    let reason = format!(
                        "the {} name `{}` belongs to {}",
                        kind.as_str(),
                        new.name(),
                        old.source().entity_ref().unwrap_or("another entity")
                    );
                    report.skipped.push(skipped(&ctx, reason));
                    continue;
                }
                None => (None, false),
            },
        };
        let Some(old) = old else {
            report.created.push(entry_name);
            changes.push(put(new));
            continue;
        };
        let new = merge(old, new);
        if *old == new {
            report.unchanged.push(entry_name);
            continue;
        }
        let update = EntryUpdate {
            kind,
            name: entry_name.name,
            fields: field_changes(old, &new),
        };
        if linked {
            report.linked.push(update);
        } else {
            report.updated.push(update);
        }
        changes.push(put(new));
    }
    report.not_in_this_import.extend(
        existing
            .iter()
            .filter(|entry| {
                entry
                    .source()
                    .entity_ref()
                    .is_some_and(|r| !imported_refs.contains(r))
            })
            .map(|entry| EntryName {
                kind,
                name: entry.name().to_owned(),
            }),
    );
}

/// Keeps the existing team's manual members; imported ones replace the
/// rest. A manual membership wins over an imported one of the same login.
fn merge_team(old: &Team, mut new: Team) -> Team {
    let manual: Vec<TeamMember> = old
        .members
        .iter()
        .filter(|m| matches!(m.source, EntitySource::Manual))
        .cloned()
        .collect();
    new.members
        .retain(|m| !manual.iter().any(|kept| kept.user == m.user));
    new.members.extend(manual);
    new.members.sort_by(|a, b| a.user.cmp(&b.user));
    // The store may hand members back in another order; same set, no change.
    let mut old_sorted = old.members.clone();
    old_sorted.sort_by(|a, b| a.user.cmp(&b.user));
    if old_sorted == new.members {
        new.members.clone_from(&old.members);
    }
    new
}

/// Annotation-derived fields keep their value when the YAML has none.
fn merge_service(old: &Service, mut new: Service) -> Service {
    if new.tier.is_none() {
        new.tier = old.tier;
    }
    if new.data_classification.is_none() {
        new.data_classification = old.data_classification;
    }
    if new.on_call.is_none() {
        new.on_call.clone_from(&old.on_call);
    }
    if new.security_champion.is_none() {
        new.security_champion.clone_from(&old.security_champion);
    }
    if new.repository_url.is_none() {
        new.repository_url.clone_from(&old.repository_url);
    }
    new
}

/// Top-level fields whose serialized value differs.
fn field_changes<T: Serialize>(old: &T, new: &T) -> Vec<FieldChange> {
    let object = |value: &T| match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (object(old), object(new));
    let mut fields: Vec<&String> = new.keys().collect();
    fields.extend(old.keys().filter(|key| !new.contains_key(*key)));
    fields
        .into_iter()
        .filter_map(|field| {
            let before = old.get(field).cloned().unwrap_or_default();
            let after = new.get(field).cloned().unwrap_or_default();
            (before != after).then(|| FieldChange {
                field: field.clone(),
                old: before,
                new: after,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> EntityRef {
        EntityRef::parse(text, "group", "default").unwrap()
    }

    #[test]
    fn entity_refs_fill_in_defaults_and_fold_kind_and_namespace() {
        assert_eq!(parse("team-a").to_string(), "group:default/team-a");
        assert_eq!(
            parse("backstage/maintainers").to_string(),
            "group:backstage/maintainers"
        );
        assert_eq!(
            parse("Group:Default/Team-A").to_string(),
            "group:default/Team-A"
        );
        assert_eq!(parse("user:guest").to_string(), "user:default/guest");
        assert_eq!(
            EntityRef::parse("guest", "user", "development")
                .unwrap()
                .to_string(),
            "user:development/guest"
        );
        for bad in [
            "",
            ":x",
            "group:",
            "group:/x",
            "ns/",
            "a/b/c",
            "url:https://example.com",
            "two words",
            "ns/kind:name",
            "gr-oup:x",
        ] {
            assert!(
                EntityRef::parse(bad, "group", "default").is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn field_changes_name_only_what_moved() {
        let old = serde_json::json!({"a": 1, "b": "x", "gone": true});
        let new = serde_json::json!({"a": 1, "b": "y", "added": 2});
        let fields: Vec<_> = field_changes(&old, &new)
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["b", "added", "gone"]);
    }
}
