-- Clients and relationships: accounts, their owners among the staff, contacts, and every interaction.
-- Kept in lock-step with ../sqlite/0003_clients.sql.

CREATE TABLE clients (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    id            TEXT    NOT NULL,
    code          TEXT,
    name          TEXT    NOT NULL,
    search_text   TEXT    NOT NULL,
    client_type   TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    phone         TEXT,
    email         TEXT,
    gstin         TEXT,
    category      TEXT,
    territory     TEXT,
    tags          TEXT    NOT NULL,
    address       TEXT,
    latitude      DOUBLE PRECISION,
    longitude     DOUBLE PRECISION,
    created_by    TEXT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id)
);
CREATE UNIQUE INDEX clients_code ON clients (company_id, code);
CREATE INDEX clients_name ON clients (company_id, name);
CREATE INDEX clients_position ON clients (company_id, latitude, longitude);

CREATE TABLE client_owners (
    company_id    TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    PRIMARY KEY (company_id, client_id, person_id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX client_owners_person ON client_owners (company_id, person_id);

CREATE TABLE contacts (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    role          TEXT,
    phone         TEXT,
    email         TEXT,
    language      TEXT,
    messaging_consent_at BIGINT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id)
);
CREATE INDEX contacts_client ON contacts (company_id, client_id);
CREATE INDEX contacts_phone ON contacts (company_id, phone);

CREATE TABLE interactions (
    company_id    TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    contact_id    TEXT,
    person_id     TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    outcome       TEXT,
    body          TEXT    NOT NULL,
    occurred_at   BIGINT  NOT NULL,
    received_at   BIGINT  NOT NULL,
    PRIMARY KEY (company_id, id),
    FOREIGN KEY (company_id, client_id) REFERENCES clients (company_id, id),
    FOREIGN KEY (company_id, contact_id) REFERENCES contacts (company_id, id),
    FOREIGN KEY (company_id, person_id) REFERENCES people (company_id, id)
);
CREATE INDEX interactions_client ON interactions (company_id, client_id, occurred_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON clients, client_owners, contacts, interactions TO outfield_app;

ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE clients FORCE ROW LEVEL SECURITY;
CREATE POLICY clients_tenant ON clients USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE client_owners ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_owners FORCE ROW LEVEL SECURITY;
CREATE POLICY client_owners_tenant ON client_owners USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY contacts_tenant ON contacts USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));

ALTER TABLE interactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE interactions FORCE ROW LEVEL SECURITY;
CREATE POLICY interactions_tenant ON interactions USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
