use crate::{on_both_engines, support::TestApp};

on_both_engines!(
    migrations_can_run_again,
    logins_are_unique_whatever_their_case
);

async fn migrations_can_run_again(app: &TestApp) {
    let applied = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from _sqlx_migrations where success")
            .fetch_one(app.database.pool())
            .await
            .unwrap()
    };
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(
        applied().await,
        i64::try_from(shipped).unwrap(),
        "every migration applied"
    );
    app.database
        .migrate()
        .await
        .expect("second migration run is a no-op");
    assert_eq!(
        applied().await,
        i64::try_from(shipped).unwrap(),
        "none applied twice"
    );
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(app.database.pool())
        .await
        .unwrap();
    assert_eq!(users, 0, "the second run changed no data");
}

async fn logins_are_unique_whatever_their_case(app: &TestApp) {
    let insert = "insert into users (login, login_key, display_name, email, password_hash, \
                  created_at, updated_at) values ($1, $2, 'A', 'a@example.com', 'x', 0, 0)";
    sqlx::query(insert)
        .bind("Alice")
        .bind("alice")
        .execute(app.database.pool())
        .await
        .unwrap();

    let duplicate = sqlx::query(insert)
        .bind("ALICE")
        .bind("alice")
        .execute(app.database.pool())
        .await
        .unwrap_err();

    let duplicate = duplicate
        .as_database_error()
        .expect("a constraint violation");
    assert!(duplicate.is_unique_violation(), "{duplicate}");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let app = TestApp::sqlite().await;
    let pool = app.database.pool();

    let journal: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("pragma foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();

    assert_eq!(journal, "wal");
    assert_eq!(foreign_keys, 1);
    assert!(app.sqlite_dir().unwrap().join("tessera.db").is_file());
    app.teardown().await;
}
