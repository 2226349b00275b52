-- Platform core: companies, people, sign-in state, audit trail.
-- Kept in lock-step with ../sqlite/0001_platform_core.sql (a test compares the two schemas).
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

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Row-level security, defence in depth behind the structural scope of the store.
-- The server runs its queries as the role outfield_app (SET ROLE at connect), which owns nothing and so is
-- always subject to the policies. A transaction sees a company's rows only after it has set
-- outfield.company_id; the few system paths (sign-in, migrations, audit verification) set outfield.system.
DO $$ BEGIN
    CREATE ROLE outfield_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
GRANT outfield_app TO CURRENT_USER;
GRANT SELECT, INSERT, UPDATE, DELETE ON companies, people, sessions, device_tokens, one_time_links,
    sign_in_failures TO outfield_app;
GRANT SELECT, INSERT ON audit_log TO outfield_app;

CREATE FUNCTION outfield_may_see(row_company TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT current_setting('outfield.system', true) = 'on'
        OR row_company = current_setting('outfield.company_id', true)
$$;

ALTER TABLE companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE companies FORCE ROW LEVEL SECURITY;
CREATE POLICY companies_tenant ON companies USING (outfield_may_see(id)) WITH CHECK (outfield_may_see(id));

ALTER TABLE people ENABLE ROW LEVEL SECURITY;
ALTER TABLE people FORCE ROW LEVEL SECURITY;
CREATE POLICY people_tenant ON people USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_tenant ON audit_log USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE device_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY device_tokens_tenant ON device_tokens USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE one_time_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE one_time_links FORCE ROW LEVEL SECURITY;
CREATE POLICY one_time_links_tenant ON one_time_links USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_tenant ON sessions USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
