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

/// Turns a value that will be opened in a spreadsheet into plain text: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return would otherwise run as a formula (CSV injection).
pub(crate) fn spreadsheet_safe(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

impl Table {
    /// The table as CSV bytes.
    pub(crate) fn to_csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
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
        assert_eq!(
            spreadsheet_safe("=cmd|' /C calc'!A0"),
            "'=cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("+91 98200"), "'+91 98200");
        assert_eq!(spreadsheet_safe("Sharma Kirana"), "Sharma Kirana");
    }

    #[test]
    fn tables_write_as_csv_and_xlsx() {
        let table = Table {
            headers: vec!["Name", "Km"],
            rows: vec![vec![Cell::from("=1+1"), Cell::from(12.5)]],
        };
        let csv = String::from_utf8(table.to_csv().unwrap()).unwrap();
        assert_eq!(csv, "\u{feff}Name,Km\n'=1+1,12.5\n");
        let xlsx = table.to_xlsx("Report").unwrap();
        assert_eq!(&xlsx[..2], b"PK");
    }
}
