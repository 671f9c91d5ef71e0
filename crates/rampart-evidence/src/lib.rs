//! The write-once, content-addressed evidence blob store.
//!
//! Evidence files are streamed in ([`EvidenceStore::ingest`]) through a
//! staging file while their SHA-256 is computed, then stored under their
//! content address `sha256/<first two hex digits>/<64 hex digits>` in a
//! local folder or in S3-compatible object storage. Nothing is ever
//! overwritten or deleted through this crate: it has no API for either.
//! Reads re-hash the stored bytes ([`EvidenceStore::check`],
//! [`EvidenceStore::open_verified`]) so a blob that was altered behind the
//! store's back is detected and never served.
//!
//! The crate knows no HTTP, SQL or incident: the server records which
//! incident an evidence item belongs to and who touched it.

mod config;
mod digest;
mod error;
mod local;
mod object;

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt;

pub use config::EvidenceStoreConfig;
pub use digest::{DigestParseError, Sha256Digest};
pub use error::{BoxError, EvidenceError, IngestError, OpenError};

/// Blobs up to this size go to object storage in one request; larger ones
/// in parts of this size (S3 requires parts of at least 5 MiB but the last).
/// It is also the most memory one upload to object storage holds at once.
pub const PART_SIZE: usize = 8 * 1024 * 1024;

/// What [`EvidenceStore::ingest`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredBlob {
    /// The content address.
    pub sha256: Sha256Digest,
    /// The size in bytes.
    pub size: u64,
    /// `false` when a blob with this address was already stored: by content
    /// addressing that is the same content, so nothing was written.
    pub newly_stored: bool,
}

/// The result of re-hashing a stored blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobCheck {
    /// The stored bytes hash to the blob's address.
    Intact {
        /// The size in bytes.
        size: u64,
    },
    /// The stored bytes hash to something else: tampering or corruption.
    Mismatch {
        /// What they hash to.
        actual: Sha256Digest,
        /// The size in bytes.
        size: u64,
    },
    /// Nothing is stored under that address.
    Missing,
}

/// A blob that passed verification, ready to be streamed.
pub struct VerifiedBlob {
    /// The size in bytes.
    pub size: u64,
    /// The bytes. They are hashed again as they stream, and if they no
    /// longer match, the stream yields [`EvidenceError::ChangedDuringRead`]
    /// *instead of* its last chunk, so a consumer never receives a complete
    /// copy of altered bytes (a server aborts the response on the error).
    pub stream: BoxStream<'static, Result<Bytes, EvidenceError>>,
}

impl std::fmt::Debug for VerifiedBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedBlob")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// The store. Cheap to clone; clones share the backend.
#[derive(Clone)]
pub struct EvidenceStore {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    staging_dir: PathBuf,
    description: String,
    // Keeps the private staging folder of `in_memory` alive.
    _staging_guard: Option<tempfile::TempDir>,
}

enum Backend {
    Local(local::LocalBackend),
    Object(object::ObjectBackend),
}

impl std::fmt::Debug for EvidenceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceStore")
            .field("backend", &self.inner.description)
            .field("staging_dir", &self.inner.staging_dir)
            .finish()
    }
}

/// The storage key of a blob below the store's root or prefix:
/// `sha256/<first two hex digits>/<64 hex digits>`.
pub fn blob_key(sha: &Sha256Digest) -> String {
    let hex = sha.to_string();
    format!("sha256/{}/{hex}", &hex[..2])
}

impl EvidenceStore {
    /// Opens the configured store. Uploads are staged in `staging_dir`
    /// (created if missing), which should be on local disk with room for
    /// the largest upload; for the local backend, on the same file system
    /// as the store's folder saves a copy.
    pub fn open(config: &EvidenceStoreConfig, staging_dir: &Path) -> Result<Self, EvidenceError> {
        let (backend, description) = match config {
            EvidenceStoreConfig::Local { dir } => {
                let backend = local::LocalBackend::open(dir)?;
                let description = format!("local:{}", dir.display());
                (Backend::Local(backend), description)
            }
            #[cfg(feature = "s3")]
            EvidenceStoreConfig::S3 { .. } => {
                let (backend, description) = object::ObjectBackend::open_s3(config)?;
                (Backend::Object(backend), description)
            }
            #[cfg(not(feature = "s3"))]
            EvidenceStoreConfig::S3 { .. } => {
                return Err(EvidenceError::Config(
                    "this build has no S3 support (cargo feature `s3` of rampart-evidence)"
                        .to_owned(),
                ));
            }
        };
        Self::assemble(backend, description, staging_dir, None)
    }

    /// A store over any [`object_store::ObjectStore`], with keys below
    /// `prefix`. `description` is what [`describe`](Self::describe) and
    /// error messages show; it must not contain credentials.
    pub fn from_object_store(
        store: Arc<dyn object_store::ObjectStore>,
        prefix: Option<&str>,
        description: impl Into<String>,
        staging_dir: &Path,
    ) -> Result<Self, EvidenceError> {
        let backend = object::ObjectBackend::new(store, prefix)?;
        Self::assemble(
            Backend::Object(backend),
            description.into(),
            staging_dir,
            None,
        )
    }

    /// A store in memory with a private temporary staging folder, for tests.
    pub fn in_memory() -> Result<Self, EvidenceError> {
        let staging = tempfile::Builder::new()
            .prefix("rampart-evidence-staging-")
            .tempdir()
            .map_err(|source| EvidenceError::Store {
                backend: "memory".to_owned(),
                action: "create a staging folder".to_owned(),
                source: source.into(),
            })?;
        let backend =
            object::ObjectBackend::new(Arc::new(object_store::memory::InMemory::new()), None)?;
        let staging_dir = staging.path().to_owned();
        Self::assemble(
            Backend::Object(backend),
            "memory".to_owned(),
            &staging_dir,
            Some(staging),
        )
    }

    fn assemble(
        backend: Backend,
        description: String,
        staging_dir: &Path,
        staging_guard: Option<tempfile::TempDir>,
    ) -> Result<Self, EvidenceError> {
        local::create_private_dir(staging_dir).map_err(|source| EvidenceError::Store {
            backend: description.clone(),
            action: format!("create the staging folder {}", staging_dir.display()),
            source: source.into(),
        })?;
        Ok(Self {
            inner: Arc::new(Inner {
                backend,
                staging_dir: staging_dir.to_owned(),
                description,
                _staging_guard: staging_guard,
            }),
        })
    }

    /// Where the blobs are, for logs and messages: `local:/var/lib/…`,
    /// `s3://bucket/prefix`. Never contains a credential.
    pub fn describe(&self) -> String {
        self.inner.description.clone()
    }

    /// The folder uploads are staged in.
    pub fn staging_dir(&self) -> &Path {
        &self.inner.staging_dir
    }

    /// Streams `body` into the store, hashing it on the way.
    ///
    /// The body goes to a staging file (never wholly into memory); past
    /// `max_bytes` the upload is refused at once, and a failing body stream
    /// (a truncated upload) stores nothing. The staging file is synced to
    /// disk, then stored under its content address unless that address is
    /// already taken, which by content addressing means the same content.
    /// The staging file is removed in every case.
    pub async fn ingest<S, E>(
        &self,
        mut body: S,
        max_bytes: u64,
    ) -> Result<StoredBlob, IngestError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let staging_error = |action: &str, source: std::io::Error| EvidenceError::Store {
            backend: self.inner.description.clone(),
            action: format!(
                "{action} a staging file in {}",
                self.inner.staging_dir.display()
            ),
            source: source.into(),
        };
        // Removed on drop, so every early return below cleans up.
        let staging = tempfile::Builder::new()
            .prefix(".ingest-")
            .tempfile_in(&self.inner.staging_dir)
            .map_err(|e| staging_error("create", e))?;
        let file = staging
            .as_file()
            .try_clone()
            .map_err(|e| staging_error("open", e))?;
        let mut writer =
            tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(IngestError::Body)?;
            size = u64::try_from(chunk.len())
                .ok()
                .and_then(|len| size.checked_add(len))
                .filter(|total| *total <= max_bytes)
                .ok_or(IngestError::TooLarge { limit: max_bytes })?;
            hasher.update(&chunk);
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| staging_error("write", e))?;
        }
        writer
            .flush()
            .await
            .map_err(|e| staging_error("write", e))?;
        // Stored evidence must survive a crash right after the upload was
        // acknowledged.
        writer
            .get_mut()
            .sync_all()
            .await
            .map_err(|e| staging_error("sync", e))?;
        drop(writer);
        let sha256 = Sha256Digest(hasher.finalize().into());

        let newly_stored = match &self.inner.backend {
            Backend::Local(local) => local.store(staging, &sha256).await,
            Backend::Object(object) => object.store(&staging, &sha256, size).await,
        }
        .map_err(|source| EvidenceError::Blob {
            backend: self.inner.description.clone(),
            action: "store",
            blob: sha256,
            source,
        })?;
        Ok(StoredBlob {
            sha256,
            size,
            newly_stored,
        })
    }

    /// Re-hashes the stored bytes of `sha` by streaming them.
    pub async fn check(&self, sha: &Sha256Digest) -> Result<BlobCheck, EvidenceError> {
        let Some(mut stream) = self.read(sha).await? else {
            return Ok(BlobCheck::Missing);
        };
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            hasher.update(&chunk);
            size += chunk.len() as u64;
        }
        let actual = Sha256Digest(hasher.finalize().into());
        Ok(if actual == *sha {
            BlobCheck::Intact { size }
        } else {
            BlobCheck::Mismatch { actual, size }
        })
    }

    /// Verifies `sha` with a full hashing pass, then returns its bytes as a
    /// stream that is verified again as it goes (see [`VerifiedBlob`]).
    pub async fn open_verified(&self, sha: &Sha256Digest) -> Result<VerifiedBlob, OpenError> {
        let missing = || OpenError::Missing {
            backend: self.inner.description.clone(),
            blob: *sha,
        };
        let size = match self.check(sha).await? {
            BlobCheck::Intact { size } => size,
            BlobCheck::Mismatch { actual, size } => {
                return Err(OpenError::Mismatch {
                    backend: self.inner.description.clone(),
                    blob: *sha,
                    actual,
                    size,
                });
            }
            BlobCheck::Missing => return Err(missing()),
        };
        let stream = self.read(sha).await?.ok_or_else(missing)?;
        Ok(VerifiedBlob {
            size,
            stream: verifying(stream, *sha, size, self.inner.description.clone()).boxed(),
        })
    }

    /// Every blob address present, sorted. Files or objects that do not
    /// follow the key layout are not blobs and are left out.
    pub async fn list(&self) -> Result<Vec<Sha256Digest>, EvidenceError> {
        let mut blobs = match &self.inner.backend {
            Backend::Local(local) => local.list().await,
            Backend::Object(object) => object.list().await,
        }
        .map_err(|source| EvidenceError::Store {
            backend: self.inner.description.clone(),
            action: "list blobs".to_owned(),
            source,
        })?;
        blobs.sort_unstable();
        blobs.dedup();
        Ok(blobs)
    }

    /// The stored bytes of `sha`, or `None` when it is missing.
    async fn read(
        &self,
        sha: &Sha256Digest,
    ) -> Result<Option<BoxStream<'static, Result<Bytes, EvidenceError>>>, EvidenceError> {
        let opened = match &self.inner.backend {
            Backend::Local(local) => local.read(sha).await,
            Backend::Object(object) => object.read(sha).await,
        };
        let read_error = {
            let backend = self.inner.description.clone();
            let blob = *sha;
            move |source: BoxError| EvidenceError::Blob {
                backend: backend.clone(),
                action: "read",
                blob,
                source,
            }
        };
        match opened {
            Ok(Some(stream)) => Ok(Some(
                stream.map(move |chunk| chunk.map_err(&read_error)).boxed(),
            )),
            Ok(None) => Ok(None),
            Err(source) => Err(read_error(source)),
        }
    }
}

/// A raw byte stream from a backend.
type RawStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// Hashes `stream` as it passes and holds each chunk back until the next
/// one arrived, so that the last chunk is released only after the whole
/// blob was found to match.
fn verifying(
    stream: BoxStream<'static, Result<Bytes, EvidenceError>>,
    blob: Sha256Digest,
    expected_size: u64,
    backend: String,
) -> impl Stream<Item = Result<Bytes, EvidenceError>> + Send + 'static {
    struct State {
        stream: BoxStream<'static, Result<Bytes, EvidenceError>>,
        hasher: Sha256,
        size: u64,
        held: Option<Bytes>,
        finished: bool,
    }
    let state = State {
        stream,
        hasher: Sha256::new(),
        size: 0,
        held: None,
        finished: false,
    };
    futures_util::stream::unfold(state, move |mut state| {
        let backend = backend.clone();
        async move {
            if state.finished {
                return None;
            }
            loop {
                match state.stream.next().await {
                    Some(Ok(chunk)) => {
                        if chunk.is_empty() {
                            continue;
                        }
                        state.hasher.update(&chunk);
                        state.size += chunk.len() as u64;
                        if let Some(previous) = state.held.replace(chunk) {
                            return Some((Ok(previous), state));
                        }
                    }
                    Some(Err(error)) => {
                        state.finished = true;
                        return Some((Err(error), state));
                    }
                    None => {
                        state.finished = true;
                        let actual = Sha256Digest(state.hasher.clone().finalize().into());
                        if actual != blob || state.size != expected_size {
                            return Some((
                                Err(EvidenceError::ChangedDuringRead {
                                    backend,
                                    blob,
                                    actual,
                                    size: state.size,
                                }),
                                state,
                            ));
                        }
                        let last = state.held.take()?;
                        return Some((Ok(last), state));
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn chunks(parts: &[&'static [u8]]) -> BoxStream<'static, Result<Bytes, EvidenceError>> {
        let items: Vec<Result<Bytes, EvidenceError>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        futures_util::stream::iter(items).boxed()
    }

    fn served(parts: &[&'static [u8]], expected: &[u8]) -> Vec<Result<Bytes, EvidenceError>> {
        let stream = verifying(
            chunks(parts),
            Sha256Digest::of(expected),
            expected.len() as u64,
            "test".to_owned(),
        );
        block_on(stream.collect())
    }

    #[test]
    fn matching_bytes_are_served_whole() {
        let items = served(&[b"ab", b"", b"cd", b"e"], b"abcde");
        let bytes: Vec<Bytes> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(bytes.concat(), b"abcde");
        assert!(served(&[], b"").is_empty());
    }

    #[test]
    fn changed_bytes_end_in_an_error_instead_of_the_last_chunk() {
        let items = served(&[b"ab", b"cd", b"eX"], b"abcde");
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_ref().unwrap().as_ref(), b"ab");
        assert_eq!(items[1].as_ref().unwrap().as_ref(), b"cd");
        match &items[2] {
            Err(EvidenceError::ChangedDuringRead {
                blob, actual, size, ..
            }) => {
                assert_eq!(*blob, Sha256Digest::of(b"abcde"));
                assert_eq!(*actual, Sha256Digest::of(b"abcdeX"));
                assert_eq!(*size, 6);
            }
            other => panic!("expected ChangedDuringRead, got {other:?}"),
        }
        // A single-chunk blob that changed yields no bytes at all.
        let items = served(&[b"abcdX"], b"abcde");
        assert!(matches!(
            items.as_slice(),
            [Err(EvidenceError::ChangedDuringRead { .. })]
        ));
    }

    #[test]
    fn a_read_error_is_passed_on_and_ends_the_stream() {
        let items: Vec<Result<Bytes, EvidenceError>> = vec![
            Ok(Bytes::from_static(b"ab")),
            Err(EvidenceError::Config("disk gone".to_owned())),
            Ok(Bytes::from_static(b"cde")),
        ];
        let stream = verifying(
            futures_util::stream::iter(items).boxed(),
            Sha256Digest::of(b"abcde"),
            5,
            "test".to_owned(),
        );
        let items: Vec<_> = block_on(stream.collect());
        // The chunk before the error is withheld too: it was never verified.
        assert!(matches!(items.as_slice(), [Err(EvidenceError::Config(_))]));
    }
}
