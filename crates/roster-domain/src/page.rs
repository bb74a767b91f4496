//! Pagination of lists: a keyset cursor plus offset and limit.

use crate::ids::UserId;

/// Which slice of an ordered list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pagination {
    /// Keep only rows after the row of this user in the list's order.
    pub after_id: Option<UserId>,
    /// Rows to skip (after the cursor).
    pub offset: u64,
    /// At most this many rows; `None` (the API's `0`) means no limit.
    pub limit: Option<u64>,
}

/// One page and the number of rows matching the filters (and the cursor), whatever the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOf<T> {
    /// The rows of the page.
    pub rows: Vec<T>,
    /// All matching rows.
    pub count: u64,
}
