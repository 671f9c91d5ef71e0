//! One request, one JSON answer: the part every typed method shares.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

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
        Err(match serde_json::from_str::<ErrorEnvelope>(&text) {
            Ok(envelope) => ClientError::Api {
                status,
                code: envelope.error.code,
                message: envelope.error.message,
                field: envelope.error.field,
            },
            Err(_) => ClientError::Api {
                status,
                code: "http".to_owned(),
                message: format!("HTTP {status}: {}", truncate(&text, 200)),
                field: None,
            },
        })
    }

    fn with_auth<Any>(&self, builder: ureq::RequestBuilder<Any>) -> ureq::RequestBuilder<Any> {
        let builder = builder.header("Accept", "application/json");
        match &self.token {
            Some(token) => builder.header("Authorization", format!("Bearer {token}")),
            None => builder,
        }
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
