//! Pieces shared by several pages.

pub mod field;
pub mod top_bar;
