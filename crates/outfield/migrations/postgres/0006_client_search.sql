-- A trigram index over what client searches match, so that "contains" searches use an index.
-- PostgreSQL: pg_trgm's GIN index (SQLite uses an FTS5 trigram table: ../sqlite/0006_client_search.sql).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX clients_search_trgm ON clients USING gin (search_text gin_trgm_ops);
