-- A company's own wordings, in another interface language, of the labels it defines itself (client
-- types, visit outcomes, later expense categories): the label stays the stored value, the wording is
-- what a person reading in that language sees.
CREATE TABLE company_labels (
    company_id    TEXT    NOT NULL REFERENCES companies (id),
    language      TEXT    NOT NULL,
    label         TEXT    NOT NULL,
    wording       TEXT    NOT NULL,
    PRIMARY KEY (company_id, language, label)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON company_labels TO outfield_app;
ALTER TABLE company_labels ENABLE ROW LEVEL SECURITY;
ALTER TABLE company_labels FORCE ROW LEVEL SECURITY;
CREATE POLICY company_labels_tenant ON company_labels USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
