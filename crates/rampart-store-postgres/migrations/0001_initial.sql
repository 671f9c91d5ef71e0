-- Rampart's first schema (PostgreSQL dialect). The SQLite backend has a file
-- of the same name with the same tables and columns.
--
-- Timestamps are timestamptz, which keeps microseconds, the precision every
-- stored time has. Nested domain values are JSON kept as text, verbatim
-- (jsonb would reorder keys and drop duplicates); the columns beside them
-- hold what queries filter on.

CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    password_hash TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    prefix     TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    UNIQUE (user_id, name)
);

CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    csrf_hash  TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    throttle_key TEXT    NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (throttle_key, at);
CREATE INDEX login_failures_by_time ON login_failures (at);

CREATE TABLE incidents (
    id          TEXT    PRIMARY KEY,
    year        BIGINT  NOT NULL,
    sequence    BIGINT  NOT NULL,
    codename    TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    summary     TEXT,
    severity    TEXT    NOT NULL,
    tlp         TEXT    NOT NULL,
    detected_by TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    declared_by TEXT    NOT NULL,
    declared_at TIMESTAMPTZ NOT NULL,
    closed_at   TIMESTAMPTZ,
    version     BIGINT  NOT NULL,
    UNIQUE (year, sequence)
);
CREATE INDEX incidents_by_declared_at ON incidents (declared_at);

-- Incident tables name people by login name, as the incident domain does,
-- and deliberately carry no foreign key to `users`: they are the record of
-- what happened and must not be cascaded or blocked by account changes.
CREATE TABLE incident_members (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    user_name   TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    joined_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (incident_id, user_name)
);
CREATE INDEX incident_members_by_user ON incident_members (user_name);

CREATE TABLE steps (
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    step        BIGINT  NOT NULL CHECK (step BETWEEN 1 AND 14),
    state       TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    owner       TEXT,
    notes       TEXT,
    PRIMARY KEY (incident_id, step)
);

CREATE TABLE records (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    step        BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    record      TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ
);
CREATE INDEX records_by_incident ON records (incident_id, step);

CREATE TABLE response_log (
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    seq         BIGINT  NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    PRIMARY KEY (incident_id, seq)
);

CREATE TABLE access_requests (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  TEXT    NOT NULL REFERENCES incidents (id),
    requester    TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    request      TEXT    NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_requests_by_incident ON access_requests (incident_id);

CREATE TABLE break_glass_requests (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  TEXT    NOT NULL REFERENCES incidents (id),
    requester    TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    request      TEXT    NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX break_glass_requests_by_incident ON break_glass_requests (incident_id);
CREATE INDEX break_glass_requests_by_state ON break_glass_requests (state);

CREATE TABLE break_glass_grants (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    user_name   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    approved_by TEXT    NOT NULL,
    approved_at TIMESTAMPTZ NOT NULL,
    UNIQUE (incident_id, user_name)
);
CREATE INDEX break_glass_grants_by_user ON break_glass_grants (user_name);

CREATE TABLE notifications (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_name   TEXT    NOT NULL,
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);
CREATE INDEX notifications_by_user ON notifications (user_name, created_at);

-- The audit chain: one row per rampart_audit::StoredLink, the canonical
-- event text stored verbatim. The layout is shared with the conformance
-- suite's tamper tests.
CREATE TABLE audit_log (
    seq       BIGINT  PRIMARY KEY,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL,
    event     TEXT    NOT NULL
);
