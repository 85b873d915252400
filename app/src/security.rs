//! The Content-Security-Policy every HTML page is served with.
//!
//! Scripts run only from this site or with the page's one-time nonce (what Leptos inlines to
//! start hydration); the WASM bundle may be compiled (`wasm-unsafe-eval`, which allows
//! WebAssembly and not JavaScript's `eval`); no plugin, no `<base>`, forms post only here,
//! and no site may frame the page (clickjacking of the Generate and Remove dialogs).

/// The policy; `nonce` is the page's own, when it has inline scripts.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(nonce) => format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; {scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Gives the page being rendered its policy, with the nonce Leptos put on its inline scripts.
#[cfg(feature = "ssr")]
pub fn send_content_security_policy() {
    use leptos::prelude::use_context;

    let nonce = leptos::nonce::use_nonce();
    let policy = content_security_policy(nonce.as_deref());
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_need_the_nonce_and_nothing_may_frame_the_page() {
        let policy = content_security_policy(Some("abc"));
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!content_security_policy(None).contains("nonce"));
    }
}
