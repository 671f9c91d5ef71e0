//! Markdown rendering (CommonMark with GitHub tables).

use crate::document::{Block, layout};
use crate::model::Report;

/// Escapes `text` for an inline Markdown context: table cells, list items,
/// headings and paragraphs alike.
///
/// Line breaks become spaces (a newline would end a table row or a list
/// item), and every character that could start markup is backslash-escaped
/// — CommonMark renders `\X` as `X` for any ASCII punctuation — so a value
/// such as `<script>` or `# heading` shows as text, and `|` cannot split a
/// table cell.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push(' ');
                }
            }
            '\n' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~'
            | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The report as Markdown. Deterministic: the same report gives the same bytes.
pub fn render_markdown(report: &Report) -> String {
    let doc = layout(report);
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", escape(&doc.title)));
    out.push_str(&format!(
        "**{}** {}\n",
        escape(doc.marking.as_str()),
        escape(&doc.marking_note)
    ));
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!(
                    "{} {}\n",
                    "#".repeat(usize::from(*level)),
                    escape(text)
                ));
            }
            Block::Paragraph(text) => {
                out.push_str(&escape(text));
                out.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", escape(&item.text)));
                    for child in &item.children {
                        out.push_str(&format!("  - {}\n", escape(child)));
                    }
                }
            }
            Block::Table { head, rows } => {
                let row = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
                out.push_str(&row(head.iter().map(|h| escape(h)).collect()));
                out.push_str(&row(head.iter().map(|_| "---".to_owned()).collect()));
                for r in rows {
                    out.push_str(&row(r.iter().map(|c| escape(c)).collect()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_what_would_become_markup() {
        assert_eq!(escape("a|b"), r"a\|b");
        assert_eq!(escape("# not a heading"), r"\# not a heading");
        assert_eq!(escape("<script>x</script>"), r"\<script\>x\</script\>");
        assert_eq!(
            escape("line\r\nbreak\nhere\rthere"),
            "line break here there"
        );
        assert_eq!(escape(r"back\slash"), r"back\\slash");
        assert_eq!(escape("plain text 1.2"), "plain text 1.2");
    }
}
