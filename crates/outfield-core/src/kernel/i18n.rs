//! The console's words in every interface language (`docs/DECISIONS.md`, "Console translations").
//!
//! English is the source language: a page names a text by its English wording, as gettext does, so
//! templates stay readable and a wording with no translation yet still reads in English. Each crate
//! keeps the translations of its own pages in `i18n/hi.json` (English → Hindi); the binary installs
//! them all once at start-up, and a test checks that every wording a page asks for has one.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

static HINDI_WORDS: OnceLock<HashMap<String, String>> = OnceLock::new();

/// Installs the Hindi catalogues of every crate. Only the first call
/// counts: the catalogues are compiled in, so every later call would install the same words.
///
/// # Panics
/// When a catalogue is not a JSON object of strings: it is compiled in, so that is a build defect the
/// catalogue test reports first.
pub fn install(catalogues: &[&str]) {
    HINDI_WORDS.get_or_init(|| {
        let mut words = HashMap::new();
        for catalogue in catalogues {
            let parsed: HashMap<String, String> = serde_json::from_str(catalogue)
                .expect("a Hindi catalogue is a JSON object of strings");
            words.extend(parsed);
        }
        words
    });
}

impl Language {
    /// `english` in this language; the English wording itself when it has no translation (yet), or
    /// when it is not a fixed wording at all (a person's name passed through the same path).
    pub fn tr(self, english: &str) -> &str {
        match self {
            Language::English => english,
            Language::Hindi => HINDI_WORDS
                .get()
                .and_then(|words| words.get(english))
                .map_or(english, String::as_str),
        }
    }

    /// A wording with one value in it, written `{}` where the value goes (word order differs between
    /// languages, so the value is placed by the translation).
    pub fn tr1(self, english: &str, value: impl Display) -> String {
        self.tr(english).replacen("{}", &value.to_string(), 1)
    }

    /// A wording with two values, named `{1}` and `{2}` in the English wording and its translation
    /// alike, so a translation may put them in either order.
    pub fn tr2(self, english: &str, first: impl Display, second: impl Display) -> String {
        self.tr(english)
            .replace("{1}", &first.to_string())
            .replace("{2}", &second.to_string())
    }

    /// The name of an ISO weekday (1 = Monday … 7 = Sunday).
    pub fn weekday(self, iso: u32) -> &'static str {
        let names = match self {
            Language::English => &WEEKDAYS_EN,
            Language::Hindi => &WEEKDAYS_HI,
        };
        names[(iso.clamp(1, 7) - 1) as usize]
    }

    /// A day within a month or two of today, as under a chart's bar: "1 Dec", "1 दिस॰".
    pub fn short_date(self, day: NaiveDate) -> String {
        let months = match self {
            Language::English => &MONTHS_EN,
            Language::Hindi => &MONTHS_HI,
        };
        format!("{} {}", day.day(), months[day.month0() as usize])
    }

    /// A month with its year, as over a month's grid: "Dec 2026", "दिस॰ 2026".
    pub fn month_year(self, day: NaiveDate) -> String {
        let months = match self {
            Language::English => &MONTHS_EN,
            Language::Hindi => &MONTHS_HI,
        };
        format!("{} {}", months[day.month0() as usize], day.year())
    }

    /// A day with its year, as in lists and logs: "1 Dec 2026", "1 दिस॰ 2026".
    pub fn day_month_year(self, day: NaiveDate) -> String {
        format!("{} {}", self.short_date(day), day.year())
    }

    /// A day as people write it in this language: "Tuesday 1 Dec 2026", "मंगलवार 1 दिस॰ 2026".
    pub fn date(self, day: NaiveDate) -> String {
        format!(
            "{} {}",
            self.weekday(day.weekday().number_from_monday()),
            self.day_month_year(day)
        )
    }
}

const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_HI: [&str; 7] = [
    "सोमवार",
    "मंगलवार",
    "बुधवार",
    "गुरुवार",
    "शुक्रवार",
    "शनिवार",
    "रविवार",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_HI: [&str; 12] = [
    "जन॰",
    "फ़र॰",
    "मार्च",
    "अप्रैल",
    "मई",
    "जून",
    "जुल॰",
    "अग॰",
    "सित॰",
    "अक्तू॰",
    "नव॰",
    "दिस॰",
];

/// The interface languages Outfield ships strings for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
pub enum Language {
    /// English (default).
    #[default]
    #[serde(rename = "en")]
    English,
    /// Hindi.
    #[serde(rename = "hi")]
    Hindi,
}

/// A stored language, read from its column (an unknown one reads as English, as [`Language::parse`]).
impl From<String> for Language {
    fn from(stored: String) -> Self {
        Language::parse(&stored)
    }
}

impl Language {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Hindi => "hi",
        }
    }

    /// Reads a stored code, falling back to English.
    pub fn parse(raw: &str) -> Language {
        if raw == "hi" {
            Language::Hindi
        } else {
            Language::English
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_wording_reads_in_hindi_and_an_unknown_one_in_english() {
        install(&[crate::HINDI]);
        assert_eq!(Language::Hindi.tr("Overview"), "अवलोकन");
        assert_eq!(Language::English.tr("Overview"), "Overview");
        assert_eq!(Language::Hindi.tr("Asha Traders"), "Asha Traders");
    }

    #[test]
    fn values_land_where_the_translation_places_them() {
        install(&[crate::HINDI]);
        assert_eq!(
            Language::English.tr2("{1} of {2}", 3, 7),
            "3 of 7",
            "English keeps its order"
        );
        assert_eq!(
            Language::Hindi.tr1("Active since {}.", "1 Dec"),
            "1 Dec से सक्रिय।"
        );
    }

    #[test]
    fn days_are_written_with_the_language_s_names() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        assert_eq!(Language::English.date(day), "Tuesday 1 Dec 2026");
        assert_eq!(Language::Hindi.date(day), "मंगलवार 1 दिस॰ 2026");
        assert_eq!(Language::Hindi.weekday(7), "रविवार");
    }
}
