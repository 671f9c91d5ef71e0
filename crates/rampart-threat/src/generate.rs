//! Threat generation: the rule library and the STRIDE-per-element baseline
//! applied to a model, the hand-written threats added, and `risk_tracking`
//! joined in (statuses, expiries, stale entries).
//!
//! Out-of-scope elements and flows get no generated threats (rules and
//! baseline): `out_of_scope` says the model does not analyse them. A
//! hand-written threat on one is kept: someone wrote it down on purpose, and
//! Threat Dragon models carry threats on out-of-scope cells that an import
//! must not lose. A flow between an in-scope and an out-of-scope element is
//! still analysed, and out-of-scope flows still count for the derived
//! attributes of their ends.
//!
//! Precondition: [`crate::validate`] found no errors. Generation still
//! never panics on a model that breaks it: unknown references are skipped,
//! the first of two definitions with one id (or two parents of one member)
//! wins, and boundary cycles are harmless because crossing compares direct
//! parents only.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::{
    Analysis, Dimension, Likelihood, Origin, SeverityBasis, StaleEntry, StaleReason, Status,
    Target, TargetKind, Threat,
};
use crate::model::{DataAsset, Flow, Level, Stride, ThreatModel, Tracking};
use crate::position::{Position, SourceMap, segment};
use crate::rules::{
    AppliesTo, ElementFacts, ElementRef, FlowFacts, Rule, RuleLibrary, element_values, flow_values,
};

/// Runs every rule and the baseline over `model`, as of `today` (for
/// acceptance expiry).
pub fn analyse(
    model: &ThreatModel,
    map: &SourceMap,
    library: &RuleLibrary,
    today: jiff::civil::Date,
) -> Analysis {
    let graph = Graph::build(model);
    let mut threats: Vec<Threat> = Vec::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut push = |threat: Threat, threats: &mut Vec<Threat>| {
        if ids.insert(threat.id.clone()) {
            threats.push(threat);
        }
    };

    for element in graph.elements.values() {
        if element.out_of_scope {
            continue;
        }
        let mut attrs = BTreeMap::new();
        element_values(element.element, &element.facts, "element.", &mut attrs);
        for rule in library.rules() {
            let applies = match rule.applies_to {
                AppliesTo::Element => true,
                AppliesTo::Flow => false,
                AppliesTo::ExternalEntity => element.kind == TargetKind::ExternalEntity,
                AppliesTo::Process => element.kind == TargetKind::Process,
                AppliesTo::DataStore => element.kind == TargetKind::DataStore,
            };
            if applies && rule.condition.eval(&attrs) {
                let position = map.value(&element.path);
                let threat = graph.rule_threat(rule, &element.target, &element.assets, position);
                push(threat, &mut threats);
            }
        }
        if model.options.stride_baseline {
            for stride in baseline_categories(element.element) {
                let threat = graph.baseline(
                    stride,
                    &element.target,
                    &element.assets,
                    map.value(&element.path),
                );
                push(threat, &mut threats);
            }
        }
    }

    for flow in &graph.flows {
        if flow.flow.out_of_scope.is_some() {
            continue;
        }
        let (Some(from), Some(to)) = (
            graph.elements.get(flow.flow.from.as_str()),
            graph.elements.get(flow.flow.to.as_str()),
        ) else {
            continue;
        };
        let mut attrs = BTreeMap::new();
        flow_values(flow.flow, &flow.facts, &mut attrs);
        element_values(from.element, &from.facts, "flow.from.", &mut attrs);
        element_values(to.element, &to.facts, "flow.to.", &mut attrs);
        for rule in library.rules() {
            if rule.applies_to == AppliesTo::Flow && rule.condition.eval(&attrs) {
                let position = map.value(&flow.path);
                let threat = graph.rule_threat(rule, &flow.target, &flow.assets, position);
                push(threat, &mut threats);
            }
        }
        if model.options.stride_baseline && flow.facts.crosses_boundary {
            for stride in [
                Stride::Tampering,
                Stride::InformationDisclosure,
                Stride::DenialOfService,
            ] {
                let threat =
                    graph.baseline(stride, &flow.target, &flow.assets, map.value(&flow.path));
                push(threat, &mut threats);
            }
        }
    }

    for manual in &model.threats {
        let Some((target, assets, path, _)) = graph.target(&manual.target) else {
            continue;
        };
        let rule = format!("manual.{}", manual.id);
        push(
            Threat {
                id: format!("{rule}@{}", target.id),
                origin: Origin::Manual,
                rule,
                stride: manual.stride,
                severity: manual.severity,
                severity_basis: SeverityBasis::Stated,
                target: target.clone(),
                position: map.value(path),
                title: manual.title.clone(),
                description: manual.description.clone().unwrap_or_default(),
                mitigations: manual.mitigations.clone(),
                cwe: manual.cwe.clone(),
                capec: manual.capec.clone(),
                assets: sorted(assets),
                status: Status::Open { note: None },
            },
            &mut threats,
        );
    }

    for threat in &mut threats {
        threat.status = status(model, &threat.id, today);
    }
    threats.sort_by(|a, b| {
        (&a.target.id, &a.origin, &a.rule, &a.id).cmp(&(&b.target.id, &b.origin, &b.rule, &b.id))
    });

    let generated: BTreeSet<&str> = threats.iter().map(|t| t.id.as_str()).collect();
    let stale = model
        .risk_tracking
        .keys()
        .filter(|key| !generated.contains(key.as_str()))
        .map(|key| StaleEntry {
            key: key.clone(),
            position: map.key(&format!("/risk_tracking/{}", segment(key))),
            reason: stale_reason(model, library, &graph, key),
        })
        .collect();
    Analysis { threats, stale }
}

/// The baseline categories of an element (Microsoft's STRIDE-per-element
/// chart: stores are repudiation targets only when they are the audit
/// trail).
fn baseline_categories(element: ElementRef<'_>) -> Vec<Stride> {
    match element {
        ElementRef::ExternalEntity(_) => vec![Stride::Spoofing, Stride::Repudiation],
        ElementRef::Process(_) => Stride::ALL.to_vec(),
        ElementRef::DataStore(store) => {
            let mut out = vec![
                Stride::Tampering,
                Stride::InformationDisclosure,
                Stride::DenialOfService,
            ];
            if store.is_log {
                out.insert(1, Stride::Repudiation);
            }
            out
        }
    }
}

/// The status of threat `id` from its tracking entry; an entry that does
/// not resolve (validation reported it) leaves the threat open.
fn status(model: &ThreatModel, id: &str, today: jiff::civil::Date) -> Status {
    let Some(entry) = model.risk_tracking.get(id) else {
        return Status::Open { note: None };
    };
    match entry.resolve() {
        Ok(Tracking::Open) | Err(_) => Status::Open {
            note: entry.note.clone(),
        },
        Ok(Tracking::Mitigated { reference }) => Status::Mitigated { reference },
        Ok(Tracking::FalsePositive { reason }) => Status::FalsePositive { reason },
        Ok(Tracking::Accepted {
            owner,
            expires,
            reason,
        }) => {
            if expires < today {
                Status::AcceptanceExpired {
                    owner,
                    expired: expires,
                    reason,
                }
            } else {
                Status::Accepted {
                    owner,
                    expires,
                    reason,
                }
            }
        }
    }
}

/// Why tracking key `key` matched no generated threat.
fn stale_reason(
    model: &ThreatModel,
    library: &RuleLibrary,
    graph: &Graph<'_>,
    key: &str,
) -> StaleReason {
    let Some((rule, target)) = key
        .rsplit_once('@')
        .filter(|(rule, target)| !rule.is_empty() && !target.is_empty())
    else {
        return StaleReason::Malformed;
    };
    let known_rule = library.get(rule).is_some()
        || Stride::ALL
            .iter()
            .any(|stride| rule.strip_prefix("stride-") == Some(stride.slug()))
        || rule
            .strip_prefix("manual.")
            .is_some_and(|id| model.threats.iter().any(|t| t.id == id));
    if !known_rule {
        return StaleReason::UnknownRule;
    }
    match graph.target(target) {
        None => StaleReason::NoSuchTarget,
        Some((_, _, _, true)) if !rule.starts_with("manual.") => StaleReason::TargetOutOfScope,
        Some(_) => StaleReason::RuleNoLongerMatches,
    }
}

fn sorted(assets: &BTreeSet<&str>) -> Vec<String> {
    assets.iter().map(|a| (*a).to_owned()).collect()
}

struct ElementNode<'a> {
    element: ElementRef<'a>,
    kind: TargetKind,
    target: Target,
    /// Path of the `id` value in the file.
    path: String,
    out_of_scope: bool,
    assets: BTreeSet<&'a str>,
    facts: ElementFacts,
}

struct FlowNode<'a> {
    flow: &'a Flow,
    target: Target,
    path: String,
    assets: BTreeSet<&'a str>,
    facts: FlowFacts,
}

/// The model indexed for generation.
struct Graph<'a> {
    assets: BTreeMap<&'a str, &'a DataAsset>,
    elements: BTreeMap<&'a str, ElementNode<'a>>,
    flows: Vec<FlowNode<'a>>,
    /// Flow id → index in `flows`.
    flow_index: BTreeMap<&'a str, usize>,
}

impl<'a> Graph<'a> {
    fn build(model: &'a ThreatModel) -> Graph<'a> {
        let mut assets: BTreeMap<&str, &DataAsset> = BTreeMap::new();
        for asset in &model.data_assets {
            assets.entry(asset.id.as_str()).or_insert(asset);
        }

        // Each member's enclosing boundary; the first listing wins, as
        // validation reports the others. Membership is then a function, so
        // the boundaries around an element are the chain up from its direct
        // parent, and two elements are inside the same boundaries exactly
        // when their direct parents are the same: no chain needs walking.
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        for boundary in &model.trust_boundaries {
            for member in &boundary.members {
                if member != &boundary.id {
                    parent
                        .entry(member.as_str())
                        .or_insert(boundary.id.as_str());
                }
            }
        }
        let mut raw: Vec<(ElementRef<'a>, &'a str, &'a str, String, bool)> = Vec::new();
        for (i, e) in model.external_entities.iter().enumerate() {
            raw.push((
                ElementRef::ExternalEntity(e),
                &e.id,
                &e.name,
                format!("/external_entities/{i}/id"),
                e.out_of_scope.is_some(),
            ));
        }
        for (i, p) in model.processes.iter().enumerate() {
            raw.push((
                ElementRef::Process(p),
                &p.id,
                &p.name,
                format!("/processes/{i}/id"),
                p.out_of_scope.is_some(),
            ));
        }
        for (i, s) in model.data_stores.iter().enumerate() {
            raw.push((
                ElementRef::DataStore(s),
                &s.id,
                &s.name,
                format!("/data_stores/{i}/id"),
                s.out_of_scope.is_some(),
            ));
        }
        let mut kinds: BTreeMap<&str, ElementRef<'a>> = BTreeMap::new();
        for (element, id, _, _, _) in &raw {
            kinds.entry(*id).or_insert(*element);
        }
        let known = |ids: &'a [String]| -> BTreeSet<&'a str> {
            ids.iter()
                .map(String::as_str)
                .filter(|id| assets.contains_key(id))
                .collect()
        };

        // Flows with both ends known; the first flow with an id wins.
        let mut flows: Vec<FlowNode<'a>> = Vec::new();
        let mut flow_ids: BTreeSet<&str> = BTreeSet::new();
        for (i, flow) in model.flows.iter().enumerate() {
            if !kinds.contains_key(flow.from.as_str()) || !kinds.contains_key(flow.to.as_str()) {
                continue;
            }
            if kinds.contains_key(flow.id.as_str()) || !flow_ids.insert(flow.id.as_str()) {
                continue;
            }
            let data = known(&flow.data);
            let crosses_boundary = !flow.crosses.is_empty()
                || parent.get(flow.from.as_str()) != parent.get(flow.to.as_str());
            let facts = FlowFacts {
                crosses_boundary,
                max_confidentiality: max_level(&assets, &data, Dimension::Confidentiality).0,
                max_integrity: max_level(&assets, &data, Dimension::Integrity).0,
                max_availability: max_level(&assets, &data, Dimension::Availability).0,
            };
            flows.push(FlowNode {
                flow,
                target: Target {
                    kind: TargetKind::Flow,
                    id: flow.id.clone(),
                    name: flow.name.clone().unwrap_or_else(|| flow.id.clone()),
                    from: Some(flow.from.clone()),
                    to: Some(flow.to.clone()),
                },
                path: format!("/flows/{i}/id"),
                assets: data,
                facts,
            });
        }

        let mut touching: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut flow_index: BTreeMap<&'a str, usize> = BTreeMap::new();
        for (index, flow) in flows.iter().enumerate() {
            let f = flow.flow;
            flow_index.insert(f.id.as_str(), index);
            touching.entry(f.from.as_str()).or_default().push(index);
            if f.to != f.from {
                touching.entry(f.to.as_str()).or_default().push(index);
            }
        }

        let mut elements: BTreeMap<&str, ElementNode<'a>> = BTreeMap::new();
        for (element, id, name, path, out_of_scope) in raw {
            if elements.contains_key(id) {
                continue;
            }
            let (kind, mut involved) = match element {
                ElementRef::ExternalEntity(_) => (TargetKind::ExternalEntity, BTreeSet::new()),
                ElementRef::Process(p) => (TargetKind::Process, known(&p.processes)),
                ElementRef::DataStore(s) => (TargetKind::DataStore, known(&s.stores)),
            };
            let mut from_human = false;
            let mut from_privileged = false;
            let mut crossing = false;
            let mine = touching.get(id).map_or(&[][..], Vec::as_slice);
            for flow in mine.iter().filter_map(|index| flows.get(*index)) {
                let f = flow.flow;
                involved.extend(flow.assets.iter().copied());
                // The peer that sends to this element over this flow.
                let sender = if f.to == id {
                    Some(f.from.as_str())
                } else if f.bidirectional && f.from == id {
                    Some(f.to.as_str())
                } else {
                    None
                };
                let Some(sender) = sender else {
                    continue;
                };
                crossing |= flow.facts.crosses_boundary;
                if let Some(ElementRef::ExternalEntity(entity)) = kinds.get(sender) {
                    from_human |= entity.human;
                    from_privileged |= entity.privileged;
                }
            }
            let facts = ElementFacts {
                max_confidentiality: max_level(&assets, &involved, Dimension::Confidentiality).0,
                max_integrity: max_level(&assets, &involved, Dimension::Integrity).0,
                max_availability: max_level(&assets, &involved, Dimension::Availability).0,
                in_boundary: parent.contains_key(id),
                inbound_from_human: from_human,
                inbound_from_privileged: from_privileged,
                receives_crossing_flow: crossing,
            };
            elements.insert(
                id,
                ElementNode {
                    element,
                    kind,
                    target: Target {
                        kind,
                        id: id.to_owned(),
                        name: name.to_owned(),
                        from: None,
                        to: None,
                    },
                    path,
                    out_of_scope,
                    assets: involved,
                    facts,
                },
            );
        }
        Graph {
            assets,
            elements,
            flows,
            flow_index,
        }
    }

    /// An element or flow by id: its target, assets, id path and whether it
    /// is out of scope.
    fn target(&self, id: &str) -> Option<(&Target, &BTreeSet<&'a str>, &str, bool)> {
        if let Some(element) = self.elements.get(id) {
            return Some((
                &element.target,
                &element.assets,
                &element.path,
                element.out_of_scope,
            ));
        }
        let index = self.flow_index.get(id)?;
        self.flows.get(*index).map(|flow| {
            (
                &flow.target,
                &flow.assets,
                flow.path.as_str(),
                flow.flow.out_of_scope.is_some(),
            )
        })
    }

    fn severity(
        &self,
        involved: &BTreeSet<&str>,
        dimension: Dimension,
        likelihood: Likelihood,
    ) -> (Level, SeverityBasis) {
        let (level, asset) = max_level(&self.assets, involved, dimension);
        (
            level.min(likelihood.cap()),
            SeverityBasis::Derived {
                dimension,
                level,
                asset,
                likelihood,
            },
        )
    }

    fn rule_threat(
        &self,
        rule: &Rule,
        target: &Target,
        involved: &BTreeSet<&str>,
        position: Option<Position>,
    ) -> Threat {
        let (severity, severity_basis) = self.severity(involved, rule.impact, rule.likelihood);
        Threat {
            id: format!("{}@{}", rule.id, target.id),
            origin: Origin::Rule,
            rule: rule.id.clone(),
            stride: rule.stride,
            severity,
            severity_basis,
            target: target.clone(),
            position,
            title: rule.title.clone(),
            description: rule.description.clone(),
            mitigations: rule.mitigations.clone(),
            cwe: rule.cwe.clone(),
            capec: rule.capec.clone(),
            assets: sorted(involved),
            status: Status::Open { note: None },
        }
    }

    fn baseline(
        &self,
        stride: Stride,
        target: &Target,
        involved: &BTreeSet<&str>,
        position: Option<Position>,
    ) -> Threat {
        let dimension = match stride {
            Stride::Spoofing | Stride::ElevationOfPrivilege => Dimension::Max,
            Stride::Tampering | Stride::Repudiation => Dimension::Integrity,
            Stride::InformationDisclosure => Dimension::Confidentiality,
            Stride::DenialOfService => Dimension::Availability,
        };
        let (severity, basis) = self.severity(involved, dimension, Likelihood::Low);
        let (description, mitigations) = baseline_text(stride, target.kind);
        let rule = format!("stride-{}", stride.slug());
        Threat {
            id: format!("{rule}@{}", target.id),
            origin: Origin::Baseline,
            rule,
            stride,
            severity,
            severity_basis: basis,
            target: target.clone(),
            position,
            title: format!("{} of {}", stride.label(), target.name),
            description: description.to_owned(),
            mitigations: mitigations.iter().map(|m| (*m).to_owned()).collect(),
            cwe: Vec::new(),
            capec: Vec::new(),
            assets: sorted(involved),
            status: Status::Open { note: None },
        }
    }
}

/// The highest rating in `dimension` over `involved` and the asset giving
/// it (the smallest id among equals); `low` and no asset when none is
/// involved.
fn max_level(
    assets: &BTreeMap<&str, &DataAsset>,
    involved: &BTreeSet<&str>,
    dimension: Dimension,
) -> (Level, Option<String>) {
    let mut best: Option<(Level, &str)> = None;
    for id in involved {
        let Some(asset) = assets.get(id) else {
            continue;
        };
        let level = match dimension {
            Dimension::Confidentiality => asset.confidentiality,
            Dimension::Integrity => asset.integrity,
            Dimension::Availability => asset.availability,
            Dimension::Max => asset
                .confidentiality
                .max(asset.integrity)
                .max(asset.availability),
        };
        // `involved` is sorted, so only a strictly higher level replaces.
        if best.is_none_or(|(top, _)| level > top) {
            best = Some((level, id));
        }
    }
    match best {
        Some((level, id)) => (level, Some(id.to_owned())),
        None => (Level::Low, None),
    }
}

/// What the baseline says for a category on a kind of target.
fn baseline_text(stride: Stride, kind: TargetKind) -> (&'static str, &'static [&'static str]) {
    match (stride, kind) {
        (Stride::Spoofing, TargetKind::ExternalEntity) => (
            "An attacker could pose as this party, with stolen or guessed credentials, a \
             replayed token or a forged request, and receive what the real party is entitled \
             to. Check how every flow it starts proves who is sending.",
            &[
                "Authenticate this party on every flow it starts, with credentials that can be revoked one by one.",
                "Prefer cryptographic or phishing-resistant credentials (passkeys, mTLS, signed requests) over shared secrets.",
                "Alert on unusual use of its identity, such as new locations or bursts of failed attempts.",
            ],
        ),
        (Stride::Spoofing, _) => (
            "A rogue service could pose as this process towards its callers or the services \
             it calls (a hijacked DNS name or route, a leaked service credential, an unchecked \
             certificate) and receive data or give instructions in its name.",
            &[
                "Give the process its own identity (a workload certificate or short-lived service token) and have its peers verify it.",
                "Verify certificates and host names on every connection to and from it.",
                "Keep its credentials in a secrets manager and rotate them.",
            ],
        ),
        (Stride::Tampering, TargetKind::DataStore) => (
            "Someone with access to this store or its backups could change or delete data at \
             rest without going through the application, which then trusts what the attacker \
             wrote.",
            &[
                "Allow writes only from the services that need them, each with its own account.",
                "Keep integrity checks (checksums, signatures or versioning) for data whose correctness matters.",
                "Protect and test backups so unwanted changes can be rolled back.",
            ],
        ),
        (Stride::Tampering, TargetKind::Flow) => (
            "This flow crosses a trust boundary: anyone on the path between its ends could \
             change messages in transit, or replay and reorder them.",
            &[
                "Protect the flow with TLS or an equivalent authenticated channel from end to end.",
                "Sign or MAC messages whose integrity matters beyond the transport, and reject replays with nonces or timestamps.",
                "Validate what arrives on the receiving side instead of trusting the sender's checks.",
            ],
        ),
        (Stride::Tampering, _) => (
            "An attacker could change what this process does or computes: with crafted input, \
             by modifying its code, configuration or dependencies, or through another \
             compromised workload on the same host.",
            &[
                "Validate every input against an allow-list where it enters the process.",
                "Build and deploy only reviewed, signed artefacts; keep configuration read-only at runtime.",
                "Isolate the process (own user, container, minimal file system access).",
            ],
        ),
        (Stride::Repudiation, TargetKind::ExternalEntity) => (
            "This party could deny an action it took (an order, a payment, a configuration \
             change) when the system cannot show who did it and when.",
            &[
                "Record security-relevant actions with this party's authenticated identity, the time and the outcome.",
                "Keep those records where the party cannot change them.",
                "For high-value actions, keep a signed or otherwise verifiable confirmation.",
            ],
        ),
        (Stride::Repudiation, TargetKind::DataStore) => (
            "This store is the evidence of what happened. If entries can be altered, deleted or \
             forged, the trail no longer proves anything.",
            &[
                "Make the log append-only for writers and read-only for readers.",
                "Chain or sign entries so that gaps and edits are detectable.",
                "Keep a copy in a separate account or system with its own administrators.",
            ],
        ),
        (Stride::Repudiation, _) => (
            "If this process does not record who asked it to do what, misuse through it (by a \
             user, an operator or another service) cannot be traced or proven afterwards.",
            &[
                "Log state-changing and security-relevant operations with actor, object, time and result.",
                "Ship logs off the host promptly, to a store the process cannot rewrite.",
                "Synchronise clocks so events from different components can be put in order.",
            ],
        ),
        (Stride::InformationDisclosure, TargetKind::DataStore) => (
            "The data at rest here could be read by whoever obtains access to the store, its \
             disks, snapshots or backups, or through a too broad access policy.",
            &[
                "Grant read access only to the services and people that need it, and review the grants.",
                "Encrypt data at rest, backups and snapshots included, with managed keys.",
                "Alert on bulk reads and on access from unexpected sources.",
            ],
        ),
        (Stride::InformationDisclosure, TargetKind::Flow) => (
            "This flow crosses a trust boundary: someone watching the network path could read \
             it, or learn from its metadata (sizes, timing, endpoints).",
            &[
                "Encrypt the flow with TLS 1.2 or later and verify certificates.",
                "Send only the data the receiver needs.",
                "Keep sensitive values out of URLs and headers that proxies and servers log.",
            ],
        ),
        (Stride::InformationDisclosure, _) => (
            "This process could leak the data it handles: in error messages, debug output or \
             logs, or in responses that carry more than the caller may see.",
            &[
                "Return only the fields the caller is entitled to, checking access per object.",
                "Keep stack traces and internal details out of responses.",
                "Keep secrets and personal data out of logs, or redact them where they are written.",
            ],
        ),
        (Stride::DenialOfService, TargetKind::DataStore) => (
            "This store could be filled, locked or overloaded, or lose its data, taking down \
             everything that depends on it.",
            &[
                "Set quotas and connection limits per client.",
                "Replicate the store and test restoring it from backup.",
                "Alert on capacity and latency before they turn into outages.",
            ],
        ),
        (Stride::DenialOfService, TargetKind::Flow) => (
            "This flow crosses a trust boundary: its path could be congested or cut, or the \
             receiver flooded through it.",
            &[
                "Limit request rates and sizes where the flow enters the receiving side.",
                "Use timeouts, retries with back-off and circuit breakers on the sending side.",
                "Provide a second path or a degraded mode for essential traffic.",
            ],
        ),
        (Stride::DenialOfService, _) => (
            "This process could be made unavailable by floods of requests, expensive inputs, \
             exhausted resources, or the failure of something it depends on.",
            &[
                "Limit request rates and input sizes, and bound the work done per request.",
                "Set timeouts on every call it makes and degrade gracefully when a dependency fails.",
                "Run more than one instance and monitor saturation.",
            ],
        ),
        (Stride::ElevationOfPrivilege, _) => (
            "A caller could make this process do what the caller may not: through an injection \
             or memory-safety bug, a missing authorisation check, or the privileges the process \
             itself runs with.",
            &[
                "Check authorisation on every operation and deny by default.",
                "Run the process with the fewest operating-system and cloud privileges it needs.",
                "Keep dependencies patched and scan them for known vulnerabilities.",
            ],
        ),
    }
}
