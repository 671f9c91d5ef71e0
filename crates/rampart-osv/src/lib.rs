//! OSV advisories: the schema, each ecosystem's version ordering, CVSS
//! scoring, the on-disk advisory index and the matching of components
//! against advisories.
//!
//! **Architecture invariant:** nothing here knows about command lines,
//! terminals or output formats; the binary wires [`db`] and [`matching`]
//! together and hands findings to `rampart-report`.

pub mod cvss;
pub mod db;
pub mod matching;
pub mod schema;
pub mod version;

pub use db::{Database, DatabaseMeta, DbError, ImportProblem, ImportReport};
pub use matching::{MatchNote, MatchOutcome, match_components, match_components_parallel};
pub use schema::Advisory;
