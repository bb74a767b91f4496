use roster_domain::RepoError;
use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::page::Pagination;
use roster_domain::ports::{ApiKeyRepo, MemberRepo, OrganizationRepo, UserRepo};
use roster_domain::search::UserQuery;
use roster_domain::token::{ApiKey, ApiKeyKind};
use roster_domain::user::{LoginType, User, UserStatus};
use roster_store::SeaStore;
use sea_orm::DatabaseConnection;

use crate::fixtures::{T0, fx_audit, fx_new_user, fx_org, fx_user, t};
use crate::harness::backends;

backends!(
    creates_and_finds_users,
    usernames_and_emails_are_unique_case_insensitively,
    service_accounts_share_the_empty_email,
    first_user_is_created_once,
    concurrent_first_users_create_exactly_one,
    first_user_is_refused_after_any_user,
    create_joins_organizations_atomically,
    sets_status_and_site_roles,
    deleting_a_user_frees_the_name_and_removes_memberships_and_keys,
    touches_last_seen,
    pagination_follows_the_spec_table,
    query_filters_users,
    role_filter_on_users_sees_site_roles_only,
    row_filter_limits_users,
    live_user_count_is_maintained,
);

fn page(after_id: Option<UserId>, offset: u64, limit: Option<u64>) -> Pagination {
    Pagination {
        after_id,
        offset,
        limit,
    }
}

fn names(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.username.as_str()).collect()
}

async fn creates_and_finds_users(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    assert!(!store.any_exists().await.unwrap());
    let mut new = fx_new_user("Alice");
    new.site_roles = vec!["owner".into(), "auditor".into(), "owner".into()];

    // Exec
    let created = UserRepo::create(&store, new.clone(), fx_audit())
        .await
        .unwrap();

    // Check
    assert!(store.any_exists().await.unwrap());
    assert_eq!(created.id, new.id);
    assert_eq!(created.username, "Alice");
    assert_eq!(created.site_roles, vec!["auditor", "owner"]);
    assert_eq!(created.created_at, T0);
    assert_eq!(created.updated_at, T0);
    assert_eq!(created.last_seen_at, time::OffsetDateTime::UNIX_EPOCH);
    let found = UserRepo::find(&store, new.id).await.unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!(
        store.find_by_username("aLiCe").await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.find_by_username("bob").await.unwrap(), None);
    let creds = store
        .credentials_by_email("ALICE@example.COM")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.user, created);
    assert_eq!(creds.password_hash.as_deref(), Some("$argon2id$fake"));
    assert!(store.credentials_by_email("").await.unwrap().is_none());
    assert!(
        UserRepo::find(&store, UserId::new_v7())
            .await
            .unwrap()
            .is_none()
    );
}

async fn usernames_and_emails_are_unique_case_insensitively(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    fx_user(&store, "alice").await;

    let mut dup = fx_new_user("ALICE");
    dup.email = "other@example.com".into();
    let err = UserRepo::create(&store, dup, fx_audit()).await.unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "username" }),
        "{err:?}"
    );

    let mut dup = fx_new_user("bob");
    dup.email = "Alice@Example.com".into();
    let err = UserRepo::create(&store, dup, fx_audit()).await.unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "email" }),
        "{err:?}"
    );

    let mut same_id = fx_new_user("carol");
    same_id.id = store.find_by_username("alice").await.unwrap().unwrap().id;
    let err = UserRepo::create(&store, same_id, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::Conflict { field: "id" }),
        "{err:?}"
    );
}

async fn service_accounts_share_the_empty_email(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    for name in ["bot-1", "bot-2"] {
        let mut new = fx_new_user(name);
        new.email = String::new();
        new.password_hash = None;
        new.login_type = LoginType::None;
        new.is_service_account = true;
        let u = UserRepo::create(&store, new, fx_audit()).await.unwrap();
        assert!(u.is_service_account);
        assert_eq!(u.login_type, LoginType::None);
    }
}

async fn first_user_is_created_once(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let first = store.create_first(fx_new_user("first")).await.unwrap();
    assert_eq!(first.username, "first");
    let err = store.create_first(fx_new_user("second")).await.unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::Conflict {
                field: "first_user"
            }
        ),
        "{err:?}"
    );
    assert!(store.find_by_username("second").await.unwrap().is_none());
    // Deleting the first user doesn't reopen the door.
    UserRepo::delete(&store, first.id, t(1), fx_audit())
        .await
        .unwrap();
    let err = store.create_first(fx_new_user("third")).await.unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::Conflict {
                field: "first_user"
            }
        ),
        "{err:?}"
    );
}

async fn concurrent_first_users_create_exactly_one(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(
                async move { store.create_first(fx_new_user(&format!("first-{i}"))).await },
            )
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(RepoError::Conflict {
                field: "first_user",
            }) => {}
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!(created, 1);
    let all = UserRepo::list(
        &store,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap();
    assert_eq!(all.count, 1);
}

async fn first_user_is_refused_after_any_user(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    fx_user(&store, "operator").await;
    let err = store.create_first(fx_new_user("first")).await.unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::Conflict {
                field: "first_user"
            }
        ),
        "{err:?}"
    );
}

async fn create_joins_organizations_atomically(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let a = fx_org(&store, "org-a").await;
    let b = fx_org(&store, "org-b").await;

    // Exec: join two organizations (one twice).
    let mut new = fx_new_user("alice");
    new.organization_ids = vec![a.id, b.id, a.id];
    let alice = UserRepo::create(&store, new, fx_audit()).await.unwrap();

    // Check
    let orgs = store.list_for_user(alice.id).await.unwrap();
    assert_eq!(
        orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        vec!["org-a", "org-b"]
    );
    let page = MemberRepo::list(
        &store,
        a.id,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.count, 1);

    // Exec: an unknown organization refuses the whole user.
    let mut new = fx_new_user("bob");
    new.organization_ids = vec![a.id, OrganizationId::new_v7()];
    let err = UserRepo::create(&store, new, fx_audit()).await.unwrap_err();

    // Check
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "organization"
            }
        ),
        "{err:?}"
    );
    assert!(store.find_by_username("bob").await.unwrap().is_none());
    let page = MemberRepo::list(
        &store,
        a.id,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(page.rows.len(), 1);
}

async fn sets_status_and_site_roles(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;

    let u = store
        .set_status(alice.id, UserStatus::Suspended, t(10), fx_audit())
        .await
        .unwrap();
    assert_eq!(u.status, UserStatus::Suspended);
    assert_eq!(u.updated_at, t(10));

    let u = store
        .set_site_roles(
            alice.id,
            vec!["owner".into(), "user-admin".into()],
            t(20),
            fx_audit(),
        )
        .await
        .unwrap();
    assert_eq!(u.site_roles, vec!["owner", "user-admin"]);
    let u = store
        .set_site_roles(alice.id, vec!["auditor".into()], t(30), fx_audit())
        .await
        .unwrap();
    assert_eq!(u.site_roles, vec!["auditor"]);
    assert_eq!(
        UserRepo::find(&store, alice.id)
            .await
            .unwrap()
            .unwrap()
            .site_roles,
        vec!["auditor"]
    );
    let u = store
        .set_site_roles(alice.id, vec![], t(40), fx_audit())
        .await
        .unwrap();
    assert!(u.site_roles.is_empty());

    let nobody = UserId::new_v7();
    assert!(matches!(
        store
            .set_status(nobody, UserStatus::Active, t(1), fx_audit())
            .await,
        Err(RepoError::NotFound { entity: "user" })
    ));
    assert!(matches!(
        store.set_site_roles(nobody, vec![], t(1), fx_audit()).await,
        Err(RepoError::NotFound { entity: "user" })
    ));
    UserRepo::delete(&store, alice.id, t(50), fx_audit())
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_status(alice.id, UserStatus::Active, t(60), fx_audit())
            .await,
        Err(RepoError::NotFound { .. })
    ));
}

async fn deleting_a_user_frees_the_name_and_removes_memberships_and_keys(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    let bob = fx_user(&store, "bob").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();
    store.add(org.id, bob.id, T0, fx_audit()).await.unwrap();
    store
        .set_roles(
            org.id,
            alice.id,
            vec!["organization-admin".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    ApiKeyRepo::create(
        &store,
        ApiKey {
            id: "abcdefghij".into(),
            user_id: alice.id,
            hashed_secret: vec![1, 2, 3],
            kind: ApiKeyKind::Session,
            login_type: LoginType::Password,
            token_name: String::new(),
            created_at: T0,
            expires_at: t(3600),
            last_used: T0,
        },
    )
    .await
    .unwrap();

    // Exec
    UserRepo::delete(&store, alice.id, t(5), fx_audit())
        .await
        .unwrap();

    // Check
    assert!(UserRepo::find(&store, alice.id).await.unwrap().is_none());
    assert!(store.find_by_username("alice").await.unwrap().is_none());
    assert!(
        store
            .credentials_by_email("alice@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        ApiKeyRepo::find(&store, "abcdefghij")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        MemberRepo::find(&store, org.id, alice.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.memberships_of(alice.id).await.unwrap().is_empty());
    let page = MemberRepo::list(
        &store,
        org.id,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(page.rows[0].user.id, bob.id);
    // The name and email are free again, and the first user can't come back.
    let again = fx_user(&store, "ALICE").await;
    assert_ne!(again.id, alice.id);
    assert!(store.any_exists().await.unwrap());
    assert!(matches!(
        UserRepo::delete(&store, alice.id, t(6), fx_audit()).await,
        Err(RepoError::NotFound { entity: "user" })
    ));
}

async fn touches_last_seen(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    store.touch_last_seen(alice.id, t(99)).await.unwrap();
    assert_eq!(
        UserRepo::find(&store, alice.id)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        t(99)
    );
}

/// Ten users `user-00` … `user-09`; the last four have "after" in their display name.
async fn fx_ten_users(store: &SeaStore) -> Vec<User> {
    let mut users = Vec::new();
    // Created out of order, so the list order comes from the username.
    for i in [3, 7, 0, 9, 1, 5, 2, 8, 4, 6] {
        let mut new = fx_new_user(&format!("User-{i:02}"));
        if i >= 6 {
            new.name = format!("Comes after {i}");
        }
        users.push(UserRepo::create(store, new, fx_audit()).await.unwrap());
    }
    users.sort_by_key(|u| u.username.to_lowercase());
    users
}

async fn pagination_follows_the_spec_table(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let users = fx_ten_users(&store).await;
    let all = UserQuery::default();
    let list = |q: UserQuery, p: Pagination| {
        let store = store.clone();
        async move {
            UserRepo::list(&store, &q, &RowFilter::All, p)
                .await
                .unwrap()
        }
    };

    // Exec + Check: (rows, count) for each row of the table.
    let r = list(all.clone(), page(None, 0, None)).await;
    assert_eq!((r.rows.len(), r.count), (10, 10));
    assert_eq!(names(&r.rows), names(&users));
    let r = list(all.clone(), page(None, 0, Some(1))).await;
    assert_eq!((r.rows.len(), r.count), (1, 10));
    assert_eq!(r.rows[0].username, "User-00");
    let r = list(all.clone(), page(None, 1, None)).await;
    assert_eq!((r.rows.len(), r.count), (9, 10));
    assert_eq!(r.rows[0].username, "User-01");
    let r = list(all.clone(), page(None, 1, Some(1))).await;
    assert_eq!((r.rows.len(), r.count), (1, 10));
    assert_eq!(r.rows[0].username, "User-01");
    // Past the end: no rows, but the count stays (decisions.md).
    let r = list(all.clone(), page(None, 11, None)).await;
    assert_eq!((r.rows.len(), r.count), (0, 10));
    let r = list(all.clone(), page(Some(users[5].id), 0, None)).await;
    assert_eq!((r.rows.len(), r.count), (4, 4));
    assert_eq!(
        names(&r.rows),
        vec!["User-06", "User-07", "User-08", "User-09"]
    );
    let r = list(all.clone(), page(Some(users[5].id), 1, Some(2))).await;
    assert_eq!((r.rows.len(), r.count), (2, 4));
    assert_eq!(names(&r.rows), vec!["User-07", "User-08"]);
    let after = UserQuery {
        name: Some("after".into()),
        ..UserQuery::default()
    };
    let r = list(after, page(None, 1, Some(1))).await;
    assert_eq!((r.rows.len(), r.count), (1, 4));
    assert_eq!(r.rows[0].username, "User-07");
    // An unknown cursor matches nothing.
    let r = list(all, page(Some(UserId::new_v7()), 0, None)).await;
    assert_eq!((r.rows.len(), r.count), (0, 0));
}

async fn query_filters_users(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let mut new = fx_new_user("alice");
    new.email = "alice@corp.test".into();
    new.created_at = t(100);
    let alice = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let mut new = fx_new_user("bob_100%");
    new.username = "bob".into();
    new.email = "bob_100%@example.com".into();
    new.login_type = LoginType::Github;
    new.status = UserStatus::Dormant;
    let bob = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let mut new = fx_new_user("robot");
    new.is_service_account = true;
    new.login_type = LoginType::None;
    new.email = String::new();
    let robot = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    store.touch_last_seen(alice.id, t(500)).await.unwrap();

    let check = |q: UserQuery, expected: Vec<&'static str>| {
        let store = store.clone();
        async move {
            let r = UserRepo::list(&store, &q, &RowFilter::All, Pagination::default())
                .await
                .unwrap();
            assert_eq!(names(&r.rows), expected, "{q:?}");
            assert_eq!(r.count, expected.len() as u64, "{q:?}");
        }
    };
    let q = UserQuery::default;

    // Check
    check(
        UserQuery {
            search: Some("OB".into()),
            ..q()
        },
        vec!["bob", "robot"],
    )
    .await;
    check(
        UserQuery {
            search: Some("corp".into()),
            ..q()
        },
        vec!["alice"],
    )
    .await;
    // LIKE wildcards in the term are literal.
    check(
        UserQuery {
            search: Some("_100%".into()),
            ..q()
        },
        vec!["bob"],
    )
    .await;
    check(
        UserQuery {
            search: Some("%".into()),
            ..q()
        },
        vec!["bob"],
    )
    .await;
    check(
        UserQuery {
            search: Some("_".into()),
            ..q()
        },
        vec!["bob"],
    )
    .await;
    check(
        UserQuery {
            name: Some("name of r".into()),
            ..q()
        },
        vec!["robot"],
    )
    .await;
    check(
        UserQuery {
            status: vec![UserStatus::Dormant],
            ..q()
        },
        vec!["bob"],
    )
    .await;
    check(
        UserQuery {
            status: vec![UserStatus::Active, UserStatus::Dormant],
            ..q()
        },
        vec!["alice", "bob", "robot"],
    )
    .await;
    check(
        UserQuery {
            login_types: vec![LoginType::Github, LoginType::None],
            ..q()
        },
        vec!["bob", "robot"],
    )
    .await;
    check(
        UserQuery {
            service_account: Some(true),
            ..q()
        },
        vec!["robot"],
    )
    .await;
    check(
        UserQuery {
            service_account: Some(false),
            ..q()
        },
        vec!["alice", "bob"],
    )
    .await;
    check(
        UserQuery {
            username: Some("ROBOT".into()),
            ..q()
        },
        vec!["robot"],
    )
    .await;
    check(
        UserQuery {
            username: Some("rob".into()),
            ..q()
        },
        vec![],
    )
    .await;
    check(
        UserQuery {
            email: Some("Alice@Corp.Test".into()),
            ..q()
        },
        vec!["alice"],
    )
    .await;
    check(
        UserQuery {
            created_after: Some(t(100)),
            ..q()
        },
        vec!["alice"],
    )
    .await;
    check(
        UserQuery {
            created_before: Some(t(99)),
            ..q()
        },
        vec!["bob", "robot"],
    )
    .await;
    check(
        UserQuery {
            last_seen_after: Some(t(500)),
            ..q()
        },
        vec!["alice"],
    )
    .await;
    check(
        UserQuery {
            last_seen_before: Some(t(499)),
            ..q()
        },
        vec!["bob", "robot"],
    )
    .await;
    check(
        UserQuery {
            github_com_user_id: Some(42),
            ..q()
        },
        vec![],
    )
    .await;
    check(
        UserQuery {
            search: Some("o".into()),
            status: vec![UserStatus::Active],
            ..q()
        },
        vec!["alice", "robot"],
    )
    .await;
    let _ = (bob, robot);
}

async fn role_filter_on_users_sees_site_roles_only(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let mut new = fx_new_user("alice");
    new.site_roles = vec!["owner".into()];
    UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let bob = fx_user(&store, "bob").await;
    store.add(org.id, bob.id, T0, fx_audit()).await.unwrap();
    store
        .set_roles(
            org.id,
            bob.id,
            vec!["organization-admin".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();

    let list = |roles: Vec<&str>| {
        let store = store.clone();
        let q = UserQuery {
            roles: roles.into_iter().map(String::from).collect(),
            ..UserQuery::default()
        };
        async move {
            UserRepo::list(&store, &q, &RowFilter::All, Pagination::default())
                .await
                .unwrap()
        }
    };
    assert_eq!(names(&list(vec!["owner"]).await.rows), vec!["alice"]);
    assert_eq!(
        names(&list(vec!["auditor", "owner"]).await.rows),
        vec!["alice"]
    );
    assert!(list(vec!["organization-admin"]).await.rows.is_empty());
}

async fn row_filter_limits_users(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let alice = fx_user(&store, "alice").await;
    fx_user(&store, "bob").await;
    let q = UserQuery::default();

    let r = UserRepo::list(&store, &q, &RowFilter::Nothing, Pagination::default())
        .await
        .unwrap();
    assert_eq!((r.rows.len(), r.count), (0, 0));

    let own = RowFilter::Where(Scoped {
        subject: alice.id,
        orgs: vec![],
        owned_in_orgs: vec![],
        owned_outside_orgs: true,
    });
    let r = UserRepo::list(&store, &q, &own, Pagination::default())
        .await
        .unwrap();
    assert_eq!(names(&r.rows), vec!["alice"]);
    assert_eq!(r.count, 1);

    // Users live outside organizations: organization grants don't reach them.
    let org_only = RowFilter::Where(Scoped {
        subject: alice.id,
        orgs: vec![OrganizationId::new_v7()],
        owned_in_orgs: vec![OrganizationId::new_v7()],
        owned_outside_orgs: false,
    });
    let r = UserRepo::list(&store, &q, &org_only, Pagination::default())
        .await
        .unwrap();
    assert_eq!((r.rows.len(), r.count), (0, 0));
}

async fn live_user_count_is_maintained(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db.clone());
    let counts = || {
        let store = store.clone();
        async move {
            let all = UserQuery::default();
            // An empty search matches every live user but forces a real COUNT.
            let any = UserQuery {
                search: Some(String::new()),
                ..UserQuery::default()
            };
            let maintained = UserRepo::list(&store, &all, &RowFilter::All, Pagination::default());
            let counted = UserRepo::list(&store, &any, &RowFilter::All, Pagination::default());
            (
                maintained.await.unwrap().count,
                counted.await.unwrap().count,
            )
        }
    };

    // Exec + Check
    store.create_first(fx_new_user("first")).await.unwrap();
    let bob = fx_user(&store, "bob").await;
    fx_user(&store, "carol").await;
    let _ = UserRepo::create(&store, fx_new_user("BOB"), fx_audit())
        .await
        .unwrap_err();
    assert_eq!(counts().await, (3, 3));
    UserRepo::delete(&store, bob.id, t(1), fx_audit())
        .await
        .unwrap();
    let _ = UserRepo::delete(&store, bob.id, t(2), fx_audit())
        .await
        .unwrap_err();
    assert_eq!(counts().await, (2, 2));
    // The migration that adds the count starts from the users already there.
    use migrations::{Migrator, MigratorTrait};
    Migrator::down(&db, Some(1)).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(counts().await, (2, 2));
}

#[tokio::test]
async fn sqlite_reads_users_of_a_status_from_their_index() {
    use sea_orm::ConnectionTrait;
    // Setup: 5,000 users, ten of them suspended, analyzed; a store whose statements are recorded.
    let db = crate::harness::sqlite().await;
    let setup = SeaStore::new(db.clone());
    let org = fx_org(&setup, "org").await;
    let ids = roster_store::seed::seed_members(&db, org.id, 5_000, T0)
        .await
        .unwrap();
    for id in ids.iter().step_by(500) {
        setup
            .set_status(*id, UserStatus::Suspended, T0, fx_audit())
            .await
            .unwrap();
    }
    db.execute_unprepared("ANALYZE").await.unwrap();
    let (recorded, statements) = crate::harness::recording(&db);
    let store = SeaStore::new(recorded);

    // Exec
    let suspended = UserQuery {
        status: vec![UserStatus::Suspended],
        ..UserQuery::default()
    };
    let found = UserRepo::list(&store, &suspended, &RowFilter::All, page(None, 0, Some(50)))
        .await
        .unwrap();

    // Check: the ten, counted and read through the status index, without a sort.
    assert_eq!((found.rows.len(), found.count), (10, 10));
    let statements = statements.lock().unwrap().clone();
    assert_eq!(statements.len(), 1);
    let plan = crate::harness::sqlite_plan(&db, &statements[0]).await;
    let via_index = plan
        .iter()
        .filter(|p| p.contains("users_status_username_key_idx"))
        .count();
    assert_eq!(via_index, 2, "the page and its count: {plan:?}");
    assert!(!plan.iter().any(|p| p.contains("ORDER BY")), "{plan:?}");
}
