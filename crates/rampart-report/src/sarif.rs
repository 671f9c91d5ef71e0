//! SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning first).
//!
//! Only active findings become results. Ignored findings are left out rather
//! than emitted with `suppressions`: GitHub does not honour SARIF
//! suppressions by default and would open an alert for each of them.

use std::collections::BTreeMap;
use std::io;

use rampart_core::{Finding, Severity};
use serde_json::{Value, json};

use crate::json::write_json;
use crate::markdown::{cell, link_target};
use crate::report::{ScanReport, SkippedFile};
use crate::text::{
    advisory_url, fixed_in, package_label, percent_encode_path, secret, vulnerability,
};

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The workspace's `repository`, so the link has one source of truth.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// The key under which results carry our fingerprint; versioned so that a
/// future change of fingerprint scheme can live beside the old one.
const FINGERPRINT_KEY: &str = "rampart/v1";

/// Writes the report as a SARIF 2.1.0 log with one run.
pub fn render_sarif(report: &ScanReport, out: &mut dyn io::Write) -> io::Result<()> {
    let report = report.as_normalized();
    write_json(&sarif_log(&report), out)
}

/// The log's top level. Results are turned into JSON one at a time while
/// writing, so thousands of findings do not sit in memory twice.
#[derive(serde::Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [SarifRun<'a>; 1],
}

#[derive(serde::Serialize)]
struct SarifRun<'a> {
    tool: Value,
    invocations: Value,
    results: LazyResults<'a>,
}

struct LazyResults<'a> {
    findings: &'a [Finding],
    rule_index: BTreeMap<&'a str, usize>,
}

impl serde::Serialize for LazyResults<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.findings.len()))?;
        for finding in self.findings {
            let index = self
                .rule_index
                .get(finding.id.as_str())
                .copied()
                .unwrap_or_default();
            seq.serialize_element(&result_json(finding, index))?;
        }
        seq.end()
    }
}

fn sarif_log(report: &ScanReport) -> SarifLog<'_> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        by_rule
            .entry(finding.id.as_str())
            .or_default()
            .push(finding);
    }
    let rule_index: BTreeMap<&str, usize> =
        by_rule.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<Value> = by_rule
        .iter()
        .map(|(id, findings)| rule_json(id, findings))
        .collect();
    let mut notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| notification(e, "error"))
        .collect();
    notifications.extend(report.skipped.iter().map(|s| notification(s, "note")));

    let mut driver = json!({ "name": "rampart", "version": report.tool_version });
    if !INFORMATION_URI.is_empty() {
        driver["informationUri"] = json!(INFORMATION_URI);
    }
    driver["rules"] = json!(rules);

    SarifLog {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [SarifRun {
            tool: json!({ "driver": driver }),
            invocations: json!([{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }]),
            results: LazyResults {
                findings: &report.findings,
                rule_index,
            },
        }],
    }
}

/// The level GitHub shows: error for critical/high, warning for
/// medium/unknown, note for low/info.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Unknown => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub ranks alerts by `security-severity` (a CVSS-like score in a
/// string). Without a score we pick the middle of the severity's CVSS band so
/// the alert lands in the same GitHub bucket as our own rating.
fn security_severity(severity: Severity, score: Option<f64>) -> String {
    let score = score.unwrap_or(match severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium | Severity::Unknown => 5.5,
        Severity::Low => 2.0,
        Severity::Info => 0.0,
    });
    format!("{score:.1}")
}

fn rule_json(id: &str, findings: &[&Finding]) -> Value {
    // Findings of one advisory normally agree; if they do not, the rule
    // describes the worst of them.
    let Some(worst) = findings
        .iter()
        .copied()
        .min_by_key(|f| f.severity.display_rank())
    else {
        return json!({ "id": id });
    };
    if let Some(secret) = secret(worst) {
        return secret_rule_json(id, worst, secret.provider);
    }
    let Some(vuln) = vulnerability(worst) else {
        return json!({ "id": id });
    };
    let severity = worst.severity;
    let score = findings
        .iter()
        .filter_map(|f| vulnerability(f).and_then(|v| v.cvss_score))
        .fold(None, |max: Option<f64>, s| {
            Some(max.map_or(s, |m| m.max(s)))
        });

    let aliases = vuln.aliases.join(", ");
    let full = if aliases.is_empty() {
        worst.title.clone()
    } else {
        format!("{} (also known as {aliases})", worst.title)
    };
    let mut help_text = format!("{id}: {}\n", worst.title);
    let mut help_md = format!("**{}**: {}\n", cell(id), cell(&worst.title));
    if !aliases.is_empty() {
        help_text.push_str(&format!("Aliases: {aliases}\n"));
        help_md.push_str(&format!("\nAliases: {}\n", cell(&aliases)));
    }
    if !vuln.references.is_empty() {
        help_text.push_str("References:\n");
        help_md.push_str("\nReferences:\n");
        for reference in vuln.references {
            help_text.push_str(&format!("- {reference}\n"));
            // Only web links become autolinks; anything else (a
            // `javascript:` URI, prose) is shown as escaped text.
            if is_web_url(reference) {
                help_md.push_str(&format!("- <{}>\n", link_target(reference)));
            } else {
                help_md.push_str(&format!("- {}\n", cell(reference)));
            }
        }
    }

    let mut tags = vec!["security".to_string(), "vulnerability".to_string()];
    if let Some(kind) = vuln.informational {
        tags.push(kind.to_string());
    }
    let mut ecosystems: Vec<String> = findings
        .iter()
        .filter_map(|f| vulnerability(f).map(|v| v.package.ecosystem.osv_name().to_string()))
        .collect();
    ecosystems.sort();
    ecosystems.dedup();
    tags.extend(ecosystems);

    json!({
        "id": id,
        "shortDescription": { "text": worst.title },
        "fullDescription": { "text": full },
        "helpUri": advisory_url(worst),
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": level(severity) },
        "properties": {
            "security-severity": security_severity(severity, score),
            "tags": tags,
        },
    })
}

/// Whether `reference` is an `http(s)` URL with something after the scheme.
fn is_web_url(reference: &str) -> bool {
    let lower = reference.to_ascii_lowercase();
    ["https://", "http://"]
        .iter()
        .any(|scheme| lower.len() > scheme.len() && lower.starts_with(scheme))
}

/// A secret rule: what it detects and what to do about a hit.
fn secret_rule_json(id: &str, worst: &Finding, provider: &str) -> Value {
    let help = format!(
        "{id}: {}\nA credential is written into the code. Treat it as compromised: revoke or rotate it at the provider ({provider}), then remove it from the code (and from git history if it was committed). Suppress a false positive with `rampart:ignore {id}` on the line or an [[ignore]] entry with its fingerprint.",
        worst.title
    );
    json!({
        "id": id,
        "shortDescription": { "text": worst.title },
        "fullDescription": { "text": format!("{} ({provider})", worst.title) },
        "help": { "text": help, "markdown": cell(&help) },
        "defaultConfiguration": { "level": level(worst.severity) },
        "properties": {
            "security-severity": security_severity(worst.severity, None),
            "tags": ["security", "secret", provider],
        },
    })
}

/// A secret result: every place the value occurs is a location (GitHub
/// shows the first; the others stay in the log).
fn secret_result_json(
    finding: &Finding,
    secret: &crate::text::Secret<'_>,
    rule_index: usize,
) -> Value {
    let locations: Vec<Value> = secret
        .locations
        .iter()
        .map(|l| {
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": percent_encode_path(&l.path),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": { "startLine": l.line.max(1) },
                }
            });
            if let Some(commit) = &l.commit {
                location["properties"] = json!({
                    "commit": commit.id,
                    "author": commit.author,
                    "date": commit.date,
                });
            }
            location
        })
        .collect();
    json!({
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": format!(
            "{} {} ({} confidence){}",
            finding.title,
            secret.shown,
            secret.confidence,
            match secret.locations.len() {
                0 | 1 => String::new(),
                n => format!("; found in {n} places"),
            }
        ) },
        "locations": locations,
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint.as_str() },
        "properties": {
            "severity": finding.severity.as_str(),
            "confidence": secret.confidence.as_str(),
            "provider": secret.provider,
            "redacted": secret.redacted,
        },
    })
}

fn result_json(finding: &Finding, rule_index: usize) -> Value {
    if let Some(secret) = secret(finding) {
        return secret_result_json(finding, &secret, rule_index);
    }
    let Some(vuln) = vulnerability(finding) else {
        return json!({ "ruleId": finding.id, "ruleIndex": rule_index });
    };
    let mut subject = finding.id.clone();
    if let Some(alias) = vuln.aliases.first() {
        subject.push_str(&format!(" ({alias})"));
    }
    let fix = match fixed_in(vuln.fixed_versions) {
        Some(versions) => format!("fixed in {versions}"),
        None => "no fix available".to_string(),
    };
    let message = format!(
        "{} is affected by {subject}: {}; {fix}.",
        package_label(vuln.package),
        finding.title
    );

    let mut physical = json!({
        "artifactLocation": {
            "uri": percent_encode_path(&finding.location.path),
            "uriBaseId": "%SRCROOT%",
        }
    });
    if let Some(line) = finding.location.line.filter(|l| *l >= 1) {
        physical["region"] = json!({ "startLine": line });
    }

    json!({
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint.as_str() },
        "properties": {
            "severity": finding.severity.as_str(),
            "package": vuln.package.name,
            "version": vuln.package.version.exact(),
            "ecosystem": vuln.package.ecosystem.osv_name(),
            "purl": vuln.package.purl().map(|p| p.as_str().to_string()),
            "aliases": vuln.aliases,
            "fixed_versions": vuln.fixed_versions,
        },
    })
}

fn notification(file: &SkippedFile, level: &str) -> Value {
    json!({
        "level": level,
        "message": { "text": format!("{}: {}", file.path, file.reason) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {
                    "uri": percent_encode_path(&file.path),
                    "uriBaseId": "%SRCROOT%",
                }
            }
        }],
    })
}
