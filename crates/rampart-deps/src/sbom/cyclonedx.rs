//! CycloneDX JSON, spec versions 1.2 to 1.7.

use serde_json::Value;

use super::{Builder, MAX_NESTING, Sbom, SbomError, SbomFormat, kind, label, opt_array, opt_str};

const VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

pub(super) fn parse(doc: &Value) -> Result<Sbom, SbomError> {
    let spec_version = match doc.get("specVersion") {
        Some(Value::String(v)) => v.as_str(),
        Some(other) => {
            return Err(SbomError::Malformed(format!(
                "`specVersion` must be a string, found {}",
                kind(other)
            )));
        }
        None => return Err(SbomError::Malformed("`specVersion` is missing".into())),
    };
    if !VERSIONS.contains(&spec_version) {
        return Err(SbomError::Unsupported(format!(
            "CycloneDX specVersion {spec_version:?}; versions 1.2 to 1.7 are read"
        )));
    }
    let metadata = doc.get("metadata").unwrap_or(&Value::Null);
    let tool = tools(metadata)?;
    let subject = match metadata.get("component") {
        Some(component) => label(
            opt_str(component, "name", "metadata.component.")?,
            opt_str(component, "version", "metadata.component.")?,
        ),
        None => None,
    };

    let mut builder = Builder::default();
    walk(
        &mut builder,
        opt_array(doc, "components", "")?,
        "components",
        0,
    )?;

    for (i, vuln) in opt_array(doc, "vulnerabilities", "")?.iter().enumerate() {
        let at = format!("vulnerabilities[{i}].");
        let Some(id) = opt_str(vuln, "id", &at)? else {
            return Err(SbomError::Malformed(format!("`{at}id` is missing")));
        };
        let source = match vuln.get("source") {
            Some(source) => opt_str(source, "name", &format!("{at}source."))?,
            None => None,
        };
        let affects = opt_array(vuln, "affects", &at)?;
        if affects.is_empty() {
            builder.declare(id, source, None);
        }
        for (j, affected) in affects.iter().enumerate() {
            let reference = opt_str(affected, "ref", &format!("{at}affects[{j}]."))?;
            builder.declare(id, source, reference);
        }
    }
    Ok(builder.finish(
        SbomFormat::CycloneDx,
        spec_version.to_string(),
        tool,
        subject,
    ))
}

/// Components and their nested `components`, depth first in document order.
fn walk(
    builder: &mut Builder,
    components: &[Value],
    path: &str,
    depth: usize,
) -> Result<(), SbomError> {
    if depth >= MAX_NESTING {
        return Err(SbomError::TooDeep { limit: MAX_NESTING });
    }
    for (i, component) in components.iter().enumerate() {
        let here = format!("{path}/{i}");
        if !component.is_object() {
            return Err(SbomError::Malformed(format!(
                "`{here}` must be an object, found {}",
                kind(component)
            )));
        }
        let at = format!("{here}.");
        let name = opt_str(component, "name", &at)?;
        let group = opt_str(component, "group", &at)?;
        let version = opt_str(component, "version", &at)?;
        let display = label(
            name.map(|n| match group.filter(|g| !g.is_empty()) {
                Some(g) => format!("{g}/{n}"),
                None => n.to_string(),
            })
            .as_deref(),
            version,
        )
        .unwrap_or_else(|| here.clone());
        let reference = opt_str(component, "bom-ref", &at)?;
        let groups: &[&str] = match opt_str(component, "scope", &at)? {
            Some("optional") => &["optional"],
            Some("excluded") => &["excluded"],
            _ => &[],
        };
        match opt_str(component, "purl", &at)?.filter(|p| !p.is_empty()) {
            Some(purl) => builder.add(display, purl, reference, here.clone(), groups)?,
            None => {
                let component_type = opt_str(component, "type", &at)?.unwrap_or("component");
                builder.skip(display, format!("{component_type} entry without a PURL"))?;
            }
        }
        walk(
            builder,
            opt_array(component, "components", &at)?,
            &format!("{here}/components"),
            depth + 1,
        )?;
    }
    Ok(())
}

/// `metadata.tools`: an array of `{vendor, name, version}` up to 1.4, an
/// object of `components` and `services` from 1.5.
fn tools(metadata: &Value) -> Result<Option<String>, SbomError> {
    let entries: Vec<&Value> = match metadata.get("tools") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(tools)) => tools.iter().collect(),
        Some(tools @ Value::Object(_)) => {
            let mut entries: Vec<&Value> = Vec::new();
            entries.extend(opt_array(tools, "components", "metadata.tools.")?);
            entries.extend(opt_array(tools, "services", "metadata.tools.")?);
            entries
        }
        Some(other) => {
            return Err(SbomError::Malformed(format!(
                "`metadata.tools` must be an array or an object, found {}",
                kind(other)
            )));
        }
    };
    let mut names = Vec::new();
    for (i, tool) in entries.into_iter().enumerate() {
        let at = format!("metadata.tools[{i}].");
        let vendor = opt_str(tool, "vendor", &at)?.or(opt_str(tool, "group", &at)?);
        let name = opt_str(tool, "name", &at)?;
        let version = opt_str(tool, "version", &at)?;
        let words: Vec<&str> = [vendor, name, version]
            .into_iter()
            .flatten()
            .filter(|w| !w.is_empty())
            .collect();
        if !words.is_empty() {
            names.push(words.join(" "));
        }
    }
    Ok(Some(names.join(", ")).filter(|n| !n.is_empty()))
}
