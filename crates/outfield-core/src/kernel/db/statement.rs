//! A write as data: one statement in the SQL both engines share (`$1` placeholders) with its values.
//!
//! A write made of statements needs nothing back between them, so it can run where it is cheapest: in a
//! sqlx transaction (PostgreSQL, and any SQLite transaction already open), or on the SQLite writer's own
//! thread, where a group of writes runs statement after statement through rusqlite's prepared-statement
//! cache with no hand-off between threads (see `group_commit`).

use std::borrow::Cow;

use crate::db::{NullableFloat, Tx};
use crate::ids::TypedId;

/// A bound value, typed also when NULL: PostgreSQL checks a parameter's type against its column.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer (times, counts, flags).
    Integer(Option<i64>),
    /// A floating-point number (positions, readings).
    Real(Option<f64>),
    /// Text (ids, names, JSON).
    Text(Option<String>),
}

impl<Id: TypedId> From<Id> for Value {
    fn from(id: Id) -> Value {
        Value::Text(Some(id.uuid().to_string()))
    }
}

impl<Id: TypedId> From<Option<Id>> for Value {
    fn from(id: Option<Id>) -> Value {
        Value::Text(id.map(|id| id.uuid().to_string()))
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Integer(Some(value))
    }
}

impl From<Option<f64>> for Value {
    fn from(value: Option<f64>) -> Value {
        Value::Real(value)
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::Text(Some(value))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(Some(value.to_string()))
    }
}

impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Value {
        Value::Text(value.map(String::from))
    }
}

impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Value {
        Value::Text(value)
    }
}

/// A statement and its values, in placeholder order.
#[derive(Clone, Debug)]
pub struct Statement {
    sql: Cow<'static, str>,
    values: Vec<Value>,
}

impl Statement {
    /// A statement with no values bound yet.
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Statement {
        Statement {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// Binds the next placeholder.
    #[must_use]
    pub fn bind(mut self, value: impl Into<Value>) -> Statement {
        self.values.push(value.into());
        self
    }

    /// Runs it in a sqlx transaction; returns the rows it changed.
    pub async fn execute(&self, tx: &mut Tx) -> sqlx::Result<u64> {
        let mut query = sqlx::query(&self.sql);
        for value in &self.values {
            query = match value {
                Value::Integer(v) => query.bind(*v),
                Value::Real(v) => query.bind(NullableFloat(*v)),
                Value::Text(v) => query.bind(v.as_deref()),
            };
        }
        Ok(query.execute(&mut **tx).await?.rows_affected())
    }

    /// Runs it on an SQLite connection through its prepared-statement cache; returns the rows it
    /// changed. `$n` becomes SQLite's numbered `?n`, so the values bind by position, not by name.
    pub(crate) fn execute_sqlite(&self, conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
        let mut statement = conn.prepare_cached(&numbered(&self.sql))?;
        for (index, value) in self.values.iter().enumerate() {
            let place = index + 1;
            match value {
                Value::Integer(v) => statement.raw_bind_parameter(place, v)?,
                Value::Real(v) => statement.raw_bind_parameter(place, v)?,
                Value::Text(v) => statement.raw_bind_parameter(place, v.as_deref())?,
            }
        }
        statement.raw_execute()
    }
}

/// The statement with each `$n` outside quoted text written `?n`.
fn numbered(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '$' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quoted_text() {
        assert_eq!(
            numbered("SELECT $1, '$2', $10 || 'it''s $3', $2"),
            "SELECT ?1, '$2', ?10 || 'it''s $3', ?2"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn a_statement_runs_on_sqlite_with_typed_nulls() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER, b REAL, c TEXT)")
            .unwrap();
        let insert =
            Statement::new("INSERT INTO t (c, b, a) VALUES ($3, $2, $1), ($3, $2, $1 + 1)")
                .bind(7i64)
                .bind(None::<f64>)
                .bind("seven");
        assert_eq!(insert.execute_sqlite(&conn).unwrap(), 2);
        let rows: Vec<(Option<i64>, Option<f64>, Option<String>)> = conn
            .prepare("SELECT a, b, c FROM t ORDER BY rowid")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (Some(7), None, Some("seven".into())),
                (Some(8), None, Some("seven".into()))
            ]
        );
    }
}
