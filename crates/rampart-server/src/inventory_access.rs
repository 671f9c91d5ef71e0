//! Who may see and change which findings (DESIGN.md §6).
//!
//! The catalog is open to everyone signed in; findings are not. Admins
//! and the security team see every service's findings (an admin could make
//! themselves security, audited, so hiding findings from admins would
//! protect nothing). An engineer sees the findings of the services their
//! teams own, and of services where they are the security champion.
//! Viewers see counts only.
//!
//! Service names are public, so a route about one service answers 403 to a
//! caller without rights to it; a finding id is not, so a finding outside
//! the caller's view is the same 404 as one that does not exist.

use std::collections::BTreeSet;

use rampart_incident::GlobalRole;
use rampart_inventory::{Catalog, Service, ServiceName};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

/// Which services' findings a caller sees in detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FindingVisibility {
    /// Every service's.
    All,
    /// These services' (possibly none).
    Services(BTreeSet<ServiceName>),
    /// None in detail: counts only.
    AggregatesOnly,
}

impl FindingVisibility {
    /// The caller's view on `catalog`.
    pub(crate) fn of(caller: &Caller, catalog: &Catalog) -> Self {
        match caller.user.role {
            GlobalRole::Admin | GlobalRole::Security => Self::All,
            GlobalRole::Viewer => Self::AggregatesOnly,
            GlobalRole::Engineer => Self::Services(
                catalog
                    .services
                    .iter()
                    .filter(|s| is_own(caller, catalog, s))
                    .map(|s| s.name.clone())
                    .collect(),
            ),
        }
    }

    pub(crate) fn sees(&self, service: &ServiceName) -> bool {
        match self {
            Self::All => true,
            Self::Services(services) => services.contains(service),
            Self::AggregatesOnly => false,
        }
    }

    /// For store filters: `None` is every service.
    pub(crate) fn service_filter(&self) -> Option<Vec<ServiceName>> {
        match self {
            Self::All => None,
            Self::Services(services) => Some(services.iter().cloned().collect()),
            Self::AggregatesOnly => Some(Vec::new()),
        }
    }
}

/// Whether `service` is the caller's own: owned by a team they belong to,
/// or they are its security champion.
fn is_own(caller: &Caller, catalog: &Catalog, service: &Service) -> bool {
    let name = caller.user.name.as_str();
    let in_owner_team = service
        .owner
        .as_ref()
        .and_then(|team| catalog.team(team))
        .is_some_and(|team| team.members.iter().any(|m| m.user == name));
    in_owner_team || service.security_champion.as_deref() == Some(name)
}

/// The caller's view. Only an engineer's needs the catalog (which teams
/// own what); the other roles' views are fixed, and skipping the read
/// keeps every finding and blast-radius request from loading the whole
/// catalog.
pub(crate) async fn visibility(state: &AppState, caller: &Caller) -> ApiResult<FindingVisibility> {
    match caller.user.role {
        GlobalRole::Admin | GlobalRole::Security => Ok(FindingVisibility::All),
        GlobalRole::Viewer => Ok(FindingVisibility::AggregatesOnly),
        GlobalRole::Engineer => {
            let catalog = state.store().catalog().await?;
            Ok(FindingVisibility::of(caller, &catalog))
        }
    }
}

/// The catalog and the caller's view computed on it.
async fn catalog_and_visibility(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<(Catalog, FindingVisibility)> {
    let catalog = state.store().catalog().await?;
    let visibility = FindingVisibility::of(caller, &catalog);
    Ok((catalog, visibility))
}

/// Viewers see counts only: every finding-level route refuses them.
pub(crate) fn refuse_viewers(caller: &Caller) -> ApiResult<()> {
    if caller.user.role == GlobalRole::Viewer {
        Err(ApiError::forbidden(
            "viewers see finding counts only (GET /api/v1/findings/summary)",
        ))
    } else {
        Ok(())
    }
}

/// Proof that the caller may upload to a service; only [`may_upload`]
/// makes one, before any byte of the body is read.
pub(crate) struct UploadPermit(ServiceName);

impl UploadPermit {
    pub(crate) fn into_service(self) -> ServiceName {
        self.0
    }
}

/// Admins and security upload for any service, engineers for their own.
pub(crate) async fn may_upload(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> ApiResult<UploadPermit> {
    let name = crate::routes::uploads::parse_service(name)?;
    let (catalog, visibility) = catalog_and_visibility(state, caller).await?;
    if catalog.service(&name).is_none() {
        return Err(ApiError::not_found("service"));
    }
    if caller.user.role == GlobalRole::Viewer || !visibility.sees(&name) {
        return Err(ApiError::forbidden(
            "only admins, the security team and the owning team upload for a service",
        ));
    }
    Ok(UploadPermit(name))
}

/// The service named, if the caller may see its findings: 404 for an
/// unknown service, 403 for one outside the caller's view.
pub(crate) async fn may_see_service_findings(
    state: &AppState,
    caller: &Caller,
    name: &str,
) -> ApiResult<ServiceName> {
    let name = crate::routes::uploads::parse_service(name)?;
    let (catalog, visibility) = catalog_and_visibility(state, caller).await?;
    if catalog.service(&name).is_none() {
        return Err(ApiError::not_found("service"));
    }
    refuse_viewers(caller)?;
    if !visibility.sees(&name) {
        return Err(ApiError::forbidden(
            "this service's findings are for its owning team and the security team",
        ));
    }
    Ok(name)
}
