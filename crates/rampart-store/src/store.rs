//! The storage interface.

use async_trait::async_trait;
use jiff::Timestamp;
use rampart_audit::{ChainSummary, StoredLink};
use rampart_incident::{CustodyEvent, GlobalRole, IncidentId, Step, UserName};

use crate::audit::AuditDraft;
use crate::catalog::{CatalogApplied, CatalogDecide};
use crate::error::StoreResult;
use crate::evidence::{CustodyRow, EvidenceRow};
use crate::findings::{
    ComponentHit, FindingEventRow, FindingFilter, FindingHit, FindingRow, KeepVersion,
    ServiceCountsRow, TriageDecide, UploadOutcome, UploadRequest, UploadRow,
};
use crate::incident::{
    AccessRequestRow, AppliedChanges, BreakGlassRow, Decide, DecisionError, IncidentChange,
    IncidentState, IncidentSummary, LogRow, NewIncident, Notification, RecordRow,
};
use crate::user::{ApiToken, NewApiToken, NewSession, NewUser, Session, User};

/// Everything the server persists. Object-safe, so the server holds an
/// `Arc<dyn Store>` chosen at start-up.
///
/// Methods that take an [`AuditDraft`] write it to the audit chain in the
/// same transaction as their change; if either fails, neither happens (an
/// audit draft the chain refuses fails the whole write).
///
/// Conventions the conformance suite pins for every backend:
/// * reads about an unknown incident (records, log, requests) return empty
///   lists, not errors; only writes answer `NotFound`;
/// * updating a record, access request or break-glass request that does not
///   exist, belongs to another incident, or (for records) would change kind
///   is `NotFound`; a second break-glass grant for the same user is `Conflict`;
/// * lists of users sort by name in byte order, whatever the database's
///   collation;
/// * changing a member's role keeps the time they joined;
/// * `delete_expired_sessions` deletes sessions whose expiry is strictly
///   before `now`;
/// * an evidence item's custody log is numbered 1, 2, … per item and only
///   ever grows: nothing updates or deletes a custody row.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend, for logs and `rampart serve`'s start-up line
    /// (`sqlite:/var/lib/rampart/rampart.db`, `postgres://host/db`) — never
    /// with a password.
    fn describe(&self) -> String;

    // ---- Users ------------------------------------------------------------

    /// Creates a user; `Conflict` if the name is taken.
    async fn create_user(&self, user: NewUser, audit: AuditDraft) -> StoreResult<User>;
    /// A user by login name.
    async fn user_by_name(&self, name: &UserName) -> StoreResult<Option<User>>;
    /// A user by id.
    async fn user_by_id(&self, id: i64) -> StoreResult<Option<User>>;
    /// All users, by name.
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Changes a user's global role; `NotFound` if there is no such user.
    async fn set_user_role(
        &self,
        id: i64,
        role: GlobalRole,
        audit: AuditDraft,
    ) -> StoreResult<User>;
    /// Replaces a user's password hash.
    async fn set_password_hash(
        &self,
        id: i64,
        password_hash: String,
        audit: AuditDraft,
    ) -> StoreResult<()>;
    /// Disables or re-enables a user. Disabling also ends their sessions.
    async fn set_user_disabled(
        &self,
        id: i64,
        disabled: bool,
        audit: AuditDraft,
    ) -> StoreResult<User>;
    /// Number of users holding `role` and not disabled (to refuse removing
    /// the last admin).
    async fn count_active_users_with_role(&self, role: GlobalRole) -> StoreResult<u64>;

    // ---- API tokens -------------------------------------------------------

    /// Stores a token's hash; `Conflict` if the owner has a token of that name.
    async fn create_api_token(
        &self,
        token: NewApiToken,
        audit: AuditDraft,
    ) -> StoreResult<ApiToken>;
    /// The token with this hash and its owner, whatever its state; the
    /// caller checks expiry, revocation and whether the owner is disabled.
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<(ApiToken, User)>>;
    /// A user's tokens, newest first.
    async fn list_api_tokens(&self, user_id: i64) -> StoreResult<Vec<ApiToken>>;
    /// Revokes one of a user's tokens; `NotFound` if it is not theirs.
    async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        at: Timestamp,
        audit: AuditDraft,
    ) -> StoreResult<ApiToken>;

    // ---- Sessions and sign-in throttling ----------------------------------

    /// Stores a new session.
    async fn create_session(&self, session: NewSession, audit: AuditDraft) -> StoreResult<()>;
    /// The session with this id hash and its user, if it exists (expired or not).
    async fn session_by_hash(&self, id_hash: &str) -> StoreResult<Option<(Session, User)>>;
    /// Ends a session (sign-out); no error if it is already gone.
    async fn delete_session(&self, id_hash: &str, audit: AuditDraft) -> StoreResult<()>;
    /// Deletes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;
    /// Records a failed sign-in for `key` (a user name, or a client address).
    /// Kept in the database so every replica sees every failure.
    async fn record_login_failure(&self, key: &str, at: Timestamp) -> StoreResult<()>;
    /// Failed sign-ins for `key` since `since`.
    async fn login_failures_since(&self, key: &str, since: Timestamp) -> StoreResult<u64>;
    /// Forgets `key`'s failures (after a successful sign-in) and every
    /// failure older than `older_than`.
    async fn clear_login_failures(&self, key: &str, older_than: Timestamp) -> StoreResult<()>;

    // ---- Incidents --------------------------------------------------------

    /// Declares an incident: assigns the next `SEC-YYYY-NNNN` of the
    /// declaration's UTC year and its codename, creates the 14 pending steps,
    /// makes the declarer commander, writes the first response-log entry and
    /// appends the audit event `incident.declare` whose target id is the
    /// new id and whose payload is `audit_payload`.
    async fn declare_incident(
        &self,
        incident: NewIncident,
        actor: rampart_audit::Actor,
        audit_payload: serde_json::Value,
    ) -> StoreResult<IncidentState>;
    /// The full state of one incident, or `None`. Performs no access check:
    /// the caller decides with `rampart_incident::incident_access`.
    async fn incident(&self, id: IncidentId) -> StoreResult<Option<IncidentState>>;
    /// Incidents `viewer` is a member of or holds a break-glass grant for,
    /// newest first. Nothing else is listed, whatever the viewer's role.
    async fn incidents_visible_to(&self, viewer: &UserName) -> StoreResult<Vec<IncidentSummary>>;
    /// Applies `changes` to the incident read at `expected_version`, writes
    /// `log` to its response log and `audit` to the chain, all in one
    /// transaction, and bumps the version. `StaleVersion` if the incident
    /// changed since; `NotFound` if it does not exist.
    async fn apply_incident_changes(
        &self,
        id: IncidentId,
        expected_version: i64,
        changes: Vec<IncidentChange>,
        log: Vec<rampart_incident::ResponseLogEntry>,
        audit: AuditDraft,
    ) -> StoreResult<AppliedChanges>;
    /// Reads the incident inside a write transaction — after taking the
    /// lock that serialises writers — lets `decide` plan a change from that
    /// state, and applies the plan with its log entries and audit event in
    /// the same transaction. No other writer can change the incident in
    /// between, so the decision always sees the state it changes and never
    /// needs a retry. `NotFound` if the incident does not exist; when
    /// `decide` refuses, nothing is written and its error is returned in
    /// the inner `Err`. `decide` must not block: it runs while other
    /// writers wait.
    async fn update_incident(
        &self,
        id: IncidentId,
        decide: Decide<'_>,
    ) -> StoreResult<Result<AppliedChanges, DecisionError>>;
    /// An incident's records, optionally of one step, oldest first.
    async fn records(&self, id: IncidentId, step: Option<Step>) -> StoreResult<Vec<RecordRow>>;
    /// One record of an incident.
    async fn record(&self, id: IncidentId, record_id: i64) -> StoreResult<Option<RecordRow>>;
    /// The response log, oldest first.
    async fn response_log(&self, id: IncidentId) -> StoreResult<Vec<LogRow>>;
    /// An incident's access requests, newest first.
    async fn access_requests(&self, id: IncidentId) -> StoreResult<Vec<AccessRequestRow>>;
    /// Break-glass requests, newest first: of one incident, or with
    /// `None` every request still awaiting approval (what a security-role
    /// approver's queue shows: codename and reason, no incident detail).
    async fn break_glass_requests(&self, id: Option<IncidentId>)
    -> StoreResult<Vec<BreakGlassRow>>;
    /// One break-glass request by id.
    async fn break_glass_request(&self, request_id: i64) -> StoreResult<Option<BreakGlassRow>>;
    /// A user's notifications, newest first.
    async fn notifications(&self, user: &UserName) -> StoreResult<Vec<Notification>>;
    /// Marks one of a user's notifications read; `NotFound` if not theirs.
    async fn mark_notification_read(
        &self,
        user: &UserName,
        notification_id: i64,
        at: Timestamp,
        audit: AuditDraft,
    ) -> StoreResult<()>;

    // ---- Evidence custody (step 10) ---------------------------------------

    /// Appends custody entries for *reads* of evidence (metadata viewed,
    /// bytes downloaded or exported, an integrity failure found on
    /// download) and the audit event describing them, in one transaction
    /// under the write lock. Unlike `apply_incident_changes` it does not
    /// bump the incident's version: a read changes nothing a writer
    /// decided on, and must not make a concurrent writer's version stale.
    /// Entries are numbered on from each item's last, in the order given.
    /// `NotFound`, with nothing written, if the incident does not exist or
    /// any record id is not an `evidence_item` record of it. Returns the
    /// audit chain's new head.
    async fn append_custody(
        &self,
        id: IncidentId,
        entries: Vec<(i64, CustodyEvent)>,
        audit: AuditDraft,
    ) -> StoreResult<ChainSummary>;
    /// One evidence item's custody log, oldest first (by sequence); empty
    /// for an unknown item or one of another incident.
    async fn custody_log(&self, id: IncidentId, record_id: i64) -> StoreResult<Vec<CustodyRow>>;
    /// The custody logs of every evidence item of an incident, by record id
    /// and then sequence (what an export's custody report lists).
    async fn custody_logs(&self, id: IncidentId) -> StoreResult<Vec<CustodyRow>>;
    /// An incident's evidence items, by record id.
    async fn evidence_items(&self, id: IncidentId) -> StoreResult<Vec<EvidenceRow>>;
    /// Every evidence item of every incident, by record id. For the
    /// operator command `rampart audit verify` only, which opens the
    /// database directly to re-hash the stored blobs against the digests
    /// taken on intake; no server route calls it. It does not weaken "no
    /// method lists every incident": it hands out digests and storage
    /// locations for an integrity check, run by an operator who holds the
    /// database (and could read every table) anyway, not incidents for
    /// anyone to view.
    async fn all_evidence_for_verification(&self) -> StoreResult<Vec<EvidenceRow>>;
    /// Every custody row of every incident, by incident, item and sequence:
    /// for `verify_custody`, which checks each against the audit event that
    /// recorded it. Same reasoning as `all_evidence_for_verification`.
    async fn all_custody_for_verification(&self) -> StoreResult<Vec<(IncidentId, CustodyRow)>>;

    // ---- Catalog (teams, systems, services) ---------------------------------

    /// The whole catalog: teams (members by login name), systems and
    /// services, each list sorted by name in byte order.
    async fn catalog(&self) -> StoreResult<rampart_inventory::Catalog>;
    /// Reads the catalog under the write lock, lets `decide` plan changes
    /// from it, and applies them with the plan's audit event in one
    /// transaction (as `update_incident` does for an incident). Each `Put`
    /// inserts the entry or replaces the one of that name whole (a team's
    /// member list included), keeping when it was first created. An empty
    /// plan writes nothing, not even its audit event. When `decide` refuses,
    /// nothing is written and its error is returned in the inner `Err`.
    /// `Conflict`, with nothing written, if an entry would take a Backstage
    /// reference another entry of its kind holds, or a team lists a member
    /// twice.
    async fn update_catalog(
        &self,
        decide: CatalogDecide<'_>,
    ) -> StoreResult<Result<CatalogApplied, DecisionError>>;
    /// The names of the teams `user` (a login name) is a member of, sorted.
    async fn teams_of_user(&self, user: &str) -> StoreResult<Vec<rampart_inventory::TeamName>>;

    // ---- Findings inventory -----------------------------------------------

    /// Records one upload for a service. `NotFound` if the service is not
    /// in the catalog. Under the write lock: when the service's latest
    /// upload of the same scopes (`IncomingUpload::scope_key`) has the same
    /// digest, returns that upload with `duplicate: true` and writes
    /// nothing, not even the audit event. Otherwise reads the stored
    /// findings and components of those scopes, runs
    /// `rampart_inventory::reconcile` on them, and writes the result, the
    /// upload row and `audit` (with the tally added to its payload under
    /// `counts`) in one transaction.
    async fn record_upload(&self, request: UploadRequest) -> StoreResult<UploadOutcome>;
    /// A service's uploads, newest first, at most `limit`; empty for an
    /// unknown service.
    async fn uploads(
        &self,
        service: &rampart_inventory::ServiceName,
        limit: u32,
    ) -> StoreResult<Vec<UploadRow>>;
    /// Findings matching `filter` with states as effective at `now`,
    /// worst severity first, then by id.
    async fn findings(
        &self,
        filter: &FindingFilter,
        now: Timestamp,
    ) -> StoreResult<Vec<FindingRow>>;
    /// One finding and its history (oldest event first).
    async fn finding(&self, id: i64) -> StoreResult<Option<(FindingRow, Vec<FindingEventRow>)>>;
    /// Reads the finding under the write lock, lets `decide` rule on it, and
    /// writes the new state, a `triaged` event and the audit event in one
    /// transaction. `NotFound` if there is no such finding; when `decide`
    /// refuses, nothing is written and its error is returned in the inner
    /// `Err`.
    async fn triage_finding(
        &self,
        id: i64,
        decide: TriageDecide<'_>,
    ) -> StoreResult<Result<FindingRow, DecisionError>>;
    /// One row per service of the catalog (zeros included), sorted by
    /// service name in byte order, with states as effective at `now`.
    async fn finding_counts(&self, now: Timestamp) -> StoreResult<Vec<ServiceCountsRow>>;
    /// Accepted risks whose expiry is at or before `now` become open again
    /// (event `risk_expired` by `rampart` each, one audit event listing
    /// their ids under `findings`). Nothing is written, not even the audit
    /// event, when none has lapsed. Returns the ids, ascending.
    async fn expire_accepted_risks(
        &self,
        now: Timestamp,
        audit: AuditDraft,
    ) -> StoreResult<Vec<i64>>;
    /// Components of the package (`ecosystem` and `name` compared exactly:
    /// the caller normalizes). In one read snapshot: the distinct resolved
    /// versions are listed first, `keep` is called once for each, and the
    /// rows of the kept versions are returned, with every unresolved
    /// component (version `None`) of the package whatever `keep` says.
    /// `keep` is `&(dyn Fn(&str) -> bool + Sync)`: [`KeepVersion`].
    async fn package_hits(
        &self,
        ecosystem: &str,
        name: &str,
        keep: &KeepVersion<'_>,
    ) -> StoreResult<Vec<ComponentHit>>;
    /// Findings known by this advisory id (any case), in any state.
    async fn advisory_hits(&self, id: &str) -> StoreResult<Vec<FindingHit>>;
    /// Findings with this fingerprint in any service and state: a secret
    /// removed from the tree is still in its history.
    async fn secret_hits(
        &self,
        fingerprint: &rampart_inventory::FindingFingerprint,
    ) -> StoreResult<Vec<FindingHit>>;

    // ---- Audit chain ------------------------------------------------------

    /// Appends an event that goes with no other change (reading a
    /// restricted incident, a denied attempt). Returns the new head.
    async fn append_audit(&self, audit: AuditDraft) -> StoreResult<ChainSummary>;
    /// The chain's length and head hash as stored (not verified).
    async fn audit_head(&self) -> StoreResult<ChainSummary>;
    /// Up to `limit` stored rows with sequence greater than `after`, in
    /// sequence order, exactly as stored.
    async fn audit_links(&self, after: u64, limit: u32) -> StoreResult<Vec<StoredLink>>;
}
