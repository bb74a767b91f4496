use roster_domain::RepoError;
use roster_domain::audit::{
    AuditAction, AuditEntry, AuditQuery, AuditResource, NewAuditEntry, OrganizationRef,
};
use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::organization::OrganizationPatch;
use roster_domain::page::{PageOf, Pagination};
use roster_domain::permission::{Action, Permission, ResourceType};
use roster_domain::ports::{AuditRepo, MemberRepo, OrganizationRepo, RoleRepo, UserRepo};
use roster_domain::role::CustomRoleInput;
use roster_domain::user::UserStatus;
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::fixtures::{fx_audit, fx_audit_by, fx_new_org, fx_new_user, fx_org, fx_user, t};
use crate::harness::backends;

backends!(
    every_audited_change_writes_one_entry_with_its_diff,
    a_failed_change_writes_no_entry,
    failures_are_recorded_without_a_diff,
    lists_filter_by_query_and_row_filter,
);

async fn all(store: &SeaStore) -> PageOf<AuditEntry> {
    AuditRepo::list(
        store,
        &AuditQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap()
}

fn role_input(org: roster_domain::ids::OrganizationId, perms: Vec<Permission>) -> CustomRoleInput {
    CustomRoleInput {
        name: "reviewer".into(),
        display_name: "Reviewer".into(),
        organization_id: org,
        organization_permissions: perms,
    }
}

async fn every_audited_change_writes_one_entry_with_its_diff(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let admin = fx_user(&store, "admin").await;
    let by = |secs| fx_audit_by(Some(admin.id), t(secs));
    assert_eq!(all(&store).await.count, 1, "the fixture user's creation");

    // Exec: one change of each audited kind, a second apart.
    let bob = UserRepo::create(&store, fx_new_user("bob"), by(1))
        .await
        .unwrap();
    let org = OrganizationRepo::create(&store, fx_new_org("acme"), by(2))
        .await
        .unwrap();
    let patch = OrganizationPatch {
        display_name: Some("Acme Inc".into()),
        ..OrganizationPatch::default()
    };
    OrganizationRepo::update(&store, org.id, patch, t(3), by(3))
        .await
        .unwrap();
    store.add(org.id, bob.id, t(4), by(4)).await.unwrap();
    let perms = vec![Permission::allow(ResourceType::Workspace, Action::Read)];
    RoleRepo::create(&store, role_input(org.id, perms), t(5), by(5))
        .await
        .unwrap();
    let perms = vec![Permission::allow(ResourceType::Workspace, Action::Create)];
    RoleRepo::update(&store, role_input(org.id, perms), t(6), by(6))
        .await
        .unwrap();
    store
        .set_roles(org.id, bob.id, vec!["reviewer".into()], t(7), by(7))
        .await
        .unwrap();
    RoleRepo::delete(&store, org.id, "reviewer", by(8))
        .await
        .unwrap();
    store.remove(org.id, bob.id, by(9)).await.unwrap();
    UserRepo::set_status(&store, bob.id, UserStatus::Suspended, t(10), by(10))
        .await
        .unwrap();
    UserRepo::set_site_roles(&store, bob.id, vec!["auditor".into()], t(11), by(11))
        .await
        .unwrap();
    UserRepo::delete(&store, bob.id, t(12), by(12))
        .await
        .unwrap();
    OrganizationRepo::delete(&store, org.id, t(13), by(13))
        .await
        .unwrap();

    // Check: newest first, one entry per change, each with its own diff.
    let page = all(&store).await;
    assert_eq!(page.count, 14);
    let mut entries = page.rows;
    entries.pop(); // the fixture user
    entries.reverse();
    let summary: Vec<(AuditAction, AuditResource, &str)> = entries
        .iter()
        .map(|e| (e.action, e.resource_type, e.resource_target.as_str()))
        .collect();
    use AuditAction::{Create, Delete, Write};
    use AuditResource::{CustomRole, Organization, OrganizationMember, User};
    assert_eq!(
        summary,
        vec![
            (Create, User, "bob"),
            (Create, Organization, "acme"),
            (Write, Organization, "acme"),
            (Create, OrganizationMember, "bob"),
            (Create, CustomRole, "reviewer"),
            (Write, CustomRole, "reviewer"),
            (Write, OrganizationMember, "bob"),
            (Delete, CustomRole, "reviewer"),
            (Delete, OrganizationMember, "bob"),
            (Write, User, "bob"),
            (Write, User, "bob"),
            (Delete, User, "bob"),
            (Delete, Organization, "acme"),
        ]
    );
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.time, t(i as i64 + 1));
        assert_eq!(e.user_id, Some(admin.id));
        assert_eq!(e.user.as_ref().map(|u| u.username.as_str()), Some("admin"));
        assert_eq!((e.status_code, e.ip.as_str()), (200, "127.0.0.1"));
        assert!(!e.diff.is_empty(), "entry {i} has a diff");
    }
    let diff = |i: usize| serde_json::to_value(&entries[i].diff).unwrap();
    // Users and organizations: site-wide and in their own organization.
    assert_eq!(entries[0].organization_id, None);
    assert_eq!(entries[0].resource_id, bob.id.0);
    assert_eq!(
        diff(0)["username"],
        json!({"old": null, "new": "bob", "secret": false})
    );
    assert_eq!(entries[1].organization_id, Some(org.id));
    assert_eq!(
        entries[1].organization.as_ref().map(|o| o.name.as_str()),
        Some("acme")
    );
    assert_eq!(
        diff(2)["display_name"],
        json!({"old": "Display acme", "new": "Acme Inc", "secret": false})
    );
    // Memberships: in the organization, the member's id and username.
    assert_eq!(entries[3].organization_id, Some(org.id));
    assert_eq!(entries[3].resource_id, bob.id.0);
    assert_eq!(diff(3)["username"]["new"], "bob");
    assert_eq!(
        diff(3)["roles"],
        json!({"old": null, "new": [], "secret": false})
    );
    assert_eq!(
        diff(6)["roles"],
        json!({"old": [], "new": ["reviewer"], "secret": false})
    );
    assert!(
        diff(6).get("username").is_none(),
        "unchanged fields are left out"
    );
    assert_eq!(diff(8)["roles"]["new"], json!(null));
    // Custom roles.
    assert_eq!(entries[4].organization_id, Some(org.id));
    assert_eq!(
        diff(5)["organization_permissions"]["new"],
        json!([{"negate": false, "resource_type": "workspace", "action": "create"}])
    );
    assert_eq!(
        diff(7)["name"],
        json!({"old": "reviewer", "new": null, "secret": false})
    );
    // Users again.
    assert_eq!(
        diff(9)["status"],
        json!({"old": "active", "new": "suspended", "secret": false})
    );
    assert_eq!(diff(10)["rbac_roles"]["new"], json!(["auditor"]));
    assert_eq!(
        diff(11)["deleted"],
        json!({"old": false, "new": true, "secret": false})
    );
    assert_eq!(entries[12].organization_id, Some(org.id));
}

async fn a_failed_change_writes_no_entry(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    let org = fx_org(&store, "acme").await;
    store.add(org.id, alice.id, t(1), fx_audit()).await.unwrap();
    RoleRepo::create(&store, role_input(org.id, vec![]), t(2), fx_audit())
        .await
        .unwrap();
    let before = all(&store).await.count;

    // Exec: conflicts and missing rows, each rolled back with its entry.
    let dup = UserRepo::create(&store, fx_new_user("ALICE"), fx_audit()).await;
    let again = store.add(org.id, alice.id, t(3), fx_audit()).await;
    let dup_org = OrganizationRepo::create(&store, fx_new_org("Acme"), fx_audit()).await;
    let dup_role = RoleRepo::create(&store, role_input(org.id, vec![]), t(4), fx_audit()).await;
    let ghost = roster_domain::ids::UserId::new_v7();
    let no_member = store
        .set_roles(org.id, ghost, vec![], t(5), fx_audit())
        .await;
    let no_user = UserRepo::delete(&store, ghost, t(6), fx_audit()).await;
    let no_role = RoleRepo::delete(&store, org.id, "nobody", fx_audit()).await;

    // Check
    assert!(matches!(dup, Err(RepoError::Conflict { .. })));
    assert!(matches!(again, Err(RepoError::Conflict { .. })));
    assert!(matches!(dup_org, Err(RepoError::Conflict { .. })));
    assert!(matches!(dup_role, Err(RepoError::Conflict { .. })));
    assert!(matches!(no_member, Err(RepoError::NotFound { .. })));
    assert!(matches!(no_user, Err(RepoError::NotFound { .. })));
    assert!(matches!(no_role, Err(RepoError::NotFound { .. })));
    assert_eq!(all(&store).await.count, before);
}

async fn failures_are_recorded_without_a_diff(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    let org = fx_org(&store, "acme").await;
    let mut stamp = fx_audit_by(Some(alice.id), t(1));
    stamp.status_code = 403;

    // Exec
    store
        .record(NewAuditEntry::failure(
            stamp,
            AuditAction::Delete,
            AuditResource::CustomRole,
            "reviewer".into(),
            Some(org.id),
        ))
        .await
        .unwrap();

    // Check
    let page = all(&store).await;
    let e = &page.rows[0];
    assert_eq!(
        (e.action, e.resource_type, e.status_code),
        (AuditAction::Delete, AuditResource::CustomRole, 403)
    );
    assert!(e.diff.is_empty());
    assert_eq!(e.resource_id, uuid::Uuid::nil());
    assert_eq!(e.organization_id, Some(org.id));
    assert_eq!(e.request_id, "req-1");
}

async fn lists_filter_by_query_and_row_filter(db: DatabaseConnection) {
    // Setup: alice acts in acme on day 1, bob in globex on day 2; users are site-wide.
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    let bob = fx_user(&store, "bob").await;
    let acme = OrganizationRepo::create(
        &store,
        fx_new_org("acme"),
        fx_audit_by(Some(alice.id), t(86_400)),
    )
    .await
    .unwrap();
    let globex = OrganizationRepo::create(
        &store,
        fx_new_org("globex"),
        fx_audit_by(Some(bob.id), t(2 * 86_400)),
    )
    .await
    .unwrap();
    store
        .add(
            acme.id,
            bob.id,
            t(86_401),
            fx_audit_by(Some(alice.id), t(86_401)),
        )
        .await
        .unwrap();
    store
        .add(
            globex.id,
            alice.id,
            t(2 * 86_400 + 1),
            fx_audit_by(Some(bob.id), t(2 * 86_400 + 1)),
        )
        .await
        .unwrap();
    let targets = |page: PageOf<AuditEntry>| -> (u64, Vec<String>) {
        (
            page.count,
            page.rows
                .iter()
                .map(|e| format!("{}:{}", e.resource_type.as_str(), e.resource_target))
                .collect(),
        )
    };
    let list = |q: AuditQuery, f: RowFilter, p: Pagination| {
        let store = store.clone();
        async move { targets(AuditRepo::list(&store, &q, &f, p).await.unwrap()) }
    };
    let q = AuditQuery::default;
    let everything = || RowFilter::All;
    let whole = Pagination::default;

    // Exec + Check: the fixtures' two user creations come first (at T0), newest last.
    assert_eq!(
        list(q(), everything(), whole()).await,
        (
            6,
            vec![
                "organization_member:alice".into(),
                "organization:globex".into(),
                "organization_member:bob".into(),
                "organization:acme".into(),
                "user:bob".into(),
                "user:alice".into(),
            ]
        )
    );
    let by_action = AuditQuery {
        action: Some(AuditAction::Create),
        resource_type: Some(AuditResource::OrganizationMember),
        ..q()
    };
    assert_eq!(list(by_action, everything(), whole()).await.0, 2);
    let by_user = AuditQuery {
        username: Some("ALICE".into()),
        ..q()
    };
    assert_eq!(
        list(by_user, everything(), whole()).await.1,
        vec![
            "organization_member:bob".to_string(),
            "organization:acme".into()
        ]
    );
    let by_org_name = AuditQuery {
        organization: Some(OrganizationRef::Name("globex".into())),
        ..q()
    };
    assert_eq!(list(by_org_name, everything(), whole()).await.0, 2);
    let by_org_id = AuditQuery {
        organization: Some(OrganizationRef::Id(acme.id)),
        ..q()
    };
    assert_eq!(list(by_org_id, everything(), whole()).await.0, 2);
    let day2 = AuditQuery {
        time_from: Some(t(2 * 86_400)),
        time_before: Some(t(3 * 86_400)),
        ..q()
    };
    assert_eq!(list(day2, everything(), whole()).await.0, 2);
    let search = AuditQuery {
        search: Some("LOB".into()),
        ..q()
    };
    assert_eq!(
        list(search, everything(), whole()).await.1,
        vec!["organization:globex".to_string()]
    );
    let nothing = AuditQuery {
        matches_nothing: true,
        ..q()
    };
    assert_eq!(list(nothing, everything(), whole()).await.0, 0);

    // The row filter: an organization's readers see its entries only, never site-wide ones.
    let in_acme = RowFilter::Where(Scoped {
        subject: bob.id,
        orgs: vec![acme.id],
        owned_in_orgs: vec![globex.id],
        owned_outside_orgs: true,
    });
    assert_eq!(
        list(q(), in_acme, whole()).await,
        (
            2,
            vec!["organization_member:bob".into(), "organization:acme".into()]
        )
    );
    assert_eq!(list(q(), RowFilter::Nothing, whole()).await, (0, vec![]));

    // Pages: the count covers every match.
    let page = Pagination {
        after_id: None,
        offset: 1,
        limit: Some(2),
    };
    assert_eq!(
        list(q(), everything(), page).await,
        (
            6,
            vec![
                "organization:globex".into(),
                "organization_member:bob".into()
            ]
        )
    );
}
