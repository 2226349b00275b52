-- The personal part of a sealed audit entry (the client's address and user agent, and the details,
-- which name people), kept beside the chain so that it can be erased. The chain hashes a salted digest
-- of it (`audit_log.personal_digest`); erasing blanks the part and its salt, and the chain still
-- verifies. Entries sealed before this part existed keep their fields in `audit_log` (digest NULL).
-- A part names its entry by (company, seq) without a foreign key: `audit verify`, not a constraint,
-- answers for a part that no longer matches its entry.
-- Kept in lock-step with ../sqlite/0025_audit_personal.sql (a test compares the two schemas).
ALTER TABLE audit_log ADD COLUMN personal_digest TEXT;

CREATE TABLE audit_personal (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    seq           BIGINT  NOT NULL,
    salt          TEXT,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    details       TEXT    NOT NULL,
    erased_at     BIGINT,
    PRIMARY KEY (company_id, seq)
);
CREATE INDEX audit_personal_ip ON audit_personal (company_id, ip);

-- Written when an entry is sealed, blanked when it is erased; never deleted (the sealed row it
-- belongs to stays).
GRANT SELECT, INSERT, UPDATE ON audit_personal TO outfield_app;
SELECT outfield_protect('audit_personal');
