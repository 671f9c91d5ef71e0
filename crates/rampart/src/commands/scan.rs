//! `rampart scan`: find lockfiles, extract components, match them against
//! the advisory database, apply the policy, render, pick the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rampart_core::Component;
use rampart_deps::walk::{DiscoveredFile, WalkOptions, display_path, find_lockfiles};
use rampart_deps::{ExtractInput, LockfileKind};
use rampart_report::{
    Baseline, DatabaseSummary, Format, Policy, ScanReport, ScannedFile, SkippedFile,
};

use crate::cli::{ColorChoice, ScanArgs};
use crate::commands::db::{data_age_days, open_for_scan};
use crate::commands::secrets::{SecretScan, rev_selection};
use crate::commands::upload;
use crate::paths;

/// Larger files are not lockfiles anyone wrote; reading them whole would let
/// one stray file dominate a scan's memory.
const MAX_LOCKFILE_BYTES: u64 = 256 * 1024 * 1024;

pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    // A missing token is found before a long scan, not after it.
    let destination = upload::scan_destination(&args)?;
    let Some(Scanned {
        report,
        root_is_dir,
    }) = scan(&args)?
    else {
        return Ok(ExitCode::SUCCESS);
    };

    // A reader that stops early (`| head`) is not an error, but the exit
    // code must still gate the build.
    if let Err(err) = write_report(&args, &report)
        && !crate::is_broken_pipe(&err)
    {
        return Err(err);
    }
    // The table says this itself; machine output must stay byte-identical
    // from day to day, so the warning goes to stderr.
    if args.format != Format::Table
        && let Some(db) = report.database.as_ref().filter(|db| db.is_stale())
    {
        eprintln!(
            "warning: the newest advisory in the database is {} days old; run `rampart db update`",
            db.age_days.unwrap_or_default()
        );
    }
    if let Some(destination) = destination {
        destination.send(&report, root_is_dir, args.since.is_some())?;
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// A finished scan, before it is rendered.
pub(crate) struct Scanned {
    pub report: ScanReport,
    /// The scan covered a directory, not one file.
    pub root_is_dir: bool,
}

/// Runs the scanners `args` select; `None` when the policy turns them all
/// off (after saying so).
pub(crate) fn scan(args: &ScanArgs) -> anyhow::Result<Option<Scanned>> {
    let root = args.path.clone();
    let root_meta =
        std::fs::metadata(&root).with_context(|| format!("cannot scan {}", root.display()))?;
    let policy = load_policy(args, &root, root_meta.is_dir())?;
    let plan = plan_scanners(args, &policy, &root, root_meta.is_dir())?;
    if !plan.deps && !plan.secrets {
        eprintln!(
            "{}: `[scan]` turns every scanner off; nothing to do (pass --deps or --secrets to scan anyway)",
            policy.path
        );
        return Ok(None);
    }
    let threshold = args.fail_on.unwrap_or(policy.fail_on);
    let mut report = ScanReport::new(env!("CARGO_PKG_VERSION"), root.display().to_string());
    report.threshold = threshold;
    report.dependencies_scanned = plan.deps;
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });

    let mut findings = Vec::new();
    if plan.deps {
        findings.extend(scan_dependencies(
            args,
            &policy,
            &root,
            root_meta.is_dir(),
            threads,
            &mut report,
        )?);
    }
    if plan.secrets {
        findings.extend(scan_secrets(
            args,
            &policy,
            &root,
            root_meta.is_dir(),
            threads,
            &mut report,
        )?);
    }

    let today = jiff::ZonedDateTime::now().date();
    let mut outcome = policy.apply(findings, today);
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path)?;
        outcome.apply_baseline(&baseline);
    }
    if let Some(path) = &args.write_baseline {
        let all = outcome
            .active
            .iter()
            .chain(outcome.ignored.iter().map(|i| &i.finding));
        Baseline::from_findings(all).save(path)?;
    }
    report.findings = outcome.active;
    report.ignored = outcome.ignored;
    report.expired_ignores = outcome.expired_ignores;
    report.normalize();
    Ok(Some(Scanned {
        report,
        root_is_dir: root_meta.is_dir(),
    }))
}

/// Which scanners run.
struct ScannerPlan {
    deps: bool,
    secrets: bool,
}

/// `--deps`/`--secrets` pick scanners; without either, every scanner that
/// applies runs unless `[scan]` in rampart.toml turns it off. `--history`
/// and `--staged` read git objects, which only the secret scanner does.
fn plan_scanners(
    args: &ScanArgs,
    policy: &Policy,
    root: &Path,
    root_is_dir: bool,
) -> anyhow::Result<ScannerPlan> {
    let git_mode = args.history || args.staged;
    if git_mode {
        if args.deps {
            anyhow::bail!(
                "--deps cannot be combined with --history or --staged: dependency scanning reads the working tree"
            );
        }
        return Ok(ScannerPlan {
            deps: false,
            secrets: true,
        });
    }
    if args.deps || args.secrets {
        return Ok(ScannerPlan {
            deps: args.deps,
            secrets: args.secrets,
        });
    }
    // A single file that is not a lockfile is only a secret-scanning target.
    let deps_apply = root_is_dir
        || root
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| LockfileKind::detect(n).is_some());
    Ok(ScannerPlan {
        deps: deps_apply && policy.scan.deps != Some(false),
        secrets: policy.scan.secrets != Some(false),
    })
}

/// Extracts components, matches them against the advisory database and
/// records what was read in `report`; returns the vulnerability findings.
fn scan_dependencies(
    args: &ScanArgs,
    policy: &Policy,
    root: &Path,
    root_is_dir: bool,
    threads: usize,
    report: &mut ScanReport,
) -> anyhow::Result<Vec<rampart_core::Finding>> {
    let files = discover_files(args, policy, root, root_is_dir, report)?;

    // Input problems (a path that is not a lockfile) are reported before a
    // missing database, so the first error a user sees is about their input.
    let db = open_for_scan(&paths::advisory_db(&args.db.db)?)?;

    let confine_to = include_root(root, root_is_dir)?;
    for (file, extracted) in files.iter().zip(extract_all(&files, &confine_to, threads)) {
        match extracted {
            Ok(components) => {
                report.scanned_files.push(ScannedFile {
                    path: file.display_path.clone(),
                    kind: file.kind.name().to_string(),
                    components: components.len(),
                });
                report.components.extend(components);
            }
            Err(reason) => report.errors.push(SkippedFile {
                path: file.display_path.clone(),
                reason,
            }),
        }
    }

    let matched = rampart_osv::match_components_parallel(&db, &report.components, threads)?;
    for note in matched.notes {
        let line = note
            .location
            .line
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        report.skipped.push(SkippedFile {
            path: note.location.path,
            reason: format!("{line}{}: {}", note.package, note.message),
        });
    }
    let meta = db.meta();
    report.database = Some(DatabaseSummary {
        advisories: meta.advisories,
        newest_modified: meta.newest_modified.clone(),
        age_days: data_age_days(meta.newest_modified.as_deref()),
        max_age_days: args
            .max_db_age
            .or(policy.database_max_age_days)
            .unwrap_or(rampart_report::DEFAULT_MAX_DATABASE_AGE_DAYS),
    });

    Ok(matched.findings)
}

/// Runs the secret scanner on the working tree, the staged blobs or the
/// history, and records what it covered in `report`.
fn scan_secrets(
    args: &ScanArgs,
    policy: &Policy,
    root: &Path,
    root_is_dir: bool,
    threads: usize,
    report: &mut ScanReport,
) -> anyhow::Result<Vec<rampart_core::Finding>> {
    let scan = SecretScan::new(args, policy)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.clamp(1, 256))
        .build()
        .context("cannot start the scanning threads")?;
    let outcome = pool.install(|| {
        if args.history {
            let selection = rev_selection(args.since.as_deref())?;
            scan.scan_history(root, &selection)
        } else if args.staged {
            scan.scan_staged(root)
        } else {
            let mut excludes = policy.exclude.clone();
            excludes.extend(args.exclude.iter().cloned());
            let walk = WalkOptions {
                excludes,
                no_ignore: args.no_ignore,
            };
            scan.scan_tree(root, &walk, root_is_dir)
        }
    })?;
    report.secrets = Some(outcome.summary);
    report.errors.extend(outcome.errors);
    report.skipped.extend(outcome.skipped);
    Ok(outcome.findings)
}

/// The lockfiles to extract: a walk of a directory, or the one file named.
fn discover_files(
    args: &ScanArgs,
    policy: &Policy,
    root: &Path,
    root_is_dir: bool,
    report: &mut ScanReport,
) -> anyhow::Result<Vec<DiscoveredFile>> {
    Ok(if root_is_dir {
        let mut excludes = policy.exclude.clone();
        excludes.extend(args.exclude.iter().cloned());
        let options = WalkOptions {
            excludes,
            no_ignore: args.no_ignore,
        };
        let outcome = find_lockfiles(root, &options)?;
        report
            .skipped
            .extend(outcome.skipped.into_iter().map(|s| SkippedFile {
                path: s.display_path,
                reason: s.reason,
            }));
        report
            .errors
            .extend(outcome.errors.into_iter().map(|s| SkippedFile {
                path: s.display_path,
                reason: s.reason,
            }));
        outcome.files
    } else {
        let name = root
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let kind = LockfileKind::detect(name).with_context(|| {
            format!(
                "{} is not a lockfile or manifest Rampart reads (supported: {})",
                root.display(),
                LockfileKind::ALL.map(LockfileKind::name).join(", ")
            )
        })?;
        vec![DiscoveredFile {
            path: root.to_path_buf(),
            display_path: display_path(root, root),
            kind,
        }]
    })
}

/// The directory `-r` includes must stay inside: the scanned directory, or
/// the scanned file's directory, with links resolved.
fn include_root(root: &Path, root_is_dir: bool) -> anyhow::Result<PathBuf> {
    let confine_to = if root_is_dir {
        root.to_path_buf()
    } else {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let confine_to = if confine_to.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        confine_to
    };
    let confine_to = confine_to
        .canonicalize()
        .with_context(|| format!("cannot scan {}", root.display()))?;
    Ok(confine_to)
}

/// `--config`, else `rampart.toml` in the scanned directory, else defaults.
fn load_policy(args: &ScanArgs, root: &Path, root_is_dir: bool) -> anyhow::Result<Policy> {
    if let Some(path) = &args.config {
        return Ok(Policy::load(path)?);
    }
    let beside = if root_is_dir {
        root.join("rampart.toml")
    } else {
        PathBuf::new()
    };
    if root_is_dir && beside.is_file() {
        let mut policy = Policy::load(&beside)?;
        // Reported locations are relative to the scanned directory, like
        // every other path in the output.
        policy.path = "rampart.toml".into();
        return Ok(policy);
    }
    Ok(Policy::default())
}

/// Extracts every file on up to `threads` threads; results come back in the
/// order of `files`, so the report does not depend on scheduling.
fn extract_all(
    files: &[DiscoveredFile],
    confine_to: &Path,
    threads: usize,
) -> Vec<Result<Vec<Component>, String>> {
    let threads = threads.clamp(1, 64).min(files.len().max(1));
    if threads == 1 {
        return files.iter().map(|f| extract_file(f, confine_to)).collect();
    }
    // Files differ wildly in size, so threads take the next file as they
    // finish rather than fixed shares.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<Vec<Component>, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        done.push((i, extract_file(file, confine_to)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Reads and extracts one file; the error is the reason shown to the user.
///
/// `-r`/`-c` includes are confined to `confine_to` (the scanned directory,
/// symlinks resolved) and to regular files: a requirements file in an
/// untrusted pull request must not be able to read `/etc/passwd` or block on
/// `/dev/stdin`.
fn extract_file(file: &DiscoveredFile, confine_to: &Path) -> Result<Vec<Component>, String> {
    let text = read_text(&file.path)?;
    let dir = file
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let base = Path::new(&file.display_path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let read_include = move |name: &str| -> Option<(String, String)> {
        let target = dir.join(name).canonicalize().ok()?;
        if !target.starts_with(confine_to) {
            return None;
        }
        let text = read_text(&target).ok()?;
        let shown = normalize_display(&base.join(name));
        Some((shown, text))
    };
    let input = ExtractInput {
        path: &file.display_path,
        text: &text,
        read_include: &read_include,
    };
    rampart_deps::extract(file.kind, &input).map_err(|err| err.reason())
}

/// `a/./b/../c` as `a/c`, `/`-separated, for paths shown in reports.
fn normalize_display(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// Reads a regular file of at most [`MAX_LOCKFILE_BYTES`] as UTF-8. The
/// size is enforced while reading: device and `/proc` files report 0.
fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_LOCKFILE_BYTES) as usize);
    file.take(MAX_LOCKFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_LOCKFILE_BYTES {
        return Err(format!(
            "larger than {} MiB; not read",
            MAX_LOCKFILE_BYTES / (1024 * 1024)
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn write_report(args: &ScanArgs, report: &ScanReport) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            let mut buffer = Vec::new();
            rampart_report::render(args.format, report, &mut buffer, false)?;
            std::fs::write(path, buffer)
                .with_context(|| format!("cannot write {}", path.display()))?;
            if args.format != Format::Table {
                eprintln!("{}", short_summary(report));
            }
        }
        None => {
            let stdout = std::io::stdout();
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    stdout.is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let mut out = std::io::BufWriter::new(stdout.lock());
            rampart_report::render(
                args.format,
                report,
                &mut out,
                color && !args.format.is_machine_readable(),
            )?;
            out.flush()?;
        }
    }
    Ok(())
}

fn short_summary(report: &ScanReport) -> String {
    let mut scope = Vec::new();
    if report.dependencies_scanned {
        scope.push(format!(
            "{} packages from {} files",
            report.components.len(),
            report.scanned_files.len()
        ));
    }
    if let Some(secrets) = &report.secrets {
        scope.push(format!("{} files scanned for secrets", secrets.files));
    }
    let counts = report.severity_counts();
    let breakdown = if counts.total() == 0 {
        String::new()
    } else {
        format!(" ({})", counts.describe())
    };
    format!(
        "{} findings{breakdown} in {}",
        report.findings.len(),
        scope.join("; ")
    )
}
