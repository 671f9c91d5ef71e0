//! The evidence pages: the list with hashes, an item with its chain of
//! custody, upload (multipart, streamed into the same ingest as the API's),
//! registration of evidence kept elsewhere, and download with a reason.
//! Every read goes through the API's functions, so viewing a page records
//! `viewed` in the custody of what it shows, exactly as the API does.

use askama::Template;
use axum::Router;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use rampart_api::{EvidenceUploadQuery, EvidenceView};
use rampart_incident::{
    Access, EvidenceStorage, ExternalEvidenceInput, IncidentId, NonEmptyText, Sha256Hex,
};
use rampart_store::IncidentState;
use serde::Deserialize;

use super::incident::{IncidentHead, answer};
use super::{Chrome, PageError, PostForm, WebUser, html, minute, stylesheet_path};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::evidence::{
    HANDLE_EVIDENCE, download, ingest_upload, may_upload, plain_media_type, register_external,
    view_item, view_items,
};
use crate::routes::{parse_incident_id, parse_number};

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/incidents/{id}/evidence",
            // The upload's size limit is the evidence store's
            // (`max_upload_bytes`, enforced while streaming), not the
            // server's limit for ordinary bodies.
            get(list_page).post(upload.layer(DefaultBodyLimit::disable())),
        )
        .route("/incidents/{id}/evidence/external", post(register))
        .route("/incidents/{id}/evidence/{item}", get(item_page))
        .route(
            "/incidents/{id}/evidence/{item}/download",
            post(download_item),
        )
}

/// A size for people, with the exact byte count beside it.
fn size_text(size: Option<u64>) -> String {
    let Some(bytes) = size else {
        return "unknown".to_owned();
    };
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = None;
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = Some(next);
    }
    match unit {
        Some(unit) => format!("{value:.1} {unit} ({bytes} bytes)"),
        None => format!("{bytes} bytes"),
    }
}

/// An evidence item as the pages show it.
pub(crate) struct ItemLine {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub kind: String,
    pub stored: bool,
    pub source: Option<String>,
    pub size: String,
    pub sha256: String,
    pub intake: String,
    pub intake_iso: String,
    pub by: String,
    pub collected: Option<String>,
    pub collected_by: Option<String>,
}

impl ItemLine {
    fn of(view: &EvidenceView) -> Self {
        let item = &view.item;
        Self {
            id: view.id,
            name: item.name.to_string(),
            description: item.description.as_ref().map(ToString::to_string),
            kind: match &item.storage {
                EvidenceStorage::Stored { media_type } => format!("file in Rampart ({media_type})"),
                EvidenceStorage::External { location } => format!("kept outside: {location}"),
            },
            stored: item.is_stored(),
            source: item.source.as_ref().map(ToString::to_string),
            size: size_text(item.size),
            sha256: item.sha256.to_string(),
            intake: minute(view.created_at),
            intake_iso: view.created_at.to_string(),
            by: view.created_by.to_string(),
            collected: item.collected_at.map(minute),
            collected_by: item.collected_by.as_ref().map(ToString::to_string),
        }
    }
}

/// A chain-of-custody entry.
pub(crate) struct CustodyLine {
    pub seq: i64,
    pub at: String,
    pub iso: String,
    pub actor: String,
    pub action: &'static str,
    pub reason: Option<String>,
    pub detail: Option<String>,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    head: IncidentHead,
    items: Vec<ItemLine>,
    may_add: bool,
}

#[derive(Template)]
#[template(path = "evidence_item.html")]
struct ItemPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    head: IncidentHead,
    item: ItemLine,
    custody: Vec<CustodyLine>,
    may_download: bool,
}

/// `GET /incidents/{id}/evidence`.
async fn list_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = parse_incident_id(&id)?;
        let (incident, access, items) = view_items(&state, &user.caller, id).await?;
        let head = IncidentHead::of(&incident);
        let page = EvidencePage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            nav: "evidence",
            id: head.id.clone(),
            may_add: head.open && access.may(HANDLE_EVIDENCE),
            head,
            items: items.iter().map(ItemLine::of).collect(),
        };
        Ok::<_, ApiError>(html(StatusCode::OK, &page))
    }
    .await;
    answer(result, &user)
}

/// `GET /incidents/{id}/evidence/{item}`.
async fn item_page(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, item)): Path<(String, String)>,
) -> Response {
    let result = async {
        let id = parse_incident_id(&id)?;
        let record_id = parse_number(&item, "evidence item")?;
        let (incident, access, view) = view_item(&state, &user.caller, id, record_id).await?;
        Ok::<_, ApiError>(html(
            StatusCode::OK,
            &item_page_of(&user, &incident, &access, &view),
        ))
    }
    .await;
    answer(result, &user)
}

fn item_page_of(
    user: &WebUser,
    incident: &IncidentState,
    access: &Access,
    view: &EvidenceView,
) -> ItemPage {
    let head = IncidentHead::of(incident);
    let item = ItemLine::of(view);
    ItemPage {
        chrome: user.chrome(),
        stylesheet: stylesheet_path(),
        nav: "evidence",
        id: head.id.clone(),
        head,
        may_download: item.stored && access.may(HANDLE_EVIDENCE),
        item,
        custody: view
            .custody
            .iter()
            .map(|entry| CustodyLine {
                seq: entry.seq,
                at: minute(entry.at),
                iso: entry.at.to_string(),
                actor: entry.actor.to_string(),
                action: entry.action.as_str(),
                reason: entry.reason.clone(),
                detail: entry.detail.clone(),
            })
            .collect(),
    }
}

/// The download form: why the bytes are wanted.
#[derive(Deserialize)]
struct DownloadForm {
    #[serde(default)]
    reason: String,
}

/// `POST /incidents/{id}/evidence/{item}/download`: the API's download
/// (access, reason, re-verification, custody entry), as an attachment.
async fn download_item(
    State(state): State<AppState>,
    Path((id, item)): Path<(String, String)>,
    posted: PostForm<DownloadForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let record_id = parse_number(&item, "evidence item")?;
        download(&state, &user.caller, id, record_id, Some(form.reason)).await
    }
    .await;
    answer(result, &user)
}

/// The register form; empty optional fields mean "not given".
#[derive(Deserialize)]
struct RegisterForm {
    name: String,
    location: String,
    sha256: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    collected_by: String,
    #[serde(default)]
    collected_at: String,
}

/// A required text field of a form, trimmed.
pub(crate) fn required(field: &'static str, value: &str) -> ApiResult<NonEmptyText> {
    NonEmptyText::parse(field, value.trim()).map_err(ApiError::domain)
}

/// An optional text field of a form: empty means not given.
pub(crate) fn given(field: &'static str, value: &str) -> ApiResult<Option<NonEmptyText>> {
    match value.trim() {
        "" => Ok(None),
        text => required(field, text).map(Some),
    }
}

fn collected_at(value: &str) -> ApiResult<Option<Timestamp>> {
    match value.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| {
            ApiError::validation(
                "collected_at",
                format!(
                    "field `collected_at`: {text:?} is not a time like 2026-05-01T10:00:00Z (UTC)"
                ),
            )
        }),
    }
}

impl RegisterForm {
    fn input(&self) -> ApiResult<ExternalEvidenceInput> {
        Ok(ExternalEvidenceInput {
            name: required("name", &self.name)?,
            description: given("description", &self.description)?,
            location: required("location", &self.location)?,
            sha256: self
                .sha256
                .trim()
                .parse::<Sha256Hex>()
                .map_err(ApiError::domain)?,
            size: match self.size.trim() {
                "" => None,
                text => Some(text.parse::<u64>().map_err(|_| {
                    ApiError::validation(
                        "size",
                        format!("field `size`: {text:?} is not a number of bytes"),
                    )
                })?),
            },
            source: given("source", &self.source)?,
            collected_at: collected_at(&self.collected_at)?,
            collected_by: given("collected_by", &self.collected_by)?,
        })
    }
}

/// `POST /incidents/{id}/evidence/external`: the API's registration.
async fn register(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: PostForm<RegisterForm>,
) -> Response {
    let PostForm { user, form } = posted;
    let result = async {
        let id = parse_incident_id(&id)?;
        let input = form.input()?;
        let created = register_external(&state, &user.caller, id, input).await?;
        Ok::<_, ApiError>(to_item(id, created.evidence.id))
    }
    .await;
    answer(result, &user)
}

fn to_item(id: IncidentId, record_id: i64) -> Response {
    Redirect::to(&format!("/incidents/{id}/evidence/{record_id}")).into_response()
}

/// The most a text field of the upload form may hold: the file is the
/// only large part.
const TEXT_FIELD_LIMIT: usize = 16 * 1024;

fn unreadable() -> PageError {
    PageError::new(StatusCode::BAD_REQUEST, "The form could not be read.")
}

async fn small_text(field: &mut Field<'_>) -> Result<String, PageError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        if bytes.len() + chunk.len() > TEXT_FIELD_LIMIT {
            return Err(PageError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "A text field of the form is too long.",
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| unreadable())
}

/// `POST /incidents/{id}/evidence` (multipart): the text fields first, then
/// the file, which is streamed into the API's ingest — hashed on the way,
/// nothing kept if it fails or passes the limit — only after the CSRF
/// token and the caller's access have been checked.
async fn upload(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let chrome = user.chrome();
    match receive(&state, &user, &id, multipart).await {
        Ok(response) => response,
        Err(page) => page.with(chrome).into_response(),
    }
}

async fn receive(
    state: &AppState,
    user: &WebUser,
    id: &str,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let api = |error: ApiError| PageError::from_api(error, None);
    let mut multipart = multipart.map_err(|_| unreadable())?;
    let mut csrf_ok = false;
    let mut query = EvidenceUploadQuery {
        name: String::new(),
        description: None,
        source: None,
        collected_at: None,
        collected_by: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            let value = small_text(&mut field).await?;
            let value = Some(value).filter(|v| !v.trim().is_empty());
            match name.as_str() {
                "csrf" => csrf_ok = value.is_some_and(|token| user.csrf_matches(&token)),
                "name" => query.name = value.unwrap_or_default(),
                "description" => query.description = value,
                "source" => query.source = value,
                "collected_by" => query.collected_by = value,
                "collected_at" => {
                    query.collected_at = collected_at(&value.unwrap_or_default()).map_err(api)?;
                }
                _ => {}
            }
            continue;
        }
        if !csrf_ok {
            return Err(PageError::expired_form());
        }
        let id = parse_incident_id(id).map_err(api)?;
        let permit = may_upload(state, &user.caller, id).await.map_err(api)?;
        let file_name = field.file_name().unwrap_or_default().trim().to_owned();
        if file_name.is_empty() {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose a file to upload.",
            ));
        }
        if query.name.trim().is_empty() {
            query.name = file_name;
        }
        let media_type = plain_media_type(field.content_type());
        let created = ingest_upload(
            state,
            &user.caller,
            permit,
            query,
            media_type,
            None,
            Box::pin(field),
        )
        .await
        .map_err(api)?;
        return Ok(to_item(id, created.evidence.id));
    }
    Err(if csrf_ok {
        PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "Choose a file to upload.")
    } else {
        PageError::expired_form()
    })
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_read_for_people_and_keep_the_byte_count() {
        assert_eq!(size_text(None), "unknown");
        assert_eq!(size_text(Some(0)), "0 bytes");
        assert_eq!(size_text(Some(1023)), "1023 bytes");
        assert_eq!(size_text(Some(1536)), "1.5 KiB (1536 bytes)");
        assert_eq!(
            size_text(Some(3 * 1024 * 1024 * 1024)),
            "3.0 GiB (3221225472 bytes)"
        );
    }
}
