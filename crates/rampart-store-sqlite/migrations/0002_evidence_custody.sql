-- The chain of custody of evidence items (step 10), SQLite dialect. The
-- PostgreSQL backend has a file of the same name with the same table and
-- columns.
--
-- One row per thing that happened to an item (intake, registration, a view
-- of its metadata, a download, an export, an integrity failure), numbered
-- from 1 per item. Rows are only ever inserted: Rampart has no statement
-- that updates or deletes one, and the triggers below refuse it from
-- anything else that goes through SQLite, so a bug cannot quietly rewrite
-- custody. (Someone who can edit the file can drop triggers too; each
-- append also writes an audit-chain event, which they cannot forge.)
CREATE TABLE evidence_custody (
    incident_id TEXT    NOT NULL REFERENCES incidents (id),
    record_id   INTEGER NOT NULL REFERENCES records (id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    action      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    reason      TEXT,
    detail      TEXT,
    PRIMARY KEY (record_id, seq)
);
CREATE INDEX evidence_custody_by_incident ON evidence_custody (incident_id, record_id, seq);

CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE ON evidence_custody
BEGIN
    SELECT RAISE(ABORT, 'evidence_custody is append-only');
END;

CREATE TRIGGER evidence_custody_no_delete BEFORE DELETE ON evidence_custody
BEGIN
    SELECT RAISE(ABORT, 'evidence_custody is append-only');
END;

-- Listing an incident's evidence filters records by kind.
CREATE INDEX records_by_kind ON records (kind, incident_id);
