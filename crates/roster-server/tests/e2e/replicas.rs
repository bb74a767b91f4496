//! Several servers sharing one PostgreSQL: a role changed through one is enforced by the others
//! on their very next request.

use reqwest::Method;
use serde_json::json;

use crate::harness::{Backend, Server, fresh_postgres_database};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_reach_every_replica_at_once() {
    let Some(Backend::Postgres(admin_url)) = Backend::postgres() else {
        return;
    };
    let url = fresh_postgres_database(&admin_url).await;
    let a = Server::start_on(tempfile::tempdir().unwrap(), &url, &[]).await;
    let b = Server::start_on(tempfile::tempdir().unwrap(), &url, &[]).await;
    let admin = a.first_user().await;
    let (_, alice) = a.user(&admin, "alice").await;
    a.user(&admin, "bob").await;
    let create_on_b = |name: &'static str| {
        b.call(
            Method::POST,
            "/api/v2/organizations/default/members/bob/workspaces",
            &alice,
            json!({"name": name}),
        )
    };
    let role = |actions: &[&str]| {
        let perms: Vec<_> = actions
            .iter()
            .map(|a| json!({"negate": false, "resource_type": "workspace", "action": a}))
            .collect();
        json!({"name": "creator", "display_name": "Creator", "organization_permissions": perms})
    };
    create_on_b("w0").await.expect_error(403, "Forbidden.");

    a.call(
        Method::POST,
        "/api/v2/organizations/default/members/roles",
        &admin,
        role(&["create", "read"]),
    )
    .await
    .expect(200);
    a.call(
        Method::PUT,
        "/api/v2/organizations/default/members/alice/roles",
        &admin,
        json!({"roles": ["creator"]}),
    )
    .await
    .expect(200);
    create_on_b("w1").await.expect(201);

    // Updated through A: B refuses at once.
    a.call(
        Method::PUT,
        "/api/v2/organizations/default/members/roles",
        &admin,
        role(&["read"]),
    )
    .await
    .expect(200);
    create_on_b("w2").await.expect_error(403, "Forbidden.");

    // Granted again through B, deleted through A: B refuses at once.
    b.call(
        Method::PUT,
        "/api/v2/organizations/default/members/roles",
        &admin,
        role(&["create", "read"]),
    )
    .await
    .expect(200);
    create_on_b("w3").await.expect(201);
    a.send(a.request(
        Method::DELETE,
        "/api/v2/organizations/default/members/roles/creator",
        Some(&admin),
    ))
    .await
    .expect(204);
    create_on_b("w4").await.expect_error(403, "Forbidden.");
}
