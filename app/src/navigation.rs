//! Where a person may be sent back to after signing in.

pub const DEFAULT_AFTER_SIGN_IN: &str = "/settings/tokens";

/// `next` when a browser would read it as a path on this site; otherwise (another site,
/// `//host`, a scheme, nothing) the Access Tokens page. Prevents open redirects through the
/// login form.
///
/// Decided the way the WHATWG URL parser reads a relative reference: leading and trailing
/// C0 controls and spaces are dropped, tabs and line breaks are removed wherever they are, and
/// `\` counts as `/`. Only then is it a path when it starts with one slash and not two. The
/// answer is that same normalised path with everything outside printable ASCII
/// percent-encoded, so it is always a valid `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(same_site_path)
        .unwrap_or_else(|| DEFAULT_AFTER_SIGN_IN.to_owned())
}

fn same_site_path(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    let normalised: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    let mut chars = normalised.chars();
    if chars.next() != Some('/') || chars.next() == Some('/') {
        return None;
    }
    let mut path = String::with_capacity(normalised.len());
    for c in normalised.chars() {
        if c.is_ascii_graphic() {
            path.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                path.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

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

    #[test]
    fn what_browsers_strip_or_swap_cannot_smuggle_a_host() {
        for raw in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "\u{0}//evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "/\t\\evil.example",
            "javascript:alert(1)",
            "settings/tokens",
            "",
        ] {
            assert_eq!(safe_next(Some(raw)), DEFAULT_AFTER_SIGN_IN, "{raw:?}");
        }
    }

    #[test]
    fn the_answer_is_always_a_valid_header_value() {
        assert_eq!(
            safe_next(Some("/a\r\nSet-Cookie: x=1")),
            "/aSet-Cookie:%20x=1"
        );
        assert_eq!(safe_next(Some("/café")), "/caf%C3%A9");
        assert_eq!(safe_next(Some("/x\u{7f}")), "/x%7F");
    }

    /// What a browser at `/login` makes of a `Location: <answer>`.
    fn resolved_by_a_browser(location: &str) -> url::Url {
        url::Url::parse("http://tessera.test/login")
            .unwrap()
            .join(location)
            .unwrap()
    }

    proptest! {
        #[test]
        fn a_browser_never_leaves_the_site(raw in "[/\\\\\t\r\n :a-z.%0-9@?#\u{0}-\u{1f}é]{0,12}") {
            let answer = safe_next(Some(&raw));
            prop_assert!(answer.bytes().all(|b| b.is_ascii_graphic()), "{answer:?}");
            let url = resolved_by_a_browser(&answer);
            prop_assert_eq!(url.host_str(), Some("tessera.test"), "{:?} -> {:?}", raw, answer);
            prop_assert_eq!(url.scheme(), "http");
            // The raw input, read by a browser, lands where the answer says, or we refused.
            if answer != DEFAULT_AFTER_SIGN_IN {
                let direct = url::Url::parse("http://tessera.test/login").unwrap().join(&raw);
                if let Ok(direct) = direct {
                    prop_assert_eq!(direct.host_str(), Some("tessera.test"));
                }
            }
        }
    }
}
