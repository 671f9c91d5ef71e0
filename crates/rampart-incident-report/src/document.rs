//! The report laid out as headings, paragraphs, lists and tables: one
//! layout, drawn by both the Markdown and the HTML renderer, so the two
//! formats cannot drift apart. Cells and lines are plain text; each
//! renderer escapes them for its own format.

use jiff::Timestamp;
use rampart_incident::{CommsScope, LessonKind};

use crate::model::{
    self, Audience, Report, StepSection, TimelineEvent, detection, draft_status, impacts,
    lesson_kind,
};

/// A list entry, possibly with nested lines.
pub(crate) struct ListItem {
    pub text: String,
    pub children: Vec<String>,
}

/// A piece of the document.
pub(crate) enum Block {
    /// A heading of level 2 or 3 (level 1 is the title).
    Heading(u8, String),
    /// A paragraph.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<ListItem>),
    /// A table with a header row.
    Table {
        head: Vec<&'static str>,
        rows: Vec<Vec<String>>,
    },
}

/// The laid-out report.
pub(crate) struct Document {
    pub title: String,
    pub marking: rampart_incident::Tlp,
    pub marking_note: String,
    pub blocks: Vec<Block>,
}

fn time(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_else(|| "—".to_owned())
}

fn or_dash(s: Option<&String>) -> String {
    s.cloned().unwrap_or_else(|| "—".to_owned())
}

fn item(text: String) -> ListItem {
    ListItem {
        text,
        children: Vec::new(),
    }
}

/// A table with only the columns some row has a value for: a column
/// external readers never see is dropped rather than left blank.
fn table(head: Vec<(&'static str, bool)>, rows: Vec<Vec<Option<String>>>) -> Block {
    let keep: Vec<bool> = head
        .iter()
        .enumerate()
        .map(|(i, (_, always))| *always || rows.iter().any(|r| r[i].is_some()))
        .collect();
    Block::Table {
        head: head
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|((h, _), _)| *h)
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .zip(&keep)
                    .filter(|(_, k)| **k)
                    .map(|(c, _)| c.unwrap_or_else(|| "—".to_owned()))
                    .collect()
            })
            .collect(),
    }
}

fn step_block(step: &StepSection, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(
        3,
        format!(
            "{}. {}: {}",
            step.number,
            step.title,
            step.state.as_str().replace('_', " ")
        ),
    ));
    let mut lines = Vec::new();
    if let Some(owner) = &step.owner {
        lines.push(item(format!("Owner: {owner}")));
    }
    if step.started_at.is_some() || step.completed_at.is_some() {
        lines.push(item(format!(
            "Started {}, settled {}",
            time(step.started_at),
            time(step.completed_at)
        )));
    }
    if let Some(rationale) = &step.rationale {
        lines.push(item(format!("Rationale: {rationale}")));
    }
    if let Some(notes) = &step.notes {
        lines.push(item(format!("Notes: {notes}")));
    }
    lines.push(ListItem {
        text: if step.outcomes.is_empty() {
            "Outcome: nothing recorded".to_owned()
        } else {
            "Outcome:".to_owned()
        },
        children: step
            .outcomes
            .iter()
            .map(|o| match &o.recorded_by {
                Some(by) => format!("{} (recorded by {by})", o.text),
                None => o.text.clone(),
            })
            .collect(),
    });
    blocks.push(Block::List(lines));
}

fn timeline_rows(timeline: &[TimelineEvent]) -> Block {
    table(
        vec![
            ("Event time (UTC)", true),
            ("Source time zone", true),
            ("Certainty", true),
            ("What happened", true),
            ("Source", false),
        ],
        timeline
            .iter()
            .map(|e| {
                vec![
                    Some(e.event_time.to_string()),
                    Some(e.timezone.clone()),
                    Some(e.certainty.to_string()),
                    Some(e.description.clone()),
                    e.source.clone(),
                ]
            })
            .collect(),
    )
}

/// One blast-radius answer: what was asked and when, then the services.
fn blast_block(blast: &model::BlastRadius, blocks: &mut Vec<Block>) {
    let mut line = format!(
        "Blast radius of {} as of {}: {} matching, {} undetermined.",
        blast.question,
        blast.as_of,
        blast.total_services,
        blast.undetermined.len()
    );
    if blast.not_shown > 0 {
        line.push_str(&format!(" {} more not shown.", blast.not_shown));
    }
    blocks.push(Block::Paragraph(line));
    let rows = |services: &[model::BlastService], undetermined: bool| {
        services
            .iter()
            .map(|s| {
                vec![
                    Some(s.service.clone()),
                    Some(or_dash(s.team.as_ref())),
                    Some(s.tier.map_or_else(|| "—".to_owned(), |t| t.to_string())),
                    Some(if undetermined {
                        "undetermined".to_owned()
                    } else {
                        "affected".to_owned()
                    }),
                    Some(if s.matches.is_empty() {
                        "—".to_owned()
                    } else {
                        s.matches.join("; ")
                    }),
                ]
            })
            .collect::<Vec<_>>()
    };
    let mut all = rows(&blast.services, false);
    all.extend(rows(&blast.undetermined, true));
    if !all.is_empty() {
        blocks.push(table(
            vec![
                ("Service", true),
                ("Team", true),
                ("Tier", true),
                ("Verdict", true),
                ("Matches", true),
            ],
            all,
        ));
    }
}

/// Lays out `report`.
pub(crate) fn layout(report: &Report) -> Document {
    let h = &report.header;
    let mut b = Vec::new();

    b.push(table(
        vec![("Field", true), ("Value", true)],
        [
            ("Incident", Some(h.id.clone())),
            ("Codename", Some(h.codename.clone())),
            ("Title", Some(h.title.clone())),
            ("Severity", Some(h.severity.to_string())),
            ("Incident marking", Some(h.incident_tlp.to_string())),
            ("Report marking", Some(h.marking.to_string())),
            ("Status", Some(h.status.as_str().to_owned())),
            ("Declared at", Some(h.declared_at.to_string())),
            ("Declared by", h.declared_by.clone()),
            ("Closed at", Some(time(h.closed_at))),
            ("Detected by", Some(detection(h.detected_by).to_owned())),
            ("Report generated at", Some(h.generated_at.to_string())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| vec![Some(k.to_owned()), Some(v)]))
        .collect(),
    ));

    b.push(Block::Heading(2, "Summary".to_owned()));
    if let Some(text) = &report.summary.text {
        b.push(Block::Paragraph(text.clone()));
    }
    b.push(Block::List(
        report.summary.facts.iter().cloned().map(item).collect(),
    ));

    b.push(Block::Heading(2, "Response team".to_owned()));
    if report.team.iter().all(|m| m.user.is_none()) {
        let roles: Vec<&str> = report.team.iter().map(|m| m.role.as_str()).collect();
        b.push(Block::Paragraph(format!(
            "The response team: {}.",
            if roles.is_empty() {
                "no members recorded".to_owned()
            } else {
                roles.join(", ")
            }
        )));
    } else {
        b.push(table(
            vec![("Role", true), ("Member", true), ("Since", false)],
            report
                .team
                .iter()
                .map(|m| {
                    vec![
                        Some(m.role.to_string()),
                        m.user.clone(),
                        m.since.map(|t| t.to_string()),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "The 14 steps".to_owned()));
    for step in &report.steps {
        step_block(step, &mut b);
    }

    b.push(Block::Heading(2, "Attack timeline".to_owned()));
    let window = |span: Option<model::Span>, what: &str| match span {
        Some(s) => format!("{what}: from {} to {}.", s.first, s.last),
        None => format!("{what}: not derivable from the timeline."),
    };
    b.push(Block::List(vec![
        item(window(
            report.window.definite,
            "Window of definite access (confirmed events)",
        )),
        item(window(
            report.window.possible,
            "Window of possible access (confirmed and suspected events)",
        )),
    ]));
    if report.timeline.is_empty() {
        b.push(Block::Paragraph("No attack-timeline entries.".to_owned()));
    } else {
        b.push(timeline_rows(&report.timeline));
    }

    b.push(Block::Heading(2, "Compromised data".to_owned()));
    if report.compromised_data.is_empty() {
        b.push(Block::Paragraph("No data sets recorded.".to_owned()));
    } else {
        b.push(table(
            vec![
                ("Data set", true),
                ("Classification", true),
                ("What happened", true),
                ("Scale", true),
                ("Status", true),
            ],
            report
                .compromised_data
                .iter()
                .map(|d| {
                    vec![
                        Some(d.name.clone()),
                        Some(d.classification.to_string()),
                        Some(impacts(&d.what_happened)),
                        Some(d.scale.clone()),
                        Some(d.status.as_str().replace('_', " ")),
                    ]
                })
                .collect(),
        ));
    }

    // Only the internal report has any: external readers get no section,
    // not even an empty one.
    if !report.blast_radius.is_empty() {
        b.push(Block::Heading(2, "Blast radius".to_owned()));
        for blast in &report.blast_radius {
            blast_block(blast, &mut b);
        }
    }

    b.push(Block::Heading(2, "Indicators of compromise".to_owned()));
    if report.audience == Audience::External {
        b.push(Block::Paragraph(
            "Indicators marked TLP:AMBER, TLP:AMBER+STRICT or TLP:RED are not listed.".to_owned(),
        ));
    }
    if report.indicators.is_empty() {
        b.push(Block::Paragraph("No indicators listed.".to_owned()));
    } else {
        b.push(table(
            vec![
                ("Kind", true),
                ("Value", true),
                ("TLP", true),
                ("PAP", true),
                ("ATT&CK", true),
                ("First seen", true),
                ("Last seen", true),
                ("Description", true),
            ],
            report
                .indicators
                .iter()
                .map(|i| {
                    vec![
                        Some(i.kind.to_string()),
                        Some(i.value.clone()),
                        Some(i.tlp.to_string()),
                        Some(i.pap.to_string()),
                        Some(if i.techniques.is_empty() {
                            "—".to_owned()
                        } else {
                            i.techniques.join(", ")
                        }),
                        Some(time(i.first_seen)),
                        Some(time(i.last_seen)),
                        Some(or_dash(i.description.as_ref())),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Compromised credentials".to_owned()));
    if report.credentials.is_empty() {
        b.push(Block::Paragraph(
            "No credentials in the register.".to_owned(),
        ));
    } else {
        b.push(table(
            vec![
                ("Fingerprint", false),
                ("Credential", true),
                ("Provider", true),
                ("Used in", true),
                ("Owner", false),
                ("Rotated", true),
            ],
            report
                .credentials
                .iter()
                .map(|c| {
                    vec![
                        c.fingerprint.clone(),
                        Some(c.description.clone()),
                        Some(or_dash(c.provider.as_ref())),
                        Some(if c.used_in.is_empty() {
                            "—".to_owned()
                        } else {
                            c.used_in.join(", ")
                        }),
                        c.owner.clone(),
                        Some(match (c.rotated, c.rotated_at) {
                            (true, Some(at)) => format!("yes, at {at}"),
                            (true, None) => "yes".to_owned(),
                            (false, _) => "no".to_owned(),
                        }),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Evidence".to_owned()));
    if report.evidence.is_empty() {
        b.push(Block::Paragraph(format!(
            "{} evidence item(s) collected and kept with a chain of custody.",
            report.evidence_count
        )));
    } else {
        b.push(table(
            vec![
                ("Name", true),
                ("SHA-256", true),
                ("Size (bytes)", true),
                ("Kept", true),
                ("Source", false),
                ("Collected at", false),
                ("Collected by", false),
                ("Description", false),
            ],
            report
                .evidence
                .iter()
                .map(|e| {
                    vec![
                        Some(e.name.clone()),
                        Some(e.sha256.clone()),
                        Some(e.size.map_or_else(|| "—".to_owned(), |s| s.to_string())),
                        Some(e.kept.clone()),
                        e.source.clone(),
                        e.collected_at.map(|t| t.to_string()),
                        e.collected_by.clone(),
                        e.description.clone(),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Forensic analyses".to_owned()));
    if report.analyses.is_empty() {
        b.push(Block::Paragraph("No analyses recorded.".to_owned()));
    } else {
        b.push(table(
            vec![("Analysis", true), ("Method", true), ("Result", true)],
            report
                .analyses
                .iter()
                .map(|a| {
                    vec![
                        Some(a.title.clone()),
                        Some(a.method.clone()),
                        Some(a.result.clone()),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Communications".to_owned()));
    let scope_name = |s: CommsScope| match s {
        CommsScope::Internal => "Internal (step 11)",
        CommsScope::External => "External (step 14)",
    };
    if report.comms_decisions.is_empty() {
        b.push(Block::Paragraph("No decisions recorded.".to_owned()));
    } else {
        b.push(table(
            vec![
                ("Scope", true),
                ("Decision", true),
                ("Rationale", true),
                ("Decided by", false),
            ],
            report
                .comms_decisions
                .iter()
                .map(|d| {
                    vec![
                        Some(scope_name(d.scope).to_owned()),
                        Some(if d.needed { "needed" } else { "not needed" }.to_owned()),
                        Some(d.rationale.clone()),
                        d.decided_by.clone(),
                    ]
                })
                .collect(),
        ));
    }
    if report.drafts.is_empty() {
        b.push(Block::Paragraph("No communications written.".to_owned()));
    } else {
        b.push(Block::List(
            report
                .drafts
                .iter()
                .map(|d| {
                    let mut children: Vec<String> = d
                        .approvals
                        .iter()
                        .map(|a| match &a.by {
                            Some(by) => format!("{} approval by {by} at {}", a.approver, a.at),
                            None => format!("{} approval at {}", a.approver, a.at),
                        })
                        .collect();
                    if let Some(s) = &d.insider_signoff {
                        children.push(match &s.by {
                            Some(by) => format!(
                                "signed off as not an insider attack by {by} at {}: {}",
                                s.at, s.rationale
                            ),
                            None => format!(
                                "signed off as not an insider attack at {}: {}",
                                s.at, s.rationale
                            ),
                        });
                    }
                    ListItem {
                        text: format!(
                            "{} communication \"{}\": {}",
                            d.audience,
                            d.title,
                            draft_status(d)
                        ),
                        children,
                    }
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Law enforcement".to_owned()));
    if report.law_enforcement.is_empty() {
        b.push(Block::Paragraph("No decision recorded.".to_owned()));
    } else {
        b.push(Block::List(
            report
                .law_enforcement
                .iter()
                .map(|l| {
                    let mut children = Vec::new();
                    if let Some(agency) = &l.agency {
                        children.push(format!("Agency: {agency}"));
                    }
                    if let Some(case) = &l.case_reference {
                        children.push(format!("Case reference: {case}"));
                    }
                    if let Some(contact) = &l.contact {
                        children.push(format!("Contact: {contact}"));
                    }
                    if let Some(at) = l.contacted_at {
                        children.push(format!("Contacted at {at}"));
                    }
                    if let Some(why) = &l.rationale {
                        children.push(format!("Why not: {why}"));
                    }
                    ListItem {
                        text: if l.involved {
                            "Law enforcement was involved.".to_owned()
                        } else {
                            "Law enforcement was not involved.".to_owned()
                        },
                        children,
                    }
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Outside parties".to_owned()));
    if report.outside_parties.is_empty() {
        b.push(Block::Paragraph("No outside parties recorded.".to_owned()));
    } else {
        b.push(table(
            vec![
                ("Organisation", true),
                ("Role in the attack", true),
                ("Security contact", false),
                ("Contact verified by", false),
                ("Notified at", true),
                ("Notified by", false),
            ],
            report
                .outside_parties
                .iter()
                .map(|p| {
                    vec![
                        Some(p.organisation.clone()),
                        Some(p.role_in_attack.clone()),
                        p.security_contact.clone(),
                        p.contact_verified_how.clone(),
                        Some(time(p.notified_at)),
                        p.notified_by.clone(),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Action items".to_owned()));
    if report.action_items.is_empty() {
        b.push(Block::Paragraph("No action items.".to_owned()));
    } else {
        b.push(table(
            vec![
                ("Status", true),
                ("Kind", true),
                ("Action", true),
                ("Owner", false),
                ("Due", true),
            ],
            report
                .action_items
                .iter()
                .map(|a| {
                    vec![
                        Some(a.status.as_str().replace('_', " ")),
                        Some(a.kind.to_string()),
                        Some(a.title.clone()),
                        a.owner.clone(),
                        Some(a.due.to_string()),
                    ]
                })
                .collect(),
        ));
    }

    b.push(Block::Heading(2, "Lessons learned".to_owned()));
    for kind in [LessonKind::WentWell, LessonKind::ToImprove] {
        let mut heading = lesson_kind(kind).to_owned();
        heading[..1].make_ascii_uppercase();
        b.push(Block::Heading(3, heading));
        let lessons: Vec<ListItem> = report
            .lessons
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| item(l.lesson.clone()))
            .collect();
        if lessons.is_empty() {
            b.push(Block::Paragraph("None recorded.".to_owned()));
        } else {
            b.push(Block::List(lessons));
        }
    }

    b.push(Block::Heading(2, "Attribution".to_owned()));
    if report.attribution.is_empty() {
        b.push(Block::Paragraph("No attribution recorded.".to_owned()));
    } else {
        b.push(table(
            vec![
                ("Actor", true),
                ("Variety", true),
                ("Motive", true),
                ("Certainty", true),
                ("Grounds", true),
            ],
            report
                .attribution
                .iter()
                .map(|a| {
                    vec![
                        Some(a.actor.to_string()),
                        Some(or_dash(a.variety.as_ref())),
                        Some(or_dash(a.motive.as_ref())),
                        Some(a.certainty.to_string()),
                        Some(a.rationale.clone()),
                    ]
                })
                .collect(),
        ));
    }

    Document {
        title: format!("Post-incident report {} ({})", h.id, h.codename),
        marking: h.marking,
        marking_note: h.prepared_for.clone(),
        blocks: b,
    }
}
