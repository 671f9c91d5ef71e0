//! Maven's `pom.xml`: the `<dependencies>` and `<dependencyManagement>` of
//! the project (and of its profiles), with `${property}` references resolved
//! from `<properties>` and the project's own coordinates.
//!
//! A POM is a manifest: what a parent POM, an imported BOM or a version
//! range resolves to is not in this file, so such versions stay
//! [`ComponentVersion::Unresolved`]. Versions managed in this same file's
//! `<dependencyManagement>` are applied.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::Event;
use rampart_core::{Component, ComponentVersion, Ecosystem, Location};

use crate::{ExtractError, ExtractInput, LineIndex};

/// `${a}` may refer to `${b}` and so on; deeper chains (or cycles) are left
/// unresolved.
const MAX_INTERPOLATION_DEPTH: usize = 16;
/// An interpolated value longer than this is treated as unresolvable, so that
/// properties doubling each other cannot exhaust memory.
const MAX_INTERPOLATED_LEN: usize = 4096;

/// Where a `<dependency>` element may sit, below `<project>`, for it to be a
/// dependency of the project.
const DEPENDENCY_PATHS: [&[&str]; 4] = [
    &["project", "dependencies", "dependency"],
    &[
        "project",
        "dependencyManagement",
        "dependencies",
        "dependency",
    ],
    &[
        "project",
        "profiles",
        "profile",
        "dependencies",
        "dependency",
    ],
    &[
        "project",
        "profiles",
        "profile",
        "dependencyManagement",
        "dependencies",
        "dependency",
    ],
];

#[derive(Default)]
struct Dependency {
    line: u32,
    managed: bool,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Pom {
    /// `<properties>` plus the `project.*` coordinates.
    properties: BTreeMap<String, String>,
    dependencies: Vec<Dependency>,
}

pub(crate) fn extract(input: &ExtractInput<'_>) -> Result<Vec<Component>, ExtractError> {
    let pom = parse(input)?;
    let interpolate = |raw: &str| interpolate(raw, &pom.properties, 0);

    // Versions the file's own `<dependencyManagement>` pins, for
    // dependencies that leave the version out.
    let mut managed_versions: BTreeMap<String, String> = BTreeMap::new();
    let mut resolved = Vec::with_capacity(pom.dependencies.len());
    for dep in &pom.dependencies {
        let field = |name: &str| {
            dep.fields
                .get(name)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let (Some(group), Some(artifact)) = (field("groupId"), field("artifactId")) else {
            return Err(ExtractError::malformed(
                input.path,
                Some(dep.line),
                "dependency without a groupId and an artifactId",
            ));
        };
        let name = format!(
            "{}:{}",
            interpolate(group).unwrap_or_else(|| group.to_string()),
            interpolate(artifact).unwrap_or_else(|| artifact.to_string()),
        );
        let version = field("version").map(|raw| (raw, interpolate(raw)));
        if dep.managed
            && let Some((_, Some(v))) = &version
        {
            managed_versions
                .entry(name.clone())
                .or_insert_with(|| v.clone());
        }
        resolved.push((dep, name, version));
    }

    let mut components: Vec<Component> = Vec::new();
    for (dep, name, version) in resolved {
        let version = match version {
            Some((_, Some(v))) => version_of(&v),
            Some((raw, None)) => ComponentVersion::Unresolved {
                requirement: raw.to_string(),
            },
            None => match managed_versions.get(&name) {
                Some(v) if !dep.managed => version_of(v),
                _ => ComponentVersion::Unresolved {
                    requirement: String::new(),
                },
            },
        };
        let mut component = Component::new(
            Ecosystem::Maven,
            name,
            version,
            Location::new(input.path, Some(dep.line)),
        );
        let field = |name: &str| dep.fields.get(name).map(|v| v.trim());
        if let Some(scope @ ("test" | "provided" | "system")) =
            field("scope").and_then(&interpolate).as_deref()
        {
            component.add_group(scope);
        }
        if field("optional").and_then(&interpolate).as_deref() == Some("true") {
            component.add_group("optional");
        }
        components.push(component);
    }
    // A managed entry that a dependency of the file uses says nothing more.
    let used: Vec<(String, ComponentVersion)> = pom
        .dependencies
        .iter()
        .zip(&components)
        .filter(|(dep, _)| !dep.managed)
        .map(|(_, c)| (c.name.clone(), c.version.clone()))
        .collect();
    let managed_flags: Vec<bool> = pom.dependencies.iter().map(|d| d.managed).collect();
    Ok(components
        .into_iter()
        .zip(managed_flags)
        .filter(|(c, managed)| {
            !*managed
                || !used
                    .iter()
                    .any(|(name, version)| *name == c.name && *version == c.version)
        })
        .map(|(c, _)| c)
        .collect())
}

/// A soft requirement (`1.2.3`) and a hard one (`[1.2.3]`) name one version;
/// a range (`[1.2,2.0)`, `(,1.0]`) does not.
fn version_of(version: &str) -> ComponentVersion {
    let version = version.trim();
    if let Some(inner) = version.strip_prefix('[').and_then(|v| v.strip_suffix(']'))
        && !inner.contains(',')
        && !inner.trim().is_empty()
    {
        return ComponentVersion::Exact(inner.trim().to_string());
    }
    if version.starts_with(['[', '(']) || version.contains(',') {
        return ComponentVersion::Unresolved {
            requirement: version.to_string(),
        };
    }
    ComponentVersion::Exact(version.to_string())
}

/// Replaces every `${name}`; `None` when one cannot be resolved.
fn interpolate(raw: &str, properties: &BTreeMap<String, String>, depth: usize) -> Option<String> {
    if !raw.contains("${") {
        return Some(raw.to_string());
    }
    if depth >= MAX_INTERPOLATION_DEPTH {
        return None;
    }
    let mut out = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let value = properties.get(after[..end].trim())?;
        out.push_str(&interpolate(value, properties, depth + 1)?);
        if out.len() > MAX_INTERPOLATED_LEN {
            return None;
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn parse(input: &ExtractInput<'_>) -> Result<Pom, ExtractError> {
    let index = LineIndex::new(input.text);
    let mut reader = Reader::from_str(input.text);
    let mut pom = Pom::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut current: Option<Dependency> = None;
    let mut coordinates: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut saw_root = false;
    let offset_line = |offset: u64| index.line_of(usize::try_from(offset).unwrap_or(usize::MAX));
    loop {
        let before = reader.buffer_position();
        let event = reader.read_event().map_err(|err| {
            ExtractError::malformed(
                input.path,
                Some(offset_line(reader.error_position())),
                format!("invalid XML: {err}"),
            )
        })?;
        let (name, closes) = match &event {
            Event::Start(e) => (Some(e.local_name().as_ref().to_string()), false),
            Event::Empty(e) => (Some(e.local_name().as_ref().to_string()), true),
            Event::End(_) => (None, true),
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::CData(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                match resolved {
                    Some(c) => text.push(c),
                    None => {
                        text.push('&');
                        text.push_str(r.as_ref());
                        text.push(';');
                    }
                }
                continue;
            }
            Event::Eof => {
                if let Some(open) = path.last() {
                    return Err(ExtractError::malformed(
                        input.path,
                        Some(offset_line(before)),
                        format!("unexpected end of file inside <{open}>"),
                    ));
                }
                if !saw_root {
                    return Err(ExtractError::malformed(
                        input.path,
                        Some(offset_line(before)),
                        "no <project> element",
                    ));
                }
                break;
            }
            _ => continue,
        };
        if let Some(name) = name {
            if path.is_empty() && name != "project" {
                return Err(ExtractError::malformed(
                    input.path,
                    Some(offset_line(before)),
                    format!("root element is <{name}>, not a Maven <project>"),
                ));
            }
            path.push(name);
            saw_root = true;
            text.clear();
            let at = path.iter().map(String::as_str).collect::<Vec<_>>();
            if let Some(p) = DEPENDENCY_PATHS.iter().find(|p| ***p == at[..]) {
                current = Some(Dependency {
                    line: offset_line(before),
                    managed: p.contains(&"dependencyManagement"),
                    fields: BTreeMap::new(),
                });
            }
        }
        if closes {
            close_element(&path, &mut text, &mut current, &mut pom, &mut coordinates);
            path.pop();
        }
    }

    let project_version = coordinates
        .get("version")
        .or(coordinates.get("parent.version"))
        .cloned();
    let project_group = coordinates
        .get("groupId")
        .or(coordinates.get("parent.groupId"))
        .cloned();
    let builtins = [
        ("project.version", project_version.clone()),
        ("pom.version", project_version.clone()),
        ("version", project_version),
        ("project.groupId", project_group.clone()),
        ("pom.groupId", project_group),
        ("project.artifactId", coordinates.get("artifactId").cloned()),
        (
            "project.parent.version",
            coordinates.get("parent.version").cloned(),
        ),
        ("parent.version", coordinates.get("parent.version").cloned()),
        (
            "project.parent.groupId",
            coordinates.get("parent.groupId").cloned(),
        ),
    ];
    for (key, value) in builtins {
        if let Some(value) = value {
            pom.properties.entry(key.to_string()).or_insert(value);
        }
    }
    Ok(pom)
}

/// Records what the element at the end of `path` held.
fn close_element(
    path: &[String],
    text: &mut String,
    current: &mut Option<Dependency>,
    pom: &mut Pom,
    coordinates: &mut BTreeMap<&'static str, String>,
) {
    let at: Vec<&str> = path.iter().map(String::as_str).collect();
    let value = std::mem::take(text).trim().to_string();
    match at[..] {
        ["project", "properties", name] => {
            pom.properties.insert(name.to_string(), value);
            return;
        }
        ["project", field @ ("version" | "groupId" | "artifactId")] => {
            let key = match field {
                "version" => "version",
                "groupId" => "groupId",
                _ => "artifactId",
            };
            coordinates.insert(key, value);
            return;
        }
        ["project", "parent", field @ ("version" | "groupId")] => {
            let key = if field == "version" {
                "parent.version"
            } else {
                "parent.groupId"
            };
            coordinates.insert(key, value);
            return;
        }
        _ => {}
    }
    if DEPENDENCY_PATHS.iter().any(|p| **p == at[..]) {
        if let Some(dep) = current.take() {
            pom.dependencies.push(dep);
        }
    } else if let Some((field, parent)) = at.split_last()
        && parent.last() == Some(&"dependency")
        && DEPENDENCY_PATHS.iter().any(|p| **p == *parent)
        && let Some(dep) = current.as_mut()
    {
        dep.fields.insert(field.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use crate::LockfileKind;

    fn check(text: &str, expected: &[&str]) {
        testing::check(LockfileKind::PomXml, text, expected);
    }

    fn pom(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n{body}</project>\n"
        )
    }

    #[test]
    fn interpolation_and_ranges() {
        check(
            include_str!("../../tests/data/maven/interpolation/pom.xml"),
            &[
                "org.mine:mypackage 1.0.0 :18",
                "org.mine:my.package 2.3.4 :23",
                "org.mine:ranged-package ?[9.4.35.v20201120,9.5) :31",
                "org.mine:pinned 1.4 :36",
                "io.library:sibling 1.0-SNAPSHOT :41",
                "org.parent:from-parent 7.2.0 :46",
                "org.mine:chained 3.3.3 :51",
                "org.mine:missing ?${not.defined} :56",
                "org.mine:cycle ?${cycle.a} :61",
            ],
        );
    }

    #[test]
    fn scopes_and_optional() {
        check(
            &pom("  <dependencies>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>javax.servlet</groupId>
      <artifactId>servlet-api</artifactId>
      <version>2.5</version>
      <scope>provided</scope>
      <optional>true</optional>
    </dependency>
    <dependency><groupId>a</groupId><artifactId>b</artifactId><version>1</version><scope>compile</scope></dependency>
  </dependencies>
"),
            &[
                "junit:junit 4.13.2 [test] :4",
                "javax.servlet:servlet-api 2.5 [optional,provided] :10",
                "a:b 1 :17",
            ],
        );
    }

    #[test]
    fn managed_versions_fill_in() {
        check(
            &pom("  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson.core</groupId>
        <artifactId>jackson-databind</artifactId>
        <version>2.17.0</version>
      </dependency>
      <dependency>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-dependencies</artifactId>
        <version>3.2.4</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
  </dependencies>
"),
            &[
                "org.springframework.boot:spring-boot-dependencies 3.2.4 :10",
                "com.fasterxml.jackson.core:jackson-databind 2.17.0 :20",
                "org.springframework.boot:spring-boot-starter-web ? :24",
            ],
        );
    }

    #[test]
    fn plugin_dependencies_and_exclusions_are_not_components() {
        check(
            &pom("  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId>
    <artifactId>maven-surefire-plugin</artifactId>
    <version>3.2.5</version>
    <dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>1</version></dependency></dependencies>
  </plugin></plugins></build>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>2.14.1</version>
      <exclusions>
        <exclusion><groupId>org.other</groupId><artifactId>excluded</artifactId></exclusion>
      </exclusions>
    </dependency>
  </dependencies>
  <profiles><profile><id>extra</id><dependencies>
    <dependency><groupId>p</groupId><artifactId>q</artifactId><version>0.1</version></dependency>
  </dependencies></profile></profiles>
"),
            &["org.apache.logging.log4j:log4j-core 2.14.1 :10", "p:q 0.1 :20"],
        );
    }

    #[test]
    fn entities_cdata_and_namespaces() {
        check(
            "<m:project xmlns:m=\"http://maven.apache.org/POM/4.0.0\"><m:dependencies>\n<m:dependency><m:groupId>a&amp;b</m:groupId><m:artifactId><![CDATA[c]]></m:artifactId><m:version>&#49;.0</m:version></m:dependency>\n</m:dependencies></m:project>",
            &["a&b:c 1.0 :2"],
        );
    }

    #[test]
    fn malformed() {
        let m = |text: &str, line| testing::check_malformed(LockfileKind::PomXml, text, line);
        m(
            "<project>\n<dependencies>\n</dependency>\n</project>",
            Some(3),
        );
        m("<project>\n<dependencies>\n", Some(3));
        m("<settings/>", Some(1));
        m("", Some(1));
        m("<?xml version=\"1.0\"?>\n<!-- nothing -->\n", Some(3));
        m(
            &pom(
                "<dependencies>\n<dependency><artifactId>x</artifactId></dependency>\n</dependencies>\n",
            ),
            Some(4),
        );
        m(
            "<project><version>1</version>\n<a attr=\"x></a></project>",
            Some(2),
        );
    }

    #[test]
    fn empty_project() {
        check("<project/>", &[]);
        check(&pom("<dependencies/>\n"), &[]);
    }
}
