-- What a company records about clients beyond the built-in fields: its client types (one per line, the
-- first is the default) and typed custom fields (JSON definitions); on each client the custom values
-- (a JSON object), further phone numbers and further addresses (JSON arrays).

ALTER TABLE companies ADD COLUMN client_types TEXT NOT NULL DEFAULT 'Retailer
Wholesaler
Distributor
Dealer
Institution';
ALTER TABLE companies ADD COLUMN client_fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN custom_fields TEXT NOT NULL DEFAULT '{}';
ALTER TABLE clients ADD COLUMN other_phones TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN other_addresses TEXT NOT NULL DEFAULT '[]';
