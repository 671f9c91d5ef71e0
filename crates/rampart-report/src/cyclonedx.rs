//! CycloneDX 1.6 JSON: the scanned components as an SBOM, plus the active
//! findings as `vulnerabilities`.
//!
//! Two choices keep the output byte-identical for the same input: there is
//! no `metadata.timestamp`, and `serialNumber` is derived from the content
//! (see [`serial_number`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use rampart_core::{
    Component, ComponentVersion, DependencyScope, Ecosystem, Finding, Location, Severity,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::json::write_json;
use crate::report::ScanReport;
use crate::text::{fixed_in, osv_url, percent_encode_path, vulnerability};

const CYCLONEDX_SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

/// Writes the report as a CycloneDX 1.6 JSON BOM.
pub fn render_cyclonedx(report: &ScanReport, out: &mut dyn io::Write) -> io::Result<()> {
    let report = report.as_normalized();
    let merged = merged_components(&report);
    let body = Body {
        metadata: json!({
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "rampart",
                    "version": report.tool_version,
                }]
            }
        }),
        components: LazyComponents(merged.values().collect()),
        vulnerabilities: vulnerabilities(&report, &merged),
    };
    let document = Document {
        schema: CYCLONEDX_SCHEMA,
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial_number(&body)?,
        version: 1,
        body,
    };
    write_json(&document, out)
}

/// The BOM's top level, in CycloneDX's customary key order. Components are
/// turned into JSON one at a time while writing: building the whole BOM as
/// a `Value` (twice, with the serial-number hash) cost ~270 MiB for 50,000
/// components.
#[derive(serde::Serialize)]
struct Document<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    #[serde(flatten)]
    body: Body<'a>,
}

#[derive(serde::Serialize)]
struct Body<'a> {
    metadata: Value,
    components: LazyComponents<'a>,
    vulnerabilities: Vec<Value>,
}

struct LazyComponents<'a>(Vec<&'a BomComponent<'a>>);

impl serde::Serialize for LazyComponents<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for component in &self.0 {
            seq.serialize_element(&component_json(component))?;
        }
        seq.end()
    }
}

/// One BOM component: a package, possibly declared in several places.
struct BomComponent<'a> {
    first: &'a Component,
    locations: BTreeSet<&'a Location>,
    scope: DependencyScope,
    bom_ref: String,
}

type ComponentKey<'a> = (&'a Ecosystem, &'a str, &'a ComponentVersion);

fn merged_components(report: &ScanReport) -> BTreeMap<ComponentKey<'_>, BomComponent<'_>> {
    // The same package declared in two lockfiles is one component with two
    // `rampart:location` properties (CycloneDX allows repeated names).
    let mut merged: BTreeMap<ComponentKey<'_>, BomComponent<'_>> = BTreeMap::new();
    for component in &report.components {
        let key = (
            &component.ecosystem,
            component.name.as_str(),
            &component.version,
        );
        let entry = merged.entry(key).or_insert_with(|| BomComponent {
            first: component,
            locations: BTreeSet::new(),
            scope: component.scope(),
            bom_ref: String::new(),
        });
        entry.locations.insert(&component.location);
        entry.scope = stronger_scope(entry.scope, component.scope());
    }
    // Vulnerable packages must be components too, so `affects` can point at
    // them even if the caller did not list every component.
    for finding in &report.findings {
        let Some(vuln) = vulnerability(finding) else {
            continue;
        };
        let package = vuln.package;
        let key = (&package.ecosystem, package.name.as_str(), &package.version);
        merged.entry(key).or_insert_with(|| BomComponent {
            first: package,
            locations: BTreeSet::from([&package.location]),
            scope: package.scope(),
            bom_ref: String::new(),
        });
    }

    let mut seen_refs: BTreeMap<String, usize> = BTreeMap::new();
    for component in merged.values_mut() {
        let base = base_ref(component.first);
        let n = seen_refs.entry(base.clone()).or_default();
        *n += 1;
        component.bom_ref = if *n == 1 { base } else { format!("{base}#{n}") };
    }
    merged
}

fn vulnerabilities(
    report: &ScanReport,
    merged: &BTreeMap<ComponentKey<'_>, BomComponent<'_>>,
) -> Vec<Value> {
    // Secrets are not part of a bill of materials: only vulnerabilities are
    // written (the other formats carry secret findings).
    let mut by_id: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in report
        .findings
        .iter()
        .filter(|f| vulnerability(f).is_some())
    {
        by_id.entry(finding.id.as_str()).or_default().push(finding);
    }
    by_id
        .iter()
        .map(|(id, findings)| vulnerability_json(id, findings, merged))
        .collect()
}

/// Feeds serialised JSON straight into the hash.
struct HashingWriter(Sha256);

impl io::Write for HashingWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A `urn:uuid:` derived from the BOM's content.
///
/// CycloneDX wants every BOM to carry an RFC 4122 UUID serial number, and a
/// random one would make two runs over the same input differ. So we hash the
/// content (SHA-256 of the compact JSON body, truncated to 128 bits) and set
/// the version and variant bits of a version-4 UUID: the name-based version 5
/// would need SHA-1 and a namespace for no benefit here, and the custom
/// version 8 is rejected by older tools that check the version nibble.
/// Identical content gives the identical serial number; any change to the
/// content gives a new one.
fn serial_number(body: &Body<'_>) -> io::Result<String> {
    let mut hasher = HashingWriter(Sha256::new());
    hasher.0.update(b"rampart cyclonedx serial\0");
    serde_json::to_writer(&mut hasher, body).map_err(io::Error::from)?;
    let digest = hasher.0.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let mut digits: Vec<char> = hex.chars().collect();
    if digits.len() < 32 {
        digits.resize(32, '0');
    }
    digits[12] = '4';
    let variant = digits[16].to_digit(16).unwrap_or(0);
    digits[16] = char::from_digit((variant & 0x3) | 0x8, 16).unwrap_or('8');
    let d: String = digits.into_iter().collect();
    Ok(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &d[0..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    ))
}

fn stronger_scope(a: DependencyScope, b: DependencyScope) -> DependencyScope {
    let rank = |s: DependencyScope| match s {
        DependencyScope::Runtime => 0,
        DependencyScope::Optional => 1,
        DependencyScope::Development => 2,
    };
    if rank(a) <= rank(b) { a } else { b }
}

fn base_ref(component: &Component) -> String {
    match component.purl() {
        Some(purl) => purl.as_str().to_string(),
        None => match component.version.exact() {
            Some(version) => format!(
                "rampart:{}/{}@{version}",
                component.ecosystem.osv_name(),
                component.name
            ),
            None => format!(
                "rampart:{}/{}",
                component.ecosystem.osv_name(),
                component.name
            ),
        },
    }
}

fn component_json(component: &BomComponent<'_>) -> Value {
    let package = component.first;
    let mut properties: Vec<Value> = component
        .locations
        .iter()
        .map(|l| json!({ "name": "rampart:location", "value": l.to_string() }))
        .collect();
    properties.push(json!({ "name": "rampart:ecosystem", "value": package.ecosystem.osv_name() }));
    if let ComponentVersion::Unresolved { requirement } = &package.version {
        properties.push(json!({ "name": "rampart:requirement", "value": requirement }));
    }
    let scope = match component.scope {
        DependencyScope::Runtime => "required",
        DependencyScope::Optional => "optional",
        // CycloneDX's "excluded" documents use for tests and other
        // non-runtime purposes: what a dev dependency is.
        DependencyScope::Development => "excluded",
    };

    let mut value = json!({
        "type": "library",
        "bom-ref": component.bom_ref,
        "name": package.name,
    });
    if let Some(version) = package.version.exact() {
        value["version"] = json!(version);
    }
    value["scope"] = json!(scope);
    if let Some(purl) = package.purl() {
        value["purl"] = json!(purl.as_str());
    }
    value["properties"] = json!(properties);
    value
}

fn cdx_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
        Severity::Unknown => "unknown",
    }
}

/// The CycloneDX rating method of a CVSS vector, with a rank: the score we
/// carry is attributed to the newest CVSS version present.
fn cvss_method(vector: &str) -> (&'static str, u8) {
    if vector.starts_with("CVSS:4.0/") {
        ("CVSSv4", 4)
    } else if vector.starts_with("CVSS:3.1/") {
        ("CVSSv31", 3)
    } else if vector.starts_with("CVSS:3.0/") {
        ("CVSSv3", 2)
    } else if vector.starts_with("AV:") || vector.starts_with("(AV:") {
        ("CVSSv2", 1)
    } else {
        ("other", 0)
    }
}

fn vulnerability_json(
    id: &str,
    findings: &[&Finding],
    components: &BTreeMap<ComponentKey<'_>, BomComponent<'_>>,
) -> Value {
    let Some(worst) = findings
        .iter()
        .copied()
        .min_by_key(|f| f.severity.display_rank())
    else {
        return json!({ "id": id });
    };
    let Some(vuln) = vulnerability(worst) else {
        return json!({ "id": id });
    };

    let references: Vec<Value> = vuln
        .aliases
        .iter()
        .map(|alias| {
            let (name, url) = alias_source(alias);
            json!({ "id": alias, "source": { "name": name, "url": url } })
        })
        .collect();

    let primary = vuln
        .cvss_vectors
        .iter()
        .enumerate()
        .max_by_key(|(i, v)| (cvss_method(v).1, std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    let mut ratings: Vec<Value> = vuln
        .cvss_vectors
        .iter()
        .enumerate()
        .map(|(i, vector)| {
            let mut rating = json!({});
            if Some(i) == primary {
                if let Some(score) = vuln.cvss_score {
                    rating["score"] = json!(score);
                }
                rating["severity"] = json!(cdx_severity(worst.severity));
            }
            rating["method"] = json!(cvss_method(vector).0);
            rating["vector"] = json!(vector);
            rating
        })
        .collect();
    if ratings.is_empty() {
        let mut rating = json!({});
        if let Some(score) = vuln.cvss_score {
            rating["score"] = json!(score);
        }
        rating["severity"] = json!(cdx_severity(worst.severity));
        rating["method"] = json!("other");
        ratings.push(rating);
    }

    let mut recommendations = BTreeSet::new();
    let mut affects = BTreeSet::new();
    for finding in findings {
        let Some(v) = vulnerability(finding) else {
            continue;
        };
        recommendations.insert(match fixed_in(v.fixed_versions) {
            Some(fixed) => format!("Upgrade {} to {fixed}.", v.package.name),
            None => format!("No fixed version of {} is available.", v.package.name),
        });
        let key = (
            &v.package.ecosystem,
            v.package.name.as_str(),
            &v.package.version,
        );
        if let Some(component) = components.get(&key) {
            affects.insert(component.bom_ref.clone());
        }
    }

    let mut value = json!({
        "id": id,
        "source": { "name": "OSV", "url": osv_url(id) },
        "references": references,
        "ratings": ratings,
        "description": worst.title,
        "recommendation": recommendations.into_iter().collect::<Vec<_>>().join(" "),
    });
    let advisories: Vec<Value> = vuln
        .references
        .iter()
        .map(|url| json!({ "url": url }))
        .collect();
    if !advisories.is_empty() {
        value["advisories"] = json!(advisories);
    }
    value["affects"] = json!(
        affects
            .into_iter()
            .map(|r| json!({ "ref": r }))
            .collect::<Vec<_>>()
    );
    if let Some(kind) = vuln.informational {
        value["properties"] = json!([{ "name": "rampart:informational", "value": kind }]);
    }
    value
}

/// Where an alias is published.
fn alias_source(alias: &str) -> (&'static str, String) {
    if alias.starts_with("CVE-") {
        (
            "NVD",
            format!(
                "https://nvd.nist.gov/vuln/detail/{}",
                percent_encode_path(alias)
            ),
        )
    } else if alias.starts_with("GHSA-") {
        (
            "GitHub",
            format!(
                "https://github.com/advisories/{}",
                percent_encode_path(alias)
            ),
        )
    } else {
        ("OSV", osv_url(alias))
    }
}
