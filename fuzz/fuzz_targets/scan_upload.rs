#![no_main]
//! Fuzz target: the body of `POST /services/{name}/uploads/scan` never
//! panics the server — read as `ScanUpload`, checked, and reconciled
//! against an empty inventory and against itself (a second identical
//! upload must report nothing new).

use libfuzzer_sys::fuzz_target;

use rampart_api::ScanUpload;
use rampart_inventory::reconcile::{KnownFinding, UploadSnapshot};
use rampart_inventory::{IncomingUpload, SlaPolicy, UploadFormat, reconcile};

fuzz_target!(|data: &[u8]| {
    let Ok(scan) = serde_json::from_slice::<ScanUpload>(data) else {
        return;
    };
    let mut scopes = scan.scopes;
    scopes.sort();
    let upload = IncomingUpload {
        format: UploadFormat::Scan,
        scopes,
        findings: scan.findings,
        components: scan.components,
        tool: scan.tool,
        commit: scan.commit,
        run: scan.run,
        digest: String::new(),
        skipped: 0,
    };
    if upload.validate().is_err() {
        return;
    }
    let now = jiff::Timestamp::UNIX_EPOCH;
    let plan = reconcile(&UploadSnapshot::default(), &upload, now, &SlaPolicy::default());
    let known = UploadSnapshot {
        findings: plan
            .inserts
            .iter()
            .enumerate()
            .map(|(i, f)| KnownFinding {
                id: i as i64 + 1,
                scope: f.finding.scope.clone(),
                fingerprint: f.finding.fingerprint.clone(),
                state: rampart_inventory::FindingState::Open,
                severity: f.finding.severity,
                due_at: f.due_at,
                first_seen: now,
            })
            .collect(),
        components: Vec::new(),
    };
    let again = reconcile(&known, &upload, now, &SlaPolicy::default());
    assert!(again.inserts.is_empty());
});
