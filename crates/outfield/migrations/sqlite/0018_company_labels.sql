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
