-- Client search by word prefix, the same on both backends (see src/clients/search.rs): the trigram index
-- gives way to a table of each client's words, keyed in the order results are shown, and carrying the one
-- person who holds the client (owner or visit plan; '' for nobody, NULL for several). The server fills it
-- when it starts, because the words are cut and folded by Rust code: `search_index.version` says by which
-- rules the index was built (0: not built). Byte order ("C") for words and names makes prefix ranges and
-- result order the same as SQLite's; the client id keeps the collation of clients.id, so that its key
-- finds the client.

DROP INDEX clients_search_trgm;

UPDATE clients SET search_text = '';
ALTER TABLE clients ADD COLUMN search_name TEXT NOT NULL DEFAULT '';

CREATE TABLE client_search_words (
    company_id    TEXT    NOT NULL,
    word          TEXT    COLLATE "C" NOT NULL,
    sort_name     TEXT    COLLATE "C" NOT NULL,
    client_id     TEXT    NOT NULL,
    holder_id     TEXT,
    PRIMARY KEY (company_id, word, sort_name, client_id) INCLUDE (holder_id)
);
-- A field employee's or a team's search reads the part of the words its people hold.
CREATE INDEX client_search_words_holder ON client_search_words (company_id, holder_id, word, sort_name, client_id);

CREATE TABLE search_index (
    version       BIGINT  NOT NULL
);
INSERT INTO search_index (version) VALUES (0);

GRANT SELECT, INSERT, UPDATE, DELETE ON client_search_words TO outfield_app;
GRANT SELECT, UPDATE ON search_index TO outfield_app;
ALTER TABLE client_search_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_search_words FORCE ROW LEVEL SECURITY;
CREATE POLICY client_search_words_tenant ON client_search_words USING (outfield_may_see(company_id)) WITH CHECK (outfield_may_see(company_id));
