//! The admin UI in a real browser.

use std::path::PathBuf;

use reqwest::Method;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::harness::{ADMIN_EMAIL, PASSWORD, Server};

const AI_ON: &[(&str, &str)] = &[("ROSTER_ENTITLEMENTS__AI_GOVERNANCE_USER_LIMIT", "10")];

/// Where people find the screenshots: `target/ui-screenshots/` of the workspace.
fn screenshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/ui-screenshots")
        .join(name)
}

fn role_names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_user_setup_sign_out_and_sign_in() {
    let srv = Server::start(&[]).await;
    // The assets are served with a strict policy.
    let res = reqwest::get(srv.url("/")).await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let res = reqwest::get(srv.url("/assets/app.js")).await.unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(res.headers()["cache-control"], "no-cache");

    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    // No user yet: the setup form.
    b.goto("/").await;
    b.wait_text("h1", "Create the first user").await;
    b.type_into("input[name=username]", "admin").await;
    b.type_into("input[name=name]", "Admin").await;
    b.type_into("input[name=email]", ADMIN_EMAIL).await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("button[type=submit]").await;
    b.wait_text("h1", "Users").await;
    b.wait("tr[data-row=admin]").await;

    // Sign out, then a wrong password is refused, then sign in.
    b.click("#signout").await;
    b.wait_text("h1", "Sign in").await;
    b.type_into("input[name=email]", ADMIN_EMAIL).await;
    b.type_into("input[name=password]", "wrong-password").await;
    b.click("button[type=submit]").await;
    b.wait_text(".alert", "Incorrect email or password.").await;
    b.screenshot(&screenshot_path("sign-in.png")).await;
    b.sign_in(ADMIN_EMAIL).await;

    // A deep link survives a reload, and a signed-out visit comes back to it after sign-in.
    b.goto("/#/organizations/default/members").await;
    b.wait_text("h1", "Members").await;
    b.click("#signout").await;
    b.wait_text("h1", "Sign in").await;
    b.goto("/#/organizations/default/roles").await;
    b.wait_text("h1", "Sign in").await;
    b.type_into("input[name=email]", ADMIN_EMAIL).await;
    b.type_into("input[name=password]", PASSWORD).await;
    b.click("button[type=submit]").await;
    b.wait_text("h1", "Custom roles").await;

    // The audit log lists what this test did (the first user's creation among it).
    b.goto("/#/audit").await;
    b.wait_text("h1", "Audit log").await;
    b.wait("table").await;
    b.screenshot(&screenshot_path("audit.png")).await;
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_addon_column_absent_without_the_entitlement() {
    let srv = Server::start(&[]).await;
    let admin = srv.first_user().await;
    let alice = srv.user(&admin, "alice").await;
    srv.expect(
        Method::POST,
        "/api/v2/aibridge/interceptions",
        &admin,
        Some(json!({"initiator_id": alice, "provider": "anthropic", "model": "claude"})),
        201,
    )
    .await;
    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    b.sign_in(ADMIN_EMAIL).await;
    b.wait("tr[data-row=alice]").await;
    assert_eq!(b.count("th[data-col=ai]").await, 0);
    assert_eq!(b.count("[data-ai-seat]").await, 0);
    assert_eq!(b.count("#ai-seats").await, 0);
    assert!(!b.page_text().await.contains("AI add-on"));
    b.goto("/#/organizations/default/members").await;
    b.wait("table[data-list=members] tr[data-row=alice]").await;
    assert_eq!(b.count("th[data-col=ai]").await, 0);
    assert_eq!(b.count("[data-ai-seat]").await, 0);
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_addon_column_with_the_entitlement() {
    let srv = Server::start(AI_ON).await;
    let admin = srv.first_user().await;
    let alice = srv.user(&admin, "alice").await;
    srv.user(&admin, "bob").await;
    srv.expect(
        Method::POST,
        "/api/v2/aibridge/interceptions",
        &admin,
        Some(json!({"initiator_id": alice, "provider": "anthropic", "model": "claude"})),
        201,
    )
    .await;
    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    b.sign_in(ADMIN_EMAIL).await;
    for table in ["users", "members"] {
        if table == "users" {
            b.wait("table[data-list=users] tr[data-row=bob]").await;
            b.screenshot(&screenshot_path("users.png")).await;
        } else {
            b.goto("/#/organizations/default/members").await;
            b.wait("table[data-list=members]").await;
        }
        let head = b
            .wait(&format!("table[data-list={table}] th[data-col=ai]"))
            .await;
        assert!(head.text().await.unwrap().contains("AI add-on"));
        let tip = head
            .find(fantoccini::Locator::Css("[role=tooltip]"))
            .await
            .unwrap();
        assert_eq!(
            tip.prop("textContent").await.unwrap().unwrap(),
            "Users with access to AI features like AI Bridge, Boundary, or Tasks who are actively consuming a seat."
        );
        let check = b
            .wait(&format!(
                "table[data-list={table}] tr[data-row=alice] [data-ai-seat]"
            ))
            .await;
        assert_eq!(
            check.attr("aria-label").await.unwrap().unwrap(),
            "Consuming AI seat"
        );
        assert_eq!(check.attr("data-ai-seat").await.unwrap().unwrap(), "true");
        let cross = b
            .wait(&format!(
                "table[data-list={table}] tr[data-row=bob] [data-ai-seat]"
            ))
            .await;
        assert_eq!(
            cross.attr("aria-label").await.unwrap().unwrap(),
            "Not consuming AI seat"
        );
        assert_eq!(cross.attr("data-ai-seat").await.unwrap().unwrap(), "false");
        b.wait_text("#ai-seats", "1 of 10 used").await;
    }
    b.screenshot(&screenshot_path("members.png")).await;
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_a_members_roles_through_the_ui() {
    let srv = Server::start(&[]).await;
    let admin = srv.first_user().await;
    srv.user(&admin, "alice").await;
    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    b.sign_in(ADMIN_EMAIL).await;
    b.goto("/#/organizations/default/members").await;
    b.click("tr[data-row=alice] button[data-action=edit-roles]")
        .await;
    b.click("dialog input[value=organization-auditor]").await;
    b.click("dialog input[value=organization-template-admin]")
        .await;
    b.click("dialog button[type=submit]").await;
    b.wait_gone("dialog").await;
    b.wait_text("tr[data-row=alice]", "Organization Auditor")
        .await;
    let m = srv
        .get("/api/v2/organizations/default/members/alice", &admin)
        .await;
    let mut got = role_names(&m["roles"]);
    got.sort();
    assert_eq!(got, ["organization-auditor", "organization-template-admin"]);
    b.screenshot(&screenshot_path("members-roles.png")).await;

    // Remove after a confirmation.
    b.click("tr[data-row=alice] button[data-action=remove]")
        .await;
    b.wait_text("dialog", "Remove alice?").await;
    b.click("dialog button.primary").await;
    b.wait_gone("tr[data-row=alice]").await;
    let (status, _) = srv
        .call(
            Method::GET,
            "/api/v2/organizations/default/members/alice",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 404);
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_a_custom_role_through_the_grid() {
    let srv = Server::start(&[]).await;
    let admin = srv.first_user().await;
    srv.user(&admin, "alice").await;
    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    b.sign_in(ADMIN_EMAIL).await;
    b.goto("/#/organizations/default/roles").await;
    b.click("#create-role").await;
    // An invalid name: the refusal shows next to the name field.
    b.type_into("#role-name", "Not Valid!").await;
    b.click("dialog input[value='workspace:read']").await;
    b.click("dialog input[value='organization_member:read']")
        .await;
    b.click("dialog button[type=submit]").await;
    b.wait("dialog [data-field-error=name]").await;
    b.screenshot(&screenshot_path("role-editor.png")).await;
    assert_eq!(
        b.wait("#role-name")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let name = b.wait("#role-name").await;
    name.clear().await.unwrap();
    name.send_keys("support-lead").await.unwrap();
    b.type_into("#role-display-name", "Support lead").await;
    b.click("dialog button[type=submit]").await;
    b.wait_gone("dialog").await;
    b.wait_text("tr[data-row=support-lead]", "Support lead")
        .await;

    let roles = srv
        .get("/api/v2/organizations/default/members/roles", &admin)
        .await;
    let role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "support-lead")
        .expect("the role exists");
    assert_eq!(role["display_name"], "Support lead");
    let mut perms: Vec<String> = role["organization_permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["resource_type"].as_str().unwrap(),
                p["action"].as_str().unwrap()
            )
        })
        .collect();
    perms.sort();
    assert_eq!(perms, ["organization_member:read", "workspace:read"]);

    // Delete: the confirmation counts the members holding the role.
    srv.expect(
        Method::PUT,
        "/api/v2/organizations/default/members/alice/roles",
        &admin,
        Some(json!({"roles": ["support-lead"]})),
        200,
    )
    .await;
    b.click("tr[data-row=support-lead] button.danger").await;
    b.wait_text("#delete-role-holders", "1 member holds this role")
        .await;
    b.click("dialog button.primary").await;
    b.wait_gone("tr[data-row=support-lead]").await;
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_member_sees_no_admin_actions() {
    let srv = Server::start(AI_ON).await;
    let admin = srv.first_user().await;
    srv.user(&admin, "alice").await;
    srv.user(&admin, "bob").await;
    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    b.sign_in("alice@example.com").await;
    assert_eq!(b.count("td.actions button").await, 0, "users page");
    assert_eq!(b.count("main button.danger").await, 0);

    b.goto("/#/organizations/default/members").await;
    b.wait("table[data-list=members] tr[data-row=alice]").await;
    assert_eq!(b.count("#add-member").await, 0);
    assert_eq!(b.count("[data-action]").await, 0);
    assert_eq!(b.count("td.actions button").await, 0, "members page");

    b.goto("/#/organizations/default/roles").await;
    b.wait_text("h1", "Custom roles").await;
    b.wait("table[data-list=roles], .notice").await;
    assert_eq!(b.count("#create-role").await, 0);
    assert_eq!(b.count("td.actions button").await, 0, "roles page");
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_activate_and_site_roles_on_the_users_page() {
    let srv = Server::start(&[]).await;
    let admin = srv.first_user().await;
    srv.user(&admin, "alice").await;
    let Some(b) = Browser::start(&srv.url("")).await else {
        return;
    };
    b.sign_in(ADMIN_EMAIL).await;
    // The status filter composes `q`, and the search box too.
    b.wait("tr[data-row=alice]").await;
    b.click("button[aria-label='Suspend alice']").await;
    b.wait_text("dialog", "Suspend alice?").await;
    b.click("dialog button.primary").await;
    b.wait("button[aria-label='Activate alice']").await;
    let u = srv.get("/api/v2/users/alice", &admin).await;
    assert_eq!(u["status"], "suspended");
    b.wait("#users-status")
        .await
        .select_by_value("active")
        .await
        .unwrap();
    b.wait_gone("tr[data-row=alice]").await;
    b.wait("#users-status")
        .await
        .select_by_value("")
        .await
        .unwrap();
    b.click("button[aria-label='Activate alice']").await;
    b.wait("button[aria-label='Suspend alice']").await;
    let u = srv.get("/api/v2/users/alice", &admin).await;
    assert_eq!(u["status"], "active");

    b.click("button[aria-label='Edit site roles of alice']")
        .await;
    b.click("dialog input[value=auditor]").await;
    b.click("dialog button[type=submit]").await;
    b.wait_gone("dialog").await;
    b.wait_text("tr[data-row=alice]", "Auditor").await;
    let u = srv.get("/api/v2/users/alice", &admin).await;
    assert_eq!(role_names(&u["roles"]), ["auditor"]);

    // A bad query is refused next to the search box.
    b.type_into("#users-search", "nope:x").await;
    b.click("form[role=search] button[type=submit]").await;
    b.wait_text(".list-error", "Invalid user search query.")
        .await;
    b.finish().await;
}
