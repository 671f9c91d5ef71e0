//! A VERIS-style classification of the incident, built from its records.
//!
//! Every value emitted under `action`, `actor`, `asset`, `attribute` and
//! `discovery_method` is an enumeration value of the VERIS Community Schema
//! 1.3.6 (vz-risk/veris, `verisc-merged1_3_6.json`); the mapping is
//! tabulated in the crate README. `plus.rampart` says, field by field, which
//! records a value was derived from, so a reviewer can check the
//! classification before it is shared.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rampart_incident::{
    ActorKind, AssetKind, AttackVectorKind, Certainty, CompromiseStatus, DataClassification,
    DataImpact, DetectionSource, StepRecord,
};
use rampart_store::{IncidentState, RecordRow};
use serde_json::{Map, Value, json};

/// The VERIS schema version the classification follows.
pub const VERIS_SCHEMA_VERSION: &str = "1.3.6";

const EXTERNAL_VARIETIES: &[&str] = &[
    "Acquaintance",
    "Activist",
    "Auditor",
    "Competitor",
    "Customer",
    "Force majeure",
    "Former employee",
    "Nation-state",
    "Organized crime",
    "State-affiliated",
    "Terrorist",
    "Unaffiliated",
];

const INTERNAL_VARIETIES: &[&str] = &[
    "Auditor",
    "Call center",
    "Cashier",
    "Developer",
    "End-user",
    "Executive",
    "Finance",
    "Guard",
    "Helpdesk",
    "Human resources",
    "Maintenance",
    "Manager",
    "System admin",
    "Doctor or nurse",
];

const MOTIVES: &[&str] = &[
    "Convenience",
    "Espionage",
    "Fear",
    "Financial",
    "Fun",
    "Grudge",
    "Ideology",
    "Secondary",
];

/// The VERIS enumeration value matching free text, ignoring case,
/// surrounding space, `-`/`_`/space differences and a trailing "s"
/// ("organised crime" is not matched: VERIS spells it the US way, and
/// guessing spellings would classify wrongly more often than rightly).
fn match_enum(text: &str, values: &[&'static str]) -> Option<&'static str> {
    let norm = |s: &str| {
        s.trim()
            .to_lowercase()
            .replace(['-', '_'], " ")
            .trim_end_matches('s')
            .to_owned()
    };
    let wanted = norm(text);
    values.iter().copied().find(|v| norm(v) == wanted)
}

/// VERIS hacking variety and vector for an attack vector kind.
fn hacking(kind: AttackVectorKind) -> (&'static str, &'static str) {
    match kind {
        // Tokens authenticate API and web calls.
        AttackVectorKind::Token => ("Use of stolen creds", "Web application"),
        // SSH, signing and cloud keys reach command shells and services.
        AttackVectorKind::Key => ("Use of stolen creds", "Other network service"),
        // An account can be used through any front door.
        AttackVectorKind::Account => ("Use of stolen creds", "Unknown"),
        AttackVectorKind::Endpoint => ("Exploit vuln", "Web application"),
        AttackVectorKind::Port => ("Exploit vuln", "Other network service"),
        AttackVectorKind::Other => ("Other", "Other"),
    }
}

/// VERIS asset variety for an affected asset kind.
fn asset_variety(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Database => "S - Database",
        AssetKind::Service => "S - Web application",
        AssetKind::Account => "S - Authentication",
        // VERIS names server roles, not the machine; the role is unknown.
        AssetKind::Host | AssetKind::Vm | AssetKind::Container => "S - Unknown",
        AssetKind::Other => "Other",
    }
}

/// VERIS data variety for a data set: from keywords in its name where one
/// names the content, else from its classification.
fn data_variety(name: &str, classification: DataClassification) -> (&'static str, String) {
    const KEYWORDS: &[(&str, &str)] = &[
        ("credential", "Credentials"),
        ("password", "Credentials"),
        ("token", "Credentials"),
        ("secret", "Credentials"),
        ("card", "Payment"),
        ("payment", "Payment"),
        ("bank", "Bank"),
        ("medical", "Medical"),
        ("health", "Medical"),
        ("patient", "Medical"),
        ("source", "Source code"),
        ("repositor", "Source code"),
        ("customer", "Personal"),
        ("user", "Personal"),
        ("employee", "Personal"),
        ("personal", "Personal"),
        ("email", "Personal"),
        ("e-mail", "Personal"),
        ("address", "Personal"),
    ];
    let lower = name.to_lowercase();
    if let Some((word, variety)) = KEYWORDS.iter().find(|(word, _)| lower.contains(word)) {
        return (variety, format!("name contains \"{word}\""));
    }
    let variety = match classification {
        DataClassification::Public | DataClassification::Internal => "Internal",
        DataClassification::Confidential => "Internal",
        DataClassification::Restricted => "Unknown",
    };
    (variety, format!("classification {classification}"))
}

fn ymd(t: Timestamp) -> Value {
    let date = TimeZone::UTC.to_datetime(t).date();
    json!({"year": date.year(), "month": date.month(), "day": date.day()})
}

fn sorted(set: BTreeSet<&str>) -> Value {
    json!(set.into_iter().collect::<Vec<_>>())
}

/// The incident as a VERIS 1.3.6 classification (`schema_version`), with
/// `plus.rampart` recording how each field was derived.
pub fn veris_classification(state: &IncidentState, records: &[RecordRow]) -> Value {
    let mut rows: Vec<&RecordRow> = records.iter().collect();
    rows.sort_by_key(|r| r.id);
    let mut derived = Map::new();
    let summary = &state.summary;

    // timeline.incident
    let first_confirmed = rows
        .iter()
        .filter_map(|r| match &r.record {
            StepRecord::AttackTimelineEntry(e) if e.certainty == Certainty::Confirmed => {
                Some((e.event_time, r.id))
            }
            _ => None,
        })
        .min();
    let incident_time = match first_confirmed {
        Some((time, id)) => {
            derived.insert(
                "timeline.incident".into(),
                json!(format!(
                    "earliest confirmed attack-timeline entry (record {id})"
                )),
            );
            time
        }
        None => {
            derived.insert(
                "timeline.incident".into(),
                json!("no confirmed attack-timeline entry: the declaration date"),
            );
            summary.declared_at
        }
    };

    // discovery_method
    let discovery = match summary.details.detected_by {
        DetectionSource::Monitor => json!({"internal": {"variety": ["Infrastructure monitoring"]}}),
        DetectionSource::Person => json!({"internal": {"variety": ["Reported by employee"]}}),
        DetectionSource::Unknown => json!({"unknown": true}),
    };
    derived.insert(
        "discovery_method".into(),
        json!(match summary.details.detected_by {
            DetectionSource::Monitor => "detected by a monitor",
            DetectionSource::Person => "detected by a person",
            DetectionSource::Unknown => "detection source not recorded",
        }),
    );

    // actor
    #[derive(Default)]
    struct Actor {
        varieties: BTreeSet<&'static str>,
        motives: BTreeSet<&'static str>,
        notes: Vec<String>,
    }
    let mut actors: BTreeMap<&str, Actor> = BTreeMap::new();
    let mut actor_notes = Vec::new();
    for row in &rows {
        let StepRecord::Attribution(a) = &row.record else {
            continue;
        };
        let (key, varieties) = match a.actor {
            ActorKind::External => ("external", Some(EXTERNAL_VARIETIES)),
            ActorKind::Internal => ("internal", Some(INTERNAL_VARIETIES)),
            // VERIS gives partners no variety, only motive and country.
            ActorKind::Partner => ("partner", None),
            ActorKind::Unknown => {
                actor_notes.push(format!("record {}: {}", row.id, a.rationale));
                continue;
            }
        };
        let slot = actors.entry(key).or_default();
        slot.motives
            .insert(a.motive.as_ref().map_or("Unknown", |m| {
                match_enum(m.as_str(), MOTIVES).unwrap_or("Other")
            }));
        if let Some(values) = varieties {
            slot.varieties
                .insert(a.variety.as_ref().map_or("Unknown", |v| {
                    match_enum(v.as_str(), values).unwrap_or("Other")
                }));
        }
        slot.notes.push(format!(
            "record {} ({}): {}",
            row.id, a.certainty, a.rationale
        ));
    }
    let mut actor = Map::new();
    for (key, a) in actors {
        let mut entry = json!({
            "motive": sorted(a.motives),
            "notes": a.notes.join("; "),
        });
        if key == "partner" {
            entry["country"] = json!(["Unknown"]);
        } else {
            entry["variety"] = sorted(a.varieties);
        }
        actor.insert(key.to_owned(), entry);
    }
    if actor.is_empty() {
        actor.insert(
            "unknown".into(),
            json!({"notes": if actor_notes.is_empty() {
                "no attribution recorded".to_owned()
            } else {
                actor_notes.join("; ")
            }}),
        );
        derived.insert(
            "actor".into(),
            json!("no attribution naming an external, internal or partner actor"),
        );
    } else {
        derived.insert(
            "actor".into(),
            json!("attribution records; free-text variety and motive matched against the VERIS enumerations, else Other"),
        );
    }

    // action
    let mut varieties = BTreeSet::new();
    let mut vectors = BTreeSet::new();
    let mut vector_ids = Vec::new();
    for row in &rows {
        if let StepRecord::AttackVector(v) = &row.record {
            let (variety, vector) = hacking(v.kind());
            varieties.insert(variety);
            vectors.insert(vector);
            vector_ids.push(row.id);
        }
    }
    let action = if varieties.is_empty() {
        derived.insert("action".into(), json!("no attack vector recorded"));
        json!({"unknown": {"notes": "no attack vector recorded"}})
    } else {
        derived.insert(
            "action".into(),
            json!(format!("attack vectors (records {vector_ids:?}) by kind")),
        );
        json!({"hacking": {"variety": sorted(varieties), "vector": sorted(vectors)}})
    };

    // asset
    let mut assets: BTreeMap<&str, u64> = BTreeMap::new();
    for row in &rows {
        if let StepRecord::AffectedAsset(a) = &row.record {
            *assets.entry(asset_variety(a.kind())).or_default() += 1;
        }
    }
    let asset = if assets.is_empty() {
        json!({"assets": [{"variety": "Unknown"}], "cloud": ["Unknown"]})
    } else {
        json!({
            "assets": assets
                .iter()
                .map(|(variety, amount)| json!({"variety": variety, "amount": amount}))
                .collect::<Vec<_>>(),
            "cloud": ["Unknown"],
        })
    };
    derived.insert(
        "asset".into(),
        json!("affected assets by kind; cloud not recorded"),
    );

    // attribute
    let mut attribute = Map::new();
    let mut data: BTreeSet<&str> = BTreeSet::new();
    let mut data_why = Vec::new();
    let mut disclosure = "Unknown";
    let mut modified = false;
    let mut deleted = false;
    let mut any_data = false;
    let rank = |d: &str| match d {
        "Yes" => 3,
        "Potentially" => 2,
        "No" => 1,
        _ => 0,
    };
    let raise = |current: &mut &'static str, to: &'static str| {
        if rank(to) > rank(current) {
            *current = to;
        }
    };
    for row in &rows {
        match &row.record {
            StepRecord::CompromisedDataSet(d) => {
                any_data = true;
                let read = d
                    .what_happened()
                    .iter()
                    .any(|i| matches!(i, DataImpact::Read | DataImpact::Copied));
                let level = match d.status() {
                    CompromiseStatus::RuledOut => {
                        raise(&mut disclosure, "No");
                        continue;
                    }
                    CompromiseStatus::Confirmed => "Yes",
                    CompromiseStatus::Possible => "Potentially",
                };
                if read {
                    raise(&mut disclosure, level);
                    let (variety, why) = data_variety(d.name().as_str(), d.classification());
                    data.insert(variety);
                    data_why.push(format!("record {}: {variety} ({why})", row.id));
                } else {
                    raise(&mut disclosure, "No");
                }
                modified |= d.what_happened().contains(&DataImpact::Modified);
                deleted |= d.what_happened().contains(&DataImpact::Deleted);
            }
            StepRecord::CompromisedCredential(_) => {
                raise(&mut disclosure, "Potentially");
                data.insert("Credentials");
                data_why.push(format!(
                    "record {}: Credentials (credential register)",
                    row.id
                ));
            }
            _ => {}
        }
    }
    let mut confidentiality = json!({"data_disclosure": disclosure});
    if !data.is_empty() {
        confidentiality["data"] = json!(
            data.iter()
                .map(|v| json!({"variety": v}))
                .collect::<Vec<_>>()
        );
    }
    attribute.insert("confidentiality".into(), confidentiality);
    if modified {
        attribute.insert("integrity".into(), json!({"variety": ["Modify data"]}));
    }
    if deleted {
        attribute.insert("availability".into(), json!({"variety": ["Destruction"]}));
    }
    derived.insert(
        "attribute.confidentiality.data_disclosure".into(),
        json!(if any_data {
            "Yes if a confirmed data set was read or copied, Potentially if a possible one was or a credential is in the register, No if every data set was ruled out or only modified/deleted"
        } else {
            "no compromised-data records; Potentially when the credential register lists exposed secrets"
        }),
    );
    derived.insert("attribute.confidentiality.data".into(), json!(data_why));
    derived.insert(
        "attribute.integrity".into(),
        json!("Modify data when a confirmed or possible data set was modified"),
    );
    derived.insert(
        "attribute.availability".into(),
        json!("Destruction when a confirmed or possible data set was deleted"),
    );

    let confirmed = rows.iter().any(|r| match &r.record {
        StepRecord::AttackTimelineEntry(e) => e.certainty == Certainty::Confirmed,
        StepRecord::CompromisedDataSet(d) => d.status() == CompromiseStatus::Confirmed,
        _ => false,
    });
    derived.insert(
        "security_incident".into(),
        json!("Confirmed when a timeline entry or data set is confirmed, else Suspected"),
    );

    json!({
        "schema_version": VERIS_SCHEMA_VERSION,
        "incident_id": summary.id.to_string(),
        "security_incident": if confirmed { "Confirmed" } else { "Suspected" },
        "timeline": {"incident": ymd(incident_time)},
        "discovery_method": discovery,
        "actor": actor,
        "action": action,
        "asset": asset,
        "attribute": attribute,
        "plus": {"rampart": {"derived": derived}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_matches_veris_values_only() {
        assert_eq!(
            match_enum("organized crime", EXTERNAL_VARIETIES),
            Some("Organized crime")
        );
        assert_eq!(
            match_enum(" Nation_State ", EXTERNAL_VARIETIES),
            Some("Nation-state")
        );
        assert_eq!(match_enum("financial", MOTIVES), Some("Financial"));
        assert_eq!(match_enum("money", MOTIVES), None);
        assert_eq!(match_enum("", MOTIVES), None);
    }

    #[test]
    fn data_varieties() {
        assert_eq!(
            data_variety("customers table", DataClassification::Restricted).0,
            "Personal"
        );
        assert_eq!(
            data_variety("Wiki export", DataClassification::Internal).0,
            "Internal"
        );
        assert_eq!(
            data_variety("ledger", DataClassification::Restricted).0,
            "Unknown"
        );
    }
}
