//! Indicators of compromise and the compromised-credential register: lists
//! over the records, and the STIX 2.1 export.

use axum::Json;
use axum::extract::{Path, State};
use rampart_api::{CredentialList, ErrorBody, IndicatorList};
use rampart_incident::{IncidentAction, IncidentId, RecordKind, Step, StepRecord};
use rampart_store::RecordRow;

use super::{load_incident, parse_incident_id, record_view};
use crate::AppState;
use crate::error::{ApiError, ApiResult};

async fn records_of(
    state: &AppState,
    id: IncidentId,
    step: Step,
    kind: RecordKind,
) -> ApiResult<Vec<RecordRow>> {
    Ok(state
        .store()
        .records(id, Some(step))
        .await?
        .into_iter()
        .filter(|row| row.record.kind() == kind)
        .collect())
}

/// The incident's indicators of compromise.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/indicators", tag = "indicators",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = IndicatorList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_indicators(
    State(state): State<AppState>,
    caller: crate::extract::Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IndicatorList>> {
    let id = parse_incident_id(&id)?;
    load_incident(
        &state,
        &caller,
        id,
        IncidentAction::View,
        Some("indicators.read"),
    )
    .await?;
    let rows = records_of(
        &state,
        id,
        Step::IdentifyAttackTimeline,
        RecordKind::Indicator,
    )
    .await?;
    Ok(Json(IndicatorList {
        indicators: rows.iter().map(record_view).collect(),
    }))
}

/// The compromised-credential register: every secret believed exposed, by
/// fingerprint, and whether it has been rotated.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/credentials", tag = "indicators",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = CredentialList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_credentials(
    State(state): State<AppState>,
    caller: crate::extract::Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialList>> {
    let id = parse_incident_id(&id)?;
    load_incident(
        &state,
        &caller,
        id,
        IncidentAction::View,
        Some("credentials.read"),
    )
    .await?;
    let rows = records_of(
        &state,
        id,
        Step::CutOffAttackVector,
        RecordKind::CompromisedCredential,
    )
    .await?;
    let unrotated = rows
        .iter()
        .filter(
            |row| matches!(&row.record, StepRecord::CompromisedCredential(c) if !c.is_rotated()),
        )
        .count();
    Ok(Json(CredentialList {
        credentials: rows.iter().map(record_view).collect(),
        unrotated,
    }))
}

/// Checks that the record ids a record links to exist in this incident and
/// are of the right kind: an indicator's timeline entries and assets, an
/// analysis's evidence items. Records are never deleted and never change
/// kind, so a check before the write stays true.
pub(crate) async fn check_links(
    state: &AppState,
    id: IncidentId,
    record: &StepRecord,
) -> ApiResult<()> {
    let links: Vec<(&'static str, RecordKind, &[i64])> = match record {
        StepRecord::Indicator(i) => vec![
            (
                "timeline_entries",
                RecordKind::AttackTimelineEntry,
                &i.timeline_entries,
            ),
            ("assets", RecordKind::AffectedAsset, &i.assets),
        ],
        StepRecord::ForensicAnalysis(a) => {
            vec![("evidence", RecordKind::EvidenceItem, &a.evidence)]
        }
        _ => return Ok(()),
    };
    if links.iter().all(|(_, _, ids)| ids.is_empty()) {
        return Ok(());
    }
    let records = state.store().records(id, None).await?;
    for (field, kind, ids) in links {
        for linked in ids {
            let ok = records
                .iter()
                .any(|row| row.id == *linked && row.record.kind() == kind);
            if !ok {
                return Err(ApiError::validation(
                    field,
                    format!("field `{field}`: record {linked} is not a {kind} of this incident"),
                ));
            }
        }
    }
    Ok(())
}
