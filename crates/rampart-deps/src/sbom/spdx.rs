//! SPDX JSON, versions 2.2 and 2.3.

use serde_json::Value;

use super::{Builder, Sbom, SbomError, SbomFormat, kind, label, opt_array, opt_str};

pub(super) fn parse(doc: &Value) -> Result<Sbom, SbomError> {
    let spec_version = match opt_str(doc, "spdxVersion", "")? {
        Some("SPDX-2.2") => "2.2",
        Some("SPDX-2.3") => "2.3",
        other => {
            return Err(SbomError::Unsupported(format!(
                "spdxVersion {:?}; SPDX-2.2 and SPDX-2.3 are read",
                other.unwrap_or_default()
            )));
        }
    };
    let tool = match doc.get("creationInfo") {
        Some(info) => creators(info)?,
        None => None,
    };

    let packages = opt_array(doc, "packages", "")?;
    let mut builder = Builder::default();
    // Advisories are declared after every package is known, so a reference
    // resolves whatever order the packages come in.
    let mut advisories = Vec::new();
    for (i, package) in packages.iter().enumerate() {
        let here = format!("packages/{i}");
        if !package.is_object() {
            return Err(SbomError::Malformed(format!(
                "`{here}` must be an object, found {}",
                kind(package)
            )));
        }
        let at = format!("packages[{i}].");
        let spdx_id = opt_str(package, "SPDXID", &at)?;
        let display = label(
            opt_str(package, "name", &at)?,
            opt_str(package, "versionInfo", &at)?,
        )
        .unwrap_or_else(|| here.clone());
        let mut purl = None;
        for (j, reference) in opt_array(package, "externalRefs", &at)?.iter().enumerate() {
            let ref_at = format!("{at}externalRefs[{j}].");
            let category = opt_str(reference, "referenceCategory", &ref_at)?.unwrap_or("");
            let ref_type = opt_str(reference, "referenceType", &ref_at)?.unwrap_or("");
            let locator = opt_str(reference, "referenceLocator", &ref_at)?.unwrap_or("");
            // SPDX 2.2 spells the category with an underscore, 2.3 with a
            // hyphen.
            let category = category.to_ascii_uppercase().replace('_', "-");
            if category == "PACKAGE-MANAGER" && ref_type == "purl" && purl.is_none() {
                purl = Some(locator);
            } else if category == "SECURITY" && ref_type == "advisory" && !locator.is_empty() {
                advisories.push((locator, spdx_id));
            }
        }
        match purl.filter(|p| !p.is_empty()) {
            Some(purl) => builder.add(display, purl, spdx_id, here, &[])?,
            None => builder.skip(display, "package without a purl external reference")?,
        }
    }
    for (url, spdx_id) in advisories {
        builder.declare(advisory_id(url), Some(url), spdx_id);
    }

    let subject = subject(doc, packages)?;
    Ok(builder.finish(SbomFormat::Spdx, spec_version.to_string(), tool, subject))
}

/// `Tool:` creators; when none, every creator.
fn creators(info: &Value) -> Result<Option<String>, SbomError> {
    let mut all = Vec::new();
    for (i, creator) in opt_array(info, "creators", "creationInfo.")?
        .iter()
        .enumerate()
    {
        match creator.as_str() {
            Some(creator) => all.push(creator.trim()),
            None => {
                return Err(SbomError::Malformed(format!(
                    "`creationInfo.creators[{i}]` must be a string, found {}",
                    kind(creator)
                )));
            }
        }
    }
    let tools: Vec<&str> = all
        .iter()
        .filter_map(|c| c.strip_prefix("Tool:"))
        .map(str::trim)
        .collect();
    let chosen = if tools.is_empty() { all } else { tools };
    Ok(Some(chosen.join(", ")).filter(|c| !c.is_empty()))
}

/// The first package the document describes, through `documentDescribes`
/// or a `DESCRIBES` relationship of the document.
fn subject(doc: &Value, packages: &[Value]) -> Result<Option<String>, SbomError> {
    let mut described: Vec<&str> = Vec::new();
    for (i, id) in opt_array(doc, "documentDescribes", "")?.iter().enumerate() {
        match id.as_str() {
            Some(id) => described.push(id),
            None => {
                return Err(SbomError::Malformed(format!(
                    "`documentDescribes[{i}]` must be a string, found {}",
                    kind(id)
                )));
            }
        }
    }
    let document_id = opt_str(doc, "SPDXID", "")?.unwrap_or("SPDXRef-DOCUMENT");
    for (i, rel) in opt_array(doc, "relationships", "")?.iter().enumerate() {
        let at = format!("relationships[{i}].");
        if opt_str(rel, "relationshipType", &at)? == Some("DESCRIBES")
            && opt_str(rel, "spdxElementId", &at)? == Some(document_id)
            && let Some(target) = opt_str(rel, "relatedSpdxElement", &at)?
        {
            described.push(target);
        }
    }
    for id in described {
        let package = packages
            .iter()
            .find(|p| p.get("SPDXID").and_then(Value::as_str) == Some(id));
        if let Some(package) = package {
            return Ok(label(
                package.get("name").and_then(Value::as_str),
                package.get("versionInfo").and_then(Value::as_str),
            ));
        }
    }
    Ok(None)
}

/// The advisory id at the end of a URL such as
/// `https://nvd.nist.gov/vuln/detail/CVE-2020-28498`; the URL itself when
/// its last segment is not a known id form.
fn advisory_id(url: &str) -> &str {
    let last = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
    let upper = last.to_ascii_uppercase();
    if ["CVE-", "GHSA-", "OSV-", "PYSEC-", "RUSTSEC-", "GO-"]
        .iter()
        .any(|prefix| upper.starts_with(prefix))
    {
        last
    } else {
        url
    }
}
