//! Typed ids: a company's, a person's, a client's and a visit's id are different types, so a function
//! that takes two of them cannot be called with the two swapped, and a signature says which id it wants.
//!
//! Each is a UUID on the wire (JSON, forms, paths) and UUID text in both databases; it binds to and reads
//! from sqlx's `Any` driver directly, so no caller converts to a string or parses one back. The OpenAPI
//! document shows each as a `string` of format `uuid`, exactly as a bare UUID: the wire does not change.

use std::fmt;
use std::str::FromStr;

use sqlx::Any;
use uuid::Uuid;

/// What every typed id is, for code that takes an id of any kind (the store binds each as its UUID text).
pub trait TypedId: Copy {
    /// The bare UUID.
    fn uuid(self) -> Uuid;
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $described:literal) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7), so rows created together sit together in indexes.
            #[must_use]
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// The id a UUID names, for values that arrive as bare UUIDs (sync envelopes, stored JSON).
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The bare UUID, for the few places that handle ids of any kind (audit subjects, files).
            #[must_use]
            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }

        impl TypedId for $name {
            fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl sqlx::Type<Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<Any>>::type_info()
            }
        }

        impl<'q> sqlx::Encode<'q, Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, Any>>::encode(self.0.to_string(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<'r, Any>>::decode(value)?;
                Ok(Self(Uuid::parse_str(text)?))
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Uuid,
                    )))
                    .description(Some($described))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

typed_id!(
    /// A company (tenant): every row of company data carries one.
    CompanyId,
    "A company's id."
);
typed_id!(
    /// A person of a company: an employee, manager, admin or owner.
    PersonId,
    "A person's id."
);
typed_id!(
    /// A client (customer, outlet, lead) of a company.
    ClientId,
    "A client's id."
);
typed_id!(
    /// A client visit, chosen by the field app when the employee checks in.
    VisitId,
    "A visit's id."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_from_its_text_and_json() {
        let id = ClientId::generate();
        assert_eq!(id.to_string().parse::<ClientId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ClientId>(&json).unwrap(), id);
        assert!("not-a-uuid".parse::<ClientId>().is_err());
    }
}
