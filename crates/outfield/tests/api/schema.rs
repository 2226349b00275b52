//! The SQLite and PostgreSQL schemas must match: same tables, columns, types and nullability. The one
//! deliberate difference, the client search index (FTS5 tables on SQLite, a GIN index on PostgreSQL), is
//! left out.

use std::collections::BTreeSet;

use sqlx::Row;

use crate::helpers::{Backend, TestApp};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let Some(postgres) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let sqlite = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (lite, pg) = (
        sqlite_columns(&sqlite).await,
        postgres_columns(&postgres).await,
    );
    assert!(!lite.is_empty());
    let only_sqlite: Vec<_> = lite.difference(&pg).collect();
    let only_postgres: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_postgres:?}"
    );
}
