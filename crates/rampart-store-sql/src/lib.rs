//! The SQL both storage backends share.
//!
//! Both databases accept the same SQL for everything Rampart stores
//! (`$N` placeholders, `RETURNING`, the same table and column names), so the
//! queries and the mapping between rows and domain values live here, once.
//! A backend supplies a [`Connection`]: it binds [`Value`]s (choosing how a
//! timestamp is stored), runs a [`Statement`] and hands back [`Row`]s read
//! by column name, and it maps its driver's errors onto [`DbError`].
//!
//! This crate knows no driver. Like the backends, it is one of the only
//! places that know SQL (ARCHITECTURE.md).

pub mod catalog;
pub mod evidence;
pub mod findings;
mod incidents;
pub mod ops;
mod reader;

use std::borrow::Cow;

use async_trait::async_trait;
use jiff::Timestamp;
use rampart_audit::ChainSummary;
use rampart_store::{AuditDraft, StoreError, StoreResult};

pub use reader::{Reader, enum_text, json_text, to_i64};

/// One bound parameter. A backend decides the column type: SQLite keeps
/// timestamps as fixed-width RFC 3339 text, PostgreSQL as `timestamptz`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text, or NULL.
    Text(Option<String>),
    /// A 64-bit integer, or NULL.
    Int(Option<i64>),
    /// A boolean.
    Bool(bool),
    /// A timestamp, or NULL.
    Time(Option<Timestamp>),
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(Some(value))
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Value::Text(Some(value.clone()))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(Some(value.to_owned()))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        Value::Text(value)
    }
}

impl From<&Option<String>> for Value {
    fn from(value: &Option<String>) -> Self {
        Value::Text(value.clone())
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Self {
        Value::Text(value.map(str::to_owned))
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<Timestamp> for Value {
    fn from(value: Timestamp) -> Self {
        Value::Time(Some(value))
    }
}

impl From<Option<Timestamp>> for Value {
    fn from(value: Option<Timestamp>) -> Self {
        Value::Time(value)
    }
}

/// SQL text and its parameters, built like sqlx's `query(…).bind(…)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL, with `$1 … $N` placeholders.
    pub sql: Cow<'static, str>,
    /// The parameters, in placeholder order.
    pub params: Vec<Value>,
}

/// Starts a statement.
pub fn query(sql: impl Into<Cow<'static, str>>) -> Statement {
    Statement {
        sql: sql.into(),
        params: Vec::new(),
    }
}

impl Statement {
    /// Binds the next parameter.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.params.push(value.into());
        self
    }

    /// Runs it; returns the rows affected.
    pub async fn execute<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<u64> {
        conn.execute(self).await.map_err(DbError::into_store)
    }

    /// Runs it; every row.
    pub async fn fetch_all<C: Connection + ?Sized>(
        self,
        conn: &mut C,
    ) -> StoreResult<Vec<BoxedRow>> {
        conn.fetch_all(self).await.map_err(DbError::into_store)
    }

    /// Runs it; the first row, if any.
    pub async fn fetch_optional<C: Connection + ?Sized>(
        self,
        conn: &mut C,
    ) -> StoreResult<Option<BoxedRow>> {
        conn.fetch_optional(self).await.map_err(DbError::into_store)
    }

    /// Runs it; the first row, which must exist.
    pub async fn fetch_one<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<BoxedRow> {
        let sql = self.sql.clone();
        self.fetch_optional(conn).await?.ok_or_else(|| {
            StoreError::corrupt(format!("query returned no row: {}", first_line(&sql)))
        })
    }

    /// Runs it; the integer in the first column of the first row (`NULL`,
    /// or no row, is `None`).
    pub async fn fetch_int<C: Connection + ?Sized>(self, conn: &mut C) -> StoreResult<Option<i64>> {
        match self.fetch_optional(conn).await? {
            Some(row) => row
                .int_at(0)
                .map_err(|error| StoreError::corrupt(format!("first column: {error}"))),
            None => Ok(None),
        }
    }

    /// Runs an insert and maps a unique violation to `Conflict { what }` and
    /// a foreign-key violation to `NotFound { parent }`.
    pub async fn insert<C: Connection + ?Sized>(
        self,
        conn: &mut C,
        what: &str,
        parent: &str,
    ) -> StoreResult<u64> {
        conn.execute(self)
            .await
            .map_err(|error| error.into_insert(what, parent))
    }

    /// An insert with `RETURNING id`: the new row's id, with the mapping of
    /// [`insert`](Self::insert).
    pub async fn insert_returning_id<C: Connection + ?Sized>(
        self,
        conn: &mut C,
        what: &str,
        parent: &str,
    ) -> StoreResult<i64> {
        let row = conn
            .fetch_optional(self)
            .await
            .map_err(|error| error.into_insert(what, parent))?
            .ok_or_else(|| StoreError::corrupt(format!("insert of {what} returned no id")))?;
        row.int_at(0)
            .map_err(|error| StoreError::corrupt(format!("returned id of {what}: {error}")))?
            .ok_or_else(|| StoreError::corrupt(format!("insert of {what} returned a NULL id")))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

/// A driver's error, sorted into what the store reports differently.
#[derive(Debug)]
pub enum DbError {
    /// A unique constraint refused the row.
    UniqueViolation(Box<dyn std::error::Error + Send + Sync>),
    /// A foreign key refused the row.
    ForeignKeyViolation(Box<dyn std::error::Error + Send + Sync>),
    /// Anything else.
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl DbError {
    /// As a store error: constraint violations outside inserts are bugs or
    /// races the caller cannot fix, so they are backend errors too.
    pub fn into_store(self) -> StoreError {
        match self {
            DbError::UniqueViolation(error)
            | DbError::ForeignKeyViolation(error)
            | DbError::Other(error) => StoreError::Backend(error),
        }
    }

    /// As a store error for an insert of `what` under `parent`.
    pub fn into_insert(self, what: &str, parent: &str) -> StoreError {
        match self {
            DbError::UniqueViolation(_) => StoreError::Conflict {
                what: what.to_owned(),
            },
            DbError::ForeignKeyViolation(_) => StoreError::NotFound {
                what: parent.to_owned(),
            },
            DbError::Other(error) => StoreError::Backend(error),
        }
    }
}

/// One result row, read by column name (or, for scalars, by position).
/// Errors are the driver's message; [`Reader`] adds table and column.
pub trait Row: Send + Sync {
    /// A text column (NULL is `None`).
    fn text(&self, column: &str) -> Result<Option<String>, String>;
    /// An integer column (NULL is `None`).
    fn int(&self, column: &str) -> Result<Option<i64>, String>;
    /// The integer at `index` (NULL is `None`).
    fn int_at(&self, index: usize) -> Result<Option<i64>, String>;
    /// A boolean column.
    fn flag(&self, column: &str) -> Result<bool, String>;
    /// A timestamp column, in the backend's stored form (NULL is `None`).
    fn time(&self, column: &str) -> Result<Option<Timestamp>, String>;
}

/// A row of any backend.
pub type BoxedRow = Box<dyn Row>;

impl<R: Row + ?Sized> Row for Box<R> {
    fn text(&self, column: &str) -> Result<Option<String>, String> {
        (**self).text(column)
    }

    fn int(&self, column: &str) -> Result<Option<i64>, String> {
        (**self).int(column)
    }

    fn int_at(&self, index: usize) -> Result<Option<i64>, String> {
        (**self).int_at(index)
    }

    fn flag(&self, column: &str) -> Result<bool, String> {
        (**self).flag(column)
    }

    fn time(&self, column: &str) -> Result<Option<Timestamp>, String> {
        (**self).time(column)
    }
}

/// A connection (or transaction) of one backend.
#[async_trait]
pub trait Connection: Send {
    /// Runs a statement; the rows affected.
    async fn execute(&mut self, statement: Statement) -> Result<u64, DbError>;
    /// Runs a query; every row.
    async fn fetch_all(&mut self, statement: Statement) -> Result<Vec<BoxedRow>, DbError>;
    /// Runs a query; the first row, if any.
    async fn fetch_optional(&mut self, statement: Statement) -> Result<Option<BoxedRow>, DbError>;
}

/// A transaction of one backend. Dropping it without committing rolls it
/// back.
#[async_trait]
pub trait Transaction: Connection {
    /// Makes its changes durable and releases its locks.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Undoes its changes and releases its locks.
    async fn rollback(self: Box<Self>) -> StoreResult<()>;
}

/// What a backend provides for the shared [`Store`](rampart_store::Store)
/// implementation ([`impl_store!`]): transactions, connections, its name.
#[async_trait]
pub trait Database: Send + Sync + 'static {
    /// For logs: which database, never with a password.
    fn describe(&self) -> String;
    /// A write transaction that already holds the lock serialising writers
    /// (SQLite `BEGIN IMMEDIATE`, PostgreSQL's advisory lock), so reading
    /// the audit head or an incident's version and writing after it cannot
    /// interleave with another writer, in this process or another.
    async fn write(&self) -> StoreResult<Box<dyn Transaction>>;
    /// A read-only transaction: one consistent snapshot across tables.
    async fn read(&self) -> StoreResult<Box<dyn Transaction>>;
    /// A connection from the pool, for reads of one statement.
    async fn connection(&self) -> StoreResult<Box<dyn Connection>>;
}

// ---- Audit chain -------------------------------------------------------------

/// The chain's stored head: the row with the highest sequence.
pub async fn audit_head<C: Connection + ?Sized>(conn: &mut C) -> StoreResult<ChainSummary> {
    let row = query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else {
        return Ok(ChainSummary::EMPTY);
    };
    let read = Reader::new(&row, "audit_log");
    let seq = read.int("seq")?;
    let length = u64::try_from(seq).map_err(|_| {
        StoreError::corrupt(format!("table audit_log column seq: {seq} is negative"))
    })?;
    let head = rampart_audit::Hash::from_hex(&read.text("hash")?).map_err(|error| {
        StoreError::corrupt(format!("table audit_log column hash at seq {seq}: {error}"))
    })?;
    Ok(ChainSummary { length, head })
}

/// Links `draft` after the head and inserts it. Must run inside a write
/// transaction (which holds the lock that serialises appends).
pub async fn append_audit<C: Connection + ?Sized>(
    conn: &mut C,
    draft: AuditDraft,
) -> StoreResult<ChainSummary> {
    let head = audit_head(conn).await?;
    let link = draft.link_after(&head)?;
    let stored = link.to_stored();
    query("INSERT INTO audit_log (seq, prev_hash, hash, event) VALUES ($1, $2, $3, $4)")
        .bind(to_i64(stored.sequence, "audit sequence")?)
        .bind(stored.prev_hash)
        .bind(stored.hash)
        .bind(stored.event)
        .execute(conn)
        .await?;
    Ok(link.summary())
}

/// Implements [`rampart_store::Store`] for a backend type that implements
/// [`Database`], forwarding every method to [`ops`] (evidence custody to
/// [`evidence`], the catalog to [`catalog`], the findings inventory to
/// [`findings`]). The logic lives in ordinary functions there; the macro
/// only spells out the signatures.
#[macro_export]
macro_rules! impl_store {
    ($backend:ty) => {
        #[$crate::__private::async_trait]
        impl $crate::__private::rampart_store::Store for $backend {
            fn describe(&self) -> String {
                $crate::Database::describe(self)
            }
            async fn create_user(&self, user: $crate::__private::rampart_store::NewUser, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::User> {
                $crate::ops::create_user(self, user, audit).await
            }
            async fn user_by_name(&self, name: &$crate::__private::rampart_incident::UserName) -> $crate::__private::rampart_store::StoreResult<Option<$crate::__private::rampart_store::User>> {
                $crate::ops::user_by_name(self, name).await
            }
            async fn user_by_id(&self, id: i64) -> $crate::__private::rampart_store::StoreResult<Option<$crate::__private::rampart_store::User>> {
                $crate::ops::user_by_id(self, id).await
            }
            async fn list_users(&self) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::User>> {
                $crate::ops::list_users(self).await
            }
            async fn set_user_role(&self, id: i64, role: $crate::__private::rampart_incident::GlobalRole, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::User> {
                $crate::ops::set_user_role(self, id, role, audit).await
            }
            async fn set_password_hash(&self, id: i64, password_hash: String, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<()> {
                $crate::ops::set_password_hash(self, id, password_hash, audit).await
            }
            async fn set_user_disabled(&self, id: i64, disabled: bool, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::User> {
                $crate::ops::set_user_disabled(self, id, disabled, audit).await
            }
            async fn count_active_users_with_role(&self, role: $crate::__private::rampart_incident::GlobalRole) -> $crate::__private::rampart_store::StoreResult<u64> {
                $crate::ops::count_active_users_with_role(self, role).await
            }
            async fn create_api_token(&self, token: $crate::__private::rampart_store::NewApiToken, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::ApiToken> {
                $crate::ops::create_api_token(self, token, audit).await
            }
            async fn api_token_by_hash(&self, token_hash: &str) -> $crate::__private::rampart_store::StoreResult<Option<($crate::__private::rampart_store::ApiToken, $crate::__private::rampart_store::User)>> {
                $crate::ops::api_token_by_hash(self, token_hash).await
            }
            async fn list_api_tokens(&self, user_id: i64) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::ApiToken>> {
                $crate::ops::list_api_tokens(self, user_id).await
            }
            async fn revoke_api_token(&self, user_id: i64, token_id: i64, at: $crate::__private::jiff::Timestamp, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::ApiToken> {
                $crate::ops::revoke_api_token(self, user_id, token_id, at, audit).await
            }
            async fn create_session(&self, session: $crate::__private::rampart_store::NewSession, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<()> {
                $crate::ops::create_session(self, session, audit).await
            }
            async fn session_by_hash(&self, id_hash: &str) -> $crate::__private::rampart_store::StoreResult<Option<($crate::__private::rampart_store::Session, $crate::__private::rampart_store::User)>> {
                $crate::ops::session_by_hash(self, id_hash).await
            }
            async fn delete_session(&self, id_hash: &str, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<()> {
                $crate::ops::delete_session(self, id_hash, audit).await
            }
            async fn delete_expired_sessions(&self, now: $crate::__private::jiff::Timestamp) -> $crate::__private::rampart_store::StoreResult<u64> {
                $crate::ops::delete_expired_sessions(self, now).await
            }
            async fn record_login_failure(&self, key: &str, at: $crate::__private::jiff::Timestamp) -> $crate::__private::rampart_store::StoreResult<()> {
                $crate::ops::record_login_failure(self, key, at).await
            }
            async fn login_failures_since(&self, key: &str, since: $crate::__private::jiff::Timestamp) -> $crate::__private::rampart_store::StoreResult<u64> {
                $crate::ops::login_failures_since(self, key, since).await
            }
            async fn clear_login_failures(&self, key: &str, older_than: $crate::__private::jiff::Timestamp) -> $crate::__private::rampart_store::StoreResult<()> {
                $crate::ops::clear_login_failures(self, key, older_than).await
            }
            async fn declare_incident(&self, incident: $crate::__private::rampart_store::NewIncident, actor: $crate::__private::rampart_audit::Actor, audit_payload: $crate::__private::serde_json::Value) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::IncidentState> {
                $crate::ops::declare_incident(self, incident, actor, audit_payload).await
            }
            async fn incident(&self, id: $crate::__private::rampart_incident::IncidentId) -> $crate::__private::rampart_store::StoreResult<Option<$crate::__private::rampart_store::IncidentState>> {
                $crate::ops::incident(self, id).await
            }
            async fn incidents_visible_to(&self, viewer: &$crate::__private::rampart_incident::UserName) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::IncidentSummary>> {
                $crate::ops::incidents_visible_to(self, viewer).await
            }
            async fn apply_incident_changes(&self, id: $crate::__private::rampart_incident::IncidentId, expected_version: i64, changes: Vec<$crate::__private::rampart_store::IncidentChange>, log: Vec<$crate::__private::rampart_incident::ResponseLogEntry>, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::AppliedChanges> {
                $crate::ops::apply_incident_changes(self, id, expected_version, changes, log, audit).await
            }
            async fn update_incident(&self, id: $crate::__private::rampart_incident::IncidentId, decide: $crate::__private::rampart_store::Decide<'_>) -> $crate::__private::rampart_store::StoreResult<Result<$crate::__private::rampart_store::AppliedChanges, $crate::__private::rampart_store::DecisionError>> {
                $crate::ops::update_incident(self, id, decide).await
            }
            async fn records(&self, id: $crate::__private::rampart_incident::IncidentId, step: Option<$crate::__private::rampart_incident::Step>) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::RecordRow>> {
                $crate::ops::records(self, id, step).await
            }
            async fn record(&self, id: $crate::__private::rampart_incident::IncidentId, record_id: i64) -> $crate::__private::rampart_store::StoreResult<Option<$crate::__private::rampart_store::RecordRow>> {
                $crate::ops::record(self, id, record_id).await
            }
            async fn response_log(&self, id: $crate::__private::rampart_incident::IncidentId) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::LogRow>> {
                $crate::ops::response_log(self, id).await
            }
            async fn access_requests(&self, id: $crate::__private::rampart_incident::IncidentId) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::AccessRequestRow>> {
                $crate::ops::access_requests(self, id).await
            }
            async fn break_glass_requests(&self, id: Option<$crate::__private::rampart_incident::IncidentId>) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::BreakGlassRow>> {
                $crate::ops::break_glass_requests(self, id).await
            }
            async fn break_glass_request(&self, request_id: i64) -> $crate::__private::rampart_store::StoreResult<Option<$crate::__private::rampart_store::BreakGlassRow>> {
                $crate::ops::break_glass_request(self, request_id).await
            }
            async fn notifications(&self, user: &$crate::__private::rampart_incident::UserName) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::Notification>> {
                $crate::ops::notifications(self, user).await
            }
            async fn mark_notification_read(&self, user: &$crate::__private::rampart_incident::UserName, notification_id: i64, at: $crate::__private::jiff::Timestamp, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<()> {
                $crate::ops::mark_notification_read(self, user, notification_id, at, audit).await
            }
            async fn append_custody(&self, id: $crate::__private::rampart_incident::IncidentId, entries: Vec<(i64, $crate::__private::rampart_incident::CustodyEvent)>, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_audit::ChainSummary> {
                $crate::evidence::append_custody(self, id, entries, audit).await
            }
            async fn custody_log(&self, id: $crate::__private::rampart_incident::IncidentId, record_id: i64) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::CustodyRow>> {
                $crate::evidence::custody_log(self, id, record_id).await
            }
            async fn custody_logs(&self, id: $crate::__private::rampart_incident::IncidentId) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::CustodyRow>> {
                $crate::evidence::custody_logs(self, id).await
            }
            async fn evidence_items(&self, id: $crate::__private::rampart_incident::IncidentId) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::EvidenceRow>> {
                $crate::evidence::evidence_items(self, id).await
            }
            async fn all_evidence_for_verification(&self) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::EvidenceRow>> {
                $crate::evidence::all_evidence_for_verification(self).await
            }
            async fn all_custody_for_verification(&self) -> $crate::__private::rampart_store::StoreResult<Vec<($crate::__private::rampart_incident::IncidentId, $crate::__private::rampart_store::CustodyRow)>> {
                $crate::evidence::all_custody_for_verification(self).await
            }
            async fn catalog(&self) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_inventory::Catalog> {
                $crate::catalog::catalog(self).await
            }
            async fn update_catalog(&self, decide: $crate::__private::rampart_store::CatalogDecide<'_>) -> $crate::__private::rampart_store::StoreResult<Result<$crate::__private::rampart_store::CatalogApplied, $crate::__private::rampart_store::DecisionError>> {
                $crate::catalog::update_catalog(self, decide).await
            }
            async fn teams_of_user(&self, user: &str) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_inventory::TeamName>> {
                $crate::catalog::teams_of_user(self, user).await
            }
            async fn record_upload(&self, request: $crate::__private::rampart_store::UploadRequest) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_store::UploadOutcome> {
                $crate::findings::record_upload(self, request).await
            }
            async fn uploads(&self, service: &$crate::__private::rampart_inventory::ServiceName, limit: u32) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::UploadRow>> {
                $crate::findings::uploads(self, service, limit).await
            }
            async fn findings(&self, filter: &$crate::__private::rampart_store::FindingFilter, now: $crate::__private::jiff::Timestamp) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::FindingRow>> {
                $crate::findings::findings(self, filter, now).await
            }
            async fn finding(&self, id: i64) -> $crate::__private::rampart_store::StoreResult<Option<($crate::__private::rampart_store::FindingRow, Vec<$crate::__private::rampart_store::FindingEventRow>)>> {
                $crate::findings::finding(self, id).await
            }
            async fn triage_finding(&self, id: i64, decide: $crate::__private::rampart_store::TriageDecide<'_>) -> $crate::__private::rampart_store::StoreResult<Result<$crate::__private::rampart_store::FindingRow, $crate::__private::rampart_store::DecisionError>> {
                $crate::findings::triage_finding(self, id, decide).await
            }
            async fn finding_counts(&self, now: $crate::__private::jiff::Timestamp) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::ServiceCountsRow>> {
                $crate::findings::finding_counts(self, now).await
            }
            async fn expire_accepted_risks(&self, now: $crate::__private::jiff::Timestamp, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<Vec<i64>> {
                $crate::findings::expire_accepted_risks(self, now, audit).await
            }
            async fn package_hits(&self, ecosystem: &str, name: &str, keep: &$crate::__private::rampart_store::KeepVersion<'_>) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::ComponentHit>> {
                $crate::findings::package_hits(self, ecosystem, name, keep).await
            }
            async fn advisory_hits(&self, id: &str) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::FindingHit>> {
                $crate::findings::advisory_hits(self, id).await
            }
            async fn secret_hits(&self, fingerprint: &$crate::__private::rampart_inventory::FindingFingerprint) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_store::FindingHit>> {
                $crate::findings::secret_hits(self, fingerprint).await
            }
            async fn append_audit(&self, audit: $crate::__private::rampart_store::AuditDraft) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_audit::ChainSummary> {
                $crate::ops::append_audit_event(self, audit).await
            }
            async fn audit_head(&self) -> $crate::__private::rampart_store::StoreResult<$crate::__private::rampart_audit::ChainSummary> {
                $crate::ops::audit_head(self).await
            }
            async fn audit_links(&self, after: u64, limit: u32) -> $crate::__private::rampart_store::StoreResult<Vec<$crate::__private::rampart_audit::StoredLink>> {
                $crate::ops::audit_links(self, after, limit).await
            }
        }
    };
}

/// What [`impl_store!`] expands to refers to, so that backends need no
/// extra dependencies for it. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use async_trait::async_trait;
    pub use jiff;
    pub use rampart_audit;
    pub use rampart_incident;
    pub use rampart_inventory;
    pub use rampart_store;
    pub use serde_json;
}
