//! The incident's indicators as a STIX 2.1 bundle.
//!
//! One `identity` (the producer), one `indicator` per indicator record, one
//! `attack-pattern` per ATT&CK technique those indicators name, an
//! `indicates` `relationship` from each indicator to each of its techniques,
//! and the TLP 2.0 `marking-definition` objects the indicators reference.
//!
//! Identifiers are UUIDv5 in a fixed namespace, named from the incident id,
//! the record id and the object kind, so exporting the same incident twice
//! gives the same ids and a consumer updates rather than duplicates.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rampart_incident::{Indicator, IndicatorKind, StepRecord, Tlp};
use rampart_store::{IncidentState, RecordRow};
use serde_json::{Value, json};
use uuid::Uuid;

/// The namespace of every identifier Rampart puts in a STIX bundle.
const NAMESPACE: Uuid = Uuid::from_u128(0xfc85_7ec7_41cb_4df2_86f6_afc8_66eb_6d03);

/// The OASIS extension definition through which the TLP 2.0 markings are
/// defined (cti-stix-common-objects, `extension-definition-specifications/tlp-2.0`).
pub const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// When OASIS created the TLP 2.0 marking definitions; part of the
/// published objects, like their ids.
const TLP2_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// The official TLP 2.0 marking definitions: marking, STIX id, and the
/// extension's `tlp_2_0` value. Source: the OASIS TC's
/// cti-stix-common-objects repository,
/// `extension-definition-specifications/tlp-2.0/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json`.
pub const TLP2_MARKINGS: [(Tlp, &str, &str); 5] = [
    (
        Tlp::Clear,
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "clear",
    ),
    (
        Tlp::Green,
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "green",
    ),
    (
        Tlp::Amber,
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "amber",
    ),
    (
        Tlp::AmberStrict,
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "amber+strict",
    ),
    (
        Tlp::Red,
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "red",
    ),
];

/// What the export's caller decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StixOptions {
    /// The name of the producing organisation (the bundle's `identity`).
    pub producer_name: String,
    /// Leave out indicators marked more restrictively than this; `None`
    /// exports every indicator.
    pub max_tlp: Option<Tlp>,
    /// When the export was made (names the bundle).
    pub generated_at: Timestamp,
}

fn marking(tlp: Tlp) -> (&'static str, &'static str) {
    TLP2_MARKINGS
        .iter()
        .find(|(t, _, _)| *t == tlp)
        .map(|(_, id, value)| (*id, *value))
        .unwrap_or(("", ""))
}

/// A STIX timestamp: UTC, `Z`, millisecond precision.
pub(crate) fn stix_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn stix_id(kind: &str, name: &str) -> String {
    format!("{kind}--{}", Uuid::new_v5(&NAMESPACE, name.as_bytes()))
}

/// Quotes `value` as a STIX pattern string literal: `'` and `\` escaped
/// with a backslash, as the patterning grammar requires.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The STIX pattern matching an indicator's value.
pub(crate) fn pattern(kind: IndicatorKind, value: &str) -> String {
    let v = quote(value);
    let ip_type = |addr: &str| {
        if addr.contains(':') {
            "ipv6-addr"
        } else {
            "ipv4-addr"
        }
    };
    let comparison = match kind {
        IndicatorKind::Ip => format!("{}:value = {v}", ip_type(value)),
        IndicatorKind::Cidr => format!("{}:value ISSUBSET {v}", ip_type(value)),
        IndicatorKind::Domain => format!("domain-name:value = {v}"),
        IndicatorKind::Url => format!("url:value = {v}"),
        IndicatorKind::FileHash => {
            // MD5 is a valid bare path component; the others contain `-`
            // and must be quoted.
            let key = match IndicatorKind::hash_algorithm(value) {
                Some("MD5") => "MD5".to_owned(),
                Some(algorithm) => quote(algorithm),
                None => quote("SHA-256"),
            };
            format!("file:hashes.{key} = {v}")
        }
        IndicatorKind::Email => format!("email-addr:value = {v}"),
        IndicatorKind::Account => format!("user-account:account_login = {v}"),
        IndicatorKind::UserAgent => format!(
            "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = {v}"
        ),
        IndicatorKind::TokenFingerprint => format!("x-rampart-secret:fingerprint = {v}"),
    };
    format!("[{comparison}]")
}

fn indicator_types(kind: IndicatorKind) -> &'static str {
    match kind {
        // Our own credential or account in the attacker's hands.
        IndicatorKind::TokenFingerprint | IndicatorKind::Account => "compromised",
        _ => "malicious-activity",
    }
}

fn attack_url(technique: &str) -> String {
    format!(
        "https://attack.mitre.org/techniques/{}/",
        technique.replace('.', "/")
    )
}

/// The incident's indicators as a STIX 2.1 bundle.
///
/// PAP has no OASIS marking definition, so it travels as the custom
/// property `x_rampart_pap` (`"PAP:GREEN"`), readable by machines and
/// ignored by consumers that do not know it.
pub fn stix_bundle(state: &IncidentState, records: &[RecordRow], options: &StixOptions) -> Value {
    let incident = state.summary.id.to_string();
    let identity_id = stix_id(
        "identity",
        &format!("{incident}/identity/{}", options.producer_name),
    );
    let identity_time = stix_time(state.summary.declared_at);

    let mut indicators: Vec<(&RecordRow, &Indicator)> = records
        .iter()
        .filter_map(|row| match &row.record {
            StepRecord::Indicator(i) => Some((row, i)),
            _ => None,
        })
        .filter(|(_, i)| options.max_tlp.is_none_or(|max| i.tlp <= max))
        .collect();
    indicators.sort_by_key(|(row, _)| row.id);

    let mut objects = vec![json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": identity_time,
        "modified": identity_time,
        "name": options.producer_name,
        "identity_class": "organization",
    })];

    let mut used_markings: Vec<Tlp> = Vec::new();
    // technique -> (first created, last modified) over the indicators naming it
    let mut techniques: BTreeMap<String, (Timestamp, Timestamp)> = BTreeMap::new();
    let mut relationships = Vec::new();

    for (row, indicator) in &indicators {
        let created = row.created_at;
        let modified = row.updated_at.unwrap_or(created).max(created);
        let id = stix_id("indicator", &format!("{incident}/{}/indicator", row.id));
        let (marking_id, _) = marking(indicator.tlp);
        if !used_markings.contains(&indicator.tlp) {
            used_markings.push(indicator.tlp);
        }
        let mut object = json!({
            "type": "indicator",
            "spec_version": "2.1",
            "id": id,
            "created_by_ref": identity_id,
            "created": stix_time(created),
            "modified": stix_time(modified),
            "name": format!("{} {}", indicator.kind, indicator.value),
            "indicator_types": [indicator_types(indicator.kind)],
            "pattern": pattern(indicator.kind, &indicator.value),
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": stix_time(indicator.first_seen.unwrap_or(created)),
            "object_marking_refs": [marking_id],
            "x_rampart_pap": indicator.pap.as_str(),
        });
        if let Some(description) = &indicator.description {
            object["description"] = json!(description.as_str());
        }
        if let (Some(first), Some(last)) = (indicator.first_seen, indicator.last_seen)
            && last > first
        {
            object["valid_until"] = json!(stix_time(last));
        }
        objects.push(object);

        for technique in &indicator.techniques {
            let t = technique.as_str().to_owned();
            let entry = techniques.entry(t.clone()).or_insert((created, modified));
            entry.0 = entry.0.min(created);
            entry.1 = entry.1.max(modified);
            relationships.push(json!({
                "type": "relationship",
                "spec_version": "2.1",
                "id": stix_id("relationship", &format!("{incident}/{}/indicates/{t}", row.id)),
                "created_by_ref": identity_id,
                "created": stix_time(created),
                "modified": stix_time(modified),
                "relationship_type": "indicates",
                "source_ref": id,
                "target_ref": stix_id("attack-pattern", &format!("{incident}/attack-pattern/{t}")),
                "object_marking_refs": [marking_id],
            }));
        }
    }

    for (technique, (created, modified)) in &techniques {
        objects.push(json!({
            "type": "attack-pattern",
            "spec_version": "2.1",
            "id": stix_id("attack-pattern", &format!("{incident}/attack-pattern/{technique}")),
            "created_by_ref": identity_id,
            "created": stix_time(*created),
            "modified": stix_time(*modified),
            "name": technique,
            "external_references": [{
                "source_name": "mitre-attack",
                "external_id": technique,
                "url": attack_url(technique),
            }],
        }));
    }
    objects.extend(relationships);

    used_markings.sort();
    for tlp in used_markings {
        let (id, value) = marking(tlp);
        objects.push(json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": id,
            "created": TLP2_CREATED,
            "name": tlp.as_str(),
            "extensions": {
                TLP2_EXTENSION: {
                    "extension_type": "property-extension",
                    "tlp_2_0": value,
                }
            }
        }));
    }

    json!({
        "type": "bundle",
        "id": stix_id(
            "bundle",
            &format!("{incident}/bundle/{}", stix_time(options.generated_at))
        ),
        "objects": objects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_per_kind() {
        use IndicatorKind as K;
        let cases = [
            (K::Ip, "203.0.113.7", "[ipv4-addr:value = '203.0.113.7']"),
            (K::Ip, "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"),
            (
                K::Cidr,
                "198.51.100.0/24",
                "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
            ),
            (
                K::Cidr,
                "2001:db8::/32",
                "[ipv6-addr:value ISSUBSET '2001:db8::/32']",
            ),
            (
                K::Domain,
                "evil.example",
                "[domain-name:value = 'evil.example']",
            ),
            (
                K::Url,
                "https://evil.example/a?q='x'\\y",
                r"[url:value = 'https://evil.example/a?q=\'x\'\\y']",
            ),
            (
                K::FileHash,
                "d41d8cd98f00b204e9800998ecf8427e",
                "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
            ),
            (
                K::FileHash,
                &"a".repeat(40),
                &format!("[file:hashes.'SHA-1' = '{}']", "a".repeat(40)),
            ),
            (
                K::FileHash,
                &"b".repeat(64),
                &format!("[file:hashes.'SHA-256' = '{}']", "b".repeat(64)),
            ),
            (
                K::FileHash,
                &"c".repeat(128),
                &format!("[file:hashes.'SHA-512' = '{}']", "c".repeat(128)),
            ),
            (
                K::Email,
                "x@evil.example",
                "[email-addr:value = 'x@evil.example']",
            ),
            (
                K::Account,
                "svc-deploy",
                "[user-account:account_login = 'svc-deploy']",
            ),
            (
                K::UserAgent,
                "curl/8.5.0",
                "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'curl/8.5.0']",
            ),
            (
                K::TokenFingerprint,
                "e48118919b155e2530c4e202bf6fe7d2",
                "[x-rampart-secret:fingerprint = 'e48118919b155e2530c4e202bf6fe7d2']",
            ),
        ];
        for (kind, value, expected) in cases {
            assert_eq!(pattern(kind, value), expected, "{kind} {value}");
        }
    }

    #[test]
    fn timestamps_have_milliseconds_and_z() {
        let t: Timestamp = "2026-05-01T10:00:00.123456Z".parse().unwrap();
        assert_eq!(stix_time(t), "2026-05-01T10:00:00.123Z");
        let t: Timestamp = "2026-05-01T10:00:00Z".parse().unwrap();
        assert_eq!(stix_time(t), "2026-05-01T10:00:00.000Z");
    }

    #[test]
    fn every_tlp_has_its_official_marking() {
        for tlp in Tlp::ALL {
            let (id, value) = marking(tlp);
            assert!(id.starts_with("marking-definition--"), "{tlp}");
            assert_eq!(format!("TLP:{}", value.to_uppercase()), tlp.as_str());
        }
    }
}
