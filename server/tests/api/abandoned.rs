//! Requests whose clients hang up mid-work: the work runs to its end and leaves nothing
//! behind (no transaction holding the database, no failure counted against a right password).

use std::time::{Duration, Instant};

use app::account::Role;
use serde_json::json;

use crate::{
    on_both_engines,
    support::{Auth, TestApp, json_request, spec},
};

const PASSWORD: &str = "ann's long password";
const ABANDONED: u64 = 40;

on_both_engines!(changes_whose_clients_hang_up_finish_and_leave_nothing_behind);

async fn changes_whose_clients_hang_up_finish_and_leave_nothing_behind(app: &TestApp) {
    app.create_user("ann", PASSWORD, Role::User).await;
    let (driver, _) = app
        .token_for(
            "ann",
            spec("users.authentication.GetTokens,users.authentication.CreateToken"),
        )
        .await;
    let create = |description: String| {
        json_request(
            app,
            "POST",
            "/api/v1/tokens",
            Auth::Token(&driver),
            Some(json!({ "password": PASSWORD, "description": description,
                         "api_set": "maven_plugin", "expires_in": "1d" })),
        )
    };
    // Each one dropped at another moment, from at once to well after its password check: in
    // its throttle transaction, during the check, in the transaction that stores the token.
    for attempt in 0..ABANDONED {
        let hang_up = Duration::from_micros(attempt * 1_500);
        let _ = tokio::time::timeout(hang_up, create(format!("abandoned {attempt}"))).await;
    }

    let started = Instant::now();
    for attempt in 0..5 {
        let answered = create(format!("after {attempt}")).await;
        assert_eq!(answered.status, 201, "{}", answered.text());
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "changes after the hang-ups waited {:?}: something held the database",
        started.elapsed()
    );

    // Every abandoned change finished on its own: each token is there.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listed = json_request(
            app,
            "GET",
            "/api/v1/tokens?per_page=1000",
            Auth::Token(&driver),
            None,
        )
        .await
        .json();
        let abandoned = listed["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["description"].as_str().unwrap().starts_with("abandoned"))
            .count();
        if abandoned == usize::try_from(ABANDONED).unwrap() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{abandoned} of {ABANDONED} abandoned changes finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
