//! What external readers see: every rule of the external report, in one
//! place, one function per kind of record.
//!
//! A function returns `None` to leave a record out entirely, or the record
//! with its restricted fields cleared. The report derives everything else
//! (step outcomes, the access window, the summary's facts) from what these
//! functions return, so a detail removed here cannot reappear elsewhere.
//!
//! People are never named: the report says "the response team" or gives
//! roles. Free text that responders wrote (descriptions, rationales) is kept
//! as written: it is the substance of the report, and its authors were told
//! it may be shared according to the incident's marking.

use std::collections::BTreeSet;

use rampart_incident::{EvidenceStorage, LawEnforcementRecord, StepRecord, Tlp};
use rampart_store::{IncidentState, RecordRow};
use serde_json::Value;

use crate::model::{
    ActionItemLine, Analysis, AttributionLine, CommsDecision, Containment, Credential, DataSet,
    Draft, Entry, Evidence, Header, IndicatorLine, Item, LawEnforcement, Lesson, OutsideParty,
    Report, Risk, StepSection, TeamMember, TimelineEvent,
};

/// The most restrictive indicator marking an external report may carry.
pub(crate) const MAX_INDICATOR_TLP: Tlp = Tlp::Green;

/// The sentence the external header carries.
pub(crate) const PREPARED_FOR: &str = "Prepared for external readers. Left out: indicators \
    marked TLP:AMBER, TLP:AMBER+STRICT or TLP:RED, the names of the people involved, \
    evidence locations and sources, credential fingerprints, law-enforcement contacts, \
    working notes, unsent communications and blast-radius results.";

/// One record as external readers see it, or `None` to leave it out.
pub(crate) fn entry(entry: Entry, withheld: &Withheld) -> Option<Entry> {
    let item = match entry.item {
        Item::Containment(v) => Item::Containment(containment(v)),
        Item::Vector(v) => Item::Vector(v),
        Item::Credential(v) => Item::Credential(credential(v)),
        Item::Asset(v) => Item::Asset(v),
        Item::Timeline(v) => Item::Timeline(timeline(v)),
        Item::Indicator(v) => Item::Indicator(indicator(v, withheld)?),
        Item::Attribution(v) => Item::Attribution(attribution(v)),
        Item::Data(v) => Item::Data(data_set(v)),
        Item::Risk(v) => Item::Risk(risk(v)),
        Item::Action(v) => Item::Action(action_item(v)),
        Item::Lesson(v) => Item::Lesson(lesson(v)),
        Item::Evidence(v) => Item::Evidence(evidence(v)?),
        Item::Analysis(v) => Item::Analysis(analysis(v)),
        Item::Decision(v) => Item::Decision(comms_decision(v)),
        Item::Draft(v) => Item::Draft(draft(v)?),
        Item::Law(v) => Item::Law(law_enforcement(v)),
        Item::Party(v) => Item::Party(outside_party(v)),
        // Which services run what, and where, maps our systems for an
        // attacker; the report says it was assessed (step 7's state) only.
        Item::Blast(_) => return None,
    };
    Some(Entry {
        // Who recorded what is the team's business.
        recorded_by: None,
        item,
        ..entry
    })
}

/// The header: no declarer; the marking is the incident's when it is
/// TLP:CLEAR or TLP:GREEN, else TLP:GREEN — everything TLP:AMBER and
/// stricter has been removed, and the rest is for the community.
pub(crate) fn header(header: &mut Header) {
    header.declared_by = None;
    header.marking = header.incident_tlp.min(Tlp::Green);
    PREPARED_FOR.clone_into(&mut header.prepared_for);
}

/// Members: roles only.
pub(crate) fn team(team: &mut [TeamMember]) {
    for member in team {
        member.user = None;
        member.since = None;
    }
}

/// Steps: no owner, no working notes.
pub(crate) fn step(step: &mut StepSection) {
    step.owner = None;
    step.notes = None;
}

fn containment(v: Containment) -> Containment {
    v
}

/// Credentials: what and where used, whether rotated; no fingerprint (it
/// identifies the secret) and no owner (a person or team).
fn credential(v: Credential) -> Credential {
    Credential {
        fingerprint: None,
        owner: None,
        ..v
    }
}

/// Timeline: what and when; not where we learned it (log names and hosts
/// map our infrastructure).
fn timeline(v: TimelineEvent) -> TimelineEvent {
    TimelineEvent { source: None, ..v }
}

/// Indicators: only TLP:CLEAR and TLP:GREEN ones, and none whose value
/// another rule withholds (a token fingerprint that is also a credential in
/// the register: the credential rule wins).
fn indicator(v: IndicatorLine, withheld: &Withheld) -> Option<IndicatorLine> {
    (v.tlp <= MAX_INDICATOR_TLP && !withheld.values.contains(&v.value)).then_some(v)
}

fn attribution(v: AttributionLine) -> AttributionLine {
    v
}

fn data_set(v: DataSet) -> DataSet {
    v
}

fn risk(v: Risk) -> Risk {
    v
}

/// Action items: no owner.
fn action_item(v: ActionItemLine) -> ActionItemLine {
    ActionItemLine { owner: None, ..v }
}

fn lesson(v: Lesson) -> Lesson {
    v
}

/// Evidence: left out; the report gives the count only.
fn evidence(_: Evidence) -> Option<Evidence> {
    None
}

fn analysis(v: Analysis) -> Analysis {
    v
}

/// Decisions: no decider.
fn comms_decision(v: CommsDecision) -> CommsDecision {
    CommsDecision {
        decided_by: None,
        ..v
    }
}

/// Communications: only those sent, with approvals by role and no names.
fn draft(v: Draft) -> Option<Draft> {
    let sent = v.sent?;
    Some(Draft {
        approvals: v
            .approvals
            .into_iter()
            .map(|a| crate::model::ApprovalLine { by: None, ..a })
            .collect(),
        insider_signoff: v
            .insider_signoff
            .map(|s| crate::model::SignoffLine { by: None, ..s }),
        sent: Some(crate::model::SentLine { by: None, ..sent }),
        ..v
    })
}

/// Law enforcement: whether it was involved, nothing else.
fn law_enforcement(v: LawEnforcement) -> LawEnforcement {
    LawEnforcement {
        record_id: v.record_id,
        involved: v.involved,
        agency: None,
        case_reference: None,
        contact: None,
        contacted_at: None,
        rationale: None,
    }
}

/// Outside parties: organisation, role and when notified; not the contact
/// (often a person) nor who notified them.
fn outside_party(v: OutsideParty) -> OutsideParty {
    OutsideParty {
        security_contact: None,
        contact_verified_how: None,
        notified_by: None,
        ..v
    }
}

/// Values the rules above remove, which free text may still mention: a
/// rationale naming the commander, a timeline description quoting a
/// TLP:RED address. [`scrub`] replaces them wherever responders' prose is
/// drawn.
#[derive(Debug, Default)]
pub(crate) struct Withheld {
    /// People: replaced where they stand as a whole word.
    names: BTreeSet<String>,
    /// Restricted values: replaced wherever they occur.
    values: BTreeSet<String>,
}

impl Withheld {
    /// Everything about `state` and `records` that external readers may not see.
    pub(crate) fn collect(state: &IncidentState, records: &[RecordRow]) -> Self {
        let mut w = Self::default();
        // Empty strings would match everywhere; the domain types forbid
        // them, and this keeps it so.
        let mut name = |n: &str| {
            if !n.trim().is_empty() {
                w.names.insert(n.to_owned());
            }
        };
        name(state.summary.declared_by.as_str());
        for m in &state.access.members {
            name(m.user.as_str());
        }
        for g in &state.access.break_glass {
            name(g.user.as_str());
            name(g.approved_by.as_str());
        }
        for s in &state.steps {
            if let Some(owner) = &s.owner {
                name(owner.as_str());
            }
        }
        for row in records {
            name(row.created_by.as_str());
            match &row.record {
                StepRecord::ActionItem(a) => name(a.owner.as_str()),
                StepRecord::InternalCommsDecision(d) | StepRecord::ExternalCommsDecision(d) => {
                    name(d.decided_by.as_str());
                }
                StepRecord::InternalCommsDraft(d) | StepRecord::ExternalCommsDraft(d) => {
                    for a in &d.approvals {
                        name(a.by.as_str());
                    }
                    if let Some(s) = &d.insider_signoff {
                        name(s.by.as_str());
                    }
                    if let Some(s) = &d.sent {
                        name(s.by.as_str());
                    }
                }
                StepRecord::OutsideParty(p) => {
                    if let Some(by) = &p.notified_by {
                        name(by.as_str());
                    }
                }
                StepRecord::CompromisedCredential(c) => name(c.owner.as_str()),
                _ => {}
            }
        }
        let mut value = |v: &str| {
            if !v.trim().is_empty() {
                w.values.insert(v.to_owned());
            }
        };
        for row in records {
            match &row.record {
                StepRecord::Indicator(i) if i.tlp > MAX_INDICATOR_TLP => value(&i.value),
                StepRecord::CompromisedCredential(c) => value(c.fingerprint.as_str()),
                StepRecord::EvidenceItem(e) => {
                    if let EvidenceStorage::External { location } = &e.storage {
                        value(location.as_str());
                    }
                    for v in [&e.source, &e.collected_by].into_iter().flatten() {
                        value(v.as_str());
                    }
                }
                StepRecord::LawEnforcement(LawEnforcementRecord::Involved {
                    agency,
                    case_reference,
                    contact,
                    ..
                }) => {
                    value(agency.as_str());
                    value(contact.as_str());
                    if let Some(case) = case_reference {
                        value(case.as_str());
                    }
                }
                StepRecord::OutsideParty(p) => value(p.security_contact.as_str()),
                _ => {}
            }
        }
        w
    }
}

/// The fields of a report that hold prose responders wrote. Only these are
/// scrubbed, so identifiers, markings and timestamps keep their form.
const PROSE: &[&str] = &[
    "title",
    "text",
    "description",
    "rationale",
    "scale",
    "name",
    "method",
    "result",
    "lesson",
    "channel",
    "organisation",
    "role_in_attack",
    "variety",
    "motive",
    "provider",
    "used_in",
    "facts",
];

const NAME_REPLACEMENT: &str = "a member of the response team";
const VALUE_REPLACEMENT: &str = "[withheld]";

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// `text` with every whole-word occurrence of `name` replaced.
fn replace_word(text: &str, name: &str, with: &str) -> String {
    if name.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(name) {
        let before = rest[..pos].chars().next_back();
        let after = rest[pos + name.len()..].chars().next();
        out.push_str(&rest[..pos]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(name);
        } else {
            out.push_str(with);
        }
        rest = &rest[pos + name.len()..];
    }
    out.push_str(rest);
    out
}

impl Withheld {
    fn scrub_text(&self, text: &str) -> String {
        let mut values: Vec<&String> = self.values.iter().collect();
        // Longest first, so a value containing another goes whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut out = text.to_owned();
        for v in values {
            out = out.replace(v.as_str(), VALUE_REPLACEMENT);
        }
        let mut names: Vec<&String> = self.names.iter().collect();
        names.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for n in names {
            out = replace_word(&out, n, NAME_REPLACEMENT);
        }
        out
    }

    fn scrub_value(&self, value: &mut Value, prose: bool) {
        match value {
            Value::String(s) if prose => *s = self.scrub_text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_value(v, prose)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    self.scrub_value(v, PROSE.contains(&key.as_str()));
                }
            }
            _ => {}
        }
    }
}

/// The report with every withheld value and name removed from its prose.
pub(crate) fn scrub(report: Report, withheld: &Withheld) -> Report {
    let Ok(mut value) = serde_json::to_value(&report) else {
        return report;
    };
    withheld.scrub_value(&mut value, false);
    // Only `String` fields were changed, so the report reads back. Should
    // that ever fail, every piece of prose goes rather than a restricted
    // value: the report keeps its structure and says nothing.
    serde_json::from_value(value).unwrap_or_else(|_| silenced(report))
}

fn silenced(report: Report) -> Report {
    let mut header = report.header;
    header.title.clone_from(&header.codename);
    Report {
        header,
        summary: crate::model::Summary {
            text: None,
            facts: Vec::new(),
        },
        steps: report
            .steps
            .into_iter()
            .map(|s| StepSection {
                rationale: None,
                outcomes: Vec::new(),
                ..s
            })
            .collect(),
        timeline: Vec::new(),
        compromised_data: Vec::new(),
        indicators: Vec::new(),
        credentials: Vec::new(),
        analyses: Vec::new(),
        comms_decisions: Vec::new(),
        drafts: Vec::new(),
        outside_parties: Vec::new(),
        action_items: Vec::new(),
        lessons: Vec::new(),
        attribution: Vec::new(),
        ..report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_replaced_as_whole_words_only() {
        let with = "X";
        assert_eq!(replace_word("alice said", "alice", with), "X said");
        assert_eq!(replace_word("ask alice.", "alice", with), "ask X.");
        assert_eq!(replace_word("(alice)", "alice", with), "(X)");
        assert_eq!(
            replace_word("malice aforethought", "alice", with),
            "malice aforethought"
        );
        assert_eq!(replace_word("alice-bot", "alice", with), "alice-bot");
        assert_eq!(replace_word("2026-05-01", "05", with), "2026-05-01");
        assert_eq!(replace_word("alice and alice", "alice", with), "X and X");
        assert_eq!(replace_word("ålice alice", "alice", with), "ålice X");
        assert_eq!(replace_word("text", "", with), "text");
    }

    #[test]
    fn scrubbing_touches_prose_only() {
        let mut w = Withheld::default();
        w.names.insert("done".to_owned());
        w.values.insert("203.0.113.66".to_owned());
        let mut value = serde_json::json!({
            "state": "done",
            "rationale": "done by done from 203.0.113.66",
            "outcomes": [{"text": "done"}],
        });
        w.scrub_value(&mut value, false);
        assert_eq!(
            value,
            serde_json::json!({
                "state": "done",
                "rationale": "a member of the response team by a member of the response team from [withheld]",
                "outcomes": [{"text": "a member of the response team"}],
            })
        );
    }
}
