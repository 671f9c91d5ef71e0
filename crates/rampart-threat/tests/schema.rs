//! The committed JSON Schema is the generated one, and the example model
//! satisfies it. Without a validator crate, a small structural checker
//! below covers what the schema uses: `$ref`, `type`, `enum`, `required`,
//! `properties`/`additionalProperties`, `items`, `anyOf`/`oneOf`,
//! `minimum`/`maximum`.

use std::path::PathBuf;

use rampart_threat::schema::{json_schema, json_schema_text};
use serde_json::Value;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/threat-model.schema.json")
}

#[test]
fn committed_schema_is_current() {
    let generated = json_schema_text();
    let path = committed_path();
    if std::env::var_os("RAMPART_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the schema file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the model types. Regenerate it with\n    \
         rampart threat schema > crates/rampart-threat/schema/threat-model.schema.json\n\
         or\n    RAMPART_UPDATE_SCHEMA=1 cargo test -p rampart-threat --test schema",
        path.display()
    );
}

#[test]
fn schema_header() {
    let schema = json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["title"], "Rampart threat model");
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    let tracking = &schema["properties"]["risk_tracking"];
    assert_eq!(tracking["type"], "object");
    assert_eq!(
        tracking["additionalProperties"]["$ref"],
        "#/$defs/TrackingEntry"
    );
    assert!(json_schema_text().ends_with("}\n"));
}

fn example_as_json() -> Value {
    let text =
        std::fs::read_to_string(workspace_root().join("examples/threat-models/webshop.yaml"))
            .expect("example model");
    serde_norway::from_str(&text).expect("example is YAML")
}

#[test]
fn example_model_satisfies_the_schema() {
    let schema = json_schema();
    let instance = example_as_json();
    let mut errors = Vec::new();
    check(&schema, &schema, &instance, "", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
    // Every section of the example is described by the schema.
    let properties = schema["properties"].as_object().expect("properties");
    for key in instance.as_object().expect("a mapping").keys() {
        assert!(properties.contains_key(key), "{key} is not in the schema");
    }
}

#[test]
fn checker_catches_what_the_parser_rejects() {
    let schema = json_schema();
    let mut instance = example_as_json();
    instance["processes"][0]["stores"] = Value::from(vec!["x"]);
    instance["flows"][0]["protocol"] = Value::from(7);
    instance["data_assets"][0]["confidentiality"] = Value::from("extreme");
    instance["risk_tracking"]["stride-spoofing@cdn"] = serde_json::json!({ "owner": "x" });
    if let Some(map) = instance.as_object_mut() {
        map.remove("title");
    }
    let mut errors = Vec::new();
    check(&schema, &schema, &instance, "", &mut errors);
    let text = errors.join("\n");
    for expected in [
        "/processes/0: unknown property stores",
        "/flows/0/protocol: expected",
        "/data_assets/0/confidentiality: not one of",
        "/risk_tracking/stride-spoofing@cdn: missing status",
        ": missing title",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.strip_prefix("#/$defs/").expect("local $ref");
            &root["$defs"][name]
        }
        None => schema,
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        "null" => value.is_null(),
        other => panic!("type {other} not handled by the checker"),
    }
}

fn check(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(root, schema);
    for keyword in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let fits = options.iter().any(|option| {
                let mut inner = Vec::new();
                check(root, option, value, at, &mut inner);
                inner.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: matches no {keyword} option"));
            }
        }
    }
    if let Some(expected) = schema.get("type") {
        let names: Vec<&str> = match expected {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.iter().any(|name| type_matches(name, value)) {
            errors.push(format!("{at}: expected {names:?}, found {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{at}: not one of {options:?}"));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        errors.push(format!("{at}: not {constant}"));
    }
    if let Some(number) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && number < min
        {
            errors.push(format!("{at}: below {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && number > max
        {
            errors.push(format!("{at}: above {max}"));
        }
    }
    if let Some(object) = value.as_object() {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(name) {
                    errors.push(format!("{at}: missing {name}"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            let path = format!("{at}/{key}");
            match (
                properties.and_then(|p| p.get(key)),
                schema.get("additionalProperties"),
            ) {
                (Some(property), _) => check(root, property, item, &path, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{at}: unknown property {key}"))
                }
                (None, Some(extra)) if extra.is_object() => check(root, extra, item, &path, errors),
                (None, _) => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            check(root, items, item, &format!("{at}/{index}"), errors);
        }
    }
}
