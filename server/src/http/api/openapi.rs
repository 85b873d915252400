//! The OpenAPI 3.1 document: the REST API, and every platform-API method of the loaded
//! catalog with its parameters and result codes.

use axum::{Json, extract::State};
use serde_json::{Map, Value, json};

use crate::services::{Services, tokens::Refusal};

/// The platform API's non-zero `result` numbers other than token refusals.
const PLATFORM_RESULTS: [(i64, &str, &str); 9] = [
    (
        1,
        "internal",
        "Something went wrong on the server (logged).",
    ),
    (
        2,
        "invalid_parameter",
        "A parameter is missing or malformed.",
    ),
    (
        3,
        "not_found",
        "No such environment, file, application or token.",
    ),
    (4, "already_exists", "An environment with that name exists."),
    (
        5,
        "conflict",
        "The environment's state does not allow it (deploy to a stopped one).",
    ),
    (6, "quota_exceeded", "An account quota would be exceeded."),
    (8, "unknown_method", "No API method at this address."),
    (11, "wrong_password", "The password parameter is wrong."),
    (12, "throttled", "Too many wrong passwords; wait and retry."),
];

pub async fn document(State(services): State<Services>) -> Json<Value> {
    let mut paths = rest_paths();
    let served_here = services.tokens.catalog().methods().iter();
    for method in served_here.filter(|m| !m.is_upstream()) {
        let mut parameters: Vec<Value> = method
            .params
            .iter()
            .map(|(name, description)| {
                json!({ "name": name, "in": "query", "description": description,
                        "schema": { "type": "string" },
                        "example": method.example.get(name) })
            })
            .collect();
        parameters.push(json!({
            "name": "session", "in": "query", "schema": { "type": "string" },
            "description": "An access token (or use a header; see securitySchemes)"
        }));
        let operation = json!({
            "operationId": method.name.as_str(),
            "summary": method.description,
            "tags": [method.name.service()],
            "externalDocs": { "url": method.docs },
            "parameters": parameters,
            "x-access": method.access.as_str(),
            "responses": { "200": { "description": "`result` 0" },
                           "default": { "$ref": "#/components/responses/PlatformError" } },
        });
        paths.insert(
            method.route.clone(),
            json!({ "get": operation, "post": operation }),
        );
    }
    let mut results: Vec<Value> = PLATFORM_RESULTS
        .iter()
        .map(|(n, code, meaning)| json!({ "result": n, "code": code, "meaning": meaning }))
        .collect();
    results.extend(Refusal::all().iter().map(|r| {
        json!({ "result": r.result(), "code": r.code(), "status": crate::http::error::refusal_status(r).as_u16(),
                "meaning": r.to_string() })
    }));
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tessera",
            "version": crate::services::system::VERSION,
            "description": "Personal access tokens, and the platform API they guard.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "authToken": { "type": "apiKey", "in": "header", "name": "X-Auth-Token" },
                "basic": { "type": "http", "scheme": "basic",
                           "description": "Login as user name, access token as password" },
                "sessionParam": { "type": "apiKey", "in": "query", "name": "session" },
                "browser": { "type": "apiKey", "in": "cookie", "name": "tessera_session" },
            },
            "responses": {
                "PlatformError": {
                    "description": "`result` is non-zero; `error` says why, `code` is stable",
                    "content": { "application/json": { "schema": {
                        "type": "object",
                        "properties": { "result": { "type": "integer" },
                                        "error": { "type": "string" },
                                        "code": { "type": "string" } } } } },
                },
                "Error": {
                    "description": "`{\"error\": {\"code\", \"message\"}}`",
                },
            },
        },
        "x-platform-results": results,
        "security": [{ "bearer": [] }, { "authToken": [] }, { "basic": [] }, { "browser": [] }],
    }))
}

fn rest_paths() -> Map<String, Value> {
    let error = json!({ "$ref": "#/components/responses/Error" });
    let op = |summary: &str, method: Option<&str>| {
        json!({ "summary": summary, "x-token-method": method,
                "responses": { "200": { "description": "OK" }, "default": error } })
    };
    let changes = "Body: JSON with `password` and any of description, api_set, methods, \
                   expires_at (yyyy-mm-dd), expires_in (30d), auto_refresh (12h), \
                   never_expires, scopes, max_uses (1 to 1000000000; null: unlimited; on an \
                   edit a refill), rate_limit (600/min, 10/s, 5000/h; null: none), \
                   allowed_ips (addresses and CIDR ranges; []: anywhere).";
    let regeneration = "The old value stops at once, or with grace (a duration such as 1h, at \
                        most 7 days or the policy's longest) when that time ends or the new \
                        value is first used, whichever comes first. The answer has the token, \
                        its value (once) and old_value_expires_at (Unix seconds; null: stopped).";
    let list = "users.authentication.GetTokens";
    let mut paths = Map::new();
    paths.insert(
        "/api/v1/tokens".into(),
        json!({
            "get": op("A page of the caller's tokens, newest first (never their values). \
                       Query: page (from 1), per_page (1 to 1000, default 100); the answer \
                       has tokens, page, per_page and total", Some(list)),
            "post": op(&format!("Generate a token; the value is in the answer, once. {changes}"),
                       Some("users.authentication.CreateToken")),
        }),
    );
    paths.insert("/api/v1/tokens/{id}".into(), json!({
        "get": op("One token", Some(list)),
        "patch": op(&format!("Edit a token. {changes}"), Some("users.authentication.EditToken")),
        "delete": op("Remove a token. Body: {\"password\"}", Some("users.authentication.DeleteTokens")),
    }));
    paths.insert(
        "/api/v1/tokens/{id}/regenerate".into(),
        json!({
            "post": op(&format!("A new value. {regeneration} Body: {{\"password\", \"grace\"}}"),
                       Some("users.authentication.RegenerateToken")),
        }),
    );
    paths.insert(
        "/api/v1/tokens/{id}/copy".into(),
        json!({
            "post": op(&format!("A new token with this one's settings. {changes}"),
                       Some("users.authentication.CreateToken")),
        }),
    );
    paths.insert(
        "/api/v1/tokens/{id}/suspend".into(),
        json!({
            "post": op("Suspend a token: refused (token_suspended) until resumed, with the \
                        same value. Body: {\"password\"}",
                       Some("users.authentication.EditToken")),
        }),
    );
    paths.insert(
        "/api/v1/tokens/{id}/resume".into(),
        json!({
            "post": op("Resume a suspended token. Body: {\"password\"}",
                       Some("users.authentication.EditToken")),
        }),
    );
    paths.insert(
        "/api/v1/tokens/remove".into(),
        json!({
            "post": op("Remove several (\"ids\": [..]) or all of them (\"all\": true, the \
                        incident button). Body: {\"password\", \"ids\" or \"all\"}",
                       Some("users.authentication.DeleteTokens")),
        }),
    );
    paths.insert(
        "/api/v1/tokens/self".into(),
        json!({
            "get": op("The presented token itself", None),
            "delete": op("Revoke the presented token (no password)", None),
        }),
    );
    paths.insert(
        "/api/v1/tokens/self/rotate".into(),
        json!({
            "post": op(&format!("A new value for the presented token (no password). \
                                 {regeneration} Body (optional): {{\"grace\"}}"), None),
        }),
    );
    let admin = |summary: &str, method: &str| {
        op(
            &format!("Admins only (403 otherwise). {summary}"),
            Some(method),
        )
    };
    paths.insert(
        "/api/v1/admin/users".into(),
        json!({ "get": admin("People, 25 a page. Query: q (search), page", list) }),
    );
    paths.insert(
        "/api/v1/admin/users/{login}/tokens".into(),
        json!({
            "get": admin("A page of a user's tokens, removed ones too. Query: page, per_page \
                           (as for /api/v1/tokens)", list),
            "post": admin(&format!("Make a token for the user. {changes}"),
                          "users.authentication.CreateToken"),
        }),
    );
    paths.insert(
        "/api/v1/admin/users/{login}/tokens/{id}".into(),
        json!({
            "delete": admin("Remove a user's token. Body: {\"password\"}",
                            "users.authentication.DeleteTokens"),
        }),
    );
    paths.insert(
        "/api/v1/admin/users/{login}/tokens/remove".into(),
        json!({
            "post": admin("Remove several of a user's tokens (\"ids\": [..]) or all of them \
                           (\"all\": true). Body: {\"password\", \"ids\" or \"all\"}",
                          "users.authentication.DeleteTokens"),
        }),
    );
    paths.insert(
        "/api/v1/admin/users/{login}/tokens/{id}/suspend".into(),
        json!({
            "post": admin("Suspend a user's token. Body: {\"password\"}",
                          "users.authentication.EditToken"),
        }),
    );
    paths.insert(
        "/api/v1/admin/users/{login}/tokens/{id}/resume".into(),
        json!({
            "post": admin("Resume a user's suspended token. Body: {\"password\"}",
                          "users.authentication.EditToken"),
        }),
    );
    paths.insert(
        "/api/v1/admin/users/{login}/tokens/{id}/regenerate".into(),
        json!({
            "post": admin(&format!("A new value for a user's token, shown to the admin once. \
                                    {regeneration} Body: {{\"password\", \"grace\"}}"),
                          "users.authentication.RegenerateToken"),
        }),
    );
    paths.insert(
        "/api/v1/admin/policy".into(),
        json!({
            "get": admin("The token policy", list),
            "put": admin("Replace the token policy. Body: {\"password\", max_lifetime_secs, \
                          expiry_required, api_sets, custom_allowed, owner_rate_limit \
                          (calls per period shared by a person's tokens), \
                          allowed_ips_required_for (API set ids), max_rotation_grace_secs \
                          (the longest grace a regeneration may give; null: 7 days)}",
                         "users.authentication.CreateToken"),
        }),
    );
    let webhook_body = "Body: {\"password\", \"url\" (https://, or http://), \"events\" \
                        (token.expiring, token.expired, token.regenerated, token.removed, \
                        token.used_after_grace, token.leaked; none: all), \"lead_times\" (\"7d 1d\"), \
                        \"all_people\" (admins: everyone's tokens)}";
    paths.insert(
        "/api/v1/webhooks".into(),
        json!({
            "get": op("The caller's webhook endpoints (never their secrets)", Some(list)),
            "post": op(&format!("Register an endpoint; its signing secret is in the answer, \
                                 once. {webhook_body}"),
                       Some("users.authentication.EditToken")),
        }),
    );
    paths.insert(
        "/api/v1/webhooks/{id}".into(),
        json!({
            "delete": op("Remove an endpoint. Body: {\"password\"}",
                         Some("users.authentication.EditToken")),
        }),
    );
    paths.insert(
        "/api/v1/webhooks/{id}/deliveries".into(),
        json!({ "get": op("The endpoint's latest 20 deliveries, newest first", Some(list)) }),
    );
    paths.insert(
        "/api/v1/webhooks/deliveries/{id}/redeliver".into(),
        json!({
            "post": op("Send a delivery's event again, as a new delivery (202)",
                       Some("users.authentication.EditToken")),
        }),
    );
    paths.insert(
        "/api/v1/catalog".into(),
        json!({ "get": op("The API catalog (public)", None) }),
    );
    paths.insert(
        "/api/v1/marketplace/apps".into(),
        json!({
            "get": op("The marketplace's applications (public)", None),
        }),
    );
    let audit_filters = "Query: kind (such as token_created), from and to (yyyy-mm-dd, UTC, \
                         both days included), page, per_page (1 to 500, default 50). The answer \
                         has events (newest first: occurred_at, action, actor_login, \
                         subject_login, ip, user_agent, detail), page, per_page and total";
    paths.insert(
        "/api/v1/me/audit".into(),
        json!({
            "get": op(&format!("The caller's own audit events: those they did or that \
                                concern them (sign-ins, password changes, token changes, \
                                refusals of their tokens). {audit_filters}"), Some(list)),
        }),
    );
    paths.insert(
        "/api/v1/audit".into(),
        json!({
            "get": admin(&format!("Everyone's audit events. {audit_filters}; also actor and \
                                   subject (logins). format=csv exports the newest 10,000 \
                                   that match"), list),
        }),
    );
    paths.insert(
        "/api/v1/leaks".into(),
        json!({
            "post": op("Public: a secret scanner's report of token values found in public \
                        (GitHub's partner format). Body: [{\"token\", \"type\", \"url\", \
                        \"source\"}], at most 100. Known tokens are revoked (token_leaked) or \
                        their owners told, by the server's setting. The answer lists \
                        {\"token_hash\", \"token_type\", \"label\": \"true_positive\"} for \
                        each value shaped like a Tessera token, known or not. 30 reports a \
                        minute per address; X-Hub-Signature-256 when the server has a secret",
                       None),
        }),
    );
    paths.insert(
        "/auth/verify".into(),
        json!({
            "get": op("Forward-auth for a reverse proxy: may the token of the request described \
                       by X-Original-Method and X-Original-URI (nginx) or X-Forwarded-Method and \
                       X-Forwarded-Uri (Traefik, Caddy) make it? 200 with X-Tessera-User, \
                       X-Tessera-Token-Id, X-Tessera-Scopes and X-Tessera-Method; refused: 401 \
                       or 403 with the platform API's body and X-Tessera-Code. Any method",
                      None),
        }),
    );
    paths.insert(
        "/api/v1/openapi.json".into(),
        json!({ "get": op("This document", None) }),
    );
    declare_path_parameters(&mut paths);
    paths
}

/// Every `{id}` and `{login}` in a route, declared as the path parameter it is (client
/// generators and validators refuse a template whose parameters are not declared).
fn declare_path_parameters(paths: &mut Map<String, Value>) {
    for (route, item) in paths.iter_mut() {
        let mut parameters = Vec::new();
        if route.contains("{login}") {
            parameters.push(json!({ "name": "login", "in": "path", "required": true,
                                    "description": "The person's login",
                                    "schema": { "type": "string" } }));
        }
        if route.contains("{id}") {
            let whose = if route.starts_with("/api/v1/webhooks/deliveries/") {
                "The delivery's id"
            } else if route.starts_with("/api/v1/webhooks/") {
                "The webhook's id"
            } else {
                "The token's id"
            };
            parameters.push(json!({ "name": "id", "in": "path", "required": true,
                                    "description": whose,
                                    "schema": { "type": "integer", "format": "int64" } }));
        }
        if !parameters.is_empty()
            && let Some(item) = item.as_object_mut()
        {
            item.insert("parameters".into(), Value::Array(parameters));
        }
    }
}
