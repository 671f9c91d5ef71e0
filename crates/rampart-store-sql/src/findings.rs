//! The findings inventory's SQL: recording uploads (reconcile under the
//! write lock), listing and counting findings, triage and the expiry
//! sweep, and the blast-radius reads.
//!
//! `Value` has no arrays, so `IN` lists and multi-row inserts are built
//! with generated placeholders, in chunks small enough for either
//! database's parameter limit (SQLite 32,766, PostgreSQL 65,535).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use rampart_inventory::finding::extract_advisory_ids;
use rampart_inventory::{
    ComponentKey, DataClassification, FindingFingerprint, FindingState, IncomingComponent,
    IncomingFinding, KnownComponent, KnownFinding, PlannedEvent, ServiceName, Severity, TeamName,
    Tier, UploadFormat, UploadScope, UploadSnapshot, reconcile,
};
use rampart_store::{
    AuditDraft, ComponentHit, DecisionError, FindingEventRow, FindingFilter, FindingHit,
    FindingRow, ServiceCountsRow, StoreError, StoreResult, TriageDecide, TriageUpdate,
    UploadOutcome, UploadRequest, UploadRow, UploadTally,
};

use crate::{
    Connection, Database, Reader, Row, Statement, Value, append_audit, json_text, query, to_i64,
};

/// Rows per multi-row insert and values per `IN` list: 500 × the widest
/// row (26 columns) stays under SQLite's 32,766 parameters.
const CHUNK: usize = 500;

/// Most services one `findings` filter may name: one placeholder each,
/// within SQLite's 32,766.
pub const MAX_FILTER_SERVICES: usize = 30_000;

/// The actor of the store's own sweeps.
const SWEEP_ACTOR: &str = "rampart";

/// SQL text with `$N` placeholders numbered as values are added.
struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            params: Vec::new(),
        }
    }

    /// Adds a parameter; its placeholder.
    fn arg(&mut self, value: impl Into<Value>) -> String {
        self.params.push(value.into());
        format!("${}", self.params.len())
    }

    /// Adds a parenthesised list of parameters: `($3, $4, $5)`. An empty
    /// list is `(NULL)`, which `IN` never matches (`IN ()` is not SQL).
    fn list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> String {
        let marks: Vec<String> = values.into_iter().map(|v| self.arg(v)).collect();
        if marks.is_empty() {
            return "(NULL)".to_owned();
        }
        format!("({})", marks.join(", "))
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn statement(self) -> Statement {
        Statement {
            sql: Cow::Owned(self.text),
            params: self.params,
        }
    }
}

// ---- Reading rows ------------------------------------------------------------

const FINDING_SELECT: &str = "SELECT f.id, s.name AS service_name, s.owner AS service_owner,
        s.tier AS service_tier, s.data_classification AS service_classification, f.scope,
        f.fingerprint, f.fingerprint_origin, f.kind, f.rule_id, f.title, f.severity, f.state,
        f.state_reason, f.state_by, f.state_at, f.risk_expires_at, f.path, f.line, f.package,
        f.ids, f.detail, f.local_suppression, f.first_seen, f.last_seen, f.fixed_at,
        f.reopened_at, f.reopen_count, f.due_at, f.last_upload_id
     FROM findings f JOIN services s ON s.id = f.service_id";

fn tier_of<R: Row + ?Sized>(read: &Reader<'_, R>, column: &str) -> StoreResult<Option<Tier>> {
    read.opt_int(column)?
        .map(Tier::new)
        .transpose()
        .map_err(|error| StoreError::corrupt(format!("column {column}: {error}")))
}

fn opt_json<T: serde::de::DeserializeOwned, R: Row + ?Sized>(
    read: &Reader<'_, R>,
    column: &str,
) -> StoreResult<Option<T>> {
    read.opt_text(column)?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|error| StoreError::corrupt(format!("column {column}: {error}")))
        })
        .transpose()
}

fn hit_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<(FindingRow, Option<DataClassification>)> {
    let read = Reader::new(row, "findings");
    let line = read
        .opt_int("line")?
        .map(|line| u64::try_from(line).map_err(|_| StoreError::corrupt("negative line")))
        .transpose()?;
    let reopen_count = u32::try_from(read.int("reopen_count")?)
        .map_err(|_| StoreError::corrupt("table findings column reopen_count out of range"))?;
    let finding = FindingRow {
        id: read.int("id")?,
        service: read.checked("service_name", ServiceName::parse)?,
        team: read.opt_checked("service_owner", TeamName::parse)?,
        tier: tier_of(&read, "service_tier")?,
        scope: read.text("scope")?,
        fingerprint: read.checked("fingerprint", FindingFingerprint::parse)?,
        fingerprint_origin: read.enumeration("fingerprint_origin")?,
        kind: read.enumeration("kind")?,
        rule_id: read.text("rule_id")?,
        title: read.text("title")?,
        severity: read.parsed::<Severity>("severity")?,
        state: read.parsed::<FindingState>("state")?,
        state_reason: read.opt_text("state_reason")?,
        state_by: read.opt_text("state_by")?,
        state_at: read.opt_time("state_at")?,
        risk_expires_at: read.opt_time("risk_expires_at")?,
        path: read.opt_text("path")?,
        line,
        package: opt_json(&read, "package")?,
        ids: read.json("ids")?,
        detail: read.json("detail")?,
        local_suppression: opt_json(&read, "local_suppression")?,
        first_seen: read.time("first_seen")?,
        last_seen: read.time("last_seen")?,
        fixed_at: read.opt_time("fixed_at")?,
        reopened_at: read.opt_time("reopened_at")?,
        reopen_count,
        due_at: read.opt_time("due_at")?,
        last_upload_id: read.int("last_upload_id")?,
    };
    let classification = read.opt_checked("service_classification", DataClassification::parse)?;
    Ok((finding, classification))
}

fn finding_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<FindingRow> {
    hit_from_row(row).map(|(finding, _)| finding)
}

fn event_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<FindingEventRow> {
    let read = Reader::new(row, "finding_events");
    Ok(FindingEventRow {
        finding_id: read.int("finding_id")?,
        seq: read.int("seq")?,
        at: read.time("at")?,
        actor: read.text("actor")?,
        action: read.text("action")?,
        from_state: read.opt_parsed("from_state")?,
        to_state: read.opt_parsed("to_state")?,
        reason: read.opt_text("reason")?,
        expires_at: read.opt_time("expires_at")?,
        upload_id: read.opt_int("upload_id")?,
    })
}

const UPLOAD_SELECT: &str = "SELECT u.id, s.name AS service_name, u.format, u.scopes, u.digest,
        u.tool, u.commit_id, u.run, u.uploaded_by, u.uploaded_at, u.counts
     FROM uploads u JOIN services s ON s.id = u.service_id";

fn upload_from_row<R: Row + ?Sized>(row: &R) -> StoreResult<UploadRow> {
    let read = Reader::new(row, "uploads");
    Ok(UploadRow {
        id: read.int("id")?,
        service: read.checked("service_name", ServiceName::parse)?,
        format: read.parsed::<UploadFormat>("format")?,
        scopes: read.json::<Vec<UploadScope>>("scopes")?,
        digest: read.text("digest")?,
        tool: read.opt_text("tool")?,
        commit: read.opt_text("commit_id")?,
        run: read.opt_text("run")?,
        uploaded_by: read.text("uploaded_by")?,
        uploaded_at: read.time("uploaded_at")?,
        tally: read.json::<UploadTally>("counts")?,
    })
}

async fn service_id<C: Connection + ?Sized>(
    conn: &mut C,
    service: &ServiceName,
) -> StoreResult<Option<i64>> {
    query("SELECT id FROM services WHERE name = $1")
        .bind(service.as_str())
        .fetch_int(conn)
        .await
}

async fn finding_by_id<C: Connection + ?Sized>(
    conn: &mut C,
    id: i64,
) -> StoreResult<Option<FindingRow>> {
    query(format!("{FINDING_SELECT} WHERE f.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| finding_from_row(&row))
        .transpose()
}

// ---- Writing rows ------------------------------------------------------------

/// One `finding_events` row to insert.
struct EventInsert {
    finding_id: i64,
    seq: i64,
    at: Timestamp,
    actor: String,
    action: String,
    from_state: Option<FindingState>,
    to_state: Option<FindingState>,
    reason: Option<String>,
    expires_at: Option<Timestamp>,
    upload_id: Option<i64>,
}

impl EventInsert {
    fn planned(
        finding_id: i64,
        seq: i64,
        event: &PlannedEvent,
        at: Timestamp,
        actor: &str,
        upload_id: i64,
    ) -> Self {
        Self {
            finding_id,
            seq,
            at,
            actor: actor.to_owned(),
            action: event.action.to_owned(),
            from_state: event.from_state,
            to_state: event.to_state,
            reason: event.reason.clone(),
            expires_at: None,
            upload_id: Some(upload_id),
        }
    }
}

async fn insert_events<C: Connection + ?Sized>(
    conn: &mut C,
    events: &[EventInsert],
) -> StoreResult<()> {
    for chunk in events.chunks(CHUNK) {
        let mut sql = Sql::new(
            "INSERT INTO finding_events (finding_id, seq, at, actor, action, from_state,
                                         to_state, reason, expires_at, upload_id) VALUES ",
        );
        let rows: Vec<String> = chunk
            .iter()
            .map(|e| {
                sql.list([
                    Value::from(e.finding_id),
                    Value::from(e.seq),
                    Value::from(e.at),
                    Value::from(e.actor.as_str()),
                    Value::from(e.action.as_str()),
                    Value::from(e.from_state.map(FindingState::as_str)),
                    Value::from(e.to_state.map(FindingState::as_str)),
                    Value::from(e.reason.as_deref()),
                    Value::from(e.expires_at),
                    Value::from(e.upload_id),
                ])
            })
            .collect();
        sql.push(&rows.join(", "));
        sql.statement().execute(conn).await?;
    }
    Ok(())
}

/// The ids `finding_ids` keeps for a finding: its own, plus its rule id
/// when that names an advisory.
fn advisory_ids(finding: &IncomingFinding) -> Vec<String> {
    let mut ids = finding.ids.clone();
    extract_advisory_ids(&finding.rule_id, &mut ids);
    let unique: BTreeSet<String> = ids.into_iter().map(|id| id.to_ascii_uppercase()).collect();
    unique.into_iter().collect()
}

async fn insert_finding_ids<C: Connection + ?Sized>(
    conn: &mut C,
    pairs: &[(String, i64)],
) -> StoreResult<()> {
    for chunk in pairs.chunks(CHUNK) {
        let mut sql = Sql::new("INSERT INTO finding_ids (advisory_id, finding_id) VALUES ");
        let rows: Vec<String> = chunk
            .iter()
            .map(|(id, finding)| sql.list([Value::from(id.as_str()), Value::from(*finding)]))
            .collect();
        sql.push(&rows.join(", "));
        sql.push(" ON CONFLICT DO NOTHING");
        sql.statement().execute(conn).await?;
    }
    Ok(())
}

/// Runs `UPDATE findings SET <set> WHERE id IN (…)` over `ids` in chunks;
/// `set` uses placeholders `$1 …` bound from `values`.
async fn update_by_ids<C: Connection + ?Sized>(
    conn: &mut C,
    set: &str,
    values: &[Value],
    ids: &[i64],
) -> StoreResult<()> {
    for chunk in ids.chunks(CHUNK) {
        let mut sql = Sql::new(format!("UPDATE findings SET {set} WHERE id IN "));
        sql.params.extend(values.iter().cloned());
        let list = sql.list(chunk.iter().copied());
        sql.push(&list);
        sql.statement().execute(conn).await?;
    }
    Ok(())
}

fn optional_json<T: serde::Serialize>(value: Option<&T>) -> StoreResult<Option<String>> {
    value.map(json_text).transpose()
}

/// The tally merged into the audit payload under `counts` (an object
/// payload gains the key; anything else is kept under `payload`).
fn with_key(payload: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    match payload {
        serde_json::Value::Object(mut map) => {
            map.insert(key.to_owned(), value);
            serde_json::Value::Object(map)
        }
        serde_json::Value::Null => serde_json::json!({ key: value }),
        other => serde_json::json!({ "payload": other, key: value }),
    }
}

/// What the store keeps of a known finding besides what reconcile needs.
struct KnownExtra {
    event_seq: i64,
    ids: Vec<String>,
}

// ---- Uploads -----------------------------------------------------------------

/// `Store::record_upload`.
pub async fn record_upload(
    db: &dyn Database,
    request: UploadRequest,
) -> StoreResult<UploadOutcome> {
    let UploadRequest {
        service,
        upload,
        sla,
        by,
        at,
        audit,
    } = request;
    let mut tx = db.write().await?;
    let Some(service_id) = service_id(&mut *tx, &service).await? else {
        tx.rollback().await?;
        return Err(StoreError::NotFound {
            what: format!("service {service}"),
        });
    };
    let scope_key = upload.scope_key();
    let latest = query(format!(
        "{UPLOAD_SELECT} WHERE u.service_id = $1 AND u.scope_key = $2 ORDER BY u.id DESC LIMIT 1"
    ))
    .bind(service_id)
    .bind(scope_key.as_str())
    .fetch_optional(&mut *tx)
    .await?
    .map(|row| upload_from_row(&row))
    .transpose()?;
    if let Some(latest) = latest
        && latest.digest == upload.digest
    {
        tx.rollback().await?;
        return Ok(UploadOutcome {
            upload: latest,
            duplicate: true,
        });
    }

    // What is stored for the upload's scopes.
    let scope_names: Vec<&str> = upload.scopes.iter().map(|s| s.scope.as_str()).collect();
    let mut snapshot = UploadSnapshot::default();
    let mut extra: HashMap<i64, KnownExtra> = HashMap::new();
    {
        let mut sql = Sql::new(
            "SELECT id, scope, fingerprint, state, severity, due_at, first_seen, event_seq, ids
             FROM findings WHERE service_id = ",
        );
        let service_mark = sql.arg(service_id);
        sql.push(&service_mark);
        sql.push(" AND scope IN ");
        let list = sql.list(scope_names.iter().copied());
        sql.push(&list);
        for row in sql.statement().fetch_all(&mut *tx).await? {
            let read = Reader::new(&row, "findings");
            let id = read.int("id")?;
            snapshot.findings.push(KnownFinding {
                id,
                scope: read.text("scope")?,
                fingerprint: read.checked("fingerprint", FindingFingerprint::parse)?,
                state: read.parsed("state")?,
                severity: read.parsed("severity")?,
                due_at: read.opt_time("due_at")?,
                first_seen: read.time("first_seen")?,
            });
            extra.insert(
                id,
                KnownExtra {
                    event_seq: read.int("event_seq")?,
                    ids: read.json("ids")?,
                },
            );
        }
        let mut sql = Sql::new(
            "SELECT id, scope, ecosystem, name, version, path FROM components WHERE service_id = ",
        );
        let service_mark = sql.arg(service_id);
        sql.push(&service_mark);
        sql.push(" AND scope IN ");
        let list = sql.list(scope_names.iter().copied());
        sql.push(&list);
        for row in sql.statement().fetch_all(&mut *tx).await? {
            let read = Reader::new(&row, "components");
            let version = read.text("version")?;
            snapshot.components.push(KnownComponent {
                id: read.int("id")?,
                key: ComponentKey {
                    scope: read.text("scope")?,
                    ecosystem: read.text("ecosystem")?,
                    name: read.text("name")?,
                    version: (!version.is_empty()).then_some(version),
                    path: read.text("path")?,
                },
            });
        }
    }

    let plan = reconcile(&snapshot, &upload, at, &sla);
    let tally = UploadTally::from_plan(&plan.tally, upload.skipped);
    let counts = serde_json::to_value(tally).map_err(StoreError::corrupt)?;

    let upload_id = query(
        "INSERT INTO uploads (service_id, format, scope_key, scopes, digest, tool, commit_id, run,
                              uploaded_by, uploaded_at, counts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(service_id)
    .bind(upload.format.as_str())
    .bind(scope_key.as_str())
    .bind(json_text(&upload.scopes)?)
    .bind(upload.digest.as_str())
    .bind(upload.tool.as_deref())
    .bind(upload.commit.as_deref())
    .bind(upload.run.as_deref())
    .bind(by.as_str())
    .bind(at)
    .bind(json_text(&tally)?)
    .insert_returning_id(&mut *tx, "upload", "service")
    .await?;

    let mut events = Vec::new();
    let mut id_pairs = Vec::new();

    // New findings, then their ids (by key: the insert order of a
    // multi-row insert's RETURNING is not promised).
    for chunk in plan.inserts.chunks(CHUNK / 2) {
        let mut sql = Sql::new(
            "INSERT INTO findings (service_id, scope, fingerprint, fingerprint_origin, kind,
                 rule_id, title, severity, severity_rank, path, line, package, ids, detail,
                 local_suppression, state, first_seen, last_seen, due_at, event_seq,
                 first_upload_id, last_upload_id) VALUES ",
        );
        let mut rows = Vec::with_capacity(chunk.len());
        for insert in chunk {
            let f = &insert.finding;
            let values = [
                Value::from(service_id),
                Value::from(f.scope.as_str()),
                Value::from(f.fingerprint.as_str()),
                Value::from(f.fingerprint_origin.as_str()),
                Value::from(f.kind.as_str()),
                Value::from(f.rule_id.as_str()),
                Value::from(f.title.as_str()),
                Value::from(f.severity.as_str()),
                Value::from(i64::from(f.severity.display_rank())),
                Value::from(f.path.as_deref()),
                Value::from(f.line.map(|l| to_i64(l, "line")).transpose()?),
                Value::from(optional_json(f.package.as_ref())?),
                Value::from(json_text(&advisory_ids(f))?),
                Value::from(json_text(&f.detail)?),
                Value::from(optional_json(f.local_suppression.as_ref())?),
                Value::from(FindingState::Open.as_str()),
                Value::from(at),
                Value::from(at),
                Value::from(insert.due_at),
                Value::from(insert.events.len() as i64),
                Value::from(upload_id),
                Value::from(upload_id),
            ];
            rows.push(sql.list(values));
        }
        sql.push(&rows.join(", "));
        sql.statement().execute(&mut *tx).await?;
    }
    if !plan.inserts.is_empty() {
        let mut new_ids: HashMap<(String, String), i64> = HashMap::new();
        for row in query(
            "SELECT id, scope, fingerprint FROM findings
             WHERE service_id = $1 AND first_upload_id = $2",
        )
        .bind(service_id)
        .bind(upload_id)
        .fetch_all(&mut *tx)
        .await?
        {
            let read = Reader::new(&row, "findings");
            new_ids.insert(
                (read.text("scope")?, read.text("fingerprint")?),
                read.int("id")?,
            );
        }
        for insert in &plan.inserts {
            let f = &insert.finding;
            let key = (f.scope.clone(), f.fingerprint.as_str().to_owned());
            let id = *new_ids
                .get(&key)
                .ok_or_else(|| StoreError::corrupt("an inserted finding was not found"))?;
            for (n, event) in insert.events.iter().enumerate() {
                events.push(EventInsert::planned(
                    id,
                    n as i64 + 1,
                    event,
                    at,
                    &by,
                    upload_id,
                ));
            }
            id_pairs.extend(advisory_ids(f).into_iter().map(|a| (a, id)));
        }
    }

    // Findings seen again (or reopened): their values differ row by row.
    for refresh in &plan.refreshes {
        let f = &refresh.finding;
        let known = extra
            .get(&refresh.id)
            .ok_or_else(|| StoreError::corrupt("a refreshed finding was not in the snapshot"))?;
        let ids = advisory_ids(f);
        let reopen = if refresh.reopened {
            ", reopened_at = $18, reopen_count = reopen_count + 1, state_reason = NULL,
               state_by = NULL, state_at = NULL, risk_expires_at = NULL"
        } else {
            ""
        };
        let mut statement = query(format!(
            "UPDATE findings SET fingerprint_origin = $1, kind = $2, rule_id = $3, title = $4,
                 severity = $5, severity_rank = $6, path = $7, line = $8, package = $9,
                 ids = $10, detail = $11, local_suppression = $12, state = $13, due_at = $14,
                 last_seen = $15, last_upload_id = $16, event_seq = event_seq + {events}{reopen}
             WHERE id = $17",
            events = refresh.events.len(),
        ))
        .bind(f.fingerprint_origin.as_str())
        .bind(f.kind.as_str())
        .bind(f.rule_id.as_str())
        .bind(f.title.as_str())
        .bind(f.severity.as_str())
        .bind(i64::from(f.severity.display_rank()))
        .bind(f.path.as_deref())
        .bind(f.line.map(|l| to_i64(l, "line")).transpose()?)
        .bind(optional_json(f.package.as_ref())?)
        .bind(json_text(&ids)?)
        .bind(json_text(&f.detail)?)
        .bind(optional_json(f.local_suppression.as_ref())?)
        .bind(refresh.state.as_str())
        .bind(refresh.due_at)
        .bind(at)
        .bind(upload_id)
        .bind(refresh.id);
        if refresh.reopened {
            statement = statement.bind(at);
        }
        statement.execute(&mut *tx).await?;
        for (n, event) in refresh.events.iter().enumerate() {
            events.push(EventInsert::planned(
                refresh.id,
                known.event_seq + n as i64 + 1,
                event,
                at,
                &by,
                upload_id,
            ));
        }
        if ids != known.ids {
            query("DELETE FROM finding_ids WHERE finding_id = $1")
                .bind(refresh.id)
                .execute(&mut *tx)
                .await?;
            id_pairs.extend(ids.into_iter().map(|a| (a, refresh.id)));
        }
    }

    // Findings a complete scope no longer reports.
    let fixed: Vec<i64> = plan.fixes.iter().map(|fix| fix.id).collect();
    update_by_ids(
        &mut *tx,
        "state = 'fixed', fixed_at = $1, state_reason = NULL, state_by = NULL,
         state_at = NULL, risk_expires_at = NULL, event_seq = event_seq + 1",
        &[Value::from(at)],
        &fixed,
    )
    .await?;
    for fix in &plan.fixes {
        let seq = extra.get(&fix.id).map_or(0, |known| known.event_seq);
        for (n, event) in fix.events.iter().enumerate() {
            events.push(EventInsert::planned(
                fix.id,
                seq + n as i64 + 1,
                event,
                at,
                &by,
                upload_id,
            ));
        }
    }
    insert_events(&mut *tx, &events).await?;
    insert_finding_ids(&mut *tx, &id_pairs).await?;

    insert_components(&mut *tx, service_id, &plan.component_inserts, at, upload_id).await?;
    for chunk in plan.component_deletes.chunks(CHUNK) {
        let mut sql = Sql::new("DELETE FROM components WHERE id IN ");
        let list = sql.list(chunk.iter().copied());
        sql.push(&list);
        sql.statement().execute(&mut *tx).await?;
    }

    for scope in &upload.scopes {
        query(
            "INSERT INTO service_scopes (service_id, scope, last_upload_id, last_seen_at, complete)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (service_id, scope) DO UPDATE SET
                 last_upload_id = excluded.last_upload_id,
                 last_seen_at = excluded.last_seen_at, complete = excluded.complete",
        )
        .bind(service_id)
        .bind(scope.scope.as_str())
        .bind(upload_id)
        .bind(at)
        .bind(scope.complete)
        .execute(&mut *tx)
        .await?;
    }

    let audit = AuditDraft {
        payload: with_key(audit.payload, "counts", counts),
        ..audit
    };
    append_audit(&mut *tx, audit).await?;
    tx.commit().await?;
    Ok(UploadOutcome {
        upload: UploadRow {
            id: upload_id,
            service,
            format: upload.format,
            scopes: upload.scopes,
            digest: upload.digest,
            tool: upload.tool,
            commit: upload.commit,
            run: upload.run,
            uploaded_by: by,
            uploaded_at: at,
            tally,
        },
        duplicate: false,
    })
}

async fn insert_components<C: Connection + ?Sized>(
    conn: &mut C,
    service_id: i64,
    components: &[IncomingComponent],
    at: Timestamp,
    upload_id: i64,
) -> StoreResult<()> {
    for chunk in components.chunks(CHUNK) {
        let mut sql = Sql::new(
            "INSERT INTO components (service_id, scope, ecosystem, name, version, purl, path,
                                     first_seen, first_upload_id) VALUES ",
        );
        let rows: Vec<String> = chunk
            .iter()
            .map(|c| {
                sql.list([
                    Value::from(service_id),
                    Value::from(c.scope.as_str()),
                    Value::from(c.ecosystem.as_str()),
                    Value::from(c.name.as_str()),
                    Value::from(c.version.as_deref().unwrap_or("")),
                    Value::from(c.purl.as_deref()),
                    Value::from(c.path.as_str()),
                    Value::from(at),
                    Value::from(upload_id),
                ])
            })
            .collect();
        sql.push(&rows.join(", "));
        sql.statement().execute(conn).await?;
    }
    Ok(())
}

/// `Store::uploads`.
pub async fn uploads(
    db: &dyn Database,
    service: &ServiceName,
    limit: u32,
) -> StoreResult<Vec<UploadRow>> {
    let mut conn = db.connection().await?;
    query(format!(
        "{UPLOAD_SELECT} WHERE s.name = $1 ORDER BY u.id DESC LIMIT $2"
    ))
    .bind(service.as_str())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(upload_from_row)
    .collect()
}

// ---- Findings ----------------------------------------------------------------

/// The SQL condition "effectively `state` at the time bound as `now`".
fn state_condition(state: FindingState, now: &str) -> String {
    match state {
        FindingState::Open => format!(
            "(f.state = 'open' OR (f.state = 'accepted_risk' AND f.risk_expires_at <= {now}))"
        ),
        FindingState::AcceptedRisk => format!(
            "(f.state = 'accepted_risk' AND (f.risk_expires_at IS NULL OR f.risk_expires_at > {now}))"
        ),
        FindingState::FalsePositive => "f.state = 'false_positive'".to_owned(),
        FindingState::Fixed => "f.state = 'fixed'".to_owned(),
    }
}

/// `Store::findings`.
pub async fn findings(
    db: &dyn Database,
    filter: &FindingFilter,
    now: Timestamp,
) -> StoreResult<Vec<FindingRow>> {
    let mut sql = Sql::new(format!("{FINDING_SELECT} WHERE 1 = 1"));
    if let Some(services) = &filter.services {
        if services.is_empty() {
            return Ok(Vec::new());
        }
        let names: BTreeSet<&str> = services.iter().map(ServiceName::as_str).collect();
        if names.len() > MAX_FILTER_SERVICES {
            return Err(StoreError::Backend(
                format!(
                    "a findings filter names {} services; at most {MAX_FILTER_SERVICES}",
                    names.len()
                )
                .into(),
            ));
        }
        let list = sql.list(names);
        sql.push(&format!(" AND s.name IN {list}"));
    }
    if let Some(state) = filter.state {
        let mark = sql.arg(now);
        sql.push(&format!(" AND {}", state_condition(state, &mark)));
    }
    if let Some(min) = filter.min_severity {
        let names: Vec<&str> = Severity::ALL
            .into_iter()
            .filter(|s| s.meets(min))
            .map(Severity::as_str)
            .collect();
        let list = sql.list(names);
        sql.push(&format!(" AND f.severity IN {list}"));
    }
    if let Some(kind) = filter.kind {
        let mark = sql.arg(kind.as_str());
        sql.push(&format!(" AND f.kind = {mark}"));
    }
    if filter.overdue_only {
        let mark = sql.arg(now);
        let open = state_condition(FindingState::Open, &mark);
        let due = sql.arg(now);
        sql.push(&format!(
            " AND {open} AND f.due_at IS NOT NULL AND f.due_at <= {due}"
        ));
    }
    if let Some((rank, id)) = filter.after {
        let rank_a = sql.arg(i64::from(rank));
        let rank_b = sql.arg(i64::from(rank));
        let id = sql.arg(id);
        sql.push(&format!(
            " AND (f.severity_rank > {rank_a} OR (f.severity_rank = {rank_b} AND f.id > {id}))"
        ));
    }
    let limit = sql.arg(i64::from(filter.limit));
    sql.push(&format!(" ORDER BY f.severity_rank, f.id LIMIT {limit}"));
    let mut conn = db.connection().await?;
    sql.statement()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(finding_from_row)
        .collect()
}

/// `Store::finding`.
pub async fn finding(
    db: &dyn Database,
    id: i64,
) -> StoreResult<Option<(FindingRow, Vec<FindingEventRow>)>> {
    let mut tx = db.read().await?;
    let Some(row) = finding_by_id(&mut *tx, id).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    let events = query(
        "SELECT finding_id, seq, at, actor, action, from_state, to_state, reason, expires_at,
                upload_id
         FROM finding_events WHERE finding_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(event_from_row)
    .collect::<StoreResult<Vec<_>>>()?;
    tx.commit().await?;
    Ok(Some((row, events)))
}

/// `Store::triage_finding`.
pub async fn triage_finding(
    db: &dyn Database,
    id: i64,
    decide: TriageDecide<'_>,
) -> StoreResult<Result<FindingRow, DecisionError>> {
    let mut tx = db.write().await?;
    let Some(current) = finding_by_id(&mut *tx, id).await? else {
        tx.rollback().await?;
        return Err(StoreError::NotFound {
            what: format!("finding {id}"),
        });
    };
    let TriageUpdate {
        change,
        by,
        at,
        audit,
    } = match decide(&current) {
        Ok(update) => update,
        Err(refusal) => {
            tx.rollback().await?;
            return Ok(Err(refusal));
        }
    };
    let seq = query("SELECT event_seq FROM findings WHERE id = $1")
        .bind(id)
        .fetch_int(&mut *tx)
        .await?
        .unwrap_or(0)
        + 1;
    // A manual "fixed" is dated like a scan's.
    let manual_fix = change.to == FindingState::Fixed;
    let fixed_at = if manual_fix { "$7" } else { "fixed_at" };
    let mut statement = query(format!(
        "UPDATE findings SET state = $1, state_reason = $2, state_by = $3, state_at = $4,
             risk_expires_at = $5, event_seq = event_seq + 1, fixed_at = {fixed_at}
         WHERE id = $6"
    ))
    .bind(change.to.as_str())
    .bind(change.state_reason())
    .bind(by.as_str())
    .bind(at)
    .bind(change.expires_at)
    .bind(id);
    if manual_fix {
        statement = statement.bind(at);
    }
    statement.execute(&mut *tx).await?;
    insert_events(
        &mut *tx,
        &[EventInsert {
            finding_id: id,
            seq,
            at,
            actor: by,
            action: "triaged".to_owned(),
            from_state: Some(change.from),
            to_state: Some(change.to),
            reason: change.reason.clone(),
            expires_at: change.expires_at,
            upload_id: None,
        }],
    )
    .await?;
    append_audit(&mut *tx, audit).await?;
    let row = finding_by_id(&mut *tx, id)
        .await?
        .ok_or_else(|| StoreError::corrupt(format!("finding {id} vanished")))?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// `Store::finding_counts`.
pub async fn finding_counts(
    db: &dyn Database,
    now: Timestamp,
) -> StoreResult<Vec<ServiceCountsRow>> {
    let mut tx = db.read().await?;
    let mut rows: Vec<(i64, ServiceCountsRow)> = Vec::new();
    for row in query("SELECT id, name, owner, tier FROM services")
        .fetch_all(&mut *tx)
        .await?
    {
        let read = Reader::new(&row, "services");
        rows.push((
            read.int("id")?,
            ServiceCountsRow {
                service: read.checked("name", ServiceName::parse)?,
                team: read.opt_checked("owner", TeamName::parse)?,
                tier: tier_of(&read, "tier")?,
                open: Severity::ALL.into_iter().map(|s| (s, 0)).collect(),
                overdue: 0,
                accepted_risk: 0,
                false_positive: 0,
                fixed: 0,
                last_upload_at: None,
            },
        ));
    }
    let index: HashMap<i64, usize> = rows
        .iter()
        .enumerate()
        .map(|(at, (id, _))| (*id, at))
        .collect();
    for row in query(
        "SELECT service_id, severity, effective, COUNT(*) AS n, SUM(due) AS due
         FROM (SELECT f.service_id, f.severity,
                      CASE WHEN f.state = 'accepted_risk' AND f.risk_expires_at <= $1
                           THEN 'open' ELSE f.state END AS effective,
                      CASE WHEN f.due_at IS NOT NULL AND f.due_at <= $2 THEN 1 ELSE 0 END AS due
               FROM findings f) AS e
         GROUP BY service_id, severity, effective",
    )
    .bind(now)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?
    {
        let read = Reader::new(&row, "findings");
        let Some(&at) = index.get(&read.int("service_id")?) else {
            continue;
        };
        let counts = &mut rows[at].1;
        let n = u64::try_from(read.int("n")?).unwrap_or(0);
        let severity: Severity = read.parsed("severity")?;
        match read.parsed::<FindingState>("effective")? {
            FindingState::Open => {
                if let Some(slot) = counts.open.iter_mut().find(|(s, _)| *s == severity) {
                    slot.1 += n;
                }
                counts.overdue += u64::try_from(read.int("due")?).unwrap_or(0);
            }
            FindingState::AcceptedRisk => counts.accepted_risk += n,
            FindingState::FalsePositive => counts.false_positive += n,
            FindingState::Fixed => counts.fixed += n,
        }
    }
    for row in query(
        "SELECT service_id, MAX(uploaded_at) AS last_upload_at FROM uploads GROUP BY service_id",
    )
    .fetch_all(&mut *tx)
    .await?
    {
        let read = Reader::new(&row, "uploads");
        if let Some(&at) = index.get(&read.int("service_id")?) {
            rows[at].1.last_upload_at = read.opt_time("last_upload_at")?;
        }
    }
    tx.commit().await?;
    let mut rows: Vec<ServiceCountsRow> = rows.into_iter().map(|(_, row)| row).collect();
    rows.sort_by(|a, b| a.service.as_str().cmp(b.service.as_str()));
    Ok(rows)
}

/// `Store::expire_accepted_risks`.
pub async fn expire_accepted_risks(
    db: &dyn Database,
    now: Timestamp,
    audit: AuditDraft,
) -> StoreResult<Vec<i64>> {
    let mut tx = db.write().await?;
    let mut lapsed = Vec::new();
    for row in query(
        "SELECT id, event_seq, risk_expires_at FROM findings
         WHERE state = 'accepted_risk' AND risk_expires_at <= $1 ORDER BY id",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?
    {
        let read = Reader::new(&row, "findings");
        lapsed.push((
            read.int("id")?,
            read.int("event_seq")?,
            read.opt_time("risk_expires_at")?,
        ));
    }
    if lapsed.is_empty() {
        tx.rollback().await?;
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = lapsed.iter().map(|(id, _, _)| *id).collect();
    update_by_ids(
        &mut *tx,
        "state = 'open', state_reason = NULL, state_by = $1, state_at = $2,
         risk_expires_at = NULL, event_seq = event_seq + 1",
        &[Value::from(SWEEP_ACTOR), Value::from(now)],
        &ids,
    )
    .await?;
    let events: Vec<EventInsert> = lapsed
        .iter()
        .map(|(id, seq, expiry)| EventInsert {
            finding_id: *id,
            seq: seq + 1,
            at: now,
            actor: SWEEP_ACTOR.to_owned(),
            action: "risk_expired".to_owned(),
            from_state: Some(FindingState::AcceptedRisk),
            to_state: Some(FindingState::Open),
            reason: None,
            expires_at: *expiry,
            upload_id: None,
        })
        .collect();
    insert_events(&mut *tx, &events).await?;
    let audit = AuditDraft {
        payload: with_key(audit.payload, "findings", serde_json::json!(ids)),
        ..audit
    };
    append_audit(&mut *tx, audit).await?;
    tx.commit().await?;
    Ok(ids)
}

// ---- Blast radius --------------------------------------------------------------

/// `Store::package_hits`.
pub async fn package_hits(
    db: &dyn Database,
    ecosystem: &str,
    name: &str,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> StoreResult<Vec<ComponentHit>> {
    let mut tx = db.read().await?;
    // Index-only on components_by_package.
    let mut kept: Vec<String> = vec![String::new()];
    for row in query("SELECT DISTINCT version FROM components WHERE ecosystem = $1 AND name = $2")
        .bind(ecosystem)
        .bind(name)
        .fetch_all(&mut *tx)
        .await?
    {
        let version = Reader::new(&row, "components").text("version")?;
        if !version.is_empty() && keep(&version) {
            kept.push(version);
        }
    }
    let mut hits = Vec::new();
    for chunk in kept.chunks(CHUNK) {
        let mut sql = Sql::new(
            "SELECT c.scope, c.ecosystem, c.name, c.version, c.path, c.purl,
                    s.name AS service_name, s.owner AS service_owner, s.tier AS service_tier,
                    s.data_classification AS service_classification
             FROM components c JOIN services s ON s.id = c.service_id
             WHERE c.ecosystem = ",
        );
        let eco = sql.arg(ecosystem);
        sql.push(&eco);
        let name_mark = sql.arg(name);
        sql.push(&format!(" AND c.name = {name_mark} AND c.version IN "));
        let list = sql.list(chunk.iter().map(String::as_str));
        sql.push(&list);
        for row in sql.statement().fetch_all(&mut *tx).await? {
            let read = Reader::new(&row, "components");
            let version = read.text("version")?;
            hits.push(ComponentHit {
                service: read.checked("service_name", ServiceName::parse)?,
                team: read.opt_checked("service_owner", TeamName::parse)?,
                tier: tier_of(&read, "service_tier")?,
                data_classification: read
                    .opt_checked("service_classification", DataClassification::parse)?,
                scope: read.text("scope")?,
                ecosystem: read.text("ecosystem")?,
                name: read.text("name")?,
                version: (!version.is_empty()).then_some(version),
                path: read.text("path")?,
                purl: read.opt_text("purl")?,
            });
        }
    }
    tx.commit().await?;
    hits.sort_by(|a, b| {
        (a.service.as_str(), &a.scope, &a.version, &a.path).cmp(&(
            b.service.as_str(),
            &b.scope,
            &b.version,
            &b.path,
        ))
    });
    Ok(hits)
}

async fn hits(db: &dyn Database, statement: Statement) -> StoreResult<Vec<FindingHit>> {
    let mut conn = db.connection().await?;
    statement
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            hit_from_row(row).map(|(finding, data_classification)| FindingHit {
                finding,
                data_classification,
            })
        })
        .collect()
}

/// `Store::advisory_hits`.
pub async fn advisory_hits(db: &dyn Database, id: &str) -> StoreResult<Vec<FindingHit>> {
    hits(
        db,
        query(format!(
            "{FINDING_SELECT} JOIN finding_ids i ON i.finding_id = f.id
             WHERE i.advisory_id = $1 ORDER BY f.id"
        ))
        .bind(id.trim().to_ascii_uppercase()),
    )
    .await
}

/// `Store::secret_hits`.
pub async fn secret_hits(
    db: &dyn Database,
    fingerprint: &FindingFingerprint,
) -> StoreResult<Vec<FindingHit>> {
    hits(
        db,
        query(format!(
            "{FINDING_SELECT} WHERE f.fingerprint = $1 ORDER BY f.id"
        ))
        .bind(fingerprint.as_str()),
    )
    .await
}
