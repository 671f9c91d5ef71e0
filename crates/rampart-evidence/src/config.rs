//! Where the evidence store keeps its blobs.

use std::fmt;
use std::path::PathBuf;

/// The evidence store's backend, as the server's configuration names it
/// (`[evidence.store]` with `kind = "local"` or `kind = "s3"`).
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum EvidenceStoreConfig {
    /// A folder on the local file system (by default under the data directory).
    Local {
        /// The folder holding `sha256/…`.
        dir: PathBuf,
    },
    /// S3-compatible object storage.
    S3 {
        /// The bucket.
        bucket: String,
        /// A key prefix inside the bucket, without leading or trailing `/`.
        #[serde(default)]
        prefix: Option<String>,
        /// The endpoint URL for S3-compatible services (MinIO, Ceph, …);
        /// AWS when absent.
        #[serde(default)]
        endpoint: Option<String>,
        /// The region (S3-compatible services mostly accept any).
        region: String,
        /// Allow a plain `http://` endpoint.
        #[serde(default)]
        allow_http: bool,
        /// The access key id. The server may fill it in from its
        /// environment after reading the file, so it may be absent there.
        #[serde(default)]
        access_key_id: String,
        /// The secret access key; never logged or displayed.
        #[serde(default)]
        secret_access_key: String,
    },
}

impl fmt::Debug for EvidenceStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local { dir } => f.debug_struct("Local").field("dir", dir).finish(),
            Self::S3 {
                bucket,
                prefix,
                endpoint,
                region,
                allow_http,
                access_key_id,
                secret_access_key,
            } => {
                // The key id is not secret on its own, but it names the
                // account; both are redacted so no log line carries either.
                let redact = |value: &str| {
                    if value.is_empty() {
                        "<unset>"
                    } else {
                        "<redacted>"
                    }
                };
                f.debug_struct("S3")
                    .field("bucket", bucket)
                    .field("prefix", prefix)
                    .field("endpoint", endpoint)
                    .field("region", region)
                    .field("allow_http", allow_http)
                    .field("access_key_id", &redact(access_key_id))
                    .field("secret_access_key", &redact(secret_access_key))
                    .finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_kinds_from_toml() {
        let local: EvidenceStoreConfig =
            toml::from_str("kind = \"local\"\ndir = \"/var/lib/rampart/evidence\"\n").unwrap();
        assert_eq!(
            local,
            EvidenceStoreConfig::Local {
                dir: "/var/lib/rampart/evidence".into()
            }
        );
        let s3: EvidenceStoreConfig = toml::from_str(
            "kind = \"s3\"\nbucket = \"ev\"\nregion = \"eu-west-1\"\n\
             endpoint = \"http://127.0.0.1:9000\"\nallow_http = true\n",
        )
        .unwrap();
        assert_eq!(
            s3,
            EvidenceStoreConfig::S3 {
                bucket: "ev".into(),
                prefix: None,
                endpoint: Some("http://127.0.0.1:9000".into()),
                region: "eu-west-1".into(),
                allow_http: true,
                access_key_id: String::new(),
                secret_access_key: String::new(),
            }
        );
    }

    #[test]
    fn unknown_fields_and_kinds_are_refused() {
        let error = toml::from_str::<EvidenceStoreConfig>(
            "kind = \"local\"\ndir = \"/x\"\nbukket = \"typo\"\n",
        )
        .unwrap_err();
        assert!(error.to_string().contains("bukket"), "{error}");
        let error =
            toml::from_str::<EvidenceStoreConfig>("kind = \"ftp\"\ndir = \"/x\"\n").unwrap_err();
        assert!(error.to_string().contains("ftp"), "{error}");
    }

    #[test]
    fn debug_never_shows_the_keys() {
        let config = EvidenceStoreConfig::S3 {
            bucket: "ev".into(),
            prefix: Some("p".into()),
            endpoint: None,
            region: "us-east-1".into(),
            allow_http: false,
            access_key_id: "AKIAEXAMPLEKEYID0000".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        };
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("AKIAEXAMPLE"), "{shown}");
        assert!(!shown.contains("wJalr"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
