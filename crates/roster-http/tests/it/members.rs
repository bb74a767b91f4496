//! Members through the router.

use axum::http::StatusCode;
use roster_domain::RepoError;
use roster_domain::filter::RowFilter;
use roster_domain::organization::MemberWithUser;
use roster_domain::page::PageOf;
use serde_json::json;

use crate::fixtures::*;

#[tokio::test]
async fn a_non_member_gets_404_and_no_list_runs() {
    let mut mocks = Mocks::default();
    let me = fx_user("outsider", &[]);
    mocks.signed_in(&me, vec![]);
    let org = fx_org("acme", false);
    mocks
        .orgs
        .expect_find_by_name()
        .returning(move |_| Ok(Some(org.clone())));
    mocks.members.expect_list().never();
    let (status, body) = send(
        mocks.app(),
        authed("GET", "/api/v2/organizations/acme/paginated-members"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"message": NOT_FOUND}));
}

#[tokio::test]
async fn a_member_pages_members_with_count_and_ai_seats_off() {
    let mut mocks = Mocks::default();
    let me = fx_user("alice", &[]);
    let org = fx_org("acme", false);
    mocks.signed_in(&me, vec![fx_membership(&org, &me, &[])]);
    let o = org.clone();
    mocks
        .orgs
        .expect_find_by_name()
        .returning(move |_| Ok(Some(o.clone())));
    let row = MemberWithUser {
        membership: fx_membership(&org, &me, &[]),
        user: me.clone(),
    };
    mocks
        .members
        .expect_list()
        .withf(|_, _, filter, page| {
            *filter == RowFilter::All && page.limit == Some(1) && page.offset == 2
        })
        .times(1)
        .returning(move |_, _, _, _| {
            Ok(PageOf {
                rows: vec![row.clone()],
                count: 7,
            })
        });
    mocks.ai.expect_seats_among().never();
    let (status, body) = send(
        mocks.app(),
        authed(
            "GET",
            "/api/v2/organizations/acme/paginated-members?limit=1&offset=2",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 7);
    assert_eq!(body["members"][0]["username"], "alice");
    assert_eq!(body["members"][0]["has_ai_seat"], false);
    assert_eq!(body["members"][0]["roles"], json!([]));
}

#[tokio::test]
async fn adding_an_existing_member_is_400() {
    let mut mocks = Mocks::default();
    let me = fx_user("admin", &["owner"]);
    let bob = fx_user("bob", &[]);
    mocks.signed_in(&me, vec![]);
    let org = fx_org("acme", false);
    mocks
        .orgs
        .expect_find_by_name()
        .returning(move |_| Ok(Some(org.clone())));
    let b = bob.clone();
    mocks
        .users
        .expect_find_by_username()
        .returning(move |_| Ok(Some(b.clone())));
    mocks.members.expect_add().times(1).returning(|_, _, _, _| {
        Err(RepoError::Conflict {
            field: "membership",
        })
    });
    let (status, body) = send(
        mocks.app(),
        authed("POST", "/api/v2/organizations/acme/members/bob"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "User is already an organization member");
}

#[tokio::test]
async fn a_plain_member_may_not_set_roles() {
    let mut mocks = Mocks::default();
    let me = fx_user("alice", &[]);
    let bob = fx_user("bob", &[]);
    let org = fx_org("acme", false);
    mocks.signed_in(&me, vec![fx_membership(&org, &me, &[])]);
    let o = org.clone();
    mocks
        .orgs
        .expect_find_by_name()
        .returning(move |_| Ok(Some(o.clone())));
    let b = bob.clone();
    mocks
        .users
        .expect_find_by_username()
        .returning(move |_| Ok(Some(b.clone())));
    let row = MemberWithUser {
        membership: fx_membership(&org, &bob, &[]),
        user: bob.clone(),
    };
    mocks
        .members
        .expect_find()
        .returning(move |_, _| Ok(Some(row.clone())));
    mocks.members.expect_set_roles().never();
    let req = authed_json(
        "PUT",
        "/api/v2/organizations/acme/members/bob/roles",
        json!({"roles": ["organization-admin"]}),
    );
    let (status, body) = send(mocks.app(), req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Forbidden.");
}

#[tokio::test]
async fn an_org_admin_sets_roles_and_gets_the_new_set() {
    let mut mocks = Mocks::default();
    let me = fx_user("alice", &[]);
    let bob = fx_user("bob", &[]);
    let org = fx_org("acme", false);
    mocks.signed_in(&me, vec![fx_membership(&org, &me, &["organization-admin"])]);
    let o = org.clone();
    mocks
        .orgs
        .expect_find_by_name()
        .returning(move |_| Ok(Some(o.clone())));
    let b = bob.clone();
    mocks
        .users
        .expect_find_by_username()
        .returning(move |_| Ok(Some(b.clone())));
    let row = MemberWithUser {
        membership: fx_membership(&org, &bob, &[]),
        user: bob.clone(),
    };
    mocks
        .members
        .expect_find()
        .returning(move |_, _| Ok(Some(row.clone())));
    let updated = fx_membership(&org, &bob, &["organization-admin"]);
    mocks
        .members
        .expect_set_roles()
        .withf(|_, _, roles, _, _| roles == &vec!["organization-admin".to_string()])
        .times(1)
        .returning(move |_, _, _, _, _| Ok(updated.clone()));
    let req = authed_json(
        "PUT",
        "/api/v2/organizations/acme/members/bob/roles",
        json!({"roles": ["organization-admin"]}),
    );
    let (status, body) = send(mocks.app(), req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["roles"],
        json!([{"name": "organization-admin", "display_name": "Organization Admin", "organization_id": org.id.to_string()}])
    );
}
