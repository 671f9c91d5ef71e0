//! One step of an incident: its state, owner and notes, its records, and
//! a form for each kind of record the step keeps. Records are added and
//! changed through the API's own functions (`add_record_as`,
//! `update_record_as`), so a form can do nothing the API would refuse.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rampart_api::{RecordInput, UpdateStepRequest};
use rampart_incident::{
    ActionItemStatus, AffectedService, BlastRadiusSnapshot, IncidentAction, IncidentId, Step,
    StepRecord,
};
use rampart_store::IncidentState;
use serde::Deserialize;

use super::incident::{Card, IncidentHead, card};
use super::record_form::{Input, forms_for, record_fields, record_input};
use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::incidents::{add_record_as, change_step_fields, parse_step, update_record_as};
use crate::routes::{load_incident, parse_incident_id};

/// A record as the page lists it.
pub(crate) struct RecordLine {
    pub id: i64,
    pub kind: String,
    pub added_by: String,
    pub added_at: String,
    pub fields: Vec<(String, String)>,
    /// An open action item: the page offers to mark it done.
    pub may_finish: bool,
    /// A blast-radius answer, drawn as tables instead of `fields`.
    pub blast: Option<BlastView>,
}

/// A step-7 blast-radius record as the page draws it.
pub(crate) struct BlastView {
    pub question: String,
    pub as_of: String,
    pub total: u32,
    pub services: Vec<BlastRow>,
    pub undetermined: Vec<BlastRow>,
    /// Matching services cut from `services` to keep the record small.
    pub not_shown: u32,
    /// Matching services the asker could not see (0 on the incident path).
    pub hidden: u32,
}

/// One service of a [`BlastView`].
pub(crate) struct BlastRow {
    pub service: String,
    pub team: String,
    pub tier: String,
    pub data: String,
    pub matches: Vec<String>,
}

impl BlastView {
    fn of(snapshot: &BlastRadiusSnapshot) -> Self {
        let rows = |services: &[AffectedService]| {
            services
                .iter()
                .map(|s| BlastRow {
                    service: s.service.to_string(),
                    team: s.team.clone().unwrap_or_else(|| "—".to_owned()),
                    tier: s.tier.map_or_else(|| "—".to_owned(), |t| t.to_string()),
                    data: s
                        .data_classification
                        .clone()
                        .unwrap_or_else(|| "—".to_owned()),
                    matches: s.matches.clone(),
                })
                .collect()
        };
        Self {
            question: snapshot.question.describe(),
            as_of: minute(snapshot.as_of),
            total: snapshot.total_services,
            services: rows(&snapshot.services),
            undetermined: rows(&snapshot.undetermined),
            not_shown: snapshot.not_shown(),
            hidden: snapshot.hidden_services,
        }
    }
}

/// The page's view of one record.
fn record_line(row: &rampart_store::RecordRow, open: bool) -> RecordLine {
    let blast = match &row.record {
        StepRecord::BlastRadius(snapshot) => Some(BlastView::of(snapshot)),
        _ => None,
    };
    RecordLine {
        id: row.id,
        kind: row.record.kind().as_str().replace('_', " "),
        added_by: row.created_by.to_string(),
        added_at: minute(row.created_at),
        // The generic list would print the services as raw JSON.
        fields: if blast.is_some() {
            Vec::new()
        } else {
            record_fields(&row.record)
        },
        may_finish: open && matches!(&row.record, StepRecord::ActionItem(item) if item.is_open()),
        blast,
    }
}

/// One input of a record form.
pub(crate) struct FieldView {
    pub name: &'static str,
    /// The element id: unique on the page.
    pub id: String,
    pub label: &'static str,
    /// text, textarea, select, checkboxes, datetime-local, date, checkbox.
    pub control: &'static str,
    pub options: Vec<&'static str>,
    pub required: bool,
    pub value: &'static str,
}

/// A record form.
pub(crate) struct FormView {
    pub kind: &'static str,
    pub title: &'static str,
    pub fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "step.html")]
struct StepPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    head: IncidentHead,
    card: Card,
    notes: String,
    open: bool,
    states: Vec<(&'static str, &'static str)>,
    records: Vec<RecordLine>,
    forms: Vec<FormView>,
    /// A problem with the form just posted, shown above the forms.
    problem: Option<String>,
    /// Step 7 of an open incident: the blast-radius forms.
    blast_forms: bool,
}

fn form_views(step: Step) -> Vec<FormView> {
    forms_for(step)
        .map(|form| FormView {
            kind: form.kind.as_str(),
            title: form.title,
            fields: form
                .fields
                .iter()
                .map(|field| {
                    let (control, options) = match field.input {
                        Input::Text => ("text", Vec::new()),
                        Input::LongText | Input::Lines | Input::Numbers => ("textarea", Vec::new()),
                        Input::Choice(values) => ("select", values()),
                        Input::Choices(values) => ("checkboxes", values()),
                        Input::Instant => ("datetime-local", Vec::new()),
                        Input::Date => ("date", Vec::new()),
                        Input::Flag => ("checkbox", Vec::new()),
                    };
                    FieldView {
                        name: field.name,
                        id: format!("{}-{}", form.kind.as_str(), field.name),
                        label: field.label,
                        control,
                        options,
                        required: field.required && !matches!(field.input, Input::Choices(_)),
                        value: if field.name == "timezone" { "UTC" } else { "" },
                    }
                })
                .collect(),
        })
        .collect()
}

async fn load(
    state: &AppState,
    user: &WebUser,
    id: IncidentId,
    step: Step,
) -> ApiResult<(
    IncidentState,
    Vec<rampart_store::RecordRow>,
    Vec<rampart_store::LogRow>,
)> {
    let (incident, _) = load_incident(
        state,
        &user.caller,
        id,
        IncidentAction::View,
        Some("records.read"),
    )
    .await?;
    let records = state.store().records(id, Some(step)).await?;
    let log = state.store().response_log(id).await?;
    Ok((incident, records, log))
}

async fn render(
    state: &AppState,
    user: &WebUser,
    id: &str,
    n: &str,
    problem: Option<String>,
) -> Response {
    let result = async {
        let id = parse_incident_id(id)?;
        let step = parse_step(n)?;
        let (incident, records, log) = load(state, user, id, step).await?;
        let row = incident
            .steps
            .iter()
            .find(|row| row.entry.step == step)
            .ok_or_else(|| ApiError::internal("the incident has no such step row"))?;
        let summary = &incident.summary;
        let open = summary.status == rampart_store::IncidentStatus::Open;
        Ok::<_, ApiError>(StepPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            nav: "board",
            id: summary.id.to_string(),
            head: IncidentHead::of(&incident),
            card: card(row, &log, &records),
            notes: row.notes.clone().unwrap_or_default(),
            open,
            states: super::incident::state_choices(),
            records: records.iter().map(|row| record_line(row, open)).collect(),
            forms: if open { form_views(step) } else { Vec::new() },
            problem,
            blast_forms: open && step == Step::AssessRiskToOtherSystems,
        })
    }
    .await;
    match result {
        Ok(page) => {
            let status = if page.problem.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            html(status, &page)
        }
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// `GET /incidents/{id}/steps/{n}`.
pub(crate) async fn step_page(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    render(&state, &user, &id, &n, None).await
}

/// `POST /incidents/{id}/steps/{n}/records`: a record form. A form the
/// API refuses comes back as the step page with the reason, 422.
pub(crate) async fn add_record(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    posted: PostForm<Vec<(String, String)>>,
) -> Response {
    let PostForm { user, form } = posted;
    let input = match record_input(&form) {
        Ok(input) => input,
        Err(problem) => return render(&state, &user, &id, &n, Some(problem.to_string())).await,
    };
    let result = async {
        let incident = parse_incident_id(&id)?;
        let step = parse_step(&n)?;
        if input.kind().step() != step {
            return Err(ApiError::validation(
                "kind",
                format!(
                    "a {} is not recorded on step {}",
                    input.kind(),
                    step.number()
                ),
            ));
        }
        add_record_as(&state, &user.caller, incident, input).await
    }
    .await;
    match result {
        Ok(changed) => Redirect::to(&format!(
            "/incidents/{id}/steps/{n}#record-{}",
            changed.record.id
        ))
        .into_response(),
        Err(error) => shown_on_the_page(&state, &user, &id, &n, error).await,
    }
}

/// `POST /incidents/{id}/steps/7/blast-radius`: asks a blast-radius
/// question of the whole inventory and keeps the answer in step 7, as the
/// API's `POST /incidents/{id}/blast-radius` does.
pub(crate) async fn attach_blast_radius(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<super::findings::WhereForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let n = Step::AssessRiskToOtherSystems.number().to_string();
    let Some(question) = form.question() else {
        let problem = "Give a package (ecosystem and name), an advisory id or a fingerprint.";
        return render(&state, &user, &id, &n, Some(problem.to_owned())).await;
    };
    let result = async {
        let incident = parse_incident_id(&id)?;
        crate::routes::blast::attach(&state, &user.caller, incident, question).await
    }
    .await;
    match result {
        Ok(changed) => Redirect::to(&format!(
            "/incidents/{id}/steps/{n}#record-{}",
            changed.record.id
        ))
        .into_response(),
        Err(error) => shown_on_the_page(&state, &user, &id, &n, error).await,
    }
}

/// A refusal the user can fix (a validation or conflict message) is shown
/// above the forms; anything else (404, 403) is its own page.
async fn shown_on_the_page(
    state: &AppState,
    user: &WebUser,
    id: &str,
    n: &str,
    error: ApiError,
) -> Response {
    let body = error.body();
    match body.error.code {
        rampart_api::ErrorCode::Validation | rampart_api::ErrorCode::Conflict => {
            render(state, user, id, n, Some(body.error.message.clone())).await
        }
        _ => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// The owner and notes form.
#[derive(Deserialize)]
pub(crate) struct OwnerForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    notes: String,
}

/// `POST /incidents/{id}/steps/{n}/owner`: sets or clears the owner and
/// the notes (an empty field clears).
pub(crate) async fn change_owner(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    posted: PostForm<OwnerForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let incident = parse_incident_id(&id)?;
        let step = parse_step(&n)?;
        let cleared = |text: String| Some(Some(text.trim().to_owned()).filter(|t| !t.is_empty()));
        let request = UpdateStepRequest {
            owner: cleared(form.owner),
            notes: cleared(form.notes),
            ..UpdateStepRequest::default()
        };
        change_step_fields(&state, &user.caller, incident, step, request).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/incidents/{id}/steps/{n}")).into_response(),
        Err(error) => shown_on_the_page(&state, &user, &id, &n, error).await,
    }
}

/// `POST /incidents/{id}/records/{record}/done`: marks an action item
/// done (the API's record update), then back to where the form was.
pub(crate) async fn finish_action_item(
    State(state): State<AppState>,
    Path((id, record)): Path<(String, String)>,
    posted: PostForm<ReturnTo>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let incident = parse_incident_id(&id)?;
        let record_id: i64 = record.parse().map_err(|_| ApiError::not_found("record"))?;
        // Only members learn whether the record exists.
        load_incident(&state, &user.caller, incident, IncidentAction::View, None).await?;
        let row = state
            .store()
            .record(incident, record_id)
            .await?
            .ok_or_else(|| ApiError::not_found("record"))?;
        let StepRecord::ActionItem(item) = row.record else {
            return Err(ApiError::validation(
                "record",
                format!("record {record_id} is not an action item"),
            ));
        };
        let done = RecordInput::ActionItem(rampart_incident::ActionItem {
            status: ActionItemStatus::Done,
            ..item
        });
        update_record_as(&state, &user.caller, incident, record_id, done).await
    }
    .await;
    match result {
        Ok(_) if form.back == "dashboard" => Redirect::to("/").into_response(),
        Ok(_) => Redirect::to(&format!(
            "/incidents/{id}/steps/{}",
            Step::MitigationsAndMonitoring.number()
        ))
        .into_response(),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

/// Where a form sends the browser afterwards (a fixed set, never a URL).
#[derive(Deserialize)]
pub(crate) struct ReturnTo {
    #[serde(default)]
    back: String,
}
