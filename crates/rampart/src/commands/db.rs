//! `rampart db import|status|update`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use rampart_osv::{Database, DbError, ImportReport};

use crate::cli::{DbLocation, ImportArgs, StatusArgs, UpdateArgs};
use crate::paths;

/// Imports advisories. Malformed records are listed and make the exit code
/// 2, but every valid record is still imported: one bad file in a download
/// must not hold back thousands of good ones.
pub fn import(location: &DbLocation, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let db_path = paths::advisory_db(&location.db)?;
    let started = std::time::Instant::now();
    let report = rampart_osv::db::import(&db_path, &args.paths)?;
    print_import_report(&report, &db_path, started.elapsed())?;
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_INPUT_ERROR)
    })
}

fn print_import_report(
    report: &ImportReport,
    db_path: &std::path::Path,
    elapsed: Duration,
) -> anyhow::Result<()> {
    let mut err = std::io::stderr().lock();
    if let Some(reason) = &report.discarded_index {
        writeln!(
            err,
            "warning: the existing index could not be read ({reason}); it was rebuilt from the records imported now"
        )?;
    }
    for problem in &report.problems {
        writeln!(
            err,
            "warning: skipped {}: {}",
            problem.source, problem.reason
        )?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Imported {} records from {} files in {:.2}s: {} new, {} updated, {} unchanged{}{}.",
        report.records_read,
        report.files_read,
        elapsed.as_secs_f64(),
        report.added,
        report.updated,
        report.unchanged,
        if report.withdrawn > 0 {
            format!(", {} withdrawn", report.withdrawn)
        } else {
            String::new()
        },
        if report.problems.is_empty() {
            String::new()
        } else {
            format!(", {} malformed (listed above)", report.problems.len())
        },
    )?;
    writeln!(
        out,
        "{} now holds {} active advisories ({} withdrawn).",
        db_path.display(),
        report.meta.advisories,
        report.meta.withdrawn
    )?;
    Ok(())
}

/// Prints counts per ecosystem, newest `modified` and age.
pub fn status(location: &DbLocation, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let db_path = paths::advisory_db(&location.db)?;
    let db = Database::open(&db_path)?;
    let meta = db.meta();
    let age_days = data_age_days(meta.newest_modified.as_deref());
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "path": db_path.display().to_string(),
            "advisories": meta.advisories,
            "withdrawn": meta.withdrawn,
            "ecosystems": meta.ecosystems,
            "newest_modified": meta.newest_modified,
            "imported_at": meta.imported_at,
            "age_days": age_days,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "database:        {}", db_path.display())?;
    writeln!(
        out,
        "advisories:      {} active, {} withdrawn",
        meta.advisories, meta.withdrawn
    )?;
    match (&meta.newest_modified, age_days) {
        (Some(newest), Some(days)) => writeln!(out, "newest modified: {newest} ({days} days ago)")?,
        _ => writeln!(out, "newest modified: none")?,
    }
    writeln!(out, "last import:     {}", meta.imported_at)?;
    writeln!(out, "ecosystems:")?;
    let width = meta.ecosystems.keys().map(String::len).max().unwrap_or(0);
    for (ecosystem, count) in &meta.ecosystems {
        writeln!(out, "  {ecosystem:<width$}  {count:>8}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Days since the newest advisory was modified: how stale the data is,
/// whatever the date of the import.
pub fn data_age_days(newest_modified: Option<&str>) -> Option<i64> {
    let newest: jiff::Timestamp = newest_modified?.parse().ok()?;
    let seconds = jiff::Timestamp::now().as_second() - newest.as_second();
    Some(seconds.max(0) / 86_400)
}

/// Downloads `<mirror>/<ecosystem>/all.zip` for each ecosystem into a
/// temporary directory and imports them in one go.
pub fn update(location: &DbLocation, args: UpdateArgs) -> anyhow::Result<ExitCode> {
    let db_path = paths::advisory_db(&location.db)?;
    // A fresh private directory: a predictable name in /tmp could be
    // pre-created by another local user.
    let download_dir = tempfile::Builder::new()
        .prefix("rampart-download-")
        .tempdir()
        .context("cannot create a temporary download directory")?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(args.timeout)))
        .timeout_global(Some(Duration::from_secs(args.timeout.saturating_mul(40))))
        .build()
        .into();
    let mut archives = Vec::new();
    for ecosystem in &args.ecosystems {
        let url = format!(
            "{}/{}/all.zip",
            args.mirror.trim_end_matches('/'),
            url_segment(ecosystem)
        );
        eprintln!("downloading {url}");
        let archive = download_dir
            .path()
            .join(format!("{}.zip", url_segment(ecosystem)));
        download(&agent, &url, &archive).with_context(|| {
            format!(
                "cannot download the {ecosystem} advisories from {url}; without network access, fetch the \
                 archive elsewhere and run `rampart db import FILE.zip`"
            )
        })?;
        archives.push(archive);
    }
    let started = std::time::Instant::now();
    let report = rampart_osv::db::import(&db_path, &archives)?;
    print_import_report(&report, &db_path, started.elapsed())?;
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_INPUT_ERROR)
    })
}

fn download(agent: &ureq::Agent, url: &str, to: &std::path::Path) -> anyhow::Result<()> {
    let response = agent.get(url).call()?;
    let mut reader = response.into_body().into_reader();
    let mut file =
        std::fs::File::create(to).with_context(|| format!("cannot create {}", to.display()))?;
    std::io::copy(&mut reader, &mut file)?;
    Ok(())
}

/// Ecosystem names contain spaces ("Red Hat"); the bucket's paths encode them.
fn url_segment(ecosystem: &str) -> String {
    ecosystem.replace(' ', "%20")
}

/// A missing database is a usage error with advice, not a crash.
pub fn open_for_scan(path: &std::path::Path) -> anyhow::Result<Database> {
    match Database::open(path) {
        Ok(db) => Ok(db),
        Err(err @ DbError::Missing { .. }) => bail!("{err}"),
        Err(err) => Err(err.into()),
    }
}
