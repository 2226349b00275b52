//! Charts drawn on the server as SVG: no script and no build step, printable, and each with the table it
//! is drawn from, so that a screen reader (and anyone who would rather read numbers) gets the same facts.

use std::fmt::Write;

use outfield_core::people::domain::Language;

/// One bar: its label (a day, a week), its value and, drawn inside it, the part of it that is special
/// (verified visits among visits).
#[derive(Debug, Clone)]
pub struct Bar {
    /// The label under the bar and in the table.
    pub label: String,
    /// The bar's value.
    pub value: f64,
    /// The highlighted part of the value, if the chart has one.
    pub part: Option<f64>,
}

/// A bar chart with its title, the unit of its values, and the names of the whole and the part.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Heading of the figure, e.g. "Visits per day".
    pub title: String,
    /// What a value counts, e.g. "visits" or "km".
    pub unit: String,
    /// What the highlighted part counts, e.g. "verified".
    pub part_name: Option<String>,
    /// The bars, oldest first.
    pub bars: Vec<Bar>,
    /// The language of the summary and the table's headings (title, unit and labels come translated).
    pub lang: Language,
    /// Whether the values add up over the bars (visits, km) or not (people on duty each day, who are
    /// mostly the same people): the summary gives a total for the first, a daily average for the other.
    pub adds_up: bool,
}

// The drawing is about as wide in units as a chart is on the screen in pixels (one to two charts a row at
// 1280 px, one at 360 px), so the stylesheet's 12-unit text reads at 10–16 px.
const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 150.0;
const AXIS: f64 = 22.0;
const TOP: f64 = 16.0;

impl BarChart {
    /// The chart as a `<figure>`: the SVG (an image whose text is its title and summary) and the table
    /// behind it in a disclosure.
    pub fn html(&self) -> String {
        let mut out = String::new();
        let max = self
            .bars
            .iter()
            .map(|bar| bar.value)
            .fold(0.0_f64, f64::max);
        let scale = if max > 0.0 {
            (HEIGHT - AXIS - TOP) / max
        } else {
            0.0
        };
        let slot = WIDTH / self.bars.len().max(1) as f64;
        let _ = write!(
            out,
            r#"<figure class="chart"><figcaption>{title}</figcaption><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}: {summary}">"#,
            title = escape(&self.title),
            summary = escape(&self.summary()),
        );
        let _ = write!(
            out,
            r#"<line class="axis" x1="0" y1="{base}" x2="{WIDTH}" y2="{base}"/><text class="max" x="2" y="{top}">{max}</text>"#,
            base = HEIGHT - AXIS,
            top = TOP - 4.0,
            max = escape(&format!("{} {}", number(max), self.unit)),
        );
        let label_every = self.bars.len().div_ceil(6).max(1);
        for (index, bar) in self.bars.iter().enumerate() {
            let x = index as f64 * slot + slot * 0.15;
            let width = slot * 0.7;
            let height = bar.value * scale;
            let _ = write!(
                out,
                r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{height:.1}"><title>{tip}</title></rect>"#,
                y = HEIGHT - AXIS - height,
                tip = escape(&self.describe(bar)),
            );
            if let Some(part) = bar.part {
                let part_height = part * scale;
                let _ = write!(
                    out,
                    r#"<rect class="bar part" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{part_height:.1}"/>"#,
                    y = HEIGHT - AXIS - part_height,
                );
            }
            if index % label_every == 0 {
                let _ = write!(
                    out,
                    r#"<text class="label" x="{x:.1}" y="{y}">{label}</text>"#,
                    y = HEIGHT - 8.0,
                    label = escape(&bar.label),
                );
            }
        }
        out.push_str("</svg>");
        self.write_legend(&mut out);
        self.write_table(&mut out);
        out.push_str("</figure>");
        out
    }

    /// What the chart shows in one sentence: total, and the part's share.
    pub fn summary(&self) -> String {
        let total: f64 = self.bars.iter().map(|bar| bar.value).sum();
        let part: f64 = self.bars.iter().filter_map(|bar| bar.part).sum();
        let span = match (self.bars.first(), self.bars.last()) {
            (Some(first), Some(last)) => format!(
                " {}",
                self.lang.tr2("from {1} to {2}", &first.label, &last.label)
            ),
            _ => String::new(),
        };
        let all = if self.adds_up {
            self.lang.tr2("{1} {2} in all", number(total), &self.unit)
        } else {
            let average = total / self.bars.len().max(1) as f64;
            self.lang
                .tr2("{1} {2} a day on average", number(average), &self.unit)
        };
        match &self.part_name {
            Some(name) if total > 0.0 => {
                format!("{all}{span}, {:.0}% {name}", part / total * 100.0)
            }
            _ => format!("{all}{span}"),
        }
    }

    fn describe(&self, bar: &Bar) -> String {
        match (&self.part_name, bar.part) {
            (Some(name), Some(part)) => format!(
                "{}: {} {}, {} {name}",
                bar.label,
                number(bar.value),
                self.unit,
                number(part)
            ),
            _ => format!("{}: {} {}", bar.label, number(bar.value), self.unit),
        }
    }

    /// The key to the bars' shades, beside the drawing (it is hidden from screen readers, which read the
    /// summary and the table).
    fn write_legend(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"<p class="legend" aria-hidden="true"><span class="swatch"></span>{}"#,
            escape(&capitalised(&self.unit))
        );
        if let Some(name) = &self.part_name {
            let _ = write!(
                out,
                r#" <span class="swatch part"></span>{}"#,
                escape(&capitalised(name))
            );
        }
        out.push_str("</p>");
    }

    fn write_table(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"<details><summary>{table}</summary><div class="scroll" tabindex="0" role="group" aria-label="{table}"><table><thead><tr><th scope="col">{day}</th><th scope="col">{unit}</th>"#,
            table = escape(&self.lang.tr1("Table: {}", &self.title)),
            day = escape(self.lang.tr("Day")),
            unit = escape(&capitalised(&self.unit)),
        );
        if let Some(name) = &self.part_name {
            let _ = write!(
                out,
                r#"<th scope="col">{}</th>"#,
                escape(&capitalised(name))
            );
        }
        out.push_str("</tr></thead><tbody>");
        for bar in &self.bars {
            let _ = write!(
                out,
                r#"<tr><th scope="row">{}</th><td class="num">{}</td>"#,
                escape(&bar.label),
                number(bar.value)
            );
            if self.part_name.is_some() {
                let _ = write!(
                    out,
                    r#"<td class="num">{}</td>"#,
                    bar.part.map_or(String::new(), number)
                );
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div></details>");
    }
}

/// A value as people read it: whole numbers without decimals, others with one.
fn number(value: f64) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Text for HTML content and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: &[(f64, Option<f64>)]) -> BarChart {
        BarChart {
            title: "Visits per day".into(),
            unit: "visits".into(),
            part_name: Some("verified".into()),
            lang: Language::English,
            adds_up: true,
            bars: values
                .iter()
                .enumerate()
                .map(|(i, (value, part))| Bar {
                    label: format!("0{} Dec", i + 1),
                    value: *value,
                    part: *part,
                })
                .collect(),
        }
    }

    #[test]
    fn the_tallest_bar_fills_the_plot_and_the_table_holds_every_value() {
        let html = chart(&[(2.0, Some(1.0)), (4.0, Some(4.0)), (0.0, Some(0.0))]).html();
        let full = HEIGHT - AXIS - TOP;
        assert!(html.contains(&format!(r#"height="{full:.1}""#)), "{html}");
        assert!(html.contains(r#"height="0.0""#));
        for row in [
            "<th scope=\"row\">01 Dec</th><td class=\"num\">2</td><td class=\"num\">1</td>",
            "<th scope=\"row\">02 Dec</th><td class=\"num\">4</td><td class=\"num\">4</td>",
        ] {
            assert!(html.contains(row), "{row}");
        }
        assert!(html.contains(
            "aria-label=\"Visits per day: 6 visits in all from 01 Dec to 03 Dec, 83% verified\""
        ));
    }

    #[test]
    fn an_empty_chart_draws_no_bar_taller_than_nothing_and_labels_are_escaped() {
        let mut empty = chart(&[(0.0, None), (0.0, None)]);
        empty.title = "Visits <per> day".into();
        let html = empty.html();
        assert!(!html.contains("NaN") && !html.contains("inf"));
        assert!(html.contains("Visits &lt;per&gt; day") && !html.contains("<per>"));
        assert_eq!(empty.summary(), "0 visits in all from 01 Dec to 02 Dec");
    }

    #[test]
    fn people_counted_each_day_are_averaged_not_added_and_the_shades_have_a_key() {
        let mut people = chart(&[(3.0, None), (5.0, None)]);
        people.unit = "people".into();
        people.part_name = None;
        people.adds_up = false;
        assert_eq!(
            people.summary(),
            "4 people a day on average from 01 Dec to 02 Dec"
        );
        let visits = chart(&[(2.0, Some(1.0))]).html();
        assert!(visits.contains(
            r#"<p class="legend" aria-hidden="true"><span class="swatch"></span>Visits <span class="swatch part"></span>Verified</p>"#
        ), "{visits}");
    }
}
