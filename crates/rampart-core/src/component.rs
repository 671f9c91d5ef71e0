use std::fmt;

use crate::{Ecosystem, Purl};

/// Where something was found: a path relative to the scan root (always `/`
/// separated, so output does not depend on the platform) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Location {
        Location {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// The version of a component as its manifest states it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentVersion {
    /// One exact version, as resolved by a lockfile or pinned in a manifest.
    Exact(String),
    /// A manifest entry that names a range or nothing (`requests>=2`,
    /// `requests`). Such a component is never matched against advisories:
    /// guessing a version would give false positives and false negatives.
    Unresolved { requirement: String },
}

impl ComponentVersion {
    pub fn exact(&self) -> Option<&str> {
        match self {
            ComponentVersion::Exact(v) => Some(v),
            ComponentVersion::Unresolved { .. } => None,
        }
    }
}

/// Where a package's code comes from, when the lockfile says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum PackageSource {
    /// The ecosystem's registry (or the lockfile does not say otherwise).
    #[default]
    Registry,
    /// A git repository at a commit; advisories for the registry package may
    /// not apply to a fork.
    Git { url: String, commit: Option<String> },
    /// A local path (workspace member, path dependency).
    Path(String),
    /// A tarball or other direct URL.
    Url(String),
}

impl PackageSource {
    pub fn commit(&self) -> Option<&str> {
        match self {
            PackageSource::Git { commit, .. } => commit.as_deref(),
            _ => None,
        }
    }
}

/// What a dependency is used for, derived from the format's own groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyScope {
    Runtime,
    Development,
    Optional,
}

/// One package found in a lockfile, manifest, SBOM or image.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Component {
    pub ecosystem: Ecosystem,
    /// The name in the ecosystem's canonical spelling: PEP 503 for PyPI,
    /// `group:artifact` for Maven, `@scope/name` for npm, module path for Go.
    pub name: String,
    pub version: ComponentVersion,
    /// The format's dependency groups, sorted and without duplicates: `dev`,
    /// `optional`, `peer`, `bundled`, or a name the format defines (a uv
    /// dependency group, a requirements file's stem).
    pub groups: Vec<String>,
    pub source: PackageSource,
    /// Where the package is declared.
    pub location: Location,
}

impl Component {
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: ComponentVersion,
        location: Location,
    ) -> Component {
        Component {
            ecosystem,
            name: name.into(),
            version,
            groups: Vec::new(),
            source: PackageSource::Registry,
            location,
        }
    }

    /// Adds a group, keeping the list sorted and unique.
    pub fn add_group(&mut self, group: impl Into<String>) {
        let group = group.into();
        if let Err(at) = self.groups.binary_search(&group) {
            self.groups.insert(at, group);
        }
    }

    pub fn scope(&self) -> DependencyScope {
        if self.groups.iter().any(|g| g == "dev" || g == "test") {
            DependencyScope::Development
        } else if self.groups.iter().any(|g| g == "optional") {
            DependencyScope::Optional
        } else {
            DependencyScope::Runtime
        }
    }

    pub fn purl(&self) -> Option<Purl> {
        Purl::for_package(&self.ecosystem, &self.name, self.version.exact())
    }
}
