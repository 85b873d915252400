//! Previous / Next links under a long list, with where the page stands. Plain links, so
//! paging works before the page hydrates and a page's address can be shared.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use crate::paging::Paging;

/// The page an address asks for (`?page=N`); the first when it names none or nonsense (the
/// server then shows the nearest page).
pub fn page_asked(query: &ParamsMap) -> u32 {
    query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// A value for an address's query: all but unreserved characters percent-encoded (RFC 3986).
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `base?page=N`; the first page is `base` itself.
pub fn page_href(base: &str, page: u32) -> String {
    if page > 1 {
        format!("{base}?page={page}")
    } else {
        base.to_owned()
    }
}

/// `summary` says what the list holds ("10,000 tokens"), announced when it changes; `href`
/// makes a page's address.
#[component]
pub fn Pager(
    paging: Paging,
    #[prop(into)] summary: Signal<String>,
    href: impl Fn(u32) -> String,
) -> impl IntoView {
    let link = |page: Option<u32>, label: &'static str, rel: &'static str| match page {
        Some(page) => {
            view! { <a class="button button--small" href=href(page) rel=rel>{label}</a> }.into_any()
        }
        None => view! { <span class="button button--small" aria-disabled="true">{label}</span> }
            .into_any(),
    };
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="muted" aria-live="polite">{summary}</span>
            <span class="toolbar__spacer"></span>
            {link(paging.previous(), "Previous", "prev")}
            <span class="pager__position">
                {format!("Page {} of {}", thousands(paging.page.into()), thousands(paging.page_count().into()))}
            </span>
            {link(paging.next(), "Next", "next")}
        </nav>
    }
}

/// "Tokens 51–100 of 10,000".
pub fn rows_shown(what: &str, paging: &Paging) -> String {
    let (first, last) = paging.shown();
    format!(
        "{what} {}–{} of {}",
        thousands(first),
        thousands(last),
        thousands(paging.total)
    )
}

/// `12345` as `12,345`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1_000), "-1,000");
    }
}
