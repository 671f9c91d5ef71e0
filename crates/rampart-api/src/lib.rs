//! The JSON API of `rampart serve`, under `/api/v1`: request and response
//! types shared by the server (`rampart-server`) and its client
//! (`rampart-client`), each with an OpenAPI schema (utoipa).
//!
//! Conventions:
//!
//! * Requests reject unknown fields (`deny_unknown_fields`): a misspelt
//!   field is a 422 naming it, never silently ignored.
//! * Every 4xx/5xx answer is an [`ErrorBody`]:
//!   `{"error": {"code": "validation", "message": "…", "field": "title"}}`.
//! * Times are RFC 3339 in UTC with microsecond precision.
//! * Domain values (`IncidentId`, `UserName`, `StepState`, …) are the types
//!   of `rampart-incident`, so a value that parses here is valid there.
//!
//! The routes, who may call them and what they return are listed in the
//! crate's README and in the OpenAPI document at `/api/v1/openapi.json`.

mod access;
mod account;
mod catalog;
mod comms;
mod error;
mod evidence;
mod incident;
mod inventory;
mod report;
pub mod schema;

pub use access::{
    Accepted, AccessRequestList, AccessRequestView, AuditHead, AuditVerifyResponse,
    BreakGlassQueue, BreakGlassView, ChainBreakView, CreateAccessRequest, CreateBreakGlassRequest,
    DecisionRequest, Health, NotificationKindView, NotificationList, NotificationView,
    RequestState,
};
pub use account::{
    AuthMethod, CreateTokenRequest, CreateUserRequest, CreatedToken, MeResponse, SignInRequest,
    SignInResponse, TokenList, TokenView, UpdateUserRequest, UserList, UserView,
};
pub use catalog::{
    CatalogFile, CatalogImportRequest, CatalogImportResponse, CreateServiceRequest,
    CreateTeamRequest, ServiceList, ServiceQuery, ServiceView, SourceView, SystemList, SystemView,
    TeamList, TeamMemberView, TeamView, UpdateServiceRequest, UpdateTeamRequest,
};
pub use comms::{CommsChanged, CommsWarningView, DraftRequest, SentRequest, SignoffRequest};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use evidence::{
    CustodyReport, CustodyView, DownloadQuery, EvidenceCreated, EvidenceList, EvidenceUploadQuery,
    EvidenceView, ExportRequest,
};
pub use incident::{
    AddMemberRequest, ChangeMemberRoleRequest, DeclareIncidentRequest, GrantView, IncidentChanged,
    IncidentDetail, IncidentList, IncidentStatus, IncidentSummaryView, LogEntryView, MemberList,
    MemberView, RecordChanged, RecordInput, RecordList, RecordQuery, RecordView, ResponseLog,
    StepList, StepUpdateResponse, StepView, UpdateIncidentRequest, UpdateStepRequest, WarningView,
    double_option,
};
pub use inventory::{
    AdvisoryWhereQuery, BlastAnswer, BlastMatch, BlastQuery, BlastService, FindingDetailView,
    FindingEventView, FindingList, FindingQuery, FindingSummary, FindingView, PackageWhereQuery,
    ScanUpload, SecretWhereQuery, ServiceFindingCounts, SeverityCounts, SummaryQuery,
    TriageRequest, UploadCounts, UploadList, UploadQuery, UploadReceipt,
};
pub use report::{CredentialList, IndicatorList, ReportQuery, StixQuery};

/// Where the API lives.
pub const API_PREFIX: &str = "/api/v1";
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rampart_session";
/// The header carrying the session's CSRF token on unsafe requests.
pub const CSRF_HEADER: &str = "X-CSRF-Token";
/// Prefix of every API token, so secret scanners and people recognise one.
pub const TOKEN_PREFIX: &str = "rmp_";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_body_shape() {
        let body = ErrorBody::with_field(
            ErrorCode::Validation,
            "field `title` must not be empty",
            "title",
        );
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"error": {"code": "validation", "message": "field `title` must not be empty", "field": "title"}})
        );
        let plain = serde_json::to_value(ErrorBody::new(ErrorCode::RateLimited, "wait")).unwrap();
        assert_eq!(
            plain,
            json!({"error": {"code": "rate_limited", "message": "wait"}})
        );
        assert_eq!(ErrorCode::Stale.http_status(), 409);
        assert_eq!(
            ErrorCode::UnsupportedMediaType.as_str(),
            "unsupported_media_type"
        );
    }

    #[test]
    fn requests_reject_unknown_fields() {
        let declare = r#"{"title": "t", "severity": "sev2", "tlp": "amber", "colour": "red"}"#;
        assert!(serde_json::from_str::<DeclareIncidentRequest>(declare).is_err());
        let ok: DeclareIncidentRequest =
            serde_json::from_str(r#"{"title": "t", "severity": "sev2", "tlp": "amber"}"#).unwrap();
        assert_eq!(ok.tlp, rampart_incident::Tlp::Amber);
        assert!(
            serde_json::from_str::<RecordInput>(r#"{"kind": "action_item", "record": {}, "x": 1}"#)
                .is_err()
        );
    }

    #[test]
    fn null_clears_and_absence_keeps() {
        let clear: UpdateStepRequest = serde_json::from_str(r#"{"owner": null}"#).unwrap();
        assert_eq!(clear.owner, Some(None));
        assert_eq!(clear.notes, None);
        let set: UpdateStepRequest = serde_json::from_str(r#"{"owner": "rob"}"#).unwrap();
        assert_eq!(set.owner, Some(Some("rob".into())));
        assert_eq!(
            serde_json::to_value(&clear).unwrap(),
            json!({"owner": null})
        );
    }

    #[test]
    fn attack_timeline_input_is_stamped_by_the_server() {
        let input: RecordInput =
            serde_json::from_value(json!({"kind": "attack_timeline_entry", "record": {
            "event_time": "2026-01-05T03:00:00Z", "timezone": "UTC", "source": "auth log",
            "certainty": "confirmed", "description": "login"}}))
            .unwrap();
        assert_eq!(
            input.kind(),
            rampart_incident::RecordKind::AttackTimelineEntry
        );
        let at: jiff::Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        match input.into_record(at) {
            rampart_incident::StepRecord::AttackTimelineEntry(entry) => {
                assert_eq!(entry.recorded_at, at)
            }
            other => panic!("unexpected {other:?}"),
        }
        let with_recorded_at = json!({"kind": "attack_timeline_entry", "record": {
            "event_time": "2026-01-05T03:00:00Z", "recorded_at": "2026-01-05T03:00:00Z", "timezone": "UTC",
            "source": "s", "certainty": "confirmed", "description": "d"}});
        assert!(serde_json::from_value::<RecordInput>(with_recorded_at).is_err());
    }
}
