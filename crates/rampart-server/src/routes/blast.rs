//! Blast radius: which services ship a package (in a version range),
//! have a finding known by an advisory id, or contain a secret — and,
//! from an incident's step 7, that answer attached to the step as of the
//! moment it was asked.
//!
//! Version ranges are compared with the ecosystem's own ordering
//! (`rampart-osv`), once per distinct version the inventory holds. A
//! version that cannot be compared (unresolved, unparsable, or in an
//! ecosystem without an ordering) is reported as undetermined, never
//! guessed either way.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use rampart_api::{
    AdvisoryWhereQuery, BlastAnswer, BlastMatch, BlastQuery, BlastService, ErrorBody,
    PackageWhereQuery, RecordChanged, SecretWhereQuery,
};
use rampart_audit::Target;
use rampart_core::Ecosystem;
use rampart_incident::{IncidentAction, IncidentId, ResponseLogEntry, Step};
use rampart_inventory::{DataClassification, FindingFingerprint, ServiceName, TeamName, Tier};
use rampart_osv::version::{PreparedRange, VersionRange};
use rampart_store::{ComponentHit, FindingHit, IncidentChange};
use serde_json::json;

use super::{
    Plan, load_incident, parse_incident_id, parse_query, record_view, require_open, write_incident,
};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::inventory_access::{self, FindingVisibility};

/// Longest advisory id accepted.
const MAX_ID_LEN: usize = 100;

/// Which services ship a package, optionally in a version range.
#[utoipa::path(
    get, path = "/api/v1/where/package", tag = "blast-radius",
    params(PackageWhereQuery),
    responses(
        (status = 200, body = BlastAnswer), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn where_package(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<BlastAnswer>> {
    inventory_access::refuse_viewers(&caller)?;
    let query: PackageWhereQuery = parse_query(query.as_deref())?;
    let question = package_question(query)?;
    answer_for(&state, &caller, question).await.map(Json)
}

/// Which services have a finding known by an advisory id or alias.
#[utoipa::path(
    get, path = "/api/v1/where/advisory", tag = "blast-radius",
    params(AdvisoryWhereQuery),
    responses(
        (status = 200, body = BlastAnswer), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn where_advisory(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<BlastAnswer>> {
    inventory_access::refuse_viewers(&caller)?;
    let query: AdvisoryWhereQuery = parse_query(query.as_deref())?;
    answer_for(&state, &caller, BlastQuery::Advisory { id: query.id })
        .await
        .map(Json)
}

/// Which services contain a secret, by the fingerprint `rampart scan`
/// reports (the same key has the same fingerprint in every repository).
#[utoipa::path(
    get, path = "/api/v1/where/secret", tag = "blast-radius",
    params(SecretWhereQuery),
    responses(
        (status = 200, body = BlastAnswer), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn where_secret(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<BlastAnswer>> {
    inventory_access::refuse_viewers(&caller)?;
    let query: SecretWhereQuery = parse_query(query.as_deref())?;
    answer_for(
        &state,
        &caller,
        BlastQuery::Secret {
            fingerprint: query.fingerprint,
        },
    )
    .await
    .map(Json)
}

async fn answer_for(
    state: &AppState,
    caller: &Caller,
    question: BlastQuery,
) -> ApiResult<BlastAnswer> {
    let visibility = inventory_access::visibility(state, caller).await?;
    answer(state, question, &visibility).await
}

/// A package question from the query string: a PURL, or ecosystem and
/// name. A PURL's version without a range means exactly that version.
fn package_question(query: PackageWhereQuery) -> ApiResult<BlastQuery> {
    if let Some(purl) = query.purl.as_deref().filter(|p| !p.trim().is_empty()) {
        if query.ecosystem.is_some() || query.name.is_some() {
            return Err(ApiError::validation(
                "purl",
                "give either `purl` or `ecosystem` and `name`, not both",
            ));
        }
        let parsed = rampart_core::Purl::parse(purl)
            .map_err(|e| ApiError::validation("purl", format!("field `purl`: {e}")))?;
        let (ecosystem, name) = parsed.package();
        let range = query
            .range
            .or_else(|| parsed.version.as_ref().map(|v| format!("={v}")));
        return Ok(BlastQuery::Package {
            ecosystem: ecosystem.osv_name().to_owned(),
            name,
            range,
        });
    }
    match (query.ecosystem, query.name) {
        (Some(ecosystem), Some(name)) => Ok(BlastQuery::Package {
            ecosystem,
            name,
            range: query.range,
        }),
        _ => Err(ApiError::validation(
            "name",
            "give `ecosystem` and `name` (or a `purl`)",
        )),
    }
}

/// Answers `question` over the whole inventory, showing in detail only
/// the services `visibility` allows and counting the rest.
pub(crate) async fn answer(
    state: &AppState,
    question: BlastQuery,
    visibility: &FindingVisibility,
) -> ApiResult<BlastAnswer> {
    let as_of = now();
    let (mut services, mut undetermined) = match &question {
        BlastQuery::Package {
            ecosystem,
            name,
            range,
        } => package_hits(state, ecosystem, name, range.as_deref()).await?,
        BlastQuery::Advisory { id } => {
            let id = id.trim().to_ascii_uppercase();
            if id.is_empty() || id.len() > MAX_ID_LEN {
                return Err(ApiError::validation(
                    "id",
                    format!("an advisory id is 1 to {MAX_ID_LEN} characters"),
                ));
            }
            let hits = state.store().advisory_hits(&id).await?;
            (finding_services(&hits, as_of), Vec::new())
        }
        BlastQuery::Secret { fingerprint } => {
            let fingerprint = FindingFingerprint::parse(fingerprint.trim()).map_err(|_| {
                ApiError::validation(
                    "fingerprint",
                    "a secret's fingerprint is the 32 lowercase hex digits `rampart scan` \
                     reports; the secret's value (or its SHA-256) is never uploaded, so it \
                     cannot be searched for",
                )
            })?;
            let hits = state.store().secret_hits(&fingerprint).await?;
            (finding_services(&hits, as_of), Vec::new())
        }
    };
    let before = services.len() + undetermined.len();
    services.retain(|s| visibility.sees(&s.service));
    undetermined.retain(|s| visibility.sees(&s.service));
    let hidden = before - services.len() - undetermined.len();
    Ok(BlastAnswer {
        query: question,
        as_of,
        services,
        undetermined,
        hidden_services: hidden as u64,
    })
}

/// Services shipping the package: those in range, and those whose version
/// could not be compared.
async fn package_hits(
    state: &AppState,
    ecosystem: &str,
    name: &str,
    range: Option<&str>,
) -> ApiResult<(Vec<BlastService>, Vec<BlastService>)> {
    let ecosystem: Ecosystem = ecosystem
        .trim()
        .parse()
        .map_err(|_| ApiError::validation("ecosystem", "field `ecosystem` is empty"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::validation("name", "field `name` is empty"));
    }
    let name = rampart_core::normalize_package_name(&ecosystem, name);
    let range = range
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<VersionRange>()
                .map_err(|e| ApiError::validation("range", format!("field `range`: {e}")))
        })
        .transpose()?;
    // `None`: no range (every version is in); `Some(None)`: no ordering
    // for this ecosystem, so every version is undetermined against it.
    let prepared: Option<Option<PreparedRange>> =
        range.as_ref().map(|r| r.prepare(&ecosystem).ok());
    // The store's filter must own what it uses.
    let for_store = prepared.clone();
    let keep = move |version: &str| verdict(&for_store, version) != Some(false);
    let hits = state
        .store()
        .package_hits(ecosystem.osv_name(), &name, &keep)
        .await?;
    let mut verdicts: HashMap<Option<String>, Option<bool>> = HashMap::new();
    let mut inside = Vec::new();
    let mut unknown = Vec::new();
    for hit in hits {
        let v = *verdicts
            .entry(hit.version.clone())
            .or_insert_with(|| match &hit.version {
                Some(version) => verdict(&prepared, version),
                None => None,
            });
        match v {
            Some(true) => inside.push(hit),
            Some(false) => {}
            None => unknown.push(hit),
        }
    }
    Ok((component_services(inside), component_services(unknown)))
}

/// Whether `version` is in the range: `None` when it cannot be compared.
fn verdict(prepared: &Option<Option<PreparedRange>>, version: &str) -> Option<bool> {
    match prepared {
        None => Some(true),
        Some(None) => None,
        Some(Some(prepared)) => prepared.matches(version).ok(),
    }
}

/// Groups component hits by service, most critical tier first.
fn component_services(hits: Vec<ComponentHit>) -> Vec<BlastService> {
    let mut by_service: BTreeMap<ServiceName, BlastService> = BTreeMap::new();
    for hit in hits {
        let entry = by_service.entry(hit.service.clone()).or_insert_with(|| {
            service_entry(&hit.service, &hit.team, hit.tier, hit.data_classification)
        });
        entry.matches.push(BlastMatch {
            scope: hit.scope,
            version: hit.version,
            path: (!hit.path.is_empty()).then_some(hit.path),
            finding_id: None,
            state: None,
            severity: None,
            package: None,
        });
    }
    sorted(by_service)
}

/// Groups finding hits by service, most critical tier first.
fn finding_services(hits: &[FindingHit], at: Timestamp) -> Vec<BlastService> {
    let mut by_service: BTreeMap<ServiceName, BlastService> = BTreeMap::new();
    for hit in hits {
        let f = &hit.finding;
        let entry = by_service
            .entry(f.service.clone())
            .or_insert_with(|| service_entry(&f.service, &f.team, f.tier, hit.data_classification));
        entry.matches.push(BlastMatch {
            scope: f.scope.clone(),
            version: None,
            path: f.path.clone(),
            finding_id: Some(f.id),
            state: Some(f.effective_state(at)),
            severity: Some(f.severity),
            package: f.package.as_ref().map(|p| match &p.version {
                Some(v) => format!("{} {v}", p.name),
                None => p.name.clone(),
            }),
        });
    }
    sorted(by_service)
}

fn service_entry(
    service: &ServiceName,
    team: &Option<TeamName>,
    tier: Option<Tier>,
    classification: Option<DataClassification>,
) -> BlastService {
    BlastService {
        service: service.clone(),
        team: team.clone(),
        tier,
        data_classification: classification.map(|c| c.as_str().to_owned()),
        matches: Vec::new(),
    }
}

fn sorted(by_service: BTreeMap<ServiceName, BlastService>) -> Vec<BlastService> {
    let mut services: Vec<BlastService> = by_service.into_values().collect();
    for service in &mut services {
        service.matches.sort_by(|a, b| {
            (&a.scope, &a.path, &a.version, a.finding_id).cmp(&(
                &b.scope,
                &b.path,
                &b.version,
                b.finding_id,
            ))
        });
    }
    // Tier 1 first; services without a tier after every tiered one.
    services.sort_by_key(|s| (s.tier.map_or(u8::MAX, |t| t.get()), s.service.clone()));
    services
}

/// Runs a blast-radius question for an incident and keeps the answer in
/// step 7's records, as of now. The incident's members who work on step 7
/// ask across the whole inventory: incident membership is the need to know,
/// and the answer stays inside the (restricted) incident.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/blast-radius", tag = "blast-radius",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = BlastQuery,
    responses(
        (status = 201, body = RecordChanged), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn attach_blast_radius(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(question): ApiJson<BlastQuery>,
) -> ApiResult<(StatusCode, Json<RecordChanged>)> {
    let id = parse_incident_id(&id)?;
    attach(&state, &caller, id, question)
        .await
        .map(|changed| (StatusCode::CREATED, Json(changed)))
}

/// Attaches the answer to `question` to incident `id`'s step 7 as
/// `caller`: the API's route and the step page's form.
pub(crate) async fn attach(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    question: BlastQuery,
) -> ApiResult<RecordChanged> {
    let step = Step::AssessRiskToOtherSystems;
    // Decided before the inventory is read: a non-member learns nothing.
    let (incident, _) =
        load_incident(state, caller, id, IncidentAction::WorkOnStep(step), None).await?;
    require_open(&incident)?;
    let answer = answer(state, question, &FindingVisibility::All).await?;
    let limit = state.config().inventory.max_snapshot_services;
    let snapshot = snapshot(&answer, limit)?;
    let (_, applied) = write_incident(
        state,
        caller,
        id,
        IncidentAction::WorkOnStep(step),
        |incident, _, at| {
            require_open(incident)?;
            let record = rampart_incident::StepRecord::BlastRadius(snapshot.clone());
            Ok((
                Plan {
                    log: vec![ResponseLogEntry::record_added(
                        &caller.user.name,
                        &record,
                        at,
                    )],
                    payload: json!({
                        "query": answer.query,
                        "services": answer.services.len(),
                        "undetermined": answer.undetermined.len(),
                    }),
                    changes: vec![IncidentChange::AddRecord {
                        record,
                        by: caller.user.name.clone(),
                        at,
                    }],
                    action: "record.add",
                    target: Target::new("step", format!("{id}/{}", step.number())),
                },
                (),
            ))
        },
    )
    .await?;
    let record_id = *applied
        .created_ids
        .first()
        .ok_or_else(|| ApiError::internal("the store returned no record id"))?;
    let row = state
        .store()
        .record(id, record_id)
        .await?
        .ok_or_else(|| ApiError::internal("the new record is missing"))?;
    Ok(RecordChanged {
        record: record_view(&row),
        version: applied.version,
    })
}

/// The answer as an incident record: plain text matches, at most `limit`
/// services kept (the total is kept too).
fn snapshot(
    answer: &BlastAnswer,
    limit: usize,
) -> ApiResult<rampart_incident::BlastRadiusSnapshot> {
    use rampart_incident::{AffectedService, BlastQuestion, NonEmptyText};
    let text = |field: &'static str, value: &str| {
        NonEmptyText::parse(field, value).map_err(|e| ApiError::validation(field, e.to_string()))
    };
    let question = match &answer.query {
        BlastQuery::Package {
            ecosystem,
            name,
            range,
        } => BlastQuestion::Package {
            ecosystem: text("ecosystem", ecosystem)?,
            name: text("name", name)?,
            range: range
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| text("range", r))
                .transpose()?,
        },
        BlastQuery::Advisory { id } => BlastQuestion::Advisory {
            id: text("id", &id.trim().to_ascii_uppercase())?,
        },
        BlastQuery::Secret { fingerprint } => BlastQuestion::Secret {
            fingerprint: fingerprint
                .trim()
                .parse()
                .map_err(|_| ApiError::validation("fingerprint", "not a fingerprint"))?,
        },
    };
    let affected = |service: &BlastService| AffectedService {
        service: NonEmptyText::parse("service", service.service.as_str())
            .expect("service names are never empty"),
        team: service.team.as_ref().map(|t| t.to_string()),
        tier: service.tier.map(|t| t.get()),
        data_classification: service.data_classification.clone(),
        matches: service.matches.iter().map(describe_match).collect(),
    };
    // `total_services` counts the matching services (not the
    // undetermined ones), before either list is cut to `limit`.
    let services: Vec<_> = answer.services.iter().take(limit).map(affected).collect();
    let room = limit.saturating_sub(services.len());
    let undetermined: Vec<_> = answer
        .undetermined
        .iter()
        .take(room)
        .map(affected)
        .collect();
    Ok(rampart_incident::BlastRadiusSnapshot {
        question,
        as_of: answer.as_of,
        truncated: services.len() < answer.services.len()
            || undetermined.len() < answer.undetermined.len(),
        services,
        undetermined,
        hidden_services: 0,
        total_services: u32::try_from(answer.services.len()).unwrap_or(u32::MAX),
    })
}

/// One match as a line of text: `4.17.20 in package-lock.json (rampart:deps)`,
/// `finding 42 open high: lodash 4.17.20 (rampart:deps)`.
fn describe_match(m: &BlastMatch) -> String {
    match m.finding_id {
        Some(id) => {
            let mut line = format!("finding {id}");
            if let Some(state) = m.state {
                line.push_str(&format!(" {state}"));
            }
            if let Some(severity) = m.severity {
                line.push_str(&format!(" {severity}"));
            }
            if let Some(package) = &m.package {
                line.push_str(&format!(": {package}"));
            }
            if let Some(path) = &m.path {
                line.push_str(&format!(" in {path}"));
            }
            line.push_str(&format!(" ({})", m.scope));
            line
        }
        None => {
            let version = m.version.as_deref().unwrap_or("unresolved version");
            match &m.path {
                Some(path) => format!("{version} in {path} ({})", m.scope),
                None => format!("{version} ({})", m.scope),
            }
        }
    }
}
