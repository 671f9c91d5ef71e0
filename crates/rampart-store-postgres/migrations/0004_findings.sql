-- The findings inventory: uploads, the findings they report with their
-- triage history, and the components each service ships (PostgreSQL dialect).
-- The SQLite backend has a file of the same name with the same tables
-- and columns.
--
-- An upload's body is never stored, only its digest: no snippet or secret
-- can persist by accident. Findings are current state; `finding_events` is
-- their history and only ever grows (the triggers below refuse updates,
-- deletes and TRUNCATE, as for evidence custody).
CREATE TABLE uploads (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id   BIGINT  NOT NULL REFERENCES services (id),
    format       TEXT    NOT NULL,
    scope_key    TEXT    NOT NULL,                 -- sorted scope names, '\n'-joined
    scopes       TEXT    NOT NULL,                 -- JSON [{scope, complete}]
    digest       TEXT    NOT NULL,
    tool         TEXT,
    commit_id    TEXT,
    run          TEXT,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    counts       TEXT    NOT NULL                  -- JSON tally
);
-- The duplicate check: the latest upload of a service with the same scopes.
CREATE INDEX uploads_by_scope ON uploads (service_id, scope_key, id);

-- When each scope of a service was last uploaded, and whether completely.
CREATE TABLE service_scopes (
    service_id     BIGINT  NOT NULL REFERENCES services (id),
    scope          TEXT    NOT NULL,
    last_upload_id BIGINT  NOT NULL REFERENCES uploads (id),
    last_seen_at   TIMESTAMPTZ NOT NULL,
    complete       BOOLEAN NOT NULL,
    PRIMARY KEY (service_id, scope)
);

CREATE TABLE findings (
    id                 BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id         BIGINT  NOT NULL REFERENCES services (id),
    scope              TEXT    NOT NULL,
    fingerprint        TEXT    NOT NULL,
    fingerprint_origin TEXT    NOT NULL,
    kind               TEXT    NOT NULL,
    rule_id            TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    severity           TEXT    NOT NULL,
    severity_rank      BIGINT  NOT NULL,           -- Severity::display_rank, for ordering and paging
    path               TEXT,
    line               BIGINT,
    package            TEXT,                       -- JSON PackageRef
    ids                TEXT    NOT NULL,           -- JSON list; queried through finding_ids
    detail             TEXT    NOT NULL,           -- JSON FindingDetail
    local_suppression  TEXT,                       -- JSON LocalSuppression
    state              TEXT    NOT NULL
        CHECK (state IN ('open', 'accepted_risk', 'false_positive', 'fixed')),
    state_reason       TEXT,
    state_by           TEXT,
    state_at           TIMESTAMPTZ,
    risk_expires_at    TIMESTAMPTZ,
    first_seen         TIMESTAMPTZ NOT NULL,
    last_seen          TIMESTAMPTZ NOT NULL,
    fixed_at           TIMESTAMPTZ,
    reopened_at        TIMESTAMPTZ,
    reopen_count       BIGINT  NOT NULL DEFAULT 0,
    due_at             TIMESTAMPTZ,                -- NULL: no SLA
    event_seq          BIGINT  NOT NULL,           -- seq of its latest finding_events row
    first_upload_id    BIGINT  NOT NULL REFERENCES uploads (id),
    last_upload_id     BIGINT  NOT NULL REFERENCES uploads (id),
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
    finding_id  BIGINT  NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    PRIMARY KEY (advisory_id, finding_id)
);
CREATE INDEX finding_ids_by_finding ON finding_ids (finding_id);

CREATE TABLE finding_events (
    finding_id BIGINT  NOT NULL REFERENCES findings (id),
    seq        BIGINT  NOT NULL CHECK (seq >= 1),
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    from_state TEXT,
    to_state   TEXT,
    reason     TEXT,
    expires_at TIMESTAMPTZ,
    upload_id  BIGINT  REFERENCES uploads (id),
    PRIMARY KEY (finding_id, seq)
);

CREATE FUNCTION finding_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'finding_events is append-only';
END;
$$;

CREATE TRIGGER finding_events_no_change BEFORE UPDATE OR DELETE ON finding_events
    FOR EACH ROW EXECUTE FUNCTION finding_events_append_only();
CREATE TRIGGER finding_events_no_truncate BEFORE TRUNCATE ON finding_events
    FOR EACH STATEMENT EXECUTE FUNCTION finding_events_append_only();

-- No per-row last_seen: unchanged components are never rewritten, so an
-- upload writes only what changed. `version` is '' when unresolved, so the
-- unique key still holds (NULLs are all distinct).
CREATE TABLE components (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id      BIGINT  NOT NULL REFERENCES services (id),
    scope           TEXT    NOT NULL,
    ecosystem       TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    version         TEXT    NOT NULL,
    purl            TEXT,
    path            TEXT    NOT NULL,
    first_seen      TIMESTAMPTZ NOT NULL,
    first_upload_id BIGINT  NOT NULL REFERENCES uploads (id),
    UNIQUE (service_id, scope, ecosystem, name, version, path)
);
-- Where is package P: the distinct versions come from the index alone.
CREATE INDEX components_by_package ON components (ecosystem, name, version, service_id);
