-- Platform core: companies, people, sign-in state, audit trail.
-- Kept in lock-step with ../postgres/0001_platform_core.sql (a test compares the two schemas).
-- Ids are UUID text, times are Unix milliseconds (UTC), flags are nullable timestamps.

CREATE TABLE companies (
    id            TEXT    NOT NULL PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    legal_name    TEXT,
    address       TEXT,
    gstin         TEXT,
    time_zone     TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    audit_seq     BIGINT  NOT NULL,
    audit_head    TEXT    NOT NULL
);

CREATE TABLE people (
    company_id     TEXT    NOT NULL REFERENCES companies (id),
    id             TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    mobile         TEXT,
    employee_code  TEXT,
    role           TEXT    NOT NULL,
    manager_id     TEXT,
    password_hash  TEXT,
    language       TEXT    NOT NULL,
    last_view      TEXT,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    deactivated_at BIGINT,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, manager_id) REFERENCES people (company_id, id)
);
CREATE UNIQUE INDEX people_email ON people (company_id, email);
CREATE UNIQUE INDEX people_mobile ON people (company_id, mobile);
CREATE UNIQUE INDEX people_employee_code ON people (company_id, employee_code);
CREATE INDEX people_manager ON people (company_id, manager_id);

CREATE TABLE sessions (
    token_hash    TEXT    NOT NULL PRIMARY KEY,
    company_id    TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    csrf_token    TEXT    NOT NULL,
    remember      BIGINT  NOT NULL,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX sessions_person ON sessions (company_id, person_id);

CREATE TABLE device_tokens (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    label         TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT  NOT NULL,
    revoked_at    BIGINT,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX device_tokens_person ON device_tokens (company_id, person_id);

CREATE TABLE one_time_links (
    token_hash    TEXT    NOT NULL PRIMARY KEY,
    company_id    TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    used_at       BIGINT,
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX one_time_links_person ON one_time_links (company_id, person_id);

CREATE TABLE sign_in_failures (
    limit_key     TEXT    NOT NULL,
    at            BIGINT  NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (limit_key, at);

CREATE TABLE audit_log (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    seq           BIGINT  NOT NULL,
    at            BIGINT  NOT NULL,
    actor_id      TEXT,
    action        TEXT    NOT NULL,
    target_type   TEXT    NOT NULL,
    target_id     TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    user_agent    TEXT    NOT NULL,
    details       TEXT    NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    PRIMARY KEY (company_id, seq)
);
CREATE INDEX audit_log_at ON audit_log (company_id, at);
CREATE INDEX audit_log_ip ON audit_log (company_id, ip);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
