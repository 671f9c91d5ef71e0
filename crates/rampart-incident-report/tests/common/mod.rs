//! A realistic incident, built in code: a CI token leaked in a public
//! repository was used to read the production database's credentials from
//! the CI secrets and copy the customer database out.
//!
//! Values that external readers must never see are collected in
//! [`RESTRICTED`], so each rule is checked against the rendered output.

#![allow(dead_code)]

use jiff::Timestamp;
use rampart_incident::{
    AccessFacts, Codename, DetectionSource, IncidentId, IncidentMember, IncidentSeverity,
    MemberRole, NonEmptyText, Step, StepEntry, StepFacts, StepRecord, StepState, Tlp, UserName,
};
use rampart_store::{
    IncidentDetails, IncidentState, IncidentStatus, IncidentSummary, RecordRow, StepRow,
};
use serde_json::{Value, json};

pub fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn user(name: &str) -> UserName {
    UserName::parse(name).unwrap()
}

/// The title carries markup and quotes so the renderers' escaping is tested
/// on every snapshot.
pub const TITLE: &str = r#"Leaked CI token <script>alert("x")</script> & 'db' | exfiltration"#;

pub const GENERATED_AT: &str = "2026-05-20T09:00:00Z";

/// Restricted values of the fixture, each with the rule that hides it.
pub const RESTRICTED: &[(&str, &str)] = &[
    ("203.0.113.66", "TLP:AMBER indicator"),
    ("exfil-drop.example", "TLP:AMBER+STRICT indicator"),
    ("c2-relay.example", "TLP:RED indicator"),
    (
        "alice",
        "member name (commander, declarer, owner, approver)",
    ),
    ("bob-ops", "member name (responder, step owner, sender)"),
    ("carol", "member name (forensics, recorder)"),
    ("lena.legal", "member name (legal approver, decider)"),
    ("dave.comms", "member name (communications, notifier)"),
    ("evidence safe B, shelf 2", "external evidence location"),
    ("Northwind Forensics GmbH", "evidence collected_by"),
    ("/var/log/nginx on edge-2", "evidence source"),
    ("4b6f3c1d2e5a7980a1b2c3d4e5f60718", "credential fingerprint"),
    ("platform-team-lead", "credential owner"),
    ("KHK Rostock 2026/4711", "law-enforcement case reference"),
    ("Kommissarin Roth", "law-enforcement contact"),
    ("LKA Cybercrime", "law-enforcement agency"),
    ("WORKING NOTE", "step notes"),
    ("Unsent draft", "unsent communication"),
    ("psirt@gitforge.example", "outside party security contact"),
    ("cloudtrail export on s3", "attack-timeline source"),
    ("ledger-service", "blast-radius service"),
    ("apps/ledger/package-lock.json", "blast-radius match"),
];

fn step_rows() -> Vec<StepRow> {
    let done = |step: Step, started: &str, completed: &str| StepEntry {
        step,
        state: StepState::Done,
        rationale: None,
        started_at: Some(at(started)),
        completed_at: Some(at(completed)),
    };
    let mut rows: Vec<StepRow> = Step::ALL
        .iter()
        .map(|&step| StepRow {
            entry: done(step, "2026-05-02T08:00:00Z", "2026-05-10T17:00:00Z"),
            owner: Some(user("bob-ops")),
            notes: None,
        })
        .collect();
    rows[0].entry = done(
        Step::StopAttack,
        "2026-05-01T22:10:00Z",
        "2026-05-01T22:40:00Z",
    );
    rows[0].notes = Some("WORKING NOTE: check the runner cache too".to_owned());
    rows[2].entry.rationale = Some(
        NonEmptyText::parse(
            "rationale",
            "containment is not a quick fix: the token is used by 40 pipelines",
        )
        .unwrap(),
    );
    rows[2].owner = Some(user("alice"));
    rows[9].owner = Some(user("carol"));
    rows[10].owner = Some(user("dave.comms"));
    rows[11].owner = Some(user("lena.legal"));
    rows[13] = StepRow {
        entry: StepEntry {
            step: Step::ExternalCommunication,
            state: StepState::InProgress,
            rationale: None,
            started_at: Some(at("2026-05-08T09:00:00Z")),
            completed_at: None,
        },
        owner: Some(user("dave.comms")),
        notes: None,
    };
    rows[6].entry = StepEntry {
        step: Step::AssessRiskToOtherSystems,
        state: StepState::NotNeeded,
        rationale: Some(
            NonEmptyText::parse(
                "rationale",
                "the token reached only the CI and one database",
            )
            .unwrap(),
        ),
        started_at: None,
        completed_at: Some(at("2026-05-03T12:00:00Z")),
    };
    rows
}

pub fn state() -> IncidentState {
    let members = [
        ("alice", MemberRole::Commander, "2026-05-01T22:05:00Z"),
        ("bob-ops", MemberRole::Responder, "2026-05-01T22:20:00Z"),
        ("carol", MemberRole::Forensics, "2026-05-02T08:00:00Z"),
        ("lena.legal", MemberRole::Legal, "2026-05-02T09:30:00Z"),
        (
            "dave.comms",
            MemberRole::Communications,
            "2026-05-02T10:00:00Z",
        ),
    ];
    IncidentState {
        summary: IncidentSummary {
            id: IncidentId::new(2026, 42).unwrap(),
            codename: Codename::parse("sapphire-unicorn").unwrap(),
            details: IncidentDetails {
                title: TITLE.to_owned(),
                summary: Some(
                    "# A GitHub token of the CI bot, committed to a public repository, was used \
                     to read the production database password from the CI secrets and copy the \
                     customers table.\nThe token was revoked within an hour of detection."
                        .to_owned(),
                ),
                severity: IncidentSeverity::Sev1,
                tlp: Tlp::Amber,
                detected_by: DetectionSource::Person,
            },
            status: IncidentStatus::Closed,
            declared_by: user("alice"),
            declared_at: at("2026-05-01T22:00:00Z"),
            closed_at: Some(at("2026-05-19T16:00:00Z")),
            version: 57,
        },
        access: AccessFacts {
            members: members
                .iter()
                .map(|(name, role, _)| IncidentMember {
                    user: user(name),
                    role: *role,
                })
                .collect(),
            break_glass: Vec::new(),
        },
        member_since: members.iter().map(|(_, _, t)| at(t)).collect(),
        steps: step_rows(),
        facts: StepFacts::default(),
    }
}

fn row(id: i64, by: &str, created: &str, kind: &str, record: Value) -> RecordRow {
    let record: StepRecord = serde_json::from_value(json!({"kind": kind, "record": record}))
        .unwrap_or_else(|e| {
            panic!("fixture record {id} ({kind}): {e}");
        });
    RecordRow {
        id,
        step: record.step(),
        record,
        created_by: user(by),
        created_at: at(created),
        updated_at: None,
    }
}

/// Every record of the incident, deliberately not in id order.
pub fn records() -> Vec<RecordRow> {
    let mut rows = vec![
        row(
            31,
            "bob-ops",
            "2026-05-01T22:15:00Z",
            "containment_action",
            json!({
            "what_stopped": "running export job on ci-runner-3",
            "how": "cancelled the pipeline and stopped the runner",
            "at": "2026-05-01T22:12:00Z"}),
        ),
        row(
            30,
            "bob-ops",
            "2026-05-01T22:41:00Z",
            "containment_action",
            json!({
            "what_stopped": "CI bot token",
            "how": "revoked the token in GitHub",
            "at": "2026-05-01T22:35:00Z"}),
        ),
        row(
            32,
            "bob-ops",
            "2026-05-01T23:00:00Z",
            "attack_vector",
            json!({
            "kind": "token", "description": "GitHub PAT of the CI bot",
            "cut_off": "revoked", "verified": true}),
        ),
        row(
            33,
            "bob-ops",
            "2026-05-02T09:00:00Z",
            "attack_vector",
            json!({
            "kind": "endpoint", "description": "CI secrets API readable by any pipeline token",
            "cut_off": "patched", "verified": false}),
        ),
        row(
            34,
            "carol",
            "2026-05-02T10:00:00Z",
            "compromised_credential",
            json!({
            "fingerprint": "4b6f3c1d2e5a7980a1b2c3d4e5f60718",
            "description": "CI bot GitHub token ghp_…",
            "provider": "GitHub", "used_in": ["ci pipelines", "release job"],
            "owner": "platform-team-lead", "rotated": true,
            "rotated_at": "2026-05-01T22:35:00Z"}),
        ),
        row(
            35,
            "carol",
            "2026-05-02T10:05:00Z",
            "compromised_credential",
            json!({
            "fingerprint": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "description": "prod-db password for the app user",
            "used_in": ["api", "billing"], "owner": "dba on call"}),
        ),
        row(
            36,
            "bob-ops",
            "2026-05-02T11:00:00Z",
            "affected_asset",
            json!({
            "kind": "database", "name": "db-prod-3", "isolation": "read_only",
            "how": "revoked the app user's network access, snapshot kept"}),
        ),
        row(
            37,
            "bob-ops",
            "2026-05-02T11:05:00Z",
            "affected_asset",
            json!({
            "kind": "service", "name": "ci-runner-3", "isolation": "isolated",
            "how": "security group deny-all"}),
        ),
        row(
            40,
            "carol",
            "2026-05-03T09:00:00Z",
            "attack_timeline_entry",
            json!({
            "event_time": "2026-04-28T23:10:00Z", "recorded_at": "2026-05-03T09:00:00Z",
            "timezone": "Europe/Berlin", "source": "GitHub audit log",
            "certainty": "confirmed",
            "description": "token committed to the public repo acme/tools"}),
        ),
        row(
            41,
            "carol",
            "2026-05-03T09:10:00Z",
            "attack_timeline_entry",
            json!({
            "event_time": "2026-05-01T02:14:00Z", "recorded_at": "2026-05-03T09:10:00Z",
            "timezone": "UTC", "source": "cloudtrail export on s3",
            "certainty": "suspected",
            "description": "first use of the token from 203.0.113.66 (listing repositories)"}),
        ),
        row(
            42,
            "carol",
            "2026-05-03T09:20:00Z",
            "attack_timeline_entry",
            json!({
            "event_time": "2026-05-01T21:02:00Z", "recorded_at": "2026-05-03T09:20:00Z",
            "timezone": "+02:00", "source": "CI job logs",
            "certainty": "confirmed",
            "description": "pipeline reads the prod-db secret | dumps customers"}),
        ),
        row(
            43,
            "carol",
            "2026-05-03T09:30:00Z",
            "attack_timeline_entry",
            json!({
            "event_time": "2026-05-01T21:40:00Z", "recorded_at": "2026-05-03T09:30:00Z",
            "timezone": "UTC", "source": "db-prod-3 query log",
            "certainty": "confirmed",
            "description": "customers table copied out (SELECT * … INTO OUTFILE)"}),
        ),
        row(
            50,
            "carol",
            "2026-05-03T10:00:00Z",
            "indicator",
            json!({
            "kind": "ip", "value": "203.0.113.66", "tlp": "TLP:AMBER", "pap": "PAP:AMBER",
            "description": "source of the token's API calls",
            "first_seen": "2026-05-01T02:14:00Z", "last_seen": "2026-05-01T21:45:00Z",
            "techniques": ["T1078.004"], "timeline_entries": [41]}),
        ),
        row(
            51,
            "carol",
            "2026-05-03T10:01:00Z",
            "indicator",
            json!({
            "kind": "domain", "value": "exfil-drop.example", "tlp": "TLP:AMBER+STRICT",
            "pap": "PAP:RED", "description": "drop for the dump",
            "techniques": ["T1567"]}),
        ),
        row(
            52,
            "carol",
            "2026-05-03T10:02:00Z",
            "indicator",
            json!({
            "kind": "domain", "value": "c2-relay.example", "tlp": "TLP:RED", "pap": "PAP:RED",
            "techniques": ["T1071.001"]}),
        ),
        row(
            53,
            "carol",
            "2026-05-03T10:03:00Z",
            "indicator",
            json!({
            "kind": "token_fingerprint", "value": "4b6f3c1d2e5a7980a1b2c3d4e5f60718",
            "tlp": "TLP:GREEN", "pap": "PAP:GREEN",
            "description": "the leaked CI token", "techniques": ["T1552.001", "T1078.004"],
            "first_seen": "2026-04-28T23:10:00Z"}),
        ),
        row(
            54,
            "carol",
            "2026-05-03T10:04:00Z",
            "indicator",
            json!({
            "kind": "user_agent", "value": "python-requests/2.31 'dumper'",
            "tlp": "TLP:CLEAR", "pap": "PAP:CLEAR",
            "description": "User-Agent of the export script \"dumper\" & friends"}),
        ),
        row(
            55,
            "carol",
            "2026-05-03T10:05:00Z",
            "indicator",
            json!({
            "kind": "file_hash",
            "value": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "tlp": "TLP:GREEN", "pap": "PAP:GREEN", "description": "export script"}),
        ),
        row(
            56,
            "carol",
            "2026-05-03T10:06:00Z",
            "indicator",
            json!({
            "kind": "cidr", "value": "198.51.100.0/24", "tlp": "TLP:GREEN",
            "pap": "PAP:GREEN", "description": "hosting range of the runner pool used"}),
        ),
        row(
            57,
            "carol",
            "2026-05-03T11:00:00Z",
            "attribution",
            json!({
            "actor": "external", "variety": "organized crime", "motive": "financial",
            "certainty": "suspected",
            "rationale": "dump offered for sale on a forum two days later"}),
        ),
        row(
            60,
            "carol",
            "2026-05-04T09:00:00Z",
            "compromised_data_set",
            json!({
            "name": "customers table", "classification": "restricted",
            "what_happened": ["read", "copied"], "scale": "~12,000 rows",
            "status": "confirmed"}),
        ),
        row(
            61,
            "carol",
            "2026-05-04T09:10:00Z",
            "compromised_data_set",
            json!({
            "name": "orders table", "classification": "confidential",
            "what_happened": ["read"], "scale": "unknown", "status": "possible"}),
        ),
        row(
            62,
            "carol",
            "2026-05-04T09:20:00Z",
            "compromised_data_set",
            json!({
            "name": "payment tokens", "classification": "restricted",
            "what_happened": ["read"], "scale": "none", "status": "ruled_out"}),
        ),
        row(
            70,
            "alice",
            "2026-05-05T09:00:00Z",
            "re_attack_assessment",
            json!({
            "likelihood": "medium", "can_patch_ourselves": true,
            "rationale": "the same pattern works against every repo with a PAT"}),
        ),
        row(
            80,
            "alice",
            "2026-05-06T09:00:00Z",
            "action_item",
            json!({
            "kind": "monitoring", "title": "alert on secrets read by pipelines outside main",
            "owner": "bob-ops", "due": "2026-06-01", "status": "in_progress"}),
        ),
        row(
            81,
            "alice",
            "2026-05-06T09:05:00Z",
            "action_item",
            json!({
            "kind": "mitigation", "title": "replace PATs with OIDC for CI",
            "owner": "bob-ops", "due": "2026-07-01"}),
        ),
        row(
            82,
            "alice",
            "2026-05-06T09:10:00Z",
            "action_item",
            json!({
            "kind": "process", "title": "secret scanning in pre-commit hooks",
            "owner": "carol", "due": "2026-05-15", "status": "done"}),
        ),
        row(
            83,
            "alice",
            "2026-05-19T15:00:00Z",
            "lesson_learned",
            json!({
            "kind": "went_well", "lesson": "the token was revoked 35 minutes after the report"}),
        ),
        row(
            84,
            "alice",
            "2026-05-19T15:05:00Z",
            "lesson_learned",
            json!({
            "kind": "to_improve", "lesson": "no monitor fired: a customer told us"}),
        ),
        row(
            90,
            "carol",
            "2026-05-02T12:00:00Z",
            "evidence_item",
            json!({
            "name": "ci-job-4711.log",
            "sha256": "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
            "size": 48213, "storage": {"kind": "stored", "media_type": "text/plain"},
            "source": "/var/log/nginx on edge-2"}),
        ),
        row(
            91,
            "carol",
            "2026-05-02T13:00:00Z",
            "evidence_item",
            json!({
            "name": "db-prod-3 disk image",
            "description": "snapshot taken before isolation",
            "sha256": "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e",
            "size": 214748364800u64,
            "storage": {"kind": "external", "location": "evidence safe B, shelf 2, bag 2026-117"},
            "collected_at": "2026-05-02T12:30:00Z",
            "collected_by": "Northwind Forensics GmbH"}),
        ),
        row(
            92,
            "carol",
            "2026-05-07T10:00:00Z",
            "forensic_analysis",
            json!({
            "title": "what the export job read", "evidence": [90, 91],
            "method": "replayed the job log against the query log",
            "result": "only the customers table left the database"}),
        ),
        row(
            100,
            "dave.comms",
            "2026-05-03T08:00:00Z",
            "internal_comms_decision",
            json!({
            "needed": true, "rationale": "engineers must rotate personal tokens, says alice",
            "decided_by": "alice"}),
        ),
        row(
            101,
            "dave.comms",
            "2026-05-03T08:30:00Z",
            "internal_comms_draft",
            json!({
            "content": {"audience": "internal", "title": "Rotate your GitHub tokens",
                "body": "Please rotate."},
            "approvals": [{"approver": "commander", "by": "alice", "at": "2026-05-03T09:00:00Z"}],
            "insider_signoff": {"by": "alice", "at": "2026-05-03T08:50:00Z",
                "rationale": "token used from outside our network"},
            "sent": {"channel": "all-staff e-mail", "at": "2026-05-03T10:00:00Z",
                "by": "dave.comms"}}),
        ),
        row(
            102,
            "dave.comms",
            "2026-05-08T08:00:00Z",
            "external_comms_decision",
            json!({
            "needed": true, "rationale": "personal data of customers was copied",
            "decided_by": "lena.legal"}),
        ),
        row(
            103,
            "dave.comms",
            "2026-05-08T09:00:00Z",
            "external_comms_draft",
            json!({
            "content": {"audience": "customers",
                "title": "Security notice 2026-05-08",
                "body": "We detected unauthorised access.",
                "compromised": "names and e-mail addresses",
                "not_compromised": "passwords and payment data",
                "recipient_actions": "watch for phishing"},
            "approvals": [
                {"approver": "legal", "by": "lena.legal", "at": "2026-05-08T11:00:00Z"},
                {"approver": "commander", "by": "alice", "at": "2026-05-08T10:00:00Z"}],
            "sent": {"channel": "e-mail to affected customers",
                "at": "2026-05-08T14:00:00Z", "by": "dave.comms"}}),
        ),
        row(
            104,
            "dave.comms",
            "2026-05-09T09:00:00Z",
            "external_comms_draft",
            json!({
            "content": {"audience": "regulators",
                "title": "Unsent draft: breach notification 2026-05-09",
                "body": "Draft for the supervisory authority."}}),
        ),
        row(
            70,
            "bob-ops",
            "2026-05-03T09:00:00Z",
            "blast_radius",
            json!({
            "question": {"package": {"ecosystem": "npm", "name": "lodash", "range": "<4.17.21"}},
            "as_of": "2026-05-03T09:00:00Z",
            "services": [
                {"service": "ledger-service", "team": "payments", "tier": 1,
                 "data_classification": "restricted",
                 "matches": ["lodash 4.17.20 in apps/ledger/package-lock.json (rampart:deps)"]},
                {"service": "docs-site", "matches": ["lodash 4.17.15 in sbom.cdx.json (sbom)"]}],
            "undetermined": [
                {"service": "legacy-batch", "team": "platform", "tier": 3,
                 "matches": ["lodash (version unresolved) in yarn.lock (rampart:deps)"]}],
            "hidden_services": 0,
            "total_services": 5,
            "truncated": true}),
        ),
        row(
            110,
            "lena.legal",
            "2026-05-04T08:00:00Z",
            "law_enforcement",
            json!({
            "decision": "involved", "agency": "LKA Cybercrime",
            "case_reference": "KHK Rostock 2026/4711",
            "contact": "Kommissarin Roth, +49 30 1234",
            "contacted_at": "2026-05-04T07:30:00Z"}),
        ),
        row(
            120,
            "dave.comms",
            "2026-05-04T12:00:00Z",
            "outside_party",
            json!({
            "organisation": "GitForge Inc.",
            "role_in_attack": "hosted the public repository with the token",
            "security_contact": "psirt@gitforge.example",
            "contact_verified_how": "security.txt on gitforge.example",
            "notified_at": "2026-05-04T12:30:00Z", "notified_by": "dave.comms"}),
        ),
    ];
    rows.reverse();
    rows
}

/// When the reports and exports of the tests are generated.
pub fn generated_at() -> Timestamp {
    at(GENERATED_AT)
}
