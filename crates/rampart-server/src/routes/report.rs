//! Documents generated from an incident's records: the post-incident report
//! (internal or external audience), the STIX 2.1 bundle of its indicators
//! and the VERIS classification.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rampart_api::{ErrorBody, ReportQuery, StixQuery};
use rampart_audit::Target;
use rampart_incident::{IncidentAction, IncidentId, Tlp};
use rampart_incident_report::{Audience, StixOptions};
use serde_json::json;

use super::{audit, load_incident, parse_incident_id, parse_query};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

fn with_type(body: String, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn report_target(id: IncidentId, what: &str) -> Target {
    Target::new(what, id.to_string())
}

/// The post-incident report, generated from the records. The external
/// audience leaves out restricted detail: TLP:AMBER and TLP:RED
/// indicators, people's names, evidence locations, credential
/// fingerprints, law-enforcement contacts, notes and unsent drafts.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/report", tag = "reports",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ReportQuery),
    responses(
        (status = 200, content_type = "text/markdown", description = "Markdown (default), HTML (`format=html`) or JSON (`format=json`)"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn incident_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = parse_incident_id(&id)?;
    let query: ReportQuery = parse_query(query.as_deref())?;
    let audience: Audience = query
        .audience
        .as_deref()
        .unwrap_or("internal")
        .parse()
        .map_err(|e: rampart_incident_report::AudienceParseError| {
            ApiError::validation(
                "audience",
                format!(
                    "field `audience`: {:?} is not internal or external",
                    e.input
                ),
            )
        })?;
    let format = query.format.as_deref().unwrap_or("markdown");
    let format = ReportFormat::parse(format).ok_or_else(|| {
        ApiError::validation(
            "format",
            format!("field `format`: {format:?} is not markdown, html or json"),
        )
    })?;
    let (body, content_type) = report_document(&state, &caller, id, audience, format).await?;
    Ok(with_type(body, content_type))
}

/// A format the report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportFormat {
    /// Markdown, the default.
    Markdown,
    /// One self-contained HTML document.
    Html,
    /// The report model as JSON.
    Json,
}

impl ReportFormat {
    /// Every format.
    pub const ALL: [Self; 3] = [Self::Markdown, Self::Html, Self::Json];

    /// The name the API's `format` parameter takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Html => "html",
            Self::Json => "json",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s output.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// The file-name extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Json => "json",
        }
    }
}

/// The report for `audience` in `format` with its media type, generated under the incident's access rule and
/// audited. Shared by the API route and the report page.
pub(crate) async fn report_document(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    audience: Audience,
    format: ReportFormat,
) -> ApiResult<(String, &'static str)> {
    let (incident, _) = load_incident(state, caller, id, IncidentAction::View, None).await?;
    let records = state.store().records(id, None).await?;
    state
        .store()
        .append_audit(audit(
            caller,
            "report.generate",
            report_target(id, "report"),
            json!({ "audience": audience.as_str(), "format": format.as_str() }),
        ))
        .await?;
    let report = rampart_incident_report::build_report(&incident, &records, audience, now());
    Ok(match format {
        ReportFormat::Html => (
            rampart_incident_report::render_html(&report),
            "text/html; charset=utf-8",
        ),
        ReportFormat::Json => (
            serde_json::to_string_pretty(&report).map_err(ApiError::internal)?,
            "application/json",
        ),
        ReportFormat::Markdown => (
            rampart_incident_report::render_markdown(&report),
            "text/markdown; charset=utf-8",
        ),
    })
}

/// The incident's indicators as a STIX 2.1 bundle, optionally only those
/// marked no more restrictively than `max_tlp`.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/indicators/stix", tag = "indicators",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), StixQuery),
    responses(
        (status = 200, content_type = "application/stix+json;version=2.1", description = "A STIX 2.1 bundle"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn indicators_stix(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = parse_incident_id(&id)?;
    let query: StixQuery = parse_query(query.as_deref())?;
    let max_tlp = query
        .max_tlp
        .as_deref()
        .map(str::parse::<Tlp>)
        .transpose()
        .map_err(ApiError::domain)?;
    let (incident, _) = load_incident(&state, &caller, id, IncidentAction::View, None).await?;
    let records = state.store().records(id, None).await?;
    state
        .store()
        .append_audit(audit(
            &caller,
            "indicators.export",
            report_target(id, "indicators"),
            json!({ "format": "stix-2.1", "max_tlp": max_tlp }),
        ))
        .await?;
    let options = StixOptions {
        producer_name: producer_name(&state),
        max_tlp,
        generated_at: now(),
    };
    let bundle = rampart_incident_report::stix_bundle(&incident, &records, &options);
    Ok(with_type(
        serde_json::to_string_pretty(&bundle).map_err(ApiError::internal)?,
        "application/stix+json;version=2.1",
    ))
}

/// Who the bundle says produced it: the server's public host, else "Rampart".
fn producer_name(state: &AppState) -> String {
    state
        .config()
        .public_url
        .as_deref()
        .and_then(|url| url.split("://").nth(1))
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .filter(|host| !host.is_empty())
        .map(|host| format!("Rampart at {host}"))
        .unwrap_or_else(|| "Rampart".to_owned())
}

/// A VERIS-style classification (actor, action, asset, attribute) built
/// from the records, for sharing with VERIS-based breach databases.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/veris", tag = "reports",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses(
        (status = 200, content_type = "application/json", description = "VERIS-style JSON"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn incident_veris(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_incident_id(&id)?;
    let (incident, _) = load_incident(&state, &caller, id, IncidentAction::View, None).await?;
    let records = state.store().records(id, None).await?;
    state
        .store()
        .append_audit(audit(
            &caller,
            "report.veris",
            report_target(id, "report"),
            json!({}),
        ))
        .await?;
    let veris = rampart_incident_report::veris_classification(&incident, &records);
    Ok(with_type(
        serde_json::to_string_pretty(&veris).map_err(ApiError::internal)?,
        "application/json",
    ))
}
