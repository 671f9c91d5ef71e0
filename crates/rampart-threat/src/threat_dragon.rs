//! Import of OWASP Threat Dragon v2 JSON models into a [`ThreatModel`].
//!
//! Threat Dragon stores an X6 graph per diagram: elements are cells with a
//! box, flows are edges whose ends name a cell (or, when the user left an
//! end dangling, a bare point), trust boundaries are either boxes (members
//! by geometric containment) or free-hand curves. The importer keeps every
//! element and every flow: a dangling end snaps to the nearest element
//! within [`SNAP_DISTANCE`] pixels or to a placeholder external entity,
//! because silently dropping a flow would hide an attack path. Everything
//! that could not be carried over faithfully is reported in
//! [`Imported::warnings`]. Curve boundaries are lines, not enclosures: each
//! becomes a boundary without members, listed in the `crosses` of every
//! flow whose polyline (source centre, vertices, target centre) cuts it.
//!
//! Input is bounded ([`MAX_INPUT_BYTES`], [`MAX_DIAGRAMS`], [`MAX_CELLS`])
//! and all geometry is checked for finiteness before use: hostile input
//! yields an error or warnings, never a panic.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use crate::model::{
    DataStore, ExternalEntity, Flow, Level, ManualThreat, Options, Process, Stride, ThreatModel,
    TrackingEntry, TrackingStatus, TrustBoundary,
};

/// Largest Threat Dragon file accepted (the demo model is 64 KiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// Most diagrams accepted in one file.
pub const MAX_DIAGRAMS: usize = 100;
/// Most cells accepted over all diagrams.
pub const MAX_CELLS: usize = 100_000;
/// Most threats accepted over all cells.
pub const MAX_THREATS: usize = 100_000;
/// How far (in diagram pixels) a dangling flow end may be from an element's
/// box and still be attached to it.
pub const SNAP_DISTANCE: f64 = 24.0;
/// Coordinates beyond this are treated as garbage rather than geometry.
const MAX_COORDINATE: f64 = 1.0e7;
const SLUG_MAX: usize = 48;
/// Most points of one flow or curve polyline used for crossing tests.
const MAX_POLYLINE_POINTS: usize = 1_000;
/// Budget of segment-pair tests for curve crossings over the whole file,
/// so a file of many long polylines cannot make the import quadratic.
const MAX_CROSSING_WORK: u64 = 50_000_000;

/// An imported model and what the import could not carry over exactly.
#[derive(Debug, Clone)]
pub struct Imported {
    pub model: ThreatModel,
    pub warnings: Vec<String>,
}

/// Why a file could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DragonError {
    #[error("{file}: file is {size} bytes, more than the limit of {max}")]
    TooLarge {
        file: String,
        size: usize,
        max: usize,
    },
    #[error("{file}: not valid JSON: {message}")]
    Json { file: String, message: String },
    #[error(
        "{file}: not a Threat Dragon model (expected an object with \"summary\" and \"detail.diagrams\")"
    )]
    NotThreatDragon { file: String },
    #[error(
        "{file}: Threat Dragon v1 models are not supported; open the file in Threat Dragon 2.x, save it (it is converted to v2) and import the saved file"
    )]
    Version1 { file: String },
    #[error("{file}: unsupported Threat Dragon version {version:?} (expected 2.x)")]
    UnsupportedVersion { file: String, version: String },
    #[error("{file}: more than {max} {what}")]
    TooMany {
        file: String,
        what: &'static str,
        max: usize,
    },
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn inside(&self, outer: &Rect) -> bool {
        self.x >= outer.x
            && self.y >= outer.y
            && self.x + self.w <= outer.x + outer.w
            && self.y + self.h <= outer.y + outer.h
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    /// Distance from a point to the box (0 inside it).
    fn distance(&self, px: f64, py: f64) -> f64 {
        let dx = (self.x - px).max(0.0).max(px - (self.x + self.w));
        let dy = (self.y - py).max(0.0).max(py - (self.y + self.h));
        dx.hypot(dy)
    }

    fn centre(&self) -> Point {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    fn area(&self) -> f64 {
        self.w * self.h
    }
}

type Point = (f64, f64);

fn point(value: &Value) -> Option<Point> {
    Some((coordinate(value.get("x"))?, coordinate(value.get("y"))?))
}

/// `vertices` of an edge cell, or `None` when one is unusable or there are
/// too many to test.
fn vertices(cell: &Value) -> Option<Vec<Point>> {
    match cell.get("vertices") {
        None => Some(Vec::new()),
        Some(list) => {
            let list = list.as_array()?;
            if list.len() > MAX_POLYLINE_POINTS {
                return None;
            }
            list.iter().map(point).collect()
        }
    }
}

fn orientation(a: Point, b: Point, c: Point) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

/// Whether segments p1–p2 and q1–q2 properly cross (touching ends do not
/// count: a flow ending on a curve has not passed it).
fn segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool {
    let d1 = orientation(q1, q2, p1);
    let d2 = orientation(q1, q2, p2);
    let d3 = orientation(p1, p2, q1);
    let d4 = orientation(p1, p2, q2);
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

struct Curve {
    id: String,
    points: Vec<Point>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ElementKind {
    Actor,
    Process,
    Store,
}

/// One id namespace shared by elements, flows and boundaries.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    /// The next suffix to try per base, so many cells with one name cost
    /// linear, not quadratic, time.
    next_suffix: HashMap<String, u64>,
}

impl Ids {
    fn claim(&mut self, base: &str) -> String {
        if self.used.insert(base.to_owned()) {
            return base.to_owned();
        }
        let next = self.next_suffix.entry(base.to_owned()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// `[^a-z0-9]+` → `-`, trimmed, at most [`SLUG_MAX`] bytes.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= SLUG_MAX {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// First 8 hex digits of a uuid, for ids of unnamed things.
fn short_hex(uuid: &str, fallback: usize) -> String {
    let hex: String = uuid
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .take(8)
        .collect();
    if hex.is_empty() {
        format!("{fallback}")
    } else {
        hex
    }
}

fn text_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str()
}

fn flag(data: Option<&Map<String, Value>>, key: &str) -> bool {
    data.and_then(|d| d.get(key)).and_then(Value::as_bool) == Some(true)
}

fn data_text<'a>(data: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    data.and_then(|d| d.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Element name: `data.name`, else `attrs.text.text`, else `attrs.label.text`.
fn cell_name(cell: &Value) -> String {
    [
        text_at(cell, &["data", "name"]),
        text_at(cell, &["attrs", "text", "text"]),
        text_at(cell, &["attrs", "label", "text"]),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|s| !s.is_empty())
    .unwrap_or_default()
    .to_owned()
}

fn coordinate(value: Option<&Value>) -> Option<f64> {
    value
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite() && v.abs() <= MAX_COORDINATE)
}

fn rect(cell: &Value) -> Option<Rect> {
    let position = cell.get("position")?;
    let size = cell.get("size")?;
    let r = Rect {
        x: coordinate(position.get("x"))?,
        y: coordinate(position.get("y"))?,
        w: coordinate(size.get("width"))?,
        h: coordinate(size.get("height"))?,
    };
    (r.w >= 0.0 && r.h >= 0.0).then_some(r)
}

fn out_of_scope(data: Option<&Map<String, Value>>) -> Option<String> {
    flag(data, "outOfScope").then(|| {
        data_text(data, "reasonOutOfScope")
            .unwrap_or("imported from Threat Dragon")
            .to_owned()
    })
}

fn stride_of(label: &str) -> Option<Stride> {
    let l = label.to_ascii_lowercase();
    let l = l.trim();
    Some(if l.contains("spoof") {
        Stride::Spoofing
    } else if l.contains("tamper") {
        Stride::Tampering
    } else if l.contains("repudiat") {
        Stride::Repudiation
    } else if l.contains("disclosure") || l.contains("information") {
        Stride::InformationDisclosure
    } else if l.contains("denial") {
        Stride::DenialOfService
    } else if l.contains("elevation") || l.contains("privilege") {
        Stride::ElevationOfPrivilege
    } else {
        return None;
    })
}

fn level_of(label: &str) -> Option<Level> {
    match label.trim().to_ascii_lowercase().as_str() {
        "low" => Some(Level::Low),
        "medium" => Some(Level::Medium),
        "high" => Some(Level::High),
        "critical" => Some(Level::Critical),
        _ => None,
    }
}

struct PendingElement {
    id: String,
    rect: Option<Rect>,
}

/// What resolving a flow's ends needs to know about the flow and its diagram.
struct FlowContext<'a> {
    label: &'a str,
    name: &'a str,
    uuid: &'a str,
    by_cell: &'a HashMap<String, String>,
    elements: &'a [PendingElement],
    curves: &'a [Curve],
}

struct PendingBox {
    id: String,
    rect: Rect,
}

/// Converts a Threat Dragon v2 JSON model. `file` is a display name for
/// errors and warnings only.
pub fn import_v2(file: &str, json: &[u8]) -> Result<Imported, DragonError> {
    if json.len() > MAX_INPUT_BYTES {
        return Err(DragonError::TooLarge {
            file: file.to_owned(),
            size: json.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let root: Value = serde_json::from_slice(json).map_err(|err| DragonError::Json {
        file: file.to_owned(),
        message: err.to_string(),
    })?;
    let not_td = || DragonError::NotThreatDragon {
        file: file.to_owned(),
    };
    let summary = root
        .get("summary")
        .filter(|v| v.is_object())
        .ok_or_else(not_td)?;
    let diagrams = root
        .get("detail")
        .and_then(|d| d.get("diagrams"))
        .and_then(Value::as_array)
        .ok_or_else(not_td)?;
    // v1 keeps each diagram's graph under `diagramJson` and has no
    // top-level version.
    let is_v1 = diagrams.iter().any(|d| d.get("diagramJson").is_some());
    match root.get("version").and_then(Value::as_str) {
        _ if is_v1 => {
            return Err(DragonError::Version1 {
                file: file.to_owned(),
            });
        }
        None => {
            return Err(DragonError::Version1 {
                file: file.to_owned(),
            });
        }
        Some(version) if !version.starts_with("2.") => {
            return Err(DragonError::UnsupportedVersion {
                file: file.to_owned(),
                version: version.chars().take(32).collect(),
            });
        }
        Some(_) => {}
    }
    if diagrams.len() > MAX_DIAGRAMS {
        return Err(DragonError::TooMany {
            file: file.to_owned(),
            what: "diagrams",
            max: MAX_DIAGRAMS,
        });
    }
    let cell_count: usize = diagrams
        .iter()
        .filter_map(|d| d.get("cells").and_then(Value::as_array))
        .map(Vec::len)
        .sum();
    if cell_count > MAX_CELLS {
        return Err(DragonError::TooMany {
            file: file.to_owned(),
            what: "cells",
            max: MAX_CELLS,
        });
    }
    // Refused rather than cut short: a partial import would lose threats
    // without a trace.
    let threat_count: usize = diagrams
        .iter()
        .filter_map(|d| d.get("cells").and_then(Value::as_array))
        .flatten()
        .filter_map(|cell| cell.get("data")?.get("threats")?.as_array())
        .map(Vec::len)
        .sum();
    if threat_count > MAX_THREATS {
        return Err(DragonError::TooMany {
            file: file.to_owned(),
            what: "threats",
            max: MAX_THREATS,
        });
    }

    let mut importer = Importer {
        file,
        ids: Ids::default(),
        threat_ids: Ids::default(),
        warnings: Vec::new(),
        model: ThreatModel {
            version: 1,
            title: text_at(summary, &["title"])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .unwrap_or("Imported Threat Dragon model")
                .to_owned(),
            description: None,
            owner: text_at(summary, &["owner"])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            data_assets: Vec::new(),
            external_entities: Vec::new(),
            processes: Vec::new(),
            data_stores: Vec::new(),
            flows: Vec::new(),
            trust_boundaries: Vec::new(),
            threats: Vec::new(),
            risk_tracking: BTreeMap::new(),
            options: Options::default(),
        },
        notes: Vec::new(),
        crossing_work: 0,
    };
    for (index, diagram) in diagrams.iter().enumerate() {
        importer.diagram(index, diagram);
    }
    importer.model.description = description(&root, summary, &importer.notes);
    Ok(Imported {
        model: importer.model,
        warnings: importer.warnings,
    })
}

fn description(root: &Value, summary: &Value, notes: &[String]) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(text) = text_at(summary, &["description"]).map(str::trim)
        && !text.is_empty()
    {
        parts.push(text.to_owned());
    }
    if !notes.is_empty() {
        parts.push(format!("Diagram notes:\n{}", notes.join("\n")));
    }
    let contributors: Vec<&str> = root
        .get("detail")
        .and_then(|d| d.get("contributors"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !contributors.is_empty() {
        parts.push(format!("Contributors: {}", contributors.join(", ")));
    }
    if let Some(reviewer) = text_at(root, &["detail", "reviewer"]).map(str::trim)
        && !reviewer.is_empty()
    {
        parts.push(format!("Reviewer: {reviewer}"));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

struct Importer<'a> {
    file: &'a str,
    ids: Ids,
    threat_ids: Ids,
    warnings: Vec<String>,
    model: ThreatModel,
    notes: Vec<String>,
    crossing_work: u64,
}

impl Importer<'_> {
    fn warn(&mut self, message: String) {
        self.warnings.push(format!("{}: {message}", self.file));
    }

    fn diagram(&mut self, index: usize, diagram: &Value) {
        let title = text_at(diagram, &["title"]).unwrap_or("").trim().to_owned();
        let label = if title.is_empty() {
            format!("diagram {}", index + 1)
        } else {
            format!("diagram {title:?}")
        };
        let Some(cells) = diagram.get("cells").and_then(Value::as_array) else {
            self.warn(format!("{label} has no cells"));
            return;
        };
        // Elements first, so that flows can find their ends whatever the
        // cell order.
        let mut by_cell: HashMap<String, String> = HashMap::new();
        let mut elements: Vec<PendingElement> = Vec::new();
        let mut boxes: Vec<PendingBox> = Vec::new();
        let mut flows: Vec<&Value> = Vec::new();
        let mut curves: Vec<Curve> = Vec::new();
        for (position, cell) in cells.iter().enumerate() {
            let data = cell.get("data").and_then(Value::as_object);
            let shape = cell
                .get("shape")
                .and_then(Value::as_str)
                .or_else(|| data_text(data, "type"))
                .unwrap_or("");
            let cell_id = cell.get("id").and_then(Value::as_str).unwrap_or("");
            let kind = match shape {
                "actor" | "tm.Actor" => Some(ElementKind::Actor),
                "process" | "tm.Process" => Some(ElementKind::Process),
                "store" | "tm.Store" => Some(ElementKind::Store),
                _ => None,
            };
            if let Some(kind) = kind {
                let id = self.element(kind, cell, data, position);
                if !cell_id.is_empty() {
                    by_cell.insert(cell_id.to_owned(), id.clone());
                }
                let rect = rect(cell);
                if rect.is_none() {
                    self.warn(format!(
                        "{label}: element {id:?} has no usable position or size; it cannot take part in boundaries or snapping"
                    ));
                }
                elements.push(PendingElement { id, rect });
                continue;
            }
            match shape {
                "flow" | "tm.Flow" => flows.push(cell),
                "trust-boundary-box" | "tm.BoundaryBox" => {
                    let name = cell_name(cell);
                    let base = match slug(&name) {
                        s if s.is_empty() => format!("boundary-{}", short_hex(cell_id, position)),
                        s => s,
                    };
                    let id = self.ids.claim(&base);
                    let Some(rect) = rect(cell) else {
                        self.warn(format!(
                            "{label}: trust boundary {id:?} has no usable position or size; imported without members"
                        ));
                        self.model
                            .trust_boundaries
                            .push(boundary(id, name, cell_id));
                        continue;
                    };
                    self.model
                        .trust_boundaries
                        .push(boundary(id.clone(), name, cell_id));
                    boxes.push(PendingBox { id, rect });
                }
                "trust-boundary-curve" | "tm.Boundary" => {
                    let name = cell_name(cell);
                    let id = self
                        .ids
                        .claim(&format!("boundary-{}", short_hex(cell_id, position)));
                    let ends = cell
                        .get("source")
                        .and_then(point)
                        .zip(cell.get("target").and_then(point));
                    match (ends, vertices(cell)) {
                        (Some((start, end)), Some(middle)) => {
                            let mut points = vec![start];
                            points.extend(middle);
                            points.push(end);
                            curves.push(Curve {
                                id: id.clone(),
                                points,
                            });
                        }
                        _ => self.warn(format!(
                            "{label}: trust boundary curve {id:?} has unusable geometry; no flow is marked as crossing it"
                        )),
                    }
                    self.model.trust_boundaries.push(TrustBoundary {
                        description: Some(
                            "A Threat Dragon boundary curve: flows crossing it list it in `crosses`"
                                .to_owned(),
                        ),
                        ..boundary(id, name, cell_id)
                    });
                }
                "td-text-block" | "tm.Text" => {
                    let text = cell_name(cell);
                    if !text.is_empty() {
                        self.notes.push(text);
                    }
                }
                other => {
                    let other: String = other.chars().take(64).collect();
                    self.warn(format!("{label}: cell of unknown shape {other:?} ignored"));
                }
            }
        }
        self.memberships(&label, &elements, &boxes);
        for cell in flows {
            self.flow(&label, cell, &by_cell, &elements, &curves);
        }
    }

    fn element(
        &mut self,
        kind: ElementKind,
        cell: &Value,
        data: Option<&Map<String, Value>>,
        position: usize,
    ) -> String {
        let cell_id = cell.get("id").and_then(Value::as_str).unwrap_or("");
        let (prefix, fallback) = match kind {
            ElementKind::Actor => ("actor", "Unnamed actor"),
            ElementKind::Process => ("process", "Unnamed process"),
            ElementKind::Store => ("store", "Unnamed store"),
        };
        let name = cell_name(cell);
        let base = match slug(&name) {
            s if s.is_empty() => format!("{prefix}-{}", short_hex(cell_id, position)),
            s => s,
        };
        let id = self.ids.claim(&base);
        let name = if name.is_empty() {
            fallback.to_owned()
        } else {
            name
        };
        let description = data_text(data, "description").map(str::to_owned);
        let external_ids = external_ids(cell_id);
        let scope = out_of_scope(data);
        match kind {
            ElementKind::Actor => self.model.external_entities.push(ExternalEntity {
                id: id.clone(),
                name,
                description,
                technology: None,
                tags: Vec::new(),
                out_of_scope: scope,
                external_ids,
                human: false,
                privileged: false,
                provides_authentication: flag(data, "providesAuthentication"),
            }),
            ElementKind::Process => {
                let mut tags = Vec::new();
                if flag(data, "handlesCardPayment") {
                    tags.push("pci".to_owned());
                }
                if flag(data, "isWebApplication") {
                    tags.push("web-application".to_owned());
                }
                if let Some(level) = data_text(data, "privilegeLevel") {
                    tags.push(format!(
                        "privilege:{}",
                        level.chars().take(64).collect::<String>()
                    ));
                }
                self.model.processes.push(Process {
                    id: id.clone(),
                    name,
                    description,
                    technology: None,
                    tags,
                    out_of_scope: scope,
                    external_ids,
                    ..process_defaults()
                });
            }
            ElementKind::Store => {
                let mut tags = Vec::new();
                if flag(data, "isSigned") {
                    tags.push("signed".to_owned());
                }
                if flag(data, "storesInventory") {
                    tags.push("inventory".to_owned());
                }
                self.model.data_stores.push(DataStore {
                    id: id.clone(),
                    name,
                    description,
                    technology: None,
                    tags,
                    out_of_scope: scope,
                    external_ids,
                    stores: Vec::new(),
                    internet_facing: false,
                    authentication: Default::default(),
                    logs_audit_events: false,
                    redundant: false,
                    encrypted_at_rest: flag(data, "isEncrypted"),
                    stores_credentials: flag(data, "storesCredentials"),
                    query_language: Default::default(),
                    public_access: Default::default(),
                    is_log: flag(data, "isALog"),
                    append_only: false,
                    queue: false,
                    dead_letter_queue: false,
                });
            }
        }
        self.threats(data, &id);
        id
    }

    /// Each element and box belongs to the smallest box that fully holds
    /// it, so nested boxes become nested boundaries and membership stays a
    /// forest.
    fn memberships(&mut self, label: &str, elements: &[PendingElement], boxes: &[PendingBox]) {
        let smallest = |rect: &Rect, skip: Option<usize>| {
            boxes
                .iter()
                .enumerate()
                .filter(|(i, b)| Some(*i) != skip && rect.inside(&b.rect))
                // Two boxes of the same geometry would hold each other;
                // the earlier one is the parent.
                .filter(|(i, b)| skip.is_none_or(|s| b.rect.area() > rect.area() || *i < s))
                .min_by(|(_, a), (_, b)| a.rect.area().total_cmp(&b.rect.area()))
                .map(|(i, _)| i)
        };
        let mut members: Vec<Vec<String>> = vec![Vec::new(); boxes.len()];
        for element in elements {
            let Some(rect) = element.rect else { continue };
            match smallest(&rect, None) {
                Some(parent) => members[parent].push(element.id.clone()),
                None => {
                    for b in boxes.iter().filter(|b| rect.overlaps(&b.rect)) {
                        self.warnings.push(format!(
                            "{}: {label}: element {:?} only partly overlaps trust boundary {:?}; not made a member",
                            self.file, element.id, b.id
                        ));
                    }
                }
            }
        }
        for (index, b) in boxes.iter().enumerate() {
            if let Some(parent) = smallest(&b.rect, Some(index)) {
                members[parent].push(b.id.clone());
            }
        }
        for (b, list) in boxes.iter().zip(members) {
            if let Some(boundary) = self
                .model
                .trust_boundaries
                .iter_mut()
                .find(|tb| tb.id == b.id)
            {
                boundary.members = list;
            }
        }
    }

    /// One end of a flow as one of our element ids.
    fn end(&mut self, ctx: &FlowContext<'_>, which: &str, end: Option<&Value>) -> String {
        if let Some(cell) = end.and_then(|e| e.get("cell")).and_then(Value::as_str)
            && let Some(id) = ctx.by_cell.get(cell)
        {
            return id.clone();
        }
        let point = end.and_then(|e| Some((coordinate(e.get("x"))?, coordinate(e.get("y"))?)));
        if let Some((x, y)) = point {
            let nearest = ctx
                .elements
                .iter()
                .filter_map(|e| Some((e, e.rect?.distance(x, y))))
                .filter(|(_, d)| *d <= SNAP_DISTANCE)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((element, distance)) = nearest {
                let id = element.id.clone();
                self.warn(format!(
                    "{}: flow {:?} {which} was not attached; snapped to {id:?} ({distance:.0} px away)",
                    ctx.label, ctx.name
                ));
                return id;
            }
        }
        let base = format!("unknown-{}", short_hex(ctx.uuid, self.model.flows.len()));
        let id = self.ids.claim(&format!("{base}-{which}"));
        self.warn(format!(
            "{}: flow {:?} {which} is attached to nothing near; created placeholder external entity {id:?}",
            ctx.label, ctx.name
        ));
        self.model.external_entities.push(ExternalEntity {
            id: id.clone(),
            name: format!(
                "Unknown {which} of {}",
                if ctx.name.is_empty() {
                    "flow"
                } else {
                    ctx.name
                }
            ),
            description: Some("Placeholder for a dangling Threat Dragon flow end".to_owned()),
            technology: None,
            tags: vec!["imported-placeholder".to_owned()],
            out_of_scope: None,
            external_ids: Vec::new(),
            human: false,
            privileged: false,
            provides_authentication: false,
        });
        id
    }

    fn flow(
        &mut self,
        label: &str,
        cell: &Value,
        by_cell: &HashMap<String, String>,
        elements: &[PendingElement],
        curves: &[Curve],
    ) {
        let data = cell.get("data").and_then(Value::as_object);
        let cell_id = cell.get("id").and_then(Value::as_str).unwrap_or("");
        // The label may decorate the name ("Web Response (HTTP/S)"): the
        // name wins, the label only fills an empty one.
        let name = data_text(data, "name")
            .map(str::to_owned)
            .or_else(|| {
                cell.get("labels")
                    .and_then(Value::as_array)
                    .and_then(|labels| labels.first())
                    .and_then(|l| {
                        l.as_str()
                            .or_else(|| text_at(l, &["attrs", "label", "text"]))
                            .or_else(|| text_at(l, &["attrs", "text", "text"]))
                    })
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let ctx = FlowContext {
            label,
            name: &name,
            uuid: cell_id,
            by_cell,
            elements,
            curves,
        };
        let from = self.end(&ctx, "source", cell.get("source"));
        let to = self.end(&ctx, "target", cell.get("target"));
        let base = match slug(&name) {
            s if s.is_empty() => {
                let joined = format!("{from}-to-{to}");
                joined
                    .chars()
                    .take(SLUG_MAX)
                    .collect::<String>()
                    .trim_end_matches('-')
                    .to_owned()
            }
            s => s,
        };
        let id = self.ids.claim(&base);
        let crosses = self.crossings(&ctx, cell, &from, &to, &id);
        let protocol = data_text(data, "protocol").map(str::to_lowercase);
        let encrypted = flag(data, "isEncrypted");
        if !encrypted
            && protocol.as_deref().is_some_and(|p| {
                ["https", "tls", "ssh", "sftp", "ftps", "wss"]
                    .iter()
                    .any(|e| p.contains(e))
            })
        {
            self.warn(format!(
                "{label}: flow {id:?} has protocol {:?} but is not marked encrypted; kept encrypted_in_transit: false",
                protocol.as_deref().unwrap_or_default()
            ));
        }
        self.threats(data, &id);
        self.model.flows.push(Flow {
            id,
            from,
            to,
            name: (!name.is_empty()).then_some(name),
            description: data_text(data, "description").map(str::to_owned),
            protocol,
            bidirectional: flag(data, "isBidirectional"),
            data: Vec::new(),
            authentication: Default::default(),
            authorization: Default::default(),
            encrypted_in_transit: Some(encrypted),
            verifies_certificates: None,
            message_integrity: false,
            timeouts: false,
            public_network: flag(data, "isPublicNetwork"),
            crosses,
            tags: Vec::new(),
            out_of_scope: out_of_scope(data),
            external_ids: external_ids(cell_id),
        });
    }

    /// The curve boundaries a flow's polyline (source centre, vertices,
    /// target centre) crosses. The routed edge Threat Dragon draws may
    /// differ slightly, so every inferred crossing is worth a look.
    fn crossings(
        &mut self,
        ctx: &FlowContext<'_>,
        cell: &Value,
        from: &str,
        to: &str,
        id: &str,
    ) -> Vec<String> {
        if ctx.curves.is_empty() {
            return Vec::new();
        }
        let centre = |element: &str| {
            ctx.elements
                .iter()
                .find(|e| e.id == element)
                .and_then(|e| e.rect)
                .map(|r| r.centre())
        };
        let (Some(start), Some(end), Some(middle)) = (centre(from), centre(to), vertices(cell))
        else {
            self.warn(format!(
                "{}: flow {id:?} has unusable geometry; add `crosses:` by hand if it crosses a boundary curve",
                ctx.label
            ));
            return Vec::new();
        };
        let mut points = vec![start];
        points.extend(middle);
        points.push(end);
        let mut crosses = Vec::new();
        for curve in ctx.curves {
            let work = (points.len() as u64).saturating_mul(curve.points.len() as u64);
            self.crossing_work = self.crossing_work.saturating_add(work);
            if self.crossing_work > MAX_CROSSING_WORK {
                self.warn(format!(
                    "{}: too much geometry to test flow {id:?} against boundary curves; add `crosses:` by hand",
                    ctx.label
                ));
                return crosses;
            }
            let hit = points.windows(2).any(|p| {
                curve
                    .points
                    .windows(2)
                    .any(|q| segments_cross(p[0], p[1], q[0], q[1]))
            });
            if hit {
                crosses.push(curve.id.clone());
            }
        }
        crosses
    }

    /// Threat Dragon's threats on a cell become hand-written threats with a
    /// tracking entry carrying their status.
    fn threats(&mut self, data: Option<&Map<String, Value>>, target: &str) {
        let Some(list) = data
            .and_then(|d| d.get("threats"))
            .and_then(Value::as_array)
        else {
            return;
        };
        for (index, threat) in list.iter().enumerate() {
            let field = |key: &str| {
                threat
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
            };
            let uuid = field("id").unwrap_or("");
            let title = field("title").unwrap_or("Untitled threat").to_owned();
            let base = match slug(&title) {
                s if s.is_empty() => format!("threat-{}", short_hex(uuid, index)),
                s => s,
            };
            let id = self.threat_ids.claim(&base);
            let mut tags = vec!["threat-dragon".to_owned()];
            let kind = field("type").unwrap_or("");
            let stride = match stride_of(kind) {
                Some(s) => s,
                None => {
                    self.warn(format!(
                        "threat {title:?} on {target:?} has type {kind:?}, not a STRIDE category; imported as tampering with tag td-type-unknown"
                    ));
                    tags.push("td-type-unknown".to_owned());
                    Stride::Tampering
                }
            };
            let severity_text = field("severity").unwrap_or("");
            let severity = match level_of(severity_text) {
                Some(level) => level,
                None => {
                    self.warn(format!(
                        "threat {title:?} on {target:?} has severity {severity_text:?}; imported as medium"
                    ));
                    Level::Medium
                }
            };
            let mitigation = field("mitigation").map(str::to_owned);
            let status_text = field("status").unwrap_or("Open");
            let entry = match status_text.to_ascii_lowercase().as_str() {
                "mitigated" => TrackingEntry {
                    status: TrackingStatus::Mitigated,
                    reference: Some(format!(
                        "threat-dragon:{}",
                        if uuid.is_empty() { &id } else { uuid }
                    )),
                    owner: None,
                    expires: None,
                    reason: None,
                    note: mitigation.clone(),
                },
                "notapplicable" | "not applicable" => {
                    TrackingEntry {
                        status: TrackingStatus::FalsePositive,
                        reference: None,
                        owner: None,
                        expires: None,
                        reason: Some(mitigation.clone().unwrap_or_else(|| {
                            "marked not applicable in Threat Dragon".to_owned()
                        })),
                        note: None,
                    }
                }
                other => {
                    if other != "open" {
                        self.warn(format!(
                            "threat {title:?} on {target:?} has status {status_text:?}; imported as open"
                        ));
                    }
                    open_entry()
                }
            };
            self.model
                .risk_tracking
                .insert(format!("manual.{id}@{target}"), entry);
            self.model.threats.push(ManualThreat {
                id,
                target: target.to_owned(),
                stride,
                title,
                description: field("description").map(str::to_owned),
                severity,
                mitigations: mitigation.into_iter().collect(),
                cwe: Vec::new(),
                capec: Vec::new(),
                tags,
            });
        }
    }
}

fn open_entry() -> TrackingEntry {
    TrackingEntry {
        status: TrackingStatus::Open,
        reference: None,
        owner: None,
        expires: None,
        reason: None,
        note: None,
    }
}

fn external_ids(cell_id: &str) -> Vec<String> {
    if cell_id.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "threat-dragon:{}",
            cell_id.chars().take(128).collect::<String>()
        )]
    }
}

fn boundary(id: String, name: String, cell_id: &str) -> TrustBoundary {
    TrustBoundary {
        name: if name.is_empty() {
            "Trust boundary".to_owned()
        } else {
            name
        },
        id,
        description: None,
        members: Vec::new(),
        external_ids: external_ids(cell_id),
    }
}

fn process_defaults() -> Process {
    Process {
        id: String::new(),
        name: String::new(),
        description: None,
        technology: None,
        tags: Vec::new(),
        out_of_scope: None,
        external_ids: Vec::new(),
        internet_facing: false,
        authentication: Default::default(),
        authorization: Default::default(),
        takes_user_input: false,
        input_validation: false,
        input_limits: false,
        output_encoding: false,
        renders_html: false,
        parameterized_queries: false,
        executes_os_commands: false,
        deserializes_untrusted_data: false,
        parses_xml: false,
        accepts_file_uploads: false,
        makes_outbound_requests: false,
        egress_allowlist: false,
        sessions: Default::default(),
        csrf_protection: false,
        session_expiry: false,
        rate_limited: false,
        logs_audit_events: false,
        stores_secrets_in_config: false,
        runs_as_root: false,
        error_details_exposed: false,
        debug_enabled: false,
        dependency_scanning: false,
        caches_responses: false,
        redundant: false,
        processes: Vec::new(),
    }
}
