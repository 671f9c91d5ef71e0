//! Sign-in and sign-out, the caller, users (admin) and API tokens.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rampart_api::{
    CreateTokenRequest, CreateUserRequest, CreatedToken, ErrorBody, MeResponse, SignInRequest,
    SignInResponse, TokenList, TokenView, UpdateUserRequest, UserList, UserView,
};
use rampart_audit::Target;
use rampart_incident::{GlobalRole, UserName};
use rampart_store::{ApiToken, NewApiToken, NewSession, NewUser, User};
use serde_json::json;

use super::audit;
use crate::AppState;
use crate::auth::{
    csrf_token_for, dummy_password_hash, hash_password, new_api_token, new_secret, now, token_hash,
    verify_password,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};

/// The user as the API shows them.
pub(crate) fn user_view(user: &User) -> UserView {
    UserView {
        id: user.id,
        name: user.name.clone(),
        role: user.role,
        disabled: user.disabled,
        has_password: user.password_hash.is_some(),
        created_at: user.created_at,
    }
}

fn token_view(token: &ApiToken) -> TokenView {
    TokenView {
        id: token.id,
        name: token.name.clone(),
        prefix: token.prefix.clone(),
        created_at: token.created_at,
        expires_at: token.expires_at,
        revoked_at: token.revoked_at,
    }
}

/// The client's address for sign-in throttling: the socket's peer, or —
/// when the peer is one of the configured `trusted_proxies` — the address
/// that proxy put in `X-Forwarded-For`. The header is never believed from
/// anyone else: an attacker could pick a fresh address for every guess.
pub(crate) struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Ok(ClientIp(peer.map(|peer| {
            client_ip(peer, &forwarded, &state.config().trusted_proxies)
        })))
    }
}

/// Walks `X-Forwarded-For` from the right (the hop nearest to us) past
/// trusted proxies; the first address that is not one is the client. Any
/// entry that does not parse ends the walk at the last trusted hop.
fn client_ip(peer: IpAddr, forwarded: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops = forwarded
        .iter()
        .flat_map(|header| header.split(','))
        .map(str::trim)
        .rev();
    let mut client = peer;
    for hop in hops {
        match hop.parse::<IpAddr>() {
            Ok(address) => {
                client = address;
                if !trusted.contains(&address) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

fn session_cookie(value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let mut cookie = format!(
        "{}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}",
        rampart_api::SESSION_COOKIE
    );
    if secure {
        cookie.push_str("; Secure");
    }
    // Built from hex and fixed text, so always a valid header value.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Sign in with a password; sets the session cookie.
#[utoipa::path(
    post, path = "/api/v1/session", tag = "session",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SignInResponse),
        (status = 401, description = "Wrong name or password", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins", body = ErrorBody),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<SignInRequest>,
) -> ApiResult<Response> {
    let signed_in = start_session(&state, ip, &request.name, request.password).await?;
    let mut response = axum::Json(SignInResponse {
        user: user_view(&signed_in.user),
        csrf_token: signed_in.csrf_token,
        expires_at: signed_in.expires_at,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, signed_in.cookie);
    Ok(response)
}

/// A session just started by [`start_session`].
pub(crate) struct SignedIn {
    /// Who signed in.
    pub user: User,
    /// The session's CSRF token (derived from its id).
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: jiff::Timestamp,
    /// The `Set-Cookie` value carrying the session id.
    pub cookie: HeaderValue,
}

/// Checks a name and password under the sign-in throttle and starts a
/// session: what both the API's `POST /api/v1/session` and the sign-in
/// page do. Wrong credentials are 401 with one message whatever was
/// wrong; too many failures are 429.
pub(crate) async fn start_session(
    state: &AppState,
    ip: Option<IpAddr>,
    name: &str,
    password: String,
) -> ApiResult<SignedIn> {
    let store = state.store();
    let config = state.config();
    let throttle = &config.login_throttle;
    let window = jiff::SignedDuration::from_mins(i64::from(throttle.window_minutes));
    let at = now();
    let since = at
        .checked_sub(window)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    // Keys are prefixed so a user called "ip:…" cannot share a counter
    // with an address. Names are cut so a huge one costs no storage.
    let name_key = format!("user:{}", name.chars().take(128).collect::<String>());
    let ip_key = format!(
        "ip:{}",
        ip.map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into())
    );
    for key in [&name_key, &ip_key] {
        if store.login_failures_since(key, since).await? >= u64::from(throttle.max_failures) {
            tracing::warn!("sign-in throttled");
            return Err(ApiError::rate_limited(
                u64::from(throttle.window_minutes) * 60,
            ));
        }
    }
    let user = match UserName::parse(name) {
        Ok(name) => store.user_by_name(&name).await?,
        Err(_) => None,
    };
    // Always one argon2 verification, against a dummy hash when there is
    // no usable account: the answer and its timing are the same for an
    // unknown name, a disabled user and a wrong password.
    let phc = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_password_hash().to_owned());
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(ApiError::internal)?;
    let user = match user {
        Some(user) if matches && !user.disabled && user.password_hash.is_some() => user,
        _ => {
            store.record_login_failure(&name_key, at).await?;
            store.record_login_failure(&ip_key, at).await?;
            tracing::info!("sign-in failed");
            return Err(ApiError::new(
                rampart_api::ErrorCode::Unauthorized,
                "wrong user name or password",
            ));
        }
    };
    store.clear_login_failures(&name_key, since).await?;
    store.delete_expired_sessions(at).await?;
    let session_id = new_secret()?;
    let csrf_token = csrf_token_for(&session_id);
    let ttl = jiff::SignedDuration::from_hours(i64::from(config.session_ttl_hours));
    let expires_at = at.checked_add(ttl).map_err(ApiError::internal)?;
    let actor = rampart_audit::Actor::User {
        id: user.id.to_string(),
        name: user.name.to_string(),
    };
    store
        .create_session(
            NewSession {
                id_hash: token_hash(&session_id),
                user_id: user.id,
                csrf_hash: token_hash(&csrf_token),
                created_at: at,
                expires_at,
            },
            rampart_store::AuditDraft::new(
                at,
                actor,
                "session.create",
                Target::new("user", user.name.to_string()),
                json!({ "expires_at": expires_at.to_string() }),
            ),
        )
        .await?;
    Ok(SignedIn {
        user,
        csrf_token,
        expires_at,
        cookie: session_cookie(&session_id, ttl.as_secs(), config.secure_cookies),
    })
}

/// Ends the caller's session (audited) and returns the `Set-Cookie` value
/// that clears the cookie.
pub(crate) async fn end_session(state: &AppState, caller: &Caller) -> ApiResult<HeaderValue> {
    if let Some(hash) = &caller.session_hash {
        state
            .store()
            .delete_session(
                hash,
                audit(
                    caller,
                    "session.delete",
                    Target::new("user", caller.user.name.to_string()),
                    json!({}),
                ),
            )
            .await?;
    }
    Ok(session_cookie("", 0, state.config().secure_cookies))
}

/// Sign out: ends the session and clears the cookie.
#[utoipa::path(
    delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody))
)]
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let cookie = end_session(&state, &caller).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

/// The caller.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody))
)]
pub async fn me(caller: Caller) -> axum::Json<MeResponse> {
    axum::Json(MeResponse {
        user: user_view(&caller.user),
        auth: caller.via,
    })
}

fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.user.role == GlobalRole::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("only an admin manages users"))
    }
}

/// All users (admin).
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<UserList>> {
    Ok(axum::Json(UserList {
        users: users(&state, &caller).await?,
    }))
}

/// All users, for an admin: what `GET /api/v1/users` and the users page show.
pub(crate) async fn users(state: &AppState, caller: &Caller) -> ApiResult<Vec<UserView>> {
    require_admin(caller)?;
    let users = state.store().list_users().await?;
    Ok(users.iter().map(user_view).collect())
}

/// Creates a user (admin).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserView),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, axum::Json<UserView>)> {
    let user = add_user(&state, &caller, request).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Creates a user if the caller is an admin: what `POST /api/v1/users` and
/// the users page do.
pub(crate) async fn add_user(
    state: &AppState,
    caller: &Caller,
    request: CreateUserRequest,
) -> ApiResult<UserView> {
    require_admin(caller)?;
    let name =
        UserName::parse(&request.name).map_err(|e| ApiError::validation("name", e.to_string()))?;
    let password_hash = match request.password {
        Some(password) => Some(
            tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(ApiError::internal)??,
        ),
        None => None,
    };
    let user = state
        .store()
        .create_user(
            NewUser {
                name: name.clone(),
                role: request.role,
                password_hash,
                created_at: now(),
            },
            audit(
                caller,
                "user.create",
                Target::new("user", name.to_string()),
                json!({ "role": request.role }),
            ),
        )
        .await?;
    Ok(user_view(&user))
}

/// Changes a user's role or disables them (admin). The last active admin
/// cannot be demoted or disabled: nobody could manage users afterwards.
#[utoipa::path(
    patch, path = "/api/v1/users/{name}", tag = "users",
    params(("name" = String, Path, description = "Login name")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = UserView),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Would leave no active admin", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    ApiJson(request): ApiJson<UpdateUserRequest>,
) -> ApiResult<axum::Json<UserView>> {
    Ok(axum::Json(
        change_user(&state, &caller, &name, request).await?,
    ))
}

/// Changes a user's role or disables them if the caller is an admin: what
/// `PATCH /api/v1/users/{name}` and the users page do.
pub(crate) async fn change_user(
    state: &AppState,
    caller: &Caller,
    name: &str,
    request: UpdateUserRequest,
) -> ApiResult<UserView> {
    require_admin(caller)?;
    if request.role.is_none() && request.disabled.is_none() {
        return Err(ApiError::validation(
            "role",
            "nothing to change: give `role` and/or `disabled`",
        ));
    }
    let store = state.store();
    let name = UserName::parse(name).map_err(|_| ApiError::not_found("user"))?;
    let mut user = store
        .user_by_name(&name)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let loses_admin = user.role == GlobalRole::Admin
        && !user.disabled
        && (request.role.is_some_and(|r| r != GlobalRole::Admin) || request.disabled == Some(true));
    if loses_admin
        && store
            .count_active_users_with_role(GlobalRole::Admin)
            .await?
            <= 1
    {
        return Err(ApiError::conflict(
            "this is the last active admin; make another admin first",
        ));
    }
    let target = Target::new("user", name.to_string());
    if let Some(role) = request.role.filter(|r| *r != user.role) {
        user = store
            .set_user_role(
                user.id,
                role,
                audit(
                    caller,
                    "user.role",
                    target.clone(),
                    json!({ "from": user.role, "to": role }),
                ),
            )
            .await?;
    }
    if let Some(disabled) = request.disabled.filter(|d| *d != user.disabled) {
        user = store
            .set_user_disabled(
                user.id,
                disabled,
                audit(
                    caller,
                    "user.disable",
                    target,
                    json!({ "disabled": disabled }),
                ),
            )
            .await?;
    }
    Ok(user_view(&user))
}

/// The caller's API tokens.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody))
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<TokenList>> {
    Ok(axum::Json(TokenList {
        tokens: tokens(&state, &caller).await?,
    }))
}

/// The caller's API tokens: what `GET /api/v1/tokens` and the tokens page show.
pub(crate) async fn tokens(state: &AppState, caller: &Caller) -> ApiResult<Vec<TokenView>> {
    let tokens = state.store().list_api_tokens(caller.user.id).await?;
    Ok(tokens.iter().map(token_view).collect())
}

/// Makes an API token for the caller; the token is in this answer only.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "tokens",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, body = CreatedToken),
        (status = 401, body = ErrorBody),
        (status = 409, description = "The caller has a token of that name", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, axum::Json<CreatedToken>)> {
    let created = make_token(&state, &caller, request).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Makes an API token for the caller: what `POST /api/v1/tokens` and the
/// tokens page do. The plaintext is in the answer only.
pub(crate) async fn make_token(
    state: &AppState,
    caller: &Caller,
    request: CreateTokenRequest,
) -> ApiResult<CreatedToken> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "name",
            "field `name`: give 1–64 printable characters",
        ));
    }
    let at = now();
    let expires_at = match request.expires_in_days {
        None => None,
        Some(days @ 1..=3650) => Some(
            at.checked_add(jiff::SignedDuration::from_hours(i64::from(days) * 24))
                .map_err(ApiError::internal)?,
        ),
        Some(_) => {
            return Err(ApiError::validation(
                "expires_in_days",
                "field `expires_in_days`: must be between 1 and 3650",
            ));
        }
    };
    let token = new_api_token()?;
    let stored = state
        .store()
        .create_api_token(
            NewApiToken {
                user_id: caller.user.id,
                name: name.to_owned(),
                token_hash: token.sha256_hex.clone(),
                prefix: token.prefix.clone(),
                created_at: at,
                expires_at,
            },
            audit(
                caller,
                "token.create",
                Target::new("token", format!("{}/{name}", caller.user.name)),
                json!({ "prefix": token.prefix, "expires_at": expires_at.map(|t| t.to_string()) }),
            ),
        )
        .await?;
    Ok(CreatedToken {
        token: token.plaintext,
        metadata: token_view(&stored),
    })
}

/// Revokes one of the caller's tokens.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, body = TokenView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TokenView>> {
    Ok(axum::Json(revoke(&state, &caller, &id).await?))
}

/// Revokes one of the caller's tokens: what `DELETE /api/v1/tokens/{id}`
/// and the tokens page do. Another user's token is "not found".
pub(crate) async fn revoke(state: &AppState, caller: &Caller, id: &str) -> ApiResult<TokenView> {
    let id = super::parse_number(id, "token")?;
    let token = state
        .store()
        .revoke_api_token(
            caller.user.id,
            id,
            now(),
            audit(
                caller,
                "token.revoke",
                Target::new("token", id.to_string()),
                json!({}),
            ),
        )
        .await?;
    Ok(token_view(&token))
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Direct clients: the header is whatever they say, so it is ignored.
        assert_eq!(
            client_ip(ip("203.0.113.9"), &["1.2.3.4"], &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(client_ip(proxy, &["1.2.3.4"], &[]), proxy);
        // Behind the proxy: the hop it reports.
        assert_eq!(
            client_ip(proxy, &["198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // A client-supplied left part cannot pick the address: the walk
        // starts at the right and stops at the first untrusted hop.
        assert_eq!(
            client_ip(proxy, &["6.6.6.6, 198.51.100.7, 10.0.0.3"], &trusted),
            ip("198.51.100.7")
        );
        // Several headers are one list, in order.
        assert_eq!(
            client_ip(proxy, &["6.6.6.6", "198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // Garbage ends the walk at the last trusted hop; no header, the proxy.
        assert_eq!(client_ip(proxy, &["not-an-ip"], &trusted), proxy);
        assert_eq!(client_ip(proxy, &[], &trusted), proxy);
    }
}
