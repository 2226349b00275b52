-- The overview's 30-day charts count duty days, visits (and verified ones) and kilometres per day over
-- the people a reader sees: each of these indexes answers its count from the index alone, without
-- reading the table's rows.
DROP INDEX duty_days_day;
CREATE INDEX duty_days_day ON duty_days (company_id, day, person_id);
DROP INDEX visits_day;
CREATE INDEX visits_day ON visits (company_id, day, person_id, in_verdict);
DROP INDEX day_summaries_day;
CREATE INDEX day_summaries_day ON day_summaries (company_id, day, person_id, distance_m);
