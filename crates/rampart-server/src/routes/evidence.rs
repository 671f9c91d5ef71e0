//! Evidence (step 10): streamed upload into the write-once store,
//! registration of evidence kept elsewhere, metadata, download after
//! re-verification, export, and the chain of custody every access extends.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use jiff::Timestamp;
use rampart_api::{
    CustodyReport, CustodyView, DownloadQuery, ErrorBody, ErrorCode, EvidenceCreated, EvidenceList,
    EvidenceUploadQuery, EvidenceView, ExportRequest,
};
use rampart_audit::Target;
use rampart_evidence::{EvidenceError, IngestError, OpenError, Sha256Digest};
use rampart_incident::{
    Access, CustodyAction, CustodyEvent, EvidenceItem, EvidenceStorage, ExternalEvidenceInput,
    IncidentAction, IncidentId, NonEmptyText, ResponseLogEntry, Sha256Hex, Step, StepRecord,
};
use rampart_store::{CustodyRow, EvidenceRow, IncidentChange, IncidentState, NotificationKind};
use serde_json::json;

use super::{
    Plan, audit, load_incident, parse_incident_id, parse_number, parse_query, require_open,
    write_incident,
};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};

/// Handing over bytes is forensic work: members who may work on step 10
/// (and break-glass holders, who act as responders). Observers, legal and
/// communications see the metadata and custody, not the content.
pub(crate) const HANDLE_EVIDENCE: IncidentAction =
    IncidentAction::WorkOnStep(Step::ForensicAnalysis);

fn evidence_target(id: IncidentId, record_id: Option<i64>) -> Target {
    match record_id {
        Some(record_id) => Target::new("evidence", format!("{id}/{record_id}")),
        None => Target::new("evidence", id.to_string()),
    }
}

fn text(field: &'static str, value: &str) -> ApiResult<NonEmptyText> {
    NonEmptyText::parse(field, value).map_err(ApiError::domain)
}

fn optional(field: &'static str, value: Option<&str>) -> ApiResult<Option<NonEmptyText>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v).map(Some),
    }
}

/// The media type an uploader declared: a plain `type/subtype`, else
/// `application/octet-stream`. It is recorded, never used to render.
fn declared_media_type(headers: &HeaderMap) -> String {
    plain_media_type(
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// [`declared_media_type`] of a declared `Content-Type` value (a request's,
/// or a multipart file part's).
pub(crate) fn plain_media_type(declared: Option<&str>) -> String {
    let declared = declared
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    let plain = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match declared.split_once('/') {
        Some((kind, sub)) if declared.len() <= 127 && plain(kind) && plain(sub) => {
            declared.to_ascii_lowercase()
        }
        _ => "application/octet-stream".to_owned(),
    }
}

fn digest_of(item: &EvidenceItem) -> ApiResult<Sha256Digest> {
    item.sha256
        .as_str()
        .parse()
        .map_err(|e| ApiError::internal(format!("stored digest is unreadable: {e}")))
}

/// The `custody` member of an audit event's payload: which custody entries
/// the event records (`items` null for a new item, whose id the decision
/// does not know yet). `rampart_store::verify_custody` reads it back.
fn custody_payload(
    id: IncidentId,
    action: CustodyAction,
    items: Option<&[i64]>,
) -> serde_json::Value {
    json!({ "incident": id.to_string(), "action": action.as_str(), "items": items })
}

fn custody_views(rows: &[CustodyRow], record_id: i64) -> Vec<CustodyView> {
    rows.iter()
        .filter(|row| row.record_id == record_id)
        .map(|row| CustodyView::new(row.seq, &row.event))
        .collect()
}

fn evidence_view(row: &EvidenceRow, custody: &[CustodyRow]) -> EvidenceView {
    EvidenceView {
        id: row.record_id,
        item: row.item.clone(),
        created_by: row.created_by.clone(),
        created_at: row.created_at,
        custody: custody_views(custody, row.record_id),
    }
}

async fn find_item(state: &AppState, id: IncidentId, record_id: i64) -> ApiResult<EvidenceRow> {
    state
        .store()
        .evidence_items(id)
        .await?
        .into_iter()
        .find(|row| row.record_id == record_id)
        .ok_or_else(|| ApiError::not_found("evidence item"))
}

/// Adds an evidence item with its first custody entry, under the write
/// lock, and returns the stored view.
async fn add_item(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    item: EvidenceItem,
    first: CustodyAction,
    detail: String,
) -> ApiResult<(EvidenceView, i64)> {
    let (_, applied) = write_incident(state, caller, id, HANDLE_EVIDENCE, |incident, _, at| {
        require_open(incident)?;
        let custody = CustodyEvent::new(first, caller.user.name.clone(), at, None)
            .map_err(ApiError::domain)?
            .with_detail(detail.clone());
        let record = StepRecord::EvidenceItem(item.clone());
        Ok((
            Plan {
                log: vec![ResponseLogEntry::record_added(
                    &caller.user.name,
                    &record,
                    at,
                )],
                payload: json!({
                    "evidence": item,
                    "custody": custody_payload(id, first, None),
                }),
                changes: vec![IncidentChange::AddEvidence {
                    item: item.clone(),
                    by: caller.user.name.clone(),
                    at,
                    custody,
                }],
                action: if first == CustodyAction::Intake {
                    "evidence.intake"
                } else {
                    "evidence.register"
                },
                target: evidence_target(id, None),
            },
            (),
        ))
    })
    .await?;
    let record_id = *applied
        .created_ids
        .first()
        .ok_or_else(|| ApiError::internal("the store returned no evidence id"))?;
    let row = find_item(state, id, record_id).await?;
    let custody = state.store().custody_log(id, record_id).await?;
    Ok((evidence_view(&row, &custody), applied.version))
}

/// Uploads a file as evidence. The body is the file, streamed into the
/// evidence store while the server computes its SHA-256; metadata is in the
/// query string. Nothing is stored if the upload is cut short or too large.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/evidence", tag = "evidence",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), EvidenceUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file; its Content-Type is recorded as the media type"),
    responses(
        (status = 201, body = EvidenceCreated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<EvidenceCreated>)> {
    let id = parse_incident_id(&id)?;
    let permit = may_upload(&state, &caller, id).await?;
    let query: EvidenceUploadQuery = parse_query(query.as_deref())?;
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let media_type = declared_media_type(&headers);
    let created = ingest_upload(
        &state,
        &caller,
        permit,
        query,
        media_type,
        length,
        body.into_data_stream(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Proof that the caller may upload to the incident right now; only
/// [`may_upload`] makes one, so no upload reads a byte before that check.
pub(crate) struct UploadPermit(IncidentId);

/// Decides an upload's access before any byte is read: a non-member must
/// not be able to fill the store.
pub(crate) async fn may_upload(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
) -> ApiResult<UploadPermit> {
    let (incident, _) = load_incident(state, caller, id, HANDLE_EVIDENCE, None).await?;
    require_open(&incident)?;
    Ok(UploadPermit(id))
}

/// Streams `body` into the evidence store while hashing it, then records
/// the item with its intake custody entry. Nothing is stored if the body
/// is cut short or passes the size limit. Shared by the API's raw upload
/// and the page's multipart form.
pub(crate) async fn ingest_upload<S, E>(
    state: &AppState,
    caller: &Caller,
    permit: UploadPermit,
    query: EvidenceUploadQuery,
    media_type: String,
    declared_length: Option<u64>,
    body: S,
) -> ApiResult<EvidenceCreated>
where
    S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let UploadPermit(id) = permit;
    let name = text("name", &query.name)?;
    let description = optional("description", query.description.as_deref())?;
    let source = optional("source", query.source.as_deref())?;
    let collected_by = optional("collected_by", query.collected_by.as_deref())?;
    let limit = state.config().evidence.max_upload_bytes;
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("evidence uploads are limited to {limit} bytes ([evidence] max_upload_bytes)"),
        )
    };
    if declared_length.is_some_and(|length| length > limit) {
        return Err(too_large());
    }

    let stored = state
        .evidence()
        .ingest(body, limit)
        .await
        .map_err(|error| match error {
            IngestError::TooLarge { .. } => too_large(),
            IngestError::Body(error) => ApiError::new(
                ErrorCode::BadRequest,
                format!("the upload ended before it was complete, nothing was stored: {error}"),
            ),
            IngestError::Store(error) => ApiError::internal(error),
        })?;
    let item = EvidenceItem {
        name,
        description,
        sha256: stored
            .sha256
            .to_string()
            .parse::<Sha256Hex>()
            .map_err(ApiError::internal)?,
        size: Some(stored.size),
        storage: EvidenceStorage::Stored { media_type },
        source,
        collected_at: query.collected_at,
        collected_by,
    };
    let detail = format!(
        "SHA-256 computed by the server on intake over {} bytes; {}",
        stored.size,
        if stored.newly_stored {
            "stored write-once"
        } else {
            "the same content was already in the store"
        }
    );
    // If this write fails the blob stays in the store unreferenced: content
    // addressing makes that harmless, and write-once forbids deleting it.
    let (evidence, version) =
        add_item(state, caller, id, item, CustodyAction::Intake, detail).await?;
    Ok(EvidenceCreated {
        evidence,
        newly_stored: stored.newly_stored,
        version,
    })
}

/// Registers evidence kept outside Rampart (a disk image in cold storage)
/// by its location and the digest its custodian computed.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/evidence/external", tag = "evidence",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body(content = Object, description = "name, location, sha256; optional description, size, source, collected_at, collected_by"),
    responses(
        (status = 201, body = EvidenceCreated), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn register_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ExternalEvidenceInput>,
) -> ApiResult<(StatusCode, Json<EvidenceCreated>)> {
    let id = parse_incident_id(&id)?;
    let created = register_external(&state, &caller, id, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Records evidence kept outside Rampart with its `registered` custody entry.
pub(crate) async fn register_external(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    input: ExternalEvidenceInput,
) -> ApiResult<EvidenceCreated> {
    let item = EvidenceItem::from(input);
    let detail = "registered with the digest its custodian computed".to_owned();
    let (evidence, version) =
        add_item(state, caller, id, item, CustodyAction::Registered, detail).await?;
    Ok(EvidenceCreated {
        evidence,
        newly_stored: false,
        version,
    })
}

/// Appends `action` to the custody of `items` with its audit event, then
/// returns the items with their full custody logs.
async fn record_access(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    items: &[EvidenceRow],
    action: CustodyAction,
    reason: Option<NonEmptyText>,
    audit_action: &str,
) -> ApiResult<Vec<EvidenceView>> {
    let at = now();
    if items.is_empty() {
        state
            .store()
            .append_audit(audit(
                caller,
                audit_action,
                evidence_target(id, None),
                json!({}),
            ))
            .await?;
        return Ok(Vec::new());
    }
    let event = CustodyEvent::new(action, caller.user.name.clone(), at, reason.clone())
        .map_err(ApiError::domain)?;
    let entries: Vec<(i64, CustodyEvent)> = items
        .iter()
        .map(|row| (row.record_id, event.clone()))
        .collect();
    let target = match items {
        [one] => evidence_target(id, Some(one.record_id)),
        _ => evidence_target(id, None),
    };
    let ids: Vec<i64> = items.iter().map(|row| row.record_id).collect();
    // The audit event carries the custody entries it vouches for, at the
    // same instant, so `rampart audit verify` can match every custody row
    // to its event and notice a row deleted or added behind Rampart's back.
    let draft = rampart_store::AuditDraft::new(
        at,
        caller.actor(),
        audit_action,
        target,
        json!({
            "items": ids,
            "reason": reason,
            "custody": custody_payload(id, action, Some(&ids)),
        }),
    );
    state.store().append_custody(id, entries, draft).await?;
    let custody = state.store().custody_logs(id).await?;
    Ok(items
        .iter()
        .map(|row| evidence_view(row, &custody))
        .collect())
}

/// Evidence items with their custody logs. Listing is a view of every
/// item's metadata, so each item's custody records it.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/evidence", tag = "evidence",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    responses((status = 200, body = EvidenceList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<EvidenceList>> {
    let id = parse_incident_id(&id)?;
    let (_, _, items) = view_items(&state, &caller, id).await?;
    Ok(Json(EvidenceList { items }))
}

/// The incident's evidence items, the caller's access and the incident;
/// the view is recorded in every item's custody.
pub(crate) async fn view_items(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
) -> ApiResult<(IncidentState, Access, Vec<EvidenceView>)> {
    let (incident, access) = load_incident(state, caller, id, IncidentAction::View, None).await?;
    let items = state.store().evidence_items(id).await?;
    let items = record_access(
        state,
        caller,
        id,
        &items,
        CustodyAction::Viewed,
        None,
        "evidence.list",
    )
    .await?;
    Ok((incident, access, items))
}

/// One evidence item with its chain of custody (the view is recorded in it).
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/evidence/{record_id}", tag = "evidence",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Evidence item id")),
    responses((status = 200, body = EvidenceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
) -> ApiResult<Json<EvidenceView>> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "evidence item")?;
    let (_, _, view) = view_item(&state, &caller, id, record_id).await?;
    Ok(Json(view))
}

/// One evidence item with its custody log (this view recorded in it), the
/// caller's access and the incident.
pub(crate) async fn view_item(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
) -> ApiResult<(IncidentState, Access, EvidenceView)> {
    let (incident, access) = load_incident(state, caller, id, IncidentAction::View, None).await?;
    let item = find_item(state, id, record_id).await?;
    let mut views = record_access(
        state,
        caller,
        id,
        std::slice::from_ref(&item),
        CustodyAction::Viewed,
        None,
        "evidence.view",
    )
    .await?;
    let view = views
        .pop()
        .ok_or_else(|| ApiError::internal("the viewed item vanished"))?;
    Ok((incident, access, view))
}

/// Records an integrity failure: in the item's custody, the response log,
/// the audit chain and a notification to every commander and deputy.
async fn raise_integrity_alarm(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    detail: String,
) -> ApiResult<()> {
    write_incident(
        state,
        caller,
        id,
        IncidentAction::View,
        |incident, _, at| {
            let event = CustodyEvent::new(
                CustodyAction::IntegrityFailure,
                caller.user.name.clone(),
                at,
                None,
            )
            .map_err(ApiError::domain)?
            .with_detail(detail.clone());
            let mut changes = vec![IncidentChange::AppendCustody { record_id, event }];
            for member in &incident.access.members {
                if matches!(
                    member.role,
                    rampart_incident::MemberRole::Commander | rampart_incident::MemberRole::Deputy
                ) {
                    changes.push(IncidentChange::Notify {
                        user: member.user.clone(),
                        kind: NotificationKind::EvidenceIntegrityFailure { record_id },
                        at,
                    });
                }
            }
            Ok((
                Plan {
                    log: vec![ResponseLogEntry::evidence_integrity_failure(
                        &caller.user.name,
                        record_id,
                        &detail,
                        at,
                    )],
                    payload: json!({
                    "item": record_id,
                    "detail": detail,
                    "custody": custody_payload(id, CustodyAction::IntegrityFailure, Some(&[record_id])),
                }),
                    changes,
                    action: "evidence.integrity_failure",
                    target: evidence_target(id, Some(record_id)),
                },
                (),
            ))
        },
    )
    .await?;
    Ok(())
}

fn integrity_error(record_id: i64) -> ApiError {
    ApiError::new(
        ErrorCode::IntegrityFailure,
        format!(
            "evidence item {record_id} failed verification: the stored bytes no longer match the \
             SHA-256 taken on intake, so they are not served; the incident's commander was alerted"
        ),
    )
}

/// A file name safe for `Content-Disposition`: printable ASCII without
/// quotes, separators or backslashes.
fn attachment_name(name: &str, record_id: i64) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '/' | ';' | '%') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        format!("evidence-{record_id}")
    } else {
        cleaned.to_owned()
    }
}

/// The bytes of an uploaded item, after re-verifying them against the
/// digest taken on intake. A reason is required and goes into the custody
/// log; a blob that fails verification is refused (409 `integrity_failure`)
/// and the commander is alerted.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}/evidence/{record_id}/content", tag = "evidence",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN"), ("record_id" = i64, Path, description = "Evidence item id"), DownloadQuery),
    responses(
        (status = 200, content_type = "application/octet-stream", description = "The file; header X-Rampart-Sha256 carries its digest"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn download_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, record_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = parse_incident_id(&id)?;
    let record_id = parse_number(&record_id, "evidence item")?;
    let reason = parse_query::<DownloadQuery>(query.as_deref())
        .ok()
        .map(|query| query.reason);
    download(&state, &caller, id, record_id, reason).await
}

/// The re-verified bytes of a stored item as an attachment, the download
/// recorded in its custody with `reason` (`None`: none was given).
pub(crate) async fn download(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    record_id: i64,
    reason: Option<String>,
) -> ApiResult<Response> {
    let (state, caller) = (state.clone(), caller.clone());
    load_incident(&state, &caller, id, HANDLE_EVIDENCE, None).await?;
    let row = find_item(&state, id, record_id).await?;
    let reason = reason.ok_or_else(|| {
        ApiError::validation(
            "reason",
            "field `reason`: say why you need the evidence (`?reason=…`); the chain of custody records it",
        )
    })?;
    let reason = text("reason", &reason)?;
    if !row.item.is_stored() {
        return Err(ApiError::conflict(format!(
            "evidence item {record_id} is kept outside Rampart; its location is in the item's metadata"
        )));
    }
    let digest = digest_of(&row.item)?;
    let blob = match state.evidence().open_verified(&digest).await {
        Ok(blob) => blob,
        Err(OpenError::Mismatch { actual, size, .. }) => {
            let detail = format!(
                "stored bytes hash to {actual} ({size} bytes), not to {digest} recorded on intake"
            );
            raise_integrity_alarm(&state, &caller, id, record_id, detail).await?;
            return Err(integrity_error(record_id));
        }
        Err(OpenError::Missing { .. }) => {
            let detail = format!("no blob {digest} in the evidence store");
            raise_integrity_alarm(&state, &caller, id, record_id, detail).await?;
            return Err(integrity_error(record_id));
        }
        Err(other) => return Err(ApiError::internal(other)),
    };
    record_access(
        &state,
        &caller,
        id,
        std::slice::from_ref(&row),
        CustodyAction::Downloaded,
        Some(reason),
        "evidence.download",
    )
    .await?;

    // The stream re-hashes as it goes; if the bytes change between the
    // check and the read, it fails instead of finishing, the connection is
    // cut, and the failure is recorded like any other.
    let alarm_state = state.clone();
    let alarm_caller = caller.clone();
    let stream = blob.stream.map(move |chunk| {
        if let Err(EvidenceError::ChangedDuringRead { .. }) = &chunk {
            let (state, caller) = (alarm_state.clone(), alarm_caller.clone());
            tokio::spawn(async move {
                let detail = "the stored bytes changed while being served".to_owned();
                if let Err(error) =
                    raise_integrity_alarm(&state, &caller, id, record_id, detail).await
                {
                    tracing::error!(?error, "could not record an evidence integrity failure");
                }
            });
        }
        chunk
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(blob.size));
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attachment_name(row.item.name.as_str(), record_id)
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&digest.to_string()) {
        headers.insert("x-rampart-sha256", value);
    }
    Ok(response)
}

/// Exports the incident's evidence: records an `exported` custody entry
/// with the reason for every item and returns the custody report that
/// `rampart evidence export` writes beside the files.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/evidence/export", tag = "evidence",
    params(("id" = String, Path, description = "SEC-YYYY-NNNN")),
    request_body = ExportRequest,
    responses(
        (status = 200, body = CustodyReport), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn export_evidence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ExportRequest>,
) -> ApiResult<Json<CustodyReport>> {
    let id = parse_incident_id(&id)?;
    let (incident, _) = load_incident(&state, &caller, id, HANDLE_EVIDENCE, None).await?;
    let reason = text("reason", &request.reason)?;
    let items = state.store().evidence_items(id).await?;
    let exported_at: Timestamp = now();
    let items = record_access(
        &state,
        &caller,
        id,
        &items,
        CustodyAction::Exported,
        Some(reason.clone()),
        "evidence.export",
    )
    .await?;
    Ok(Json(CustodyReport {
        incident: id,
        codename: incident.summary.codename.clone(),
        exported_by: caller.user.name.clone(),
        exported_at,
        reason: reason.to_string(),
        items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_recorded_only_when_plain() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
            declared_media_type(&headers)
        };
        assert_eq!(with("text/plain; charset=utf-8"), "text/plain");
        assert_eq!(
            with("Application/VND.tcpdump.PCAP"),
            "application/vnd.tcpdump.pcap"
        );
        assert_eq!(with("text/html<script>"), "application/octet-stream");
        assert_eq!(with("nonsense"), "application/octet-stream");
        assert_eq!(
            declared_media_type(&HeaderMap::new()),
            "application/octet-stream"
        );
    }

    #[test]
    fn attachment_names_cannot_break_the_header_or_escape() {
        assert_eq!(attachment_name("access.log", 1), "access.log");
        assert_eq!(attachment_name("../../etc/passwd", 2), "_.._etc_passwd");
        assert_eq!(attachment_name("a\"b\r\nc", 3), "a_b__c");
        assert_eq!(attachment_name("...", 4), "evidence-4");
        assert_eq!(attachment_name("Prüfbericht.pdf", 5), "Pr_fbericht.pdf");
    }
}
