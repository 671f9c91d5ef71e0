#![no_main]
//! Fuzz target: every request body the server accepts is parsed by serde
//! into a `rampart-api` type (with the domain's validation inside); no body
//! makes that panic.

use libfuzzer_sys::fuzz_target;
use rampart_api::{
    AddMemberRequest, CreateAccessRequest, CreateBreakGlassRequest, CreateTokenRequest,
    CreateUserRequest, DecisionRequest, DeclareIncidentRequest, DraftRequest, EvidenceUploadQuery,
    ExportRequest, RecordInput, ReportQuery, SentRequest, SignInRequest, SignoffRequest,
    StixQuery, UpdateIncidentRequest, UpdateStepRequest, UpdateUserRequest,
};
use rampart_incident::ExternalEvidenceInput;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<DeclareIncidentRequest>(data);
    let _ = serde_json::from_slice::<UpdateIncidentRequest>(data);
    let _ = serde_json::from_slice::<UpdateStepRequest>(data);
    let _ = serde_json::from_slice::<RecordInput>(data);
    let _ = serde_json::from_slice::<AddMemberRequest>(data);
    let _ = serde_json::from_slice::<CreateAccessRequest>(data);
    let _ = serde_json::from_slice::<CreateBreakGlassRequest>(data);
    let _ = serde_json::from_slice::<DecisionRequest>(data);
    let _ = serde_json::from_slice::<SignInRequest>(data);
    let _ = serde_json::from_slice::<CreateUserRequest>(data);
    let _ = serde_json::from_slice::<UpdateUserRequest>(data);
    let _ = serde_json::from_slice::<CreateTokenRequest>(data);
    let _ = serde_json::from_slice::<DraftRequest>(data);
    let _ = serde_json::from_slice::<SignoffRequest>(data);
    let _ = serde_json::from_slice::<SentRequest>(data);
    let _ = serde_json::from_slice::<ExportRequest>(data);
    let _ = serde_json::from_slice::<ExternalEvidenceInput>(data);
    // Query strings of the upload, download, report and STIX routes.
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = serde_urlencoded::from_str::<EvidenceUploadQuery>(query);
        let _ = serde_urlencoded::from_str::<ReportQuery>(query);
        let _ = serde_urlencoded::from_str::<StixQuery>(query);
    }
});
