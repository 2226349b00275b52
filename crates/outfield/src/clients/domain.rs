//! Clients: the values a client, contact or interaction may hold.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text::clean_line;
use crate::validated_text;

validated_text!(
    /// A client's or contact's name (1–200 characters).
    ClientName,
    |raw| clean_line(raw, 200)
);

validated_text!(
    /// Short free text such as a client type, category, territory or a contact's role (1–80 characters).
    Label,
    |raw| clean_line(raw, 80)
);

validated_text!(
    /// The company's own code for a client: 1–40 letters, digits, `-`, `_`, `/` or `.`.
    ClientCode,
    |raw| {
        let value = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
        if value.is_empty() || value.len() > 40 || !value.chars().all(allowed) {
            return Err("must be 1–40 letters, digits, '-', '_', '/' or '.'".into());
        }
        Ok(value.to_string())
    }
);

validated_text!(
    /// A tag: 1–40 characters without commas, stored lower-case.
    Tag,
    |raw| {
        let value = clean_line(raw, 40)?.to_lowercase();
        if value.contains(',') {
            return Err("must not contain commas".into());
        }
        Ok(value)
    }
);

validated_text!(
    /// Free text of an interaction or address (1–4000 characters).
    LongText,
    |raw| {
        let value = raw.trim();
        if value.is_empty() || value.chars().count() > 4000 {
            return Err("must be 1–4000 characters".into());
        }
        Ok(value.to_string())
    }
);

/// Where a client stands with the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    /// Not yet buying (from the field or a website enquiry).
    #[default]
    Lead,
    /// Buying.
    Active,
    /// Has stopped buying for a while.
    Dormant,
    /// Gone to a competitor or closed.
    Lost,
}

impl ClientStatus {
    /// Every status in pipeline order.
    pub const ALL: [ClientStatus; 4] = [
        ClientStatus::Lead,
        ClientStatus::Active,
        ClientStatus::Dormant,
        ClientStatus::Lost,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Lead => "lead",
            ClientStatus::Active => "active",
            ClientStatus::Dormant => "dormant",
            ClientStatus::Lost => "lost",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<ClientStatus> {
        ClientStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Kinds of touch with a client, all on one timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A phone call.
    Call,
    /// A text message.
    Sms,
    /// An e-mail.
    Email,
    /// A note.
    Note,
    /// A visit.
    Visit,
    /// An order.
    Order,
    /// A document.
    Document,
}

impl InteractionKind {
    /// Every kind.
    pub const ALL: [InteractionKind; 7] = [
        InteractionKind::Call,
        InteractionKind::Sms,
        InteractionKind::Email,
        InteractionKind::Note,
        InteractionKind::Visit,
        InteractionKind::Order,
        InteractionKind::Document,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Call => "call",
            InteractionKind::Sms => "sms",
            InteractionKind::Email => "email",
            InteractionKind::Note => "note",
            InteractionKind::Visit => "visit",
            InteractionKind::Order => "order",
            InteractionKind::Document => "document",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Option<InteractionKind> {
        InteractionKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A position on Earth, checked to be one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
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
    /// A point, if the coordinates are on Earth and not the (0, 0) of a failed fix.
    pub fn new(latitude: f64, longitude: f64) -> Result<GeoPoint, String> {
        if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
            return Err("is not a position on Earth".into());
        }
        if latitude == 0.0 && longitude == 0.0 {
            return Err("is (0, 0), which is what a failed location fix reports".into());
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

/// Turns a value that will be opened in a spreadsheet into plain text: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would otherwise run as a formula (CSV injection).
pub fn spreadsheet_safe(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
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

    #[test]
    fn formulas_are_neutralised_for_spreadsheets() {
        assert_eq!(
            spreadsheet_safe("=cmd|' /C calc'!A0"),
            "'=cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("+91 98200"), "'+91 98200");
        assert_eq!(spreadsheet_safe("Sharma Kirana"), "Sharma Kirana");
    }
}
