//! Evidence items and their chain of custody (step 10).
//!
//! An evidence item is a row of `records` of kind `evidence_item`; its
//! custody log is `evidence_custody`, numbered from 1 per item. Custody rows
//! are append-only: this module (and the crate) has no statement that
//! updates or deletes one, and the migration adds triggers refusing it.
//!
//! The `Store` methods here that read evidence (`append_custody`) write
//! under the write lock like every other write, but leave the incident's
//! version alone: recording that someone looked at an item changes nothing
//! a concurrent writer decided on.

use jiff::Timestamp;
use rampart_incident::{
    CustodyAction, CustodyEvent, EvidenceItem, IncidentId, NonEmptyText, RecordKind, StepRecord,
    UserName,
};
use rampart_store::{AuditDraft, CustodyRow, EvidenceRow, StoreError, StoreResult};

use crate::{Connection, Database, Reader, Row, append_audit, json_text, query};

const EVIDENCE_SELECT: &str = "SELECT id, incident_id, record, created_by, created_at FROM records";
const CUSTODY_SELECT: &str = "SELECT incident_id, record_id, seq, action, actor, at, reason, detail \
     FROM evidence_custody";

fn evidence_from_row<R: Row>(row: &R) -> StoreResult<EvidenceRow> {
    let read = Reader::new(row, "records");
    let record_id = read.int("id")?;
    let StepRecord::EvidenceItem(item) = read.json::<StepRecord>("record")? else {
        return Err(StoreError::corrupt(format!(
            "table records column record: record {record_id} is stored as an evidence item \
             but holds another kind"
        )));
    };
    Ok(EvidenceRow {
        incident: read.parsed("incident_id")?,
        record_id,
        item,
        created_by: read.user_name("created_by")?,
        created_at: read.time("created_at")?,
    })
}

fn custody_from_row<R: Row>(row: &R) -> StoreResult<CustodyRow> {
    let read = Reader::new(row, "evidence_custody");
    let action = read.text("action")?;
    let reason = read
        .opt_text("reason")?
        .map(|text| NonEmptyText::parse("reason", &text))
        .transpose()
        .map_err(|error| {
            StoreError::corrupt(format!("table evidence_custody column reason: {error}"))
        })?;
    Ok(CustodyRow {
        record_id: read.int("record_id")?,
        seq: read.int("seq")?,
        event: CustodyEvent {
            action: CustodyAction::parse(&action).ok_or_else(|| {
                StoreError::corrupt(format!(
                    "table evidence_custody column action: unknown action {action:?}"
                ))
            })?,
            actor: read.user_name("actor")?,
            at: read.time("at")?,
            reason,
            detail: read.opt_text("detail")?,
        },
    })
}

// ---- Writing (inside the caller's write transaction) -------------------------

/// Inserts an evidence item and its first custody entry; returns its id.
pub(crate) async fn add<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    item: EvidenceItem,
    by: &UserName,
    at: Timestamp,
    custody: &CustodyEvent,
) -> StoreResult<i64> {
    let key = id.to_string();
    let record = StepRecord::EvidenceItem(item);
    let record_id: i64 = query(
        "INSERT INTO records (incident_id, step, kind, record, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL) RETURNING id",
    )
    .bind(&key)
    .bind(i64::from(record.step().number()))
    .bind(record.kind().as_str())
    .bind(json_text(&record)?)
    .bind(by.as_str())
    .bind(at)
    .insert_returning_id(&mut *conn, "row", &format!("incident {id}"))
    .await?;
    insert_custody(conn, &key, record_id, 1, custody).await?;
    Ok(record_id)
}

/// Appends `event` to the custody log of `record_id`, which must be an
/// evidence item of incident `id` (else `NotFound`).
pub(crate) async fn append<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    record_id: i64,
    event: &CustodyEvent,
) -> StoreResult<()> {
    let key = id.to_string();
    let found = query("SELECT id FROM records WHERE id = $1 AND incident_id = $2 AND kind = $3")
        .bind(record_id)
        .bind(&key)
        .bind(RecordKind::EvidenceItem.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(StoreError::NotFound {
            what: format!("evidence item {record_id} of incident {id}"),
        });
    }
    // Numbering after the highest is safe: the caller holds the write lock.
    let last: Option<i64> = query("SELECT MAX(seq) FROM evidence_custody WHERE record_id = $1")
        .bind(record_id)
        .fetch_int(&mut *conn)
        .await?;
    insert_custody(conn, &key, record_id, last.unwrap_or(0) + 1, event).await
}

async fn insert_custody<C: Connection + ?Sized>(
    conn: &mut C,
    key: &str,
    record_id: i64,
    seq: i64,
    event: &CustodyEvent,
) -> StoreResult<()> {
    query(
        "INSERT INTO evidence_custody (incident_id, record_id, seq, action, actor, at, reason,
                                       detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(key)
    .bind(record_id)
    .bind(seq)
    .bind(event.action.as_str())
    .bind(event.actor.as_str())
    .bind(event.at)
    .bind(event.reason.as_ref().map(NonEmptyText::as_str))
    .bind(&event.detail)
    .insert(
        &mut *conn,
        &format!("custody entry {seq} of evidence item {record_id}"),
        &format!("evidence item {record_id}"),
    )
    .await?;
    Ok(())
}

// ---- Store methods -------------------------------------------------------------

/// `Store::append_custody`.
pub async fn append_custody(
    db: &dyn Database,
    id: IncidentId,
    entries: Vec<(i64, CustodyEvent)>,
    audit: AuditDraft,
) -> StoreResult<rampart_audit::ChainSummary> {
    let mut tx = db.write().await?;
    let exists = query("SELECT version FROM incidents WHERE id = $1")
        .bind(id.to_string())
        .fetch_int(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound {
            what: format!("incident {id}"),
        });
    }
    for (record_id, event) in &entries {
        append(&mut *tx, id, *record_id, event).await?;
    }
    let head = append_audit(&mut *tx, audit).await?;
    tx.commit().await?;
    Ok(head)
}

/// `Store::custody_log`.
pub async fn custody_log(
    db: &dyn Database,
    id: IncidentId,
    record_id: i64,
) -> StoreResult<Vec<CustodyRow>> {
    let mut conn = db.connection().await?;
    query(format!(
        "{CUSTODY_SELECT} WHERE incident_id = $1 AND record_id = $2 ORDER BY seq"
    ))
    .bind(id.to_string())
    .bind(record_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(custody_from_row)
    .collect()
}

/// `Store::custody_logs`.
pub async fn custody_logs(db: &dyn Database, id: IncidentId) -> StoreResult<Vec<CustodyRow>> {
    let mut conn = db.connection().await?;
    query(format!(
        "{CUSTODY_SELECT} WHERE incident_id = $1 ORDER BY record_id, seq"
    ))
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(custody_from_row)
    .collect()
}

/// `Store::evidence_items`.
pub async fn evidence_items(db: &dyn Database, id: IncidentId) -> StoreResult<Vec<EvidenceRow>> {
    let mut conn = db.connection().await?;
    query(format!(
        "{EVIDENCE_SELECT} WHERE incident_id = $1 AND kind = $2 ORDER BY id"
    ))
    .bind(id.to_string())
    .bind(RecordKind::EvidenceItem.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(evidence_from_row)
    .collect()
}

/// `Store::all_evidence_for_verification`.
pub async fn all_evidence_for_verification(db: &dyn Database) -> StoreResult<Vec<EvidenceRow>> {
    let mut conn = db.connection().await?;
    query(format!("{EVIDENCE_SELECT} WHERE kind = $1 ORDER BY id"))
        .bind(RecordKind::EvidenceItem.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(evidence_from_row)
        .collect()
}

/// `Store::all_custody_for_verification`.
pub async fn all_custody_for_verification(
    db: &dyn Database,
) -> StoreResult<Vec<(rampart_incident::IncidentId, CustodyRow)>> {
    let mut conn = db.connection().await?;
    query(format!(
        "{CUSTODY_SELECT} ORDER BY incident_id, record_id, seq"
    ))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        let incident = Reader::new(row, "evidence_custody").parsed("incident_id")?;
        Ok((incident, custody_from_row(row)?))
    })
    .collect()
}
