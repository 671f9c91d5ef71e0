//! The commands that talk to a running server: `incident`, `break-glass`,
//! `notifications`.

use clap::{Args, Subcommand};
use rampart_incident::{ActionItemKind, IncidentId, IncidentSeverity, MemberRole, StepState, Tlp};

/// Where the server is and who we are to it.
#[derive(Debug, Args, Clone)]
pub struct ClientOptions {
    /// Server URL, e.g. https://rampart.example.org
    #[arg(long, global = true, value_name = "URL", env = "RAMPART_URL")]
    pub url: Option<String>,

    /// API token (create one with `rampart token create`)
    #[arg(
        long,
        global = true,
        value_name = "TOKEN",
        env = "RAMPART_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// Print the server's JSON instead of tables
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IncidentArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: IncidentCommand,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Declare an incident; you become its commander
    Declare(DeclareArgs),
    /// List the incidents you may see
    List,
    /// Show an incident with its 14 steps
    Show {
        /// Incident id (SEC-YYYY-NNNN)
        id: IncidentId,
    },
    /// Change a step's state, owner or notes
    Step(StepArgs),
    /// Members of an incident
    Member(MemberArgs),
    /// The attack timeline (step 5): what the attacker did, when
    Timeline(TimelineArgs),
    /// Action items (step 9): mitigations, monitoring, process changes
    Action(ActionArgs),
    /// Structured records of any step (containment, vectors, assets, …)
    Record(RecordArgs),
    /// The response log: what the team did, written automatically
    Log {
        /// Incident id
        id: IncidentId,
    },
    /// Close an incident (every step done or not needed)
    Close {
        /// Incident id
        id: IncidentId,
    },
    /// Reopen a closed incident
    Reopen {
        /// Incident id
        id: IncidentId,
    },
    /// Ask to join an incident, or decide others' requests
    Access(AccessArgs),
    /// Emergency access without the commander: needs a reason and a second
    /// approver with the security role; the commander is told at once
    BreakGlass {
        /// Incident id
        id: IncidentId,
        /// Why it cannot wait for the commander
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct DeclareArgs {
    /// Short title (seen only by members; notifications use the codename)
    #[arg(long, value_name = "TEXT")]
    pub title: String,
    /// SEV1 (worst) to SEV4
    #[arg(long, value_name = "SEV")]
    pub severity: IncidentSeverity,
    /// TLP 2.0 marking: clear, green, amber, amber+strict or red
    #[arg(long, value_name = "TLP", default_value = "amber+strict")]
    pub tlp: Tlp,
    /// Longer summary
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
}

#[derive(Debug, Args)]
pub struct StepArgs {
    /// Incident id
    pub id: IncidentId,
    /// Step number, 1–14
    #[arg(value_parser = clap::value_parser!(u8).range(1..=14))]
    pub step: u8,
    /// New state: pending, in_progress, done or not_needed
    #[arg(long, value_name = "STATE", value_parser = parse_step_state)]
    pub state: Option<StepState>,
    /// Why (required for not_needed, and for assembling the team before
    /// containment)
    #[arg(long, value_name = "TEXT")]
    pub rationale: Option<String>,
    /// Who owns the step (a user name)
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,
    /// Replace the step's notes
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
}

fn parse_step_state(text: &str) -> Result<StepState, String> {
    serde_json::from_value(serde_json::Value::String(text.replace('-', "_"))).map_err(|_| {
        format!("`{text}` is not a step state: pending, in_progress, done, not_needed")
    })
}

#[derive(Debug, Args)]
pub struct MemberArgs {
    #[command(subcommand)]
    pub command: MemberCommand,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// List members with their roles
    List {
        /// Incident id
        id: IncidentId,
    },
    /// Add a member
    Add {
        /// Incident id
        id: IncidentId,
        /// User name
        user: String,
        /// commander, deputy, scribe, responder, forensics, legal,
        /// communications or observer
        #[arg(long, value_name = "ROLE")]
        role: MemberRole,
    },
    /// Change a member's role
    Role {
        /// Incident id
        id: IncidentId,
        /// User name
        user: String,
        /// The new role
        role: MemberRole,
    },
    /// Remove a member
    Remove {
        /// Incident id
        id: IncidentId,
        /// User name
        user: String,
    },
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(subcommand)]
    pub command: TimelineCommand,
}

#[derive(Debug, Subcommand)]
pub enum TimelineCommand {
    /// Record something the attacker did
    Add {
        /// Incident id
        id: IncidentId,
        /// When it happened (RFC 3339, e.g. 2026-11-02T03:14:00Z)
        #[arg(long, value_name = "TIME")]
        at: jiff::Timestamp,
        /// The zone the source reported the time in
        #[arg(long, value_name = "ZONE", default_value = "UTC")]
        timezone: String,
        /// Where we learned it (a log, a report)
        #[arg(long, value_name = "TEXT")]
        source: String,
        /// What happened
        #[arg(long, value_name = "TEXT")]
        description: String,
        /// Believed but not yet proven
        #[arg(long)]
        suspected: bool,
    },
    /// Show the attack timeline, by event time
    List {
        /// Incident id
        id: IncidentId,
    },
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    #[command(subcommand)]
    pub command: ActionCommand,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action item
    Add {
        /// Incident id
        id: IncidentId,
        /// What is to be done
        #[arg(long, value_name = "TEXT")]
        title: String,
        /// Who answers for it
        #[arg(long, value_name = "USER")]
        owner: String,
        /// Due date (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        due: jiff::civil::Date,
        /// mitigation, monitoring or process
        #[arg(long, value_name = "KIND", default_value = "mitigation", value_parser = parse_action_kind)]
        kind: ActionItemKind,
    },
    /// List action items
    List {
        /// Incident id
        id: IncidentId,
    },
    /// Change an action item's status
    Status {
        /// Incident id
        id: IncidentId,
        /// Record id of the action item
        record: i64,
        /// open, in_progress or done
        status: String,
    },
}

fn parse_action_kind(text: &str) -> Result<ActionItemKind, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| {
        format!("`{text}` is not an action-item kind: mitigation, monitoring, process")
    })
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    pub command: RecordCommand,
}

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Add a record given as JSON, e.g.
    /// --kind containment_action --fields '{"what_stopped": "…", "how": "…", "at": "2026-11-27T10:00:00Z"}'
    Add {
        /// Incident id
        id: IncidentId,
        /// containment_action, attack_vector, affected_asset,
        /// compromised_data_set, system_risk_assessment,
        /// re_attack_assessment, action_item, attack_timeline_entry
        #[arg(long, value_name = "KIND")]
        kind: String,
        /// The record's fields as a JSON object
        #[arg(long, value_name = "JSON")]
        fields: String,
    },
    /// List records, optionally of one step
    List {
        /// Incident id
        id: IncidentId,
        /// Only this step's records
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=14))]
        step: Option<u8>,
    },
}

#[derive(Debug, Args)]
pub struct AccessArgs {
    #[command(subcommand)]
    pub command: AccessCommand,
}

#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Ask the commander to let you join
    Request {
        /// Incident id
        id: IncidentId,
        /// The member role you ask for
        #[arg(long, value_name = "ROLE", default_value = "observer")]
        role: MemberRole,
        /// Why you need to know
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// List access requests (commander, deputy)
    List {
        /// Incident id
        id: IncidentId,
    },
    /// Approve an access request
    Approve {
        /// Incident id
        id: IncidentId,
        /// Request id
        request: i64,
    },
    /// Deny an access request
    Deny {
        /// Incident id
        id: IncidentId,
        /// Request id
        request: i64,
        /// Why (shown to the requester)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct BreakGlassArgs {
    #[command(flatten)]
    pub client: ClientOptions,
    #[command(subcommand)]
    pub command: BreakGlassCommand,
}

#[derive(Debug, Subcommand)]
pub enum BreakGlassCommand {
    /// Requests awaiting a second approver
    List,
    /// Approve a request: the requester gets access, the commander is told
    Approve {
        /// Request id
        request: i64,
    },
    /// Reject a request
    Reject {
        /// Request id
        request: i64,
    },
}

#[derive(Debug, Args)]
pub struct NotificationArgs {
    #[command(flatten)]
    pub client: ClientOptions,
}
