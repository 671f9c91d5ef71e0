//! Reading OSV records from files, directories and zip archives, and
//! merging them into the index.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rampart_core::Ecosystem;

use super::format::{self, RecordToWrite};
use super::{Database, DatabaseMeta, DbError, advisory_keys};
use crate::schema::Advisory;

/// A record or file that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// The file, or `archive.zip!entry.json` for a zip entry.
    pub source: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportReport {
    pub files_read: usize,
    pub records_read: usize,
    /// New ids.
    pub added: usize,
    /// Ids already present whose incoming record has a newer `modified`.
    pub updated: usize,
    /// Ids already present whose incoming record is not newer.
    pub unchanged: usize,
    /// Withdrawn records among those added or updated.
    pub withdrawn: usize,
    pub problems: Vec<ImportProblem>,
    /// Why an existing index could not be read and was rebuilt from the
    /// imported records alone.
    pub discarded_index: Option<String>,
    /// What the database holds afterwards.
    pub meta: DatabaseMeta,
}

/// No single advisory is anywhere near this large; the cap keeps a hostile
/// archive (a zip bomb) from exhausting memory.
const MAX_RECORD_BYTES: u64 = 32 * 1024 * 1024;

/// Reads every OSV record in `sources` (files, directories searched
/// recursively, zip archives) and hands each valid one to `accept` as soon
/// as it is parsed, so a 200,000-record import never holds them all.
/// Malformed records are reported, not skipped silently; I/O errors on a
/// named source are problems too. Returns the problems and the number of
/// files read.
pub fn read_sources(
    sources: &[PathBuf],
    accept: &mut dyn FnMut(Advisory),
) -> (Vec<ImportProblem>, usize) {
    let mut reader = SourceReader {
        accept,
        problems: Vec::new(),
        files_read: 0,
    };
    for source in sources {
        reader.read_path(source, true);
    }
    (reader.problems, reader.files_read)
}

struct SourceReader<'a> {
    accept: &'a mut dyn FnMut(Advisory),
    problems: Vec<ImportProblem>,
    files_read: usize,
}

impl SourceReader<'_> {
    fn problem(&mut self, source: impl Into<String>, reason: impl Into<String>) {
        self.problems.push(ImportProblem {
            source: source.into(),
            reason: reason.into(),
        });
    }

    fn read_path(&mut self, path: &Path, named_by_user: bool) {
        let display = path.display().to_string();
        // Paths the user named are followed; links met inside a directory
        // are not when they lead to directories, so a link back to a parent
        // cannot make the walk loop (or grow exponentially with two links).
        let meta = if named_by_user {
            std::fs::metadata(path)
        } else {
            std::fs::symlink_metadata(path)
        };
        let meta = match meta {
            Ok(meta) => meta,
            Err(err) => return self.problem(display, err.to_string()),
        };
        if meta.is_symlink() {
            match std::fs::metadata(path) {
                Ok(target) if target.is_file() => {}
                Ok(_) => {
                    return self.problem(display, "symbolic link to a directory; not followed");
                }
                Err(err) => return self.problem(display, err.to_string()),
            }
        }
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(err) => return self.problem(display, err.to_string()),
            };
            entries.sort();
            for entry in entries {
                self.read_path(&entry, false);
            }
            return;
        }
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match extension.to_ascii_lowercase().as_str() {
            "zip" => self.read_zip(path),
            "json" => match std::fs::read(path) {
                Ok(bytes) => {
                    self.files_read += 1;
                    self.parse_records(&display, &bytes);
                }
                Err(err) => self.problem(display, err.to_string()),
            },
            // Directories hold READMEs and the like; only a file the user
            // named explicitly is worth a complaint.
            _ if named_by_user => self.problem(
                display,
                "not an OSV source (expected a .json file, a .zip archive or a directory)",
            ),
            _ => {}
        }
    }

    fn read_zip(&mut self, path: &Path) {
        let display = path.display().to_string();
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(err) => return self.problem(display, err.to_string()),
        };
        let mut archive = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
            Ok(archive) => archive,
            Err(err) => return self.problem(display, format!("not a readable zip archive: {err}")),
        };
        self.files_read += 1;
        // One inflater and two buffers for the whole archive. Letting the zip
        // reader set up a decoder per entry costs ~40 KiB of short-lived
        // allocations per record, interleaved with the records we keep; over
        // 200,000 records that fragmented the heap to several GiB.
        let mut inflater = flate2::Decompress::new(false);
        let mut compressed = Vec::new();
        let mut inflated = Vec::new();
        for index in 0..archive.len() {
            let mut entry = match archive.by_index_raw(index) {
                Ok(entry) => entry,
                Err(err) => {
                    self.problem(format!("{display}!#{index}"), err.to_string());
                    continue;
                }
            };
            let name = match entry.name() {
                Ok(name) => name.into_owned(),
                Err(err) => {
                    self.problem(
                        format!("{display}!#{index}"),
                        format!("bad entry name: {err}"),
                    );
                    continue;
                }
            };
            if entry.is_dir() || !name.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            let source = format!("{display}!{name}");
            let method = entry.compression();
            compressed.clear();
            if let Err(err) = (&mut entry)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut compressed)
            {
                self.problem(source, format!("cannot read: {err}"));
                continue;
            }
            drop(entry);
            let bytes: &[u8] = match method {
                zip::CompressionMethod::Stored => &compressed,
                zip::CompressionMethod::Deflated => {
                    match inflate(&mut inflater, &compressed, &mut inflated) {
                        Ok(()) => &inflated,
                        Err(reason) => {
                            self.problem(source, reason);
                            continue;
                        }
                    }
                }
                other => {
                    self.problem(source, format!("unsupported zip compression {other}"));
                    continue;
                }
            };
            if bytes.len() as u64 > MAX_RECORD_BYTES {
                self.problem(source, format!("larger than {MAX_RECORD_BYTES} bytes"));
                continue;
            }
            let bytes = bytes.to_vec();
            self.parse_records(&source, &bytes);
        }
    }

    /// A file holds one record, or an array of records (as some exporters
    /// write them).
    fn parse_records(&mut self, source: &str, bytes: &[u8]) {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            let values: Vec<serde_json::Value> = match serde_json::from_slice(bytes) {
                Ok(values) => values,
                Err(err) => {
                    return self.problem(
                        source,
                        format!("invalid JSON at line {}: {err}", err.line()),
                    );
                }
            };
            for (i, value) in values.into_iter().enumerate() {
                let bytes = serde_json::to_vec(&value).unwrap_or_default();
                match Advisory::from_json(&bytes) {
                    Ok(advisory) => (self.accept)(advisory),
                    Err(err) => self.problem(format!("{source}[{i}]"), err.to_string()),
                }
            }
            return;
        }
        match Advisory::from_json(bytes) {
            Ok(advisory) => (self.accept)(advisory),
            Err(err) => self.problem(source, err.to_string()),
        }
    }
}

/// A record held during a merge, already in its stored form: keeping the
/// parsed `Advisory` of every record would cost several times the memory.
struct Held {
    modified: jiff::Timestamp,
    withdrawn: bool,
    keys: Vec<Vec<u8>>,
    ecosystems: Vec<String>,
    json: Vec<u8>,
}

/// Details beyond this are cut when stored: a title falls back to their
/// first line, and a record whose details run to megabytes (real ones stay
/// far below) would otherwise let a small zip fill memory and disk.
const MAX_STORED_DETAILS_BYTES: usize = 64 * 1024;

impl Held {
    fn new(mut advisory: Advisory) -> Result<Held, serde_json::Error> {
        if let Some(details) = &mut advisory.details
            && details.len() > MAX_STORED_DETAILS_BYTES
        {
            let mut cut = MAX_STORED_DETAILS_BYTES;
            while !details.is_char_boundary(cut) {
                cut -= 1;
            }
            details.truncate(cut);
            details.push_str("\n\n[truncated by rampart]");
        }
        let advisory = &advisory;
        let mut ecosystems: Vec<String> = advisory
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter_map(|p| Ecosystem::split_osv(&p.ecosystem).ok())
            .map(|(e, _)| e.osv_name().to_string())
            .collect();
        ecosystems.sort();
        ecosystems.dedup();
        Ok(Held {
            modified: advisory.modified_timestamp().unwrap_or_default(),
            withdrawn: advisory.is_withdrawn(),
            keys: advisory_keys(advisory),
            ecosystems,
            json: serde_json::to_vec(advisory)?,
        })
    }
}

/// Imports `sources` into the database at `db_path` (created if missing):
/// upsert by id, a strictly newer `modified` wins, withdrawn records are
/// kept but never matched. The file is replaced atomically.
pub fn import(db_path: &Path, sources: &[PathBuf]) -> Result<ImportReport, DbError> {
    let write_error = |e: serde_json::Error| DbError::Write {
        path: db_path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    let mut held: HashMap<String, Held> = HashMap::new();
    let mut report = ImportReport::default();
    match read_existing(db_path, &mut held) {
        Ok(()) | Err(DbError::Missing { .. }) => {}
        // An index this build cannot read (older format, corruption) is
        // rebuilt from what is being imported: refusing would leave the
        // user deleting files by hand, which the error told them to avoid.
        Err(err @ (DbError::Format { .. } | DbError::Record { .. })) => {
            held.clear();
            report.discarded_index = Some(err.to_string());
        }
        Err(err) => return Err(err),
    }

    let mut serialise_error = None;
    let mut accept = |advisory: Advisory| {
        report.records_read += 1;
        let modified = advisory.modified_timestamp().unwrap_or_default();
        match held.get(&advisory.id) {
            Some(existing) if existing.modified >= modified => report.unchanged += 1,
            existing => {
                if existing.is_some() {
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                if advisory.is_withdrawn() {
                    report.withdrawn += 1;
                }
                let id = advisory.id.clone();
                match Held::new(advisory) {
                    Ok(entry) => {
                        held.insert(id, entry);
                    }
                    Err(err) => serialise_error = Some(err),
                }
            }
        }
    };
    let (problems, files_read) = read_sources(sources, &mut accept);
    if let Some(err) = serialise_error {
        return Err(write_error(err));
    }
    report.problems = problems;
    report.files_read = files_read;

    let mut ids: Vec<String> = held.keys().cloned().collect();
    ids.sort();
    let mut meta = DatabaseMeta {
        imported_at: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_default()
            .to_string(),
        ..DatabaseMeta::default()
    };
    let mut newest: Option<jiff::Timestamp> = None;
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(entry) = held.remove(&id) else {
            continue;
        };
        newest = newest.max(Some(entry.modified));
        if entry.withdrawn {
            meta.withdrawn += 1;
        } else {
            meta.advisories += 1;
            for ecosystem in entry.ecosystems {
                *meta.ecosystems.entry(ecosystem).or_default() += 1;
            }
        }
        records.push(RecordToWrite {
            json: entry.json,
            withdrawn: entry.withdrawn,
            keys: entry.keys,
        });
    }
    meta.newest_modified = newest.map(|t| t.to_string());
    let meta_json = serde_json::to_vec(&meta).map_err(write_error)?;
    write_atomically(db_path, &format::encode(&records, &meta_json))?;
    report.meta = meta;
    Ok(report)
}

/// Loads the records of an existing index into `held`.
fn read_existing(db_path: &Path, held: &mut HashMap<String, Held>) -> Result<(), DbError> {
    let db = Database::open(db_path)?;
    for number in 0..db.record_count() {
        let advisory = db.advisory(number as u32)?;
        let id = advisory.id.clone();
        let entry = Held::new(advisory).map_err(|e| DbError::Record {
            path: db_path.to_path_buf(),
            record: number,
            message: e.to_string(),
        })?;
        held.insert(id, entry);
    }
    Ok(())
}

/// Writes to a temporary file beside `path`, syncs it and renames it over
/// `path`, so a reader sees the old index or the new one, never a mix.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DbError> {
    let err = |source| DbError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("advisories");
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    // A leftover from a crashed import with the same process id.
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        // create_new: never write through a link someone planted there.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Inflates one raw deflate stream into `out`, reusing the inflater's state,
/// stopping at [`MAX_RECORD_BYTES`] (a zip bomb is a problem, not an
/// out-of-memory).
fn inflate(
    inflater: &mut flate2::Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), String> {
    inflater.reset(false);
    out.clear();
    loop {
        if out.len() as u64 > MAX_RECORD_BYTES {
            return Err(format!("larger than {MAX_RECORD_BYTES} bytes"));
        }
        if out.capacity() - out.len() < 16 * 1024 {
            out.reserve(out.capacity().max(64 * 1024));
        }
        let (before_in, before_out) = (inflater.total_in(), inflater.total_out());
        let rest = input.get(before_in as usize..).unwrap_or_default();
        let status = inflater
            .decompress_vec(rest, out, flate2::FlushDecompress::Finish)
            .map_err(|err| format!("cannot decompress: {err}"))?;
        if status == flate2::Status::StreamEnd {
            return Ok(());
        }
        // Neither input consumed nor output produced with room to spare:
        // the stream ended early.
        if (inflater.total_in(), inflater.total_out()) == (before_in, before_out) {
            return Err("cannot decompress: truncated deflate stream".into());
        }
    }
}
