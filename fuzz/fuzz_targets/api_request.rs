#![no_main]
//! Fuzz target: every request body the server accepts is parsed by serde
//! into a `rampart-api` type (with the domain's validation inside); no body
//! makes that panic.

use libfuzzer_sys::fuzz_target;
use rampart_api::{
    AddMemberRequest, CreateAccessRequest, CreateBreakGlassRequest, CreateTokenRequest,
    CreateUserRequest, DecisionRequest, DeclareIncidentRequest, RecordInput, SignInRequest,
    UpdateIncidentRequest, UpdateStepRequest, UpdateUserRequest,
};

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
});
