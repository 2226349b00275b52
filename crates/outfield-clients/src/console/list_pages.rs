//! The client list: search and filters, add a client, reassign clients in bulk.

use super::*;
use outfield_core::ids::PersonId;

#[derive(Template)]
#[template(path = "clients.html")]
struct ListPage {
    frame: Frame,
    clients: Vec<Client>,
    q: String,
    status: String,
    /// The search and status as a query string, so that an export takes exactly the list shown.
    filter_query: String,
    statuses: Vec<&'static str>,
    people: Vec<(String, String)>,
    errors: FormErrors,
    notice: String,
    inputs: FieldInputs,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ListQuery {
    q: Option<String>,
    status: Option<String>,
}

pub(super) async fn list_view(
    state: &AppState,
    user: &Principal,
    query: ListQuery,
    errors: FormErrors,
    notice: String,
) -> Response {
    let filter = ClientFilter {
        q: query.q.clone(),
        status: query.status.as_deref().and_then(ClientStatus::parse),
        limit: Some(200),
        ..Default::default()
    };
    let list = match crate::list(&state.db, &user.scope, &filter).await {
        Ok(list) => list,
        Err(error) => return error_page(&error),
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
    let page = ListPage {
        filter_query: serde_urlencoded::to_string(&shown).unwrap_or_default(),
        inputs: FieldInputs::new(settings.as_ref(), None),
        frame: Frame::new(user, "Clients", "clients"),
        clients: list,
        q: query.q.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        statuses: ClientStatus::ALL.iter().map(|s| s.as_str()).collect(),
        people,
        errors,
        notice,
    };
    (status, render(&page)).into_response()
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
    client: ClientInfo,
    Submission { user, form }: Submission,
) -> Response {
    let settings = fields::get(&state.db, &user.scope).await.ok();
    let body = client_body(&form, settings.as_ref(), false);
    let mut parsed: Result<NewClient, _> = parse_fields(&body);
    if let Ok(new) = &mut parsed {
        let (lat, lon) = (form.text("latitude").trim(), form.text("longitude").trim());
        if !lat.is_empty() || !lon.is_empty() {
            match (lat.parse::<f64>(), lon.parse::<f64>()) {
                (Ok(lat), Ok(lon)) => match outfield_core::geo::GeoPoint::new(lat, lon) {
                    Ok(point) => new.location = Some(point),
                    Err(message) => {
                        parsed = Err(vec![outfield_core::error::FieldError::new(
                            "location", message,
                        )])
                    }
                },
                _ => {
                    parsed = Err(vec![outfield_core::error::FieldError::new(
                        "location",
                        "must be two numbers",
                    )])
                }
            }
        }
    }
    let outcome = match parsed {
        Ok(new) => crate::create(&state.writes, &user.scope, &Actor::of(&user, &client), new).await,
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

pub(super) async fn reassign(
    State(state): State<AppState>,
    client: ClientInfo,
    Submission { user, form }: Submission,
) -> Response {
    let (from, to) = (
        form.text("from_person_id").parse::<PersonId>(),
        form.text("to_person_id").parse::<PersonId>(),
    );
    let outcome = match (from, to) {
        (Ok(from), Ok(to)) => {
            crate::reassign(&state.db, &user.scope, &Actor::of(&user, &client), from, to).await
        }
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
