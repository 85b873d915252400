//! The platform API, generated from the catalog: every method on every transport, allowed
//! and refused for each documented reason. A method added to the catalog is covered here
//! without a new line of test.

use app::{
    account::Role,
    catalog::ApiMethod,
    request::ClientInfo,
    token::{RotationGrace, TokenInput, TokenSecret},
};
use axum::{body::Body, http::Request};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use server::{
    auth::secret,
    services::{
        accounts::Confirmed,
        tokens::{Presented, TokenOwner, Transport as Carried},
    },
    storage::platform,
};

use crate::{
    on_both_engines,
    support::{TestApp, TestResponse, spec},
};

const PASSWORD: &str = "alice's long password";

on_both_engines!(
    every_method_on_every_transport,
    the_documented_stopenv_call_stops_the_environment,
    scoped_tokens_see_and_touch_only_their_environments,
    a_malformed_token_is_refused_without_the_database,
    unknown_methods_and_bad_parameters_have_their_codes,
);

#[derive(Clone, Copy, Debug)]
pub enum Transport {
    SessionQuery,
    SessionForm,
    Bearer,
    XAuthToken,
    Basic,
}

pub const TRANSPORTS: [Transport; 5] = [
    Transport::SessionQuery,
    Transport::SessionForm,
    Transport::Bearer,
    Transport::XAuthToken,
    Transport::Basic,
];

/// Calls `route` with `params` and the token presented the `transport` way.
pub async fn call(
    app: &TestApp,
    route: &str,
    params: &[(String, String)],
    transport: Transport,
    login: &str,
    token: &str,
) -> TestResponse {
    let mut pairs = params.to_vec();
    let with_session = |mut pairs: Vec<(String, String)>| {
        pairs.push(("session".into(), token.into()));
        serde_urlencoded::to_string(pairs).unwrap()
    };
    let request = match transport {
        Transport::SessionQuery => {
            Request::get(format!("{route}?{}", with_session(pairs))).body(Body::empty())
        }
        Transport::SessionForm => Request::post(route)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(with_session(pairs))),
        Transport::Bearer => Request::get(format!(
            "{route}?{}",
            serde_urlencoded::to_string(&pairs).unwrap()
        ))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty()),
        Transport::XAuthToken => {
            pairs.sort();
            Request::post(route)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-auth-token", token)
                .body(Body::from(serde_urlencoded::to_string(&pairs).unwrap()))
        }
        Transport::Basic => Request::get(format!(
            "{route}?{}",
            serde_urlencoded::to_string(&pairs).unwrap()
        ))
        .header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{login}:{token}"))),
        )
        .body(Body::empty()),
    };
    app.request(request.unwrap()).await
}

/// alice's account as every example expects it: one running environment `my-project` with
/// a file and a deployment, nothing else.
pub async fn reset_fixture(app: &TestApp, user_id: i64) {
    app.exec(&format!(
        "delete from environments where user_id = {user_id}"
    ))
    .await;
    let pool = app.database.pool();
    let env_id = platform::insert_env(pool, user_id, "my-project", "My project", 1)
        .await
        .unwrap();
    platform::write_file(pool, env_id, "/index.html", "<h1>Hi</h1>", 1)
        .await
        .unwrap();
    platform::insert_deployment(pool, env_id, "app.war", Some("1.0.0"), 1)
        .await
        .unwrap();
}

/// The method's example parameters, placeholders filled in.
fn example(method: &ApiMethod, token_id: i64) -> Vec<(String, String)> {
    method
        .example
        .iter()
        .map(|(name, value)| {
            let value = value
                .replace("{password}", PASSWORD)
                .replace("{token_id}", &token_id.to_string());
            (name.clone(), value)
        })
        .collect()
}

#[track_caller]
fn assert_refused(response: &TestResponse, code: &str, context: &str) {
    let body = response.json();
    assert_eq!(body["code"], code, "{context}: {body}");
    let result = body["result"].as_i64().unwrap();
    assert!(result != 0, "{context}: {body}");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    let expected_status = match code {
        "method_not_allowed"
        | "out_of_scope"
        | "owner_disabled"
        | "token_suspended"
        | "address_not_allowed"
        | "token_exhausted" => 403,
        "rate_limited" => 429,
        _ => 401,
    };
    assert_eq!(response.status, expected_status, "{context}: {body}");
    if code == "rate_limited" {
        let wait: u64 = response.header("retry-after").unwrap().parse().unwrap();
        assert!(
            (1..=86_400).contains(&wait),
            "{context}: Retry-After {wait}"
        );
    }
}

async fn every_method_on_every_transport(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    app.create_user("bob", "bob's long password", Role::User)
        .await;
    let alice = app.user_id("alice").await;
    let owner = TokenOwner::by_operator(alice, "alice".into());
    let catalog = app.services.tokens.catalog().clone();
    let methods = catalog.methods();

    // Bob's tokens, one per method, refused once he is disabled.
    let mut bobs = Vec::new();
    for method in methods {
        bobs.push(app.token_for("bob", spec(method.name.as_str())).await.0);
    }
    app.services
        .accounts
        .set_disabled(
            &app::account::Login::parse("bob").unwrap(),
            true,
            &server::services::audit::Actor::Operator,
            &ClientInfo::default(),
        )
        .await
        .unwrap();

    for (index, method) in methods.iter().enumerate() {
        let name = method.name.as_str();
        let other = methods[(index + 1) % methods.len()].name.as_str();
        let (valid, _) = app.token_for("alice", spec(name)).await;
        let (without, _) = app.token_for("alice", spec(other)).await;

        let (expired, expired_id) = app.token_for("alice", spec(name)).await;
        app.exec(&format!(
            "update access_tokens set expiration = 'hard_limit', expires_at = 1000 \
             where token_id = {expired_id}"
        ))
        .await;
        let (regenerated, regenerated_id) = app.token_for("alice", spec(name)).await;
        app.services
            .tokens
            .regenerate(
                &owner,
                regenerated_id,
                RotationGrace::NONE,
                &Confirmed::by_operator(),
                &ClientInfo::default(),
            )
            .await
            .unwrap();
        let (removed, removed_id) = app.token_for("alice", spec(name)).await;
        app.services
            .tokens
            .remove(
                &owner,
                &[removed_id],
                &Confirmed::by_operator(),
                &ClientInfo::default(),
            )
            .await
            .unwrap();
        let mut bad_checksum = valid.clone().into_bytes();
        let last = bad_checksum.len() - 1;
        bad_checksum[last] = if bad_checksum[last] == b'A' {
            b'B'
        } else {
            b'A'
        };
        let bad_checksum = String::from_utf8(bad_checksum).unwrap();
        let unknown = secret::new_access_token().expose().to_owned();
        let (suspended, suspended_id) = app.token_for("alice", spec(name)).await;
        app.services
            .tokens
            .set_suspended(
                &owner,
                suspended_id,
                true,
                &Confirmed::by_operator(),
                &ClientInfo::default(),
            )
            .await
            .unwrap();
        let elsewhere = TokenInput {
            allowed_ips: Some(vec!["192.0.2.1".into()]),
            ..spec(name)
        };
        let (elsewhere, _) = app.token_for("alice", elsewhere).await;
        // One use, and one call a day: both spent by a first call.
        let limited = |field: fn(&mut TokenInput)| {
            let mut input = spec(name);
            field(&mut input);
            input
        };
        let (exhausted, _) = app
            .token_for("alice", limited(|i| i.max_uses = Some("1".into())))
            .await;
        let (rate_limited, _) = app
            .token_for("alice", limited(|i| i.rate_limit = Some("1/d".into())))
            .await;
        for spent in [&exhausted, &rate_limited] {
            let presented = Presented::new(spent.clone(), None, Carried::Bearer);
            app.services
                .tokens
                .authenticate(&presented, Some(&method.name), &ClientInfo::default())
                .await
                .unwrap();
        }
        let out_of_scope = if let Some(_resource) = &method.resource {
            let mut scoped = spec(name);
            scoped.scopes = Some(vec!["env:elsewhere:rw".to_owned()]);
            Some(app.token_for("alice", scoped).await.0)
        } else {
            None
        };

        for transport in TRANSPORTS {
            let context = format!("{name} via {transport:?}");
            reset_fixture(app, alice).await;
            let (_, victim) = app.token_for("alice", spec("ide_plugins")).await;
            let params = example(method, victim);
            let call_as = async |login: &str, token: String| {
                call(app, &method.route, &params, transport, login, &token).await
            };
            let call = async |token: String| call_as("alice", token).await;

            let ok = call(valid.clone()).await;
            assert_eq!(ok.status, 200, "{context}: {}", ok.text());
            assert_eq!(ok.json()["result"], 0, "{context}: {}", ok.text());

            assert_refused(&call(without.clone()).await, "method_not_allowed", &context);
            assert_refused(&call(expired.clone()).await, "token_expired", &context);
            assert_refused(
                &call(regenerated.clone()).await,
                "token_regenerated",
                &context,
            );
            assert_refused(&call(removed.clone()).await, "token_removed", &context);
            assert_refused(
                &call(bad_checksum.clone()).await,
                "token_malformed",
                &context,
            );
            assert_refused(&call(unknown.clone()).await, "token_unknown", &context);
            let disabled = call_as("bob", bobs[index].clone()).await;
            assert_refused(&disabled, "owner_disabled", &context);
            assert_refused(&call(suspended.clone()).await, "token_suspended", &context);
            assert_refused(
                &call(elsewhere.clone()).await,
                "address_not_allowed",
                &context,
            );
            assert_refused(&call(exhausted.clone()).await, "token_exhausted", &context);
            assert_refused(&call(rate_limited.clone()).await, "rate_limited", &context);
            if let Some(scoped) = &out_of_scope {
                reset_fixture(app, alice).await;
                assert_refused(&call(scoped.clone()).await, "out_of_scope", &context);
            }
        }
    }
    // Refusals reach the audit log, with the owner as subject where the token is known.
    app.services.tokens.flush_usage().await.unwrap();
    let denied: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "select subject_login, detail from audit_events where action = 'token_use_denied'",
    )
    .fetch_all(app.database.pool())
    .await
    .unwrap();
    assert!(denied.iter().any(|(subject, detail)| {
        subject.as_deref() == Some("bob")
            && detail
                .as_deref()
                .is_some_and(|d| d.starts_with("owner_disabled"))
    }));
    assert!(denied.iter().any(|(subject, detail)| {
        subject.as_deref() == Some("alice")
            && detail
                .as_deref()
                .is_some_and(|d| d.starts_with("out_of_scope"))
    }));
}

async fn the_documented_stopenv_call_stops_the_environment(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let alice = app.user_id("alice").await;
    reset_fixture(app, alice).await;
    let (token, _) = app.token_for("alice", spec("extended_access")).await;

    let response = app
        .get(&format!(
            "/1.0/environment/control/rest/stopenv?envName=my-project&session={token}"
        ))
        .await;

    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(body["result"], 0);
    assert_eq!(body["env"]["status"], "stopped");
    let status: String =
        sqlx::query_scalar("select status from environments where name = 'my-project'")
            .fetch_one(app.database.pool())
            .await
            .unwrap();
    assert_eq!(status, "stopped");
}

async fn scoped_tokens_see_and_touch_only_their_environments(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let alice = app.user_id("alice").await;
    reset_fixture(app, alice).await;
    platform::insert_env(app.database.pool(), alice, "other", "Other", 1)
        .await
        .unwrap();
    let mut read_only = spec("extended_access");
    read_only.scopes = Some(vec!["env:my-project:r".to_owned()]);
    let (token, _) = app.token_for("alice", read_only).await;
    let get = async |path: String| {
        app.request(
            Request::get(path)
                .header("x-auth-token", &token)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    };

    let listed = get("/1.0/environment/control/rest/getenvs".into())
        .await
        .json();
    let names: Vec<&str> = listed["envs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["my-project"]);

    let read =
        get("/1.0/environment/file/rest/read?envName=my-project&path=/index.html".into()).await;
    assert_eq!(read.json()["body"], "<h1>Hi</h1>");
    let write = get("/1.0/environment/control/rest/stopenv?envName=my-project".into()).await;
    assert_refused(&write, "out_of_scope", "write with a read scope");
    let other = get("/1.0/environment/control/rest/getenvinfo?envName=other".into()).await;
    assert_refused(&other, "out_of_scope", "another environment");
}

async fn a_malformed_token_is_refused_without_the_database(app: &TestApp) {
    app.database.close().await;
    for value in [
        "tsr_short",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "tsr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = app
            .get(&format!(
                "/1.0/users/account/rest/getuserinfo?session={value}"
            ))
            .await;
        assert_refused(&response, "token_malformed", value);
    }
    let unknown = secret::new_access_token();
    let response = app
        .get(&format!(
            "/1.0/users/account/rest/getuserinfo?session={}",
            unknown.expose()
        ))
        .await;
    assert_eq!(
        response.status, 503,
        "a well-formed token needs the database"
    );
    assert!(TokenSecret::parse(unknown.expose()).is_ok());
}

async fn unknown_methods_and_bad_parameters_have_their_codes(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let alice = app.user_id("alice").await;
    reset_fixture(app, alice).await;
    let (token, _) = app.token_for("alice", spec("extended_access")).await;
    let get = async |path: &str| app.get(&format!("{path}&session={token}")).await;

    let unknown = get("/1.0/environment/control/rest/teleport?x=1").await;
    assert_eq!(
        (unknown.status.as_u16(), unknown.json()["result"].as_i64()),
        (404, Some(8))
    );

    let missing = get("/1.0/environment/control/rest/stopenv?x=1").await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["code"], "invalid_parameter");
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("envName")
    );

    let bad_name = get("/1.0/environment/control/rest/createenvironment?envName=Bad_Name").await;
    assert_eq!(bad_name.json()["code"], "invalid_parameter");

    let absent = get("/1.0/environment/control/rest/startenv?envName=nowhere").await;
    assert_eq!(
        (absent.status.as_u16(), absent.json()["code"].as_str()),
        (404, Some("not_found"))
    );

    let taken = get("/1.0/environment/control/rest/createenvironment?envName=my-project").await;
    assert_eq!(
        (taken.status.as_u16(), taken.json()["result"].as_i64()),
        (409, Some(4))
    );

    let no_token = app.get("/1.0/environment/control/rest/getenvs").await;
    assert_refused(&no_token, "token_required", "no token");
    assert!(no_token.header("www-authenticate").is_some());

    let conflicting = app
        .request(
            Request::get(format!(
                "/1.0/environment/control/rest/getenvs?session={token}"
            ))
            .header("x-auth-token", secret::new_access_token().expose())
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(conflicting.status, 401);
    assert_eq!(conflicting.json()["code"], "token_conflict");

    let traversal =
        get("/1.0/environment/file/rest/read?envName=my-project&path=/../etc/passwd").await;
    assert_eq!(traversal.json()["code"], "invalid_parameter");

    for method in ["PUT", "DELETE", "TRACE", "PATCH"] {
        let other = app
            .request(
                Request::builder()
                    .method(method)
                    .uri(format!(
                        "/1.0/environment/control/rest/getenvs?session={token}"
                    ))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(other.status, 405, "{method}: {}", other.text());
        assert_eq!(other.header("allow"), Some("GET, POST"));
        assert_eq!(other.json()["code"], "method_not_allowed");
    }

    // A credential the caller sent is the one checked, empty or of another scheme: never
    // passed over for the browser session the request also carries.
    let cookie = app.sign_in("alice", PASSWORD).await;
    for (name, value, code) in [
        ("x-auth-token", "", "token_malformed"),
        (
            "authorization",
            "Digest username=\"alice\"",
            "token_required",
        ),
    ] {
        let refused = app
            .request(
                Request::get("/api/v1/tokens")
                    .header("cookie", format!("tessera_session={cookie}"))
                    .header(name, value)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(refused.status, 401, "{name}: {value:?}: {}", refused.text());
        assert_eq!(refused.json()["error"]["code"], code);
    }
}
