//! Sign-in, the caller, users and API tokens.

use jiff::Timestamp;
use rampart_incident::{GlobalRole, UserName};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::GlobalRoleName;

/// `POST /api/v1/session`: sign in with a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Login name.
    pub name: String,
    /// Password; never logged.
    pub password: String,
}

/// A user as the API shows them (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    /// The store's id.
    pub id: i64,
    /// Login name.
    #[schema(value_type = String)]
    pub name: UserName,
    /// Global role.
    #[schema(value_type = GlobalRoleName)]
    pub role: GlobalRole,
    /// Disabled users cannot sign in; their tokens stop working.
    pub disabled: bool,
    /// Whether the user has a password (else they sign in with tokens only).
    pub has_password: bool,
    /// When the account was made.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// The answer to a successful sign-in. The session id travels only in the
/// `rampart_session` cookie (HttpOnly); the CSRF token is returned here and
/// must accompany every unsafe request as `X-CSRF-Token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignInResponse {
    /// Who signed in.
    pub user: UserView,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// When the session ends.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// The session cookie.
    Session,
    /// An API token (`Authorization: Bearer`).
    Token,
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    /// The caller.
    pub user: UserView,
    /// Session or token.
    pub auth: AuthMethod,
}

/// `POST /api/v1/users` (admin): create a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login name: 1–64 characters, no whitespace.
    pub name: String,
    /// Global role.
    #[schema(value_type = GlobalRoleName)]
    pub role: GlobalRole,
    /// Initial password (12–1024 characters); omit for a token-only account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /api/v1/users/{name}` (admin): change role and/or disable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New global role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<GlobalRoleName>)]
    pub role: Option<GlobalRole>,
    /// Disable (true) or re-enable (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `GET /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserList {
    /// Users by name.
    pub users: Vec<UserView>,
}

/// `POST /api/v1/tokens`: make an API token for oneself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A label, unique among the caller's tokens ("ci-pipeline").
    pub name: String,
    /// Lifetime in days (1–3650); omit for a token that does not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
}

/// An API token's metadata (never the token or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    /// The store's id; `DELETE /api/v1/tokens/{id}` revokes it.
    pub id: i64,
    /// Label.
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    /// When it was made.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

/// The answer to `POST /api/v1/tokens`: the token, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    /// The token itself (`rmp_…`). Only its hash is stored; it cannot be shown again.
    pub token: String,
    /// Its metadata.
    pub metadata: TokenView,
}

/// `GET /api/v1/tokens`: the caller's tokens, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenList {
    /// Tokens.
    pub tokens: Vec<TokenView>,
}
