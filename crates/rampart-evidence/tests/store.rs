//! One suite, run on every backend: the local folder, the in-memory object
//! store, and S3 against a throwaway moto server.

#[cfg(feature = "s3")]
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use rampart_evidence::{
    BlobCheck, EvidenceStore, EvidenceStoreConfig, IngestError, OpenError, PART_SIZE, Sha256Digest,
    blob_key,
};
use tempfile::TempDir;

const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A store plus a way around it, to tamper and to count what is stored.
struct Fixture {
    store: EvidenceStore,
    raw: Raw,
    _dirs: Vec<TempDir>,
}

enum Raw {
    Local(PathBuf),
    Object {
        store: Arc<dyn ObjectStore>,
        prefix: Option<String>,
    },
}

impl Fixture {
    fn local() -> Option<Self> {
        let root = TempDir::new().unwrap();
        let dir = root.path().join("evidence");
        let store = EvidenceStore::open(
            &EvidenceStoreConfig::Local { dir: dir.clone() },
            &root.path().join("staging"),
        )
        .unwrap();
        assert_eq!(store.describe(), format!("local:{}", dir.display()));
        Some(Self {
            store,
            raw: Raw::Local(dir),
            _dirs: vec![root],
        })
    }

    fn memory() -> Option<Self> {
        let staging = TempDir::new().unwrap();
        let raw: Arc<dyn ObjectStore> = Arc::new(object_store::memory::InMemory::new());
        let store = EvidenceStore::from_object_store(
            raw.clone(),
            Some("pre/fix"),
            "memory",
            staging.path(),
        )
        .unwrap();
        Some(Self {
            store,
            raw: Raw::Object {
                store: raw,
                prefix: Some("pre/fix".to_owned()),
            },
            _dirs: vec![staging],
        })
    }

    #[cfg(feature = "s3")]
    fn s3() -> Option<Self> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let server = support::moto::server()?;
        // One bucket for the process, a prefix per test.
        let prefix = format!(
            "run-{}/t{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let config = EvidenceStoreConfig::S3 {
            bucket: support::moto::BUCKET.to_owned(),
            prefix: Some(format!("/{prefix}/")),
            endpoint: Some(server.endpoint.clone()),
            region: "us-east-1".to_owned(),
            allow_http: true,
            access_key_id: "testing-key-id".to_owned(),
            secret_access_key: "testing-secret".to_owned(),
        };
        let staging = TempDir::new().unwrap();
        let store = EvidenceStore::open(&config, staging.path()).unwrap();
        assert_eq!(
            store.describe(),
            format!("s3://{}/{prefix}", support::moto::BUCKET)
        );
        let raw = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(support::moto::BUCKET)
            .with_region("us-east-1")
            .with_endpoint(&server.endpoint)
            .with_allow_http(true)
            .with_access_key_id("testing-key-id")
            .with_secret_access_key("testing-secret")
            .build()
            .unwrap();
        Some(Self {
            store,
            raw: Raw::Object {
                store: Arc::new(raw),
                prefix: Some(prefix),
            },
            _dirs: vec![staging],
        })
    }

    fn object_path(prefix: &Option<String>, key: &str) -> ObjectPath {
        ObjectPath::parse(match prefix {
            Some(prefix) => format!("{prefix}/{key}"),
            None => key.to_owned(),
        })
        .unwrap()
    }

    /// Replaces the stored bytes of `sha` behind the store's back.
    async fn tamper(&self, sha: &Sha256Digest, bytes: &[u8]) {
        match &self.raw {
            Raw::Local(dir) => {
                let path = dir.join(blob_key(sha));
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
                std::fs::write(&path, bytes).unwrap();
            }
            Raw::Object { store, prefix } => {
                store
                    .put(
                        &Self::object_path(prefix, &blob_key(sha)),
                        PutPayload::from(bytes.to_vec()),
                    )
                    .await
                    .unwrap();
            }
        }
    }

    /// Puts something that is not a blob where blobs live.
    async fn put_foreign(&self, key: &str) {
        match &self.raw {
            Raw::Local(dir) => {
                let path = dir.join(key);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, b"not a blob").unwrap();
            }
            Raw::Object { store, prefix } => {
                store
                    .put(
                        &Self::object_path(prefix, key),
                        PutPayload::from_static(b"x"),
                    )
                    .await
                    .unwrap();
            }
        }
    }

    /// How many files or objects the store holds.
    async fn stored_count(&self) -> usize {
        match &self.raw {
            Raw::Local(dir) => walk_files(dir).len(),
            Raw::Object { store, prefix } => {
                let root = prefix.as_ref().map(|p| ObjectPath::parse(p).unwrap());
                store
                    .list(root.as_ref())
                    .try_collect::<Vec<_>>()
                    .await
                    .unwrap()
                    .len()
            }
        }
    }

    fn staging_entries(&self) -> Vec<PathBuf> {
        walk_files(self.store.staging_dir())
    }
}

fn walk_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            files.extend(walk_files(&entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

type Body = stream::Iter<std::vec::IntoIter<Result<Bytes, std::io::Error>>>;

fn body(chunks: &[&[u8]]) -> Body {
    stream::iter(
        chunks
            .iter()
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    )
}

async fn read_all(store: &EvidenceStore, sha: &Sha256Digest) -> (u64, Vec<u8>) {
    let blob = store.open_verified(sha).await.unwrap();
    let chunks: Vec<Bytes> = blob.stream.try_collect().await.unwrap();
    (blob.size, chunks.concat())
}

/// Deterministic bytes that do not compress or repeat at part boundaries.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

async fn round_trip_of_abc(fx: Fixture) {
    let stored = fx
        .store
        .ingest(body(&[b"a", b"", b"bc"]), 1024)
        .await
        .unwrap();
    assert_eq!(stored.sha256.to_string(), ABC);
    assert_eq!(stored.size, 3);
    assert!(stored.newly_stored);
    assert_eq!(
        fx.store.check(&stored.sha256).await.unwrap(),
        BlobCheck::Intact { size: 3 }
    );
    assert_eq!(
        read_all(&fx.store, &stored.sha256).await,
        (3, b"abc".to_vec())
    );
    assert_eq!(fx.stored_count().await, 1);
    assert!(
        fx.staging_entries().is_empty(),
        "{:?}",
        fx.staging_entries()
    );
}

async fn empty_blob(fx: Fixture) {
    let stored = fx.store.ingest(body(&[]), 0).await.unwrap();
    assert_eq!(stored.sha256.to_string(), EMPTY);
    assert_eq!(stored.size, 0);
    assert!(stored.newly_stored);
    assert_eq!(
        fx.store.check(&stored.sha256).await.unwrap(),
        BlobCheck::Intact { size: 0 }
    );
    assert_eq!(read_all(&fx.store, &stored.sha256).await, (0, Vec::new()));
    assert_eq!(fx.store.list().await.unwrap(), vec![stored.sha256]);
}

async fn large_blob_in_parts(fx: Fixture) {
    // More than two parts, the last one short.
    let data = noise(2 * PART_SIZE + 12_345);
    let chunks: Vec<&[u8]> = data.chunks(64 * 1024).collect();
    let stored = fx
        .store
        .ingest(body(&chunks), data.len() as u64)
        .await
        .unwrap();
    assert_eq!(stored.sha256, Sha256Digest::of(&data));
    assert_eq!(stored.size, data.len() as u64);
    assert!(stored.newly_stored);
    assert_eq!(
        fx.store.check(&stored.sha256).await.unwrap(),
        BlobCheck::Intact {
            size: data.len() as u64
        }
    );
    let (size, read) = read_all(&fx.store, &stored.sha256).await;
    assert_eq!(size, data.len() as u64);
    assert!(read == data, "the bytes read back differ");
    assert_eq!(fx.stored_count().await, 1);
    assert!(fx.staging_entries().is_empty());
}

async fn same_content_twice_is_stored_once(fx: Fixture) {
    let first = fx.store.ingest(body(&[b"same bytes"]), 100).await.unwrap();
    let second = fx
        .store
        .ingest(body(&[b"same ", b"bytes"]), 100)
        .await
        .unwrap();
    assert!(first.newly_stored);
    assert!(!second.newly_stored);
    assert_eq!(first.sha256, second.sha256);
    assert_eq!(second.size, 10);
    assert_eq!(fx.stored_count().await, 1);
    assert_eq!(fx.store.list().await.unwrap(), vec![first.sha256]);
    assert!(fx.staging_entries().is_empty());
}

async fn concurrent_uploads_of_the_same_content(fx: Fixture) {
    let data = noise(100_000);
    let uploads = (0..4).map(|_| fx.store.ingest(body(&[&data]), 1 << 20));
    let results = futures_util::future::join_all(uploads).await;
    let stored: Vec<_> = results.into_iter().map(Result::unwrap).collect();
    assert!(stored.iter().all(|s| s.sha256 == Sha256Digest::of(&data)));
    assert!(stored.iter().any(|s| s.newly_stored));
    assert_eq!(fx.stored_count().await, 1);
    assert_eq!(
        fx.store.check(&stored[0].sha256).await.unwrap(),
        BlobCheck::Intact { size: 100_000 }
    );
    assert!(fx.staging_entries().is_empty());
}

async fn too_large_stores_nothing_and_stops_reading(fx: Fixture) {
    let polled = Arc::new(AtomicUsize::new(0));
    let counter = polled.clone();
    let chunks = stream::iter(0..100).map(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from_static(b"12345"))
    });
    let error = fx.store.ingest(chunks, 12).await.unwrap_err();
    assert!(
        matches!(error, IngestError::TooLarge { limit: 12 }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the evidence upload is larger than the limit of 12 bytes"
    );
    // The third chunk passes the limit; nothing after it is read.
    assert_eq!(polled.load(Ordering::SeqCst), 3);
    assert_eq!(fx.stored_count().await, 0);
    assert!(fx.store.list().await.unwrap().is_empty());
    assert!(
        fx.staging_entries().is_empty(),
        "{:?}",
        fx.staging_entries()
    );

    // Exactly at the limit is fine.
    let stored = fx
        .store
        .ingest(body(&[b"12345", b"1234567"]), 12)
        .await
        .unwrap();
    assert_eq!(stored.size, 12);
}

async fn failing_body_stores_nothing(fx: Fixture) {
    let chunks = stream::iter(vec![
        Ok(Bytes::from_static(b"first part of the file")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
        Ok(Bytes::from_static(b"never read")),
    ]);
    let error = fx.store.ingest(chunks, 1 << 20).await.unwrap_err();
    match &error {
        IngestError::Body(inner) => assert_eq!(inner.kind(), std::io::ErrorKind::ConnectionReset),
        other => panic!("expected a body error, got {other:?}"),
    }
    assert!(error.to_string().contains("client went away"), "{error}");
    assert_eq!(fx.stored_count().await, 0);
    assert!(fx.store.list().await.unwrap().is_empty());
    assert!(
        fx.staging_entries().is_empty(),
        "{:?}",
        fx.staging_entries()
    );
}

async fn tampered_blob_is_detected_and_not_served(fx: Fixture) {
    let stored = fx
        .store
        .ingest(body(&[b"original evidence"]), 100)
        .await
        .unwrap();
    fx.tamper(&stored.sha256, b"altered evidence!").await;
    let altered = Sha256Digest::of(b"altered evidence!");
    assert_eq!(
        fx.store.check(&stored.sha256).await.unwrap(),
        BlobCheck::Mismatch {
            actual: altered,
            size: 17
        }
    );
    let error = fx.store.open_verified(&stored.sha256).await.unwrap_err();
    match &error {
        OpenError::Mismatch {
            blob,
            actual,
            size,
            backend,
        } => {
            assert_eq!(*blob, stored.sha256);
            assert_eq!(*actual, altered);
            assert_eq!(*size, 17);
            assert_eq!(*backend, fx.store.describe());
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains(&stored.sha256.to_string()), "{message}");
    assert!(message.contains(&fx.store.describe()), "{message}");
    // Still listed, so `audit verify` reports it.
    assert_eq!(fx.store.list().await.unwrap(), vec![stored.sha256]);
    // Uploading the original again does not repair (overwrite) it.
    let again = fx
        .store
        .ingest(body(&[b"original evidence"]), 100)
        .await
        .unwrap();
    assert!(!again.newly_stored);
    assert!(matches!(
        fx.store.check(&stored.sha256).await.unwrap(),
        BlobCheck::Mismatch { .. }
    ));
}

async fn missing_blob(fx: Fixture) {
    let sha = Sha256Digest::of(b"never stored");
    assert_eq!(fx.store.check(&sha).await.unwrap(), BlobCheck::Missing);
    let error = fx.store.open_verified(&sha).await.unwrap_err();
    assert!(
        matches!(&error, OpenError::Missing { blob, .. } if *blob == sha),
        "{error:?}"
    );
    assert!(error.to_string().contains(&sha.to_string()), "{error}");
}

async fn list_returns_blobs_only(fx: Fixture) {
    let mut expected = Vec::new();
    for content in [&b"one"[..], b"two", b"three"] {
        expected.push(fx.store.ingest(body(&[content]), 100).await.unwrap().sha256);
    }
    expected.sort();
    let first = expected[0].to_string();
    fx.put_foreign(&format!("sha256/{}/notes.txt", &first[..2]))
        .await;
    fx.put_foreign(&format!("sha256/00/{first}")).await;
    fx.put_foreign(&format!("sha256/{}/{}", &first[..2], first.to_uppercase()))
        .await;
    fx.put_foreign("elsewhere.bin").await;
    assert_eq!(fx.store.list().await.unwrap(), expected);
}

macro_rules! suite {
    ($backend:ident: $($case:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if let Some(fixture) = super::Fixture::$backend() {
                        super::$case(fixture).await;
                    }
                }
            )*
        }
    };
}

macro_rules! every_backend {
    ($($backend:ident),*) => {
        $(
            suite!($backend:
                round_trip_of_abc,
                empty_blob,
                large_blob_in_parts,
                same_content_twice_is_stored_once,
                concurrent_uploads_of_the_same_content,
                too_large_stores_nothing_and_stops_reading,
                failing_body_stores_nothing,
                tampered_blob_is_detected_and_not_served,
                missing_blob,
                list_returns_blobs_only,
            );
        )*
    };
}

every_backend!(local, memory);
#[cfg(feature = "s3")]
every_backend!(s3);

#[tokio::test]
async fn local_blobs_are_read_only_files_at_their_content_address() {
    let fx = Fixture::local().unwrap();
    let Raw::Local(dir) = &fx.raw else {
        unreachable!()
    };
    let stored = fx.store.ingest(body(&[b"abc"]), 10).await.unwrap();
    let path = dir.join("sha256/ba").join(ABC);
    assert_eq!(std::fs::read(&path).unwrap(), b"abc");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
    assert_eq!(blob_key(&stored.sha256), format!("sha256/ba/{ABC}"));
    let dir_mode = std::fs::metadata(dir.join("sha256/ba"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[cfg(feature = "s3")]
#[tokio::test]
async fn s3_honours_conditional_create_so_nothing_is_overwritten() {
    let Some(fx) = Fixture::s3() else { return };
    let Raw::Object { store, prefix } = &fx.raw else {
        unreachable!()
    };
    let stored = fx.store.ingest(body(&[b"abc"]), 10).await.unwrap();
    let path = Fixture::object_path(prefix, &blob_key(&stored.sha256));
    let error = store
        .put_opts(
            &path,
            PutPayload::from_static(b"xyz"),
            object_store::PutMode::Create.into(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, object_store::Error::AlreadyExists { .. }),
        "{error:?}"
    );
    assert_eq!(
        fx.store.check(&stored.sha256).await.unwrap(),
        BlobCheck::Intact { size: 3 }
    );
}

#[tokio::test]
async fn in_memory_store_works_and_has_its_own_staging_folder() {
    let store = EvidenceStore::in_memory().unwrap();
    assert_eq!(store.describe(), "memory");
    assert!(store.staging_dir().is_dir());
    let stored = store.ingest(body(&[b"abc"]), 10).await.unwrap();
    assert_eq!(stored.sha256.to_string(), ABC);
    assert_eq!(read_all(&store, &stored.sha256).await, (3, b"abc".to_vec()));
    let clone = store.clone();
    assert_eq!(clone.list().await.unwrap(), vec![stored.sha256]);
}

#[cfg(feature = "s3")]
#[test]
fn s3_without_keys_is_a_configuration_error() {
    let config = EvidenceStoreConfig::S3 {
        bucket: "b".to_owned(),
        prefix: None,
        endpoint: None,
        region: "us-east-1".to_owned(),
        allow_http: false,
        access_key_id: "id".to_owned(),
        secret_access_key: String::new(),
    };
    let staging = TempDir::new().unwrap();
    let error = EvidenceStore::open(&config, staging.path()).unwrap_err();
    assert!(error.to_string().contains("secret_access_key"), "{error}");
}

#[test]
fn ingest_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let store = EvidenceStore::in_memory().unwrap();
    assert_send(store.ingest(body(&[]), 0));
    assert_send(store.check(&Sha256Digest::of(b"")));
    assert_send(store.open_verified(&Sha256Digest::of(b"")));
    assert_send(store.list());
}

#[tokio::test]
async fn local_store_with_staging_on_another_file_system_copies() {
    use std::os::unix::fs::MetadataExt;
    let store_root = TempDir::new().unwrap();
    let shm = std::path::Path::new("/dev/shm");
    let other_fs = shm.is_dir()
        && std::fs::metadata(shm).unwrap().dev()
            != std::fs::metadata(store_root.path()).unwrap().dev();
    if !other_fs {
        eprintln!("\n*** SKIPPED: no /dev/shm on a file system of its own to stage in ***\n");
        return;
    }
    let staging = tempfile::Builder::new()
        .prefix("rampart-evidence-test-")
        .tempdir_in(shm)
        .unwrap();
    let dir = store_root.path().join("evidence");
    let store = EvidenceStore::open(
        &EvidenceStoreConfig::Local { dir: dir.clone() },
        staging.path(),
    )
    .unwrap();
    let stored = store.ingest(body(&[b"a", b"bc"]), 10).await.unwrap();
    assert!(stored.newly_stored);
    let path = dir.join(blob_key(&stored.sha256));
    assert_eq!(std::fs::read(&path).unwrap(), b"abc");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
    // No temporary copy is left beside the blob, nothing in staging.
    assert_eq!(walk_files(&dir), vec![path]);
    assert!(walk_files(staging.path()).is_empty());
    assert!(
        !store
            .ingest(body(&[b"abc"]), 10)
            .await
            .unwrap()
            .newly_stored
    );
}
