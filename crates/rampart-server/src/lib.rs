//! Rampart's HTTP server (`rampart serve`): an axum application serving
//! the JSON API of `rampart-api` under `/api/v1` and a server-rendered web
//! UI for responders (`web`: sign-in, dashboard, incident page) that goes
//! through the same access and write paths as the API.
//!
//! * **Authentication**: `Authorization: Bearer <token>` (API tokens,
//!   stored as SHA-256) or the `rampart_session` cookie from
//!   `POST /api/v1/session`; cookie requests that change state must carry
//!   the session's `X-CSRF-Token`. Sign-in is throttled per user name and
//!   per client address, counted in the database.
//! * **Authorization**: global roles govern users (admin), break-glass
//!   approval (security) and declaring (not viewer). No global role sees an
//!   incident: access is membership or an approved break-glass grant
//!   (`rampart_incident::incident_access`), and everyone else gets the same
//!   404 as for an incident that does not exist.
//! * **Writes** go through `Store::update_incident`: access and the rules
//!   are decided on the incident read inside the write transaction, and the
//!   changes, response-log entries and audit event commit with it. Reads of
//!   incident routes append an audit event too.
//! * **OpenAPI 3.1** at `/api/v1/openapi.json`, generated from the handlers:
//!   a route cannot exist without being in the document.
//!
//! [`router`] builds the application; [`serve`] binds and runs it.

pub mod auth;
mod config;
mod error;
mod extract;
mod inventory_access;
mod routes;
mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use rampart_api::ErrorCode;
use rampart_evidence::EvidenceStore;
use rampart_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use config::{EvidenceConfig, InventoryConfig, LoginThrottle, ServerConfig};
pub use error::{ApiError, ApiResult};
pub use extract::{ApiJson, Caller};
pub use routes::findings::sweep_expired_acceptances;

/// What every handler shares: the configuration and the store.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: ServerConfig,
    store: Arc<dyn Store>,
    evidence: EvidenceStore,
}

impl AppState {
    /// State for a server with `config` over `store`, keeping evidence
    /// blobs in `evidence`.
    pub fn new(config: ServerConfig, store: Arc<dyn Store>, evidence: EvidenceStore) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                store,
                evidence,
            }),
        }
    }

    /// The evidence blob store.
    pub fn evidence(&self) -> &EvidenceStore {
        &self.inner.evidence
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rampart API",
        description = "Security incidents through the 14 steps, with need-to-know access and a tamper-evident audit chain.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "session", description = "Sign-in and sign-out"),
        (name = "users", description = "The caller and user management (admin)"),
        (name = "tokens", description = "The caller's API tokens"),
        (name = "incidents", description = "Incidents; only members and break-glass holders see one"),
        (name = "steps", description = "The 14 steps"),
        (name = "records", description = "Structured step records"),
        (name = "members", description = "Incident members"),
        (name = "evidence", description = "Evidence with chain of custody (step 10)"),
        (name = "communications", description = "Drafts, approvals and sending (steps 11 and 14)"),
        (name = "indicators", description = "Indicators of compromise and the credential register"),
        (name = "reports", description = "Post-incident report and VERIS classification"),
        (name = "access", description = "Access requests to an incident"),
        (name = "break-glass", description = "Emergency access with a second approver"),
        (name = "notifications", description = "The caller's notifications"),
        (name = "catalog", description = "Teams, systems and services with their owners; the Backstage import"),
        (name = "inventory", description = "Scan, SARIF and SBOM uploads; findings, their triage and counts"),
        (name = "blast-radius", description = "Which services ship a package, have an advisory or contain a secret"),
        (name = "audit", description = "The audit chain (admin, security)"),
        (name = "system", description = "Health"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                rampart_api::SESSION_COOKIE,
                "Session cookie from POST /api/v1/session; unsafe methods also need the X-CSRF-Token header",
            ))),
        );
    }
}

/// The routes and the OpenAPI document, built together so they cannot differ.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use routes::{
        access, account, blast, catalog, comms, evidence, findings, incidents, indicators, report,
        system, uploads,
    };
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::health))
        .routes(routes!(account::sign_in, account::sign_out))
        .routes(routes!(account::me))
        .routes(routes!(account::list_users, account::create_user))
        .routes(routes!(account::update_user))
        .routes(routes!(account::list_tokens, account::create_token))
        .routes(routes!(account::revoke_token))
        .routes(routes!(
            incidents::list_incidents,
            incidents::declare_incident
        ))
        .routes(routes!(incidents::get_incident, incidents::update_incident))
        .routes(routes!(incidents::list_steps))
        .routes(routes!(incidents::update_step))
        .routes(routes!(incidents::list_records, incidents::add_record))
        .routes(routes!(incidents::update_record))
        .routes(routes!(incidents::response_log))
        .routes(routes!(incidents::list_members, incidents::add_member))
        .routes(routes!(
            incidents::change_member_role,
            incidents::remove_member
        ))
        .routes(routes!(incidents::close_incident))
        .routes(routes!(incidents::reopen_incident))
        .routes(routes!(evidence::list_evidence, evidence::upload_evidence))
        .routes(routes!(evidence::register_evidence))
        .routes(routes!(evidence::get_evidence))
        .routes(routes!(evidence::download_evidence))
        .routes(routes!(evidence::export_evidence))
        .routes(routes!(comms::create_draft))
        .routes(routes!(comms::edit_draft))
        .routes(routes!(comms::approve_draft))
        .routes(routes!(comms::sign_off_draft))
        .routes(routes!(comms::mark_draft_sent))
        .routes(routes!(indicators::list_indicators))
        .routes(routes!(indicators::list_credentials))
        .routes(routes!(report::indicators_stix))
        .routes(routes!(report::incident_report))
        .routes(routes!(report::incident_veris))
        .routes(routes!(
            access::request_access,
            access::list_access_requests
        ))
        .routes(routes!(access::decide_access_request))
        .routes(routes!(access::break_glass))
        .routes(routes!(access::break_glass_queue))
        .routes(routes!(access::decide_break_glass))
        .routes(routes!(access::list_notifications))
        .routes(routes!(access::mark_notification_read))
        .routes(routes!(catalog::list_services, catalog::create_service))
        .routes(routes!(catalog::get_service, catalog::update_service))
        .routes(routes!(catalog::list_teams, catalog::create_team))
        .routes(routes!(catalog::get_team, catalog::update_team))
        .routes(routes!(catalog::list_systems))
        .routes(routes!(catalog::import_catalog))
        .routes(routes!(uploads::upload_scan))
        .routes(routes!(uploads::upload_sarif))
        .routes(routes!(uploads::upload_sbom))
        .routes(routes!(uploads::list_uploads))
        .routes(routes!(findings::list_findings))
        .routes(routes!(findings::findings_summary))
        .routes(routes!(findings::get_finding, findings::triage_finding))
        .routes(routes!(blast::where_package))
        .routes(routes!(blast::where_advisory))
        .routes(routes!(blast::where_secret))
        .routes(routes!(blast::attach_blast_radius))
        .routes(routes!(system::audit_head))
        .routes(routes!(system::audit_verify))
        .split_for_parts()
}

/// The OpenAPI 3.1 document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// Unknown paths: JSON under `/api/`, the HTML 404 page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        ApiError::new(ErrorCode::NotFound, "no such route").into_response()
    } else {
        web::fallback_page()
    }
}

async fn method_not_allowed() -> impl axum::response::IntoResponse {
    (
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(rampart_api::ErrorBody::new(
            ErrorCode::BadRequest,
            "this route does not take that method",
        )),
    )
}

/// The application: every route of the API, the OpenAPI document, JSON
/// 404s, the body limit, security headers and request tracing (method,
/// path and status only: never headers or bodies).
pub fn router(state: AppState) -> Router {
    let (api, document) = api();
    let document = Arc::new(document);
    let max_body = state.config().max_body_bytes;
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let document = Arc::clone(&document);
            async move { axum::Json(document.as_ref().clone()) }
        }),
    )
    .merge(web::router())
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .with_state(state)
    .layer(DefaultBodyLimit::max(max_body))
    .layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    // Not overriding: the hashed assets say they are immutable.
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    ))
    .layer(TraceLayer::new_for_http())
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
}

/// Binds `config.listen`, logs one start-up line (address and store) and
/// serves until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    config: ServerConfig,
    store: Arc<dyn Store>,
    evidence: EvidenceStore,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let address = config.listen;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ServerError::Bind { address, source })?;
    let bound = listener.local_addr().unwrap_or(address);
    tracing::info!(
        address = %bound,
        store = %store.describe(),
        evidence = %evidence.describe(),
        "rampart server listening"
    );
    let state = AppState::new(config, store, evidence);
    let sweeper = tokio::spawn(sweep_periodically(state.clone()));
    let app = router(state);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(ServerError::Serve);
    sweeper.abort();
    served
}

/// Writes lapsed risk acceptances back as open every
/// `[inventory] expiry_sweep_minutes`. Reads already treat them as open
/// from the expiry on; the sweep puts the change, and its audit event, on
/// record.
async fn sweep_periodically(state: AppState) {
    let minutes = u64::from(state.config().inventory.expiry_sweep_minutes.max(1));
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match sweep_expired_acceptances(&state).await {
            Ok(ids) if !ids.is_empty() => {
                tracing::info!(findings = ids.len(), "lapsed risk acceptances reopened");
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = %error.body().error.message, "expiry sweep failed");
            }
        }
    }
}
