//! `/docs/api`: the platform API's reference, rendered from the loaded catalog. The catalog's
//! documentation links point here (`/docs/api#environment.control.StopEnv`).

use std::fmt::Write as _;

use axum::{Router, extract::State, response::Html, routing::get};

use crate::{services::Services, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/docs/api", get(reference))
}

async fn reference(State(services): State<Services>) -> Html<String> {
    let catalog = services.tokens.catalog();
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Platform API reference · Tessera</title>\
         <link rel=\"stylesheet\" href=\"/pkg/tessera.css\"></head>\
         <body><main class=\"docs\"><h1>Platform API reference</h1>\
         <p>Call a method at its route with GET or POST, parameters in the query or a form \
         body, and an access token as the <code>session</code> parameter, \
         <code>Authorization: Bearer</code>, <code>X-Auth-Token</code>, or the password of \
         HTTP Basic auth. Success answers <code>{\"result\": 0, …}</code>. The machine-readable \
         version is <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>.</p>",
    );
    for service in catalog.services() {
        let _ = write!(page, "<h2>{}</h2>", escape(&service.title));
        for method in catalog.methods_of(&service.id) {
            let name = escape(method.name.as_str());
            if method.is_upstream() {
                let routes: String = method
                    .upstream_routes
                    .iter()
                    .map(|route| format!("<code>{}</code><br>", escape(route)))
                    .collect();
                let _ = write!(
                    page,
                    "<section id=\"{name}\"><h3><code>{name}</code> <small>{}</small></h3>\
                     <p>{}</p><p>{routes}</p><p>Served by another service behind the reverse \
                     proxy, which asks <code>/auth/verify</code> first.</p></section>",
                    method.access.as_str(),
                    escape(&method.description),
                );
                continue;
            }
            let _ = write!(
                page,
                "<section id=\"{name}\"><h3><code>{name}</code> <small>{}</small></h3>\
                 <p>{}</p><p><code>{} {}</code></p>",
                method.access.as_str(),
                escape(&method.description),
                if method.access == app::catalog::Access::Read {
                    "GET"
                } else {
                    "POST"
                },
                escape(&method.route),
            );
            if !method.params.is_empty() {
                page.push_str("<dl>");
                for (param, meaning) in &method.params {
                    let _ = write!(
                        page,
                        "<dt><code>{}</code></dt><dd>{}</dd>",
                        escape(param),
                        escape(meaning)
                    );
                }
                page.push_str("</dl>");
            }
            let query: Vec<String> = method
                .example
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .chain(std::iter::once("session=TOKEN".to_owned()))
                .collect();
            let _ = write!(
                page,
                "<pre>curl '{}?{}'</pre></section>",
                escape(&method.route),
                escape(&query.join("&"))
            );
        }
    }
    page.push_str("</main></body></html>");
    Html(page)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
