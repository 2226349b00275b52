//! Follow-up tasks on clients: something to do for a client by a date (call back, collect a payment, a
//! demonstration), assigned to a person and shown on their day. A visit report's follow-up date becomes
//! one for the person who made the visit.

use chrono::NaiveDate;
use outfield_core::db::columns::{NullableUnixMs, StoredDay};
use outfield_core::ids::{ClientId, CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::FromRow;
use utoipa::ToSchema;
use uuid::Uuid;

use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::clock::now_ms;
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::people::domain::Role;

/// A follow-up task.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Task {
    /// Id.
    #[sqlx(try_from = "String")]
    pub id: Uuid,
    /// The client.
    pub client_id: ClientId,
    /// Its name.
    pub client_name: String,
    /// Who is to do it.
    pub assignee_id: PersonId,
    /// Their name.
    pub assignee_name: String,
    /// What to do.
    pub title: String,
    /// By when.
    #[sqlx(try_from = "StoredDay")]
    pub due_on: NaiveDate,
    /// When it was done, if it was.
    #[sqlx(try_from = "NullableUnixMs")]
    pub done_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A new task on a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    /// What to do, 1–200 characters.
    #[schema(schema_with = title_rule)]
    pub title: String,
    /// By when.
    pub due_on: NaiveDate,
    /// Who is to do it (default: whoever adds it). Field employees assign only to themselves.
    pub assignee_id: Option<PersonId>,
}

const TASK_SELECT: &str =
    "SELECT t.id, t.client_id, c.name AS client_name, t.assignee_id, p.name AS assignee_name, \
     t.title, t.due_on, t.done_at FROM tasks t \
     JOIN clients c ON c.company_id = t.company_id AND c.id = t.client_id \
     JOIN people p ON p.company_id = t.company_id AND p.id = t.assignee_id ";

/// Stores a task (the caller has checked who may add it).
pub async fn insert(
    tx: &mut Tx,
    company_id: CompanyId,
    (client_id, assignee_id, created_by): (ClientId, PersonId, PersonId),
    title: &str,
    due_on: NaiveDate,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO tasks (company_id, id, client_id, assignee_id, title, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(company_id)
    .bind(id.to_string())
    .bind(client_id)
    .bind(assignee_id)
    .bind(title)
    .bind(due_on.to_string())
    .bind(created_by)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Adds a task on a client the scope sees, for a person the scope sees.
pub async fn add(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    client_id: ClientId,
    new: NewTask,
) -> AppResult<Task> {
    let title = outfield_core::text::clean_line(&new.title, 200)
        .map_err(|m| AppError::field("title", m))?;
    let assignee = new.assignee_id.unwrap_or(scope.person_id());
    if scope.role() == Role::FieldEmployee && assignee != scope.person_id() {
        return Err(AppError::field(
            "assignee_id",
            "field employees add tasks for themselves",
        ));
    }
    let mut tx = db.tenant(scope).await?;
    if super::store::find(&mut tx, scope, client_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    match outfield_core::people::store::find(&mut tx, scope, assignee).await? {
        Some(person) if person.deactivated_at.is_none() => {}
        _ => {
            return Err(AppError::field(
                "assignee_id",
                "must be an active person you see",
            ))
        }
    }
    let id = insert(
        &mut tx,
        scope.company_id(),
        (client_id, assignee, scope.person_id()),
        &title,
        new.due_on,
    )
    .await?;
    let event = AuditEvent::new(crate::actions::TASK_ADDED, client_id)
        .with(json!({ "task_id": id, "assignee_id": assignee, "due_on": new.due_on }));
    audit::record(&mut tx, actor, event).await?;
    let task = one(&mut tx, scope.company_id(), id).await?;
    tx.commit().await?;
    Ok(task)
}

async fn one(tx: &mut Tx, company_id: CompanyId, id: Uuid) -> AppResult<Task> {
    let sql = format!("{TASK_SELECT} WHERE t.company_id = $1 AND t.id = $2");
    let row = sqlx::query(&sql)
        .bind(company_id)
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Task::from_row(&row)?)
}

/// A client's tasks: open ones by due date, then done ones.
pub(crate) async fn of_client(db: &Db, scope: &Scope, client_id: ClientId) -> AppResult<Vec<Task>> {
    let mut tx = db.tenant_read(scope).await?;
    if super::store::find(&mut tx, scope, client_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let sql = format!(
        "{TASK_SELECT} WHERE t.company_id = $1 AND t.client_id = $2 \
         ORDER BY CASE WHEN t.done_at IS NULL THEN 0 ELSE 1 END, t.due_on, t.id LIMIT 200"
    );
    let rows = sqlx::query(&sql)
        .bind(scope.company_id())
        .bind(client_id)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .map(Task::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// The scope's own open tasks due by a date (overdue ones included), soonest first.
pub async fn mine(db: &Db, scope: &Scope, until: NaiveDate) -> AppResult<Vec<Task>> {
    let mut tx = db.tenant_read(scope).await?;
    let sql = format!(
        "{TASK_SELECT} WHERE t.company_id = $1 AND t.assignee_id = $2 AND t.done_at IS NULL AND t.due_on <= $3 \
         ORDER BY t.due_on, t.id LIMIT 200"
    );
    let rows = sqlx::query(&sql)
        .bind(scope.company_id())
        .bind(scope.person_id())
        .bind(until.to_string())
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .map(Task::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// Marks a task done: its assignee, or a manager or admin who sees its client.
pub(crate) async fn complete(db: &Db, scope: &Scope, actor: &Actor, id: Uuid) -> AppResult<Task> {
    let mut tx = db.tenant(scope).await?;
    let task = one(&mut tx, scope.company_id(), id).await?;
    if super::store::find(&mut tx, scope, task.client_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    if scope.role() == Role::FieldEmployee && task.assignee_id != scope.person_id() {
        return Err(AppError::Forbidden);
    }
    sqlx::query("UPDATE tasks SET done_at = $3, done_by = $4 WHERE company_id = $1 AND id = $2 AND done_at IS NULL")
        .bind(scope.company_id())
        .bind(id.to_string())
        .bind(now_ms())
        .bind(scope.person_id())
        .execute(&mut *tx)
        .await?;
    let event =
        AuditEvent::new(crate::actions::TASK_DONE, task.client_id).with(json!({ "task_id": id }));
    audit::record(&mut tx, actor, event).await?;
    let task = one(&mut tx, scope.company_id(), id).await?;
    tx.commit().await?;
    Ok(task)
}

fn title_rule() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    outfield_core::text::schema_of(outfield_core::text::line_schema(200))
}
