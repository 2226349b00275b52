//! The SQLite and PostgreSQL schemas must match: same tables, columns, types and nullability, the same
//! primary keys, unique constraints and indexes (by table and columns), and the same foreign keys with
//! their delete rules. On PostgreSQL every table holding company data has row-level security enabled and
//! forced, under the one policy `outfield_protect` makes (the session's company read once per statement).
//! Every table with company data is claimed by one feature, which declares its columns naming a client
//! (followed in a merge) and a person (with what erasure does).

use std::collections::BTreeSet;

use sqlx::Row;

use crate::helpers::{postgres_skipped, Backend, TestApp};

type Column = (String, String, String, bool);

fn normalise(declared: &str) -> String {
    match declared.to_lowercase().as_str() {
        "text" => "text",
        "bigint" | "integer" => "integer",
        "double precision" | "real" => "real",
        "blob" | "bytea" => "blob",
        other => return other.to_string(),
    }
    .to_string()
}

async fn sqlite_columns(app: &TestApp) -> BTreeSet<Column> {
    let tables = app
        .admin_sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' \
             AND name NOT LIKE 'clients_search%'")
        .await;
    let mut columns = BTreeSet::new();
    for table in tables {
        let table: String = table.try_get(0).unwrap();
        for column in app
            .admin_sql(&format!(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
            ))
            .await
        {
            let pk: i64 = column.try_get(3).unwrap();
            let not_null: i64 = column.try_get(2).unwrap();
            let declared: String = column.try_get(1).unwrap();
            columns.insert((
                table.clone(),
                column.try_get(0).unwrap(),
                normalise(&declared),
                not_null == 1 || pk > 0,
            ));
        }
    }
    columns
}

async fn postgres_columns(app: &TestApp) -> BTreeSet<Column> {
    let rows = app
        .admin_sql(
            "SELECT table_name::TEXT, column_name::TEXT, data_type::TEXT, is_nullable::TEXT FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
        )
        .await;
    rows.iter()
        .map(|row| {
            let nullable: String = row.try_get(3).unwrap();
            let declared: String = row.try_get(2).unwrap();
            (
                row.try_get(0).unwrap(),
                row.try_get(1).unwrap(),
                normalise(&declared),
                nullable == "NO",
            )
        })
        .collect()
}

/// An index or key: table, kind (`primary`, `unique` or `index`), its key columns in order (`expr` for an
/// expression; PostgreSQL's `INCLUDE` columns are not keys), and whether it is partial.
type Index = (String, String, String, bool);

async fn sqlite_indexes(app: &TestApp) -> BTreeSet<Index> {
    let rows = app
        .admin_sql(
            "SELECT t.name, CASE WHEN l.origin = 'pk' THEN 'primary' WHEN l.\"unique\" = 1 THEN 'unique' ELSE 'index' END, \
             (SELECT group_concat(COALESCE(c.name, 'expr'), ',') FROM (SELECT name FROM pragma_index_xinfo(l.name) \
              WHERE key = 1 ORDER BY seqno) c), l.partial \
             FROM sqlite_master t, pragma_index_list(t.name) l \
             WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name NOT LIKE '_sqlx%'",
        )
        .await;
    let mut indexes: BTreeSet<Index> = rows
        .iter()
        .map(|row| {
            let partial: i64 = row.try_get(3).unwrap();
            (
                row.try_get(0).unwrap(),
                row.try_get(1).unwrap(),
                row.try_get(2).unwrap(),
                partial == 1,
            )
        })
        .collect();
    // A table whose primary key is one INTEGER column has it as its rowid, which lists no index.
    for row in app
        .admin_sql(
            "SELECT t.name, group_concat(c.name, ',') FROM sqlite_master t, pragma_table_info(t.name) c \
             WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name NOT LIKE '_sqlx%' AND c.pk > 0 \
             AND NOT EXISTS (SELECT 1 FROM pragma_index_list(t.name) l WHERE l.origin = 'pk') GROUP BY t.name",
        )
        .await
    {
        indexes.insert((row.try_get(0).unwrap(), "primary".into(), row.try_get(1).unwrap(), false));
    }
    indexes
}

async fn postgres_indexes(app: &TestApp) -> BTreeSet<Index> {
    let rows = app
        .admin_sql(
            "SELECT t.relname::TEXT, CASE WHEN i.indisprimary THEN 'primary' WHEN i.indisunique THEN 'unique' ELSE 'index' END, \
             array_to_string(ARRAY(SELECT COALESCE(a.attname::TEXT, 'expr') FROM unnest(i.indkey::INT2[]) WITH ORDINALITY k(n, o) \
              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n WHERE k.o <= i.indnkeyatts ORDER BY k.o), ','), \
             CASE WHEN i.indpred IS NULL THEN 0 ELSE 1 END::BIGINT \
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             WHERE ns.nspname = 'public' AND t.relname NOT LIKE '_sqlx%'",
        )
        .await;
    rows.iter()
        .map(|row| {
            let partial: i64 = row.try_get(3).unwrap();
            (
                row.try_get(0).unwrap(),
                row.try_get(1).unwrap(),
                row.try_get(2).unwrap(),
                partial == 1,
            )
        })
        .collect()
}

/// A foreign key: table, its columns, the referenced table and columns, the delete rule.
type ForeignKey = (String, String, String, String, String);

async fn sqlite_foreign_keys(app: &TestApp) -> BTreeSet<ForeignKey> {
    let rows = app
        .admin_sql(
            "SELECT t.name, group_concat(f.\"from\", ','), f.\"table\", group_concat(f.\"to\", ','), f.on_delete \
             FROM sqlite_master t, pragma_foreign_key_list(t.name) f \
             WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name NOT LIKE '_sqlx%' GROUP BY t.name, f.id",
        )
        .await;
    rows.iter()
        .map(|row| {
            let rule: String = row.try_get(4).unwrap();
            (
                row.try_get(0).unwrap(),
                row.try_get(1).unwrap(),
                row.try_get(2).unwrap(),
                row.try_get(3).unwrap(),
                rule.to_lowercase(),
            )
        })
        .collect()
}

async fn postgres_foreign_keys(app: &TestApp) -> BTreeSet<ForeignKey> {
    let columns = |keys: &str, relation: &str| {
        format!(
            "array_to_string(ARRAY(SELECT a.attname::TEXT FROM unnest(c.{keys}) WITH ORDINALITY k(n, o) \
             JOIN pg_attribute a ON a.attrelid = c.{relation} AND a.attnum = k.n ORDER BY k.o), ',')"
        )
    };
    let rows = app
        .admin_sql(&format!(
            "SELECT t.relname::TEXT, {}, r.relname::TEXT, {}, \
             CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'r' THEN 'restrict' \
             WHEN 'd' THEN 'set default' ELSE 'no action' END \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE c.contype = 'f' AND ns.nspname = 'public'",
            columns("conkey", "conrelid"),
            columns("confkey", "confrelid"),
        ))
        .await;
    rows.iter()
        .map(|row| {
            (
                row.try_get(0).unwrap(),
                row.try_get(1).unwrap(),
                row.try_get(2).unwrap(),
                row.try_get(3).unwrap(),
                row.try_get(4).unwrap(),
            )
        })
        .collect()
}

fn assert_same<T: Ord + std::fmt::Debug>(what: &str, lite: &BTreeSet<T>, pg: &BTreeSet<T>) {
    assert!(!lite.is_empty(), "no {what} read from SQLite");
    let only_sqlite: Vec<_> = lite.difference(pg).collect();
    let only_postgres: Vec<_> = pg.difference(lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "{what} only in SQLite: {only_sqlite:?}\n{what} only in PostgreSQL: {only_postgres:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    if postgres_skipped("sqlite_and_postgres_schemas_match") {
        return;
    }
    let postgres = TestApp::spawn(Backend::Postgres).await;
    let sqlite = TestApp::spawn(Backend::Sqlite).await;
    assert_same(
        "columns",
        &sqlite_columns(&sqlite).await,
        &postgres_columns(&postgres).await,
    );
    assert_same(
        "indexes and keys",
        &sqlite_indexes(&sqlite).await,
        &postgres_indexes(&postgres).await,
    );
    assert_same(
        "foreign keys",
        &sqlite_foreign_keys(&sqlite).await,
        &postgres_foreign_keys(&postgres).await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_company_table_has_row_level_security_forced() {
    if postgres_skipped("every_company_table_has_row_level_security_forced") {
        return;
    }
    let postgres = TestApp::spawn(Backend::Postgres).await;
    let rows = postgres
        .admin_sql(
            "SELECT t.relname::TEXT, t.relrowsecurity::TEXT, t.relforcerowsecurity::TEXT, \
             (SELECT COUNT(*) FROM pg_policy p WHERE p.polrelid = t.oid), \
             (SELECT COUNT(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = t.relname \
              AND p.policyname = t.relname || '_tenant' AND p.cmd = 'ALL' AND p.with_check = p.qual \
              AND p.qual = '((( SELECT current_setting(''outfield.system''::text, true) AS current_setting) = ''on''::text) OR (' \
                 || CASE WHEN t.relname = 'companies' THEN 'id' ELSE 'company_id' END \
                 || ' = ( SELECT current_setting(''outfield.company_id''::text, true) AS current_setting)))') \
             FROM pg_class t JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             WHERE ns.nspname = 'public' AND t.relkind = 'r' AND (t.relname = 'companies' OR EXISTS (SELECT 1 \
              FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'company_id' AND NOT a.attisdropped)) \
             ORDER BY 1",
        )
        .await;
    assert!(
        rows.len() > 20,
        "only {} tables with company_id found",
        rows.len()
    );
    let unprotected: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let (table, enabled, forced): (String, String, String) = (
                row.try_get(0).unwrap(),
                row.try_get(1).unwrap(),
                row.try_get(2).unwrap(),
            );
            let policies: i64 = row.try_get(3).unwrap();
            let canonical: i64 = row.try_get(4).unwrap();
            (enabled != "true" || forced != "true" || policies != 1 || canonical != 1).then(|| {
                format!(
                    "{table} (enabled {enabled}, forced {forced}, {policies} policies, \
                     {canonical} made by outfield_protect)"
                )
            })
        })
        .collect();
    assert!(
        unprotected.is_empty(),
        "tables with company data but no forced row-level security: {unprotected:?}"
    );
}

/// The schema as the feature test reads it: every column of every table, and the foreign keys.
async fn columns_and_keys(
    app: &TestApp,
    backend: Backend,
) -> (BTreeSet<Column>, BTreeSet<ForeignKey>) {
    match backend {
        Backend::Sqlite => (sqlite_columns(app).await, sqlite_foreign_keys(app).await),
        Backend::Postgres => (
            postgres_columns(app).await,
            postgres_foreign_keys(app).await,
        ),
    }
}

/// The columns a foreign key to `table` names (its company part left out), as (table, column).
fn naming(keys: &BTreeSet<ForeignKey>, table: &str) -> BTreeSet<(String, String)> {
    keys.iter()
        .filter(|(_, _, to, _, _)| to == table)
        .flat_map(|(from, columns, ..)| {
            columns
                .split(',')
                .filter(|c| *c != "company_id")
                .map(|c| (from.clone(), c.to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether a column's name says it holds a person's id, key or not (who acted, who owns, who decided).
fn names_a_person(column: &str) -> bool {
    [
        "person_id",
        "actor_id",
        "manager_id",
        "assignee_id",
        "holder_id",
    ]
    .contains(&column)
        || column.ends_with("_by")
}

/// Every table holding company data (a `company_id` column, and `companies` itself) is claimed by
/// exactly one feature, and every table a feature claims exists: a new table no feature lists fails
/// here, naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_with_company_data_is_claimed_by_one_feature() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres
            && postgres_skipped("every_table_with_company_data_is_claimed_by_one_feature")
        {
            continue;
        }
        let app = TestApp::spawn(backend).await;
        let (columns, _) = columns_and_keys(&app, backend).await;
        let tenant: BTreeSet<String> = columns
            .iter()
            .filter(|(table, column, ..)| column == "company_id" || table == "companies")
            .map(|(table, ..)| table.clone())
            .collect();
        let mut claimed = BTreeSet::new();
        for feature in outfield::FEATURES {
            for table in feature.tables {
                assert!(
                    claimed.insert(table.name.to_string()),
                    "{backend:?}: {} is claimed twice (again by {})",
                    table.name,
                    feature.name
                );
            }
        }
        assert!(tenant.len() > 30, "{backend:?}: only {tenant:?}");
        assert_eq!(
            tenant, claimed,
            "{backend:?}: tables with company data (left) against the tables the features claim (right)"
        );
    }
}

/// Every column naming a client (a foreign key to `clients`, or a `client_id` column) is declared by its
/// feature: the merge of duplicate clients moves the rows of exactly the declared columns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_column_naming_a_client_follows_it_in_a_merge() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres
            && postgres_skipped("every_column_naming_a_client_follows_it_in_a_merge")
        {
            continue;
        }
        let app = TestApp::spawn(backend).await;
        let (columns, keys) = columns_and_keys(&app, backend).await;
        let mut found = naming(&keys, "clients");
        found.extend(
            columns
                .iter()
                .filter(|(_, column, ..)| column == "client_id")
                .map(|(table, column, ..)| (table.clone(), column.clone())),
        );
        let declared: BTreeSet<(String, String)> = outfield_core::feature::client_columns()
            .map(|(table, column)| (table.to_string(), column.to_string()))
            .collect();
        assert!(found.len() >= 8, "{backend:?}: {found:?}");
        assert_eq!(
            found, declared,
            "{backend:?}: columns naming a client (left) against those the features declare (right)"
        );
    }
}

/// Every column naming a person (a foreign key to `people`, or a name that says so: `person_id`,
/// `actor_id`, `created_by`…) is declared by its feature with what erasing that person does, so that the
/// person's export and erasure reach every row about them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_column_naming_a_person_says_what_erasure_does() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if backend == Backend::Postgres
            && postgres_skipped("every_column_naming_a_person_says_what_erasure_does")
        {
            continue;
        }
        let app = TestApp::spawn(backend).await;
        let (columns, keys) = columns_and_keys(&app, backend).await;
        let tenant: BTreeSet<&String> = columns
            .iter()
            .filter(|(_, column, ..)| column == "company_id")
            .map(|(table, ..)| table)
            .collect();
        let mut found = naming(&keys, "people");
        found.extend(
            columns
                .iter()
                .filter(|(table, column, ..)| tenant.contains(table) && names_a_person(column))
                .map(|(table, column, ..)| (table.clone(), column.clone())),
        );
        found.insert(("people".to_string(), "id".to_string()));
        let declared: BTreeSet<(String, String)> = outfield::FEATURES
            .iter()
            .flat_map(|feature| feature.tables)
            .flat_map(|table| {
                table
                    .person_columns
                    .iter()
                    .map(|(column, _)| (table.name.to_string(), column.to_string()))
            })
            .collect();
        assert!(found.len() >= 30, "{backend:?}: {found:?}");
        assert_eq!(
            found, declared,
            "{backend:?}: columns naming a person (left) against those the features declare (right)"
        );
    }
}
