//! The audit log through the router: the list, its authorization, and how audited requests
//! reach the audit port (a stamp with the change, or one failure record).

use axum::http::StatusCode;
use roster_domain::RepoError;
use roster_domain::audit::{AuditAction, AuditDiff, AuditDiffField, AuditEntry, AuditResource};
use roster_domain::filter::RowFilter;
use roster_domain::ids::AuditLogId;
use roster_domain::page::PageOf;
use serde_json::json;

use crate::fixtures::*;

fn fx_entry(
    actor: &roster_domain::user::User,
    org: &roster_domain::organization::Organization,
) -> AuditEntry {
    let mut diff = AuditDiff::default();
    diff.0.insert(
        "roles".into(),
        AuditDiffField {
            old: json!([]),
            new: json!(["organization-admin"]),
            secret: false,
        },
    );
    AuditEntry {
        id: AuditLogId::new_v7(),
        time: NOW,
        user_id: Some(actor.id),
        user: Some(actor.clone()),
        organization_id: Some(org.id),
        organization: Some(org.clone()),
        action: AuditAction::Write,
        resource_type: AuditResource::OrganizationMember,
        resource_id: actor.id.0,
        resource_target: "bob".into(),
        diff,
        status_code: 200,
        request_id: "req".into(),
        ip: "10.0.0.1".into(),
        user_agent: "ua".into(),
    }
}

#[tokio::test]
async fn an_owner_lists_entries_in_coders_shape() {
    // Setup
    let mut mocks = Mocks::default();
    let me = fx_user("admin", &["owner"]);
    mocks.signed_in(&me, vec![]);
    let org = fx_org("acme", false);
    let entry = fx_entry(&me, &org);
    mocks
        .audit
        .expect_list()
        .withf(|q, filter, page| {
            q.action == Some(AuditAction::Write)
                && q.username.as_deref() == Some("admin")
                && *filter == RowFilter::All
                && page.limit == Some(100)
                && page.offset == 3
        })
        .times(1)
        .returning(move |_, _, _| {
            Ok(PageOf {
                rows: vec![entry.clone()],
                count: 9,
            })
        });
    let me_id = me.id;
    mocks
        .members
        .expect_organization_ids_of()
        .returning(move |_| Ok(vec![(me_id, roster_domain::ids::OrganizationId::new_v7())]));

    // Exec
    let (status, body) = send(
        mocks.app(),
        authed(
            "GET",
            "/api/v2/audit?q=action:write+username:admin&offset=3",
        ),
    )
    .await;

    // Check
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 9);
    let log = &body["audit_logs"][0];
    assert_eq!(log["action"], "write");
    assert_eq!(log["resource_type"], "organization_member");
    assert_eq!(log["resource_target"], "bob");
    assert_eq!(log["status_code"], 200);
    assert_eq!(log["ip"], "10.0.0.1");
    assert_eq!(log["organization"]["name"], "acme");
    assert_eq!(log["organization_id"], json!(org.id));
    assert_eq!(log["user"]["username"], "admin");
    assert_eq!(log["description"], "admin updated organization member bob");
    assert_eq!(
        log["diff"],
        json!({"roles": {"old": [], "new": ["organization-admin"], "secret": false}})
    );
    for key in [
        "resource_icon",
        "resource_link",
        "additional_fields",
        "is_deleted",
        "request_id",
        "time",
        "user_agent",
    ] {
        assert!(log.get(key).is_some(), "{key} is present");
    }
}

#[tokio::test]
async fn a_plain_member_gets_an_empty_page() {
    let mut mocks = Mocks::default();
    let me = fx_user("alice", &[]);
    let org = fx_org("acme", false);
    mocks.signed_in(&me, vec![fx_membership(&org, &me, &[])]);
    let org_id = org.id;
    // Audit entries have no owner: the member's filter passes none of them.
    mocks
        .audit
        .expect_list()
        .withf(move |_, filter, _| {
            !filter.matches(Some(org_id), None) && !filter.matches(None, None)
        })
        .times(1)
        .returning(|_, _, _| {
            Ok(PageOf {
                rows: vec![],
                count: 0,
            })
        });
    let (status, body) = send(mocks.app(), authed("GET", "/api/v2/audit")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"audit_logs": [], "count": 0}));
}

#[tokio::test]
async fn an_organization_auditor_reads_their_organization_only() {
    let mut mocks = Mocks::default();
    let me = fx_user("carol", &[]);
    let org = fx_org("acme", false);
    mocks.signed_in(
        &me,
        vec![fx_membership(&org, &me, &["organization-auditor"])],
    );
    let org_id = org.id;
    mocks
        .audit
        .expect_list()
        .withf(move |_, filter, _| {
            filter.matches(Some(org_id), None)
                && !filter.matches(None, None)
                && !filter.matches(Some(roster_domain::ids::OrganizationId::new_v7()), None)
        })
        .times(1)
        .returning(|_, _, _| {
            Ok(PageOf {
                rows: vec![],
                count: 0,
            })
        });
    let (status, _) = send(mocks.app(), authed("GET", "/api/v2/audit")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_bad_query_is_400_and_never_lists() {
    let mut mocks = Mocks::default();
    let me = fx_user("admin", &["owner"]);
    mocks.signed_in(&me, vec![]);
    mocks.audit.expect_list().never();
    let (status, body) = send(
        mocks.app(),
        authed("GET", "/api/v2/audit?q=action:fly+date_from:yesterday"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Invalid audit search query.");
    let fields: Vec<&str> = body["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["action", "date_from"]);
}

#[tokio::test]
async fn a_change_carries_its_stamp_and_is_not_recorded_twice() {
    // Setup
    let mut mocks = Mocks {
        audit_checked: true,
        ..Mocks::default()
    };
    let me = fx_user("admin", &["owner"]);
    let bob = fx_user("bob", &[]);
    mocks.signed_in(&me, vec![]);
    let org = fx_org("acme", false);
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
    let membership = fx_membership(&org, &bob, &[]);
    let me_id = me.id;
    mocks
        .members
        .expect_add()
        .withf(move |_, _, _, stamp| {
            stamp.actor == Some(me_id)
                && stamp.status_code == 200
                && stamp.request_id == "my-request"
                && stamp.user_agent == "tests"
                && stamp.ip.is_empty()
                && stamp.time == NOW
        })
        .times(1)
        .returning(move |_, _, _, _| Ok(membership.clone()));
    mocks.audit.expect_record().never();
    let mut req = authed("POST", "/api/v2/organizations/acme/members/bob");
    req.headers_mut()
        .insert("x-request-id", "my-request".parse().unwrap());
    req.headers_mut()
        .insert("user-agent", "tests".parse().unwrap());

    // Exec
    let (status, _) = send(mocks.app(), req).await;

    // Check: the store got the stamp; the failure recorder stayed quiet.
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_failed_change_is_recorded_once_without_a_diff() {
    // Setup: adding an existing member fails in the store.
    let mut mocks = Mocks {
        audit_checked: true,
        ..Mocks::default()
    };
    let me = fx_user("admin", &["owner"]);
    let bob = fx_user("bob", &[]);
    mocks.signed_in(&me, vec![]);
    let org = fx_org("acme", false);
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
    mocks.members.expect_add().times(1).returning(|_, _, _, _| {
        Err(RepoError::Conflict {
            field: "membership",
        })
    });
    let org_id = org.id;
    let me_id = me.id;
    mocks
        .audit
        .expect_record()
        .withf(move |e| {
            e.action == AuditAction::Create
                && e.resource_type == AuditResource::OrganizationMember
                && e.resource_target == "bob"
                && e.organization_id == Some(org_id)
                && e.stamp.status_code == 400
                && e.stamp.actor == Some(me_id)
                && e.diff.is_empty()
        })
        .times(1)
        .returning(|_| Ok(()));

    // Exec
    let (status, _) = send(
        mocks.app(),
        authed("POST", "/api/v2/organizations/acme/members/bob"),
    )
    .await;

    // Check
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_refused_request_is_recorded_and_reads_are_not() {
    // Setup: a plain member may not delete a custom role; reading the list is not audited.
    let mut mocks = Mocks {
        audit_checked: true,
        ..Mocks::default()
    };
    let me = fx_user("alice", &[]);
    let org = fx_org("acme", false);
    mocks.signed_in(&me, vec![fx_membership(&org, &me, &[])]);
    let o = org.clone();
    mocks
        .orgs
        .expect_find_by_name()
        .returning(move |_| Ok(Some(o.clone())));
    mocks.roles.expect_delete().never();
    mocks
        .audit
        .expect_record()
        .withf(|e| {
            e.action == AuditAction::Delete
                && e.resource_type == AuditResource::CustomRole
                && e.resource_target == "reviewer"
                && e.stamp.status_code == 403
        })
        .times(1)
        .returning(|_| Ok(()));
    mocks.audit.expect_list().returning(|_, _, _| {
        Ok(PageOf {
            rows: vec![],
            count: 0,
        })
    });
    let app = mocks.app();

    // Exec
    let (status, _) = send(
        app.clone(),
        authed(
            "DELETE",
            "/api/v2/organizations/acme/members/roles/reviewer",
        ),
    )
    .await;
    let (listed, _) = send(app, authed("GET", "/api/v2/audit")).await;

    // Check
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(listed, StatusCode::OK);
}
