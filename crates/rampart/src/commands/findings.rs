//! `rampart findings …`: the findings inventory through the server's API.

use std::process::ExitCode;

use rampart_api::{
    FindingDetailView, FindingList, FindingQuery, FindingSummary, FindingView, SummaryQuery,
    TriageRequest,
};
use rampart_client::Client;
use rampart_inventory::FindingState;

use crate::cli::{ClientOptions, FindingsArgs, FindingsCommand, FindingsFilter};
use crate::commands::incident::{connect, emit};

/// Pages fetched at most by `--all`: a million findings at the server's
/// largest page, far beyond any inventory, but a bound if `next` loops.
const MAX_PAGES: usize = 1000;

pub fn run(args: FindingsArgs) -> anyhow::Result<ExitCode> {
    let options = &args.client;
    // Checked before connecting: a usage mistake needs no server.
    let triage = match &args.command {
        FindingsCommand::Triage {
            state,
            reason,
            until,
            ..
        } => Some(triage_request(*state, reason.clone(), *until)?),
        _ => None,
    };
    let client = connect(options)?;
    match args.command {
        FindingsCommand::List(filter) => list(&client, options, &filter),
        FindingsCommand::Show { id } => {
            let detail = client.finding(id)?;
            emit(options, &detail, print_detail)
        }
        FindingsCommand::Triage { id, .. } => {
            let request = triage.expect("built above");
            let view = client.triage_finding(id, &request)?;
            emit(options, &view, |view| {
                println!("finding {} is now {}", view.id, view.state);
                print_finding(view);
            })
        }
        FindingsCommand::Summary { team } => summary(&client, options, team),
    }
}

/// The PATCH body, with the rules the server enforces checked first so
/// the mistake is named without a round trip.
pub fn triage_request(
    state: FindingState,
    reason: Option<String>,
    until: Option<jiff::Timestamp>,
) -> anyhow::Result<TriageRequest> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    match state {
        FindingState::AcceptedRisk => {
            anyhow::ensure!(
                reason.is_some() && until.is_some(),
                "--state accepted_risk needs --reason TEXT and --until DATE: an accepted risk \
                 is explained and lapses"
            );
        }
        FindingState::FalsePositive | FindingState::Fixed => {
            anyhow::ensure!(reason.is_some(), "--state {state} needs --reason TEXT");
            anyhow::ensure!(
                until.is_none(),
                "--until applies to --state accepted_risk only"
            );
        }
        FindingState::Open => anyhow::ensure!(
            until.is_none(),
            "--until applies to --state accepted_risk only"
        ),
    }
    Ok(TriageRequest {
        state,
        reason,
        expires_at: until,
    })
}

/// The query of `findings list` (without paging).
pub fn finding_query(filter: &FindingsFilter) -> FindingQuery {
    FindingQuery {
        service: filter.service.clone(),
        team: filter.team.clone(),
        state: filter.state.map(|s| s.as_str().to_owned()),
        severity: filter.severity.map(|s| s.as_str().to_owned()),
        kind: filter.kind.clone(),
        overdue: filter.overdue.then_some(true),
        limit: filter.limit,
        after: None,
    }
}

fn list(
    client: &Client,
    options: &ClientOptions,
    filter: &FindingsFilter,
) -> anyhow::Result<ExitCode> {
    let mut query = finding_query(filter);
    let mut page = client.findings(&query)?;
    if filter.all {
        let mut pages = 1;
        while let Some(next) = page.next.take() {
            anyhow::ensure!(
                pages < MAX_PAGES,
                "more than {MAX_PAGES} pages of findings; narrow the filter"
            );
            query.after = Some(next);
            let more = client.findings(&query)?;
            page.findings.extend(more.findings);
            page.next = more.next;
            pages += 1;
        }
    }
    emit(options, &page, |page: &FindingList| {
        print_list(&page.findings);
        if page.next.is_some() {
            eprintln!("more findings: pass --all (or a larger --limit) to see them");
        }
    })
}

fn summary(
    client: &Client,
    options: &ClientOptions,
    team: Option<String>,
) -> anyhow::Result<ExitCode> {
    let summary = client.finding_summary(&SummaryQuery { team })?;
    emit(options, &summary, print_summary)
}

/// `rampart where team`: the same as `findings summary --team`.
pub(crate) fn team_summary(
    client: &Client,
    options: &ClientOptions,
    team: String,
) -> anyhow::Result<ExitCode> {
    summary(client, options, Some(team))
}

fn date(at: Option<jiff::Timestamp>) -> String {
    at.map_or("-".to_owned(), |at| {
        jiff::tz::Offset::UTC.to_datetime(at).date().to_string()
    })
}

fn print_list(findings: &[FindingView]) {
    if findings.is_empty() {
        println!("no findings");
        return;
    }
    println!(
        "{:>6} {:<8} {:<14} {:<20} {:<13} {:<24} {:<11} TITLE",
        "ID", "SEVERITY", "STATE", "SERVICE", "KIND", "RULE", "DUE"
    );
    for f in findings {
        let due = if f.overdue {
            format!("{} !", date(f.due_at))
        } else {
            date(f.due_at)
        };
        println!(
            "{:>6} {:<8} {:<14} {:<20} {:<13} {:<24} {:<11} {}",
            f.id,
            f.severity.as_str(),
            f.state.as_str(),
            f.service.to_string(),
            f.kind,
            f.rule_id,
            due,
            f.title
        );
    }
}

fn print_finding(f: &FindingView) {
    let location = f.path.as_ref().map(|path| match f.line {
        Some(line) => format!("{path}:{line}"),
        None => path.clone(),
    });
    let package = f.package.as_ref().map(|p| match &p.version {
        Some(version) => format!("{} {} {version}", p.ecosystem, p.name),
        None => format!("{} {} (version unresolved)", p.ecosystem, p.name),
    });
    let state = match (&f.state_reason, &f.state_by) {
        (Some(reason), Some(by)) => format!("{} ({reason}; by {by})", f.state),
        (Some(reason), None) => format!("{} ({reason})", f.state),
        _ => f.state.to_string(),
    };
    let rows = [
        ("finding", Some(f.id.to_string())),
        ("service", Some(f.service.to_string())),
        ("team", f.team.as_ref().map(ToString::to_string)),
        ("title", Some(f.title.clone())),
        ("severity", Some(f.severity.as_str().to_owned())),
        ("state", Some(state)),
        ("risk until", f.risk_expires_at.map(|at| at.to_string())),
        ("kind", Some(format!("{} ({})", f.kind, f.scope))),
        ("rule", Some(f.rule_id.clone())),
        ("ids", (!f.ids.is_empty()).then(|| f.ids.join(", "))),
        ("package", package),
        ("location", location),
        ("message", f.message.clone()),
        ("help", f.help_uri.clone()),
        ("suppressed", f.local_suppression.clone()),
        (
            "fingerprint",
            Some(format!("{} ({})", f.fingerprint, f.fingerprint_origin)),
        ),
        ("first seen", Some(f.first_seen.to_string())),
        ("last seen", Some(f.last_seen.to_string())),
        ("fixed at", f.fixed_at.map(|at| at.to_string())),
        (
            "due",
            f.due_at.map(|at| {
                if f.overdue {
                    format!("{at} (overdue)")
                } else {
                    at.to_string()
                }
            }),
        ),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            println!("{label:<12} {value}");
        }
    }
}

fn print_detail(detail: &FindingDetailView) {
    print_finding(&detail.finding);
    if detail.events.is_empty() {
        return;
    }
    println!();
    println!("history:");
    for e in &detail.events {
        let change = match (&e.from_state, &e.to_state) {
            (Some(from), Some(to)) => format!(" {from} → {to}"),
            (None, Some(to)) => format!(" → {to}"),
            _ => String::new(),
        };
        let mut line = format!("  {} {} {}{change}", e.at, e.actor, e.action);
        if let Some(reason) = &e.reason {
            line.push_str(&format!(": {reason}"));
        }
        if let Some(expires) = e.expires_at {
            line.push_str(&format!(" (until {expires})"));
        }
        if let Some(upload) = e.upload_id {
            line.push_str(&format!(" [upload {upload}]"));
        }
        println!("{line}");
    }
}

fn print_summary(summary: &FindingSummary) {
    if summary.services.is_empty() {
        println!("no services");
        return;
    }
    println!(
        "{:<28} {:<20} {:<4} {:>5} {:>5} {:>5} {:>5} {:>5} {:>8} {:>8} {:>5} {:>6} LAST UPLOAD",
        "SERVICE",
        "TEAM",
        "TIER",
        "CRIT",
        "HIGH",
        "MED",
        "LOW",
        "OTHER",
        "OVERDUE",
        "ACCEPTED",
        "FP",
        "FIXED"
    );
    for s in &summary.services {
        println!(
            "{:<28} {:<20} {:<4} {:>5} {:>5} {:>5} {:>5} {:>5} {:>8} {:>8} {:>5} {:>6} {}",
            s.service.to_string(),
            s.team
                .as_ref()
                .map_or("(unowned)".to_owned(), ToString::to_string),
            s.tier.map_or("-".to_owned(), |t| t.get().to_string()),
            s.open.critical,
            s.open.high,
            s.open.medium,
            s.open.low,
            s.open.unknown + s.open.info,
            s.overdue,
            s.accepted_risk,
            s.false_positive,
            s.fixed,
            date(s.last_upload_at),
        );
    }
    println!(
        "total: {} open ({} critical, {} high, {} medium, {} low, {} other), {} overdue",
        summary.open.total(),
        summary.open.critical,
        summary.open.high,
        summary.open.medium,
        summary.open.low,
        summary.open.unknown + summary.open.info,
        summary.overdue
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<jiff::Timestamp> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn triage_rules_are_checked_before_any_request() {
        let reason = || Some("vendor patch pending".to_owned());
        let ok = triage_request(
            FindingState::AcceptedRisk,
            reason(),
            at("2027-01-31T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(ok.expires_at, at("2027-01-31T00:00:00Z"));
        assert!(triage_request(FindingState::AcceptedRisk, reason(), None).is_err());
        assert!(
            triage_request(FindingState::AcceptedRisk, None, at("2027-01-31T00:00:00Z")).is_err()
        );
        assert!(triage_request(FindingState::FalsePositive, Some(" ".into()), None).is_err());
        assert!(triage_request(FindingState::FalsePositive, reason(), None).is_ok());
        assert!(triage_request(FindingState::Fixed, reason(), at("2027-01-31T00:00:00Z")).is_err());
        let open = triage_request(FindingState::Open, None, None).unwrap();
        assert_eq!(
            serde_json::to_value(&open).unwrap(),
            serde_json::json!({"state": "open"})
        );
    }

    #[test]
    fn the_list_filter_becomes_the_api_query() {
        let filter = FindingsFilter {
            service: Some("checkout".into()),
            state: Some(FindingState::AcceptedRisk),
            severity: Some(rampart_core::Severity::High),
            overdue: true,
            limit: Some(5),
            ..FindingsFilter::default()
        };
        let query = finding_query(&filter);
        assert_eq!(query.state.as_deref(), Some("accepted_risk"));
        assert_eq!(query.severity.as_deref(), Some("high"));
        assert_eq!(query.overdue, Some(true));
        assert_eq!(query.limit, Some(5));
        assert_eq!(
            finding_query(&FindingsFilter::default()),
            FindingQuery::default()
        );
    }
}
