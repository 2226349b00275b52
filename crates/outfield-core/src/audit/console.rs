//! Console page for browsing the audit trail (usage monitoring by person and client address).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::audit::store::{AuditEntry, AuditFilter};
use crate::console::{framed_error_page, local_time, render, ConsoleUser, Frame};
use crate::people::domain::Language;
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
    /// What happened, in words ("Added a client"), or the action's code when it has no words yet.
    what: String,
    action: String,
    /// The target in words and, where it has a page, the link to it.
    target: String,
    target_href: Option<String>,
    ip: String,
    user_agent: String,
    /// The details as "field: value" lines; the raw JSON stays behind a disclosure.
    summary: Vec<(String, String)>,
    raw: String,
    /// The entry's personal data (address, browser, details) was erased; the entry stays.
    personal_erased: bool,
}

/// What `action` means in `lang`, or its code when it has no words.
fn action_words(action: &str, lang: Language) -> String {
    super::actions::words_of(action)
        .map_or_else(|| action.to_string(), |words| lang.tr(words).to_string())
}

/// The target in words and its page: a person by name, a client by the name the entry recorded.
fn target_words(entry: &AuditEntry, lang: Language) -> (String, Option<String>) {
    let id = &entry.target_id;
    let recorded_name = entry.details.get("name").and_then(|n| n.as_str());
    match entry.target_type.as_str() {
        "person" => (
            entry
                .target_name
                .clone()
                .unwrap_or_else(|| lang.tr("a person").into()),
            Some(format!("/console/people/{id}")),
        ),
        "client" => (
            recorded_name.map_or_else(|| lang.tr("a client").into(), String::from),
            Some(format!("/console/clients/{id}")),
        ),
        "login" => (id.clone(), None),
        other => (lang.tr(&other.replace('_', " ")).to_string(), None),
    }
}

/// The details as "field: value" lines a person can read: arrays listed, nested objects counted, a
/// person's id as their name, and codes (`field_employee`, `session`) in words.
fn summary(details: &serde_json::Value, words: &Words<'_>) -> Vec<(String, String)> {
    let Some(object) = details.as_object() else {
        return Vec::new();
    };
    object
        .iter()
        .map(|(key, value)| {
            // "owner_id": a person's id reads as "owner: Rajesh Sharma".
            let names_a_person = value.as_str().is_some_and(|v| words.people.contains_key(v));
            let key = match key.strip_suffix("_id") {
                Some(role) if names_a_person => role,
                _ => key.as_str(),
            };
            let field = words.lang.tr(&key.replace('_', " ")).to_string();
            let value = match (CODED.contains(&key), value.as_str()) {
                (true, Some(code)) => words.lang.tr(&code.replace('_', " ")).to_string(),
                _ => readable_value(value, words),
            };
            (field, value)
        })
        .collect()
}

/// What turns recorded values into words: the reader's language and the company's people by id.
struct Words<'a> {
    lang: Language,
    people: &'a std::collections::HashMap<String, String>,
}

fn readable_value(value: &serde_json::Value, words: &Words<'_>) -> String {
    use serde_json::Value;
    let lang = words.lang;
    match value {
        Value::Null => "—".into(),
        Value::Bool(yes) => lang.tr(if *yes { "yes" } else { "no" }).into(),
        Value::String(text) => words.people.get(text).unwrap_or(text).clone(),
        Value::Number(number) => number.to_string(),
        Value::Array(items) if items.len() > 5 => lang.tr1("{} items", items.len()),
        Value::Array(items) => items
            .iter()
            .map(|item| readable_value(item, words))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(fields) => lang.tr1("{} fields", fields.len()),
    }
}

/// Details whose value is a code of Outfield's (a role, a way of signing in, a verdict), shown in words;
/// other text is shown as it was recorded, since a person may have typed it.
const CODED: [&str; 7] = [
    "role",
    "via",
    "purpose",
    "permission",
    "decision",
    "verdict",
    "status",
];

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    rows: Vec<Row>,
    caption: String,
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

/// The link to the page of entries older than `last`, under the same filter.
fn older_entries(query: &PageQuery, last: i64) -> String {
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
        Err(error) => return framed_error_page(&user, &error),
    };
    let (total, newer) = match crate::audit::count(&state.db, &user.scope, &filter).await {
        Ok(counted) => counted,
        Err(error) => return framed_error_page(&user, &error),
    };
    let lang = user.language;
    let caption = if entries.is_empty() {
        lang.tr("No entries").to_string()
    } else {
        let shown = format!("{}–{}", newer + 1, newer + entries.len() as i64);
        lang.tr2("Entries {1} of {2}, newest first", shown, total)
    };
    let zone = crate::companies::get(&state.db, &user.scope)
        .await
        .map(|c| c.time_zone)
        .unwrap_or_default();
    let next_page = (entries.len() == 100)
        .then(|| older_entries(&query, entries.last().map(|e| e.seq).unwrap_or_default()));
    let people: Vec<(String, String)> =
        people::list(&state.db, &user.scope, StatusFilter::All, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.id.to_string(), p.name))
            .collect();
    let by_id = people.iter().cloned().collect();
    let words = Words {
        lang,
        people: &by_id,
    };
    let rows = entries
        .into_iter()
        .map(|e| {
            let (target, target_href) = target_words(&e, lang);
            Row {
                seq: e.seq,
                when: local_time(e.at, &zone, lang),
                who: e.actor_name.clone().unwrap_or_else(|| "—".into()),
                what: action_words(&e.action, lang),
                target,
                target_href,
                summary: summary(&e.details, &words),
                raw: e.details.to_string(),
                action: e.action,
                ip: e.ip,
                user_agent: e.user_agent,
                personal_erased: e.personal_erased,
            }
        })
        .collect();
    render(&AuditPage {
        frame: Frame::new(&user, "Audit trail", "audit"),
        rows,
        caption,
        people,
        filter_action: query.action.unwrap_or_default(),
        filter_ip: query.ip.unwrap_or_default(),
        filter_actor: query.actor_id.unwrap_or_default(),
        next_page,
    })
}
