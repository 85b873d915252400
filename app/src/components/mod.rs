//! Pieces shared by several pages.

pub mod field;
pub mod modal;
pub mod password_prompt;
pub mod reveal;
pub mod top_bar;
