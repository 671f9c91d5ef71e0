//! Incidents and everything hanging off them: members, steps, records, the
//! response log, access requests, break-glass and notifications.
//!
//! Functions that write expect to run inside the write transaction the
//! backend opened with its write lock (SQLite `BEGIN IMMEDIATE`,
//! PostgreSQL's advisory lock).

use crate::{Connection, Reader, Row, append_audit, enum_text, json_text, query};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rampart_audit::{Actor, Target};
use rampart_incident::{
    AccessFacts, ActionItemKind, BreakGlassGrant, Codename, IncidentId, IncidentMember, MemberRole,
    ResponseLogEntry, Step, StepEntry, StepFacts, StepRecord, UserName,
};
use rampart_store::{
    AccessRequestRow, AppliedChanges, AuditDraft, BreakGlassRow, IncidentChange, IncidentDetails,
    IncidentState, IncidentStatus, IncidentSummary, LogRow, NewIncident, Notification,
    NotificationKind, RecordRow, StepRow, StoreError, StoreResult,
};

const SUMMARY_COLUMNS: &str = "incidents.id, incidents.codename, incidents.title, \
     incidents.summary, incidents.severity, incidents.tlp, incidents.detected_by, \
     incidents.status, incidents.declared_by, incidents.declared_at, incidents.closed_at, \
     incidents.version";

/// Newest first; the number breaks ties between incidents declared in the
/// same microsecond.
const NEWEST_FIRST: &str =
    "ORDER BY incidents.declared_at DESC, incidents.year DESC, incidents.sequence DESC";

fn summary_from_row<R: Row>(row: &R) -> StoreResult<IncidentSummary> {
    let read = Reader::new(row, "incidents");
    let status = read.text("status")?;
    Ok(IncidentSummary {
        id: read.parsed("id")?,
        codename: read.parsed::<Codename>("codename")?,
        details: IncidentDetails {
            title: read.text("title")?,
            summary: read.opt_text("summary")?,
            severity: read.parsed("severity")?,
            tlp: read.parsed("tlp")?,
            detected_by: read.enumeration("detected_by")?,
        },
        status: IncidentStatus::parse(&status).ok_or_else(|| {
            StoreError::corrupt(format!(
                "table incidents column status: unknown status {status:?}"
            ))
        })?,
        declared_by: read.user_name("declared_by")?,
        declared_at: read.time("declared_at")?,
        closed_at: read.opt_time("closed_at")?,
        version: read.int("version")?,
    })
}

fn record_from_row<R: Row>(row: &R) -> StoreResult<RecordRow> {
    let read = Reader::new(row, "records");
    let record: StepRecord = read.json("record")?;
    Ok(RecordRow {
        id: read.int("id")?,
        // The step follows from the kind; the column is there for queries.
        step: record.step(),
        record,
        created_by: read.user_name("created_by")?,
        created_at: read.time("created_at")?,
        updated_at: read.opt_time("updated_at")?,
    })
}

fn break_glass_from_row<R: Row>(row: &R) -> StoreResult<BreakGlassRow> {
    let read = Reader::new(row, "break_glass_requests");
    Ok(BreakGlassRow {
        id: read.int("id")?,
        request: read.json("request")?,
        codename: read.parsed("codename")?,
    })
}

fn notification_from_row<R: Row>(row: &R) -> StoreResult<Notification> {
    let read = Reader::new(row, "notifications");
    Ok(Notification {
        id: read.int("id")?,
        user: read.user_name("user_name")?,
        incident: read.parsed("incident_id")?,
        codename: read.parsed("codename")?,
        kind: read.json("detail")?,
        created_at: read.time("created_at")?,
        read_at: read.opt_time("read_at")?,
    })
}

/// The `kind` tag of a notification, kept in its own column for queries.
fn notification_tag(kind: &NotificationKind) -> &'static str {
    match kind {
        NotificationKind::BreakGlass(_) => "break_glass",
        NotificationKind::AccessRequested { .. } => "access_requested",
        NotificationKind::AccessDecided { .. } => "access_decided",
        NotificationKind::AddedAsMember { .. } => "added_as_member",
        NotificationKind::EvidenceIntegrityFailure { .. } => "evidence_integrity_failure",
    }
}

/// The `state` tag of a serde-tagged state enum, kept in its own column so
/// queues can be filtered without parsing JSON.
fn state_tag<T: serde::Serialize>(state: &T) -> StoreResult<String> {
    match serde_json::to_value(state).map_err(StoreError::corrupt)? {
        serde_json::Value::Object(map) => match map.get("state") {
            Some(serde_json::Value::String(tag)) => Ok(tag.clone()),
            _ => Err(StoreError::corrupt("a request state has no `state` tag")),
        },
        _ => Err(StoreError::corrupt("a request state is not an object")),
    }
}

// ---- Declaring ---------------------------------------------------------------

/// Declares an incident (see `Store::declare_incident`).
pub async fn declare<C: Connection + ?Sized>(
    conn: &mut C,
    incident: NewIncident,
    actor: Actor,
    audit_payload: serde_json::Value,
) -> StoreResult<IncidentState> {
    let year = TimeZone::UTC.to_datetime(incident.declared_at).year();
    let highest: Option<i64> = query("SELECT MAX(sequence) FROM incidents WHERE year = $1")
        .bind(i64::from(year))
        .fetch_int(&mut *conn)
        .await?;
    let next = highest.unwrap_or(0) + 1;
    let id = u32::try_from(year)
        .ok()
        .zip(u32::try_from(next).ok())
        .and_then(|(year, next)| IncidentId::new(year, next).ok())
        .ok_or_else(|| StoreError::Conflict {
            what: format!("incident number {next} of {year} (the year's numbers are used up)"),
        })?;
    let codename = Codename::for_incident(id);
    let details = &incident.details;
    query(
        "INSERT INTO incidents (id, year, sequence, codename, title, summary, severity, tlp,
                                detected_by, status, declared_by, declared_at, closed_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, 1)",
    )
    .bind(id.to_string())
    .bind(i64::from(year))
    .bind(next)
    .bind(codename.as_str())
    .bind(&details.title)
    .bind(&details.summary)
    .bind(details.severity.as_str())
    .bind(details.tlp.as_str())
    .bind(enum_text(&details.detected_by)?)
    .bind(IncidentStatus::Open.as_str())
    .bind(incident.declared_by.as_str())
    .bind(incident.declared_at)
    .insert(&mut *conn, &format!("incident {id}"), "incident")
    .await?;

    for step in Step::ALL {
        let entry = StepEntry::pending(step);
        query(
            "INSERT INTO steps (incident_id, step, state, entry, owner, notes)
             VALUES ($1, $2, $3, $4, NULL, NULL)",
        )
        .bind(id.to_string())
        .bind(i64::from(step.number()))
        .bind(entry.state.as_str())
        .bind(json_text(&entry)?)
        .execute(&mut *conn)
        .await?;
    }

    let commander = IncidentMember {
        user: incident.declared_by.clone(),
        role: MemberRole::Commander,
    };
    add_member(conn, id, &commander, incident.declared_at).await?;
    let entry =
        ResponseLogEntry::member_added(&incident.declared_by, &commander, incident.declared_at);
    append_log(conn, id, &[entry]).await?;
    let draft = AuditDraft::new(
        incident.declared_at,
        actor,
        "incident.declare",
        Target::new("incident", id.to_string()),
        audit_payload,
    );
    append_audit(conn, draft).await?;

    state(conn, id)
        .await?
        .ok_or_else(|| StoreError::corrupt(format!("incident {id} vanished while declared")))
}

// ---- Reading -----------------------------------------------------------------

/// The full state of one incident.
pub async fn state<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
) -> StoreResult<Option<IncidentState>> {
    let key = id.to_string();
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM incidents WHERE id = $1");
    let Some(row) = query(sql).bind(&key).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let summary = summary_from_row(&row)?;

    let mut access = AccessFacts::default();
    let mut member_since = Vec::new();
    let rows = query(
        "SELECT user_name, role, joined_at FROM incident_members
         WHERE incident_id = $1 ORDER BY id",
    )
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let read = Reader::new(row, "incident_members");
        access.members.push(IncidentMember {
            user: read.user_name("user_name")?,
            role: read.parsed("role")?,
        });
        member_since.push(read.time("joined_at")?);
    }

    let rows = query(
        "SELECT user_name, reason, approved_by, approved_at FROM break_glass_grants
         WHERE incident_id = $1 ORDER BY id",
    )
    .bind(&key)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let read = Reader::new(row, "break_glass_grants");
        let reason = read.text("reason")?;
        access.break_glass.push(BreakGlassGrant {
            user: read.user_name("user_name")?,
            reason: rampart_incident::NonEmptyText::parse("reason", &reason).map_err(|error| {
                StoreError::corrupt(format!("table break_glass_grants column reason: {error}"))
            })?,
            approved_by: read.user_name("approved_by")?,
            approved_at: read.time("approved_at")?,
        });
    }

    let rows =
        query("SELECT step, entry, owner, notes FROM steps WHERE incident_id = $1 ORDER BY step")
            .bind(&key)
            .fetch_all(&mut *conn)
            .await?;
    let mut steps = Vec::with_capacity(rows.len());
    for row in &rows {
        let read = Reader::new(row, "steps");
        let entry: StepEntry = read.json("entry")?;
        if i64::from(entry.step.number()) != read.int("step")? {
            return Err(StoreError::corrupt(format!(
                "table steps column entry: incident {id} has {} stored under another step",
                entry.step
            )));
        }
        steps.push(StepRow {
            entry,
            owner: read.opt_user_name("owner")?,
            notes: read.opt_text("notes")?,
        });
    }

    let facts = facts(conn, &key, summary.details.detected_by).await?;
    Ok(Some(IncidentState {
        summary,
        access,
        member_since,
        steps,
        facts,
    }))
}

/// Counts the records the step rules look at.
async fn facts<C: Connection + ?Sized>(
    conn: &mut C,
    key: &str,
    detected_by: rampart_incident::DetectionSource,
) -> StoreResult<StepFacts> {
    let rows = query(
        "SELECT kind, record FROM records WHERE incident_id = $1
         AND kind IN ('attack_timeline_entry', 'compromised_data_set', 'action_item',
                      'compromised_credential')",
    )
    .bind(key)
    .fetch_all(&mut *conn)
    .await?;
    let mut facts = StepFacts {
        detected_by,
        ..StepFacts::default()
    };
    for row in &rows {
        // Parsing the record, not trusting the kind column, keeps the counts
        // consistent with what `records()` returns.
        match Reader::new(row, "records").json::<StepRecord>("record")? {
            StepRecord::AttackTimelineEntry(_) => facts.timeline_entries += 1,
            StepRecord::CompromisedDataSet(_) => facts.compromised_data_sets += 1,
            StepRecord::ActionItem(item) if item.kind == ActionItemKind::Monitoring => {
                facts.monitoring_action_items += 1;
            }
            StepRecord::CompromisedCredential(credential) if !credential.is_rotated() => {
                facts.unrotated_credentials += 1;
            }
            _ => {}
        }
    }
    Ok(facts)
}

/// Incidents `viewer` is a member of or holds a break-glass grant for.
pub async fn visible_to<C: Connection + ?Sized>(
    conn: &mut C,
    viewer: &UserName,
) -> StoreResult<Vec<IncidentSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM incidents
         WHERE EXISTS (SELECT 1 FROM incident_members m
                       WHERE m.incident_id = incidents.id AND m.user_name = $1)
            OR EXISTS (SELECT 1 FROM break_glass_grants g
                       WHERE g.incident_id = incidents.id AND g.user_name = $1)
         {NEWEST_FIRST}"
    );
    query(sql)
        .bind(viewer.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(summary_from_row)
        .collect()
}

/// An incident's records, optionally of one step, oldest first.
pub async fn records<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    step: Option<Step>,
) -> StoreResult<Vec<RecordRow>> {
    query(
        "SELECT id, record, created_by, created_at, updated_at FROM records
         WHERE incident_id = $1 AND ($2 IS NULL OR step = $2)
         ORDER BY created_at, id",
    )
    .bind(id.to_string())
    .bind(step.map(|s| i64::from(s.number())))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(record_from_row)
    .collect()
}

/// One record of an incident.
pub async fn record<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    record_id: i64,
) -> StoreResult<Option<RecordRow>> {
    query(
        "SELECT id, record, created_by, created_at, updated_at FROM records
         WHERE incident_id = $1 AND id = $2",
    )
    .bind(id.to_string())
    .bind(record_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(record_from_row)
    .transpose()
}

/// The response log, oldest first.
pub async fn response_log<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
) -> StoreResult<Vec<LogRow>> {
    query(
        "SELECT seq, at, actor, action, target, summary, detail FROM response_log
         WHERE incident_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        let read = Reader::new(row, "response_log");
        Ok(LogRow {
            seq: read.int("seq")?,
            entry: ResponseLogEntry {
                at: read.time("at")?,
                actor: read.user_name("actor")?,
                action: read.enumeration("action")?,
                target: read.json("target")?,
                summary: read.text("summary")?,
                detail: read.json("detail")?,
            },
        })
    })
    .collect()
}

/// An incident's access requests, newest first.
pub async fn access_requests<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
) -> StoreResult<Vec<AccessRequestRow>> {
    query(
        "SELECT id, request FROM access_requests WHERE incident_id = $1
         ORDER BY requested_at DESC, id DESC",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        let read = Reader::new(row, "access_requests");
        Ok(AccessRequestRow {
            id: read.int("id")?,
            request: read.json("request")?,
        })
    })
    .collect()
}

const BREAK_GLASS_SELECT: &str = "SELECT b.id, b.request, incidents.codename
     FROM break_glass_requests b JOIN incidents ON incidents.id = b.incident_id";

/// Break-glass requests of one incident, or every one awaiting approval.
pub async fn break_glass_requests<C: Connection + ?Sized>(
    conn: &mut C,
    id: Option<IncidentId>,
) -> StoreResult<Vec<BreakGlassRow>> {
    let query = match id {
        Some(id) => query(format!(
            "{BREAK_GLASS_SELECT} WHERE b.incident_id = $1
             ORDER BY b.requested_at DESC, b.id DESC"
        ))
        .bind(id.to_string()),
        None => query(format!(
            "{BREAK_GLASS_SELECT} WHERE b.state = 'awaiting_approval'
             ORDER BY b.requested_at DESC, b.id DESC"
        )),
    };
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(break_glass_from_row)
        .collect()
}

/// One break-glass request.
pub async fn break_glass_request<C: Connection + ?Sized>(
    conn: &mut C,
    request_id: i64,
) -> StoreResult<Option<BreakGlassRow>> {
    query(format!("{BREAK_GLASS_SELECT} WHERE b.id = $1"))
        .bind(request_id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(break_glass_from_row)
        .transpose()
}

/// A user's notifications, newest first.
pub async fn notifications<C: Connection + ?Sized>(
    conn: &mut C,
    user: &UserName,
) -> StoreResult<Vec<Notification>> {
    query(
        "SELECT n.id, n.user_name, n.incident_id, incidents.codename, n.detail,
                n.created_at, n.read_at
         FROM notifications n JOIN incidents ON incidents.id = n.incident_id
         WHERE n.user_name = $1 ORDER BY n.created_at DESC, n.id DESC",
    )
    .bind(user.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(notification_from_row)
    .collect()
}

// ---- Changing ----------------------------------------------------------------

/// Applies changes under optimistic concurrency (see
/// `Store::apply_incident_changes`).
pub async fn apply<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    expected_version: i64,
    changes: Vec<IncidentChange>,
    log: Vec<ResponseLogEntry>,
    audit: AuditDraft,
) -> StoreResult<AppliedChanges> {
    let key = id.to_string();
    let version: Option<i64> = query("SELECT version FROM incidents WHERE id = $1")
        .bind(&key)
        .fetch_int(&mut *conn)
        .await?;
    let Some(version) = version else {
        return Err(StoreError::NotFound {
            what: format!("incident {id}"),
        });
    };
    if version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            actual: version,
        });
    }

    let mut created_ids = Vec::new();
    for change in changes {
        if let Some(created) = apply_one(conn, id, change).await? {
            created_ids.push(created);
        }
    }
    append_log(conn, id, &log).await?;
    let audit = append_audit(conn, audit).await?;
    let version = version + 1;
    query("UPDATE incidents SET version = $1 WHERE id = $2")
        .bind(version)
        .bind(&key)
        .execute(&mut *conn)
        .await?;
    Ok(AppliedChanges {
        version,
        created_ids,
        audit,
    })
}

/// Fails with `NotFound { what }` when an UPDATE or DELETE matched nothing.
fn require_one(rows_affected: u64, what: impl FnOnce() -> String) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(StoreError::NotFound { what: what() })
    } else {
        Ok(())
    }
}

/// Applies one change; returns the id of a row it created.
async fn apply_one<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    change: IncidentChange,
) -> StoreResult<Option<i64>> {
    let key = id.to_string();
    match change {
        IncidentChange::EditDetails(details) => {
            query(
                "UPDATE incidents SET title = $1, summary = $2, severity = $3, tlp = $4,
                                      detected_by = $5
                 WHERE id = $6",
            )
            .bind(&details.title)
            .bind(&details.summary)
            .bind(details.severity.as_str())
            .bind(details.tlp.as_str())
            .bind(enum_text(&details.detected_by)?)
            .bind(&key)
            .execute(&mut *conn)
            .await?;
        }
        IncidentChange::SetStep(entry) => {
            let done = query(
                "UPDATE steps SET state = $1, entry = $2 WHERE incident_id = $3 AND step = $4",
            )
            .bind(entry.state.as_str())
            .bind(json_text(&entry)?)
            .bind(&key)
            .bind(i64::from(entry.step.number()))
            .execute(&mut *conn)
            .await?;
            require_one(done, || format!("{} of incident {id}", entry.step))?;
        }
        IncidentChange::SetStepOwner { step, owner } => {
            let done = query("UPDATE steps SET owner = $1 WHERE incident_id = $2 AND step = $3")
                .bind(owner.as_ref().map(UserName::as_str))
                .bind(&key)
                .bind(i64::from(step.number()))
                .execute(&mut *conn)
                .await?;
            require_one(done, || format!("{step} of incident {id}"))?;
        }
        IncidentChange::SetStepNotes { step, notes } => {
            let done = query("UPDATE steps SET notes = $1 WHERE incident_id = $2 AND step = $3")
                .bind(&notes)
                .bind(&key)
                .bind(i64::from(step.number()))
                .execute(&mut *conn)
                .await?;
            require_one(done, || format!("{step} of incident {id}"))?;
        }
        IncidentChange::AddRecord { record, by, at } => {
            let created: i64 = query(
                "INSERT INTO records (incident_id, step, kind, record, created_by, created_at,
                                      updated_at)
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
            return Ok(Some(created));
        }
        IncidentChange::AddEvidence {
            item,
            by,
            at,
            custody,
        } => {
            let created = crate::evidence::add(conn, id, item, &by, at, &custody).await?;
            return Ok(Some(created));
        }
        IncidentChange::AppendCustody { record_id, event } => {
            crate::evidence::append(conn, id, record_id, &event).await?;
        }
        IncidentChange::UpdateRecord {
            id: record_id,
            record,
            at,
        } => {
            // Matching on incident and kind too: a record of another
            // incident, or a change of kind, finds nothing to update.
            let done = query(
                "UPDATE records SET record = $1, updated_at = $2
                 WHERE id = $3 AND incident_id = $4 AND kind = $5",
            )
            .bind(json_text(&record)?)
            .bind(at)
            .bind(record_id)
            .bind(&key)
            .bind(record.kind().as_str())
            .execute(&mut *conn)
            .await?;
            require_one(done, || {
                format!("{} record {record_id} of incident {id}", record.kind())
            })?;
        }
        IncidentChange::AddMember { member, at } => add_member(conn, id, &member, at).await?,
        IncidentChange::SetMemberRole(member) => {
            let done = query(
                "UPDATE incident_members SET role = $1 WHERE incident_id = $2 AND user_name = $3",
            )
            .bind(member.role.as_str())
            .bind(&key)
            .bind(member.user.as_str())
            .execute(&mut *conn)
            .await?;
            require_one(done, || format!("member {} of incident {id}", member.user))?;
        }
        IncidentChange::RemoveMember(user) => {
            let done =
                query("DELETE FROM incident_members WHERE incident_id = $1 AND user_name = $2")
                    .bind(&key)
                    .bind(user.as_str())
                    .execute(&mut *conn)
                    .await?;
            require_one(done, || format!("member {user} of incident {id}"))?;
        }
        IncidentChange::AddAccessRequest(request) => {
            let created: i64 = query(
                "INSERT INTO access_requests (incident_id, requester, state, request,
                                              requested_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&key)
            .bind(request.requester.as_str())
            .bind(state_tag(&request.state)?)
            .bind(json_text(&request)?)
            .bind(request.requested_at)
            .insert_returning_id(&mut *conn, "row", &format!("incident {id}"))
            .await?;
            return Ok(Some(created));
        }
        IncidentChange::UpdateAccessRequest {
            id: request_id,
            request,
        } => {
            let done = query(
                "UPDATE access_requests SET state = $1, request = $2
                 WHERE id = $3 AND incident_id = $4",
            )
            .bind(state_tag(&request.state)?)
            .bind(json_text(&request)?)
            .bind(request_id)
            .bind(&key)
            .execute(&mut *conn)
            .await?;
            require_one(done, || {
                format!("access request {request_id} of incident {id}")
            })?;
        }
        IncidentChange::AddBreakGlassRequest(request) => {
            let created: i64 = query(
                "INSERT INTO break_glass_requests (incident_id, requester, state, request,
                                                   requested_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&key)
            .bind(request.requester.as_str())
            .bind(state_tag(&request.state)?)
            .bind(json_text(&request)?)
            .bind(request.requested_at)
            .insert_returning_id(&mut *conn, "row", &format!("incident {id}"))
            .await?;
            return Ok(Some(created));
        }
        IncidentChange::UpdateBreakGlassRequest {
            id: request_id,
            request,
        } => {
            let done = query(
                "UPDATE break_glass_requests SET state = $1, request = $2
                 WHERE id = $3 AND incident_id = $4",
            )
            .bind(state_tag(&request.state)?)
            .bind(json_text(&request)?)
            .bind(request_id)
            .bind(&key)
            .execute(&mut *conn)
            .await?;
            require_one(done, || {
                format!("break-glass request {request_id} of incident {id}")
            })?;
        }
        IncidentChange::AddBreakGlassGrant(grant) => {
            query(
                "INSERT INTO break_glass_grants (incident_id, user_name, reason, approved_by,
                                                 approved_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&key)
            .bind(grant.user.as_str())
            .bind(grant.reason.as_str())
            .bind(grant.approved_by.as_str())
            .bind(grant.approved_at)
            .insert(
                &mut *conn,
                &format!("break-glass grant for {} on incident {id}", grant.user),
                &format!("incident {id}"),
            )
            .await?;
        }
        IncidentChange::Notify { user, kind, at } => {
            let created: i64 = query(
                "INSERT INTO notifications (user_name, incident_id, kind, detail, created_at,
                                            read_at)
                 VALUES ($1, $2, $3, $4, $5, NULL) RETURNING id",
            )
            .bind(user.as_str())
            .bind(&key)
            .bind(notification_tag(&kind))
            .bind(json_text(&kind)?)
            .bind(at)
            .insert_returning_id(&mut *conn, "row", &format!("incident {id}"))
            .await?;
            return Ok(Some(created));
        }
        IncidentChange::Close { at } => {
            query("UPDATE incidents SET status = $1, closed_at = $2 WHERE id = $3")
                .bind(IncidentStatus::Closed.as_str())
                .bind(Some(at))
                .bind(&key)
                .execute(&mut *conn)
                .await?;
        }
        IncidentChange::Reopen => {
            query("UPDATE incidents SET status = $1, closed_at = NULL WHERE id = $2")
                .bind(IncidentStatus::Open.as_str())
                .bind(&key)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(None)
}

async fn add_member<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    member: &IncidentMember,
    at: Timestamp,
) -> StoreResult<()> {
    query(
        "INSERT INTO incident_members (incident_id, user_name, role, joined_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(id.to_string())
    .bind(member.user.as_str())
    .bind(member.role.as_str())
    .bind(at)
    .insert(
        &mut *conn,
        &format!("member {} of incident {id}", member.user),
        &format!("incident {id}"),
    )
    .await?;
    Ok(())
}

/// Appends entries to an incident's response log, numbering on from its
/// last entry.
async fn append_log<C: Connection + ?Sized>(
    conn: &mut C,
    id: IncidentId,
    entries: &[ResponseLogEntry],
) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let key = id.to_string();
    let last: Option<i64> = query("SELECT MAX(seq) FROM response_log WHERE incident_id = $1")
        .bind(&key)
        .fetch_int(&mut *conn)
        .await?;
    let mut seq = last.unwrap_or(0);
    for entry in entries {
        seq += 1;
        query(
            "INSERT INTO response_log (incident_id, seq, at, actor, action, target, summary,
                                       detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&key)
        .bind(seq)
        .bind(entry.at)
        .bind(entry.actor.as_str())
        .bind(enum_text(&entry.action)?)
        .bind(json_text(&entry.target)?)
        .bind(&entry.summary)
        .bind(json_text(&entry.detail)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
