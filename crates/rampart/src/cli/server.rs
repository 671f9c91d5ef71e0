//! `rampart serve` and the commands that work on the server's database
//! directly: `user`, `token`, `audit`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use rampart_incident::GlobalRole;

/// Which server configuration and database a command uses. The same flags
/// and variables as `rampart serve`, so an operator's commands agree with
/// the running server.
#[derive(Debug, Args, Clone, Default)]
pub struct ServerLocation {
    /// Server configuration file (TOML) [env: RAMPART_CONFIG]
    #[arg(long, value_name = "FILE", env = "RAMPART_CONFIG")]
    pub config: Option<PathBuf>,

    /// Data directory: the SQLite database and the evidence store
    /// [default: from the config, else the user's data directory]
    #[arg(long, value_name = "DIR", env = "RAMPART_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// PostgreSQL URL (postgres://user@host/db) instead of SQLite
    #[arg(
        long,
        value_name = "URL",
        env = "RAMPART_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub location: ServerLocation,

    /// Address to listen on [default: from the config, else 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR", env = "RAMPART_LISTEN")]
    pub listen: Option<String>,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input
    Create(UserCreateArgs),
    /// List users and their roles
    List(UserListArgs),
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    #[command(flatten)]
    pub location: ServerLocation,

    /// Login name
    #[arg(long, value_name = "NAME")]
    pub name: String,

    /// Global role: admin, security, engineer or viewer
    #[arg(long, value_name = "ROLE")]
    pub role: GlobalRole,

    /// Read the password from standard input (one line; required, so that
    /// it never appears in the process list or shell history)
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    #[command(flatten)]
    pub location: ServerLocation,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once
    Create(TokenCreateArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[command(flatten)]
    pub location: ServerLocation,

    /// The user the token acts as
    #[arg(long, value_name = "NAME")]
    pub user: String,

    /// A label to tell tokens apart [default: cli-<date and time>]
    #[arg(long, value_name = "LABEL")]
    pub name: Option<String>,

    /// Days until the token stops working [default: never]
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub expires: Option<u32>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute the whole hash chain; exit 1 naming the first broken link
    Verify(AuditVerifyArgs),
    /// Print the chain's head (LENGTH:HASH) for anchoring elsewhere
    Head(AuditHeadArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub location: ServerLocation,

    /// A head printed earlier by `rampart audit head` (LENGTH:HASH); also
    /// detects rows deleted from the end and a rewritten chain
    #[arg(long, value_name = "LENGTH:HASH")]
    pub anchor: Option<rampart_audit::ChainSummary>,

    /// Do not re-hash the stored evidence blobs (by default every blob is
    /// checked against the SHA-256 recorded on intake)
    #[arg(long)]
    pub skip_evidence: bool,
}

#[derive(Debug, Args)]
pub struct AuditHeadArgs {
    #[command(flatten)]
    pub location: ServerLocation,
}
