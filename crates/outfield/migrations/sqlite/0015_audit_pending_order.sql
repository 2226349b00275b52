-- The sealer takes a company's pending entries oldest first; without this index each batch sorted the
-- whole backlog, so a backlog took time quadratic in its length to seal.
CREATE INDEX audit_pending_order ON audit_pending (company_id, at, id);
