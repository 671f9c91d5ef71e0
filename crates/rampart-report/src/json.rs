//! Rampart's own JSON format, documented field by field in
//! `docs/json-output.md`. Keys are written in a fixed order and every key is
//! always present (`null` or `[]` when empty), so consumers never need to
//! guess whether a missing key means "none" or "unknown".

use std::io;

use rampart_core::{Component, ComponentVersion, Finding, Location, PackageSource};
use serde_json::{Value, json};

use crate::report::{ExpiredIgnore, IgnoredFinding, ScanReport, SkippedFile};
use crate::text::{secret, vulnerability};

/// The `version` of the JSON document; bumped only for breaking changes.
pub const JSON_FORMAT_VERSION: &str = "1";

/// Writes the report as Rampart JSON (pretty-printed, newline-terminated).
pub fn render_json(report: &ScanReport, out: &mut dyn io::Write) -> io::Result<()> {
    let report = report.as_normalized();
    write_json(&json_document(&report), out)
}

/// A JSON array whose elements are built one at a time while writing:
/// building the whole document as a `Value` first cost ~250 MiB for a scan
/// of 50,000 components.
struct LazyArray<'a, T> {
    items: &'a [T],
    to_json: fn(&T) -> Value,
}

impl<T> serde::Serialize for LazyArray<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        for item in self.items {
            seq.serialize_element(&(self.to_json)(item))?;
        }
        seq.end()
    }
}

fn lazy<T>(items: &[T], to_json: fn(&T) -> Value) -> LazyArray<'_, T> {
    LazyArray { items, to_json }
}

/// The document, field by field in the documented order.
#[derive(serde::Serialize)]
struct Document<'a> {
    version: &'static str,
    tool: Value,
    root: &'a str,
    findings: LazyArray<'a, Finding>,
    ignored: LazyArray<'a, IgnoredFinding>,
    expired_ignores: LazyArray<'a, ExpiredIgnore>,
    components: LazyArray<'a, Component>,
    summary: Value,
    scanned: LazyArray<'a, crate::report::ScannedFile>,
    skipped: LazyArray<'a, SkippedFile>,
    errors: LazyArray<'a, SkippedFile>,
    database: Value,
}

/// Pretty JSON plus a final newline, as every JSON-based format writes it.
pub(crate) fn write_json(value: &impl serde::Serialize, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

fn json_document(report: &ScanReport) -> Document<'_> {
    let counts = report.severity_counts();
    Document {
        version: JSON_FORMAT_VERSION,
        tool: json!({ "name": "rampart", "version": report.tool_version }),
        root: &report.root,
        findings: lazy(&report.findings, finding_json),
        ignored: lazy(&report.ignored, ignored_json),
        expired_ignores: lazy(&report.expired_ignores, expired_json),
        components: lazy(&report.components, component_json),
        summary: json!({
            "total": counts.total(),
            "by_severity": {
                "critical": counts.critical,
                "high": counts.high,
                "medium": counts.medium,
                "unknown": counts.unknown,
                "low": counts.low,
                "info": counts.info,
            },
            "fail_on": report.threshold.as_str(),
            "failing": report.failing().count(),
            "exit_code": report.exit_code(),
            "files_scanned": report.scanned_files.len(),
            "packages": report.resolved_components().count(),
            "unresolved": report.unresolved_components().count(),
            "ignored": report.ignored.len(),
            "expired_ignores": report.expired_ignores.len(),
            "skipped": report.skipped.len(),
            "errors": report.errors.len(),
            "secrets": report.secrets.as_ref().map(|s| json!({
                "source": s.source.as_str(),
                "files": s.files,
                "bytes": s.bytes,
                "rules": s.rules,
                "commits": s.commits,
                "skipped_binary": s.skipped_binary,
                "skipped_large": s.skipped_large,
                "max_file_bytes": s.max_file_bytes,
            })),
        }),
        scanned: lazy(
            &report.scanned_files,
            |f| json!({ "path": f.path, "kind": f.kind, "components": f.components }),
        ),
        skipped: lazy(&report.skipped, skipped_json),
        errors: lazy(&report.errors, skipped_json),
        // `age_days` is left out on purpose: it changes every day, and this
        // output must be byte-identical for the same input and database.
        database: report.database.as_ref().map_or(
            Value::Null,
            |db| json!({ "advisories": db.advisories, "newest_modified": db.newest_modified }),
        ),
    }
}

pub(crate) fn finding_json(finding: &Finding) -> Value {
    if let Some(secret) = secret(finding) {
        return json!({
            "kind": finding.kind.name(),
            "id": finding.id,
            "rule_id": finding.id,
            "title": finding.title,
            "severity": finding.severity.as_str(),
            "confidence": secret.confidence.as_str(),
            "provider": secret.provider,
            "fingerprint": finding.fingerprint.as_str(),
            "redacted": secret.redacted,
            // Present only when the user asked for it (`--show-secrets`).
            "secret": secret.value,
            "location": location_json(&finding.location),
            "locations": secret.locations.iter().map(|l| json!({
                "path": l.path,
                "line": l.line,
                "commit": l.commit.as_ref().map(|c| json!({
                    "id": c.id,
                    "author": c.author,
                    "date": c.date,
                })),
            })).collect::<Vec<_>>(),
        });
    }
    let Some(vuln) = vulnerability(finding) else {
        return json!({ "kind": finding.kind.name(), "id": finding.id });
    };
    json!({
        "kind": finding.kind.name(),
        "id": finding.id,
        "aliases": vuln.aliases,
        "title": finding.title,
        "severity": finding.severity.as_str(),
        "cvss": { "score": vuln.cvss_score, "vectors": vuln.cvss_vectors },
        "informational": vuln.informational,
        "package": package_json(vuln.package),
        "location": location_json(&finding.location),
        "fixed_versions": vuln.fixed_versions,
        "fingerprint": finding.fingerprint.as_str(),
        "references": vuln.references,
    })
}

fn package_json(component: &Component) -> Value {
    json!({
        "name": component.name,
        "version": component.version.exact(),
        "ecosystem": component.ecosystem.osv_name(),
        "purl": component.purl().map(|p| p.as_str().to_string()),
    })
}

fn location_json(location: &Location) -> Value {
    json!({ "path": location.path, "line": location.line })
}

fn ignored_json(ignored: &IgnoredFinding) -> Value {
    json!({
        "ignore": {
            "source": ignored.source.as_str(),
            "id": ignored.selector.as_ref().and_then(|s| match s {
                crate::IgnoreSelector::Id(id) => Some(id.as_str()),
                crate::IgnoreSelector::Fingerprint(_) => None,
            }),
            "fingerprint": ignored.selector.as_ref().and_then(|s| match s {
                crate::IgnoreSelector::Fingerprint(fp) => Some(fp.as_str()),
                crate::IgnoreSelector::Id(_) => None,
            }),
            "reason": ignored.reason,
            "until": ignored.until.map(|d| d.to_string()),
        },
        "finding": finding_json(&ignored.finding),
    })
}

fn expired_json(expired: &ExpiredIgnore) -> Value {
    let (id, fingerprint) = match &expired.selector {
        crate::IgnoreSelector::Id(id) => (Some(id.as_str()), None),
        crate::IgnoreSelector::Fingerprint(fp) => (None, Some(fp.as_str())),
    };
    json!({
        "id": id,
        "fingerprint": fingerprint,
        "reason": expired.reason,
        "until": expired.until.to_string(),
        "matched": expired.matched,
        "location": expired.location.as_ref().map(location_json),
    })
}

fn component_json(component: &Component) -> Value {
    let (version, requirement) = match &component.version {
        ComponentVersion::Exact(v) => (Some(v.as_str()), None),
        ComponentVersion::Unresolved { requirement } => (None, Some(requirement.as_str())),
    };
    let source = match &component.source {
        PackageSource::Registry => json!({ "type": "registry" }),
        PackageSource::Git { url, commit } => {
            json!({ "type": "git", "url": url, "commit": commit })
        }
        PackageSource::Path(path) => json!({ "type": "path", "path": path }),
        PackageSource::Url(url) => json!({ "type": "url", "url": url }),
    };
    json!({
        "name": component.name,
        "version": version,
        "requirement": requirement,
        "resolved": version.is_some(),
        "ecosystem": component.ecosystem.osv_name(),
        "purl": component.purl().map(|p| p.as_str().to_string()),
        "scope": component.scope(),
        "groups": component.groups,
        "source": source,
        "location": location_json(&component.location),
    })
}

fn skipped_json(file: &SkippedFile) -> Value {
    json!({ "path": file.path, "reason": file.reason })
}
