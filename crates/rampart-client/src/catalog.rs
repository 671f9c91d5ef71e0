//! The service catalog: teams, systems, services and the Backstage import.

use rampart_api::{
    CatalogImportRequest, CatalogImportResponse, CreateServiceRequest, CreateTeamRequest,
    ServiceList, ServiceView, SystemList, TeamList, TeamView, UpdateServiceRequest,
    UpdateTeamRequest,
};

use crate::{Client, ClientError, Method, NO_BODY, encode_segment};

impl Client {
    /// `GET /api/v1/services`, optionally one team's (`team`) or the
    /// unowned ones.
    pub fn services(&self, team: Option<&str>, unowned: bool) -> Result<ServiceList, ClientError> {
        let mut path = "/api/v1/services".to_owned();
        if let Some(team) = team {
            path.push_str(&format!("?team={}", encode_segment(team)));
        } else if unowned {
            path.push_str("?unowned=true");
        }
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `GET /api/v1/services/{name}`.
    pub fn service(&self, name: &str) -> Result<ServiceView, ClientError> {
        let path = format!("/api/v1/services/{}", encode_segment(name));
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `POST /api/v1/services`.
    pub fn create_service(
        &self,
        request: &CreateServiceRequest,
    ) -> Result<ServiceView, ClientError> {
        self.transport
            .call(Method::Post, "/api/v1/services", Some(request))
    }

    /// `PATCH /api/v1/services/{name}`.
    pub fn update_service(
        &self,
        name: &str,
        request: &UpdateServiceRequest,
    ) -> Result<ServiceView, ClientError> {
        let path = format!("/api/v1/services/{}", encode_segment(name));
        self.transport.call(Method::Patch, &path, Some(request))
    }

    /// `GET /api/v1/teams`.
    pub fn teams(&self) -> Result<TeamList, ClientError> {
        self.transport.call(Method::Get, "/api/v1/teams", NO_BODY)
    }

    /// `GET /api/v1/teams/{name}`.
    pub fn team(&self, name: &str) -> Result<TeamView, ClientError> {
        let path = format!("/api/v1/teams/{}", encode_segment(name));
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `POST /api/v1/teams`.
    pub fn create_team(&self, request: &CreateTeamRequest) -> Result<TeamView, ClientError> {
        self.transport
            .call(Method::Post, "/api/v1/teams", Some(request))
    }

    /// `PATCH /api/v1/teams/{name}`.
    pub fn update_team(
        &self,
        name: &str,
        request: &UpdateTeamRequest,
    ) -> Result<TeamView, ClientError> {
        let path = format!("/api/v1/teams/{}", encode_segment(name));
        self.transport.call(Method::Patch, &path, Some(request))
    }

    /// `GET /api/v1/systems`.
    pub fn systems(&self) -> Result<SystemList, ClientError> {
        self.transport.call(Method::Get, "/api/v1/systems", NO_BODY)
    }

    /// `POST /api/v1/catalog/import`: Backstage catalog files.
    pub fn import_catalog(
        &self,
        request: &CatalogImportRequest,
    ) -> Result<CatalogImportResponse, ClientError> {
        self.transport
            .call(Method::Post, "/api/v1/catalog/import", Some(request))
    }
}
