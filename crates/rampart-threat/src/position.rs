//! Positions of valid values. serde_norway reports a position only with an
//! error, so a second pass over the same text with saphyr-parser's spanned
//! event stream records where every mapping key and every value starts,
//! keyed by a JSON-pointer-like path (`/flows/3/to`,
//! `/risk_tracking/sql-injection@api`). The map is best effort: if the
//! second parser disagrees with the first (exotic YAML), it is left empty
//! and diagnostics keep their path without a line.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

/// The most paths recorded; past it the map stays as it is (a document that
/// large was already refused by the size limit of the first pass).
const MAX_ENTRIES: usize = 200_000;

/// A valid model is at most six levels deep (top level, list, item,
/// attribute list, …); deeper text is not a model, so the pass gives up
/// rather than follow it.
const MAX_DEPTH: usize = 16;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// YAML path → position of the key that names it and of its value.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    file: String,
    keys: HashMap<String, Position>,
    values: HashMap<String, Position>,
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, index: usize },
}

/// Escapes a mapping key as a path segment (JSON pointer rules).
pub fn segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl SourceMap {
    /// Scans `text`; `file` is only the display name diagnostics carry.
    pub fn build(file: &str, text: &str) -> SourceMap {
        let mut map = SourceMap {
            file: file.to_owned(),
            ..SourceMap::default()
        };
        // The same guards as the first pass, for callers that build a map
        // from text `parse_model` has not vetted.
        let vetted = text.len() <= crate::MAX_INPUT_BYTES && !crate::too_complex(text);
        if !vetted || map.scan(text).is_none() {
            map.keys.clear();
            map.values.clear();
        }
        map
    }

    /// The display name of the file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Where the value at `path` starts.
    pub fn value(&self, path: &str) -> Option<Position> {
        self.values.get(path).copied()
    }

    /// Where the mapping key naming `path` starts (none for list items).
    pub fn key(&self, path: &str) -> Option<Position> {
        self.keys.get(path).copied()
    }

    /// `None` when the second parser fails (the map is then empty).
    fn scan(&mut self, text: &str) -> Option<()> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut documents = 0usize;
        for item in Parser::new_from_str(text) {
            let (event, span) = item.ok()?;
            let position = Position {
                line: u32::try_from(span.start.line()).ok()?,
                // saphyr counts columns from 0; diagnostics count from 1.
                column: u32::try_from(span.start.col()).ok()?.checked_add(1)?,
            };
            match event {
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        // Only the first document is the model; the first
                        // pass rejects multi-document files anyway.
                        return Some(());
                    }
                }
                Event::Scalar(value, ..) => {
                    // A scalar in key position names the next value.
                    if let Some(Frame::Mapping { path, key }) = stack.last_mut()
                        && key.is_none()
                    {
                        let child = format!("{path}/{}", segment(&value));
                        *key = Some(child.clone());
                        self.record_key(child, position);
                        continue;
                    }
                    let path = Self::next_path(&mut stack);
                    self.record_value(path, position);
                }
                Event::Alias(..) => {
                    if let Some(Frame::Mapping { key, .. }) = stack.last_mut()
                        && key.is_none()
                    {
                        // An alias as key: positions under it are not needed.
                        *key = Some(String::from("\u{0}alias"));
                        continue;
                    }
                    let path = Self::next_path(&mut stack);
                    self.record_value(path, position);
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let in_key = matches!(stack.last(), Some(Frame::Mapping { key: None, .. }));
                    let path = if in_key {
                        // A complex key: give it an unreachable path so the
                        // value after it is still paired correctly.
                        if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
                            *key = Some(String::from("\u{0}complex"));
                        }
                        String::from("\u{0}complex")
                    } else {
                        Self::next_path(&mut stack)
                    };
                    self.record_value(path.clone(), position);
                    if stack.len() >= MAX_DEPTH {
                        return None;
                    }
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping { path, key: None }
                    } else {
                        Frame::Sequence { path, index: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        Some(())
    }

    /// The path of the value about to be read, advancing the parent.
    fn next_path(stack: &mut [Frame]) -> String {
        match stack.last_mut() {
            None => String::new(),
            Some(Frame::Mapping { key, .. }) => key.take().unwrap_or_default(),
            Some(Frame::Sequence { path, index }) => {
                let child = format!("{path}/{index}");
                *index = index.saturating_add(1);
                child
            }
        }
    }

    fn record_key(&mut self, path: String, position: Position) {
        if self.keys.len() < MAX_ENTRIES {
            self.keys.entry(path).or_insert(position);
        }
    }

    fn record_value(&mut self, path: String, position: Position) {
        if self.values.len() < MAX_ENTRIES {
            self.values.entry(path).or_insert(position);
        }
    }
}
