//! The server's configuration. The binary fills it from defaults, a TOML
//! file and `RAMPART_*` environment variables, in that order.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Settings of `rampart serve`. Every field has a default, so an empty
/// TOML file is a working configuration for a local trial.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on. Default `127.0.0.1:8080`: only this machine
    /// until someone decides otherwise (put a TLS-terminating proxy in front
    /// before listening elsewhere).
    pub listen: SocketAddr,
    /// Directory for the SQLite database and, unless `[evidence.store]`
    /// says otherwise, the evidence store (`evidence/`). Default `./rampart-data`.
    pub data_dir: PathBuf,
    /// PostgreSQL URL (`postgres://user@host/db`); `None` means SQLite in
    /// `data_dir`. May contain a password, so it is never printed.
    pub database_url: Option<String>,
    /// The URL people use to reach the server (`https://rampart.example.com`),
    /// for links in notifications. `None` when unknown.
    pub public_url: Option<String>,
    /// Mark the session cookie `Secure` (sent over HTTPS only). Default
    /// false so that `http://localhost` works out of the box, and true
    /// when `public_url` is `https://…` (`rampart serve` decides that); set
    /// it whenever the server is reached over HTTPS, which is every deployment
    /// beyond a trial on one machine.
    pub secure_cookies: bool,
    /// How long a browser session lasts, in hours, regardless of activity. Default 12.
    pub session_ttl_hours: u32,
    /// Largest request body accepted, in bytes; larger ones get 413. Default 1 MiB.
    pub max_body_bytes: usize,
    /// Sign-in throttling.
    pub login_throttle: LoginThrottle,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed.
    /// Requests from them are throttled by the client address the proxy
    /// reports (the right-most one not itself a trusted proxy); from
    /// anywhere else the header is ignored, since anyone can send it.
    /// Default: none.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Evidence uploads and where they are kept.
    pub evidence: EvidenceConfig,
    /// Scan, SARIF and SBOM uploads, triage and the severity SLA.
    pub inventory: InventoryConfig,
}

/// `[inventory]`: limits on uploads, triage rules and the SLA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InventoryConfig {
    /// Largest scan, SARIF or SBOM upload, in bytes; larger ones get 413.
    /// Default 16 MiB (a SARIF log of tens of thousands of results).
    pub max_upload_bytes: usize,
    /// Most findings in one upload; more get 422. Default 50,000.
    pub max_findings: usize,
    /// Most components in one upload; more get 422. Default 100,000.
    pub max_components: usize,
    /// Longest an accepted risk may run before it must be accepted
    /// again, in days. Default 365.
    pub max_accept_days: u32,
    /// Most services a blast-radius answer attached to an incident keeps
    /// (the count of the rest is kept). Default 1,000.
    pub max_snapshot_services: usize,
    /// How often lapsed risk acceptances are written back as open, in
    /// minutes (reads treat them as open from the expiry on anyway).
    /// Default 10.
    pub expiry_sweep_minutes: u32,
    /// Days a finding of each severity may stay open (`[inventory.sla]`:
    /// `critical = 7`, …; a severity left out keeps its default, and
    /// `info` has no due date unless given one). Applied when a finding is
    /// first seen or reopened, so a change affects new findings only.
    pub sla: rampart_inventory::SlaPolicy,
}

impl Default for InventoryConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 16 * 1024 * 1024,
            max_findings: 50_000,
            max_components: 100_000,
            max_accept_days: 365,
            max_snapshot_services: 1_000,
            expiry_sweep_minutes: 10,
            sla: rampart_inventory::SlaPolicy::default(),
        }
    }
}

/// `[evidence]`: the evidence store and the upload limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    /// Largest evidence upload, in bytes; larger ones get 413 and nothing
    /// is stored. Default 4 GiB (a memory image or a day of proxy logs).
    pub max_upload_bytes: u64,
    /// Where blobs are kept: `kind = "local"` with `dir`, or `kind = "s3"`
    /// with `bucket`, `region`, optional `endpoint`, `prefix`, `allow_http`
    /// (keys from `RAMPART_EVIDENCE_S3_ACCESS_KEY_ID` /
    /// `RAMPART_EVIDENCE_S3_SECRET_ACCESS_KEY`). Default: the folder
    /// `evidence/` in the data directory.
    #[serde(skip_serializing)]
    pub store: Option<rampart_evidence::EvidenceStoreConfig>,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 4 * 1024 * 1024 * 1024,
            store: None,
        }
    }
}

impl ServerConfig {
    /// The evidence store's configuration: as configured, else the folder
    /// `evidence/` in the data directory.
    pub fn evidence_store(&self) -> rampart_evidence::EvidenceStoreConfig {
        self.evidence.store.clone().unwrap_or_else(|| {
            rampart_evidence::EvidenceStoreConfig::Local {
                dir: self.data_dir.join("evidence"),
            }
        })
    }

    /// Where uploads are staged while they are hashed: local disk in the
    /// data directory, whatever the store.
    pub fn evidence_staging_dir(&self) -> PathBuf {
        self.data_dir.join("evidence-staging")
    }
}

/// Failed sign-ins allowed per user name and per client address within a
/// sliding window; beyond that, sign-in answers 429 until the window passes.
/// Counted in the database, so every replica sees every failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginThrottle {
    /// Failures allowed within the window. Default 5.
    pub max_failures: u32,
    /// The window, in minutes. Default 15.
    pub window_minutes: u32,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_minutes: 15,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("rampart-data"),
            database_url: None,
            public_url: None,
            secure_cookies: false,
            session_ttl_hours: 12,
            max_body_bytes: 1024 * 1024,
            login_throttle: LoginThrottle::default(),
            trusted_proxies: Vec::new(),
            evidence: EvidenceConfig::default(),
            inventory: InventoryConfig::default(),
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may carry a password.
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<configured>"),
            )
            .field("public_url", &self.public_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("session_ttl_hours", &self.session_ttl_hours)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("login_throttle", &self.login_throttle)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("evidence", &self.evidence)
            .field("inventory", &self.inventory)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_an_empty_document_and_unknown_keys_are_rejected() {
        let config: ServerConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, ServerConfig::default());
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.session_ttl_hours, 12);
        assert_eq!(config.max_body_bytes, 1_048_576);
        assert_eq!(config.login_throttle.max_failures, 5);
        assert_eq!(config.login_throttle.window_minutes, 15);
        assert!(!config.secure_cookies);
        let partial: ServerConfig =
            serde_json::from_str(r#"{"login_throttle": {"max_failures": 3}}"#).unwrap();
        assert_eq!(partial.login_throttle.max_failures, 3);
        assert_eq!(partial.login_throttle.window_minutes, 15);
        assert!(serde_json::from_str::<ServerConfig>(r#"{"listn": "0.0.0.0:1"}"#).is_err());
    }

    #[test]
    fn debug_hides_the_database_url() {
        let config = ServerConfig {
            database_url: Some("postgres://rampart:hunter2@db/rampart".into()),
            ..ServerConfig::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
