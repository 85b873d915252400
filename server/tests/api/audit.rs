//! The audit log read back: a person's own events, and everyone's for admins, filtered,
//! paged and exported as CSV.

use app::account::Role;
use serde_json::Value;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, json_request, spec},
};

on_both_engines!(
    a_person_reads_only_their_own_events,
    an_admin_filters_pages_and_exports_everyones,
);

const PASSWORD: &str = "a long enough password";

async fn events(app: &TestApp, uri: &str, cookie: &str) -> Value {
    let answer = json_request(app, "GET", uri, Auth::Session(cookie), None).await;
    assert_eq!(answer.status, 200, "{uri}: {}", answer.text());
    answer.json()
}

fn actions(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// alice and bob, each signed in once and given a token; a failed sign-in for bob.
async fn two_people(app: &TestApp) -> (String, String) {
    app.create_user("alice", PASSWORD, Role::User).await;
    app.create_user("bob", PASSWORD, Role::User).await;
    app.token_for("alice", spec("ide_plugins")).await;
    app.token_for("bob", spec("ide_plugins")).await;
    app.post_form(
        "/login",
        &[("login", "bob"), ("password", "wrong one")],
        None,
    )
    .await;
    (
        app.sign_in("alice", PASSWORD).await,
        app.sign_in("bob", PASSWORD).await,
    )
}

async fn a_person_reads_only_their_own_events(app: &TestApp) {
    let (alice, _) = two_people(app).await;
    let mine = events(app, "/api/v1/me/audit", &alice).await;
    let seen = actions(&mine);
    assert!(seen.contains(&"sign_in".to_owned()), "{seen:?}");
    assert!(seen.contains(&"token_created".to_owned()), "{seen:?}");
    assert!(
        !seen.contains(&"sign_in_failed".to_owned()),
        "bob's failure is not alice's"
    );
    for event in mine["events"].as_array().unwrap() {
        assert!(
            event["actor_login"] == "alice" || event["subject_login"] == "alice",
            "{event}"
        );
    }
    let total = mine["total"].as_i64().unwrap();
    let first = events(app, "/api/v1/me/audit?per_page=1", &alice).await;
    assert_eq!(first["events"].as_array().unwrap().len(), 1);
    assert_eq!(first["total"].as_i64().unwrap(), total);
    let second = events(app, "/api/v1/me/audit?per_page=1&page=2", &alice).await;
    assert_ne!(first["events"][0]["id"], second["events"][0]["id"]);
    let kind = events(app, "/api/v1/me/audit?kind=sign_in", &alice).await;
    assert_eq!(actions(&kind), ["sign_in"]);
    let long_ago = events(app, "/api/v1/me/audit?to=2020-01-31", &alice).await;
    assert_eq!(long_ago["total"], 0);
    let today = app::calendar::format_rfc3339(server::clock::now())[..10].to_owned();
    let from_today = events(
        app,
        &format!("/api/v1/me/audit?from={today}&to={today}"),
        &alice,
    )
    .await;
    assert_eq!(from_today["total"].as_i64().unwrap(), total);
    let wrong = json_request(
        app,
        "GET",
        "/api/v1/me/audit?from=31-02-2026x",
        Auth::Session(&alice),
        None,
    )
    .await;
    assert_eq!(wrong.status, 400, "{}", wrong.text());
    let everyone = json_request(app, "GET", "/api/v1/audit", Auth::Session(&alice), None).await;
    assert_eq!(everyone.status, 403, "{}", everyone.text());
    let nobody = json_request(app, "GET", "/api/v1/me/audit", Auth::None, None).await;
    assert_eq!(nobody.status, 401);
}

async fn an_admin_filters_pages_and_exports_everyones(app: &TestApp) {
    two_people(app).await;
    app.create_user("root", PASSWORD, Role::Admin).await;
    let admin = app.sign_in("root", PASSWORD).await;
    let all = events(app, "/api/v1/audit", &admin).await;
    let seen = actions(&all);
    assert!(seen.contains(&"sign_in_failed".to_owned()), "{seen:?}");
    let bobs = events(app, "/api/v1/audit?subject=bob&kind=sign_in_failed", &admin).await;
    assert_eq!(actions(&bobs), ["sign_in_failed"]);
    let by_alice = events(app, "/api/v1/audit?actor=alice", &admin).await;
    assert!(
        by_alice["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_login"] == "alice")
    );
    let csv = json_request(
        app,
        "GET",
        "/api/v1/audit?format=csv&subject=bob",
        Auth::Session(&admin),
        None,
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text().lines().collect();
    assert_eq!(
        lines[0],
        "occurred_at,action,actor,subject,ip,user_agent,detail"
    );
    assert!(lines.len() >= 3, "{lines:?}");
    assert!(
        lines[1..].iter().all(|line| line.contains("\"bob\"")),
        "{lines:?}"
    );
    assert!(!csv.text().contains(PASSWORD) && !csv.text().contains("wrong one"));
    let odd = json_request(
        app,
        "GET",
        "/api/v1/audit?format=xml",
        Auth::Session(&admin),
        None,
    )
    .await;
    assert_eq!(odd.status, 400);
    let bad_paging = json_request(
        app,
        "GET",
        "/api/v1/audit?format=csv&per_page=many",
        Auth::Session(&admin),
        None,
    )
    .await;
    assert_eq!(bad_paging.status, 400, "{}", bad_paging.text());
}
