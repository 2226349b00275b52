//! Spreadsheet downloads: every report and list the console exports goes through one table shape, written
//! as CSV or XLSX, with text that a spreadsheet would run as a formula neutralised.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::Workbook;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppResult;

/// The file type of a download.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated, UTF-8 with a byte-order mark so that Excel reads Indian scripts correctly.
    #[default]
    Csv,
    /// An Excel workbook with typed cells.
    Xlsx,
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (neutralised against formula injection when written).
    Text(String),
    /// A number, kept numeric in XLSX.
    Number(f64),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(value: &str) -> Self {
        Cell::Text(value.to_string())
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Self {
        value.map(Cell::Text).unwrap_or(Cell::Empty)
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Cell::Number(value)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Self {
        Cell::Number(value as f64)
    }
}

/// A table to download: a header row and data rows of the same width.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column headings.
    pub headers: Vec<&'static str>,
    /// Data rows.
    pub rows: Vec<Vec<Cell>>,
}

/// What starts a formula in a spreadsheet: `=`, `+`, `-`, `@` and their full-width forms, which some
/// spreadsheets read alike.
const FORMULA_STARTS: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];
/// What a spreadsheet may split a cell at when it guesses the separator or the lines (`;` where the
/// decimal mark is a comma, a tab, a pipe): each part then starts a cell of its own.
const SPLITS: [char; 6] = [',', ';', '\t', '|', '\r', '\n'];

/// Turns a value that will be opened in a spreadsheet into plain text (OWASP, "CSV Injection"): a value
/// that starts with a tab or a carriage return, or any part of which (the whole, or what follows a
/// character a spreadsheet may split at) starts with a formula character once leading spaces and
/// quotes are skipped, gets a leading `'`, which spreadsheets show as text. The CSV writer also quotes
/// every cell, so a separator inside one never splits it.
pub(crate) fn spreadsheet_safe(value: &str) -> String {
    let skip_padding = |part: &str| {
        part.trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .starts_with(FORMULA_STARTS)
    };
    let runs = value.starts_with(['\t', '\r'])
        || skip_padding(value)
        || value.split(SPLITS).skip(1).any(skip_padding);
    match runs {
        true => format!("'{value}"),
        false => value.to_string(),
    }
}

impl Table {
    /// The table as CSV bytes.
    pub(crate) fn to_csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        writer.write_record(&self.headers)?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|cell| match cell {
                Cell::Text(text) => spreadsheet_safe(text),
                Cell::Number(n) => n.to_string(),
                Cell::Empty => String::new(),
            }))?;
        }
        Ok(writer.into_inner()?)
    }

    /// The table as an XLSX workbook with one sheet.
    pub(crate) fn to_xlsx(&self, sheet_name: &str) -> anyhow::Result<Vec<u8>> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name)?;
        for (col, heading) in self.headers.iter().enumerate() {
            sheet.write_string(0, col as u16, *heading)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    // XLSX cells written as strings are never evaluated, so no neutralising is needed.
                    Cell::Text(text) => sheet.write_string(r, c as u16, text)?,
                    Cell::Number(n) => sheet.write_number(r, c as u16, *n)?,
                    Cell::Empty => sheet,
                };
            }
        }
        Ok(workbook.save_to_buffer()?)
    }

    /// A download response named `<base>.csv` or `<base>.xlsx`.
    pub fn download(&self, format: Format, base_name: &str) -> AppResult<Response> {
        let (bytes, content_type, extension) = match format {
            Format::Csv => (self.to_csv()?, "text/csv; charset=utf-8", "csv"),
            Format::Xlsx => (
                self.to_xlsx(base_name)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        let disposition = format!("attachment; filename=\"{base_name}.{extension}\"");
        Ok((
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_for_spreadsheets() {
        let neutralised = [
            "=cmd|' /C calc'!A0",
            "+91 98200",
            "-2+3",
            "@SUM(1+1)",
            "\t=1+1",
            "\r=1+1",
            " =1+1",
            "  +1",
            "\"=1+1",
            "'=1+1",
            " \"@SUM(A1)",
            ";=1+1",
            "Sharma Kirana;=1+1",
            "Pune, =HYPERLINK(\"http://evil.example\")",
            "a|-1",
            "line one\n=1+1",
            "＝1+1",
        ];
        for value in neutralised {
            assert_eq!(spreadsheet_safe(value), format!("'{value}"), "{value:?}");
        }
        for plain in [
            "Sharma Kirana",
            "Shop 12, MG Road",
            "4 cartons; paid",
            "₹ 1,200",
            "a = b",
        ] {
            assert_eq!(spreadsheet_safe(plain), plain);
        }
    }

    #[test]
    fn tables_write_as_csv_and_xlsx() {
        let table = Table {
            headers: vec!["Name", "Km"],
            rows: vec![vec![Cell::from("=1+1"), Cell::from(12.5)]],
        };
        let csv = String::from_utf8(table.to_csv().unwrap()).unwrap();
        assert_eq!(csv, "\u{feff}\"Name\",\"Km\"\n\"'=1+1\",\"12.5\"\n");
        let xlsx = table.to_xlsx("Report").unwrap();
        assert_eq!(&xlsx[..2], b"PK");
    }
}
