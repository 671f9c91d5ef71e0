//! Communications (steps 11 and 14), indicators, the credential register,
//! the post-incident report and the VERIS export.

use rampart_api::{
    CommsChanged, CredentialList, DraftRequest, IndicatorList, ReportQuery, SentRequest,
    SignoffRequest,
};
use rampart_incident::IncidentId;

use crate::evidence::query;
use crate::transport::Method;
use crate::{Client, ClientError, NO_BODY, incident_path};

impl Client {
    /// `POST /api/v1/incidents/{id}/communications`: a new draft; the
    /// audience decides the step (internal: 11, others: 14).
    pub fn draft_communication(
        &self,
        id: IncidentId,
        draft: &DraftRequest,
    ) -> Result<CommsChanged, ClientError> {
        self.transport.call(
            Method::Post,
            &incident_path(id, "/communications"),
            Some(draft),
        )
    }

    /// `PATCH /api/v1/incidents/{id}/communications/{record_id}`: new text,
    /// which clears the approvals.
    pub fn edit_communication(
        &self,
        id: IncidentId,
        record_id: i64,
        draft: &DraftRequest,
    ) -> Result<CommsChanged, ClientError> {
        let path = incident_path(id, &format!("/communications/{record_id}"));
        self.transport.call(Method::Patch, &path, Some(draft))
    }

    /// `POST …/communications/{record_id}/approve`, in the capacity the
    /// caller's member role gives (commander or legal).
    pub fn approve_communication(
        &self,
        id: IncidentId,
        record_id: i64,
    ) -> Result<CommsChanged, ClientError> {
        let path = incident_path(id, &format!("/communications/{record_id}/approve"));
        self.transport
            .call(Method::Post, &path, Some(&serde_json::json!({})))
    }

    /// `POST …/communications/{record_id}/signoff`: the attack is not
    /// believed to be internal (internal communication only).
    pub fn signoff_communication(
        &self,
        id: IncidentId,
        record_id: i64,
        request: &SignoffRequest,
    ) -> Result<CommsChanged, ClientError> {
        let path = incident_path(id, &format!("/communications/{record_id}/signoff"));
        self.transport.call(Method::Post, &path, Some(request))
    }

    /// `POST …/communications/{record_id}/sent`: it went out.
    pub fn mark_communication_sent(
        &self,
        id: IncidentId,
        record_id: i64,
        request: &SentRequest,
    ) -> Result<CommsChanged, ClientError> {
        let path = incident_path(id, &format!("/communications/{record_id}/sent"));
        self.transport.call(Method::Post, &path, Some(request))
    }

    /// `GET /api/v1/incidents/{id}/indicators`.
    pub fn indicators(&self, id: IncidentId) -> Result<IndicatorList, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/indicators"), NO_BODY)
    }

    /// `GET /api/v1/incidents/{id}/indicators/stix[?max_tlp=…]`: a STIX 2.1
    /// bundle, as the server wrote it.
    pub fn indicators_stix(
        &self,
        id: IncidentId,
        max_tlp: Option<&str>,
    ) -> Result<String, ClientError> {
        let path = incident_path(id, "/indicators/stix") + &query(&[("max_tlp", max_tlp)]);
        self.transport
            .get_text(&path, "application/stix+json;version=2.1, application/json")
    }

    /// `GET /api/v1/incidents/{id}/credentials`: the compromised-credential
    /// register.
    pub fn credentials(&self, id: IncidentId) -> Result<CredentialList, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/credentials"), NO_BODY)
    }

    /// `GET /api/v1/incidents/{id}/report?audience=…&format=…`: the
    /// post-incident report as the server rendered it (Markdown, HTML or JSON).
    pub fn report(&self, id: IncidentId, request: &ReportQuery) -> Result<String, ClientError> {
        let path = incident_path(id, "/report")
            + &query(&[
                ("audience", request.audience.as_deref()),
                ("format", request.format.as_deref()),
            ]);
        let accept = match request.format.as_deref() {
            Some("html") => "text/html, application/json",
            Some("json") => "application/json",
            _ => "text/markdown, application/json",
        };
        self.transport.get_text(&path, accept)
    }

    /// `GET /api/v1/incidents/{id}/veris`: the VERIS-style classification.
    pub fn veris(&self, id: IncidentId) -> Result<serde_json::Value, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/veris"), NO_BODY)
    }
}
