//! The OpenAPI 3.1 document: the REST API, and every platform-API method of the loaded
//! catalog with its parameters and result codes.

use axum::{Json, extract::State};
use serde_json::{Map, Value, json};

use crate::services::{Services, tokens::Refusal};

/// The platform API's non-zero `result` numbers other than token refusals.
const PLATFORM_RESULTS: [(i64, &str, &str); 12] = [
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
    (9, "database_unavailable", "The database does not answer."),
    (
        crate::http::platform::METHOD_NOT_ALLOWED_RESULT,
        "method_not_allowed",
        "An HTTP method other than GET and POST.",
    ),
    (11, "wrong_password", "The password parameter is wrong."),
    (12, "throttled", "Too many wrong passwords; wait and retry."),
    (
        crate::http::platform::CROSS_SITE_RESULT,
        "cross_site_request",
        "Another site sent it, or a browser's change came without Origin.",
    ),
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
            "security": TOKEN_SECURITY.clone(),
            "x-access": method.access.as_str(),
            "responses": { "200": { "description": "`result` 0" },
                           "default": { "$ref": "#/components/responses/PlatformError" } },
        });
        let mut post = operation.clone();
        post["operationId"] = json!(format!("{}.post", method.name.as_str()));
        paths.insert(
            method.route.clone(),
            json!({ "get": operation, "post": post }),
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
                        "required": ["result", "error", "code"],
                        "properties": { "result": { "type": "integer" },
                                        "error": { "type": "string" },
                                        "code": { "type": "string" } } } } },
                },
                "Error": {
                    "description": "`{\"error\": {\"code\", \"message\"}}`",
                    "content": { "application/json": { "schema": {
                        "$ref": "#/components/schemas/Error" } } },
                },
            },
            "schemas": body_schemas(),
        },
        "x-platform-results": results,
        "security": [{ "bearer": [] }, { "authToken": [] }, { "basic": [] }, { "browser": [] }],
    }))
}

fn rest_paths() -> Map<String, Value> {
    let changes = "Any of description, api_set, methods, expires_at (yyyy-mm-dd), expires_in \
                   (30d), auto_refresh (12h), never_expires, scopes, max_uses (1 to \
                   1000000000; null: unlimited; on an edit a refill), rate_limit (600/min, \
                   10/s, 5000/h; null: none), allowed_ips (addresses and CIDR ranges; []: \
                   anywhere), with the account password.";
    let regeneration = "The old value stops at once, or with grace (a duration such as 1h, at \
                        most 7 days or the policy's longest) when that time ends or the new \
                        value is first used, whichever comes first. The answer has the token, \
                        its value (once) and old_value_expires_at (Unix seconds; null: stopped).";
    let list = Some("users.authentication.GetTokens");
    let create = Some("users.authentication.CreateToken");
    let edit = Some("users.authentication.EditToken");
    let regenerate = Some("users.authentication.RegenerateToken");
    let delete = Some("users.authentication.DeleteTokens");
    let admin = |summary: &str| format!("Admins only (403 otherwise). {summary}");
    let mut paths = Map::new();
    let mut add = |route: &str, item: Value| {
        paths.insert(route.to_owned(), item);
    };

    add(
        "/api/v1/tokens",
        json!({
            "get": read("A page of the caller's tokens, newest first (never their values); the \
                         answer has tokens, page, per_page and total", list, &PAGING),
            "post": change(&format!("Generate a token; the value is in the answer, once. {changes}"),
                           create, "TokenSettings", "201"),
        }),
    );
    add(
        "/api/v1/tokens/{id}",
        json!({
            "get": read("One token", list, &[]),
            "patch": change(&format!("Edit a token. {changes}"), edit, "TokenSettings", "200"),
            "delete": change("Remove a token", delete, "Password", "200"),
        }),
    );
    add(
        "/api/v1/tokens/{id}/regenerate",
        json!({
            "post": change(&format!("A new value. {regeneration}"), regenerate, "Regeneration", "200"),
        }),
    );
    add(
        "/api/v1/tokens/{id}/copy",
        json!({
            "post": change(&format!("A new token with this one's settings; fields given override \
                                     them. {changes}"), create, "TokenSettings", "201"),
        }),
    );
    add(
        "/api/v1/tokens/{id}/suspend",
        json!({
            "post": change("Suspend a token: refused (token_suspended) until resumed, with the \
                            same value", edit, "Password", "200"),
        }),
    );
    add(
        "/api/v1/tokens/{id}/resume",
        json!({
            "post": change("Resume a suspended token", edit, "Password", "200"),
        }),
    );
    let usage = "Calls per day by outcome (success or a refusal code) over the last days \
                 (UTC, today included), per method and environment, the last five addresses \
                 and user agents, and the methods and scoped environments it may use but did \
                 not: token_id, days, outcomes, methods, environments, sources, \
                 unused_methods, unused_environments";
    add(
        "/api/v1/tokens/{id}/usage",
        json!({
            "get": read(&format!("What a token did. {usage}"), list, &USAGE_DAYS_PARAM),
        }),
    );
    add(
        "/api/v1/tokens/remove",
        json!({
            "post": change("Remove several (ids) or all of them (all: true, the incident button)",
                           delete, "Removal", "200"),
        }),
    );
    add(
        "/api/v1/tokens/self",
        json!({
            "get": read("The presented token itself", None, &[]),
            "delete": operation("Revoke the presented token (no password)", None, None, "204"),
        }),
    );
    add(
        "/api/v1/tokens/self/rotate",
        json!({
            "post": optional_body(change(&format!("A new value for the presented token (no \
                                                   password). {regeneration}"), None,
                                         "SelfRotation", "200")),
        }),
    );
    add(
        "/api/v1/admin/users",
        json!({
            "get": read(&admin("People, 25 a page"), list,
                        &[("q", "Search logins, names and e-mail addresses"),
                          ("page", "From 1; past the end, the last page")]),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens",
        json!({
            "get": read(&admin("A page of a user's tokens, removed ones too"), list, &PAGING),
            "post": change(&admin(&format!("Make a token for the user. {changes}")), create,
                           "TokenSettings", "201"),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens/{id}",
        json!({
            "delete": change(&admin("Remove a user's token"), delete, "Password", "200"),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens/{id}/usage",
        json!({
            "get": read(&admin(&format!("What a user's token did. {usage}")), list,
                        &USAGE_DAYS_PARAM),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens/remove",
        json!({
            "post": change(&admin("Remove several of a user's tokens (ids) or all of them \
                                   (all: true)"), delete, "Removal", "200"),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens/{id}/suspend",
        json!({
            "post": change(&admin("Suspend a user's token"), edit, "Password", "200"),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens/{id}/resume",
        json!({
            "post": change(&admin("Resume a user's suspended token"), edit, "Password", "200"),
        }),
    );
    add(
        "/api/v1/admin/users/{login}/tokens/{id}/regenerate",
        json!({
            "post": change(&admin(&format!("A new value for a user's token, shown to the admin \
                                            once. {regeneration}")), regenerate, "Regeneration",
                           "200"),
        }),
    );
    add(
        "/api/v1/admin/policy",
        json!({
            "get": read(&admin("The token policy"), list, &[]),
            "put": change(&admin("Replace the token policy"), create, "Policy", "200"),
        }),
    );
    add(
        "/api/v1/webhooks",
        json!({
            "get": read("The caller's webhook endpoints (never their secrets)", list, &[]),
            "post": change("Register an endpoint; its signing secret is in the answer, once", edit,
                           "Webhook", "201"),
        }),
    );
    add(
        "/api/v1/webhooks/{id}",
        json!({
            "delete": change("Remove an endpoint", edit, "Password", "204"),
        }),
    );
    add(
        "/api/v1/webhooks/{id}/deliveries",
        json!({
            "get": read("The endpoint's latest 20 deliveries, newest first", list, &[]),
        }),
    );
    add(
        "/api/v1/webhooks/deliveries/{id}/redeliver",
        json!({
            "post": optional_body(change("Send a delivery's event again, as a new delivery", edit,
                                         "Empty", "202")),
        }),
    );
    add(
        "/api/v1/admin/policy/report",
        json!({
            "get": read(&admin("Live tokens the current policy would not allow were they made \
                               now, with why (at most 500): tokens (token, objections), checked, \
                               truncated"), list, &[]),
        }),
    );
    add(
        "/api/v1/catalog",
        json!({ "get": public(read("The API catalog", None, &[])) }),
    );
    add(
        "/api/v1/marketplace/apps",
        json!({
            "get": public(read("The marketplace's applications", None, &[])),
        }),
    );
    let audit = "Newest first: occurred_at, action, actor_login, subject_login, ip, \
                 user_agent, detail; the answer has events, page, per_page and total";
    add(
        "/api/v1/me/audit",
        json!({
            "get": read(&format!("The caller's own audit events: those they did or that concern \
                                  them (sign-ins, password changes, token changes, refusals of \
                                  their tokens). {audit}"), list, &AUDIT_FILTERS),
        }),
    );
    let mut everyone = AUDIT_FILTERS.to_vec();
    everyone.extend([
        ("actor", "Who did it (a login)"),
        ("subject", "Whom it concerned (a login)"),
        ("format", "csv: the newest 10,000 that match, as CSV"),
    ]);
    let mut everyones_audit = read(
        &admin(&format!("Everyone's audit events. {audit}")),
        list,
        &everyone,
    );
    everyones_audit["responses"]["200"]["content"]["text/csv"] =
        json!({ "schema": { "type": "string" } });
    add("/api/v1/audit", json!({ "get": everyones_audit }));
    add(
        "/api/v1/leaks",
        json!({
            "post": public(leak_answer(operation(
                "A secret scanner's report of token values found in public (GitHub's partner \
                 format), at most 100. Known tokens are revoked (token_leaked) or their owners \
                 told, by the server's setting. The answer lists token_hash, token_type and \
                 label: true_positive for each value shaped like a Tessera token, known or not. \
                 30 reports a minute per address; X-Hub-Signature-256 when the server has a \
                 secret", None, Some("LeakReport"), "200"))),
        }),
    );
    add(
        "/auth/verify",
        json!({
            "get": forward_auth(),
        }),
    );
    add(
        "/api/v1/openapi.json",
        json!({ "get": public(read("This document", None, &[])) }),
    );
    declare_path_parameters(&mut paths);
    paths
}

const PAGING: [(&str, &str); 2] = [
    ("page", "From 1; past the end, the last page"),
    ("per_page", "1 to 1000, default 100"),
];

const USAGE_DAYS_PARAM: [(&str, &str); 1] = [("days", "1 to 90, default 30")];

const AUDIT_FILTERS: [(&str, &str); 5] = [
    ("kind", "One kind of event, such as token_created"),
    ("from", "The first day, yyyy-mm-dd or dd-mm-yyyy (UTC)"),
    (
        "to",
        "The last day, yyyy-mm-dd or dd-mm-yyyy (UTC), included",
    ),
    ("page", "From 1"),
    ("per_page", "1 to 500, default 50"),
];

/// A query parameter's schema, from its description's "a to b" range or "yyyy-mm-dd".
fn query_schema(name: &str, description: &str) -> Value {
    if name == "page" {
        return json!({ "type": "integer", "minimum": 1 });
    }
    if name == "per_page" {
        let most = if description.starts_with("1 to 500") {
            500
        } else {
            1000
        };
        return json!({ "type": "integer", "minimum": 1, "maximum": most });
    }
    if name == "days" {
        return json!({ "type": "integer", "minimum": 1, "maximum": 90 });
    }
    if description.contains("yyyy-mm-dd") {
        // Empty, as a form leaves it, is no filter.
        return json!({ "type": "string",
                       "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-[0-9]{4})?$" });
    }
    if name == "format" {
        return json!({ "type": "string", "enum": ["json", "csv"] });
    }
    json!({ "type": "string" })
}

/// One REST operation: the catalog method a token needs for it, its JSON body (a schema in
/// `components`), its success status, and every failure in the API's error format.
fn operation(summary: &str, method: Option<&str>, body: Option<&str>, success: &str) -> Value {
    let answer = if success == "204" {
        json!({ "description": "Done" })
    } else {
        json!({ "description": "OK",
                "content": { "application/json": { "schema": { "type": "object" } } } })
    };
    let mut operation = json!({
        "summary": summary,
        "x-token-method": method,
        "responses": { success: answer, "default": { "$ref": "#/components/responses/Error" } },
    });
    if let Some(schema) = body {
        operation["requestBody"] = json!({
            "required": true,
            "content": { "application/json": {
                "schema": { "$ref": format!("#/components/schemas/{schema}") } } },
        });
    }
    operation
}

fn read(summary: &str, method: Option<&str>, query: &[(&str, &str)]) -> Value {
    let mut read = operation(summary, method, None, "200");
    let parameters: Vec<Value> = query
        .iter()
        .map(|(name, description)| {
            json!({ "name": name, "in": "query", "description": description,
                    "schema": query_schema(name, description) })
        })
        .collect();
    if !parameters.is_empty() {
        read["parameters"] = Value::Array(parameters);
    }
    read
}

fn change(summary: &str, method: Option<&str>, body: &str, success: &str) -> Value {
    operation(summary, method, Some(body), success)
}

/// The leak report's answer is a list.
fn leak_answer(mut operation: Value) -> Value {
    operation["responses"]["200"]["content"]["application/json"]["schema"] = json!({
        "type": "array",
        "items": { "type": "object", "required": ["token_hash", "token_type", "label"] },
    });
    operation
}

/// Needs no credentials.
fn public(mut operation: Value) -> Value {
    operation["security"] = json!([]);
    operation
}

fn optional_body(mut operation: Value) -> Value {
    if let Some(body) = operation.get_mut("requestBody") {
        body["required"] = json!(false);
    }
    operation
}

fn forward_auth() -> Value {
    let header = |name: &str, description: &str| {
        json!({ "name": name, "in": "header", "description": description,
                "schema": { "type": "string" } })
    };
    json!({
        "summary": "Forward-auth for a reverse proxy: may the token of the request described \
                    by X-Original-Method and X-Original-URI (nginx) or X-Forwarded-Method and \
                    X-Forwarded-Uri (Traefik, Caddy) make it? 200 with X-Tessera-User, \
                    X-Tessera-Token-Id, X-Tessera-Scopes and X-Tessera-Method; refused: 401 \
                    or 403 with the platform API's body and X-Tessera-Code. Any method",
        // A route the routes file lists as public needs no token.
        "security": public_or_token(),
        "parameters": [
            header("X-Original-Method", "nginx: the original request's method"),
            header("X-Original-URI", "nginx: the original request's path and query"),
            header("X-Forwarded-Method", "Traefik, Caddy: the original request's method"),
            header("X-Forwarded-Uri", "Traefik, Caddy: the original request's path and query"),
        ],
        "responses": {
            "200": { "description": "Allowed" },
            "default": { "$ref": "#/components/responses/PlatformError" },
        },
    })
}

/// What a token can be presented as; the browser's session cookie is for the REST API only.
static TOKEN_SECURITY: std::sync::LazyLock<Value> = std::sync::LazyLock::new(
    || json!([{ "bearer": [] }, { "authToken": [] }, { "basic": [] }, { "sessionParam": [] }]),
);

fn public_or_token() -> Value {
    let mut either = TOKEN_SECURITY.clone();
    if let Some(alternatives) = either.as_array_mut() {
        alternatives.push(json!({}));
    }
    either
}

/// The JSON bodies of the REST API's changes. Unknown fields are refused (400).
fn body_schemas() -> Value {
    let password = json!({ "type": "string", "description": "The caller's account password" });
    let text = json!({ "type": "string" });
    let texts = json!({ "type": "array", "items": { "type": "string" } });
    let flag = json!({ "type": "boolean" });
    let maybe_text = json!({ "type": ["string", "null"] });
    json!({
        "Password": { "type": "object", "additionalProperties": false,
                      "required": ["password"], "properties": { "password": password } },
        "Empty": { "type": "object", "additionalProperties": false },
        "TokenSettings": {
            "type": "object", "additionalProperties": false, "required": ["password"],
            "properties": {
                "password": password, "description": text, "api_set": text, "methods": texts,
                "expires_at": text, "expires_in": text, "auto_refresh": text,
                "not_after": text, "never_expires": flag, "scopes": texts,
                "max_uses": { "type": ["integer", "null"] },
                "rate_limit": { "type": ["string", "null"] },
                "allowed_ips": texts,
            },
        },
        "Regeneration": {
            "type": "object", "additionalProperties": false, "required": ["password"],
            "properties": { "password": password, "grace": text },
        },
        "SelfRotation": {
            "type": "object", "additionalProperties": false,
            "properties": { "grace": text },
        },
        "Removal": {
            "type": "object", "additionalProperties": false, "required": ["password"],
            "properties": {
                "password": password,
                "ids": { "type": "array", "items": { "type": "integer", "format": "int64" } },
                "all": flag,
            },
        },
        "Policy": {
            "type": "object", "additionalProperties": false, "required": ["password"],
            "properties": {
                "password": password,
                "max_lifetime_secs": { "type": ["integer", "null"], "minimum": 0 },
                "expiry_required": flag,
                "api_sets": { "type": ["array", "null"], "items": { "type": "string" } },
                "custom_allowed": flag,
                "owner_rate_limit": { "type": ["string", "null"] },
                "allowed_ips_required_for": texts,
                "max_rotation_grace_secs": { "type": ["integer", "null"], "minimum": 0 },
            },
        },
        "Webhook": {
            "type": "object", "additionalProperties": false, "required": ["password", "url"],
            "properties": {
                "password": password, "url": text, "events": texts, "lead_times": text,
                "all_people": flag,
            },
        },
        "LeakReport": {
            "type": "array", "maxItems": 100,
            "items": { "type": "object", "required": ["token"],
                       "properties": { "token": text, "type": maybe_text.clone(),
                                       "url": maybe_text.clone(), "source": maybe_text } },
        },
        "Error": {
            "type": "object", "required": ["error"],
            "properties": { "error": {
                "type": "object", "required": ["code", "message"],
                "properties": { "code": text, "message": text } } },
        },
    })
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
