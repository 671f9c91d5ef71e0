//! `rampart where …`: blast radius. Which services ship a package, have a
//! finding of an advisory, or contain a secret; optionally kept as a
//! record of an incident (step 7).
//!
//! Finding nothing is an answer, not a failure: the exit code is 0 either
//! way, so scripts read the output (or `--json`) to decide.

use std::process::ExitCode;

use rampart_api::{BlastAnswer, BlastMatch, BlastQuery, BlastService, PackageWhereQuery};
use rampart_core::{Purl, normalize_package_name};
use serde::Serialize;

use crate::cli::{Attach, WhereArgs, WhereCommand};
use crate::commands::findings::team_summary;
use crate::commands::incident::connect;

pub fn run(args: WhereArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    let (question, attach) = match args.command {
        WhereCommand::Team { team } => {
            let client = connect(options)?;
            return team_summary(&client, options, team);
        }
        WhereCommand::Package {
            package,
            range,
            attach,
        } => (Question::package(&package, range)?, attach),
        WhereCommand::Advisory { id, attach } => (Question::Advisory(id), attach),
        WhereCommand::Secret {
            fingerprint,
            attach,
        } => (Question::Secret(fingerprint), attach),
    };
    let client = connect(options)?;
    let answer = match &question {
        Question::Package { query, .. } => client.where_package(query)?,
        Question::Advisory(id) => client.where_advisory(id)?,
        Question::Secret(fingerprint) => client.where_secret(fingerprint)?,
    };
    let attached = match attach {
        Attach {
            attach: Some(incident),
        } => Some((
            incident,
            client.attach_blast_radius(incident, &question.blast_query())?,
        )),
        Attach { attach: None } => None,
    };
    if options.json {
        #[derive(Serialize)]
        struct WithRecord<'a> {
            answer: &'a BlastAnswer,
            attached: &'a rampart_api::RecordChanged,
        }
        let text = match &attached {
            Some((_, record)) => serde_json::to_string_pretty(&WithRecord {
                answer: &answer,
                attached: record,
            })?,
            None => serde_json::to_string_pretty(&answer)?,
        };
        println!("{text}");
    } else {
        print_answer(&answer);
        if let Some((incident, record)) = attached {
            println!(
                "attached to {incident} as record {} (step 7)",
                record.record.id
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A blast-radius question as the command line states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    Package {
        /// What `GET /where/package` is asked.
        query: PackageWhereQuery,
        /// The same question as an incident keeps it.
        blast: BlastQuery,
    },
    Advisory(String),
    Secret(String),
}

impl Question {
    /// `ECOSYSTEM NAME` or one package URL (whose version, if any, means
    /// `=version` unless `--range` is given).
    pub fn package(words: &[String], range: Option<String>) -> anyhow::Result<Question> {
        match words {
            [purl] => {
                let parsed = Purl::parse(purl).map_err(|e| {
                    anyhow::anyhow!(
                        "{purl:?} is not a package URL ({e}); give ECOSYSTEM NAME (`npm lodash`) \
                         or a PURL (`pkg:npm/lodash`)"
                    )
                })?;
                let (ecosystem, name) = parsed.package();
                let blast_range = range
                    .clone()
                    .or_else(|| parsed.version.as_ref().map(|v| format!("={v}")));
                Ok(Question::Package {
                    query: PackageWhereQuery {
                        purl: Some(purl.clone()),
                        range,
                        ..PackageWhereQuery::default()
                    },
                    blast: BlastQuery::Package {
                        ecosystem: ecosystem.osv_name().to_owned(),
                        name: normalize_package_name(&ecosystem, &name),
                        range: blast_range,
                    },
                })
            }
            [ecosystem, name] => Ok(Question::Package {
                query: PackageWhereQuery {
                    ecosystem: Some(ecosystem.clone()),
                    name: Some(name.clone()),
                    purl: None,
                    range: range.clone(),
                },
                blast: BlastQuery::Package {
                    ecosystem: ecosystem.clone(),
                    name: name.clone(),
                    range,
                },
            }),
            _ => anyhow::bail!("give ECOSYSTEM NAME (`npm lodash`) or one package URL"),
        }
    }

    pub fn blast_query(&self) -> BlastQuery {
        match self {
            Question::Package { blast, .. } => blast.clone(),
            Question::Advisory(id) => BlastQuery::Advisory { id: id.clone() },
            Question::Secret(fingerprint) => BlastQuery::Secret {
                fingerprint: fingerprint.clone(),
            },
        }
    }
}

fn print_answer(answer: &BlastAnswer) {
    let asked = describe(&answer.query);
    if answer.services.is_empty() {
        println!("no service you can see has {asked}");
    } else {
        match answer.services.len() {
            1 => println!("1 service has {asked}:"),
            n => println!("{n} services have {asked}:"),
        }
        print_services(&answer.services);
    }
    if !answer.undetermined.is_empty() {
        println!();
        println!(
            "undetermined ({}): they ship the package in a version that could not be compared",
            answer.undetermined.len()
        );
        print_services(&answer.undetermined);
    }
    if answer.hidden_services > 0 {
        println!();
        match answer.hidden_services {
            1 => println!("1 more service you may not see"),
            n => println!("{n} more services you may not see"),
        }
    }
    println!("as of {}", answer.as_of);
}

fn describe(query: &BlastQuery) -> String {
    match query {
        BlastQuery::Package {
            ecosystem,
            name,
            range: Some(range),
        } => format!("{ecosystem} {name} {range}"),
        BlastQuery::Package {
            ecosystem, name, ..
        } => format!("{ecosystem} {name}"),
        BlastQuery::Advisory { id } => format!("a finding of {id}"),
        BlastQuery::Secret { fingerprint } => format!("the secret {fingerprint}"),
    }
}

fn print_services(services: &[BlastService]) {
    for s in services {
        let matched: Vec<String> = s.matches.iter().map(describe_match).collect();
        println!(
            "  {:<28} {:<20} tier {:<2} {}",
            s.service.to_string(),
            s.team
                .as_ref()
                .map_or("(unowned)".to_owned(), ToString::to_string),
            s.tier.map_or("-".to_owned(), |t| t.get().to_string()),
            matched.join("; ")
        );
    }
}

/// `4.17.20 in package-lock.json`, `finding 12 lodash 4.17.20 (high,
/// open)`, `finding 7 at config/app.env (open)`.
fn describe_match(m: &BlastMatch) -> String {
    let mut parts = Vec::new();
    if let Some(id) = m.finding_id {
        parts.push(format!("finding {id}"));
    }
    if let Some(package) = &m.package {
        parts.push(package.clone());
    }
    if m.finding_id.is_none() {
        parts.push(m.version.clone().unwrap_or_else(|| "unresolved".into()));
    }
    if let Some(path) = &m.path {
        parts.push(format!("in {path}"));
    }
    let status: Vec<&str> = [m.severity.map(|s| s.as_str()), m.state.map(|s| s.as_str())]
        .into_iter()
        .flatten()
        .collect();
    if !status.is_empty() {
        parts.push(format!("({})", status.join(", ")));
    }
    parts.push(format!("[{}]", m.scope));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_package_is_an_ecosystem_and_name_or_a_purl() {
        let q = Question::package(&words(&["npm", "lodash"]), Some("<4.17.21".into())).unwrap();
        assert_eq!(
            q.blast_query(),
            BlastQuery::Package {
                ecosystem: "npm".into(),
                name: "lodash".into(),
                range: Some("<4.17.21".into())
            }
        );
        let q = Question::package(&words(&["pkg:pypi/Django_Rest@3.1"]), None).unwrap();
        let Question::Package { query, blast } = &q else {
            panic!()
        };
        assert_eq!(query.purl.as_deref(), Some("pkg:pypi/Django_Rest@3.1"));
        assert_eq!(
            blast,
            &BlastQuery::Package {
                ecosystem: "PyPI".into(),
                name: "django-rest".into(),
                range: Some("=3.1".into())
            }
        );
        let error = Question::package(&words(&["lodash"]), None).unwrap_err();
        assert!(error.to_string().contains("ECOSYSTEM NAME"), "{error}");
    }

    #[test]
    fn matches_read_as_one_phrase() {
        let m = BlastMatch {
            scope: "rampart:deps".into(),
            version: Some("4.17.20".into()),
            path: Some("package-lock.json".into()),
            finding_id: None,
            state: None,
            severity: None,
            package: None,
        };
        assert_eq!(
            describe_match(&m),
            "4.17.20 in package-lock.json [rampart:deps]"
        );
        let m = BlastMatch {
            scope: "rampart:deps".into(),
            version: None,
            path: None,
            finding_id: Some(12),
            state: Some(rampart_inventory::FindingState::Open),
            severity: Some(rampart_core::Severity::High),
            package: Some("lodash 4.17.20".into()),
        };
        assert_eq!(
            describe_match(&m),
            "finding 12 lodash 4.17.20 (high, open) [rampart:deps]"
        );
    }
}
