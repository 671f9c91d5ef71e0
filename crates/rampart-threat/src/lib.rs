//! Threat models as code: the YAML model format (`version: 1`), its parser
//! and its semantic validation, and [`expr`], the small typed condition
//! language the rule library is written in. Pure: no I/O, no clock; `file` arguments are
//! display names only.
//!
//! ```text
//! parse_model(file, text) -> Result<Parsed, ModelError>   // syntax, types, unknown fields, limits
//! validate(&parsed.model, &parsed.source_map) -> Vec<Diagnostic>   // ids, references, boundaries, tracking
//! ```
//!
//! Diagnostic codes. Errors: `unsupported-version`, `invalid-id`,
//! `duplicate-id` (one namespace for entities, processes, stores, flows and
//! boundaries; a separate one for data assets), `unknown-element` (flow
//! ends), `unknown-asset`, `unused-asset` (an error: an asset nothing carries or stores is a modelling
//! mistake, and it would silently weaken every severity derived from assets),
//! `unknown-boundary` (flow `crosses`), `unknown-boundary-member`,
//! `multiple-parents` (membership must be a forest), `boundary-cycle`,
//! `unknown-target` (manual threats), `tracking-invalid`. Warnings:
//! `self-flow`, `redundant-crossing`, `empty-boundary`,
//! `tracking-out-of-scope`. Whether a tracking entry matches a generated
//! threat (staleness) is decided by threat generation, not here.
//!
//! Parse errors carry `file:line:column` from serde_norway. Semantic
//! diagnostics get theirs from [`SourceMap`], a second pass over the same
//! text with saphyr-parser's spanned events (serde_norway keeps the marks of
//! valid values private).

pub mod analysis;
pub mod diagram;
pub mod emit;
pub mod expr;
pub mod generate;
pub mod model;
pub mod position;
pub mod report;
pub mod rules;
pub mod schema;
pub mod threat_dragon;
pub mod validate;

pub use generate::analyse;
pub use model::ThreatModel;
pub use position::{Position, SourceMap};
pub use rules::{Rule, RuleError, RuleLibrary};
pub use validate::{DiagSeverity, Diagnostic, validate};

/// Largest model file accepted (a hand-written model is a few dozen KiB).
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// Budget for libyaml's flow-collection work (see [`flow_work`]): its cost
/// grows with the number of `[`/`{` still open before each byte, which a
/// small hostile file can make quadratic.
pub const MAX_FLOW_WORK: u64 = 50_000_000;

/// A model and the positions of its values.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub model: ThreatModel,
    pub source_map: SourceMap,
}

/// Why a model file could not be read as a model at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("{file}: model is {size} bytes, more than the limit of {max}")]
    TooLarge {
        file: String,
        size: usize,
        max: usize,
    },
    #[error("{file}: too many nested flow collections ([...] or {{...}}) to parse safely")]
    TooComplex { file: String },
    #[error("{file}:{} {message}", position.map_or_else(String::new, |p| format!("{}:{}:", p.line, p.column)))]
    Yaml {
        file: String,
        position: Option<Position>,
        message: String,
    },
}

/// Parses one model file. Structural problems (YAML syntax, wrong types,
/// unknown or missing fields, repeated tracking keys, more than one
/// document, nesting past serde_norway's recursion limit, alias expansion
/// past its repetition limit) are errors with a position; semantic
/// problems are left to [`validate`].
pub fn parse_model(file: &str, text: &str) -> Result<Parsed, ModelError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ModelError::TooLarge {
            file: file.to_owned(),
            size: text.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    if too_complex(text) {
        return Err(ModelError::TooComplex {
            file: file.to_owned(),
        });
    }
    let model: ThreatModel = serde_norway::from_str(text).map_err(|err| yaml_error(file, &err))?;
    Ok(Parsed {
        model,
        source_map: SourceMap::build(file, text),
    })
}

/// Deepest nesting of collections (block and flow) accepted before libyaml
/// sees the text. A model is about six levels deep.
pub const MAX_NESTING: usize = 64;

/// Whether `text` could make libyaml's flow handling slow. libyaml's cost
/// per token grows with the number of flow collections open, so a small
/// file of unclosed `[` is quadratic. saphyr-parser (pure Rust, used for
/// positions anyway) reads the nesting exactly and stops as soon as it
/// passes [`MAX_NESTING`], so its own scan stays bounded. Only when saphyr
/// cannot read the text at all does the conservative [`flow_work`] bound
/// decide: it ignores closers, which refuses large files written in flow
/// style, and so must not be the only check.
pub(crate) fn too_complex(text: &str) -> bool {
    match nesting_within(text, MAX_NESTING) {
        Some(within) => !within,
        None => flow_work(text) > MAX_FLOW_WORK,
    }
}

/// `Some(true)` when no collection in `text` is nested deeper than `limit`,
/// `Some(false)` when one is, `None` when saphyr rejects the text first.
fn nesting_within(text: &str, limit: usize) -> Option<bool> {
    let mut depth = 0usize;
    for item in saphyr_parser::Parser::new_from_str(text) {
        let (event, _) = item.ok()?;
        match event {
            saphyr_parser::Event::MappingStart(..) | saphyr_parser::Event::SequenceStart(..) => {
                depth += 1;
                if depth > limit {
                    return Some(false);
                }
            }
            saphyr_parser::Event::MappingEnd | saphyr_parser::Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    Some(true)
}

/// An upper bound of libyaml's flow-level work: for each byte, the number
/// of `[` and `{` opened before it. Closers never lower it, because a
/// closer inside a string would let a file cheat the bound; a line starting
/// with `---` or `...` resets it, as libyaml never carries a flow
/// collection past one.
pub(crate) fn flow_work(text: &str) -> u64 {
    let mut work = 0u64;
    let mut open = 0u64;
    for line in text.split_inclusive('\n') {
        if line.starts_with("---") || line.starts_with("...") {
            open = 0;
        }
        for byte in line.bytes() {
            work = work.saturating_add(open);
            if matches!(byte, b'[' | b'{') {
                open += 1;
            }
        }
    }
    work
}

fn yaml_error(file: &str, err: &serde_norway::Error) -> ModelError {
    let mut message = err.to_string();
    let position = err.location().map(|location| {
        // serde_norway appends the position; the error prints it up front.
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
        Position {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
        }
    });
    ModelError::Yaml {
        file: file.to_owned(),
        position,
        message,
    }
}
