//! Routing, authentication and the OpenAPI document.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::fixtures::*;

#[tokio::test]
async fn unknown_route_is_coders_404() {
    let (status, body) = send(
        Mocks::default().app(),
        Request::get("/api/v2/nope").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"message": "Route not found."}));
}

#[tokio::test]
async fn missing_token_is_401_and_touches_no_port() {
    // No expectation is set: any port call would panic the mock.
    let (status, body) = send(
        Mocks::default().app(),
        Request::get("/api/v2/users").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["detail"],
        "Cookie \"coder_session_token\" or query parameter must be provided."
    );
}

#[tokio::test]
async fn unknown_key_is_401() {
    let mut mocks = Mocks::default();
    mocks.keys.expect_find().times(1).returning(|_| Ok(None));
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/users")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["detail"], "API key is invalid.");
}

#[tokio::test]
async fn suspended_caller_is_401() {
    let mut mocks = Mocks::default();
    let mut user = fx_user("sus", &[]);
    user.status = roster_domain::user::UserStatus::Suspended;
    mocks.signed_in(&user, vec![]);
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/users/me")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["message"],
        "User is not active (status = \"suspended\"). Contact an admin to reactivate your account."
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let doc = roster_http::openapi();
    let mut operations = 0;
    for (path, item) in &doc.paths.paths {
        let concrete = path
            .replace("{organization}", "default")
            .replace("{user}", "me")
            .replace("{roleName}", "x")
            .replace("{workspace}", "00000000-0000-0000-0000-000000000000");
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (method, present) in methods {
            if !present {
                continue;
            }
            operations += 1;
            // Unauthenticated: a routed operation answers anything but "Route not found." / 405.
            let req = Request::builder()
                .method(method)
                .uri(&concrete)
                .body(Body::empty())
                .unwrap();
            let (status, body) = send(Mocks::default().app_lenient(), req).await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(body["message"], "Route not found.", "{method} {path}");
        }
    }
    assert!(operations >= 35, "only {operations} operations documented");
    let schemas = doc.components.unwrap().schemas;
    for name in [
        "codersdk.User",
        "codersdk.OrganizationMemberWithUserData",
        "codersdk.PaginatedMembersResponse",
        "codersdk.AssignableRoles",
        "codersdk.Role",
        "codersdk.Response",
        "codersdk.SlimRole",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
}

#[tokio::test]
async fn openapi_document_is_served() {
    let (status, body) = send(
        Mocks::default().app(),
        Request::get("/api/v2/openapi.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["paths"]["/api/v2/organizations/{organization}/paginated-members"]["get"].is_object()
    );
}

#[tokio::test]
async fn last_seen_is_refreshed_when_an_hour_has_passed() {
    let mut mocks = Mocks::default();
    let user = fx_user("alice", &[]);
    mocks.signed_in_last_used(&user, vec![], NOW - time::Duration::minutes(61));
    let id = user.id;
    mocks
        .keys
        .expect_touch()
        .withf(move |key, u, at| key == "abcdefghij" && *u == id && *at == NOW)
        .times(1)
        .returning(|_, _, _| Ok(()));
    mocks
        .members
        .expect_organization_ids_of()
        .returning(|_| Ok(vec![]));
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/users/me")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["last_seen_at"], "2026-11-27T12:00:00Z");
}

#[tokio::test]
async fn last_seen_is_not_written_within_the_hour() {
    let mut mocks = Mocks::default();
    let user = fx_user("alice", &[]);
    mocks.signed_in_last_used(&user, vec![], NOW - time::Duration::minutes(59));
    mocks.keys.expect_touch().never();
    mocks
        .members
        .expect_organization_ids_of()
        .returning(|_| Ok(vec![]));
    let (status, _) = send(mocks.app(), authed("GET", "/api/v2/users/me")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_dormant_caller_is_reactivated() {
    let mut mocks = Mocks::default();
    let mut user = fx_user("sleepy", &[]);
    user.status = roster_domain::user::UserStatus::Dormant;
    mocks.signed_in(&user, vec![]);
    let mut active = user.clone();
    active.status = roster_domain::user::UserStatus::Active;
    let id = user.id;
    mocks
        .users
        .expect_set_status()
        .withf(move |u, status, _, _| {
            *u == id && *status == roster_domain::user::UserStatus::Active
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(active.clone()));
    mocks
        .members
        .expect_organization_ids_of()
        .returning(|_| Ok(vec![]));
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/users/me")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "active");
}
