-- A trigram index over what client searches match, so that "contains" searches use an index.
-- SQLite: an FTS5 table with the trigram tokenizer over clients.search_text, kept in step by triggers.
-- (PostgreSQL uses a pg_trgm GIN index instead: ../postgres/0006_client_search.sql.)

CREATE VIRTUAL TABLE clients_search USING fts5(search_text, content = 'clients', content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO clients_search (rowid, search_text) SELECT rowid, search_text FROM clients;

CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN
    INSERT INTO clients_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER clients_search_update AFTER UPDATE OF search_text ON clients BEGIN
    INSERT INTO clients_search (clients_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO clients_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
