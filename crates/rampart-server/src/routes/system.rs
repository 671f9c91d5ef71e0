//! Health and the audit chain.

use axum::Json;
use axum::extract::State;
use rampart_api::{AuditHead, AuditVerifyResponse, ChainBreakView, ErrorBody, Health};
use rampart_audit::ChainSummary;
use rampart_incident::GlobalRole;
use rampart_store::AuditVerifyError;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;

/// Whether the server is up. Needs no authentication and says nothing else.
#[utoipa::path(
    get, path = "/api/v1/health", tag = "system",
    responses((status = 200, body = Health))
)]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

fn require_auditor(caller: &Caller) -> ApiResult<()> {
    if matches!(caller.user.role, GlobalRole::Admin | GlobalRole::Security) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only admin and security read the audit chain",
        ))
    }
}

fn head_view(summary: &ChainSummary) -> AuditHead {
    AuditHead {
        length: summary.length,
        head: summary.head.to_hex(),
        anchor: summary.to_string(),
    }
}

/// The audit chain's length and head hash as stored, for anchoring
/// elsewhere (admin, security).
#[utoipa::path(
    get, path = "/api/v1/audit/head", tag = "audit",
    responses((status = 200, body = AuditHead), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn audit_head(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<AuditHead>> {
    require_auditor(&caller)?;
    Ok(Json(head_view(&state.store().audit_head().await?)))
}

/// Recomputes the whole chain and returns its head or the first broken
/// link (admin, security). A break is a 200 with `ok: false`: the request
/// succeeded, the chain did not.
#[utoipa::path(
    get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = AuditVerifyResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn audit_verify(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<AuditVerifyResponse>> {
    require_auditor(&caller)?;
    match rampart_store::verify_audit_chain(state.store().as_ref(), None).await {
        Ok(summary) => Ok(Json(AuditVerifyResponse {
            ok: true,
            head: Some(head_view(&summary)),
            broken: None,
        })),
        Err(AuditVerifyError::Broken(chain_break)) => Ok(Json(AuditVerifyResponse {
            ok: false,
            head: None,
            broken: Some(ChainBreakView {
                sequence: chain_break.sequence(),
                message: chain_break.to_string(),
            }),
        })),
        Err(AuditVerifyError::Store(error)) => Err(error.into()),
    }
}
