//! Trail analytics: from a day's fixes to distance, stops, gaps and tamper signals. Pure functions over the
//! fixes sorted by device time, so the result depends only on which fixes arrived, never on their order.
//!
//! - Jitter: a fix within the combined accuracy of the current anchor is the same place; it refines the
//!   anchor (weighted by 1/accuracy²) instead of adding distance.
//! - Coarse fixes (worse than [`USABLE_ACCURACY_M`]) are kept on the map but not used for distance.
//! - Speed outliers: a fix that would need more than [`MAX_SPEED_MPS`] from the anchor is dropped and flags
//!   the day; two such fixes that agree with each other are a real relocation ("jump"), bridged and flagged.
//! - Gaps: consecutive usable fixes more than [`GAP_MS`] apart are bridged by a straight line, counted in
//!   the distance and listed as gaps, so that the console shows them as gaps, not as invented movement.
//! - Stops: the employee stayed within [`STOP_RADIUS_M`] for at least [`STOP_MIN_MS`].

use outfield_core::db::columns::StoredBool;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use outfield_core::clock::MINUTE_MS;
use outfield_core::geo::GeoPoint;

/// Fixes coarser than this are shown but do not count for distance or stops.
pub(crate) const USABLE_ACCURACY_M: f64 = 100.0;
/// Faster than this (≈ 200 km/h) between two fixes is not travel by road.
pub(crate) const MAX_SPEED_MPS: f64 = 55.0;
/// A longer silence between fixes is a gap.
pub(crate) const GAP_MS: i64 = 10 * MINUTE_MS;
/// How far someone may wander and still be at one stop.
pub(crate) const STOP_RADIUS_M: f64 = 100.0;
/// How long a stay must last to be a stop.
pub(crate) const STOP_MIN_MS: i64 = 5 * MINUTE_MS;
/// A device clock further ahead of the server than this is flagged.
pub(crate) const CLOCK_SKEW_MS: i64 = 5 * MINUTE_MS;

/// A fix as analysis needs it.
#[derive(Debug, Clone, Copy, PartialEq, sqlx::FromRow)]
pub(crate) struct TrailFix {
    /// Device time (Unix ms).
    pub device_time: i64,
    /// Server receive time (Unix ms).
    pub received_at: i64,
    /// Position.
    #[sqlx(flatten)]
    pub point: GeoPoint,
    /// Accuracy radius (m).
    pub accuracy_m: f64,
    /// Battery level 0–1, when the browser tells.
    pub battery: Option<f64>,
    /// Whether the OS marked the fix as coming from a mock-location app.
    #[sqlx(try_from = "StoredBool")]
    pub mocked: bool,
}

/// Something about a day or visit that a manager should look at. Flags never block a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The phone reported a mock (fake) location.
    MockLocation,
    /// Two fixes would need an impossible speed.
    ImpossibleSpeed,
    /// The phone's clock was ahead of the server's.
    ClockSkew,
    /// The position jumped far and stayed there.
    Jump,
    /// Tracking was silent for a while on duty.
    Gap,
    /// A check-in (or check-out) was too far from the client.
    OutOfRangeCheckIn,
    /// A check-in (or check-out) could not be verified: no position, a fix too coarse, or a client
    /// without a location.
    UnverifiedCheckIn,
}

impl Flag {
    /// Every flag.
    pub const ALL: [Flag; 7] = [
        Flag::MockLocation,
        Flag::ImpossibleSpeed,
        Flag::ClockSkew,
        Flag::Jump,
        Flag::Gap,
        Flag::OutOfRangeCheckIn,
        Flag::UnverifiedCheckIn,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::MockLocation => "mock_location",
            Flag::ImpossibleSpeed => "impossible_speed",
            Flag::ClockSkew => "clock_skew",
            Flag::Jump => "jump",
            Flag::Gap => "gap",
            Flag::OutOfRangeCheckIn => "out_of_range_check_in",
            Flag::UnverifiedCheckIn => "unverified_check_in",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == raw)
    }

    /// Words for the console.
    pub fn label(self) -> &'static str {
        match self {
            Flag::MockLocation => "mock location",
            Flag::ImpossibleSpeed => "impossible speed",
            Flag::ClockSkew => "phone clock ahead",
            Flag::Jump => "position jump",
            Flag::Gap => "tracking gap",
            Flag::OutOfRangeCheckIn => "check-in out of range",
            Flag::UnverifiedCheckIn => "check-in not verified",
        }
    }
}

/// A place the employee stayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct Stop {
    /// Centre, degrees north.
    pub latitude: f64,
    /// Centre, degrees east.
    pub longitude: f64,
    /// Arrival (device time, Unix ms).
    pub from: i64,
    /// Departure (device time, Unix ms).
    pub until: i64,
}

/// A silence in tracking, bridged by a straight line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct Gap {
    /// Last fix before (device time, Unix ms).
    pub from: i64,
    /// First fix after (device time, Unix ms).
    pub until: i64,
    /// Straight-line distance bridged (m).
    pub distance_m: f64,
}

/// What a day's fixes say.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Trail {
    /// Fixes considered.
    pub fix_count: i64,
    /// Distance travelled (m).
    pub distance_m: f64,
    /// First fix (device time).
    pub first_at: Option<i64>,
    /// Last fix (device time).
    pub last_at: Option<i64>,
    /// Stops of five minutes or more.
    pub stops: Vec<Stop>,
    /// Silences bridged.
    pub gaps: Vec<Gap>,
    /// Tamper and health signals, sorted, each once.
    pub flags: Vec<Flag>,
    /// The latest fix.
    pub last: Option<TrailFix>,
}

struct Anchor {
    point: GeoPoint,
    accuracy_m: f64,
    at: i64,
}

impl Anchor {
    fn of(fix: &TrailFix) -> Anchor {
        Anchor {
            point: fix.point,
            accuracy_m: fix.accuracy_m,
            at: fix.device_time,
        }
    }

    /// Folds a fix of the same place into the anchor, weighting each by 1/accuracy².
    fn refine(&mut self, fix: &TrailFix) {
        let (wa, wb) = (self.accuracy_m.powi(-2), fix.accuracy_m.powi(-2));
        let total = wa + wb;
        self.point = GeoPoint {
            latitude: (self.point.latitude * wa + fix.point.latitude * wb) / total,
            longitude: (self.point.longitude * wa + fix.point.longitude * wb) / total,
        };
        self.accuracy_m = total.sqrt().recip();
        self.at = fix.device_time;
    }
}

fn speed_mps(distance_m: f64, from: i64, until: i64) -> f64 {
    let seconds = (until - from) as f64 / 1000.0;
    if seconds <= 0.0 {
        if distance_m > 1.0 {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        distance_m / seconds
    }
}

/// Analyses a day's fixes, which must be sorted by device time (ties in any fixed order).
pub(crate) fn analyse(fixes: &[TrailFix]) -> Trail {
    let mut trail = Trail {
        fix_count: fixes.len() as i64,
        first_at: fixes.first().map(|f| f.device_time),
        last_at: fixes.last().map(|f| f.device_time),
        last: fixes.last().copied(),
        ..Trail::default()
    };
    let mut flags = std::collections::BTreeSet::new();
    if fixes.iter().any(|f| f.mocked) {
        flags.insert(Flag::MockLocation);
    }
    if fixes
        .iter()
        .any(|f| f.device_time > f.received_at + CLOCK_SKEW_MS)
    {
        flags.insert(Flag::ClockSkew);
    }
    let usable: Vec<&TrailFix> = fixes
        .iter()
        .filter(|f| f.accuracy_m <= USABLE_ACCURACY_M)
        .collect();
    let mut anchor: Option<Anchor> = None;
    let mut outlier: Option<&TrailFix> = None;
    for fix in &usable {
        let Some(current) = anchor.as_mut() else {
            anchor = Some(Anchor::of(fix));
            continue;
        };
        let distance = current.point.distance_m(&fix.point);
        if distance <= current.accuracy_m.max(fix.accuracy_m) {
            current.refine(fix);
            outlier = None;
            continue;
        }
        if speed_mps(distance, current.at, fix.device_time) > MAX_SPEED_MPS {
            flags.insert(Flag::ImpossibleSpeed);
            match outlier {
                Some(previous)
                    if speed_mps(
                        previous.point.distance_m(&fix.point),
                        previous.device_time,
                        fix.device_time,
                    ) <= MAX_SPEED_MPS =>
                {
                    flags.insert(Flag::Jump);
                    let bridged = current.point.distance_m(&previous.point);
                    trail.gaps.push(Gap {
                        from: current.at,
                        until: previous.device_time,
                        distance_m: bridged,
                    });
                    trail.distance_m += bridged + previous.point.distance_m(&fix.point);
                    *current = Anchor::of(fix);
                    outlier = None;
                }
                _ => outlier = Some(fix),
            }
            continue;
        }
        if fix.device_time - current.at > GAP_MS {
            flags.insert(Flag::Gap);
            trail.gaps.push(Gap {
                from: current.at,
                until: fix.device_time,
                distance_m: distance,
            });
        }
        trail.distance_m += distance;
        *current = Anchor::of(fix);
        outlier = None;
    }
    trail.stops = stops(&usable);
    trail.flags = flags.into_iter().collect();
    trail
}

fn stops(fixes: &[&TrailFix]) -> Vec<Stop> {
    let mut stops = Vec::new();
    let mut cluster: Vec<&TrailFix> = Vec::new();
    let mut centre = GeoPoint {
        latitude: 0.0,
        longitude: 0.0,
    };
    let mut close = |cluster: &Vec<&TrailFix>, centre: GeoPoint| {
        if let (Some(first), Some(last)) = (cluster.first(), cluster.last()) {
            if last.device_time - first.device_time >= STOP_MIN_MS {
                stops.push(Stop {
                    latitude: centre.latitude,
                    longitude: centre.longitude,
                    from: first.device_time,
                    until: last.device_time,
                });
            }
        }
    };
    for fix in fixes {
        if !cluster.is_empty() && centre.distance_m(&fix.point) <= STOP_RADIUS_M {
            cluster.push(fix);
            let n = cluster.len() as f64;
            centre = GeoPoint {
                latitude: centre.latitude + (fix.point.latitude - centre.latitude) / n,
                longitude: centre.longitude + (fix.point.longitude - centre.longitude) / n,
            };
            continue;
        }
        close(&cluster, centre);
        cluster = vec![fix];
        centre = fix.point;
    }
    close(&cluster, centre);
    stops
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_790_000_000_000;

    fn fix(minute: i64, lat: f64, lon: f64, accuracy_m: f64) -> TrailFix {
        TrailFix {
            device_time: START + minute * MINUTE_MS,
            received_at: START + minute * MINUTE_MS,
            point: GeoPoint::new(lat, lon).unwrap(),
            accuracy_m,
            battery: None,
            mocked: false,
        }
    }

    /// Metres north of Pune's centre as a latitude.
    fn north(metres: f64) -> f64 {
        18.5204 + metres / 111_195.0
    }

    #[test]
    fn a_straight_walk_measures_its_length() {
        let fixes: Vec<_> = (0..=10)
            .map(|m| fix(m * 2, north(m as f64 * 200.0), 73.8567, 10.0))
            .collect();
        let trail = analyse(&fixes);
        assert!(
            (trail.distance_m - 2000.0).abs() < 5.0,
            "{}",
            trail.distance_m
        );
        assert!(trail.flags.is_empty());
    }

    #[test]
    fn jitter_while_standing_adds_no_distance_and_makes_a_stop() {
        let fixes: Vec<_> = (0..30)
            .map(|m| fix(m, north(if m % 2 == 0 { 0.0 } else { 25.0 }), 73.8567, 30.0))
            .collect();
        let trail = analyse(&fixes);
        assert!(trail.distance_m < 1.0, "{}", trail.distance_m);
        assert_eq!(trail.stops.len(), 1);
        assert_eq!(trail.stops[0].until - trail.stops[0].from, 29 * MINUTE_MS);
    }

    #[test]
    fn a_single_wild_fix_is_dropped_and_flagged() {
        let mut fixes: Vec<_> = (0..=5)
            .map(|m| fix(m * 2, north(m as f64 * 100.0), 73.8567, 10.0))
            .collect();
        fixes.insert(3, fix(5, north(50_000.0), 73.8567, 10.0));
        let trail = analyse(&fixes);
        assert!(
            (trail.distance_m - 500.0).abs() < 5.0,
            "{}",
            trail.distance_m
        );
        assert_eq!(trail.flags, vec![Flag::ImpossibleSpeed]);
    }

    #[test]
    fn a_relocation_that_stays_is_a_jump_and_counts() {
        let fixes = vec![
            fix(0, north(0.0), 73.8567, 10.0),
            fix(1, north(20_000.0), 73.8567, 10.0),
            fix(3, north(20_100.0), 73.8567, 10.0),
        ];
        let trail = analyse(&fixes);
        assert_eq!(trail.flags, vec![Flag::ImpossibleSpeed, Flag::Jump]);
        assert!(
            (trail.distance_m - 20_100.0).abs() < 10.0,
            "{}",
            trail.distance_m
        );
        assert_eq!(trail.gaps.len(), 1);
    }

    #[test]
    fn a_silence_is_a_gap_bridged_by_a_straight_line() {
        let fixes = vec![
            fix(0, north(0.0), 73.8567, 10.0),
            fix(40, north(3000.0), 73.8567, 10.0),
        ];
        let trail = analyse(&fixes);
        assert_eq!(trail.flags, vec![Flag::Gap]);
        assert_eq!(trail.gaps.len(), 1);
        assert!((trail.distance_m - 3000.0).abs() < 5.0);
    }

    #[test]
    fn coarse_fixes_do_not_count_and_mock_and_skew_are_flagged() {
        let mut fixes = vec![
            fix(0, north(0.0), 73.8567, 10.0),
            fix(2, north(900.0), 73.8567, 800.0),
            fix(4, north(200.0), 73.8567, 10.0),
        ];
        fixes[2].mocked = true;
        fixes[2].received_at -= 10 * MINUTE_MS;
        let trail = analyse(&fixes);
        assert!((trail.distance_m - 200.0).abs() < 2.0);
        assert_eq!(trail.flags, vec![Flag::MockLocation, Flag::ClockSkew]);
        assert_eq!(trail.fix_count, 3);
    }
}
