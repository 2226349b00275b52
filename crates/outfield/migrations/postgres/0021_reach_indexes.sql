-- Reads over many clients (the list's count, the client map) take the set of clients a person's
-- people own or plan from these indexes alone, and test each client of a map view against it from
-- the position index alone.
DROP INDEX client_owners_person;
CREATE INDEX client_owners_person ON client_owners (company_id, person_id, client_id);
DROP INDEX visit_plans_person;
CREATE INDEX visit_plans_person ON visit_plans (company_id, person_id, client_id);
DROP INDEX clients_position;
CREATE INDEX clients_position ON clients (company_id, latitude, longitude, id);
-- The list by name is read in the index's order to the last key, ties included.
DROP INDEX clients_name;
CREATE INDEX clients_name ON clients (company_id, name, id);
