-- What needs a manager now: each exception of a person's day (not started, a far or unverified
-- check-in, tracking silent, no movement, location withdrawn, tamper signs, battery low) recorded once,
-- at the moment it began, so the overview lists it and alerts can deliver it.
CREATE TABLE exceptions (
    company_id   TEXT    NOT NULL REFERENCES companies (id),
    id           TEXT    NOT NULL,
    person_id    TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    at           BIGINT  NOT NULL,
    amount       BIGINT,
    subject      TEXT,
    recorded_at  BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE UNIQUE INDEX exceptions_once ON exceptions (company_id, person_id, day, kind, at);
CREATE INDEX exceptions_day ON exceptions (company_id, day, at);

-- How long tracking may be silent, and a person stay in one place away from a client, on duty before
-- it is an exception.
ALTER TABLE companies ADD COLUMN silence_alert_minutes BIGINT NOT NULL DEFAULT 30;
ALTER TABLE companies ADD COLUMN still_alert_minutes BIGINT NOT NULL DEFAULT 60;

-- The visit outcomes that count as productive in beat reports, one per line.
ALTER TABLE companies ADD COLUMN productive_outcomes TEXT NOT NULL DEFAULT 'Order taken
Payment collected';

GRANT SELECT, INSERT, UPDATE, DELETE ON exceptions TO outfield_app;
ALTER TABLE exceptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE exceptions FORCE ROW LEVEL SECURITY;
CREATE POLICY exceptions_tenant ON exceptions USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
