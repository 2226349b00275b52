//! Positions on Earth, shared by clients (where they are), tracking (where staff were) and visits (how far
//! a check-in was from the client).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A position on Earth, checked to be one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
#[serde(try_from = "RawPoint")]
pub struct GeoPoint {
    /// Degrees north, −90 to 90.
    pub latitude: f64,
    /// Degrees east, −180 to 180.
    pub longitude: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    latitude: f64,
    longitude: f64,
}

impl TryFrom<RawPoint> for GeoPoint {
    type Error = String;
    fn try_from(raw: RawPoint) -> Result<Self, String> {
        GeoPoint::new(raw.latitude, raw.longitude)
    }
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl GeoPoint {
    /// A point, if the coordinates are on Earth and not the (0, 0) of a failed fix. The error is a
    /// sentence that states the rule, for forms and API answers alike.
    pub fn new(latitude: f64, longitude: f64) -> Result<GeoPoint, String> {
        if !(-90.0..=90.0).contains(&latitude) {
            return Err(format!(
                "Latitude must be between −90 and 90; {latitude} is not"
            ));
        }
        if !(-180.0..=180.0).contains(&longitude) {
            return Err(format!(
                "Longitude must be between −180 and 180; {longitude} is not"
            ));
        }
        if latitude == 0.0 && longitude == 0.0 {
            return Err(
                "Latitude 0 and longitude 0 is what a failed location fix reports, not a place"
                    .into(),
            );
        }
        Ok(GeoPoint {
            latitude,
            longitude,
        })
    }

    /// Great-circle distance in metres (haversine).
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        let (lat1, lat2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.longitude - self.longitude).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

/// A position as a phone reports it: where, and within how many metres (the 68 % radius the Geolocation
/// API calls accuracy). Check-ins, attendance and tracking keep the accuracy because a verdict is only as
/// good as the fix it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "RawReading")]
pub struct Reading {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// Accuracy radius in metres, above 0 and at most 10 km.
    pub accuracy_m: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReading {
    latitude: f64,
    longitude: f64,
    accuracy_m: f64,
}

/// Coarsest accuracy accepted at all; a phone reporting worse has no position worth keeping.
pub(crate) const MAX_ACCURACY_M: f64 = 10_000.0;

impl TryFrom<RawReading> for Reading {
    type Error = String;
    fn try_from(raw: RawReading) -> Result<Self, String> {
        Reading::new(raw.latitude, raw.longitude, raw.accuracy_m)
    }
}

impl Reading {
    /// A reading, if the position is on Earth and the accuracy plausible.
    pub fn new(latitude: f64, longitude: f64, accuracy_m: f64) -> Result<Reading, String> {
        GeoPoint::new(latitude, longitude)?;
        if !(accuracy_m > 0.0 && accuracy_m <= MAX_ACCURACY_M) {
            return Err(format!(
                "accuracy_m must be above 0 and at most {MAX_ACCURACY_M} metres"
            ));
        }
        Ok(Reading {
            latitude,
            longitude,
            accuracy_m,
        })
    }

    /// Where the reading places the phone.
    pub fn point(&self) -> GeoPoint {
        GeoPoint {
            latitude: self.latitude,
            longitude: self.longitude,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_great_circle_metres() {
        let pune = GeoPoint::new(18.5204, 73.8567).unwrap();
        let mumbai = GeoPoint::new(19.0760, 72.8777).unwrap();
        let km = pune.distance_m(&mumbai) / 1000.0;
        assert!((118.0..122.0).contains(&km), "{km}");
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(0.0, 0.0).is_err());
    }
}
