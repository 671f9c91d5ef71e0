//! The commands that talk to a running server: `incident`, `break-glass`,
//! `notifications`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use rampart_incident::{
    ActionItemKind, Audience, IncidentId, IncidentSeverity, MemberRole, StepState, Tlp,
};

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
    /// The post-incident report, generated from the records
    Report(ReportArgs),
    /// The VERIS-style classification (actor, action, asset, attribute) as JSON
    Veris {
        /// Incident id
        id: IncidentId,
        /// Write it to this file instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Indicators of compromise, as a table, JSON or a STIX 2.1 bundle
    Indicators(IndicatorArgs),
    /// The compromised-credential register (by fingerprint, never the value)
    Credentials {
        /// Incident id
        id: IncidentId,
    },
    /// Internal (step 11) and external (step 14) communication: drafts,
    /// approvals, the insider sign-off, sending
    Comms(CommsArgs),
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
    /// Add a record given as JSON (`--help` shows an example per kind)
    #[command(after_long_help = RECORD_EXAMPLES)]
    Add {
        /// Incident id
        id: IncidentId,
        /// containment_action, attack_vector, affected_asset,
        /// attack_timeline_entry, compromised_data_set,
        /// system_risk_assessment, re_attack_assessment, action_item,
        /// compromised_credential, indicator, attribution, lesson_learned,
        /// forensic_analysis, internal_comms_decision, law_enforcement,
        /// outside_party, external_comms_decision. Evidence and
        /// communication drafts have their own commands (`rampart evidence`,
        /// `rampart incident comms`).
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

/// Who the post-incident report is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportAudience {
    /// Everything the records hold
    Internal,
    /// Leaves out restricted detail (TLP:RED/AMBER items, member names,
    /// evidence locations)
    External,
}

/// The post-incident report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown
    Markdown,
    /// A standalone HTML page
    Html,
    /// The report's data as JSON
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Incident id
    pub id: IncidentId,
    /// internal or external
    #[arg(long, value_enum, default_value = "internal")]
    pub audience: ReportAudience,
    /// markdown, html or json
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write it to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IndicatorArgs {
    /// Incident id
    pub id: IncidentId,
    /// A STIX 2.1 bundle instead of a table
    #[arg(long)]
    pub stix: bool,
    /// With --stix: leave out indicators marked more restrictively than
    /// this TLP (clear, green, amber, amber+strict, red)
    #[arg(long, value_name = "TLP", requires = "stix")]
    pub max_tlp: Option<Tlp>,
    /// Write the bundle (or, without --stix, the JSON list) to this file
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CommsArgs {
    #[command(subcommand)]
    pub command: CommsCommand,
}

#[derive(Debug, Subcommand)]
pub enum CommsCommand {
    /// List drafts and decisions of steps 11 and 14
    List {
        /// Incident id
        id: IncidentId,
    },
    /// Write a new draft (internal: step 11; customers, regulators,
    /// partners, public: step 14)
    Draft {
        /// Incident id
        id: IncidentId,
        /// internal, customers, regulators, partners or public
        #[arg(long, value_name = "AUDIENCE", value_parser = parse_audience)]
        audience: Audience,
        #[command(flatten)]
        text: DraftText,
    },
    /// Change a draft's text (clears its approvals); unchanged fields stay
    Edit {
        /// Incident id
        id: IncidentId,
        /// The draft's record id (from `comms list`)
        draft: i64,
        /// A new audience (of the same step)
        #[arg(long, value_name = "AUDIENCE", value_parser = parse_audience)]
        audience: Option<Audience>,
        #[command(flatten)]
        text: DraftEdit,
    },
    /// Approve a draft as its commander or legal member
    Approve {
        /// Incident id
        id: IncidentId,
        /// The draft's record id
        draft: i64,
    },
    /// Sign off that the attack is not believed to be internal (internal
    /// drafts only, before sending)
    Signoff {
        /// Incident id
        id: IncidentId,
        /// The draft's record id
        draft: i64,
        /// On what grounds
        #[arg(long, value_name = "TEXT")]
        rationale: String,
    },
    /// Record that an approved draft went out
    Sent {
        /// Incident id
        id: IncidentId,
        /// The draft's record id
        draft: i64,
        /// How it went out ("all-staff e-mail", "status page")
        #[arg(long, value_name = "TEXT")]
        channel: String,
        /// When, if not now (RFC 3339)
        #[arg(long, value_name = "TIME")]
        at: Option<jiff::Timestamp>,
    },
}

/// A new draft's text.
#[derive(Debug, Args)]
pub struct DraftText {
    /// Title; an external one should carry a date
    #[arg(long, value_name = "TEXT")]
    pub title: String,
    /// The text (or --body-file)
    #[arg(
        long,
        value_name = "TEXT",
        conflicts_with = "body_file",
        required_unless_present = "body_file"
    )]
    pub body: Option<String>,
    /// Read the text from this file (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// External: what was compromised
    #[arg(long, value_name = "TEXT")]
    pub compromised: Option<String>,
    /// External: what was not compromised
    #[arg(long, value_name = "TEXT")]
    pub not_compromised: Option<String>,
    /// External: what the recipients must do
    #[arg(long, value_name = "TEXT")]
    pub recipient_actions: Option<String>,
}

/// Changes to a draft's text; absent fields stay as they are.
#[derive(Debug, Args)]
pub struct DraftEdit {
    /// New title
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// New text
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the new text from this file (`-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// What was compromised
    #[arg(long, value_name = "TEXT")]
    pub compromised: Option<String>,
    /// What was not compromised
    #[arg(long, value_name = "TEXT")]
    pub not_compromised: Option<String>,
    /// What the recipients must do
    #[arg(long, value_name = "TEXT")]
    pub recipient_actions: Option<String>,
}

fn parse_audience(text: &str) -> Result<Audience, String> {
    serde_json::from_value(serde_json::Value::String(text.to_ascii_lowercase())).map_err(|_| {
        format!("`{text}` is not an audience: internal, customers, regulators, partners, public")
    })
}

/// One example per kind for `incident record add --help`, each checked by a
/// test against the API's record types.
pub const RECORD_EXAMPLES: &str = r#"Examples, one per kind (times are RFC 3339; evidence, entries and assets are record ids):
  --kind containment_action --fields '{"what_stopped": "outbound traffic from build-7",
      "how": "security group closed", "at": "2026-11-27T10:00:00Z"}'
  --kind compromised_credential --fields '{"fingerprint": "e48118919b155e2530c4e202bf6fe7d2",
      "description": "CI deploy token", "provider": "GitHub", "used_in": ["deploy pipeline"],
      "owner": "platform team", "rotated": true, "rotated_at": "2026-11-27T11:00:00Z"}'
  --kind indicator --fields '{"kind": "ip", "value": "203.0.113.7", "tlp": "amber",
      "pap": "green", "description": "C2 server", "first_seen": "2026-11-20T02:00:00Z",
      "techniques": ["T1071.001"], "timeline_entries": [], "assets": []}'
  --kind attribution --fields '{"actor": "external", "variety": "organized crime",
      "motive": "financial", "certainty": "suspected",
      "rationale": "wallet seen in other campaigns"}'
  --kind lesson_learned --fields '{"kind": "to_improve", "lesson": "CI tokens never rotated"}'
  --kind forensic_analysis --fields '{"title": "persistence on build-7", "evidence": [12],
      "method": "plaso timeline of the disk image", "result": "cron entry of 2026-11-20"}'
  --kind internal_comms_decision --fields '{"needed": true,
      "rationale": "engineers must rotate their tokens", "decided_by": "alice"}'
  --kind external_comms_decision --fields '{"needed": false,
      "rationale": "no customer data reached", "decided_by": "alice"}'
  --kind law_enforcement --fields '{"decision": "involved", "agency": "BKA Cybercrime",
      "case_reference": "2026-4711", "contact": "duty officer, +49 611 55-0",
      "contacted_at": "2026-11-28T09:00:00Z"}'
  --kind law_enforcement --fields '{"decision": "not_needed",
      "rationale": "no crime against third parties"}'
  --kind outside_party --fields '{"organisation": "Example Hosting",
      "role_in_attack": "hosted the C2 server", "security_contact": "abuse@hosting.example",
      "contact_verified_how": "security.txt on their domain, confirmed by phone",
      "notified_at": "2026-11-28T10:00:00Z", "notified_by": "alice"}'"#;

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
