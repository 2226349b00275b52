//! Console pages for tracking: the live map of who is on duty, and a person's day (trail, stops, gaps,
//! visits and timeline).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use outfield_core::ids::PersonId;
use serde::{Deserialize, Serialize};

use crate::attendance::console::settings_and_day;
use crate::settings;
use crate::tracking::trail::Flag;
use crate::tracking::{self, DayDetail, LivePosition};
use outfield_core::console::map::script_words;
use outfield_core::console::map::{map_json, render_map_page, Tiles};
use outfield_core::console::{framed_error_page, local_clock, ConsoleUser, Frame};
use outfield_core::http::extract::ApiPath;
use outfield_core::people::domain::Language;
use outfield_core::state::AppState;
use std::collections::BTreeMap;

/// Routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/live", get(live_page))
        .route("/console/people/{id}/day", get(day_page))
}

struct LiveRow {
    person_id: PersonId,
    name: String,
    since: String,
    last_seen: String,
    battery: String,
    accuracy: String,
    distance_km: f64,
    flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "live.html")]
struct LivePage {
    frame: Frame,
    rows: Vec<LiveRow>,
    data: String,
}

#[derive(Serialize)]
struct LiveData<'a> {
    kind: &'static str,
    tiles: &'a Tiles,
    people: &'a [LivePosition],
    words: BTreeMap<&'static str, &'static str>,
    /// Each flag's words in the reader's language, by its stored name (the people's flags are names).
    flag_words: BTreeMap<&'static str, &'static str>,
}

async fn live_page(State(state): State<AppState>, ConsoleUser(user): ConsoleUser) -> Response {
    let (people, zone) = match (
        tracking::live(&state.db, &user.scope).await,
        settings::get(&state.db, &user.scope).await,
    ) {
        (Ok(people), Ok(settings)) => (people, settings.time_zone),
        (Err(error), _) | (_, Err(error)) => return framed_error_page(&user, &error),
    };
    let now = chrono::Utc::now();
    let lang = user.language;
    let rows = people
        .iter()
        .map(|p| LiveRow {
            person_id: p.person_id,
            name: p.name.clone(),
            since: local_clock(&p.started_at, &zone),
            last_seen: p
                .last_fix
                .as_ref()
                .map_or(lang.tr("no fix yet").into(), |f| {
                    let minutes = (now - f.at).num_minutes().max(0);
                    lang.tr2("{1} ({2} min ago)", local_clock(&f.at, &zone), minutes)
                }),
            battery: p
                .last_fix
                .as_ref()
                .and_then(|f| f.battery)
                .map_or(String::new(), |b| format!("{:.0}%", b * 100.0)),
            accuracy: p.last_fix.as_ref().map_or(String::new(), |f| {
                lang.tr1("±{} m", format!("{:.0}", f.accuracy_m))
            }),
            distance_km: p.distance_km,
            flags: p.flags.iter().map(|f| f.label()).collect(),
        })
        .collect();
    let tiles = Tiles::from_state(&state);
    let data = live_map_data(&tiles, &people, user.language);
    let page = LivePage {
        frame: Frame::new(&user, "Live map", "live"),
        rows,
        data,
    };
    render_map_page(&page, &tiles)
}

/// The live map's data block: the tiles, everyone on duty at their latest position, the script's
/// words. The live map page and the overview's small map draw the same.
pub(crate) fn live_map_data(tiles: &Tiles, people: &[LivePosition], lang: Language) -> String {
    map_json(&LiveData {
        kind: "live",
        words: script_words(lang),
        flag_words: Flag::ALL
            .iter()
            .map(|flag| (flag.as_str(), lang.tr(flag.label())))
            .collect(),
        tiles,
        people,
    })
}

/// Which day a page shows.
#[derive(Debug, Deserialize)]
pub(crate) struct DayQuery {
    /// `YYYY-MM-DD`; today by default.
    pub day: Option<String>,
}

struct TimelineEntry {
    at: String,
    what: String,
    /// `at-HHMM` on the first entry of its minute: where an exception on the overview links to.
    anchor: Option<String>,
}

#[derive(Template)]
#[template(path = "day.html")]
struct DayPage {
    frame: Frame,
    detail: DayDetail,
    zone: String,
    previous: String,
    next: String,
    flags: Vec<&'static str>,
    timeline: Vec<TimelineEntry>,
    data: String,
}

#[derive(Serialize)]
struct DayData<'a> {
    kind: &'static str,
    words: BTreeMap<&'static str, &'static str>,
    tiles: &'a Tiles,
    trail: &'a [[f64; 4]],
    stops: &'a [tracking::trail::Stop],
    gaps: &'a [tracking::trail::Gap],
    visits: Vec<VisitMark>,
    clients: Vec<ClientMark>,
    radius_m: i64,
    /// The first position's label ("Start 09:12"), by the company's clock and in the reader's language.
    start_label: String,
    /// The last position's: "End 18:40" once the day was ended, else "Latest 14:05".
    end_label: String,
}

#[derive(Serialize)]
struct VisitMark {
    client: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    verdict: &'static str,
    verdict_label: &'static str,
    distance_m: Option<f64>,
}

#[derive(Serialize)]
struct ClientMark {
    name: String,
    latitude: f64,
    longitude: f64,
}

async fn day_page(
    State(state): State<AppState>,
    ConsoleUser(user): ConsoleUser,
    ApiPath(id): ApiPath<PersonId>,
    Query(query): Query<DayQuery>,
) -> Response {
    let (settings, day) = match settings_and_day(&state, &user, query.day.as_deref()).await {
        Ok(found) => found,
        Err(error) => return framed_error_page(&user, &error),
    };
    let detail = match tracking::day_detail(&state.db, &user.scope, id, day).await {
        Ok(detail) => detail,
        Err(error) => return framed_error_page(&user, &error),
    };
    let mut clients = Vec::new();
    let mut positions = Vec::new();
    if let Ok(mut tx) = state.db.tenant_read(&user.scope).await {
        for visit in &detail.visits {
            let client = outfield_clients::store::find(&mut tx, &user.scope, visit.client_id).await;
            if let Ok(Some(client)) = client {
                if let Some(at) = client.location {
                    clients.push(ClientMark {
                        name: client.name.clone(),
                        latitude: at.latitude,
                        longitude: at.longitude,
                    });
                }
            }
            positions.push(
                crate::visits::check_in_position(&mut tx, user.scope.company_id(), visit.id)
                    .await
                    .unwrap_or_default(),
            );
        }
        let _ = tx.commit().await;
    }
    let visits = detail
        .visits
        .iter()
        .zip(positions)
        .map(|(v, at)| VisitMark {
            client: v.client_name.clone(),
            latitude: at.map(|p| p.0),
            longitude: at.map(|p| p.1),
            verdict: v.in_verdict.as_str(),
            verdict_label: user.language.tr(v.in_verdict.label()),
            distance_m: v.in_distance_m,
        })
        .collect();
    let tiles = Tiles::from_state(&state);
    let (start_label, end_label) = trail_labels(&detail, &settings.time_zone, user.language);
    let data = map_json(&DayData {
        kind: "day",
        words: script_words(user.language),
        tiles: &tiles,
        trail: &detail.trail,
        stops: &detail.stops,
        gaps: &detail.gaps,
        visits,
        clients,
        radius_m: settings.visit_radius_m,
        start_label,
        end_label,
    });
    let zone = settings.time_zone.clone();
    let page = DayPage {
        frame: Frame::labelled(
            &state.db,
            &user,
            format!("{} — {}", detail.name, user.language.date(day)),
            "live",
        )
        .await,
        timeline: timeline(&detail, &zone, user.language),
        flags: detail.flags.iter().map(|f: &Flag| f.label()).collect(),
        previous: day.pred_opt().unwrap_or(day).to_string(),
        next: day.succ_opt().unwrap_or(day).to_string(),
        detail,
        zone,
        data,
    };
    render_map_page(&page, &tiles)
}

/// The labels of the trail's first and last positions ("Start 09:12", "End 18:40" or "Latest 14:05"),
/// by the company's clock.
fn trail_labels(detail: &DayDetail, zone: &str, lang: Language) -> (String, String) {
    let label = |fix: Option<&[f64; 4]>, wording: &str| {
        fix.map_or(String::new(), |fix| {
            let at = outfield_core::clock::to_datetime(fix[2] as i64);
            lang.tr1(wording, local_clock(&at, zone))
        })
    };
    let end = if detail.ended_at.is_some() {
        "End {}"
    } else {
        "Latest {}"
    };
    (
        label(detail.trail.first(), "Start {}"),
        label(detail.trail.last(), end),
    )
}

/// The day as one list of events in time order, by the phone's clock (the one all of them share).
fn timeline(detail: &DayDetail, zone: &str, lang: Language) -> Vec<TimelineEntry> {
    let ms = outfield_core::clock::to_datetime;
    let mut events: Vec<(i64, String)> = Vec::new();
    if let Some(at) = detail.start_device_time {
        events.push((at.timestamp_millis(), lang.tr("Started the day").into()));
    }
    for stop in &detail.stops {
        let minutes = (stop.until - stop.from) / 60_000;
        events.push((stop.from, lang.tr1("Stopped for {} min", minutes)));
    }
    for gap in &detail.gaps {
        let minutes = (gap.until - gap.from) / 60_000;
        let km = format!("{:.1}", gap.distance_m / 1000.0);
        let what = lang.tr2("No tracking for {1} min ({2} km bridged)", minutes, km);
        events.push((gap.from, what));
    }
    for visit in &detail.visits {
        let verdict = lang.tr(visit.in_verdict.label());
        let what = match visit.in_distance_m {
            Some(d) => {
                lang.tr2("Checked in at {1} — {2}", &visit.client_name, verdict)
                    + &lang.tr1(", {} m away", format!("{d:.0}"))
            }
            None => lang.tr2("Checked in at {1} — {2}", &visit.client_name, verdict),
        };
        events.push((visit.in_device_time.timestamp_millis(), what));
        if let Some(out) = visit.out_device_time {
            let outcome = visit.outcome.as_deref().unwrap_or(lang.tr("no outcome"));
            let what = lang.tr2(
                "Checked out of {1} — {2}",
                &visit.client_name,
                lang.tr(outcome),
            );
            events.push((out.timestamp_millis(), what));
        }
    }
    for note in &detail.notes {
        let what = lang.tr1("Note: {}", &note.text);
        events.push((note.device_time.timestamp_millis(), what));
    }
    if let Some(at) = detail.end_device_time {
        events.push((at.timestamp_millis(), lang.tr("Ended the day").into()));
    }
    events.sort_by_key(|(at, _)| *at);
    let mut previous = String::new();
    events
        .into_iter()
        .map(|(at, what)| {
            let clock = local_clock(&ms(at), zone);
            let anchor = (clock != previous).then(|| format!("at-{}", clock.replace(':', "")));
            previous.clone_from(&clock);
            TimelineEntry {
                at: clock,
                what,
                anchor,
            }
        })
        .collect()
}
