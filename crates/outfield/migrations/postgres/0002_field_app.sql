-- Field app: the sync ledger, consent ledger, privacy notices, field notes and notifications.
-- Kept in lock-step with ../sqlite/0002_field_app.sql.

ALTER TABLE companies ADD COLUMN feed_seq BIGINT NOT NULL DEFAULT 0;

-- Every record a device pushed, once: the id the device gave it and a hash of its content, so a replay
-- is recognised as a duplicate and a reused id with other content is refused.
CREATE TABLE sync_records (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    device_id     TEXT,
    kind          TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    device_time   BIGINT  NOT NULL,
    received_at   BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX sync_records_person ON sync_records (company_id, person_id, received_at);

CREATE TABLE privacy_notices (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    version       BIGINT  NOT NULL,
    body          TEXT    NOT NULL,
    published_at  BIGINT  NOT NULL,
    published_by  TEXT,
    PRIMARY KEY (company_id, version)
);

-- The consent ledger: every grant and revocation, never updated.
CREATE TABLE consents (
    company_id     TEXT    NOT NULL REFERENCES companies (id),
    id             TEXT    NOT NULL,
    person_id      TEXT    NOT NULL,
    permission     TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    policy_version BIGINT  NOT NULL,
    device_time    BIGINT  NOT NULL,
    recorded_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX consents_person ON consents (company_id, person_id, permission, recorded_at);

CREATE TABLE notes (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    device_time   BIGINT  NOT NULL,
    received_at   BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX notes_person ON notes (company_id, person_id, device_time);

-- Messages for one person's devices, delivered by pull in the order of the company's feed sequence.
CREATE TABLE notifications (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    seq           BIGINT  NOT NULL,
    kind          TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX notifications_feed ON notifications (company_id, person_id, seq);

GRANT SELECT, INSERT ON sync_records, consents, notes, notifications, privacy_notices TO outfield_app;
GRANT DELETE ON sync_records, notes, notifications TO outfield_app;

ALTER TABLE sync_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_records FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_records_tenant ON sync_records USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE privacy_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY privacy_notices_tenant ON privacy_notices USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
CREATE POLICY consents_tenant ON consents USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant ON notes USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_tenant ON notifications USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
