//! Rampart's PostgreSQL storage backend, for several stateless
//! `rampart serve` replicas sharing one database (DESIGN.md §1, "distributed
//! when needed").
//!
//! [`PostgresStore`] implements [`rampart_store::Store`] with runtime
//! queries (the project builds with no database around); migrations from
//! `migrations/` are applied on connect. TLS is available for
//! `sslmode=require` URLs (rustls with the webpki roots).
//!
//! **Every write transaction first takes a transaction-scoped advisory lock**
//! (`pg_advisory_xact_lock` on [`WRITE_LOCK_KEY`]). Reading the audit
//! chain's head and inserting the next link, numbering an incident or its
//! response log, therefore happen one writer at a time across every replica;
//! the lock is released by the commit or rollback, so a crashed replica
//! cannot leave it held. There is no in-process mutex another replica would
//! miss.

mod codec;
mod driver;
mod migrate;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use rampart_audit::{ChainSummary, StoredLink};
use rampart_incident::{GlobalRole, IncidentId, Step, UserName};
use rampart_store::{
    AccessRequestRow, ApiToken, AppliedChanges, AuditDraft, BreakGlassRow, IncidentChange,
    IncidentState, IncidentSummary, LogRow, NewApiToken, NewIncident, NewSession, NewUser,
    Notification, RecordRow, Session, Store, StoreError, StoreResult, User,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Row};

use rampart_store_sql as sql;

use crate::codec::{Reader, backend, encode_opt_time, encode_time, insert_error};
use crate::driver::Db;

/// The advisory-lock key every write transaction takes (the ASCII bytes of
/// "rampart!"); any other application sharing the database must not use it.
pub const WRITE_LOCK_KEY: i64 = 0x7261_6d70_6172_7421;

/// Connections per replica.
const MAX_CONNECTIONS: u32 = 10;

/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`Store`] in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    description: String,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`,
    /// with `?sslmode=require` for TLS) and brings its schema up to date.
    /// `StoreError::Schema` if a newer Rampart has migrated it further than
    /// this one knows.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url).map_err(backend)?;
        let description = describe_options(&options);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(backend)?;
        migrate::run(&pool).await?;
        Ok(Self { pool, description })
    }

    /// Closes every connection. Dropping the store also closes them, without
    /// waiting.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction holding the store's advisory lock (see the crate
    /// documentation). Under READ COMMITTED every later statement sees all
    /// that the previous lock holder committed.
    async fn write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        Ok(tx)
    }

    /// A read transaction: one snapshot for queries that read several
    /// tables.
    async fn read(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(backend)
    }
}

/// `postgres://user@host:port/db`: the connection without its password.
fn describe_options(options: &PgConnectOptions) -> String {
    let host = options.get_host();
    // A socket directory is a path; brackets keep the URL readable.
    let host = if host.starts_with('/') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    format!(
        "postgres://{}@{host}:{}/{}",
        options.get_username(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username())
    )
}

// ---- Audit chain -----------------------------------------------------------

/// The stored head of the chain; the caller holds the write lock when it
/// appends after it.
pub(crate) async fn audit_head(conn: &mut PgConnection) -> StoreResult<ChainSummary> {
    sql::audit_head(&mut Db(conn)).await
}

/// Links `draft` after the head and inserts it. Must run inside a write
/// transaction that holds the advisory lock.
pub(crate) async fn append_audit(
    conn: &mut PgConnection,
    draft: AuditDraft,
) -> StoreResult<ChainSummary> {
    sql::append_audit(&mut Db(conn), draft).await
}

// ---- Users, tokens, sessions -------------------------------------------------

const USER_COLUMNS: &str = "users.id, users.name, users.role, users.password_hash, \
                            users.disabled, users.created_at";
const TOKEN_COLUMNS: &str = "api_tokens.id AS token_id, api_tokens.user_id, \
                             api_tokens.name AS token_name, api_tokens.token_hash, \
                             api_tokens.prefix, api_tokens.created_at AS token_created_at, \
                             api_tokens.expires_at, api_tokens.revoked_at";

fn user_from_row(row: &PgRow) -> StoreResult<User> {
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

fn token_from_row(row: &PgRow) -> StoreResult<ApiToken> {
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

fn session_from_row(row: &PgRow) -> StoreResult<Session> {
    let read = Reader::new(row, "sessions");
    Ok(Session {
        id_hash: read.text("id_hash")?,
        user_id: read.int("user_id")?,
        csrf_hash: read.text("csrf_hash")?,
        created_at: read.time("session_created_at")?,
        expires_at: read.time("session_expires_at")?,
    })
}

async fn user_by_id_in(conn: &mut PgConnection, id: i64) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?
        .as_ref()
        .map(user_from_row)
        .transpose()
}

async fn existing_user(conn: &mut PgConnection, id: i64) -> StoreResult<User> {
    user_by_id_in(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("user {id}"),
        })
}

#[async_trait]
impl Store for PostgresStore {
    fn describe(&self) -> String {
        self.description.clone()
    }

    async fn create_user(&self, user: NewUser, audit: AuditDraft) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO users (name, role, password_hash, disabled, created_at)
             VALUES ($1, $2, $3, FALSE, $4) RETURNING id",
        )
        .bind(user.name.as_str())
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(encode_time(user.created_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| insert_error(e, &format!("user {}", user.name), "user"))?;
        let id = Reader::new(&row, "users").int("id")?;
        append_audit(&mut tx, audit).await?;
        let created = existing_user(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(created)
    }

    async fn user_by_name(&self, name: &UserName) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        user_by_id_in(&mut conn, id).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name COLLATE \"C\"");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(user_from_row)
            .collect()
    }

    async fn set_user_role(
        &self,
        id: i64,
        role: GlobalRole,
        audit: AuditDraft,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: format!("user {id}"),
            });
        }
        append_audit(&mut tx, audit).await?;
        let user = existing_user(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(user)
    }

    async fn set_password_hash(
        &self,
        id: i64,
        password_hash: String,
        audit: AuditDraft,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: format!("user {id}"),
            });
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)
    }

    async fn set_user_disabled(
        &self,
        id: i64,
        disabled: bool,
        audit: AuditDraft,
    ) -> StoreResult<User> {
        let mut tx = self.write().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: format!("user {id}"),
            });
        }
        if disabled {
            // A disabled user's open browser sessions end now, not at expiry.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        append_audit(&mut tx, audit).await?;
        let user = existing_user(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(user)
    }

    async fn count_active_users_with_role(&self, role: GlobalRole) -> StoreResult<u64> {
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM users WHERE role = $1 AND NOT disabled")
            .bind(role.as_str())
            .fetch_one(&self.pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(backend)?;
        Ok(count.unsigned_abs())
    }

    async fn create_api_token(
        &self,
        token: NewApiToken,
        audit: AuditDraft,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(token.user_id)
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(&token.prefix)
        .bind(encode_time(token.created_at))
        .bind(encode_opt_time(token.expires_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            insert_error(
                e,
                &format!("token {:?} of user {}", token.name, token.user_id),
                &format!("user {}", token.user_id),
            )
        })?;
        let id = Reader::new(&row, "api_tokens").int("id")?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)?;
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

    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, User)>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS} FROM api_tokens
             JOIN users ON users.id = api_tokens.user_id
             WHERE api_tokens.token_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|row| Ok((token_from_row(&row)?, user_from_row(&row)?)))
            .transpose()
    }

    async fn list_api_tokens(&self, user_id: i64) -> StoreResult<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1
             ORDER BY created_at DESC, id DESC"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .iter()
            .map(token_from_row)
            .collect()
    }

    async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        at: Timestamp,
        audit: AuditDraft,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.write().await?;
        // Revoking twice keeps the first revocation time: that is when the
        // token stopped working.
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1)
             WHERE id = $2 AND user_id = $3",
        )
        .bind(encode_time(at))
        .bind(token_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: format!("token {token_id} of user {user_id}"),
            });
        }
        append_audit(&mut tx, audit).await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let token = token_from_row(&row)?;
        tx.commit().await.map_err(backend)?;
        Ok(token)
    }

    async fn create_session(&self, session: NewSession, audit: AuditDraft) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.id_hash)
        .bind(session.user_id)
        .bind(&session.csrf_hash)
        .bind(encode_time(session.created_at))
        .bind(encode_time(session.expires_at))
        .execute(&mut *tx)
        .await
        // Never put the hash into the message: it is as good as the session.
        .map_err(|e| insert_error(e, "session", &format!("user {}", session.user_id)))?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)
    }

    async fn session_by_hash(&self, id_hash: &str) -> StoreResult<Option<(Session, User)>> {
        let sql = format!(
            "SELECT sessions.id_hash, sessions.user_id, sessions.csrf_hash,
                    sessions.created_at AS session_created_at,
                    sessions.expires_at AS session_expires_at, {USER_COLUMNS}
             FROM sessions JOIN users ON users.id = sessions.user_id
             WHERE sessions.id_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|row| Ok((session_from_row(&row)?, user_from_row(&row)?)))
            .transpose()
    }

    async fn delete_session(&self, id_hash: &str, audit: AuditDraft) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let mut tx = self.write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(encode_time(now))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn record_login_failure(&self, key: &str, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(encode_time(at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn login_failures_since(&self, key: &str, since: Timestamp) -> StoreResult<u64> {
        let count: i64 =
            sqlx::query("SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND at >= $2")
                .bind(key)
                .bind(encode_time(since))
                .fetch_one(&self.pool)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(backend)?;
        Ok(count.unsigned_abs())
    }

    async fn clear_login_failures(&self, key: &str, older_than: Timestamp) -> StoreResult<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1 OR at < $2")
            .bind(key)
            .bind(encode_time(older_than))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    // ---- Incidents ---------------------------------------------------------

    async fn declare_incident(
        &self,
        incident: NewIncident,
        actor: rampart_audit::Actor,
        audit_payload: serde_json::Value,
    ) -> StoreResult<IncidentState> {
        let mut tx = self.write().await?;
        let state = sql::declare(&mut Db(&mut tx), incident, actor, audit_payload).await?;
        tx.commit().await.map_err(backend)?;
        Ok(state)
    }

    async fn incident(&self, id: IncidentId) -> StoreResult<Option<IncidentState>> {
        let mut tx = self.read().await?;
        let state = sql::state(&mut Db(&mut tx), id).await?;
        tx.commit().await.map_err(backend)?;
        Ok(state)
    }

    async fn incidents_visible_to(&self, viewer: &UserName) -> StoreResult<Vec<IncidentSummary>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::visible_to(&mut Db(&mut conn), viewer).await
    }

    async fn apply_incident_changes(
        &self,
        id: IncidentId,
        expected_version: i64,
        changes: Vec<IncidentChange>,
        log: Vec<rampart_incident::ResponseLogEntry>,
        audit: AuditDraft,
    ) -> StoreResult<AppliedChanges> {
        let mut tx = self.write().await?;
        let applied =
            sql::apply(&mut Db(&mut tx), id, expected_version, changes, log, audit).await?;
        tx.commit().await.map_err(backend)?;
        Ok(applied)
    }

    async fn update_incident(
        &self,
        id: IncidentId,
        decide: rampart_store::Decide<'_>,
    ) -> StoreResult<Result<AppliedChanges, rampart_store::DecisionError>> {
        let mut tx = self.write().await?;
        let Some(state) = sql::state(&mut Db(&mut tx), id).await? else {
            return Err(StoreError::NotFound {
                what: format!("incident {id}"),
            });
        };
        let update = match decide(&state) {
            Ok(update) => update,
            Err(refusal) => {
                tx.rollback().await.map_err(backend)?;
                return Ok(Err(refusal));
            }
        };
        let applied = sql::apply(
            &mut Db(&mut tx),
            id,
            state.summary.version,
            update.changes,
            update.log,
            update.audit,
        )
        .await?;
        tx.commit().await.map_err(backend)?;
        Ok(Ok(applied))
    }

    async fn records(&self, id: IncidentId, step: Option<Step>) -> StoreResult<Vec<RecordRow>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::records(&mut Db(&mut conn), id, step).await
    }

    async fn record(&self, id: IncidentId, record_id: i64) -> StoreResult<Option<RecordRow>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::record(&mut Db(&mut conn), id, record_id).await
    }

    async fn response_log(&self, id: IncidentId) -> StoreResult<Vec<LogRow>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::response_log(&mut Db(&mut conn), id).await
    }

    async fn access_requests(&self, id: IncidentId) -> StoreResult<Vec<AccessRequestRow>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::access_requests(&mut Db(&mut conn), id).await
    }

    async fn break_glass_requests(
        &self,
        id: Option<IncidentId>,
    ) -> StoreResult<Vec<BreakGlassRow>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::break_glass_requests(&mut Db(&mut conn), id).await
    }

    async fn break_glass_request(&self, request_id: i64) -> StoreResult<Option<BreakGlassRow>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::break_glass_request(&mut Db(&mut conn), request_id).await
    }

    async fn notifications(&self, user: &UserName) -> StoreResult<Vec<Notification>> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        sql::notifications(&mut Db(&mut conn), user).await
    }

    async fn mark_notification_read(
        &self,
        user: &UserName,
        notification_id: i64,
        at: Timestamp,
        audit: AuditDraft,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        // Marking twice keeps the first time it was read.
        let done = sqlx::query(
            "UPDATE notifications SET read_at = COALESCE(read_at, $1)
             WHERE id = $2 AND user_name = $3",
        )
        .bind(encode_time(at))
        .bind(notification_id)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: format!("notification {notification_id} of {user}"),
            });
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)
    }

    // ---- Audit chain -------------------------------------------------------

    async fn append_audit(&self, audit: AuditDraft) -> StoreResult<ChainSummary> {
        let mut tx = self.write().await?;
        let head = append_audit(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)?;
        Ok(head)
    }

    async fn audit_head(&self) -> StoreResult<ChainSummary> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        audit_head(&mut conn).await
    }

    async fn audit_links(&self, after: u64, limit: u32) -> StoreResult<Vec<StoredLink>> {
        // A position past what a signed 64-bit column can hold has nothing
        // after it.
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT seq, prev_hash, hash, event FROM audit_log
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let read = Reader::new(row, "audit_log");
                let seq = read.int("seq")?;
                Ok(StoredLink {
                    // Handed to the verifier as stored; a negative sequence
                    // cannot be represented and is corrupt outright.
                    sequence: u64::try_from(seq).map_err(|_| {
                        StoreError::corrupt(format!(
                            "table audit_log column seq: {seq} is negative"
                        ))
                    })?,
                    prev_hash: read.text("prev_hash")?,
                    hash: read.text("hash")?,
                    event: read.text("event")?,
                })
            })
            .collect()
    }
}
