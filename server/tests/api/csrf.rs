use app::account::Role;
use axum::{body::Body, http::Request};
use serde_json::json;

use crate::{
    on_both_engines,
    support::{TestApp, spec},
};

const PASSWORD: &str = "correct horse battery staple";

on_both_engines!(
    forged_cross_site_requests_change_nothing,
    forged_rest_changes_are_refused_for_every_method
);

async fn forged_cross_site_requests_change_nothing(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let forged = |uri: &str, body: &str, origin_headers: &[(&str, &str)]| {
        let mut request = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("tessera_session={cookie}"))
            .header("host", "tessera.example");
        for (name, value) in origin_headers {
            request = request.header(*name, *value);
        }
        request.body(Body::from(body.to_owned())).unwrap()
    };
    let change = "current_password=correct+horse+battery+staple&new_password=attacker+chosen&confirm_password=attacker+chosen";

    let by_fetch_metadata = app
        .request(forged(
            "/_fn/change_password",
            change,
            &[("sec-fetch-site", "cross-site")],
        ))
        .await;
    let by_origin = app
        .request(forged(
            "/_fn/change_password",
            change,
            &[("origin", "https://evil.example")],
        ))
        .await;
    let sign_out = app
        .request(forged("/logout", "", &[("origin", "https://evil.example")]))
        .await;

    for response in [&by_fetch_metadata, &by_origin, &sign_out] {
        assert_eq!(response.status, 403, "{}", response.text());
        assert_eq!(response.json()["error"]["code"], "cross_site_request");
    }
    // Nothing changed: the session lives and the password is the old one.
    assert_eq!(
        app.get_with_session("/settings/tokens", &cookie)
            .await
            .status,
        200
    );
    app.sign_in("alice", PASSWORD).await;
    // The same request from the site itself goes through.
    let same_origin = app
        .request(forged(
            "/_fn/change_password",
            change,
            &[("origin", "http://tessera.example")],
        ))
        .await;
    assert_eq!(same_origin.status, 200, "{}", same_origin.text());
}

/// Every state-changing REST method, carried by the session cookie from another site, is
/// refused before it runs; the token it aimed at is untouched.
async fn forged_rest_changes_are_refused_for_every_method(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    let (value, id) = app.token_for("alice", spec("marketplace")).await;
    let token = format!("/api/v1/tokens/{id}");
    let body = json!({ "password": PASSWORD, "description": "forged", "api_set": "marketplace" });
    let attempts = [
        ("POST", "/api/v1/tokens".to_owned(), body.clone()),
        ("PATCH", token.clone(), body.clone()),
        ("DELETE", token.clone(), json!({ "password": PASSWORD })),
        (
            "POST",
            format!("{token}/regenerate"),
            json!({ "password": PASSWORD }),
        ),
        (
            "PUT",
            "/api/v1/admin/policy".to_owned(),
            json!({ "password": PASSWORD }),
        ),
    ];
    for (method, uri, body) in attempts {
        let request = Request::builder()
            .method(method)
            .uri(&uri)
            .header("content-type", "application/json")
            .header("cookie", format!("tessera_session={cookie}"))
            .header("host", "tessera.example")
            .header("origin", "https://evil.example")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = app.request(request).await;
        assert_eq!(response.status, 403, "{method} {uri}: {}", response.text());
        assert_eq!(
            response.json()["error"]["code"],
            "cross_site_request",
            "{method} {uri}"
        );
    }
    // The platform API too (a browser may hold HTTP Basic credentials for it), in its format.
    let forged_platform = app
        .request(
            Request::post(format!(
                "/1.0/environment/control/rest/getenvs?session={value}"
            ))
            .header("host", "tessera.example")
            .header("origin", "https://evil.example")
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(forged_platform.status, 403, "{}", forged_platform.text());
    assert_eq!(forged_platform.json()["code"], "cross_site_request");
    let listed = app.get_with_session("/api/v1/tokens", &cookie).await.json();
    let tokens = listed["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "nothing created or removed");
    assert_ne!(tokens[0]["description"], "forged", "nothing edited");
    let still = app
        .get(&format!(
            "/1.0/environment/control/rest/getenvs?session={value}"
        ))
        .await;
    assert_eq!(still.json()["result"], 0, "nothing regenerated");
}
