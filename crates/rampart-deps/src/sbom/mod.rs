//! SBOM uploads: CycloneDX JSON and SPDX JSON documents to [`Component`]s.
//!
//! An SBOM names packages by PURL, so a package without one cannot be
//! matched against advisories; it is listed in [`Sbom::skipped`] with the
//! reason instead of being guessed at. Like the lockfile extractors this is a
//! pure function of the bytes and never panics on hostile input.

mod cyclonedx;
mod spdx;

use std::collections::BTreeMap;

use rampart_core::{Component, ComponentVersion, Location, ParsedPurl, Purl};
use serde_json::Value;

/// The largest document read: a real SBOM of a large container image is a
/// few megabytes; a parsed `Value` takes several times its text.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The most components (including skipped ones) one document may list.
pub const MAX_COMPONENTS: usize = 100_000;
/// How deep CycloneDX `components[].components` may nest.
pub const MAX_NESTING: usize = 32;

/// The SBOM standards we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum SbomFormat {
    CycloneDx,
    Spdx,
}

/// A parsed SBOM document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbom {
    pub format: SbomFormat,
    /// `1.2`…`1.7` for CycloneDX, `2.2` or `2.3` for SPDX.
    pub spec_version: String,
    /// The tools that wrote the document (CycloneDX `metadata.tools`, SPDX
    /// `Tool:` creators, else all creators), comma-separated.
    pub tool: Option<String>,
    /// What the document describes (CycloneDX `metadata.component`, the
    /// package SPDX `DESCRIBES`), as `name` or `name@version`.
    pub subject: Option<String>,
    /// The packages with a usable PURL, in document order.
    pub components: Vec<SbomComponent>,
    /// The entries that could not become components, and why.
    pub skipped: Vec<SkippedEntry>,
    /// Vulnerabilities the document itself declares (CycloneDX
    /// `vulnerabilities`, SPDX `SECURITY` external references), one per id.
    pub declared_vulnerabilities: Vec<DeclaredVulnerability>,
}

/// One package of an SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomComponent {
    /// Ecosystem, canonical name and version as the lockfile extractors
    /// report them. The version comes from the PURL only: a PURL without one
    /// gives an unresolved component, never matched against advisories. The
    /// location's path points into the document (`components/3/components/0`,
    /// `packages/2`).
    pub component: Component,
    /// The PURL as the document states it, taken apart.
    pub purl: ParsedPurl,
    /// The CycloneDX `bom-ref` or SPDX `SPDXID`, when present.
    pub reference: Option<String>,
}

impl SbomComponent {
    /// The exact version, `None` when the PURL has none.
    pub fn version(&self) -> Option<&str> {
        self.component.version.exact()
    }

    /// The PURL in canonical form.
    pub fn canonical_purl(&self) -> Purl {
        self.purl.to_purl()
    }
}

/// An SBOM entry that did not become a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// The entry's name (or its place in the document when it has none).
    pub name: String,
    pub reason: String,
}

/// A vulnerability an SBOM declares about its own packages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredVulnerability {
    /// `CVE-…`, `GHSA-…`, or the advisory URL when no id can be read off it.
    pub id: String,
    /// Where the document says the information comes from (a CycloneDX
    /// `source.name`, an SPDX advisory URL).
    pub source: Option<String>,
    /// The affected packages' PURLs in canonical form, sorted; references
    /// that name no package with a PURL are left out.
    pub affects: Vec<Purl>,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SbomError {
    #[error("the SBOM is {size} bytes; at most {limit} are accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("the SBOM lists more than {limit} components")]
    TooManyComponents { limit: usize },
    #[error("CycloneDX components nest deeper than {limit} levels")]
    TooDeep { limit: usize },
    /// A format or version we do not read (XML, tag-value, SPDX 3, …).
    #[error("unsupported SBOM: {0}")]
    Unsupported(String),
    /// Invalid JSON, or a field of the wrong type.
    #[error("malformed SBOM: {0}")]
    Malformed(String),
}

/// Parses a CycloneDX JSON (spec 1.2 to 1.7) or SPDX JSON (2.2, 2.3)
/// document, recognised by its own `bomFormat` / `spdxVersion` field.
pub fn parse(bytes: &[u8]) -> Result<Sbom, SbomError> {
    if bytes.len() > MAX_BYTES {
        return Err(SbomError::TooLarge {
            size: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.trim_ascii_start();
    if start.starts_with(b"<") {
        return Err(SbomError::Unsupported(
            "XML SBOMs are not read; upload the CycloneDX or SPDX JSON form".into(),
        ));
    }
    if !start.starts_with(b"{") {
        let text = String::from_utf8_lossy(&start[..start.len().min(4096)]);
        if text.contains("SPDXVersion:") {
            return Err(SbomError::Unsupported(
                "SPDX tag-value documents are not read; upload the SPDX JSON form".into(),
            ));
        }
        return Err(SbomError::Malformed(
            "not a JSON object: expected CycloneDX JSON or SPDX JSON".into(),
        ));
    }
    let doc: Value = serde_json::from_slice(start)
        .map_err(|err| SbomError::Malformed(format!("invalid JSON: {err}")))?;
    if let Some(format) = doc.get("bomFormat") {
        if format.as_str() != Some("CycloneDX") {
            return Err(SbomError::Unsupported(format!(
                "`bomFormat` is {format}, expected \"CycloneDX\""
            )));
        }
        return cyclonedx::parse(&doc);
    }
    if doc.get("spdxVersion").is_some() {
        return spdx::parse(&doc);
    }
    if doc.get("@context").is_some() {
        return Err(SbomError::Unsupported(
            "JSON-LD documents (SPDX 3) are not read; upload SPDX 2.2/2.3 or CycloneDX JSON".into(),
        ));
    }
    Err(SbomError::Unsupported(
        "neither `bomFormat` (CycloneDX) nor `spdxVersion` (SPDX) is present".into(),
    ))
}

/// Collects components, skips and vulnerabilities while a document is read.
#[derive(Default)]
struct Builder {
    components: Vec<SbomComponent>,
    skipped: Vec<SkippedEntry>,
    /// bom-ref / SPDXID to the canonical PURL, for resolving vulnerability
    /// references.
    purl_by_ref: BTreeMap<String, Purl>,
    vulnerabilities: BTreeMap<String, DeclaredVulnerability>,
}

impl Builder {
    fn count(&self) -> usize {
        self.components.len() + self.skipped.len()
    }

    fn check_count(&self) -> Result<(), SbomError> {
        if self.count() >= MAX_COMPONENTS {
            return Err(SbomError::TooManyComponents {
                limit: MAX_COMPONENTS,
            });
        }
        Ok(())
    }

    fn skip(&mut self, name: String, reason: impl Into<String>) -> Result<(), SbomError> {
        self.check_count()?;
        self.skipped.push(SkippedEntry {
            name,
            reason: reason.into(),
        });
        Ok(())
    }

    /// Adds a package named by `purl`, or skips it with the parse error.
    fn add(
        &mut self,
        name: String,
        purl: &str,
        reference: Option<&str>,
        at: String,
        groups: &[&str],
    ) -> Result<(), SbomError> {
        self.check_count()?;
        let parsed = match Purl::parse(purl) {
            Ok(parsed) => parsed,
            Err(err) => return self.skip(name, format!("invalid PURL `{purl}`: {err}")),
        };
        let (ecosystem, package) = parsed.package();
        let version = match &parsed.version {
            Some(v) => ComponentVersion::Exact(v.clone()),
            None => ComponentVersion::Unresolved {
                requirement: String::new(),
            },
        };
        let mut component = Component::new(ecosystem, package, version, Location::new(at, None));
        for group in groups {
            component.add_group(*group);
        }
        if let Some(reference) = reference {
            self.purl_by_ref
                .insert(reference.to_string(), parsed.to_purl());
        }
        self.components.push(SbomComponent {
            component,
            purl: parsed,
            reference: reference.map(str::to_string),
        });
        Ok(())
    }

    /// Records that `id` affects the package known by `reference` (a
    /// bom-ref, an SPDXID or a PURL).
    fn declare(&mut self, id: &str, source: Option<&str>, reference: Option<&str>) {
        let affected = reference.and_then(|r| {
            self.purl_by_ref
                .get(r)
                .cloned()
                .or_else(|| Purl::parse(r).ok().map(|p| p.to_purl()))
        });
        let entry = self
            .vulnerabilities
            .entry(id.to_string())
            .or_insert_with(|| DeclaredVulnerability {
                id: id.to_string(),
                source: source.map(str::to_string),
                affects: Vec::new(),
            });
        if let Some(purl) = affected
            && let Err(at) = entry.affects.binary_search(&purl)
        {
            entry.affects.insert(at, purl);
        }
    }

    fn finish(
        self,
        format: SbomFormat,
        spec_version: String,
        tool: Option<String>,
        subject: Option<String>,
    ) -> Sbom {
        Sbom {
            format,
            spec_version,
            tool,
            subject,
            components: self.components,
            skipped: self.skipped,
            declared_vulnerabilities: self.vulnerabilities.into_values().collect(),
        }
    }
}

/// An optional string field; present with another type is an error naming it.
fn opt_str<'a>(value: &'a Value, field: &str, at: &str) -> Result<Option<&'a str>, SbomError> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(SbomError::Malformed(format!(
            "`{at}{field}` must be a string, found {}",
            kind(other)
        ))),
    }
}

/// An optional array field; present with another type is an error naming it.
fn opt_array<'a>(value: &'a Value, field: &str, at: &str) -> Result<&'a [Value], SbomError> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(SbomError::Malformed(format!(
            "`{at}{field}` must be an array, found {}",
            kind(other)
        ))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `name` or `name@version`, for subjects and skip lists.
fn label(name: Option<&str>, version: Option<&str>) -> Option<String> {
    let name = name.filter(|n| !n.is_empty())?;
    Some(match version.filter(|v| !v.is_empty()) {
        Some(version) => format!("{name}@{version}"),
        None => name.to_string(),
    })
}
