-- Uploaded import files, kept between the preview and the confirmation (any instance may serve either).

CREATE TABLE imports (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    id            TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    content       BYTEA    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);

GRANT SELECT, INSERT, DELETE ON imports TO outfield_app;
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE imports FORCE ROW LEVEL SECURITY;
CREATE POLICY imports_tenant ON imports USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
