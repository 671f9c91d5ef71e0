//! The findings inventory: lists, one finding with its history, triage,
//! and the per-service counts everyone signed in may see.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use jiff::Timestamp;
use rampart_api::{
    ErrorBody, FindingDetailView, FindingEventView, FindingList, FindingQuery, FindingSummary,
    FindingView, ServiceFindingCounts, SeverityCounts, SummaryQuery, TriageRequest,
};
use rampart_audit::Target;
use rampart_core::Severity;
use rampart_inventory::finding::IncomingKind;
use rampart_inventory::{FindingState, ServiceName, TeamName};
use rampart_store::{DecisionError, FindingEventRow, FindingFilter, FindingRow, TriageUpdate};
use serde_json::json;

use super::{audit, parse_number, parse_query};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::inventory_access::{self, FindingVisibility};

/// Default and largest page of `GET /findings`.
const DEFAULT_PAGE: u32 = 100;
const MAX_PAGE: u32 = 1000;

/// Findings the caller may see, worst first: admins and security all,
/// engineers their own teams' services. Filters narrow that view; they
/// never widen it.
#[utoipa::path(
    get, path = "/api/v1/findings", tag = "inventory",
    params(FindingQuery),
    responses(
        (status = 200, body = FindingList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn list_findings(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<FindingList>> {
    inventory_access::refuse_viewers(&caller)?;
    let query: FindingQuery = parse_query(query.as_deref())?;
    let visibility = inventory_access::visibility(&state, &caller).await?;
    let mut services: Option<Vec<ServiceName>> = visibility.service_filter();
    if let Some(service) = text(&query.service) {
        let name = ServiceName::parse(service)
            .map_err(|e| ApiError::validation("service", format!("field `service`: {e}")))?;
        services = Some(narrow(services, vec![name]));
    }
    if let Some(team) = text(&query.team) {
        let team = TeamName::parse(team)
            .map_err(|e| ApiError::validation("team", format!("field `team`: {e}")))?;
        let catalog = state.store().catalog().await?;
        let owned: Vec<ServiceName> = catalog
            .services
            .iter()
            .filter(|s| s.owner.as_ref() == Some(&team))
            .map(|s| s.name.clone())
            .collect();
        services = Some(narrow(services, owned));
    }
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let filter = FindingFilter {
        services,
        state: text(&query.state)
            .map(|s| {
                s.parse::<FindingState>()
                    .map_err(|e| ApiError::validation("state", e.message))
            })
            .transpose()?,
        min_severity: text(&query.severity)
            .map(|s| {
                s.parse::<Severity>()
                    .map_err(|e| ApiError::validation("severity", e.to_string()))
            })
            .transpose()?,
        kind: text(&query.kind).map(parse_kind).transpose()?,
        overdue_only: query.overdue.unwrap_or(false),
        after: text(&query.after).map(parse_cursor).transpose()?,
        // One more than asked, to know whether there is a next page.
        limit: limit + 1,
    };
    let at = now();
    let mut rows = state.store().findings(&filter, at).await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last()
            .map(|row| format!("{}:{}", row.severity.display_rank(), row.id))
    } else {
        None
    };
    Ok(Json(FindingList {
        findings: rows.iter().map(|row| finding_view(row, at)).collect(),
        next,
    }))
}

/// `current` (`None`: every service) narrowed to `wanted`.
fn narrow(current: Option<Vec<ServiceName>>, wanted: Vec<ServiceName>) -> Vec<ServiceName> {
    match current {
        Some(services) => services
            .into_iter()
            .filter(|s| wanted.contains(s))
            .collect(),
        None => wanted,
    }
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn parse_kind(text: &str) -> ApiResult<IncomingKind> {
    match text {
        "vulnerability" => Ok(IncomingKind::Vulnerability),
        "secret" => Ok(IncomingKind::Secret),
        "sarif" => Ok(IncomingKind::Sarif),
        other => Err(ApiError::validation(
            "kind",
            format!("unknown kind {other:?} (expected vulnerability, secret or sarif)"),
        )),
    }
}

fn parse_cursor(text: &str) -> ApiResult<(u8, i64)> {
    let bad = || ApiError::validation("after", "`after` is the `next` of a previous page");
    let (rank, id) = text.split_once(':').ok_or_else(bad)?;
    Ok((
        rank.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// Counts per service (open by severity, overdue, accepted, false
/// positive, fixed): what everyone signed in may see, viewers included.
#[utoipa::path(
    get, path = "/api/v1/findings/summary", tag = "inventory",
    params(SummaryQuery),
    responses(
        (status = 200, body = FindingSummary), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn findings_summary(
    State(state): State<AppState>,
    _caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<FindingSummary>> {
    let query: SummaryQuery = parse_query(query.as_deref())?;
    let team = text(&query.team)
        .map(|t| TeamName::parse(t).map_err(|_| ApiError::not_found("team")))
        .transpose()?;
    if let Some(team) = &team {
        let catalog = state.store().catalog().await?;
        if catalog.team(team).is_none() {
            return Err(ApiError::not_found("team"));
        }
    }
    let summary = summary(&state, team.as_ref()).await?;
    Ok(Json(summary))
}

/// The counts of every service (of `team`), worst first.
pub(crate) async fn summary(
    state: &AppState,
    team: Option<&TeamName>,
) -> ApiResult<FindingSummary> {
    let rows = state.store().finding_counts(now()).await?;
    let mut services: Vec<ServiceFindingCounts> = rows
        .into_iter()
        .filter(|row| team.is_none() || row.team.as_ref() == team)
        .map(|row| {
            let mut open = SeverityCounts::default();
            for (severity, n) in &row.open {
                open.add(*severity, *n);
            }
            ServiceFindingCounts {
                service: row.service,
                team: row.team,
                tier: row.tier,
                open,
                overdue: row.overdue,
                accepted_risk: row.accepted_risk,
                false_positive: row.false_positive,
                fixed: row.fixed,
                last_upload_at: row.last_upload_at,
            }
        })
        .collect();
    services.sort_by(|a, b| {
        let weight = |c: &SeverityCounts| (c.critical, c.high, c.medium, c.low, c.unknown, c.info);
        weight(&b.open)
            .cmp(&weight(&a.open))
            .then(b.overdue.cmp(&a.overdue))
            .then(a.service.cmp(&b.service))
    });
    let mut open = SeverityCounts::default();
    let mut overdue = 0;
    for service in &services {
        for severity in Severity::ALL {
            open.add(severity, count(&service.open, severity));
        }
        overdue += service.overdue;
    }
    Ok(FindingSummary {
        services,
        open,
        overdue,
    })
}

fn count(counts: &SeverityCounts, severity: Severity) -> u64 {
    match severity {
        Severity::Critical => counts.critical,
        Severity::High => counts.high,
        Severity::Medium => counts.medium,
        Severity::Low => counts.low,
        Severity::Unknown => counts.unknown,
        Severity::Info => counts.info,
    }
}

/// One finding with its history. A finding outside the caller's view is
/// the same 404 as one that does not exist.
#[utoipa::path(
    get, path = "/api/v1/findings/{finding_id}", tag = "inventory",
    params(("finding_id" = i64, Path, description = "Finding id")),
    responses(
        (status = 200, body = FindingDetailView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn get_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(finding_id): Path<String>,
) -> ApiResult<Json<FindingDetailView>> {
    inventory_access::refuse_viewers(&caller)?;
    let id = parse_number(&finding_id, "finding")?;
    let visibility = inventory_access::visibility(&state, &caller).await?;
    let (row, events) = state
        .store()
        .finding(id)
        .await?
        .filter(|(row, _)| visibility.sees(&row.service))
        .ok_or_else(|| ApiError::not_found("finding"))?;
    Ok(Json(FindingDetailView {
        finding: finding_view(&row, now()),
        events: events.iter().map(event_view).collect(),
    }))
}

/// Triage: accept the risk (reason and expiry, at most `[inventory]
/// max_accept_days` ahead), mark a false positive or fixed (reason), or
/// open again. Those who may see the finding may triage it.
#[utoipa::path(
    patch, path = "/api/v1/findings/{finding_id}", tag = "inventory",
    params(("finding_id" = i64, Path, description = "Finding id")),
    request_body = TriageRequest,
    responses(
        (status = 200, body = FindingView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn triage_finding(
    State(state): State<AppState>,
    caller: Caller,
    Path(finding_id): Path<String>,
    ApiJson(request): ApiJson<TriageRequest>,
) -> ApiResult<Json<FindingView>> {
    let row = triage(&state, &caller, &finding_id, request).await?;
    Ok(Json(finding_view(&row, now())))
}

/// Triages a finding as `caller`: the API's route and the web form.
pub(crate) async fn triage(
    state: &AppState,
    caller: &Caller,
    finding_id: &str,
    request: TriageRequest,
) -> ApiResult<FindingRow> {
    inventory_access::refuse_viewers(caller)?;
    let id = parse_number(finding_id, "finding")?;
    let visibility = inventory_access::visibility(state, caller).await?;
    let max_days = state.config().inventory.max_accept_days;
    let who = caller.clone();
    let input = rampart_inventory::triage::TriageInput {
        state: request.state,
        reason: request.reason,
        expires_at: request.expires_at,
    };
    let result = state
        .store()
        .triage_finding(
            id,
            Box::new(move |row: &FindingRow| {
                decide_triage(&who, &visibility, row, &input, max_days)
                    .map_err(|error| Box::new(error) as DecisionError)
            }),
        )
        .await;
    let result = match result {
        Err(rampart_store::StoreError::NotFound { .. }) => {
            return Err(ApiError::not_found("finding"));
        }
        other => other?,
    };
    match result {
        Ok(row) => Ok(row),
        Err(refusal) => match refusal.downcast::<ApiError>() {
            Ok(error) => Err(*error),
            Err(_) => Err(ApiError::internal("unexpected refusal from the store")),
        },
    }
}

fn decide_triage(
    caller: &Caller,
    visibility: &FindingVisibility,
    row: &FindingRow,
    input: &rampart_inventory::triage::TriageInput,
    max_days: u32,
) -> ApiResult<TriageUpdate> {
    if !visibility.sees(&row.service) {
        return Err(ApiError::not_found("finding"));
    }
    let at = now();
    let current = row.effective_state(at);
    let change = rampart_inventory::triage::triage(current, input, at, max_days)
        .map_err(|error| ApiError::validation(error.field(), error.to_string()))?;
    let payload = json!({
        "service": row.service,
        "scope": row.scope,
        "fingerprint": row.fingerprint,
        "from": current,
        "to": input.state,
        "reason": input.reason,
        "expires_at": input.expires_at,
    });
    Ok(TriageUpdate {
        change,
        by: caller.user.name.to_string(),
        at,
        audit: audit(
            caller,
            "finding.triage",
            Target::new("finding", row.id.to_string()),
            payload,
        ),
    })
}

pub(crate) fn finding_view(row: &FindingRow, at: Timestamp) -> FindingView {
    FindingView {
        id: row.id,
        service: row.service.clone(),
        team: row.team.clone(),
        scope: row.scope.clone(),
        kind: row.kind.as_str().to_owned(),
        rule_id: row.rule_id.clone(),
        title: row.title.clone(),
        severity: row.severity,
        state: row.effective_state(at),
        state_reason: row.state_reason.clone(),
        state_by: row.state_by.clone(),
        state_at: row.state_at,
        risk_expires_at: row.risk_expires_at,
        fingerprint: row.fingerprint.to_string(),
        fingerprint_origin: row.fingerprint_origin.as_str().to_owned(),
        path: row.path.clone(),
        line: row.line,
        package: row.package.clone(),
        ids: row.ids.clone(),
        message: row.detail.message.clone(),
        help_uri: row.detail.help_uri.clone(),
        local_suppression: row.local_suppression.as_ref().map(|s| match &s.reason {
            Some(reason) => format!("{}: {reason}", s.source),
            None => s.source.clone(),
        }),
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        fixed_at: row.fixed_at,
        due_at: row.due_at,
        overdue: row.overdue(at),
    }
}

fn event_view(row: &FindingEventRow) -> FindingEventView {
    FindingEventView {
        seq: row.seq,
        at: row.at,
        actor: row.actor.clone(),
        action: row.action.clone(),
        from_state: row.from_state.map(|s| s.as_str().to_owned()),
        to_state: row.to_state.map(|s| s.as_str().to_owned()),
        reason: row.reason.clone(),
        expires_at: row.expires_at,
        upload_id: row.upload_id,
    }
}

/// Writes lapsed risk acceptances back as open, with one audit event;
/// run by `rampart serve` every `[inventory] expiry_sweep_minutes`.
pub async fn sweep_expired_acceptances(state: &AppState) -> ApiResult<Vec<i64>> {
    let at = now();
    let draft = rampart_store::AuditDraft::new(
        at,
        rampart_audit::Actor::System {
            component: "inventory.expiry".to_owned(),
        },
        "finding.risk_expired",
        Target::new("inventory", "findings"),
        json!({}),
    );
    Ok(state.store().expire_accepted_risks(at, draft).await?)
}
