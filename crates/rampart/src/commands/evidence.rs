//! `rampart evidence …`: upload, register, list, show, download and export
//! evidence through the server's API.
//!
//! A downloaded file is written under a temporary name beside its target and
//! renamed into place only once its SHA-256 equals the digest the server
//! took on intake, so a wrong file is never left where a person or a script
//! would take it for the evidence.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rampart_api::{CustodyReport, EvidenceUploadQuery, EvidenceView, ExportRequest};
use rampart_client::Client;
use rampart_incident::{
    EvidenceItem, EvidenceStorage, ExternalEvidenceInput, IncidentId, NonEmptyText, Sha256Hex,
};

use crate::cli::{
    DownloadArgs, EvidenceArgs, EvidenceCommand, ExportArgs, RegisterArgs, UploadArgs,
};
use crate::commands::incident::{connect, emit};

/// Longest file-name part taken from an item's name, in bytes.
const MAX_NAME_BYTES: usize = 120;

pub fn run(args: EvidenceArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let client = connect(options)?;
    match args.command {
        EvidenceCommand::Upload(upload) => {
            let id = upload.id;
            let (uploaded, file) = upload_file(&client, upload)?;
            let view = &uploaded.created.evidence;
            if !uploaded.verified() {
                anyhow::bail!(
                    "evidence #{} was stored, but the server's digest {} ({} bytes) is not that of \
                     the {} bytes read from {}: {}; the bytes changed on the way, upload again and \
                     tell the incident's commander",
                    view.id,
                    view.item.sha256,
                    view.item
                        .size
                        .map_or("?".to_owned(), |size| size.to_string()),
                    uploaded.sent_bytes,
                    file.display(),
                    uploaded.sent_sha256
                );
            }
            emit(options, &uploaded.created, |created| {
                let item = &created.evidence.item;
                println!(
                    "uploaded {} as evidence #{} of {id}",
                    item.name, created.evidence.id
                );
                println!(
                    "sha256 {}  (equals the digest computed here while sending)",
                    item.sha256
                );
                println!("size   {} bytes", uploaded.sent_bytes);
                if !created.newly_stored {
                    println!("(these bytes were already in the evidence store; stored once)");
                }
            })
        }
        EvidenceCommand::Register(register) => {
            let id = register.id;
            let input = external_input(register)?;
            let created = client.register_evidence(id, &input)?;
            emit(options, &created, |created| {
                println!(
                    "registered {} as evidence #{} of {id}, kept at {}",
                    input.name, created.evidence.id, input.location
                );
                println!("sha256 {}", created.evidence.item.sha256);
            })
        }
        EvidenceCommand::List { id } => {
            let list = client.evidence_list(id)?;
            emit(options, &list, |list| {
                if list.items.is_empty() {
                    println!("no evidence recorded for {id}");
                    return;
                }
                println!(
                    "{:<5}  {:<32}  {:>12}  {:<64}  KEPT",
                    "#", "NAME", "BYTES", "SHA-256"
                );
                for view in &list.items {
                    println!(
                        "{:<5}  {:<32}  {:>12}  {:<64}  {}",
                        view.id,
                        view.item.name.as_str(),
                        view.item
                            .size
                            .map_or_else(|| "-".to_owned(), |size| size.to_string()),
                        view.item.sha256.as_str(),
                        kept(&view.item)
                    );
                }
            })
        }
        EvidenceCommand::Show { id, item } => {
            let view = client.evidence(id, item)?;
            emit(options, &view, print_view)
        }
        EvidenceCommand::Download(download) => download_one(&client, download),
        EvidenceCommand::Export(export) => export_all(&client, export),
    }
}

fn upload_file(
    client: &Client,
    upload: UploadArgs,
) -> anyhow::Result<(rampart_client::Uploaded, PathBuf)> {
    let mut file = File::open(&upload.file)
        .with_context(|| format!("cannot open {}", upload.file.display()))?;
    let length = file
        .metadata()
        .with_context(|| format!("cannot read {}", upload.file.display()))?
        .len();
    if !file.metadata()?.is_file() {
        anyhow::bail!("{} is not a regular file", upload.file.display());
    }
    let name = match upload.name {
        Some(name) => name,
        None => upload
            .file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .context("the file has no name: give one with --name")?,
    };
    let metadata = EvidenceUploadQuery {
        name,
        description: upload.description,
        source: upload.source,
        collected_at: upload.collected_at,
        collected_by: upload.collected_by,
    };
    let uploaded =
        client.upload_evidence(upload.id, &metadata, &upload.media_type, &mut file, length)?;
    Ok((uploaded, upload.file))
}

fn external_input(register: RegisterArgs) -> anyhow::Result<ExternalEvidenceInput> {
    let text = |field: &'static str, value: String| {
        NonEmptyText::parse(field, &value).map_err(|error| anyhow::anyhow!("--{field}: {error}"))
    };
    let optional =
        |field: &'static str, value: Option<String>| value.map(|v| text(field, v)).transpose();
    Ok(ExternalEvidenceInput {
        name: text("name", register.name)?,
        description: optional("description", register.description)?,
        location: text("location", register.location)?,
        sha256: register
            .sha256
            .parse::<Sha256Hex>()
            .map_err(|error| anyhow::anyhow!("--sha256: {error}"))?,
        size: register.size,
        source: optional("source", register.source)?,
        collected_at: register.collected_at,
        collected_by: optional("collected-by", register.collected_by)?,
    })
}

fn download_one(client: &Client, args: DownloadArgs) -> anyhow::Result<ExitCode> {
    let reason = args.reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        anyhow::bail!(
            "--reason is required: every download is recorded in the item's chain of custody \
             with who, when and why (e.g. --reason \"malware analysis in the sandbox\")"
        );
    }
    let view = client.evidence(args.id, args.item)?;
    if let EvidenceStorage::External { location } = &view.item.storage {
        anyhow::bail!(
            "evidence #{} is kept outside Rampart ({location}); there are no bytes to download",
            view.id
        );
    }
    let expected = &view.item.sha256;
    if args.out.as_deref() == Some(Path::new("-")) {
        // Standard output cannot be taken back: the client still verifies
        // the bytes against the server's digest, and a failure exits 2.
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        let downloaded = client.download_evidence(args.id, args.item, reason, &mut out)?;
        if &downloaded.sha256 != expected {
            anyhow::bail!(
                "the bytes written to standard output have SHA-256 {}, but evidence #{} was \
                 recorded on intake as {expected}: do not use them",
                downloaded.sha256,
                view.id
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let target = args
        .out
        .unwrap_or_else(|| PathBuf::from(safe_file_name(view.item.name.as_str())));
    let downloaded = download_verified(client, args.id, &view, reason, &target)?;
    eprintln!(
        "wrote {} ({} bytes), sha256 {} matches the digest taken on intake",
        target.display(),
        downloaded.size,
        downloaded.sha256
    );
    Ok(ExitCode::SUCCESS)
}

/// Downloads `view`'s bytes to a temporary file beside `target` and renames
/// it into place only when it hashes to the item's recorded digest.
fn download_verified(
    client: &Client,
    id: IncidentId,
    view: &EvidenceView,
    reason: &str,
    target: &Path,
) -> anyhow::Result<rampart_client::Downloaded> {
    if target.exists() {
        anyhow::bail!(
            "{} exists; evidence is never written over an existing file",
            target.display()
        );
    }
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".rampart-download-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let mut out = BufWriter::new(temp.as_file());
    let downloaded = client
        .download_evidence(id, view.id, reason, &mut out)
        .with_context(|| format!("downloading evidence #{} to {}", view.id, target.display()))?;
    out.flush()?;
    drop(out);
    if downloaded.sha256 != view.item.sha256 {
        // The temporary file is removed when `temp` drops.
        anyhow::bail!(
            "{}: the downloaded bytes have SHA-256 {}, but evidence #{} was recorded on intake \
             as {}; nothing was written",
            target.display(),
            downloaded.sha256,
            view.id,
            view.item.sha256
        );
    }
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot sync {}", target.display()))?;
    temp.persist_noclobber(target)
        .map_err(|error| error.error)
        .with_context(|| format!("cannot move the download to {}", target.display()))?;
    Ok(downloaded)
}

fn export_all(client: &Client, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let reason = args.reason.trim();
    if reason.is_empty() {
        anyhow::bail!("--reason must not be empty: it is recorded for every item");
    }
    let dir = &args.out;
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                anyhow::bail!(
                    "{} is not empty; export into a new or empty folder so nothing else is \
                     mistaken for evidence",
                    dir.display()
                );
            }
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", dir.display()));
        }
    }
    let report = client.export_evidence(
        args.id,
        &ExportRequest {
            reason: reason.to_owned(),
        },
    )?;
    let files = dir.join("files");
    fs::create_dir(&files).with_context(|| format!("cannot create {}", files.display()))?;
    let download_reason = format!("export: {reason}");
    let mut sums = Vec::new();
    let mut total = 0u64;
    for view in report.items.iter().filter(|view| view.item.is_stored()) {
        let relative = export_file_name(view);
        let target = files.join(&relative);
        let downloaded = download_verified(client, args.id, view, &download_reason, &target)
            .with_context(|| {
                format!(
                    "the export in {} is incomplete: only files already listed there were verified",
                    dir.display()
                )
            })?;
        total += downloaded.size;
        sums.push((format!("files/{relative}"), downloaded.sha256));
    }
    sums.sort();
    let mut sums_text = String::new();
    for (path, sha256) in &sums {
        // `sha256sum -c` format: digest, two spaces (text mode), path.
        sums_text.push_str(&format!("{sha256}  {path}\n"));
    }
    fs::write(dir.join("SHA256SUMS"), sums_text)
        .with_context(|| format!("cannot write {}", dir.join("SHA256SUMS").display()))?;
    fs::write(
        dir.join("custody.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )
    .with_context(|| format!("cannot write {}", dir.join("custody.json").display()))?;
    fs::write(dir.join("custody.md"), custody_markdown(&report))
        .with_context(|| format!("cannot write {}", dir.join("custody.md").display()))?;
    let outside = report.items.len() - sums.len();
    println!(
        "exported {} file{} ({total} bytes) of {} to {}",
        sums.len(),
        if sums.len() == 1 { "" } else { "s" },
        report.incident,
        dir.display()
    );
    if outside > 0 {
        println!(
            "{outside} item{} kept outside Rampart {} listed in custody.md with location and \
             recorded digest",
            if outside == 1 { "" } else { "s" },
            if outside == 1 { "is" } else { "are" }
        );
    }
    println!("custody report: custody.md, custody.json; digests: SHA256SUMS");
    println!(
        "verify with: cd {} && sha256sum -c SHA256SUMS",
        shell_quote(&dir.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}

/// `files/<id>-<name>`: the id keeps names unique, the name keeps them
/// recognisable.
fn export_file_name(view: &EvidenceView) -> String {
    format!("{}-{}", view.id, safe_file_name(view.item.name.as_str()))
}

/// An item's name as a single, harmless file name: no path separators, no
/// leading dots (hidden files, `..`), no control characters (which would
/// also break the `sha256sum` line format), at most [`MAX_NAME_BYTES`].
pub(crate) fn safe_file_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = replaced.trim_start_matches('.').trim();
    let mut out = String::new();
    for c in trimmed.chars() {
        if out.len() + c.len_utf8() > MAX_NAME_BYTES {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        "evidence".to_owned()
    } else {
        out
    }
}

fn shell_quote(text: &str) -> String {
    if text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+".contains(&b))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn kept(item: &EvidenceItem) -> String {
    match &item.storage {
        EvidenceStorage::Stored { media_type } => format!("in Rampart ({media_type})"),
        EvidenceStorage::External { location } => format!("outside: {location}"),
    }
}

fn print_view(view: &EvidenceView) {
    let item = &view.item;
    println!("evidence #{}  {}", view.id, item.name);
    println!("sha256       {}", item.sha256);
    println!(
        "size         {}",
        item.size
            .map_or_else(|| "unknown".to_owned(), |size| format!("{size} bytes"))
    );
    println!("kept         {}", kept(item));
    if let Some(description) = &item.description {
        println!("description  {description}");
    }
    if let Some(source) = &item.source {
        println!("source       {source}");
    }
    if let Some(at) = item.collected_at {
        println!("collected at {}", at.strftime("%Y-%m-%d %H:%M:%S UTC"));
    }
    if let Some(by) = &item.collected_by {
        println!("collected by {by}");
    }
    println!(
        "taken in by  {} at {}",
        view.created_by,
        view.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    );
    println!();
    println!(
        "{:>4}  {:<20}  {:<17}  {:<16}  REASON / DETAIL",
        "#", "WHEN (UTC)", "ACTION", "WHO"
    );
    for event in &view.custody {
        let note = match (&event.reason, &event.detail) {
            (Some(reason), Some(detail)) => format!("{reason} ({detail})"),
            (Some(reason), None) => reason.clone(),
            (None, Some(detail)) => detail.clone(),
            (None, None) => String::new(),
        };
        println!(
            "{:>4}  {:<20}  {:<17}  {:<16}  {}",
            event.seq,
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.action.as_str(),
            event.actor.as_str(),
            note
        );
    }
}

/// The custody report for people: what was exported, each item's digest
/// and where it is kept, and every access to it.
fn custody_markdown(report: &CustodyReport) -> String {
    let mut md = String::new();
    md.push_str(&format!(
        "# Evidence custody report: {} ({})\n\n",
        report.incident, report.codename
    ));
    md.push_str(&format!(
        "Exported by {} at {}.  \nReason: {}\n\n",
        report.exported_by,
        report.exported_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        cell(&report.reason)
    ));
    md.push_str(
        "Every file under `files/` is listed in `SHA256SUMS` with the SHA-256 Rampart computed \
         when it was taken in. Check them with any standard tool, in this folder:\n\n\
         ```\nsha256sum -c SHA256SUMS\n```\n\n\
         Items kept outside Rampart are not in `files/`; check them where they are kept against \
         the digest recorded below. `custody.json` holds this report as data.\n",
    );
    for view in &report.items {
        let item = &view.item;
        md.push_str(&format!(
            "\n## #{} {}\n\n",
            view.id,
            cell(item.name.as_str())
        ));
        md.push_str(&format!("- SHA-256: `{}`\n", item.sha256));
        md.push_str(&format!(
            "- Size: {}\n",
            item.size
                .map_or_else(|| "unknown".to_owned(), |size| format!("{size} bytes"))
        ));
        match &item.storage {
            EvidenceStorage::Stored { media_type } => md.push_str(&format!(
                "- Kept: in Rampart's evidence store ({}); exported as `files/{}`\n",
                cell(media_type),
                export_file_name(view)
            )),
            EvidenceStorage::External { location } => md.push_str(&format!(
                "- Kept: outside Rampart, at {}; not part of this export\n",
                cell(location.as_str())
            )),
        }
        if let Some(description) = &item.description {
            md.push_str(&format!("- Description: {}\n", cell(description.as_str())));
        }
        if let Some(source) = &item.source {
            md.push_str(&format!("- Collected from: {}\n", cell(source.as_str())));
        }
        if let Some(at) = item.collected_at {
            md.push_str(&format!(
                "- Collected at: {}\n",
                at.strftime("%Y-%m-%d %H:%M:%S UTC")
            ));
        }
        if let Some(by) = &item.collected_by {
            md.push_str(&format!("- Collected by: {}\n", cell(by.as_str())));
        }
        md.push_str(&format!(
            "- Taken in by {} at {}\n\n",
            view.created_by,
            view.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        ));
        md.push_str("| # | When (UTC) | Action | Who | Reason | Detail |\n");
        md.push_str("|---:|---|---|---|---|---|\n");
        for event in &view.custody {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                event.seq,
                event.at.strftime("%Y-%m-%d %H:%M:%S"),
                event.action.as_str(),
                event.actor.as_str(),
                event.reason.as_deref().map(cell).unwrap_or_default(),
                event.detail.as_deref().map(cell).unwrap_or_default()
            ));
        }
    }
    md
}

/// Text made safe for one Markdown table cell or line: no line breaks, no
/// column separators.
fn cell(text: &str) -> String {
    text.replace(['\r', '\n'], " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_harmless() {
        assert_eq!(safe_file_name("access.log"), "access.log");
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("..."), "evidence");
        assert_eq!(safe_file_name("a\nb\tc\\d"), "a_b_c_d");
        assert_eq!(safe_file_name(""), "evidence");
        let long = "é".repeat(200);
        let cut = safe_file_name(&long);
        assert!(cut.len() <= MAX_NAME_BYTES && cut.chars().all(|c| c == 'é'));
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn shell_quoting_is_minimal_and_safe() {
        assert_eq!(shell_quote("/tmp/out-1"), "/tmp/out-1");
        assert_eq!(shell_quote("my dir"), "'my dir'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
