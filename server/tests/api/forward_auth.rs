//! `/auth/verify` as a reverse proxy asks it, with the example routes file
//! (deploy/forward-auth/routes.toml): upstream methods checked like platform methods, the
//! platform's own routes out of the box, public routes, and everything else refused.

use app::{
    account::Role,
    token::{ExpiryInput, TokenInput},
};
use axum::{body::Body, http::Request};
use base64::{Engine as _, engine::general_purpose::STANDARD};

use crate::{
    on_both_engines_with_routes,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

const ROUTES: &str = "deploy/forward-auth/routes.toml";

on_both_engines_with_routes!(ROUTES;
    an_allowed_request_names_the_tokens_owner_for_the_upstream,
    refusals_carry_the_platform_apis_codes,
    the_platform_apis_routes_are_protected_out_of_the_box,
    ambiguous_and_disguised_requests_are_refused,
    upstream_methods_are_picked_like_any_other,
);

/// How the proxy describes the original request.
#[derive(Clone, Copy)]
enum Proxy {
    Nginx,
    /// Traefik and Caddy.
    Forwarded,
}

async fn verify(
    app: &TestApp,
    proxy: Proxy,
    method: &str,
    uri: &str,
    headers: &[(&str, String)],
) -> TestResponse {
    let (method_header, uri_header) = match proxy {
        Proxy::Nginx => ("x-original-method", "x-original-uri"),
        Proxy::Forwarded => ("x-forwarded-method", "x-forwarded-uri"),
    };
    let mut request = Request::get("/auth/verify")
        .header(method_header, method)
        .header(uri_header, uri);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

type Headers = Vec<(&'static str, String)>;

fn bearer(token: &str) -> Headers {
    vec![("authorization", format!("Bearer {token}"))]
}

async fn alice_with(app: &TestApp, methods: &str, scopes: &[&str]) -> (String, i64) {
    let input = TokenInput {
        scopes: (!scopes.is_empty()).then(|| scopes.iter().map(|s| (*s).to_owned()).collect()),
        expiry: Some(ExpiryInput::Lasting("30d".into())),
        ..spec(methods)
    };
    app.token_for("alice", input).await
}

fn assert_refused(response: &TestResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{}", response.text());
    assert_eq!(response.header("x-tessera-code"), Some(code));
    assert_eq!(response.json()["code"], code);
    assert_eq!(
        response.header("www-authenticate").is_some(),
        status == 401,
        "WWW-Authenticate goes with 401 only"
    );
}

async fn an_allowed_request_names_the_tokens_owner_for_the_upstream(app: &TestApp) {
    app.create_user("alice", "alice's long password", Role::User)
        .await;
    let (token, id) = alice_with(app, "reports.files.Read", &["env:acme:r"]).await;
    let basic = STANDARD.encode(format!("alice:{token}"));
    let carried: [(Proxy, &str, Headers); 4] = [
        (Proxy::Nginx, "/reports/acme/2026/q1.pdf", bearer(&token)),
        (
            Proxy::Forwarded,
            "/reports/acme/q1.pdf",
            vec![("x-auth-token", token.clone())],
        ),
        (
            Proxy::Nginx,
            "/reports/acme/q1.pdf",
            vec![("authorization", format!("Basic {basic}"))],
        ),
        (
            Proxy::Forwarded,
            &format!("/reports/acme/q1.pdf?download=1&session={token}"),
            vec![],
        ),
    ];
    for (proxy, uri, headers) in carried {
        let allowed = verify(app, proxy, "GET", uri, &headers).await;
        assert_eq!(allowed.status, 200, "{uri}: {}", allowed.text());
        assert_eq!(allowed.header("x-tessera-user"), Some("alice"));
        assert_eq!(
            allowed.header("x-tessera-token-id"),
            Some(id.to_string().as_str())
        );
        assert_eq!(allowed.header("x-tessera-scopes"), Some("env:acme:r"));
        assert_eq!(
            allowed.header("x-tessera-method"),
            Some("reports.files.Read")
        );
        assert!(!allowed.text().contains(&token));
    }
    // HEAD goes with GET; a public route needs no token and names nobody.
    let head = verify(
        app,
        Proxy::Nginx,
        "HEAD",
        "/reports/acme/q1.pdf",
        &bearer(&token),
    )
    .await;
    assert_eq!(head.status, 200);
    let public = verify(app, Proxy::Nginx, "GET", "/reports/health", &[]).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.header("x-tessera-user"), None);
    // An unrestricted token's scopes read as everything.
    let (all, _) = alice_with(app, "reports.files.List", &[]).await;
    let listed = verify(app, Proxy::Nginx, "GET", "/reports/other", &bearer(&all)).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.header("x-tessera-scopes"), Some("*"));
    // Uses are recorded as for any call.
    app.services.tokens.flush_usage().await.unwrap();
    let last_used: Option<i64> = sqlx::query_scalar(&format!(
        "select last_used_at from access_tokens where token_id = {id}"
    ))
    .fetch_one(app.database.pool())
    .await
    .unwrap();
    assert!(last_used.is_some(), "the check records the use");
}

async fn refusals_carry_the_platform_apis_codes(app: &TestApp) {
    app.create_user("alice", "alice's long password", Role::User)
        .await;
    let (reader, reader_id) = alice_with(app, "reports.files.Read", &["env:acme:r"]).await;
    let file = "/reports/acme/q1.pdf";
    let none = verify(app, Proxy::Nginx, "GET", file, &[]).await;
    assert_refused(&none, 401, "token_required");
    let unknown = "tsr_".to_owned() + &"x".repeat(40);
    let malformed = verify(app, Proxy::Nginx, "GET", file, &bearer(&unknown)).await;
    assert_eq!(malformed.status, 401);
    // The method the token lacks, a resource outside its scopes, an unknown route.
    let write = verify(app, Proxy::Nginx, "PUT", file, &bearer(&reader)).await;
    assert_refused(&write, 403, "method_not_allowed");
    assert!(
        write.json()["error"]
            .as_str()
            .unwrap()
            .contains("reports.files.Write")
    );
    let other = verify(
        app,
        Proxy::Nginx,
        "GET",
        "/reports/other/q1.pdf",
        &bearer(&reader),
    )
    .await;
    assert_refused(&other, 403, "out_of_scope");
    let nowhere = verify(app, Proxy::Nginx, "GET", "/admin/users", &bearer(&reader)).await;
    assert_refused(&nowhere, 403, "unknown_method");
    let post = verify(app, Proxy::Nginx, "POST", file, &bearer(&reader)).await;
    assert_refused(&post, 403, "unknown_method");
    // A limited token runs out; an expired and a removed one are refused as such.
    let (once, _) = app
        .token_for(
            "alice",
            TokenInput {
                max_uses: Some("1".into()),
                ..spec("reports.files.Read")
            },
        )
        .await;
    assert_eq!(
        verify(app, Proxy::Nginx, "GET", file, &bearer(&once))
            .await
            .status,
        200
    );
    let spent = verify(app, Proxy::Nginx, "GET", file, &bearer(&once)).await;
    assert_refused(&spent, 403, "token_exhausted");
    app.exec(&format!(
        "update access_tokens set expires_at = {} where token_id = {reader_id}",
        server::clock::now() - 1
    ))
    .await;
    // A change made behind the server's back reaches what it keeps within a poll.
    let started = std::time::Instant::now();
    let expired = loop {
        let answer = verify(app, Proxy::Nginx, "GET", file, &bearer(&reader)).await;
        if answer.status != 200 || started.elapsed() > std::time::Duration::from_secs(3) {
            break answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_refused(&expired, 401, "token_expired");
    let (removed, _) = alice_with(app, "reports.files.Read", &[]).await;
    let gone = json_request(
        app,
        "DELETE",
        "/api/v1/tokens/self",
        Auth::Token(&removed),
        None,
    )
    .await;
    assert!(gone.status.is_success(), "{}", gone.text());
    let refused = verify(app, Proxy::Forwarded, "GET", file, &bearer(&removed)).await;
    assert_refused(&refused, 401, "token_removed");
}

async fn the_platform_apis_routes_are_protected_out_of_the_box(app: &TestApp) {
    app.create_user("alice", "alice's long password", Role::User)
        .await;
    let (token, _) = alice_with(app, "environment.control.GetEnvInfo", &["env:my-project:r"]).await;
    let info = "/1.0/environment/control/rest/getenvinfo";
    let allowed = verify(
        app,
        Proxy::Nginx,
        "GET",
        &format!("{info}?envName=my-project"),
        &bearer(&token),
    )
    .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text());
    assert_eq!(
        allowed.header("x-tessera-method"),
        Some("environment.control.GetEnvInfo")
    );
    let other = verify(
        app,
        Proxy::Nginx,
        "GET",
        &format!("{info}?envName=other"),
        &bearer(&token),
    )
    .await;
    assert_refused(&other, 403, "out_of_scope");
    // The environment is named in a form body the check cannot see.
    let unnamed = verify(app, Proxy::Nginx, "POST", info, &bearer(&token)).await;
    assert_refused(&unnamed, 403, "invalid_parameter");
    assert!(
        unnamed.json()["error"]
            .as_str()
            .unwrap()
            .contains("envName")
    );
    // A POST's body could name another environment than its query; two names could be read
    // either way.
    let posted = verify(
        app,
        Proxy::Nginx,
        "POST",
        &format!("{info}?envName=my-project"),
        &bearer(&token),
    )
    .await;
    assert_refused(&posted, 403, "invalid_parameter");
    let twice = format!("{info}?envName=my-project&envName=other");
    let named_twice = verify(app, Proxy::Nginx, "GET", &twice, &bearer(&token)).await;
    assert_refused(&named_twice, 403, "invalid_parameter");
}

async fn ambiguous_and_disguised_requests_are_refused(app: &TestApp) {
    app.create_user("alice", "alice's long password", Role::User)
        .await;
    let (token, _) = alice_with(app, "reports.files.Read", &["env:acme:r"]).await;
    for uri in [
        "/reports/acme/../other/q1.pdf",
        "/reports/acme/%2e%2e/other/q1.pdf",
        "/reports/acme%2Fx/q1.pdf",
        "/reports//acme/q1.pdf",
    ] {
        let refused = verify(app, Proxy::Nginx, "GET", uri, &bearer(&token)).await;
        assert_refused(&refused, 403, "invalid_parameter");
    }
    // A client's own description that disagrees with its proxy's.
    let mut both = bearer(&token);
    both.push(("x-forwarded-uri", "/reports/other/q1.pdf".to_owned()));
    let twice = verify(app, Proxy::Nginx, "GET", "/reports/acme/q1.pdf", &both).await;
    assert_refused(&twice, 403, "invalid_parameter");
    // No description at all: a proxy set up wrong.
    let bare = app
        .request(
            Request::get("/auth/verify")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_refused(&bare, 403, "invalid_parameter");
    // A session parameter whose name a proxy would not recognise to strip.
    let disguised = verify(
        app,
        Proxy::Nginx,
        "GET",
        &format!("/reports/acme/q1.pdf?sess%69on={token}"),
        &[],
    )
    .await;
    assert_refused(&disguised, 403, "invalid_parameter");
    // A cross-site origin does not matter: the check reads no session.
    let mut from_elsewhere = bearer(&token);
    from_elsewhere.push(("origin", "https://elsewhere.example".to_owned()));
    let posted = app
        .request({
            let mut request = Request::post("/auth/verify")
                .header("x-original-method", "GET")
                .header("x-original-uri", "/reports/acme/q1.pdf");
            for (name, value) in &from_elsewhere {
                request = request.header(*name, value);
            }
            request.body(Body::empty()).unwrap()
        })
        .await;
    assert_eq!(posted.status, 200, "{}", posted.text());
}

async fn upstream_methods_are_picked_like_any_other(app: &TestApp) {
    let catalog = app.get("/api/v1/catalog").await.json();
    let reports: Vec<&str> = catalog["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["upstream_routes"].is_array())
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        reports,
        [
            "reports.files.List",
            "reports.files.Read",
            "reports.files.Write"
        ]
    );
    assert!(catalog["services"].to_string().contains("\"reports\""));
    // Not platform API methods: neither served at /1.0 nor in its OpenAPI document.
    let openapi = app.get("/api/v1/openapi.json").await.text().to_owned();
    assert!(!openapi.contains("reports.files"));
    let at_platform = app.get("/1.0/reports/files/rest/read").await;
    assert_eq!(at_platform.status, 404);
    assert_eq!(at_platform.json()["code"], "unknown_method");
    let docs = app.get("/docs/api").await;
    assert!(docs.text().contains("GET /reports/{project}/{*file}"));
}
