//! Evidence (step 10): streaming upload, registration, metadata, verified
//! download, export.
//!
//! Bytes are never held in memory as a whole: uploads are read from any
//! `Read` as they are sent and downloads are written to any `Write` as they
//! arrive, each hashed on the way, so the caller learns the SHA-256 of
//! exactly what crossed the wire at no extra cost.

use std::io::{self, Read, Write};

use rampart_api::{
    CustodyReport, EvidenceCreated, EvidenceList, EvidenceUploadQuery, EvidenceView, ExportRequest,
};
use rampart_incident::{ExternalEvidenceInput, IncidentId, Sha256Hex};
use sha2::{Digest as _, Sha256};

use crate::transport::Method;
use crate::{Client, ClientError, NO_BODY, encode_segment, incident_path};

/// The header carrying the server's digest of a download.
pub const SHA256_HEADER: &str = "X-Rampart-Sha256";

/// What an upload sent, and what the server made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The new item as the server recorded it (digest computed on intake).
    pub created: EvidenceCreated,
    /// SHA-256 of the bytes as this client read and sent them.
    pub sent_sha256: Sha256Hex,
    /// How many bytes were sent.
    pub sent_bytes: u64,
}

impl Uploaded {
    /// Whether the server's intake digest and size are those of the bytes
    /// sent: anything else means they changed on the way.
    pub fn verified(&self) -> bool {
        let item = &self.created.evidence.item;
        item.sha256 == self.sent_sha256 && item.size.is_none_or(|size| size == self.sent_bytes)
    }
}

/// A completed download: the bytes written hash to what the server announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// SHA-256 of the bytes written, computed while writing them.
    pub sha256: Sha256Hex,
    /// The digest the server announced (`X-Rampart-Sha256`); equal to
    /// `sha256`, or the download would have failed.
    pub server_sha256: Sha256Hex,
    /// How many bytes were written.
    pub size: u64,
}

impl Client {
    /// `POST /api/v1/incidents/{id}/evidence`: streams exactly `length`
    /// bytes from `body` as the new item's content, hashing them on the way.
    ///
    /// `media_type` is sent as the `Content-Type` (the server records it but
    /// never serves the item as anything but an attachment).
    pub fn upload_evidence(
        &self,
        id: IncidentId,
        metadata: &EvidenceUploadQuery,
        media_type: &str,
        body: &mut dyn Read,
        length: u64,
    ) -> Result<Uploaded, ClientError> {
        let collected_at = metadata.collected_at.map(|at| at.to_string());
        let path = incident_path(id, "/evidence")
            + &query(&[
                ("name", Some(metadata.name.as_str())),
                ("description", metadata.description.as_deref()),
                ("source", metadata.source.as_deref()),
                ("collected_at", collected_at.as_deref()),
                ("collected_by", metadata.collected_by.as_deref()),
            ]);
        // `take` keeps a file that grows during the upload from sending more
        // than the announced length; a shrinking one is caught below.
        let mut reader = HashingReader::new(body.take(length));
        let result = self
            .transport
            .post_stream(&path, media_type, &mut reader, length);
        if let Some(detail) = reader.failure.take() {
            return Err(ClientError::Input { detail });
        }
        // A short input is the cause even when the server or transport
        // failed because of it; one the server refused unread is not.
        if (reader.ended || result.is_ok()) && reader.count != length {
            return Err(ClientError::Input {
                detail: format!(
                    "the input ended after {} of {length} bytes (did the file change during the upload?)",
                    reader.count
                ),
            });
        }
        Ok(Uploaded {
            created: result?,
            sent_sha256: hex(reader.hasher.finalize().as_slice()),
            sent_bytes: reader.count,
        })
    }

    /// `POST /api/v1/incidents/{id}/evidence/external`: registers an item
    /// kept outside Rampart, by location and the digest its custodian took.
    pub fn register_evidence(
        &self,
        id: IncidentId,
        input: &ExternalEvidenceInput,
    ) -> Result<EvidenceCreated, ClientError> {
        self.transport.call(
            Method::Post,
            &incident_path(id, "/evidence/external"),
            Some(input),
        )
    }

    /// `GET /api/v1/incidents/{id}/evidence`: every item with its custody log.
    pub fn evidence_list(&self, id: IncidentId) -> Result<EvidenceList, ClientError> {
        self.transport
            .call(Method::Get, &incident_path(id, "/evidence"), NO_BODY)
    }

    /// `GET /api/v1/incidents/{id}/evidence/{record_id}` (logged as a view).
    pub fn evidence(&self, id: IncidentId, record_id: i64) -> Result<EvidenceView, ClientError> {
        let path = incident_path(id, &format!("/evidence/{record_id}"));
        self.transport.call(Method::Get, &path, NO_BODY)
    }

    /// `GET /api/v1/incidents/{id}/evidence/{record_id}/content?reason=…`:
    /// writes the bytes to `out` as they arrive, hashing them, and fails
    /// with [`ClientError::DigestMismatch`] unless they hash to the digest
    /// the server announced. A transfer that breaks off is an error too.
    ///
    /// On error, `out` may hold part of the content: write to a temporary
    /// file and keep it only on success.
    pub fn download_evidence(
        &self,
        id: IncidentId,
        record_id: i64,
        reason: &str,
        out: &mut dyn Write,
    ) -> Result<Downloaded, ClientError> {
        let path = incident_path(id, &format!("/evidence/{record_id}/content"))
            + &query(&[("reason", Some(reason))]);
        let (url, response) = self.transport.get_stream(&path)?;
        let status = response.status().as_u16();
        let announced = response
            .headers()
            .get(SHA256_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| ClientError::InvalidResponse {
                status,
                detail: format!("the download has no {SHA256_HEADER} header"),
            })?;
        let server_sha256: Sha256Hex =
            announced
                .parse()
                .map_err(|error| ClientError::InvalidResponse {
                    status,
                    detail: format!("{SHA256_HEADER}: {error}"),
                })?;
        let mut body = response.into_body();
        let mut reader = body.with_config().limit(u64::MAX).reader();
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    return Err(ClientError::Transport {
                        url,
                        detail: format!("the download broke off after {size} bytes: {error}"),
                    });
                }
            };
            let chunk = &buffer[..read];
            hasher.update(chunk);
            out.write_all(chunk)
                .map_err(|source| ClientError::Output { source })?;
            size += read as u64;
        }
        out.flush()
            .map_err(|source| ClientError::Output { source })?;
        let sha256 = hex(hasher.finalize().as_slice());
        if sha256 != server_sha256 {
            return Err(ClientError::DigestMismatch {
                expected: server_sha256.to_string(),
                actual: sha256.to_string(),
                received: size,
            });
        }
        Ok(Downloaded {
            sha256,
            server_sha256,
            size,
        })
    }

    /// `POST /api/v1/incidents/{id}/evidence/export`: records the export on
    /// every item and returns the custody report. The bytes are fetched
    /// separately with [`download_evidence`](Self::download_evidence).
    pub fn export_evidence(
        &self,
        id: IncidentId,
        request: &ExportRequest,
    ) -> Result<CustodyReport, ClientError> {
        self.transport.call(
            Method::Post,
            &incident_path(id, "/evidence/export"),
            Some(request),
        )
    }
}

/// `?k=v&…` for the present values, percent-encoded.
pub(crate) fn query(pairs: &[(&str, Option<&str>)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            out.push(if out.is_empty() { '?' } else { '&' });
            out.push_str(key);
            out.push('=');
            out.push_str(&encode_segment(value));
        }
    }
    out
}

/// Lowercase hex of a SHA-256 digest.
fn hex(bytes: &[u8]) -> Sha256Hex {
    let text: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    // 32 bytes make 64 lowercase hex digits, always a valid digest.
    text.parse()
        .unwrap_or_else(|_| unreachable!("64 hex digits"))
}

/// Hashes and counts what passes through; keeps the first read error so it
/// can be told apart from a network error.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    /// The input reported its end.
    ended: bool,
    failure: Option<String>,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            count: 0,
            ended: false,
            failure: None,
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(read) => {
                self.ended |= read == 0 && !buf.is_empty();
                self.hasher.update(&buf[..read]);
                self.count += read as u64;
                Ok(read)
            }
            Err(error) => {
                if error.kind() != io::ErrorKind::Interrupted && self.failure.is_none() {
                    self.failure = Some(format!(
                        "reading the input failed after {} bytes: {error}",
                        self.count
                    ));
                }
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    use super::*;

    /// A one-shot HTTP server: reads the request head, optionally answers
    /// `100 Continue` and reads `Content-Length` bytes of body, then writes
    /// `response` raw and closes. Returns the URL and a handle yielding the
    /// request head and body it saw.
    fn serve_once(
        response: Vec<u8>,
        read_body: bool,
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
            let mut writer = stream;
            let mut body = Vec::new();
            if read_body {
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if head.to_ascii_lowercase().contains("expect: 100-continue") {
                    writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").unwrap();
                }
                body.resize(length, 0);
                reader.read_exact(&mut body).unwrap();
            }
            writer.write_all(&response).unwrap();
            writer.flush().unwrap();
            (head, body)
        });
        (url, handle)
    }

    fn id() -> IncidentId {
        "SEC-2026-0001".parse().unwrap()
    }

    fn download_from(response: Vec<u8>) -> (Result<Downloaded, ClientError>, Vec<u8>, String) {
        let (url, server) = serve_once(response, false);
        let client = Client::new(&url, Some("rmp_test".into())).unwrap();
        let mut out = Vec::new();
        let result = client.download_evidence(id(), 7, "malware analysis", &mut out);
        let (head, _) = server.join().unwrap();
        (result, out, head)
    }

    fn ok_response(sha: &str, declared_length: usize, body: &[u8]) -> Vec<u8> {
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
             X-Rampart-Sha256: {sha}\r\nContent-Length: {declared_length}\r\nConnection: close\r\n\r\n"
        )
        .into_bytes();
        response.extend_from_slice(body);
        response
    }

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn a_download_is_hashed_while_written_and_checked_against_the_header() {
        let (result, out, head) = download_from(ok_response(ABC, 3, b"abc"));
        let downloaded = result.unwrap();
        assert_eq!(out, b"abc");
        assert_eq!(downloaded.sha256.as_str(), ABC);
        assert_eq!(downloaded.size, 3);
        assert!(
            head.starts_with(
                "GET /api/v1/incidents/SEC-2026-0001/evidence/7/content?reason=malware%20analysis "
            ),
            "{head}"
        );
        assert!(head.contains("Bearer rmp_test"), "{head}");
    }

    #[test]
    fn other_bytes_than_announced_are_an_error() {
        let (result, _, _) = download_from(ok_response(ABC, 3, b"abd"));
        match result.unwrap_err() {
            ClientError::DigestMismatch {
                expected,
                actual,
                received,
            } => {
                assert_eq!(expected, ABC);
                assert_ne!(actual, ABC);
                assert_eq!(received, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_download_cut_short_is_an_error() {
        let (result, out, _) = download_from(ok_response(ABC, 300, b"ab"));
        let error = result.unwrap_err();
        assert!(
            matches!(&error, ClientError::Transport { detail, .. } if detail.contains("broke off after")),
            "{error:?}"
        );
        assert!(out.len() <= 2);
    }

    #[test]
    fn a_download_without_the_digest_header_is_refused() {
        let response =
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc".to_vec();
        let (result, out, _) = download_from(response);
        assert!(
            matches!(result, Err(ClientError::InvalidResponse { .. })),
            "{result:?}"
        );
        assert!(out.is_empty());
    }

    #[test]
    fn the_servers_integrity_refusal_comes_back_as_its_error() {
        let body = r#"{"error":{"code":"integrity_failure","message":"evidence item 7 failed verification"}}"#;
        let response = format!(
            "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (result, out, _) = download_from(response.into_bytes());
        match result.unwrap_err() {
            ClientError::Api { status, code, .. } => {
                assert_eq!((status, code.as_str()), (409, "integrity_failure"))
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(out.is_empty());
    }

    fn created_json(sha: &str, size: u64) -> String {
        format!(
            r#"{{"evidence":{{"id":3,"item":{{"name":"a b","sha256":"{sha}","size":{size},"storage":{{"kind":"stored","media_type":"text/plain"}}}},"created_by":"alice","created_at":"2026-11-28T00:00:00Z","custody":[]}},"newly_stored":true,"version":4}}"#
        )
    }

    #[test]
    fn an_upload_streams_the_announced_length_and_hashes_what_it_sent() {
        let json = created_json(ABC, 3);
        let response = format!(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        );
        let (url, server) = serve_once(response.into_bytes(), true);
        let client = Client::new(&url, Some("rmp_test".into())).unwrap();
        let metadata = EvidenceUploadQuery {
            name: "a b".into(),
            source: Some("edge/2".into()),
            ..EvidenceUploadQuery::default()
        };
        // A reader longer than announced: only `length` bytes go out.
        let uploaded = client
            .upload_evidence(id(), &metadata, "text/plain", &mut &b"abcdef"[..], 3)
            .unwrap();
        let (head, body) = server.join().unwrap();
        assert_eq!(body, b"abc");
        assert!(
            head.starts_with(
                "POST /api/v1/incidents/SEC-2026-0001/evidence?name=a%20b&source=edge%2F2 "
            ),
            "{head}"
        );
        let lower = head.to_ascii_lowercase();
        assert!(lower.contains("content-type: text/plain"), "{head}");
        assert!(lower.contains("content-length: 3"), "{head}");
        assert_eq!(uploaded.sent_sha256.as_str(), ABC);
        assert!(uploaded.verified());
    }

    #[test]
    fn an_upload_whose_digest_differs_from_the_servers_is_not_verified() {
        let json = created_json(&"0".repeat(64), 3);
        let response = format!(
            "HTTP/1.1 201 Created\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        );
        let (url, server) = serve_once(response.into_bytes(), true);
        let client = Client::new(&url, None).unwrap();
        let metadata = EvidenceUploadQuery {
            name: "x".into(),
            ..EvidenceUploadQuery::default()
        };
        let uploaded = client
            .upload_evidence(id(), &metadata, "text/plain", &mut &b"abc"[..], 3)
            .unwrap();
        server.join().unwrap();
        assert!(!uploaded.verified());
    }

    #[test]
    fn a_refused_upload_reports_the_servers_error_not_a_broken_pipe() {
        // The server answers 413 without reading the body, as it does for
        // a declared length over its limit.
        let body = r#"{"error":{"code":"payload_too_large","message":"evidence uploads are limited to 10 bytes"}}"#;
        let response = format!(
            "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (url, server) = serve_once(response.into_bytes(), false);
        let client = Client::new(&url, None).unwrap();
        let big = vec![7u8; 8 * 1024 * 1024];
        let metadata = EvidenceUploadQuery {
            name: "big".into(),
            ..EvidenceUploadQuery::default()
        };
        let error = client
            .upload_evidence(
                id(),
                &metadata,
                "application/octet-stream",
                &mut &big[..],
                big.len() as u64,
            )
            .unwrap_err();
        server.join().unwrap();
        assert!(
            matches!(&error, ClientError::Api { status: 413, message, .. } if message.contains("limited to")),
            "{error:?}"
        );
    }

    #[test]
    fn an_input_shorter_than_announced_is_an_input_error() {
        let (url, _server) = serve_once(Vec::new(), false);
        let client = Client::new(&url, None).unwrap();
        let metadata = EvidenceUploadQuery {
            name: "short".into(),
            ..EvidenceUploadQuery::default()
        };
        let error = client
            .upload_evidence(id(), &metadata, "text/plain", &mut &b"ab"[..], 3)
            .unwrap_err();
        assert!(
            matches!(
                &error,
                ClientError::Input { .. } | ClientError::Transport { .. }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn queries_encode_values_and_skip_absent_ones() {
        assert_eq!(query(&[("a", None)]), "");
        assert_eq!(
            query(&[
                ("name", Some("a b&c=d/é")),
                ("skip", None),
                ("reason", Some("x"))
            ]),
            "?name=a%20b%26c%3Dd%2F%C3%A9&reason=x"
        );
    }

    #[test]
    fn the_hashing_reader_sees_every_byte_once() {
        let data = b"abc".repeat(100_000);
        let mut reader = HashingReader::new(&data[..]);
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, data);
        assert_eq!(reader.count, data.len() as u64);
        assert_eq!(
            hex(reader.hasher.finalize().as_slice()),
            hex(Sha256::digest(&data).as_slice())
        );
        assert_eq!(
            hex(Sha256::digest(b"abc").as_slice()).as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
