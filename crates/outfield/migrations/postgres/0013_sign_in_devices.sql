-- Browsers and phones a person has signed in from before (OWASP "device cookies"): each keeps its own
-- allowance of failed sign-ins, so a stranger guessing a person's password cannot lock that person out.
CREATE TABLE sign_in_devices (
    company_id    TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, token_hash),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX sign_in_devices_person ON sign_in_devices (company_id, person_id, expires_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_devices TO outfield_app;
ALTER TABLE sign_in_devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_devices FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_devices_tenant ON sign_in_devices USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
