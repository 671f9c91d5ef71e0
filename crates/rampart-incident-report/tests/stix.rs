//! The STIX 2.1 bundle: a structural validator written from the STIX 2.1
//! specification (no OASIS schema copied), run on the fixture's bundle, and
//! a snapshot of the bundle.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{at, records, state};
use rampart_incident::Tlp;
use rampart_incident_report::{StixOptions, TLP2_MARKINGS, stix_bundle};
use serde_json::Value;

fn options(max_tlp: Option<Tlp>) -> StixOptions {
    StixOptions {
        producer_name: "Acme Security".to_owned(),
        max_tlp,
        generated_at: at("2026-05-20T09:00:00Z"),
    }
}

/// `8-4-4-4-12` lower-case hex with an RFC 4122 variant and a version.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        && matches!(groups[2].as_bytes()[0], b'1'..=b'8')
        && matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b')
}

/// `type--uuid` for an expected type.
fn check_id(id: &Value, of_type: &str) -> Result<String, String> {
    let id = id.as_str().ok_or("id is not a string")?;
    let (t, uuid) = id.split_once("--").ok_or(format!("{id}: no --"))?;
    if t != of_type {
        return Err(format!("{id}: type {t}, expected {of_type}"));
    }
    if !is_uuid(uuid) {
        return Err(format!("{id}: not a UUID"));
    }
    Ok(id.to_owned())
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ`; returned for ordering (the format sorts).
fn check_time(v: Option<&Value>, what: &str) -> Result<String, String> {
    let s = v.and_then(Value::as_str).ok_or(format!("{what} missing"))?;
    let b = s.as_bytes();
    let shape = b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if !shape || s.parse::<jiff::Timestamp>().is_err() {
        return Err(format!("{what} {s:?} is not a STIX timestamp"));
    }
    Ok(s.to_owned())
}

/// Checks one pattern against the shape `[object-type:path op 'value']`
/// (comparisons joined by AND/OR inside brackets): brackets balanced outside
/// strings, quotes closed, and inside strings only `\'` and `\\` escapes.
fn check_pattern(pattern: &str) -> Result<(), String> {
    let mut depth = 0i32;
    let mut chars = pattern.chars().peekable();
    let mut outside = String::new();
    let mut strings = 0;
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                strings += 1;
                loop {
                    match chars.next() {
                        Some('\\') => match chars.next() {
                            Some('\'' | '\\') => {}
                            other => return Err(format!("bad escape \\{other:?} in {pattern}")),
                        },
                        Some('\'') => break,
                        Some(_) => {}
                        None => return Err(format!("unclosed string in {pattern}")),
                    }
                }
                outside.push('S');
            }
            '[' => {
                depth += 1;
                outside.push(c);
            }
            ']' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unbalanced ] in {pattern}"));
                }
                outside.push(c);
            }
            c => outside.push(c),
        }
    }
    if depth != 0 {
        return Err(format!("unbalanced [ in {pattern}"));
    }
    // With strings replaced by S: `[type:path op S]`, where the path may
    // hold quoted keys (also S) such as hashes.'SHA-256'.
    let inner = outside
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or(format!("not one bracketed comparison: {pattern}"))?;
    let parts: Vec<&str> = inner.split(' ').collect();
    let [path, op, value] = parts[..] else {
        return Err(format!("comparison shape in {pattern}"));
    };
    let (object_type, property) = path.split_once(':').ok_or(format!("no : in {pattern}"))?;
    let type_ok = !object_type.is_empty()
        && object_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let property_ok = !property.is_empty()
        && property.split('.').all(|p| {
            p == "S" || (!p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        });
    if !type_ok || !property_ok {
        return Err(format!("object path in {pattern}"));
    }
    if !["=", "!=", "ISSUBSET", "ISSUPERSET", "LIKE", "MATCHES"].contains(&op) || value != "S" {
        return Err(format!("operator or value in {pattern}"));
    }
    if strings == 0 {
        return Err(format!("no string literal in {pattern}"));
    }
    Ok(())
}

/// Validates a bundle against the STIX 2.1 structure; returns the objects'
/// types by id.
fn validate(bundle: &Value) -> Result<BTreeMap<String, String>, String> {
    if bundle["type"] != "bundle" {
        return Err("bundle type".into());
    }
    check_id(&bundle["id"], "bundle")?;
    if bundle.get("spec_version").is_some() {
        return Err("a 2.1 bundle has no spec_version".into());
    }
    let objects = bundle["objects"].as_array().ok_or("objects")?;
    if objects.is_empty() {
        return Err("no objects".into());
    }
    let known_markings: BTreeSet<&str> = TLP2_MARKINGS.iter().map(|(_, id, _)| *id).collect();
    let mut types = BTreeMap::new();
    for o in objects {
        let t = o["type"].as_str().ok_or("type missing")?;
        let id = check_id(&o["id"], t)?;
        if types.insert(id.clone(), t.to_owned()).is_some() {
            return Err(format!("duplicate id {id}"));
        }
        if o["spec_version"] != "2.1" {
            return Err(format!("{id}: spec_version"));
        }
        let created = check_time(o.get("created"), &format!("{id} created"))?;
        if t == "marking-definition" {
            // Marking definitions are not versioned: no `modified`.
            if o.get("modified").is_some() || !known_markings.contains(id.as_str()) {
                return Err(format!("{id}: not an official TLP 2.0 marking"));
            }
        } else {
            let modified = check_time(o.get("modified"), &format!("{id} modified"))?;
            if modified < created {
                return Err(format!("{id}: modified before created"));
            }
        }
        for key in o.as_object().unwrap().keys() {
            if key.starts_with("x_") {
                let ok = key.len() >= 3
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !ok {
                    return Err(format!("{id}: custom property {key}"));
                }
            }
        }
        match t {
            "indicator" => {
                for required in ["pattern", "pattern_type", "valid_from"] {
                    if o.get(required).is_none() {
                        return Err(format!("{id}: {required} missing"));
                    }
                }
                if o["pattern_type"] != "stix" {
                    return Err(format!("{id}: pattern_type"));
                }
                check_pattern(o["pattern"].as_str().ok_or("pattern")?)?;
                let from = check_time(o.get("valid_from"), "valid_from")?;
                if let Some(until) = o.get("valid_until")
                    && check_time(Some(until), "valid_until")? <= from
                {
                    return Err(format!("{id}: valid_until not after valid_from"));
                }
                let types_ok = o["indicator_types"].as_array().is_some_and(|a| {
                    !a.is_empty()
                        && a.iter().all(|v| {
                            [
                                "anomalous-activity",
                                "anonymization",
                                "benign",
                                "compromised",
                                "malicious-activity",
                                "attribution",
                                "unknown",
                            ]
                            .contains(&v.as_str().unwrap_or(""))
                        })
                });
                if !types_ok {
                    return Err(format!("{id}: indicator_types"));
                }
            }
            "attack-pattern" | "identity" => {
                if !o["name"].is_string() {
                    return Err(format!("{id}: name"));
                }
            }
            "relationship" => {
                if !o["relationship_type"].is_string() {
                    return Err(format!("{id}: relationship_type"));
                }
            }
            "marking-definition" => {}
            other => return Err(format!("{id}: unexpected type {other}")),
        }
        if let Some(refs) = o.get("external_references") {
            for r in refs.as_array().ok_or("external_references")? {
                if !r["source_name"].is_string() {
                    return Err(format!("{id}: external reference without source_name"));
                }
            }
        }
    }
    // Every reference resolves, and relationships connect sensible types.
    for o in objects {
        let id = o["id"].as_str().unwrap();
        for (key, value) in o.as_object().unwrap() {
            let refs: Vec<&Value> = if key.ends_with("_refs") {
                value
                    .as_array()
                    .ok_or(format!("{id}: {key}"))?
                    .iter()
                    .collect()
            } else if key.ends_with("_ref") {
                vec![value]
            } else {
                continue;
            };
            for r in refs {
                let r = r.as_str().ok_or(format!("{id}: {key}"))?;
                if !types.contains_key(r) && !known_markings.contains(r) {
                    return Err(format!("{id}: {key} {r} does not resolve"));
                }
                let target = types.get(r).map(String::as_str);
                let fits = match key.as_str() {
                    "created_by_ref" => target == Some("identity"),
                    "object_marking_refs" => r.starts_with("marking-definition--"),
                    _ => true,
                };
                if !fits {
                    return Err(format!("{id}: {key} points at {r}"));
                }
            }
        }
        if o["type"] == "relationship" {
            let source = types
                .get(o["source_ref"].as_str().unwrap_or(""))
                .map(String::as_str);
            let target = types
                .get(o["target_ref"].as_str().unwrap_or(""))
                .map(String::as_str);
            let sensible = matches!(
                (o["relationship_type"].as_str(), source, target),
                (
                    Some("indicates"),
                    Some("indicator"),
                    Some(
                        "attack-pattern"
                            | "malware"
                            | "threat-actor"
                            | "campaign"
                            | "intrusion-set"
                            | "tool"
                            | "infrastructure"
                    )
                )
            );
            if !sensible {
                return Err(format!("{id}: {source:?} -> {target:?}"));
            }
        }
    }
    Ok(types)
}

#[test]
fn the_bundle_is_valid_stix_2_1() {
    let bundle = stix_bundle(&state(), &records(), &options(None));
    let types = validate(&bundle).unwrap();
    let count = |t: &str| types.values().filter(|v| *v == t).count();
    assert_eq!(count("identity"), 1);
    assert_eq!(count("indicator"), 7);
    // T1078.004, T1552.001, T1567, T1071.001
    assert_eq!(count("attack-pattern"), 4);
    assert_eq!(count("relationship"), 5);
    // CLEAR, GREEN, AMBER, AMBER+STRICT, RED are all used by the fixture.
    assert_eq!(count("marking-definition"), 5);
}

#[test]
fn snapshot() {
    insta::assert_json_snapshot!(stix_bundle(&state(), &records(), &options(None)));
}

#[test]
fn max_tlp_leaves_out_stricter_indicators_and_their_techniques() {
    let bundle = stix_bundle(&state(), &records(), &options(Some(Tlp::Green)));
    let types = validate(&bundle).unwrap();
    let text = bundle.to_string();
    for gone in [
        "203.0.113.66",
        "exfil-drop.example",
        "c2-relay.example",
        "T1567",
        "T1071.001",
    ] {
        assert!(!text.contains(gone), "{gone}");
    }
    assert!(text.contains("T1078.004") && text.contains("T1552.001"));
    assert_eq!(types.values().filter(|t| *t == "indicator").count(), 4);
    let markings: Vec<&str> = types
        .iter()
        .filter(|(_, t)| *t == "marking-definition")
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        markings,
        [
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
        ]
    );
}

#[test]
fn ids_are_stable_across_exports_and_record_order() {
    let a = stix_bundle(&state(), &records(), &options(None));
    let mut shuffled = records();
    shuffled.rotate_left(11);
    let mut later = options(None);
    later.generated_at = at("2026-06-01T00:00:00Z");
    let b = stix_bundle(&state(), &shuffled, &later);
    assert_eq!(a["objects"], b["objects"]);
    assert_ne!(a["id"], b["id"], "a new export is a new bundle");
    assert_eq!(
        stix_bundle(&state(), &records(), &options(None)).to_string(),
        a.to_string()
    );
}

#[test]
fn indicator_details() {
    let bundle = stix_bundle(&state(), &records(), &options(None));
    let objects = bundle["objects"].as_array().unwrap();
    let find = |needle: &str| {
        objects
            .iter()
            .find(|o| o["type"] == "indicator" && o["pattern"].as_str().unwrap().contains(needle))
            .unwrap()
    };
    let ua = find("User-Agent");
    assert_eq!(
        ua["pattern"],
        r"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'python-requests/2.31 \'dumper\'']"
    );
    // No first_seen: valid from the record's creation.
    assert_eq!(ua["valid_from"], "2026-05-03T10:04:00.000Z");
    assert_eq!(ua["x_rampart_pap"], "PAP:CLEAR");
    let ip = find("203.0.113.66");
    assert_eq!(ip["valid_from"], "2026-05-01T02:14:00.000Z");
    assert_eq!(ip["valid_until"], "2026-05-01T21:45:00.000Z");
    assert_eq!(
        ip["object_marking_refs"][0],
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    );
    let token = find("x-rampart-secret");
    assert_eq!(token["indicator_types"][0], "compromised");
    let hash = find("file:hashes");
    assert!(
        hash["pattern"]
            .as_str()
            .unwrap()
            .starts_with("[file:hashes.'SHA-256' = ")
    );
}

/// A way to break a valid bundle.
type Breakage = Box<dyn Fn(&mut Value)>;

#[test]
fn the_validator_rejects_broken_bundles() {
    let good = stix_bundle(&state(), &records(), &options(None));
    assert!(validate(&good).is_ok());
    let indicator_index = good["objects"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["type"] == "indicator")
        .unwrap();
    let breakages: Vec<(&str, Breakage)> = vec![
        ("bad uuid", Box::new(|b| b["id"] = "bundle--nope".into())),
        (
            "dangling ref",
            Box::new(move |b| {
                b["objects"][indicator_index]["created_by_ref"] =
                    "identity--00000000-0000-4000-8000-000000000000".into()
            }),
        ),
        (
            "unescaped quote",
            Box::new(move |b| {
                b["objects"][indicator_index]["pattern"] = "[url:value = 'it's']".into()
            }),
        ),
        (
            "unbalanced",
            Box::new(move |b| b["objects"][indicator_index]["pattern"] = "[url:value = 'x'".into()),
        ),
        (
            "millisecond precision",
            Box::new(move |b| {
                b["objects"][indicator_index]["created"] = "2026-05-03T10:00:00Z".into()
            }),
        ),
        (
            "modified before created",
            Box::new(move |b| {
                b["objects"][indicator_index]["modified"] = "2020-01-01T00:00:00.000Z".into()
            }),
        ),
        (
            "missing valid_from",
            Box::new(move |b| {
                b["objects"][indicator_index]
                    .as_object_mut()
                    .unwrap()
                    .remove("valid_from");
            }),
        ),
        (
            "duplicate id",
            Box::new(move |b| {
                let copy = b["objects"][indicator_index].clone();
                b["objects"].as_array_mut().unwrap().push(copy);
            }),
        ),
    ];
    for (what, breaks) in breakages {
        let mut bad = good.clone();
        breaks(&mut bad);
        assert!(validate(&bad).is_err(), "{what} passed");
    }
}
