//! The shared vocabulary of Rampart.
//!
//! Every other crate speaks in these types: an [`Ecosystem`], a [`Component`]
//! found in a lockfile, a [`Finding`] about it, its [`Severity`].
//!
//! **Architecture invariant:** this crate does no I/O, has no async code and
//! knows nothing of any file format. It must stay cheap to depend on.

mod component;
mod ecosystem;
mod finding;
mod purl;
mod severity;

pub use component::{Component, ComponentVersion, DependencyScope, Location, PackageSource};
pub use ecosystem::{Ecosystem, EcosystemParseError, normalize_package_name};
pub use finding::{CommitInfo, Confidence, Finding, FindingKind, Fingerprint, SecretLocation};
pub use purl::{ParsedPurl, Purl, PurlError};
pub use severity::{Severity, SeverityParseError};
