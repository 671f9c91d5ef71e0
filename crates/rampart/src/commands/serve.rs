//! `rampart serve`: configuration from a TOML file, overridden by
//! `RAMPART_*` variables and flags; then the store, then the server.

use std::process::ExitCode;

use anyhow::Context;
use rampart_server::ServerConfig;

use crate::cli::{ServeArgs, ServerLocation};
use crate::server_store::{DatabaseLocation, block_on, open_database, read_config_table, resolve};

/// Configuration keys a `RAMPART_<KEY>` variable may set (`__` separates a
/// table from its key). Flags cover `listen`, `data_dir` and `database_url`.
const ENV_KEYS: &[&str] = &[
    "public_url",
    "secure_cookies",
    "session_ttl_hours",
    "max_body_bytes",
    "login_throttle__max_failures",
    "login_throttle__window_minutes",
    "trusted_proxies",
    "evidence__max_upload_bytes",
    "inventory__max_upload_bytes",
    "inventory__max_findings",
    "inventory__max_components",
    "inventory__max_accept_days",
    "inventory__max_snapshot_services",
    "inventory__expiry_sweep_minutes",
];

/// Keys whose variable is a comma-separated list (`RAMPART_TRUSTED_PROXIES=10.0.0.2,10.0.0.3`).
const LIST_KEYS: &[&str] = &["trusted_proxies"];

/// The effective configuration: file, then environment, then flags.
pub fn load_config(args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    load_config_at(&args.location, args.listen.as_deref())
}

/// The effective configuration for a server at `location` (what the
/// operator commands need to find the evidence store).
pub fn load_config_at(
    location: &ServerLocation,
    listen: Option<&str>,
) -> anyhow::Result<ServerConfig> {
    let mut table = read_config_table(location.config.as_deref())?;
    for key in ENV_KEYS {
        let variable = format!("RAMPART_{}", key.to_uppercase());
        if let Ok(value) = std::env::var(&variable) {
            let value = if LIST_KEYS.contains(key) {
                toml::Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|item| !item.is_empty())
                        .map(|item| toml::Value::String(item.to_owned()))
                        .collect(),
                )
            } else {
                scalar(&value)
            };
            set_path(&mut table, key, value)
                .with_context(|| format!("{variable} cannot be applied"))?;
        }
    }
    let (database, data_dir) = resolve(location)?;
    table.insert(
        "data_dir".to_owned(),
        toml::Value::String(data_dir.to_string_lossy().into_owned()),
    );
    match database {
        DatabaseLocation::Postgres { url } => {
            table.insert("database_url".to_owned(), toml::Value::String(url));
        }
        DatabaseLocation::Sqlite { .. } => {
            table.remove("database_url");
        }
    }
    if let Some(listen) = listen {
        table.insert("listen".to_owned(), toml::Value::String(listen.to_owned()));
    }
    default_secure_cookies(&mut table);
    let origin = match &location.config {
        Some(path) => format!("configuration {}", path.display()),
        None => "configuration".to_owned(),
    };
    let mut config = toml::Value::Table(table)
        .try_into::<ServerConfig>()
        .with_context(|| format!("invalid {origin}"))?;
    // Object-storage keys come from the environment, so the configuration
    // file can be shared and checked in.
    if let Some(rampart_evidence::EvidenceStoreConfig::S3 {
        access_key_id,
        secret_access_key,
        ..
    }) = &mut config.evidence.store
    {
        for (variable, slot) in [
            ("RAMPART_EVIDENCE_S3_ACCESS_KEY_ID", access_key_id),
            ("RAMPART_EVIDENCE_S3_SECRET_ACCESS_KEY", secret_access_key),
        ] {
            if let Ok(value) = std::env::var(variable) {
                *slot = value;
            }
        }
    }
    Ok(config)
}

/// A server people reach over HTTPS (its `public_url` says so) marks the
/// session cookie `Secure` unless the configuration says otherwise: the
/// safe setting should not depend on the operator remembering it.
fn default_secure_cookies(table: &mut toml::Table) {
    let https = table
        .get("public_url")
        .and_then(toml::Value::as_str)
        .is_some_and(|url| url.to_ascii_lowercase().starts_with("https://"));
    if https && !table.contains_key("secure_cookies") {
        table.insert("secure_cookies".to_owned(), toml::Value::Boolean(true));
    }
}

/// Opens the evidence store the configuration names.
pub fn open_evidence(config: &ServerConfig) -> anyhow::Result<rampart_evidence::EvidenceStore> {
    let store_config = config.evidence_store();
    rampart_evidence::EvidenceStore::open(&store_config, &config.evidence_staging_dir())
        .with_context(|| format!("cannot open the evidence store {store_config:?}"))
}

/// Staging files older than this are left over from a crash mid-upload
/// (a live upload keeps writing its file); younger ones may belong to
/// another server sharing the data directory.
const STALE_STAGING: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes upload staging files a crashed server left behind. They were
/// never acknowledged, so no evidence record points at them.
fn remove_stale_staging(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(".ingest-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > STALE_STAGING);
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!(file = %entry.path().display(), "removed a stale upload staging file");
        }
    }
}

/// A variable's text as the TOML scalar it looks like: `true`, `42`, else a string.
fn scalar(text: &str) -> toml::Value {
    if let Ok(flag) = text.parse::<bool>() {
        return toml::Value::Boolean(flag);
    }
    if let Ok(number) = text.parse::<i64>() {
        return toml::Value::Integer(number);
    }
    toml::Value::String(text.to_owned())
}

fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) -> anyhow::Result<()> {
    match key.split_once("__") {
        None => {
            table.insert(key.to_owned(), value);
            Ok(())
        }
        Some((head, rest)) => {
            let entry = table
                .entry(head.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let inner = entry
                .as_table_mut()
                .with_context(|| format!("`{head}` in the configuration is not a table"))?;
            set_path(inner, rest, value)
        }
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let config = load_config(&args)?;
    let (database, _) = resolve(&args.location)?;
    let evidence = open_evidence(&config)?;
    remove_stale_staging(evidence.staging_dir());
    block_on(async move {
        let store = open_database(&database).await?;
        if store
            .list_users()
            .await
            .context("cannot read users")?
            .is_empty()
        {
            let location = match &database {
                DatabaseLocation::Sqlite { data_dir } => {
                    format!("--data-dir {}", shell_word(&data_dir.to_string_lossy()))
                }
                DatabaseLocation::Postgres { .. } => {
                    "--database-url \"$RAMPART_DATABASE_URL\"".to_owned()
                }
            };
            tracing::warn!(
                "no users yet; create the first admin with: \
                 rampart user create {location} --name admin --role admin --password-stdin"
            );
        }
        rampart_server::serve(config, store, evidence, shutdown_signal())
            .await
            .context("the server stopped with an error")?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Quotes a path for a copy-pasteable hint.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Logs to standard error; `RUST_LOG` filters (default `info`), and
/// `RAMPART_LOG_FORMAT=json` gives one JSON object per line for collectors.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("RAMPART_LOG_FORMAT").is_ok_and(|format| format == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish and the
/// database closes cleanly.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        let mut table: toml::Table = text.parse().unwrap();
        default_secure_cookies(&mut table);
        table
    }

    #[test]
    fn an_https_public_url_makes_the_cookie_secure_unless_told_otherwise() {
        let secure = |t: &toml::Table| t.get("secure_cookies").and_then(toml::Value::as_bool);
        assert_eq!(
            secure(&table(r#"public_url = "https://rampart.example.com""#)),
            Some(true)
        );
        assert_eq!(
            secure(&table(r#"public_url = "HTTPS://rampart.example.com""#)),
            Some(true)
        );
        assert_eq!(
            secure(&table(r#"public_url = "http://localhost:8080""#)),
            None
        );
        assert_eq!(secure(&table("")), None);
        assert_eq!(
            secure(&table(
                "public_url = \"https://r.example\"\nsecure_cookies = false"
            )),
            Some(false)
        );
    }
}
