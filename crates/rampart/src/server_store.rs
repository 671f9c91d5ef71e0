//! Finding and opening the server's database, the same way for `serve`
//! and for the commands that work on the database directly.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rampart_store::Store;

use crate::cli::ServerLocation;

/// The server configuration file, parsed but not yet validated, so that
/// `user`/`token`/`audit` need only its location fields.
pub fn read_config_table(path: Option<&Path>) -> anyhow::Result<toml::Table> {
    let Some(path) = path else {
        return Ok(toml::Table::new());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    text.parse::<toml::Table>()
        .with_context(|| format!("{} is not valid TOML", path.display()))
}

/// Where the database is: a PostgreSQL URL, or SQLite in a data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// `rampart.db` in this directory.
    Sqlite { data_dir: PathBuf },
    /// A PostgreSQL server.
    Postgres { url: String },
}

/// Flags and `RAMPART_*` variables (clap merges those two) win over the
/// configuration file, which wins over the default data directory.
pub fn resolve(location: &ServerLocation) -> anyhow::Result<(DatabaseLocation, PathBuf)> {
    let table = read_config_table(location.config.as_deref())?;
    let data_dir = match (&location.data_dir, table.get("data_dir")) {
        (Some(dir), _) => dir.clone(),
        (None, Some(value)) => PathBuf::from(value.as_str().with_context(
            || "configuration field `data_dir` must be a string (a directory path)",
        )?),
        (None, None) => default_data_dir()?,
    };
    let url = match (&location.database_url, table.get("database_url")) {
        (Some(url), _) => Some(url.clone()),
        (None, Some(value)) => Some(
            value
                .as_str()
                .context("configuration field `database_url` must be a string")?
                .to_owned(),
        ),
        (None, None) => None,
    };
    let database = match url {
        Some(url) => DatabaseLocation::Postgres { url },
        None => DatabaseLocation::Sqlite {
            data_dir: data_dir.clone(),
        },
    };
    Ok((database, data_dir))
}

/// `$XDG_DATA_HOME/rampart` (`~/.local/share/rampart`) on Linux.
pub fn default_data_dir() -> anyhow::Result<PathBuf> {
    let base = dirs::data_local_dir().context(
        "no data directory is known for this user; pass --data-dir DIR or set RAMPART_DATA_DIR",
    )?;
    Ok(base.join("rampart"))
}

/// Opens (and migrates) the store the location names.
pub async fn open_database(database: &DatabaseLocation) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match database {
        DatabaseLocation::Sqlite { data_dir } => {
            let store = rampart_store_sqlite::SqliteStore::open_in_data_dir(data_dir)
                .await
                .with_context(|| format!("cannot open the database in {}", data_dir.display()))?;
            Arc::new(store)
        }
        DatabaseLocation::Postgres { url } => {
            let store = rampart_store_postgres::PostgresStore::connect(url)
                .await
                .context("cannot open the PostgreSQL database")?;
            Arc::new(store)
        }
    })
}

/// Resolves and opens in one go, for the commands that only need the store.
pub async fn open_store(location: &ServerLocation) -> anyhow::Result<Arc<dyn Store>> {
    let (database, _) = resolve(location)?;
    open_database(&database).await
}

/// Runs a future on a runtime made for one command.
pub fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(future)
}
