//! The post-incident report: snapshots of both audiences in both formats,
//! the external audience's rules one by one, escaping and determinism.

mod common;

use common::{RESTRICTED, TITLE, generated_at, records, state};
use rampart_incident::Tlp;
use rampart_incident_report::{Audience, build_report, render_html, render_markdown};

fn rendered(audience: Audience) -> (String, String, String) {
    let report = build_report(&state(), &records(), audience, generated_at());
    (
        render_markdown(&report),
        render_html(&report),
        serde_json::to_string(&report).unwrap(),
    )
}

#[test]
fn internal_markdown() {
    insta::assert_snapshot!(rendered(Audience::Internal).0);
}

#[test]
fn internal_html() {
    insta::assert_snapshot!(rendered(Audience::Internal).1);
}

#[test]
fn external_markdown() {
    insta::assert_snapshot!(rendered(Audience::External).0);
}

#[test]
fn external_html() {
    insta::assert_snapshot!(rendered(Audience::External).1);
}

#[test]
fn every_restricted_value_is_in_the_internal_report_and_nowhere_in_the_external_one() {
    let (internal_md, internal_html, _) = rendered(Audience::Internal);
    let (md, html, json) = rendered(Audience::External);
    for (value, rule) in RESTRICTED {
        // The fixture exercises the rule: the internal report shows the value.
        assert!(
            internal_md.contains(value) && internal_html.contains(value),
            "{rule}: {value:?} missing from the internal report"
        );
        for (format, text) in [("markdown", &md), ("html", &html), ("json", &json)] {
            assert!(
                !text.contains(value),
                "{rule}: {value:?} appears in the external {format}"
            );
        }
    }
}

#[test]
fn external_report_keeps_what_may_be_shared() {
    let (md, html, _) = rendered(Audience::External);
    for kept in [
        "TLP:GREEN",
        "198.51.100.0/24",
        "python-requests/2.31",
        "customers table",
        "2 evidence item(s) collected",
        "Law enforcement was involved.",
        "GitForge Inc.",
        "commander approval at 2026-05-08T10:00:00Z",
        "Security notice 2026-05-08",
        "The response team: commander, responder, forensics, legal, communications",
    ] {
        assert!(
            md.contains(kept) || md.contains(&kept.replace('(', r"\(")),
            "markdown lacks {kept:?}"
        );
        assert!(html.contains(kept), "html lacks {kept:?}");
    }
    // The TLP:AMBER incident is marked GREEN for external readers, and the
    // report says whom it is for.
    assert!(md.starts_with("# Post-incident report SEC-2026-0042 (sapphire-unicorn)\n\n**TLP:GREEN** Prepared for external readers."));
    assert!(html.contains("<div class=\"tlp\" style=\"color:#33FF00\">TLP:GREEN</div>"));
    // A name in a rationale and a TLP:AMBER address in a timeline
    // description are replaced, not dropped with their sentence.
    assert!(
        md.contains("engineers must rotate personal tokens, says a member of the response team")
    );
    assert!(md.contains(r"first use of the token from \[withheld\]"));
}

#[test]
fn external_marking_is_the_incidents_when_clear_or_green() {
    for (incident, expected) in [
        (Tlp::Clear, Tlp::Clear),
        (Tlp::Green, Tlp::Green),
        (Tlp::Amber, Tlp::Green),
        (Tlp::AmberStrict, Tlp::Green),
        (Tlp::Red, Tlp::Green),
    ] {
        let mut state = state();
        state.summary.details.tlp = incident;
        let external = build_report(&state, &records(), Audience::External, generated_at());
        assert_eq!(external.header.marking, expected, "{incident}");
        let internal = build_report(&state, &records(), Audience::Internal, generated_at());
        assert_eq!(internal.header.marking, incident);
    }
}

#[test]
fn tlp_banner_colours() {
    for (tlp, colour) in [
        (Tlp::Red, "#FF2B2B"),
        (Tlp::Amber, "#FFC000"),
        (Tlp::AmberStrict, "#FFC000"),
        (Tlp::Green, "#33FF00"),
        (Tlp::Clear, "#FFFFFF"),
    ] {
        let mut state = state();
        state.summary.details.tlp = tlp;
        let html = render_html(&build_report(
            &state,
            &records(),
            Audience::Internal,
            generated_at(),
        ));
        assert!(
            html.contains(&format!(
                "<div class=\"tlp\" style=\"color:{colour}\">{tlp}</div>"
            )),
            "{tlp}"
        );
    }
}

#[test]
fn html_is_escaped_self_contained_and_script_free() {
    for audience in [Audience::Internal, Audience::External] {
        let (_, html, _) = rendered(audience);
        assert!(!html.contains("<script"), "{audience}");
        assert!(html.contains(
            "Leaked CI token &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;db&#39; | exfiltration"
        ));
        for external in [
            "src=", "href=", "@import", "url(", "http://", "<link", "<img",
        ] {
            assert!(!html.contains(external), "{audience}: {external}");
        }
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<style>").count(), 1);
    }
    let (_, html, _) = rendered(Audience::Internal);
    assert!(html.contains("User-Agent of the export script &quot;dumper&quot; &amp; friends"));
}

#[test]
fn markdown_escapes_tables_and_leading_markup() {
    let (md, _, _) = rendered(Audience::Internal);
    assert!(
        md.contains(r#"Leaked CI token \<script\>alert("x")\</script\> \& 'db' \| exfiltration"#)
    );
    assert!(!md.contains(TITLE));
    // The summary starts with `#` and spans two lines: one escaped paragraph.
    assert!(md.contains("\n\\# A GitHub token of the CI bot"));
    assert!(md.contains("customers table. The token was revoked"));
    // A `|` in a timeline description stays inside its cell.
    assert!(md.contains(r"pipeline reads the prod-db secret \| dumps customers"));
    let row = md
        .lines()
        .find(|l| l.starts_with("| 2026-05-01T21:02:00Z"))
        .unwrap();
    let unescaped = row.matches('|').count() - row.matches(r"\|").count();
    assert_eq!(unescaped, 6, "five cells: {row}");
}

#[test]
fn same_input_gives_identical_bytes_whatever_the_record_order() {
    let mut shuffled = records();
    shuffled.reverse();
    shuffled.rotate_left(7);
    for audience in [Audience::Internal, Audience::External] {
        let a = build_report(&state(), &records(), audience, generated_at());
        let b = build_report(&state(), &shuffled, audience, generated_at());
        assert_eq!(a, b);
        assert_eq!(render_markdown(&a), render_markdown(&b));
        assert_eq!(render_html(&a), render_html(&b));
    }
}

#[test]
fn structure_of_the_report() {
    let report = build_report(&state(), &records(), Audience::Internal, generated_at());
    assert_eq!(report.steps.len(), 14);
    // Timeline by event time; the window from confirmed events only.
    let times: Vec<_> = report.timeline.iter().map(|e| e.event_time).collect();
    assert!(times.is_sorted());
    let definite = report.window.definite.unwrap();
    assert_eq!(definite.first.to_string(), "2026-04-28T23:10:00Z");
    assert_eq!(definite.last.to_string(), "2026-05-01T21:40:00Z");
    // Open action items first, then by due date.
    let items: Vec<_> = report
        .action_items
        .iter()
        .map(|a| (a.status.as_str(), a.due.to_string()))
        .collect();
    assert_eq!(
        items,
        [
            ("in_progress", "2026-06-01".to_owned()),
            ("open", "2026-07-01".to_owned()),
            ("done", "2026-05-15".to_owned()),
        ]
    );
    // A not_needed step shows its rationale; step notes are internal.
    assert_eq!(
        report.steps[6].rationale.as_deref(),
        Some("the token reached only the CI and one database")
    );
    // The JSON model round-trips.
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(
        serde_json::from_str::<rampart_incident_report::Report>(&json).unwrap(),
        report
    );
}

#[test]
fn audience_parses() {
    assert_eq!("internal".parse(), Ok(Audience::Internal));
    assert_eq!("external".parse(), Ok(Audience::External));
    assert!("External".parse::<Audience>().is_err());
    assert!("".parse::<Audience>().is_err());
    assert_eq!(
        serde_json::to_string(&Audience::External).unwrap(),
        "\"external\""
    );
}

#[test]
fn blast_radius_is_internal_only() {
    let internal = build_report(&state(), &records(), Audience::Internal, generated_at());
    let [blast] = &internal.blast_radius[..] else {
        panic!("one blast-radius answer expected");
    };
    assert_eq!(blast.question, "package npm lodash <4.17.21");
    assert_eq!((blast.total_services, blast.not_shown), (5, 3));
    let step7 = &internal.steps[6];
    assert_eq!(step7.number, 7);
    assert!(
        step7.outcomes[0]
            .text
            .starts_with("blast radius of package npm lodash")
    );
    assert!(render_markdown(&internal).contains("## Blast radius"));
    assert!(render_html(&internal).contains("<h2>Blast radius</h2>"));

    let external = build_report(&state(), &records(), Audience::External, generated_at());
    assert!(external.blast_radius.is_empty());
    assert!(external.steps[6].outcomes.is_empty());
    let json = serde_json::to_string(&external).unwrap();
    assert!(!json.contains("blast_radius") && !json.contains("lodash"));
    assert!(!render_markdown(&external).contains("## Blast radius"));
    assert!(!render_html(&external).contains("Blast radius"));
}
