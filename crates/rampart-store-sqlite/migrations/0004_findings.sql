-- The findings inventory: uploads, the findings they report with their
-- triage history, and the components each service ships (SQLite dialect).
-- The PostgreSQL backend has a file of the same name with the same tables
-- and columns.
--
-- An upload's body is never stored, only its digest: no snippet or secret
-- can persist by accident. Findings are current state; `finding_events` is
-- their history and only ever grows (the triggers below refuse updates and
-- deletes, as for evidence custody).
CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id   INTEGER NOT NULL REFERENCES services (id),
    format       TEXT    NOT NULL,
    scope_key    TEXT    NOT NULL,                 -- sorted scope names, '\n'-joined
    scopes       TEXT    NOT NULL,                 -- JSON [{scope, complete}]
    digest       TEXT    NOT NULL,
    tool         TEXT,
    commit_id    TEXT,
    run          TEXT,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL,
    counts       TEXT    NOT NULL                  -- JSON tally
);
-- The duplicate check: the latest upload of a service with the same scopes.
CREATE INDEX uploads_by_scope ON uploads (service_id, scope_key, id);

-- When each scope of a service was last uploaded, and whether completely.
CREATE TABLE service_scopes (
    service_id     INTEGER NOT NULL REFERENCES services (id),
    scope          TEXT    NOT NULL,
    last_upload_id INTEGER NOT NULL REFERENCES uploads (id),
    last_seen_at   TEXT    NOT NULL,
    complete       INTEGER NOT NULL CHECK (complete IN (0, 1)),
    PRIMARY KEY (service_id, scope)
);

CREATE TABLE findings (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id         INTEGER NOT NULL REFERENCES services (id),
    scope              TEXT    NOT NULL,
    fingerprint        TEXT    NOT NULL,
    fingerprint_origin TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    rule_id            TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    severity           TEXT    NOT NULL,
    severity_rank      INTEGER NOT NULL,           -- Severity::display_rank, for ordering and paging
    path               TEXT,
    line               INTEGER,
    package            TEXT,                       -- JSON PackageRef
    ids                TEXT    NOT NULL,           -- JSON list; queried through finding_ids
    detail             TEXT    NOT NULL,           -- JSON FindingDetail
    local_suppression  TEXT,                       -- JSON LocalSuppression
    state              TEXT    NOT NULL
        CHECK (state IN ('open', 'accepted_risk', 'false_positive', 'fixed')),
    state_reason       TEXT,
    state_by           TEXT,
    state_at           TEXT,
    risk_expires_at    TEXT,
    first_seen         TEXT    NOT NULL,
    last_seen          TEXT    NOT NULL,
    fixed_at           TEXT,
    reopened_at        TEXT,
    reopen_count       INTEGER NOT NULL DEFAULT 0,
    due_at             TEXT,                       -- NULL: no SLA
    event_seq          INTEGER NOT NULL,           -- seq of its latest finding_events row
    first_upload_id    INTEGER NOT NULL REFERENCES uploads (id),
    last_upload_id     INTEGER NOT NULL REFERENCES uploads (id),
    UNIQUE (service_id, scope, fingerprint)
);
-- Where is secret F.
CREATE INDEX findings_by_fingerprint ON findings (fingerprint);
-- Lists and counts per service.
CREATE INDEX findings_by_state ON findings (service_id, state, severity_rank);
-- Overdue findings.
CREATE INDEX findings_by_due ON findings (state, due_at);
-- The expiry sweep.
CREATE INDEX findings_risk_expiry ON findings (risk_expires_at) WHERE state = 'accepted_risk';

-- Every advisory id a finding is known by, upper-cased.
CREATE TABLE finding_ids (
    advisory_id TEXT    NOT NULL,
    finding_id  INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    PRIMARY KEY (advisory_id, finding_id)
) WITHOUT ROWID;
CREATE INDEX finding_ids_by_finding ON finding_ids (finding_id);

CREATE TABLE finding_events (
    finding_id INTEGER NOT NULL REFERENCES findings (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    at         TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    reason     TEXT,
    expires_at TEXT,
    upload_id  INTEGER REFERENCES uploads (id),
    PRIMARY KEY (finding_id, seq)
);

CREATE TRIGGER finding_events_no_update BEFORE UPDATE ON finding_events
BEGIN
    SELECT RAISE(ABORT, 'finding_events is append-only');
END;

CREATE TRIGGER finding_events_no_delete BEFORE DELETE ON finding_events
BEGIN
    SELECT RAISE(ABORT, 'finding_events is append-only');
END;

-- No per-row last_seen: unchanged components are never rewritten, so an
-- upload writes only what changed. `version` is '' when unresolved, so the
-- unique key still holds (NULLs are all distinct).
CREATE TABLE components (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id      INTEGER NOT NULL REFERENCES services (id),
    scope           TEXT    NOT NULL,
    ecosystem       TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    version         TEXT    NOT NULL,
    purl            TEXT,
    path            TEXT    NOT NULL,
    first_seen      TEXT    NOT NULL,
    first_upload_id INTEGER NOT NULL REFERENCES uploads (id),
    UNIQUE (service_id, scope, ecosystem, name, version, path)
);
-- Where is package P: the distinct versions come from the index alone.
CREATE INDEX components_by_package ON components (ecosystem, name, version, service_id);
