//! Validated text: the building block for domain types that are "a string with rules".
//!
//! `validated_text!` declares a newtype that can only hold a value its parser accepted, deserializes
//! through that parser (so a bad value is a field error naming the field, never a stored row), and
//! documents itself in OpenAPI as a string.

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

/// Declares a validated string newtype `$name` whose parser is `$parse: fn(&str) -> Result<String, String>`.
#[macro_export]
macro_rules! validated_text {
    ($(#[$meta:meta])* $name:ident, $parse:expr) => {
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
                String::schema()
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
