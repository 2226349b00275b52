-- The order a person's planned clients are visited in: a manager drags them into the order of the
-- route; new entries go last.
ALTER TABLE visit_plans ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
