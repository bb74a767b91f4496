//! The members and roles API, AI seats, workspaces and custom roles through the real binary.

use reqwest::Method;
use serde_json::{Value, json};

use crate::e2e;
use crate::harness::{Backend, Server};

const NOT_FOUND: &str = "Resource not found or you do not have access to this resource";

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

async fn membership_lifecycle(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    let (_, alice) = srv.user(&admin, "alice").await;
    let (bob_id, bob) = srv.user(&admin, "bob").await;
    srv.call(
        Method::POST,
        "/api/v2/organizations",
        &admin,
        json!({"name": "acme"}),
    )
    .await
    .expect(201);

    // Add: no body; a second add is refused; a non-admin gets 404.
    let m = srv
        .send(srv.request(
            Method::POST,
            "/api/v2/organizations/acme/members/alice",
            Some(&admin),
        ))
        .await
        .expect(200);
    assert_eq!(m["roles"], json!([]));
    srv.send(srv.request(
        Method::POST,
        "/api/v2/organizations/acme/members/alice",
        Some(&admin),
    ))
    .await
    .expect_error(400, "User is already an organization member");
    srv.send(srv.request(
        Method::POST,
        "/api/v2/organizations/acme/members/bob",
        Some(&alice),
    ))
    .await
    .expect_error(404, NOT_FOUND);
    srv.send(srv.request(
        Method::POST,
        &format!("/api/v2/organizations/acme/members/{bob_id}"),
        Some(&admin),
    ))
    .await
    .expect(200);

    // Lists.
    let page = srv
        .get(
            "/api/v2/organizations/acme/paginated-members?limit=2",
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(page["count"], 3);
    assert_eq!(names(&page["members"], "username"), ["admin", "alice"]);
    let first = &page["members"][0];
    for field in [
        "user_id",
        "organization_id",
        "created_at",
        "updated_at",
        "roles",
        "username",
        "name",
        "avatar_url",
        "email",
        "global_roles",
        "last_seen_at",
        "status",
        "login_type",
        "is_service_account",
        "user_created_at",
        "user_updated_at",
        "has_ai_seat",
    ] {
        assert!(first.get(field).is_some(), "missing {field} in {first}");
    }
    assert_eq!(
        first["global_roles"],
        json!([{"name": "owner", "display_name": "Owner"}])
    );
    let after = page["members"][1]["user_id"].as_str().unwrap();
    let next = srv
        .get(
            &format!("/api/v2/organizations/acme/paginated-members?after_id={after}"),
            &admin,
        )
        .await
        .expect(200);
    assert_eq!(names(&next["members"], "username"), ["bob"]);
    assert_eq!(next["count"], 1);
    let all = srv
        .get("/api/v2/organizations/acme/members", &alice)
        .await
        .expect(200);
    assert_eq!(all.as_array().unwrap().len(), 3);
    srv.get(
        "/api/v2/organizations/acme/paginated-members?q=nope:x",
        &admin,
    )
    .await
    .expect_error(400, "Invalid member search query.");

    // Roles: set, refuse suffix and site roles, refuse self, refuse non-admins.
    let r = srv
        .call(
            Method::PUT,
            "/api/v2/organizations/acme/members/alice/roles",
            &admin,
            json!({"roles": ["organization-auditor"]}),
        )
        .await
        .expect(200);
    assert_eq!(r["roles"][0]["name"], "organization-auditor");
    assert_eq!(r["roles"][0]["display_name"], "Organization Auditor");
    let body = srv
        .call(
            Method::PUT,
            "/api/v2/organizations/acme/members/alice/roles",
            &admin,
            json!({"roles": ["organization-admin:abc"]}),
        )
        .await
        .expect(400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("remove the ':<organization_id> suffix"),
        "{body}"
    );
    let body = srv
        .call(
            Method::PUT,
            "/api/v2/organizations/acme/members/alice/roles",
            &admin,
            json!({"roles": ["owner"]}),
        )
        .await
        .expect(400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .ends_with("is not a supported role"),
        "{body}"
    );
    srv.call(
        Method::PUT,
        "/api/v2/organizations/acme/members/me/roles",
        &admin,
        json!({"roles": []}),
    )
    .await
    .expect_error(400, "You cannot change your own organization roles.");
    srv.call(
        Method::PUT,
        "/api/v2/organizations/acme/members/bob/roles",
        &alice,
        json!({"roles": ["organization-admin"]}),
    )
    .await
    .expect_error(403, "Forbidden.");
    let one = srv
        .get("/api/v2/organizations/acme/members/alice", &bob)
        .await
        .expect(200);
    assert_eq!(one["roles"][0]["name"], "organization-auditor");

    // Role listings with `assignable`.
    let org_roles = srv
        .get("/api/v2/organizations/acme/members/roles", &admin)
        .await
        .expect(200);
    assert_eq!(
        names(&org_roles, "name"),
        [
            "organization-admin",
            "organization-auditor",
            "organization-template-admin",
            "organization-user-admin",
            "organization-workspace-creation-ban"
        ]
    );
    assert!(
        org_roles
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["assignable"] == true && r["built_in"] == true)
    );
    let as_bob = srv
        .get("/api/v2/organizations/acme/members/roles", &bob)
        .await
        .expect(200);
    assert!(
        as_bob
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["assignable"] == false)
    );
    let site = srv.get("/api/v2/users/roles", &bob).await.expect(200);
    assert_eq!(
        names(&site, "name"),
        ["owner", "auditor", "template-admin", "user-admin"]
    );

    // Remove: self refused; others 204; then 404.
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/acme/members/me",
        Some(&admin),
    ))
    .await
    .expect_error(400, "cannot remove self from an organization");
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/acme/members/bob",
        Some(&alice),
    ))
    .await
    .expect_error(404, NOT_FOUND);
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/acme/members/bob",
        Some(&admin),
    ))
    .await
    .expect(204);
    srv.get("/api/v2/organizations/acme/members/bob", &admin)
        .await
        .expect_error(404, NOT_FOUND);
    // Bob is no longer a member: the whole organization is hidden from him.
    srv.get("/api/v2/organizations/acme/paginated-members", &bob)
        .await
        .expect_error(404, NOT_FOUND);
}

async fn ai_seats_follow_the_entitlement(backend: Backend) {
    for (limit, computed) in [("0", false), ("10", true)] {
        let srv = Server::start(
            &backend,
            &[("ROSTER_ENTITLEMENTS__AI_GOVERNANCE_USER_LIMIT", limit)],
        )
        .await;
        let admin = srv.first_user().await;
        let (alice_id, _) = srv.user(&admin, "alice").await;
        let (bob_id, _) = srv.user(&admin, "bob").await;
        srv.user(&admin, "carol").await;
        srv.call(
            Method::POST,
            "/api/v2/aibridge/interceptions",
            &admin,
            json!({"initiator_id": alice_id, "provider": "anthropic", "model": "claude"}),
        )
        .await
        .expect(201);
        let ws = srv
            .call(
                Method::POST,
                "/api/v2/organizations/default/members/bob/workspaces",
                &admin,
                json!({"name": "dev"}),
            )
            .await
            .expect(201);
        let ws_id = ws["id"].as_str().unwrap();
        srv.call(
            Method::POST,
            &format!("/api/v2/workspaces/{ws_id}/builds"),
            &admin,
            json!({"transition": "start", "has_ai_task": true}),
        )
        .await
        .expect(201);

        let page = srv
            .get("/api/v2/organizations/default/paginated-members", &admin)
            .await
            .expect(200);
        let seat = |name: &str| {
            page["members"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["username"] == name)
                .unwrap()["has_ai_seat"]
                .clone()
        };
        assert_eq!(seat("alice"), computed);
        assert_eq!(seat("bob"), computed);
        assert_eq!(seat("carol"), false);
        let users = srv.get("/api/v2/users", &admin).await.expect(200);
        let alice = users["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == alice_id.as_str())
            .unwrap();
        assert_eq!(alice["has_ai_seat"], computed);
        let one = srv
            .get(&format!("/api/v2/users/{bob_id}"), &admin)
            .await
            .expect(200);
        assert_eq!(one["has_ai_seat"], computed);
        let e = srv.get("/api/v2/entitlements", &admin).await.expect(200);
        let ai = &e["features"]["ai_governance_user_limit"];
        assert_eq!(ai["enabled"], computed);
        if computed {
            assert_eq!(ai["limit"], 10);
            assert_eq!(ai["actual"], 2);
        }
        // Deleting the workspace ends bob's seat.
        srv.call(
            Method::POST,
            &format!("/api/v2/workspaces/{ws_id}/builds"),
            &admin,
            json!({"transition": "delete"}),
        )
        .await
        .expect(201);
        let one = srv
            .get(&format!("/api/v2/users/{bob_id}"), &admin)
            .await
            .expect(200);
        assert_eq!(one["has_ai_seat"], false);
    }
}

async fn workspace_creation_ban_blocks_even_admins(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    let (_, alice) = srv.user(&admin, "alice").await;
    srv.user(&admin, "bob").await;
    srv.call(
        Method::PUT,
        "/api/v2/organizations/default/members/alice/roles",
        &admin,
        json!({"roles": ["organization-admin"]}),
    )
    .await
    .expect(200);
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/bob/workspaces",
        &alice,
        json!({"name": "one"}),
    )
    .await
    .expect(201);
    srv.call(
        Method::PUT,
        "/api/v2/organizations/default/members/alice/roles",
        &admin,
        json!({"roles": ["organization-admin", "organization-workspace-creation-ban"]}),
    )
    .await
    .expect(200);
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/bob/workspaces",
        &alice,
        json!({"name": "two"}),
    )
    .await
    .expect_error(403, "Forbidden.");
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/alice/workspaces",
        &alice,
        json!({"name": "mine"}),
    )
    .await
    .expect_error(403, "Forbidden.");
}

async fn custom_roles_grant_what_they_say(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    let (_, alice) = srv.user(&admin, "alice").await;
    srv.user(&admin, "bob").await;
    let create_for_bob = || {
        srv.call(
            Method::POST,
            "/api/v2/organizations/default/members/bob/workspaces",
            &alice,
            json!({"name": "for-bob"}),
        )
    };
    // A plain member may create their own workspace, not another member's.
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/alice/workspaces",
        &alice,
        json!({"name": "own"}),
    )
    .await
    .expect(201);
    create_for_bob().await.expect_error(403, "Forbidden.");

    let role = srv
        .call(Method::POST, "/api/v2/organizations/default/members/roles", &admin, json!({
            "name": "Workspace-Creator", "display_name": "Workspace creator",
            "organization_permissions": [{"negate": false, "resource_type": "workspace", "action": "create"}],
        }))
        .await
        .expect(200);
    assert_eq!(role["name"], "workspace-creator");
    srv.call(
        Method::PUT,
        "/api/v2/organizations/default/members/alice/roles",
        &admin,
        json!({"roles": ["workspace-creator"]}),
    )
    .await
    .expect(200);
    create_for_bob().await.expect(201);

    // Updated without the permission: refused at once.
    srv.call(Method::PUT, "/api/v2/organizations/default/members/roles", &admin, json!({
        "name": "workspace-creator", "display_name": "Workspace reader",
        "organization_permissions": [{"negate": false, "resource_type": "workspace", "action": "read"}],
    }))
    .await
    .expect(200);
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/bob/workspaces",
        &alice,
        json!({"name": "again"}),
    )
    .await
    .expect_error(403, "Forbidden.");
    let member = srv
        .get("/api/v2/organizations/default/members/alice", &admin)
        .await
        .expect(200);
    assert_eq!(member["roles"][0]["display_name"], "Workspace reader");

    // Deleted: gone from the member too.
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/default/members/roles/workspace-creator",
        Some(&admin),
    ))
    .await
    .expect(204);
    let member = srv
        .get("/api/v2/organizations/default/members/alice", &admin)
        .await
        .expect(200);
    assert_eq!(member["roles"], json!([]));

    // Refusals.
    let body = srv
        .call(
            Method::POST,
            "/api/v2/organizations/default/members/roles",
            &admin,
            json!({
                "name": "sneaky", "organization_permissions": [
                    {"negate": true, "resource_type": "workspace", "action": "read"},
                    {"negate": false, "resource_type": "*", "action": "read"}],
            }),
        )
        .await
        .expect_error(400, "Failed to update role permissions");
    assert_eq!(body["validations"].as_array().unwrap().len(), 2, "{body}");
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/roles",
        &admin,
        json!({"name": "organization-admin"}),
    )
    .await
    .expect_error(400, "Reserved role name");
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/roles",
        &alice,
        json!({"name": "mine"}),
    )
    .await
    .expect_error(404, NOT_FOUND);
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/default/members/roles/nope",
        Some(&admin),
    ))
    .await
    .expect_error(404, "No custom role with the name nope found");
}

async fn custom_role_refusals(backend: Backend) {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    let path = "/api/v2/organizations/default/members/roles";
    let perm = |t: &str, a: &str| json!([{"negate": false, "resource_type": t, "action": a}]);
    let cases = [
        (json!({"name": "bad name"}), "Validation failed.", None),
        (
            json!({"name": "r1", "site_permissions": perm("workspace", "read")}),
            "Invalid request, not allowed to assign site wide permissions for an organization role.",
            Some("organization scoped roles may not contain site wide permissions"),
        ),
        (
            json!({"name": "r1", "user_permissions": perm("workspace", "read")}),
            "Invalid request, not allowed to assign user permissions for an organization role.",
            Some("organization scoped roles may not contain user permissions"),
        ),
        (
            json!({"name": "r1", "organization_member_permissions": perm("workspace", "read")}),
            "Invalid request, not allowed to assign organization member permissions for an organization role.",
            Some("organization scoped roles may not contain organization member permissions"),
        ),
        (
            json!({"name": "r1", "organization_permissions": perm("nonsense", "read")}),
            "Failed to update role permissions",
            Some("invalid role: invalid resource type \"nonsense\""),
        ),
        (
            json!({"name": "r1", "organization_permissions": perm("user", "ssh")}),
            "Failed to update role permissions",
            Some("invalid role: invalid action \"ssh\" for resource \"user\""),
        ),
        (
            json!({"name": "Owner"}),
            "Reserved role name",
            Some("\"Owner\" is a reserved role name, and not allowed to be used"),
        ),
    ];
    for (body, message, detail) in cases {
        let reply = srv
            .call(Method::POST, path, &admin, body.clone())
            .await
            .expect_error(400, message);
        if let Some(d) = detail {
            assert_eq!(reply["detail"], d, "{body}");
        }
    }
    // Names are unique per organization whatever the case.
    srv.call(Method::POST, path, &admin, json!({"name": "dup"}))
        .await
        .expect(200);
    srv.call(Method::POST, path, &admin, json!({"name": "DUP"}))
        .await
        .expect_error(400, "Failed to update role permissions");
    // A replacement drops permissions that are no longer valid instead of refusing.
    let mut perms = perm("nonsense", "read");
    perms
        .as_array_mut()
        .unwrap()
        .push(json!({"negate": false, "resource_type": "workspace", "action": "read"}));
    let role = srv
        .call(
            Method::PUT,
            path,
            &admin,
            json!({"name": "dup", "organization_permissions": perms}),
        )
        .await
        .expect(200);
    assert_eq!(
        role["organization_permissions"],
        json!([{"negate": false, "resource_type": "workspace", "action": "read"}])
    );
    // Replacing a role that does not exist is 404.
    srv.call(Method::PUT, path, &admin, json!({"name": "ghost"}))
        .await
        .expect_error(404, NOT_FOUND);
}

async fn custom_roles_keep_working_without_the_entitlement(backend: Backend) {
    // One database, first served with custom roles enabled, then by a server without them.
    let dir = tempfile::tempdir().unwrap();
    let url = match &backend {
        Backend::Sqlite => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("shared.db").display()
        ),
        Backend::Postgres(admin) => crate::harness::fresh_postgres_database(admin).await,
    };
    let (admin, alice) = {
        let srv = Server::start_on(tempfile::tempdir().unwrap(), &url, &[]).await;
        let admin = srv.first_user().await;
        let (_, alice) = srv.user(&admin, "alice").await;
        srv.user(&admin, "bob").await;
        srv.call(Method::POST, "/api/v2/organizations/default/members/roles", &admin, json!({
            "name": "creator",
            "organization_permissions": [{"negate": false, "resource_type": "workspace", "action": "create"}],
        }))
        .await
        .expect(200);
        (admin, alice)
    };
    let srv = Server::start_on(
        tempfile::tempdir().unwrap(),
        &url,
        &[("ROSTER_ENTITLEMENTS__CUSTOM_ROLES", "false")],
    )
    .await;
    let roles = srv
        .get("/api/v2/organizations/default/members/roles", &admin)
        .await
        .expect(200);
    let creator = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "creator")
        .unwrap();
    assert_eq!(creator["assignable"], true);
    assert_eq!(creator["built_in"], false);
    srv.call(
        Method::PUT,
        "/api/v2/organizations/default/members/alice/roles",
        &admin,
        json!({"roles": ["creator"]}),
    )
    .await
    .expect(200);
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/bob/workspaces",
        &alice,
        json!({"name": "w"}),
    )
    .await
    .expect(201);
    srv.call(
        Method::PUT,
        "/api/v2/organizations/default/members/roles",
        &admin,
        json!({"name": "creator"}),
    )
    .await
    .expect_error(403, "Custom Roles is a Premium feature. Contact sales!");
}

async fn custom_roles_entitlement(backend: Backend) {
    let srv = Server::start(&backend, &[("ROSTER_ENTITLEMENTS__CUSTOM_ROLES", "false")]).await;
    let admin = srv.first_user().await;
    srv.call(
        Method::POST,
        "/api/v2/organizations/default/members/roles",
        &admin,
        json!({"name": "x"}),
    )
    .await
    .expect_error(403, "Custom Roles is a Premium feature. Contact sales!");
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/default/members/roles/x",
        Some(&admin),
    ))
    .await
    .expect_error(403, "Custom Roles is a Premium feature. Contact sales!");
}

e2e!(
    membership_lifecycle,
    ai_seats_follow_the_entitlement,
    workspace_creation_ban_blocks_even_admins,
    custom_roles_grant_what_they_say,
    custom_roles_entitlement,
    custom_role_refusals,
    custom_roles_keep_working_without_the_entitlement,
);
