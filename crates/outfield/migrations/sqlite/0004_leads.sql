-- Website enquiry forms: each company may publish a form whose submissions become leads.
-- Rate-limit events are no longer only about sign-in, so their table gets a general name.

ALTER TABLE sign_in_failures RENAME TO rate_events;
ALTER TABLE companies ADD COLUMN lead_form_key TEXT;
ALTER TABLE companies ADD COLUMN lead_form_origins TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN lead_round_robin BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX companies_lead_form_key ON companies (lead_form_key);
