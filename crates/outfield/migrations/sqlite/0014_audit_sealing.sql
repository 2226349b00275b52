-- Audit entries are written unchained in the transaction of the change they record, and sealed into the
-- company's hash chain shortly after by the background sealer (docs/DECISIONS.md), so that changes of one
-- company no longer queue behind the company row that holds the chain's head.
CREATE TABLE audit_pending (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    id            TEXT    NOT NULL,
    at            BIGINT  NOT NULL,
    actor_id      TEXT,
    action        TEXT    NOT NULL,
    target_type   TEXT    NOT NULL,
    target_id     TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    details       TEXT    NOT NULL,
    PRIMARY KEY (company_id, id)
);

-- When an entry joined the chain (server time, Unix ms); NULL for entries chained as they were written.
ALTER TABLE audit_log ADD COLUMN sealed_at BIGINT;
