//! Semantic checks serde cannot make: id rules and uniqueness, references
//! between sections, boundary membership forming a forest, tracking entries
//! carrying what their status requires.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::model::ThreatModel;
use crate::position::{Position, SourceMap, segment};

/// Errors make the model unusable; warnings are printed and gate only
/// under `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiagSeverity {
    Error,
    Warning,
}

/// One finding about the model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: DiagSeverity,
    /// Stable kebab-case code (`duplicate-id`, `unknown-element`, …).
    pub code: &'static str,
    pub file: String,
    /// Where the offending value starts; `None` only when the position
    /// pass could not read the file.
    pub position: Option<Position>,
    pub message: String,
    /// Path of the offending value (`/flows/3/to`).
    pub path: String,
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: error: message`, the form editors jump to.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            DiagSeverity::Error => "error",
            DiagSeverity::Warning => "warning",
        };
        match self.position {
            Some(at) => write!(f, "{}:{}:{}: ", self.file, at.line, at.column)?,
            None => write!(f, "{}: ", self.file)?,
        }
        write!(
            f,
            "{level}: {} [{}] (at {})",
            self.message, self.code, self.path
        )
    }
}

/// What an id names, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ExternalEntity,
    Process,
    DataStore,
    Flow,
    Boundary,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::ExternalEntity => "external entity",
            Kind::Process => "process",
            Kind::DataStore => "data store",
            Kind::Flow => "flow",
            Kind::Boundary => "trust boundary",
        }
    }
}

/// `^[a-z0-9][a-z0-9_-]{0,63}$`: ids appear in threat ids, file names and
/// diagram node names, so they stay plain.
pub fn valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

struct Checker<'a> {
    map: &'a SourceMap,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&self, path: &str) -> Option<Position> {
        // A tracking entry is named by its key; its value is a mapping
        // that usually starts on the next line.
        if path.starts_with("/risk_tracking/") {
            return self.map.key(path).or_else(|| self.map.value(path));
        }
        self.map.value(path).or_else(|| self.map.key(path))
    }

    fn push(&mut self, severity: DiagSeverity, code: &'static str, path: String, message: String) {
        let position = self.at(&path);
        self.out.push(Diagnostic {
            severity,
            code,
            file: self.map.file().to_owned(),
            position,
            message,
            path,
        });
    }

    fn error(&mut self, code: &'static str, path: String, message: String) {
        self.push(DiagSeverity::Error, code, path, message);
    }

    fn warning(&mut self, code: &'static str, path: String, message: String) {
        self.push(DiagSeverity::Warning, code, path, message);
    }

    fn place(&self, path: &str) -> String {
        match self.at(path) {
            Some(at) => format!("{}:{}:{}", self.map.file(), at.line, at.column),
            None => format!("{} {path}", self.map.file()),
        }
    }
}

/// Checks `model` (parsed from the file `map` describes). Diagnostics come
/// in a fixed order: by check, then by position in the file.
pub fn validate(model: &ThreatModel, map: &SourceMap) -> Vec<Diagnostic> {
    let mut c = Checker {
        map,
        out: Vec::new(),
    };

    if model.version != 1 {
        c.error(
            "unsupported-version",
            "/version".into(),
            format!(
                "model version {} is not supported (expected 1)",
                model.version
            ),
        );
    }

    // One namespace for elements, flows and boundaries: threat ids name a
    // target by id alone.
    let mut ids: HashMap<&str, (Kind, String)> = HashMap::new();
    let mut declared: Vec<(&str, Kind, String)> = Vec::new();
    for (i, e) in model.external_entities.iter().enumerate() {
        declared.push((
            &e.id,
            Kind::ExternalEntity,
            format!("/external_entities/{i}/id"),
        ));
    }
    for (i, p) in model.processes.iter().enumerate() {
        declared.push((&p.id, Kind::Process, format!("/processes/{i}/id")));
    }
    for (i, s) in model.data_stores.iter().enumerate() {
        declared.push((&s.id, Kind::DataStore, format!("/data_stores/{i}/id")));
    }
    for (i, f) in model.flows.iter().enumerate() {
        declared.push((&f.id, Kind::Flow, format!("/flows/{i}/id")));
    }
    for (i, b) in model.trust_boundaries.iter().enumerate() {
        declared.push((&b.id, Kind::Boundary, format!("/trust_boundaries/{i}/id")));
    }
    for (id, kind, path) in declared {
        if !valid_id(id) {
            c.error(
                "invalid-id",
                path.clone(),
                format!(
                    "{} id {id:?} must match [a-z0-9][a-z0-9_-]{{0,63}}",
                    kind.label()
                ),
            );
        }
        if let Some((first_kind, first)) = ids.get(id) {
            let message = format!(
                "duplicate id {id:?} ({} here, {} first defined at {})",
                kind.label(),
                first_kind.label(),
                c.place(first)
            );
            c.error("duplicate-id", path, message);
        } else {
            ids.insert(id, (kind, path));
        }
    }

    let mut assets: HashMap<&str, String> = HashMap::new();
    for (i, a) in model.data_assets.iter().enumerate() {
        let path = format!("/data_assets/{i}/id");
        if !valid_id(&a.id) {
            c.error(
                "invalid-id",
                path.clone(),
                format!(
                    "data asset id {:?} must match [a-z0-9][a-z0-9_-]{{0,63}}",
                    a.id
                ),
            );
        }
        if let Some(first) = assets.get(a.id.as_str()) {
            let message = format!(
                "duplicate data asset id {:?} (first defined at {})",
                a.id,
                c.place(first)
            );
            c.error("duplicate-id", path, message);
        } else {
            assets.insert(&a.id, path);
        }
    }

    let element = |id: &str| {
        matches!(
            ids.get(id),
            Some((Kind::ExternalEntity | Kind::Process | Kind::DataStore, _))
        )
    };

    // Asset references, remembering which assets are used anywhere.
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut refs: Vec<(String, &str, String)> = Vec::new();
    for (i, f) in model.flows.iter().enumerate() {
        for (j, a) in f.data.iter().enumerate() {
            refs.push((
                format!("/flows/{i}/data/{j}"),
                a,
                format!("flow {:?}", f.id),
            ));
        }
    }
    for (i, s) in model.data_stores.iter().enumerate() {
        for (j, a) in s.stores.iter().enumerate() {
            refs.push((
                format!("/data_stores/{i}/stores/{j}"),
                a,
                format!("data store {:?}", s.id),
            ));
        }
    }
    for (i, p) in model.processes.iter().enumerate() {
        for (j, a) in p.processes.iter().enumerate() {
            refs.push((
                format!("/processes/{i}/processes/{j}"),
                a,
                format!("process {:?}", p.id),
            ));
        }
    }
    for (path, asset, owner) in refs {
        if assets.contains_key(asset) {
            used.insert(asset);
        } else {
            c.error(
                "unknown-asset",
                path,
                format!("{owner} refers to unknown data asset {asset:?}"),
            );
        }
    }
    for (i, a) in model.data_assets.iter().enumerate() {
        if !used.contains(a.id.as_str())
            && assets.get(a.id.as_str()) == Some(&format!("/data_assets/{i}/id"))
        {
            c.error(
                "unused-asset",
                format!("/data_assets/{i}/id"),
                format!(
                    "data asset {:?} is carried, stored or processed nowhere",
                    a.id
                ),
            );
        }
    }

    // Flow ends and crossings.
    let boundary = |id: &str| matches!(ids.get(id), Some((Kind::Boundary, _)));
    for (i, f) in model.flows.iter().enumerate() {
        for (end, id) in [("from", &f.from), ("to", &f.to)] {
            if !element(id) {
                let what = match ids.get(id.as_str()) {
                    Some((kind, _)) => format!("{} {id:?}, not an element", kind.label()),
                    None => format!("unknown element {id:?}"),
                };
                c.error(
                    "unknown-element",
                    format!("/flows/{i}/{end}"),
                    format!("flow {:?} {end} refers to {what}", f.id),
                );
            }
        }
        if f.from == f.to {
            c.warning(
                "self-flow",
                format!("/flows/{i}/to"),
                format!("flow {:?} goes from {:?} to itself", f.id, f.from),
            );
        }
        for (j, b) in f.crosses.iter().enumerate() {
            if !boundary(b) {
                c.error(
                    "unknown-boundary",
                    format!("/flows/{i}/crosses/{j}"),
                    format!("flow {:?} crosses unknown trust boundary {b:?}", f.id),
                );
            }
        }
    }

    // Boundary membership: every member known, at most one parent, no cycle.
    let mut parent: BTreeMap<&str, (&str, String)> = BTreeMap::new();
    for (i, b) in model.trust_boundaries.iter().enumerate() {
        for (j, m) in b.members.iter().enumerate() {
            let path = format!("/trust_boundaries/{i}/members/{j}");
            if !element(m) && !boundary(m) {
                let message = match ids.get(m.as_str()) {
                    Some((kind, _)) => format!(
                        "trust boundary {:?} lists {} {m:?}; members are elements or boundaries",
                        b.id,
                        kind.label()
                    ),
                    None => format!("trust boundary {:?} lists unknown member {m:?}", b.id),
                };
                c.error("unknown-boundary-member", path, message);
                continue;
            }
            if m == &b.id {
                c.error(
                    "boundary-cycle",
                    path,
                    format!("trust boundary {:?} lists itself as a member", b.id),
                );
                continue;
            }
            if let Some((other, first)) = parent.get(m.as_str()) {
                let message = format!(
                    "{m:?} is in trust boundary {:?} and in {other:?} (listed at {}); \
                     membership must be a tree: nest one boundary in the other instead",
                    b.id,
                    c.place(first)
                );
                c.error("multiple-parents", path, message);
                continue;
            }
            parent.insert(m, (&b.id, path));
        }
    }
    // With one parent each, a cycle is a walk up that returns to a boundary
    // already on the walk. Each boundary is walked once: a walk stops at a
    // boundary an earlier walk finished, so deep nesting stays linear.
    let file_order: HashMap<&str, usize> = model
        .trust_boundaries
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id.as_str(), i))
        .collect();
    let mut finished: BTreeSet<&str> = BTreeSet::new();
    for b in &model.trust_boundaries {
        let mut walk: Vec<&str> = Vec::new();
        let mut on_walk: BTreeSet<&str> = BTreeSet::new();
        let mut at = b.id.as_str();
        while !finished.contains(at) {
            if !on_walk.insert(at) {
                let from = walk.iter().position(|id| *id == at).unwrap_or(0);
                let cycle: BTreeSet<&str> = walk[from..].iter().copied().collect();
                // Reported once, at the member listed first in the file.
                let first = cycle
                    .iter()
                    .copied()
                    .min_by_key(|id| file_order.get(id).copied().unwrap_or(usize::MAX))
                    .unwrap_or(at);
                if let Some((_, path)) = parent.get(first) {
                    let message = format!(
                        "trust boundary {first:?} is nested inside itself (through {})",
                        cycle
                            .iter()
                            .map(|s| format!("{s:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    c.error("boundary-cycle", path.clone(), message);
                }
                break;
            }
            walk.push(at);
            match parent.get(at) {
                Some((up, _)) => at = up,
                None => break,
            }
        }
        finished.extend(walk);
    }
    // `crosses` is for line-shaped boundaries that contain neither end; a
    // boundary enclosing an end already tells whether the flow crosses it.
    let ancestors = |id: &str| {
        let mut chain: BTreeSet<&str> = BTreeSet::new();
        let mut at = id;
        while let Some((up, _)) = parent.get(at) {
            if !chain.insert(up) {
                break;
            }
            at = up;
        }
        chain
    };
    for (i, f) in model.flows.iter().enumerate() {
        if f.crosses.is_empty() {
            continue;
        }
        let ends = [ancestors(&f.from), ancestors(&f.to)];
        for (j, b) in f.crosses.iter().enumerate() {
            if ends.iter().any(|chain| chain.contains(b.as_str())) {
                c.warning(
                    "redundant-crossing",
                    format!("/flows/{i}/crosses/{j}"),
                    format!(
                        "flow {:?} lists {b:?} in crosses, but that boundary encloses one of its ends; \
                         crosses is for boundaries drawn as lines, and any entry makes the flow count \
                         as crossing a boundary: remove it unless the flow really crosses one",
                        f.id
                    ),
                );
            }
        }
    }

    let crossed: BTreeSet<&str> = model
        .flows
        .iter()
        .flat_map(|f| f.crosses.iter().map(String::as_str))
        .collect();
    for (i, b) in model.trust_boundaries.iter().enumerate() {
        if b.members.is_empty() && !crossed.contains(b.id.as_str()) {
            c.warning(
                "empty-boundary",
                format!("/trust_boundaries/{i}/id"),
                format!(
                    "trust boundary {:?} has no members and no flow crosses it",
                    b.id
                ),
            );
        }
    }

    // Manual threats target an element or a flow.
    // Hand-written threat ids are their own namespace: `manual.<id>@target`
    // names a tracking entry, so a repeated id would hide a threat.
    let mut threat_ids: HashMap<&str, String> = HashMap::new();
    for (i, t) in model.threats.iter().enumerate() {
        if !valid_id(&t.id) {
            c.error(
                "invalid-id",
                format!("/threats/{i}/id"),
                format!("threat id {:?} must match [a-z0-9][a-z0-9_-]{{0,63}}", t.id),
            );
        }
        let path = format!("/threats/{i}/id");
        if let Some(first) = threat_ids.get(t.id.as_str()) {
            let message = format!(
                "duplicate threat id {:?} (first defined at {})",
                t.id,
                c.place(first)
            );
            c.error("duplicate-id", path, message);
        } else {
            threat_ids.insert(&t.id, path);
        }
        let target_ok =
            element(&t.target) || matches!(ids.get(t.target.as_str()), Some((Kind::Flow, _)));
        if !target_ok {
            c.error(
                "unknown-target",
                format!("/threats/{i}/target"),
                format!(
                    "threat {:?} targets unknown element or flow {:?}",
                    t.id, t.target
                ),
            );
        }
    }

    // Tracking entries carry what their status needs, and name a target
    // that threats are generated for.
    let out_of_scope: BTreeSet<&str> = model
        .external_entities
        .iter()
        .filter(|e| e.out_of_scope.is_some())
        .map(|e| e.id.as_str())
        .chain(
            model
                .processes
                .iter()
                .filter(|p| p.out_of_scope.is_some())
                .map(|p| p.id.as_str()),
        )
        .chain(
            model
                .data_stores
                .iter()
                .filter(|s| s.out_of_scope.is_some())
                .map(|s| s.id.as_str()),
        )
        .chain(
            model
                .flows
                .iter()
                .filter(|f| f.out_of_scope.is_some())
                .map(|f| f.id.as_str()),
        )
        .collect();
    for (key, entry) in &model.risk_tracking {
        let path = format!("/risk_tracking/{}", segment(key));
        if let Err(problem) = entry.resolve() {
            c.error(
                "tracking-invalid",
                path.clone(),
                format!("risk_tracking entry {key:?}: {problem}"),
            );
        }
        match key.rsplit_once('@') {
            Some((rule, target)) if !rule.is_empty() && !target.is_empty() => {
                // Hand-written threats are kept on out-of-scope targets.
                if out_of_scope.contains(target) && !rule.starts_with("manual.") {
                    c.warning(
                        "tracking-out-of-scope",
                        path,
                        format!(
                            "risk_tracking entry {key:?} is for {target:?}, which is out of scope: no threats are generated for it"
                        ),
                    );
                }
            }
            _ => c.error(
                "tracking-invalid",
                path,
                format!(
                    "risk_tracking key {key:?} is not a threat id of the form rule-id@target-id"
                ),
            ),
        }
    }

    c.out
}
