//! Secret detection engine for Rampart.
//!
//! Rules are data (`rules/*.toml`, embedded in the binary, format in
//! `rules/README.md`). A [`Scanner`] runs one ASCII case-insensitive
//! Aho-Corasick pass over every rule's keywords, runs only the regexes of the
//! rules whose keywords occur, and filters the captured values (entropy,
//! placeholder heuristics, checksum validators, inline `rampart:ignore`).
//!
//! Everything here works on bytes: invalid UTF-8 never fails a scan, and the
//! cost is linear in the input (the `regex` crate guarantees linear-time
//! matching; the engine adds no quadratic loops).

mod engine;
mod filters;
mod findings;
mod git;
mod keywords;
mod known_public;
mod rules;
mod validators;
mod window;

pub use engine::{Rejection, ScanOptions, Scanner, SecretMatch, redact};
pub use filters::{looks_like_placeholder, shannon_entropy};
pub use findings::{
    DEFAULT_LOWER_CONFIDENCE_PATHS, FindingOptions, PathRuleError, PathRules, SecretCollector,
    secret_fingerprint,
};
pub use git::{
    BlobOrigin, BlobReader, GitError, History, HistoryBlob, RevSelection, StagedBlob, staged_blobs,
};
pub use known_public::is_known_public;
pub use rules::{BUILTIN_FILES, Confidence, Rule, RuleError, Ruleset, Severity, Validator};
pub use validators::{github_checksum, validate_github_crc32, validate_jwt};
