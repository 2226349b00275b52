//! Pages of a list the console already holds whole: a company's people or one day's attendance register
//! (thousands of rows at most, read in one query), shown 50 at a time with the true count. The client
//! list, which can hold millions, pages by key in its own store instead.

use std::ops::Range;

/// Rows a page of such a list shows.
pub const PAGE_SIZE: usize = 50;

/// Where one page stands in a list of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    /// The page shown, from 1; a page past the end shows the last one.
    pub page: usize,
    /// How many rows the whole list has.
    pub total: usize,
}

impl Pager {
    /// The page `requested` (1 when absent or 0) of a list of `total` rows.
    pub fn new(requested: Option<usize>, total: usize) -> Pager {
        let last = total.div_ceil(PAGE_SIZE).max(1);
        Pager {
            page: requested.unwrap_or(1).clamp(1, last),
            total,
        }
    }

    /// The rows of this page.
    pub fn range(&self) -> Range<usize> {
        let start = (self.page - 1) * PAGE_SIZE;
        start.min(self.total)..(start + PAGE_SIZE).min(self.total)
    }

    /// "51–100": the positions of the first and last row shown, from 1.
    pub fn shown(&self) -> String {
        let range = self.range();
        format!("{}–{}", range.start + 1, range.end)
    }

    /// The page before this one.
    pub fn previous(&self) -> Option<usize> {
        (self.page > 1).then(|| self.page - 1)
    }

    /// The page after this one.
    pub fn next(&self) -> Option<usize> {
        (self.range().end < self.total).then(|| self.page + 1)
    }

    /// Keeps this page's rows of `rows` (the whole list).
    pub fn take<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        let range = self.range();
        rows.truncate(range.end);
        rows.drain(..range.start);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_row_once_and_say_where_they_stand() {
        let pager = Pager::new(Some(2), 120);
        assert_eq!(pager.shown(), "51–100");
        assert_eq!((pager.previous(), pager.next()), (Some(1), Some(3)));
        let last = Pager::new(Some(9), 120);
        assert_eq!(
            (last.page, last.shown(), last.next()),
            (3, "101–120".into(), None)
        );
        let rows: Vec<usize> = (0..120).collect();
        let all: Vec<usize> = (1..=3)
            .flat_map(|page| Pager::new(Some(page), 120).take(rows.clone()))
            .collect();
        assert_eq!(all, rows);
        let empty = Pager::new(None, 0);
        assert_eq!(
            (empty.range(), empty.previous(), empty.next()),
            (0..0, None, None)
        );
    }
}
