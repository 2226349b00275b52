//! The client list: search and filters, add a client, reassign clients in bulk.

use super::*;
use crate::store::{Cursor, ListOrder};
use outfield_core::ids::PersonId;

#[derive(Template)]
#[template(path = "clients.html")]
struct ListPage {
    frame: Frame,
    clients: Vec<Client>,
    /// Paging, when the list is browsed rather than searched.
    paging: Option<Paging>,
    q: String,
    status: String,
    sort: &'static str,
    /// The search and status as a query string, so that an export takes exactly the list shown.
    filter_query: String,
    statuses: Vec<&'static str>,
    people: Vec<(String, String)>,
    errors: FormErrors,
    notice: String,
    inputs: FieldInputs,
    /// The map the add form places a new client on.
    picker: String,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    sort: Option<ListOrder>,
    after: Option<String>,
    before: Option<String>,
}

/// Clients per page of the browsed list.
const PAGE_SIZE: i64 = 50;

/// Clients a search shows at most (the best matches first).
const SEARCH_LIMIT: i64 = 200;

/// Where the shown page lies in the whole list, and the links to its neighbours.
struct Paging {
    first: i64,
    last: i64,
    total: i64,
    next: Option<String>,
    previous: Option<String>,
}

pub(super) async fn list_view(
    state: &AppState,
    user: &Principal,
    query: ListQuery,
    errors: FormErrors,
    notice: String,
) -> Response {
    let filter = ClientFilter {
        q: query.q.clone().filter(|q| !q.trim().is_empty()),
        status: query.status.as_deref().and_then(ClientStatus::parse),
        limit: Some(SEARCH_LIMIT),
        ..Default::default()
    };
    let order = query.sort.unwrap_or_default();
    let listed = if filter.q.is_some() {
        crate::list(&state.db, &user.scope, &filter)
            .await
            .map(|clients| (clients, None))
    } else {
        let cursor = Cursor::parse(query.after.as_deref(), query.before.as_deref());
        crate::page(&state.db, &user.scope, &filter, (order, cursor, PAGE_SIZE))
            .await
            .map(|page| {
                let paging = Paging {
                    first: page.first,
                    last: page.first + page.clients.len() as i64 - 1,
                    total: page.total,
                    next: page.next,
                    previous: page.previous,
                };
                (page.clients, Some(paging))
            })
    };
    let (list, paging) = match listed {
        Ok(listed) => listed,
        Err(error) => return framed_error_page(user, &error),
    };
    let people = people::list(&state.db, &user.scope, StatusFilter::All, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    let status = errors.status();
    let settings = fields::get(&state.db, &user.scope).await.ok();
    let shown: Vec<(&str, &str)> = [("q", &query.q), ("status", &query.status)]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value.as_deref().filter(|v| !v.is_empty())?)))
        .collect();
    let sort = order.as_str();
    let tiles = Tiles::from_state(state);
    let picker = map_json(&serde_json::json!({
        "kind": "picker", "tiles": tiles,
        "center": crate::store::centre_of_clients(&state.db, &user.scope).await.ok().flatten(),
        "words": outfield_core::console::map::script_words(user.language),
    }));
    let page = ListPage {
        picker,
        filter_query: serde_urlencoded::to_string(&shown).unwrap_or_default(),
        inputs: FieldInputs::new(settings.as_ref(), None),
        frame: Frame::labelled(&state.db, user, "Clients", "clients").await,
        clients: list,
        paging,
        sort,
        q: query.q.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        statuses: ClientStatus::ALL.iter().map(|s| s.as_str()).collect(),
        people,
        errors,
        notice,
    };
    (status, render_map_page(&page, &tiles)).into_response()
}

pub(super) async fn list_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    list_view(&state, &user, query, FormErrors::default(), String::new()).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let settings = fields::get(&state.db, &user.scope).await.ok();
    let body = client_body(&form, settings.as_ref(), false);
    let mut parsed: Result<NewClient, _> = parse_fields(&body);
    if let Ok(new) = &mut parsed {
        if let Err(error) = typed_location(form.text("latitude"), form.text("longitude"))
            .map(|location| new.location = location)
        {
            parsed = Err(vec![error]);
        }
    }
    let outcome = match parsed {
        Ok(new) => crate::create(&state.writes, &user.scope, &actor, new).await,
        Err(errors) => Err(outfield_core::error::AppError::Validation(errors)),
    };
    match outcome {
        Ok(created) => Redirect::to(&format!("/console/clients/{}", created.id)).into_response(),
        Err(error) => {
            list_view(
                &state,
                &user,
                ListQuery::default(),
                FormErrors::from_error(&error),
                String::new(),
            )
            .await
        }
    }
}

/// The position typed into the latitude and longitude boxes: none when both are empty, else both must be
/// numbers on Earth; the error names the box and the rule.
fn typed_location(
    latitude: &str,
    longitude: &str,
) -> Result<Option<outfield_core::geo::GeoPoint>, outfield_core::error::FieldError> {
    use outfield_core::error::FieldError;
    let (latitude, longitude) = (latitude.trim(), longitude.trim());
    if latitude.is_empty() && longitude.is_empty() {
        return Ok(None);
    }
    let number = |field: &'static str, text: &str, example: &str| {
        if text.is_empty() {
            return Err(FieldError::new(
                field,
                format!("is needed with the other coordinate, for example {example}"),
            ));
        }
        text.parse::<f64>()
            .map_err(|_| FieldError::new(field, format!("must be a number such as {example}")))
    };
    let lat = number("latitude", latitude, "18.5204")?;
    let lon = number("longitude", longitude, "73.8567")?;
    outfield_core::geo::GeoPoint::new(lat, lon)
        .map(Some)
        .map_err(|message| {
            let field = if message.starts_with("Longitude") {
                "longitude"
            } else {
                "latitude"
            };
            FieldError::new(field, message)
        })
}

pub(super) async fn reassign(
    State(state): State<AppState>,
    Submission { user, form, actor }: Submission,
) -> Response {
    let (from, to) = (
        form.text("from_person_id").parse::<PersonId>(),
        form.text("to_person_id").parse::<PersonId>(),
    );
    let outcome = match (from, to) {
        (Ok(from), Ok(to)) => crate::reassign(&state.db, &user.scope, &actor, from, to).await,
        _ => Err(outfield_core::error::AppError::field(
            "to_person_id",
            "choose both people",
        )),
    };
    match outcome {
        Ok(moved) => {
            list_view(
                &state,
                &user,
                ListQuery::default(),
                FormErrors::default(),
                format!("{moved} clients moved."),
            )
            .await
        }
        // A refusal is the framed error page (403), not a form error on the list.
        Err(
            error @ (outfield_core::error::AppError::Forbidden
            | outfield_core::error::AppError::NotFound),
        ) => framed_error_page(&user, &error),
        Err(error) => {
            list_view(
                &state,
                &user,
                ListQuery::default(),
                FormErrors::from_error(&error),
                String::new(),
            )
            .await
        }
    }
}
