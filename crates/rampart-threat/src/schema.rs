//! The JSON Schema (draft 2020-12) of the model file, generated from the
//! model types so it cannot drift from what the parser accepts. Editors use
//! it through a `# yaml-language-server: $schema=…` comment; the committed
//! copy is `schema/threat-model.schema.json`, checked by `tests/schema.rs`.

use serde_json::{Map, Value};

use crate::model::ThreatModel;

/// Keys moved to the top of the document, so a reader sees what the file
/// is before its properties.
const LEADING_KEYS: [&str; 3] = ["$schema", "title", "description"];

/// The schema as a JSON value.
pub fn json_schema() -> Value {
    let mut schema = schemars::schema_for!(ThreatModel).to_value();
    add_boolean_defaults(&mut schema);
    if let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        for def in defs.values_mut() {
            add_boolean_defaults(def);
        }
    }
    leading_keys_first(schema)
}

/// The schema as the committed file holds it: pretty-printed, with a
/// trailing newline.
pub fn json_schema_text() -> String {
    let value = json_schema();
    // A `Value` always serialises; the fallback keeps the function free of
    // a panic path.
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
    text.push('\n');
    text
}

/// Every optional boolean of the model defaults to `false` (a missing
/// control is absent, a risky trait is not present). schemars only writes a
/// default it can serialise, and the model skips serialising `false`, so
/// editors would not show it; the one boolean with another default
/// (`stride_baseline`) already carries it.
fn add_boolean_defaults(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let required: Vec<String> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        if let Some(property) = property.as_object_mut() {
            let boolean = property.get("type").and_then(Value::as_str) == Some("boolean");
            if boolean && !property.contains_key("default") {
                property.insert("default".to_owned(), Value::Bool(false));
            }
        }
    }
}

fn leading_keys_first(schema: Value) -> Value {
    let Value::Object(mut rest) = schema else {
        return schema;
    };
    let mut ordered = Map::new();
    for key in LEADING_KEYS {
        if let Some(value) = rest.remove(key) {
            ordered.insert(key.to_owned(), value);
        }
    }
    ordered.extend(rest);
    Value::Object(ordered)
}
