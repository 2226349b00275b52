//! SQL for people. Every query is limited to one company and, for reads, to what the scope may see.

use crate::ids::{CompanyId, PersonId};
use serde::Serialize;
use sqlx::{FromRow, Row};
use utoipa::ToSchema;

use crate::db::columns::{NullableUnixMs, StoredBool, UnixMs};
use crate::db::Tx;
use crate::kernel::scope::Scope;
use crate::people::domain::{Language, Role};

/// A person as the API and console show them.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Person {
    /// Id (UUIDv7).
    pub id: PersonId,
    /// Display name.
    pub name: String,
    /// E-mail (unique in the company).
    pub email: String,
    /// Mobile number in E.164, if given (unique in the company).
    pub mobile: Option<String>,
    /// The company's employee code, if given (unique in the company).
    pub employee_code: Option<String>,
    /// Role.
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Whom they report to.
    pub manager_id: Option<PersonId>,
    /// Their manager's name.
    pub manager_name: Option<String>,
    /// Interface language.
    #[sqlx(try_from = "String")]
    pub language: Language,
    /// False until the person has set a password through their invitation.
    #[sqlx(try_from = "StoredBool")]
    pub has_password: bool,
    /// When they were added.
    #[sqlx(try_from = "UnixMs")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When they were deactivated; deactivated people keep their history.
    #[sqlx(try_from = "NullableUnixMs")]
    pub deactivated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Which people a list shows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Only active people (default).
    #[default]
    Active,
    /// Only deactivated people.
    Deactivated,
    /// Everyone.
    All,
}

/// How far a scope's view of people reaches: everyone, their reporting tree, or themselves.
pub fn reach(scope: &Scope) -> &'static str {
    match scope.role() {
        Role::Owner | Role::Admin => "all",
        Role::Manager => "team",
        Role::FieldEmployee => "self",
    }
}

/// The people a scope may see, as a recursive CTE named `visible` over parameters $1 (company),
/// $2 (acting person) and $3 (reach).
pub const VISIBLE_CTE: &str = "WITH RECURSIVE visible(id) AS ( \
       SELECT id FROM people WHERE company_id = $1 AND ($3 = 'all' OR id = $2) \
       UNION \
       SELECT p.id FROM people p JOIN visible v ON p.manager_id = v.id \
       WHERE p.company_id = $1 AND $3 = 'team' ) ";

const PERSON_SELECT: &str = "SELECT p.id, p.name, p.email, p.mobile, p.employee_code, p.role, p.manager_id, \
       m.name AS manager_name, p.language, CASE WHEN p.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, p.created_at, \
       p.deactivated_at \
     FROM people p JOIN visible v ON v.id = p.id \
     LEFT JOIN people m ON m.company_id = p.company_id AND m.id = p.manager_id \
     WHERE p.company_id = $1 ";

/// People visible to the scope, filtered by status and a search over name, e-mail, mobile and code.
pub async fn list(
    tx: &mut Tx,
    scope: &Scope,
    status: StatusFilter,
    search: Option<&str>,
) -> sqlx::Result<Vec<Person>> {
    let pattern = search.map(|s| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], "")));
    let sql = format!(
        "{VISIBLE_CTE}{PERSON_SELECT} \
         AND ($4 = 'all' OR ($4 = 'active') = (p.deactivated_at IS NULL)) \
         AND ($5 IS NULL OR LOWER(p.name) LIKE $5 OR p.email LIKE $5 OR p.mobile LIKE $5 \
              OR LOWER(p.employee_code) LIKE $5) \
         ORDER BY p.name, p.id"
    );
    let status = match status {
        StatusFilter::Active => "active",
        StatusFilter::Deactivated => "deactivated",
        StatusFilter::All => "all",
    };
    let rows = bind_scope(sqlx::query(&sql), scope)
        .bind(status)
        .bind(pattern)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(Person::from_row).collect()
}

/// One person, if the scope may see them.
pub async fn find(tx: &mut Tx, scope: &Scope, id: PersonId) -> sqlx::Result<Option<Person>> {
    let sql = format!("{VISIBLE_CTE}{PERSON_SELECT} AND p.id = $4");
    let row = bind_scope(sqlx::query(&sql), scope)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(Person::from_row).transpose()
}

pub fn bind_scope<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    scope: &Scope,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(scope.company_id())
        .bind(scope.person_id())
        .bind(reach(scope))
}

/// Whether another person of the company already has `value` in the unique `column`.
pub async fn taken(
    tx: &mut Tx,
    company_id: CompanyId,
    column: &str,
    value: &str,
    except: Option<PersonId>,
) -> sqlx::Result<bool> {
    let sql = format!("SELECT id FROM people WHERE company_id = $1 AND {column} = $2 AND ($3 IS NULL OR id <> $3)");
    let row = sqlx::query(&sql)
        .bind(company_id)
        .bind(value)
        .bind(except)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// The chain of managers above `start` (nearest first), to detect loops and check who is above whom.
pub(crate) async fn managers_above(
    tx: &mut Tx,
    company_id: CompanyId,
    start: PersonId,
) -> sqlx::Result<Vec<PersonId>> {
    let rows = sqlx::query(
        "WITH RECURSIVE chain(id, depth) AS ( \
           SELECT manager_id, 1 FROM people WHERE company_id = $1 AND id = $2 AND manager_id IS NOT NULL \
           UNION ALL \
           SELECT p.manager_id, c.depth + 1 FROM people p JOIN chain c ON p.id = c.id \
           WHERE p.company_id = $1 AND p.manager_id IS NOT NULL AND c.depth < 1000 ) \
         SELECT id FROM chain ORDER BY depth",
    )
    .bind(company_id)
    .bind(start)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|row| row.try_get("id")).collect()
}

/// Number of active owners, so the last one cannot be removed.
pub(crate) async fn active_owner_count(tx: &mut Tx, company_id: CompanyId) -> sqlx::Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM people WHERE company_id = $1 AND role = 'owner' AND deactivated_at IS NULL",
    )
    .bind(company_id)
    .fetch_one(&mut **tx)
    .await?;
    row.try_get("n")
}

/// The fields of a new person, already validated.
pub struct NewPerson<'a> {
    /// Display name.
    pub name: &'a str,
    /// E-mail.
    pub email: &'a str,
    /// Mobile (E.164).
    pub mobile: Option<&'a str>,
    /// Employee code.
    pub employee_code: Option<&'a str>,
    /// Role.
    pub role: Role,
    /// Manager.
    pub manager_id: Option<PersonId>,
    /// Password hash, when the person is created with a password (bootstrap, demo).
    pub password_hash: Option<&'a str>,
}

/// Inserts a person and returns their id.
pub async fn insert(
    tx: &mut Tx,
    company_id: CompanyId,
    person: &NewPerson<'_>,
) -> sqlx::Result<PersonId> {
    let id = PersonId::generate();
    let now = crate::clock::now_ms();
    sqlx::query(
        "INSERT INTO people (company_id, id, name, email, mobile, employee_code, role, manager_id, \
         password_hash, language, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'en', $10, $10)",
    )
    .bind(company_id)
    .bind(id)
    .bind(person.name)
    .bind(person.email)
    .bind(person.mobile)
    .bind(person.employee_code)
    .bind(person.role.as_str())
    .bind(person.manager_id)
    .bind(person.password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}
