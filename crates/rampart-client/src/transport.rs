//! One request, one JSON answer: the part every typed method shares.

use std::io::Read;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use ureq::SendBody;
use ureq::http;

use crate::error::ClientError;

/// HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Change part of a resource.
    Patch,
    /// Remove.
    Delete,
}

/// The blocking transport: base URL, bearer token, an agent with timeouts.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

/// The server's error envelope, `{"error": {...}}`.
#[derive(serde::Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default)]
    field: Option<String>,
}

impl Transport {
    pub(crate) fn new(base_url: &str, token: Option<String>) -> Result<Self, ClientError> {
        let base = base_url.trim_end_matches('/');
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .ok_or_else(|| ClientError::InvalidUrl {
                url: base_url.to_owned(),
                reason: "it must start with http:// or https://",
            })?;
        if rest.is_empty() {
            return Err(ClientError::InvalidUrl {
                url: base_url.to_owned(),
                reason: "it names no host",
            });
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // 4xx/5xx carry the server's error envelope; read it instead of
            // turning it into a bare status error.
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("rampart-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            base: base.to_owned(),
            token,
        })
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request and parses a JSON answer into `R`.
    pub(crate) fn call<B, R>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError>
    where
        B: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let (status, text) = self.exchange(method, path, body)?;
        if text.trim().is_empty() {
            // 204 and empty 202s: `R` is `()` or an all-optional struct.
            return serde_json::from_str("null").map_err(|error| ClientError::InvalidResponse {
                status,
                detail: error.to_string(),
            });
        }
        serde_json::from_str(&text).map_err(|error| ClientError::InvalidResponse {
            status,
            detail: format!("{error} in `{}`", truncate(&text, 200)),
        })
    }

    /// Sends a request; returns the status and body of a 2xx answer, or the
    /// server's error.
    pub(crate) fn exchange<B>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<(u16, String), ClientError>
    where
        B: Serialize + ?Sized,
    {
        let url = format!("{}{path}", self.base);
        let payload = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|error| ClientError::Encode(error.to_string()))?;
        let transport = |error: ureq::Error| ClientError::Transport {
            url: url.clone(),
            detail: error.to_string(),
        };
        let response = match method {
            Method::Get => self.with_auth(self.agent.get(&url)).call(),
            Method::Delete => self.with_auth(self.agent.delete(&url)).call(),
            Method::Post | Method::Patch => {
                let builder = if method == Method::Post {
                    self.agent.post(&url)
                } else {
                    self.agent.patch(&url)
                };
                let builder = self.with_auth(builder);
                match payload {
                    Some(bytes) => builder
                        .header("Content-Type", "application/json")
                        .send(&bytes[..]),
                    None => builder.send_empty(),
                }
            }
        }
        .map_err(transport)?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(transport)?;
        if (200..300).contains(&status) {
            return Ok((status, text));
        }
        Err(api_error(status, &text))
    }

    /// `GET` for a non-JSON document (a report, a STIX bundle): the body as
    /// text, or the server's error.
    pub(crate) fn get_text(&self, path: &str, accept: &str) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = self
            .authorized(self.agent.get(&url), accept)
            .call()
            .map_err(|error| transport_error(&url, error))?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|error| transport_error(&url, error))?;
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(api_error(status, &text))
        }
    }

    /// `POST`s exactly `length` bytes read from `body` without buffering
    /// them, and parses the JSON answer.
    ///
    /// `Expect: 100-continue` lets the server refuse (413, 404, 401) before
    /// the bytes are sent: without it the refusal arrives while the client
    /// is still writing, and the client sees only a reset connection.
    pub(crate) fn post_stream<R: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &str,
        body: &mut dyn Read,
        length: u64,
    ) -> Result<R, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = streaming(self.with_auth(self.agent.post(&url)))
            .header("Content-Type", content_type)
            .header("Content-Length", length.to_string())
            .header("Expect", "100-continue")
            .send(SendBody::from_reader(body))
            .map_err(|error| transport_error(&url, error))?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|error| transport_error(&url, error))?;
        if !(200..300).contains(&status) {
            return Err(api_error(status, &text));
        }
        serde_json::from_str(&text).map_err(|error| ClientError::InvalidResponse {
            status,
            detail: format!("{error} in `{}`", truncate(&text, 200)),
        })
    }

    /// `GET` whose 2xx body is streamed to the caller; errors are read and
    /// parsed as usual.
    pub(crate) fn get_stream(
        &self,
        path: &str,
    ) -> Result<(String, http::Response<ureq::Body>), ClientError> {
        let url = format!("{}{path}", self.base);
        let response = streaming(self.authorized(
            self.agent.get(&url),
            "application/octet-stream, application/json",
        ))
        .call()
        .map_err(|error| transport_error(&url, error))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok((url, response));
        }
        let text = response
            .into_body()
            .with_config()
            .limit(1024 * 1024)
            .read_to_string()
            .map_err(|error| transport_error(&url, error))?;
        Err(api_error(status, &text))
    }

    fn with_auth<Any>(&self, builder: ureq::RequestBuilder<Any>) -> ureq::RequestBuilder<Any> {
        self.authorized(builder, "application/json")
    }

    /// One `Accept` header (ureq appends rather than replaces headers).
    fn authorized<Any>(
        &self,
        builder: ureq::RequestBuilder<Any>,
        accept: &str,
    ) -> ureq::RequestBuilder<Any> {
        let builder = builder.header("Accept", accept);
        match &self.token {
            Some(token) => builder.header("Authorization", format!("Bearer {token}")),
            None => builder,
        }
    }
}

/// Evidence can be gigabytes: no total deadline, but a stalled connection
/// still fails.
fn streaming<Any>(builder: ureq::RequestBuilder<Any>) -> ureq::RequestBuilder<Any> {
    builder
        .config()
        .timeout_global(None)
        .timeout_per_read(Some(STALL))
        .timeout_per_write(Some(STALL))
        .build()
}

/// How long a streaming transfer may make no progress.
const STALL: Duration = Duration::from_secs(120);

fn transport_error(url: &str, error: ureq::Error) -> ClientError {
    ClientError::Transport {
        url: url.to_owned(),
        detail: error.to_string(),
    }
}

/// The server's error envelope as a [`ClientError::Api`]; a body that is not
/// one (a proxy's HTML page) is quoted.
fn api_error(status: u16, text: &str) -> ClientError {
    match serde_json::from_str::<ErrorEnvelope>(text) {
        Ok(envelope) => ClientError::Api {
            status,
            code: envelope.error.code,
            message: envelope.error.message,
            field: envelope.error.field,
        },
        Err(_) => ClientError::Api {
            status,
            code: "http".to_owned(),
            message: format!("HTTP {status}: {}", truncate(text, 200)),
            field: None,
        },
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
