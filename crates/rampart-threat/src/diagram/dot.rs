//! Graphviz DOT. Every id and label is a quoted string, so no model text
//! can end a statement or open an HTML-like label.

use std::fmt::Write as _;

use super::{Item, Layout, Shape, flow_label, indent, node_label, unique_names};
use crate::model::ThreatModel;
use crate::report::is_hidden;

const INDENT: &str = "    ";

pub(super) fn render(model: &ThreatModel, layout: &Layout<'_>) -> String {
    let node_names = unique_names(layout.nodes.iter().map(|n| n.id.to_owned()));
    let cluster_names = unique_names(layout.clusters.iter().map(|c| format!("cluster_{}", c.id)));
    let name = |names: &[String], index: usize| quote(names.get(index).map_or("", String::as_str));

    let mut out = String::from("digraph \"threat_model\" {\n");
    let _ = writeln!(out, "{INDENT}rankdir=LR;");
    // Without newrank, dot ranks clusters on their own and ignores LR for
    // nested ones: the diagram stacks up and edge labels cover cluster titles.
    let _ = writeln!(out, "{INDENT}newrank=true;");
    let _ = writeln!(
        out,
        "{INDENT}label={};",
        label(std::slice::from_ref(&model.title))
    );
    let _ = writeln!(out, "{INDENT}labelloc=t;");
    let _ = writeln!(out, "{INDENT}fontname=\"Helvetica\";");
    let _ = writeln!(
        out,
        "{INDENT}node [fontname=\"Helvetica\", fontsize=11, style=filled, color=\"#374151\"];"
    );
    let _ = writeln!(
        out,
        "{INDENT}edge [fontname=\"Helvetica\", fontsize=9, color=\"#374151\"];"
    );

    let mut depth = 1;
    for item in &layout.items {
        match *item {
            Item::Open(index) => {
                let title = layout.clusters.get(index).map_or("", |c| c.name);
                let inner = indent(depth + 1);
                let _ = writeln!(
                    out,
                    "{}subgraph {} {{",
                    indent(depth),
                    name(&cluster_names, index)
                );
                let _ = writeln!(out, "{inner}label={};", label(&[title.to_owned()]));
                let _ = writeln!(out, "{inner}style=dashed;");
                let _ = writeln!(out, "{inner}color=\"#b22222\";");
                let _ = writeln!(out, "{inner}fontcolor=\"#b22222\";");
                depth += 1;
            }
            Item::Close => {
                depth = depth.saturating_sub(1).max(1);
                let _ = writeln!(out, "{}}}", indent(depth));
            }
            Item::Node(index) => {
                let Some(node) = layout.nodes.get(index) else {
                    continue;
                };
                let (shape, fill) = match node.shape {
                    Shape::External => ("box", "#fef3c7"),
                    Shape::Process => ("ellipse", "#dbeafe"),
                    Shape::Store => ("cylinder", "#dcfce7"),
                };
                let style = if node.out_of_scope {
                    ", style=\"filled,dashed\", fontcolor=\"#6b7280\""
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{}{} [label={}, shape={shape}, fillcolor=\"{fill}\"{style}];",
                    indent(depth),
                    name(&node_names, index),
                    label(&node_label(node)),
                );
            }
        }
    }

    for edge in &layout.edges {
        let mut attributes = vec![format!("label={}", label(&flow_label(edge)))];
        if edge.flow.bidirectional {
            attributes.push("dir=both".to_owned());
        }
        if edge.flow.out_of_scope.is_some() {
            attributes.push("style=dashed".to_owned());
        }
        let _ = writeln!(
            out,
            "{INDENT}{} -> {} [{}];",
            name(&node_names, edge.from),
            name(&node_names, edge.to),
            attributes.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

/// A DOT quoted string.
fn quote(text: &str) -> String {
    label(&[text.to_owned()])
}

/// Label lines as one DOT quoted string, lines joined by `\n` (centred).
fn label(lines: &[String]) -> String {
    let mut out = String::from("\"");
    for (number, line) in lines.iter().enumerate() {
        if number > 0 {
            out.push_str("\\n");
        }
        for c in line.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                '\t' => out.push(' '),
                c if is_hidden(c) => {}
                c => out.push(c),
            }
        }
    }
    // Graphviz reads `\\"` at the end as an escaped quote, leaving the
    // string open; a space after a final backslash keeps it closed.
    if out.ends_with('\\') {
        out.push(' ');
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(
            label(&["a\\b\"c\"".to_owned(), "d\ne\r".to_owned()]),
            "\"a\\\\b\\\"c\\\"\\nd\\ne\""
        );
        assert_eq!(quote("end\\"), "\"end\\\\ \"");
    }
}
