//! A typed, blocking client for Rampart's JSON API (`/api/v1`), used by the
//! `rampart incident …` commands and by end-to-end tests.
//!
//! Request and response types are `rampart-api`'s, so client and server
//! cannot disagree about a field name. Every error the server returns comes
//! back as [`ClientError::Api`] with its status, code, message and field.
//!
//! ```no_run
//! let client = rampart_client::Client::new("http://127.0.0.1:8080", Some("rmp_…".into()))?;
//! for incident in client.incidents()?.incidents {
//!     println!("{} {}", incident.id, incident.title);
//! }
//! # Ok::<(), rampart_client::ClientError>(())
//! ```
//!
//! Evidence travels as streams: [`Client::upload_evidence`] reads from any
//! `Read` and [`Client::download_evidence`] writes to any `Write`, both
//! hashing the bytes as they pass.

mod catalog;
mod error;
mod evidence;
mod inventory;
mod report;
mod transport;

use rampart_api::{
    Accepted, AccessRequestList, AddMemberRequest, AuditHead, AuditVerifyResponse, BreakGlassQueue,
    BreakGlassView, ChangeMemberRoleRequest, CreateAccessRequest, CreateBreakGlassRequest,
    CreateTokenRequest, CreatedToken, DecisionRequest, DeclareIncidentRequest, Health,
    IncidentChanged, IncidentDetail, IncidentList, MeResponse, MemberList, NotificationList,
    RecordChanged, RecordInput, RecordList, ResponseLog, StepList, StepUpdateResponse, TokenList,
    UpdateIncidentRequest, UpdateStepRequest,
};
use rampart_incident::{IncidentId, Step};

pub use error::ClientError;
pub use evidence::{Downloaded, SHA256_HEADER, Uploaded};
pub use inventory::SARIF_MEDIA_TYPE;
pub use transport::Method;

use transport::Transport;

/// A connection to one server, acting as the holder of one API token.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
}

/// Nothing to send.
const NO_BODY: Option<&()> = None;

impl Client {
    /// A client for the server at `base_url` (`https://rampart.example.org`),
    /// authenticating with `token` when given.
    pub fn new(base_url: &str, token: Option<String>) -> Result<Self, ClientError> {
        Ok(Self {
            transport: Transport::new(base_url, token)?,
        })
    }

    /// The server's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.transport.base()
    }

    /// Any call, answered as raw JSON (for `--json` output and for tests of
    /// routes this client has no typed method for).
    pub fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, ClientError> {
        self.transport.call(method, path, body)
    }

    // ---- Server and account ------------------------------------------------

    /// `GET /api/v1/health` (no authentication needed).
    pub fn health(&self) -> Result<Health, ClientError> {
        self.transport.call(Method::Get, "/api/v1/health", NO_BODY)
    }

    /// `GET /api/v1/me`: who the token belongs to.
    pub fn me(&self) -> Result<MeResponse, ClientError> {
        self.transport.call(Method::Get, "/api/v1/me", NO_BODY)
    }

    /// `GET /api/v1/tokens`: the caller's tokens.
    pub fn tokens(&self) -> Result<TokenList, ClientError> {
        self.transport.call(Method::Get, "/api/v1/tokens", NO_BODY)
    }

    /// `POST /api/v1/tokens`: a new token for the caller, shown once.
    pub fn create_token(&self, request: &CreateTokenRequest) -> Result<CreatedToken, ClientError> {
        self.transport
            .call(Method::Post, "/api/v1/tokens", Some(request))
    }

    // ---- Incidents ---------------------------------------------------------

    /// `GET /api/v1/incidents`: the incidents the caller may see.
    pub fn incidents(&self) -> Result<IncidentList, ClientError> {
        self.transport
            .call(Method::Get, "/api/v1/incidents", NO_BODY)
    }

    /// `POST /api/v1/incidents`: declare; the caller becomes commander.
    pub fn declare(&self, request: &DeclareIncidentRequest) -> Result<IncidentDetail, ClientError> {
        self.transport
            .call(Method::Post, "/api/v1/incidents", Some(request))
    }

    /// `GET /api/v1/incidents/{id}`.
    pub fn incident(&self, id: IncidentId) -> Result<IncidentDetail, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, ""), NO_BODY)
    }

    /// `PATCH /api/v1/incidents/{id}`: title, summary, severity, TLP.
    pub fn update_incident(
        &self,
        id: IncidentId,
        request: &UpdateIncidentRequest,
    ) -> Result<IncidentChanged, ClientError> {
        self.transport
            .call(Method::Patch, &incident_path(id, ""), Some(request))
    }

    /// `GET /api/v1/incidents/{id}/steps`.
    pub fn steps(&self, id: IncidentId) -> Result<StepList, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/steps"), NO_BODY)
    }

    /// `PATCH /api/v1/incidents/{id}/steps/{n}`: state, rationale, owner,
    /// notes. The answer carries the rules' warnings.
    pub fn update_step(
        &self,
        id: IncidentId,
        step: Step,
        request: &UpdateStepRequest,
    ) -> Result<StepUpdateResponse, ClientError> {
        let path = incident_path(id, &format!("/steps/{}", step.number()));
        self.transport.call(Method::Patch, &path, Some(request))
    }

    /// `GET /api/v1/incidents/{id}/records[?step=N]`.
    pub fn records(&self, id: IncidentId, step: Option<Step>) -> Result<RecordList, ClientError> {
        let mut path = incident_path(id, "/records");
        if let Some(step) = step {
            path.push_str(&format!("?step={}", step.number()));
        }
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `POST /api/v1/incidents/{id}/records`.
    pub fn add_record(
        &self,
        id: IncidentId,
        record: &RecordInput,
    ) -> Result<RecordChanged, ClientError> {
        self.transport
            .call(Method::Post, &incident_path(id, "/records"), Some(record))
    }

    /// `PATCH /api/v1/incidents/{id}/records/{record}`: replace a record
    /// (of the same kind), e.g. an action item's status.
    pub fn update_record(
        &self,
        id: IncidentId,
        record_id: i64,
        record: &RecordInput,
    ) -> Result<RecordChanged, ClientError> {
        let path = incident_path(id, &format!("/records/{record_id}"));
        self.transport.call(Method::Patch, &path, Some(record))
    }

    /// `GET /api/v1/incidents/{id}/log`: the response log.
    pub fn response_log(&self, id: IncidentId) -> Result<ResponseLog, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/log"), NO_BODY)
    }

    /// `GET /api/v1/incidents/{id}/members`.
    pub fn members(&self, id: IncidentId) -> Result<MemberList, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/members"), NO_BODY)
    }

    /// `POST /api/v1/incidents/{id}/members`.
    pub fn add_member(
        &self,
        id: IncidentId,
        request: &AddMemberRequest,
    ) -> Result<MemberList, ClientError> {
        self.transport
            .call(Method::Post, &incident_path(id, "/members"), Some(request))
    }

    /// `PATCH /api/v1/incidents/{id}/members/{user}`.
    pub fn change_member_role(
        &self,
        id: IncidentId,
        user: &str,
        request: &ChangeMemberRoleRequest,
    ) -> Result<MemberList, ClientError> {
        let path = incident_path(id, &format!("/members/{}", encode_segment(user)));
        self.transport.call(Method::Patch, &path, Some(request))
    }

    /// `DELETE /api/v1/incidents/{id}/members/{user}`.
    pub fn remove_member(&self, id: IncidentId, user: &str) -> Result<MemberList, ClientError> {
        let path = incident_path(id, &format!("/members/{}", encode_segment(user)));
        self.transport.call(Method::Delete, &path, NO_BODY)
    }

    /// `POST /api/v1/incidents/{id}/close`.
    pub fn close(&self, id: IncidentId) -> Result<IncidentChanged, ClientError> {
        self.transport
            .call(Method::Post, &incident_path(id, "/close"), NO_BODY)
    }

    /// `POST /api/v1/incidents/{id}/reopen`.
    pub fn reopen(&self, id: IncidentId) -> Result<IncidentChanged, ClientError> {
        self.transport
            .call(Method::Post, &incident_path(id, "/reopen"), NO_BODY)
    }

    // ---- Access requests and break-glass -----------------------------------

    /// `POST /api/v1/incidents/{id}/access-requests`: the same answer whether
    /// or not the incident exists.
    pub fn request_access(
        &self,
        id: IncidentId,
        request: &CreateAccessRequest,
    ) -> Result<Accepted, ClientError> {
        self.transport.call(
            Method::Post,
            &incident_path(id, "/access-requests"),
            Some(request),
        )
    }

    /// `GET /api/v1/incidents/{id}/access-requests` (commander, deputy).
    pub fn access_requests(&self, id: IncidentId) -> Result<AccessRequestList, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/access-requests"), NO_BODY)
    }

    /// `POST /api/v1/incidents/{id}/access-requests/{request}/decision`.
    pub fn decide_access_request(
        &self,
        id: IncidentId,
        request_id: i64,
        decision: &DecisionRequest,
    ) -> Result<AccessRequestList, ClientError> {
        let path = incident_path(id, &format!("/access-requests/{request_id}/decision"));
        self.transport.call(Method::Post, &path, Some(decision))
    }

    /// `POST /api/v1/incidents/{id}/break-glass`: the same answer whether or
    /// not the incident exists.
    pub fn break_glass(
        &self,
        id: IncidentId,
        request: &CreateBreakGlassRequest,
    ) -> Result<Accepted, ClientError> {
        self.transport.call(
            Method::Post,
            &incident_path(id, "/break-glass"),
            Some(request),
        )
    }

    /// `GET /api/v1/break-glass`: requests awaiting a second approver
    /// (security role).
    pub fn break_glass_queue(&self) -> Result<BreakGlassQueue, ClientError> {
        self.transport
            .call(Method::Get, "/api/v1/break-glass", NO_BODY)
    }

    /// `POST /api/v1/break-glass/{request}/decision` (security role).
    pub fn decide_break_glass(
        &self,
        request_id: i64,
        decision: &DecisionRequest,
    ) -> Result<BreakGlassView, ClientError> {
        let path = format!("/api/v1/break-glass/{request_id}/decision");
        self.transport.call(Method::Post, &path, Some(decision))
    }

    /// `GET /api/v1/notifications`.
    pub fn notifications(&self) -> Result<NotificationList, ClientError> {
        self.transport
            .call(Method::Get, "/api/v1/notifications", NO_BODY)
    }

    // ---- Audit -------------------------------------------------------------

    /// `GET /api/v1/audit/head`.
    pub fn audit_head(&self) -> Result<AuditHead, ClientError> {
        self.transport
            .call(Method::Get, "/api/v1/audit/head", NO_BODY)
    }

    /// `GET /api/v1/audit/verify`.
    pub fn audit_verify(&self) -> Result<AuditVerifyResponse, ClientError> {
        self.transport
            .call(Method::Get, "/api/v1/audit/verify", NO_BODY)
    }
}

fn incident_path(id: IncidentId, rest: &str) -> String {
    format!("/api/v1/incidents/{id}{rest}")
}

/// Percent-encodes a path segment (user names are restricted, but a
/// client must not let a `/` or `?` change the route).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_change_the_route() {
        assert_eq!(encode_segment("alice"), "alice");
        assert_eq!(encode_segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn base_urls_are_checked_and_normalised() {
        let client = Client::new("http://127.0.0.1:8080/", None).unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:8080");
        for bad in ["127.0.0.1:8080", "ftp://host", "https://"] {
            let error = Client::new(bad, None).unwrap_err();
            assert!(
                matches!(error, ClientError::InvalidUrl { .. }),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn an_unreachable_server_is_a_transport_error_naming_the_url() {
        // Port 9 (discard) on loopback refuses connections on any sane host.
        let client = Client::new("http://127.0.0.1:9", None).unwrap();
        let error = client.health().unwrap_err();
        assert!(
            matches!(&error, ClientError::Transport { url, .. } if url == "http://127.0.0.1:9/api/v1/health"),
            "{error}"
        );
    }
}
