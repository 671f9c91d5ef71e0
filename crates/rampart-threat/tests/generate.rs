//! Threat generation: severities, the STRIDE baseline, scope, hand-written
//! threats, the tracking join, stale entries, ordering, the gate, and the
//! sample model. Most tests use a small rule library of their own, keyed on
//! tags, so that they test generation rather than the wording of the
//! built-in rules.

use rampart_threat::analysis::{
    Analysis, Dimension, Likelihood, Origin, SeverityBasis, StaleReason, Status, TargetKind, Threat,
};
use rampart_threat::model::{Level, Stride};
use rampart_threat::rules::RuleLibrary;
use rampart_threat::{DiagSeverity, Position, analyse, parse_model, validate};

const RULES: &[(&str, &str)] = &[
    (
        "spoofing.yaml",
        r#"
- id: flagged-process
  title: Flagged process
  stride: spoofing
  applies_to: process
  when: 'element.tags has "flagged"'
  impact: max
  likelihood: high
  cwe: [1]
  capec: [2]
  description: A process tagged flagged.
  mitigations: [Remove the tag.]
"#,
    ),
    (
        "tampering.yaml",
        r#"
- id: flagged-integrity
  title: Flagged process, integrity
  stride: tampering
  applies_to: process
  when: 'element.tags has "flagged"'
  impact: integrity
  likelihood: high
  cwe: []
  capec: []
  description: Integrity of a flagged process.
  mitigations: [Remove the tag.]
"#,
    ),
    (
        "repudiation.yaml",
        r#"
- id: flagged-capped
  title: Flagged process, unlikely
  stride: repudiation
  applies_to: process
  when: 'element.tags has "flagged"'
  impact: max
  likelihood: low
  cwe: []
  capec: []
  description: Capped at medium.
  mitigations: [Remove the tag.]
- id: flagged-medium
  title: Flagged process, likely
  stride: repudiation
  applies_to: process
  when: 'element.tags has "flagged"'
  impact: max
  likelihood: medium
  cwe: []
  capec: []
  description: Capped at high.
  mitigations: [Remove the tag.]
"#,
    ),
    (
        "information_disclosure.yaml",
        r#"
- id: flagged-flow
  title: Flagged flow
  stride: information_disclosure
  applies_to: flow
  when: 'flow.tags has "flagged"'
  impact: confidentiality
  likelihood: high
  cwe: []
  capec: []
  description: A flow tagged flagged.
  mitigations: [Remove the tag.]
"#,
    ),
    (
        "denial_of_service.yaml",
        r#"
- id: any-element
  title: Any element
  stride: denial_of_service
  applies_to: element
  when: 'element.tags has "any"'
  impact: availability
  likelihood: high
  cwe: []
  capec: []
  description: Every element tagged any.
  mitigations: [Remove the tag.]
"#,
    ),
];

fn library() -> RuleLibrary {
    RuleLibrary::from_yaml_files(RULES).expect("test rules load")
}

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 28)
}

/// Analyses a model that must be valid.
fn run_with(text: &str, library: &RuleLibrary, today: jiff::civil::Date) -> Analysis {
    let parsed = parse_model("m.yaml", text).expect("parses");
    let errors: Vec<_> = validate(&parsed.model, &parsed.source_map)
        .into_iter()
        .filter(|d| d.severity == DiagSeverity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    analyse(&parsed.model, &parsed.source_map, library, today)
}

fn run(text: &str) -> Analysis {
    run_with(text, &library(), today())
}

fn ids(analysis: &Analysis) -> Vec<&str> {
    analysis.threats.iter().map(|t| t.id.as_str()).collect()
}

fn threat<'a>(analysis: &'a Analysis, id: &str) -> &'a Threat {
    analysis
        .threats
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no threat {id}; have {:?}", ids(analysis)))
}

const SEVERITY: &str = r#"
version: 1
title: Severity
options: { stride_baseline: false }
data_assets:
  - { id: b-secret, name: B, confidentiality: critical, integrity: low, availability: medium }
  - { id: a-ledger, name: A, confidentiality: low, integrity: high, availability: low }
  - { id: c-ledger, name: C, confidentiality: low, integrity: high, availability: low }
processes:
  - { id: app, name: App, tags: [flagged], processes: [c-ledger] }
  - { id: bare, name: Bare, tags: [flagged] }
data_stores:
  - { id: db, name: DB, stores: [b-secret] }
flows:
  - { id: app-to-db, from: app, to: db, data: [a-ledger, b-secret], tags: [flagged] }
"#;

#[test]
fn severity_is_the_impact_dimension_over_the_assets_involved() {
    let analysis = run(SEVERITY);
    // app: its own c-ledger plus the flow's a-ledger and b-secret.
    let max = threat(&analysis, "flagged-process@app");
    assert_eq!(max.severity, Level::Critical);
    assert_eq!(max.assets, ["a-ledger", "b-secret", "c-ledger"]);
    assert_eq!(
        max.severity_basis,
        SeverityBasis::Derived {
            dimension: Dimension::Max,
            level: Level::Critical,
            asset: Some("b-secret".into()),
            likelihood: Likelihood::High,
        }
    );
    // Integrity: a-ledger and c-ledger tie at high; the smaller id is named.
    let integrity = threat(&analysis, "flagged-integrity@app");
    assert_eq!(integrity.severity, Level::High);
    assert_eq!(
        integrity.severity_basis,
        SeverityBasis::Derived {
            dimension: Dimension::Integrity,
            level: Level::High,
            asset: Some("a-ledger".into()),
            likelihood: Likelihood::High,
        }
    );
    // A flow's assets are its data.
    let flow = threat(&analysis, "flagged-flow@app-to-db");
    assert_eq!(flow.severity, Level::Critical);
    assert_eq!(flow.assets, ["a-ledger", "b-secret"]);
    assert_eq!(flow.target.kind, TargetKind::Flow);
    assert_eq!(flow.target.from.as_deref(), Some("app"));
    assert_eq!(flow.target.to.as_deref(), Some("db"));
}

#[test]
fn likelihood_caps_the_severity() {
    let analysis = run(SEVERITY);
    let low = threat(&analysis, "flagged-capped@app");
    assert_eq!(low.severity, Level::Medium);
    assert_eq!(
        low.severity_basis,
        SeverityBasis::Derived {
            dimension: Dimension::Max,
            level: Level::Critical,
            asset: Some("b-secret".into()),
            likelihood: Likelihood::Low,
        }
    );
    assert_eq!(
        threat(&analysis, "flagged-medium@app").severity,
        Level::High
    );
}

#[test]
fn no_assets_means_low() {
    let analysis = run(SEVERITY);
    let bare = threat(&analysis, "flagged-process@bare");
    assert_eq!(bare.severity, Level::Low);
    assert!(bare.assets.is_empty());
    assert_eq!(
        bare.severity_basis,
        SeverityBasis::Derived {
            dimension: Dimension::Max,
            level: Level::Low,
            asset: None,
            likelihood: Likelihood::High,
        }
    );
}

#[test]
fn threats_carry_rule_text_and_the_position_of_the_target_id() {
    let analysis = run(SEVERITY);
    let t = threat(&analysis, "flagged-process@app");
    assert_eq!(t.origin, Origin::Rule);
    assert_eq!(t.rule, "flagged-process");
    assert_eq!(t.stride, Stride::Spoofing);
    assert_eq!(t.title, "Flagged process");
    assert_eq!(t.description, "A process tagged flagged.");
    assert_eq!(t.mitigations, ["Remove the tag."]);
    assert_eq!((t.cwe.as_slice(), t.capec.as_slice()), (&[1][..], &[2][..]));
    assert_eq!(t.target.name, "App");
    assert_eq!(t.status, Status::Open { note: None });
    // `  - { id: app, ...` on line 10: the value `app` starts in column 11.
    assert_eq!(
        t.position,
        Some(Position {
            line: 10,
            column: 11
        })
    );
    let flow = threat(&analysis, "flagged-flow@app-to-db");
    assert_eq!(
        flow.position,
        Some(Position {
            line: 15,
            column: 11
        })
    );
    assert_eq!(flow.target.name, "app-to-db");
}

#[test]
fn element_rules_run_on_every_kind() {
    let analysis = run(r#"
version: 1
title: Element rules
options: { stride_baseline: false }
external_entities: [{ id: user, name: User, tags: [any] }]
processes: [{ id: app, name: App, tags: [any] }]
data_stores: [{ id: db, name: DB, tags: [any] }, { id: other, name: Other }]
flows: [{ id: app-to-db, from: app, to: db, tags: [any] }]
"#);
    assert_eq!(
        ids(&analysis),
        ["any-element@app", "any-element@db", "any-element@user"]
    );
}

const KINDS: &str = r#"
version: 1
title: Baseline
external_entities: [{ id: user, name: User }]
processes: [{ id: app, name: App }]
data_stores:
  - { id: db, name: Orders DB }
  - { id: log, name: Audit log, is_log: true }
flows:
  - { id: user-to-app, from: user, to: app }
  - { id: app-to-db, from: app, to: db }
  - { id: app-to-log, from: app, to: log }
trust_boundaries:
  - { id: internal, name: Internal, members: [app, db] }
"#;

#[test]
fn baseline_follows_stride_per_element() {
    let analysis = run(KINDS);
    let mut expected = vec![
        "stride-spoofing@app",
        "stride-tampering@app",
        "stride-repudiation@app",
        "stride-information-disclosure@app",
        "stride-denial-of-service@app",
        "stride-elevation-of-privilege@app",
        // Crosses: app is inside `internal`, log is not.
        "stride-tampering@app-to-log",
        "stride-information-disclosure@app-to-log",
        "stride-denial-of-service@app-to-log",
        "stride-tampering@db",
        "stride-information-disclosure@db",
        "stride-denial-of-service@db",
        // A log store is also a repudiation target.
        "stride-tampering@log",
        "stride-repudiation@log",
        "stride-information-disclosure@log",
        "stride-denial-of-service@log",
        "stride-spoofing@user",
        "stride-repudiation@user",
        "stride-tampering@user-to-app",
        "stride-information-disclosure@user-to-app",
        "stride-denial-of-service@user-to-app",
    ];
    expected.sort_unstable();
    let mut found = ids(&analysis);
    found.sort_unstable();
    assert_eq!(found, expected);
    let spoofing = threat(&analysis, "stride-spoofing@app");
    assert_eq!(spoofing.origin, Origin::Baseline);
    assert_eq!(spoofing.rule, "stride-spoofing");
    assert_eq!(spoofing.title, "Spoofing of App");
    assert!(spoofing.mitigations.len() >= 2);
    assert!(!spoofing.description.is_empty());
    assert_eq!(
        threat(&analysis, "stride-information-disclosure@db").title,
        "Information disclosure of Orders DB"
    );
}

#[test]
fn baseline_impact_by_category_capped_at_medium() {
    let analysis = run(r#"
version: 1
title: Baseline severity
data_assets:
  - { id: keys, name: Keys, confidentiality: critical, integrity: low, availability: high }
processes: [{ id: app, name: App, processes: [keys] }]
"#);
    let basis = |id: &str| match &threat(&analysis, id).severity_basis {
        SeverityBasis::Derived {
            dimension,
            level,
            likelihood,
            ..
        } => (*dimension, *level, *likelihood),
        SeverityBasis::Stated => panic!("derived"),
    };
    use Dimension::*;
    assert_eq!(
        basis("stride-spoofing@app"),
        (Max, Level::Critical, Likelihood::Low)
    );
    assert_eq!(basis("stride-elevation-of-privilege@app").0, Max);
    assert_eq!(
        basis("stride-tampering@app"),
        (Integrity, Level::Low, Likelihood::Low)
    );
    assert_eq!(basis("stride-repudiation@app").0, Integrity);
    assert_eq!(
        basis("stride-information-disclosure@app"),
        (Confidentiality, Level::Critical, Likelihood::Low)
    );
    assert_eq!(basis("stride-denial-of-service@app").0, Availability);
    assert_eq!(
        threat(&analysis, "stride-spoofing@app").severity,
        Level::Medium
    );
    assert_eq!(
        threat(&analysis, "stride-tampering@app").severity,
        Level::Low
    );
}

#[test]
fn baseline_can_be_turned_off() {
    let text = KINDS.replace(
        "title: Baseline\n",
        "title: Baseline\noptions: { stride_baseline: false }\n",
    );
    assert!(run(&text).threats.is_empty());
}

#[test]
fn nested_and_line_boundaries_decide_crossing() {
    let analysis = run(r#"
version: 1
title: Crossing
processes:
  - { id: api, name: API }
  - { id: pay, name: Payments }
  - { id: web, name: Web }
flows:
  - { id: api-to-pay, from: api, to: pay }
  - { id: api-to-web, from: api, to: web, crosses: [fence] }
  - { id: pay-to-pay2, from: pay, to: pay }
trust_boundaries:
  - { id: internal, name: Internal, members: [api, web, pci] }
  - { id: pci, name: PCI, members: [pay] }
  - { id: fence, name: Fence }
"#);
    let ids = ids(&analysis);
    assert!(ids.contains(&"stride-tampering@api-to-pay"), "{ids:?}");
    assert!(ids.contains(&"stride-tampering@api-to-web"), "{ids:?}");
    assert!(
        !ids.iter().any(|id| id.ends_with("@pay-to-pay2")),
        "{ids:?}"
    );
}

#[test]
fn out_of_scope_targets_get_no_generated_threats_but_flows_to_them_do() {
    let analysis = run(r#"
version: 1
title: Scope
external_entities: [{ id: partner, name: Partner, tags: [any], out_of_scope: Their system }]
processes: [{ id: app, name: App, tags: [flagged] }]
flows:
  - { id: partner-to-app, from: partner, to: app, tags: [flagged] }
  - { id: app-to-partner, from: app, to: partner, tags: [flagged], out_of_scope: Replies }
trust_boundaries: [{ id: ours, name: Ours, members: [app] }]
threats:
  - { id: outage, target: partner, stride: denial_of_service, title: Partner outage, severity: high }
"#);
    let ids = ids(&analysis);
    // Only the hand-written threat is kept on the out-of-scope entity.
    let on_partner: Vec<_> = ids.iter().filter(|id| id.ends_with("@partner")).collect();
    assert_eq!(on_partner, [&"manual.outage@partner"], "{ids:?}");
    assert!(
        !ids.iter().any(|id| id.ends_with("@app-to-partner")),
        "{ids:?}"
    );
    assert!(ids.contains(&"flagged-flow@partner-to-app"), "{ids:?}");
    assert!(ids.contains(&"stride-tampering@partner-to-app"), "{ids:?}");
    assert!(ids.contains(&"flagged-process@app"), "{ids:?}");
}

#[test]
fn manual_threats_keep_their_stated_severity() {
    let analysis = run(r#"
version: 1
title: Manual
options: { stride_baseline: false }
data_assets: [{ id: orders, name: Orders, confidentiality: low, integrity: low, availability: low }]
processes: [{ id: app, name: App, processes: [orders] }]
threats:
  - id: insider
    target: app
    stride: elevation_of_privilege
    title: Insider abuses support tooling
    description: Support staff can impersonate customers.
    severity: critical
    mitigations: [Four-eyes approval for impersonation.]
    cwe: [269]
    capec: [122]
"#);
    let t = threat(&analysis, "manual.insider@app");
    assert_eq!(t.origin, Origin::Manual);
    assert_eq!(t.rule, "manual.insider");
    assert_eq!(t.stride, Stride::ElevationOfPrivilege);
    assert_eq!(t.severity, Level::Critical);
    assert_eq!(t.severity_basis, SeverityBasis::Stated);
    assert_eq!(t.title, "Insider abuses support tooling");
    assert_eq!(t.description, "Support staff can impersonate customers.");
    assert_eq!(t.mitigations, ["Four-eyes approval for impersonation."]);
    assert_eq!(
        (t.cwe.as_slice(), t.capec.as_slice()),
        (&[269][..], &[122][..])
    );
    assert_eq!(t.assets, ["orders"]);
    assert_eq!(t.target.kind, TargetKind::Process);
    assert_eq!(
        t.position,
        Some(Position {
            line: 6,
            column: 19
        })
    );
}

const TRACKED: &str = r#"
version: 1
title: Tracking
options: { stride_baseline: false }
processes:
  - { id: a, name: A, tags: [flagged] }
  - { id: b, name: B, tags: [flagged] }
  - { id: c, name: C, tags: [flagged] }
  - { id: d, name: D, tags: [flagged] }
  - { id: e, name: E, tags: [flagged] }
  - { id: f, name: F, tags: [flagged] }
risk_tracking:
  flagged-process@a: { status: open, note: Looking into it }
  flagged-process@b: { status: mitigated, reference: PR-12 }
  flagged-process@c: { status: false_positive, reason: Test fixture only }
  flagged-process@d: { status: accepted, owner: kim, expires: 2026-11-28, reason: Until the migration }
  flagged-process@e: { status: accepted, owner: kim, expires: 2026-11-27 }
  flagged-process@f: { status: accepted, owner: kim, expires: 2026-11-29 }
"#;

#[test]
fn tracking_statuses_join_with_expiry_as_of_today() {
    let analysis = run(TRACKED);
    let status = |id: &str| threat(&analysis, id).status.clone();
    assert_eq!(
        status("flagged-process@a"),
        Status::Open {
            note: Some("Looking into it".into())
        }
    );
    assert_eq!(
        status("flagged-process@b"),
        Status::Mitigated {
            reference: "PR-12".into()
        }
    );
    assert_eq!(
        status("flagged-process@c"),
        Status::FalsePositive {
            reason: "Test fixture only".into()
        }
    );
    // Valid through the day it expires.
    assert_eq!(
        status("flagged-process@d"),
        Status::Accepted {
            owner: "kim".into(),
            expires: jiff::civil::date(2026, 11, 28),
            reason: Some("Until the migration".into())
        }
    );
    assert_eq!(
        status("flagged-process@e"),
        Status::AcceptanceExpired {
            owner: "kim".into(),
            expired: jiff::civil::date(2026, 11, 27),
            reason: None
        }
    );
    assert_eq!(status("flagged-process@f").as_str(), "accepted");
    assert_eq!(status("flagged-integrity@a"), Status::Open { note: None });
    assert!(analysis.stale.is_empty(), "{:?}", analysis.stale);

    // A day later the acceptance of d has lapsed too.
    let later = run_with(TRACKED, &library(), jiff::civil::date(2026, 11, 29));
    assert_eq!(
        threat(&later, "flagged-process@d").status.as_str(),
        "acceptance_expired"
    );
    assert_eq!(
        threat(&later, "flagged-process@f").status.as_str(),
        "accepted"
    );
}

#[test]
fn an_entry_that_does_not_resolve_leaves_the_threat_open() {
    // Validation reports the missing owner; generation must not hide the threat.
    let text = r#"
version: 1
title: Broken entry
options: { stride_baseline: false }
processes: [{ id: a, name: A, tags: [flagged] }]
risk_tracking:
  flagged-process@a: { status: accepted, expires: 2030-01-01, note: Half written }
"#;
    let parsed = parse_model("m.yaml", text).expect("parses");
    let analysis = analyse(&parsed.model, &parsed.source_map, &library(), today());
    assert_eq!(
        threat(&analysis, "flagged-process@a").status,
        Status::Open {
            note: Some("Half written".into())
        }
    );
}

#[test]
fn every_stale_reason() {
    let text = r#"
version: 1
title: Stale
processes:
  - { id: app, name: App, tags: [flagged] }
  - { id: clean, name: Clean }
  - { id: old, name: Old, out_of_scope: Retired }
data_stores: [{ id: db, name: DB }]
threats:
  - { id: insider, target: app, stride: spoofing, title: Insider, severity: low }
risk_tracking:
  flagged-process@app: { status: open }
  flagged-process@clean: { status: open }
  flagged-process@db: { status: open }
  flagged-flow@app: { status: open }
  stride-spoofing@db: { status: open }
  stride-spoofing@old: { status: open }
  stride-spoofing@ghost: { status: open }
  stride-sneaking@app: { status: open }
  manual.insider@clean: { status: open }
  manual.outsider@app: { status: open }
  no-rule-here@app: { status: open }
  "@app": { status: open }
  "flagged-process@": { status: open }
"#;
    let parsed = parse_model("m.yaml", text).expect("parses");
    let analysis = analyse(&parsed.model, &parsed.source_map, &library(), today());
    let stale: Vec<(&str, StaleReason)> = analysis
        .stale
        .iter()
        .map(|s| (s.key.as_str(), s.reason))
        .collect();
    use StaleReason::*;
    assert_eq!(
        stale,
        [
            ("@app", Malformed),
            ("flagged-flow@app", RuleNoLongerMatches),
            ("flagged-process@", Malformed),
            ("flagged-process@clean", RuleNoLongerMatches),
            ("flagged-process@db", RuleNoLongerMatches),
            ("manual.insider@clean", RuleNoLongerMatches),
            ("manual.outsider@app", UnknownRule),
            ("no-rule-here@app", UnknownRule),
            ("stride-sneaking@app", UnknownRule),
            ("stride-spoofing@db", RuleNoLongerMatches),
            ("stride-spoofing@ghost", NoSuchTarget),
            ("stride-spoofing@old", TargetOutOfScope),
        ]
    );
    // Positions point at the key.
    let ghost = analysis
        .stale
        .iter()
        .find(|s| s.key == "stride-spoofing@ghost")
        .expect("present");
    assert_eq!(
        ghost.position,
        Some(Position {
            line: 18,
            column: 3
        })
    );
    assert_eq!(ghost.reason.as_str(), "no-such-target");
    // The entry that matches is not stale.
    assert!(!stale.iter().any(|(key, _)| *key == "flagged-process@app"));
}

#[test]
fn threats_are_ordered_by_target_then_origin_then_rule() {
    let analysis = run(r#"
version: 1
title: Order
processes:
  - { id: zeta, name: Zeta, tags: [flagged, any] }
  - { id: alpha, name: Alpha }
threats:
  - { id: aaa, target: zeta, stride: spoofing, title: First by name, severity: low }
"#);
    let zeta: Vec<(&str, &Origin)> = analysis
        .threats
        .iter()
        .filter(|t| t.target.id == "zeta")
        .map(|t| (t.rule.as_str(), &t.origin))
        .collect();
    assert_eq!(
        zeta,
        [
            ("any-element", &Origin::Rule),
            ("flagged-capped", &Origin::Rule),
            ("flagged-integrity", &Origin::Rule),
            ("flagged-medium", &Origin::Rule),
            ("flagged-process", &Origin::Rule),
            ("stride-denial-of-service", &Origin::Baseline),
            ("stride-elevation-of-privilege", &Origin::Baseline),
            ("stride-information-disclosure", &Origin::Baseline),
            ("stride-repudiation", &Origin::Baseline),
            ("stride-spoofing", &Origin::Baseline),
            ("stride-tampering", &Origin::Baseline),
            ("manual.aaa", &Origin::Manual),
        ]
    );
    assert_eq!(
        analysis.threats.first().map(|t| t.target.id.as_str()),
        Some("alpha")
    );
    // Deterministic: the same model gives the same analysis.
    assert_eq!(
        analysis,
        run(r#"
version: 1
title: Order
processes:
  - { id: zeta, name: Zeta, tags: [flagged, any] }
  - { id: alpha, name: Alpha }
threats:
  - { id: aaa, target: zeta, stride: spoofing, title: First by name, severity: low }
"#)
    );
}

#[test]
fn gate_counts_open_threats_at_or_over_the_threshold_and_every_lapsed_acceptance() {
    // a: critical open; b: high open; d: low open; e: critical mitigated;
    // f: low, accepted but lapsed.
    let analysis = run(r#"
version: 1
title: Gate
options: { stride_baseline: false }
data_assets:
  - { id: crit, name: Crit, confidentiality: critical, integrity: low, availability: low }
  - { id: high, name: High, confidentiality: high, integrity: low, availability: low }
processes:
  - { id: a, name: A, tags: [flagged], processes: [crit] }
  - { id: b, name: B, tags: [flagged], processes: [high] }
  - { id: d, name: D, tags: [flagged] }
  - { id: e, name: E, tags: [flagged], processes: [crit] }
  - { id: f, name: F, tags: [flagged] }
risk_tracking:
  flagged-process@e: { status: mitigated, reference: PR-1 }
  flagged-process@f: { status: accepted, owner: kim, expires: 2026-01-01 }
"#);
    let only = |rule: &str| Analysis {
        threats: analysis
            .threats
            .iter()
            .filter(|t| t.rule == rule)
            .cloned()
            .collect(),
        stale: Vec::new(),
    };
    let process = only("flagged-process");
    let over = |level: Level| -> Vec<String> {
        process
            .gate(level)
            .over_threshold
            .iter()
            .map(|t| t.target.id.clone())
            .collect()
    };
    assert_eq!(over(Level::Critical), ["a"]);
    assert_eq!(over(Level::High), ["a", "b"]);
    assert_eq!(over(Level::Medium), ["a", "b"]);
    assert_eq!(over(Level::Low), ["a", "b", "d"]);
    for level in Level::ALL {
        let gate = process.gate(level);
        assert_eq!(
            gate.expired
                .iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>(),
            ["flagged-process@f"]
        );
        assert!(!gate.passed());
    }
    // The capped rule never reaches high.
    let capped = only("flagged-capped");
    assert!(capped.gate(Level::High).over_threshold.is_empty());
    // a and b, and e, whose mitigation was recorded for another rule.
    assert_eq!(capped.gate(Level::Medium).over_threshold.len(), 3);
    let clean = Analysis::default();
    assert!(clean.gate(Level::Low).passed());
}

#[test]
fn invalid_models_do_not_panic() {
    let texts = [
        r#"
version: 1
title: Broken references
data_assets: [{ id: x, name: X, confidentiality: high, integrity: high, availability: high }]
processes:
  - { id: app, name: App, processes: [nope, x], tags: [flagged, any] }
  - { id: app, name: Again, tags: [flagged] }
data_stores: [{ id: app-to-ghost, name: Clash, stores: [missing] }]
flows:
  - { id: app-to-ghost, from: app, to: ghost, data: [x, missing], tags: [flagged] }
  - { id: ghost-to-app, from: ghost, to: app }
  - { id: loop, from: app, to: app, crosses: [nowhere], tags: [flagged] }
  - { id: loop, from: app, to: app }
trust_boundaries:
  - { id: a, name: A, members: [b, app] }
  - { id: b, name: B, members: [a, app] }
  - { id: c, name: C, members: [c] }
threats:
  - { id: t, target: ghost, stride: spoofing, title: T, severity: low }
  - { id: u, target: app, stride: spoofing, title: U, severity: low }
  - { id: u, target: app, stride: tampering, title: U again, severity: high }
risk_tracking:
  "@": { status: open }
  "a@b@c": { status: accepted }
"#,
        "version: 2\ntitle: Empty\n",
    ];
    for text in texts {
        let parsed = parse_model("m.yaml", text).expect("parses");
        let analysis = analyse(&parsed.model, &parsed.source_map, &library(), today());
        let ids = ids(&analysis);
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "threat ids are unique: {ids:?}");
        let _ = analyse(
            &parsed.model,
            &parsed.source_map,
            RuleLibrary::builtin(),
            today(),
        );
    }
}

const WEBSHOP: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/threat-models/webshop.yaml"
));

fn webshop(today: jiff::civil::Date) -> Analysis {
    run_with(WEBSHOP, RuleLibrary::builtin(), today)
}

#[test]
fn webshop_tracking_entries_all_match_and_resolve() {
    let analysis = webshop(today());
    assert!(analysis.stale.is_empty(), "{:#?}", analysis.stale);
    assert_eq!(
        threat(&analysis, "unauthenticated-boundary-flow@customer-to-cdn").status,
        Status::Accepted {
            owner: "jane.doe".into(),
            expires: jiff::civil::date(2027, 6, 30),
            reason: Some(
                "Anonymous catalogue browsing is the product; sign-in happens in web-app.".into()
            ),
        }
    );
    assert_eq!(
        threat(&analysis, "secrets-in-configuration@payments").status,
        Status::Mitigated {
            reference: "SEC-412: PSP key moved to Vault".into()
        }
    );
    assert_eq!(
        threat(&analysis, "server-side-request-forgery@api").status,
        Status::Open {
            note: Some("Allow-list planned for Q1".into())
        }
    );
    assert_eq!(
        threat(&analysis, "static-key-across-boundary@payments-to-provider").status,
        Status::FalsePositive {
            reason: "PSP key is per-merchant and IP-bound".into()
        }
    );
    // The acceptance lapses the day after its expiry and then fails any gate.
    let later = webshop(jiff::civil::date(2027, 7, 1));
    let lapsed = threat(&later, "unauthenticated-boundary-flow@customer-to-cdn");
    assert_eq!(lapsed.status.as_str(), "acceptance_expired");
    assert!(later.gate(Level::Critical).expired.contains(&lapsed));
}

#[test]
fn webshop_threats() {
    let analysis = webshop(today());
    let ids = ids(&analysis);
    for id in [
        "unauthenticated-boundary-flow@admin-to-web-app",
        "unauthenticated-internet-process@cdn",
        "unscanned-dependencies@web-app",
        "unaudited-integrity-process@web-app",
        "unaudited-privileged-actions@web-app",
        "stride-spoofing@customer",
        "stride-repudiation@audit-log",
        "stride-tampering@customer-to-cdn",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:#?}");
    }
    for id in [
        // Signed webhook: the signature authenticates the provider.
        "unauthenticated-boundary-flow@provider-webhook",
        // Both ends in the internal network.
        "stride-tampering@api-to-database",
        "static-key-across-boundary@api-to-object-store",
        // The database audits changes; the audit log is append-only.
        "unaudited-integrity-store@database",
        "mutable-audit-log@audit-log",
        // Not a log store.
        "stride-repudiation@database",
    ] {
        assert!(!ids.contains(&id), "{id} unexpected");
    }
    // admin-to-web-app carries orders (integrity high) and customer data
    // (confidentiality high): the max-impact rule with high likelihood is high.
    let admin = threat(&analysis, "unauthenticated-boundary-flow@admin-to-web-app");
    assert_eq!(admin.severity, Level::High);
    assert_eq!(admin.assets, ["customer-pii", "orders"]);
    assert_eq!(admin.target.from.as_deref(), Some("admin"));
    // Every baseline threat is at most medium.
    assert!(
        analysis
            .threats
            .iter()
            .filter(|t| t.origin == Origin::Baseline)
            .all(|t| t.severity <= Level::Medium)
    );
    let summary = analysis.summary();
    assert_eq!(summary.stale, 0);
    assert_eq!(summary.mitigated, 1);
    assert_eq!(summary.false_positive, 1);
    assert_eq!(summary.accepted, 1);
}

/// Generation indexes flows and boundaries instead of scanning them per
/// element, so a model of thousands of elements and a deep boundary
/// nesting is quick.
#[test]
fn large_models_are_analysed_in_one_pass() {
    // Block style: the parser refuses thousands of flow collections.
    let n = 1000;
    let mut text = String::from(
        "version: 1\ntitle: Large\ndata_assets:\n  - id: d\n    name: D\n    \
         confidentiality: high\n    integrity: high\n    availability: high\nprocesses:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  - id: p{i}\n    name: P{i}\n    tags:\n      - flagged\n"
        ));
    }
    text.push_str("flows:\n");
    for i in 1..n {
        text.push_str(&format!(
            "  - id: f{i}\n    from: p{}\n    to: p{i}\n    data:\n      - d\n",
            i - 1
        ));
    }
    text.push_str("trust_boundaries:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - id: b{i}\n    name: B{i}\n    members:\n      - p{i}\n"
        ));
        if i + 1 < n {
            text.push_str(&format!("      - b{}\n", i + 1));
        }
    }
    let analysis = run(&text);
    // Every flow goes one boundary deeper.
    assert!(ids(&analysis).contains(&"stride-tampering@f1"));
    assert!(ids(&analysis).contains(&"flagged-process@p999"));
    assert_eq!(threat(&analysis, "flagged-process@p7").assets, ["d"]);
}

/// A bidirectional flow written from the store's side still carries the
/// process's queries: the built-in injection rules read both directions.
#[test]
fn builtin_injection_rules_read_bidirectional_flows_both_ways() {
    let model = |bidirectional: bool| {
        format!(
            "version: 1
title: Bidi
data_assets: [{{ id: orders, name: Orders, confidentiality: high, integrity: high, availability: low }}]
processes: [{{ id: api, name: API, takes_user_input: true }}]
data_stores: [{{ id: db, name: DB, stores: [orders], query_language: sql }}]
flows: [{{ id: db-to-api, from: db, to: api, bidirectional: {bidirectional}, data: [orders] }}]
"
        )
    };
    let both_ways = run_with(&model(true), RuleLibrary::builtin(), today());
    assert!(
        ids(&both_ways).contains(&"sql-injection@db-to-api"),
        "{:?}",
        ids(&both_ways)
    );
    let one_way = run_with(&model(false), RuleLibrary::builtin(), today());
    assert!(
        !ids(&one_way).contains(&"sql-injection@db-to-api"),
        "{:?}",
        ids(&one_way)
    );
}
