//! SARIF 2.1.0 logs → [`IncomingFinding`]s (JSON only).
//!
//! Decisions, where SARIF or its producers leave a choice:
//! * One scope per tool: `sarif:<slug of tool.driver.name>`. Two runs of
//!   one tool (a scanner run per host) are one scope.
//! * Fingerprints, first rule that applies: the result's `fingerprints`
//!   (all pairs, sorted by key) plus the path; its `partialFingerprints`
//!   plus the path (plus the start line unless `primaryLocationLineHash`,
//!   which already locates the result); else derived from rule, path, logical location
//!   and whitespace-collapsed message, numbered by occurrence in line
//!   order. The line is not part of a derived fingerprint, so moved code
//!   keeps it; a tool whose messages embed line numbers will churn. The
//!   tool's version is never part of a fingerprint: upgrading a scanner
//!   must not turn every finding into "fixed" plus "new". Should a
//!   producer still give two results of one scope the same fingerprint,
//!   the later ones (in line order) get a numbered variant: one upload
//!   never holds two findings with the same identity.
//! * Severity: a numeric `security-severity` property (result, then rule)
//!   as a CVSS score; else the level (result, rule default, `warning`).
//! * Results of kind `pass` or `notApplicable`, and those whose
//!   `baselineState` is `absent`, are not findings.
//! * Snippets, context regions, artifact contents, fixes, code flows and
//!   web requests and responses are never read: some tools (gitleaks) put the secret itself there.
//!   [`strip_sarif`] removes them before a log leaves the machine.
//! * A rule is found by index (in the driver, or in the extension the
//!   result's `rule.toolComponent` names), else by id in any component.
//! * Fields Rampart reads must have SARIF's types (the error names the
//!   JSON path); everything else is ignored.

use std::collections::{BTreeMap, HashMap};

use rampart_core::Severity;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::finding::{
    FindingDetail, FindingFingerprint, FingerprintOrigin, IncomingFinding, IncomingKind,
    LocalSuppression, MAX_IDS, MAX_TAG_BYTES, MAX_TAGS, MAX_TITLE_CHARS, extract_advisory_ids,
    truncate_bytes, truncate_chars,
};

/// How much one SARIF upload may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SarifLimits {
    /// Most bytes of JSON.
    pub max_bytes: usize,
    /// Most runs.
    pub max_runs: usize,
    /// Most results over all runs (skipped ones included: they were read).
    pub max_results: usize,
    /// Longer messages, paths and rule ids are truncated with `…`.
    pub max_text_bytes: usize,
}

impl Default for SarifLimits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_runs: 100,
            max_results: 50_000,
            max_text_bytes: 4 * 1024,
        }
    }
}

/// Why a SARIF log was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SarifError {
    #[error("the SARIF log is {size} bytes, more than the limit of {max}")]
    TooLarge { size: usize, max: usize },
    /// Not JSON (or nested deeper than 128 levels).
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not SARIF 2.1.0 as Rampart reads it.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// More runs or results than the limits allow.
    #[error("{path}: more than {max} {what}")]
    TooMany {
        path: String,
        what: &'static str,
        max: usize,
    },
}

impl SarifError {
    /// The JSON path of the offending value, when there is one (`version`,
    /// `runs[0].results[3].ruleIndex`).
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Invalid { path, .. } | Self::TooMany { path, .. } => Some(path),
            Self::TooLarge { .. } | Self::Syntax { .. } => None,
        }
    }
}

/// One scope of an upload: what one tool reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SarifScope {
    /// `sarif:<tool slug>`.
    pub scope: String,
    /// The driver's name and version, as given by its first run.
    pub tool: String,
    /// Findings of this scope.
    pub findings: usize,
    /// Whether the log itself claims a full result list for this scope:
    /// every run of the tool has a `results` array (SARIF: absent means
    /// the tool did not produce results, empty means it found nothing)
    /// and no invocation says it failed. Only a complete scan may mark
    /// findings it lacks as fixed; the uploader can still lower this.
    pub complete: bool,
}

/// A parsed SARIF log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SarifUpload {
    /// In order of first appearance.
    pub scopes: Vec<SarifScope>,
    pub findings: Vec<IncomingFinding>,
    /// Results that are not findings (passes, not applicable, absent from
    /// the baseline).
    pub skipped: usize,
}

/// The keys whose values [`strip_sarif`] removes wherever they appear:
/// source excerpts (`snippet`, `contextRegion`), file contents
/// (`contents`, including `artifacts[].contents`), proposed edits
/// (`fixes`, which carry inserted text), flows (`codeFlows`,
/// `threadFlows`, whose locations have snippets of their own) and the
/// HTTP exchanges of web scanners (`webRequest`, `webResponse`: headers
/// and bodies hold session tokens).
const STRIPPED_KEYS: [&str; 8] = [
    "snippet",
    "contextRegion",
    "contents",
    "fixes",
    "codeFlows",
    "threadFlows",
    "webRequest",
    "webResponse",
];

/// `bytes` with every source excerpt and file content removed, for the
/// CLI to send instead of the log itself. Deterministic (same input, same
/// output), so upload digests stay stable. Refuses what is not JSON: a log
/// that cannot be stripped must not be sent.
pub fn strip_sarif(bytes: &[u8]) -> Result<Vec<u8>, SarifError> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(syntax_error)?;
    strip(&mut value);
    Ok(serde_json::to_vec(&value).expect("a JSON value always serializes"))
}

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !STRIPPED_KEYS.contains(&key.as_str()));
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn syntax_error(err: serde_json::Error) -> SarifError {
    SarifError::Syntax {
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    }
}

/// Parses a SARIF 2.1.0 log.
pub fn parse(bytes: &[u8], limits: &SarifLimits) -> Result<SarifUpload, SarifError> {
    if bytes.len() > limits.max_bytes {
        return Err(SarifError::TooLarge {
            size: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let root: Value = serde_json::from_slice(bytes).map_err(syntax_error)?;
    let root = Node::root(&root);
    let log = root.object()?;
    match log.get("version") {
        Some(Value::String(v)) if v == "2.1.0" => {}
        Some(other) => {
            return Err(invalid(
                "version".into(),
                format!(
                    "only SARIF 2.1.0 is supported, not {}",
                    truncate_bytes(&other.to_string(), 64)
                ),
            ));
        }
        None => return Err(invalid("version".into(), "missing".into())),
    }
    let runs = root.field("runs").required()?.array()?;
    if runs.len() > limits.max_runs {
        return Err(SarifError::TooMany {
            path: "runs".into(),
            what: "runs",
            max: limits.max_runs,
        });
    }

    let mut parser = Parser {
        limits,
        results_seen: 0,
        skipped: 0,
        scopes: Vec::new(),
        pending: Vec::new(),
    };
    for (index, run) in runs.iter().enumerate() {
        parser.run(Node::new(run, format!("runs[{index}]")))?;
    }
    Ok(parser.finish())
}

/// A JSON value and where it is, for error messages.
#[derive(Clone)]
struct Node<'a> {
    value: Option<&'a Value>,
    path: String,
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Self {
        Self {
            value: Some(value),
            path: String::new(),
        }
    }

    fn new(value: &'a Value, path: String) -> Self {
        Self {
            value: Some(value),
            path,
        }
    }

    /// A member; absent (not an error) when `self` is absent or null.
    fn field(&self, key: &str) -> Node<'a> {
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        let value = match self.value {
            Some(Value::Object(map)) => map.get(key).filter(|v| !v.is_null()),
            _ => None,
        };
        Node { value, path }
    }

    fn item(&self, index: usize) -> Node<'a> {
        let value = match self.value {
            Some(Value::Array(items)) => items.get(index),
            _ => None,
        };
        Node {
            value,
            path: format!("{}[{index}]", self.path),
        }
    }

    fn required(self) -> Result<Node<'a>, SarifError> {
        if self.value.is_some() {
            Ok(self)
        } else {
            Err(invalid(self.path, "missing".into()))
        }
    }

    fn wrong(&self, expected: &str) -> SarifError {
        invalid(self.path.clone(), format!("expected {expected}"))
    }

    fn object(&self) -> Result<&'a Map<String, Value>, SarifError> {
        match self.value {
            Some(Value::Object(map)) => Ok(map),
            _ => Err(self.wrong("an object")),
        }
    }

    fn array(&self) -> Result<&'a [Value], SarifError> {
        match self.value {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(self.wrong("an array")),
        }
    }

    fn opt_object(&self) -> Result<Option<&'a Map<String, Value>>, SarifError> {
        self.value.map(|_| self.object()).transpose()
    }

    fn opt_array(&self) -> Result<&'a [Value], SarifError> {
        Ok(self.value.map(|_| self.array()).transpose()?.unwrap_or(&[]))
    }

    fn opt_str(&self) -> Result<Option<&'a str>, SarifError> {
        match self.value {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.wrong("a string")),
        }
    }

    fn opt_index(&self) -> Result<Option<usize>, SarifError> {
        match self.value {
            None => Ok(None),
            // SARIF uses -1 for "no index".
            Some(Value::Number(n)) if n.as_i64() == Some(-1) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(i) => Ok(Some(usize::try_from(i).unwrap_or(usize::MAX))),
                None => Err(self.wrong("a non-negative integer")),
            },
            Some(_) => Err(self.wrong("a non-negative integer")),
        }
    }

    /// A 1-based line or column; 0 and other nonsense read as absent.
    fn opt_position(&self) -> Result<Option<u64>, SarifError> {
        match self.value {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_u64().filter(|&v| v >= 1)),
            Some(_) => Err(self.wrong("an integer")),
        }
    }
}

fn invalid(path: String, message: String) -> SarifError {
    SarifError::Invalid { path, message }
}

/// The parts of a result that are known before fingerprints are numbered.
struct Pending {
    finding: IncomingFinding,
    fingerprint: FingerprintRule,
    /// Sort key for numbering derived fingerprints.
    position: (u64, u64),
}

enum FingerprintRule {
    Done(FindingFingerprint, FingerprintOrigin),
    /// Derived from these parts plus an occurrence number.
    Derive(Vec<String>),
}

struct Parser<'l> {
    limits: &'l SarifLimits,
    results_seen: usize,
    skipped: usize,
    scopes: Vec<SarifScope>,
    pending: Vec<Pending>,
}

impl Parser<'_> {
    fn run(&mut self, run: Node<'_>) -> Result<(), SarifError> {
        run.object()?;
        let driver = run.field("tool").required()?.field("driver").required()?;
        let tool_name = driver.field("name").required()?.opt_str()?.unwrap_or("");
        let tool_name = truncate_bytes(tool_name.trim(), self.limits.max_text_bytes);
        let version = match driver.field("version").opt_str()? {
            Some(version) => Some(version),
            None => driver.field("semanticVersion").opt_str()?,
        };
        let scope = format!("sarif:{}", slug(&tool_name));
        let results_node = run.field("results");
        let mut complete = results_node.value.is_some();
        let invocations = run.field("invocations");
        for i in 0..invocations.opt_array()?.len() {
            let success = invocations.item(i).field("executionSuccessful");
            match success.value {
                None | Some(Value::Bool(true)) => {}
                Some(Value::Bool(false)) => complete = false,
                Some(_) => return Err(success.wrong("a boolean")),
            }
        }
        if let Some(known) = self.scopes.iter_mut().find(|s| s.scope == scope) {
            known.complete &= complete;
        } else {
            let tool = match version {
                Some(v) => format!("{tool_name} {v}"),
                None => tool_name.clone(),
            };
            self.scopes.push(SarifScope {
                scope: scope.clone(),
                tool: truncate_bytes(&tool, self.limits.max_text_bytes),
                findings: 0,
                complete,
            });
        }

        // Rules live in the driver and in extensions (CodeQL puts its
        // query packs' rules there); component 0 is the driver, n + 1 is
        // extension n.
        let extensions = run.field("tool").field("extensions");
        let mut components = vec![driver.field("rules")];
        for i in 0..extensions.opt_array()?.len() {
            components.push(extensions.item(i).field("rules"));
        }
        let mut rule_by_id = HashMap::new();
        for (c, rules) in components.iter().enumerate() {
            for (i, rule) in rules.opt_array()?.iter().enumerate() {
                if let Some(id) = rule.get("id").and_then(Value::as_str) {
                    rule_by_id.entry(id).or_insert((c, i));
                }
            }
        }
        let artifacts_node = run.field("artifacts");
        artifacts_node.opt_array()?;
        let results = results_node.opt_array()?;
        if results.len() > self.limits.max_results.saturating_sub(self.results_seen) {
            return Err(SarifError::TooMany {
                path: results_node.path,
                what: "results in the whole log",
                max: self.limits.max_results,
            });
        }
        self.results_seen += results.len();

        let context = RunContext {
            tool_name: &tool_name,
            scope: &scope,
            components: &components,
            rule_by_id: &rule_by_id,
            artifacts: &artifacts_node,
        };
        for index in 0..results.len() {
            let result = results_node.item(index);
            match self.result(&context, &result)? {
                Some(pending) => self.pending.push(pending),
                None => self.skipped += 1,
            }
        }
        Ok(())
    }

    fn result(
        &self,
        run: &RunContext<'_, '_>,
        result: &Node<'_>,
    ) -> Result<Option<Pending>, SarifError> {
        result.object()?;
        let kind = result.field("kind").opt_str()?;
        if matches!(kind, Some("pass" | "notApplicable"))
            || result.field("baselineState").opt_str()? == Some("absent")
        {
            return Ok(None);
        }
        let max_text = self.limits.max_text_bytes;

        // The rule: by index when it is in range, else by id.
        let rule_ref = result.field("rule");
        let index = match result.field("ruleIndex").opt_index()? {
            Some(i) => Some(i),
            None => rule_ref.field("index").opt_index()?,
        };
        let mut rule_id = match result.field("ruleId").opt_str()? {
            Some(id) => Some(id),
            None => rule_ref.field("id").opt_str()?,
        };
        let component_ref = rule_ref.field("toolComponent");
        let component = match component_ref.field("index").opt_index()? {
            Some(i) => i.checked_add(1),
            // A component named some other way (guid, name): its index
            // cannot be trusted against the driver's rules.
            None if component_ref.value.is_some() => None,
            None => Some(0),
        };
        let mut descriptor = match (component, index) {
            (Some(c), Some(i)) => run
                .components
                .get(c)
                .filter(|rules| {
                    rules
                        .value
                        .and_then(Value::as_array)
                        .is_some_and(|r| i < r.len())
                })
                .map(|rules| rules.item(i)),
            _ => None,
        };
        if rule_id.is_none()
            && let Some(d) = &descriptor
        {
            rule_id = d.field("id").opt_str()?;
        }
        if descriptor.is_none()
            && let Some(id) = rule_id
            && let Some(&(c, i)) = run.rule_by_id.get(id)
        {
            descriptor = Some(run.components[c].item(i));
        }
        let rule = descriptor.unwrap_or_else(|| Node {
            value: None,
            path: String::new(),
        });
        let rule_id = truncate_bytes(rule_id.unwrap_or("unknown"), max_text);

        // The containers read below must have SARIF's types, so that a
        // malformed log is refused with a path instead of read as empty.
        let locations = result.field("locations");
        locations.opt_array()?;
        let location = locations.item(0);
        for node in [
            &rule,
            &result.field("message"),
            &location,
            &location.field("physicalLocation"),
            &location.field("physicalLocation").field("artifactLocation"),
            &location.field("physicalLocation").field("region"),
            &rule.field("properties"),
            &result.field("properties"),
        ] {
            node.opt_object()?;
        }
        location.field("logicalLocations").opt_array()?;

        // Message, with placeholders filled in.
        let message_node = result.field("message");
        let message = match message_node.field("text").opt_str()? {
            Some(text) => Some(text.to_owned()),
            None => match message_node.field("id").opt_str()? {
                Some(id) => rule
                    .field("messageStrings")
                    .field(id)
                    .field("text")
                    .opt_str()?
                    .map(str::to_owned),
                None => None,
            },
        };
        let message = match message {
            Some(text) => Some(fill_arguments(
                &text,
                message_node.field("arguments").opt_array()?,
                max_text,
            )),
            None => None,
        };

        let severity = severity(kind, result, &rule)?;

        // Location.
        let physical = location.field("physicalLocation");
        let artifact = physical.field("artifactLocation");
        let mut uri = artifact.field("uri").opt_str()?.unwrap_or("");
        if uri.is_empty()
            && let Some(i) = artifact.field("index").opt_index()?
        {
            uri = run
                .artifacts
                .item(i)
                .field("location")
                .field("uri")
                .opt_str()?
                .unwrap_or("");
        }
        let uri = uri.strip_prefix("file://").unwrap_or(uri);
        let region = physical.field("region");
        let line = region.field("startLine").opt_position()?;
        let column = region.field("startColumn").opt_position()?;
        let logical = location.field("logicalLocations").item(0);
        let logical_name = match logical.field("fullyQualifiedName").opt_str()? {
            Some(name) => Some(name),
            None => logical.field("name").opt_str()?,
        };
        let path = if uri.is_empty() {
            logical_name.filter(|n| !n.is_empty())
        } else {
            Some(uri)
        }
        .map(|p| truncate_bytes(p, max_text));

        let title = match rule
            .field("shortDescription")
            .field("text")
            .opt_str()?
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(text) => text.to_owned(),
            None => message
                .as_deref()
                .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
                .unwrap_or(&rule_id)
                .to_owned(),
        };
        let title = truncate_chars(&title, MAX_TITLE_CHARS);

        // Tags and advisory ids.
        let mut tags = Vec::new();
        for properties in [rule.field("properties"), result.field("properties")] {
            for (i, tag) in properties.field("tags").opt_array()?.iter().enumerate() {
                let Some(tag) = tag.as_str() else {
                    return Err(properties.field("tags").item(i).wrong("a string"));
                };
                let tag = truncate_bytes(tag, MAX_TAG_BYTES);
                if tags.len() < MAX_TAGS && !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        let mut ids = vec![rule_id.to_ascii_uppercase()];
        extract_advisory_ids(&rule_id, &mut ids);
        for tag in &tags {
            extract_advisory_ids(tag, &mut ids);
        }
        for properties in [rule.field("properties"), result.field("properties")] {
            match properties.field("cve").value {
                Some(Value::String(text)) => extract_advisory_ids(text, &mut ids),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .for_each(|text| extract_advisory_ids(text, &mut ids)),
                _ => {}
            }
        }
        ids.sort();
        ids.dedup();
        ids.truncate(MAX_IDS);

        let local_suppression = suppression(result, max_text)?;

        let fingerprint = fingerprint_rule(
            result,
            run.tool_name,
            &rule_id,
            uri,
            line,
            logical_name.unwrap_or(""),
            message.as_deref().unwrap_or(""),
        )?;

        let help_uri = rule
            .field("helpUri")
            .opt_str()?
            .map(|u| truncate_bytes(u, max_text));
        let placeholder = FindingFingerprint::from_parts(&[]);
        Ok(Some(Pending {
            finding: IncomingFinding {
                scope: run.scope.to_owned(),
                fingerprint: placeholder,
                fingerprint_origin: FingerprintOrigin::Derived,
                kind: IncomingKind::Sarif,
                rule_id,
                title,
                severity,
                path,
                line,
                package: None,
                ids,
                detail: FindingDetail {
                    message,
                    help_uri,
                    tags,
                },
                local_suppression,
            },
            fingerprint,
            position: (line.unwrap_or(0), column.unwrap_or(0)),
        }))
    }

    /// Numbers derived fingerprints and counts findings per scope.
    fn finish(self) -> SarifUpload {
        let Parser {
            mut scopes,
            pending,
            skipped,
            ..
        } = self;
        // Occurrences count up in (line, column) order within each group
        // of identical parts; document order breaks ties.
        let mut groups: HashMap<&[String], Vec<usize>> = HashMap::new();
        for (i, p) in pending.iter().enumerate() {
            if let FingerprintRule::Derive(parts) = &p.fingerprint {
                groups.entry(parts.as_slice()).or_default().push(i);
            }
        }
        let mut derived: BTreeMap<usize, FindingFingerprint> = BTreeMap::new();
        for (parts, mut members) in groups {
            members.sort_by_key(|&i| (pending[i].position, i));
            for (n, i) in members.into_iter().enumerate() {
                let occurrence = (n + 1).to_string();
                let mut all: Vec<&str> = parts.iter().map(String::as_str).collect();
                all.push(&occurrence);
                derived.insert(i, FindingFingerprint::from_parts(&all));
            }
        }
        let positions: Vec<(u64, u64)> = pending.iter().map(|p| p.position).collect();
        let findings: Vec<IncomingFinding> = pending
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut finding = p.finding;
                match p.fingerprint {
                    FingerprintRule::Done(fp, origin) => {
                        finding.fingerprint = fp;
                        finding.fingerprint_origin = origin;
                    }
                    FingerprintRule::Derive(_) => {
                        finding.fingerprint =
                            derived.remove(&i).expect("every derived one numbered");
                        finding.fingerprint_origin = FingerprintOrigin::Derived;
                    }
                }
                finding
            })
            .collect();
        let findings = number_duplicates(findings, &positions);
        for scope in &mut scopes {
            scope.findings = findings.iter().filter(|f| f.scope == scope.scope).count();
        }
        SarifUpload {
            scopes,
            findings,
            skipped,
        }
    }
}

/// `findings` with every repeated (scope, fingerprint) after the first, in
/// `positions` order, replaced by a fingerprint numbered by occurrence.
fn number_duplicates(
    mut findings: Vec<IncomingFinding>,
    positions: &[(u64, u64)],
) -> Vec<IncomingFinding> {
    let mut groups: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        groups
            .entry((f.scope.as_str(), f.fingerprint.as_str()))
            .or_default()
            .push(i);
    }
    let mut renamed = Vec::new();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        let mut members = members;
        members.sort_by_key(|&i| (positions[i], i));
        for (n, &i) in members.iter().enumerate().skip(1) {
            let occurrence = (n + 1).to_string();
            let fp = FindingFingerprint::from_parts(&[
                "sarif-repeated",
                findings[i].fingerprint.as_str(),
                &occurrence,
            ]);
            renamed.push((i, fp));
        }
    }
    for (i, fp) in renamed {
        findings[i].fingerprint = fp;
    }
    findings
}

struct RunContext<'a, 'v> {
    tool_name: &'a str,
    scope: &'a str,
    /// Each tool component's `rules` (the driver's first).
    components: &'a [Node<'v>],
    /// Where each rule id is first defined: (component, index).
    rule_by_id: &'a HashMap<&'v str, (usize, usize)>,
    artifacts: &'a Node<'v>,
}

/// `sarif:` scope slug of a tool name: lower-case ASCII letters, digits,
/// `.` and `_`, everything else one `-`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 64 {
            break;
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "unknown".to_owned()
    } else {
        out.to_owned()
    }
}

/// `text` with `{0}`, `{1}` … replaced by the message's arguments, cut to
/// `max_bytes`. Braces that are not a valid placeholder stay as they are.
fn fill_arguments(text: &str, arguments: &[Value], max_bytes: usize) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let replacement = after.find('}').and_then(|close| {
            let index: usize = after[..close].parse().ok()?;
            Some((arguments.get(index)?.as_str()?, close))
        });
        match replacement {
            Some((argument, close)) => {
                out.push_str(argument);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
        if out.len() > max_bytes {
            break;
        }
    }
    if out.len() <= max_bytes {
        out.push_str(rest);
    }
    truncate_bytes(&out, max_bytes)
}

fn severity(
    kind: Option<&str>,
    result: &Node<'_>,
    rule: &Node<'_>,
) -> Result<Severity, SarifError> {
    if kind == Some("informational") {
        return Ok(Severity::Info);
    }
    for properties in [result.field("properties"), rule.field("properties")] {
        let score = match properties.field("security-severity").value {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(text)) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        // Anything outside CVSS's range is not a score; fall back to the
        // level rather than invent one.
        if let Some(score) = score.filter(|s| (0.0..=10.0).contains(s)) {
            return Ok(Severity::from_cvss_score(score));
        }
    }
    let level = match result.field("level").opt_str()? {
        Some(level) => Some(level),
        None => rule
            .field("defaultConfiguration")
            .field("level")
            .opt_str()?,
    };
    Ok(match level.unwrap_or("warning") {
        "error" => Severity::High,
        "note" => Severity::Low,
        "none" => Severity::Info,
        // "warning" and levels SARIF does not define.
        _ => Severity::Medium,
    })
}

/// An accepted suppression (SARIF: no status means accepted); suppressions
/// under review or rejected do not count.
fn suppression(result: &Node<'_>, max_text: usize) -> Result<Option<LocalSuppression>, SarifError> {
    let list = result.field("suppressions");
    for i in 0..list.opt_array()?.len() {
        let item = list.item(i);
        item.object()?;
        match item.field("status").opt_str()? {
            None | Some("accepted") => {
                let kind = item.field("kind").opt_str()?.unwrap_or("external");
                return Ok(Some(LocalSuppression {
                    source: format!("sarif:{}", truncate_bytes(kind, 64)),
                    reason: item
                        .field("justification")
                        .opt_str()?
                        .map(|j| truncate_bytes(j, max_text)),
                }));
            }
            Some(_) => {}
        }
    }
    Ok(None)
}

/// Which fingerprint rule applies to a result, and its parts.
fn fingerprint_rule(
    result: &Node<'_>,
    tool: &str,
    rule_id: &str,
    uri: &str,
    line: Option<u64>,
    logical_name: &str,
    message: &str,
) -> Result<FingerprintRule, SarifError> {
    let pairs = |key: &str| -> Result<BTreeMap<&str, &str>, SarifError> {
        let node = result.field(key);
        let mut pairs = BTreeMap::new();
        if let Some(map) = node.opt_object()? {
            for (k, v) in map {
                let Some(v) = v.as_str() else {
                    return Err(node.field(k).wrong("a string"));
                };
                pairs.insert(k.as_str(), v);
            }
        }
        Ok(pairs)
    };
    let full = pairs("fingerprints")?;
    if !full.is_empty() {
        // The path is part of it because producers do not keep them
        // unique: Flawfinder hashes the flagged line's text, so the same
        // call in two files has the same `contextHash/v1`.
        let mut parts = vec!["sarif", tool, rule_id, uri];
        parts.extend(full.iter().flat_map(|(k, v)| [*k, *v]));
        return Ok(FingerprintRule::Done(
            FindingFingerprint::from_parts(&parts),
            FingerprintOrigin::SarifFingerprints,
        ));
    }
    let partial = pairs("partialFingerprints")?;
    if !partial.is_empty() {
        let line_text;
        let mut parts = vec!["sarif-partial", tool, rule_id, uri];
        if !partial.contains_key("primaryLocationLineHash") {
            line_text = line.map(|l| l.to_string()).unwrap_or_default();
            parts.push(&line_text);
        }
        parts.extend(partial.iter().flat_map(|(k, v)| [*k, *v]));
        return Ok(FingerprintRule::Done(
            FindingFingerprint::from_parts(&parts),
            FingerprintOrigin::SarifPartial,
        ));
    }
    let collapsed = message.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(FingerprintRule::Derive(
        [
            "sarif-derived",
            tool,
            rule_id,
            uri,
            logical_name,
            &collapsed,
        ]
        .map(str::to_owned)
        .to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("CodeQL command-line toolchain"),
            "codeql-command-line-toolchain"
        );
        assert_eq!(slug("LGTM.com"), "lgtm.com");
        assert_eq!(slug("  Clang-Tidy  "), "clang-tidy");
        assert_eq!(slug("ÜÜ"), "unknown");
        assert!(slug(&"a".repeat(500)).len() <= 64);
    }

    #[test]
    fn arguments() {
        let args = [Value::from("x"), Value::from(1)];
        assert_eq!(
            fill_arguments("a {0} b {1} {2} {z", &args, 100),
            "a x b {1} {2} {z"
        );
        assert!(fill_arguments(&"{0}".repeat(1000), &[Value::from("yy")], 50).len() <= 50);
    }
}
