-- Client search by word prefix, the same on both backends (see src/clients/search.rs): the trigram index
-- gives way to a table of each client's words, keyed in the order results are shown, and carrying the one
-- person who holds the client (owner or visit plan; '' for nobody, NULL for several). The server fills it
-- when it starts, because the words are cut and folded by Rust code: `search_index.version` says by which
-- rules the index was built (0: not built).

DROP TRIGGER clients_search_insert;
DROP TRIGGER clients_search_delete;
DROP TRIGGER clients_search_update;
DROP TABLE clients_search;

UPDATE clients SET search_text = '';
ALTER TABLE clients ADD COLUMN search_name TEXT NOT NULL DEFAULT '';

CREATE TABLE client_search_words (
    company_id    TEXT    NOT NULL,
    word          TEXT    NOT NULL,
    sort_name     TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    holder_id     TEXT,
    PRIMARY KEY (company_id, word, sort_name, client_id)
) WITHOUT ROWID;
-- A field employee's or a team's search reads the part of the words its people hold.
CREATE INDEX client_search_words_holder ON client_search_words (company_id, holder_id, word, sort_name, client_id);

CREATE TABLE search_index (
    version       BIGINT  NOT NULL
);
INSERT INTO search_index (version) VALUES (0);
