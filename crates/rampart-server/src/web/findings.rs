//! Findings and blast radius in the browser: the counts per service
//! (everyone), the findings the caller may see with their triage, and the
//! "where else?" questions. Every page reads through the API's own
//! functions, so the visibility rules cannot differ.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rampart_api::{BlastAnswer, BlastQuery, FindingView, ServiceFindingCounts, TriageRequest};
use rampart_core::Severity;
use rampart_incident::GlobalRole;
use rampart_inventory::FindingState;
use rampart_store::FindingFilter;
use serde::Deserialize;

use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::auth::now;
use crate::error::ApiError;
use crate::inventory_access;
use crate::routes::{blast, findings};

/// Most findings listed on one page.
const PAGE: u32 = 200;

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/findings", get(findings_page))
        .route("/findings/{id}", get(finding_page))
        .route("/findings/{id}/triage", post(triage_form))
        .route("/where", get(where_page))
}

/// One finding's line.
pub(crate) struct FindingLine {
    pub id: i64,
    pub severity: &'static str,
    pub service: String,
    pub title: String,
    pub rule: String,
    pub state: &'static str,
    pub due: String,
    pub overdue: bool,
    pub location: String,
}

impl From<&FindingView> for FindingLine {
    fn from(f: &FindingView) -> Self {
        let location = match (&f.package, &f.path) {
            (Some(p), _) => format!("{} {}", p.name, p.version.as_deref().unwrap_or("")),
            (None, Some(path)) => match f.line {
                Some(line) => format!("{path}:{line}"),
                None => path.clone(),
            },
            (None, None) => String::new(),
        };
        Self {
            id: f.id,
            severity: f.severity.as_str(),
            service: f.service.to_string(),
            title: f.title.clone(),
            rule: f.rule_id.clone(),
            state: f.state.as_str(),
            due: f.due_at.map(minute).unwrap_or_else(|| "–".to_owned()),
            overdue: f.overdue,
            location: location.trim().to_owned(),
        }
    }
}

/// One service's counts.
pub(crate) struct CountLine {
    pub service: String,
    pub team: String,
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub other: u64,
    pub overdue: u64,
    pub accepted: u64,
    pub last_upload: String,
}

impl From<&ServiceFindingCounts> for CountLine {
    fn from(c: &ServiceFindingCounts) -> Self {
        Self {
            service: c.service.to_string(),
            team: c
                .team
                .as_ref()
                .map_or("unowned".to_owned(), ToString::to_string),
            critical: c.open.critical,
            high: c.open.high,
            medium: c.open.medium,
            low: c.open.low,
            other: c.open.unknown + c.open.info,
            overdue: c.overdue,
            accepted: c.accepted_risk,
            last_upload: c
                .last_upload_at
                .map(minute)
                .unwrap_or_else(|| "never".to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "findings.html")]
struct FindingsPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    counts: Vec<CountLine>,
    /// `None` for viewers, who see counts only.
    findings: Option<Vec<FindingLine>>,
    more: bool,
    filter: Filter,
    states: [&'static str; 4],
    severities: [&'static str; 6],
}

/// The list's filters, as the query string gives them.
#[derive(Debug, Default, Deserialize)]
struct Filter {
    #[serde(default)]
    service: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    overdue: Option<String>,
}

/// `GET /findings`.
async fn findings_page(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(query): RawQuery,
) -> Response {
    let filter: Filter =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let page_error = |error: ApiError| PageError::from_api(error, user.chrome()).into_response();
    let summary = match findings::summary(&state, None).await {
        Ok(summary) => summary,
        Err(error) => return page_error(error),
    };
    let mut more = false;
    let findings = if user.caller.user.role == GlobalRole::Viewer {
        None
    } else {
        match list(&state, &user, &filter).await {
            Ok((lines, has_more)) => {
                more = has_more;
                Some(lines)
            }
            Err(error) => return page_error(error),
        }
    };
    html(
        StatusCode::OK,
        &FindingsPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            counts: summary.services.iter().map(CountLine::from).collect(),
            findings,
            more,
            filter,
            states: FindingState::ALL.map(FindingState::as_str),
            severities: Severity::ALL.map(Severity::as_str),
        },
    )
}

async fn list(
    state: &AppState,
    user: &WebUser,
    filter: &Filter,
) -> Result<(Vec<FindingLine>, bool), ApiError> {
    let visibility = inventory_access::visibility(state, &user.caller).await?;
    let mut services = visibility.service_filter();
    let service = filter.service.trim();
    if !service.is_empty() {
        let name = rampart_inventory::ServiceName::parse(service)
            .map_err(|e| ApiError::validation("service", e.to_string()))?;
        services = Some(match services {
            Some(list) => list.into_iter().filter(|s| s == &name).collect(),
            None => vec![name],
        });
    }
    let state_filter = match filter.state.trim() {
        "" => None,
        s => Some(
            s.parse::<FindingState>()
                .map_err(|e| ApiError::validation("state", e.message))?,
        ),
    };
    let severity = match filter.severity.trim() {
        "" => None,
        s => Some(
            s.parse::<Severity>()
                .map_err(|e| ApiError::validation("severity", e.to_string()))?,
        ),
    };
    let at = now();
    let rows = state
        .store()
        .findings(
            &FindingFilter {
                services,
                state: state_filter,
                min_severity: severity,
                kind: None,
                overdue_only: filter.overdue.is_some(),
                after: None,
                limit: PAGE + 1,
            },
            at,
        )
        .await?;
    let more = rows.len() > PAGE as usize;
    Ok((
        rows.iter()
            .take(PAGE as usize)
            .map(|row| FindingLine::from(&findings::finding_view(row, at)))
            .collect(),
        more,
    ))
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    line: FindingLine,
    fields: Vec<(&'static str, String)>,
    events: Vec<EventLine>,
    /// A triage refusal, shown above the form.
    problem: Option<String>,
}

/// One event of a finding's history.
pub(crate) struct EventLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub change: String,
    pub reason: String,
}

/// `GET /findings/{id}`.
async fn finding_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    render_finding(&state, &user, &id, None, StatusCode::OK).await
}

async fn render_finding(
    state: &AppState,
    user: &WebUser,
    id: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    if user.caller.user.role == GlobalRole::Viewer {
        return PageError::from_api(
            ApiError::forbidden("viewers see finding counts only"),
            user.chrome(),
        )
        .into_response();
    }
    let Ok(id) = id.parse::<i64>() else {
        return PageError::not_found().with(user.chrome()).into_response();
    };
    let visibility = match inventory_access::visibility(state, &user.caller).await {
        Ok(v) => v,
        Err(error) => return PageError::from_api(error, user.chrome()).into_response(),
    };
    let found = match state.store().finding(id).await {
        Ok(found) => found,
        Err(error) => {
            return PageError::from_api(ApiError::from(error), user.chrome()).into_response();
        }
    };
    let Some((row, events)) = found.filter(|(row, _)| visibility.sees(&row.service)) else {
        return PageError::not_found().with(user.chrome()).into_response();
    };
    let at = now();
    let view = findings::finding_view(&row, at);
    let fields = [
        ("Service", Some(view.service.to_string())),
        ("Team", view.team.as_ref().map(ToString::to_string)),
        ("Scope", Some(view.scope.clone())),
        ("Kind", Some(view.kind.clone())),
        ("Rule", Some(view.rule_id.clone())),
        (
            "Known as",
            (!view.ids.is_empty()).then(|| view.ids.join(", ")),
        ),
        ("Message", view.message.clone()),
        ("Reason", view.state_reason.clone()),
        ("Accepted until", view.risk_expires_at.map(minute)),
        ("Suppressed where scanned", view.local_suppression.clone()),
        ("First seen", Some(minute(view.first_seen))),
        ("Last seen", Some(minute(view.last_seen))),
        ("Fixed", view.fixed_at.map(minute)),
        (
            "Fingerprint",
            Some(format!(
                "{} ({})",
                view.fingerprint, view.fingerprint_origin
            )),
        ),
        ("Documentation", view.help_uri.clone()),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|v| (label, v)))
    .collect();
    let events = events
        .iter()
        .map(|e| EventLine {
            at: minute(e.at),
            actor: e.actor.clone(),
            action: e.action.replace('_', " "),
            change: match (e.from_state, e.to_state) {
                (Some(from), Some(to)) => format!("{from} → {to}"),
                (None, Some(to)) => to.to_string(),
                _ => String::new(),
            },
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    html(
        status,
        &FindingPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            line: FindingLine::from(&view),
            fields,
            events,
            problem,
        },
    )
}

/// The triage form. `until` is a date (the acceptance lapses at its
/// start, UTC).
#[derive(Debug, Deserialize)]
struct TriageForm {
    state: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
}

/// `POST /findings/{id}/triage`.
async fn triage_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<TriageForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let request = match triage_request(form) {
        Ok(request) => request,
        Err(error) => {
            let message = error.body().error.message.clone();
            return render_finding(
                &state,
                &user,
                &id,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match findings::triage(&state, &user.caller, &id, request).await {
        Ok(_) => Redirect::to(&format!("/findings/{id}")).into_response(),
        Err(error) if error.body().error.code == rampart_api::ErrorCode::Validation => {
            let message = error.body().error.message.clone();
            render_finding(
                &state,
                &user,
                &id,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

fn triage_request(form: TriageForm) -> Result<TriageRequest, ApiError> {
    let state = form
        .state
        .parse::<FindingState>()
        .map_err(|e| ApiError::validation("state", e.message))?;
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let until = form.until.trim();
    let expires_at = if until.is_empty() {
        None
    } else {
        Some(
            format!("{until}T00:00:00Z")
                .parse::<jiff::Timestamp>()
                .map_err(|_| ApiError::validation("expires_at", "the date is YYYY-MM-DD"))?,
        )
    };
    Ok(TriageRequest {
        state,
        reason,
        expires_at,
    })
}

#[derive(Template)]
#[template(path = "where.html")]
struct WherePage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    form: WhereForm,
    answer: Option<AnswerView>,
    problem: Option<String>,
}

/// The question, as the page's forms send it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WhereForm {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub range: String,
    #[serde(default)]
    pub advisory: String,
    #[serde(default)]
    pub fingerprint: String,
}

impl WhereForm {
    /// The question asked, if any: a package, else an advisory, else a
    /// secret.
    pub(crate) fn question(&self) -> Option<BlastQuery> {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        if let (Some(ecosystem), Some(name)) = (some(&self.ecosystem), some(&self.name)) {
            return Some(BlastQuery::Package {
                ecosystem,
                name,
                range: some(&self.range),
            });
        }
        if let Some(id) = some(&self.advisory) {
            return Some(BlastQuery::Advisory { id });
        }
        some(&self.fingerprint).map(|fingerprint| BlastQuery::Secret { fingerprint })
    }
}

/// A blast-radius answer, as lines.
pub(crate) struct AnswerView {
    pub as_of: String,
    pub services: Vec<ServiceHitLine>,
    pub undetermined: Vec<ServiceHitLine>,
    pub hidden: u64,
}

pub(crate) struct ServiceHitLine {
    pub service: String,
    pub team: String,
    pub tier: String,
    pub matches: Vec<String>,
}

impl From<&BlastAnswer> for AnswerView {
    fn from(answer: &BlastAnswer) -> Self {
        let line = |s: &rampart_api::BlastService| ServiceHitLine {
            service: s.service.to_string(),
            team: s
                .team
                .as_ref()
                .map_or("unowned".to_owned(), ToString::to_string),
            tier: s.tier.map_or("–".to_owned(), |t| t.get().to_string()),
            matches: s
                .matches
                .iter()
                .map(|m| match (m.finding_id, &m.version) {
                    (Some(id), _) => format!(
                        "finding {id} ({}, {})",
                        m.state.map(|s| s.as_str()).unwrap_or("?"),
                        m.scope
                    ),
                    (None, version) => format!(
                        "{}{} ({})",
                        version.as_deref().unwrap_or("unresolved version"),
                        m.path
                            .as_deref()
                            .map(|p| format!(" in {p}"))
                            .unwrap_or_default(),
                        m.scope
                    ),
                })
                .collect(),
        };
        Self {
            as_of: minute(answer.as_of),
            services: answer.services.iter().map(line).collect(),
            undetermined: answer.undetermined.iter().map(line).collect(),
            hidden: answer.hidden_services,
        }
    }
}

/// `GET /where`: the forms, and the answer when a question was asked.
async fn where_page(
    State(state): State<AppState>,
    user: WebUser,
    RawQuery(query): RawQuery,
) -> Response {
    if user.caller.user.role == GlobalRole::Viewer {
        return PageError::from_api(
            ApiError::forbidden("viewers see finding counts only"),
            user.chrome(),
        )
        .into_response();
    }
    let form: WhereForm =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let (mut answer, mut problem, mut status) = (None, None, StatusCode::OK);
    if let Some(question) = form.question() {
        let visibility = match inventory_access::visibility(&state, &user.caller).await {
            Ok(v) => v,
            Err(error) => return PageError::from_api(error, user.chrome()).into_response(),
        };
        match blast::answer(&state, question, &visibility).await {
            Ok(found) => answer = Some(AnswerView::from(&found)),
            Err(error) if error.body().error.code == rampart_api::ErrorCode::Validation => {
                problem = Some(error.body().error.message.clone());
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(error) => return PageError::from_api(error, user.chrome()).into_response(),
        }
    }
    html(
        status,
        &WherePage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            form,
            answer,
            problem,
        },
    )
}
