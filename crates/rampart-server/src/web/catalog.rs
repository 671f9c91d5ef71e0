//! The service catalog in the browser: services, teams, and the Backstage
//! import. Everyone signed in reads the catalog, as through the API; the
//! import goes through the API's own import function.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rampart_api::CatalogImportResponse;
use rampart_incident::GlobalRole;
use rampart_inventory::{Catalog, EntitySource, Service, ServiceName, TeamName};
use serde::Deserialize;

use super::{Chrome, PageError, PostForm, WebUser, html, stylesheet_path};
use crate::AppState;
use crate::error::ApiError;
use crate::routes::catalog::import;

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/services", get(services_page))
        .route("/services/{name}", get(service_page))
        .route("/teams", get(teams_page))
        .route("/teams/{name}", get(team_page))
        .route("/catalog/import", get(import_page).post(import_form))
}

/// A service's line in a table.
pub(crate) struct ServiceLine {
    pub name: String,
    pub owner: Option<String>,
    pub tier: String,
    pub data: String,
    pub lifecycle: String,
}

impl From<&Service> for ServiceLine {
    fn from(s: &Service) -> Self {
        Self {
            name: s.name.to_string(),
            owner: s.owner.as_ref().map(ToString::to_string),
            tier: s.tier.map_or("–".to_owned(), |t| t.get().to_string()),
            data: s
                .data_classification
                .map_or("–".to_owned(), |c| c.as_str().to_owned()),
            lifecycle: s.lifecycle.clone().unwrap_or_else(|| "–".to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    services: Vec<ServiceLine>,
    unowned: usize,
    may_import: bool,
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    name: String,
    title: Option<String>,
    owner: Option<String>,
    fields: Vec<(&'static str, String)>,
}

/// A team's line in a table.
pub(crate) struct TeamLine {
    pub name: String,
    pub display_name: String,
    pub members: usize,
    pub services: usize,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    teams: Vec<TeamLine>,
}

/// A member's line.
pub(crate) struct MemberLine {
    pub user: String,
    pub display_name: String,
    pub source: &'static str,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    name: String,
    fields: Vec<(&'static str, String)>,
    members: Vec<MemberLine>,
    services: Vec<ServiceLine>,
}

#[derive(Template)]
#[template(path = "catalog_import.html")]
struct ImportPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    content: String,
    result: Option<ImportResult>,
}

/// What an import did, as sections of lines.
pub(crate) struct ImportResult {
    pub dry_run: bool,
    pub changed: usize,
    pub sections: Vec<(String, Vec<String>)>,
}

async fn catalog(state: &AppState, user: &WebUser) -> Result<Catalog, Response> {
    state
        .store()
        .catalog()
        .await
        .map_err(|error| PageError::from_api(ApiError::from(error), user.chrome()).into_response())
}

/// Where a catalog entry came from, for people.
fn source_text(source: &EntitySource) -> String {
    match source.entity_ref() {
        Some(entity) => format!("Backstage ({entity})"),
        None => "added in Rampart".to_owned(),
    }
}

/// `GET /services`.
async fn services_page(State(state): State<AppState>, user: WebUser) -> Response {
    let catalog = match catalog(&state, &user).await {
        Ok(catalog) => catalog,
        Err(page) => return page,
    };
    html(
        StatusCode::OK,
        &ServicesPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            unowned: catalog
                .services
                .iter()
                .filter(|s| s.owner.is_none())
                .count(),
            services: catalog.services.iter().map(ServiceLine::from).collect(),
            may_import: matches!(
                user.caller.user.role,
                GlobalRole::Admin | GlobalRole::Security
            ),
        },
    )
}

/// `GET /services/{name}`.
async fn service_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(name): Path<String>,
) -> Response {
    let catalog = match catalog(&state, &user).await {
        Ok(catalog) => catalog,
        Err(page) => return page,
    };
    let Some(service) = ServiceName::parse(&name)
        .ok()
        .and_then(|n| catalog.service(&n).cloned())
    else {
        return PageError::not_found().with(user.chrome()).into_response();
    };
    let fields = [
        ("Description", service.description.clone()),
        ("Tier", service.tier.map(|t| t.get().to_string())),
        (
            "Data classification",
            service.data_classification.map(|c| c.as_str().to_owned()),
        ),
        ("Lifecycle", service.lifecycle.clone()),
        ("Type", service.component_type.clone()),
        ("System", service.system.clone()),
        ("Repository", service.repository_url.clone()),
        ("On call", service.on_call.clone()),
        ("Security champion", service.security_champion.clone()),
        ("Source", Some(source_text(&service.source))),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| (label, v)))
    .collect();
    html(
        StatusCode::OK,
        &ServicePage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            name: service.name.to_string(),
            title: service.title.clone(),
            owner: service.owner.as_ref().map(ToString::to_string),
            fields,
        },
    )
}

/// `GET /teams`.
async fn teams_page(State(state): State<AppState>, user: WebUser) -> Response {
    let catalog = match catalog(&state, &user).await {
        Ok(catalog) => catalog,
        Err(page) => return page,
    };
    let teams = catalog
        .teams
        .iter()
        .map(|team| TeamLine {
            name: team.name.to_string(),
            display_name: team.display_name.clone().unwrap_or_default(),
            members: team.members.len(),
            services: catalog
                .services
                .iter()
                .filter(|s| s.owner.as_ref() == Some(&team.name))
                .count(),
        })
        .collect();
    html(
        StatusCode::OK,
        &TeamsPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            teams,
        },
    )
}

/// `GET /teams/{name}`.
async fn team_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(name): Path<String>,
) -> Response {
    let catalog = match catalog(&state, &user).await {
        Ok(catalog) => catalog,
        Err(page) => return page,
    };
    let Some(team) = TeamName::parse(&name)
        .ok()
        .and_then(|n| catalog.team(&n).cloned())
    else {
        return PageError::not_found().with(user.chrome()).into_response();
    };
    let fields = [
        ("Name", team.display_name.clone()),
        ("Description", team.description.clone()),
        ("E-mail", team.email.clone()),
        ("Parent team", team.parent.as_ref().map(ToString::to_string)),
        ("Source", Some(source_text(&team.source))),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| (label, v)))
    .collect();
    html(
        StatusCode::OK,
        &TeamPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            name: team.name.to_string(),
            fields,
            members: team
                .members
                .iter()
                .map(|m| MemberLine {
                    user: m.user.clone(),
                    display_name: m.display_name.clone().unwrap_or_default(),
                    source: m.source.kind(),
                })
                .collect(),
            services: catalog
                .services
                .iter()
                .filter(|s| s.owner.as_ref() == Some(&team.name))
                .map(ServiceLine::from)
                .collect(),
        },
    )
}

/// `GET /catalog/import`: the form (admins and security; others get the
/// API's refusal when they post).
async fn import_page(user: WebUser) -> Response {
    html(
        StatusCode::OK,
        &ImportPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            content: String::new(),
            result: None,
        },
    )
}

/// The import form: pasted YAML and whether to only report.
#[derive(Deserialize)]
pub(crate) struct ImportForm {
    content: String,
    #[serde(default)]
    dry_run: Option<String>,
}

/// `POST /catalog/import`: the API's import; the page shows its report.
async fn import_form(State(state): State<AppState>, posted: PostForm<ImportForm>) -> Response {
    let PostForm { user, form } = posted;
    let dry_run = form.dry_run.is_some();
    let files = vec![("pasted catalog".to_owned(), form.content.clone())];
    match import(&state, &user.caller, files, dry_run).await {
        Ok(answer) => html(
            StatusCode::OK,
            &ImportPage {
                chrome: user.chrome(),
                stylesheet: stylesheet_path(),
                content: if dry_run { form.content } else { String::new() },
                result: Some(import_result(&answer)),
            },
        ),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

fn import_result(answer: &CatalogImportResponse) -> ImportResult {
    let sections = answer
        .report
        .as_object()
        .map(|sections| {
            sections
                .iter()
                .filter_map(|(name, entries)| {
                    let entries = entries.as_array()?;
                    Some((
                        name.replace('_', " "),
                        entries.iter().map(entry_line).collect(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    ImportResult {
        dry_run: answer.dry_run,
        changed: answer.changed,
        sections,
    }
}

fn entry_line(entry: &serde_json::Value) -> String {
    use serde_json::Value;
    match entry {
        Value::String(text) => text.clone(),
        Value::Object(fields) => {
            let mut parts: Vec<String> = ["kind", "name"]
                .iter()
                .filter_map(|key| fields.get(*key).and_then(Value::as_str).map(str::to_owned))
                .collect();
            if let Some(changes) = fields.get("fields").and_then(Value::as_array) {
                let names: Vec<&str> = changes
                    .iter()
                    .filter_map(|c| c.get("field").and_then(Value::as_str))
                    .collect();
                parts.push(format!("({})", names.join(", ")));
            }
            for key in ["file", "reason", "message"] {
                if let Some(Value::String(text)) = fields.get(key) {
                    parts.push(format!("— {text}"));
                }
            }
            parts.join(" ")
        }
        other => other.to_string(),
    }
}
