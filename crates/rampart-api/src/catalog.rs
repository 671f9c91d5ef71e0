//! The service catalog: teams, systems and services, and the Backstage
//! import.

use rampart_inventory::{
    DataClassification, EntitySource, Service, ServiceName, System, Team, TeamMember, TeamName,
    Tier,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::double_option;

/// Where an entry came from: `manual`, or `backstage` with its entity ref.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SourceView {
    /// `manual` or `backstage`.
    pub kind: String,
    /// The Backstage entity ref (`component:default/artist-lookup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_ref: Option<String>,
}

impl From<&EntitySource> for SourceView {
    fn from(source: &EntitySource) -> Self {
        Self {
            kind: source.kind().to_owned(),
            entity_ref: source.entity_ref().map(str::to_owned),
        }
    }
}

/// A service as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceView {
    /// Unique name.
    #[schema(value_type = String)]
    pub name: ServiceName,
    /// Name for people.
    pub title: Option<String>,
    /// What it does.
    pub description: Option<String>,
    /// The owning team (`null`: unowned).
    #[schema(value_type = Option<String>)]
    pub owner: Option<TeamName>,
    /// 1 (most critical) to 4.
    #[schema(value_type = Option<u8>)]
    pub tier: Option<Tier>,
    /// public, internal, confidential or restricted.
    #[schema(value_type = Option<String>)]
    pub data_classification: Option<DataClassification>,
    /// Where the code lives.
    pub repository_url: Option<String>,
    /// Who is on call.
    pub on_call: Option<String>,
    /// The security champion's login name.
    pub security_champion: Option<String>,
    /// experimental, production, deprecated, ….
    pub lifecycle: Option<String>,
    /// The system it belongs to.
    pub system: Option<String>,
    /// Backstage's component type (service, website, library, …).
    pub component_type: Option<String>,
    /// Where the entry came from.
    pub source: SourceView,
}

impl From<&Service> for ServiceView {
    fn from(s: &Service) -> Self {
        Self {
            name: s.name.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            owner: s.owner.clone(),
            tier: s.tier,
            data_classification: s.data_classification,
            repository_url: s.repository_url.clone(),
            on_call: s.on_call.clone(),
            security_champion: s.security_champion.clone(),
            lifecycle: s.lifecycle.clone(),
            system: s.system.clone(),
            component_type: s.component_type.clone(),
            source: (&s.source).into(),
        }
    }
}

/// `GET /api/v1/services`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceList {
    /// Sorted by name.
    pub services: Vec<ServiceView>,
}

/// `GET /api/v1/services` query: `?team=NAME` or `?unowned=true`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ServiceQuery {
    /// Only the services this team owns.
    #[serde(default)]
    pub team: Option<String>,
    /// Only services without an owner.
    #[serde(default)]
    pub unowned: Option<bool>,
}

/// A team member as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TeamMemberView {
    /// Login name.
    pub user: String,
    /// Name for people.
    pub display_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// `manual` or `backstage`.
    pub source: String,
}

impl From<&TeamMember> for TeamMemberView {
    fn from(m: &TeamMember) -> Self {
        Self {
            user: m.user.clone(),
            display_name: m.display_name.clone(),
            email: m.email.clone(),
            source: m.source.kind().to_owned(),
        }
    }
}

/// A team as the API shows it, with its members and the services it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TeamView {
    /// Unique name.
    #[schema(value_type = String)]
    pub name: TeamName,
    /// Name for people.
    pub display_name: Option<String>,
    /// What the team does.
    pub description: Option<String>,
    /// The team's address.
    pub email: Option<String>,
    /// The parent team.
    #[schema(value_type = Option<String>)]
    pub parent: Option<TeamName>,
    /// Members, sorted by login name.
    pub members: Vec<TeamMemberView>,
    /// The services the team owns, sorted.
    #[schema(value_type = Vec<String>)]
    pub services: Vec<ServiceName>,
    /// Where the entry came from.
    pub source: SourceView,
}

impl TeamView {
    /// `team` and the names of the services it owns.
    pub fn new(team: &Team, services: Vec<ServiceName>) -> Self {
        Self {
            name: team.name.clone(),
            display_name: team.display_name.clone(),
            description: team.description.clone(),
            email: team.email.clone(),
            parent: team.parent.clone(),
            members: team.members.iter().map(Into::into).collect(),
            services,
            source: (&team.source).into(),
        }
    }
}

/// `GET /api/v1/teams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TeamList {
    /// Sorted by name.
    pub teams: Vec<TeamView>,
}

/// A system as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SystemView {
    /// Unique name.
    #[schema(value_type = String)]
    pub name: ServiceName,
    /// Name for people.
    pub title: Option<String>,
    /// What it is.
    pub description: Option<String>,
    /// The owning team.
    #[schema(value_type = Option<String>)]
    pub owner: Option<TeamName>,
    /// Backstage's domain.
    pub domain: Option<String>,
    /// Where the entry came from.
    pub source: SourceView,
}

impl From<&System> for SystemView {
    fn from(s: &System) -> Self {
        Self {
            name: s.name.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            owner: s.owner.clone(),
            domain: s.domain.clone(),
            source: (&s.source).into(),
        }
    }
}

/// `GET /api/v1/systems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SystemList {
    /// Sorted by name.
    pub systems: Vec<SystemView>,
}

/// `POST /api/v1/services`: a new service. Only `name` is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceRequest {
    /// Unique name (letters, digits, single `-`, `_` or `.` between them).
    pub name: String,
    /// Name for people.
    #[serde(default)]
    pub title: Option<String>,
    /// What it does.
    #[serde(default)]
    pub description: Option<String>,
    /// The owning team (must exist).
    #[serde(default)]
    pub owner: Option<String>,
    /// 1–4.
    #[serde(default)]
    pub tier: Option<i64>,
    /// public, internal, confidential or restricted.
    #[serde(default)]
    pub data_classification: Option<String>,
    /// Where the code lives.
    #[serde(default)]
    pub repository_url: Option<String>,
    /// Who is on call.
    #[serde(default)]
    pub on_call: Option<String>,
    /// The security champion's login name.
    #[serde(default)]
    pub security_champion: Option<String>,
    /// experimental, production, deprecated, ….
    #[serde(default)]
    pub lifecycle: Option<String>,
    /// The system it belongs to.
    #[serde(default)]
    pub system: Option<String>,
}

/// `PATCH /api/v1/services/{name}`: the fields to change; `null` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceRequest {
    /// Name for people.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// What it does.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// The owning team (admins and security only).
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub owner: Option<Option<String>>,
    /// 1–4.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub tier: Option<Option<i64>>,
    /// public, internal, confidential or restricted.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub data_classification: Option<Option<String>>,
    /// Where the code lives.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub repository_url: Option<Option<String>>,
    /// Who is on call.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub on_call: Option<Option<String>>,
    /// The security champion's login name.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub security_champion: Option<Option<String>>,
    /// experimental, production, deprecated, ….
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub lifecycle: Option<Option<String>>,
    /// The system it belongs to.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub system: Option<Option<String>>,
}

/// `POST /api/v1/teams`: a new team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeamRequest {
    /// Unique name.
    pub name: String,
    /// Name for people.
    #[serde(default)]
    pub display_name: Option<String>,
    /// What the team does.
    #[serde(default)]
    pub description: Option<String>,
    /// The team's address.
    #[serde(default)]
    pub email: Option<String>,
    /// The parent team.
    #[serde(default)]
    pub parent: Option<String>,
    /// Members, by login name.
    #[serde(default)]
    pub members: Vec<String>,
}

/// `PATCH /api/v1/teams/{name}`: fields to change (`null` clears);
/// `members` replaces the members added in Rampart (imported ones stay
/// until the next import).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeamRequest {
    /// Name for people.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// What the team does.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// The team's address.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// The parent team.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    /// The members added in Rampart, by login name (replaces them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
}

/// One file of a Backstage catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// The file's name, for messages (`catalog-info.yaml`).
    pub name: String,
    /// Its YAML (several documents allowed).
    pub content: String,
}

/// `POST /api/v1/catalog/import`: Backstage catalog files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogImportRequest {
    /// The files, in order.
    pub files: Vec<CatalogFile>,
    /// Report what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// The answer to an import: what was (or would be) created, updated,
/// linked, left unchanged or skipped, and the warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CatalogImportResponse {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// How many catalog entries changed (0 for a repeated import).
    pub changed: usize,
    /// The import report.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}
