//! Console page for browsing the audit trail (usage monitoring by person and client address).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::audit::store::AuditFilter;
use crate::console::{error_page, local_time, render, ConsoleUser, Frame};
use crate::people::{self, StatusFilter};
use crate::state::AppState;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/audit", get(audit_page))
}

/// One entry as the page shows it.
struct Row {
    seq: i64,
    when: String,
    who: String,
    action: String,
    target: String,
    ip: String,
    user_agent: String,
    details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    rows: Vec<Row>,
    people: Vec<(String, String)>,
    filter_action: String,
    filter_ip: String,
    filter_actor: String,
    next_page: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    action: Option<String>,
    ip: Option<String>,
    actor_id: Option<String>,
    before_seq: Option<i64>,
}

async fn audit_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<PageQuery>,
) -> Response {
    let filter = AuditFilter {
        action: query.action.clone(),
        ip: query.ip.clone(),
        actor_id: query.actor_id.as_deref().and_then(|id| id.parse().ok()),
        before_seq: query.before_seq,
        limit: Some(100),
    };
    let entries = match crate::audit::browse(&state.db, &user.scope, &filter).await {
        Ok(entries) => entries,
        Err(error) => return error_page(&error),
    };
    let zone = crate::companies::get(&state.db, &user.scope)
        .await
        .map(|c| c.time_zone)
        .unwrap_or_default();
    let next_page = (entries.len() == 100).then(|| {
        let last = entries.last().map(|e| e.seq).unwrap_or_default();
        let params = [
            ("action", query.action.clone().unwrap_or_default()),
            ("ip", query.ip.clone().unwrap_or_default()),
            ("actor_id", query.actor_id.clone().unwrap_or_default()),
            ("before_seq", last.to_string()),
        ];
        format!(
            "/console/audit?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    });
    let rows = entries
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            when: local_time(e.at, &zone),
            who: e.actor_name.unwrap_or_else(|| "—".into()),
            action: e.action,
            target: format!("{} {}", e.target_type, e.target_id),
            ip: e.ip,
            user_agent: e.user_agent,
            details: e.details.to_string(),
        })
        .collect();
    let people = people::list(&state.db, &user.scope, StatusFilter::All, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    render(&AuditPage {
        frame: Frame::new(&user, "Audit trail", "audit"),
        rows,
        people,
        filter_action: query.action.unwrap_or_default(),
        filter_ip: query.ip.unwrap_or_default(),
        filter_actor: query.actor_id.unwrap_or_default(),
        next_page,
    })
}
