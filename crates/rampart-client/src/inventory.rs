//! The findings inventory: uploads of scans, SARIF logs and SBOMs, the
//! findings they leave and their triage, and blast-radius questions.
//!
//! SARIF and SBOM files travel as they are (the server parses them, so a
//! plain `curl` upload works too); the caller strips and checks them first.

use rampart_api::{
    BlastAnswer, BlastQuery, FindingDetailView, FindingList, FindingQuery, FindingSummary,
    FindingView, PackageWhereQuery, RecordChanged, ScanUpload, SummaryQuery, TriageRequest,
    UploadList, UploadQuery, UploadReceipt,
};
use rampart_incident::IncidentId;

use crate::evidence::query;
use crate::{Client, ClientError, Method, NO_BODY, encode_segment, incident_path};

/// The media type of a SARIF log.
pub const SARIF_MEDIA_TYPE: &str = "application/sarif+json";

impl Client {
    /// `POST /api/v1/services/{service}/uploads/scan`: Rampart's own scan.
    /// A repeat of the latest upload answers with `duplicate: true`.
    pub fn upload_scan(
        &self,
        service: &str,
        upload: &ScanUpload,
    ) -> Result<UploadReceipt, ClientError> {
        self.transport.call(
            Method::Post,
            &upload_path(service, "scan", ""),
            Some(upload),
        )
    }

    /// `POST /api/v1/services/{service}/uploads/sarif`: a SARIF 2.1.0 log,
    /// sent as given (strip it with `rampart_inventory::strip_sarif` first).
    pub fn upload_sarif(
        &self,
        service: &str,
        options: &UploadQuery,
        log: &[u8],
    ) -> Result<UploadReceipt, ClientError> {
        let path = upload_path(service, "sarif", &upload_query(options));
        self.post_bytes(&path, SARIF_MEDIA_TYPE, log)
    }

    /// `POST /api/v1/services/{service}/uploads/sbom`: a CycloneDX or SPDX
    /// JSON document; `media_type` says which
    /// (`application/vnd.cyclonedx+json`, `application/spdx+json`, or
    /// `application/json` to let the server tell).
    pub fn upload_sbom(
        &self,
        service: &str,
        options: &UploadQuery,
        media_type: &str,
        document: &[u8],
    ) -> Result<UploadReceipt, ClientError> {
        let path = upload_path(service, "sbom", &upload_query(options));
        self.post_bytes(&path, media_type, document)
    }

    /// `GET /api/v1/services/{service}/uploads`: recent uploads, newest first.
    pub fn uploads(&self, service: &str) -> Result<UploadList, ClientError> {
        self.transport
            .call(Method::Get, &upload_path(service, "", ""), NO_BODY)
    }

    /// `GET /api/v1/findings`: one page, worst first; pass the answer's
    /// `next` as `after` for the following one.
    pub fn findings(&self, filter: &FindingQuery) -> Result<FindingList, ClientError> {
        let limit = filter.limit.map(|n| n.to_string());
        let overdue = filter.overdue.map(|b| b.to_string());
        let path = "/api/v1/findings".to_owned()
            + &query(&[
                ("service", filter.service.as_deref()),
                ("team", filter.team.as_deref()),
                ("state", filter.state.as_deref()),
                ("severity", filter.severity.as_deref()),
                ("kind", filter.kind.as_deref()),
                ("overdue", overdue.as_deref()),
                ("limit", limit.as_deref()),
                ("after", filter.after.as_deref()),
            ]);
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `GET /api/v1/findings/summary`: open findings by service and severity.
    pub fn finding_summary(&self, filter: &SummaryQuery) -> Result<FindingSummary, ClientError> {
        let path =
            "/api/v1/findings/summary".to_owned() + &query(&[("team", filter.team.as_deref())]);
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `GET /api/v1/findings/{id}`: one finding with its history.
    pub fn finding(&self, id: i64) -> Result<FindingDetailView, ClientError> {
        self.transport
            .call(Method::Get, &format!("/api/v1/findings/{id}"), NO_BODY)
    }

    /// `PATCH /api/v1/findings/{id}`: accept the risk, call it a false
    /// positive, mark it fixed or reopen it.
    pub fn triage_finding(
        &self,
        id: i64,
        request: &TriageRequest,
    ) -> Result<FindingView, ClientError> {
        self.transport.call(
            Method::Patch,
            &format!("/api/v1/findings/{id}"),
            Some(request),
        )
    }

    /// `GET /api/v1/where/package`: which services ship a package (in a
    /// version range).
    pub fn where_package(&self, question: &PackageWhereQuery) -> Result<BlastAnswer, ClientError> {
        let path = "/api/v1/where/package".to_owned()
            + &query(&[
                ("ecosystem", question.ecosystem.as_deref()),
                ("name", question.name.as_deref()),
                ("purl", question.purl.as_deref()),
                ("range", question.range.as_deref()),
            ]);
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `GET /api/v1/where/advisory?id=`: which services have a finding
    /// known by this advisory id or alias.
    pub fn where_advisory(&self, id: &str) -> Result<BlastAnswer, ClientError> {
        let path = "/api/v1/where/advisory".to_owned() + &query(&[("id", Some(id))]);
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `GET /api/v1/where/secret?fingerprint=`: which services contain the
    /// secret with this fingerprint.
    pub fn where_secret(&self, fingerprint: &str) -> Result<BlastAnswer, ClientError> {
        let path =
            "/api/v1/where/secret".to_owned() + &query(&[("fingerprint", Some(fingerprint))]);
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `POST /api/v1/incidents/{id}/blast-radius`: answers the question and
    /// keeps the answer as a record of the incident's step 7.
    pub fn attach_blast_radius(
        &self,
        incident: IncidentId,
        question: &BlastQuery,
    ) -> Result<RecordChanged, ClientError> {
        self.transport.call(
            Method::Post,
            &incident_path(incident, "/blast-radius"),
            Some(question),
        )
    }

    fn post_bytes(
        &self,
        path: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<UploadReceipt, ClientError> {
        let mut body = bytes;
        self.transport
            .post_stream(path, media_type, &mut body, bytes.len() as u64)
    }
}

/// `/api/v1/services/{service}/uploads[/{format}]{query}`.
fn upload_path(service: &str, format: &str, query: &str) -> String {
    let mut path = format!("/api/v1/services/{}/uploads", encode_segment(service));
    if !format.is_empty() {
        path.push('/');
        path.push_str(format);
    }
    path.push_str(query);
    path
}

fn upload_query(options: &UploadQuery) -> String {
    let complete = options.complete.map(|b| b.to_string());
    query(&[
        ("commit", options.commit.as_deref()),
        ("run", options.run.as_deref()),
        ("complete", complete.as_deref()),
        ("name", options.name.as_deref()),
    ])
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// Answers one request with `status` and `body`; yields the request
    /// head and body it read.
    fn serve_once(
        status: &'static str,
        body: &'static str,
    ) -> (String, std::thread::JoinHandle<(String, Vec<u8>)>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                head.push_str(&line);
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            let mut writer = stream;
            if head.to_ascii_lowercase().contains("expect: 100-continue") {
                writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
            }
            let mut received = vec![0; length];
            reader.read_exact(&mut received).unwrap();
            write!(
                writer,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            (head, received)
        });
        (url, handle)
    }

    const RECEIPT: &str = r#"{"upload_id":17,"duplicate":true,"service":"checkout","format":"sarif",
        "scopes":[{"scope":"sarif:trivy","complete":false}],"uploaded_at":"2026-11-28T10:00:00Z",
        "uploaded_by":"ci","counts":{"new":0,"seen_again":2,"fixed":0,"reopened":0,
        "components_added":0,"components_removed":0,"components":0,"skipped":1}}"#;

    #[test]
    fn a_sarif_log_is_posted_raw_with_its_media_type_and_query() {
        let (url, server) = serve_once("200 OK", RECEIPT);
        let client = Client::new(&url, Some("rmp_test".into())).unwrap();
        let options = UploadQuery {
            commit: Some("abc123".into()),
            run: Some("9 / 1".into()),
            complete: Some(false),
            name: None,
        };
        let receipt = client
            .upload_sarif("check out", &options, br#"{"version":"2.1.0"}"#)
            .unwrap();
        let (head, body) = server.join().unwrap();
        assert!(receipt.duplicate && receipt.upload_id == 17);
        assert!(
            head.starts_with(
                "POST /api/v1/services/check%20out/uploads/sarif?commit=abc123&run=9%20%2F%201&complete=false HTTP/1.1"
            ),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/sarif+json"),
            "{head}"
        );
        assert_eq!(body, br#"{"version":"2.1.0"}"#);
    }

    #[test]
    fn a_refused_upload_carries_the_status_and_message() {
        let (url, server) = serve_once(
            "422 Unprocessable Entity",
            r#"{"error":{"code":"validation","message":"runs[0].results: not an array","field":"runs"}}"#,
        );
        let client = Client::new(&url, Some("t".into())).unwrap();
        let error = client
            .upload_sbom("svc", &UploadQuery::default(), "application/json", b"{}")
            .unwrap_err();
        server.join().unwrap();
        assert!(
            matches!(&error, ClientError::Api { status: 422, message, .. } if message.contains("not an array")),
            "{error:?}"
        );
    }

    #[test]
    fn query_paths() {
        assert_eq!(upload_path("a/b", "", ""), "/api/v1/services/a%2Fb/uploads");
        assert_eq!(
            upload_query(&UploadQuery {
                name: Some("app".into()),
                ..UploadQuery::default()
            }),
            "?name=app"
        );
    }
}
