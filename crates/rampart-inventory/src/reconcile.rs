//! One upload against what the inventory already knows about the same
//! service and scopes: which findings are new, seen again, fixed or
//! reopened, and which components arrived or went. Pure: the store reads
//! the [`UploadSnapshot`] under its write lock and applies the
//! [`UploadPlan`] in the same transaction.
//!
//! Rules (the plan's section 3.2):
//! * a fingerprint the scope has not seen is a new open finding, due by the
//!   SLA from now (event `detected`);
//! * a known finding that was fixed is reopened: open again, due afresh from
//!   now, its reopen count bumped (event `reopened`);
//! * any other known finding is seen again: its last sighting and what the
//!   tool says about it are refreshed, its triage state is kept;
//! * a change of severity is an event `severity_changed`; a worse one pulls
//!   the due date in to what the new severity allows from first sighting
//!   (never pushes it out);
//! * only a *complete* scope fixes its missing findings (event `fixed`) and
//!   drops its missing components; a partial scope only adds and refreshes;
//! * one upload naming the same finding twice counts it once, at its worst
//!   severity; components are counted once per identity.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use rampart_core::Severity;

use crate::finding::{FindingFingerprint, IncomingFinding};
use crate::upload::{FindingState, IncomingComponent, IncomingUpload, SlaPolicy};

/// A stored finding of one of the upload's scopes, as much as reconcile
/// needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFinding {
    pub id: i64,
    pub scope: String,
    pub fingerprint: FindingFingerprint,
    /// As stored (an expired acceptance is still `AcceptedRisk` here: a
    /// sighting does not change triage).
    pub state: FindingState,
    pub severity: Severity,
    pub due_at: Option<Timestamp>,
    pub first_seen: Timestamp,
}

/// What makes a component the same component from one upload to the next.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentKey {
    pub scope: String,
    pub ecosystem: String,
    pub name: String,
    /// `None`: unresolved.
    pub version: Option<String>,
    pub path: String,
}

impl ComponentKey {
    pub fn of(component: &IncomingComponent) -> Self {
        Self {
            scope: component.scope.clone(),
            ecosystem: component.ecosystem.clone(),
            name: component.name.clone(),
            version: component.version.clone(),
            path: component.path.clone(),
        }
    }
}

/// A stored component of one of the upload's scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownComponent {
    pub id: i64,
    pub key: ComponentKey,
}

/// What the store holds for the upload's service, limited to the scopes
/// the upload covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadSnapshot {
    pub findings: Vec<KnownFinding>,
    pub components: Vec<KnownComponent>,
}

/// A lifecycle event reconcile wants appended to a finding's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    /// `detected`, `reopened`, `severity_changed` or `fixed`.
    pub action: &'static str,
    pub from_state: Option<FindingState>,
    pub to_state: Option<FindingState>,
    /// For `severity_changed`: `"<old> → <new>"`.
    pub reason: Option<String>,
}

/// A finding to insert, open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingInsert {
    pub finding: IncomingFinding,
    pub due_at: Option<Timestamp>,
    /// Always one `detected` event.
    pub events: Vec<PlannedEvent>,
}

/// A known finding reported again: refresh its last sighting and the
/// tool's description (title, detail, path, line, package, ids,
/// suppression, severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRefresh {
    pub id: i64,
    pub finding: IncomingFinding,
    /// The state to store: unchanged, or `Open` when reopened.
    pub state: FindingState,
    /// True when it was fixed and is reported again: the store sets
    /// `reopened_at`, bumps `reopen_count` and clears the triage fields.
    pub reopened: bool,
    /// The due date to store.
    pub due_at: Option<Timestamp>,
    /// `reopened` and/or `severity_changed`; empty for a plain sighting.
    pub events: Vec<PlannedEvent>,
}

/// A known finding its complete scope no longer reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFix {
    pub id: i64,
    pub from_state: FindingState,
    /// Always one `fixed` event.
    pub events: Vec<PlannedEvent>,
}

/// How much an upload changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileTally {
    pub new: u64,
    pub seen_again: u64,
    pub fixed: u64,
    pub reopened: u64,
    pub components_added: u64,
    pub components_removed: u64,
    /// Components of the uploaded scopes once the plan is applied.
    pub components: u64,
    /// Findings the upload named more than once (counted once each).
    pub merged: u64,
}

/// What the store writes for one upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadPlan {
    pub inserts: Vec<FindingInsert>,
    pub refreshes: Vec<FindingRefresh>,
    pub fixes: Vec<FindingFix>,
    pub component_inserts: Vec<IncomingComponent>,
    /// Ids of stored components to delete.
    pub component_deletes: Vec<i64>,
    pub tally: ReconcileTally,
}

fn event(
    action: &'static str,
    from: Option<FindingState>,
    to: Option<FindingState>,
) -> PlannedEvent {
    PlannedEvent {
        action,
        from_state: from,
        to_state: to,
        reason: None,
    }
}

/// The worse of two severities: by threshold rank, then by listing
/// order (so `Medium` beats `Unknown`, which ranks the same).
fn worse(a: Severity, b: Severity) -> Severity {
    let key = |s: Severity| (s.threshold_rank(), std::cmp::Reverse(s.display_rank()));
    if key(b) > key(a) { b } else { a }
}

/// The upload's findings, one per (scope, fingerprint): a repeat keeps the
/// first's description at the worst severity seen, with the union of ids.
fn merge_findings(findings: &[IncomingFinding]) -> (Vec<IncomingFinding>, u64) {
    let mut order: Vec<IncomingFinding> = Vec::with_capacity(findings.len());
    let mut index: HashMap<(&str, &FindingFingerprint), usize> = HashMap::new();
    let mut merged = 0;
    for finding in findings {
        match index.get(&(finding.scope.as_str(), &finding.fingerprint)) {
            Some(&at) => {
                merged += 1;
                let kept = &mut order[at];
                kept.severity = worse(kept.severity, finding.severity);
                let ids: BTreeSet<String> = kept.ids.iter().chain(&finding.ids).cloned().collect();
                kept.ids = ids.into_iter().collect();
            }
            None => {
                index.insert((finding.scope.as_str(), &finding.fingerprint), order.len());
                order.push(finding.clone());
            }
        }
    }
    (order, merged)
}

/// Compares `incoming` with `known` (the stored findings and components of
/// the upload's scopes for its service) and plans the writes.
pub fn reconcile(
    known: &UploadSnapshot,
    incoming: &IncomingUpload,
    now: Timestamp,
    sla: &SlaPolicy,
) -> UploadPlan {
    let mut plan = UploadPlan::default();
    let (findings, merged) = merge_findings(&incoming.findings);
    plan.tally.merged = merged;

    let stored: HashMap<(&str, &FindingFingerprint), &KnownFinding> = known
        .findings
        .iter()
        .map(|f| ((f.scope.as_str(), &f.fingerprint), f))
        .collect();
    let mut reported: BTreeSet<(&str, &FindingFingerprint)> = BTreeSet::new();
    for finding in &findings {
        reported.insert((finding.scope.as_str(), &finding.fingerprint));
        let Some(old) = stored.get(&(finding.scope.as_str(), &finding.fingerprint)) else {
            plan.tally.new += 1;
            plan.inserts.push(FindingInsert {
                finding: finding.clone(),
                due_at: sla.due_at(finding.severity, now),
                events: vec![event("detected", None, Some(FindingState::Open))],
            });
            continue;
        };
        let mut events = Vec::new();
        let reopened = old.state == FindingState::Fixed;
        let (state, mut due_at) = if reopened {
            plan.tally.reopened += 1;
            events.push(event(
                "reopened",
                Some(FindingState::Fixed),
                Some(FindingState::Open),
            ));
            (FindingState::Open, sla.due_at(finding.severity, now))
        } else {
            plan.tally.seen_again += 1;
            (old.state, old.due_at)
        };
        if finding.severity != old.severity {
            events.push(PlannedEvent {
                reason: Some(format!("{} → {}", old.severity, finding.severity)),
                ..event("severity_changed", Some(state), Some(state))
            });
            let got_worse = finding.severity.threshold_rank() > old.severity.threshold_rank();
            if got_worse && !reopened {
                // A due date only ever moves in: a finding that became
                // critical is due when a critical one first seen then
                // would have been, unless it was due sooner already.
                due_at = match (due_at, sla.due_at(finding.severity, old.first_seen)) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        plan.refreshes.push(FindingRefresh {
            id: old.id,
            finding: finding.clone(),
            state,
            reopened,
            due_at,
            events,
        });
    }

    let complete: BTreeSet<&str> = incoming
        .scopes
        .iter()
        .filter(|s| s.complete)
        .map(|s| s.scope.as_str())
        .collect();
    for old in &known.findings {
        if complete.contains(old.scope.as_str())
            && old.state != FindingState::Fixed
            && !reported.contains(&(old.scope.as_str(), &old.fingerprint))
        {
            plan.tally.fixed += 1;
            plan.fixes.push(FindingFix {
                id: old.id,
                from_state: old.state,
                events: vec![event("fixed", Some(old.state), Some(FindingState::Fixed))],
            });
        }
    }

    let stored_components: BTreeMap<&ComponentKey, i64> =
        known.components.iter().map(|c| (&c.key, c.id)).collect();
    let mut uploaded: BTreeSet<ComponentKey> = BTreeSet::new();
    for component in &incoming.components {
        let key = ComponentKey::of(component);
        if stored_components.contains_key(&key) || uploaded.contains(&key) {
            uploaded.insert(key);
            continue;
        }
        uploaded.insert(key);
        plan.component_inserts.push(component.clone());
    }
    for old in &known.components {
        if complete.contains(old.key.scope.as_str()) && !uploaded.contains(&old.key) {
            plan.component_deletes.push(old.id);
        }
    }
    plan.tally.components_added = plan.component_inserts.len() as u64;
    plan.tally.components_removed = plan.component_deletes.len() as u64;
    plan.tally.components = (known.components.len() + plan.component_inserts.len()
        - plan.component_deletes.len()) as u64;
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{FindingDetail, FingerprintOrigin, IncomingKind};
    use crate::upload::{UploadFormat, UploadScope};

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    const NOW: &str = "2026-11-28T10:00:00Z";
    const EARLIER: &str = "2026-11-01T10:00:00Z";

    fn fp(n: u8) -> FindingFingerprint {
        FindingFingerprint::from_parts(&["test", &n.to_string()])
    }

    fn finding(scope: &str, n: u8, severity: Severity) -> IncomingFinding {
        IncomingFinding {
            scope: scope.into(),
            fingerprint: fp(n),
            fingerprint_origin: FingerprintOrigin::Rampart,
            kind: IncomingKind::Vulnerability,
            rule_id: format!("CVE-2026-{n:04}"),
            title: format!("finding {n}"),
            severity,
            path: None,
            line: None,
            package: None,
            ids: vec![format!("CVE-2026-{n:04}")],
            detail: FindingDetail::default(),
            local_suppression: None,
        }
    }

    fn known(id: i64, scope: &str, n: u8, state: FindingState, severity: Severity) -> KnownFinding {
        KnownFinding {
            id,
            scope: scope.into(),
            fingerprint: fp(n),
            state,
            severity,
            due_at: SlaPolicy::default().due_at(severity, ts(EARLIER)),
            first_seen: ts(EARLIER),
        }
    }

    fn upload(scopes: &[(&str, bool)], findings: Vec<IncomingFinding>) -> IncomingUpload {
        IncomingUpload {
            format: UploadFormat::Scan,
            scopes: scopes
                .iter()
                .map(|(scope, complete)| UploadScope {
                    scope: (*scope).into(),
                    complete: *complete,
                })
                .collect(),
            findings,
            components: Vec::new(),
            tool: None,
            commit: None,
            run: None,
            digest: "d".into(),
            skipped: 0,
        }
    }

    fn component(scope: &str, name: &str, version: Option<&str>) -> IncomingComponent {
        IncomingComponent {
            scope: scope.into(),
            ecosystem: "npm".into(),
            name: name.into(),
            version: version.map(Into::into),
            purl: None,
            path: "package-lock.json".into(),
        }
    }

    const DEPS: &str = "rampart:deps";
    const SECRETS: &str = "rampart:secrets";

    /// One row per rule: what is known, what arrives, and the tally.
    #[test]
    fn case_table() {
        use FindingState::*;
        use Severity::*;
        struct Case {
            name: &'static str,
            known: Vec<KnownFinding>,
            upload: IncomingUpload,
            // new, seen_again, fixed, reopened, merged
            tally: [u64; 5],
        }
        let cases = [
            Case {
                name: "new",
                known: vec![],
                upload: upload(&[(DEPS, true)], vec![finding(DEPS, 1, High)]),
                tally: [1, 0, 0, 0, 0],
            },
            Case {
                name: "seen again",
                known: vec![known(7, DEPS, 1, Open, High)],
                upload: upload(&[(DEPS, true)], vec![finding(DEPS, 1, High)]),
                tally: [0, 1, 0, 0, 0],
            },
            Case {
                name: "complete scope fixes what is missing",
                known: vec![
                    known(7, DEPS, 1, Open, High),
                    known(8, DEPS, 2, Fixed, High),
                ],
                upload: upload(&[(DEPS, true)], vec![]),
                tally: [0, 0, 1, 0, 0],
            },
            Case {
                name: "fixed reopens",
                known: vec![known(7, DEPS, 1, Fixed, High)],
                upload: upload(&[(DEPS, false)], vec![finding(DEPS, 1, High)]),
                tally: [0, 0, 0, 1, 0],
            },
            Case {
                name: "partial never fixes",
                known: vec![known(7, DEPS, 1, Open, High)],
                upload: upload(&[(DEPS, false)], vec![finding(DEPS, 2, Low)]),
                tally: [1, 0, 0, 0, 0],
            },
            Case {
                name: "scopes are independent",
                known: vec![known(7, SECRETS, 1, Open, High)],
                upload: upload(&[(DEPS, true)], vec![finding(DEPS, 1, High)]),
                tally: [1, 0, 0, 0, 0],
            },
            Case {
                name: "duplicates merge",
                known: vec![],
                upload: upload(
                    &[(DEPS, true)],
                    vec![finding(DEPS, 1, Low), finding(DEPS, 1, Critical)],
                ),
                tally: [1, 0, 0, 0, 1],
            },
            Case {
                name: "triaged findings are fixed too when gone",
                known: vec![known(7, DEPS, 1, FalsePositive, High)],
                upload: upload(&[(DEPS, true)], vec![]),
                tally: [0, 0, 1, 0, 0],
            },
        ];
        for case in cases {
            let snapshot = UploadSnapshot {
                findings: case.known,
                components: vec![],
            };
            let plan = reconcile(&snapshot, &case.upload, ts(NOW), &SlaPolicy::default());
            let t = plan.tally;
            assert_eq!(
                [t.new, t.seen_again, t.fixed, t.reopened, t.merged],
                case.tally,
                "{}",
                case.name
            );
            assert_eq!(plan.inserts.len() as u64, t.new, "{}", case.name);
            assert_eq!(plan.fixes.len() as u64, t.fixed, "{}", case.name);
            assert_eq!(
                plan.refreshes.len() as u64,
                t.seen_again + t.reopened,
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn new_findings_are_open_and_due_by_the_sla() {
        let plan = reconcile(
            &UploadSnapshot::default(),
            &upload(&[(DEPS, true)], vec![finding(DEPS, 1, Severity::Critical)]),
            ts(NOW),
            &SlaPolicy::default(),
        );
        let insert = &plan.inserts[0];
        assert_eq!(insert.due_at, Some(ts("2026-12-05T10:00:00Z")));
        assert_eq!(insert.events[0].action, "detected");
        assert_eq!(insert.events[0].to_state, Some(FindingState::Open));
    }

    #[test]
    fn duplicate_keeps_the_worst_severity_and_all_ids() {
        let mut second = finding(DEPS, 1, Severity::Critical);
        second.ids = vec!["GHSA-2222-3333-4444".into()];
        let plan = reconcile(
            &UploadSnapshot::default(),
            &upload(
                &[(DEPS, true)],
                vec![finding(DEPS, 1, Severity::Low), second],
            ),
            ts(NOW),
            &SlaPolicy::default(),
        );
        assert_eq!(plan.inserts.len(), 1);
        let kept = &plan.inserts[0].finding;
        assert_eq!(kept.severity, Severity::Critical);
        assert_eq!(kept.ids, ["CVE-2026-0001", "GHSA-2222-3333-4444"]);
        assert_eq!(worse(Severity::Unknown, Severity::Medium), Severity::Medium);
    }

    #[test]
    fn reopen_is_open_again_and_due_afresh() {
        let plan = reconcile(
            &UploadSnapshot {
                findings: vec![known(7, DEPS, 1, FindingState::Fixed, Severity::High)],
                components: vec![],
            },
            &upload(&[(DEPS, true)], vec![finding(DEPS, 1, Severity::High)]),
            ts(NOW),
            &SlaPolicy::default(),
        );
        let refresh = &plan.refreshes[0];
        assert!(refresh.reopened);
        assert_eq!(refresh.state, FindingState::Open);
        assert_eq!(refresh.due_at, Some(ts("2026-12-28T10:00:00Z")));
        assert_eq!(refresh.events[0].action, "reopened");
    }

    #[test]
    fn triage_state_is_kept_on_a_sighting() {
        let plan = reconcile(
            &UploadSnapshot {
                findings: vec![known(
                    7,
                    DEPS,
                    1,
                    FindingState::AcceptedRisk,
                    Severity::High,
                )],
                components: vec![],
            },
            &upload(&[(DEPS, true)], vec![finding(DEPS, 1, Severity::High)]),
            ts(NOW),
            &SlaPolicy::default(),
        );
        let refresh = &plan.refreshes[0];
        assert_eq!(refresh.state, FindingState::AcceptedRisk);
        assert!(!refresh.reopened);
        assert!(refresh.events.is_empty());
        assert_eq!(
            refresh.due_at,
            SlaPolicy::default().due_at(Severity::High, ts(EARLIER))
        );
    }

    #[test]
    fn worse_severity_moves_the_due_date_in_never_out() {
        let sla = SlaPolicy::default();
        let snapshot = UploadSnapshot {
            findings: vec![known(7, DEPS, 1, FindingState::Open, Severity::Medium)],
            components: vec![],
        };
        let plan = reconcile(
            &snapshot,
            &upload(&[(DEPS, true)], vec![finding(DEPS, 1, Severity::Critical)]),
            ts(NOW),
            &sla,
        );
        let refresh = &plan.refreshes[0];
        assert_eq!(refresh.due_at, sla.due_at(Severity::Critical, ts(EARLIER)));
        assert_eq!(refresh.events[0].action, "severity_changed");
        assert_eq!(
            refresh.events[0].reason.as_deref(),
            Some("medium → critical")
        );

        let plan = reconcile(
            &snapshot,
            &upload(&[(DEPS, true)], vec![finding(DEPS, 1, Severity::Low)]),
            ts(NOW),
            &sla,
        );
        let refresh = &plan.refreshes[0];
        assert_eq!(refresh.due_at, sla.due_at(Severity::Medium, ts(EARLIER)));
        assert_eq!(refresh.events.len(), 1);
    }

    #[test]
    fn components_diff_on_complete_scopes_only() {
        let key = |scope: &str, name: &str, version: Option<&str>| {
            ComponentKey::of(&component(scope, name, version))
        };
        let snapshot = UploadSnapshot {
            findings: vec![],
            components: vec![
                KnownComponent {
                    id: 1,
                    key: key(DEPS, "lodash", Some("4.17.20")),
                },
                KnownComponent {
                    id: 2,
                    key: key(DEPS, "left-pad", None),
                },
                KnownComponent {
                    id: 3,
                    key: key("sbom:app", "react", Some("18.0.0")),
                },
            ],
        };
        let mut incoming = upload(&[(DEPS, true), ("sbom:app", false)], vec![]);
        incoming.components = vec![
            component(DEPS, "lodash", Some("4.17.20")),
            component(DEPS, "lodash", Some("4.17.21")),
            component(DEPS, "lodash", Some("4.17.21")),
            component("sbom:app", "vue", Some("3.0.0")),
        ];
        let plan = reconcile(&snapshot, &incoming, ts(NOW), &SlaPolicy::default());
        assert_eq!(
            plan.component_inserts,
            vec![
                component(DEPS, "lodash", Some("4.17.21")),
                component("sbom:app", "vue", Some("3.0.0"))
            ]
        );
        assert_eq!(plan.component_deletes, vec![2]);
        assert_eq!(plan.tally.components_added, 2);
        assert_eq!(plan.tally.components_removed, 1);
        assert_eq!(plan.tally.components, 4);
    }

    #[test]
    fn suppressed_findings_are_recorded() {
        let mut suppressed = finding(DEPS, 1, Severity::High);
        suppressed.local_suppression = Some(crate::finding::LocalSuppression {
            source: "rampart.toml".into(),
            reason: Some("not reachable".into()),
        });
        let plan = reconcile(
            &UploadSnapshot::default(),
            &upload(&[(DEPS, true)], vec![suppressed.clone()]),
            ts(NOW),
            &SlaPolicy::default(),
        );
        assert_eq!(plan.inserts[0].finding, suppressed);
    }
}
