//! Users through the router.

use axum::http::StatusCode;
use roster_domain::filter::RowFilter;
use roster_domain::page::PageOf;
use serde_json::json;

use crate::fixtures::*;

#[tokio::test]
async fn a_member_lists_only_themself_through_the_prepared_filter() {
    let mut mocks = Mocks::default();
    let me = fx_user("alice", &[]);
    mocks.signed_in(&me, vec![]);
    let me_id = me.id;
    let row = me.clone();
    mocks
        .users
        .expect_list()
        .withf(move |_, filter, _| match filter {
            RowFilter::Where(s) => s.subject == me_id && s.owned_outside_orgs && s.orgs.is_empty(),
            _ => false,
        })
        .times(1)
        .returning(move |_, _, _| {
            Ok(PageOf {
                rows: vec![row.clone()],
                count: 1,
            })
        });
    mocks
        .members
        .expect_organization_ids_of()
        .returning(|_| Ok(vec![]));
    // The AI seat query never runs without the entitlement.
    mocks.ai.expect_seats_among().never();
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/users")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 1);
    assert_eq!(body["users"][0]["username"], "alice");
    assert_eq!(body["users"][0]["has_ai_seat"], false);
}

#[tokio::test]
async fn an_owner_lists_everyone() {
    let mut mocks = Mocks::default();
    let me = fx_user("admin", &["owner"]);
    mocks.signed_in(&me, vec![]);
    mocks
        .users
        .expect_list()
        .withf(|_, filter, _| *filter == RowFilter::All)
        .times(1)
        .returning(|_, _, _| {
            Ok(PageOf {
                rows: vec![],
                count: 0,
            })
        });
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/users")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"users": [], "count": 0}));
}

#[tokio::test]
async fn a_bad_query_is_400_and_reaches_no_list() {
    let mut mocks = Mocks::default();
    let me = fx_user("admin", &["owner"]);
    mocks.signed_in(&me, vec![]);
    mocks.users.expect_list().never();
    let (status, body) = send(
        mocks.app(),
        authed("GET", "/api/v2/users?q=status:nope%20foo:bar"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Invalid user search query.");
    assert_eq!(body["validations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_member_may_not_create_users() {
    let mut mocks = Mocks::default();
    let me = fx_user("alice", &[]);
    mocks.signed_in(&me, vec![]);
    mocks.users.expect_create().never();
    let req = authed_json(
        "POST",
        "/api/v2/users",
        json!({"email": "b@example.com", "username": "b", "password": "SomeSecurePassword!",
               "organization_ids": ["00000000-0000-0000-0000-000000000000"]}),
    );
    let (status, body) = send(mocks.app(), req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "You are not authorized to create users.");
}

#[tokio::test]
async fn nobody_changes_their_own_site_roles() {
    let mut mocks = Mocks::default();
    let me = fx_user("admin", &["owner"]);
    mocks.signed_in(&me, vec![]);
    mocks.users.expect_set_site_roles().never();
    let (status, body) = send(
        mocks.app(),
        authed_json("PUT", "/api/v2/users/me/roles", json!({"roles": []})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "You cannot change your own roles.");
}

#[tokio::test]
async fn a_user_admin_may_not_grant_owner() {
    let mut mocks = Mocks::default();
    let me = fx_user("ua", &["user-admin"]);
    let target = fx_user("bob", &[]);
    mocks.signed_in(&me, vec![]);
    let t = target.clone();
    mocks
        .users
        .expect_find_by_username()
        .returning(move |_| Ok(Some(t.clone())));
    mocks.users.expect_set_site_roles().never();
    let (status, body) = send(
        mocks.app(),
        authed_json(
            "PUT",
            "/api/v2/users/bob/roles",
            json!({"roles": ["owner"]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "not authorized to assign role \"owner\"");
}
