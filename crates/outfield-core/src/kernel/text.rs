//! Validated text: the building block for domain types that are "a string with rules".
//!
//! `validated_text!` declares a newtype that can only hold a value its parser accepted, deserializes
//! through that parser (so a bad value is a field error naming the field, never a stored row), and
//! documents itself in OpenAPI as a string with its rule (a pattern, an enumeration or a format), so that
//! clients and the API fuzz run know which values are valid.

/// Trims, rejects control characters, and bounds the length in characters; the shared rule for names.
pub fn clean_line(raw: &str, max_chars: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(value.to_string())
}

/// White space that `str::trim` removes and that may reach a parser (the rest of it is control
/// characters, which bodies and queries refuse before).
const TRIMMED_SPACE: &str = r"[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// One character that is neither white space nor a control character, then what else it must not be.
const SOLID_START: &str =
    r"[^\x00-\x1F\x7F-\x9F \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// One character of text that may span lines: no control character but tab and line breaks.
const TEXT_CHAR: &str = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]";
/// Any string of a JSON body (bodies refuse control characters but tab and line breaks).
pub const BODY_TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";
/// Any query value (the URI check refuses every control character).
pub const QUERY_TEXT: &str = r"^[^\x00-\x1F\x7F-\x9F]*$";

/// A string schema, for the rules below to refine.
pub fn string_schema() -> utoipa::openapi::schema::ObjectBuilder {
    utoipa::openapi::schema::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String)
}

/// A string matching `pattern` once `str::trim` has removed white space around it.
pub fn trimmed_pattern_schema(core: &str) -> utoipa::openapi::schema::ObjectBuilder {
    let ws = TRIMMED_SPACE;
    string_schema().pattern(Some(format!("^{ws}*{core}{ws}*$")))
}

/// What [`clean_line`]`(raw, max)` accepts, without any of the characters in `refused` (e.g. `,`).
pub fn line_schema_refusing(max: usize, refused: &str) -> utoipa::openapi::schema::ObjectBuilder {
    let solid = format!("{SOLID_START}{refused}]");
    let inner = format!(r"[^\x00-\x1F\x7F-\x9F{refused}]");
    let more = max.saturating_sub(2);
    trimmed_pattern_schema(&format!("{solid}(?:{inner}{{0,{more}}}{solid})?"))
}

/// What [`clean_line`]`(raw, max)` accepts.
pub fn line_schema(max: usize) -> utoipa::openapi::schema::ObjectBuilder {
    line_schema_refusing(max, "")
}

/// Text of `min`–`max` characters once trimmed, where tab and line breaks may appear inside.
pub fn text_schema(min: usize, max: usize) -> utoipa::openapi::schema::ObjectBuilder {
    let solid = format!("{SOLID_START}]");
    let core = match min {
        0 | 1 => format!(
            "{solid}(?:{TEXT_CHAR}{{0,{}}}{solid})?",
            max.saturating_sub(2)
        ),
        _ => format!(
            "{solid}{TEXT_CHAR}{{{},{}}}{solid}",
            min - 2,
            max.saturating_sub(2)
        ),
    };
    trimmed_pattern_schema(&core)
}

/// A finished schema of a rule, for `#[schema(schema_with = …)]` on a plain field whose handler checks
/// the rule itself.
pub fn schema_of(
    rule: utoipa::openapi::schema::ObjectBuilder,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::Schema::Object(rule.build()).into()
}

/// A list of `min`–`max` items of one rule.
pub fn list_of(
    rule: utoipa::openapi::schema::ObjectBuilder,
    (min, max): (usize, usize),
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(schema_of(rule))
        .min_items(Some(min))
        .max_items(Some(max))
        .build()
        .into()
}

/// Declares a validated string newtype `$name` whose parser is `$parse: fn(&str) -> Result<String, String>`,
/// documented by `schema = …` (an `ObjectBuilder` stating the parser's rule; see [`line_schema`]).
#[macro_export]
macro_rules! validated_text {
    ($(#[$meta:meta])* $name:ident, $parse:expr, schema = $schema:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses and normalises a raw value.
            pub fn parse(raw: &str) -> Result<Self, String> {
                let parse: fn(&str) -> Result<String, String> = $parse;
                parse(raw).map($name)
            }

            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let schema: utoipa::openapi::schema::ObjectBuilder = $schema;
                utoipa::openapi::schema::Schema::Object(schema.build()).into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

/// For `Option<Option<T>>` patch fields: a present `null` becomes `Some(None)`, an absent field `None`
/// (with `#[serde(default)]`).
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Whether `c` is a control character no stored text may hold. Tab, line feed and carriage return are
/// allowed where text may span lines (`multiline`); NUL and every other C0/C1 control never are, since
/// PostgreSQL cannot store NUL and the others garble pages, exports and logs.
pub fn is_forbidden_control(c: char, multiline: bool) -> bool {
    c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r'))
}

/// The path (`records[2].payload.text`, `address`) of the first string or key in `value` that holds a
/// forbidden control character, or None when there is none.
pub fn control_character_path(value: &serde_json::Value) -> Option<String> {
    let bad = |s: &str| s.chars().any(|c| is_forbidden_control(c, true));
    match value {
        serde_json::Value::String(s) if bad(s) => Some(String::new()),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            control_character_path(item).map(|rest| join_path(&format!("[{i}]"), &rest))
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            if bad(key) {
                return Some(key.chars().filter(|c| !c.is_control()).collect());
            }
            control_character_path(item).map(|rest| join_path(key, &rest))
        }),
        _ => None,
    }
}

fn join_path(head: &str, rest: &str) -> String {
    match rest.chars().next() {
        None => head.to_string(),
        Some('[') => format!("{head}{rest}"),
        Some(_) => format!("{head}.{rest}"),
    }
}

/// A quick look at JSON text: false when it certainly holds no control character in a string (none can
/// appear unescaped there except DEL and C1 characters), so that bodies without one are not walked.
pub fn json_may_hold_control_characters(json: &[u8]) -> bool {
    json.windows(2).any(|pair| {
        matches!(
            pair,
            [b'\\', b'u' | b'b' | b'f'] | [0xC2, 0x80..=0x9F] | [0x7F, _]
        )
    }) || json.last() == Some(&0x7F)
}

#[cfg(test)]
mod control_character_tests {
    use super::*;

    #[test]
    fn the_path_of_the_first_control_character_is_named() {
        let value = serde_json::json!({
            "name": "Shree Traders",
            "address": "12 MG Road\nPune",
            "records": [{"payload": {"text": "fine"}}, {"payload": {"text": "a\u{0}b"}}]
        });
        assert_eq!(
            control_character_path(&value).as_deref(),
            Some("records[1].payload.text")
        );
        assert_eq!(
            control_character_path(&serde_json::json!(["\u{7}"])).as_deref(),
            Some("[0]")
        );
        assert_eq!(
            control_character_path(&serde_json::json!({"a\u{0}": 1})).as_deref(),
            Some("a")
        );
        assert_eq!(
            control_character_path(&serde_json::json!({"ok": "तिथि\ttab"})),
            None
        );
    }

    #[test]
    fn the_quick_look_never_misses_one() {
        for text in ["\u{0}", "\u{1f}", "\u{7f}", "\u{85}", "\u{8}", "\u{c}"] {
            let json = serde_json::to_vec(&serde_json::json!({ "v": text })).unwrap();
            assert!(json_may_hold_control_characters(&json), "{text:?}");
        }
        assert!(!json_may_hold_control_characters(
            br#"{"v": "plain \"quoted\" text, \n ok"}"#
        ));
    }
}
