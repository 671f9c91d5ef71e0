//! The local-folder backend.
//!
//! Blobs are files at `<dir>/sha256/ab/abcd…`, made read-only (0o444)
//! before they get their final name, moved into place with a rename that
//! refuses to replace an existing file, and followed by a sync of the
//! folders so the new name survives a crash.

use std::fs::{self, DirBuilder, File, Permissions};
use std::io::{self, Seek, SeekFrom};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bytes::BytesMut;
use futures_util::StreamExt;
use tempfile::NamedTempFile;
use tokio::io::AsyncReadExt;

use crate::error::BoxError;
use crate::{RawStream, Sha256Digest, blob_key};

/// Read size when streaming a blob.
const READ_CHUNK: usize = 256 * 1024;

/// Creates `dir` and its missing parents, readable by the owner only:
/// evidence is confidential.
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

pub(crate) struct LocalBackend {
    dir: PathBuf,
}

impl LocalBackend {
    pub(crate) fn open(dir: &Path) -> Result<Self, crate::EvidenceError> {
        create_private_dir(&dir.join("sha256")).map_err(|source| crate::EvidenceError::Store {
            backend: format!("local:{}", dir.display()),
            action: "create the store folder".to_owned(),
            source: source.into(),
        })?;
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    fn path(&self, sha: &Sha256Digest) -> PathBuf {
        self.dir.join(blob_key(sha))
    }

    /// Moves the synced staging file into place; `false` when the address
    /// was taken.
    pub(crate) async fn store(
        &self,
        staging: NamedTempFile,
        sha: &Sha256Digest,
    ) -> Result<bool, BoxError> {
        let target = self.path(sha);
        tokio::task::spawn_blocking(move || store_blocking(staging, &target))
            .await
            .map_err(BoxError::from)?
            .map_err(BoxError::from)
    }

    pub(crate) async fn read(&self, sha: &Sha256Digest) -> Result<Option<RawStream>, BoxError> {
        let file = match tokio::fs::File::open(self.path(sha)).await {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let stream = futures_util::stream::try_unfold(file, |mut file| async move {
            let mut buffer = BytesMut::with_capacity(READ_CHUNK);
            let read = file.read_buf(&mut buffer).await?;
            Ok::<_, BoxError>((read > 0).then(|| (buffer.freeze(), file)))
        });
        Ok(Some(stream.boxed()))
    }

    pub(crate) async fn list(&self) -> Result<Vec<Sha256Digest>, BoxError> {
        let root = self.dir.join("sha256");
        tokio::task::spawn_blocking(move || list_blocking(&root))
            .await
            .map_err(BoxError::from)?
            .map_err(BoxError::from)
    }
}

fn store_blocking(staging: NamedTempFile, target: &Path) -> io::Result<bool> {
    if fs::symlink_metadata(target).is_ok() {
        return Ok(false);
    }
    let parent = target
        .parent()
        .ok_or_else(|| io::Error::other("a blob path has no parent folder"))?;
    create_private_dir(parent)?;
    fs::set_permissions(staging.path(), Permissions::from_mode(0o444))?;
    let placed = match staging.persist_noclobber(target) {
        Ok(_) => true,
        // Another upload of the same content won the race.
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => false,
        Err(error) if error.error.kind() == io::ErrorKind::CrossesDevices => {
            copy_into_place(error.file, parent, target)?
        }
        Err(error) => return Err(error.error),
    };
    if placed {
        sync_dir(parent)?;
        if let Some(grandparent) = parent.parent() {
            sync_dir(grandparent)?;
        }
    }
    Ok(placed)
}

/// The staging folder is on another file system: copy into a temporary
/// file beside the target, sync it, then rename that into place.
fn copy_into_place(staging: NamedTempFile, parent: &Path, target: &Path) -> io::Result<bool> {
    let mut source = staging.reopen()?;
    source.seek(SeekFrom::Start(0))?;
    let mut copy = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempfile_in(parent)?;
    io::copy(&mut source, copy.as_file_mut())?;
    copy.as_file().sync_all()?;
    fs::set_permissions(copy.path(), Permissions::from_mode(0o444))?;
    match copy.persist_noclobber(target) {
        Ok(_) => Ok(true),
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(error.error),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn list_blocking(root: &Path) -> io::Result<Vec<Sha256Digest>> {
    let mut blobs = Vec::new();
    for fan in fs::read_dir(root)? {
        let fan = fan?;
        let Some(fan_name) = fan.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !fan.file_type()?.is_dir() {
            continue;
        }
        for entry in fs::read_dir(fan.path())? {
            let entry = entry?;
            if !entry.file_type()?.is_file() {
                continue;
            }
            // Leftover `.incoming-*` copies and foreign files are not blobs.
            if let Some(name) = entry.file_name().to_str()
                && name.starts_with(&fan_name)
                && let Ok(sha) = name.parse::<Sha256Digest>()
                && sha.to_string() == name
            {
                blobs.push(sha);
            }
        }
    }
    Ok(blobs)
}
