//! `rampart service …` and `rampart team …`: the service catalog through
//! the server's API.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::ClientOptions;

#[derive(Debug, Args)]
pub struct ServiceArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: ServiceCommand,
}

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// List services (all, one team's, or the unowned ones)
    List {
        /// Only this team's services
        #[arg(long, value_name = "TEAM")]
        team: Option<String>,
        /// Only services without an owner
        #[arg(long, conflicts_with = "team")]
        unowned: bool,
    },
    /// Show one service
    Show {
        /// Service name
        name: String,
    },
    /// Add a service
    Create(ServiceFields),
    /// Change a service's fields (`--clear FIELD` empties one)
    Edit {
        #[command(flatten)]
        fields: ServiceFields,
        /// Fields to empty: title, description, owner, tier, classification,
        /// repository, on-call, champion, lifecycle, system
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
    /// Import Backstage catalog files (Component, System, Group, User
    /// entities; several documents per file). A re-import updates in place
    /// and reports what changed; nothing is deleted.
    Import {
        /// catalog-info.yaml files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Report what would change without changing anything
        #[arg(long)]
        dry_run: bool,
    },
}

/// A service's fields, as flags.
#[derive(Debug, Args)]
pub struct ServiceFields {
    /// Service name
    pub name: String,
    /// Name for people
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// What it does
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// The owning team
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// 1 (most critical) to 4
    #[arg(long, value_name = "N")]
    pub tier: Option<i64>,
    /// public, internal, confidential or restricted
    #[arg(long, value_name = "CLASS")]
    pub classification: Option<String>,
    /// Repository URL
    #[arg(long, value_name = "URL")]
    pub repository: Option<String>,
    /// Who is on call (rota, pager service, address)
    #[arg(long, value_name = "TEXT")]
    pub on_call: Option<String>,
    /// The security champion's login name
    #[arg(long, value_name = "USER")]
    pub champion: Option<String>,
    /// experimental, production, deprecated, …
    #[arg(long, value_name = "STAGE")]
    pub lifecycle: Option<String>,
    /// The system it belongs to
    #[arg(long, value_name = "SYSTEM")]
    pub system: Option<String>,
}

#[derive(Debug, Args)]
pub struct TeamArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: TeamCommand,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// List teams with their members and services
    List,
    /// Show one team
    Show {
        /// Team name
        name: String,
    },
    /// Add a team (admins and security)
    Create {
        /// Team name
        name: String,
        /// Name for people
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
        /// What the team does
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// The team's address
        #[arg(long, value_name = "EMAIL")]
        email: Option<String>,
        /// The parent team
        #[arg(long, value_name = "TEAM")]
        parent: Option<String>,
        /// A member's login name (repeat for more)
        #[arg(long = "member", value_name = "USER")]
        members: Vec<String>,
    },
    /// Set the members added in Rampart (imported members stay)
    Members {
        /// Team name
        name: String,
        /// Login names (none: remove every member added in Rampart)
        users: Vec<String>,
    },
}
