-- The service catalog: teams and their members, systems, services (PostgreSQL
-- dialect). The SQLite backend has a file of the same name with the same
-- tables and columns.
--
-- Every entry records where it came from: `source` is `manual` or
-- `backstage`, and `source_ref` the Backstage entity reference (NULL for
-- manual entries), unique per kind so a re-import finds what it made.
-- Owners, parents and systems are names, not foreign keys: Backstage may
-- name a team that is imported later, or never.
CREATE TABLE teams (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    display_name TEXT,
    description  TEXT,
    email        TEXT,
    parent       TEXT,
    source       TEXT    NOT NULL,
    source_ref   TEXT    UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_members (
    team_id      BIGINT  NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_name    TEXT    NOT NULL,
    display_name TEXT,
    email        TEXT,
    source       TEXT    NOT NULL,
    source_ref   TEXT,
    added_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_name)
);
-- Which teams a user is in decides what findings they see.
CREATE INDEX team_members_by_user ON team_members (user_name);

CREATE TABLE systems (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    title       TEXT,
    description TEXT,
    owner       TEXT,
    domain      TEXT,
    source      TEXT    NOT NULL,
    source_ref  TEXT    UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE services (
    id                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    title               TEXT,
    description         TEXT,
    owner               TEXT,
    tier                BIGINT  CHECK (tier BETWEEN 1 AND 4),
    data_classification TEXT,
    repository_url      TEXT,
    on_call             TEXT,
    security_champion   TEXT,
    lifecycle           TEXT,
    system              TEXT,
    component_type      TEXT,
    source              TEXT    NOT NULL,
    source_ref          TEXT    UNIQUE,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
-- A team's services (and the unowned ones) are listed by owner.
CREATE INDEX services_by_owner ON services (owner);
