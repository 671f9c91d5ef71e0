//! The report as data, `schema_version` 1. Field names are the model's own
//! words; enumerations are their `as_str` forms; absent positions are
//! `null` rather than missing, so every object has the same keys.

use serde_json::{Map, Value, json};

use super::ReportInput;
use crate::analysis::{Origin, SeverityBasis, Status, Target, Threat};
use crate::model::{Level, Stride};
use crate::position::Position;

pub(super) fn render(input: &ReportInput) -> Value {
    let summary = input.analysis.summary();
    let open_by_severity: Map<String, Value> = Level::ALL
        .iter()
        .map(|level| {
            let n = summary.open_by_severity.get(level).copied().unwrap_or(0);
            (level.as_str().to_owned(), json!(n))
        })
        .collect();
    let by_stride: Map<String, Value> = Stride::ALL
        .iter()
        .map(|stride| {
            let n = summary.by_stride.get(stride).copied().unwrap_or(0);
            (stride.as_str().to_owned(), json!(n))
        })
        .collect();
    json!({
        "schema_version": 1,
        "date": input.today.to_string(),
        "model": { "title": input.model.title, "file": input.file },
        "summary": {
            "threats": summary.threats,
            "open": summary.open,
            "mitigated": summary.mitigated,
            "accepted": summary.accepted,
            "acceptance_expired": summary.acceptance_expired,
            "false_positive": summary.false_positive,
            "open_by_severity": open_by_severity,
            "by_stride": by_stride,
            "stale": summary.stale,
        },
        "threats": input
            .analysis
            .threats
            .iter()
            .map(|threat| threat_json(threat, input.file))
            .collect::<Vec<_>>(),
        "stale_tracking": input
            .analysis
            .stale
            .iter()
            .map(|entry| json!({
                "key": entry.key,
                "reason": entry.reason.as_str(),
                "location": location(input.file, entry.position),
            }))
            .collect::<Vec<_>>(),
        "warnings": input
            .warnings
            .iter()
            .map(|warning| json!({
                "severity": match warning.severity {
                    crate::validate::DiagSeverity::Error => "error",
                    crate::validate::DiagSeverity::Warning => "warning",
                },
                "code": warning.code,
                "message": warning.message,
                "path": warning.path,
                "location": location(&warning.file, warning.position),
            }))
            .collect::<Vec<_>>(),
    })
}

fn threat_json(threat: &Threat, file: &str) -> Value {
    json!({
        "id": threat.id,
        "rule": threat.rule,
        "origin": origin(&threat.origin),
        "title": threat.title,
        "stride": threat.stride.as_str(),
        "severity": threat.severity.as_str(),
        "severity_basis": severity_basis(&threat.severity_basis),
        "status": status(&threat.status),
        "target": target(&threat.target),
        "location": location(file, threat.position),
        "cwe": threat.cwe,
        "capec": threat.capec,
        "assets": threat.assets,
        "description": threat.description,
        "mitigations": threat.mitigations,
    })
}

fn origin(origin: &Origin) -> &'static str {
    match origin {
        Origin::Rule => "rule",
        Origin::Baseline => "baseline",
        Origin::Manual => "manual",
    }
}

fn severity_basis(basis: &SeverityBasis) -> Value {
    match basis {
        SeverityBasis::Derived {
            dimension,
            level,
            asset,
            likelihood,
        } => json!({
            "kind": "derived",
            "dimension": dimension.as_str(),
            "level": level.as_str(),
            "asset": asset,
            "likelihood": likelihood.as_str(),
        }),
        SeverityBasis::Stated => json!({ "kind": "stated" }),
    }
}

fn status(status: &Status) -> Value {
    let mut value = json!({ "state": status.as_str() });
    let fields = match status {
        Status::Open { note } => json!({ "note": note }),
        Status::Mitigated { reference } => json!({ "reference": reference }),
        Status::Accepted {
            owner,
            expires,
            reason,
        } => json!({ "owner": owner, "expires": expires.to_string(), "reason": reason }),
        Status::AcceptanceExpired {
            owner,
            expired,
            reason,
        } => json!({ "owner": owner, "expires": expired.to_string(), "reason": reason }),
        Status::FalsePositive { reason } => json!({ "reason": reason }),
    };
    if let (Some(value), Value::Object(fields)) = (value.as_object_mut(), fields) {
        value.extend(fields);
    }
    value
}

fn target(target: &Target) -> Value {
    let mut value = json!({
        "kind": target.kind.as_str(),
        "id": target.id,
        "name": target.name,
    });
    if let Some(object) = value.as_object_mut() {
        if let Some(from) = &target.from {
            object.insert("from".to_owned(), json!(from));
        }
        if let Some(to) = &target.to {
            object.insert("to".to_owned(), json!(to));
        }
    }
    value
}

fn location(file: &str, position: Option<Position>) -> Value {
    json!({
        "file": file,
        "line": position.map(|p| p.line),
        "column": position.map(|p| p.column),
    })
}
