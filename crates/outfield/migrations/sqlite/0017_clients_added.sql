-- The client list can be read newest first, a page at a time.
CREATE INDEX clients_added ON clients (company_id, created_at, id);
