//! The audit log through the real binary: one entry per audited change with its diff, failed
//! requests without one, the `q` filters, and who may read what.

use reqwest::Method;
use serde_json::{Value, json};

use crate::e2e;
use crate::harness::{Backend, Server};

e2e!(audits_every_change_and_filters_by_reader);

/// `GET /audit` as `token`: the entries.
async fn audit(srv: &Server, token: &str, q: &str) -> (u64, Vec<Value>) {
    let path = format!("/api/v2/audit?q={}", urlencode(q));
    let body = srv.get(&path, token).await.expect(200);
    (
        body["count"].as_u64().unwrap(),
        body["audit_logs"].as_array().unwrap().clone(),
    )
}

fn urlencode(s: &str) -> String {
    s.replace(' ', "+").replace(':', "%3A")
}

/// `action resource_type target status` of each entry, oldest first.
fn summary(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .rev()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e["action"].as_str().unwrap(),
                e["resource_type"].as_str().unwrap(),
                e["resource_target"].as_str().unwrap(),
                e["status_code"]
            )
        })
        .collect()
}

async fn audits_every_change_and_filters_by_reader(backend: Backend) {
    // Setup: the first user is not audited (there is no actor yet).
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    assert_eq!(audit(&srv, &admin, "").await.0, 0);

    // Exec: every audited change, and one refused request.
    let (_, alice) = srv.user(&admin, "alice").await;
    let (_, carol) = srv.user(&admin, "carol").await;
    let (_, dave) = srv.user(&admin, "dave").await;
    let (eve_id, _) = srv.user(&admin, "eve").await;
    let acme = srv
        .call(
            Method::POST,
            "/api/v2/organizations",
            &admin,
            json!({"name": "acme"}),
        )
        .await
        .expect(201);
    let acme_id = acme["id"].as_str().unwrap().to_owned();
    srv.call(
        Method::PATCH,
        "/api/v2/organizations/acme",
        &admin,
        json!({"display_name": "Acme Inc"}),
    )
    .await
    .expect(200);
    for who in ["alice", "carol"] {
        srv.send(srv.request(
            Method::POST,
            &format!("/api/v2/organizations/acme/members/{who}"),
            Some(&admin),
        ))
        .await
        .expect(200);
    }
    srv.send(srv.request(
        Method::POST,
        "/api/v2/organizations/acme/members/alice",
        Some(&admin),
    ))
    .await
    .expect_error(400, "User is already an organization member");
    srv.call(
        Method::PUT,
        "/api/v2/organizations/acme/members/carol/roles",
        &admin,
        json!({"roles": ["organization-auditor"]}),
    )
    .await
    .expect(200);
    let perm =
        |action: &str| json!([{"negate": false, "resource_type": "workspace", "action": action}]);
    for (method, action) in [(Method::POST, "read"), (Method::PUT, "create")] {
        srv.call(
            method,
            "/api/v2/organizations/acme/members/roles",
            &admin,
            json!({"name": "reviewer", "display_name": "Reviewer", "organization_permissions": perm(action)}),
        )
        .await
        .expect(200);
    }
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/acme/members/roles/reviewer",
        Some(&admin),
    ))
    .await
    .expect(204);
    srv.send(srv.request(
        Method::DELETE,
        "/api/v2/organizations/acme/members/alice",
        Some(&admin),
    ))
    .await
    .expect(204);
    srv.call(
        Method::PUT,
        "/api/v2/users/dave/roles",
        &admin,
        json!({"roles": ["auditor"]}),
    )
    .await
    .expect(200);
    srv.call(
        Method::PUT,
        "/api/v2/users/dave/roles",
        &admin,
        json!({"roles": []}),
    )
    .await
    .expect(200);
    for status in ["suspend", "activate"] {
        srv.send(srv.request(
            Method::PUT,
            &format!("/api/v2/users/eve/status/{status}"),
            Some(&admin),
        ))
        .await
        .expect(200);
    }
    srv.send(srv.request(
        Method::DELETE,
        &format!("/api/v2/users/{eve_id}"),
        Some(&admin),
    ))
    .await
    .expect(204);
    srv.call(
        Method::POST,
        "/api/v2/organizations",
        &admin,
        json!({"name": "globex"}),
    )
    .await
    .expect(201);
    srv.send(srv.request(Method::DELETE, "/api/v2/organizations/globex", Some(&admin)))
        .await
        .expect(200);

    // Check: one entry per request, oldest last in the answer.
    let (count, all) = audit(&srv, &admin, "").await;
    assert_eq!(
        summary(&all),
        [
            "create user alice 201",
            "create user carol 201",
            "create user dave 201",
            "create user eve 201",
            "create organization acme 201",
            "write organization acme 200",
            "create organization_member alice 200",
            "create organization_member carol 200",
            "create organization_member alice 400",
            "write organization_member carol 200",
            "create custom_role reviewer 200",
            "write custom_role reviewer 200",
            "delete custom_role reviewer 204",
            "delete organization_member alice 204",
            "write user dave 200",
            "write user dave 200",
            "write user eve 200",
            "write user eve 200",
            "delete user eve 204",
            "create organization globex 201",
            "delete organization globex 200",
        ]
    );
    assert_eq!(count, 21);
    for e in &all {
        assert_eq!(e["user"]["username"], "admin");
        assert_eq!(e["ip"], "127.0.0.1");
        assert!(!e["request_id"].as_str().unwrap().is_empty());
        let failed = e["status_code"].as_u64().unwrap() >= 400;
        assert_eq!(
            e["diff"].as_object().unwrap().is_empty(),
            failed,
            "diff of {}",
            e["description"]
        );
    }
    let by = |action: &str, resource: &str, target: &str, status: u64| -> &Value {
        all.iter()
            .find(|e| {
                e["action"] == action
                    && e["resource_type"] == resource
                    && e["resource_target"] == target
                    && e["status_code"] == status
            })
            .unwrap()
    };
    let carol_roles = by("write", "organization_member", "carol", 200);
    assert_eq!(
        carol_roles["diff"]["roles"],
        json!({"old": [], "new": ["organization-auditor"], "secret": false})
    );
    assert_eq!(carol_roles["organization"]["name"], "acme");
    assert_eq!(carol_roles["organization_id"], acme_id.as_str());
    assert_eq!(
        by("write", "organization", "acme", 200)["diff"]["display_name"],
        json!({"old": "acme", "new": "Acme Inc", "secret": false})
    );
    assert_eq!(
        by("write", "custom_role", "reviewer", 200)["diff"]["name"],
        Value::Null,
        "unchanged fields are left out"
    );
    assert_eq!(
        by("delete", "user", "eve", 204)["diff"]["deleted"],
        json!({"old": false, "new": true, "secret": false})
    );
    let failed = by("create", "organization_member", "alice", 400);
    assert_eq!(failed["organization"]["name"], "acme");
    assert_eq!(
        by("create", "user", "alice", 201)["organization_id"],
        "00000000-0000-0000-0000-000000000000"
    );
    assert!(
        by("create", "user", "alice", 201)
            .get("organization")
            .is_none()
    );

    // Filters.
    let (n, roles) = audit(&srv, &admin, "resource_type:custom_role").await;
    assert_eq!((n, summary(&roles).len()), (3, 3));
    assert_eq!(audit(&srv, &admin, "action:delete").await.0, 4);
    assert_eq!(
        audit(&srv, &admin, "action:write resource_type:user")
            .await
            .0,
        4
    );
    assert_eq!(audit(&srv, &admin, "username:ADMIN").await.0, 21);
    assert_eq!(audit(&srv, &admin, "username:alice").await.0, 0);
    assert_eq!(audit(&srv, &admin, "organization:acme").await.0, 10);
    assert_eq!(
        audit(&srv, &admin, &format!("organization:{acme_id}"))
            .await
            .0,
        10
    );
    assert_eq!(audit(&srv, &admin, "action:login").await.0, 0);
    assert_eq!(audit(&srv, &admin, "eve").await.0, 4);
    let today = all[0]["time"].as_str().unwrap()[..10].to_owned();
    assert_eq!(
        audit(&srv, &admin, &format!("date_from:{today} date_to:{today}"))
            .await
            .0,
        21
    );
    assert_eq!(audit(&srv, &admin, "date_to:2000-01-01").await.0, 0);
    let page = srv
        .get("/api/v2/audit?limit=2&offset=1", &admin)
        .await
        .expect(200);
    assert_eq!(page["count"], 21);
    assert_eq!(page["audit_logs"][0]["resource_target"], "globex");
    assert_eq!(page["audit_logs"].as_array().unwrap().len(), 2);
    let bad = srv
        .get("/api/v2/audit?q=action%3Afly", &admin)
        .await
        .expect_error(400, "Invalid audit search query.");
    assert_eq!(bad["validations"][0]["field"], "action");

    // Readers: the organization auditor sees acme's entries only; a plain member none.
    let (n, mine) = audit(&srv, &carol, "").await;
    assert_eq!(n, 10);
    assert!(
        mine.iter()
            .all(|e| e["organization_id"] == acme_id.as_str())
    );
    assert_eq!(audit(&srv, &dave, "").await, (0, vec![]));
    assert_eq!(audit(&srv, &alice, "").await.0, 0);
}
