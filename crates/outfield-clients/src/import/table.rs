//! Reading an uploaded file into a table of text within fixed bounds, whatever the file claims about
//! itself: a spreadsheet is read cell by cell (never as the dense range its header declares), its
//! compressed parts are measured by really expanding them before anything else reads them, and rows,
//! columns and cells are counted as they arrive. A file over any bound is refused with the bound named.

use std::io::{Cursor, Read};

use calamine::{DataType, Reader};
use serde::{Deserialize, Serialize};

use outfield_core::error::{AppError, AppResult};

/// Most data rows one import takes.
pub const MAX_ROWS: usize = 100_000;
/// Largest import file.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most columns a row may use.
pub(crate) const MAX_COLUMNS: usize = 256;
/// Most non-empty cells a file may hold (100,000 rows of 30 columns).
pub(crate) const MAX_CELLS: usize = 3_000_000;
/// Most bytes the parts of a spreadsheet may expand to, all together.
pub(crate) const MAX_EXPANDED_BYTES: u64 = 256 * 1024 * 1024;
/// Most parts a spreadsheet may have.
const MAX_PARTS: usize = 10_000;

/// A decoded table: headers and rows of text, each row either its cells or why it cannot be read.
#[derive(Debug, Serialize, Deserialize)]
pub struct Table {
    /// How the file was decoded (`utf-8`, `windows-1252`, `xlsx` …).
    pub encoding: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The data rows.
    pub rows: Vec<Result<Vec<String>, String>>,
}

/// Reads CSV (any common encoding and delimiter) or XLSX.
pub fn decode(bytes: &[u8]) -> AppResult<Table> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        decode_xlsx(bytes)?
    } else {
        decode_csv(bytes)?
    };
    if table.rows.len() > MAX_ROWS {
        return Err(too_many_rows());
    }
    Ok(table)
}

fn too_many_rows() -> AppError {
    AppError::field("file", format!("has more than {MAX_ROWS} rows; split it"))
}

fn too_many_cells() -> AppError {
    AppError::field(
        "file",
        format!("has more than {MAX_CELLS} filled cells; split it"),
    )
}

fn decode_csv(bytes: &[u8]) -> AppResult<Table> {
    let (text, encoding) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (
            String::from_utf8_lossy(rest).into_owned(),
            "utf-8 (with BOM)",
        ),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_string(), "utf-8"),
            Err(_) => (
                encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
                "windows-1252",
            ),
        },
    };
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| {
        AppError::field("file", format!("has a header row that cannot be read: {e}"))
    })?;
    if header.len() > MAX_COLUMNS {
        return Err(too_many_columns(header.len()));
    }
    let headers = header.iter().map(|h| h.trim().to_string()).collect();
    let mut rows = Vec::new();
    let mut cells = 0;
    for record in reader.records() {
        if rows.len() == MAX_ROWS {
            return Err(too_many_rows());
        }
        let row = match record {
            Err(e) => Err(format!("the row cannot be read: {e}")),
            Ok(record) if record.len() > MAX_COLUMNS => Err(format!(
                "the row has {} columns; an import reads at most {MAX_COLUMNS}",
                record.len()
            )),
            Ok(record) => {
                cells += record.len();
                Ok(record.iter().map(str::to_string).collect())
            }
        };
        if cells > MAX_CELLS {
            return Err(too_many_cells());
        }
        rows.push(row);
    }
    Ok(Table {
        encoding: encoding.to_string(),
        headers,
        rows,
    })
}

fn too_many_columns(columns: usize) -> AppError {
    AppError::field(
        "file",
        format!("uses {columns} columns; an import reads at most {MAX_COLUMNS}"),
    )
}

fn decode_xlsx(bytes: &[u8]) -> AppResult<Table> {
    check_expansion(bytes)?;
    let mut workbook = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| AppError::field("file", format!("is not a readable XLSX file: {e}")))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| AppError::field("file", "is a workbook without a sheet"))?;
    let unreadable = |e: calamine::XlsxError| {
        AppError::field(
            "file",
            format!("has a first sheet that cannot be read: {e}"),
        )
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(unreadable)?;
    let mut grid = SparseGrid::default();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        if !cell.get_value().is_empty() {
            let (row, column) = cell.get_position();
            let text = calamine::Data::from(cell.get_value().clone()).to_string();
            grid.put(row, column, text)?;
        }
    }
    Ok(grid.into_table())
}

/// Expands every part of the zip archive into nothing, counting, and refuses the file if the parts
/// together grow past [`MAX_EXPANDED_BYTES`]: the sizes an archive declares may lie, the bytes may not.
fn check_expansion(bytes: &[u8]) -> AppResult<()> {
    let unreadable = |e: zip::result::ZipError| {
        AppError::field("file", format!("is not a readable XLSX file: {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if archive.len() > MAX_PARTS {
        return Err(AppError::field(
            "file",
            format!("has more than {MAX_PARTS} parts; it is not a spreadsheet an import reads"),
        ));
    }
    let mut expanded = 0;
    for index in 0..archive.len() {
        let part = archive.by_index(index).map_err(unreadable)?;
        let left = MAX_EXPANDED_BYTES - expanded;
        expanded += std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|e| AppError::field("file", format!("is not a readable XLSX file: {e}")))?;
        if expanded > MAX_EXPANDED_BYTES {
            return Err(AppError::field(
                "file",
                format!(
                    "expands to more than {} MB; an import reads at most that",
                    MAX_EXPANDED_BYTES / (1024 * 1024)
                ),
            ));
        }
    }
    Ok(())
}

/// The filled cells of a sheet by position, bounded as they arrive.
#[derive(Default)]
struct SparseGrid {
    rows: std::collections::BTreeMap<u32, Vec<(u32, String)>>,
    cells: usize,
    first_column: Option<u32>,
}

impl SparseGrid {
    fn put(&mut self, row: u32, column: u32, text: String) -> AppResult<()> {
        if !self.rows.contains_key(&row) && self.rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
        if column as usize >= MAX_COLUMNS {
            return Err(too_many_columns(column as usize + 1));
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(too_many_cells());
        }
        self.first_column = Some(self.first_column.map_or(column, |c| c.min(column)));
        self.rows.entry(row).or_default().push((column, text));
        Ok(())
    }

    /// The table as the sheet shows it from its first filled row and column: the first row is the
    /// header, rows between with nothing in them are left out.
    fn into_table(self) -> Table {
        let offset = self.first_column.unwrap_or(0);
        let width = |cells: &[(u32, String)]| {
            cells
                .iter()
                .map(|(c, _)| (c - offset) as usize + 1)
                .max()
                .unwrap_or(0)
        };
        let mut rows = self.rows.into_values().map(|cells| {
            let mut row = vec![String::new(); width(&cells)];
            for (column, text) in cells {
                row[(column - offset) as usize] = text;
            }
            row
        });
        let headers = rows
            .next()
            .unwrap_or_default()
            .into_iter()
            .map(|h| h.trim().to_string())
            .collect();
        Table {
            encoding: "xlsx".to_string(),
            headers,
            rows: rows.map(Ok).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_and_delimiters_are_recognised() {
        let latin = b"Name;City\nCaf\xe9 Sharma;Pune\n";
        let table = decode(latin).unwrap();
        assert_eq!(table.encoding, "windows-1252");
        assert_eq!(table.rows[0].as_ref().unwrap()[0], "Café Sharma");
        let bom = "\u{feff}name,phone\nA,1\n".as_bytes();
        let table = decode(bom).unwrap();
        assert_eq!(table.headers, ["name", "phone"]);
    }

    #[test]
    fn a_csv_row_wider_than_the_bound_is_an_error_of_that_row() {
        let wide = format!("name,phone\nA,1\n{}\n", ",".repeat(MAX_COLUMNS + 10));
        let table = decode(wide.as_bytes()).unwrap();
        assert!(table.rows[0].is_ok());
        assert!(table.rows[1].as_ref().unwrap_err().contains("columns"));
    }

    #[test]
    fn a_csv_with_more_rows_than_the_bound_is_refused() {
        let long = format!("name\n{}", "x\n".repeat(MAX_ROWS + 1));
        let error = decode(long.as_bytes()).unwrap_err();
        assert_eq!(error.field_errors()[0].field, "file");
    }
}
