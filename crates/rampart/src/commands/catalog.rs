//! `rampart service …` and `rampart team …`: the service catalog through
//! the server's API.

use std::process::ExitCode;

use anyhow::Context;
use rampart_api::{
    CatalogFile, CatalogImportRequest, CreateServiceRequest, CreateTeamRequest, ServiceView,
    TeamView, UpdateServiceRequest, UpdateTeamRequest,
};
use serde_json::Value;

use crate::cli::{ServiceArgs, ServiceCommand, ServiceFields, TeamArgs, TeamCommand};
use crate::commands::incident::{connect, emit};

/// Largest catalog file read, so a wrong argument (a disk image) is a
/// clear error rather than a huge request.
const MAX_CATALOG_FILE: u64 = 4 * 1024 * 1024;

pub fn service(args: ServiceArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let client = connect(options)?;
    match args.command {
        ServiceCommand::List { team, unowned } => {
            let list = client.services(team.as_deref(), unowned)?;
            emit(options, &list, |list| {
                if list.services.is_empty() {
                    println!("no services");
                    return;
                }
                println!(
                    "{:<28} {:<20} {:<5} {:<13} LIFECYCLE",
                    "SERVICE", "OWNER", "TIER", "DATA"
                );
                for s in &list.services {
                    println!(
                        "{:<28} {:<20} {:<5} {:<13} {}",
                        s.name,
                        s.owner
                            .as_ref()
                            .map_or("(unowned)".to_owned(), ToString::to_string),
                        s.tier.map_or("-".to_owned(), |t| t.get().to_string()),
                        s.data_classification
                            .map_or("-".to_owned(), |c| c.as_str().to_owned()),
                        s.lifecycle.as_deref().unwrap_or("-"),
                    );
                }
            })
        }
        ServiceCommand::Show { name } => {
            let view = client.service(&name)?;
            emit(options, &view, print_service)
        }
        ServiceCommand::Create(fields) => {
            let request = CreateServiceRequest {
                name: fields.name,
                title: fields.title,
                description: fields.description,
                owner: fields.owner,
                tier: fields.tier,
                data_classification: fields.classification,
                repository_url: fields.repository,
                on_call: fields.on_call,
                security_champion: fields.champion,
                lifecycle: fields.lifecycle,
                system: fields.system,
            };
            let view = client.create_service(&request)?;
            emit(options, &view, |view| {
                println!("added service {}", view.name);
                print_service(view);
            })
        }
        ServiceCommand::Edit { fields, clear } => {
            let name = fields.name.clone();
            let request = service_update(fields, &clear)?;
            let view = client.update_service(&name, &request)?;
            emit(options, &view, |view| {
                println!("changed service {}", view.name);
                print_service(view);
            })
        }
        ServiceCommand::Import { files, dry_run } => {
            let files = files
                .iter()
                .map(|path| {
                    let size = std::fs::metadata(path)
                        .with_context(|| format!("cannot read {}", path.display()))?
                        .len();
                    anyhow::ensure!(
                        size <= MAX_CATALOG_FILE,
                        "{} is {size} bytes; catalog files over {MAX_CATALOG_FILE} bytes are refused",
                        path.display()
                    );
                    let content = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
                    Ok(CatalogFile {
                        name: path.display().to_string(),
                        content,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let answer = client.import_catalog(&CatalogImportRequest { files, dry_run })?;
            emit(options, &answer, |answer| {
                print_report(&answer.report);
                if answer.dry_run {
                    println!("dry run: nothing was changed");
                } else {
                    let noun = if answer.changed == 1 {
                        "entry"
                    } else {
                        "entries"
                    };
                    println!("{} catalog {noun} changed", answer.changed);
                }
            })
        }
    }
}

/// The PATCH body for `service edit`: the flags given, and `null` for
/// each field named by `--clear`.
fn service_update(fields: ServiceFields, clear: &[String]) -> anyhow::Result<UpdateServiceRequest> {
    let mut request = UpdateServiceRequest {
        title: fields.title.map(Some),
        description: fields.description.map(Some),
        owner: fields.owner.map(Some),
        tier: fields.tier.map(Some),
        data_classification: fields.classification.map(Some),
        repository_url: fields.repository.map(Some),
        on_call: fields.on_call.map(Some),
        security_champion: fields.champion.map(Some),
        lifecycle: fields.lifecycle.map(Some),
        system: fields.system.map(Some),
    };
    for field in clear {
        match field.as_str() {
            "title" => request.title = Some(None),
            "description" => request.description = Some(None),
            "owner" => request.owner = Some(None),
            "tier" => request.tier = Some(None),
            "classification" => request.data_classification = Some(None),
            "repository" => request.repository_url = Some(None),
            "on-call" => request.on_call = Some(None),
            "champion" => request.security_champion = Some(None),
            "lifecycle" => request.lifecycle = Some(None),
            "system" => request.system = Some(None),
            other => anyhow::bail!(
                "--clear {other}: not a field; use title, description, owner, tier, classification, \
                 repository, on-call, champion, lifecycle or system"
            ),
        }
    }
    anyhow::ensure!(
        request != UpdateServiceRequest::default(),
        "nothing to change: give a field flag or --clear FIELD"
    );
    Ok(request)
}

fn print_service(s: &ServiceView) {
    let rows = [
        ("service", Some(s.name.to_string())),
        ("title", s.title.clone()),
        ("description", s.description.clone()),
        (
            "owner",
            Some(
                s.owner
                    .as_ref()
                    .map_or("(unowned)".to_owned(), ToString::to_string),
            ),
        ),
        ("tier", s.tier.map(|t| t.get().to_string())),
        ("data", s.data_classification.map(|c| c.as_str().to_owned())),
        ("repository", s.repository_url.clone()),
        ("on call", s.on_call.clone()),
        ("champion", s.security_champion.clone()),
        ("lifecycle", s.lifecycle.clone()),
        ("system", s.system.clone()),
        ("type", s.component_type.clone()),
        (
            "source",
            Some(match &s.source.entity_ref {
                Some(entity) => format!("{} ({entity})", s.source.kind),
                None => s.source.kind.clone(),
            }),
        ),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            println!("{label:<12} {value}");
        }
    }
}

/// The import report, section by section: each list the server returns
/// with its count, entries as `kind name` and updated fields as
/// `field: old → new`.
fn print_report(report: &Value) {
    let Some(sections) = report.as_object() else {
        println!("{report}");
        return;
    };
    for (section, entries) in sections {
        let Some(entries) = entries.as_array() else {
            continue;
        };
        println!("{} ({})", section.replace('_', " "), entries.len());
        for entry in entries {
            println!("  {}", describe(entry));
            for change in entry
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                println!(
                    "      {}: {} → {}",
                    change.get("field").and_then(Value::as_str).unwrap_or("?"),
                    shown(change.get("old")),
                    shown(change.get("new")),
                );
            }
        }
    }
}

fn describe(entry: &Value) -> String {
    match entry {
        Value::String(text) => text.clone(),
        Value::Object(fields) => {
            let parts: Vec<String> = ["kind", "name"]
                .iter()
                .filter_map(|key| fields.get(*key).and_then(Value::as_str).map(str::to_owned))
                .collect();
            let mut line = parts.join(" ");
            if let Some(file) = fields.get("file").and_then(Value::as_str) {
                match fields.get("document").and_then(Value::as_u64) {
                    Some(document) => line.push_str(&format!(" ({file}, document {document})")),
                    None => line.push_str(&format!(" ({file})")),
                }
            }
            for key in ["reason", "message"] {
                if let Some(Value::String(text)) = fields.get(key) {
                    line.push_str(&format!(": {text}"));
                }
            }
            line
        }
        other => other.to_string(),
    }
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "(none)".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

pub fn team(args: TeamArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let client = connect(options)?;
    match args.command {
        TeamCommand::List => {
            let list = client.teams()?;
            emit(options, &list, |list| {
                if list.teams.is_empty() {
                    println!("no teams");
                }
                for team in &list.teams {
                    println!(
                        "{:<24} {:>3} members  {:>3} services  {}",
                        team.name,
                        team.members.len(),
                        team.services.len(),
                        team.display_name.as_deref().unwrap_or("")
                    );
                }
            })
        }
        TeamCommand::Show { name } => {
            let view = client.team(&name)?;
            emit(options, &view, print_team)
        }
        TeamCommand::Create {
            name,
            display_name,
            description,
            email,
            parent,
            members,
        } => {
            let view = client.create_team(&CreateTeamRequest {
                name,
                display_name,
                description,
                email,
                parent,
                members,
            })?;
            emit(options, &view, |view| {
                println!("added team {}", view.name);
                print_team(view);
            })
        }
        TeamCommand::Members { name, users } => {
            let view = client.update_team(
                &name,
                &UpdateTeamRequest {
                    members: Some(users),
                    ..UpdateTeamRequest::default()
                },
            )?;
            emit(options, &view, print_team)
        }
    }
}

fn print_team(team: &TeamView) {
    println!("team        {}", team.name);
    for (label, value) in [
        ("name", team.display_name.as_deref()),
        ("description", team.description.as_deref()),
        ("email", team.email.as_deref()),
    ] {
        if let Some(value) = value {
            println!("{label:<11} {value}");
        }
    }
    if let Some(parent) = &team.parent {
        println!("parent      {parent}");
    }
    println!("members     {}", team.members.len());
    for member in &team.members {
        println!(
            "  {:<20} {:<24} {}",
            member.user,
            member.display_name.as_deref().unwrap_or(""),
            member.source
        );
    }
    println!("services    {}", team.services.len());
    for service in &team.services {
        println!("  {service}");
    }
}
