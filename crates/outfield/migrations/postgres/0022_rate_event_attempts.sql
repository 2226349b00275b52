-- A sign-in attempt is counted before its password is checked (so parallel attempts cannot all pass the
-- check before any is counted); each counted attempt carries its id, so that a correct password takes
-- back exactly its own count against the client address.
ALTER TABLE rate_events ADD COLUMN attempt TEXT;

-- A command run with only the server's login role (`audit verify`, `company create`) reads which
-- migrations were applied, to start without changing the schema when nothing is pending.
GRANT SELECT ON _sqlx_migrations TO outfield_app;
