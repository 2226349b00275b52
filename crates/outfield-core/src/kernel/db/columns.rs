//! Column types for reading rows with `#[derive(sqlx::FromRow)]` through the `Any` driver.
//!
//! The schema stores what both engines share: times as Unix-millisecond integers, flags as integers,
//! UUIDs and enumerations as text, small collections as JSON text. The `Any` driver decodes only the
//! primitive types, so each stored shape has one type here that decodes it and converts into the domain
//! type, named on a field with `#[sqlx(try_from = "…")]`:
//!
//! ```ignore
//! #[derive(sqlx::FromRow)]
//! struct Row {
//!     #[sqlx(try_from = "UnixMs")]
//!     created_at: DateTime<Utc>,
//!     #[sqlx(try_from = "StoredBool")]
//!     has_password: bool,
//! }
//! ```
//!
//! Typed ids ([`crate::ids`]) need no column type; enumerations stored as text implement `TryFrom<String>`
//! and are named with `#[sqlx(try_from = "String")]`.

use chrono::{DateTime, Utc};
use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

use crate::clock::to_datetime;
use crate::geo::GeoPoint;

/// Makes a one-field tuple struct a column type: `Type<Any>` and `Decode<Any>` decode `$stored` and wrap
/// it. A feature crate declares its own stored shapes this way (`struct StoredFlags(String);
/// outfield_core::column_type!(StoredFlags, String);`) and converts them with `From`.
#[macro_export]
macro_rules! column_type {
    ($column:ident, $stored:ty) => {
        impl ::sqlx::Type<::sqlx::Any> for $column {
            fn type_info() -> ::sqlx::any::AnyTypeInfo {
                <$stored as ::sqlx::Type<::sqlx::Any>>::type_info()
            }

            fn compatible(ty: &::sqlx::any::AnyTypeInfo) -> bool {
                <$stored as ::sqlx::Type<::sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Any> for $column {
            fn decode(
                value: ::sqlx::any::AnyValueRef<'r>,
            ) -> ::std::result::Result<Self, ::sqlx::error::BoxDynError> {
                <$stored as ::sqlx::Decode<'r, ::sqlx::Any>>::decode(value).map($column)
            }
        }
    };
}

/// A time column (Unix milliseconds), read as a UTC date-time.
pub struct UnixMs(i64);
column_type!(UnixMs, i64);

impl From<UnixMs> for DateTime<Utc> {
    fn from(column: UnixMs) -> Self {
        to_datetime(column.0)
    }
}

/// A nullable time column, read as an optional UTC date-time.
pub struct NullableUnixMs(Option<i64>);
column_type!(NullableUnixMs, Option<i64>);

impl From<NullableUnixMs> for Option<DateTime<Utc>> {
    fn from(column: NullableUnixMs) -> Self {
        column.0.map(to_datetime)
    }
}

/// A flag column or expression (an integer, non-zero when set), read as a `bool`. SQLite has no boolean
/// type, so the schema keeps flags as integers on both engines.
pub struct StoredBool(i64);
column_type!(StoredBool, i64);

impl From<StoredBool> for bool {
    fn from(column: StoredBool) -> Self {
        column.0 != 0
    }
}

/// A JSON text column, read as the value it holds. A stored value that does not read is a database
/// fault, reported as such: never shown as an empty value, as if that were what is stored.
///
/// Rust's coherence rules forbid one conversion from `JsonText<T>` into every `T`, so each stored shape
/// gets a named column type from [`json_column!`](crate::json_column), in the crate that owns the shape.
pub struct JsonText<T>(pub T);

impl<T> Type<Any> for JsonText<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r, T: serde::de::DeserializeOwned> Decode<'r, Any> for JsonText<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Any>>::decode(value)?;
        serde_json::from_str(text).map(JsonText).map_err(|error| {
            tracing::error!(%error, "stored JSON does not read");
            error.into()
        })
    }
}

/// Declares a column type for a shape stored as JSON text, to name with `#[sqlx(try_from = "…")]`:
/// `json_column!(StoredAddresses, Vec<OtherAddress>);`
#[macro_export]
macro_rules! json_column {
    ($(#[$doc:meta])* $column:ident, $stored:ty) => {
        $(#[$doc])*
        pub struct $column($stored);

        impl ::sqlx::Type<::sqlx::Any> for $column {
            fn type_info() -> ::sqlx::any::AnyTypeInfo {
                <$crate::db::columns::JsonText<$stored> as ::sqlx::Type<::sqlx::Any>>::type_info()
            }

            fn compatible(ty: &::sqlx::any::AnyTypeInfo) -> bool {
                <$crate::db::columns::JsonText<$stored> as ::sqlx::Type<::sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Any> for $column {
            fn decode(
                value: ::sqlx::any::AnyValueRef<'r>,
            ) -> ::std::result::Result<Self, ::sqlx::error::BoxDynError> {
                <$crate::db::columns::JsonText<$stored> as ::sqlx::Decode<'r, ::sqlx::Any>>::decode(value)
                    .map(|json| $column(json.0))
            }
        }

        impl ::std::convert::From<$column> for $stored {
            fn from(column: $column) -> Self {
                column.0
            }
        }
    };
}

json_column!(
    /// Free-form JSON (audit details).
    JsonValue,
    serde_json::Value
);
json_column!(
    /// A JSON object (custom field values).
    JsonObject,
    serde_json::Map<String, serde_json::Value>
);
json_column!(
    /// A JSON list of strings (further phone numbers).
    JsonStrings,
    Vec<String>
);

/// A position stored in nullable `latitude` and `longitude` columns, read with
/// `#[sqlx(flatten, try_from = "StoredPosition")]` as an optional [`GeoPoint`]. A stored pair that is not
/// a position on Earth is a database fault.
#[derive(sqlx::FromRow)]
pub struct StoredPosition {
    latitude: Option<f64>,
    longitude: Option<f64>,
}

impl TryFrom<StoredPosition> for Option<GeoPoint> {
    type Error = String;

    fn try_from(stored: StoredPosition) -> Result<Self, Self::Error> {
        stored
            .latitude
            .zip(stored.longitude)
            .map(|(latitude, longitude)| GeoPoint::new(latitude, longitude))
            .transpose()
    }
}

/// A list stored as comma-separated text (client tags, working days), read as its entries.
pub struct CommaList(String);
column_type!(CommaList, String);

impl From<CommaList> for Vec<String> {
    fn from(column: CommaList) -> Self {
        column
            .0
            .split(',')
            .filter(|entry| !entry.is_empty())
            .map(String::from)
            .collect()
    }
}

impl From<CommaList> for Vec<u32> {
    fn from(column: CommaList) -> Self {
        column
            .0
            .split(',')
            .filter_map(|entry| entry.trim().parse().ok())
            .collect()
    }
}

/// A list stored one entry per line (visit outcomes), read as its entries.
pub struct LineList(String);
column_type!(LineList, String);

impl From<LineList> for Vec<String> {
    fn from(column: LineList) -> Self {
        column.0.lines().map(String::from).collect()
    }
}

/// A nullable UUID column (stored as text), read as an optional [`uuid::Uuid`]; non-null UUID columns
/// read with `#[sqlx(try_from = "String")]`.
pub struct NullableUuid(Option<String>);
column_type!(NullableUuid, Option<String>);

impl TryFrom<NullableUuid> for Option<uuid::Uuid> {
    type Error = uuid::Error;

    fn try_from(column: NullableUuid) -> Result<Self, Self::Error> {
        column.0.map(uuid::Uuid::try_from).transpose()
    }
}

/// A calendar day stored as `YYYY-MM-DD` text (attendance days, due dates, plan dates), read as a date.
pub struct StoredDay(String);
column_type!(StoredDay, String);

impl TryFrom<StoredDay> for chrono::NaiveDate {
    type Error = chrono::ParseError;

    fn try_from(column: StoredDay) -> Result<Self, Self::Error> {
        column.0.parse()
    }
}

/// A nullable text column read as an optional value of a type stored as text (`From<String>`), such as a
/// verdict that exists only once a visit is checked out.
pub struct NullableText(Option<String>);
column_type!(NullableText, Option<String>);

impl<T: From<String>> From<NullableText> for Option<T> {
    fn from(column: NullableText) -> Self {
        column.0.map(T::from)
    }
}

/// A nullable calendar day stored as `YYYY-MM-DD` text, read as an optional date.
pub struct NullableDay(Option<String>);
column_type!(NullableDay, Option<String>);

impl TryFrom<NullableDay> for Option<chrono::NaiveDate> {
    type Error = chrono::ParseError;

    fn try_from(column: NullableDay) -> Result<Self, Self::Error> {
        column.0.map(|day| day.parse()).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, FromRow};

    #[derive(Debug, FromRow)]
    struct Stored {
        #[sqlx(try_from = "UnixMs")]
        at: DateTime<Utc>,
        #[sqlx(try_from = "NullableUnixMs")]
        gone_at: Option<DateTime<Utc>>,
        #[sqlx(try_from = "StoredBool")]
        flagged: bool,
        #[sqlx(try_from = "CommaList")]
        tags: Vec<String>,
        #[sqlx(try_from = "JsonStrings")]
        phones: Vec<String>,
        #[sqlx(try_from = "StoredDay")]
        day: chrono::NaiveDate,
        #[sqlx(flatten, try_from = "StoredPosition")]
        position: Option<GeoPoint>,
    }

    async fn read(select: &str) -> sqlx::Result<Stored> {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:").await?;
        sqlx::query_as(select).fetch_one(&mut conn).await
    }

    #[tokio::test]
    async fn stored_shapes_read_as_domain_values() {
        let stored = read(
            "SELECT 1700000000000 AS at, NULL AS gone_at, 1 AS flagged, 'a,b' AS tags, \
             '[\"+919800000001\"]' AS phones, '2026-12-02' AS day, 28.6 AS latitude, 77.2 AS longitude",
        )
        .await
        .expect("a well-formed row reads");
        assert_eq!(stored.at.timestamp_millis(), 1_700_000_000_000);
        assert_eq!(stored.gone_at, None);
        assert!(stored.flagged);
        assert_eq!(stored.tags, ["a", "b"]);
        assert_eq!(stored.phones, ["+919800000001"]);
        assert_eq!(stored.day.to_string(), "2026-12-02");
        assert_eq!(stored.position.map(|p| p.latitude), Some(28.6));
    }

    #[tokio::test]
    async fn a_stored_value_that_breaks_its_rules_is_a_fault_not_an_empty_value() {
        let row = |phones: &str, day: &str, latitude: &str| {
            format!(
                "SELECT 0 AS at, NULL AS gone_at, 0 AS flagged, '' AS tags, '{phones}' AS phones, \
                 '{day}' AS day, {latitude} AS latitude, 77.2 AS longitude"
            )
        };
        for (phones, day, latitude, column) in [
            ("not json", "2026-12-02", "28.6", "phones"),
            ("[]", "2 December", "28.6", "day"),
            ("[]", "2026-12-02", "95.0", "position"),
        ] {
            let fault = read(&row(phones, day, latitude)).await.unwrap_err();
            assert!(
                matches!(&fault, sqlx::Error::ColumnDecode { index, .. } if index.contains(column)),
                "{column}: {fault:?}"
            );
        }
        let unplaced = read(&row("[]", "2026-12-02", "NULL"))
            .await
            .expect("no position is fine");
        assert_eq!(unplaced.position, None);
        assert!(unplaced.tags.is_empty());
    }
}
