//! Writes a model back as YAML (the output of an import). Values equal to
//! their default are left out, so the file holds only what was stated and
//! reads like one written by hand; parsing it gives the same model.

use crate::model::ThreatModel;

/// The model as a YAML document, fields in the order the format documents
/// them.
pub fn to_yaml(model: &ThreatModel) -> String {
    // The model holds only strings, numbers, booleans, sequences and maps
    // with string keys, which serde_norway always serialises; the fallback
    // keeps a failure visible in the output rather than a panic.
    serde_norway::to_string(model)
        .unwrap_or_else(|err| format!("# the model could not be written as YAML: {err}\n"))
}
