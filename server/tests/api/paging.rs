//! Long lists come in pages: the REST token lists, Access Tokens and an admin's person page.

use app::{account::Role, token::TokenInput};
use serde_json::Value;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, TestResponse, json_request, spec},
};

on_both_engines!(
    rest_token_list_pages_newest_first,
    rest_token_list_refuses_bad_page_numbers,
    admin_rest_pages_a_persons_tokens,
    access_tokens_page_is_paged_on_the_server,
    person_page_pages_the_persons_tokens,
);

const PASSWORD: &str = "correct horse battery staple";

/// `count` tokens for `login`, described "Token 1" (oldest) to "Token {count}"; their ids.
async fn tokens_for(app: &TestApp, login: &str, count: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    for n in 1..=count {
        let input = TokenInput {
            description: Some(format!("Token {n}")),
            ..spec("marketplace")
        };
        ids.push(app.token_for(login, input).await.1);
    }
    ids
}

/// Marks a token removed, as its owner's Remove would.
async fn mark_removed(app: &TestApp, token_id: i64) {
    app.exec(&format!(
        "update access_tokens set removed_at = 1 where token_id = {token_id}"
    ))
    .await;
}

/// `GET uri` with the session `cookie`.
async fn get_json(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    json_request(app, "GET", uri, Auth::Session(cookie), None).await
}

fn ids_of(page: &Value) -> Vec<i64> {
    page["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|token| token["id"].as_i64().unwrap())
        .collect()
}

async fn rest_token_list_pages_newest_first(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    app.create_user("bob", PASSWORD, Role::User).await;
    // Bob's tokens between Alice's, and one of hers removed: neither is listed or counted.
    let mut ids = tokens_for(app, "alice", 10).await;
    tokens_for(app, "bob", 3).await;
    ids.extend(tokens_for(app, "alice", 11).await);
    mark_removed(app, ids.pop().unwrap()).await;
    ids.reverse();
    let cookie = app.sign_in("alice", PASSWORD).await;
    let page = async |query: &str| {
        let response = get_json(app, &format!("/api/v1/tokens{query}"), &cookie).await;
        assert_eq!(response.status, 200, "{}", response.text());
        response.json()
    };

    let mut seen = Vec::new();
    for number in 1..=3 {
        let body = page(&format!("?per_page=7&page={number}")).await;
        assert_eq!(body["page"], number);
        assert_eq!(body["per_page"], 7);
        assert_eq!(body["total"], 20);
        seen.extend(ids_of(&body));
    }
    assert_eq!(seen, ids, "three pages hold every token once, newest first");

    let past_the_end = page("?per_page=7&page=40").await;
    assert_eq!(past_the_end["page"], 3, "a page past the end is the last");
    assert_eq!(ids_of(&past_the_end), ids[14..]);

    let default = page("").await;
    assert_eq!(default["per_page"], 100);
    assert_eq!(ids_of(&default), ids);
}

async fn rest_token_list_refuses_bad_page_numbers(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    let cookie = app.sign_in("alice", PASSWORD).await;
    for (query, named) in [
        ("?page=0", "page"),
        ("?page=two", "page"),
        ("?page=-1", "page"),
        ("?per_page=0", "per_page"),
        ("?per_page=1001", "per_page"),
        ("?per_page=", "per_page"),
    ] {
        let response = get_json(app, &format!("/api/v1/tokens{query}"), &cookie).await;
        assert_eq!(response.status, 400, "{query}: {}", response.text());
        let error = &response.json()["error"];
        assert_eq!(error["code"], "invalid_query", "{query}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with(named), "{query}: {message}");
    }
}

async fn admin_rest_pages_a_persons_tokens(app: &TestApp) {
    app.create_user("root", PASSWORD, Role::Admin).await;
    app.create_user("alice", PASSWORD, Role::User).await;
    let mut ids = tokens_for(app, "alice", 2).await;
    tokens_for(app, "root", 2).await;
    ids.extend(tokens_for(app, "alice", 3).await);
    // Admins see removed tokens too.
    mark_removed(app, ids[0]).await;
    ids.reverse();
    let cookie = app.sign_in("root", PASSWORD).await;

    let response = get_json(
        app,
        "/api/v1/admin/users/alice/tokens?per_page=2&page=3",
        &cookie,
    )
    .await;

    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(
        (body["page"].as_i64(), body["total"].as_i64()),
        (Some(3), Some(5))
    );
    assert_eq!(ids_of(&body), ids[4..]);
}

async fn access_tokens_page_is_paged_on_the_server(app: &TestApp) {
    app.create_user("alice", PASSWORD, Role::User).await;
    tokens_for(app, "alice", 55).await;
    let cookie = app.sign_in("alice", PASSWORD).await;

    let first = app.get_with_session("/settings/tokens", &cookie).await;
    let html = first.text();
    assert_eq!(first.status, 200);
    assert!(html.contains("Tokens 1–50 of 55"), "{html}");
    assert!(
        html.contains(r#"href="/settings/tokens?page=2" rel="next""#),
        "{html}"
    );
    assert!(
        html.contains(">Token 55<") && html.contains(">Token 6<"),
        "{html}"
    );
    assert!(
        !html.contains(">Token 5<"),
        "the sixth-newest ends page 1: {html}"
    );

    let second = app
        .get_with_session("/settings/tokens?page=2", &cookie)
        .await;
    let html = second.text();
    assert!(html.contains("Tokens 51–55 of 55"), "{html}");
    assert!(
        html.contains(">Token 5<") && html.contains(">Token 1<"),
        "{html}"
    );
    assert!(!html.contains(">Token 6<"), "{html}");
    assert!(
        html.contains(r#"href="/settings/tokens" rel="prev""#),
        "{html}"
    );
}

async fn person_page_pages_the_persons_tokens(app: &TestApp) {
    app.create_user("root", PASSWORD, Role::Admin).await;
    app.create_user("alice", PASSWORD, Role::User).await;
    tokens_for(app, "alice", 52).await;
    let cookie = app.sign_in("root", PASSWORD).await;

    let html = app
        .get_with_session("/admin/people/alice?page=2", &cookie)
        .await
        .text()
        .to_owned();

    assert!(html.contains("Tokens 51–52 of 52"), "{html}");
    assert!(
        html.contains(">Token 1<") && !html.contains(">Token 3<"),
        "{html}"
    );
    assert!(
        html.contains(r#"href="/admin/people/alice" rel="prev""#),
        "{html}"
    );
}
