//! `rampart incident …`, `rampart break-glass …`, `rampart notifications`:
//! a client of the server's API, configured by `RAMPART_URL` and
//! `RAMPART_TOKEN`. Tables for people, `--json` for scripts.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use rampart_api::{
    AddMemberRequest, ChangeMemberRoleRequest, CreateAccessRequest, CreateBreakGlassRequest,
    DecisionRequest, DeclareIncidentRequest, DraftRequest, IncidentDetail, MemberView, RecordInput,
    RecordList, RecordView, ReportQuery, SentRequest, SignoffRequest, StepView, UpdateStepRequest,
};
use rampart_client::Client;
use rampart_incident::{
    ActionItem, ActionItemStatus, AttackTimelineInput, Audience, Certainty, CommsDraft,
    NonEmptyText, Step, StepRecord, TimeZoneName, UserName,
};
use serde::Serialize;

use crate::cli::{
    AccessCommand, ActionCommand, BreakGlassArgs, BreakGlassCommand, ClientOptions, CommsCommand,
    IncidentArgs, IncidentCommand, MemberCommand, NotificationArgs, RecordCommand, ReportAudience,
    ReportFormat, TimelineCommand,
};

pub(crate) fn connect(options: &ClientOptions) -> anyhow::Result<Client> {
    let url = options
        .url
        .as_deref()
        .context("no server given: pass --url or set RAMPART_URL (e.g. http://127.0.0.1:8080)")?;
    let token = options.token.clone().context(
        "no API token given: set RAMPART_TOKEN (create one with `rampart token create` on the \
         server, or `POST /api/v1/tokens` when signed in)",
    )?;
    Ok(Client::new(url, Some(token))?)
}

/// Prints `value` as JSON when asked, else runs `table`.
pub(crate) fn emit<T: Serialize>(
    options: &ClientOptions,
    value: &T,
    table: impl FnOnce(&T),
) -> anyhow::Result<ExitCode> {
    if options.json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        table(value);
    }
    Ok(ExitCode::SUCCESS)
}

fn text(field: &'static str, value: &str) -> anyhow::Result<NonEmptyText> {
    NonEmptyText::parse(field, value).map_err(|error| anyhow::anyhow!("--{field}: {error}"))
}

pub fn run(args: IncidentArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let client = connect(options)?;
    match args.command {
        IncidentCommand::Declare(declare) => {
            let detail = client.declare(&DeclareIncidentRequest {
                title: declare.title,
                severity: declare.severity,
                tlp: declare.tlp,
                summary: declare.summary,
                detected_by: None,
            })?;
            emit(options, &detail, |detail| {
                println!(
                    "declared {} ({}), you are its commander",
                    detail.incident.id, detail.incident.codename
                );
                println!(
                    "start with step 1: rampart incident step {} 1 --state in_progress",
                    detail.incident.id
                );
            })
        }
        IncidentCommand::List => {
            let list = client.incidents()?;
            emit(options, &list, |list| {
                if list.incidents.is_empty() {
                    println!("no incidents you may see");
                    return;
                }
                println!(
                    "{:<14}  {:<5}  {:<16}  {:<7}  {:<22}  TITLE",
                    "ID", "SEV", "TLP", "STATUS", "CODENAME"
                );
                for incident in &list.incidents {
                    println!(
                        "{:<14}  {:<5}  {:<16}  {:<7}  {:<22}  {}",
                        incident.id.to_string(),
                        incident.severity.as_str(),
                        incident.tlp.as_str(),
                        status_name(&incident.status),
                        incident.codename.as_str(),
                        incident.title
                    );
                }
            })
        }
        IncidentCommand::Show { id } => {
            let detail = client.incident(id)?;
            emit(options, &detail, print_detail)
        }
        IncidentCommand::Step(step_args) => {
            let step = Step::from_number(step_args.step).context("step must be 1–14")?;
            if step_args.state.is_none()
                && step_args.rationale.is_none()
                && step_args.owner.is_none()
                && step_args.notes.is_none()
            {
                anyhow::bail!("nothing to change: give --state, --rationale, --owner or --notes");
            }
            let response = client.update_step(
                step_args.id,
                step,
                &UpdateStepRequest {
                    state: step_args.state,
                    rationale: step_args.rationale,
                    owner: step_args
                        .owner
                        .map(|owner| (!owner.is_empty()).then_some(owner)),
                    notes: step_args
                        .notes
                        .map(|notes| (!notes.is_empty()).then_some(notes)),
                },
            )?;
            emit(options, &response, |response| {
                println!(
                    "step {} ({}): {}",
                    response.step.step.number(),
                    response.step.title,
                    response.step.state
                );
                for warning in &response.warnings {
                    eprintln!("warning: {}", warning.text);
                }
            })
        }
        IncidentCommand::Member(member) => match member.command {
            MemberCommand::List { id } => {
                let list = client.members(id)?;
                emit(options, &list, |list| print_members(&list.members))
            }
            MemberCommand::Add { id, user, role } => {
                let list = client.add_member(id, &AddMemberRequest { user, role })?;
                emit(options, &list, |list| print_members(&list.members))
            }
            MemberCommand::Role { id, user, role } => {
                let list =
                    client.change_member_role(id, &user, &ChangeMemberRoleRequest { role })?;
                emit(options, &list, |list| print_members(&list.members))
            }
            MemberCommand::Remove { id, user } => {
                let list = client.remove_member(id, &user)?;
                emit(options, &list, |list| print_members(&list.members))
            }
        },
        IncidentCommand::Timeline(timeline) => match timeline.command {
            TimelineCommand::Add {
                id,
                at,
                timezone,
                source,
                description,
                suspected,
            } => {
                let input = AttackTimelineInput {
                    event_time: at,
                    timezone: TimeZoneName::parse(&timezone)
                        .map_err(|error| anyhow::anyhow!("--timezone: {error}"))?,
                    source: text("source", &source)?,
                    certainty: if suspected {
                        Certainty::Suspected
                    } else {
                        Certainty::Confirmed
                    },
                    description: text("description", &description)?,
                };
                let changed = client.add_record(id, &RecordInput::AttackTimelineEntry(input))?;
                emit(options, &changed, |changed| {
                    println!("added attack-timeline entry #{}", changed.record.id)
                })
            }
            TimelineCommand::List { id } => {
                let mut list = client.records(id, Some(Step::IdentifyAttackTimeline))?;
                list.records.sort_by_key(|row| match &row.record {
                    StepRecord::AttackTimelineEntry(entry) => Some(entry.event_time),
                    _ => None,
                });
                emit(options, &list, |list| {
                    println!(
                        "{:<5}  {:<20}  {:<9}  {:<24}  WHAT",
                        "#", "EVENT TIME (UTC)", "CERTAINTY", "SOURCE"
                    );
                    for row in &list.records {
                        if let StepRecord::AttackTimelineEntry(entry) = &row.record {
                            println!(
                                "{:<5}  {:<20}  {:<9}  {:<24}  {}",
                                row.id,
                                entry.event_time.strftime("%Y-%m-%d %H:%M:%S"),
                                entry.certainty.as_str(),
                                entry.source.as_str(),
                                entry.description
                            );
                        }
                    }
                })
            }
        },
        IncidentCommand::Action(action) => match action.command {
            ActionCommand::Add {
                id,
                title,
                owner,
                due,
                kind,
            } => {
                let item = ActionItem {
                    kind,
                    title: text("title", &title)?,
                    owner: UserName::parse(&owner)
                        .map_err(|error| anyhow::anyhow!("--owner: {error}"))?,
                    due,
                    status: ActionItemStatus::Open,
                };
                let changed = client.add_record(id, &RecordInput::ActionItem(item))?;
                emit(options, &changed, |changed| {
                    println!("added action item #{}", changed.record.id)
                })
            }
            ActionCommand::List { id } => {
                let list = client.records(id, Some(Step::MitigationsAndMonitoring))?;
                emit(options, &list, |list| print_action_items(&list.records))
            }
            ActionCommand::Status { id, record, status } => {
                let status: ActionItemStatus =
                    serde_json::from_value(serde_json::Value::String(status.clone())).map_err(
                        |_| anyhow::anyhow!("`{status}` is not a status: open, in_progress, done"),
                    )?;
                let current = client.records(id, Some(Step::MitigationsAndMonitoring))?;
                let Some(StepRecord::ActionItem(item)) = current
                    .records
                    .into_iter()
                    .find(|row| row.id == record)
                    .map(|row| row.record)
                else {
                    anyhow::bail!("{id} has no action item #{record}");
                };
                let changed = client.update_record(
                    id,
                    record,
                    &RecordInput::ActionItem(ActionItem { status, ..item }),
                )?;
                emit(options, &changed, |changed| {
                    println!(
                        "action item #{} is now {}",
                        changed.record.id,
                        status.as_str()
                    )
                })
            }
        },
        IncidentCommand::Record(record) => match record.command {
            RecordCommand::Add { id, kind, fields } => {
                let fields: serde_json::Value =
                    serde_json::from_str(&fields).context("--fields is not valid JSON")?;
                let input: RecordInput =
                    serde_json::from_value(serde_json::json!({"kind": kind, "record": fields}))
                        .map_err(|error| anyhow::anyhow!("not a valid {kind} record: {error}"))?;
                let changed = client.add_record(id, &input)?;
                emit(options, &changed, |changed| {
                    println!(
                        "added {} #{} to step {}",
                        kind,
                        changed.record.id,
                        changed.record.step.number()
                    )
                })
            }
            RecordCommand::List { id, step } => {
                let step = step.and_then(Step::from_number);
                let list = client.records(id, step)?;
                emit(options, &list, |list| print_records(&list.records))
            }
        },
        IncidentCommand::Log { id } => {
            let log = client.response_log(id)?;
            emit(options, &log, |log| {
                for entry in &log.entries {
                    println!(
                        "{:>4}  {}  {:<12}  {}",
                        entry.seq,
                        entry.at.strftime("%Y-%m-%d %H:%M:%S"),
                        entry.actor.as_str(),
                        entry.summary
                    );
                }
            })
        }
        IncidentCommand::Close { id } => {
            let changed = client.close(id)?;
            emit(options, &changed, |changed| {
                println!(
                    "closed {}; open action items stay open",
                    changed.incident.id
                )
            })
        }
        IncidentCommand::Reopen { id } => {
            let changed = client.reopen(id)?;
            emit(options, &changed, |changed| {
                println!("reopened {}", changed.incident.id)
            })
        }
        IncidentCommand::Report(report) => {
            let text = client.report(
                report.id,
                &ReportQuery {
                    audience: Some(
                        match report.audience {
                            ReportAudience::Internal => "internal",
                            ReportAudience::External => "external",
                        }
                        .to_owned(),
                    ),
                    format: Some(
                        match report.format {
                            ReportFormat::Markdown => "markdown",
                            ReportFormat::Html => "html",
                            ReportFormat::Json => "json",
                        }
                        .to_owned(),
                    ),
                },
            )?;
            write_document(report.out.as_deref(), &text)
        }
        IncidentCommand::Veris { id, out } => {
            let veris = client.veris(id)?;
            write_document(out.as_deref(), &serde_json::to_string_pretty(&veris)?)
        }
        IncidentCommand::Indicators(indicators) => {
            if indicators.stix {
                let max_tlp = indicators
                    .max_tlp
                    .map(|tlp| tlp.as_str().trim_start_matches("TLP:").to_ascii_lowercase());
                let bundle = client.indicators_stix(indicators.id, max_tlp.as_deref())?;
                return write_document(indicators.out.as_deref(), &bundle);
            }
            let list = client.indicators(indicators.id)?;
            if let Some(out) = &indicators.out {
                return write_document(Some(out), &serde_json::to_string_pretty(&list)?);
            }
            emit(options, &list, |list| print_indicators(&list.indicators))
        }
        IncidentCommand::Credentials { id } => {
            let list = client.credentials(id)?;
            emit(options, &list, |list| {
                print_credentials(&list.credentials);
                if list.unrotated > 0 {
                    println!(
                        "{} not rotated: they hold up step 2 (cut off the attack vector)",
                        list.unrotated
                    );
                }
            })
        }
        IncidentCommand::Comms(comms) => run_comms(&client, options, comms.command),
        IncidentCommand::Access(access) => match access.command {
            AccessCommand::Request { id, role, reason } => {
                let accepted = client.request_access(id, &CreateAccessRequest { role, reason })?;
                emit(options, &accepted, |accepted| {
                    println!("{}", accepted.message)
                })
            }
            AccessCommand::List { id } => {
                let list = client.access_requests(id)?;
                emit(options, &list, |list| {
                    println!(
                        "{:<5}  {:<16}  {:<14}  {:<8}  REASON",
                        "ID", "REQUESTER", "ROLE", "STATE"
                    );
                    for request in &list.requests {
                        println!(
                            "{:<5}  {:<16}  {:<14}  {:<8}  {}",
                            request.id,
                            request.requester.as_str(),
                            request.role.as_str(),
                            format!("{:?}", request.state).to_lowercase(),
                            request.reason
                        );
                    }
                })
            }
            AccessCommand::Approve { id, request } => {
                let list = client.decide_access_request(
                    id,
                    request,
                    &DecisionRequest {
                        approve: true,
                        reason: None,
                    },
                )?;
                emit(options, &list, |_| {
                    println!("approved access request #{request}")
                })
            }
            AccessCommand::Deny {
                id,
                request,
                reason,
            } => {
                let list = client.decide_access_request(
                    id,
                    request,
                    &DecisionRequest {
                        approve: false,
                        reason,
                    },
                )?;
                emit(options, &list, |_| {
                    println!("denied access request #{request}")
                })
            }
        },
        IncidentCommand::BreakGlass { id, reason } => {
            let accepted = client.break_glass(id, &CreateBreakGlassRequest { reason })?;
            emit(options, &accepted, |accepted| {
                println!("{}", accepted.message)
            })
        }
    }
}

/// Writes a generated document to `out`, or to standard output.
fn write_document(out: Option<&Path>, text: &str) -> anyhow::Result<ExitCode> {
    let text = if text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    };
    match out {
        Some(path) if path != Path::new("-") => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_comms(
    client: &Client,
    options: &ClientOptions,
    command: CommsCommand,
) -> anyhow::Result<ExitCode> {
    let changed = match command {
        CommsCommand::List { id } => {
            let mut records = client
                .records(id, Some(Step::InternalCommunication))?
                .records;
            records.extend(
                client
                    .records(id, Some(Step::ExternalCommunication))?
                    .records,
            );
            let list = RecordList { records };
            return emit(options, &list, |list| print_comms(&list.records));
        }
        CommsCommand::Draft { id, audience, text } => {
            let body = read_body(text.body, text.body_file.as_deref())?
                .context("give the text with --body or --body-file")?;
            let draft = DraftRequest {
                audience,
                title: self::text("title", &text.title)?,
                body: self::text("body", &body)?,
                compromised: optional_text("compromised", text.compromised)?,
                not_compromised: optional_text("not-compromised", text.not_compromised)?,
                recipient_actions: optional_text("recipient-actions", text.recipient_actions)?,
            };
            client.draft_communication(id, &draft)?
        }
        CommsCommand::Edit {
            id,
            draft,
            audience,
            text,
        } => {
            let current = find_draft(client, id, draft)?;
            let body = read_body(text.body, text.body_file.as_deref())?;
            let keep = |given: Option<String>, field: &'static str, old: Option<NonEmptyText>| {
                match given {
                    // An empty value clears an optional field.
                    Some(value) if value.trim().is_empty() => Ok(None),
                    Some(value) => self::text(field, &value).map(Some),
                    None => Ok(old),
                }
            };
            let request = DraftRequest {
                audience: audience.unwrap_or(current.audience),
                title: match text.title {
                    Some(title) => self::text("title", &title)?,
                    None => current.title,
                },
                body: match body {
                    Some(body) => self::text("body", &body)?,
                    None => current.body,
                },
                compromised: keep(text.compromised, "compromised", current.compromised)?,
                not_compromised: keep(
                    text.not_compromised,
                    "not-compromised",
                    current.not_compromised,
                )?,
                recipient_actions: keep(
                    text.recipient_actions,
                    "recipient-actions",
                    current.recipient_actions,
                )?,
            };
            client.edit_communication(id, draft, &request)?
        }
        CommsCommand::Approve { id, draft } => client.approve_communication(id, draft)?,
        CommsCommand::Signoff {
            id,
            draft,
            rationale,
        } => client.signoff_communication(id, draft, &SignoffRequest { rationale })?,
        CommsCommand::Sent {
            id,
            draft,
            channel,
            at,
        } => client.mark_communication_sent(
            id,
            draft,
            &SentRequest {
                channel,
                sent_at: at,
            },
        )?,
    };
    for warning in &changed.warnings {
        eprintln!("warning: {}", warning.text);
    }
    emit(options, &changed, |changed| {
        if let StepRecord::InternalCommsDraft(draft) | StepRecord::ExternalCommsDraft(draft) =
            &changed.record.record
        {
            println!(
                "draft #{} (step {}, {}): {}",
                changed.record.id,
                changed.record.step.number(),
                draft.content.audience,
                draft_status(draft)
            );
        } else {
            println!("record #{}", changed.record.id);
        }
    })
}

/// The text of `--body`, or of `--body-file` (`-`: standard input).
fn read_body(body: Option<String>, file: Option<&Path>) -> anyhow::Result<Option<String>> {
    match (body, file) {
        (Some(body), _) => Ok(Some(body)),
        (None, Some(path)) if path == Path::new("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the text from standard input")?;
            Ok(Some(text))
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .map(Some)
            .with_context(|| format!("cannot read {}", path.display())),
        (None, None) => Ok(None),
    }
}

fn optional_text(
    field: &'static str,
    value: Option<String>,
) -> anyhow::Result<Option<NonEmptyText>> {
    value.map(|value| text(field, &value)).transpose()
}

/// A draft's current text, for an edit that changes only some fields.
fn find_draft(
    client: &Client,
    id: rampart_incident::IncidentId,
    draft: i64,
) -> anyhow::Result<rampart_incident::CommsDraftContent> {
    for step in [Step::InternalCommunication, Step::ExternalCommunication] {
        for row in client.records(id, Some(step))?.records {
            if row.id == draft
                && let StepRecord::InternalCommsDraft(found) | StepRecord::ExternalCommsDraft(found) =
                    row.record
            {
                return Ok(found.content);
            }
        }
    }
    anyhow::bail!(
        "{id} has no communication draft #{draft} (see `rampart incident comms list {id}`)"
    )
}

fn draft_status(draft: &CommsDraft) -> String {
    if let Some(sent) = &draft.sent {
        return format!(
            "sent {} via {} by {}",
            sent.at.strftime("%Y-%m-%d %H:%M UTC"),
            sent.channel,
            sent.by
        );
    }
    let missing: Vec<String> = draft
        .scope()
        .required_approvals()
        .iter()
        .filter(|needed| !draft.approvals.iter().any(|a| a.approver == **needed))
        .map(ToString::to_string)
        .collect();
    let mut status = if missing.is_empty() {
        "approved, not sent".to_owned()
    } else {
        format!("awaiting approval by {}", missing.join(" and "))
    };
    if draft.content.audience == Audience::Internal && draft.insider_signoff.is_none() {
        status.push_str("; needs the insider sign-off");
    }
    status
}

fn print_comms(records: &[RecordView]) {
    if records.is_empty() {
        println!("no communication drafts or decisions recorded");
        return;
    }
    println!(
        "{:<5}  {:>4}  {:<10}  {:<58}  TITLE",
        "#", "STEP", "AUDIENCE", "STATUS"
    );
    for row in records {
        match &row.record {
            StepRecord::InternalCommsDraft(draft) | StepRecord::ExternalCommsDraft(draft) => {
                println!(
                    "{:<5}  {:>4}  {:<10}  {:<58}  {}",
                    row.id,
                    row.step.number(),
                    draft.content.audience.as_str(),
                    draft_status(draft),
                    draft.content.title
                );
            }
            StepRecord::InternalCommsDecision(decision)
            | StepRecord::ExternalCommsDecision(decision) => {
                println!(
                    "{:<5}  {:>4}  {:<10}  {:<58}  {}",
                    row.id,
                    row.step.number(),
                    "decision",
                    format!(
                        "{} (decided by {})",
                        if decision.needed {
                            "needed"
                        } else {
                            "not needed"
                        },
                        decision.decided_by
                    ),
                    decision.rationale
                );
            }
            _ => {}
        }
    }
}

fn print_indicators(records: &[RecordView]) {
    if records.is_empty() {
        println!("no indicators recorded");
        return;
    }
    println!(
        "{:<5}  {:<17}  {:<40}  {:<16}  {:<9}  {:<18}  DESCRIPTION",
        "#", "KIND", "VALUE", "TLP", "PAP", "ATT&CK"
    );
    for row in records {
        if let StepRecord::Indicator(indicator) = &row.record {
            println!(
                "{:<5}  {:<17}  {:<40}  {:<16}  {:<9}  {:<18}  {}",
                row.id,
                indicator.kind.as_str(),
                indicator.value,
                indicator.tlp.as_str(),
                indicator.pap.as_str(),
                indicator
                    .techniques
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                indicator
                    .description
                    .as_ref()
                    .map_or("", |description| description.as_str())
            );
        }
    }
}

fn print_credentials(records: &[RecordView]) {
    if records.is_empty() {
        println!("no compromised credentials recorded");
        return;
    }
    println!(
        "{:<5}  {:<32}  {:<20}  {:<22}  {:<24}  DESCRIPTION",
        "#", "FINGERPRINT", "OWNER", "ROTATED", "USED IN"
    );
    for row in records {
        if let StepRecord::CompromisedCredential(credential) = &row.record {
            println!(
                "{:<5}  {:<32}  {:<20}  {:<22}  {:<24}  {}",
                row.id,
                credential.fingerprint.as_str(),
                credential.owner.as_str(),
                credential.rotated_at.map_or_else(
                    || "NO".to_owned(),
                    |at| format!("yes, {}", at.strftime("%Y-%m-%d %H:%M"))
                ),
                credential
                    .used_in
                    .iter()
                    .map(|place| place.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                credential.description
            );
        }
    }
}

pub fn break_glass(args: BreakGlassArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let client = connect(options)?;
    let decide = |request: i64, approve: bool| {
        client.decide_break_glass(
            request,
            &DecisionRequest {
                approve,
                reason: None,
            },
        )
    };
    match args.command {
        BreakGlassCommand::List => {
            let queue = client.break_glass_queue()?;
            emit(options, &queue, |queue| {
                if queue.requests.is_empty() {
                    println!("no break-glass requests are waiting");
                    return;
                }
                println!(
                    "{:<5}  {:<14}  {:<22}  {:<16}  REASON",
                    "ID", "INCIDENT", "CODENAME", "REQUESTER"
                );
                for request in &queue.requests {
                    println!(
                        "{:<5}  {:<14}  {:<22}  {:<16}  {}",
                        request.id,
                        request.incident.to_string(),
                        request.codename.as_str(),
                        request.requester.as_str(),
                        request.reason
                    );
                }
            })
        }
        BreakGlassCommand::Approve { request } => {
            let view = decide(request, true)?;
            emit(options, &view, |view| {
                println!(
                    "approved: {} now has access to {}; its commander has been notified",
                    view.requester, view.incident
                )
            })
        }
        BreakGlassCommand::Reject { request } => {
            let view = decide(request, false)?;
            emit(options, &view, |view| {
                println!(
                    "rejected break-glass request #{} by {}",
                    view.id, view.requester
                )
            })
        }
    }
}

pub fn notifications(args: NotificationArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let client = connect(options)?;
    let list = client.notifications()?;
    emit(options, &list, |list| {
        if list.notifications.is_empty() {
            println!("no notifications");
        }
        for notification in &list.notifications {
            let what = match &notification.kind {
                rampart_api::NotificationKindView::BreakGlass {
                    user,
                    reason,
                    approved_by,
                } => format!("{user} broke the glass (approved by {approved_by}): {reason}"),
                rampart_api::NotificationKindView::AccessRequested {
                    request_id,
                    requester,
                } => format!("{requester} asks to join (request #{request_id})"),
                rampart_api::NotificationKindView::AccessDecided {
                    request_id,
                    approved,
                } => format!(
                    "your access request #{request_id} was {}",
                    if *approved { "approved" } else { "denied" }
                ),
                rampart_api::NotificationKindView::AddedAsMember { role } => {
                    format!("you were added as {role}")
                }
                rampart_api::NotificationKindView::EvidenceIntegrityFailure { evidence_id } => {
                    format!(
                        "INTEGRITY ALARM: evidence #{evidence_id} no longer matches its intake digest"
                    )
                }
            };
            println!(
                "{}  {} ({})  {}{}",
                notification.created_at.strftime("%Y-%m-%d %H:%M"),
                notification.incident,
                notification.codename,
                what,
                if notification.read_at.is_some() {
                    ""
                } else {
                    "  [new]"
                }
            );
        }
    })
}

fn status_name(status: &rampart_api::IncidentStatus) -> &'static str {
    match status {
        rampart_api::IncidentStatus::Open => "open",
        rampart_api::IncidentStatus::Closed => "closed",
    }
}

fn print_detail(detail: &IncidentDetail) {
    let incident = &detail.incident;
    println!(
        "{}  {}  [{}]",
        incident.id,
        incident.title,
        incident.tlp.as_str()
    );
    println!(
        "codename {}  ·  {}  ·  {}  ·  declared {} by {}",
        incident.codename,
        incident.severity.as_str(),
        status_name(&incident.status),
        incident.declared_at.strftime("%Y-%m-%d %H:%M UTC"),
        incident.declared_by
    );
    if let Some(summary) = &incident.summary {
        println!("{summary}");
    }
    println!();
    print_steps(&detail.steps);
    println!();
    print_members(&detail.members);
    for grant in &detail.break_glass {
        println!(
            "BREAK-GLASS: {} (approved by {} at {}): {}",
            grant.user,
            grant.approved_by,
            grant.approved_at.strftime("%Y-%m-%d %H:%M UTC"),
            grant.reason
        );
    }
}

fn print_steps(steps: &[StepView]) {
    println!(
        "{:>2}  {:<47}  {:<11}  {:<12}  NOTE",
        "#", "STEP", "STATE", "OWNER"
    );
    for step in steps {
        println!(
            "{:>2}  {:<47}  {:<11}  {:<12}  {}",
            step.step.number(),
            step.title,
            step.state.as_str(),
            step.owner.as_ref().map_or("-", |owner| owner.as_str()),
            step.rationale.as_deref().unwrap_or("")
        );
    }
}

fn print_members(members: &[MemberView]) {
    println!("{:<16}  {:<14}  JOINED", "MEMBER", "ROLE");
    for member in members {
        println!(
            "{:<16}  {:<14}  {}",
            member.user.as_str(),
            member.role.as_str(),
            member.joined_at.strftime("%Y-%m-%d %H:%M UTC")
        );
    }
}

fn print_action_items(records: &[RecordView]) {
    println!(
        "{:<5}  {:<10}  {:<11}  {:<12}  {:<10}  TITLE",
        "#", "KIND", "STATUS", "OWNER", "DUE"
    );
    for row in records {
        if let StepRecord::ActionItem(item) = &row.record {
            println!(
                "{:<5}  {:<10}  {:<11}  {:<12}  {:<10}  {}",
                row.id,
                item.kind.as_str(),
                item.status.as_str(),
                item.owner.as_str(),
                item.due,
                item.title
            );
        }
    }
}

fn print_records(records: &[RecordView]) {
    println!("{:<5}  {:>4}  {:<24}  SUMMARY", "#", "STEP", "KIND");
    for row in records {
        println!(
            "{:<5}  {:>4}  {:<24}  {}",
            row.id,
            row.step.number(),
            row.record.kind().as_str(),
            row.record.summary()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example `incident record add --help` shows is accepted by the
    /// API's record type, and every kind a client may add has one.
    #[test]
    fn record_examples_in_the_help_are_valid() {
        let mut kinds = Vec::new();
        for example in crate::cli::RECORD_EXAMPLES.split("--kind ").skip(1) {
            let (kind, rest) = example.split_once(' ').expect(example);
            let fields = rest.split('\'').nth(1).expect(example);
            let fields: serde_json::Value = serde_json::from_str(fields).expect(example);
            let input: RecordInput =
                serde_json::from_value(serde_json::json!({"kind": kind, "record": fields}))
                    .unwrap_or_else(|error| panic!("{kind}: {error}"));
            assert_eq!(input.kind().as_str(), kind);
            kinds.push(kind.to_owned());
        }
        // Help text is wrapped at 100 columns: longer lines would break the
        // JSON where a reader copies it from.
        for line in crate::cli::RECORD_EXAMPLES.lines() {
            assert!(line.chars().count() <= 98, "too long for the help: {line}");
        }
        for kind in [
            "compromised_credential",
            "indicator",
            "attribution",
            "lesson_learned",
            "forensic_analysis",
            "internal_comms_decision",
            "external_comms_decision",
            "law_enforcement",
            "outside_party",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "no example for {kind}");
        }
    }
}
