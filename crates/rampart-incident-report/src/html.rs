//! HTML rendering: one self-contained, printable document with inline CSS,
//! no scripts and no external resources.

use rampart_incident::Tlp;

use crate::document::{Block, layout};
use crate::model::Report;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The TLP 2.0 colour of a marking's label (shown on black).
fn tlp_colour(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Red => "#FF2B2B",
        Tlp::Amber | Tlp::AmberStrict => "#FFC000",
        Tlp::Green => "#33FF00",
        Tlp::Clear => "#FFFFFF",
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;\
color:#111;background:#fff;max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}\
h3{font-size:1.05rem;margin-bottom:.3rem}\
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}\
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top;\
overflow-wrap:anywhere}th{background:#eee}\
.tlp{background:#000;font-weight:bold;font-family:monospace;font-size:1.1rem;\
padding:.4rem .8rem;display:inline-block;margin-bottom:.5rem}\
.note{font-style:italic}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}\
.tlp{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// The report as HTML. Deterministic: the same report gives the same bytes.
pub fn render_html(report: &Report) -> String {
    let doc = layout(report);
    let banner = format!(
        "<div class=\"tlp\" style=\"color:{}\">{}</div>\n",
        tlp_colour(doc.marking),
        escape(doc.marking.as_str())
    );
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));
    out.push_str(&banner);
    out.push_str(&format!("<h1>{}</h1>\n", escape(&doc.title)));
    out.push_str(&format!(
        "<p class=\"note\">{}</p>\n",
        escape(&doc.marking_note)
    ));
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text)));
            }
            Block::Paragraph(text) => out.push_str(&format!("<p>{}</p>\n", escape(text))),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}", escape(&item.text)));
                    if !item.children.is_empty() {
                        out.push_str("\n<ul>\n");
                        for child in &item.children {
                            out.push_str(&format!("<li>{}</li>\n", escape(child)));
                        }
                        out.push_str("</ul>\n");
                    }
                    out.push_str("</li>\n");
                }
                out.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in head {
                    out.push_str(&format!("<th>{}</th>", escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        out.push_str(&format!("<td>{}</td>", escape(cell)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    // The marking is repeated at the end so a printed last page carries it.
    out.push_str(&banner);
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }
}
