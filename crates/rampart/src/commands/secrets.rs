//! The secret half of `rampart scan`: which content to read (working tree,
//! staged blobs or git history), reading it in parallel, and turning the
//! matches into findings.
//!
//! Detection itself lives in `rampart-secrets`; this module only feeds it
//! bytes. Every file or blob is read, checked for binary content and size,
//! and scanned on a rayon thread; each thread collects into its own
//! [`SecretCollector`] and the collectors are merged at the end, so there is
//! no lock on the hot path.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use rampart_core::{CommitInfo, Finding};
use rampart_deps::walk::{WalkOptions, display_path, walk_files};
use rampart_report::{Policy, SecretScanSummary, SecretSource, SkippedFile};
use rampart_secrets::{
    FindingOptions, History, PathRules, RevSelection, Ruleset, ScanOptions, Scanner,
    SecretCollector, staged_blobs,
};
use rayon::prelude::*;

use crate::cli::ScanArgs;

/// Files larger than this are skipped unless configured otherwise: secrets
/// live in source and configuration, and a 100 MB file is a dump or an
/// artefact whose scan would dominate the run.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Git's own heuristic: a NUL byte in the first 8000 bytes means binary.
const BINARY_SNIFF_BYTES: usize = 8000;

/// The scanner and options of one run, from flags and `rampart.toml`.
pub struct SecretScan {
    scanner: Scanner,
    finding_options: FindingOptions,
    max_file_bytes: u64,
}

/// What a secret scan produced.
pub struct SecretOutcome {
    pub findings: Vec<Finding>,
    pub summary: SecretScanSummary,
    /// Files that could not be read: they make the exit code 2.
    pub errors: Vec<SkippedFile>,
    /// Files deliberately left out (symbolic links, vendored directories).
    pub skipped: Vec<SkippedFile>,
}

impl SecretScan {
    /// Builds the scanner: built-in rules minus the disabled ones, with the
    /// generic rules when asked for, and the path rules.
    pub fn new(args: &ScanArgs, policy: &Policy) -> anyhow::Result<SecretScan> {
        let config = &policy.secrets;
        let mut rules = Ruleset::builtin().context("the built-in secret rules do not load")?;
        for id in &config.disable_rules {
            if rules.get(id).is_none() {
                anyhow::bail!(
                    "{}{}: [secrets] disable_rules: there is no rule {id:?} (rule ids are the `id` of each finding)",
                    policy.path,
                    config.line.map(|l| format!(":{l}")).unwrap_or_default()
                );
            }
        }
        if !config.disable_rules.is_empty() {
            rules.retain(|rule| !config.disable_rules.contains(&rule.id));
        }
        let include_low_confidence =
            args.low_confidence || config.low_confidence_rules.unwrap_or(false);
        let scanner = Scanner::new(
            &rules,
            ScanOptions {
                include_low_confidence,
            },
        );
        let path_rules = PathRules::new(config.builtin_path_rules, &config.lower_confidence_paths)
            .with_context(|| {
                format!(
                    "{}: [secrets] lower_confidence_paths",
                    if policy.path.is_empty() {
                        "rampart.toml"
                    } else {
                        &policy.path
                    }
                )
            })?;
        Ok(SecretScan {
            scanner,
            finding_options: FindingOptions {
                show_secrets: args.show_secrets,
                path_rules,
            },
            max_file_bytes: args
                .max_file_size
                .or(config.max_file_bytes)
                .unwrap_or(DEFAULT_MAX_FILE_BYTES),
        })
    }

    fn summary(&self, source: SecretSource) -> SecretScanSummary {
        SecretScanSummary {
            source,
            rules: self.scanner.rules().len(),
            max_file_bytes: self.max_file_bytes,
            ..SecretScanSummary::default()
        }
    }

    /// Scans the files under `root` (or `root` itself when it is a file).
    pub fn scan_tree(
        &self,
        root: &Path,
        walk: &WalkOptions,
        root_is_dir: bool,
    ) -> anyhow::Result<SecretOutcome> {
        let mut outcome = SecretOutcome {
            findings: Vec::new(),
            summary: self.summary(SecretSource::WorkingTree),
            errors: Vec::new(),
            skipped: Vec::new(),
        };
        let files: Vec<(std::path::PathBuf, String)> = if root_is_dir {
            let walked = walk_files(root, walk, |_| true)?;
            outcome
                .skipped
                .extend(walked.skipped.into_iter().map(|s| SkippedFile {
                    path: s.display_path,
                    reason: s.reason,
                }));
            outcome
                .errors
                .extend(walked.errors.into_iter().map(|s| SkippedFile {
                    path: s.display_path,
                    reason: s.reason,
                }));
            walked
                .files
                .into_iter()
                .map(|f| (f.path, f.display_path))
                .collect()
        } else {
            vec![(root.to_path_buf(), display_path(root, root))]
        };

        let tally = files
            .par_iter()
            .fold(Tally::default, |mut tally, (path, shown)| {
                thread_local! {
                    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
                }
                BUFFER.with_borrow_mut(|buffer| {
                    match read_limited(path, self.max_file_bytes, buffer) {
                        Ok(ReadOutcome::Content) => self.scan_one(&mut tally, shown, None, buffer),
                        Ok(ReadOutcome::TooLarge) => tally.skipped_large += 1,
                        Err(err) => tally.errors.push(SkippedFile {
                            path: shown.clone(),
                            reason: err.to_string(),
                        }),
                    }
                });
                tally
            })
            .reduce(Tally::default, Tally::merge);
        self.finish(tally, &mut outcome);
        Ok(outcome)
    }

    /// Scans the blobs staged in the git index that differ from `HEAD`.
    pub fn scan_staged(&self, path: &Path) -> anyhow::Result<SecretOutcome> {
        let mut outcome = SecretOutcome {
            findings: Vec::new(),
            summary: self.summary(SecretSource::Staged),
            errors: Vec::new(),
            skipped: Vec::new(),
        };
        let staged = staged_blobs(path)?;
        let tally = staged
            .par_iter()
            .fold(Tally::default, |mut tally, blob| {
                if blob.data.len() as u64 > self.max_file_bytes {
                    tally.skipped_large += 1;
                } else {
                    self.scan_one(&mut tally, &blob.path, None, &blob.data);
                }
                tally
            })
            .reduce(Tally::default, Tally::merge);
        self.finish(tally, &mut outcome);
        Ok(outcome)
    }

    /// Scans every distinct blob of the selected history once.
    pub fn scan_history(
        &self,
        path: &Path,
        selection: &RevSelection,
    ) -> anyhow::Result<SecretOutcome> {
        let mut outcome = SecretOutcome {
            findings: Vec::new(),
            summary: self.summary(SecretSource::History),
            errors: Vec::new(),
            skipped: Vec::new(),
        };
        let history = History::walk(path, selection)?;
        outcome.summary.commits = Some(history.commits());
        let tally = history
            .blobs()
            .par_iter()
            .fold(
                || (Tally::default(), None),
                |(mut tally, reader), blob| {
                    if blob.size > self.max_file_bytes {
                        tally.skipped_large += 1;
                        return (tally, reader);
                    }
                    // One reader per rayon task chain: readers are cheap but
                    // not `Sync`.
                    let reader = reader.unwrap_or_else(|| history.reader());
                    match reader.read(&blob.id) {
                        Ok(data) => {
                            let commit = CommitInfo {
                                id: blob.origin.commit.clone(),
                                author: blob.origin.author.clone(),
                                date: blob.origin.time.to_string(),
                            };
                            self.scan_one(&mut tally, &blob.origin.path, Some(&commit), &data);
                        }
                        Err(err) => tally.errors.push(SkippedFile {
                            path: format!("{} (blob {})", blob.origin.path, blob.id),
                            reason: err.to_string(),
                        }),
                    }
                    (tally, Some(reader))
                },
            )
            .map(|(tally, _)| tally)
            .reduce(Tally::default, Tally::merge);
        self.finish(tally, &mut outcome);
        Ok(outcome)
    }

    fn scan_one(&self, tally: &mut Tally, path: &str, commit: Option<&CommitInfo>, data: &[u8]) {
        if looks_binary(data) {
            tally.skipped_binary += 1;
            return;
        }
        tally.files += 1;
        tally.bytes += data.len() as u64;
        let matches = self.scanner.scan(data);
        if !matches.is_empty() {
            tally.collector.add(&self.scanner, path, commit, matches);
        }
    }

    fn finish(&self, tally: Tally, outcome: &mut SecretOutcome) {
        outcome.summary.files = tally.files;
        outcome.summary.bytes = tally.bytes;
        outcome.summary.skipped_binary = tally.skipped_binary;
        outcome.summary.skipped_large = tally.skipped_large;
        outcome.errors.extend(tally.errors);
        outcome.findings = tally
            .collector
            .into_findings(&self.scanner, &self.finding_options);
    }
}

/// Parses `--since`: `REV` means `REV..HEAD`, `A..B` a range.
pub fn rev_selection(since: Option<&str>) -> anyhow::Result<RevSelection> {
    let Some(since) = since.map(str::trim) else {
        return Ok(RevSelection::All);
    };
    if since.contains("...") {
        anyhow::bail!(
            "--since {since:?}: symmetric differences (A...B) are not supported; use A..B"
        );
    }
    match since.split_once("..") {
        Some((from, to)) if !from.is_empty() && !to.is_empty() => {
            Ok(RevSelection::Range(from.to_string(), to.to_string()))
        }
        Some((from, "")) if !from.is_empty() => Ok(RevSelection::Since(from.to_string())),
        Some(_) => anyhow::bail!("--since {since:?}: expected REV or A..B"),
        None if since.is_empty() => anyhow::bail!("--since: empty revision"),
        None => Ok(RevSelection::Since(since.to_string())),
    }
}

/// Per-thread counters and findings.
#[derive(Default)]
struct Tally {
    collector: SecretCollector,
    files: usize,
    bytes: u64,
    skipped_binary: usize,
    skipped_large: usize,
    errors: Vec<SkippedFile>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.collector.merge(other.collector);
        self.files += other.files;
        self.bytes += other.bytes;
        self.skipped_binary += other.skipped_binary;
        self.skipped_large += other.skipped_large;
        self.errors.extend(other.errors);
        self
    }
}

fn looks_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

/// How [`read_limited`] went.
enum ReadOutcome {
    Content,
    TooLarge,
}

/// Reads a regular file into `buffer` (reused across files) unless it is
/// larger than `limit`. The limit is enforced while reading, as `/proc`
/// files and devices report a size of 0.
fn read_limited(path: &Path, limit: u64, buffer: &mut Vec<u8>) -> std::io::Result<ReadOutcome> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > limit {
        return Ok(ReadOutcome::TooLarge);
    }
    buffer.clear();
    file.take(limit + 1).read_to_end(buffer)?;
    if buffer.len() as u64 > limit {
        return Ok(ReadOutcome::TooLarge);
    }
    Ok(ReadOutcome::Content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_forms() {
        assert_eq!(rev_selection(None).unwrap(), RevSelection::All);
        assert_eq!(
            rev_selection(Some("v1.0")).unwrap(),
            RevSelection::Since("v1.0".into())
        );
        assert_eq!(
            rev_selection(Some("v1.0..")).unwrap(),
            RevSelection::Since("v1.0".into())
        );
        assert_eq!(
            rev_selection(Some("a..b")).unwrap(),
            RevSelection::Range("a".into(), "b".into())
        );
        for bad in ["", "..b", "..", "a...b"] {
            assert!(rev_selection(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn binary_sniffing_looks_at_the_start_only() {
        assert!(looks_binary(b"PK\x03\x04\x00\x00"));
        assert!(!looks_binary(b"plain text\n"));
        let mut late = vec![b'a'; BINARY_SNIFF_BYTES];
        late.push(0);
        assert!(!looks_binary(&late));
    }
}
