//! A person's day as the console and the app read it: duty, trail, stops, gaps, flags, visits, the
//! selfie and the notes of that day, and the one rounding of distances every page shows.

use outfield_core::auth::Scope;
use outfield_core::db::Db;
use outfield_core::error::AppResult;
use outfield_core::ids::PersonId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::tracking::summary;
use crate::tracking::trail::{self, Flag, Stop};

/// Metres as kilometres with two decimals, as reports show them: the one rounding of distances, so that
/// no page shows "-0.0 km" (a sum of no distances is −0.0 in IEEE arithmetic; adding +0.0 makes it 0).
pub(crate) fn round_km(metres: f64) -> f64 {
    (metres / 10.0).round() / 100.0 + 0.0
}

/// A person's day: duty, trail, stops, gaps, flags and visits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct DayDetail {
    /// The person.
    pub person_id: PersonId,
    /// Their name.
    pub name: String,
    /// The local date.
    pub day: String,
    /// When the day was started and ended (server times), if it was.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// See `started_at`.
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the day was started and ended by the phone's clock (the timeline's clock).
    pub start_device_time: Option<chrono::DateTime<chrono::Utc>>,
    /// See `start_device_time`.
    pub end_device_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Minutes on duty, private pauses excluded.
    pub duty_minutes: i64,
    /// Kilometres travelled.
    pub distance_km: f64,
    /// The trail: `[latitude, longitude, device time (Unix ms), accuracy (m)]` per fix.
    pub trail: Vec<[f64; 4]>,
    /// Stops of five minutes or more.
    pub stops: Vec<Stop>,
    /// Silences bridged by a straight line.
    pub gaps: Vec<trail::Gap>,
    /// Signals for the manager.
    pub flags: Vec<Flag>,
    /// Visits of the day.
    pub visits: Vec<crate::visits::Visit>,
    /// The selfie taken at the start of the day, when the company asks for one.
    pub selfie: Option<outfield_core::files::Attachment>,
    /// Notes the person wrote that day, oldest first.
    pub notes: Vec<crate::notes::Note>,
}

/// A day of a person the scope may see (their own, their team's, or anyone's for admins).
pub(crate) async fn day_detail(
    db: &Db,
    scope: &Scope,
    person_id: PersonId,
    day: chrono::NaiveDate,
) -> AppResult<DayDetail> {
    let person = outfield_core::people::get(db, scope, person_id).await?;
    let calendar_day = day;
    let day = day.to_string();
    let mut tx = db.tenant_read(scope).await?;
    let computed = summary::compute(&mut tx, scope.company_id(), person_id, &day).await?;
    let visits = crate::visits::of_day(&mut tx, scope.company_id(), person_id, &day).await?;
    let selfie = crate::attendance::selfie_of(&mut tx, scope.company_id(), person_id, &day).await?;
    let zone = crate::settings::load(&mut tx, scope.company_id())
        .await?
        .zone();
    let bounds = (
        outfield_core::clock::instant_of(calendar_day, 0, zone),
        outfield_core::clock::instant_of(calendar_day, 24 * 60, zone),
    );
    let notes =
        crate::notes::written_between(&mut tx, scope.company_id(), person_id, bounds).await?;
    tx.commit().await?;
    let (duty, fixes, trail) = match computed {
        Some(c) => (Some(c.duty), c.fixes, c.trail),
        None => (None, Vec::new(), trail::Trail::default()),
    };
    Ok(DayDetail {
        person_id,
        name: person.name,
        day,
        started_at: duty
            .as_ref()
            .map(|d| outfield_core::clock::to_datetime(d.started_at)),
        ended_at: duty
            .as_ref()
            .and_then(|d| d.ended_at)
            .map(outfield_core::clock::to_datetime),
        start_device_time: duty
            .as_ref()
            .map(|d| outfield_core::clock::to_datetime(d.start_device_time)),
        end_device_time: duty
            .as_ref()
            .and_then(|d| d.end_device_time)
            .map(outfield_core::clock::to_datetime),
        duty_minutes: duty.as_ref().map(|d| d.duty_ms / 60_000).unwrap_or(0),
        distance_km: round_km(trail.distance_m),
        trail: fixes
            .iter()
            .map(|f| {
                [
                    f.point.latitude,
                    f.point.longitude,
                    f.device_time as f64,
                    f.accuracy_m,
                ]
            })
            .collect(),
        stops: trail.stops,
        gaps: trail.gaps,
        flags: trail.flags,
        visits,
        selfie,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::round_km;

    #[test]
    fn no_distance_is_zero_not_minus_zero() {
        let none: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(format!("{:.1}", round_km(none)), "0.0");
        assert_eq!(round_km(1234.0), 1.23);
    }
}
