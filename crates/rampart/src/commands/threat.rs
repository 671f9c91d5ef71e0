//! `rampart threat`: check, report, draw and import threat models. The
//! model logic lives in `rampart-threat`; this file reads files, picks the
//! date, prints and chooses the exit code.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use rampart_threat::analysis::{Analysis, Origin, Status, Threat};
use rampart_threat::model::ThreatModel;
use rampart_threat::report::one_line;
use rampart_threat::rules::RuleLibrary;
use rampart_threat::{DiagSeverity, Diagnostic, SourceMap};

use crate::cli::{
    ThreatArgs, ThreatCheckArgs, ThreatCommand, ThreatDiagramArgs, ThreatDiagramFormat,
    ThreatImportArgs, ThreatReportArgs, ThreatReportFormat, ThreatRulesArgs, ThreatRulesFormat,
    ThreatSchemaArgs,
};

pub fn run(args: ThreatArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ThreatCommand::Check(args) => check(args),
        ThreatCommand::Report(args) => report(args),
        ThreatCommand::Diagram(args) => diagram(args),
        ThreatCommand::ImportThreatDragon(args) => import_threat_dragon(args),
        ThreatCommand::Schema(args) => schema(args),
        ThreatCommand::Rules(args) => rules(args),
    }
}

/// A model that parsed and validated without errors.
struct LoadedModel {
    /// The path as the user gave it, with forward slashes: it appears in
    /// reports and SARIF, which must not depend on the machine.
    display: String,
    model: ThreatModel,
    source_map: SourceMap,
    warnings: Vec<Diagnostic>,
}

/// Reads, parses and validates a model. Errors (unreadable, not YAML, not
/// a valid model) are printed with their positions and end the command
/// with exit code 2.
fn load(path: &Path) -> anyhow::Result<LoadedModel> {
    let display = path.to_string_lossy().replace('\\', "/");
    let text = read_text(path, rampart_threat::MAX_INPUT_BYTES)?;
    let parsed = rampart_threat::parse_model(&display, &text)?;
    let diagnostics = rampart_threat::validate(&parsed.model, &parsed.source_map);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .count();
    if errors > 0 {
        for diagnostic in &diagnostics {
            eprintln!("{diagnostic}");
        }
        bail!(
            "{display}: {errors} error{} in the model",
            if errors == 1 { "" } else { "s" }
        );
    }
    Ok(LoadedModel {
        display,
        model: parsed.model,
        source_map: parsed.source_map,
        warnings: diagnostics,
    })
}

/// Reads at most `limit` bytes of UTF-8 text; a larger file is refused
/// without being read whole.
fn read_text(path: &Path, limit: usize) -> anyhow::Result<String> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|error| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })
}

fn read_bytes(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() > limit {
        bail!(
            "{}: file is larger than the limit of {} MiB",
            path.display(),
            limit / (1024 * 1024)
        );
    }
    Ok(bytes)
}

fn today(given: Option<jiff::civil::Date>) -> jiff::civil::Date {
    given.unwrap_or_else(|| jiff::ZonedDateTime::now().date())
}

fn analyse(loaded: &LoadedModel, today: jiff::civil::Date) -> Analysis {
    rampart_threat::generate::analyse(
        &loaded.model,
        &loaded.source_map,
        RuleLibrary::builtin(),
        today,
    )
}

/// Writes `text` to `output`, or to standard output.
fn write_output(output: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

fn check(args: ThreatCheckArgs) -> anyhow::Result<ExitCode> {
    let today = today(args.today);
    let mut failed = false;
    let mut out = String::new();
    for path in &args.models {
        let loaded = load(path)?;
        let analysis = analyse(&loaded, today);
        failed |= check_one(&loaded, &analysis, &args, &mut out);
    }
    write_output(None, &out)?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Appends the verdict on one model to `out`; true when it fails the gate.
fn check_one(
    loaded: &LoadedModel,
    analysis: &Analysis,
    args: &ThreatCheckArgs,
    out: &mut String,
) -> bool {
    use std::fmt::Write as _;
    let summary = analysis.summary();
    let mut gate = analysis.gate(args.fail_on);
    // Worst first: the line a reader needs is the top one.
    gate.over_threshold
        .sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    let count = |origin: Origin| {
        analysis
            .threats
            .iter()
            .filter(|t| t.origin == origin)
            .count()
    };
    let _ = writeln!(
        out,
        "{}: {} threats ({} from rules, {} baseline, {} hand-written): {} open, {} mitigated, \
         {} accepted, {} acceptance expired, {} false positive",
        loaded.display,
        summary.threats,
        count(Origin::Rule),
        count(Origin::Baseline),
        count(Origin::Manual),
        summary.open,
        summary.mitigated,
        summary.accepted,
        summary.acceptance_expired,
        summary.false_positive,
    );
    let by_severity: Vec<String> = summary
        .open_by_severity
        .iter()
        .rev()
        .map(|(level, n)| format!("{n} {level}"))
        .collect();
    let _ = writeln!(out, "  open by severity: {}", by_severity.join(", "));
    if !gate.over_threshold.is_empty() {
        let _ = writeln!(
            out,
            "  open threats at or above {} ({}):",
            args.fail_on,
            gate.over_threshold.len()
        );
        for threat in &gate.over_threshold {
            let _ = writeln!(out, "{}", threat_line(loaded, threat));
        }
    }
    if !gate.expired.is_empty() {
        let _ = writeln!(out, "  acceptances expired ({}):", gate.expired.len());
        for threat in &gate.expired {
            let detail = match &threat.status {
                Status::AcceptanceExpired { owner, expired, .. } => {
                    format!(" (accepted by {} until {expired})", one_line(owner))
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "{}{detail}", threat_line(loaded, threat));
        }
    }
    for stale in &analysis.stale {
        let at = stale
            .position
            .map_or_else(String::new, |p| format!(":{}:{}", p.line, p.column));
        let _ = writeln!(
            out,
            "{}{at}: warning: risk_tracking entry {:?} matches no threat ({})",
            loaded.display,
            stale.key,
            stale.reason.as_str()
        );
    }
    for warning in &loaded.warnings {
        let _ = writeln!(out, "{warning}");
    }
    let strict_failure = args.strict && (!analysis.stale.is_empty() || !loaded.warnings.is_empty());
    let failed = !gate.passed() || strict_failure;
    let mut reasons = Vec::new();
    if !gate.over_threshold.is_empty() {
        reasons.push(format!(
            "{} open at or above {}",
            gate.over_threshold.len(),
            args.fail_on
        ));
    }
    if !gate.expired.is_empty() {
        reasons.push(format!("{} acceptance(s) expired", gate.expired.len()));
    }
    if strict_failure {
        reasons.push(format!(
            "{} warning(s) under --strict",
            analysis.stale.len() + loaded.warnings.len()
        ));
    }
    let _ = if failed {
        writeln!(out, "FAIL {}: {}", loaded.display, reasons.join("; "))
    } else {
        writeln!(
            out,
            "PASS {}: nothing open at or above {}",
            loaded.display, args.fail_on
        )
    };
    failed
}

fn threat_line(loaded: &LoadedModel, threat: &Threat) -> String {
    let at = threat
        .position
        .map_or_else(String::new, |p| format!(":{}:{}", p.line, p.column));
    format!(
        "    {:<8} {}  [{}]  {}{at}  {}",
        threat.severity.as_str(),
        threat.id,
        threat.stride.label(),
        loaded.display,
        one_line(&threat.title)
    )
}

fn report(args: ThreatReportArgs) -> anyhow::Result<ExitCode> {
    let loaded = load(&args.model)?;
    for warning in &loaded.warnings {
        eprintln!("{warning}");
    }
    let today = today(args.today);
    let analysis = analyse(&loaded, today);
    let input = rampart_threat::report::ReportInput {
        model: &loaded.model,
        analysis: &analysis,
        file: &loaded.display,
        warnings: &loaded.warnings,
        today,
    };
    let text = match args.format {
        ThreatReportFormat::Markdown => rampart_threat::report::markdown(&input),
        ThreatReportFormat::Html => rampart_threat::report::html(&input),
        ThreatReportFormat::Json => pretty(&rampart_threat::report::json(&input))?,
        ThreatReportFormat::Sarif => pretty(&rampart_threat::report::sarif(
            &input,
            env!("CARGO_PKG_VERSION"),
        ))?,
    };
    write_output(args.output.as_deref(), &text)?;
    if args.output.is_some() {
        let summary = analysis.summary();
        eprintln!(
            "{}: {} threats, {} open",
            loaded.display, summary.threats, summary.open
        );
    }
    // A report documents; `rampart threat check` is the gate.
    Ok(ExitCode::SUCCESS)
}

fn pretty(value: &serde_json::Value) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

fn diagram(args: ThreatDiagramArgs) -> anyhow::Result<ExitCode> {
    let loaded = load(&args.model)?;
    for warning in &loaded.warnings {
        eprintln!("{warning}");
    }
    let text = match args.format {
        ThreatDiagramFormat::Mermaid => rampart_threat::diagram::mermaid(&loaded.model),
        ThreatDiagramFormat::Dot => rampart_threat::diagram::dot(&loaded.model),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

fn import_threat_dragon(args: ThreatImportArgs) -> anyhow::Result<ExitCode> {
    let display = args.file.to_string_lossy().replace('\\', "/");
    let bytes = read_bytes(&args.file, rampart_threat::threat_dragon::MAX_INPUT_BYTES)?;
    let imported = rampart_threat::threat_dragon::import_v2(&display, &bytes)?;
    let model = &imported.model;
    let mut text = format!(
        "# Imported from {display} by `rampart threat import-threat-dragon`.\n\
         # Threat Dragon does not record data assets, authentication or most controls:\n\
         # add them here, then run `rampart threat check` on this file.\n"
    );
    text.push_str(&rampart_threat::emit::to_yaml(model));

    // The importer promises a valid model; say so plainly if it is not, so
    // the user fixes the YAML rather than wonders why `check` refuses it.
    // A Threat Dragon file may be up to 16 MiB; YAML past the 4 MiB model
    // limit is still written, but `check` will refuse it, so say so.
    let too_large = text.len() > rampart_threat::MAX_INPUT_BYTES;
    // Problems are reported against the YAML written, not the JSON read.
    let written = args.output.as_ref().map_or_else(
        || "<imported model>".to_owned(),
        |path| path.to_string_lossy().replace('\\', "/"),
    );
    let problems = if too_large {
        Vec::new()
    } else {
        let reparsed = rampart_threat::parse_model(&written, &text)
            .context("the imported model does not parse back (a bug in the importer)")?;
        rampart_threat::validate(&reparsed.model, &reparsed.source_map)
    };

    match &args.output {
        Some(path) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true);
            if args.force {
                options.create(true).truncate(true);
            } else {
                options.create_new(true);
            }
            let mut file = options.open(path).map_err(|error| {
                if error.kind() == std::io::ErrorKind::AlreadyExists {
                    anyhow::anyhow!("{} exists; pass --force to overwrite it", path.display())
                } else {
                    anyhow::Error::new(error).context(format!("cannot write {}", path.display()))
                }
            })?;
            file.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => write_output(None, &text)?,
    }

    let tracked = |status: rampart_threat::model::TrackingStatus| {
        model
            .risk_tracking
            .values()
            .filter(|entry| entry.status == status)
            .count()
    };
    eprintln!(
        "imported {display}: {} external entities, {} processes, {} data stores, {} flows, \
         {} trust boundaries, {} threats ({} open, {} mitigated, {} false positive)",
        model.external_entities.len(),
        model.processes.len(),
        model.data_stores.len(),
        model.flows.len(),
        model.trust_boundaries.len(),
        model.threats.len(),
        tracked(rampart_threat::model::TrackingStatus::Open),
        tracked(rampart_threat::model::TrackingStatus::Mitigated),
        tracked(rampart_threat::model::TrackingStatus::FalsePositive),
    );
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    if too_large {
        eprintln!(
            "warning: the imported model is {} MiB, over the {} MiB limit of model files: \
             split it before `rampart threat check` can read it",
            text.len() / (1024 * 1024),
            rampart_threat::MAX_INPUT_BYTES / (1024 * 1024)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn schema(args: ThreatSchemaArgs) -> anyhow::Result<ExitCode> {
    write_output(
        args.output.as_deref(),
        &rampart_threat::schema::json_schema_text(),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn rules(args: ThreatRulesArgs) -> anyhow::Result<ExitCode> {
    use std::fmt::Write as _;
    let library = RuleLibrary::builtin();
    let mut out = String::new();
    match args.format {
        ThreatRulesFormat::Json => {
            let rules: Vec<serde_json::Value> = library
                .rules()
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.id,
                        "title": rule.title,
                        "stride": rule.stride.as_str(),
                        "applies_to": rule.applies_to.as_str(),
                        "when": rule.when,
                        "impact": rule.impact.as_str(),
                        "likelihood": rule.likelihood.as_str(),
                        "cwe": rule.cwe,
                        "capec": rule.capec,
                        "description": rule.description,
                        "mitigations": rule.mitigations,
                    })
                })
                .collect();
            out = pretty(&serde_json::json!({ "rules": rules }))?;
        }
        ThreatRulesFormat::Markdown => {
            out.push_str("| id | STRIDE | applies to | CWE | CAPEC | title |\n");
            out.push_str("|---|---|---|---|---|---|\n");
            for rule in library.rules() {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} | {} |",
                    rule.id,
                    rule.stride.label(),
                    rule.applies_to.as_str(),
                    join_ids("CWE-", &rule.cwe),
                    join_ids("CAPEC-", &rule.capec),
                    rule.title.replace('|', "\\|"),
                );
            }
        }
        ThreatRulesFormat::Table => {
            for rule in library.rules() {
                let _ = writeln!(
                    out,
                    "{:<40} {:<24} {:<16} {}",
                    rule.id,
                    rule.stride.label(),
                    rule.applies_to.as_str(),
                    rule.title
                );
            }
            let mut by_stride = std::collections::BTreeMap::new();
            for rule in library.rules() {
                *by_stride.entry(rule.stride).or_insert(0usize) += 1;
            }
            let counts: Vec<String> = by_stride
                .iter()
                .map(|(stride, n)| format!("{} {n}", stride.label()))
                .collect();
            let _ = writeln!(
                out,
                "{} rules: {}",
                library.rules().len(),
                counts.join(", ")
            );
        }
    }
    write_output(None, &out)?;
    Ok(ExitCode::SUCCESS)
}

fn join_ids(prefix: &str, ids: &[u32]) -> String {
    ids.iter()
        .map(|id| format!("{prefix}{id}"))
        .collect::<Vec<_>>()
        .join(", ")
}
