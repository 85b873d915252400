//! Pieces shared by several pages: form fields and pickers, dialogs, the token table.

pub mod access_preview;
pub mod api_picker;
pub mod audit_table;
pub mod date_field;
pub mod ending_soon;
pub mod expiry_field;
pub mod field;
pub mod grace_choice;
pub mod limits_field;
pub mod modal;
pub mod pager;
pub mod password_prompt;
pub mod reveal;
pub mod scopes_field;
pub mod token_table;
pub mod top_bar;
pub mod usage_panel;
