//! The report page: the post-incident report for the chosen audience,
//! previewed inside the page, and its downloads (Markdown, HTML, JSON for
//! both audiences). Both go through the API's report function, so they
//! are authorized and audited exactly like `GET /api/v1/incidents/{id}/report`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rampart_incident::{IncidentAction, Tlp};
use rampart_incident_report::Audience;
use serde::Deserialize;

use super::dashboard::tlp_class;
use super::incident::{IncidentHead, answer};
use super::{Chrome, PageError, WebUser, html, stylesheet_path};
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::report::{ReportFormat, report_document};
use crate::routes::{load_incident, parse_incident_id, parse_query};

/// This area's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/report", get(report_page))
        .route("/incidents/{id}/report/{file}", get(report_file))
}

/// A download link.
pub(crate) struct FileLink {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Option<Chrome>,
    stylesheet: &'static str,
    nav: &'static str,
    id: String,
    head: IncidentHead,
    audience: &'static str,
    audiences: [&'static str; 2],
    preview: String,
    files: Vec<FileLink>,
}

const AUDIENCES: [Audience; 2] = [Audience::Internal, Audience::External];

fn format_label(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Markdown => "Markdown",
        ReportFormat::Html => "HTML",
        ReportFormat::Json => "JSON",
    }
}

/// The report's own HTML document made fit to sit inside a page: only its
/// body; its marking banners (coloured with an inline style our policy
/// forbids) drawn with the stylesheet's TLP classes instead; headings
/// moved two levels down under the page's; header cells scoped. Every
/// text in the document is escaped, so `<` only ever starts the
/// renderer's own markup. `None` if anything inline would remain.
fn embeddable(document: &str) -> Option<String> {
    const BANNER: &str = "<div class=\"tlp\" style=";
    let start = document.find("<body>\n")? + "<body>\n".len();
    let end = document.rfind("</body>")?;
    let mut body = String::with_capacity(end.saturating_sub(start));
    for line in document.get(start..end)?.lines() {
        if line.starts_with(BANNER) {
            let label = line.strip_suffix("</div>")?.rsplit_once('>')?.1;
            let tlp = label.parse::<Tlp>().ok()?;
            body.push_str(&format!(
                "<p class=\"report-marking\"><span class=\"tlp {}\">{}</span></p>\n",
                tlp_class(tlp),
                tlp.as_str()
            ));
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    for level in (1..=4).rev() {
        body = body
            .replace(&format!("<h{level}>"), &format!("<h{}>", level + 2))
            .replace(&format!("</h{level}>"), &format!("</h{}>", level + 2));
    }
    let body = body.replace("<th>", "<th scope=\"col\">");
    let inline = ["style=\"", "<style", "<script", "<link"];
    (!inline.iter().any(|marker| body.contains(marker))).then_some(body)
}

#[derive(Deserialize)]
struct AudienceQuery {
    #[serde(default)]
    audience: Option<String>,
}

fn parse_audience(text: &str) -> ApiResult<Audience> {
    text.parse().map_err(|_| {
        ApiError::validation(
            "audience",
            format!("field `audience`: {text:?} is not internal or external"),
        )
    })
}

/// `GET /incidents/{id}/report?audience=internal|external`.
async fn report_page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let id = parse_incident_id(&id)?;
        let (incident, _) =
            load_incident(&state, &user.caller, id, IncidentAction::View, None).await?;
        let query: AudienceQuery = parse_query(query.as_deref())?;
        let audience = parse_audience(query.audience.as_deref().unwrap_or("internal"))?;
        let (document, _) =
            report_document(&state, &user.caller, id, audience, ReportFormat::Html).await?;
        let preview = embeddable(&document).ok_or_else(|| {
            ApiError::internal("the report's HTML no longer fits the page's security policy")
        })?;
        let head = IncidentHead::of(&incident);
        let files = AUDIENCES
            .into_iter()
            .flat_map(|audience| {
                ReportFormat::ALL.into_iter().map(move |format| FileLink {
                    href: format!(
                        "/incidents/{id}/report/{}.{}",
                        audience.as_str(),
                        format.extension()
                    ),
                    label: format!("{} report, {}", audience.as_str(), format_label(format)),
                })
            })
            .collect();
        let page = ReportPage {
            chrome: user.chrome(),
            stylesheet: stylesheet_path(),
            nav: "report",
            id: head.id.clone(),
            head,
            audience: audience.as_str(),
            audiences: AUDIENCES.map(Audience::as_str),
            preview,
            files,
        };
        Ok::<_, ApiError>(html(StatusCode::OK, &page))
    }
    .await;
    answer(result, &user)
}

/// `GET /incidents/{id}/report/{audience}.{md|html|json}`: the report as
/// an attachment named after the incident and audience.
async fn report_file(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let wanted = file.split_once('.').and_then(|(audience, extension)| {
        let audience = audience.parse::<Audience>().ok()?;
        let format = ReportFormat::ALL
            .into_iter()
            .find(|f| f.extension() == extension)?;
        Some((audience, format))
    });
    let Some((audience, format)) = wanted else {
        return PageError::not_found().with(user.chrome()).into_response();
    };
    let result = async {
        let id = parse_incident_id(&id)?;
        let (body, content_type) =
            report_document(&state, &user.caller, id, audience, format).await?;
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        let disposition = format!(
            "attachment; filename=\"{id}-{}.{}\"",
            audience.as_str(),
            format.extension()
        );
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
        );
        Ok::<_, ApiError>(response)
    }
    .await;
    answer(result, &user)
}

#[cfg(test)]
mod tests {
    use super::embeddable;

    #[test]
    fn the_report_body_loses_its_inline_style_and_heading_level() {
        let document = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<style>b{}</style>\n</head>\n<body>\n\
            <div class=\"tlp\" style=\"color:#FFC000\">TLP:AMBER</div>\n<h1>Report</h1>\n\
            <h2>Steps</h2>\n<table>\n<thead><tr><th>Step</th></tr></thead>\n</table>\n\
            <p>style=&quot;x&quot; &lt;script&gt;</p>\n\
            <div class=\"tlp\" style=\"color:#FFC000\">TLP:AMBER</div>\n</body>\n</html>\n";
        assert_eq!(
            embeddable(document).unwrap(),
            "<p class=\"report-marking\"><span class=\"tlp tlp-amber\">TLP:AMBER</span></p>\n\
             <h3>Report</h3>\n<h4>Steps</h4>\n<table>\n<thead><tr><th scope=\"col\">Step</th></tr></thead>\n</table>\n\
             <p>style=&quot;x&quot; &lt;script&gt;</p>\n\
             <p class=\"report-marking\"><span class=\"tlp tlp-amber\">TLP:AMBER</span></p>\n"
        );
        let styled = document.replace("<h1>", "<h1 style=\"x\">");
        assert_eq!(embeddable(&styled), None);
        assert_eq!(embeddable("no body"), None);
    }
}
