//! Where a person may be sent back to after signing in.

pub const DEFAULT_AFTER_SIGN_IN: &str = "/settings/tokens";

/// `next` when it is a path on this site; otherwise (another site, `//host`, nothing) the
/// Access Tokens page. Prevents open redirects through the login form.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') => {
            next.to_owned()
        }
        _ => DEFAULT_AFTER_SIGN_IN.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/settings/account?x=1")),
            "/settings/account?x=1"
        );
        assert_eq!(safe_next(Some("//evil.example/")), DEFAULT_AFTER_SIGN_IN);
        assert_eq!(
            safe_next(Some("https://evil.example/")),
            DEFAULT_AFTER_SIGN_IN
        );
        assert_eq!(safe_next(Some("/\\evil.example")), DEFAULT_AFTER_SIGN_IN);
        assert_eq!(safe_next(None), DEFAULT_AFTER_SIGN_IN);
    }
}
