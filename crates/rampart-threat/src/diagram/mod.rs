//! Data-flow diagrams of a model: Mermaid (renders in GitHub Markdown) and
//! Graphviz DOT. Both draw the same layout: elements as nodes shaped by
//! kind, trust boundaries as nested boxes, flows as labelled edges;
//! boundaries without members (lines that flows `crosses`) appear in the
//! labels of the flows that cross them. Out-of-scope elements and flows are
//! dashed. Everything is ordered by id so the text only changes when the
//! model does. A flow whose end names no element (an invalid model, which
//! validation reports) is left out rather than drawn to a made-up node.
//!
//! The layout is built without recursion: boundary nesting comes from the
//! model file, and a deep (or, in an invalid model, cyclic) nesting must not
//! exhaust the stack.

mod dot;
mod mermaid;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::{Flow, ThreatModel};

/// The model as a Mermaid `flowchart`.
pub fn mermaid(model: &ThreatModel) -> String {
    mermaid::render(&Layout::new(model))
}

/// The model as a Graphviz `digraph`.
pub fn dot(model: &ThreatModel) -> String {
    dot::render(model, &Layout::new(model))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    External,
    Process,
    Store,
}

struct Node<'a> {
    id: &'a str,
    name: &'a str,
    shape: Shape,
    out_of_scope: bool,
}

struct Cluster<'a> {
    id: &'a str,
    name: &'a str,
}

struct Edge<'a> {
    flow: &'a Flow,
    from: usize,
    to: usize,
    /// Names of the memberless boundaries the flow crosses.
    crosses: Vec<String>,
}

/// One step of the nested drawing, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Open(usize),
    Node(usize),
    Close,
}

struct Layout<'a> {
    nodes: Vec<Node<'a>>,
    clusters: Vec<Cluster<'a>>,
    items: Vec<Item>,
    edges: Vec<Edge<'a>>,
}

impl<'a> Layout<'a> {
    fn new(model: &'a ThreatModel) -> Layout<'a> {
        let mut nodes: Vec<Node<'a>> = Vec::new();
        nodes.extend(model.external_entities.iter().map(|e| Node {
            id: &e.id,
            name: &e.name,
            shape: Shape::External,
            out_of_scope: e.out_of_scope.is_some(),
        }));
        nodes.extend(model.processes.iter().map(|p| Node {
            id: &p.id,
            name: &p.name,
            shape: Shape::Process,
            out_of_scope: p.out_of_scope.is_some(),
        }));
        nodes.extend(model.data_stores.iter().map(|s| Node {
            id: &s.id,
            name: &s.name,
            shape: Shape::Store,
            out_of_scope: s.out_of_scope.is_some(),
        }));
        nodes.sort_by(|a, b| (a.id, a.shape).cmp(&(b.id, b.shape)));

        let mut boundaries: Vec<_> = model.trust_boundaries.iter().collect();
        boundaries.sort_by(|a, b| a.id.cmp(&b.id));
        let clusters: Vec<Cluster<'a>> = boundaries
            .iter()
            .map(|b| Cluster {
                id: &b.id,
                name: &b.name,
            })
            .collect();

        // First occurrence wins when an invalid model repeats an id.
        let mut node_index: HashMap<&str, usize> = HashMap::new();
        for (index, node) in nodes.iter().enumerate() {
            node_index.entry(node.id).or_insert(index);
        }
        let mut cluster_index: HashMap<&str, usize> = HashMap::new();
        for (index, cluster) in clusters.iter().enumerate() {
            cluster_index.entry(cluster.id).or_insert(index);
        }

        // Each element or boundary belongs to the first boundary (by id)
        // that lists it; validation makes membership a forest, and this
        // keeps the drawing defined when it is not.
        let mut node_parent: Vec<Option<usize>> = vec![None; nodes.len()];
        let mut cluster_parent: Vec<Option<usize>> = vec![None; clusters.len()];
        for (parent, boundary) in boundaries.iter().enumerate() {
            for member in &boundary.members {
                if let Some(&child) = node_index.get(member.as_str())
                    && let Some(slot) = node_parent.get_mut(child)
                {
                    slot.get_or_insert(parent);
                }
                if let Some(&child) = cluster_index.get(member.as_str())
                    && child != parent
                    && let Some(slot) = cluster_parent.get_mut(child)
                {
                    slot.get_or_insert(parent);
                }
            }
        }
        let mut child_nodes: Vec<Vec<usize>> = vec![Vec::new(); clusters.len()];
        let mut top_nodes = Vec::new();
        for (index, parent) in node_parent.iter().enumerate() {
            match parent.and_then(|p| child_nodes.get_mut(p)) {
                Some(list) => list.push(index),
                None => top_nodes.push(index),
            }
        }
        let mut child_clusters: Vec<Vec<usize>> = vec![Vec::new(); clusters.len()];
        for (index, parent) in cluster_parent.iter().enumerate() {
            if let Some(list) = parent.and_then(|p| child_clusters.get_mut(p)) {
                list.push(index);
            }
        }

        let mut items: Vec<Item> = top_nodes.into_iter().map(Item::Node).collect();
        let mut visited = vec![false; clusters.len()];
        // Roots first, then whatever a cycle left unreached, as roots too.
        let roots: Vec<usize> = (0..clusters.len())
            .filter(|&i| cluster_parent.get(i).copied().flatten().is_none())
            .chain(0..clusters.len())
            .collect();
        for root in roots {
            if visited.get(root).copied().unwrap_or(true) {
                continue;
            }
            walk(
                root,
                &child_nodes,
                &child_clusters,
                &mut visited,
                &mut items,
            );
        }

        let names: HashMap<&str, &str> = clusters.iter().map(|c| (c.id, c.name)).rev().collect();
        // Threat Dragon names every curve "Trust boundary": a crossing label
        // then needs the id to say which one.
        let mut name_uses: HashMap<&str, usize> = HashMap::new();
        for name in names.values() {
            *name_uses.entry(name).or_default() += 1;
        }
        let mut flows: Vec<&Flow> = model.flows.iter().collect();
        flows.sort_by(|a, b| a.id.cmp(&b.id));
        let edges = flows
            .into_iter()
            .filter_map(|flow| {
                let from = *node_index.get(flow.from.as_str())?;
                let to = *node_index.get(flow.to.as_str())?;
                let crosses = flow
                    .crosses
                    .iter()
                    .map(|id| match names.get(id.as_str()) {
                        Some(name) if name_uses.get(name).copied().unwrap_or(0) > 1 => {
                            format!("{name} ({id})")
                        }
                        Some(name) => (*name).to_owned(),
                        None => id.clone(),
                    })
                    .collect();
                Some(Edge {
                    flow,
                    from,
                    to,
                    crosses,
                })
            })
            .collect();

        Layout {
            nodes,
            clusters,
            items: prune_empty(items),
            edges,
        }
    }
}

/// Depth-first walk with an explicit stack: a boundary's elements, then its
/// nested boundaries, each in id order.
fn walk(
    root: usize,
    child_nodes: &[Vec<usize>],
    child_clusters: &[Vec<usize>],
    visited: &mut [bool],
    items: &mut Vec<Item>,
) {
    enum Step {
        Enter(usize),
        Leave,
    }
    let mut stack = vec![Step::Enter(root)];
    while let Some(step) = stack.pop() {
        let cluster = match step {
            Step::Leave => {
                items.push(Item::Close);
                continue;
            }
            Step::Enter(cluster) => cluster,
        };
        match visited.get_mut(cluster) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        items.push(Item::Open(cluster));
        if let Some(nodes) = child_nodes.get(cluster) {
            items.extend(nodes.iter().copied().map(Item::Node));
        }
        stack.push(Step::Leave);
        if let Some(children) = child_clusters.get(cluster) {
            stack.extend(children.iter().rev().copied().map(Step::Enter));
        }
    }
}

/// Drops boundaries that end up holding no element: memberless boundaries
/// are lines shown on flows, and an empty box would only add noise.
fn prune_empty(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    for item in items {
        if item == Item::Close && matches!(out.last(), Some(Item::Open(_))) {
            out.pop();
            continue;
        }
        out.push(item);
    }
    out
}

/// Distinct names for ids, in the order given: the first keeps its base
/// name, later collisions get `_2`, `_3`, … (skipping names already taken).
fn unique_names<'i>(bases: impl Iterator<Item = String> + 'i) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    let mut next_suffix: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for base in bases {
        let mut name = base.clone();
        if taken.contains(&name) {
            let suffix = next_suffix.entry(base.clone()).or_insert(2);
            loop {
                name = format!("{base}_{suffix}");
                *suffix += 1;
                if !taken.contains(&name) {
                    break;
                }
            }
        }
        taken.insert(name.clone());
        out.push(name);
    }
    out
}

/// Indentation for a nesting depth. It stops growing past a few levels so
/// that a deeply nested model gives output linear in its size; neither
/// format gives indentation a meaning.
fn indent(depth: usize) -> String {
    const MAX_INDENT_DEPTH: usize = 12;
    "    ".repeat(depth.min(MAX_INDENT_DEPTH))
}

/// The text of a flow's label, one entry per line: name (or id) with the
/// protocol, then the memberless boundaries it crosses.
fn flow_label(edge: &Edge<'_>) -> Vec<String> {
    let flow = edge.flow;
    let name = flow.name.as_deref().unwrap_or(&flow.id);
    let mut lines = vec![match flow.protocol.as_deref() {
        Some(protocol) => format!("{name} ({protocol})"),
        None => name.to_owned(),
    }];
    if !edge.crosses.is_empty() {
        lines.push(format!("crosses: {}", edge.crosses.join(", ")));
    }
    if flow.out_of_scope.is_some() {
        lines.push("out of scope".to_owned());
    }
    lines
}

/// The text of a node's label, one entry per line.
fn node_label(node: &Node<'_>) -> Vec<String> {
    let mut lines = vec![node.name.to_owned()];
    if node.out_of_scope {
        lines.push("out of scope".to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_suffix_collisions() {
        let names = unique_names(["a", "b", "a", "a_2", "a"].into_iter().map(str::to_owned));
        assert_eq!(names, ["a", "b", "a_2", "a_2_2", "a_3"]);
    }

    #[test]
    fn empty_boundaries_are_pruned() {
        let items = vec![
            Item::Open(0),
            Item::Open(1),
            Item::Close,
            Item::Node(0),
            Item::Close,
            Item::Open(2),
            Item::Close,
        ];
        assert_eq!(
            prune_empty(items),
            [Item::Open(0), Item::Node(0), Item::Close]
        );
    }
}
