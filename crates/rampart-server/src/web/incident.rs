//! The incident page: header with the TLP banner, the 14 steps as a board,
//! the attack timeline on a time axis beside the response log, members;
//! and the step-state form.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rampart_api::UpdateStepRequest;
use rampart_incident::{
    IncidentAction, IncidentId, LogAction, LogTarget, MemberRole, Step, StepRecord, StepState,
    StepWarning,
};
use rampart_store::{IncidentState, LogRow};
use serde::Deserialize;

use super::dashboard::tlp_class;
use super::{Chrome, PageError, PostForm, WebUser, age, html, minute, stylesheet_path};
use crate::AppState;
use crate::auth::now;
use crate::error::ApiResult;
use crate::routes::incidents::{change_step_fields, parse_step};
use crate::routes::{load_incident, member_views, parse_incident_id};

/// A step's card on the board.
pub(crate) struct Card {
    pub number: u8,
    pub title: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub owner: Option<String>,
    pub rationale: Option<String>,
    pub warnings: Vec<String>,
    /// How many records the step holds.
    pub records: usize,
}

/// An attack-timeline entry placed on the axis.
pub(crate) struct Event {
    pub n: usize,
    pub at: String,
    pub iso: String,
    pub certainty: &'static str,
    pub source: String,
    pub description: String,
    /// Horizontal position on the axis, in SVG user units (20–980).
    pub x: i64,
}

/// A response-log line.
pub(crate) struct LogLine {
    pub at: String,
    pub iso: String,
    pub actor: String,
    pub summary: String,
}

/// A member line.
pub(crate) struct MemberLine {
    pub user: String,
    pub role: &'static str,
    pub joined: String,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    codename: String,
    title: String,
    head: IncidentHead,
    severity: &'static str,
    status: &'static str,
    commander: String,
    declared: String,
    age: String,
    cards: Vec<Card>,
    events: Vec<Event>,
    axis_start: String,
    axis_end: String,
    log: Vec<LogLine>,
    members: Vec<MemberLine>,
    /// Access requests waiting, for those who may decide them.
    pending_requests: Option<usize>,
    open: bool,
    states: Vec<(&'static str, &'static str)>,
}

fn state_label(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "Pending",
        StepState::InProgress => "In progress",
        StepState::Done => "Done",
        StepState::NotNeeded => "Not needed",
    }
}

/// The warnings of a step's latest state change, from the response log
/// (where `change_step` records them); owner and notes edits raise none.
fn latest_warnings(log: &[LogRow], step: Step) -> Vec<String> {
    log.iter()
        .rev()
        .find(|row| {
            row.entry.action == LogAction::StepChanged
                && row.entry.target == LogTarget::Step { step }
                && row.entry.detail.get("owner").is_none()
                && row.entry.detail.get("notes").is_none()
        })
        .and_then(|row| row.entry.detail.get("warnings").cloned())
        .and_then(|value| serde_json::from_value::<Vec<StepWarning>>(value).ok())
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn events(records: &[rampart_store::RecordRow]) -> (Vec<Event>, String, String) {
    let mut entries: Vec<_> = records
        .iter()
        .filter_map(|row| match &row.record {
            StepRecord::AttackTimelineEntry(entry) => Some(entry),
            _ => None,
        })
        .collect();
    entries.sort_by_key(|entry| entry.event_time);
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return (Vec::new(), String::new(), String::new());
    };
    let (start, end) = (first.event_time.as_second(), last.event_time.as_second());
    let span = end.saturating_sub(start);
    let events = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| Event {
            n: i + 1,
            at: minute(entry.event_time),
            iso: entry.event_time.to_string(),
            certainty: entry.certainty.as_str(),
            source: entry.source.to_string(),
            description: entry.description.to_string(),
            x: if span == 0 {
                500
            } else {
                20 + (entry.event_time.as_second() - start).saturating_mul(960) / span
            },
        })
        .collect();
    (events, minute(first.event_time), minute(last.event_time))
}

fn page(
    user: &WebUser,
    incident: &IncidentState,
    records: &[rampart_store::RecordRow],
    log: &[LogRow],
) -> IncidentPage {
    let summary = &incident.summary;
    let at = now();
    let (events, axis_start, axis_end) = events(records);
    IncidentPage {
        chrome: user.chrome(),
        stylesheet: stylesheet_path(),
        nav: "board",
        id: summary.id.to_string(),
        codename: summary.codename.to_string(),
        title: summary.details.title.clone(),
        head: IncidentHead::of(incident),
        severity: summary.details.severity.as_str(),
        status: match summary.status {
            rampart_store::IncidentStatus::Open => "open",
            rampart_store::IncidentStatus::Closed => "closed",
        },
        commander: incident
            .access
            .members
            .iter()
            .find(|m| m.role == MemberRole::Commander)
            .map(|m| m.user.to_string())
            .unwrap_or_else(|| "nobody".into()),
        declared: minute(summary.declared_at),
        age: age(summary.declared_at, at),
        cards: incident
            .steps
            .iter()
            .map(|row| card(row, log, records))
            .collect(),
        events,
        axis_start,
        axis_end,
        log: log
            .iter()
            .rev()
            .map(|row| LogLine {
                at: minute(row.entry.at),
                iso: row.entry.at.to_string(),
                actor: row.entry.actor.to_string(),
                summary: row.entry.summary.clone(),
            })
            .collect(),
        members: member_views(incident)
            .into_iter()
            .map(|m| MemberLine {
                user: m.user.to_string(),
                role: m.role.as_str(),
                joined: minute(m.joined_at),
            })
            .collect(),
        pending_requests: None,
        open: summary.status == rampart_store::IncidentStatus::Open,
        states: state_choices(),
    }
}

/// The states a step can be set to, as (value, label).
pub(crate) fn state_choices() -> Vec<(&'static str, &'static str)> {
    [
        StepState::Pending,
        StepState::InProgress,
        StepState::Done,
        StepState::NotNeeded,
    ]
    .into_iter()
    .map(|s| (s.as_str(), state_label(s)))
    .collect()
}

/// A step's card: its state, owner, reason and latest warnings.
pub(crate) fn card(
    row: &rampart_store::StepRow,
    log: &[LogRow],
    records: &[rampart_store::RecordRow],
) -> Card {
    Card {
        records: records
            .iter()
            .filter(|record| record.step == row.entry.step)
            .count(),
        number: row.entry.step.number(),
        title: row.entry.step.title(),
        state: row.entry.state.as_str(),
        state_label: state_label(row.entry.state),
        owner: row.owner.as_ref().map(ToString::to_string),
        rationale: row.entry.rationale.as_ref().map(ToString::to_string),
        warnings: latest_warnings(log, row.entry.step),
    }
}

async fn load(state: &AppState, user: &WebUser, id: &str) -> ApiResult<IncidentPage> {
    let id: IncidentId = parse_incident_id(id)?;
    // The API's read: the same access decision, 404 and audit event.
    let (incident, access) = load_incident(
        state,
        &user.caller,
        id,
        IncidentAction::View,
        Some("incident.read"),
    )
    .await?;
    // Only those who decide requests learn that any are waiting.
    let pending_requests = if access.may(IncidentAction::DecideAccessRequest) {
        let requests = state.store().access_requests(id).await?;
        Some(
            requests
                .iter()
                .filter(|row| row.request.state == rampart_incident::AccessRequestState::Requested)
                .count(),
        )
    } else {
        None
    };
    let records = state.store().records(id, None).await?;
    let log = state.store().response_log(id).await?;
    Ok(IncidentPage {
        pending_requests,
        ..page(user, &incident, &records, &log)
    })
}

/// `GET /incidents/{id}`.
pub(crate) async fn incident_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match load(&state, &user, &id).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// The step form: a new state and, where the rules ask for one, a reason.
#[derive(Deserialize)]
pub(crate) struct StepForm {
    state: StepState,
    #[serde(default)]
    rationale: String,
}

/// `POST /incidents/{id}/steps/{n}`: the API's step change; back to the
/// board, where the card shows the warnings the change raised.
pub(crate) async fn change_step(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    posted: PostForm<StepForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let step = parse_step(&n)?;
        let rationale = Some(form.rationale.trim().to_owned()).filter(|r| !r.is_empty());
        let request = UpdateStepRequest {
            state: Some(form.state),
            rationale,
            ..UpdateStepRequest::default()
        };
        change_step_fields(&state, &user.caller, id, step, request).await?;
        Ok::<_, crate::error::ApiError>(format!("/incidents/{id}#step-{}", step.number()))
    }
    .await;
    match result {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// What every incident sub-page shows above its content: the TLP banner,
/// the break-glass banner and the incident's id and title.
pub(crate) struct IncidentHead {
    pub id: String,
    pub title: String,
    pub tlp: &'static str,
    pub tlp_class: &'static str,
    pub break_glass: Vec<String>,
    pub open: bool,
}

impl IncidentHead {
    /// The head of `incident`.
    pub fn of(incident: &IncidentState) -> Self {
        let summary = &incident.summary;
        Self {
            id: summary.id.to_string(),
            title: summary.details.title.clone(),
            tlp: summary.details.tlp.as_str(),
            tlp_class: tlp_class(summary.details.tlp),
            break_glass: incident
                .access
                .break_glass
                .iter()
                .map(|grant| grant.user.to_string())
                .collect(),
            open: summary.status == rampart_store::IncidentStatus::Open,
        }
    }
}

/// A page route's answer: its response, or the API error as a page.
pub(crate) fn answer(result: ApiResult<Response>, user: &WebUser) -> Response {
    result.unwrap_or_else(|error| PageError::from_api(error, user.chrome()).into_response())
}
