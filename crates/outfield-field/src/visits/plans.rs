//! Beats: the clients a person should visit on a date, or every week on a weekday. Managers plan for their
//! team, admins for anyone, and employees for themselves. A planned client becomes visible to the person
//! it is planned for (see the client visibility rule in `clients::store`).

use chrono::{Datelike, NaiveDate};
use outfield_core::db::columns::StoredBool;
use outfield_core::ids::{ClientId, CompanyId, PersonId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::visits::Visit;
use outfield_core::audit::{self, Actor, AuditEvent};
use outfield_core::auth::Scope;
use outfield_core::clock::now_ms;
use outfield_core::db::{Db, Tx};
use outfield_core::error::{AppError, AppResult};
use outfield_core::people::domain::Role;

/// A new beat: clients for one person, on a date or weekly on a weekday (exactly one of the two).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// Who visits.
    pub person_id: PersonId,
    /// The clients, 1–100.
    #[schema(min_items = 1, max_items = 100)]
    pub client_ids: Vec<ClientId>,
    /// A date.
    pub day: Option<NaiveDate>,
    /// Or every week on this ISO weekday (1 = Monday … 7 = Sunday).
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: Option<u32>,
}

/// A client on a person's plan for a day, with the visit made there (if any).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub(crate) struct PlannedVisit {
    /// The plan entry (to remove it).
    #[sqlx(rename = "id", try_from = "String")]
    pub plan_id: Uuid,
    /// The client.
    pub client_id: ClientId,
    /// Its name.
    #[sqlx(rename = "name")]
    pub client_name: String,
    /// Its address.
    pub address: Option<String>,
    /// Its position, when known.
    pub latitude: Option<f64>,
    /// See `latitude`.
    pub longitude: Option<f64>,
    /// Whether it comes from a weekly beat.
    #[sqlx(try_from = "StoredBool")]
    pub weekly: bool,
    /// The visit made that day, if any.
    #[sqlx(skip)]
    pub visit: Option<Visit>,
}

/// Adds clients to a person's plan. Field employees plan only for themselves; managers for people they
/// see; every client must be one the planner may see.
pub async fn create(db: &Db, scope: &Scope, actor: &Actor, new: NewPlan) -> AppResult<Vec<Uuid>> {
    if scope.role() == Role::FieldEmployee && new.person_id != scope.person_id() {
        return Err(AppError::Forbidden);
    }
    match (new.day, new.weekday) {
        (Some(_), None) => {}
        (None, Some(w)) if (1..=7).contains(&w) => {}
        (None, Some(_)) => {
            return Err(AppError::field(
                "weekday",
                "must be 1 (Monday) to 7 (Sunday)",
            ))
        }
        _ => return Err(AppError::field("day", "give either a day or a weekday")),
    }
    if new.client_ids.is_empty() || new.client_ids.len() > 100 {
        return Err(AppError::field("client_ids", "must list 1–100 clients"));
    }
    let mut tx = db.tenant(scope).await?;
    if outfield_core::people::store::find(&mut tx, scope, new.person_id)
        .await?
        .is_none()
    {
        return Err(AppError::field("person_id", "is not a person you plan for"));
    }
    for client in &new.client_ids {
        if outfield_clients::store::find(&mut tx, scope, *client)
            .await?
            .is_none()
        {
            return Err(AppError::field(
                "client_ids",
                format!("{client} is not a client you see"),
            ));
        }
    }
    let last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) FROM visit_plans WHERE company_id = $1 AND person_id = $2",
    )
    .bind(scope.company_id())
    .bind(new.person_id)
    .fetch_one(&mut *tx)
    .await?;
    let mut ids = Vec::new();
    for (position, client) in (last + 1..).zip(&new.client_ids) {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO visit_plans (company_id, id, person_id, client_id, day, weekday, created_by, created_at, position) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(scope.company_id())
        .bind(id.to_string())
        .bind(new.person_id)
        .bind(client)
        .bind(new.day.map(|d| d.to_string()))
        .bind(new.weekday.map(i64::from))
        .bind(scope.person_id())
        .bind(now_ms())
        .bind(position)
        .execute(&mut *tx)
        .await?;
        ids.push(id);
    }
    outfield_clients::search::reindex(&mut tx, scope.company_id(), &new.client_ids).await?;
    let event = AuditEvent::new(crate::actions::VISIT_PLANNED, new.person_id).with(json!({
        "clients": new.client_ids, "day": new.day, "weekday": new.weekday
    }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Removes a plan entry (whoever may plan for its person).
pub async fn remove(db: &Db, scope: &Scope, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut tx = db.tenant(scope).await?;
    let plan: Option<(PersonId, ClientId)> = sqlx::query_as(
        "SELECT person_id, client_id FROM visit_plans WHERE company_id = $1 AND id = $2",
    )
    .bind(scope.company_id())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let (person, client) = plan.ok_or(AppError::NotFound)?;
    if outfield_core::people::store::find(&mut tx, scope, person)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM visit_plans WHERE company_id = $1 AND id = $2")
        .bind(scope.company_id())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    outfield_clients::search::reindex(&mut tx, scope.company_id(), &[client]).await?;
    audit::record(
        &mut tx,
        actor,
        AuditEvent::new(crate::actions::VISIT_UNPLANNED, person).with(json!({ "plan_id": id })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Where a plan entry goes: to whom, and on which date (a weekly entry moves to that date's weekday and
/// stays weekly).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Destination {
    /// Who visits from now on.
    pub person_id: PersonId,
    /// The date dropped on.
    pub day: NaiveDate,
}

/// Moves a plan entry to another person or day, last on that day's route (whoever may plan for both
/// people; field employees only within their own plan).
pub(crate) async fn move_entry(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    id: Uuid,
    to: Destination,
) -> AppResult<()> {
    let mut tx = db.tenant(scope).await?;
    let plan: Option<(PersonId, ClientId, Option<i64>)> = sqlx::query_as(
        "SELECT person_id, client_id, weekday FROM visit_plans WHERE company_id = $1 AND id = $2",
    )
    .bind(scope.company_id())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    let (from_person, client, weekday) = plan.ok_or(AppError::NotFound)?;
    for person in [from_person, to.person_id] {
        if outfield_core::people::store::find(&mut tx, scope, person)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
    }
    if scope.role() == Role::FieldEmployee && to.person_id != scope.person_id() {
        return Err(AppError::Forbidden);
    }
    let last: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) FROM visit_plans WHERE company_id = $1 AND person_id = $2",
    )
    .bind(scope.company_id())
    .bind(to.person_id)
    .fetch_one(&mut *tx)
    .await?;
    let (day, weekday) = match weekday {
        Some(_) => (None, Some(i64::from(to.day.weekday().number_from_monday()))),
        None => (Some(to.day.to_string()), None),
    };
    sqlx::query(
        "UPDATE visit_plans SET person_id = $1, day = $2, weekday = $3, position = $4 \
         WHERE company_id = $5 AND id = $6",
    )
    .bind(to.person_id)
    .bind(day.clone())
    .bind(weekday)
    .bind(last + 1)
    .bind(scope.company_id())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    outfield_clients::search::reindex(&mut tx, scope.company_id(), &[client]).await?;
    let event = AuditEvent::new(crate::actions::VISIT_PLAN_MOVED, to.person_id).with(json!({
        "plan_id": id, "from_person": from_person, "day": day, "weekday": weekday
    }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Puts a person's plan entries in the order given, first visited first (whoever may plan for the
/// person). Entries not named keep their place relative to each other.
pub async fn reorder(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    person_id: PersonId,
    order: &[Uuid],
) -> AppResult<()> {
    if scope.role() == Role::FieldEmployee && person_id != scope.person_id() {
        return Err(AppError::Forbidden);
    }
    if order.is_empty() || order.len() > 500 {
        return Err(AppError::field("plan_ids", "must list 1–500 plan entries"));
    }
    let mut tx = db.tenant(scope).await?;
    if outfield_core::people::store::find(&mut tx, scope, person_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    for (position, id) in (1_i64..).zip(order) {
        let moved = sqlx::query(
            "UPDATE visit_plans SET position = $1 WHERE company_id = $2 AND person_id = $3 AND id = $4",
        )
        .bind(position)
        .bind(scope.company_id())
        .bind(person_id)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            return Err(AppError::field(
                "plan_ids",
                format!("{id} is not on this person's plan"),
            ));
        }
    }
    let event = AuditEvent::new(crate::actions::VISIT_PLAN_REORDERED, person_id)
        .with(json!({ "order": order }));
    audit::record(&mut tx, actor, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a client is on a person's plan for a day (dated or weekly).
pub(crate) async fn is_planned(
    tx: &mut Tx,
    company: CompanyId,
    person: PersonId,
    client: ClientId,
    day: &str,
) -> sqlx::Result<bool> {
    let weekday = day
        .parse::<NaiveDate>()
        .map(|d| i64::from(d.weekday().number_from_monday()))
        .unwrap_or(0);
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM visit_plans WHERE company_id = $1 AND person_id = $2 AND client_id = $3 \
         AND (day = $4 OR weekday = $5) LIMIT 1",
    )
    .bind(company)
    .bind(person)
    .bind(client)
    .bind(day)
    .bind(weekday)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// A person's plan for a day with what became of each entry (the person, their managers, admins).
pub(crate) async fn for_day(
    db: &Db,
    scope: &Scope,
    person_id: PersonId,
    day: NaiveDate,
) -> AppResult<Vec<PlannedVisit>> {
    outfield_core::people::get(db, scope, person_id).await?;
    let mut tx = db.tenant_read(scope).await?;
    let entries: Vec<PlannedVisit> = sqlx::query_as(
        "SELECT vp.id, vp.client_id, CASE WHEN vp.weekday IS NULL THEN 0 ELSE 1 END AS weekly, c.name, c.address, c.latitude, c.longitude FROM visit_plans vp \
         JOIN clients c ON c.company_id = vp.company_id AND c.id = vp.client_id \
         WHERE vp.company_id = $1 AND vp.person_id = $2 AND (vp.day = $3 OR vp.weekday = $4) ORDER BY vp.position, c.name, vp.id",
    )
    .bind(scope.company_id())
    .bind(person_id)
    .bind(day.to_string())
    .bind(i64::from(day.weekday().number_from_monday()))
    .fetch_all(&mut *tx)
    .await?;
    let visits =
        crate::visits::of_day(&mut tx, scope.company_id(), person_id, &day.to_string()).await?;
    tx.commit().await?;
    let mut seen = std::collections::HashSet::new();
    let mut plan = Vec::new();
    for mut entry in entries {
        if !seen.insert(entry.client_id) {
            continue;
        }
        entry.visit = visits
            .iter()
            .rev()
            .find(|v| v.client_id == entry.client_id)
            .cloned();
        plan.push(entry);
    }
    Ok(plan)
}
