//! The whole [`Store`](rampart_store::Store) written once over a
//! [`Database`]: each function opens the transaction it needs, runs the
//! shared SQL and commits. [`impl_store!`](crate::impl_store) forwards a
//! backend's `Store` methods here.

use jiff::Timestamp;
use rampart_audit::{Actor, ChainSummary, StoredLink};
use rampart_incident::{GlobalRole, IncidentId, ResponseLogEntry, Step, UserName};
use rampart_store::{
    AccessRequestRow, ApiToken, AppliedChanges, AuditDraft, BreakGlassRow, Decide, DecisionError,
    IncidentChange, IncidentState, IncidentSummary, LogRow, NewApiToken, NewIncident, NewSession,
    NewUser, Notification, RecordRow, Session, StoreError, StoreResult, User,
};

use crate::{Connection, Database, Reader, Row, append_audit, incidents, query};

const USER_COLUMNS: &str = "users.id, users.name, users.role, users.password_hash, \
                            users.disabled, users.created_at";
const TOKEN_COLUMNS: &str = "api_tokens.id AS token_id, api_tokens.user_id, \
                             api_tokens.name AS token_name, api_tokens.token_hash, \
                             api_tokens.prefix, api_tokens.created_at AS token_created_at, \
                             api_tokens.expires_at, api_tokens.revoked_at";

fn user_from_row<R: Row>(row: &R) -> StoreResult<User> {
    let read = Reader::new(row, "users");
    Ok(User {
        id: read.int("id")?,
        name: read.user_name("name")?,
        role: read.parsed::<GlobalRole>("role")?,
        password_hash: read.opt_text("password_hash")?,
        disabled: read.flag("disabled")?,
        created_at: read.time("created_at")?,
    })
}

fn token_from_row<R: Row>(row: &R) -> StoreResult<ApiToken> {
    let read = Reader::new(row, "api_tokens");
    Ok(ApiToken {
        id: read.int("token_id")?,
        user_id: read.int("user_id")?,
        name: read.text("token_name")?,
        token_hash: read.text("token_hash")?,
        prefix: read.text("prefix")?,
        created_at: read.time("token_created_at")?,
        expires_at: read.opt_time("expires_at")?,
        revoked_at: read.opt_time("revoked_at")?,
    })
}

fn session_from_row<R: Row>(row: &R) -> StoreResult<Session> {
    let read = Reader::new(row, "sessions");
    Ok(Session {
        id_hash: read.text("id_hash")?,
        user_id: read.int("user_id")?,
        csrf_hash: read.text("csrf_hash")?,
        created_at: read.time("session_created_at")?,
        expires_at: read.time("session_expires_at")?,
    })
}

async fn user_by_id_in<C: Connection + ?Sized>(conn: &mut C, id: i64) -> StoreResult<Option<User>> {
    query(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

async fn existing_user<C: Connection + ?Sized>(conn: &mut C, id: i64) -> StoreResult<User> {
    user_by_id_in(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("user {id}"),
        })
}

fn require_one(rows_affected: u64, what: impl FnOnce() -> String) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(StoreError::NotFound { what: what() })
    } else {
        Ok(())
    }
}

fn count(value: Option<i64>) -> u64 {
    value.unwrap_or(0).unsigned_abs()
}

// ---- Users ---------------------------------------------------------------------

/// `Store::create_user`.
pub async fn create_user(db: &dyn Database, user: NewUser, audit: AuditDraft) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let id = query(
        "INSERT INTO users (name, role, password_hash, disabled, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.name.as_str())
    .bind(user.role.as_str())
    .bind(user.password_hash)
    .bind(false)
    .bind(user.created_at)
    .insert_returning_id(&mut *tx, &format!("user {}", user.name), "user")
    .await?;
    append_audit(&mut *tx, audit).await?;
    let created = existing_user(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(created)
}

/// `Store::user_by_name`.
pub async fn user_by_name(db: &dyn Database, name: &UserName) -> StoreResult<Option<User>> {
    let mut conn = db.connection().await?;
    query(format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1"))
        .bind(name.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

/// `Store::user_by_id`.
pub async fn user_by_id(db: &dyn Database, id: i64) -> StoreResult<Option<User>> {
    let mut conn = db.connection().await?;
    user_by_id_in(&mut *conn, id).await
}

/// `Store::list_users`, sorted by name in byte order here rather than by
/// the database's collation, which differs between installations.
pub async fn list_users(db: &dyn Database) -> StoreResult<Vec<User>> {
    let mut conn = db.connection().await?;
    let mut users = query(format!("SELECT {USER_COLUMNS} FROM users"))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(user_from_row)
        .collect::<StoreResult<Vec<User>>>()?;
    users.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(users)
}

/// `Store::set_user_role`.
pub async fn set_user_role(
    db: &dyn Database,
    id: i64,
    role: GlobalRole,
    audit: AuditDraft,
) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let done = query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    require_one(done, || format!("user {id}"))?;
    append_audit(&mut *tx, audit).await?;
    let user = existing_user(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

/// `Store::set_password_hash`.
pub async fn set_password_hash(
    db: &dyn Database,
    id: i64,
    password_hash: String,
    audit: AuditDraft,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    let done = query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    require_one(done, || format!("user {id}"))?;
    append_audit(&mut *tx, audit).await?;
    tx.commit().await
}

/// `Store::set_user_disabled`.
pub async fn set_user_disabled(
    db: &dyn Database,
    id: i64,
    disabled: bool,
    audit: AuditDraft,
) -> StoreResult<User> {
    let mut tx = db.write().await?;
    let done = query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(disabled)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    require_one(done, || format!("user {id}"))?;
    if disabled {
        // A disabled user's open browser sessions end now, not at expiry.
        query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    append_audit(&mut *tx, audit).await?;
    let user = existing_user(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

/// `Store::count_active_users_with_role`.
pub async fn count_active_users_with_role(db: &dyn Database, role: GlobalRole) -> StoreResult<u64> {
    let mut conn = db.connection().await?;
    let active = query("SELECT COUNT(*) FROM users WHERE role = $1 AND disabled = $2")
        .bind(role.as_str())
        .bind(false)
        .fetch_int(&mut *conn)
        .await?;
    Ok(count(active))
}

// ---- API tokens ----------------------------------------------------------------

/// `Store::create_api_token`.
pub async fn create_api_token(
    db: &dyn Database,
    token: NewApiToken,
    audit: AuditDraft,
) -> StoreResult<ApiToken> {
    let mut tx = db.write().await?;
    let id = query(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token.user_id)
    .bind(&token.name)
    .bind(&token.token_hash)
    .bind(&token.prefix)
    .bind(token.created_at)
    .bind(token.expires_at)
    .insert_returning_id(
        &mut *tx,
        &format!("token {:?} of user {}", token.name, token.user_id),
        &format!("user {}", token.user_id),
    )
    .await?;
    append_audit(&mut *tx, audit).await?;
    tx.commit().await?;
    Ok(ApiToken {
        id,
        user_id: token.user_id,
        name: token.name,
        token_hash: token.token_hash,
        prefix: token.prefix,
        created_at: token.created_at,
        expires_at: token.expires_at,
        revoked_at: None,
    })
}

/// `Store::api_token_by_hash`.
pub async fn api_token_by_hash(
    db: &dyn Database,
    token_hash: &str,
) -> StoreResult<Option<(ApiToken, User)>> {
    let mut conn = db.connection().await?;
    let row = query(format!(
        "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS} FROM api_tokens
         JOIN users ON users.id = api_tokens.user_id
         WHERE api_tokens.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| Ok((token_from_row(&row)?, user_from_row(&row)?)))
        .transpose()
}

/// `Store::list_api_tokens`.
pub async fn list_api_tokens(db: &dyn Database, user_id: i64) -> StoreResult<Vec<ApiToken>> {
    let mut conn = db.connection().await?;
    query(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(token_from_row)
    .collect()
}

/// `Store::revoke_api_token`.
pub async fn revoke_api_token(
    db: &dyn Database,
    user_id: i64,
    token_id: i64,
    at: Timestamp,
    audit: AuditDraft,
) -> StoreResult<ApiToken> {
    let mut tx = db.write().await?;
    // Revoking twice keeps the first revocation time: that is when the
    // token stopped working.
    let done = query(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1)
         WHERE id = $2 AND user_id = $3",
    )
    .bind(at)
    .bind(token_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    require_one(done, || format!("token {token_id} of user {user_id}"))?;
    append_audit(&mut *tx, audit).await?;
    let row = query(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
    ))
    .bind(token_id)
    .fetch_one(&mut *tx)
    .await?;
    let token = token_from_row(&row)?;
    tx.commit().await?;
    Ok(token)
}

// ---- Sessions and sign-in throttling ---------------------------------------------

/// `Store::create_session`.
pub async fn create_session(
    db: &dyn Database,
    session: NewSession,
    audit: AuditDraft,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    query(
        "INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.id_hash)
    .bind(session.user_id)
    .bind(&session.csrf_hash)
    .bind(session.created_at)
    .bind(session.expires_at)
    // Never put the hash into the message: it is as good as the session.
    .insert(&mut *tx, "session", &format!("user {}", session.user_id))
    .await?;
    append_audit(&mut *tx, audit).await?;
    tx.commit().await
}

/// `Store::session_by_hash`.
pub async fn session_by_hash(
    db: &dyn Database,
    id_hash: &str,
) -> StoreResult<Option<(Session, User)>> {
    let mut conn = db.connection().await?;
    let row = query(format!(
        "SELECT sessions.id_hash, sessions.user_id, sessions.csrf_hash,
                sessions.created_at AS session_created_at,
                sessions.expires_at AS session_expires_at, {USER_COLUMNS}
         FROM sessions JOIN users ON users.id = sessions.user_id
         WHERE sessions.id_hash = $1"
    ))
    .bind(id_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| Ok((session_from_row(&row)?, user_from_row(&row)?)))
        .transpose()
}

/// `Store::delete_session`.
pub async fn delete_session(
    db: &dyn Database,
    id_hash: &str,
    audit: AuditDraft,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut *tx)
        .await?;
    append_audit(&mut *tx, audit).await?;
    tx.commit().await
}

/// `Store::delete_expired_sessions`.
pub async fn delete_expired_sessions(db: &dyn Database, now: Timestamp) -> StoreResult<u64> {
    let mut tx = db.write().await?;
    let deleted = query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(deleted)
}

/// `Store::record_login_failure`.
pub async fn record_login_failure(db: &dyn Database, key: &str, at: Timestamp) -> StoreResult<()> {
    let mut tx = db.write().await?;
    query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// `Store::login_failures_since`.
pub async fn login_failures_since(
    db: &dyn Database,
    key: &str,
    since: Timestamp,
) -> StoreResult<u64> {
    let mut conn = db.connection().await?;
    let failures =
        query("SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND at >= $2")
            .bind(key)
            .bind(since)
            .fetch_int(&mut *conn)
            .await?;
    Ok(count(failures))
}

/// `Store::clear_login_failures`.
pub async fn clear_login_failures(
    db: &dyn Database,
    key: &str,
    older_than: Timestamp,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    query("DELETE FROM login_failures WHERE throttle_key = $1 OR at < $2")
        .bind(key)
        .bind(older_than)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

// ---- Incidents -----------------------------------------------------------------

/// `Store::declare_incident`.
pub async fn declare_incident(
    db: &dyn Database,
    incident: NewIncident,
    actor: Actor,
    audit_payload: serde_json::Value,
) -> StoreResult<IncidentState> {
    let mut tx = db.write().await?;
    let state = incidents::declare(&mut *tx, incident, actor, audit_payload).await?;
    tx.commit().await?;
    Ok(state)
}

/// `Store::incident`.
pub async fn incident(db: &dyn Database, id: IncidentId) -> StoreResult<Option<IncidentState>> {
    let mut tx = db.read().await?;
    let state = incidents::state(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(state)
}

/// `Store::incidents_visible_to`.
pub async fn incidents_visible_to(
    db: &dyn Database,
    viewer: &UserName,
) -> StoreResult<Vec<IncidentSummary>> {
    let mut conn = db.connection().await?;
    incidents::visible_to(&mut *conn, viewer).await
}

/// `Store::apply_incident_changes`.
pub async fn apply_incident_changes(
    db: &dyn Database,
    id: IncidentId,
    expected_version: i64,
    changes: Vec<IncidentChange>,
    log: Vec<ResponseLogEntry>,
    audit: AuditDraft,
) -> StoreResult<AppliedChanges> {
    let mut tx = db.write().await?;
    let applied = incidents::apply(&mut *tx, id, expected_version, changes, log, audit).await?;
    tx.commit().await?;
    Ok(applied)
}

/// `Store::update_incident`.
pub async fn update_incident(
    db: &dyn Database,
    id: IncidentId,
    decide: Decide<'_>,
) -> StoreResult<Result<AppliedChanges, DecisionError>> {
    let mut tx = db.write().await?;
    let Some(state) = incidents::state(&mut *tx, id).await? else {
        return Err(StoreError::NotFound {
            what: format!("incident {id}"),
        });
    };
    let update = match decide(&state) {
        Ok(update) => update,
        Err(refusal) => {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
    };
    let applied = incidents::apply(
        &mut *tx,
        id,
        state.summary.version,
        update.changes,
        update.log,
        update.audit,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(applied))
}

/// `Store::records`.
pub async fn records(
    db: &dyn Database,
    id: IncidentId,
    step: Option<Step>,
) -> StoreResult<Vec<RecordRow>> {
    let mut conn = db.connection().await?;
    incidents::records(&mut *conn, id, step).await
}

/// `Store::record`.
pub async fn record(
    db: &dyn Database,
    id: IncidentId,
    record_id: i64,
) -> StoreResult<Option<RecordRow>> {
    let mut conn = db.connection().await?;
    incidents::record(&mut *conn, id, record_id).await
}

/// `Store::response_log`.
pub async fn response_log(db: &dyn Database, id: IncidentId) -> StoreResult<Vec<LogRow>> {
    let mut conn = db.connection().await?;
    incidents::response_log(&mut *conn, id).await
}

/// `Store::access_requests`.
pub async fn access_requests(
    db: &dyn Database,
    id: IncidentId,
) -> StoreResult<Vec<AccessRequestRow>> {
    let mut conn = db.connection().await?;
    incidents::access_requests(&mut *conn, id).await
}

/// `Store::break_glass_requests`.
pub async fn break_glass_requests(
    db: &dyn Database,
    id: Option<IncidentId>,
) -> StoreResult<Vec<BreakGlassRow>> {
    let mut conn = db.connection().await?;
    incidents::break_glass_requests(&mut *conn, id).await
}

/// `Store::break_glass_request`.
pub async fn break_glass_request(
    db: &dyn Database,
    request_id: i64,
) -> StoreResult<Option<BreakGlassRow>> {
    let mut conn = db.connection().await?;
    incidents::break_glass_request(&mut *conn, request_id).await
}

/// `Store::notifications`.
pub async fn notifications(db: &dyn Database, user: &UserName) -> StoreResult<Vec<Notification>> {
    let mut conn = db.connection().await?;
    incidents::notifications(&mut *conn, user).await
}

/// `Store::mark_notification_read`.
pub async fn mark_notification_read(
    db: &dyn Database,
    user: &UserName,
    notification_id: i64,
    at: Timestamp,
    audit: AuditDraft,
) -> StoreResult<()> {
    let mut tx = db.write().await?;
    // Marking twice keeps the first time it was read.
    let done = query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1)
         WHERE id = $2 AND user_name = $3",
    )
    .bind(at)
    .bind(notification_id)
    .bind(user.as_str())
    .execute(&mut *tx)
    .await?;
    require_one(done, || format!("notification {notification_id} of {user}"))?;
    append_audit(&mut *tx, audit).await?;
    tx.commit().await
}

// ---- Audit chain ---------------------------------------------------------------

/// `Store::append_audit`.
pub async fn append_audit_event(db: &dyn Database, audit: AuditDraft) -> StoreResult<ChainSummary> {
    let mut tx = db.write().await?;
    let head = append_audit(&mut *tx, audit).await?;
    tx.commit().await?;
    Ok(head)
}

/// `Store::audit_head`.
pub async fn audit_head(db: &dyn Database) -> StoreResult<ChainSummary> {
    let mut conn = db.connection().await?;
    crate::audit_head(&mut *conn).await
}

/// `Store::audit_links`.
pub async fn audit_links(
    db: &dyn Database,
    after: u64,
    limit: u32,
) -> StoreResult<Vec<StoredLink>> {
    // A position past what a signed 64-bit column can hold has nothing after it.
    let Ok(after) = i64::try_from(after) else {
        return Ok(Vec::new());
    };
    let mut conn = db.connection().await?;
    let rows = query(
        "SELECT seq, prev_hash, hash, event FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let read = Reader::new(row, "audit_log");
            let seq = read.int("seq")?;
            Ok(StoredLink {
                // Handed to the verifier as stored; a negative sequence
                // cannot be represented and is corrupt outright.
                sequence: u64::try_from(seq).map_err(|_| {
                    StoreError::corrupt(format!("table audit_log column seq: {seq} is negative"))
                })?,
                prev_hash: read.text("prev_hash")?,
                hash: read.text("hash")?,
                event: read.text("event")?,
            })
        })
        .collect()
}
