//! The service catalog: teams, systems and services, and the Backstage
//! import. Everyone signed in reads the catalog (who owns what is not
//! secret inside the organisation; findings are). Admins and the security
//! team manage it; an engineer may edit the services of their own teams,
//! but not hand them to another team.
//!
//! Every write runs through [`write_catalog`]: the decision is made on the
//! catalog as the store holds it under its write lock, and the change and
//! its audit event commit together.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use rampart_api::{
    CatalogImportRequest, CatalogImportResponse, CreateServiceRequest, CreateTeamRequest,
    ErrorBody, ServiceList, ServiceQuery, ServiceView, SystemList, SystemView, TeamList, TeamView,
    UpdateServiceRequest, UpdateTeamRequest,
};
use rampart_audit::Target;
use rampart_incident::GlobalRole;
use rampart_inventory::{
    Catalog, CatalogChange, CatalogError, DataClassification, EntitySource, Service, ServiceName,
    Team, TeamMember, TeamName, Tier,
};
use rampart_store::{CatalogUpdate, DecisionError};
use serde_json::json;

use super::{audit, parse_query};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};

/// Whether `caller` manages the whole catalog.
fn manages_catalog(caller: &Caller) -> bool {
    matches!(caller.user.role, GlobalRole::Admin | GlobalRole::Security)
}

fn require_manager(caller: &Caller, what: &str) -> ApiResult<()> {
    if manages_catalog(caller) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only admins and the security team {what}"
        )))
    }
}

/// Whether `caller` belongs to `team`.
fn in_team(catalog: &Catalog, caller: &Caller, team: &TeamName) -> bool {
    catalog.team(team).is_some_and(|t| {
        t.members
            .iter()
            .any(|m| m.user == caller.user.name.as_str())
    })
}

/// Decides on the catalog under the store's write lock and applies the
/// result with its audit event. `decide` answers the changes (none: the
/// catalog already is as asked, nothing is written) and what to return.
async fn write_catalog<T, F>(state: &AppState, caller: &Caller, decide: F) -> ApiResult<(T, usize)>
where
    T: Send + 'static,
    F: FnOnce(
            &Catalog,
        ) -> ApiResult<(
            Vec<CatalogChange>,
            (&'static str, Target, serde_json::Value),
            T,
        )> + Send,
{
    let mut output = None;
    let slot = &mut output;
    let caller_for_audit = caller.clone();
    let result = state
        .store()
        .update_catalog(Box::new(move |catalog| {
            let (changes, (action, target, payload), value) =
                decide(catalog).map_err(|error| Box::new(error) as DecisionError)?;
            *slot = Some(value);
            Ok(CatalogUpdate {
                changes,
                audit: audit(&caller_for_audit, action, target, payload),
            })
        }))
        .await?;
    match result {
        Ok(applied) => {
            let value = output.ok_or_else(|| ApiError::internal("the write decided nothing"))?;
            Ok((value, applied.changed))
        }
        Err(refusal) => match refusal.downcast::<ApiError>() {
            Ok(error) => Err(*error),
            Err(_) => Err(ApiError::internal("unexpected refusal from the store")),
        },
    }
}

fn invalid(field: &'static str) -> impl Fn(CatalogError) -> ApiError {
    move |error| ApiError::validation(field, format!("field `{field}`: {error}"))
}

/// Trimmed text; empty means not given.
fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn team_name(field: &'static str, value: &str, catalog: &Catalog) -> ApiResult<TeamName> {
    let name = TeamName::parse(value.trim()).map_err(invalid(field))?;
    if catalog.team(&name).is_none() {
        return Err(ApiError::validation(
            field,
            format!("field `{field}`: no team {name} in the catalog"),
        ));
    }
    Ok(name)
}

fn tier(value: Option<i64>) -> ApiResult<Option<Tier>> {
    value.map(Tier::new).transpose().map_err(invalid("tier"))
}

fn classification(value: Option<String>) -> ApiResult<Option<DataClassification>> {
    text(value)
        .map(|v| DataClassification::parse(&v))
        .transpose()
        .map_err(invalid("data_classification"))
}

fn lifecycle(value: Option<String>) -> Option<String> {
    text(value).map(|v| v.to_lowercase())
}

fn member(user: &str) -> ApiResult<TeamMember> {
    let user = user.trim();
    rampart_incident::UserName::parse(user)
        .map_err(|error| ApiError::validation("members", format!("field `members`: {error}")))?;
    Ok(TeamMember {
        user: user.to_owned(),
        display_name: None,
        email: None,
        source: EntitySource::Manual,
    })
}

fn service_target(name: &ServiceName) -> Target {
    Target::new("service", name.to_string())
}

fn team_target(name: &TeamName) -> Target {
    Target::new("team", name.to_string())
}

fn team_view(catalog: &Catalog, team: &Team) -> TeamView {
    let services = catalog
        .services
        .iter()
        .filter(|s| s.owner.as_ref() == Some(&team.name))
        .map(|s| s.name.clone())
        .collect();
    TeamView::new(team, services)
}

/// The services, optionally of one team or the unowned ones.
#[utoipa::path(
    get, path = "/api/v1/services", tag = "catalog",
    params(ServiceQuery),
    responses((status = 200, body = ServiceList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_services(
    State(state): State<AppState>,
    _caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<ServiceList>> {
    let query: ServiceQuery = parse_query(query.as_deref())?;
    let team = query
        .team
        .as_deref()
        .map(|t| TeamName::parse(t).map_err(invalid("team")))
        .transpose()?;
    let catalog = state.store().catalog().await?;
    let services = catalog
        .services
        .iter()
        .filter(|s| team.is_none() || s.owner == team)
        .filter(|s| query.unowned != Some(true) || s.owner.is_none())
        .map(ServiceView::from)
        .collect();
    Ok(Json(ServiceList { services }))
}

/// One service.
#[utoipa::path(
    get, path = "/api/v1/services/{name}", tag = "catalog",
    params(("name" = String, Path, description = "Service name")),
    responses((status = 200, body = ServiceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_service(
    State(state): State<AppState>,
    _caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<ServiceView>> {
    let name = ServiceName::parse(&name).map_err(|_| ApiError::not_found("service"))?;
    let catalog = state.store().catalog().await?;
    let service = catalog
        .service(&name)
        .ok_or_else(|| ApiError::not_found("service"))?;
    Ok(Json(service.into()))
}

/// Adds a service (admins and security; an engineer, for one of their
/// own teams).
#[utoipa::path(
    post, path = "/api/v1/services", tag = "catalog",
    request_body = CreateServiceRequest,
    responses(
        (status = 201, body = ServiceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_service(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateServiceRequest>,
) -> ApiResult<(StatusCode, Json<ServiceView>)> {
    if caller.user.role == GlobalRole::Viewer {
        return Err(ApiError::forbidden("viewers cannot change the catalog"));
    }
    let name = ServiceName::parse(request.name.trim()).map_err(invalid("name"))?;
    let who = caller.clone();
    let (service, _) = write_catalog(&state, &caller, move |catalog| {
        if catalog.service(&name).is_some() {
            return Err(ApiError::conflict(format!("service {name} already exists")));
        }
        let owner = text(request.owner)
            .map(|o| team_name("owner", &o, catalog))
            .transpose()?;
        if !manages_catalog(&who) && !owner.as_ref().is_some_and(|o| in_team(catalog, &who, o)) {
            return Err(ApiError::forbidden(
                "engineers add services owned by one of their own teams",
            ));
        }
        let service = Service {
            name: name.clone(),
            title: text(request.title),
            description: text(request.description),
            owner,
            tier: tier(request.tier)?,
            data_classification: classification(request.data_classification)?,
            repository_url: text(request.repository_url),
            on_call: text(request.on_call),
            security_champion: text(request.security_champion),
            lifecycle: lifecycle(request.lifecycle),
            system: text(request.system),
            component_type: None,
            source: EntitySource::Manual,
        };
        let payload = json!({ "service": service });
        Ok((
            vec![CatalogChange::PutService(service.clone())],
            ("service.create", service_target(&name), payload),
            service,
        ))
    })
    .await?;
    Ok((StatusCode::CREATED, Json((&service).into())))
}

/// Changes a service's fields (`null` clears). Moving it to another team
/// is for admins and security.
#[utoipa::path(
    patch, path = "/api/v1/services/{name}", tag = "catalog",
    params(("name" = String, Path, description = "Service name")),
    request_body = UpdateServiceRequest,
    responses(
        (status = 200, body = ServiceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<UpdateServiceRequest>,
) -> ApiResult<Json<ServiceView>> {
    if request == UpdateServiceRequest::default() {
        return Err(ApiError::validation("title", "nothing to change"));
    }
    let name = ServiceName::parse(&name).map_err(|_| ApiError::not_found("service"))?;
    let who = caller.clone();
    let (service, _) = write_catalog(&state, &caller, move |catalog| {
        let current = catalog
            .service(&name)
            .ok_or_else(|| ApiError::not_found("service"))?;
        let own = current
            .owner
            .as_ref()
            .is_some_and(|o| in_team(catalog, &who, o));
        let may_edit = manages_catalog(&who) || (who.user.role == GlobalRole::Engineer && own);
        if !may_edit {
            return Err(ApiError::forbidden(
                "only admins, the security team and the owning team's members edit a service",
            ));
        }
        let mut next = current.clone();
        if let Some(owner) = request.owner {
            if !manages_catalog(&who) {
                return Err(ApiError::forbidden(
                    "only admins and the security team move a service to another team",
                ));
            }
            next.owner = text(owner)
                .map(|o| team_name("owner", &o, catalog))
                .transpose()?;
        }
        if let Some(v) = request.title {
            next.title = text(v);
        }
        if let Some(v) = request.description {
            next.description = text(v);
        }
        if let Some(v) = request.tier {
            next.tier = tier(v)?;
        }
        if let Some(v) = request.data_classification {
            next.data_classification = classification(v)?;
        }
        if let Some(v) = request.repository_url {
            next.repository_url = text(v);
        }
        if let Some(v) = request.on_call {
            next.on_call = text(v);
        }
        if let Some(v) = request.security_champion {
            next.security_champion = text(v);
        }
        if let Some(v) = request.lifecycle {
            next.lifecycle = lifecycle(v);
        }
        if let Some(v) = request.system {
            next.system = text(v);
        }
        if &next == current {
            return Err(ApiError::conflict(format!(
                "service {name} already has these values"
            )));
        }
        let payload = json!({ "from": current, "to": next });
        Ok((
            vec![CatalogChange::PutService(next.clone())],
            ("service.update", service_target(&name), payload),
            next,
        ))
    })
    .await?;
    Ok(Json((&service).into()))
}

/// The teams with their members and services.
#[utoipa::path(
    get, path = "/api/v1/teams", tag = "catalog",
    responses((status = 200, body = TeamList), (status = 401, body = ErrorBody))
)]
pub async fn list_teams(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<TeamList>> {
    let catalog = state.store().catalog().await?;
    let teams = catalog
        .teams
        .iter()
        .map(|team| team_view(&catalog, team))
        .collect();
    Ok(Json(TeamList { teams }))
}

/// One team.
#[utoipa::path(
    get, path = "/api/v1/teams/{name}", tag = "catalog",
    params(("name" = String, Path, description = "Team name")),
    responses((status = 200, body = TeamView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_team(
    State(state): State<AppState>,
    _caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<TeamView>> {
    let name = TeamName::parse(&name).map_err(|_| ApiError::not_found("team"))?;
    let catalog = state.store().catalog().await?;
    let team = catalog
        .team(&name)
        .ok_or_else(|| ApiError::not_found("team"))?;
    Ok(Json(team_view(&catalog, team)))
}

/// Adds a team (admins and security).
#[utoipa::path(
    post, path = "/api/v1/teams", tag = "catalog",
    request_body = CreateTeamRequest,
    responses(
        (status = 201, body = TeamView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_team(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateTeamRequest>,
) -> ApiResult<(StatusCode, Json<TeamView>)> {
    require_manager(&caller, "add teams")?;
    let name = TeamName::parse(request.name.trim()).map_err(invalid("name"))?;
    let mut members = request
        .members
        .iter()
        .map(|m| member(m))
        .collect::<ApiResult<Vec<_>>>()?;
    members.sort_by(|a, b| a.user.cmp(&b.user));
    members.dedup_by(|a, b| a.user == b.user);
    let parent = text(request.parent)
        .map(|p| TeamName::parse(&p).map_err(invalid("parent")))
        .transpose()?;
    let (view, _) = write_catalog(&state, &caller, move |catalog| {
        if catalog.team(&name).is_some() {
            return Err(ApiError::conflict(format!("team {name} already exists")));
        }
        let team = Team {
            name: name.clone(),
            display_name: text(request.display_name),
            description: text(request.description),
            email: text(request.email),
            parent,
            members,
            source: EntitySource::Manual,
        };
        let view = team_view(catalog, &team);
        let payload = json!({ "team": team });
        Ok((
            vec![CatalogChange::PutTeam(team)],
            ("team.create", team_target(&name), payload),
            view,
        ))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Changes a team (admins and security). `members` replaces the members
/// added in Rampart; imported members stay until the next import.
#[utoipa::path(
    patch, path = "/api/v1/teams/{name}", tag = "catalog",
    params(("name" = String, Path, description = "Team name")),
    request_body = UpdateTeamRequest,
    responses(
        (status = 200, body = TeamView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_team(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<UpdateTeamRequest>,
) -> ApiResult<Json<TeamView>> {
    require_manager(&caller, "change teams")?;
    if request == UpdateTeamRequest::default() {
        return Err(ApiError::validation("display_name", "nothing to change"));
    }
    let name = TeamName::parse(&name).map_err(|_| ApiError::not_found("team"))?;
    let manual = request
        .members
        .as_ref()
        .map(|users| {
            users
                .iter()
                .map(|u| member(u))
                .collect::<ApiResult<Vec<_>>>()
        })
        .transpose()?;
    let (view, _) = write_catalog(&state, &caller, move |catalog| {
        let current = catalog
            .team(&name)
            .ok_or_else(|| ApiError::not_found("team"))?;
        let mut next = current.clone();
        if let Some(v) = request.display_name {
            next.display_name = text(v);
        }
        if let Some(v) = request.description {
            next.description = text(v);
        }
        if let Some(v) = request.email {
            next.email = text(v);
        }
        if let Some(v) = request.parent {
            next.parent = text(v)
                .map(|p| TeamName::parse(&p).map_err(invalid("parent")))
                .transpose()?;
        }
        if let Some(manual) = manual {
            // Imported memberships are the import's to change.
            next.members.retain(|m| m.source != EntitySource::Manual);
            for m in manual {
                if !next.members.iter().any(|existing| existing.user == m.user) {
                    next.members.push(m);
                }
            }
            next.members.sort_by(|a, b| a.user.cmp(&b.user));
        }
        if &next == current {
            return Err(ApiError::conflict(format!(
                "team {name} already has these values"
            )));
        }
        let view = team_view(catalog, &next);
        let payload = json!({ "from": current, "to": next });
        Ok((
            vec![CatalogChange::PutTeam(next)],
            ("team.update", team_target(&name), payload),
            view,
        ))
    })
    .await?;
    Ok(Json(view))
}

/// The systems.
#[utoipa::path(
    get, path = "/api/v1/systems", tag = "catalog",
    responses((status = 200, body = SystemList), (status = 401, body = ErrorBody))
)]
pub async fn list_systems(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<SystemList>> {
    let catalog = state.store().catalog().await?;
    Ok(Json(SystemList {
        systems: catalog.systems.iter().map(SystemView::from).collect(),
    }))
}

/// Imports Backstage catalog files (admins and security): creates and
/// updates teams, systems and services, links manual entries of the same
/// name, deletes nothing. A repeated import changes nothing and writes no
/// audit event; `dry_run` reports without writing.
#[utoipa::path(
    post, path = "/api/v1/catalog/import", tag = "catalog",
    request_body = CatalogImportRequest,
    responses(
        (status = 200, body = CatalogImportResponse), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn import_catalog(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CatalogImportRequest>,
) -> ApiResult<Json<CatalogImportResponse>> {
    let files = request
        .files
        .into_iter()
        .map(|file| (file.name, file.content))
        .collect();
    import(&state, &caller, files, request.dry_run)
        .await
        .map(Json)
}

/// Imports `files` (name, YAML) as `caller`: the API's route and the web
/// UI's import form.
pub(crate) async fn import(
    state: &AppState,
    caller: &Caller,
    files: Vec<(String, String)>,
    dry_run: bool,
) -> ApiResult<CatalogImportResponse> {
    require_manager(caller, "import the catalog")?;
    let entities = rampart_inventory::backstage::parse_files(&files).map_err(|error| {
        use rampart_inventory::backstage::BackstageError;
        match error {
            BackstageError::TooLarge { .. } | BackstageError::TooManyDocuments { .. } => {
                ApiError::new(rampart_api::ErrorCode::PayloadTooLarge, error.to_string())
            }
            _ => ApiError::validation("files", error.to_string()),
        }
    })?;
    let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    let (report, changed) = write_catalog(state, caller, move |catalog| {
        let plan = rampart_inventory::backstage::plan_import(&entities, catalog);
        let report = serde_json::to_value(&plan.report)
            .map_err(|error| ApiError::internal(format!("import report: {error}")))?;
        let changes = if dry_run { Vec::new() } else { plan.changes };
        let summary: Vec<_> = changes
            .iter()
            .map(|c| json!({ "kind": c.kind(), "name": c.name() }))
            .collect();
        Ok((
            changes,
            (
                "catalog.import",
                Target::new("catalog", "backstage"),
                json!({ "files": names, "changes": summary }),
            ),
            report,
        ))
    })
    .await?;
    Ok(CatalogImportResponse {
        dry_run,
        changed,
        report,
    })
}
