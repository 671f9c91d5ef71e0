//! Uploads into the findings inventory: Rampart's own scans, SARIF logs
//! from any tool and CycloneDX/SPDX SBOMs, each for one service.
//!
//! Every format becomes an [`IncomingUpload`] here, before the store is
//! touched: the body is read under `[inventory] max_upload_bytes`, parsed,
//! checked against the count limits, and only then reconciled with the
//! service's findings under the write lock. The body itself is never
//! stored, only its digest, so a snippet or a secret a tool put in it
//! cannot persist by accident.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use futures_util::StreamExt;
use rampart_api::{
    ErrorBody, ErrorCode, ScanUpload, UploadCounts, UploadList, UploadQuery, UploadReceipt,
};
use rampart_audit::Target;
use rampart_core::Severity;
use rampart_inventory::finding::{FingerprintOrigin, IncomingKind, PackageRef};
use rampart_inventory::{
    FindingDetail, FindingFingerprint, IncomingComponent, IncomingFinding, IncomingUpload,
    ServiceName, UploadFormat, UploadScope,
};
use rampart_store::{UploadRequest, UploadRow};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{audit, parse_query};
use crate::AppState;
use crate::auth::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, parse_json};
use crate::inventory_access::{self, UploadPermit};

/// Records Rampart's own scan of a service (what `rampart scan --upload`
/// sends). A repeat of the latest upload for the same scopes answers 200
/// with `duplicate: true` and changes nothing.
#[utoipa::path(
    post, path = "/api/v1/services/{name}/uploads/scan", tag = "inventory",
    params(("name" = String, Path, description = "Service name")),
    request_body = ScanUpload,
    responses(
        (status = 201, body = UploadReceipt), (status = 200, body = UploadReceipt, description = "Duplicate of the latest upload"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn upload_scan(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<UploadReceipt>)> {
    let permit = inventory_access::may_upload(&state, &caller, &name).await?;
    let bytes = read_body(&state, &headers, body).await?;
    let scan: ScanUpload = parse_json(&bytes)?;
    let digest = digest(UploadFormat::Scan, &bytes, &scan.commit, &scan.run);
    let upload = IncomingUpload {
        format: UploadFormat::Scan,
        scopes: sorted_scopes(scan.scopes),
        findings: scan.findings,
        components: scan.components,
        tool: scan.tool,
        commit: scan.commit,
        run: scan.run,
        digest,
        skipped: 0,
    };
    record(&state, &caller, permit, upload).await
}

/// Records a SARIF 2.1.0 log from any tool. Each tool (`runs[].tool.driver.name`)
/// is its own scope, `sarif:<tool>`; source excerpts, file contents and
/// fixes in the log are never read into the inventory.
#[utoipa::path(
    post, path = "/api/v1/services/{name}/uploads/sarif", tag = "inventory",
    params(("name" = String, Path, description = "Service name"), UploadQuery),
    request_body(content = Object, content_type = "application/sarif+json", description = "A SARIF 2.1.0 log"),
    responses(
        (status = 201, body = UploadReceipt), (status = 200, body = UploadReceipt, description = "Duplicate of the latest upload"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn upload_sarif(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<UploadReceipt>)> {
    let permit = inventory_access::may_upload(&state, &caller, &name).await?;
    let query: UploadQuery = parse_query(query.as_deref())?;
    if query.name.is_some() {
        return Err(ApiError::validation(
            "name",
            "`name` names an SBOM's scope; a SARIF log's scopes are its tools",
        ));
    }
    let bytes = read_body(&state, &headers, body).await?;
    let upload = sarif_upload(&state, &bytes, &query)?;
    record(&state, &caller, permit, upload).await
}

/// Records a CycloneDX (1.2–1.7) or SPDX (2.2, 2.3) JSON SBOM: its
/// components, and the vulnerabilities it declares as findings. The scope
/// is `sbom:<name>` (`name` from the query, else the SBOM's tool).
#[utoipa::path(
    post, path = "/api/v1/services/{name}/uploads/sbom", tag = "inventory",
    params(("name" = String, Path, description = "Service name"), UploadQuery),
    request_body(content = Object, content_type = "application/vnd.cyclonedx+json", description = "A CycloneDX or SPDX JSON document"),
    responses(
        (status = 201, body = UploadReceipt), (status = 200, body = UploadReceipt, description = "Duplicate of the latest upload"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn upload_sbom(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<UploadReceipt>)> {
    let permit = inventory_access::may_upload(&state, &caller, &name).await?;
    let query: UploadQuery = parse_query(query.as_deref())?;
    let bytes = read_body(&state, &headers, body).await?;
    let upload = sbom_upload(&bytes, &query)?;
    record(&state, &caller, permit, upload).await
}

/// The service's recent uploads, newest first (those who may see its
/// findings).
#[utoipa::path(
    get, path = "/api/v1/services/{name}/uploads", tag = "inventory",
    params(("name" = String, Path, description = "Service name")),
    responses(
        (status = 200, body = UploadList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn list_uploads(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<UploadList>> {
    let service = inventory_access::may_see_service_findings(&state, &caller, &name).await?;
    let rows = state.store().uploads(&service, 100).await?;
    Ok(Json(UploadList {
        uploads: rows.iter().map(|row| receipt(row, false)).collect(),
    }))
}

/// Reads the whole body under the configured limit: a declared length over
/// it is refused before a byte is read, a body that grows past it as soon
/// as it does.
async fn read_body(state: &AppState, headers: &HeaderMap, body: Body) -> ApiResult<Vec<u8>> {
    let limit = state.config().inventory.max_upload_bytes;
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the upload is larger than {limit} bytes (`[inventory] max_upload_bytes`)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::new(
                ErrorCode::BadRequest,
                "the upload was cut short; nothing was recorded",
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The upload's identity: the same format, body, commit and run give the
/// same digest, so a retried request is recognised as a repeat.
fn digest(
    format: UploadFormat,
    body: &[u8],
    commit: &Option<String>,
    run: &Option<String>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        format.as_str().as_bytes(),
        body,
        commit.as_deref().unwrap_or("").as_bytes(),
        run.as_deref().unwrap_or("").as_bytes(),
    ] {
        // Length-prefixed, so no two different part lists hash alike.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sorted_scopes(mut scopes: Vec<UploadScope>) -> Vec<UploadScope> {
    scopes.sort();
    scopes
}

fn sarif_upload(state: &AppState, bytes: &[u8], query: &UploadQuery) -> ApiResult<IncomingUpload> {
    let config = &state.config().inventory;
    let limits = rampart_inventory::SarifLimits {
        max_bytes: config.max_upload_bytes,
        max_results: config.max_findings,
        ..rampart_inventory::SarifLimits::default()
    };
    let sarif = rampart_inventory::sarif::parse(bytes, &limits).map_err(|error| {
        let field = error.path().unwrap_or("body").to_owned();
        match error {
            rampart_inventory::SarifError::TooLarge { .. } => {
                ApiError::new(ErrorCode::PayloadTooLarge, error.to_string())
            }
            rampart_inventory::SarifError::Syntax { .. } => {
                ApiError::new(ErrorCode::BadRequest, format!("not a SARIF log: {error}"))
            }
            _ => ApiError::validation(field, error.to_string()),
        }
    })?;
    let complete = query.complete.unwrap_or(true);
    let tool = sarif
        .scopes
        .iter()
        .map(|s| s.tool.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(IncomingUpload {
        format: UploadFormat::Sarif,
        scopes: sorted_scopes(
            sarif
                .scopes
                .iter()
                .map(|s| UploadScope {
                    scope: s.scope.clone(),
                    complete: complete && s.complete,
                })
                .collect(),
        ),
        findings: sarif.findings,
        components: Vec::new(),
        tool: (!tool.is_empty()).then_some(tool),
        digest: digest(UploadFormat::Sarif, bytes, &query.commit, &query.run),
        commit: query.commit.clone(),
        run: query.run.clone(),
        skipped: sarif.skipped as u64,
    })
}

/// The scope name of an SBOM upload: `sbom:` and the name asked for, else
/// the first tool's name, lower-cased with anything outside `a-z0-9-_.`
/// turned into `-`.
fn sbom_scope(name: Option<&str>, tool: Option<&str>) -> ApiResult<String> {
    if let Some(name) = name {
        let scope = format!("sbom:{name}");
        rampart_inventory::check_scope_name(&scope)
            .map_err(|why| ApiError::validation("name", why))?;
        return Ok(scope);
    }
    // The first tool, without its version: `aquasecurity trivy 0.58.1`
    // becomes `aquasecurity-trivy`, so the next version's SBOM lands in
    // the same scope.
    let first_tool = tool.and_then(|t| t.split(',').next()).unwrap_or("");
    let words: Vec<&str> = first_tool
        .split_whitespace()
        .filter(|word| {
            let word = word.strip_prefix(['v', 'V']).unwrap_or(word);
            !word.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    let mut slug: String = words
        .join("-")
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    slug = slug.trim_matches('-').to_owned();
    if slug.is_empty() {
        slug = "sbom".to_owned();
    }
    Ok(format!("sbom:{slug}"))
}

fn sbom_upload(bytes: &[u8], query: &UploadQuery) -> ApiResult<IncomingUpload> {
    use rampart_deps::sbom::SbomError;
    let sbom = rampart_deps::sbom::parse(bytes).map_err(|error| match error {
        SbomError::TooLarge { .. } | SbomError::TooManyComponents { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, error.to_string())
        }
        _ => ApiError::validation("body", error.to_string()),
    })?;
    let scope = sbom_scope(query.name.as_deref(), sbom.tool.as_deref())?;
    let mut components: Vec<IncomingComponent> = sbom
        .components
        .iter()
        .map(|c| IncomingComponent {
            scope: scope.clone(),
            ecosystem: c.component.ecosystem.osv_name().to_owned(),
            name: c.component.name.clone(),
            version: c.version().map(str::to_owned),
            purl: Some(c.canonical_purl().to_string()),
            path: query.name.clone().unwrap_or_default(),
        })
        .collect();
    components.sort();
    components.dedup();
    let findings = declared_findings(&scope, &sbom.declared_vulnerabilities);
    Ok(IncomingUpload {
        format: UploadFormat::Sbom,
        scopes: vec![UploadScope {
            scope,
            complete: query.complete.unwrap_or(true),
        }],
        findings,
        components,
        tool: sbom.tool.clone(),
        digest: digest(UploadFormat::Sbom, bytes, &query.commit, &query.run),
        commit: query.commit.clone(),
        run: query.run.clone(),
        skipped: sbom.skipped.len() as u64,
    })
}

/// The vulnerabilities an SBOM declares, one finding per (advisory,
/// affected package), fingerprinted like Rampart's own vulnerability
/// findings so the same problem reported by a scan and by an SBOM of the
/// same scope is one finding. The SBOM rarely rates severity in a way
/// every tool agrees on, so it is `unknown` until a scanner says more.
fn declared_findings(
    scope: &str,
    declared: &[rampart_deps::sbom::DeclaredVulnerability],
) -> Vec<IncomingFinding> {
    let mut findings = Vec::new();
    for vulnerability in declared {
        let mut ids = Vec::new();
        rampart_inventory::finding::extract_advisory_ids(&vulnerability.id, &mut ids);
        ids.sort();
        ids.dedup();
        let rule_id = ids
            .first()
            .cloned()
            .unwrap_or_else(|| vulnerability.id.clone());
        let packages: Vec<Option<PackageRef>> = if vulnerability.affects.is_empty() {
            vec![None]
        } else {
            vulnerability
                .affects
                .iter()
                .map(|purl| {
                    rampart_core::Purl::parse(&purl.to_string())
                        .ok()
                        .map(|parsed| {
                            let (ecosystem, name) = parsed.package();
                            PackageRef {
                                ecosystem: ecosystem.osv_name().to_owned(),
                                name,
                                version: parsed.version.clone(),
                            }
                        })
                })
                .collect()
        };
        for package in packages {
            let (ecosystem, name, version) = package
                .as_ref()
                .map(|p| {
                    (
                        p.ecosystem.as_str(),
                        p.name.as_str(),
                        p.version.as_deref().unwrap_or(""),
                    )
                })
                .unwrap_or(("", "", ""));
            let title = match &package {
                Some(p) => format!(
                    "{rule_id} in {} {}",
                    p.name,
                    p.version.as_deref().unwrap_or("")
                )
                .trim_end()
                .to_owned(),
                None => format!("{rule_id} (declared by the SBOM)"),
            };
            findings.push(IncomingFinding {
                scope: scope.to_owned(),
                fingerprint: FindingFingerprint::from_parts(&[
                    "vulnerability",
                    &rule_id,
                    ecosystem,
                    name,
                    version,
                    "",
                ]),
                fingerprint_origin: FingerprintOrigin::Derived,
                kind: IncomingKind::Vulnerability,
                rule_id: rule_id.clone(),
                title,
                severity: Severity::Unknown,
                path: None,
                line: None,
                package,
                ids: ids.clone(),
                detail: FindingDetail {
                    message: vulnerability
                        .source
                        .as_ref()
                        .map(|s| format!("declared by the SBOM (source: {s})")),
                    help_uri: None,
                    tags: Vec::new(),
                },
                local_suppression: None,
            });
        }
    }
    findings
}

/// Checks the upload's shape and limits, then reconciles it with the
/// service's findings under the write lock.
async fn record(
    state: &AppState,
    caller: &Caller,
    permit: UploadPermit,
    upload: IncomingUpload,
) -> ApiResult<(StatusCode, Json<UploadReceipt>)> {
    let config = &state.config().inventory;
    if upload.findings.len() > config.max_findings {
        return Err(ApiError::validation(
            "findings",
            format!(
                "{} findings; at most {} per upload (`[inventory] max_findings`)",
                upload.findings.len(),
                config.max_findings
            ),
        ));
    }
    if upload.components.len() > config.max_components {
        return Err(ApiError::validation(
            "components",
            format!(
                "{} components; at most {} per upload (`[inventory] max_components`)",
                upload.components.len(),
                config.max_components
            ),
        ));
    }
    upload
        .validate()
        .map_err(|error| ApiError::validation(error.field.clone(), error.to_string()))?;
    let service = permit.into_service();
    let at = now();
    let payload = json!({
        "service": service,
        "format": upload.format.as_str(),
        "digest": upload.digest,
        "scopes": upload.scopes,
        "tool": upload.tool,
        "commit": upload.commit,
        "run": upload.run,
    });
    let outcome = state
        .store()
        .record_upload(UploadRequest {
            service: service.clone(),
            upload,
            sla: config.sla,
            by: caller.user.name.to_string(),
            at,
            audit: audit(
                caller,
                "inventory.upload",
                Target::new("service", service.to_string()),
                payload,
            ),
        })
        .await?;
    let status = if outcome.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(receipt(&outcome.upload, outcome.duplicate))))
}

pub(crate) fn receipt(row: &UploadRow, duplicate: bool) -> UploadReceipt {
    let t = &row.tally;
    UploadReceipt {
        upload_id: row.id,
        duplicate,
        service: row.service.clone(),
        format: row.format.as_str().to_owned(),
        scopes: row.scopes.clone(),
        uploaded_at: row.uploaded_at,
        uploaded_by: row.uploaded_by.clone(),
        counts: UploadCounts {
            new: t.new,
            seen_again: t.seen_again,
            fixed: t.fixed,
            reopened: t.reopened,
            components_added: t.components_added,
            components_removed: t.components_removed,
            components: t.components,
            skipped: t.skipped,
        },
    }
}

/// The name in a route's path; a malformed one is "no such service".
pub(crate) fn parse_service(name: &str) -> ApiResult<ServiceName> {
    ServiceName::parse(name).map_err(|_| ApiError::not_found("service"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_separate_their_parts() {
        let a = digest(UploadFormat::Sarif, b"ab", &Some("c".into()), &None);
        let b = digest(UploadFormat::Sarif, b"a", &Some("bc".into()), &None);
        let c = digest(UploadFormat::Sbom, b"ab", &Some("c".into()), &None);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            a,
            digest(UploadFormat::Sarif, b"ab", &Some("c".into()), &None)
        );
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn sbom_scopes_come_from_the_name_or_the_tool() {
        assert_eq!(sbom_scope(Some("web"), None).unwrap(), "sbom:web");
        assert!(sbom_scope(Some("Web App"), None).is_err());
        assert_eq!(
            sbom_scope(None, Some("Trivy 0.58, cdxgen")).unwrap(),
            "sbom:trivy"
        );
        assert_eq!(
            sbom_scope(None, Some("aquasecurity trivy v0.56.2")).unwrap(),
            "sbom:aquasecurity-trivy"
        );
        assert_eq!(sbom_scope(None, None).unwrap(), "sbom:sbom");
        assert_eq!(sbom_scope(None, Some("@@")).unwrap(), "sbom:sbom");
    }
}
