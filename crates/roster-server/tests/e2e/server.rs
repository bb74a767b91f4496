//! The server foundation: first user, sessions, users, organizations, error paths.

use reqwest::Method;
use serde_json::json;

use crate::e2e;
use crate::harness::{Backend, Server};

const SIGNED_OUT: &str =
    "You are signed out or your session has expired. Please sign in again to continue.";
const NOT_FOUND: &str = "Resource not found or you do not have access to this resource";

async fn first_user_and_sessions(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    srv.send(srv.request(Method::GET, "/api/v2/users/first", None))
        .await
        .expect_error(404, "The initial user has not been created!");
    let token = srv.first_user().await;
    srv.send(srv.request(Method::GET, "/api/v2/users/first", None))
        .await
        .expect_error(200, "The initial user has already been created!");
    // A second first user is refused.
    srv.send(
        srv.request(Method::POST, "/api/v2/users/first", None)
            .json(&json!({
                "email": "b@example.com", "username": "b", "password": "SomeSecurePassword!"
            })),
    )
    .await
    .expect_error(409, "The initial user has already been created.");

    let me = srv.get("/api/v2/users/me", &token).await.expect(200);
    assert_eq!(me["username"], "admin");
    assert_eq!(me["status"], "active");
    assert_eq!(
        me["roles"],
        json!([{"name": "owner", "display_name": "Owner"}])
    );
    assert_eq!(me["has_ai_seat"], false);
    assert_eq!(me["organization_ids"].as_array().unwrap().len(), 1);

    // The token works from every source Coder accepts.
    for rb in [
        srv.request(Method::GET, "/api/v2/users/me", None)
            .header("Cookie", format!("coder_session_token={token}")),
        srv.request(
            Method::GET,
            &format!("/api/v2/users/me?coder_session_token={token}"),
            None,
        ),
        srv.request(Method::GET, "/api/v2/users/me", None)
            .bearer_auth(&token),
        srv.request(
            Method::GET,
            &format!("/api/v2/users/me?access_token={token}"),
            None,
        ),
    ] {
        srv.send(rb).await.expect(200);
    }

    // Wrong password.
    srv.send(
        srv.request(Method::POST, "/api/v2/users/login", None)
            .json(&json!({
                "email": "admin@example.com", "password": "nope-nope-nope"
            })),
    )
    .await
    .expect_error(401, "Incorrect email or password.");

    // Long-lived token.
    let key = srv
        .call(
            Method::POST,
            "/api/v2/users/me/keys/tokens",
            &token,
            json!({"token_name": "ci"}),
        )
        .await
        .expect(201);
    let long_lived = key["key"].as_str().unwrap().to_owned();
    srv.get("/api/v2/users/me", &long_lived).await.expect(200);

    // Logout revokes the session but not the token.
    srv.send(srv.request(Method::POST, "/api/v2/users/logout", Some(&token)))
        .await
        .expect_error(200, "Logged out!");
    let r = srv.get("/api/v2/users/me", &token).await;
    assert!(
        r.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer realm=\"coder\"")
    );
    let body = r.expect_error(401, SIGNED_OUT);
    assert_eq!(body["detail"], "API key is invalid.");
    srv.get("/api/v2/users/me", &long_lived).await.expect(200);
}

async fn unauthenticated_and_malformed(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let token = srv.first_user().await;
    let r = srv
        .send(srv.request(Method::GET, "/api/v2/users", None))
        .await;
    assert_eq!(r.headers["www-authenticate"], "Bearer realm=\"coder\"");
    let body = r.expect_error(401, SIGNED_OUT);
    assert_eq!(
        body["detail"],
        "Cookie \"coder_session_token\" or query parameter must be provided."
    );
    let body = srv
        .get("/api/v2/users", "garbage")
        .await
        .expect_error(401, SIGNED_OUT);
    assert_eq!(
        body["detail"],
        "Invalid API key format: incorrect amount of API key parts, expected 2 got 1"
    );
    let (id, _) = token.split_once('-').unwrap();
    let forged = format!("{id}-{}", "x".repeat(22));
    let body = srv
        .get("/api/v2/users", &forged)
        .await
        .expect_error(401, SIGNED_OUT);
    assert_eq!(body["detail"], "API key secret is invalid.");

    srv.get("/api/v2/nope", &token)
        .await
        .expect_error(404, "Route not found.");
    srv.send(srv.request(Method::GET, "/api/v2/definitely/not/here", None))
        .await
        .expect_error(404, "Route not found.");
    srv.send(
        srv.request(Method::POST, "/api/v2/users", Some(&token))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await
    .expect_error(400, "Request body must be valid JSON.");
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    srv.send(
        srv.request(Method::POST, "/api/v2/organizations", Some(&token))
            .header("content-type", "application/json")
            // The server answers before reading the whole body and then drops the connection;
            // keep it out of the client's pool so the next request doesn't pick it up.
            .header("connection", "close")
            .body(huge),
    )
    .await
    .expect(413);
    let r = srv.get("/healthz", &token).await;
    assert_eq!(r.status.as_u16(), 200);
    srv.get("/readyz", &token).await.expect(200);
    let info = srv.get("/api/v2/buildinfo", &token).await.expect(200);
    assert!(info["version"].as_str().unwrap().starts_with('v'));
    // A request id is echoed back.
    let r = srv
        .send(
            srv.request(Method::GET, "/api/v2/buildinfo", None)
                .header("x-request-id", "abc-123"),
        )
        .await;
    assert_eq!(r.headers["x-request-id"], "abc-123");
}

async fn users_lifecycle(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    let (alice_id, alice) = srv.user(&admin, "alice").await;
    srv.user(&admin, "bob").await;

    // Duplicate username, whatever the case.
    srv.call(
        Method::POST,
        "/api/v2/users",
        &admin,
        json!({"email": "x@example.com", "username": "ALICE", "password": "SomeSecurePassword!",
               "organization_ids": ["00000000-0000-0000-0000-000000000000"]}),
    )
    .await
    .expect_error(409, "User already exists.");
    // Validation.
    let body = srv
        .call(
            Method::POST,
            "/api/v2/users",
            &admin,
            json!({"email": "nope", "username": "-bad-", "password": "x",
              "organization_ids": ["00000000-0000-0000-0000-000000000000"]}),
        )
        .await
        .expect_error(400, "Validation failed.");
    let fields: Vec<_> = body["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "email"]);

    // The list, with count and search.
    let all = srv.get("/api/v2/users", &admin).await.expect(200);
    assert_eq!(all["count"], 3);
    let names: Vec<_> = all["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "alice", "bob"]);
    let found = srv.get("/api/v2/users?q=ali", &admin).await.expect(200);
    assert_eq!(found["count"], 1);
    srv.get("/api/v2/users?q=bogus:1", &admin)
        .await
        .expect_error(400, "Invalid user search query.");
    srv.get("/api/v2/users?limit=x", &admin)
        .await
        .expect_error(400, "Query parameters have invalid values.");
    // A plain member sees only themself.
    let mine = srv.get("/api/v2/users", &alice).await.expect(200);
    assert_eq!(mine["count"], 1);
    assert_eq!(mine["users"][0]["username"], "alice");
    srv.get("/api/v2/users/bob", &alice)
        .await
        .expect_error(404, NOT_FOUND);
    srv.get("/api/v2/users/nobody", &admin)
        .await
        .expect_error(404, NOT_FOUND);

    // Site roles: self-change refused, members may not assign.
    srv.call(
        Method::PUT,
        "/api/v2/users/me/roles",
        &admin,
        json!({"roles": []}),
    )
    .await
    .expect_error(400, "You cannot change your own roles.");
    srv.call(
        Method::PUT,
        "/api/v2/users/admin/roles",
        &alice,
        json!({"roles": ["auditor"]}),
    )
    .await
    .expect_error(404, NOT_FOUND);
    let updated = srv
        .call(
            Method::PUT,
            &format!("/api/v2/users/{alice_id}/roles"),
            &admin,
            json!({"roles": ["auditor"]}),
        )
        .await
        .expect(200);
    assert_eq!(
        updated["roles"],
        json!([{"name": "auditor", "display_name": "Auditor"}])
    );
    let roles = srv
        .get("/api/v2/users/alice/roles", &admin)
        .await
        .expect(200);
    assert_eq!(roles["roles"], json!(["auditor"]));

    // Suspend: the token stops working; activate: it works again.
    srv.send(srv.request(Method::PUT, "/api/v2/users/me/status/suspend", Some(&admin)))
        .await
        .expect_error(400, "You cannot suspend yourself.");
    let s = srv
        .send(srv.request(
            Method::PUT,
            "/api/v2/users/alice/status/suspend",
            Some(&admin),
        ))
        .await
        .expect(200);
    assert_eq!(s["status"], "suspended");
    srv.get("/api/v2/users/me", &alice).await.expect_error(
        401,
        "User is not active (status = \"suspended\"). Contact an admin to reactivate your account.",
    );
    srv.send(
        srv.request(Method::POST, "/api/v2/users/login", None)
            .json(&json!({
                "email": "alice@example.com", "password": "SomeSecurePassword!"
            })),
    )
    .await
    .expect(401);
    srv.send(srv.request(
        Method::PUT,
        "/api/v2/users/alice/status/activate",
        Some(&admin),
    ))
    .await
    .expect(200);
    srv.get("/api/v2/users/me", &alice).await.expect(200);

    // Delete: soft, gone from lists and lookups, token refused.
    srv.send(srv.request(Method::DELETE, "/api/v2/users/me", Some(&admin)))
        .await
        .expect_error(403, "You cannot delete yourself!");
    srv.send(srv.request(Method::DELETE, "/api/v2/users/alice", Some(&admin)))
        .await
        .expect(204);
    srv.get("/api/v2/users/alice", &admin)
        .await
        .expect_error(404, NOT_FOUND);
    assert_eq!(
        srv.get("/api/v2/users", &admin).await.expect(200)["count"],
        2
    );
    srv.get("/api/v2/users/me", &alice).await.expect(401);
    // The username is free again.
    srv.user(&admin, "alice").await;
}

async fn organizations(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    let (_, alice) = srv.user(&admin, "alice").await;
    let orgs = srv.get("/api/v2/organizations", &admin).await.expect(200);
    assert_eq!(orgs.as_array().unwrap().len(), 1);
    assert_eq!(orgs[0]["is_default"], true);
    let default = srv
        .get("/api/v2/organizations/default", &admin)
        .await
        .expect(200);
    let by_name = srv
        .get(
            &format!(
                "/api/v2/organizations/{}",
                default["name"].as_str().unwrap()
            ),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(default, by_name);

    let created = srv
        .call(
            Method::POST,
            "/api/v2/organizations",
            &admin,
            json!({"name": "acme", "display_name": "Acme"}),
        )
        .await
        .expect(201);
    assert_eq!(created["is_default"], false);
    srv.call(
        Method::POST,
        "/api/v2/organizations",
        &admin,
        json!({"name": "ACME"}),
    )
    .await
    .expect_error(409, "Organization already exists with the name \"ACME\".");
    srv.call(
        Method::POST,
        "/api/v2/organizations",
        &admin,
        json!({"name": "bad name"}),
    )
    .await
    .expect_error(400, "Validation failed.");
    srv.call(
        Method::POST,
        "/api/v2/organizations",
        &alice,
        json!({"name": "mine"}),
    )
    .await
    .expect_error(403, "Forbidden.");
    // The creator is an organization admin of the new organization.
    let me = srv
        .get("/api/v2/organizations/acme/members/me", &admin)
        .await
        .expect(200);
    assert_eq!(me["roles"][0]["name"], "organization-admin");
    // Not a member: 404, never 403.
    srv.get("/api/v2/organizations/acme", &alice)
        .await
        .expect_error(404, NOT_FOUND);
    assert_eq!(
        srv.get("/api/v2/organizations", &alice)
            .await
            .expect(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let patched = srv
        .call(
            Method::PATCH,
            "/api/v2/organizations/acme",
            &admin,
            json!({"display_name": "Acme Inc."}),
        )
        .await
        .expect(200);
    assert_eq!(patched["display_name"], "Acme Inc.");
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/default",
        Some(&admin),
    ))
    .await
    .expect_error(400, "Default organization cannot be deleted.");
    srv.send(srv.request(Method::DELETE, "/api/v2/organizations/acme", Some(&admin)))
        .await
        .expect_error(200, "Organization deleted.");
    srv.get("/api/v2/organizations/acme", &admin)
        .await
        .expect_error(404, NOT_FOUND);
}

async fn multiple_organizations_entitlement(backend: Backend) {
    let srv = Server::start(
        &backend,
        &[("ROSTER_ENTITLEMENTS__MULTIPLE_ORGANIZATIONS", "false")],
    )
    .await;
    let admin = srv.first_user().await;
    srv.call(
        Method::POST,
        "/api/v2/organizations",
        &admin,
        json!({"name": "acme"}),
    )
    .await
    .expect_error(
        403,
        "Multiple Organizations is a Premium feature. Contact sales!",
    );
    let e = srv.get("/api/v2/entitlements", &admin).await.expect(200);
    assert_eq!(e["features"]["multiple_organizations"]["enabled"], false);
    assert_eq!(e["features"]["custom_roles"]["enabled"], true);
}

async fn sigterm_finishes_in_flight_requests_and_exits_cleanly(backend: Backend) {
    let mut srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    // A sign-in takes a while (Argon2): start one, then ask the server to stop while it runs.
    let login = srv
        .request(Method::POST, "/api/v2/users/login", None)
        .json(&json!({
            "email": "admin@example.com", "password": "SomeSecurePassword!"
        }));
    let in_flight = tokio::spawn(login.send());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let status = tokio::task::block_in_place(|| srv.terminate());
    assert!(status.success(), "exit status {status}");
    let reply = in_flight
        .await
        .unwrap()
        .expect("the in-flight request completes");
    assert_eq!(reply.status().as_u16(), 201);
    // New connections are refused once it has stopped.
    assert!(
        srv.request(Method::GET, "/api/v2/users/me", Some(&admin))
            .send()
            .await
            .is_err()
    );
}

e2e!(
    sigterm_finishes_in_flight_requests_and_exits_cleanly,
    first_user_and_sessions,
    unauthenticated_and_malformed,
    users_lifecycle,
    organizations,
    multiple_organizations_entitlement,
);
