//! Extractors: lockfiles and manifests to [`Component`]s, each with the path
//! and line that declares it.
//!
//! Every extractor is a pure function from a file's text to components
//! ([`extract`]), so fuzz targets and tests need no file system. The one
//! format that reads other files (`requirements.txt` with `-r other.txt`)
//! asks for them through [`ExtractInput::read_include`]. [`walk`] finds the
//! files to extract in a directory tree.

mod credentials;
mod error;
mod formats;
pub mod sbom;
mod text;
pub mod walk;

pub use credentials::redact_url_credentials;
pub use error::ExtractError;
pub use formats::LockfileKind;
pub use text::LineIndex;

use rampart_core::Component;

/// What an extractor is given.
pub struct ExtractInput<'a> {
    /// The path reported in locations: relative to the scan root, `/`-separated.
    pub path: &'a str,
    /// The file's text.
    pub text: &'a str,
    /// Reads a file named relative to this one (for `-r`/`-c` includes) and
    /// returns the path to report it under and its text. Returns `None` when
    /// it cannot or must not be read (the caller confines includes to the
    /// scanned tree: a lockfile from an untrusted pull request must not pull
    /// `/etc/passwd` into a report); the extractor then reports an error
    /// naming the include.
    pub read_include: &'a dyn Fn(&str) -> Option<(String, String)>,
}

impl<'a> ExtractInput<'a> {
    /// An input that cannot read other files.
    pub fn standalone(path: &'a str, text: &'a str) -> ExtractInput<'a> {
        ExtractInput {
            path,
            text,
            read_include: &|_| None,
        }
    }
}

/// Extracts the components declared in one file of the given kind.
///
/// Components come back sorted and without exact duplicates; never panics on
/// hostile input.
pub fn extract(
    kind: LockfileKind,
    input: &ExtractInput<'_>,
) -> Result<Vec<Component>, ExtractError> {
    let mut components = formats::extract(kind, input)?;
    components
        .iter_mut()
        .for_each(credentials::redact_component);
    components.sort();
    components.dedup();
    Ok(components)
}
