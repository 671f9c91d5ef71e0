//! The advisory database: an on-disk index of OSV records keyed by package.
//!
//! [`Database::open`] maps the file and reads its small meta section; a
//! lookup parses only the advisories listed under one package. Importing
//! ([`import()`]) rewrites the whole file and renames it into place.

mod format;
mod import;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rampart_core::{Ecosystem, normalize_package_name};
use serde::{Deserialize, Serialize};

pub use format::FormatError;
pub use import::{ImportProblem, ImportReport, import, read_sources};

use crate::schema::Advisory;
use format::{FLAG_WITHDRAWN, Layout, index_key};

/// Errors opening, reading or writing the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "advisory database {path} does not exist; run `rampart db import` or `rampart db update` first"
    )]
    Missing { path: PathBuf },
    #[error("cannot read advisory database {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("advisory database {path}: {source}")]
    Format { path: PathBuf, source: FormatError },
    #[error("advisory database {path}: record {record} is unreadable: {message}")]
    Record {
        path: PathBuf,
        record: usize,
        message: String,
    },
    #[error("cannot write advisory database {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What the database holds, stored beside the records so `db status` and
/// a scan's summary need not read them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseMeta {
    /// Active (not withdrawn) advisories.
    pub advisories: usize,
    pub withdrawn: usize,
    /// Active advisories per ecosystem (an advisory affecting two
    /// ecosystems counts in both).
    pub ecosystems: BTreeMap<String, usize>,
    /// The newest `modified` of any record: how current the data is.
    pub newest_modified: Option<String>,
    /// When the file was last written.
    pub imported_at: String,
}

/// An opened advisory database.
pub struct Database {
    path: PathBuf,
    bytes: Bytes,
    layout: Layout,
    meta: DatabaseMeta,
}

/// The file's bytes: mapped when possible, read otherwise (and for the
/// empty file that mmap refuses).
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

impl Database {
    /// Opens the index at `path` without parsing its advisories.
    pub fn open(path: &Path) -> Result<Database, DbError> {
        let file = std::fs::File::open(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                DbError::Missing {
                    path: path.to_path_buf(),
                }
            } else {
                DbError::Io {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        // SAFETY: the index is only ever replaced by rename, never written in
        // place, so the mapped pages do not change under us; a truncation by
        // another program would be a bug we cannot guard against with or
        // without the map.
        let bytes = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => Bytes::Mapped(map),
            Err(_) => Bytes::Owned(std::fs::read(path).map_err(|source| DbError::Io {
                path: path.to_path_buf(),
                source,
            })?),
        };
        Database::from_bytes(path, bytes)
    }

    /// Reads an index from memory (tests, fuzzing).
    pub fn from_vec(bytes: Vec<u8>) -> Result<Database, DbError> {
        Database::from_bytes(Path::new("<memory>"), Bytes::Owned(bytes))
    }

    fn from_bytes(path: &Path, bytes: Bytes) -> Result<Database, DbError> {
        let layout = Layout::parse(&bytes).map_err(|source| DbError::Format {
            path: path.to_path_buf(),
            source,
        })?;
        let meta: DatabaseMeta =
            serde_json::from_slice(layout.meta(&bytes)).map_err(|_| DbError::Format {
                path: path.to_path_buf(),
                source: FormatError::Corrupt("meta"),
            })?;
        Ok(Database {
            path: path.to_path_buf(),
            bytes,
            layout,
            meta,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self) -> &DatabaseMeta {
        &self.meta
    }

    /// Number of records, withdrawn ones included.
    pub fn record_count(&self) -> usize {
        self.layout.record_count
    }

    /// Record numbers of the active advisories that list this package.
    pub fn records_for(&self, ecosystem: &Ecosystem, name: &str) -> Result<Vec<u32>, DbError> {
        let key = index_key(
            ecosystem.osv_name(),
            &normalize_package_name(ecosystem, name),
        );
        self.layout
            .lookup(&self.bytes, &key)
            .map_err(|source| DbError::Format {
                path: self.path.clone(),
                source,
            })
    }

    /// Parses record `number`.
    pub fn advisory(&self, number: u32) -> Result<Advisory, DbError> {
        let (json, _) = self.raw_record(number as usize)?;
        serde_json::from_slice(json).map_err(|e| DbError::Record {
            path: self.path.clone(),
            record: number as usize,
            message: e.to_string(),
        })
    }

    /// The advisories that list this package, parsed.
    pub fn advisories_for(
        &self,
        ecosystem: &Ecosystem,
        name: &str,
    ) -> Result<Vec<Advisory>, DbError> {
        self.records_for(ecosystem, name)?
            .into_iter()
            .map(|n| self.advisory(n))
            .collect()
    }

    /// The JSON and withdrawn flag of a record.
    fn raw_record(&self, number: usize) -> Result<(&[u8], bool), DbError> {
        let (json, flags) =
            self.layout
                .record(&self.bytes, number)
                .map_err(|source| DbError::Format {
                    path: self.path.clone(),
                    source,
                })?;
        Ok((json, flags & FLAG_WITHDRAWN != 0))
    }
}

/// The index keys an advisory is listed under: one per affected package.
pub(crate) fn advisory_keys(advisory: &Advisory) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = advisory
        .affected
        .iter()
        .filter_map(|a| a.package.as_ref())
        .filter_map(|p| {
            let (ecosystem, _) = Ecosystem::split_osv(&p.ecosystem).ok()?;
            Some(index_key(
                ecosystem.osv_name(),
                &normalize_package_name(&ecosystem, &p.name),
            ))
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
