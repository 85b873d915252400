//! Where one page of a long list stands among all its rows.

use serde::{Deserialize, Serialize};

/// A page (counted from 1) of `per_page` rows out of `total`. Made by [`Paging::new`], which
/// turns a page past the end into the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
    /// Rows on all pages.
    pub total: i64,
}

impl Paging {
    pub fn new(asked: u32, per_page: u32, total: i64) -> Self {
        let mut paging = Self {
            page: 1,
            per_page: per_page.max(1),
            total: total.max(0),
        };
        paging.page = asked.clamp(1, paging.page_count());
        paging
    }

    /// At least one: an empty list still has a (first, empty) page.
    pub fn page_count(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per_page - 1) / per_page)
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// Rows before this page.
    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }

    pub fn previous(&self) -> Option<u32> {
        (self.page > 1).then(|| self.page - 1)
    }

    pub fn next(&self) -> Option<u32> {
        (self.page < self.page_count()).then(|| self.page + 1)
    }

    /// The rows this page shows, counted from 1 (`(51, 100)`); `(0, 0)` for none.
    pub fn shown(&self) -> (i64, i64) {
        if self.total == 0 {
            return (0, 0);
        }
        let first = self.offset() + 1;
        (
            first,
            (self.offset() + i64::from(self.per_page)).min(self.total),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_rounds_up_and_is_at_least_one() {
        let count = |total| Paging::new(1, 25, total).page_count();
        assert_eq!(count(0), 1);
        assert_eq!(count(1), 1);
        assert_eq!(count(25), 1);
        assert_eq!(count(26), 2);
        assert_eq!(count(251), 11);
    }

    #[test]
    fn pages_outside_the_list_are_its_ends() {
        assert_eq!(Paging::new(0, 50, 120).page, 1);
        assert_eq!(Paging::new(3, 50, 120).page, 3);
        assert_eq!(Paging::new(4, 50, 120).page, 3);
        assert_eq!(Paging::new(u32::MAX, 50, 0).page, 1);
    }

    #[test]
    fn offsets_neighbours_and_rows_shown() {
        let middle = Paging::new(2, 50, 120);
        assert_eq!(middle.offset(), 50);
        assert_eq!((middle.previous(), middle.next()), (Some(1), Some(3)));
        assert_eq!(middle.shown(), (51, 100));

        let last = Paging::new(3, 50, 120);
        assert_eq!(last.offset(), 100);
        assert_eq!((last.previous(), last.next()), (Some(2), None));
        assert_eq!(last.shown(), (101, 120));

        let only = Paging::new(1, 50, 0);
        assert_eq!((only.previous(), only.next()), (None, None));
        assert_eq!(only.shown(), (0, 0));
        assert_eq!(only.offset(), 0);
    }
}
