//! Request extractors whose failures are problem+json naming the offending field, instead of axum's
//! plain-text rejections.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{DeserializeOwned, Visitor};

use crate::error::AppError;
use crate::text::{control_character_path, json_may_hold_control_characters};

/// A JSON body, parsed with field paths in its errors. Unknown fields are refused by the target types;
/// a control character in any string is refused naming its field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        parse_json(&json_body(req, state).await?).map(ApiJson)
    }
}

/// A JSON body of records that are checked one by one (a sync push): like [`ApiJson`], but control
/// characters are left to the per-record checks, so that one bad record is rejected alone instead of
/// failing its whole batch.
pub struct BatchJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for BatchJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        parse_json_as_sent(&json_body(req, state).await?).map(BatchJson)
    }
}

async fn json_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(AppError::BadRequest(
            "the body must be JSON (Content-Type: application/json)".into(),
        ));
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("the body could not be read".into())
        }
    })
}

/// Parses JSON text into `T`, turning serde's errors into field errors and refusing control characters
/// in strings (tab and line breaks aside) with the field that holds one. The body is read as the
/// document describes it ([`StrictJson`]): an object where an object is documented, never an array of
/// its fields.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let UniqueKeys(value) = serde_json::from_slice(bytes).map_err(|error| {
        AppError::BadRequest(format!(
            "the body is not valid JSON: {}",
            strip_position(&error.to_string())
        ))
    })?;
    if json_may_hold_control_characters(bytes) {
        if let Some(path) = control_character_path(&value) {
            return Err(control_character_error(&path));
        }
    }
    serde_path_to_error::deserialize(StrictJson(&value)).map_err(|error| {
        let path = error.path().to_string();
        field_error(&path, &strip_position(&error.into_inner().to_string()))
    })
}

/// The error for a control character in the field at `path` (the body itself when empty).
pub fn control_character_error(path: &str) -> AppError {
    let field = if path.is_empty() { "body" } else { path };
    AppError::field(field, CONTROL_CHARACTER_MESSAGE)
}

/// What a person is told about a control character in a field.
pub const CONTROL_CHARACTER_MESSAGE: &str = "must not contain control characters";

fn parse_json_as_sent<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::BadRequest(format!(
                "the body is not valid JSON: {}",
                strip_position(&inner.to_string())
            ));
        }
        field_error(&path, &strip_position(&inner.to_string()))
    })
}

/// Deserializes a value already shaped as an API body (a console form, an import row, a vCard), with
/// the API's field errors, so every way in shares one validation.
pub fn parse_fields<T: DeserializeOwned>(
    body: &serde_json::Value,
) -> Result<T, Vec<crate::error::FieldError>> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    parse_json(&bytes).map_err(|error| match error {
        AppError::Validation(errors) => errors,
        other => vec![crate::error::FieldError::new(
            "form",
            other.public_message(),
        )],
    })
}

/// Query parameters, with the same field-naming errors as [`ApiJson`].
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| {
                field_error(&error.path().to_string(), &error.into_inner().to_string())
            })
    }
}

/// A path parameter; an id that cannot be parsed names nothing, so it is a 404 like any unknown id.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|_| AppError::NotFound)
    }
}

fn form_urlencoded_parse(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}

/// Maps a serde message at `path` to a field error; an unknown field is named by itself.
fn field_error(path: &str, message: &str) -> AppError {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        // serde_path_to_error already ends the path with the unknown field's name.
        let field = if path == "." {
            rest.split('`').next().unwrap_or_default()
        } else {
            path
        };
        return AppError::field(field, "is not a known field");
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return AppError::field(field, "is required");
    }
    AppError::field(if path == "." { "body" } else { path }, message)
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        email: crate::people::domain::Email,
        count: u32,
    }

    #[test]
    fn errors_name_the_field() {
        let error = parse_json::<Sample>(br#"{"email": "nope", "count": 1}"#).unwrap_err();
        assert_eq!(
            error.field_errors(),
            vec![FieldError::new("email", "is not a valid e-mail address")]
        );
        let error = parse_json::<Sample>(br#"{"email": "a@b.in", "count": "x"}"#).unwrap_err();
        assert_eq!(error.field_errors()[0].field, "count");
        let error =
            parse_json::<Sample>(br#"{"email": "a@b.in", "count": 1, "admin": true}"#).unwrap_err();
        assert_eq!(
            error.field_errors(),
            vec![FieldError::new("admin", "is not a known field")]
        );
        let error = parse_json::<Sample>(br#"{"email": "a@b.in""#).unwrap_err();
        assert!(matches!(error, AppError::BadRequest(_)));
    }
}

/// A JSON value read from text that names no key twice in one object. serde_json keeps the last of two
/// equal keys, where another reader of the same body (a proxy, a log) may keep the first: such a body is
/// refused, as serde's derived structs refused it before bodies were read through a value.
struct UniqueKeys(serde_json::Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<UniqueKeys, E> {
        serde_json::Number::from_f64(v)
            .map(|n| UniqueKeys(serde_json::Value::Number(n)))
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(v.into()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys(serde_json::Value::Null))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(UniqueKeys(serde_json::Value::Array(items)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
            }
            let UniqueKeys(item) = map.next_value()?;
            object.insert(key, item);
        }
        Ok(UniqueKeys(serde_json::Value::Object(object)))
    }
}

/// A JSON value read as the OpenAPI document describes bodies. serde's derived structs also take an
/// array of their fields in order, so `[null, null]` would pass for `{"language": null, …}` and
/// `[18.5, 73.8]` for a position; here a struct is read only from an object. And JSON Schema counts a
/// number with a zero fraction (`390.0`) as an integer, so such a number reads as the integer.
#[derive(Clone, Copy)]
struct StrictJson<'de>(&'de serde_json::Value);

/// Largest integer a double holds exactly (2^53).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

impl<'de> serde::de::IntoDeserializer<'de, serde_json::Error> for StrictJson<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::Deserializer<'de> for StrictJson<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        use serde_json::Value;
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => visitor.visit_i64(i),
                (_, Some(u), _) => visitor.visit_u64(u),
                (_, _, Some(f)) if f.fract() == 0.0 && f.abs() <= EXACT_INTEGERS => {
                    visitor.visit_i64(f as i64)
                }
                (_, _, f) => visitor.visit_f64(f.unwrap_or(f64::NAN)),
            },
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.iter().map(StrictJson));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            serde_json::Value::Object(map) => visit_object(map, visitor),
            other => Err(serde::de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            serde_json::Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        serde::Deserializer::deserialize_enum(self.0, name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

fn visit_object<'de, V: Visitor<'de>>(
    map: &'de serde_json::Map<String, serde_json::Value>,
    visitor: V,
) -> Result<V::Value, serde_json::Error> {
    let mut entries = MapDeserializer::new(map.iter().map(|(k, v)| (k.as_str(), StrictJson(v))));
    let value = visitor.visit_map(&mut entries)?;
    entries.end()?;
    Ok(value)
}

fn unexpected(value: &serde_json::Value) -> serde::de::Unexpected<'_> {
    use serde::de::Unexpected;
    match value {
        serde_json::Value::Null => Unexpected::Unit,
        serde_json::Value::Bool(b) => Unexpected::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_f64()
            .map_or(Unexpected::Other("number"), Unexpected::Float),
        serde_json::Value::String(s) => Unexpected::Str(s),
        serde_json::Value::Array(_) => Unexpected::Seq,
        serde_json::Value::Object(_) => Unexpected::Map,
    }
}
