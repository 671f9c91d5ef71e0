//! The catalog: teams (with their members), systems and services, each
//! with an owner. Names follow Backstage's entity-name syntax so that an
//! imported catalog keeps its names; an entity from a namespace other
//! than `default` is named `name@namespace` (`@` is not a name character
//! in Backstage, so the two can never collide).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a catalog value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A name breaks the entity-name syntax.
    #[error(
        "`{name}` is not a valid {what} name: 1 to 63 letters, digits and single `-`, `_` or `.` between them (optionally `@namespace`)"
    )]
    Name {
        /// Which kind of name.
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// A tier outside 1–4.
    #[error("tier must be 1 (most critical) to 4, not {0}")]
    Tier(i64),
    /// An unknown data classification.
    #[error("`{0}` is not a data classification: public, internal, confidential or restricted")]
    Classification(String),
}

/// Backstage's rule for `metadata.name`: segments of ASCII letters and
/// digits joined by single `-`, `_` or `.`, at most 63 characters.
fn is_backstage_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text.split(['-', '_', '.']).all(|segment| {
            !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// `name` or `name@namespace`, each part a Backstage name.
fn is_entity_name(text: &str) -> bool {
    match text.split_once('@') {
        Some((name, namespace)) => is_backstage_name(name) && is_backstage_name(namespace),
        None => is_backstage_name(text),
    }
}

macro_rules! entity_name {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks `text` against the entity-name syntax.
            pub fn parse(text: &str) -> Result<Self, CatalogError> {
                if is_entity_name(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(CatalogError::Name { what: $what, name: text.to_owned() })
                }
            }

            /// A name in `namespace`: plain in `default`, else `name@namespace`.
            pub fn in_namespace(name: &str, namespace: &str) -> Result<Self, CatalogError> {
                if namespace.eq_ignore_ascii_case("default") {
                    Self::parse(name)
                } else {
                    Self::parse(&format!("{name}@{namespace}"))
                }
            }

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = CatalogError;

            fn try_from(text: String) -> Result<Self, CatalogError> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(name: $name) -> String {
                name.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

entity_name!(
    /// A service's name (a Backstage Component's name).
    ServiceName,
    "service"
);
entity_name!(
    /// A team's name (a Backstage Group's name).
    TeamName,
    "team"
);

/// How critical a service is: 1 (most) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Tier(u8);

impl Tier {
    /// The tier, 1–4.
    pub fn new(tier: i64) -> Result<Self, CatalogError> {
        match u8::try_from(tier) {
            Ok(t @ 1..=4) => Ok(Self(t)),
            _ => Err(CatalogError::Tier(tier)),
        }
    }

    /// 1–4.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Tier {
    type Error = CatalogError;

    fn try_from(tier: i64) -> Result<Self, CatalogError> {
        Self::new(tier)
    }
}

impl From<Tier> for i64 {
    fn from(tier: Tier) -> i64 {
        i64::from(tier.0)
    }
}

/// The most sensitive data a service holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClassification {
    /// Published anyway.
    Public,
    /// Staff only.
    Internal,
    /// Harmful if disclosed (customer data).
    Confidential,
    /// Severe harm if disclosed (credentials, health, payment data).
    Restricted,
}

impl DataClassification {
    /// Every value, least to most sensitive.
    pub const ALL: [Self; 4] = [
        Self::Public,
        Self::Internal,
        Self::Confidential,
        Self::Restricted,
    ];

    /// The serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Confidential => "confidential",
            Self::Restricted => "restricted",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s output, ignoring case.
    pub fn parse(text: &str) -> Result<Self, CatalogError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| CatalogError::Classification(text.to_owned()))
    }
}

impl fmt::Display for DataClassification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a catalog entry came from, so a re-import finds what it made.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum EntitySource {
    /// Created in Rampart (API, CLI, UI).
    Manual,
    /// Imported from a Backstage entity.
    Backstage {
        /// The entity's full reference, `component:default/artist-lookup`.
        entity_ref: String,
    },
}

impl EntitySource {
    /// `manual` or `backstage`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Backstage { .. } => "backstage",
        }
    }

    /// The Backstage reference, if imported.
    pub fn entity_ref(&self) -> Option<&str> {
        match self {
            Self::Manual => None,
            Self::Backstage { entity_ref } => Some(entity_ref),
        }
    }
}

/// A member of a team, by Rampart login name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// Login name: what lets an engineer see their team's findings.
    pub user: String,
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Where the membership came from: a re-import replaces only its own.
    pub source: EntitySource,
}

/// A team: owns services, has members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Unique name.
    pub name: TeamName,
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// What the team does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The team's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The parent team, if any (not necessarily in the catalog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<TeamName>,
    /// Members, by login name, each once.
    #[serde(default)]
    pub members: Vec<TeamMember>,
    /// Where it came from.
    pub source: EntitySource,
}

/// A system: a group of services that together provide a capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    /// Unique name.
    pub name: ServiceName,
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The owning team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TeamName>,
    /// Backstage's domain, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Where it came from.
    pub source: EntitySource,
}

/// A service: something deployed or shipped that has an owner, and whose
/// scans and components the inventory keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Unique name.
    pub name: ServiceName,
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The owning team; `None` is listed as unowned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TeamName>,
    /// How critical, 1–4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// The most sensitive data it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_classification: Option<DataClassification>,
    /// Where its code lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    /// Who is on call (a rota, a pager service, an address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_call: Option<String>,
    /// The security champion's login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_champion: Option<String>,
    /// `experimental`, `production`, `deprecated`, … (lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    /// The system it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Backstage's component type: `service`, `website`, `library`, ….
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component_type: Option<String>,
    /// Where it came from.
    pub source: EntitySource,
}

/// The whole catalog, as the store holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Teams, sorted by name.
    pub teams: Vec<Team>,
    /// Systems, sorted by name.
    pub systems: Vec<System>,
    /// Services, sorted by name.
    pub services: Vec<Service>,
}

impl Catalog {
    /// The team named `name`.
    pub fn team(&self, name: &TeamName) -> Option<&Team> {
        self.teams.iter().find(|team| &team.name == name)
    }

    /// The system named `name`.
    pub fn system(&self, name: &ServiceName) -> Option<&System> {
        self.systems.iter().find(|system| &system.name == name)
    }

    /// The service named `name`.
    pub fn service(&self, name: &ServiceName) -> Option<&Service> {
        self.services.iter().find(|service| &service.name == name)
    }

    /// The teams `user` is a member of.
    pub fn teams_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Team> + 'a {
        self.teams
            .iter()
            .filter(move |team| team.members.iter().any(|m| m.user == user))
    }
}

/// One change to the catalog. A `Put` inserts the entry or replaces the
/// one with the same name, whole (a team's member list included), so a
/// change carries the complete new state and applying it twice is the
/// same as once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum CatalogChange {
    /// Insert or replace a team.
    PutTeam(Team),
    /// Insert or replace a system.
    PutSystem(System),
    /// Insert or replace a service.
    PutService(Service),
}

impl CatalogChange {
    /// `team`, `system` or `service`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PutTeam(_) => "team",
            Self::PutSystem(_) => "system",
            Self::PutService(_) => "service",
        }
    }

    /// The name of what changes.
    pub fn name(&self) -> &str {
        match self {
            Self::PutTeam(team) => team.name.as_str(),
            Self::PutSystem(system) => system.name.as_str(),
            Self::PutService(service) => service.name.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_backstage_syntax() {
        for good in [
            "artist-lookup",
            "team-a",
            "a",
            "svc.v2_internal",
            "guest@development",
        ] {
            assert!(ServiceName::parse(good).is_ok(), "{good}");
        }
        let long = "a".repeat(64);
        for bad in [
            "",
            "-lead",
            "trail-",
            "two--dashes",
            "spaces here",
            "ünïcode",
            "a@",
            "@b",
            long.as_str(),
        ] {
            assert!(ServiceName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            TeamName::in_namespace("maintainers", "backstage")
                .unwrap()
                .as_str(),
            "maintainers@backstage"
        );
        assert_eq!(
            TeamName::in_namespace("team-a", "Default")
                .unwrap()
                .as_str(),
            "team-a"
        );
    }

    #[test]
    fn names_tiers_and_classifications_round_trip_and_refuse_junk() {
        let service: Service = serde_json::from_value(serde_json::json!({
            "name": "artist-lookup", "tier": 2, "data_classification": "confidential",
            "owner": "team-a", "source": {"source": "manual"}
        }))
        .unwrap();
        assert_eq!(service.tier.unwrap().get(), 2);
        let back = serde_json::to_value(&service).unwrap();
        assert_eq!(back["tier"], 2);
        assert_eq!(back["data_classification"], "confidential");
        for (field, value) in [
            ("tier", serde_json::json!(5)),
            ("name", serde_json::json!("no spaces")),
        ] {
            let mut json = back.clone();
            json[field] = value;
            assert!(serde_json::from_value::<Service>(json).is_err(), "{field}");
        }
        assert_eq!(
            DataClassification::parse("Restricted").unwrap(),
            DataClassification::Restricted
        );
        assert!(DataClassification::parse("secret").is_err());
    }

    #[test]
    fn teams_of_a_user_are_found_by_login_name() {
        let member = |user: &str| TeamMember {
            user: user.to_owned(),
            display_name: None,
            email: None,
            source: EntitySource::Manual,
        };
        let team = |name: &str, members: Vec<TeamMember>| Team {
            name: TeamName::parse(name).unwrap(),
            display_name: None,
            description: None,
            email: None,
            parent: None,
            members,
            source: EntitySource::Manual,
        };
        let catalog = Catalog {
            teams: vec![
                team("payments", vec![member("ana")]),
                team("search", vec![member("bo"), member("ana")]),
            ],
            ..Catalog::default()
        };
        let names: Vec<_> = catalog.teams_of("ana").map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["payments", "search"]);
        assert_eq!(catalog.teams_of("cy").count(), 0);
    }
}
