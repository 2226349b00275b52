//! Everything written differently on SQLite and PostgreSQL, in one place: the rest of the code writes
//! the SQL both share and asks a [`Dialect`] for the few fragments and choices that differ. `Backend`
//! is private to `db`, so no other crate can branch on the engine; a test keeps the rest of this crate
//! from naming it too.

use super::{Backend, Tx};

/// The SQL dialect a transaction or a pool speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect(pub(super) Backend);

impl Dialect {
    /// The dialect a transaction runs in.
    pub fn of(tx: &mut Tx) -> Dialect {
        Dialect(if tx.backend_name().to_lowercase().contains("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        })
    }

    /// The table function over the elements of a JSON array bound as parameter `$n`, each as `value`:
    /// the one bulk input both engines read alike (`value ->> i` is the i-th field of an array row).
    pub fn json_values(self, n: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("json_each(${n})"),
            Backend::Postgres => format!("jsonb_array_elements(${n}::jsonb) AS value"),
        }
    }

    /// A query of the texts of the JSON array bound as `$n`, one per row, for `IN (…)`.
    pub fn json_texts(self, n: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("SELECT value FROM json_each(${n})"),
            Backend::Postgres => format!("SELECT jsonb_array_elements_text(${n}::jsonb)"),
        }
    }

    /// A condition that a column is one of the texts of the JSON array bound as `$n`, written so that
    /// each engine looks them up by key (PostgreSQL plans an `IN (subquery)` over a function as a scan).
    pub fn in_json_texts(self, n: usize) -> String {
        match self.0 {
            Backend::Sqlite => format!("IN ({})", self.json_texts(n)),
            Backend::Postgres => format!("= ANY (ARRAY({}))", self.json_texts(n)),
        }
    }

    /// The rows of the JSON array of objects bound as `$n`, as a table `alias` with the typed columns
    /// `columns` (name and SQL type, e.g. `("t", "BIGINT")`), each read from the object's key of that
    /// name.
    pub fn json_records(self, n: usize, alias: &str, columns: &[(&str, &str)]) -> String {
        match self.0 {
            Backend::Sqlite => {
                let fields: Vec<String> = columns
                    .iter()
                    .map(|(name, kind)| format!("CAST(value ->> '{name}' AS {kind}) AS {name}"))
                    .collect();
                format!(
                    "(SELECT {} FROM json_each(${n})) AS {alias}",
                    fields.join(", ")
                )
            }
            Backend::Postgres => {
                let fields: Vec<String> = columns
                    .iter()
                    .map(|(name, kind)| format!("{name} {}", postgres_type(kind)))
                    .collect();
                format!(
                    "jsonb_to_recordset(${n}::jsonb) AS {alias}({})",
                    fields.join(", ")
                )
            }
        }
    }

    /// Whether many rows of numbers are cheaper written into the statement as literals than bound as one
    /// JSON parameter: on SQLite parsing the literals costs less than binding or unpacking; PostgreSQL
    /// prepares and caches one statement for any number of rows only when they travel as a parameter.
    pub fn inlines_number_rows(self) -> bool {
        self.0 == Backend::Sqlite
    }

    /// Whether the engine groups concurrent commits itself (PostgreSQL does; SQLite writes go through
    /// one writer that `GroupCommit` batches).
    pub fn groups_commits_itself(self) -> bool {
        self.0 == Backend::Postgres
    }

    /// Makes the transaction wait for, then hold until it ends, a lock on `name`: transactions that
    /// count against the same limit take their turn. On PostgreSQL a transaction-level advisory lock on
    /// the name's 64-bit hash; on SQLite nothing, because a write transaction already holds the
    /// database's only write lock from its start.
    pub async fn lock_name(self, tx: &mut Tx, name: &str) -> sqlx::Result<()> {
        if self.0 == Backend::Postgres {
            sqlx::query(
                "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS locked",
            )
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Drops the query plans this connection cached, where the engine keeps any (PostgreSQL): after a
    /// bulk insert, a plan made while the table was small may scan what is now found by key.
    pub async fn forget_cached_plans(self, tx: &mut Tx) -> sqlx::Result<()> {
        if self.0 == Backend::Postgres {
            sqlx::query("DISCARD PLANS").execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// The PostgreSQL name of a column type written as both engines read it in a `CAST`.
fn postgres_type(kind: &str) -> &str {
    match kind {
        "REAL" => "DOUBLE PRECISION",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::kernel::tests::rust_sources;

    /// The engine is named only inside `db`: every other module asks a `Dialect` (other crates cannot
    /// name `Backend` at all, it is private to this crate).
    #[test]
    fn the_engine_is_named_only_inside_db() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files = rust_sources(&src);
        let outside: Vec<String> = files
            .iter()
            .filter(|file| {
                !file.starts_with(src.join("kernel/db")) && *file != &src.join("kernel/db.rs")
            })
            .filter(|file| {
                let text = std::fs::read_to_string(file).unwrap();
                text.match_indices("Backend").any(|(at, _)| {
                    !text[at + "Backend".len()..]
                        .starts_with(|c: char| c.is_alphanumeric() || c == '-')
                })
            })
            .map(|file| file.display().to_string())
            .collect();
        assert!(files.len() > 50, "only {} sources found", files.len());
        assert!(
            outside.is_empty(),
            "the engine is named outside db in {outside:?}"
        );
    }
}
