//! The communications page (steps 11 and 14): the decisions whether to
//! communicate, the drafts with their approvals, sign-off and sending, and
//! the forms for each act. The forms appear where they could apply; the
//! API's rules, reached through the same functions, decide.
//!
//! Every draft form carries the incident version the page was rendered
//! at, so a decision taken on an outdated page gets the API's 409 "stale"
//! answer instead of applying to text the user has not seen.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rampart_api::{DraftRequest, SentRequest};
use rampart_incident::{
    Access, Approver, Audience, CommsDraft, IncidentAction, IncidentId, Step, StepRecord,
};
use serde::Deserialize;

use super::evidence::{given, required};
use super::incident::{IncidentHead, answer};
use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::comms::{approve, as_draft, mark_sent, new_draft, sign_off, warnings};
use crate::routes::{load_incident, parse_incident_id, parse_number};

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/comms", get(comms_page).post(create))
        .route("/incidents/{id}/comms/{draft}/approve", post(approve_form))
        .route("/incidents/{id}/comms/{draft}/signoff", post(sign_off_form))
        .route("/incidents/{id}/comms/{draft}/sent", post(sent_form))
}

/// A decision whether to communicate.
pub(crate) struct DecisionLine {
    pub step: u8,
    pub needed: bool,
    pub rationale: String,
    pub decided_by: String,
    pub at: String,
}

/// A draft as the page shows it, with the acts the viewer may attempt.
pub(crate) struct DraftCard {
    pub id: i64,
    pub audience: &'static str,
    pub title: String,
    pub body: String,
    pub compromised: Option<String>,
    pub not_compromised: Option<String>,
    pub recipient_actions: Option<String>,
    pub written_by: String,
    pub approvals: Vec<String>,
    pub missing: Vec<String>,
    pub signoff: Option<String>,
    pub sent: Option<String>,
    pub warnings: Vec<String>,
    pub may_approve: bool,
    pub may_sign_off: bool,
    pub may_send: bool,
}

/// The drafts of one step.
pub(crate) struct DraftGroup {
    pub key: &'static str,
    pub heading: &'static str,
    pub drafts: Vec<DraftCard>,
}

#[derive(Template)]
#[template(path = "comms.html")]
struct CommsPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    head: IncidentHead,
    version: i64,
    decisions: Vec<DecisionLine>,
    groups: [DraftGroup; 2],
    audiences: Vec<&'static str>,
}

const AUDIENCES: [Audience; 5] = [
    Audience::Internal,
    Audience::Customers,
    Audience::Regulators,
    Audience::Partners,
    Audience::Public,
];

fn approver_name(approver: Approver) -> &'static str {
    match approver {
        Approver::Commander => "the commander",
        Approver::Legal => "legal",
    }
}

fn card(
    incident: &rampart_store::IncidentState,
    access: &Access,
    row: &rampart_store::RecordRow,
    draft: &CommsDraft,
) -> DraftCard {
    let content = &draft.content;
    let open = incident.summary.status == rampart_store::IncidentStatus::Open;
    let unsent = open && draft.sent.is_none();
    let internal = draft.scope() == rampart_incident::CommsScope::Internal;
    let missing = draft.missing_approvals();
    let role = access.acting_role();
    let my_capacity = role.and_then(Approver::for_role);
    let needs_signoff = internal && draft.insider_signoff.is_none();
    DraftCard {
        id: row.id,
        audience: content.audience.as_str(),
        title: content.title.to_string(),
        body: content.body.to_string(),
        compromised: content.compromised.as_ref().map(ToString::to_string),
        not_compromised: content.not_compromised.as_ref().map(ToString::to_string),
        recipient_actions: content.recipient_actions.as_ref().map(ToString::to_string),
        written_by: row.created_by.to_string(),
        approvals: draft
            .approvals
            .iter()
            .map(|a| format!("{} ({}) on {}", a.by, a.approver, minute(a.at)))
            .collect(),
        missing: missing
            .iter()
            .map(|a| approver_name(*a).to_owned())
            .collect(),
        signoff: draft
            .insider_signoff
            .as_ref()
            .map(|s| format!("{} on {}: {}", s.by, minute(s.at), s.rationale.as_str())),
        sent: draft
            .sent
            .as_ref()
            .map(|s| format!("by {} on {} via {}", s.by, minute(s.at), s.channel)),
        warnings: warnings(incident, draft)
            .into_iter()
            .map(|w| w.text)
            .collect(),
        may_approve: unsent && my_capacity.is_some_and(|capacity| missing.contains(&capacity)),
        may_sign_off: unsent && needs_signoff && access.may(IncidentAction::EditDetails),
        may_send: unsent
            && missing.is_empty()
            && !needs_signoff
            && access.may(IncidentAction::WorkOnStep(row.step)),
    }
}

async fn load(state: &AppState, user: &WebUser, id: &str) -> ApiResult<CommsPage> {
    let id: IncidentId = parse_incident_id(id)?;
    // The same read, and audit event, as listing the records through the API.
    let (incident, access) = load_incident(
        state,
        &user.caller,
        id,
        IncidentAction::View,
        Some("records.read"),
    )
    .await?;
    let mut decisions = Vec::new();
    let (mut internal, mut external) = (Vec::new(), Vec::new());
    for step in [Step::InternalCommunication, Step::ExternalCommunication] {
        for row in state.store().records(id, Some(step)).await? {
            match &row.record {
                StepRecord::InternalCommsDecision(decision)
                | StepRecord::ExternalCommsDecision(decision) => decisions.push(DecisionLine {
                    step: row.step.number(),
                    needed: decision.needed,
                    rationale: decision.rationale.to_string(),
                    decided_by: decision.decided_by.to_string(),
                    at: minute(row.created_at),
                }),
                record => {
                    if let Some(draft) = as_draft(record) {
                        let card = card(&incident, &access, &row, draft);
                        match record {
                            StepRecord::InternalCommsDraft(_) => internal.push(card),
                            _ => external.push(card),
                        }
                    }
                }
            }
        }
    }
    let head = IncidentHead::of(&incident);
    let audiences = if head.open {
        AUDIENCES
            .into_iter()
            .filter(|a| access.may(IncidentAction::WorkOnStep(a.scope().step())))
            .map(Audience::as_str)
            .collect()
    } else {
        Vec::new()
    };
    Ok(CommsPage {
        chrome: user.chrome(),
        stylesheet: stylesheet_path(),
        nav: "comms",
        id: head.id.clone(),
        head,
        version: incident.summary.version,
        decisions,
        groups: [
            DraftGroup {
                key: "internal",
                heading: "Internal communication (step 11)",
                drafts: internal,
            },
            DraftGroup {
                key: "external",
                heading: "External communication (step 14)",
                drafts: external,
            },
        ],
        audiences,
    })
}

/// `GET /incidents/{id}/comms`.
async fn comms_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    match load(&state, &user, &id).await {
        Ok(page) => html(StatusCode::OK, &page),
        Err(error) => PageError::from_api(error, user.chrome()).into_response(),
    }
}

fn back(id: IncidentId, draft: i64) -> Response {
    Redirect::to(&format!("/incidents/{id}/comms#draft-{draft}")).into_response()
}

/// The new-draft form; the external fields may be left empty.
#[derive(Deserialize)]
struct DraftForm {
    audience: Audience,
    title: String,
    body: String,
    #[serde(default)]
    compromised: String,
    #[serde(default)]
    not_compromised: String,
    #[serde(default)]
    recipient_actions: String,
}

impl DraftForm {
    fn request(&self) -> ApiResult<DraftRequest> {
        Ok(DraftRequest {
            audience: self.audience,
            title: required("title", &self.title)?,
            body: required("body", &self.body)?,
            compromised: given("compromised", &self.compromised)?,
            not_compromised: given("not_compromised", &self.not_compromised)?,
            recipient_actions: given("recipient_actions", &self.recipient_actions)?,
        })
    }
}

/// `POST /incidents/{id}/comms`: a new draft through the API's path.
async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<DraftForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let request = form.request()?;
        let changed = new_draft(&state, &user.caller, id, request).await?;
        Ok::<_, ApiError>(back(id, changed.record.id))
    }
    .await;
    answer(result, &user)
}

/// Every act on a draft names the incident version its page showed.
#[derive(Deserialize)]
struct Seen {
    version: i64,
}

/// `POST /incidents/{id}/comms/{draft}/approve`.
async fn approve_form(
    State(state): State<AppState>,
    Path((id, draft)): Path<(String, String)>,
    posted: PostForm<Seen>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let draft = parse_number(&draft, "communication draft")?;
        approve(&state, &user.caller, id, draft, Some(form.version)).await?;
        Ok::<_, ApiError>(back(id, draft))
    }
    .await;
    answer(result, &user)
}

#[derive(Deserialize)]
struct SignoffForm {
    version: i64,
    #[serde(default)]
    rationale: String,
}

/// `POST /incidents/{id}/comms/{draft}/signoff`.
async fn sign_off_form(
    State(state): State<AppState>,
    Path((id, draft)): Path<(String, String)>,
    posted: PostForm<SignoffForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let draft = parse_number(&draft, "communication draft")?;
        let rationale = form.rationale.trim();
        sign_off(
            &state,
            &user.caller,
            id,
            draft,
            rationale,
            Some(form.version),
        )
        .await?;
        Ok::<_, ApiError>(back(id, draft))
    }
    .await;
    answer(result, &user)
}

#[derive(Deserialize)]
struct SentForm {
    version: i64,
    #[serde(default)]
    channel: String,
}

/// `POST /incidents/{id}/comms/{draft}/sent`: sent now, through `channel`.
async fn sent_form(
    State(state): State<AppState>,
    Path((id, draft)): Path<(String, String)>,
    posted: PostForm<SentForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let draft = parse_number(&draft, "communication draft")?;
        let request = SentRequest {
            channel: form.channel.trim().to_owned(),
            sent_at: None,
        };
        mark_sent(&state, &user.caller, id, draft, request, Some(form.version)).await?;
        Ok::<_, ApiError>(back(id, draft))
    }
    .await;
    answer(result, &user)
}
