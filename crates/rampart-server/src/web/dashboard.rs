//! The dashboard: the incidents the user may see and the declare form.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rampart_api::DeclareIncidentRequest;
use rampart_incident::{DetectionSource, GlobalRole, IncidentSeverity, Step, StepRecord, Tlp};
use serde::Deserialize;

use super::{Chrome, PageError, PostForm, WebUser, age, html, stylesheet_path};
use crate::AppState;
use crate::auth::now;
use crate::error::ApiResult;
use crate::routes::incidents::{declare as declare_incident, visible_incidents};

/// One row of the incident table.
pub(crate) struct Row {
    pub id: String,
    pub codename: String,
    pub title: String,
    pub severity: &'static str,
    pub tlp: &'static str,
    pub tlp_class: &'static str,
    pub status: &'static str,
    pub age: String,
}

/// An open action item on the dashboard.
pub(crate) struct ActionLine {
    pub incident: String,
    pub record: i64,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    rows: Vec<Row>,
    mine: Vec<ActionLine>,
    overdue: Vec<ActionLine>,
    may_declare: bool,
    severities: Vec<&'static str>,
    tlps: Vec<&'static str>,
}

/// The CSS class of a TLP marking's colours.
pub(crate) fn tlp_class(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Red => "tlp-red",
        Tlp::AmberStrict | Tlp::Amber => "tlp-amber",
        Tlp::Green => "tlp-green",
        Tlp::Clear => "tlp-clear",
    }
}

/// `GET /`.
pub(crate) async fn dashboard(State(state): State<AppState>, user: WebUser) -> Response {
    let incidents = match visible_incidents(&state, &user.caller).await {
        Ok(incidents) => incidents,
        Err(error) => return PageError::from_api(error, user.chrome()).into_response(),
    };
    let at = now();
    let (mine, overdue) = match action_items(&state, &user, &incidents, at).await {
        Ok(lists) => lists,
        Err(error) => return PageError::from_api(error, user.chrome()).into_response(),
    };
    let rows = incidents
        .iter()
        .map(|summary| Row {
            id: summary.id.to_string(),
            codename: summary.codename.to_string(),
            title: summary.details.title.clone(),
            severity: summary.details.severity.as_str(),
            tlp: summary.details.tlp.as_str(),
            tlp_class: tlp_class(summary.details.tlp),
            status: match summary.status {
                rampart_store::IncidentStatus::Open => "open",
                rampart_store::IncidentStatus::Closed => "closed",
            },
            age: age(summary.declared_at, at),
        })
        .collect();
    html(
        StatusCode::OK,
        &DashboardPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            rows,
            mine,
            overdue,
            may_declare: user.caller.user.role != GlobalRole::Viewer,
            severities: IncidentSeverity::ALL.iter().map(|s| s.as_str()).collect(),
            tlps: Tlp::ALL.iter().map(|t| t.as_str()).collect(),
        },
    )
}

/// The open action items (step 9) of the open incidents the user may see:
/// those they own, and every overdue one. `incidents` is already the
/// list the access rule allows, so no incident is read beyond it.
async fn action_items(
    state: &AppState,
    user: &WebUser,
    incidents: &[rampart_store::IncidentSummary],
    at: jiff::Timestamp,
) -> ApiResult<(Vec<ActionLine>, Vec<ActionLine>)> {
    let today = jiff::tz::Offset::UTC.to_datetime(at).date();
    let (mut mine, mut overdue) = (Vec::new(), Vec::new());
    for summary in incidents
        .iter()
        .filter(|summary| summary.status == rampart_store::IncidentStatus::Open)
    {
        let records = state
            .store()
            .records(summary.id, Some(Step::MitigationsAndMonitoring))
            .await?;
        for row in records {
            let StepRecord::ActionItem(item) = &row.record else {
                continue;
            };
            if !item.is_open() {
                continue;
            }
            let line = || ActionLine {
                incident: summary.id.to_string(),
                record: row.id,
                title: item.title.to_string(),
                owner: item.owner.to_string(),
                due: item.due.to_string(),
                overdue: item.due < today,
            };
            if item.owner == user.caller.user.name {
                mine.push(line());
            }
            if item.due < today {
                overdue.push(line());
            }
        }
    }
    mine.sort_by(|a, b| a.due.cmp(&b.due));
    overdue.sort_by(|a, b| a.due.cmp(&b.due));
    Ok((mine, overdue))
}

/// The declare form: the API's request, field for field.
#[derive(Deserialize)]
pub(crate) struct DeclareForm {
    title: String,
    severity: IncidentSeverity,
    tlp: Tlp,
    #[serde(default)]
    detected_by: DetectionSource,
}

/// `POST /incidents`: declares through the API's path; 303 to the new page.
pub(crate) async fn declare(
    State(state): State<AppState>,
    posted: PostForm<DeclareForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let request = DeclareIncidentRequest {
        title: form.title,
        severity: form.severity,
        tlp: form.tlp,
        summary: None,
        detected_by: Some(form.detected_by),
    };
    match declare_incident(&state, &user.caller, request).await {
        Ok(incident) => {
            Redirect::to(&format!("/incidents/{}", incident.summary.id)).into_response()
        }
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}
