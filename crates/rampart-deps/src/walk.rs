//! Finding the lockfiles and manifests under a directory.

use std::path::{Path, PathBuf};

use crate::LockfileKind;

/// Directories that hold other people's code or build output. Their
/// lockfiles describe what was vendored, not what this project resolves, and
/// walking them costs most of a scan's time in a JavaScript checkout.
pub const SKIPPED_DIRECTORIES: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "vendor",
    "target",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    "site-packages",
    ".terraform",
];

/// A file the walk found and knows how to extract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredFile {
    pub path: PathBuf,
    /// The path relative to the scan root, `/`-separated.
    pub display_path: String,
    pub kind: LockfileKind,
}

/// A file or directory the walk deliberately left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedPath {
    pub display_path: String,
    pub reason: String,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    pub files: Vec<DiscoveredFile>,
    pub skipped: Vec<SkippedPath>,
    /// Paths the walk could not read (permissions, broken links).
    pub errors: Vec<SkippedPath>,
}

/// How to walk.
#[derive(Debug, Default, Clone)]
pub struct WalkOptions {
    /// Glob patterns (gitignore syntax) of paths to leave out.
    pub excludes: Vec<String>,
    /// Do not honour `.gitignore` and friends.
    pub no_ignore: bool,
}

/// Errors of the walk itself (an exclude pattern that does not parse).
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("invalid exclude pattern {pattern:?}: {source}")]
    BadExclude {
        pattern: String,
        source: ignore::Error,
    },
}

/// A regular file a walk kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedFile {
    pub path: PathBuf,
    /// The path relative to the scan root, `/`-separated.
    pub display_path: String,
}

/// What [`walk_files`] found.
#[derive(Debug, Default)]
pub struct FileWalk {
    pub files: Vec<WalkedFile>,
    pub skipped: Vec<SkippedPath>,
    /// Paths the walk could not read (permissions, broken links).
    pub errors: Vec<SkippedPath>,
}

/// Every regular file under `root` whose name `keep` accepts, honouring
/// `.gitignore` and the excludes and skipping vendored and build
/// directories, sorted by path. Symbolic links are listed as skipped, never
/// followed: following them could read outside the tree, or loop.
pub fn walk_files(
    root: &Path,
    options: &WalkOptions,
    mut keep: impl FnMut(&str) -> bool,
) -> Result<FileWalk, WalkError> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for pattern in &options.excludes {
        overrides
            .add(&format!("!{pattern}"))
            .map_err(|source| WalkError::BadExclude {
                pattern: pattern.clone(),
                source,
            })?;
    }
    let overrides = overrides.build().map_err(|source| WalkError::BadExclude {
        pattern: options.excludes.join(", "),
        source,
    })?;

    let mut outcome = FileWalk::default();
    // filter_entry wants a 'static, thread-safe closure; the walk itself is
    // single-threaded, so the lock is never contended.
    let skipped_dirs = std::sync::Arc::new(std::sync::Mutex::new(Vec::<PathBuf>::new()));
    let skipped_dirs_in_walk = skipped_dirs.clone();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .git_global(false)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore)
        .require_git(false)
        .overrides(overrides)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let skip = is_dir && entry.depth() > 0 && is_skipped_directory(entry.file_name());
            // Version-control folders are never interesting enough to list.
            let is_vcs = matches!(entry.file_name().to_str(), Some(".git" | ".hg" | ".svn"));
            if skip
                && !is_vcs
                && let Ok(mut dirs) = skipped_dirs_in_walk.lock()
            {
                dirs.push(entry.path().to_path_buf());
            }
            !skip
        })
        .build();

    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                outcome.errors.push(SkippedPath {
                    display_path: err_path(&err)
                        .map(|p| display_path(root, Path::new(&p)))
                        .unwrap_or_default(),
                    reason: err.to_string(),
                });
                continue;
            }
        };
        if entry.file_type().is_some_and(|t| t.is_dir()) {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if !keep(&name) {
            continue;
        }
        if entry.path_is_symlink() {
            outcome.skipped.push(SkippedPath {
                display_path: display_path(root, entry.path()),
                reason: "symbolic link; not followed".into(),
            });
            continue;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        outcome.files.push(WalkedFile {
            display_path: display_path(root, entry.path()),
            path: entry.into_path(),
        });
    }

    let dirs = skipped_dirs.lock().map(|d| d.clone()).unwrap_or_default();
    outcome.skipped.extend(dirs.iter().map(|dir| SkippedPath {
        display_path: display_path(root, dir),
        reason: "vendored or build directory".into(),
    }));

    Ok(outcome)
}

/// Finds every supported lockfile under `root`, honouring `.gitignore` and
/// skipping vendored and build directories. Results are sorted by path.
pub fn find_lockfiles(root: &Path, options: &WalkOptions) -> Result<WalkOutcome, WalkError> {
    let walk = walk_files(root, options, |name| LockfileKind::detect(name).is_some())?;
    let mut outcome = WalkOutcome {
        files: Vec::with_capacity(walk.files.len()),
        skipped: walk.skipped,
        errors: walk.errors,
    };
    for file in walk.files {
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(kind) = LockfileKind::detect(&name) {
            outcome.files.push(DiscoveredFile {
                path: file.path,
                display_path: file.display_path,
                kind,
            });
        }
    }

    // go.sum lists every version the module graph ever considered, not the
    // ones the build selects; next to a go.mod it would report versions that
    // are not used.
    let go_mod_dirs: Vec<PathBuf> = outcome
        .files
        .iter()
        .filter(|f| f.kind == LockfileKind::GoMod)
        .filter_map(|f| f.path.parent().map(Path::to_path_buf))
        .collect();
    outcome.files.retain(|f| {
        let shadowed = f.kind == LockfileKind::GoSum
            && f.path
                .parent()
                .is_some_and(|dir| go_mod_dirs.iter().any(|d| d == dir));
        if shadowed {
            outcome.skipped.push(SkippedPath {
                display_path: f.display_path.clone(),
                reason: "go.mod in the same directory gives the selected versions".into(),
            });
        }
        !shadowed
    });
    Ok(outcome)
}

fn is_skipped_directory(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| SKIPPED_DIRECTORIES.contains(&n))
}

fn err_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => None,
    }
}

/// `path` relative to `root`, `/`-separated; the file name alone when the
/// root is the file itself.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel,
        _ => path.file_name().map(Path::new).unwrap_or(path),
    };
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_skips_vendored_and_ignored_and_shadowed_go_sum() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        write("Cargo.lock");
        write("web/package-lock.json");
        write("web/node_modules/dep/package-lock.json");
        write("ignored/yarn.lock");
        write("svc/go.mod");
        write("svc/go.sum");
        write("lonely/go.sum");
        write("excluded/poetry.lock");
        std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();

        let options = WalkOptions {
            excludes: vec!["excluded/".into()],
            no_ignore: false,
        };
        let outcome = find_lockfiles(root, &options).unwrap();
        let found: Vec<&str> = outcome
            .files
            .iter()
            .map(|f| f.display_path.as_str())
            .collect();
        assert_eq!(
            found,
            [
                "Cargo.lock",
                "lonely/go.sum",
                "svc/go.mod",
                "web/package-lock.json"
            ]
        );
        let skipped: Vec<(&str, &str)> = outcome
            .skipped
            .iter()
            .map(|s| (s.display_path.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("web/node_modules", "vendored or build directory"),
                (
                    "svc/go.sum",
                    "go.mod in the same directory gives the selected versions"
                ),
            ]
        );
    }
}
