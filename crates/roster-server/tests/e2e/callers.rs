//! The caller table: every kind of caller against the members and roles endpoints, with the
//! status Coder's rules (and Roster's decisions) give each.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::e2e;
use crate::harness::{Backend, Server};

/// The callers, in the order of every row below.
const CALLERS: [&str; 12] = [
    "owner",
    "user-admin",
    "auditor",
    "template-admin",
    "org-admin",
    "org-user-admin",
    "org-auditor",
    "org-template-admin",
    "member",
    "outsider",
    "suspended",
    "anonymous",
];

struct World {
    srv: Server,
    tokens: HashMap<&'static str, Option<String>>,
}

async fn world(backend: Backend) -> World {
    let srv = Server::start(&backend, &[]).await;
    let admin = srv.first_user().await;
    for org in ["acme", "beta"] {
        srv.call(
            Method::POST,
            "/api/v2/organizations",
            &admin,
            json!({"name": org}),
        )
        .await
        .expect(201);
    }
    let mut tokens = HashMap::new();
    tokens.insert("owner", Some(admin.clone()));
    tokens.insert("anonymous", None);
    // Site roles live in the default organization only: their power over acme is site-wide.
    for caller in ["user-admin", "auditor", "template-admin"] {
        let (id, token) = srv.user(&admin, caller).await;
        let path = format!("/api/v2/users/{id}/roles");
        srv.call(Method::PUT, &path, &admin, json!({"roles": [caller]}))
            .await
            .expect(200);
        tokens.insert(caller, Some(token));
    }
    for (caller, org_role) in [
        ("org-admin", Some("organization-admin")),
        ("org-user-admin", Some("organization-user-admin")),
        ("org-auditor", Some("organization-auditor")),
        ("org-template-admin", Some("organization-template-admin")),
        ("member", None),
        ("suspended", None),
    ] {
        let (_, token) = srv.user(&admin, caller).await;
        add(&srv, &admin, "acme", caller).await;
        if let Some(role) = org_role {
            let path = format!("/api/v2/organizations/acme/members/{caller}/roles");
            srv.call(Method::PUT, &path, &admin, json!({"roles": [role]}))
                .await
                .expect(200);
        }
        tokens.insert(caller, Some(token));
    }
    let (_, outsider) = srv.user(&admin, "outsider").await;
    add(&srv, &admin, "beta", "outsider").await;
    tokens.insert("outsider", Some(outsider));
    let suspend = "/api/v2/users/suspended/status/suspend";
    srv.send(srv.request(Method::PUT, suspend, Some(&admin)))
        .await
        .expect(200);
    // Targets: one member everyone reads and edits, and one per caller to add and remove.
    srv.user(&admin, "target").await;
    add(&srv, &admin, "acme", "target").await;
    for caller in CALLERS {
        srv.user(&admin, &format!("add-{caller}")).await;
        srv.user(&admin, &format!("del-{caller}")).await;
        add(&srv, &admin, "acme", &format!("del-{caller}")).await;
    }
    World { srv, tokens }
}

async fn add(srv: &Server, admin: &str, org: &str, user: &str) {
    let path = format!("/api/v2/organizations/{org}/members/{user}");
    srv.send(srv.request(Method::POST, &path, Some(admin)))
        .await
        .expect(200);
}

impl World {
    async fn status(&self, caller: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
        let token = self.tokens[caller].as_deref();
        let mut rb = self.srv.request(method, path, token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.srv.send(rb).await.status.as_u16()
    }

    /// Every caller's status for the same request.
    async fn row(&self, method: Method, path: &str, body: Option<Value>) -> Vec<u16> {
        let mut got = Vec::new();
        for c in CALLERS {
            got.push(self.status(c, method.clone(), path, body.clone()).await);
        }
        got
    }
}

#[track_caller]
fn check(row: &str, got: &[u16], expected: [u16; 12]) {
    let mismatches: Vec<String> = CALLERS
        .iter()
        .zip(got.iter().zip(expected.iter()))
        .filter(|(_, (g, e))| g != e)
        .map(|(c, (g, e))| format!("{c}: got {g}, expected {e}"))
        .collect();
    assert!(mismatches.is_empty(), "{row}: {}", mismatches.join("; "));
}

async fn caller_table(backend: Backend) {
    let w = world(backend).await;
    // Columns: owner, user-admin, auditor, template-admin, org-admin, org-user-admin,
    // org-auditor, org-template-admin, member, outsider, suspended, anonymous.
    let got = w
        .row(
            Method::GET,
            "/api/v2/organizations/acme/paginated-members",
            None,
        )
        .await;
    check(
        "paginated members",
        &got,
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 401, 401],
    );
    let got = w
        .row(Method::GET, "/api/v2/organizations/acme/members", None)
        .await;
    check(
        "list members",
        &got,
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 401, 401],
    );
    let got = w
        .row(
            Method::GET,
            "/api/v2/organizations/acme/members/target",
            None,
        )
        .await;
    check(
        "get member",
        &got,
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 401, 401],
    );
    let got = w
        .row(
            Method::GET,
            "/api/v2/organizations/acme/members/roles",
            None,
        )
        .await;
    check(
        "organization roles",
        &got,
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 404, 401, 401],
    );
    let got = w.row(Method::GET, "/api/v2/users/roles", None).await;
    check(
        "site roles",
        &got,
        [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401],
    );

    let mut got = Vec::new();
    for c in CALLERS {
        let path = format!("/api/v2/organizations/acme/members/add-{c}");
        got.push(w.status(c, Method::POST, &path, None).await);
    }
    check(
        "add member",
        &got,
        [200, 200, 404, 404, 200, 200, 404, 404, 404, 404, 401, 401],
    );

    // Each caller asks for a change from the target's current set, so the permission checks
    // always run.
    let mut got = Vec::new();
    let mut holds_auditor = false;
    for c in CALLERS {
        let roles = if holds_auditor {
            json!([])
        } else {
            json!(["organization-auditor"])
        };
        let path = "/api/v2/organizations/acme/members/target/roles";
        let status = w
            .status(c, Method::PUT, path, Some(json!({"roles": roles})))
            .await;
        if status == 200 {
            holds_auditor = !holds_auditor;
        }
        got.push(status);
    }
    check(
        "set member roles",
        &got,
        [200, 400, 403, 403, 200, 400, 403, 403, 403, 404, 401, 401],
    );

    let mut got = Vec::new();
    for c in CALLERS {
        let path = format!("/api/v2/organizations/acme/members/del-{c}");
        got.push(w.status(c, Method::DELETE, &path, None).await);
    }
    check(
        "remove member",
        &got,
        [204, 204, 404, 404, 204, 204, 404, 404, 404, 404, 401, 401],
    );

    let mut got = Vec::new();
    for c in CALLERS {
        let body = json!({"name": format!("r-{c}"), "organization_permissions": [
            {"negate": false, "resource_type": "workspace", "action": "read"}]});
        let path = "/api/v2/organizations/acme/members/roles";
        got.push(w.status(c, Method::POST, path, Some(body)).await);
    }
    check(
        "create custom role",
        &got,
        [200, 404, 404, 404, 200, 404, 404, 404, 404, 404, 401, 401],
    );

    let got = w
        .row(
            Method::DELETE,
            "/api/v2/organizations/acme/members/roles/nonexistent",
            None,
        )
        .await;
    check(
        "delete custom role",
        &got,
        [404, 403, 403, 403, 404, 403, 403, 403, 403, 404, 401, 401],
    );
}

e2e!(caller_table);
