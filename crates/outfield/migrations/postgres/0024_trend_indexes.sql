-- The overview's 30-day charts count duty days, visits (and verified ones) and kilometres per day over
-- the people a reader sees: each of these indexes answers its count from the index alone, without
-- reading the table's rows.
DROP INDEX duty_days_day;
CREATE INDEX duty_days_day ON duty_days (company_id, day, person_id);
DROP INDEX visits_day;
CREATE INDEX visits_day ON visits (company_id, day, person_id, in_verdict);
DROP INDEX day_summaries_day;
CREATE INDEX day_summaries_day ON day_summaries (company_id, day, person_id, distance_m);

-- Row-level security reads the session's company once per statement (an init plan) instead of once
-- per row: `outfield_may_see`, inlined into each policy, evaluated `current_setting` for every row a
-- scan visited. Every policy keeps its meaning (the row's company is the session's, or the session is
-- the system's own) and is now made by one function, which later migrations call for a new table.
CREATE FUNCTION outfield_protect(tenant_table TEXT, company_column TEXT DEFAULT 'company_id')
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    visible TEXT := format(
        '((SELECT current_setting(''outfield.system'', true)) = ''on'' OR %I = (SELECT current_setting(''outfield.company_id'', true)))',
        company_column);
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tenant_table);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', tenant_table || '_tenant', tenant_table);
    EXECUTE format('CREATE POLICY %I ON %I USING %s WITH CHECK %s',
                   tenant_table || '_tenant', tenant_table, visible, visible);
END $$;

DO $$
DECLARE
    policy RECORD;
BEGIN
    FOR policy IN SELECT tablename, policyname, qual FROM pg_policies
                  WHERE schemaname = current_schema() AND qual LIKE 'outfield_may_see(%' LOOP
        EXECUTE format('DROP POLICY %I ON %I', policy.policyname, policy.tablename);
        PERFORM outfield_protect(policy.tablename, substring(policy.qual FROM 'outfield_may_see\((\w+)\)'));
    END LOOP;
END $$;

DROP FUNCTION outfield_may_see(TEXT);
