//! OSV advisories: the schema, each ecosystem's version ordering, CVSS
//! scoring, the on-disk advisory index and the matching of components
//! against advisories.

pub mod cvss;
pub mod version;
