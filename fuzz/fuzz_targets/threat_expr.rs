#![no_main]
//! Fuzz target: rule conditions of any text compile or fail with an in-range error, never
//! panic; compiled conditions evaluate on full, partial and mistyped subjects, and their
//! printed form compiles back to the same condition with the same result.

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use rampart_threat::expr::{AttrType, AttributeSchema, Expr, Level, Value};

fn schema() -> AttributeSchema {
    AttributeSchema::new()
        .with("flow.crosses_boundary", AttrType::Bool)
        .with("flow.encrypted_in_transit", AttrType::Bool)
        .with(
            "flow.authentication",
            AttrType::enumeration(&["none", "basic", "api_key", "password", "token", "mtls"]),
        )
        .with("flow.max_confidentiality", AttrType::Level)
        .with("flow.max_integrity", AttrType::Level)
        .with("flow.protocol", AttrType::Str)
        .with("flow.tags", AttrType::StrSet)
        .with("flow.from.internet_facing", AttrType::Bool)
}

fn subjects() -> Vec<BTreeMap<String, Value>> {
    let full: BTreeMap<String, Value> = [
        ("flow.crosses_boundary", Value::Bool(true)),
        ("flow.encrypted_in_transit", Value::Bool(false)),
        ("flow.authentication", Value::Str("none".into())),
        ("flow.max_confidentiality", Value::Level(Level::High)),
        ("flow.max_integrity", Value::Str("low".into())),
        ("flow.protocol", Value::Str("http".into())),
        ("flow.tags", Value::StrSet(vec!["pci".into()])),
        ("flow.from.internet_facing", Value::Bool(true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    // Every attribute present with the wrong type: must behave like missing, not panic.
    let mistyped = full
        .keys()
        .map(|k| (k.clone(), Value::StrSet(Vec::new())))
        .collect();
    vec![full, BTreeMap::new(), mistyped]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let schema = schema();
    match Expr::compile(&text, &schema) {
        Ok(compiled) => {
            let printed = compiled.to_string();
            let again = Expr::compile(&printed, &schema)
                .unwrap_or_else(|e| panic!("printed form {printed:?} does not compile: {e}"));
            assert_eq!(again, compiled, "printed form {printed:?} changed the condition");
            for subject in subjects() {
                assert_eq!(again.eval(&subject), compiled.eval(&subject));
            }
        }
        Err(e) => assert!(e.offset <= text.len()),
    }
});
