//! SARIF 2.1.0 for code-scanning dashboards (GitHub code scanning first),
//! following the conventions of Rampart's scan SARIF: one run, tool
//! `rampart`, `security-severity` at the middle of each severity's CVSS
//! band, a versioned partial fingerprint.
//!
//! Only open threats (untracked, tracked as open, or accepted past the
//! expiry date) become results. Mitigated, accepted and false-positive
//! threats are left out rather than emitted with `suppressions`: GitHub
//! does not honour SARIF suppressions and would open an alert for each.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::markdown::text as md;
use super::{ReportInput, capec_url, cwe_url, is_hidden};
use crate::analysis::Threat;
use crate::model::Level;

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The workspace's `repository`, so the link has one source of truth.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Versioned so that a later fingerprint scheme can sit beside this one.
const FINGERPRINT_KEY: &str = "rampart/threat/v1";

pub(super) fn render(input: &ReportInput, tool_version: &str) -> Value {
    let open: Vec<&Threat> = input
        .analysis
        .threats
        .iter()
        .filter(|threat| threat.status.is_open())
        .collect();
    let mut by_rule: BTreeMap<&str, Vec<&Threat>> = BTreeMap::new();
    for threat in &open {
        by_rule
            .entry(threat.rule.as_str())
            .or_default()
            .push(threat);
    }
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    for (rule, threats) in &by_rule {
        if let Some(json) = rule_json(rule, threats) {
            rule_index.insert(rule, rules.len());
            rules.push(json);
        }
    }
    let uri = artifact_uri(input.file);
    let results: Vec<Value> = open
        .iter()
        .map(|threat| {
            let index = rule_index.get(threat.rule.as_str()).copied().unwrap_or(0);
            result_json(threat, index, &uri)
        })
        .collect();

    let mut driver = json!({ "name": "rampart", "version": tool_version });
    if !INFORMATION_URI.is_empty() {
        driver["informationUri"] = json!(INFORMATION_URI);
    }
    driver["rules"] = json!(rules);
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
        }],
    })
}

/// The level GitHub shows.
fn level(severity: Level) -> &'static str {
    match severity {
        Level::Critical | Level::High => "error",
        Level::Medium => "warning",
        Level::Low => "note",
    }
}

/// GitHub ranks alerts by `security-severity` (a CVSS-like score); the
/// middle of each band puts the alert in the bucket of our own rating.
fn security_severity(severity: Level) -> &'static str {
    match severity {
        Level::Critical => "9.5",
        Level::High => "8.0",
        Level::Medium => "5.5",
        Level::Low => "3.0",
    }
}

/// One rule per threat rule. Its threats share a title and mitigations
/// but may differ in severity (assets differ per target), so the rule
/// describes the most severe of them.
fn rule_json(rule: &str, threats: &[&Threat]) -> Option<Value> {
    let worst = threats.iter().copied().reduce(|worst, threat| {
        if threat.severity > worst.severity {
            threat
        } else {
            worst
        }
    })?;
    let title = plain(&worst.title);
    let full = plain(if worst.description.trim().is_empty() {
        &worst.title
    } else {
        &worst.description
    });

    let mut help_text = format!("{title}\n\n{full}\n");
    let mut help_md = format!("**{}**\n\n{}\n", md(&worst.title), md(&full));
    if !worst.mitigations.is_empty() {
        help_text.push_str("\nMitigations:\n");
        help_md.push_str("\nMitigations:\n\n");
        for mitigation in &worst.mitigations {
            let _ = writeln!(help_text, "- {}", plain(mitigation));
            let _ = writeln!(help_md, "- {}", md(mitigation));
        }
    }
    if !worst.cwe.is_empty() || !worst.capec.is_empty() {
        help_text.push_str("\nReferences:\n");
        help_md.push_str("\nReferences:\n\n");
        for id in &worst.cwe {
            let _ = writeln!(help_text, "- CWE-{id}: {}", cwe_url(*id));
            let _ = writeln!(help_md, "- [CWE-{id}]({})", cwe_url(*id));
        }
        for id in &worst.capec {
            let _ = writeln!(help_text, "- CAPEC-{id}: {}", capec_url(*id));
            let _ = writeln!(help_md, "- [CAPEC-{id}]({})", capec_url(*id));
        }
    }

    let mut tags = vec![
        "security".to_owned(),
        "threat-model".to_owned(),
        format!("stride/{}", worst.stride.as_str()),
    ];
    let mut cwes: Vec<u32> = threats.iter().flat_map(|t| t.cwe.iter().copied()).collect();
    cwes.sort_unstable();
    cwes.dedup();
    tags.extend(cwes.iter().map(|id| format!("external/cwe/cwe-{id}")));

    let mut value = json!({
        "id": rule,
        "name": rule_name(rule),
        "shortDescription": { "text": title },
        "fullDescription": { "text": full },
        "help": { "text": help_text, "markdown": help_md },
        "defaultConfiguration": { "level": level(worst.severity) },
        "properties": {
            "security-severity": security_severity(worst.severity),
            "tags": tags,
        },
    });
    let help_uri = worst
        .cwe
        .first()
        .map(|id| cwe_url(*id))
        .or_else(|| worst.capec.first().map(|id| capec_url(*id)));
    if let (Some(uri), Some(object)) = (help_uri, value.as_object_mut()) {
        object.insert("helpUri".to_owned(), json!(uri));
    }
    Some(value)
}

fn result_json(threat: &Threat, rule_index: usize, uri: &str) -> Value {
    let (line, column) = threat
        .position
        .map_or((1, None), |at| (at.line.max(1), Some(at.column.max(1))));
    let mut region = json!({ "startLine": line });
    if let Some(column) = column {
        region["startColumn"] = json!(column);
    }
    let mut artifact = json!({ "uri": uri });
    if !is_absolute(uri) {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    json!({
        "ruleId": threat.rule,
        "ruleIndex": rule_index,
        "level": level(threat.severity),
        "message": { "text": plain(&format!("{} ({})", threat.title, threat.target.name)) },
        "locations": [{
            "physicalLocation": { "artifactLocation": artifact, "region": region },
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&threat.id) },
        "properties": {
            "threat_id": threat.id,
            "severity": threat.severity.as_str(),
            "stride": threat.stride.as_str(),
            "status": threat.status.as_str(),
            "target": threat.target.id,
            "target_kind": threat.target.kind.as_str(),
        },
    })
}

/// Text as dashboards show it: invisible characters (bidi overrides,
/// zero-width, controls) removed so a model cannot reorder or hide what an
/// alert says; line breaks stay.
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| *c == '\n' || !is_hidden(*c))
        .collect()
}

/// The first 32 hex digits of the SHA-256 of the threat id: the id is the
/// stable identity, the hash keeps the key short and uniform.
fn fingerprint(id: &str) -> String {
    let digest = Sha256::digest(id.as_bytes());
    let mut out = String::with_capacity(32);
    for byte in digest.iter().take(16) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// `RuleId`-style name from a rule id (`plaintext-confidential-flow` →
/// `PlaintextConfidentialFlow`), the form SARIF viewers expect in `name`.
fn rule_name(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len());
    let mut upper = true;
    for c in rule.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// The model path as a URI reference: forward slashes, a leading `./`
/// dropped, everything but unreserved characters and `/` percent-encoded.
/// An absolute path becomes a `file://` URI.
fn artifact_uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let mut path = path.as_str();
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    let drive = path.len() >= 2
        && path.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && path.as_bytes().get(1) == Some(&b':');
    if drive {
        format!("file:///{}", percent_encode(path, true))
    } else if path.starts_with('/') {
        format!("file://{}", percent_encode(path, false))
    } else {
        percent_encode(path, false)
    }
}

fn is_absolute(uri: &str) -> bool {
    uri.starts_with("file://")
}

fn percent_encode(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let plain = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && byte == b':');
        if plain {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(artifact_uri("./models/a b.yaml"), "models/a%20b.yaml");
        assert_eq!(artifact_uri("models\\shop.yaml"), "models/shop.yaml");
        assert_eq!(artifact_uri("/srv/m.yaml"), "file:///srv/m.yaml");
        assert_eq!(artifact_uri("C:\\m\\x.yaml"), "file:///C:/m/x.yaml");
        assert_eq!(artifact_uri("100%.yaml"), "100%25.yaml");
    }

    #[test]
    fn names_and_fingerprints() {
        assert_eq!(
            rule_name("plaintext-confidential-flow"),
            "PlaintextConfidentialFlow"
        );
        assert_eq!(rule_name("manual.sql_1"), "ManualSql1");
        let print = fingerprint("stride-spoofing@web-app");
        assert_eq!(print.len(), 32);
        assert!(print.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
