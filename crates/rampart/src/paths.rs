//! Where Rampart keeps its files by default.

use std::path::PathBuf;

/// The advisory database: `--db`/`RAMPART_DB`, else the user's cache
/// directory (`$XDG_CACHE_HOME/rampart/advisories.db` on Linux).
pub fn advisory_db(explicit: &Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.clone());
    }
    let cache = dirs::cache_dir().ok_or_else(|| {
        anyhow::anyhow!(
            "no cache directory is known for this user; pass --db PATH or set RAMPART_DB"
        )
    })?;
    Ok(cache.join("rampart").join("advisories.db"))
}
