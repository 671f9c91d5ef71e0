//! Users, API tokens and sessions as stored. Credentials arrive hashed.

use jiff::Timestamp;
use rampart_incident::{GlobalRole, UserName};
use serde::{Deserialize, Serialize};

/// A local user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The store's id for the user; stable across renames.
    pub id: i64,
    /// The unique login name.
    pub name: UserName,
    /// The global role (which never grants access to an incident).
    pub role: GlobalRole,
    /// The argon2id PHC string; `None` for an account that signs in only
    /// with API tokens.
    pub password_hash: Option<String>,
    /// A disabled user cannot sign in and their tokens and sessions stop
    /// working; their history stays.
    pub disabled: bool,
    /// When the account was made.
    pub created_at: Timestamp,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Unique login name.
    pub name: UserName,
    /// Global role.
    pub role: GlobalRole,
    /// argon2id PHC string, if the user signs in with a password.
    pub password_hash: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

/// An API token as stored: its SHA-256, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// The store's id.
    pub id: i64,
    /// Whose token it is.
    pub user_id: i64,
    /// A label the owner chose ("ci-pipeline"); unique per user.
    pub name: String,
    /// Lowercase hex SHA-256 of the token.
    pub token_hash: String,
    /// The first characters of the token, shown so a user can tell tokens
    /// apart; too short to help an attacker.
    pub prefix: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops working, if ever.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// Owner.
    pub user_id: i64,
    /// Label, unique per user.
    pub name: String,
    /// Lowercase hex SHA-256 of the token.
    pub token_hash: String,
    /// Display prefix.
    pub prefix: String,
    /// When.
    pub created_at: Timestamp,
    /// Expiry, if any.
    pub expires_at: Option<Timestamp>,
}

/// A browser session. The cookie holds a random id; the store keeps its
/// hash, so a stolen database does not hand out live sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Lowercase hex SHA-256 of the session id.
    pub id_hash: String,
    /// Whose session.
    pub user_id: i64,
    /// Lowercase hex SHA-256 of the session's CSRF token; a state-changing
    /// request must present the token.
    pub csrf_hash: String,
    /// When it began.
    pub created_at: Timestamp,
    /// When it ends regardless of activity.
    pub expires_at: Timestamp,
}

/// A session to store.
pub type NewSession = Session;
