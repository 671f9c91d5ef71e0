//! Test support: locates the shared real-world fixtures.
//!
//! The fixtures come from other projects and are not part of this
//! repository. Tests find them through `RAMPART_FIXTURES` (default: the
//! `shared/fixtures` folder beside the checkout). Under `CI=true` a missing
//! folder fails the test; elsewhere the test says loudly that it skipped.

use std::path::PathBuf;

/// The fixtures folder, or `None` (after a loud message) when it is missing
/// outside CI.
///
/// # Panics
/// When the folder is missing and `CI=true`.
pub fn dir() -> Option<PathBuf> {
    let root = match std::env::var_os("RAMPART_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    };
    if root.is_dir() {
        return Some(root);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "fixtures folder {} is missing (set RAMPART_FIXTURES); CI=true forbids skipping",
            root.display()
        );
    }
    eprintln!(
        "\n*** SKIPPED: fixtures folder {} not found; set RAMPART_FIXTURES to run this test ***\n",
        root.display()
    );
    None
}

/// A sub-folder of the fixtures, with the same skip/fail rules.
///
/// # Panics
/// When the fixtures exist but the sub-folder does not: that is a broken
/// checkout, not an environment without fixtures.
pub fn sub(path: &str) -> Option<PathBuf> {
    let dir = dir()?.join(path);
    assert!(dir.exists(), "fixture {} is missing", dir.display());
    Some(dir)
}
