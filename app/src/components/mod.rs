//! Pieces shared by several pages.

pub mod field;
pub mod modal;
pub mod top_bar;
