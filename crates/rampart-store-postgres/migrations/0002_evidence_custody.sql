-- The chain of custody of evidence items (step 10), PostgreSQL dialect. The
-- SQLite backend has a file of the same name with the same table and
-- columns.
--
-- One row per thing that happened to an item (intake, registration, a view
-- of its metadata, a download, an export, an integrity failure), numbered
-- from 1 per item. Rows are only ever inserted: Rampart has no statement
-- that updates or deletes one, and the trigger below refuses it (and
-- TRUNCATE) from anything else, so a bug cannot quietly rewrite custody.
-- (The table's owner can drop triggers too; each append also writes an
-- audit-chain event, which they cannot forge.)
CREATE TABLE evidence_custody (
    incident_id TEXT        NOT NULL REFERENCES incidents (id),
    record_id   BIGINT      NOT NULL REFERENCES records (id),
    seq         BIGINT      NOT NULL CHECK (seq >= 1),
    action      TEXT        NOT NULL,
    actor       TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    reason      TEXT,
    detail      TEXT,
    PRIMARY KEY (record_id, seq)
);
CREATE INDEX evidence_custody_by_incident ON evidence_custody (incident_id, record_id, seq);

CREATE FUNCTION evidence_custody_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evidence_custody is append-only';
END;
$$;

CREATE TRIGGER evidence_custody_no_change BEFORE UPDATE OR DELETE ON evidence_custody
    FOR EACH ROW EXECUTE FUNCTION evidence_custody_append_only();
CREATE TRIGGER evidence_custody_no_truncate BEFORE TRUNCATE ON evidence_custody
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_custody_append_only();

-- Listing an incident's evidence filters records by kind.
CREATE INDEX records_by_kind ON records (kind, incident_id);
