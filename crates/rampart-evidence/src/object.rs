//! The object-storage backend (S3-compatible, or any `object_store`).
//!
//! Uploads never overwrite: an existing object at the address means the
//! same content and is left alone; new objects go up with
//! `PutMode::Create` where the backend supports conditional puts, else
//! with a plain put after the existence check (harmless under content
//! addressing: a racing writer writes the same bytes).

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutPayload};
use tempfile::NamedTempFile;
use tokio::io::AsyncReadExt;

use crate::error::BoxError;
use crate::{EvidenceError, PART_SIZE, RawStream, Sha256Digest, blob_key};

pub(crate) struct ObjectBackend {
    store: Arc<dyn ObjectStore>,
    prefix: Option<ObjectPath>,
}

impl ObjectBackend {
    pub(crate) fn new(
        store: Arc<dyn ObjectStore>,
        prefix: Option<&str>,
    ) -> Result<Self, EvidenceError> {
        let prefix = match prefix.map(|p| p.trim_matches('/')) {
            None | Some("") => None,
            Some(prefix) => Some(ObjectPath::parse(prefix).map_err(|error| {
                EvidenceError::Config(format!("bad object key prefix {prefix:?}: {error}"))
            })?),
        };
        Ok(Self { store, prefix })
    }

    #[cfg(feature = "s3")]
    pub(crate) fn open_s3(
        config: &crate::EvidenceStoreConfig,
    ) -> Result<(Self, String), EvidenceError> {
        use object_store::aws::AmazonS3Builder;

        let crate::EvidenceStoreConfig::S3 {
            bucket,
            prefix,
            endpoint,
            region,
            allow_http,
            access_key_id,
            secret_access_key,
        } = config
        else {
            return Err(EvidenceError::Config("not an S3 configuration".to_owned()));
        };
        for (name, value) in [
            ("bucket", bucket),
            ("region", region),
            ("access_key_id", access_key_id),
            ("secret_access_key", secret_access_key),
        ] {
            if value.is_empty() {
                return Err(EvidenceError::Config(format!(
                    "the S3 evidence store needs `{name}`"
                )));
            }
        }
        let prefix = prefix.as_deref().map(|p| p.trim_matches('/'));
        let description = match prefix {
            Some(prefix) if !prefix.is_empty() => format!("s3://{bucket}/{prefix}"),
            _ => format!("s3://{bucket}"),
        };
        install_tls_provider();
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(region)
            .with_access_key_id(access_key_id)
            .with_secret_access_key(secret_access_key)
            .with_allow_http(*allow_http);
        if let Some(endpoint) = endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let store = builder
            .build()
            .map_err(|error| EvidenceError::Config(format!("{description}: {error}")))?;
        Ok((Self::new(Arc::new(store), prefix)?, description))
    }

    fn path(&self, sha: &Sha256Digest) -> ObjectPath {
        let key = blob_key(sha);
        let mut path = self.prefix.clone().unwrap_or_default();
        for part in key.split('/') {
            path = path.join(part);
        }
        path
    }

    /// Uploads the synced staging file; `false` when the address was taken.
    pub(crate) async fn store(
        &self,
        staging: &NamedTempFile,
        sha: &Sha256Digest,
        size: u64,
    ) -> Result<bool, BoxError> {
        let path = self.path(sha);
        match self.store.head(&path).await {
            Ok(_) => return Ok(false),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        let mut file = tokio::fs::File::from_std(staging.reopen()?);
        if size <= PART_SIZE as u64 {
            let mut bytes = Vec::with_capacity(usize::try_from(size)?);
            file.read_to_end(&mut bytes).await?;
            let payload = PutPayload::from(bytes);
            return match self
                .store
                .put_opts(&path, payload.clone(), PutMode::Create.into())
                .await
            {
                Ok(_) => Ok(true),
                Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
                Err(object_store::Error::NotImplemented { .. }) => {
                    self.store.put(&path, payload).await?;
                    Ok(true)
                }
                Err(error) => Err(error.into()),
            };
        }
        // Multipart uploads cannot be conditional in object_store; the
        // existence check above stands in (see the module comment).
        let mut upload = self.store.put_multipart(&path).await?;
        let sent: Result<(), BoxError> = async {
            loop {
                let part = read_part(&mut file).await?;
                if part.is_empty() {
                    break;
                }
                upload.put_part(PutPayload::from(part)).await?;
            }
            upload.complete().await?;
            Ok(())
        }
        .await;
        if let Err(error) = sent {
            // Best effort: an incomplete multipart upload is invisible to
            // readers, and buckets should expire those anyway.
            let _ = upload.abort().await;
            return Err(error);
        }
        Ok(true)
    }

    pub(crate) async fn read(&self, sha: &Sha256Digest) -> Result<Option<RawStream>, BoxError> {
        match self.store.get(&self.path(sha)).await {
            Ok(result) => Ok(Some(
                result
                    .into_stream()
                    .map(|chunk| chunk.map_err(BoxError::from))
                    .boxed(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    pub(crate) async fn list(&self) -> Result<Vec<Sha256Digest>, BoxError> {
        let root = self.prefix.clone().unwrap_or_default().join("sha256");
        let depth = root.parts().count();
        let mut objects = self.store.list(Some(&root));
        let mut blobs = Vec::new();
        while let Some(meta) = objects.next().await {
            let meta = meta?;
            let parts: Vec<_> = meta.location.parts().skip(depth).collect();
            if let [fan, name] = parts.as_slice()
                && name.as_ref().starts_with(fan.as_ref())
                && fan.as_ref().len() == 2
                && let Ok(sha) = name.as_ref().parse::<Sha256Digest>()
                && sha.to_string() == name.as_ref()
            {
                blobs.push(sha);
            }
        }
        Ok(blobs)
    }
}

/// Reads up to one part from `file`: exactly [`PART_SIZE`] bytes unless the
/// file ends first.
async fn read_part(file: &mut tokio::fs::File) -> std::io::Result<Bytes> {
    let mut part = Vec::with_capacity(PART_SIZE);
    let mut limited = file.take(PART_SIZE as u64);
    limited.read_to_end(&mut part).await?;
    Ok(Bytes::from(part))
}

/// reqwest is built without a bundled TLS provider so that aws-lc-rs (a C
/// build) stays out; it then uses the process-wide rustls default, which
/// this installs (ring) unless the program already chose one.
#[cfg(feature = "s3")]
fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing the race to another installer is fine: a provider is set.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
