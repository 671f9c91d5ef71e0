//! Test harness: a real SQLite store in a temporary directory, users with
//! API tokens, and requests sent through the router with `oneshot`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use rampart_audit::{Actor, Target};
use rampart_incident::{GlobalRole, UserName};
use rampart_server::{AppState, ServerConfig, auth, router};
use rampart_store::{AuditDraft, NewApiToken, NewUser, Store};
use rampart_store_sqlite::SqliteStore;
use serde_json::{Value, json};
use tower::ServiceExt;

pub mod web;

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// One argon2 hash for all test users: hashing is deliberately slow.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(PASSWORD).unwrap())
        .clone()
}

fn system(action: &str, kind: &str, id: &str) -> AuditDraft {
    AuditDraft::new(
        auth::now(),
        Actor::System {
            component: "test".into(),
        },
        action,
        Target::new(kind, id),
        json!({}),
    )
}

/// A server over a fresh SQLite database.
pub struct Harness {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub app: Router,
    /// API token per user name.
    pub tokens: HashMap<String, String>,
}

/// An answer: status, headers and JSON body (Null when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with_config(ServerConfig::default()).await
    }

    pub async fn with_config(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("rampart.db"))
                .await
                .unwrap(),
        );
        Self::over(dir, store, config, HashMap::new())
    }

    fn over(
        dir: tempfile::TempDir,
        store: Arc<SqliteStore>,
        config: ServerConfig,
        tokens: HashMap<String, String>,
    ) -> Self {
        // The local evidence store in the test's own directory, as `rampart
        // serve` lays it out under its data directory.
        let evidence = rampart_evidence::EvidenceStore::open(
            &rampart_evidence::EvidenceStoreConfig::Local {
                dir: dir.path().join("evidence"),
            },
            &dir.path().join("evidence-staging"),
        )
        .unwrap();
        let app = router(AppState::new(
            config,
            store.clone() as Arc<dyn Store>,
            evidence,
        ));
        Self {
            dir,
            store,
            app,
            tokens,
        }
    }

    /// Closes the database so its file can be copied.
    pub async fn close(self) -> (tempfile::TempDir, HashMap<String, String>) {
        self.store.close().await;
        (self.dir, self.tokens)
    }

    /// A server over a copy of the database in `template`.
    pub async fn copy_of(template: &Path, tokens: &HashMap<String, String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(template, dir.path());
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("rampart.db"))
                .await
                .unwrap(),
        );
        Self::over(dir, store, ServerConfig::default(), tokens.clone())
    }

    /// Creates a user with a password and an API token.
    pub async fn user(&mut self, name: &str, role: GlobalRole) -> String {
        let user = self
            .store
            .create_user(
                NewUser {
                    name: UserName::parse(name).unwrap(),
                    role,
                    password_hash: Some(password_hash()),
                    created_at: auth::now(),
                },
                system("user.create", "user", name),
            )
            .await
            .unwrap();
        let token = auth::new_api_token().unwrap();
        self.store
            .create_api_token(
                NewApiToken {
                    user_id: user.id,
                    name: "main".into(),
                    token_hash: token.sha256_hex.clone(),
                    prefix: token.prefix.clone(),
                    created_at: auth::now(),
                    expires_at: None,
                },
                system("token.create", "token", name),
            )
            .await
            .unwrap();
        self.tokens.insert(name.to_owned(), token.plaintext.clone());
        token.plaintext
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&raw)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into()))
        };
        Answer {
            status,
            headers,
            body,
            raw,
        }
    }

    /// A request as `user` (by API token; `None` = anonymous) with an optional JSON body.
    pub async fn call(
        &self,
        user: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(user) = user {
            let token = self
                .tokens
                .get(user)
                .unwrap_or_else(|| panic!("no user {user}"));
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// Uploads `bytes` as evidence: the raw body `POST` the evidence routes take.
    pub async fn upload(&self, user: &str, path: &str, bytes: &[u8]) -> Answer {
        let token = self
            .tokens
            .get(user)
            .unwrap_or_else(|| panic!("no user {user}"));
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/plain")
            .header(header::CONTENT_LENGTH, bytes.len())
            .body(Body::from(bytes.to_vec()))
            .unwrap();
        self.send(request).await
    }

    /// `user`'s API token.
    pub fn token(&self, user: &str) -> &str {
        self.tokens
            .get(user)
            .unwrap_or_else(|| panic!("no user {user}"))
    }

    /// The data directory (database and evidence store).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub async fn get(&self, user: &str, path: &str) -> Answer {
        self.call(Some(user), Method::GET, path, None).await
    }

    pub async fn post(&self, user: &str, path: &str, body: Value) -> Answer {
        self.call(Some(user), Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, user: &str, path: &str, body: Value) -> Answer {
        self.call(Some(user), Method::PATCH, path, Some(body)).await
    }

    /// Declares an incident as `user` and returns its id.
    pub async fn declare(&self, user: &str, title: &str) -> String {
        let answer = self
            .post(
                user,
                "/api/v1/incidents",
                json!({"title": title, "severity": "SEV2", "tlp": "TLP:AMBER"}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["incident"]["id"].as_str().unwrap().to_owned()
    }
}

/// Asserts a status, printing the body on failure.
#[track_caller]
pub fn expect(answer: &Answer, status: u16) {
    assert_eq!(answer.status.as_u16(), status, "body: {}", answer.body);
}

/// Copies a data directory: the database files and the evidence store.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
