//! Mermaid `flowchart LR` in the subset GitHub renders: quoted labels with
//! Mermaid's `#…;` entity codes, `<br/>` as the only markup, no `click` or
//! `%%{init}` directives (a model's text must not turn into links or
//! configuration).

use std::fmt::Write as _;

use super::{Item, Layout, Node, Shape, flow_label, indent, node_label, unique_names};
use crate::report::is_hidden;

const INDENT: &str = "    ";

pub(super) fn render(layout: &Layout<'_>) -> String {
    let node_names = unique_names(layout.nodes.iter().map(|n| format!("n_{}", ident(n.id))));
    let cluster_names = unique_names(layout.clusters.iter().map(|c| format!("b_{}", ident(c.id))));
    let name = |names: &[String], index: usize| names.get(index).cloned().unwrap_or_default();

    let mut out = String::from("flowchart LR\n");
    let mut depth = 1;
    let mut drawn_clusters = Vec::new();
    for item in &layout.items {
        match *item {
            Item::Open(index) => {
                let title = layout.clusters.get(index).map_or("", |c| c.name);
                let _ = writeln!(
                    out,
                    "{}subgraph {}[\"{}\"]",
                    indent(depth),
                    name(&cluster_names, index),
                    label(&[title.to_owned()])
                );
                drawn_clusters.push(index);
                depth += 1;
            }
            Item::Close => {
                depth = depth.saturating_sub(1).max(1);
                let _ = writeln!(out, "{}end", indent(depth));
            }
            Item::Node(index) => {
                if let Some(node) = layout.nodes.get(index) {
                    let _ = writeln!(
                        out,
                        "{}{}",
                        indent(depth),
                        node_text(&name(&node_names, index), node)
                    );
                }
            }
        }
    }

    for edge in &layout.edges {
        let dotted = edge.flow.out_of_scope.is_some();
        let arrow = match (edge.flow.bidirectional, dotted) {
            (false, false) => "-->",
            (true, false) => "<-->",
            (false, true) => "-.->",
            (true, true) => "<-.->",
        };
        let _ = writeln!(
            out,
            "{INDENT}{} {arrow}|\"{}\"| {}",
            name(&node_names, edge.from),
            label(&flow_label(edge)),
            name(&node_names, edge.to)
        );
    }

    out.push_str(
        "    classDef external fill:#fef3c7,stroke:#92400e,color:#1f2937\n\
         \x20   classDef process fill:#dbeafe,stroke:#1e40af,color:#1f2937\n\
         \x20   classDef store fill:#dcfce7,stroke:#166534,color:#1f2937\n\
         \x20   classDef outOfScope stroke-dasharray:5 5,color:#6b7280\n\
         \x20   classDef boundary fill:none,stroke:#b22222,stroke-dasharray:6 4\n",
    );
    for (class, shape) in [
        ("external", Shape::External),
        ("process", Shape::Process),
        ("store", Shape::Store),
    ] {
        let members: Vec<String> = layout
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.shape == shape)
            .map(|(index, _)| name(&node_names, index))
            .collect();
        class_line(&mut out, &members, class);
    }
    let out_of_scope: Vec<String> = layout
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| node.out_of_scope)
        .map(|(index, _)| name(&node_names, index))
        .collect();
    class_line(&mut out, &out_of_scope, "outOfScope");
    drawn_clusters.sort_unstable();
    let boundaries: Vec<String> = drawn_clusters
        .into_iter()
        .map(|index| name(&cluster_names, index))
        .collect();
    class_line(&mut out, &boundaries, "boundary");
    out
}

fn class_line(out: &mut String, members: &[String], class: &str) {
    if !members.is_empty() {
        let _ = writeln!(out, "{INDENT}class {} {class}", members.join(","));
    }
}

fn node_text(name: &str, node: &Node<'_>) -> String {
    let text = label(&node_label(node));
    match node.shape {
        Shape::External => format!("{name}[\"{text}\"]"),
        Shape::Process => format!("{name}([\"{text}\"])"),
        Shape::Store => format!("{name}[(\"{text}\")]"),
    }
}

/// An id reduced to what Mermaid accepts in a node id; the `n_`/`b_`
/// prefix the caller adds keeps keywords (`end`, `graph`) and arrow-like
/// starts (`o`, `x`) from being misread.
fn ident(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Label lines as the inside of a quoted Mermaid string. `#` goes first as
/// an entity so that the entities written for the other characters are not
/// themselves re-read; a backtick would start Mermaid's markdown strings.
fn label(lines: &[String]) -> String {
    let mut out = String::new();
    for (number, line) in lines.iter().enumerate() {
        if number > 0 {
            out.push_str("<br/>");
        }
        for c in line.chars() {
            match c {
                '#' => out.push_str("#35;"),
                '"' => out.push_str("#quot;"),
                '<' => out.push_str("#lt;"),
                '>' => out.push_str("#gt;"),
                '|' => out.push_str("#124;"),
                '`' => out.push_str("#96;"),
                '&' => out.push_str("#amp;"),
                // Mermaid finds `%%{init: …}%%` directives anywhere in the
                // text, labels included; encoding these keeps a name from
                // reconfiguring the diagram.
                '%' => out.push_str("#37;"),
                '{' => out.push_str("#123;"),
                '}' => out.push_str("#125;"),
                '\n' => out.push_str("<br/>"),
                '\t' => out.push(' '),
                c if is_hidden(c) => {}
                c => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_escape_mermaid_syntax() {
        assert_eq!(
            label(&["a|b<c>\"d\"#e".to_owned(), "x\ny`&".to_owned()]),
            "a#124;b#lt;c#gt;#quot;d#quot;#35;e<br/>x<br/>y#96;#amp;"
        );
        assert_eq!(label(&["\u{202E}evil\r".to_owned()]), "evil");
        assert_eq!(
            label(&["%%{init: {'theme':'dark'}}%%".to_owned()]),
            "#37;#37;#123;init: #123;'theme':'dark'#125;#125;#37;#37;"
        );
    }

    #[test]
    fn idents_are_plain() {
        assert_eq!(ident("web-app.v2"), "web_app_v2");
    }
}
