//! The trend in periods a person reads at a glance: days up to a quarter, weeks up to a year, months
//! beyond; and its three charts (visits with the verified share, time on duty, kilometres), which the
//! overview and the activity report draw alike.

use crate::chart::{Bar, BarChart};
use chrono::{Datelike, NaiveDate};
use outfield_core::people::domain::Language;

use super::TrendDay;

/// How a trend is grouped into bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grouping {
    Day,
    Week,
    Month,
}

impl Grouping {
    /// Days for a quarter or less, weeks up to a year, months beyond (a bar stays wide enough to read).
    pub(crate) fn for_range(first: NaiveDate, last: NaiveDate) -> Grouping {
        let days = (last - first).num_days();
        if days <= 92 {
            Grouping::Day
        } else if days <= 366 {
            Grouping::Week
        } else {
            Grouping::Month
        }
    }

    /// The first day of the period `day` falls in (weeks start on Monday).
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grouping::Day => day,
            Grouping::Week => {
                day - chrono::Duration::days(day.weekday().num_days_from_monday().into())
            }
            Grouping::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// A bar's label: "1 Dec" for a day or the week starting then, "Dec 2026" for a month.
    fn label(self, start: NaiveDate, lang: Language) -> String {
        match self {
            Grouping::Day | Grouping::Week => lang.short_date(start),
            Grouping::Month => {
                let short = lang.short_date(start);
                let month = short.split_once(' ').map_or(short.as_str(), |(_, m)| m);
                format!("{month} {}", start.year())
            }
        }
    }
}

/// The days summed into periods, in order; a period's `day` is its first day and `on_duty` counts
/// the person-days on duty in it.
pub(crate) fn group(days: &[TrendDay], grouping: Grouping) -> Vec<TrendDay> {
    let mut periods: Vec<TrendDay> = Vec::new();
    for day in days {
        let start = grouping.start(day.day);
        if periods.last().is_none_or(|period| period.day != start) {
            periods.push(TrendDay {
                day: start,
                ..TrendDay::default()
            });
        }
        if let Some(period) = periods.last_mut() {
            period.on_duty += day.on_duty;
            period.visits += day.visits;
            period.verified += day.verified;
            period.km += day.km;
        }
    }
    periods
}

/// The three trend charts of `periods`.
pub(crate) fn charts(periods: &[TrendDay], grouping: Grouping, lang: Language) -> [BarChart; 3] {
    let chart = |title: &str,
                 unit: &str,
                 part_name: Option<&str>,
                 value: fn(&TrendDay) -> (f64, Option<f64>)| BarChart {
        title: lang.tr(title).to_string(),
        unit: lang.tr(unit).to_string(),
        part_name: part_name.map(|name| lang.tr(name).to_string()),
        lang,
        adds_up: unit != "people",
        bars: periods
            .iter()
            .map(|period| {
                let (value, part) = value(period);
                Bar {
                    label: grouping.label(period.day, lang),
                    value,
                    part,
                }
            })
            .collect(),
    };
    let (visits, on_duty, km) = match grouping {
        Grouping::Day => (
            "Visits per day",
            "People on duty per day",
            "Kilometres travelled per day",
        ),
        Grouping::Week => (
            "Visits per week",
            "Days on duty per week",
            "Kilometres travelled per week",
        ),
        Grouping::Month => (
            "Visits per month",
            "Days on duty per month",
            "Kilometres travelled per month",
        ),
    };
    let duty_unit = if grouping == Grouping::Day {
        "people"
    } else {
        "days"
    };
    [
        chart(visits, "visits", Some("verified"), |p| {
            (p.visits as f64, Some(p.verified as f64))
        }),
        chart(on_duty, duty_unit, None, |p| (p.on_duty as f64, None)),
        chart(km, "km", None, |p| ((p.km * 10.0).round() / 10.0, None)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn ranges_group_by_day_week_or_month_and_keep_every_figure() {
        assert_eq!(
            Grouping::for_range(day(2026, 9, 1), day(2026, 11, 30)),
            Grouping::Day
        );
        assert_eq!(
            Grouping::for_range(day(2026, 1, 1), day(2026, 12, 31)),
            Grouping::Week
        );
        assert_eq!(
            Grouping::for_range(day(2025, 1, 1), day(2026, 12, 31)),
            Grouping::Month
        );
        let days: Vec<TrendDay> = day(2026, 11, 26)
            .iter_days()
            .take(10)
            .map(|d| TrendDay {
                day: d,
                on_duty: 2,
                visits: 3,
                verified: 1,
                km: 1.5,
            })
            .collect();
        let weeks = group(&days, Grouping::Week);
        assert_eq!(
            weeks.iter().map(|w| (w.day, w.visits)).collect::<Vec<_>>(),
            [(day(2026, 11, 23), 12), (day(2026, 11, 30), 18)],
            "weeks start on Monday; Thursday 26 Nov is in the week of 23 Nov"
        );
        let months = group(&days, Grouping::Month);
        assert_eq!(months.len(), 2);
        assert_eq!(months.iter().map(|m| m.on_duty).sum::<i64>(), 20);
        assert_eq!(
            Grouping::Month.label(day(2026, 12, 1), Language::English),
            "Dec 2026"
        );
        assert_eq!(
            Grouping::Month.label(day(2026, 12, 1), Language::Hindi),
            "दिस॰ 2026"
        );
    }
}
